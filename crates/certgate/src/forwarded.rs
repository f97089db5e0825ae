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

    /// The header this convention's proxy conventionally sets, in lower case (one of
    /// [`KNOWN_FORWARDED_HEADERS`]): what a server reads when its configuration names no
    /// header. nginx has none of its own (it sets whatever `proxy_set_header` names), so
    /// `x-ssl-client-cert`, the common choice; RFC 9440's chain is read from
    /// [`RFC9440_CHAIN_HEADER`] beside `client-cert`. certgate-server and the npm middleware
    /// both take the name from here.
    pub const fn default_header(self) -> &'static str {
        match self {
            Self::Nginx => "x-ssl-client-cert",
            Self::AwsAlb => "x-amzn-mtls-clientcert",
            Self::EnvoyXfcc => "x-forwarded-client-cert",
            Self::Traefik => "x-forwarded-tls-client-cert",
            Self::Rfc9440 => "client-cert",
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
    /// Envoy XFCC elements present before each value's last one, summed over the values:
    /// earlier hops' (or the client's own) claims, which are never read (see
    /// [`decode_forwarded`]). Zero for a single element and for every other format.
    pub ignored_elements: usize,
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
    let mut ignored_elements = 0;
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
        let (decoded, ignored) = decode(format, value, limits)?;
        certificates.extend(decoded);
        ignored_elements += ignored;
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
    Ok(Forwarded { format, header, certificates, ignored_elements })
}

/// Decodes one header value that is known to follow `format`: what a server does with the
/// header its proxy is configured to send. Unlike [`parse_forwarded`] nothing is detected
/// and no `Name:` prefix is stripped, so a value in another convention is `MALFORMED_PEM`
/// rather than read some other way; the record's `format` is `format` and its `header` is
/// `None`. Same errors and limits as [`parse_forwarded`].
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
) -> Result<Forwarded, Rejection> {
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
    let (certificates, ignored_elements) = decode(format, value, limits)?;
    Ok(Forwarded { format, header: None, certificates, ignored_elements })
}

/// The RFC 9440 header that carries the rest of the chain beside `Client-Cert`, in lower case
/// as HTTP libraries name headers.
pub const RFC9440_CHAIN_HEADER: &str = "client-cert-chain";

/// Headers some proxy uses for a client certificate, in lower case: each format's
/// conventional one, `X-Client-Cert` (a common nginx choice) and [`RFC9440_CHAIN_HEADER`].
/// **Wherever a server does not honour a forwarded certificate, it ignores (or strips) every
/// one of them** and logs the request, so a client's own header is never read and a
/// spoofing attempt (or a misconfigured proxy) shows; certgate-server and the npm middleware
/// both take the list from here.
pub const KNOWN_FORWARDED_HEADERS: [&str; 7] = [
    "x-ssl-client-cert",
    "x-client-cert",
    "x-amzn-mtls-clientcert",
    "x-forwarded-client-cert",
    "x-forwarded-tls-client-cert",
    "client-cert",
    RFC9440_CHAIN_HEADER,
];

/// What a trusted proxy's request presents: the chain to verify (leaf first), `Ok(None)` for
/// no certificate, or a rejection. The rules every server and middleware apply once it has
/// decided to honour the header (the caller decides that: it depends on the socket):
///
/// - `values` are the configured header's field lines as received. None is no certificate;
///   **more than one is `MALFORMED_PEM`**: a proxy sets the header once, so a second line is
///   someone else's (a client's own header that the proxy appended to rather than replaced).
/// - A line must be visible ASCII (tab allowed), as HTTP field values are; anything else is
///   `MALFORMED_PEM`.
/// - An empty (or blank) value is no certificate: nginx sends an empty
///   `$ssl_client_escaped_cert` when the client presented none.
/// - For [`ForwardedFormat::Rfc9440`], `chain_values` are the [`RFC9440_CHAIN_HEADER`] lines;
///   a list's field lines join with commas (RFC 9651 §3.1), blank ones are skipped, and one
///   that is not ASCII is `MALFORMED_PEM`. Other formats ignore `chain_values`. A chain
///   without a `Client-Cert` is no certificate.
/// - The value is decoded by [`decode_forwarded`]; its `NO_CERTIFICATE` (an XFCC element
///   without `Cert`/`Chain`) is no certificate, every other rejection is returned.
/// - Each of `intermediates` (the listener's configured ones, for proxies that forward the
///   leaf only) not already in the chain is appended to it, in order.
///
/// `header` names the header in messages.
pub fn forwarded_chain<V: AsRef<[u8]>>(
    format: ForwardedFormat,
    header: &str,
    values: &[V],
    chain_values: &[V],
    intermediates: &[CertificateDer<'_>],
    limits: &Limits,
) -> Result<Option<Vec<CertificateDer<'static>>>, Rejection> {
    let value = match values {
        [] => return Ok(None),
        [one] => field_text(one.as_ref(), header)?,
        more => {
            return Err(malformed(format!(
                "the {header} header appears {} times; the proxy must replace it, not append",
                more.len()
            )))
        }
    };
    if value.trim().is_empty() {
        return Ok(None);
    }
    let mut text = String::from(value);
    if format == ForwardedFormat::Rfc9440 {
        let mut bytes = text.len();
        for line in chain_values {
            let line = field_text(line.as_ref(), RFC9440_CHAIN_HEADER)?;
            if line.trim().is_empty() {
                continue;
            }
            // Checked before joining, so a flood of chain lines is refused, not copied.
            bytes += line.len() + 2;
            if bytes > MAX_FORWARDED_BYTES {
                return Err(Rejection::new(
                    Code::InputTooLarge,
                    None,
                    format!("{header} and {RFC9440_CHAIN_HEADER} exceed {MAX_FORWARDED_BYTES} bytes"),
                ));
            }
            text.push_str(", ");
            text.push_str(line);
        }
    }
    let mut chain = match decode_forwarded(format, &text, limits) {
        Ok(forwarded) => forwarded.certificates,
        Err(rejection) if rejection.code == Code::NoCertificate => return Ok(None),
        Err(rejection) => return Err(rejection),
    };
    for intermediate in intermediates {
        if !chain.iter().any(|c| c.as_ref() == intermediate.as_ref()) {
            chain.push(CertificateDer::from(intermediate.as_ref().to_vec()));
        }
    }
    Ok(Some(chain))
}

/// One header field line as text: visible ASCII and tab, what `HeaderValue::to_str` accepts.
fn field_text<'a>(line: &'a [u8], header: &str) -> Result<&'a str, Rejection> {
    let visible = line.iter().all(|&b| b == b'\t' || (0x20..0x7f).contains(&b));
    match core::str::from_utf8(line) {
        Ok(text) if visible => Ok(text),
        _ => Err(malformed(format!("the {header} header is not ASCII"))),
    }
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

/// One value's chain and the XFCC elements before the one read (0 for other formats).
fn decode(
    format: ForwardedFormat,
    value: &str,
    limits: &Limits,
) -> Result<(Vec<CertificateDer<'static>>, usize), Rejection> {
    let certificates = match format {
        ForwardedFormat::Nginx | ForwardedFormat::AwsAlb => escaped_pem(value, limits, "the value"),
        // The element a server reads (the trusted hop's, the last), so that pasting a header
        // into the inspector shows what certgate-server and the middleware would verify.
        ForwardedFormat::EnvoyXfcc => return xfcc_trusted_hop(value, limits),
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
    }?;
    Ok((certificates, 0))
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
/// (leaf included, per Envoy) wins over its `Cert`. Also returns how many elements came
/// before the last (empty text-form elements are not counted).
fn xfcc_trusted_hop(value: &str, limits: &Limits) -> Result<(Vec<CertificateDer<'static>>, usize), Rejection> {
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
        Some(pem) => Ok((escaped_pem(&pem, limits, "the XFCC certificate")?, count.saturating_sub(1))),
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
    use alloc::vec;

    use super::*;

    #[test]
    fn default_headers_are_known_and_distinct() {
        use ForwardedFormat::*;
        let formats = [Nginx, AwsAlb, EnvoyXfcc, Traefik, Rfc9440];
        for (i, format) in formats.iter().enumerate() {
            let name = format.default_header();
            assert!(KNOWN_FORWARDED_HEADERS.contains(&name), "{name} is not a known header");
            assert!(formats[..i].iter().all(|f| f.default_header() != name), "{name} twice");
        }
        assert_eq!(Nginx.default_header(), "x-ssl-client-cert");
        assert_eq!(Rfc9440.default_header(), "client-cert");
    }

    #[test]
    fn known_headers_are_lower_case_and_distinct() {
        for (i, name) in KNOWN_FORWARDED_HEADERS.iter().enumerate() {
            assert_eq!(*name, name.to_ascii_lowercase());
            assert!(!KNOWN_FORWARDED_HEADERS[..i].contains(name), "{name} twice");
        }
    }

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
    /// The RFC 9440 byte sequence of `der`, and the `CertificateDer` it decodes to.
    fn item(der: &[u8]) -> (String, CertificateDer<'static>) {
        let body: String = match der {
            [0x30, 0x00] => "MAA=".into(),
            [0x30, 0x01, 0x00] => "MAEA".into(),
            [0x30, 0x01, 0x01] => "MAEB".into(),
            _ => unreachable!("only the test's items"),
        };
        (format!(":{body}:"), CertificateDer::from(der.to_vec()))
    }

    fn chain(format: ForwardedFormat, values: &[&str], chain: &[&str], extra: &[CertificateDer<'_>]) -> Result<Option<Vec<CertificateDer<'static>>>, Rejection> {
        forwarded_chain(format, "x-test", values, chain, extra, &Limits::default())
    }

    #[test]
    fn forwarded_chain_without_a_header_line_is_no_certificate() {
        assert_eq!(chain(ForwardedFormat::Nginx, &[], &[], &[]), Ok(None));
        // A chain header alone has no leaf.
        let (body, _) = item(&[0x30, 0x00]);
        assert_eq!(chain(ForwardedFormat::Rfc9440, &[], &[&body], &[]), Ok(None));
    }

    #[test]
    fn forwarded_chain_refuses_several_header_lines() {
        let (body, _) = item(&[0x30, 0x00]);
        let refused = chain(ForwardedFormat::Rfc9440, &[&body, &body], &[], &[]).unwrap_err();
        assert_eq!(refused.code, Code::MalformedPem);
        assert!(refused.message.contains("x-test header appears 2 times"), "{}", refused.message);
        // Even empty lines: the second is not the proxy's.
        assert_eq!(chain(ForwardedFormat::Nginx, &["", ""], &[], &[]).unwrap_err().code, Code::MalformedPem);
    }

    #[test]
    fn forwarded_chain_reads_an_empty_value_as_no_certificate() {
        for blank in ["", " ", "\t "] {
            assert_eq!(chain(ForwardedFormat::Nginx, &[blank], &[], &[]), Ok(None), "{blank:?}");
        }
        // The decoder's own NO_CERTIFICATE too: an XFCC element without Cert or Chain.
        assert_eq!(chain(ForwardedFormat::EnvoyXfcc, &["By=spiffe://a;Hash=00"], &[], &[]), Ok(None));
    }

    #[test]
    fn forwarded_chain_refuses_what_is_not_ascii() {
        let values: [&[u8]; 1] = [b":MAA=:\xa0"];
        let refused = forwarded_chain(ForwardedFormat::Rfc9440, "x-test", &values, &[], &[], &Limits::default()).unwrap_err();
        assert_eq!((refused.code, refused.message.as_str()), (Code::MalformedPem, "the x-test header is not ASCII"));
        // A blank value of a non-ASCII space is refused, not read as "no certificate".
        assert_eq!(chain(ForwardedFormat::Nginx, &["\u{a0}"], &[], &[]).unwrap_err().code, Code::MalformedPem);
        assert_eq!(chain(ForwardedFormat::Nginx, &["a\u{1}"], &[], &[]).unwrap_err().code, Code::MalformedPem);
        // A Client-Cert-Chain line too: refused, not skipped.
        let (leaf, _) = item(&[0x30, 0x00]);
        let refused = chain(ForwardedFormat::Rfc9440, &[&leaf], &[":MAEA:\u{e9}"], &[]).unwrap_err();
        assert_eq!((refused.code, refused.message.as_str()), (Code::MalformedPem, "the client-cert-chain header is not ASCII"));
    }

    #[test]
    fn forwarded_chain_joins_rfc9440_chain_lines_in_order() {
        let (leaf, leaf_der) = item(&[0x30, 0x00]);
        let (a, a_der) = item(&[0x30, 0x01, 0x00]);
        let (b, b_der) = item(&[0x30, 0x01, 0x01]);
        let two = format!("{a}, {b}");
        let expected = Some(vec![leaf_der.clone(), a_der.clone(), b_der.clone()]);
        assert_eq!(chain(ForwardedFormat::Rfc9440, &[&leaf], &[&two], &[]), Ok(expected.clone()));
        // Several lines join with commas; blank ones are skipped.
        assert_eq!(chain(ForwardedFormat::Rfc9440, &[&leaf], &[&a, " ", &b], &[]), Ok(expected));
        assert_eq!(chain(ForwardedFormat::Rfc9440, &[&leaf], &[], &[]), Ok(Some(vec![leaf_der.clone()])));
        // Other formats never read the RFC 9440 chain header.
        let nginx = "-----BEGIN%20CERTIFICATE-----%0AMAA%3D%0A-----END%20CERTIFICATE-----%0A";
        assert_eq!(chain(ForwardedFormat::Nginx, &[nginx], &[&a], &[]), Ok(Some(vec![leaf_der])));
        // A malformed chain item is the value's error.
        assert_eq!(chain(ForwardedFormat::Rfc9440, &[&leaf], &["MAEA"], &[]).unwrap_err().code, Code::MalformedPem);
    }

    #[test]
    fn forwarded_chain_bounds_the_joined_rfc9440_value() {
        let (leaf, _) = item(&[0x30, 0x00]);
        let line = ":".repeat(MAX_FORWARDED_BYTES / 4);
        let lines = [line.as_str(); 5];
        assert_eq!(chain(ForwardedFormat::Rfc9440, &[&leaf], &lines, &[]).unwrap_err().code, Code::InputTooLarge);
        let big = ":".repeat(MAX_FORWARDED_BYTES + 1);
        assert_eq!(chain(ForwardedFormat::Nginx, &[&big], &[], &[]).unwrap_err().code, Code::InputTooLarge);
    }

    #[test]
    fn forwarded_chain_returns_decoding_errors() {
        assert_eq!(chain(ForwardedFormat::Nginx, &["<html>"], &[], &[]).unwrap_err().code, Code::MalformedPem);
        assert_eq!(chain(ForwardedFormat::Nginx, &["%zz"], &[], &[]).unwrap_err().code, Code::MalformedPem);
        let limits = Limits { chain_certs: 1, ..Limits::default() };
        let (leaf, _) = item(&[0x30, 0x00]);
        let (a, _) = item(&[0x30, 0x01, 0x00]);
        let refused = forwarded_chain(ForwardedFormat::Rfc9440, "x-test", &[leaf.as_str()], &[a.as_str()], &[], &limits);
        assert_eq!(refused.unwrap_err().code, Code::TooManyCertificates);
    }

    #[test]
    fn forwarded_chain_adds_configured_intermediates_once() {
        let (leaf, leaf_der) = item(&[0x30, 0x00]);
        let (a, a_der) = item(&[0x30, 0x01, 0x00]);
        let (_, b_der) = item(&[0x30, 0x01, 0x01]);
        let extra = [a_der.clone(), b_der.clone()];
        // Leaf only: both appended, in order.
        let expected = vec![leaf_der.clone(), a_der.clone(), b_der.clone()];
        assert_eq!(chain(ForwardedFormat::Rfc9440, &[&leaf], &[], &extra), Ok(Some(expected.clone())));
        // One already forwarded: not repeated.
        assert_eq!(chain(ForwardedFormat::Rfc9440, &[&leaf], &[&a], &extra), Ok(Some(expected)));
        // No certificate stays no certificate.
        assert_eq!(chain(ForwardedFormat::Rfc9440, &[""], &[&a], &extra), Ok(None));
    }
}
