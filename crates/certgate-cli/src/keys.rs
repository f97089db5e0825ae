//! Private keys: generation (P-256, P-384, RSA, Ed25519), loading from PKCS#8, PKCS#1 or SEC1
//! in PEM or DER, and normalisation to PKCS#8 — the one form rcgen (ring) signs with and the
//! one form every consumer (Java, AEM, OpenSSL, rustls) reads.
//!
//! Ed25519 keys are always written as PKCS#8 **v1** (RFC 5208): ring generates v2 (RFC 5958,
//! with the public key), which OpenSSL 3.0 cannot read.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use der::asn1::{AnyRef, OctetStringRef};
use der::oid::ObjectIdentifier;
use der::{Decode, Encode};
use pkcs8::{AlgorithmIdentifierRef, PrivateKeyInfoRef};
use rcgen::KeyPair;

use crate::error::{fail, Error};
use crate::files;
use crate::pem_io;

/// id-ecPublicKey, RFC 5480 §2.1.1.
const EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
/// id-Ed25519, RFC 8410 §3.
const ED25519: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.112");

/// The kind of key to generate.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum KeyType {
    /// ECDSA on NIST P-256 with SHA-256: small, fast, accepted everywhere (the default).
    #[default]
    #[value(name = "p256")]
    P256,
    /// ECDSA on NIST P-384 with SHA-384.
    #[value(name = "p384")]
    P384,
    /// RSA 2048-bit, signed with SHA-256.
    #[value(name = "rsa2048")]
    Rsa2048,
    /// RSA 3072-bit, signed with SHA-256.
    #[value(name = "rsa3072")]
    Rsa3072,
    /// RSA 4096-bit, signed with SHA-256 (generation takes a while).
    #[value(name = "rsa4096")]
    Rsa4096,
    /// Ed25519 (not accepted by every TLS client; Java 15+ and OpenSSL 1.1.1+ accept it).
    #[value(name = "ed25519")]
    Ed25519,
}

/// The key a new certificate or request is for: a new one of a type, written to `--key-out`,
/// or an existing one (`--key`), e.g. to renew a certificate without changing its key.
#[derive(Debug, Clone, clap::Args)]
pub struct KeyArgs {
    /// Key type of the new key.
    #[arg(long, value_enum, default_value_t = KeyType::P256)]
    pub key_type: KeyType,
    /// Where to write the new private key (PKCS#8 PEM, mode 0600); required unless --key.
    #[arg(long, value_name = "FILE", required_unless_present = "key")]
    pub key_out: Option<PathBuf>,
    /// Use this existing private key instead of generating one (PKCS#8, PKCS#1 or SEC1;
    /// encrypted PKCS#8 opens with the key password).
    #[arg(long, value_name = "FILE", conflicts_with_all = ["key_out", "key_type"])]
    pub key: Option<PathBuf>,
}

impl KeyArgs {
    /// The key: loaded from --key, or generated.
    pub fn obtain(&self) -> Result<Key, Error> {
        match &self.key {
            Some(path) => Key::load(path),
            None => Key::generate(self.key_type),
        }
    }
}

/// A private key: its PKCS#8 encoding (what is written to disk) and the signing key pair.
#[derive(Debug)]
pub struct Key {
    pkcs8: Vec<u8>,
    pair: KeyPair,
}

impl Key {
    /// Generates a new key.
    pub fn generate(kind: KeyType) -> Result<Self, Error> {
        let pkcs8 = match kind {
            KeyType::P256 => ring_generated(&rcgen::PKCS_ECDSA_P256_SHA256)?,
            KeyType::P384 => ring_generated(&rcgen::PKCS_ECDSA_P384_SHA384)?,
            KeyType::Ed25519 => pkcs8_v1(&ring_generated(&rcgen::PKCS_ED25519)?)?,
            KeyType::Rsa2048 => rsa_generated(2048)?,
            KeyType::Rsa3072 => rsa_generated(3072)?,
            KeyType::Rsa4096 => rsa_generated(4096)?,
        };
        Self::from_pkcs8(pkcs8)
    }

    /// Loads a key from a file: PKCS#8, PKCS#1 (`RSA PRIVATE KEY`) or SEC1 (`EC PRIVATE KEY`),
    /// PEM or DER.
    pub fn load(path: &Path) -> Result<Self, Error> {
        let input = files::read(path)?;
        let pkcs8 = to_pkcs8(&input, path)?;
        Self::from_pkcs8(pkcs8).map_err(|e| fail!("{}: {e}", path.display()))
    }

    /// A key from PKCS#8 DER.
    pub fn from_pkcs8(pkcs8: Vec<u8>) -> Result<Self, Error> {
        let pair = KeyPair::try_from(pkcs8.as_slice())
            .map_err(|e| fail!("the key cannot be used for signing ({e}); certgate signs with P-256, P-384, RSA 2048–8192 and Ed25519 keys"))?;
        Ok(Self { pkcs8, pair })
    }

    /// The PKCS#8 DER encoding.
    pub fn pkcs8_der(&self) -> &[u8] {
        &self.pkcs8
    }

    /// The PKCS#8 PEM encoding (`PRIVATE KEY`).
    pub fn pkcs8_pem(&self) -> String {
        pem_io::encode("PRIVATE KEY", &self.pkcs8)
    }

    /// The signing key pair.
    pub fn pair(&self) -> &KeyPair {
        &self.pair
    }

    /// Whether it is an RSA key.
    pub fn is_rsa(&self) -> bool {
        [
            &rcgen::PKCS_RSA_SHA256,
            &rcgen::PKCS_RSA_SHA384,
            &rcgen::PKCS_RSA_SHA512,
        ]
        .contains(&self.pair.algorithm())
    }

    /// The signing key pair, owned.
    pub fn into_pair(self) -> KeyPair {
        self.pair
    }
}

/// Converts a private key in any supported encoding (PEM or DER; PKCS#8, PKCS#1 or SEC1)
/// to PKCS#8 DER. Ed25519 keys come out as PKCS#8 v1.
pub fn to_pkcs8(input: &[u8], source: &Path) -> Result<Vec<u8>, Error> {
    let blocks = pem_io::blocks(input, source)?;
    let mut keys = blocks
        .iter()
        .filter(|b| b.label.as_deref().is_none_or(|l| l.contains("PRIVATE KEY")));
    let Some(block) = keys.next() else {
        return Err(fail!("{} holds no private key", source.display()));
    };
    if keys.next().is_some() {
        return Err(fail!(
            "{} holds more than one private key",
            source.display()
        ));
    }
    let der = &block.der;
    let invalid = |what: &str| fail!("{} is not a valid {what} private key", source.display());
    match block.label.as_deref() {
        Some("PRIVATE KEY") => normalise_pkcs8(der).map_err(|_| invalid("PKCS#8")),
        Some("RSA PRIVATE KEY") => rsa_pkcs1_to_pkcs8(der).map_err(|_| invalid("PKCS#1 RSA")),
        Some("EC PRIVATE KEY") => sec1_to_pkcs8(der).map_err(|_| invalid("SEC1 EC")),
        Some("ENCRYPTED PRIVATE KEY") => decrypt(der, source),
        Some(other) => Err(fail!(
            "{}: `{other}` keys are not supported; use PKCS#8, PKCS#1 or SEC1",
            source.display()
        )),
        // DER: whichever of the three structures it decodes as.
        None if pkcs8::EncryptedPrivateKeyInfoRef::try_from(der.as_slice()).is_ok() => {
            decrypt(der, source)
        }
        None => normalise_pkcs8(der)
            .or_else(|_| rsa_pkcs1_to_pkcs8(der))
            .or_else(|_| sec1_to_pkcs8(der))
            .map_err(|_| {
                fail!(
                    "{} is not a PKCS#8, PKCS#1 or SEC1 private key",
                    source.display()
                )
            }),
    }
}

/// Most PBKDF2 iterations accepted in an encrypted key: 10 million, far above OpenSSL's
/// default (2048) and current guidance (600,000), so a hostile file cannot stall the CLI.
const MAX_PBKDF2_ITERATIONS: u32 = 10_000_000;
/// Most memory scrypt may need (128 · N · r bytes): 256 MiB.
const MAX_SCRYPT_BYTES: u128 = 256 << 20;

/// Decrypts an `EncryptedPrivateKeyInfo` (RFC 5958 §3) with the key password, within bounds
/// on the key-derivation work, and normalises the result.
fn decrypt(der: &[u8], source: &Path) -> Result<Vec<u8>, Error> {
    use pkcs8::pkcs5::pbes2::Kdf;
    use pkcs8::pkcs5::EncryptionScheme;
    let info = pkcs8::EncryptedPrivateKeyInfoRef::try_from(der).map_err(|_| {
        fail!(
            "{} is an encrypted key certgate cannot decode: it reads PBES2 encryption \
                 (PBKDF2 or scrypt with AES, OpenSSL's default), not PKCS#12-style PBE",
            source.display()
        )
    })?;
    if let EncryptionScheme::Pbes2(params) = &info.encryption_algorithm {
        match &params.kdf {
            Kdf::Pbkdf2(p) if p.iteration_count > MAX_PBKDF2_ITERATIONS => {
                return Err(fail!(
                    "{} asks for {} PBKDF2 iterations; certgate allows at most {MAX_PBKDF2_ITERATIONS}",
                    source.display(),
                    p.iteration_count
                ));
            }
            Kdf::Scrypt(p)
                if 128 * u128::from(p.cost_parameter) * u128::from(p.block_size)
                    > MAX_SCRYPT_BYTES
                    || p.parallelization > 16 =>
            {
                return Err(fail!(
                    "{} asks for scrypt parameters beyond certgate's limits (256 MiB, parallelism 16)",
                    source.display()
                ));
            }
            _ => {}
        }
    }
    let password =
        crate::password::KeyPasswordArgs::read_for(&format!("the key {}", source.display()))?;
    let plain = info.decrypt(password.as_bytes()).map_err(|_| {
        fail!(
            "wrong password for {}: the key does not decrypt",
            source.display()
        )
    })?;
    normalise_pkcs8(plain.as_bytes()).map_err(|_| {
        fail!(
            "{} decrypts to something that is not a PKCS#8 key",
            source.display()
        )
    })
}

/// Checks PKCS#8 DER and returns it, rewriting Ed25519 v2 keys as v1.
fn normalise_pkcs8(der: &[u8]) -> Result<Vec<u8>, der::Error> {
    let info = PrivateKeyInfoRef::from_der(der)?;
    if info.algorithm.oid == ED25519 && info.public_key.is_some() {
        return pkcs8_v1(der).map_err(|_| der::ErrorKind::Failed.into());
    }
    Ok(der.to_vec())
}

/// The same key without its optional public key: a PKCS#8 v1 document (RFC 5208).
fn pkcs8_v1(der: &[u8]) -> Result<Vec<u8>, Error> {
    let info = PrivateKeyInfoRef::from_der(der).map_err(|e| fail!("invalid PKCS#8 key: {e}"))?;
    let v1 = PrivateKeyInfoRef::new(info.algorithm, info.private_key);
    v1.to_der()
        .map_err(|e| fail!("cannot encode the PKCS#8 key: {e}"))
}

fn rsa_pkcs1_to_pkcs8(der: &[u8]) -> Result<Vec<u8>, Error> {
    use rsa::pkcs1::DecodeRsaPrivateKey;
    use rsa::pkcs8::EncodePrivateKey;
    let key = rsa::RsaPrivateKey::from_pkcs1_der(der).map_err(|e| fail!("{e}"))?;
    let doc = key.to_pkcs8_der().map_err(|e| fail!("{e}"))?;
    Ok(doc.as_bytes().to_vec())
}

/// Wraps a SEC1 `ECPrivateKey` (RFC 5915) in PKCS#8, naming its curve in the algorithm.
fn sec1_to_pkcs8(der: &[u8]) -> Result<Vec<u8>, Error> {
    let key = sec1::EcPrivateKey::try_from(der).map_err(|e| fail!("{e}"))?;
    let Some(sec1::EcParameters::NamedCurve(curve)) = key.parameters else {
        return Err(fail!("the EC key does not name its curve"));
    };
    let params = AnyRef::from(&curve);
    let info = PrivateKeyInfoRef::new(
        AlgorithmIdentifierRef {
            oid: EC_PUBLIC_KEY,
            parameters: Some(params),
        },
        OctetStringRef::new(der).map_err(|e| fail!("{e}"))?,
    );
    info.to_der().map_err(|e| fail!("{e}"))
}

fn ring_generated(alg: &'static rcgen::SignatureAlgorithm) -> Result<Vec<u8>, Error> {
    KeyPair::generate_for(alg)
        .map(|pair| pair.serialize_der())
        .map_err(|e| fail!("key generation failed: {e}"))
}

/// Generates an RSA key with the RustCrypto `rsa` crate (ring cannot generate RSA keys),
/// showing the time taken on a terminal: RSA-4096 can take many seconds.
///
/// The `rsa` crate only generates here; signing is ring's. (RUSTSEC-2023-0071, the Marvin
/// timing attack, concerns the crate's decryption, which certgate never uses.)
fn rsa_generated(bits: usize) -> Result<Vec<u8>, Error> {
    use rsa::pkcs8::EncodePrivateKey;
    let done = AtomicBool::new(false);
    let result = std::thread::scope(|scope| {
        if std::io::stderr().is_terminal() {
            scope.spawn(|| progress(bits, &done));
        }
        let result = rsa::RsaPrivateKey::new(&mut rsa::rand_core::OsRng, bits);
        done.store(true, Ordering::Relaxed);
        result
    });
    let key = result.map_err(|e| fail!("RSA-{bits} key generation failed: {e}"))?;
    let doc = key
        .to_pkcs8_der()
        .map_err(|e| fail!("cannot encode the RSA key: {e}"))?;
    Ok(doc.as_bytes().to_vec())
}

/// Prints "generating an RSA-4096 key… 3s" on stderr, updated each quarter second, until done.
fn progress(bits: usize, done: &AtomicBool) {
    let start = Instant::now();
    let spinner = ['|', '/', '-', '\\'];
    let mut tick = 0usize;
    while !done.load(Ordering::Relaxed) {
        eprint!(
            "\r{} generating an RSA-{bits} key… {}s ",
            spinner[tick % spinner.len()],
            start.elapsed().as_secs()
        );
        tick += 1;
        std::thread::sleep(Duration::from_millis(250));
    }
    if tick > 0 {
        eprintln!(
            "\rgenerated an RSA-{bits} key in {:.1}s      ",
            start.elapsed().as_secs_f32()
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ed25519_keys_are_written_as_pkcs8_v1() -> Result<(), Error> {
        let key = Key::generate(KeyType::Ed25519)?;
        let info = PrivateKeyInfoRef::from_der(key.pkcs8_der()).map_err(|e| fail!("{e}"))?;
        assert!(info.public_key.is_none());
        assert_eq!(info.algorithm.oid, ED25519);
        // v1 keys still sign.
        assert_eq!(key.pair().algorithm(), &rcgen::PKCS_ED25519);
        Ok(())
    }

    #[test]
    fn sec1_and_pkcs8_round_trip() -> Result<(), Error> {
        let key = Key::generate(KeyType::P256)?;
        let again = to_pkcs8(key.pkcs8_pem().as_bytes(), Path::new("k.pem"))?;
        assert_eq!(again, key.pkcs8_der());
        assert!(to_pkcs8(
            b"-----BEGIN CERTIFICATE-----\nMAA=\n-----END CERTIFICATE-----\n",
            Path::new("c")
        )
        .is_err());
        Ok(())
    }
}
