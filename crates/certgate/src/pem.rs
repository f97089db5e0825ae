//! Decoding of certificate and CRL input: DER (one or several concatenated) or PEM text
//! (bundles with comments, CRLF line ends, other block types in between), within limits.

use alloc::format;
use alloc::vec::Vec;

use rustls_pki_types::pem::{self, PemObject, SectionKind};
use rustls_pki_types::{CertificateDer, CertificateRevocationListDer};

use crate::error::{Code, Rejection};

/// Bounds on attacker-supplied input. Every loop over input data is bounded by one of these.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Largest peer chain input, in bytes.
    ///
    /// 1 MiB: rustls caps a whole handshake message at 64 KiB by default, and a ten-certificate
    /// RSA-4096 chain is about 20 KiB; anything larger is an attack or a mistake.
    pub chain_bytes: usize,
    /// Most certificates accepted in one peer chain, leaf included.
    ///
    /// 32: webpki builds paths of at most 6 intermediates; real chains carry at most a handful
    /// of extras (cross-signs). 32 leaves room for the odd bloated bundle while bounding the
    /// candidate set path building iterates over.
    pub chain_certs: usize,
    /// Largest trust-store, pinned-certificate or CRL input, in bytes.
    ///
    /// 16 MiB: the Mozilla root bundle is about 250 KiB, and large enterprise CRLs reach a few MiB.
    pub bundle_bytes: usize,
    /// Most certificates or CRLs in one trust-store or CRL input.
    ///
    /// 4,096: ten times the largest public root programme; trust anchors are searched linearly
    /// by subject during path building.
    pub bundle_items: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            chain_bytes: 1 << 20,
            chain_certs: 32,
            bundle_bytes: 16 << 20,
            bundle_items: 4096,
        }
    }
}

/// Decodes a certificate chain (leaf first) from DER or PEM bytes, within `chain_*` limits.
///
/// DER input may hold several certificates back to back. PEM input may hold comments and
/// blocks of other types (keys are skipped, never decoded). Fails with `NO_CERTIFICATE` when
/// the input holds none.
pub fn parse_chain(input: &[u8], limits: &Limits) -> Result<Vec<CertificateDer<'static>>, Rejection> {
    parse_certificates(input, limits.chain_bytes, limits.chain_certs)
}

/// Decodes certificates (a trust store or pinned set) from DER or PEM, within `bundle_*` limits.
pub fn parse_bundle(input: &[u8], limits: &Limits) -> Result<Vec<CertificateDer<'static>>, Rejection> {
    parse_certificates(input, limits.bundle_bytes, limits.bundle_items)
}

/// Decodes CRLs from DER or PEM (`X509 CRL` blocks), within `bundle_*` limits.
pub fn parse_crls(
    input: &[u8],
    limits: &Limits,
) -> Result<Vec<CertificateRevocationListDer<'static>>, Rejection> {
    let items = parse_items(input, limits.bundle_bytes, limits.bundle_items, SectionKind::Crl, "CRL")?;
    Ok(items.into_iter().map(CertificateRevocationListDer::from).collect())
}

fn parse_certificates(
    input: &[u8],
    max_bytes: usize,
    max_items: usize,
) -> Result<Vec<CertificateDer<'static>>, Rejection> {
    let items = parse_items(input, max_bytes, max_items, SectionKind::Certificate, "certificate")?;
    if items.is_empty() {
        return Err(Rejection::new(Code::NoCertificate, None, "the input holds no certificate"));
    }
    Ok(items.into_iter().map(CertificateDer::from).collect())
}

/// Splits input into DER items of one kind; returns an empty list only for blank input.
fn parse_items(
    input: &[u8],
    max_bytes: usize,
    max_items: usize,
    kind: SectionKind,
    what: &str,
) -> Result<Vec<Vec<u8>>, Rejection> {
    if input.len() > max_bytes {
        return Err(Rejection::new(
            Code::InputTooLarge,
            None,
            format!("the input is {} bytes; the limit is {max_bytes} bytes", input.len()),
        ));
    }
    let trimmed = trim_ascii_start(input);
    if trimmed.is_empty() {
        return Ok(Vec::new());
    }
    let items = if trimmed[0] == 0x30 {
        split_der(trimmed, max_items, what)?
    } else {
        split_pem(trimmed, max_items, kind, what)?
    };
    Ok(items)
}

fn split_pem(input: &[u8], max_items: usize, kind: SectionKind, what: &str) -> Result<Vec<Vec<u8>>, Rejection> {
    // rustls-pki-types skips blocks of types it does not know without yielding them, so the
    // loop below never sees them: count every BEGIN line first, so that a flood of blocks of
    // any type is bounded by the same limit.
    if input.windows(BEGIN.len()).filter(|w| *w == BEGIN).count() > max_items {
        return Err(too_many(max_items, what));
    }
    let mut items = Vec::new();
    let mut blocks = 0usize;
    for section in <(SectionKind, Vec<u8>) as PemObject>::pem_slice_iter(input) {
        let (section_kind, der) = section.map_err(|err| pem_error(&err, blocks))?;
        blocks += 1;
        // Every PEM block counts against the limit, so a flood of key or junk blocks is
        // bounded just like a flood of certificates.
        if blocks > max_items {
            return Err(too_many(max_items, what));
        }
        if section_kind == kind {
            items.push(der);
        }
    }
    if items.is_empty() {
        let message = if contains(input, b"-----BEGIN") {
            format!("the PEM input holds no {what} block")
        } else {
            format!("the input is neither PEM text nor DER (expected a {what})")
        };
        return Err(Rejection::new(Code::MalformedPem, None, message));
    }
    Ok(items)
}

/// The start of a PEM block's BEGIN line (RFC 7468 §2).
const BEGIN: &[u8] = b"-----BEGIN ";

fn pem_error(err: &pem::Error, index: usize) -> Rejection {
    let detail = match err {
        pem::Error::MissingSectionEnd { .. } => "a BEGIN line has no matching END line".into(),
        pem::Error::IllegalSectionStart { .. } => "a BEGIN line is malformed".into(),
        pem::Error::Base64Decode(e) => format!("the base64 body is invalid ({e})"),
        pem::Error::SectionTooLarge => "a PEM block is too large".into(),
        other => format!("{other}"),
    };
    Rejection::new(Code::MalformedPem, Some(index), format!("PEM block {index} is malformed: {detail}"))
}

/// Splits back-to-back DER SEQUENCEs. Each item's length is read from its header; the item
/// itself is decoded later by the parser that needs it.
fn split_der(mut input: &[u8], max_items: usize, what: &str) -> Result<Vec<Vec<u8>>, Rejection> {
    let mut items = Vec::new();
    while !input.is_empty() {
        if items.len() == max_items {
            return Err(too_many(max_items, what));
        }
        let index = items.len();
        let len = der_item_len(input).ok_or_else(|| {
            Rejection::new(
                if what == "CRL" { Code::MalformedCrl } else { Code::MalformedCertificate },
                Some(index),
                format!("{what} {index} is not valid DER (truncated or bad length)"),
            )
        })?;
        let (item, rest) = input.split_at(len);
        items.push(item.to_vec());
        input = rest;
    }
    Ok(items)
}

/// Total length (header + content) of the DER SEQUENCE at the start of `input`, if it fits.
fn der_item_len(input: &[u8]) -> Option<usize> {
    if *input.first()? != 0x30 {
        return None;
    }
    let first = *input.get(1)? as usize;
    let (header, content) = if first < 0x80 {
        (2, first)
    } else {
        // Long form: at most 4 length octets (4 GiB) — far beyond any size limit above.
        let n = first & 0x7f;
        if n == 0 || n > 4 {
            return None;
        }
        let mut len = 0usize;
        for &b in input.get(2..2 + n)? {
            len = (len << 8) | b as usize;
        }
        (2 + n, len)
    };
    let total = header.checked_add(content)?;
    (total <= input.len()).then_some(total)
}

fn too_many(max: usize, what: &str) -> Rejection {
    Rejection::new(
        Code::TooManyCertificates,
        None,
        format!("the input holds more than {max} {what} items or PEM blocks; the limit is {max}"),
    )
}

fn trim_ascii_start(input: &[u8]) -> &[u8] {
    let start = input.iter().position(|b| !b.is_ascii_whitespace()).unwrap_or(input.len());
    &input[start..]
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn der_lengths() {
        assert_eq!(der_item_len(&[0x30, 0x00]), Some(2));
        assert_eq!(der_item_len(&[0x30, 0x81, 0x01, 0xff]), Some(4));
        assert_eq!(der_item_len(&[0x30, 0x82, 0x01]), None);
        assert_eq!(der_item_len(&[0x30, 0x85, 1, 1, 1, 1, 1]), None);
        assert_eq!(der_item_len(&[0x31, 0x00]), None);
    }

    #[test]
    fn blank_input_has_no_certificate() {
        let err = parse_chain(b"  \r\n", &Limits::default()).unwrap_err();
        assert_eq!(err.code, Code::NoCertificate);
    }

    #[test]
    fn junk_is_malformed_pem() {
        let err = parse_chain(b"hello world", &Limits::default()).unwrap_err();
        assert_eq!(err.code, Code::MalformedPem);
        let err = parse_chain(b"-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n", &Limits::default())
            .unwrap_err();
        assert_eq!(err.code, Code::MalformedPem);
    }
}
