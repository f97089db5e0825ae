//! PKCS#12 files (`.p12`/`.pfx`, RFC 7292) opened with their password in the web build, for the
//! inspector page: the certificates come out as DER, the key's certificate first and then its
//! issuers; private keys are only counted, never returned.
//!
//! Reading is certgate-pkcs12's, the reader of the `certgate` CLI and of certgate-rustls: the
//! key-derivation work is bounded before any password is tried, and a file gets the same code
//! and message here as there.

use alloc::string::String;
use alloc::vec::Vec;

use js_sys::{Array, Object};
use wasm_bindgen::prelude::*;

use crate::error::set;

/// Largest PKCS#12 input: 1 MiB. A key with a ten-certificate RSA-4096 chain is under 30 KiB.
pub(crate) const MAX_PKCS12_BYTES: usize = 1 << 20;

/// Why a PKCS#12 file cannot be read; `code` is its stable string.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Pkcs12Error {
    /// `PKCS12_WRONG_PASSWORD`, `MALFORMED_PKCS12`, `UNSUPPORTED_PKCS12` or `INPUT_TOO_LARGE`.
    pub(crate) code: &'static str,
    /// The reader's message, without the code.
    pub(crate) message: String,
}

impl From<certgate_pkcs12::Error> for Pkcs12Error {
    fn from(e: certgate_pkcs12::Error) -> Self {
        Self {
            code: e.code.as_str(),
            message: e.message,
        }
    }
}

/// Opens a PKCS#12 file: `{certificates: Uint8Array[], keys: number}`, the certificates leaf
/// first. Throws a `CertgateError` whose `code` is `PKCS12_WRONG_PASSWORD` (the MAC does not
/// verify or the contents do not decrypt), `MALFORMED_PKCS12`, `UNSUPPORTED_PKCS12` (an
/// algorithm certgate does not read, more key-derivation work than the limits allow,
/// public-key integrity mode) or `INPUT_TOO_LARGE`.
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
    let list: Array = certificates
        .iter()
        .map(|der| JsValue::from(js_sys::Uint8Array::from(der.as_slice())))
        .collect();
    set(&out, "certificates", &list);
    set(&out, "keys", &JsValue::from(keys as f64));
    Ok(out.into())
}

/// The certificates (the first key's chain, then any others; file order without a key) and
/// the number of private keys of a PKCS#12 file.
pub(crate) fn read(input: &[u8], password: &str) -> Result<(Vec<Vec<u8>>, usize), Pkcs12Error> {
    if input.len() > MAX_PKCS12_BYTES {
        return Err(Pkcs12Error {
            code: "INPUT_TOO_LARGE",
            message: alloc::format!(
                "the PKCS#12 file is {} bytes; the limit is {MAX_PKCS12_BYTES}",
                input.len()
            ),
        });
    }
    let contents = certgate_pkcs12::read(input, password)?;
    let certificates = match contents.keys.first() {
        Some(key) => contents.chain_for(key),
        None => contents.certs.iter().map(|c| c.der.clone()).collect(),
    };
    Ok((certificates, contents.keys.len()))
}
