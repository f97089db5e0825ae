//! Decoding beyond certificates, for the inspector page, the middleware and any other caller:
//! CRL and CSR inspection records, forwarded-certificate header values, and the route list of
//! a policy document. Every rule lives in the core; this module converts inputs and results.

use alloc::string::String;
use alloc::vec::Vec;

use certgate::policy::PolicySpec;
use certgate::{Code, CrlInspection, CsrInspection, Forwarded, ForwardedFormat, Limits, Rejection};
use js_sys::Array;
use rustls_pki_types::pem::{PemObject, SectionKind};
use wasm_bindgen::prelude::*;

use crate::error::{config, policy_error, to_js};
use crate::input::{self, field, object};

/// Decodes every CRL of PEM (`X509 CRL` blocks) or DER input into inspection records, with
/// their freshness at `{time}` (default: now). Throws `MALFORMED_CRL`, `MALFORMED_PEM`, ….
#[wasm_bindgen(js_name = inspectCrl)]
pub fn inspect_crl(input: JsValue, options: JsValue) -> Result<Array, JsValue> {
    let time = time_option(&options).map_err(|r| to_js(&r, &[]))?;
    let limits = Limits::default();
    let mut records = Vec::new();
    for piece in input::pieces(&input, "input", limits.bundle_items).map_err(|r| to_js(&r, &[]))? {
        for (i, der) in certgate::parse_crls(&piece, &limits).map_err(|r| to_js(&r, &[]))?.iter().enumerate() {
            let record = CrlInspection::from_der(der, Some(time)).map_err(|mut r| {
                r.cert_index = Some(i);
                to_js(&r, &[])
            })?;
            records.push(crate::serialize(&record)?);
        }
    }
    if records.is_empty() {
        return Err(to_js(&Rejection::new(Code::MalformedCrl, None, "the input holds no CRL"), &[]));
    }
    Ok(records.into_iter().collect())
}

/// Decodes every PKCS#10 request of PEM (`CERTIFICATE REQUEST` blocks) or DER input, each
/// with its self-signature checked by this build's algorithms.
#[wasm_bindgen(js_name = inspectCsr)]
pub fn inspect_csr(input: JsValue) -> Result<Array, JsValue> {
    let limits = Limits::default();
    let mut records = Vec::new();
    for piece in input::pieces(&input, "input", limits.bundle_items).map_err(|r| to_js(&r, &[]))? {
        for (i, der) in csr_items(&piece, &limits).map_err(|r| to_js(&r, &[]))?.iter().enumerate() {
            let record = CsrInspection::from_der(der, crate::ALGORITHMS).map_err(|mut r| {
                r.cert_index = Some(i);
                to_js(&r, &[])
            })?;
            records.push(crate::serialize(&record)?);
        }
    }
    if records.is_empty() {
        return Err(to_js(&Rejection::new(Code::MalformedPem, None, "the input holds no CERTIFICATE REQUEST block"), &[]));
    }
    Ok(records.into_iter().collect())
}

/// Decodes forwarded-certificate header values into `{format, header, certificates,
/// ignoredElements}`, the certificates as DER (`Uint8Array`), leaf first; `ignoredElements` is
/// the core's count of XFCC elements before the last one read (0 for other formats).
///
/// With `format` (`nginx`, `aws-alb`, `envoy-xfcc`, `traefik`, `rfc9440`) the value is one
/// header's value in that convention, decoded by the core's `decode_forwarded`: nothing is
/// detected, no `Name:` prefix is stripped, and an XFCC value may hold several elements, of
/// which the last (the one the proxy next to the server added) is read. Without it, the input
/// is one value per line, each optionally prefixed by its header name, and each line's
/// convention is detected (`parse_forwarded`): for people pasting headers, not for servers,
/// which know what their proxy sends.
#[wasm_bindgen(js_name = decodeForwarded)]
pub fn decode_forwarded(value: JsValue, format: JsValue) -> Result<JsValue, JsValue> {
    if format.is_undefined() || format.is_null() {
        let value = header_value(&value).map_err(|r| to_js(&r, &[]))?;
        let forwarded = certgate::parse_forwarded(&value, &Limits::default()).map_err(|r| to_js(&r, &[]))?;
        return Ok(forwarded_result(&forwarded));
    }
    forwarded(&value, &format, &Limits::default())
}

/// The names `decodeForwarded` and `Verifier.decodeForwarded` take for `format`.
#[wasm_bindgen(js_name = forwardedFormats)]
pub fn forwarded_formats() -> Array {
    FORWARDED_FORMATS.iter().map(|f| JsValue::from_str(f.as_str())).collect()
}

/// One header value in the named `format`, decoded within `limits`: `{format, header: null,
/// certificates, ignoredElements}`. Throws `INVALID_CONFIG` for a `format` that names no convention.
pub(crate) fn forwarded(value: &JsValue, format: &JsValue, limits: &Limits) -> Result<JsValue, JsValue> {
    let format = forwarded_format(format).map_err(|r| to_js(&r, &[]))?;
    let value = header_value(value).map_err(|r| to_js(&r, &[]))?;
    let forwarded = certgate::decode_forwarded(format, &value, limits).map_err(|r| to_js(&r, &[]))?;
    Ok(forwarded_result(&forwarded))
}

/// What a trusted proxy's request presents, by the core's `forwarded_chain` within `limits`:
/// `{format, header, values, chain, intermediates}` (`values` and `chain` the header's and
/// `Client-Cert-Chain`'s field lines as received, strings; `intermediates` PEM or DER) →
/// the chain to verify as DER (`Uint8Array[]`, leaf first), or `null` for no certificate.
/// Throws the core's rejections, and `INVALID_CONFIG` for input of the wrong type.
pub(crate) fn presented_chain(request: &JsValue, limits: &Limits) -> Result<JsValue, JsValue> {
    let js = |r: Rejection| to_js(&r, &[]);
    let what = "the forwarded request";
    let known = ["format", "header", "values", "chain", "intermediates"];
    let request = object(request, what, &known).map_err(js)?.ok_or_else(|| js(config("the forwarded request must be an object")))?;
    let format = forwarded_format(&field(&request, "format").map_err(js)?).map_err(js)?;
    let header = field(&request, "header")
        .map_err(js)?
        .as_string()
        .ok_or_else(|| js(config("the forwarded request's `header` must be a string")))?;
    let values = field_lines(&field(&request, "values").map_err(js)?, "values").map_err(js)?;
    let chain = field_lines(&field(&request, "chain").map_err(js)?, "chain").map_err(js)?;
    let mut intermediates = Vec::new();
    let pieces = field(&request, "intermediates").map_err(js)?;
    for piece in input::pieces(&pieces, "intermediates", limits.bundle_items).map_err(js)? {
        intermediates.extend(certgate::parse_bundle(&piece, limits).map_err(js)?);
    }
    let presented = certgate::forwarded_chain(format, &header, &values, &chain, &intermediates, limits).map_err(js)?;
    Ok(presented.map_or(JsValue::NULL, |certificates| {
        certificates
            .iter()
            .map(|der| JsValue::from(js_sys::Uint8Array::from(der.as_ref())))
            .collect::<Array>()
            .into()
    }))
}

/// A header's field lines: `undefined`/`null` (none), a string (one) or an array of strings.
fn field_lines(value: &JsValue, key: &str) -> Result<Vec<String>, Rejection> {
    if value.is_undefined() || value.is_null() {
        return Ok(Vec::new());
    }
    if let Some(line) = value.as_string() {
        return Ok(alloc::vec![line]);
    }
    let bad = || config(alloc::format!("the forwarded request's `{key}` must be a string or an array of strings"));
    let array = value.dyn_ref::<Array>().ok_or_else(bad)?;
    array.iter().map(|line| line.as_string().ok_or_else(bad)).collect()
}

/// Every convention the core decodes, in the order the docs list them.
pub(crate) const FORWARDED_FORMATS: [ForwardedFormat; 5] = [
    ForwardedFormat::Nginx,
    ForwardedFormat::AwsAlb,
    ForwardedFormat::EnvoyXfcc,
    ForwardedFormat::Traefik,
    ForwardedFormat::Rfc9440,
];

fn forwarded_format(value: &JsValue) -> Result<ForwardedFormat, Rejection> {
    let name = value.as_string();
    FORWARDED_FORMATS
        .iter()
        .copied()
        .find(|f| name.as_deref() == Some(f.as_str()))
        .ok_or_else(|| {
            let known: Vec<&str> = FORWARDED_FORMATS.iter().map(|f| f.as_str()).collect();
            match name {
                Some(name) => config(alloc::format!("unknown forwarded format `{name}`; known: {}", known.join(", "))),
                None => config(alloc::format!("the forwarded format must be a string: {}", known.join(", "))),
            }
        })
}

fn header_value(value: &JsValue) -> Result<String, Rejection> {
    value.as_string().ok_or_else(|| config("the forwarded header value must be a string"))
}

fn forwarded_result(forwarded: &Forwarded) -> JsValue {
    let out = js_sys::Object::new();
    crate::error::set(&out, "format", &JsValue::from_str(forwarded.format.as_str()));
    crate::error::set(&out, "header", &forwarded.header.as_deref().map_or(JsValue::NULL, JsValue::from_str));
    let certificates: Array = forwarded
        .certificates
        .iter()
        .map(|der| JsValue::from(js_sys::Uint8Array::from(der.as_ref())))
        .collect();
    crate::error::set(&out, "certificates", &certificates);
    // An element count is far below 2^53, so the f64 is exact.
    crate::error::set(&out, "ignoredElements", &JsValue::from_f64(forwarded.ignored_elements as f64));
    out.into()
}

/// The routes of a TOML policy document, in order: `{name, methods, path}` each, `name`
/// defaulting to `routes[i]` as in the policy's own traces. Throws `INVALID_POLICY` for a
/// document the policy loader refuses.
#[wasm_bindgen(js_name = policyRoutes)]
pub fn policy_routes(text: &str) -> Result<Array, JsValue> {
    // The loader checks everything (and bounds the document); only then is the spec read again.
    certgate::Policy::from_toml(text).map_err(|e| policy_error(&e))?;
    let spec: PolicySpec = toml::from_str(text).map_err(|e| {
        to_js(&Rejection::new(Code::InvalidPolicy, None, String::from(e.message())), &[])
    })?;
    Ok(spec
        .routes
        .iter()
        .enumerate()
        .map(|(i, route)| {
            let out = js_sys::Object::new();
            let name = route.name.clone().unwrap_or_else(|| alloc::format!("routes[{i}]"));
            crate::error::set(&out, "name", &JsValue::from_str(&name));
            let methods: Array = route.methods.iter().map(|m| JsValue::from_str(m)).collect();
            crate::error::set(&out, "methods", &methods);
            crate::error::set(&out, "path", &JsValue::from_str(&route.path));
            JsValue::from(out)
        })
        .collect())
}

/// `CERTIFICATE REQUEST` blocks of PEM text, or back-to-back DER, within the bundle limits.
fn csr_items(input: &[u8], limits: &Limits) -> Result<Vec<Vec<u8>>, Rejection> {
    if input.len() > limits.bundle_bytes {
        return Err(Rejection::new(
            Code::InputTooLarge,
            None,
            alloc::format!("the input is {} bytes; the limit is {} bytes", input.len(), limits.bundle_bytes),
        ));
    }
    let trimmed = input.trim_ascii_start();
    if trimmed.first() == Some(&0x30) {
        return Ok(alloc::vec![trimmed.to_vec()]);
    }
    let mut items = Vec::new();
    for (n, section) in <(SectionKind, Vec<u8>) as PemObject>::pem_slice_iter(trimmed).enumerate() {
        if n == limits.bundle_items {
            return Err(Rejection::new(
                Code::TooManyCertificates,
                None,
                alloc::format!("the input holds more than {} PEM blocks", limits.bundle_items),
            ));
        }
        let (kind, der) = section.map_err(|e| {
            Rejection::new(Code::MalformedPem, Some(n), alloc::format!("PEM block {n} is malformed: {e}"))
        })?;
        if kind == SectionKind::Csr {
            items.push(der);
        }
    }
    Ok(items)
}

fn time_option(options: &JsValue) -> Result<u64, Rejection> {
    match object(options, "options", &["time"])? {
        Some(o) => input::time(&field(&o, "time")?),
        None => input::time(&JsValue::UNDEFINED),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csr_blocks_are_picked_from_pem() {
        let pem = b"-----BEGIN CERTIFICATE REQUEST-----\nMAA=\n-----END CERTIFICATE REQUEST-----\n\
                    -----BEGIN X509 CRL-----\nMAA=\n-----END X509 CRL-----\n";
        assert_eq!(csr_items(pem, &Limits::default()).unwrap(), [alloc::vec![0x30, 0x00]]);
        assert_eq!(csr_items(&[0x30, 0x00], &Limits::default()).unwrap(), [alloc::vec![0x30, 0x00]]);
        let limits = Limits { bundle_bytes: 4, ..Limits::default() };
        assert_eq!(csr_items(pem, &limits).unwrap_err().code, Code::InputTooLarge);
        let bad = b"-----BEGIN CERTIFICATE REQUEST-----\n!!\n-----END CERTIFICATE REQUEST-----\n";
        assert_eq!(csr_items(bad, &Limits::default()).unwrap_err().code, Code::MalformedPem);
    }
}
