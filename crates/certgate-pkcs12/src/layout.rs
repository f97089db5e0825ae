//! The structure of a PKCS#12 file that can be read without its password: what
//! [`check_work`](crate::check_work) and [`protection`](crate::protection()) both walk.

use der::asn1::{ContextSpecific, OctetString};
use der::oid::ObjectIdentifier;
use der::{Decode, Encode};

use crate::error::{Code, Error};

/// A PKCS#12 file's integrity MAC and the containers of its authenticated safe.
pub(crate) struct Layout {
    pub(crate) mac: Option<Mac>,
    pub(crate) containers: Vec<Container>,
}

/// The integrity MAC's digest (an OID in dotted form) and iteration count.
pub(crate) struct Mac {
    pub(crate) digest: String,
    pub(crate) iterations: i64,
}

/// One container of the authenticated safe (RFC 7292 §4.1).
pub(crate) enum Container {
    /// id-encryptedData: the DER AlgorithmIdentifier of its encryption and the ciphertext.
    /// Its bags are only visible once decrypted.
    Encrypted {
        alg: Vec<u8>,
        ciphertext: Option<Vec<u8>>,
    },
    /// id-data: its bags.
    Plain(Bags),
    /// Any other content type (public-key privacy mode).
    Other(ObjectIdentifier),
}

/// The bags of a plain container, as far as they ask for key derivation.
pub(crate) struct Bags {
    /// Key bags, in order.
    pub(crate) keys: Vec<Key>,
    /// Secret bags whose value is an encrypted private key info (Java's secret key entries):
    /// the DER AlgorithmIdentifier of each; p12-keystore tries to decrypt every one.
    pub(crate) secrets: Vec<Vec<u8>>,
    /// How many certificate bags.
    pub(crate) certificates: usize,
}

/// A key bag of a plain container.
pub(crate) enum Key {
    /// A shrouded key bag: the DER AlgorithmIdentifier of its encryption, or why it is unreadable.
    Shrouded(Result<Vec<u8>, der::Error>),
    /// A key bag without encryption.
    Plain,
}

/// id-data and id-encryptedData, RFC 5652 §4 and §8.
pub(crate) const ID_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.1");
const ID_ENCRYPTED_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.6");

/// Walks the Pfx → authenticated safe → containers → bags.
pub(crate) fn layout(data: &[u8]) -> Result<Layout, Error> {
    let pfx = pkcs12::pfx::Pfx::from_der(data).map_err(Error::malformed)?;
    if pfx.auth_safe.content_type != ID_DATA {
        return Err(Error::new(
            Code::Unsupported,
            "the PKCS#12 file is signed with public keys, which certgate does not read",
        ));
    }
    let mac = pfx.mac_data.as_ref().map(|m| Mac {
        digest: m.mac.algorithm.oid.to_string(),
        iterations: i64::from(m.iterations),
    });
    let safes = OctetString::from_der(&pfx.auth_safe.content.to_der().map_err(Error::malformed)?)
        .map_err(Error::malformed)?;
    let safes = pkcs12::AuthenticatedSafe::from_der(safes.as_bytes()).map_err(Error::malformed)?;
    let mut containers = Vec::with_capacity(safes.len());
    for safe in safes {
        let content = safe.content.to_der().map_err(Error::malformed)?;
        containers.push(if safe.content_type == ID_ENCRYPTED_DATA {
            let encrypted = pkcs12::cms::encrypted_data::EncryptedData::from_der(&content)
                .map_err(Error::malformed)?;
            Container::Encrypted {
                alg: encrypted
                    .enc_content_info
                    .content_enc_alg
                    .to_der()
                    .map_err(Error::malformed)?,
                ciphertext: encrypted
                    .enc_content_info
                    .encrypted_content
                    .map(|c| c.as_bytes().to_vec()),
            }
        } else if safe.content_type == ID_DATA {
            let bags = OctetString::from_der(&content).map_err(Error::malformed)?;
            Container::Plain(bags_of(bags.as_bytes())?)
        } else {
            Container::Other(safe.content_type)
        });
    }
    Ok(Layout { mac, containers })
}

/// The bags of a SafeContents (a plain container's, or an encrypted one's once decrypted).
pub(crate) fn bags_of(safe_contents: &[u8]) -> Result<Bags, Error> {
    let bags = pkcs12::safe_bag::SafeContents::from_der(safe_contents).map_err(Error::malformed)?;
    let mut out = Bags {
        keys: Vec::new(),
        secrets: Vec::new(),
        certificates: 0,
    };
    for bag in bags {
        if bag.bag_id == pkcs12::PKCS_12_PKCS8_KEY_BAG_OID {
            // bagValue is [0] EXPLICIT (RFC 7292 §4.2).
            type Shrouded = pkcs12::pbe_params::EncryptedPrivateKeyInfo;
            out.keys.push(Key::Shrouded(
                ContextSpecific::<Shrouded>::from_der(&bag.bag_value)
                    .and_then(|k| k.value.encryption_algorithm.to_der()),
            ));
        } else if bag.bag_id == pkcs12::PKCS_12_KEY_BAG_OID {
            out.keys.push(Key::Plain);
        } else if bag.bag_id == pkcs12::PKCS_12_CERT_BAG_OID {
            out.certificates += 1;
        } else if bag.bag_id == pkcs12::PKCS_12_SECRET_BAG_OID {
            if let Some(alg) = secret_encryption(&bag.bag_value) {
                out.secrets.push(alg);
            }
        }
    }
    Ok(out)
}

/// `SecretBag ::= SEQUENCE { secretTypeId OID, secretValue [0] EXPLICIT OCTET STRING }`
/// (RFC 7292 §4.2.5), with Java's encrypted private key info in the octets.
#[derive(der::Sequence)]
struct SecretBag {
    #[allow(dead_code)] // Decoded for the structure; the type does not change the work.
    secret_type: ObjectIdentifier,
    #[asn1(context_specific = "0")]
    value: OctetString,
    #[allow(dead_code)] // p12-keystore's bag attributes; any trailing element is tolerated.
    attributes: Option<der::Any>,
}

/// The encryption of a secret bag's value, read as p12-keystore reads it (its bagValue's
/// contents, then an encrypted private key info): only then does it derive a key.
fn secret_encryption(bag_value: &[u8]) -> Option<Vec<u8>> {
    let envelope = der::Any::from_der(bag_value).ok()?;
    let bag = SecretBag::from_der(envelope.value()).ok()?;
    let info = pkcs12::pbe_params::EncryptedPrivateKeyInfo::from_der(bag.value.as_bytes()).ok()?;
    info.encryption_algorithm.to_der().ok()
}
