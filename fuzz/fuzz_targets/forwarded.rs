//! Forwarded-certificate header decoding (`parse_forwarded`: nginx, AWS ALB, Envoy XFCC,
//! Traefik, RFC 9440) of arbitrary text, within the chain limits.
#![no_main]

use certgate::{parse_forwarded, Limits, MAX_FORWARDED_BYTES};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let limits = Limits::default();
    if let Ok(forwarded) = parse_forwarded(text, &limits) {
        assert!(text.len() <= MAX_FORWARDED_BYTES);
        assert!(!forwarded.certificates.is_empty());
        assert!(forwarded.certificates.len() <= limits.chain_certs);
        let _ = forwarded.format.as_str();
    }
});
