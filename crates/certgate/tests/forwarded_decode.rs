//! `decode_forwarded`: one header value in the format a server was configured with (what
//! certgate-server does per request), with each proxy's quirk as a vector: ALB's raw
//! `+ / =`, XFCC quoting, Traefik's comma-joined (and comma-escaped) bodies, RFC 9440 byte
//! sequences with parameters. No detection: a value in another format is refused.

mod common;

use certgate::{decode_forwarded, Code, ForwardedFormat, Limits, MAX_FORWARDED_BYTES};
use common::*;

fn escape(text: &str, keep: &[u8]) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || keep.contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
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
            out.push(if i <= chunk.len() { ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char } else { '=' });
        }
    }
    out
}

fn alice_pem() -> String {
    String::from_utf8(fixture("alice.pem")).expect("alice.pem is UTF-8")
}

fn decode(format: ForwardedFormat, value: &str) -> Result<Vec<certgate::CertificateDer<'static>>, certgate::Rejection> {
    decode_forwarded(format, value, &Limits::default()).map(|forwarded| forwarded.certificates)
}

#[test]
fn alb_plus_slash_equals_stay_base64() {
    let value = escape(&alice_pem(), b"-._~+/=");
    assert!(value.contains('+') && value.contains('/'), "the vector exercises the quirk");
    assert_eq!(decode(ForwardedFormat::AwsAlb, &value).unwrap(), certs("alice.pem"));
    // A form decoder would have turned `+` into a space: the PEM reader skips the space, so
    // the value is no longer alice's certificate (bytes are lost, whatever else it decodes to).
    let spaced = value.replace('+', " ");
    assert_ne!(decode(ForwardedFormat::AwsAlb, &spaced).ok(), Some(certs("alice.pem")));
}

#[test]
fn nginx_escapes_everything_including_plus_slash_equals() {
    let value = escape(&alice_pem(), b"-._~");
    assert!(!value.contains('+') && value.contains("%2B"));
    assert_eq!(decode(ForwardedFormat::Nginx, &value).unwrap(), certs("alice.pem"));
}

#[test]
fn xfcc_quoting() {
    let chain = escape(&alice_pem(), b"-._~");
    let pem = alice_pem();
    let leaf = escape(&pem[..pem.find("-----END CERTIFICATE-----\n").unwrap() + 26], b"-._~");
    // A quoted Subject holding `,`, `;`, `=` and an escaped quote must not split the value.
    let value = format!(
        "Hash=0a1b;Subject=\"CN=alice,O=\\\"Acme; Inc\\\",OU=a=b\";URI=spiffe://x;Cert=\"{leaf}\";Chain=\"{chain}\""
    );
    assert_eq!(decode(ForwardedFormat::EnvoyXfcc, &value).unwrap(), certs("alice.pem"));
    // Two elements (APPEND_FORWARD): the proxy next to certgate added the last one, so that
    // one is read (its Cert: the leaf alone), never the earlier chain.
    let appended = format!("{value},By=spiffe://edge;Hash=ff;Cert=\"{leaf}\"");
    assert_eq!(decode(ForwardedFormat::EnvoyXfcc, &appended).unwrap(), certs("alice.pem")[..1]);
    // Cert unquoted (Envoy leaves URL-escaped values bare), no Chain: the leaf alone.
    let bare = format!("By=spiffe://api;Cert={leaf};DNS=alice.example");
    assert_eq!(decode(ForwardedFormat::EnvoyXfcc, &bare).unwrap(), certs("alice.pem")[..1]);
    // An unterminated quote is malformed, not a truncated certificate.
    let open = format!("Cert=\"{leaf}");
    assert_eq!(decode(ForwardedFormat::EnvoyXfcc, &open).unwrap_err().code, Code::MalformedPem);
}

/// A client that writes its own XFCC element before an appending Envoy cannot choose the
/// certificate: only the last element, the trusted hop's, is read.
#[test]
fn xfcc_takes_the_trusted_hops_element() {
    let pem = alice_pem();
    let leaf = escape(&pem[..pem.find("-----END CERTIFICATE-----\n").unwrap() + 26], b"-._~");
    let chain = escape(&pem, b"-._~");
    // Envoy's own example shapes: By, Hash, quoted Subject, URI, repeated DNS.
    let forged = format!("Hash=00;Chain=\"{chain}\";Subject=\"CN=admin\"");
    let hop = format!(
        "By=http://frontend.lyft.com;Hash=468ed33b;Subject=\"/C=US/ST=CA/L=San Francisco/OU=Lyft/CN=alice\";\
         URI=http://testclient.lyft.com;DNS=lyft.com;DNS=www.lyft.com;Cert=\"{leaf}\""
    );
    let value = format!("{forged},{hop}");
    assert_eq!(decode(ForwardedFormat::EnvoyXfcc, &value).unwrap(), certs("alice.pem")[..1]);
    // The hop forwarded no certificate: none, even though an earlier element carries one.
    let bare_hop = format!("{forged},By=spiffe://edge;Hash=ff;URI=spiffe://client");
    let none = decode(ForwardedFormat::EnvoyXfcc, &bare_hop).unwrap_err();
    assert_eq!(none.code, Code::NoCertificate);
    assert!(none.message.contains("SANITIZE_SET"), "{none}");
    // Three header lines joined by a comma are three elements; the last counts.
    let lines = format!("{forged}, {forged}, Cert={leaf}");
    assert_eq!(decode(ForwardedFormat::EnvoyXfcc, &lines).unwrap(), certs("alice.pem")[..1]);
    // More elements than the chain limit: refused before any is decoded.
    let limits = Limits { chain_certs: 2, ..Limits::default() };
    let many = ["Hash=00"; 3].join(",");
    assert_eq!(decode_forwarded(ForwardedFormat::EnvoyXfcc, &many, &limits).unwrap_err().code, Code::TooManyCertificates);
}

/// Envoy's JSON form (`set_current_client_cert_details.format: JSON`, envoyproxy/envoy#43855):
/// an array of element objects, the trusted hop's last, or one object.
#[test]
fn xfcc_json_form() {
    let pem = alice_pem();
    let leaf_pem = &pem[..pem.find("-----END CERTIFICATE-----\n").unwrap() + 26];
    let leaf = escape(leaf_pem, b"-._~");
    let chain = escape(&pem, b"-._~");
    let json = |v: &str| v.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n");
    let array = format!(
        r#"[{{"by":"spiffe://client","cert":"{chain}"}},{{"by":"spiffe://edge","hash":"ff","subject":"CN=alice,O=\"Acme, Inc\"","uri":["spiffe://a"],"dns":["a.example","b.example"],"chain":"{chain}","cert":"{leaf}"}}]"#
    );
    assert_eq!(decode(ForwardedFormat::EnvoyXfcc, &array).unwrap(), certs("alice.pem"));
    // One object; key case as in the text form; PEM with JSON-escaped newlines, not URL-escaped.
    let object = format!(r#"{{"Hash":"ff","Cert":"{}"}}"#, json(leaf_pem));
    assert_eq!(decode(ForwardedFormat::EnvoyXfcc, &object).unwrap(), certs("alice.pem")[..1]);
    // A chain given as an array of PEM strings, joined in order.
    let parts: Vec<String> = pem.split_inclusive("-----END CERTIFICATE-----\n").map(|p| format!("\"{}\"", escape(p, b"-._~"))).collect();
    let listed = format!(r#"[{{"chain":[{}]}}]"#, parts.join(","));
    assert_eq!(decode(ForwardedFormat::EnvoyXfcc, &listed).unwrap(), certs("alice.pem"));
    // Two header lines (or values) joined by a comma read as one list: the last element counts.
    let joined = format!(r#"[{{"cert":"{chain}"}}], [{{"hash":"ff","cert":"{leaf}"}}]"#);
    assert_eq!(decode(ForwardedFormat::EnvoyXfcc, &joined).unwrap(), certs("alice.pem")[..1]);
    let objects = format!(r#"{{"cert":"{chain}"}},{{"hash":"ff","cert":"{leaf}"}}"#);
    assert_eq!(decode(ForwardedFormat::EnvoyXfcc, &objects).unwrap(), certs("alice.pem")[..1]);
    // The last element has no certificate: none, whatever came before.
    let bare = format!(r#"[{{"cert":"{leaf}"}},{{"by":"spiffe://edge","hash":"ff"}}]"#);
    assert_eq!(decode(ForwardedFormat::EnvoyXfcc, &bare).unwrap_err().code, Code::NoCertificate);
    assert_eq!(decode(ForwardedFormat::EnvoyXfcc, "[]").unwrap_err().code, Code::NoCertificate);
    for bad in [r#"[{"cert":"x""#, "[1]", r#"{"cert":[1]}"#, r#"{"cert":"x"}, 1"#, "[{]", "{}]"] {
        assert_eq!(decode(ForwardedFormat::EnvoyXfcc, bad).unwrap_err().code, Code::MalformedPem, "{bad}");
    }
    // Deep nesting is an error, not a stack overflow (serde_json's recursion limit).
    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    assert_eq!(decode(ForwardedFormat::EnvoyXfcc, &deep).unwrap_err().code, Code::MalformedPem);
}

#[test]
fn traefik_comma_joined_bodies_escaped_or_not() {
    let bodies: Vec<String> = certs("alice.pem").iter().map(|c| base64(c)).collect();
    let joined = bodies.join(",");
    assert_eq!(decode(ForwardedFormat::Traefik, &joined).unwrap(), certs("alice.pem"));
    // Traefik query-escapes the whole value: `,` → %2C, `+` → %2B, `/` → %2F, `=` → %3D.
    let escaped = escape(&joined, b"");
    assert!(escaped.contains("%2C"));
    assert_eq!(decode(ForwardedFormat::Traefik, &escaped).unwrap(), certs("alice.pem"));
    let broken = format!("{},not*base64", bodies[0]);
    assert_eq!(decode(ForwardedFormat::Traefik, &broken).unwrap_err().code, Code::MalformedPem);
}

#[test]
fn rfc9440_byte_sequences() {
    let certs = certs("alice.pem");
    let (leaf, chain) = (base64(&certs[0]), base64(&certs[1]));
    // Client-Cert then the Client-Cert-Chain list, as a server joins the two fields.
    let value = format!(":{leaf}:, :{chain}:");
    assert_eq!(decode(ForwardedFormat::Rfc9440, &value).unwrap(), certs);
    // Structured-field parameters after an item are allowed and ignored.
    let with_params = format!(":{leaf}:;a=1, :{chain}:;b=?0");
    assert_eq!(decode(ForwardedFormat::Rfc9440, &with_params).unwrap(), certs);
    // A token or a string is not a byte sequence.
    for bad in [leaf.clone(), format!("\"{leaf}\""), format!(":{leaf}"), ":MIIB*:".to_owned()] {
        assert_eq!(decode(ForwardedFormat::Rfc9440, &bad).unwrap_err().code, Code::MalformedPem, "{bad}");
    }
}

#[test]
fn the_configured_format_only() {
    let nginx = escape(&alice_pem(), b"-._~");
    let rfc9440 = format!(":{}:", base64(&certs("alice.pem")[0]));
    assert!(decode(ForwardedFormat::Rfc9440, &nginx).is_err());
    assert!(decode(ForwardedFormat::Nginx, &rfc9440).is_err());
    // No header-name prefix is stripped: the value is the header's value, nothing else.
    let prefixed = format!("Client-Cert: {rfc9440}");
    assert!(decode(ForwardedFormat::Rfc9440, &prefixed).is_err());
}

/// The elements before the one read are counted, as the core splits them: a comma inside a
/// quoted value is not a separator, empty elements are not elements, and the JSON form counts
/// the objects of every array. Other formats have no elements to ignore.
#[test]
fn xfcc_counts_the_elements_it_ignores() {
    let pem = alice_pem();
    let leaf = escape(&pem[..pem.find("-----END CERTIFICATE-----\n").unwrap() + 26], b"-._~");
    let ignored = |format, value: &str| decode_forwarded(format, value, &Limits::default()).unwrap().ignored_elements;
    let hop = format!("By=spiffe://edge;Cert=\"{leaf}\"");
    assert_eq!(ignored(ForwardedFormat::EnvoyXfcc, &hop), 0);
    // One earlier element whose quoted Subject holds a comma (a quote-unaware split says 2).
    let quoted = format!("Hash=00;Subject=\"CN=admin,OU=Ops\",{hop}");
    assert_eq!(ignored(ForwardedFormat::EnvoyXfcc, &quoted), 1);
    assert_eq!(ignored(ForwardedFormat::EnvoyXfcc, &format!("Hash=00, ,Hash=01,{hop}")), 2);
    let json = format!(r#"[{{"hash":"00","subject":"CN=a,OU=b"}},{{"hash":"01"}}],{{"by":"spiffe://edge","cert":"{leaf}"}}"#);
    assert_eq!(ignored(ForwardedFormat::EnvoyXfcc, &json), 2);
    assert_eq!(ignored(ForwardedFormat::EnvoyXfcc, &format!(r#"[{{"cert":"{leaf}"}}]"#)), 0);
    let traefik = escape(&base64(&certs("alice.pem")[0]), b"");
    assert_eq!(ignored(ForwardedFormat::Traefik, &format!("{traefik},{traefik}")), 0);
}

#[test]
fn empty_and_oversized() {
    assert_eq!(decode(ForwardedFormat::Nginx, "  ").unwrap_err().code, Code::NoCertificate);
    let huge = "A".repeat(MAX_FORWARDED_BYTES + 1);
    assert_eq!(decode(ForwardedFormat::Traefik, &huge).unwrap_err().code, Code::InputTooLarge);
    let limits = Limits { chain_certs: 1, ..Limits::default() };
    let two = format!(":{}:, :{}:", base64(&certs("alice.pem")[0]), base64(&certs("alice.pem")[1]));
    assert_eq!(decode_forwarded(ForwardedFormat::Rfc9440, &two, &limits).unwrap_err().code, Code::TooManyCertificates);
}
