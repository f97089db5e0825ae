//! PKCS#12 files (`.p12`/`.pfx`, RFC 7292) opened with their password in the web build, for the
//! inspector page: the certificates come out as DER, the key-holding certificate first and then
//! its issuers; private keys are only counted, never returned.
//!
//! Decryption is p12-keystore's. **Before any password is tried, the structure is read for the
//! work it asks for**: every key-derivation iteration count (the MAC's, each encrypted
//! container's, each shrouded key's) must be at most [`MAX_ITERATIONS`], so a hostile file
//! cannot hang the page.

use alloc::string::String;
use alloc::vec::Vec;

use der::asn1::OctetString;
use der::{Decode, Encode};
use js_sys::{Array, Object};
use pkcs8::pkcs5::{self, pbes2};
use wasm_bindgen::prelude::*;

use crate::error::set;

/// Largest PKCS#12 input: 1 MiB. A key with a ten-certificate RSA-4096 chain is under 30 KiB.
pub(crate) const MAX_PKCS12_BYTES: usize = 1 << 20;
/// Most key-derivation iterations per step: 1,000,000. OpenSSL 3 writes 2,048, Java 10,000,
/// Windows 2,000; a million PBKDF2-HMAC-SHA256 rounds take about a second in wasm.
pub(crate) const MAX_ITERATIONS: u64 = 1_000_000;
/// Most containers and bags read: 256, far beyond a key store's handful.
pub(crate) const MAX_BAGS: usize = 256;
/// Largest scrypt cost (N) accepted: 2^17, 128 MiB of memory at r = 8.
const MAX_SCRYPT_COST: u64 = 1 << 17;

/// id-data and id-encryptedData, RFC 5652 §4 and §8.
const ID_DATA: der::oid::ObjectIdentifier = der::oid::ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.1");
const ID_ENCRYPTED_DATA: der::oid::ObjectIdentifier =
    der::oid::ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.6");

/// Why a PKCS#12 file cannot be read; `code` is its stable string.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Pkcs12Error {
    /// `PKCS12_WRONG_PASSWORD`, `MALFORMED_PKCS12`, `UNSUPPORTED_PKCS12` or `INPUT_TOO_LARGE`.
    pub(crate) code: &'static str,
    pub(crate) message: String,
}

impl Pkcs12Error {
    fn new(code: &'static str, message: impl Into<String>) -> Self {
        Self { code, message: message.into() }
    }
}

/// Opens a PKCS#12 file: `{certificates: Uint8Array[], keys: number}`, the certificates leaf
/// first. Throws a `CertgateError` whose `code` is `PKCS12_WRONG_PASSWORD` (the MAC does not
/// verify or the contents do not decrypt), `MALFORMED_PKCS12`, `UNSUPPORTED_PKCS12` (more
/// key-derivation work than the limits allow, public-key integrity mode) or `INPUT_TOO_LARGE`.
#[wasm_bindgen(js_name = readPkcs12)]
pub fn read_pkcs12(input: &[u8], password: &str) -> Result<JsValue, JsValue> {
    let (certificates, keys) = read(input, password).map_err(|e| {
        let error = js_sys::Error::new(&e.message);
        error.set_name("CertgateError");
        set(&error, "code", &JsValue::from_str(e.code));
        set(&error, "certIndex", &JsValue::NULL);
        let details = Object::new();
        set(&details, "httpStatus", &JsValue::from(400));
        set(&details, "certificate", &JsValue::NULL);
        set(&error, "details", &details);
        JsValue::from(error)
    })?;
    let out = Object::new();
    let list: Array = certificates.iter().map(|der| JsValue::from(js_sys::Uint8Array::from(der.as_slice()))).collect();
    set(&out, "certificates", &list);
    set(&out, "keys", &JsValue::from(keys as f64));
    Ok(out.into())
}

/// The certificates (leaf first) and the number of private keys of a PKCS#12 file.
pub(crate) fn read(input: &[u8], password: &str) -> Result<(Vec<Vec<u8>>, usize), Pkcs12Error> {
    if input.len() > MAX_PKCS12_BYTES {
        return Err(Pkcs12Error::new(
            "INPUT_TOO_LARGE",
            alloc::format!("the PKCS#12 file is {} bytes; the limit is {MAX_PKCS12_BYTES}", input.len()),
        ));
    }
    check_work(input)?;
    let archive = p12_keystore::Pkcs12Archive::from_pkcs12(input, password).map_err(|e| match e {
        p12_keystore::error::Error::MacError(_) => Pkcs12Error::new(
            "PKCS12_WRONG_PASSWORD",
            "wrong password: the PKCS#12 integrity check (MAC) fails with the password given",
        ),
        p12_keystore::error::Error::Pkcs5Error(_) | p12_keystore::error::Error::UnpadError => Pkcs12Error::new(
            "PKCS12_WRONG_PASSWORD",
            "wrong password: the PKCS#12 contents do not decrypt with the password given",
        ),
        other => Pkcs12Error::new("MALFORMED_PKCS12", alloc::format!("the PKCS#12 file cannot be read: {other}")),
    })?;
    let key_ids: Vec<Vec<u8>> = archive.keys.iter().filter_map(|k| k.local_key_id.as_ref().map(|id| id.0.clone())).collect();
    let certs: Vec<(Option<Vec<u8>>, Vec<u8>)> =
        archive.certs.into_iter().map(|c| (c.local_key_id, c.cert.as_der().to_vec())).collect();
    Ok((leaf_first(certs, &key_ids), archive.keys.len()))
}

/// The certificate whose local key id matches a key's first (else the file's first), then
/// the others in file order: the chain checks that follow need the leaf at the front, and
/// verification accepts intermediates in any order.
fn leaf_first(mut certs: Vec<(Option<Vec<u8>>, Vec<u8>)>, key_ids: &[Vec<u8>]) -> Vec<Vec<u8>> {
    if let Some(at) = certs.iter().position(|(id, _)| id.as_ref().is_some_and(|id| key_ids.contains(id))) {
        let leaf = certs.remove(at);
        certs.insert(0, leaf);
    }
    certs.into_iter().map(|(_, der)| der).collect()
}

/// Reads the structure (no password needed) and refuses more key-derivation work than the limits.
fn check_work(input: &[u8]) -> Result<(), Pkcs12Error> {
    let bad = |e: der::Error| Pkcs12Error::new("MALFORMED_PKCS12", alloc::format!("not a PKCS#12 file (or a damaged one): {e}"));
    let pfx = ::pkcs12::pfx::Pfx::from_der(input).map_err(bad)?;
    if let Some(mac) = &pfx.mac_data {
        iterations(i64::from(mac.iterations), "the MAC")?;
    }
    if pfx.auth_safe.content_type != ID_DATA {
        return Err(Pkcs12Error::new(
            "UNSUPPORTED_PKCS12",
            "the PKCS#12 file is protected with public keys (signed or enveloped), not a password",
        ));
    }
    let safes = OctetString::from_der(&pfx.auth_safe.content.to_der().map_err(bad)?).map_err(bad)?;
    let safes = ::pkcs12::AuthenticatedSafe::from_der(safes.as_bytes()).map_err(bad)?;
    if safes.len() > MAX_BAGS {
        return Err(Pkcs12Error::new("UNSUPPORTED_PKCS12", alloc::format!("more than {MAX_BAGS} containers")));
    }
    for safe in safes {
        let content = safe.content.to_der().map_err(bad)?;
        if safe.content_type == ID_ENCRYPTED_DATA {
            let encrypted = ::pkcs12::cms::encrypted_data::EncryptedData::from_der(&content).map_err(bad)?;
            scheme_work(&encrypted.enc_content_info.content_enc_alg.to_der().map_err(bad)?, "a certificate container")?;
        } else if safe.content_type == ID_DATA {
            let bags = OctetString::from_der(&content).map_err(bad)?;
            let bags = ::pkcs12::safe_bag::SafeContents::from_der(bags.as_bytes()).map_err(bad)?;
            if bags.len() > MAX_BAGS {
                return Err(Pkcs12Error::new("UNSUPPORTED_PKCS12", alloc::format!("more than {MAX_BAGS} bags")));
            }
            for bag in bags {
                if bag.bag_id == ::pkcs12::PKCS_12_PKCS8_KEY_BAG_OID {
                    // bagValue is [0] EXPLICIT (RFC 7292 §4.2).
                    type Shrouded = ::pkcs12::pbe_params::EncryptedPrivateKeyInfo;
                    let key = der::asn1::ContextSpecific::<Shrouded>::from_der(&bag.bag_value).map_err(bad)?;
                    scheme_work(&key.value.encryption_algorithm.to_der().map_err(bad)?, "a private key")?;
                }
            }
        }
    }
    Ok(())
}

/// The work of one password-based encryption scheme (PBES2, PBES1 or a PKCS#12 PBE).
fn scheme_work(alg: &[u8], what: &str) -> Result<(), Pkcs12Error> {
    match pkcs5::EncryptionScheme::from_der(alg) {
        Ok(pkcs5::EncryptionScheme::Pbes2(params)) => match &params.kdf {
            pbes2::Kdf::Pbkdf2(p) => iterations(i64::from(p.iteration_count), what),
            pbes2::Kdf::Scrypt(p) => {
                if p.cost_parameter > MAX_SCRYPT_COST || p.block_size > 8 || p.parallelization > 1 {
                    return Err(Pkcs12Error::new(
                        "UNSUPPORTED_PKCS12",
                        alloc::format!("{what} uses scrypt parameters beyond this page's limits (N ≤ 2^17, r ≤ 8, p = 1)"),
                    ));
                }
                Ok(())
            }
            _ => Err(Pkcs12Error::new("UNSUPPORTED_PKCS12", alloc::format!("{what} uses an unknown key derivation"))),
        },
        Ok(pkcs5::EncryptionScheme::Pbes1(params)) => iterations(i64::from(params.parameters.iteration_count), what),
        Ok(_) => Err(Pkcs12Error::new("UNSUPPORTED_PKCS12", alloc::format!("{what} uses an unknown encryption scheme"))),
        Err(_) => {
            let bad = |_| Pkcs12Error::new("MALFORMED_PKCS12", alloc::format!("{what} has an unreadable encryption algorithm"));
            let alg = pkcs8::spki::AlgorithmIdentifierOwned::from_der(alg).map_err(bad)?;
            let params = alg
                .parameters
                .and_then(|p| p.decode_as::<::pkcs12::pbe_params::Pkcs12PbeParams>().ok())
                .ok_or_else(|| {
                    Pkcs12Error::new("UNSUPPORTED_PKCS12", alloc::format!("{what} uses encryption {} that this page does not read", alg.oid))
                })?;
            iterations(i64::from(params.iterations), what)
        }
    }
}

fn iterations(count: i64, what: &str) -> Result<(), Pkcs12Error> {
    if count < 1 || count as u64 > MAX_ITERATIONS {
        return Err(Pkcs12Error::new(
            "UNSUPPORTED_PKCS12",
            alloc::format!("{what} asks for {count} key-derivation iterations; this page accepts 1 to {MAX_ITERATIONS}"),
        ));
    }
    Ok(())
}
