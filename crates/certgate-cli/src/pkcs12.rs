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
pub fn read(data: &[u8], password: &str) -> Result<Contents, Error> {
    let archive = Pkcs12Archive::from_pkcs12(data, password).map_err(|e| match e {
        p12_keystore::error::Error::MacError(_) => {
            fail!("wrong password: the PKCS#12 integrity check (MAC) fails")
        }
        p12_keystore::error::Error::Pkcs5Error(_) | p12_keystore::error::Error::UnpadError => {
            fail!("wrong password: the PKCS#12 contents do not decrypt")
        }
        p12_keystore::error::Error::DerError(_) | p12_keystore::error::Error::InvalidVersion => {
            fail!("not a PKCS#12 file (or a damaged one): {e}")
        }
        other => fail!("cannot read the PKCS#12 file: {other}"),
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
