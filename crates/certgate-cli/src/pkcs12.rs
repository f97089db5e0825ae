//! PKCS#12 files on p12-keystore: key stores (one key and its chain), trust stores
//! (certificates only, each marked with Java's trusted-key-usage attribute so that keytool
//! lists it as a `trustedCertEntry`), and reading any PKCS#12 file bag by bag.

use p12_keystore::{
    Certificate, EncryptionAlgorithm, KeyStore, KeyStoreEntry, LocalKeyId, MacAlgorithm,
    Pkcs12Archive, PrivateKey, PrivateKeyChain,
};

use crate::error::{fail, Error};

/// How a PKCS#12 file is protected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Protection {
    /// PBES2 (PBKDF2-HMAC-SHA256, AES-256-CBC) with an HMAC-SHA256 MAC: OpenSSL 3, Java 8u301+,
    /// current macOS and Windows.
    Modern,
    /// PBE-SHA1-3DES with an HMAC-SHA1 MAC, for old Java, macOS and Windows releases.
    Legacy,
}

impl Protection {
    /// Legacy when `legacy` (the `--legacy` flag), else modern.
    pub fn from_legacy(legacy: bool) -> Self {
        if legacy {
            Self::Legacy
        } else {
            Self::Modern
        }
    }
}

/// An entry alias from the certificate's CN, lowercased (keytool shows aliases lowercased),
/// else from the file name.
pub fn alias_for(der: &[u8], path: &std::path::Path) -> String {
    use x509_parser::prelude::{FromDer, X509Certificate};
    let cn = X509Certificate::from_der(der).ok().and_then(|(_, c)| {
        c.subject()
            .iter_common_name()
            .next()
            .and_then(|cn| cn.as_str().ok().map(str::to_owned))
    });
    match cn {
        Some(cn) if !cn.trim().is_empty() => cn.trim().to_lowercase(),
        _ => path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "certificate".into()),
    }
}

/// Iterations of the key derivation and the MAC for modern files: Java's own default.
const MODERN_ITERATIONS: u32 = 10_000;
/// Iterations for legacy files: OpenSSL's `-legacy` default, which old readers accept.
const LEGACY_ITERATIONS: u32 = 2048;

/// A key store: `key` (PKCS#8 DER) with its chain, leaf first, under `alias`.
pub fn key_store(
    alias: &str,
    key: &[u8],
    chain: &[Vec<u8>],
    password: &str,
    protection: Protection,
) -> Result<Vec<u8>, Error> {
    let key =
        PrivateKey::from_der(key).map_err(|e| fail!("the private key cannot be stored: {e}"))?;
    let certs = chain
        .iter()
        .map(|der| certificate(der))
        .collect::<Result<Vec<_>, _>>()?;
    let leaf = chain
        .first()
        .ok_or_else(|| fail!("a key store needs at least the key's certificate"))?;
    // The local key id ties the key bag to its certificate bag: the SHA-1 of the certificate,
    // as OpenSSL writes it.
    let id = ring::digest::digest(&ring::digest::SHA1_FOR_LEGACY_USE_ONLY, leaf);
    let mut store = KeyStore::new();
    store.add_entry(
        alias,
        KeyStoreEntry::PrivateKeyChain(PrivateKeyChain::new(
            LocalKeyId::from(id.as_ref()),
            key,
            certs,
        )),
    );
    write(&store, password, protection)
}

/// A trust store: each certificate under its alias, as a trusted certificate entry.
pub fn trust_store(
    certs: &[(String, Vec<u8>)],
    password: &str,
    protection: Protection,
) -> Result<Vec<u8>, Error> {
    let mut store = KeyStore::new();
    for (alias, der) in certs {
        store.add_entry(alias, KeyStoreEntry::Certificate(certificate(der)?));
    }
    write(&store, password, protection)
}

fn certificate(der: &[u8]) -> Result<Certificate, Error> {
    Certificate::from_der(der).map_err(|e| fail!("a certificate cannot be stored: {e}"))
}

fn write(store: &KeyStore, password: &str, protection: Protection) -> Result<Vec<u8>, Error> {
    let writer = match protection {
        Protection::Modern => store
            .writer(password)
            .encryption_algorithm(EncryptionAlgorithm::PbeWithHmacSha256AndAes256)
            .encryption_iterations(MODERN_ITERATIONS)
            .mac_algorithm(MacAlgorithm::HmacSha256)
            .mac_iterations(MODERN_ITERATIONS),
        Protection::Legacy => store
            .writer(password)
            .encryption_algorithm(EncryptionAlgorithm::PbeWithShaAnd3KeyTripleDesCbc)
            .encryption_iterations(LEGACY_ITERATIONS)
            .mac_algorithm(MacAlgorithm::HmacSha1)
            .mac_iterations(LEGACY_ITERATIONS),
    };
    writer
        .write()
        .map_err(|e| fail!("cannot write the PKCS#12 file: {e}"))
}

/// What a PKCS#12 file holds, bag by bag.
#[derive(Debug, Default)]
pub struct Contents {
    /// Private keys: (friendly name, local key id, PKCS#8 DER).
    pub keys: Vec<KeyBag>,
    /// Certificates, in file order.
    pub certs: Vec<CertBag>,
}

/// A private key bag.
#[derive(Debug)]
pub struct KeyBag {
    /// friendlyName attribute.
    pub name: Option<String>,
    /// localKeyId attribute.
    pub local_key_id: Option<Vec<u8>>,
    /// The decrypted key, PKCS#8 DER.
    pub pkcs8: Vec<u8>,
}

/// A certificate bag.
#[derive(Debug)]
pub struct CertBag {
    /// friendlyName attribute.
    pub name: Option<String>,
    /// localKeyId attribute.
    pub local_key_id: Option<Vec<u8>>,
    /// Whether it carries Java's trusted-key-usage attribute (a `trustedCertEntry`).
    pub trusted: bool,
    /// The certificate, DER.
    pub der: Vec<u8>,
}

/// Opens a PKCS#12 file with its password. Every bag is read (p12-keystore's raw archive,
/// not its strict import policy, which drops certificates without Java's attribute).
///
/// **Before the password is tried, the structure is read for the work it asks for** (see
/// [`check_work`]): a hostile file cannot make certgate spend minutes deriving keys. Errors
/// start with a stable code: `PKCS12_WRONG_PASSWORD`, `MALFORMED_PKCS12` or
/// `UNSUPPORTED_PKCS12`, the codes the npm package's `readPkcs12` throws.
pub fn read(data: &[u8], password: &str) -> Result<Contents, Error> {
    check_work(data)?;
    let archive = Pkcs12Archive::from_pkcs12(data, password).map_err(|e| match e {
        p12_keystore::error::Error::MacError(_) => refuse(
            WRONG_PASSWORD,
            "wrong password: the PKCS#12 integrity check (MAC) fails with the password given",
        ),
        p12_keystore::error::Error::Pkcs5Error(_) | p12_keystore::error::Error::UnpadError => {
            refuse(
                WRONG_PASSWORD,
                "wrong password: the PKCS#12 contents do not decrypt with the password given",
            )
        }
        p12_keystore::error::Error::DerError(_)
        | p12_keystore::error::Error::InvalidVersion
        | p12_keystore::error::Error::InvalidData
        | p12_keystore::error::Error::InvalidLength => refuse(
            MALFORMED,
            format!("not a PKCS#12 file (or a damaged one): {e}"),
        ),
        // Only for what check_work cannot see before decryption: a key inside an encrypted
        // container (p12-keystore's own ceiling is the same million iterations).
        p12_keystore::error::Error::InvalidParameters => refuse(
            UNSUPPORTED,
            format!(
                "a key inside the PKCS#12 file asks for key-derivation parameters that are \
                 missing or beyond the limits (at most {MAX_ITERATIONS} iterations)"
            ),
        ),
        p12_keystore::error::Error::UnsupportedEncryptionScheme
        | p12_keystore::error::Error::UnsupportedMacAlgorithm
        | p12_keystore::error::Error::UnsupportedContentType => refuse(
            UNSUPPORTED,
            format!("the PKCS#12 file uses something certgate does not read: {e}"),
        ),
        other => refuse(MALFORMED, format!("cannot read the PKCS#12 file: {other}")),
    })?;
    Ok(Contents {
        keys: archive
            .keys
            .into_iter()
            .map(|k| KeyBag {
                name: k.friendly_name,
                local_key_id: k.local_key_id.map(|id| id.0),
                pkcs8: k.key.as_der().to_vec(),
            })
            .collect(),
        certs: archive
            .certs
            .into_iter()
            .map(|c| CertBag {
                name: c.friendly_name,
                local_key_id: c.local_key_id,
                trusted: c.trusted,
                der: c.cert.as_der().to_vec(),
            })
            .collect(),
    })
}

impl Contents {
    /// The certificates that go with `key`: the one with the same local key id (or, without
    /// ids, the first), then its issuers found by name, then any others.
    pub fn chain_for(&self, key: &KeyBag) -> Vec<Vec<u8>> {
        use x509_parser::prelude::{FromDer, X509Certificate};
        let parsed: Vec<Option<X509Certificate<'_>>> = self
            .certs
            .iter()
            .map(|c| X509Certificate::from_der(&c.der).ok().map(|(_, x)| x))
            .collect();
        let mut order: Vec<usize> = Vec::new();
        let leaf = self
            .certs
            .iter()
            .position(|c| c.local_key_id.is_some() && c.local_key_id == key.local_key_id)
            .or_else(|| (!self.certs.is_empty()).then_some(0));
        if let Some(mut current) = leaf {
            order.push(current);
            // Bounded by the number of certificates: each is added at most once.
            while let Some(next) = (0..self.certs.len()).find(|&i| {
                !order.contains(&i)
                    && match (&parsed[current], &parsed[i]) {
                        (Some(child), Some(parent)) => {
                            child.issuer().as_raw() == parent.subject().as_raw()
                                && child.subject().as_raw() != child.issuer().as_raw()
                        }
                        _ => false,
                    }
            }) {
                order.push(next);
                current = next;
            }
        }
        order.extend(
            (0..self.certs.len())
                .filter(|i| !order.contains(i))
                .collect::<Vec<_>>(),
        );
        order
            .into_iter()
            .map(|i| self.certs[i].der.clone())
            .collect()
    }
}

/// Stable codes that start a PKCS#12 read failure's message (the npm package's `readPkcs12`
/// throws the same): the password does not open the file; the file is not PKCS#12 DER (or is
/// truncated); the file asks for an algorithm certgate does not read or for more work than
/// the limits below.
pub const WRONG_PASSWORD: &str = "PKCS12_WRONG_PASSWORD";
/// See [`WRONG_PASSWORD`].
pub const MALFORMED: &str = "MALFORMED_PKCS12";
/// See [`WRONG_PASSWORD`].
pub const UNSUPPORTED: &str = "UNSUPPORTED_PKCS12";

/// Most key-derivation iterations of one step (the MAC, a container, a key): 1,000,000,
/// p12-keystore's own ceiling, which it enforces only after parsing with an unexplained
/// "Invalid parameters". OpenSSL 3 writes 2,048, Java 10,000, Windows 2,000; a million
/// PBKDF2-HMAC-SHA256 rounds take about half a second.
pub const MAX_ITERATIONS: u64 = 1_000_000;
/// Most key-derivation iterations of all steps together: ten steps at the ceiling, a few
/// seconds. A key store with a hundred keys at Java's 10,000 is a tenth of it.
pub const MAX_TOTAL_ITERATIONS: u64 = 10 * MAX_ITERATIONS;
/// Largest scrypt cost accepted: N ≤ 2^17, r ≤ 8, p = 1 (128 MiB), as the npm package.
const MAX_SCRYPT_COST: u64 = 1 << 17;

fn refuse(code: &str, message: impl std::fmt::Display) -> Error {
    fail!("{code}: {message}")
}

/// Reads the structure of a PKCS#12 file (no password needed) for the work its decryption
/// asks for, and refuses, with [`UNSUPPORTED`], an iteration count outside 1 to
/// [`MAX_ITERATIONS`] (or a total over [`MAX_TOTAL_ITERATIONS`]), scrypt beyond its limits, and
/// a MAC digest, key derivation or cipher p12-keystore cannot decrypt (which it would report
/// as a wrong password). Keys inside encrypted containers are only visible after decryption;
/// p12-keystore holds them to the same per-step ceiling.
pub fn check_work(data: &[u8]) -> Result<(), Error> {
    let layout = layout(data)?;
    let mut total = 0;
    if let Some(mac) = &layout.mac {
        if digest_name(&mac.digest) == "unknown" {
            return Err(refuse(
                UNSUPPORTED,
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
            Container::Encrypted(alg) => scheme_work(alg, "a certificate container", &mut total)?,
            Container::Plain { keys, .. } => {
                for key in keys {
                    if let Key::Shrouded(alg) = key {
                        let alg = alg.as_deref().map_err(|e| malformed(*e))?;
                        scheme_work(alg, "a private key", &mut total)?;
                    }
                }
            }
            Container::Other(content_type) => {
                return Err(refuse(
                    UNSUPPORTED,
                    format!(
                        "a container of the PKCS#12 file has content type {content_type}, which \
                         certgate does not read (only password-protected data)"
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// The structure of a PKCS#12 file that can be read without its password: what
/// [`check_work`] and [`protection`] both walk.
struct Layout {
    mac: Option<Mac>,
    containers: Vec<Container>,
}

/// The integrity MAC's digest (an OID in dotted form) and iteration count.
struct Mac {
    digest: String,
    iterations: i64,
}

/// One container of the authenticated safe (RFC 7292 §4.1).
enum Container {
    /// id-encryptedData: the DER AlgorithmIdentifier of its encryption.
    Encrypted(Vec<u8>),
    /// id-data: its key bags in order, and whether it holds certificate bags.
    Plain { keys: Vec<Key>, certificates: bool },
    /// Any other content type (public-key privacy mode).
    Other(der::oid::ObjectIdentifier),
}

/// A key bag of a plain container.
enum Key {
    /// A shrouded key bag: the DER AlgorithmIdentifier of its encryption, or why it is unreadable.
    Shrouded(Result<Vec<u8>, der::Error>),
    /// A key bag without encryption.
    Plain,
}

fn malformed(e: der::Error) -> Error {
    refuse(
        MALFORMED,
        format!("not a PKCS#12 file (or a damaged one): {e}"),
    )
}

fn layout(data: &[u8]) -> Result<Layout, Error> {
    use der::asn1::OctetString;
    use der::{Decode, Encode};
    let pfx = pkcs12::pfx::Pfx::from_der(data).map_err(malformed)?;
    if pfx.auth_safe.content_type != ID_DATA {
        return Err(refuse(
            UNSUPPORTED,
            "the PKCS#12 file is signed with public keys, which certgate does not read",
        ));
    }
    let mac = pfx.mac_data.as_ref().map(|m| Mac {
        digest: m.mac.algorithm.oid.to_string(),
        iterations: i64::from(m.iterations),
    });
    let safes = OctetString::from_der(&pfx.auth_safe.content.to_der().map_err(malformed)?)
        .map_err(malformed)?;
    let safes = pkcs12::AuthenticatedSafe::from_der(safes.as_bytes()).map_err(malformed)?;
    let mut containers = Vec::with_capacity(safes.len());
    for safe in safes {
        let content = safe.content.to_der().map_err(malformed)?;
        containers.push(if safe.content_type == ID_ENCRYPTED_DATA {
            let encrypted = pkcs12::cms::encrypted_data::EncryptedData::from_der(&content)
                .map_err(malformed)?;
            Container::Encrypted(
                encrypted
                    .enc_content_info
                    .content_enc_alg
                    .to_der()
                    .map_err(malformed)?,
            )
        } else if safe.content_type == ID_DATA {
            let bags = OctetString::from_der(&content).map_err(malformed)?;
            let bags =
                pkcs12::safe_bag::SafeContents::from_der(bags.as_bytes()).map_err(malformed)?;
            let mut keys = Vec::new();
            let mut certificates = false;
            for bag in bags {
                if bag.bag_id == pkcs12::PKCS_12_PKCS8_KEY_BAG_OID {
                    // bagValue is [0] EXPLICIT (RFC 7292 §4.2).
                    type Shrouded = pkcs12::pbe_params::EncryptedPrivateKeyInfo;
                    keys.push(Key::Shrouded(
                        der::asn1::ContextSpecific::<Shrouded>::from_der(&bag.bag_value)
                            .and_then(|k| k.value.encryption_algorithm.to_der()),
                    ));
                } else if bag.bag_id == pkcs12::PKCS_12_KEY_BAG_OID {
                    keys.push(Key::Plain);
                } else if bag.bag_id == pkcs12::PKCS_12_CERT_BAG_OID {
                    certificates = true;
                }
            }
            Container::Plain { keys, certificates }
        } else {
            Container::Other(safe.content_type)
        });
    }
    Ok(Layout { mac, containers })
}

/// The work of one password-based encryption scheme, and whether p12-keystore decrypts it:
/// PBES2 with PBKDF2-HMAC-SHA-2 or scrypt and AES or 3DES, or the PKCS#12 PBEs with 3DES and
/// 40-bit RC2 (RFC 7292 appendix C).
fn scheme_work(alg: &[u8], what: &str, total: &mut u64) -> Result<(), Error> {
    use der::Decode;
    use pkcs8::pkcs5::{self, pbes2};
    let unsupported = |how: String| {
        refuse(
            UNSUPPORTED,
            format!("{what} is encrypted with {how}, which certgate does not read; re-export the file with AES-256-CBC"),
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
                _ => return Err(unsupported("PBES2 and single DES".into())),
            }
            match &params.kdf {
                pbes2::Kdf::Pbkdf2(p) => match p.prf {
                    pbes2::Pbkdf2Prf::HmacWithSha224
                    | pbes2::Pbkdf2Prf::HmacWithSha256
                    | pbes2::Pbkdf2Prf::HmacWithSha384
                    | pbes2::Pbkdf2Prf::HmacWithSha512 => {
                        iterations(i64::from(p.iteration_count), what, total)
                    }
                    _ => Err(unsupported("PBES2 and PBKDF2-HMAC-SHA1".into())),
                },
                pbes2::Kdf::Scrypt(p) => {
                    if p.cost_parameter > MAX_SCRYPT_COST
                        || p.block_size > 8
                        || p.parallelization > 1
                    {
                        return Err(refuse(
                            UNSUPPORTED,
                            format!(
                                "{what} asks for scrypt N={} r={} p={}; certgate accepts N up to \
                                 2^17, r up to 8 and p = 1",
                                p.cost_parameter, p.block_size, p.parallelization
                            ),
                        ));
                    }
                    Ok(())
                }
                _ => Err(unsupported("PBES2 and an unknown key derivation".into())),
            }
        }
        Ok(pkcs5::EncryptionScheme::Pbes1(_)) => Err(unsupported("PBES1 (PKCS#5 v1.5)".into())),
        Ok(_) => Err(unsupported("an unknown PBES2 scheme".into())),
        Err(_) => {
            let Ok(parsed) = pkcs8::spki::AlgorithmIdentifierOwned::from_der(alg) else {
                return Err(refuse(
                    MALFORMED,
                    format!("{what} has an unreadable encryption algorithm"),
                ));
            };
            match parsed.oid.to_string().as_str() {
                "1.2.840.113549.1.12.1.3" | "1.2.840.113549.1.12.1.6" => {}
                _ => return Err(unsupported(legacy_pbe_name(alg))),
            }
            let params = parsed
                .parameters
                .and_then(|p| p.decode_as::<pkcs12::pbe_params::Pkcs12PbeParams>().ok())
                .ok_or_else(|| {
                    refuse(
                        MALFORMED,
                        format!("{what} has unreadable encryption parameters"),
                    )
                })?;
            iterations(i64::from(params.iterations), what, total)
        }
    }
}

/// Counts one step's iterations against [`MAX_ITERATIONS`] and [`MAX_TOTAL_ITERATIONS`].
fn iterations(count: i64, what: &str, total: &mut u64) -> Result<(), Error> {
    if count < 1 || count as u64 > MAX_ITERATIONS {
        return Err(refuse(
            UNSUPPORTED,
            format!(
                "{what} asks for {count} key-derivation iterations; certgate accepts 1 to \
                 {MAX_ITERATIONS} (OpenSSL writes 2048, Java 10000)"
            ),
        ));
    }
    *total += count as u64;
    if *total > MAX_TOTAL_ITERATIONS {
        return Err(refuse(
            UNSUPPORTED,
            format!(
                "the PKCS#12 file asks for more than {MAX_TOTAL_ITERATIONS} key-derivation \
                 iterations in all, more than certgate accepts"
            ),
        ));
    }
    Ok(())
}

/// How a PKCS#12 file is protected, read from its structure alone (no password needed):
/// what `openssl pkcs12 -info` reports, and what old Java, macOS and Windows releases choke on.
#[derive(Debug, Default, serde::Serialize)]
pub struct ProtectionInfo {
    /// The integrity MAC: digest and iterations; `None` when the file has no MAC.
    pub mac: Option<String>,
    /// How each certificate container is encrypted (`none` for plain ones).
    pub certificates: Vec<String>,
    /// How each private key is encrypted (`none` for plain key bags).
    pub keys: Vec<String>,
}

/// id-data and id-encryptedData, RFC 5652 §4 and §8.
const ID_DATA: der::oid::ObjectIdentifier =
    der::oid::ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.1");
const ID_ENCRYPTED_DATA: der::oid::ObjectIdentifier =
    der::oid::ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.6");

/// Reads the protection of a PKCS#12 file.
pub fn protection(data: &[u8]) -> Result<ProtectionInfo, Error> {
    let layout = layout(data)?;
    let mut info = ProtectionInfo {
        mac: layout.mac.as_ref().map(|m| {
            format!(
                "HMAC-{} ({} iterations)",
                digest_name(&m.digest),
                m.iterations
            )
        }),
        ..ProtectionInfo::default()
    };
    for container in &layout.containers {
        match container {
            Container::Encrypted(alg) => info.certificates.push(scheme_name(alg)),
            Container::Plain { keys, certificates } => {
                for key in keys {
                    info.keys.push(match key {
                        Key::Shrouded(Ok(alg)) => scheme_name(alg),
                        Key::Shrouded(Err(_)) => "unknown".into(),
                        Key::Plain => "none".into(),
                    });
                }
                if *certificates {
                    info.certificates.push("none".into());
                }
            }
            Container::Other(_) => {}
        }
    }
    Ok(info)
}

/// A password-based encryption scheme in words, from its DER AlgorithmIdentifier.
fn scheme_name(alg: &[u8]) -> String {
    use der::Decode;
    use pkcs8::pkcs5::{self, pbes2};
    match pkcs5::EncryptionScheme::from_der(alg) {
        Ok(pkcs5::EncryptionScheme::Pbes2(params)) => {
            let kdf = match &params.kdf {
                pbes2::Kdf::Pbkdf2(p) => {
                    let prf = match p.prf {
                        pbes2::Pbkdf2Prf::HmacWithSha1 => "SHA1",
                        pbes2::Pbkdf2Prf::HmacWithSha224 => "SHA224",
                        pbes2::Pbkdf2Prf::HmacWithSha256 => "SHA256",
                        pbes2::Pbkdf2Prf::HmacWithSha384 => "SHA384",
                        pbes2::Pbkdf2Prf::HmacWithSha512 => "SHA512",
                        _ => "other",
                    };
                    format!("PBKDF2-HMAC-{prf}, {} iterations", p.iteration_count)
                }
                pbes2::Kdf::Scrypt(p) => format!(
                    "scrypt N={} r={} p={}",
                    p.cost_parameter, p.block_size, p.parallelization
                ),
                _ => "other key derivation".into(),
            };
            let cipher = match params.encryption {
                pbes2::EncryptionScheme::Aes128Cbc { .. } => "AES-128-CBC",
                pbes2::EncryptionScheme::Aes192Cbc { .. } => "AES-192-CBC",
                pbes2::EncryptionScheme::Aes256Cbc { .. } => "AES-256-CBC",
                pbes2::EncryptionScheme::Aes128Gcm { .. } => "AES-128-GCM",
                pbes2::EncryptionScheme::Aes256Gcm { .. } => "AES-256-GCM",
                pbes2::EncryptionScheme::DesEde3Cbc { .. } => "3DES-CBC",
                _ => "other cipher",
            };
            format!("PBES2 ({kdf}, {cipher})")
        }
        Ok(pkcs5::EncryptionScheme::Pbes1(_)) => "PBES1 (legacy)".into(),
        Ok(_) => "unknown".into(),
        Err(_) => legacy_pbe_name(alg),
    }
}

/// The PKCS#12 PBE schemes (RFC 7292 appendix C), with their iteration count.
fn legacy_pbe_name(alg: &[u8]) -> String {
    use der::Decode;
    let Ok(alg) = pkcs8::spki::AlgorithmIdentifierOwned::from_der(alg) else {
        return "unknown".into();
    };
    let name = match alg.oid.to_string().as_str() {
        "1.2.840.113549.1.12.1.1" => "pbeWithSHAAnd128BitRC4".to_owned(),
        "1.2.840.113549.1.12.1.2" => "pbeWithSHAAnd40BitRC4".to_owned(),
        "1.2.840.113549.1.12.1.3" => "pbeWithSHAAnd3-KeyTripleDES-CBC".to_owned(),
        "1.2.840.113549.1.12.1.4" => "pbeWithSHAAnd2-KeyTripleDES-CBC".to_owned(),
        "1.2.840.113549.1.12.1.5" => "pbeWithSHAAnd128BitRC2-CBC".to_owned(),
        "1.2.840.113549.1.12.1.6" => "pbeWithSHAAnd40BitRC2-CBC".to_owned(),
        other => return other.to_owned(),
    };
    let iterations = alg
        .parameters
        .and_then(|p| p.decode_as::<pkcs12::pbe_params::Pkcs12PbeParams>().ok())
        .map(|p| format!(", {} iterations", p.iterations))
        .unwrap_or_default();
    format!("{name} (legacy{iterations})")
}

fn digest_name(oid: &str) -> &'static str {
    match oid {
        "1.3.14.3.2.26" => "SHA1",
        "2.16.840.1.101.3.4.2.4" => "SHA224",
        "2.16.840.1.101.3.4.2.1" => "SHA256",
        "2.16.840.1.101.3.4.2.2" => "SHA384",
        "2.16.840.1.101.3.4.2.3" => "SHA512",
        _ => "unknown",
    }
}
