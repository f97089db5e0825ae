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
    use der::asn1::OctetString;
    use der::{Decode, Encode};
    let bad = |e: der::Error| fail!("not a PKCS#12 file (or a damaged one): {e}");
    let pfx = pkcs12::pfx::Pfx::from_der(data).map_err(bad)?;
    let mut info = ProtectionInfo {
        mac: pfx.mac_data.as_ref().map(|m| {
            format!(
                "HMAC-{} ({} iterations)",
                digest_name(&m.mac.algorithm.oid.to_string()),
                m.iterations
            )
        }),
        ..ProtectionInfo::default()
    };
    if pfx.auth_safe.content_type != ID_DATA {
        return Err(fail!(
            "the PKCS#12 file is signed with public keys, which certgate does not read"
        ));
    }
    let safes =
        OctetString::from_der(&pfx.auth_safe.content.to_der().map_err(bad)?).map_err(bad)?;
    let safes = pkcs12::AuthenticatedSafe::from_der(safes.as_bytes()).map_err(bad)?;
    for safe in safes {
        let content = safe.content.to_der().map_err(bad)?;
        if safe.content_type == ID_ENCRYPTED_DATA {
            let encrypted =
                pkcs12::cms::encrypted_data::EncryptedData::from_der(&content).map_err(bad)?;
            let alg = encrypted
                .enc_content_info
                .content_enc_alg
                .to_der()
                .map_err(bad)?;
            info.certificates.push(scheme_name(&alg));
        } else if safe.content_type == ID_DATA {
            let bags = OctetString::from_der(&content).map_err(bad)?;
            let bags = pkcs12::safe_bag::SafeContents::from_der(bags.as_bytes()).map_err(bad)?;
            let mut plain_certs = false;
            for bag in bags {
                if bag.bag_id == pkcs12::PKCS_12_PKCS8_KEY_BAG_OID {
                    // bagValue is [0] EXPLICIT (RFC 7292 §4.2).
                    type Shrouded = pkcs12::pbe_params::EncryptedPrivateKeyInfo;
                    let key = der::asn1::ContextSpecific::<Shrouded>::from_der(&bag.bag_value);
                    let alg = key
                        .ok()
                        .and_then(|k| k.value.encryption_algorithm.to_der().ok());
                    info.keys.push(
                        alg.map(|a| scheme_name(&a))
                            .unwrap_or_else(|| "unknown".into()),
                    );
                } else if bag.bag_id == pkcs12::PKCS_12_KEY_BAG_OID {
                    info.keys.push("none".into());
                } else if bag.bag_id == pkcs12::PKCS_12_CERT_BAG_OID {
                    plain_certs = true;
                }
            }
            if plain_certs {
                info.certificates.push("none".into());
            }
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
