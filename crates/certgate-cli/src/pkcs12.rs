//! PKCS#12 files on p12-keystore: key stores (one key and its chain) and trust stores
//! (certificates only, each marked with Java's trusted-key-usage attribute so that keytool
//! lists it as a `trustedCertEntry`). Reading is certgate-pkcs12's, the reader the inspector and
//! certgate-rustls share: its key-derivation work bounded before any password is tried, and
//! errors whose `Display` starts with a stable code (`PKCS12_WRONG_PASSWORD`,
//! `MALFORMED_PKCS12`, `UNSUPPORTED_PKCS12`).

use p12_keystore::{
    Certificate, EncryptionAlgorithm, KeyStore, KeyStoreEntry, LocalKeyId, MacAlgorithm,
    PrivateKey, PrivateKeyChain,
};

pub use certgate_pkcs12::{protection, read, ProtectionInfo};

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
