//! Forwarded-certificate header decoding of arbitrary text, within the chain limits: detected
//! (`parse_forwarded`: nginx, AWS ALB, Envoy XFCC text and JSON, Traefik, RFC 9440) and in each
//! configured format (`decode_forwarded`, what servers run on every trusted proxy's request).
#![no_main]

use certgate::{decode_forwarded, parse_forwarded, ForwardedFormat, Limits, MAX_FORWARDED_BYTES};
use libfuzzer_sys::fuzz_target;

const FORMATS: [ForwardedFormat; 5] = [
    ForwardedFormat::Nginx,
    ForwardedFormat::AwsAlb,
    ForwardedFormat::EnvoyXfcc,
    ForwardedFormat::Traefik,
    ForwardedFormat::Rfc9440,
];

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
    for format in FORMATS {
        if let Ok(forwarded) = decode_forwarded(format, text, &limits) {
            assert!(text.len() <= MAX_FORWARDED_BYTES);
            assert!(!forwarded.certificates.is_empty());
            assert!(forwarded.certificates.len() <= limits.chain_certs);
            assert!(forwarded.ignored_elements < limits.chain_certs);
        }
    }
});
