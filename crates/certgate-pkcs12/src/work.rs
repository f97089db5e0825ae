//! The pre-check: the key-derivation work a PKCS#12 file asks for, read from its structure
//! and bounded before any password is tried.

use der::Decode;
use pkcs8::pkcs5::{self, pbes2};

use crate::decrypt;
use crate::error::{Code, Error};
use crate::layout::{bags_of, layout, Bags, Container, Key, Layout};
use crate::protection::{digest_name, legacy_pbe_name};

/// Most key-derivation iterations of one step (the MAC, a container, a key): 1,000,000,
/// p12-keystore's own ceiling, which it enforces only after parsing with an unexplained
/// "Invalid parameters". OpenSSL 3 writes 2,048, Java 10,000, Windows 2,000; a million
/// PBKDF2-HMAC-SHA256 rounds take about half a second natively, about a second in wasm.
pub const MAX_ITERATIONS: u64 = 1_000_000;
/// Most key-derivation iterations of all steps together: ten steps at the ceiling, a few
/// seconds. A key store with a hundred keys at Java's 10,000 is a tenth of it.
pub const MAX_TOTAL_ITERATIONS: u64 = 10 * MAX_ITERATIONS;
/// Largest scrypt cost accepted: N ≤ 2^17 with r ≤ 8 and p = 1, 128 MiB of memory
/// (p12-keystore's own ceiling is 1 GiB and p ≤ 16).
pub const MAX_SCRYPT_COST: u64 = 1 << 17;

/// Reads the structure of a PKCS#12 file (no password needed) for the work its decryption
/// asks for, and refuses, with [`Code::Unsupported`], an iteration count outside 1 to
/// [`MAX_ITERATIONS`] (or a total over [`MAX_TOTAL_ITERATIONS`]), scrypt beyond
/// [`MAX_SCRYPT_COST`], and a MAC digest, key derivation or cipher p12-keystore cannot decrypt
/// (which it would report as a wrong password). Counted: the MAC, every encrypted container,
/// every shrouded key and every encrypted secret bag of a plain container. The bags inside an
/// encrypted container are only visible once it is decrypted: [`read`](crate::read()) counts
/// them too, before p12-keystore derives a key for any of them.
pub fn check_work(data: &[u8]) -> Result<(), Error> {
    visible_work(&layout(data)?).map(|_| ())
}

/// [`check_work`], then the bags inside the encrypted containers: each container is decrypted
/// with the password (its key derivation counted a second time: p12-keystore repeats it) and
/// its shrouded keys and encrypted secret bags count toward the same total. A container that
/// does not decrypt (a wrong password) or does not hold bags is left for p12-keystore to
/// report; nothing inside it is derived.
pub(crate) fn check_work_with_password(data: &[u8], password: &str) -> Result<(), Error> {
    let layout = layout(data)?;
    let mut total = visible_work(&layout)?;
    for container in &layout.containers {
        let Container::Encrypted {
            alg,
            ciphertext: Some(ciphertext),
        } = container
        else {
            continue;
        };
        scheme_work(alg, "a certificate container", &mut total)?;
        let Some(bags) =
            decrypt::container(alg, ciphertext, password).and_then(|plain| bags_of(&plain).ok())
        else {
            continue;
        };
        bags_work(&bags, " inside an encrypted container", &mut total)?;
    }
    Ok(())
}

/// The work visible without the password, in total.
fn visible_work(layout: &Layout) -> Result<u64, Error> {
    let mut total = 0;
    if let Some(mac) = &layout.mac {
        if digest_name(&mac.digest) == "unknown" {
            return Err(Error::new(
                Code::Unsupported,
                format!(
                    "the MAC uses digest {}; certgate reads SHA-1 and SHA-2 MACs",
                    mac.digest
                ),
            ));
        }
        iterations(mac.iterations, "the MAC", &mut total)?;
    }
    for container in &layout.containers {
        match container {
            Container::Encrypted { alg, .. } => {
                scheme_work(alg, "a certificate container", &mut total)?
            }
            Container::Plain(bags) => bags_work(bags, "", &mut total)?,
            Container::Other(content_type) => {
                return Err(Error::new(
                    Code::Unsupported,
                    format!(
                        "a container of the PKCS#12 file has content type {content_type}, which \
                         certgate does not read (only password-protected data)"
                    ),
                ));
            }
        }
    }
    Ok(total)
}

/// The shrouded keys and encrypted secret bags of one container; `place` ends their names.
fn bags_work(bags: &Bags, place: &str, total: &mut u64) -> Result<(), Error> {
    for key in &bags.keys {
        if let Key::Shrouded(alg) = key {
            let alg = alg.as_deref().map_err(|e| Error::malformed(*e))?;
            scheme_work(alg, &format!("a private key{place}"), total)?;
        }
    }
    for alg in &bags.secrets {
        scheme_work(alg, &format!("a secret key{place}"), total)?;
    }
    Ok(())
}

/// The work of one password-based encryption scheme, and whether p12-keystore decrypts it:
/// PBES2 with PBKDF2-HMAC-SHA-2 or scrypt and AES or 3DES, or the PKCS#12 PBEs with 3DES and
/// 40-bit RC2 (RFC 7292 appendix C).
fn scheme_work(alg: &[u8], what: &str, total: &mut u64) -> Result<(), Error> {
    let unsupported = |how: &str| {
        Error::new(
            Code::Unsupported,
            format!(
                "{what} is encrypted with {how}, which certgate does not read; re-export the \
                 file with AES-256-CBC"
            ),
        )
    };
    match pkcs5::EncryptionScheme::from_der(alg) {
        Ok(pkcs5::EncryptionScheme::Pbes2(params)) => {
            match params.encryption {
                pbes2::EncryptionScheme::Aes128Cbc { .. }
                | pbes2::EncryptionScheme::Aes192Cbc { .. }
                | pbes2::EncryptionScheme::Aes256Cbc { .. }
                | pbes2::EncryptionScheme::Aes128Gcm { .. }
                | pbes2::EncryptionScheme::Aes256Gcm { .. }
                | pbes2::EncryptionScheme::DesEde3Cbc { .. } => {}
                _ => return Err(unsupported("PBES2 and single DES")),
            }
            match &params.kdf {
                pbes2::Kdf::Pbkdf2(p) => match p.prf {
                    pbes2::Pbkdf2Prf::HmacWithSha224
                    | pbes2::Pbkdf2Prf::HmacWithSha256
                    | pbes2::Pbkdf2Prf::HmacWithSha384
                    | pbes2::Pbkdf2Prf::HmacWithSha512 => {
                        iterations(i64::from(p.iteration_count), what, total)
                    }
                    _ => Err(unsupported("PBES2 and PBKDF2-HMAC-SHA1")),
                },
                pbes2::Kdf::Scrypt(p) => {
                    if p.cost_parameter > MAX_SCRYPT_COST
                        || p.block_size > 8
                        || p.parallelization > 1
                    {
                        return Err(Error::new(
                            Code::Unsupported,
                            format!(
                                "{what} asks for scrypt N={} r={} p={}; certgate accepts N up to \
                                 2^17, r up to 8 and p = 1",
                                p.cost_parameter, p.block_size, p.parallelization
                            ),
                        ));
                    }
                    Ok(())
                }
                _ => Err(unsupported("PBES2 and an unknown key derivation")),
            }
        }
        Ok(pkcs5::EncryptionScheme::Pbes1(_)) => Err(unsupported("PBES1 (PKCS#5 v1.5)")),
        Ok(_) => Err(unsupported("an unknown PBES2 scheme")),
        Err(_) => {
            let Ok(parsed) = pkcs8::spki::AlgorithmIdentifierOwned::from_der(alg) else {
                return Err(Error::new(
                    Code::Malformed,
                    format!("{what} has an unreadable encryption algorithm"),
                ));
            };
            if parsed.oid != pkcs12::PKCS_12_PBE_WITH_SHAAND3_KEY_TRIPLE_DES_CBC
                && parsed.oid != pkcs12::PKCS_12_PBEWITH_SHAAND40_BIT_RC2_CBC
            {
                return Err(unsupported(&legacy_pbe_name(alg)));
            }
            let params = parsed
                .parameters
                .and_then(|p| p.decode_as::<pkcs12::pbe_params::Pkcs12PbeParams>().ok())
                .ok_or_else(|| {
                    Error::new(
                        Code::Malformed,
                        format!("{what} has unreadable encryption parameters"),
                    )
                })?;
            iterations(i64::from(params.iterations), what, total)
        }
    }
}

/// Counts one step's iterations against [`MAX_ITERATIONS`] and [`MAX_TOTAL_ITERATIONS`].
fn iterations(count: i64, what: &str, total: &mut u64) -> Result<(), Error> {
    let Some(count) = u64::try_from(count)
        .ok()
        .filter(|c| (1..=MAX_ITERATIONS).contains(c))
    else {
        return Err(Error::new(
            Code::Unsupported,
            format!(
                "{what} asks for {count} key-derivation iterations; certgate accepts 1 to \
                 {MAX_ITERATIONS} (OpenSSL writes 2048, Java 10000)"
            ),
        ));
    };
    *total += count;
    if *total > MAX_TOTAL_ITERATIONS {
        return Err(Error::new(
            Code::Unsupported,
            format!(
                "the PKCS#12 file asks for more than {MAX_TOTAL_ITERATIONS} key-derivation \
                 iterations in all, more than certgate accepts"
            ),
        ));
    }
    Ok(())
}
