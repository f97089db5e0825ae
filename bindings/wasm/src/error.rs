//! Rejections as JavaScript `Error` objects: `name` `CertgateError`, the stable `code`, the
//! `certIndex` of the certificate concerned and `details` for diagnosis.

use certgate::{CertificateDer, Code, Inspection, PolicyError, Rejection};
use js_sys::{Object, Reflect};
use wasm_bindgen::JsValue;

/// A `CertgateError`: `message` is the rejection's human message; `details.httpStatus` is the
/// status an HTTP surface answers with; `details.certificate` summarises the certificate at
/// `certIndex` in `chain`, when there is one and it decodes.
pub(crate) fn to_js(rejection: &Rejection, chain: &[CertificateDer<'_>]) -> JsValue {
    let error = js_sys::Error::new(&rejection.message);
    error.set_name("CertgateError");
    let index = rejection.cert_index.map_or(JsValue::NULL, |i| JsValue::from(i as f64));
    let details = Object::new();
    set(&details, "httpStatus", &JsValue::from(rejection.code.http_status()));
    let certificate = rejection
        .cert_index
        .and_then(|i| chain.get(i))
        .and_then(|der| Inspection::from_der(der, None).ok())
        .map_or(JsValue::NULL, |c| summary(&c));
    set(&details, "certificate", &certificate);
    set(&error, "code", &JsValue::from_str(rejection.code.as_str()));
    set(&error, "certIndex", &index);
    set(&error, "details", &details);
    error.into()
}

/// An `INVALID_POLICY` `CertgateError` whose `details` say where: `field` (a path such as
/// `routes[2].roles`), and for TOML text `line` and `column`.
pub(crate) fn policy_error(e: &PolicyError) -> JsValue {
    let error = to_js(&Rejection::new(e.code(), None, e.message.clone()), &[]);
    if let Ok(details) = Reflect::get(&error, &JsValue::from_str("details")) {
        set(&details, "field", &JsValue::from_str(&e.field));
        set(&details, "line", &e.line.map_or(JsValue::NULL, |l| JsValue::from(l as f64)));
        set(&details, "column", &e.column.map_or(JsValue::NULL, |c| JsValue::from(c as f64)));
    }
    error
}

/// A rejection of caller input that is not a certificate problem (a bad option or type).
pub(crate) fn config(message: impl Into<String>) -> Rejection {
    Rejection::new(Code::InvalidConfig, None, message)
}

fn summary(c: &Inspection) -> JsValue {
    let out = Object::new();
    set(&out, "subject", &JsValue::from_str(&c.subject.rfc4514));
    set(&out, "issuer", &JsValue::from_str(&c.issuer.rfc4514));
    set(&out, "serial", &JsValue::from_str(&c.serial));
    set(&out, "notBefore", &JsValue::from_str(&c.validity.not_before));
    set(&out, "notAfter", &JsValue::from_str(&c.validity.not_after));
    set(&out, "sha256", &JsValue::from_str(&c.fingerprints.sha256));
    out.into()
}

/// Defines a property on an object this module created. `Reflect.set` fails only on frozen
/// objects, proxies and setters, none of which these are, so its result carries nothing.
pub(crate) fn set(target: &JsValue, key: &str, value: &JsValue) {
    let _ = Reflect::set(target, &JsValue::from_str(key), value);
}
