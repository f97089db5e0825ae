//! The trusted-proxy side of forwarded certificates, for the npm middleware's certificate
//! sources (bindings/npm/lib/forwarded.js, which only the Node entries have, so only the
//! `node` build has these): each format's default header, the headers to strip where none is
//! honoured, and the `trusted_proxies` ranges. All are the core's, as certgate-server reads
//! them.

use alloc::string::String;
use alloc::vec::Vec;
use core::net::IpAddr;

use certgate::{Cidr, KNOWN_FORWARDED_HEADERS};
use js_sys::Array;
use wasm_bindgen::prelude::*;

use crate::decode::FORWARDED_FORMATS;
use crate::error::to_js;

/// Each format's conventional header in lower case, `{nginx: 'x-ssl-client-cert', …}`: the
/// one read when a listener or route names none (the core's `ForwardedFormat::default_header`).
#[wasm_bindgen(js_name = defaultForwardedHeaders)]
pub fn default_forwarded_headers() -> js_sys::Object {
    let out = js_sys::Object::new();
    for format in FORWARDED_FORMATS {
        crate::error::set(&out, format.as_str(), &JsValue::from_str(format.default_header()));
    }
    out
}

/// The headers some proxy uses for a client certificate, in lower case.
#[wasm_bindgen(js_name = knownForwardedHeaders)]
pub fn known_forwarded_headers() -> Array {
    KNOWN_FORWARDED_HEADERS
        .iter()
        .map(|name| JsValue::from_str(name))
        .collect()
}

/// Checks one `trusted_proxies` range (`10.0.0.0/8`, `::1`, …); throws `INVALID_CONFIG`
/// naming it when it is not one.
#[wasm_bindgen(js_name = checkProxyRange)]
pub fn check_proxy_range(range: &str) -> Result<(), JsValue> {
    Cidr::parse(range).map(|_| ()).map_err(|r| to_js(&r, &[]))
}

/// Whether `address`, a peer's IP address as the socket gives it, is in one of `ranges`
/// (each checked by `checkProxyRange` when the source was made; one that does not parse
/// throws `INVALID_CONFIG`). An address that is not a plain IP address, such as one with a
/// zone (`fe80::1%eth0`), is in none.
#[wasm_bindgen(js_name = inProxyRanges)]
pub fn in_proxy_ranges(ranges: Vec<String>, address: &str) -> Result<bool, JsValue> {
    let Ok(ip) = address.parse::<IpAddr>() else {
        return Ok(false);
    };
    for range in &ranges {
        if Cidr::parse(range).map_err(|r| to_js(&r, &[]))?.contains(ip) {
            return Ok(true);
        }
    }
    Ok(false)
}
