//! Forwarded client certificates: the header values a TLS-terminating proxy passes to the
//! application behind it, decoded back into a certificate chain (leaf first).
//!
//! | Proxy | Header | Value |
//! |---|---|---|
//! | nginx | `$ssl_client_escaped_cert` | URL-escaped PEM, `+ / =` escaped too |
//! | AWS ALB | `X-Amzn-Mtls-Clientcert` | URL-encoded PEM leaving `+ / =` unescaped |
//! | Envoy | `x-forwarded-client-cert` (XFCC) | text form: `;`-separated `key=value` pairs, `,`-separated elements; `Cert="…"` and `Chain="…"` are URL-escaped PEM, optionally quoted. JSON form (`set_current_client_cert_details.format: JSON`): an array of objects, one per element, or one object |
//! | Traefik | `X-Forwarded-Tls-Client-Cert` | query-escaped, comma-joined base64 DER (PEM bodies without their BEGIN/END lines) |
//! | RFC 9440 | `Client-Cert`, `Client-Cert-Chain` | structured-field byte sequences `:base64:`, comma-separated in the chain |
//!
//! The input is one value per line, each optionally prefixed with its header name
//! (`Client-Cert: :MIIB…:`); the lines' certificates are joined in order, so a
//! `Client-Cert` line followed by a `Client-Cert-Chain` line is a whole chain.
//! **Percent-decoding never turns `+` into a space**: ALB leaves base64's `+` unescaped.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use rustls_pki_types::CertificateDer;

use crate::error::{Code, Rejection};
use crate::pem::{parse_chain, Limits};

/// Largest header input, in bytes: 256 KiB.
///
/// Proxies cap request headers far below this (nginx's `large_client_header_buffers` default
/// is 8 KiB per line, Envoy's `max_request_headers_kb` 60 KiB); escaping at most triples a
/// PEM chain, so a ten-certificate RSA-4096 chain (about 20 KiB of DER) still fits.
pub const MAX_FORWARDED_BYTES: usize = 256 * 1024;

/// Most lines in one input: a `Client-Cert` and a `Client-Cert-Chain` line, or one line per
/// proxy's header, with room to spare.
pub const MAX_FORWARDED_LINES: usize = 16;

/// Which proxy convention a value follows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ForwardedFormat {
    /// nginx `$ssl_client_escaped_cert`: URL-escaped PEM.
    Nginx,
    /// AWS ALB `X-Amzn-Mtls-Clientcert`: URL-encoded PEM with `+ / =` left as they are.
    AwsAlb,
    /// Envoy `x-forwarded-client-cert`.
    EnvoyXfcc,
    /// Traefik `X-Forwarded-Tls-Client-Cert`: comma-joined base64 DER.
    Traefik,
    /// RFC 9440 `Client-Cert` / `Client-Cert-Chain`: `:base64:` byte sequences.
    Rfc9440,
}

impl ForwardedFormat {
    /// A stable name: `nginx`, `aws-alb`, `envoy-xfcc`, `traefik` or `rfc9440`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Nginx => "nginx",
            Self::AwsAlb => "aws-alb",
            Self::EnvoyXfcc => "envoy-xfcc",
            Self::Traefik => "traefik",
            Self::Rfc9440 => "rfc9440",
        }
    }
}

impl serde::Serialize for ForwardedFormat {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// Certificates decoded from forwarded header values.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Forwarded {
    /// The convention of the first value.
    pub format: ForwardedFormat,
    /// The header name the first value was prefixed with, if any.
    pub header: Option<String>,
    /// The chain, leaf first, in the order the values carried it.
    pub certificates: Vec<CertificateDer<'static>>,
}

/// Decodes forwarded-certificate header values (one per line, see the module docs) into a
/// chain. Malformed escapes, quoting or base64 are `MALFORMED_PEM`; a value with no
/// certificate (an XFCC value whose last element has no `Cert`/`Chain`) is `NO_CERTIFICATE`;
/// the chain limits of `limits` apply to the decoded certificates. **An XFCC value is read
/// from its last element**, as [`decode_forwarded`] reads it, so what is shown is what a
/// server would verify.
pub fn parse_forwarded(input: &str, limits: &Limits) -> Result<Forwarded, Rejection> {
    if input.len() > MAX_FORWARDED_BYTES {
        return Err(Rejection::new(
            Code::InputTooLarge,
            None,
            format!("the header input is {} bytes; the limit is {MAX_FORWARDED_BYTES} bytes", input.len()),
        ));
    }
    let mut first: Option<(ForwardedFormat, Option<String>)> = None;
    let mut certificates = Vec::new();
    for (n, line) in input.lines().map(str::trim).filter(|l| !l.is_empty()).enumerate() {
        if n == MAX_FORWARDED_LINES {
            return Err(Rejection::new(
                Code::TooManyCertificates,
                None,
                format!("the input holds more than {MAX_FORWARDED_LINES} header lines"),
            ));
        }
        let (header, value) = split_header(line);
        let format = detect(value).ok_or_else(|| {
            Rejection::new(
                Code::MalformedPem,
                None,
                format!(
                    "line {} is neither PEM nor a forwarded-certificate header value certgate reads \
                     (nginx, Envoy XFCC, AWS ALB, Traefik, RFC 9440 Client-Cert)",
                    n + 1
                ),
            )
        })?;
        let decoded = decode(format, value, limits)?;
        certificates.extend(decoded);
        if certificates.len() > limits.chain_certs {
            return Err(Rejection::new(
                Code::TooManyCertificates,
                None,
                format!("the headers hold more than {} certificates", limits.chain_certs),
            ));
        }
        first.get_or_insert((format, header.map(String::from)));
    }
    let Some((format, header)) = first else {
        return Err(Rejection::new(Code::NoCertificate, None, "the header input is empty"));
    };
    Ok(Forwarded { format, header, certificates })
}

/// Decodes one header value that is known to follow `format`: what a server does with the
/// header its proxy is configured to send. Unlike [`parse_forwarded`] nothing is detected
/// and no `Name:` prefix is stripped, so a value in another convention is `MALFORMED_PEM`
/// rather than read some other way. Same errors and limits as [`parse_forwarded`].
///
/// **An XFCC value is read from its last element.** Envoy's `APPEND_FORWARD` adds the
/// current hop's element *after* whatever arrived, and `SANITIZE_SET` replaces the value
/// with that one element, so the last element is the one the proxy next to the server
/// wrote; the ones before it are earlier hops' claims (or the client's own) and are never
/// read. A last element without `Cert`/`Chain` is `NO_CERTIFICATE`, even if an earlier
/// one has a certificate. The proxy next to the server must not use `FORWARD_ONLY` or
/// `ALWAYS_FORWARD_ONLY`, which pass the client's value on untouched. Both the text form and
/// Envoy's JSON form (`set_current_client_cert_details.format: JSON`) are read; a value
/// starting with `[` or `{` is JSON.
pub fn decode_forwarded(
    format: ForwardedFormat,
    value: &str,
    limits: &Limits,
) -> Result<Vec<CertificateDer<'static>>, Rejection> {
    if value.len() > MAX_FORWARDED_BYTES {
        return Err(Rejection::new(
            Code::InputTooLarge,
            None,
            format!("the header value is {} bytes; the limit is {MAX_FORWARDED_BYTES} bytes", value.len()),
        ));
    }
    let value = value.trim();
    if value.is_empty() {
        return Err(Rejection::new(Code::NoCertificate, None, "the header value is empty"));
    }
    decode(format, value, limits)
}

/// `Name: value` → (`Some(Name)`, `value`) when the text before the first colon is a header
/// token. No value form starts with one: XFCC has `=` before any colon, the PEM forms escape
/// theirs, Traefik's base64 has none, and a bare RFC 9440 value starts with the colon.
fn split_header(line: &str) -> (Option<&str>, &str) {
    if let Some((name, value)) = line.split_once(':') {
        let token = !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if token {
            return (Some(name), value.trim_start());
        }
    }
    (None, line)
}

fn detect(value: &str) -> Option<ForwardedFormat> {
    let lower = value.to_ascii_lowercase();
    if value.starts_with(':') {
        return Some(ForwardedFormat::Rfc9440);
    }
    // Envoy's JSON form: an array of element objects, or one object.
    let json = value.starts_with('[') || value.starts_with('{');
    if json && ["\"cert\"", "\"chain\"", "\"hash\"", "\"by\""].iter().any(|k| lower.contains(k)) {
        return Some(ForwardedFormat::EnvoyXfcc);
    }
    const XFCC_KEYS: [&str; 7] = ["by=", "hash=", "cert=", "chain=", "subject=", "uri=", "dns="];
    if XFCC_KEYS.iter().any(|k| lower.starts_with(k)) {
        return Some(ForwardedFormat::EnvoyXfcc);
    }
    if lower.contains("-----begin%20") || lower.contains("%2d%2d%2d%2d%2dbegin") {
        // nginx escapes every reserved character; ALB leaves base64's `+ / =` as they are.
        let raw_base64 = value.bytes().any(|b| matches!(b, b'+' | b'/' | b'='));
        return Some(if raw_base64 { ForwardedFormat::AwsAlb } else { ForwardedFormat::Nginx });
    }
    // Base64 DER of a certificate starts `MI` (a SEQUENCE, `30 8x`).
    let traefik = value.starts_with("MI")
        && value.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=' | b'%' | b',' | b' '));
    traefik.then_some(ForwardedFormat::Traefik)
}

fn decode(format: ForwardedFormat, value: &str, limits: &Limits) -> Result<Vec<CertificateDer<'static>>, Rejection> {
    match format {
        ForwardedFormat::Nginx | ForwardedFormat::AwsAlb => escaped_pem(value, limits, "the value"),
        // The element a server reads (the trusted hop's, the last), so that pasting a header
        // into the inspector shows what certgate-server and the middleware would verify.
        ForwardedFormat::EnvoyXfcc => xfcc_trusted_hop(value, limits),
        ForwardedFormat::Traefik => {
            let text = percent_decode(value, "the value")?;
            let text = String::from_utf8(text).map_err(|_| malformed("the Traefik value is not ASCII base64"))?;
            base64_list(text.split(','), limits, "Traefik")
        }
        ForwardedFormat::Rfc9440 => {
            let mut bodies = Vec::new();
            for (i, item) in value.split(',').map(str::trim).enumerate() {
                // A byte sequence is `:base64:`; parameters (`;key=value`) may follow it.
                let item = item.split(';').next().unwrap_or_default();
                let body = item
                    .strip_prefix(':')
                    .and_then(|rest| rest.strip_suffix(':'))
                    .ok_or_else(|| malformed(format!("RFC 9440 item {i} is not a `:base64:` byte sequence")))?;
                bodies.push(body);
            }
            base64_list(bodies.into_iter(), limits, "RFC 9440")
        }
    }
}

/// URL-escaped PEM (nginx, ALB, an XFCC `Cert`/`Chain` value).
fn escaped_pem(value: &str, limits: &Limits, what: &str) -> Result<Vec<CertificateDer<'static>>, Rejection> {
    let pem = percent_decode(value, what)?;
    parse_chain(&pem, limits)
}

/// Base64 DER items as a chain: each becomes a PEM block, which the PEM parser checks.
fn base64_list<'a>(
    items: impl Iterator<Item = &'a str>,
    limits: &Limits,
    what: &str,
) -> Result<Vec<CertificateDer<'static>>, Rejection> {
    let mut pem = String::new();
    for (i, item) in items.enumerate() {
        if i == limits.chain_certs {
            return Err(Rejection::new(
                Code::TooManyCertificates,
                None,
                format!("the {what} value holds more than {} certificates", limits.chain_certs),
            ));
        }
        let item = item.trim();
        if item.is_empty() || !item.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=')) {
            return Err(malformed(format!("{what} certificate {i} is not base64")));
        }
        pem.push_str("-----BEGIN CERTIFICATE-----\n");
        pem.push_str(item);
        pem.push_str("\n-----END CERTIFICATE-----\n");
    }
    parse_chain(pem.as_bytes(), limits)
}

/// The certificate of an XFCC value's last element (see [`decode_forwarded`]), text or JSON:
/// elements separated by `,`, pairs by `;`, values optionally quoted; an element's `Chain`
/// (leaf included, per Envoy) wins over its `Cert`.
fn xfcc_trusted_hop(value: &str, limits: &Limits) -> Result<Vec<CertificateDer<'static>>, Rejection> {
    let (count, pem) = if value.starts_with('[') || value.starts_with('{') {
        xfcc_json_last(value)?
    } else {
        let elements = split_quoted(value, b',')?;
        let count = elements.len();
        let last = elements.last().copied().unwrap_or_default();
        (count, xfcc_element(last)?)
    };
    if count > limits.chain_certs {
        return Err(Rejection::new(
            Code::TooManyCertificates,
            None,
            format!("the XFCC value holds more than {} elements", limits.chain_certs),
        ));
    }
    match pem {
        Some(pem) => escaped_pem(&pem, limits, "the XFCC certificate"),
        None => Err(Rejection::new(
            Code::NoCertificate,
            None,
            "the last XFCC element (the one the proxy next to certgate added) has no Cert or Chain; \
             set Envoy's set_current_client_cert_details cert or chain, and forward_client_cert_details \
             to SANITIZE_SET or APPEND_FORWARD",
        )),
    }
}

/// One text-form element's `Chain` (leaf included, per Envoy), else its `Cert`, unquoted.
fn xfcc_element(element: &str) -> Result<Option<String>, Rejection> {
    let mut cert = None;
    let mut chain = None;
    for pair in split_quoted(element, b';')? {
        let Some((key, raw)) = pair.split_once('=') else {
            return Err(malformed(format!("XFCC pair `{}` has no `=`", abbreviate(pair))));
        };
        let value = unquote(raw.trim())?;
        match key.trim().to_ascii_lowercase().as_str() {
            "cert" => cert = Some(value),
            "chain" => chain = Some(value),
            _ => {}
        }
    }
    Ok(chain.or(cert))
}

/// The JSON form: an array of element objects (the last is the trusted hop's) or a single
/// object; several of either joined by commas (header lines combined, or a hop that appended
/// to the text) read as one list in order. Keys are matched without regard to case, as in the
/// text form; `Chain` wins over `Cert`; a value is a string, or an array of strings joined in
/// order (URL-escaped PEM, or PEM as it is: PEM has no `%`). Returns the element count and
/// the last one's PEM text.
fn xfcc_json_last(value: &str) -> Result<(usize, Option<String>), Rejection> {
    use serde_json::Value;
    let items: Vec<Value> = serde_json::from_str(&format!("[{value}]"))
        .map_err(|e| malformed(format!("the XFCC value starts like JSON but is not JSON ({e})")))?;
    let mut elements = Vec::new();
    for item in items {
        match item {
            Value::Array(inner) => elements.extend(inner),
            object @ Value::Object(_) => elements.push(object),
            _ => return Err(malformed("an XFCC JSON item is neither an array of elements nor an element object")),
        }
    }
    let (count, last) = (elements.len(), elements.pop());
    let Some(last) = last else { return Ok((0, None)) };
    let Value::Object(fields) = last else {
        return Err(malformed("the last XFCC JSON element is not an object"));
    };
    let mut cert = None;
    let mut chain = None;
    for (key, field) in fields {
        let text = match field {
            Value::String(text) => text,
            Value::Array(items) => {
                let mut joined = String::new();
                for item in items {
                    let Value::String(part) = item else {
                        return Err(malformed(format!("XFCC JSON field `{}` holds a non-string item", abbreviate(&key))));
                    };
                    joined.push_str(&part);
                }
                joined
            }
            _ => continue,
        };
        match key.to_ascii_lowercase().as_str() {
            "cert" => cert = Some(text),
            "chain" => chain = Some(text),
            _ => {}
        }
    }
    Ok((count, chain.or(cert)))
}

/// Splits at `sep` outside double quotes; a quote inside quotes is escaped as `\"`.
fn split_quoted(value: &str, sep: u8) -> Result<Vec<&str>, Rejection> {
    let mut parts = Vec::new();
    let (mut start, mut quoted, mut escaped) = (0, false, false);
    for (i, b) in value.bytes().enumerate() {
        match b {
            _ if escaped => escaped = false,
            b'\\' if quoted => escaped = true,
            b'"' => quoted = !quoted,
            _ if b == sep && !quoted => {
                parts.push(value[start..i].trim());
                start = i + 1;
            }
            _ => {}
        }
    }
    if quoted {
        return Err(malformed("an XFCC value opens a quote it never closes"));
    }
    parts.push(value[start..].trim());
    Ok(parts.into_iter().filter(|p| !p.is_empty()).collect())
}

fn unquote(value: &str) -> Result<String, Rejection> {
    let Some(inner) = value.strip_prefix('"') else { return Ok(String::from(value)) };
    let inner = inner.strip_suffix('"').ok_or_else(|| malformed("an XFCC value has an unbalanced quote"))?;
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        out.push(if c == '\\' { chars.next().unwrap_or('\\') } else { c });
    }
    Ok(out)
}

/// `%XX` → byte; everything else, `+` included, as it is. A `%` without two hex digits fails.
fn percent_decode(value: &str, what: &str) -> Result<Vec<u8>, Rejection> {
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes.get(i + 1..i + 3).and_then(|h| core::str::from_utf8(h).ok());
            let byte = hex.and_then(|h| u8::from_str_radix(h, 16).ok()).ok_or_else(|| {
                malformed(format!("{what} has an invalid percent-escape at byte {i} (expected %XX)"))
            })?;
            out.push(byte);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    Ok(out)
}

fn abbreviate(text: &str) -> &str {
    match text.char_indices().nth(40) {
        Some((i, _)) => &text[..i],
        None => text,
    }
}

fn malformed(message: impl Into<String>) -> Rejection {
    Rejection::new(Code::MalformedPem, None, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_decoding_keeps_plus() {
        assert_eq!(percent_decode("a+b%2Fc%0A", "x").unwrap(), b"a+b/c\n");
        assert_eq!(percent_decode("%zz", "x").unwrap_err().code, Code::MalformedPem);
        assert_eq!(percent_decode("abc%4", "x").unwrap_err().code, Code::MalformedPem);
    }

    #[test]
    fn formats_are_detected() {
        assert_eq!(detect(":MIIB:"), Some(ForwardedFormat::Rfc9440));
        assert_eq!(detect("By=spiffe://a;Hash=00;Cert=\"x\""), Some(ForwardedFormat::EnvoyXfcc));
        assert_eq!(detect(r#"[{"hash":"00","cert":"x"}]"#), Some(ForwardedFormat::EnvoyXfcc));
        assert_eq!(detect(r#"{"Cert":"x"}"#), Some(ForwardedFormat::EnvoyXfcc));
        assert_eq!(detect(r#"{"name":"x"}"#), None);
        assert_eq!(detect("-----BEGIN%20CERTIFICATE-----%0AMII%2B%0A"), Some(ForwardedFormat::Nginx));
        assert_eq!(detect("-----BEGIN%20CERTIFICATE-----%0AMII+/=%0A"), Some(ForwardedFormat::AwsAlb));
        assert_eq!(detect("MIIBabc%3D%2CMIIC"), Some(ForwardedFormat::Traefik));
        assert_eq!(detect("<html>"), None);
        assert_eq!(detect("hello, world"), None);
    }

    #[test]
    fn header_names_are_stripped() {
        assert_eq!(split_header("Client-Cert: :MII=:"), (Some("Client-Cert"), ":MII=:"));
        assert_eq!(split_header(":MII=:"), (None, ":MII=:"));
        assert_eq!(split_header("By=spiffe://x;Cert=\"y\""), (None, "By=spiffe://x;Cert=\"y\""));
        assert_eq!(split_header("x-forwarded-client-cert: By=a"), (Some("x-forwarded-client-cert"), "By=a"));
    }

    #[test]
    fn quoted_splitting() {
        assert_eq!(split_quoted(r#"a="x,y";b=2, c=3"#, b',').unwrap(), [r#"a="x,y";b=2"#, "c=3"]);
        assert_eq!(split_quoted(r#"a="x\";y";b=2"#, b';').unwrap(), [r#"a="x\";y""#, "b=2"]);
        assert_eq!(split_quoted(r#"a="x"#, b',').unwrap_err().code, Code::MalformedPem);
        assert_eq!(unquote(r#""a\"b""#).unwrap(), "a\"b");
    }

    #[test]
    fn limits_and_empty_input() {
        let limits = Limits::default();
        assert_eq!(parse_forwarded(" \n ", &limits).unwrap_err().code, Code::NoCertificate);
        let big = "A".repeat(MAX_FORWARDED_BYTES + 1);
        assert_eq!(parse_forwarded(&big, &limits).unwrap_err().code, Code::InputTooLarge);
        let many = ":AAAA:\n".repeat(MAX_FORWARDED_LINES + 1);
        assert_eq!(parse_forwarded(&many, &limits).unwrap_err().code, Code::TooManyCertificates);
        let xfcc = "By=spiffe://a;Hash=00";
        assert_eq!(parse_forwarded(xfcc, &limits).unwrap_err().code, Code::NoCertificate);
    }
}
