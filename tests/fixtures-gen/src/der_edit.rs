//! Just enough DER to take a signed structure apart, change it and sign it again.
//!
//! Certificates and CRLs share one outer shape (RFC 5280 §4.1 and §5.1):
//! `SEQUENCE { tbs, signatureAlgorithm, signatureValue BIT STRING }`. The fixtures that
//! rcgen cannot express (an X.509 v2 certificate, a delta CRL, mismatched signature
//! algorithms) are rcgen output edited here.

use rcgen::{KeyPair, SigningKey};

/// One DER element: its tag, the whole encoding and the content.
#[derive(Clone, Copy, Debug)]
pub struct Tlv<'a> {
    pub tag: u8,
    pub whole: &'a [u8],
    pub content: &'a [u8],
}

/// Reads the element at the start of `input`; returns it and the rest.
pub fn read(input: &[u8]) -> (Tlv<'_>, &[u8]) {
    let tag = input[0];
    let first = input[1] as usize;
    let (header, len) = if first < 0x80 {
        (2, first)
    } else {
        let n = first & 0x7f;
        let len = input[2..2 + n]
            .iter()
            .fold(0usize, |acc, b| (acc << 8) | *b as usize);
        (2 + n, len)
    };
    let (whole, rest) = input.split_at(header + len);
    let tlv = Tlv {
        tag,
        whole,
        content: &whole[header..],
    };
    (tlv, rest)
}

/// The elements inside a constructed element's content.
pub fn children(mut content: &[u8]) -> Vec<Tlv<'_>> {
    let mut out = Vec::new();
    while !content.is_empty() {
        let (tlv, rest) = read(content);
        out.push(tlv);
        content = rest;
    }
    out
}

/// Encodes one element.
pub fn encode(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let len = content.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes: Vec<u8> = len
            .to_be_bytes()
            .into_iter()
            .skip_while(|b| *b == 0)
            .collect();
        out.push(0x80 | bytes.len() as u8);
        out.extend(bytes);
    }
    out.extend_from_slice(content);
    out
}

/// Encodes a SEQUENCE of already-encoded elements.
pub fn sequence(parts: &[&[u8]]) -> Vec<u8> {
    encode(0x30, &parts.concat())
}

/// Rebuilds a signed structure from its to-be-signed part and algorithm, signing with `key`.
pub fn sign(tbs: &[u8], algorithm: &[u8], key: &KeyPair) -> Vec<u8> {
    let signature = key.sign(tbs).expect("signing with an in-memory key");
    let mut bits = vec![0u8]; // no unused bits
    bits.extend(signature);
    sequence(&[tbs, algorithm, &encode(0x03, &bits)])
}

/// Splits a signed structure (certificate or CRL) into its three parts.
pub fn signed_parts(der: &[u8]) -> (Tlv<'_>, Tlv<'_>, Tlv<'_>) {
    let (outer, _) = read(der);
    match children(outer.content)[..] {
        [tbs, algorithm, signature] => (tbs, algorithm, signature),
        _ => panic!("not a signed structure"),
    }
}

/// Re-signs `der` after replacing its to-be-signed part's elements with `edit`'s result.
pub fn edit_and_resign(
    der: &[u8],
    key: &KeyPair,
    edit: impl FnOnce(Vec<Vec<u8>>) -> Vec<Vec<u8>>,
) -> Vec<u8> {
    let (tbs, algorithm, _) = signed_parts(der);
    let fields = children(tbs.content)
        .iter()
        .map(|t| t.whole.to_vec())
        .collect();
    let edited = edit(fields);
    let refs: Vec<&[u8]> = edited.iter().map(Vec::as_slice).collect();
    sign(&sequence(&refs), algorithm.whole, key)
}
