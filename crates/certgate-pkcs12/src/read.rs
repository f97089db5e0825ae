//! Opening a PKCS#12 file with its password: every key and certificate bag, and a key's chain.

use std::collections::{BTreeMap, VecDeque};

use p12_keystore::error::Error as P12Error;
use p12_keystore::Pkcs12Archive;
use x509_parser::prelude::{FromDer, X509Certificate};

use crate::error::{Code, Error};
use crate::work::{check_work_with_password, MAX_ITERATIONS};

/// What a PKCS#12 file holds, bag by bag.
#[derive(Debug, Default)]
pub struct Contents {
    /// Private keys, in file order.
    pub keys: Vec<KeyBag>,
    /// Certificates, in file order.
    pub certs: Vec<CertBag>,
}

/// A private key bag.
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
/// [`check_work`](crate::check_work)), and before any key is derived, the keys inside
/// encrypted containers are counted too: a hostile file cannot make certgate spend minutes
/// deriving keys.
pub fn read(data: &[u8], password: &str) -> Result<Contents, Error> {
    check_work_with_password(data, password)?;
    let archive = Pkcs12Archive::from_pkcs12(data, password).map_err(|e| match e {
        P12Error::MacError(_) => Error::new(
            Code::WrongPassword,
            "wrong password: the PKCS#12 integrity check (MAC) fails with the password given",
        ),
        P12Error::Pkcs5Error(_) | P12Error::UnpadError => Error::new(
            Code::WrongPassword,
            "wrong password: the PKCS#12 contents do not decrypt with the password given",
        ),
        P12Error::DerError(_)
        | P12Error::InvalidVersion
        | P12Error::InvalidData
        | P12Error::InvalidLength => Error::new(
            Code::Malformed,
            format!("not a PKCS#12 file (or a damaged one): {e}"),
        ),
        // Parameters p12-keystore finds missing or over its own ceilings, which are certgate's
        // or looser: every count it sees has been bounded above.
        P12Error::InvalidParameters => Error::new(
            Code::Unsupported,
            format!(
                "a key inside the PKCS#12 file asks for key-derivation parameters that are \
                 missing or beyond the limits (at most {MAX_ITERATIONS} iterations)"
            ),
        ),
        P12Error::UnsupportedEncryptionScheme
        | P12Error::UnsupportedMacAlgorithm
        | P12Error::UnsupportedContentType
        | P12Error::UnsupportedCertificateType => Error::new(
            Code::Unsupported,
            format!("the PKCS#12 file uses something certgate does not read: {e}"),
        ),
        other => Error::new(
            Code::Malformed,
            format!("cannot read the PKCS#12 file: {other}"),
        ),
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
    /// The certificates that go with `key`, every one once: the one with the same local key
    /// id (or, without ids, the first), then its issuers found by name, then any others in
    /// file order.
    pub fn chain_for(&self, key: &KeyBag) -> Vec<Vec<u8>> {
        // Subject and issuer names, DER, by x509-parser (which p12-keystore already runs over
        // every certificate bag); None for a certificate that does not decode.
        let parsed: Vec<Option<X509Certificate<'_>>> = self
            .certs
            .iter()
            .map(|c| X509Certificate::from_der(&c.der).ok().map(|(_, cert)| cert))
            .collect();
        let names: Vec<Option<(&[u8], &[u8])>> = parsed
            .iter()
            .map(|cert| {
                cert.as_ref()
                    .map(|cert| (cert.subject().as_raw(), cert.issuer().as_raw()))
            })
            .collect();
        // Certificates by subject, in file order: each index leaves its queue at most once,
        // so ordering is O(n log n) however many certificates a hostile file holds.
        let mut by_subject: BTreeMap<&[u8], VecDeque<usize>> = BTreeMap::new();
        for (i, name) in names.iter().enumerate() {
            if let Some((subject, _)) = name {
                by_subject.entry(subject).or_default().push_back(i);
            }
        }
        let mut used = vec![false; self.certs.len()];
        let mut order: Vec<usize> = Vec::with_capacity(self.certs.len());
        let leaf = self
            .certs
            .iter()
            .position(|c| c.local_key_id.is_some() && c.local_key_id == key.local_key_id)
            .or_else(|| (!self.certs.is_empty()).then_some(0));
        let mut current = leaf;
        while let Some(at) = current {
            used[at] = true;
            order.push(at);
            current = match &names[at] {
                // A self-issued certificate ends the chain.
                Some((subject, issuer)) if subject != issuer => {
                    by_subject.get_mut(issuer).and_then(|queue| {
                        while let Some(&next) = queue.front() {
                            if !used[next] {
                                return Some(next);
                            }
                            queue.pop_front();
                        }
                        None
                    })
                }
                _ => None,
            };
        }
        order.extend((0..self.certs.len()).filter(|&i| !used[i]));
        order
            .into_iter()
            .map(|i| self.certs[i].der.clone())
            .collect()
    }
}

impl std::fmt::Debug for KeyBag {
    /// The key is never printed.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyBag")
            .field("name", &self.name)
            .field("local_key_id", &self.local_key_id)
            .finish_non_exhaustive()
    }
}
