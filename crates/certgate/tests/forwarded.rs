//! Forwarded client certificates: every proxy convention (nginx, AWS ALB, Envoy XFCC, Traefik,
//! RFC 9440) encoded here from the alice.pem fixture, decoded back to the same DER, and the
//! same chain verified; malformed values are clear rejections.

mod common;

use certgate::{parse_forwarded, Code, ForwardedFormat, Limits, VerifyOptions};
use common::*;

/// RFC 3986 percent-encoding of everything but unreserved characters (nginx's component escape).
fn escape_all(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// ALB's encoding: like `escape_all`, but `+ / =` stay as they are.
fn escape_alb(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'+' | b'/' | b'=' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Standard base64 with padding, written here independently of the code under test.
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |acc, (i, b)| acc | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn alice_pem() -> String {
    String::from_utf8(fixture("alice.pem")).expect("alice.pem is UTF-8")
}

fn leaf_pem() -> String {
    let pem = alice_pem();
    let end = pem.find("-----END CERTIFICATE-----").expect("alice.pem has an END line") + "-----END CERTIFICATE-----\n".len();
    pem[..end].to_string()
}

#[test]
fn nginx_escaped_pem() {
    let value = escape_all(&alice_pem());
    let decoded = parse_forwarded(&value, &Limits::default()).unwrap();
    assert_eq!(decoded.format, ForwardedFormat::Nginx);
    assert_eq!(decoded.certificates, certs("alice.pem"));
}

#[test]
fn aws_alb_leaves_plus_slash_equals() {
    let value = escape_alb(&alice_pem());
    assert!(value.contains('/') || value.contains('+'), "the fixture's base64 has + or /");
    let decoded = parse_forwarded(&format!("X-Amzn-Mtls-Clientcert: {value}"), &Limits::default()).unwrap();
    assert_eq!(decoded.format, ForwardedFormat::AwsAlb);
    assert_eq!(decoded.header.as_deref(), Some("X-Amzn-Mtls-Clientcert"));
    assert_eq!(decoded.certificates, certs("alice.pem"));
}

/// Auto-detected XFCC is read as servers read it (`decode_forwarded`): from the last element,
/// the one the proxy next to the server added; its `Chain` wins over its `Cert`.
#[test]
fn envoy_xfcc_reads_the_last_element_and_prefers_its_chain() {
    let chain = escape_all(&alice_pem());
    let leaf = escape_all(&leaf_pem());
    let hop = format!(
        "By=spiffe://cluster.local/ns/default/sa/api;Hash=abcd;Cert=\"{leaf}\";Chain=\"{chain}\";\
         Subject=\"CN=alice,OU=Engineering\";URI=spiffe://x"
    );
    let decoded = parse_forwarded(&hop, &Limits::default()).unwrap();
    assert_eq!(decoded.format, ForwardedFormat::EnvoyXfcc);
    assert_eq!(decoded.certificates, certs("alice.pem"));

    // An earlier element (a client's own, or an earlier hop's) is not what a server verifies.
    let appended = format!("Hash=00;Chain=\"{chain}\",By=spiffe://edge;Hash=abcd;Cert={leaf}");
    let decoded = parse_forwarded(&appended, &Limits::default()).unwrap();
    assert_eq!(decoded.certificates, certs("alice.pem")[..1]);

    // Before this was aligned with the servers, the first element with a certificate was
    // shown; a last element without one is now NO_CERTIFICATE, as a server answers.
    let bare_hop = format!("{hop},By=spiffe://other;Hash=ef");
    let none = parse_forwarded(&bare_hop, &Limits::default()).unwrap_err();
    assert_eq!(none.code, Code::NoCertificate);
    assert!(none.message.contains("last XFCC element"), "{none}");
}

/// Pasted headers report the XFCC elements read past, summed over the lines, so the inspector
/// can say how many it ignored; a single element, and any other format, ignores none.
#[test]
fn envoy_xfcc_ignored_elements_are_counted_over_lines() {
    let leaf = escape_all(&leaf_pem());
    let single = parse_forwarded(&format!("By=spiffe://edge;Cert={leaf}"), &Limits::default()).unwrap();
    assert_eq!(single.ignored_elements, 0);
    let text = format!("x-forwarded-client-cert: Subject=\"CN=a,OU=b\";Hash=00,By=spiffe://edge;Cert={leaf}");
    let json = format!(r#"[{{"hash":"00"}},{{"hash":"01"}},{{"cert":"{leaf}"}}]"#);
    let decoded = parse_forwarded(&format!("{text}\n{json}\n{leaf}"), &Limits::default()).unwrap();
    assert_eq!(decoded.format, ForwardedFormat::EnvoyXfcc);
    assert_eq!(decoded.certificates.len(), 3);
    assert_eq!(decoded.ignored_elements, 1 + 2);
}

#[test]
fn envoy_xfcc_json_form_is_detected() {
    let chain = escape_all(&alice_pem());
    let value = format!(r#"x-forwarded-client-cert: [{{"by":"spiffe://edge","hash":"ab","chain":"{chain}"}}]"#);
    let decoded = parse_forwarded(&value, &Limits::default()).unwrap();
    assert_eq!(decoded.format, ForwardedFormat::EnvoyXfcc);
    assert_eq!(decoded.header.as_deref(), Some("x-forwarded-client-cert"));
    assert_eq!(decoded.certificates, certs("alice.pem"));
}

#[test]
fn traefik_comma_joined_base64() {
    let bodies: Vec<String> = certs("alice.pem").iter().map(|c| base64(c)).collect();
    let value = escape_all(&bodies.join(","));
    let decoded = parse_forwarded(&value, &Limits::default()).unwrap();
    assert_eq!(decoded.format, ForwardedFormat::Traefik);
    assert_eq!(decoded.certificates, certs("alice.pem"));
}

#[test]
fn rfc9440_client_cert_and_chain_lines() {
    let certs = certs("alice.pem");
    let input = format!("Client-Cert: :{}:\nClient-Cert-Chain: :{}:\n", base64(&certs[0]), base64(&certs[1]));
    let decoded = parse_forwarded(&input, &Limits::default()).unwrap();
    assert_eq!(decoded.format, ForwardedFormat::Rfc9440);
    assert_eq!(decoded.header.as_deref(), Some("Client-Cert"));
    assert_eq!(decoded.certificates, certs);

    // The decoded chain verifies like the PEM file itself.
    let verified = verifier(&["root-ca.pem"]).verify(&decoded.certificates, &VerifyOptions::new(FIXED_TIME)).unwrap();
    assert_eq!(verified.inspect_leaf().unwrap().subject.common_name(), Some("alice"));
}

#[test]
fn malformed_values_are_rejections() {
    let limits = Limits::default();
    let cases = [
        ("-----BEGIN%20CERTIFICATE-----%0AMII%ZZ", Code::MalformedPem),
        ("Cert=\"-----BEGIN%20CERTIFICATE", Code::MalformedPem),
        (":not base64!:", Code::MalformedPem),
        (":MIIB", Code::MalformedPem),
        ("<html>hello</html>", Code::MalformedPem),
        ("By=spiffe://a;Hash=00", Code::NoCertificate),
    ];
    for (value, code) in cases {
        let err = parse_forwarded(value, &limits).expect_err(value);
        assert_eq!(err.code, code, "{value}: {err}");
        assert!(!err.message.is_empty());
    }
}

#[test]
fn chain_limits_apply() {
    let body = base64(&certs("alice.pem")[0]);
    let limits = Limits { chain_certs: 2, ..Limits::default() };
    let value = [body.as_str(); 3].join(",");
    assert_eq!(parse_forwarded(&value, &limits).unwrap_err().code, Code::TooManyCertificates);
}

#[test]
fn every_prefix_of_a_value_is_an_answer() {
    let value = escape_all(&alice_pem());
    for end in (0..value.len()).step_by(7) {
        let _ = parse_forwarded(&value[..end], &Limits::default());
    }
}
