//! JavaScript inputs to bytes and options: certificates and CRLs as strings (PEM), bytes
//! (`Uint8Array`, `Buffer`, `ArrayBuffer`: PEM or DER), objects with a `raw` DER buffer (Node's
//! `X509Certificate`, `getPeerCertificate()`), or arrays of those; typed option objects.

use alloc::string::String;
use alloc::vec::Vec;

use certgate::{CertificateDer, Code, Limits, Rejection, Usage};
use js_sys::{Array, ArrayBuffer, Object, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};

use crate::error::config;

/// The pieces of one input, each still PEM or DER, in order. `null`/`undefined` is no piece.
///
/// `max_pieces` bounds an array before any element is copied into wasm memory.
pub(crate) fn pieces(value: &JsValue, what: &str, max_pieces: usize) -> Result<Vec<Vec<u8>>, Rejection> {
    if value.is_null() || value.is_undefined() {
        return Ok(Vec::new());
    }
    if let Some(array) = value.dyn_ref::<Array>() {
        let len = array.length() as usize;
        if len > max_pieces {
            return Err(Rejection::new(
                Code::TooManyCertificates,
                None,
                alloc::format!("`{what}` holds {len} items; the limit is {max_pieces}"),
            ));
        }
        return array.iter().map(|item| piece(&item, what)).collect();
    }
    Ok(alloc::vec![piece(value, what)?])
}

fn piece(value: &JsValue, what: &str) -> Result<Vec<u8>, Rejection> {
    if let Some(text) = value.as_string() {
        return Ok(text.into_bytes());
    }
    if let Some(bytes) = value.dyn_ref::<Uint8Array>() {
        return Ok(bytes.to_vec());
    }
    if let Some(buffer) = value.dyn_ref::<ArrayBuffer>() {
        return Ok(Uint8Array::new(buffer).to_vec());
    }
    if value.is_object() {
        let raw = js_sys::Reflect::get(value, &JsValue::from_str("raw")).unwrap_or(JsValue::UNDEFINED);
        if let Some(bytes) = raw.dyn_ref::<Uint8Array>() {
            return Ok(bytes.to_vec());
        }
    }
    Err(Rejection::new(
        Code::InvalidConfig,
        None,
        alloc::format!(
            "`{what}` must be a PEM string, a Uint8Array/Buffer/ArrayBuffer of PEM or DER, \
             an X509Certificate, or an array of these"
        ),
    ))
}

/// A presented chain: every piece decoded within the chain limits and joined in order.
pub(crate) fn chain(value: &JsValue, limits: &Limits) -> Result<Vec<CertificateDer<'static>>, Rejection> {
    let mut chain = Vec::new();
    for piece in pieces(value, "chain", limits.chain_certs)? {
        chain.extend(certgate::parse_chain(&piece, limits)?);
        if chain.len() > limits.chain_certs {
            return Err(Rejection::new(
                Code::TooManyCertificates,
                None,
                alloc::format!("the chain holds more than {} certificates", limits.chain_certs),
            ));
        }
    }
    if chain.is_empty() {
        return Err(Rejection::new(Code::NoCertificate, None, "no client certificate was presented"));
    }
    Ok(chain)
}

/// The per-call options of `verify`: `{time, usage, hostname}`.
#[derive(Debug)]
pub(crate) struct CallOptions {
    pub(crate) time: u64,
    pub(crate) usage: Usage,
    pub(crate) hostname: Option<String>,
}

impl CallOptions {
    pub(crate) fn from_js(value: &JsValue) -> Result<Self, Rejection> {
        let (time_value, usage, hostname) = match object(value, "verify options", &["time", "usage", "hostname"])? {
            Some(o) => (field(&o, "time")?, field(&o, "usage")?, field(&o, "hostname")?),
            None => (JsValue::UNDEFINED, JsValue::UNDEFINED, JsValue::UNDEFINED),
        };
        let usage = match usage.as_string().as_deref() {
            _ if usage.is_undefined() => Usage::ClientAuth,
            Some("clientAuth") => Usage::ClientAuth,
            Some("serverAuth") => Usage::ServerAuth,
            Some(dotted) if dotted.contains('.') => Usage::custom(dotted)?,
            _ => return Err(config("`usage` must be \"clientAuth\", \"serverAuth\" or a dotted OID")),
        };
        let hostname = match hostname {
            v if v.is_undefined() || v.is_null() => None,
            v => Some(v.as_string().ok_or_else(|| config("`hostname` must be a string"))?),
        };
        Ok(Self {
            time: time(&time_value)?,
            usage,
            hostname,
        })
    }
}

/// A check time: Unix seconds, a `Date`, or the host's clock when absent. The core never
/// reads a clock; this glue reads the JavaScript one on the caller's behalf.
pub(crate) fn time(value: &JsValue) -> Result<u64, Rejection> {
    /// 9999-12-31T23:59:59Z, the last second X.509 can express.
    const MAX: f64 = 253_402_300_799.0;
    let seconds = if value.is_undefined() || value.is_null() {
        js_sys::Date::now() / 1000.0
    } else if let Some(date) = value.dyn_ref::<js_sys::Date>() {
        date.get_time() / 1000.0
    } else if let Some(n) = value.as_f64() {
        n
    } else {
        return Err(config("`time` must be Unix seconds (a number) or a Date"));
    };
    if !(seconds.is_finite() && (0.0..=MAX).contains(&seconds)) {
        return Err(config("`time` must be a valid time between 1970 and 9999 (Unix seconds or a Date)"));
    }
    Ok(seconds.floor() as u64)
}

/// `value` as an options object whose keys are all in `known`; `None` for `undefined`/`null`.
/// Unknown keys are refused: a misspelt `hostname` must not silently skip the name check.
pub(crate) fn object(value: &JsValue, what: &str, known: &[&str]) -> Result<Option<Object>, Rejection> {
    if value.is_undefined() || value.is_null() {
        return Ok(None);
    }
    let Some(options) = value.dyn_ref::<Object>().filter(|_| value.is_object() && !Array::is_array(value)) else {
        return Err(config(alloc::format!("{what} must be an object")));
    };
    for key in Object::keys(options).iter() {
        let key = key.as_string().unwrap_or_default();
        if !known.contains(&key.as_str()) {
            return Err(config(alloc::format!(
                "unknown option `{key}` in {what}; known options: {}",
                known.join(", ")
            )));
        }
    }
    Ok(Some(options.clone()))
}

/// A property of an options object. A getter that throws is an error, never "absent": an
/// option that cannot be read must not silently fall back to a weaker default.
pub(crate) fn field(object: &Object, key: &str) -> Result<JsValue, Rejection> {
    js_sys::Reflect::get(object, &JsValue::from_str(key))
        .map_err(|_| config(alloc::format!("option `{key}` cannot be read")))
}
