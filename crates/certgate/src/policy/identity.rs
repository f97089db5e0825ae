//! The verified client's identity: the parts of the leaf certificate a policy looks at,
//! decoded once (per connection, say) and then evaluated against any number of requests.

use alloc::string::String;
use alloc::vec::Vec;

use der::Decode;
use sha2::{Digest, Sha256};
use x509_cert::Certificate;

use crate::error::{Code, Rejection};
use crate::inspect::{subject_alt_names, SubjectAltNames};
use crate::name::DistinguishedName;
use crate::verify::Verified;

/// The leaf certificate's names, decoded for policy evaluation.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Identity {
    /// Subject distinguished name.
    pub subject: DistinguishedName,
    /// Issuer distinguished name.
    pub issuer: DistinguishedName,
    /// Subject alternative names.
    pub subject_alt_names: SubjectAltNames,
    /// The SPIFFE ID, when the certificate is an X.509-SVID: exactly one URI SAN, and it is a
    /// well-formed `spiffe://` ID. Anything else has no SPIFFE ID (and matches no SPIFFE rule).
    pub spiffe_id: Option<String>,
    der: Vec<u8>,
    sha256: Option<[u8; 32]>,
}

impl Identity {
    /// Decodes the leaf of a verified chain.
    pub fn from_verified(verified: &Verified) -> Result<Self, Rejection> {
        Self::decode(verified.leaf(), true)
    }

    /// Decodes a DER certificate. Use it on certificates that were verified: the identity
    /// says nothing about trust.
    pub fn from_der(der: &[u8]) -> Result<Self, Rejection> {
        Self::decode(der, true)
    }

    /// Decodes a certificate, computing its SHA-256 fingerprint now only when asked to
    /// (otherwise on demand, when a fingerprint matcher runs).
    pub(crate) fn decode(der: &[u8], fingerprint: bool) -> Result<Self, Rejection> {
        let cert = Certificate::from_der(der).map_err(|e| {
            Rejection::new(
                Code::MalformedCertificate,
                Some(0),
                alloc::format!("the leaf certificate cannot be decoded: {e}"),
            )
        })?;
        let tbs = cert.tbs_certificate();
        let subject_alt_names = subject_alt_names(&cert);
        let spiffe_id = match subject_alt_names.uri.as_slice() {
            [only] if is_spiffe_id(only) => Some(only.clone()),
            _ => None,
        };
        Ok(Self {
            subject: DistinguishedName::from_name(tbs.subject()),
            issuer: DistinguishedName::from_name(tbs.issuer()),
            subject_alt_names,
            spiffe_id,
            der: der.to_vec(),
            sha256: fingerprint.then(|| Sha256::digest(der).into()),
        })
    }

    /// The SHA-256 fingerprint of the certificate's DER.
    pub fn sha256(&self) -> [u8; 32] {
        match self.sha256 {
            Some(digest) => digest,
            None => Sha256::digest(&self.der).into(),
        }
    }

    /// The SPIFFE ID's trust domain and path (`""` for an ID without a path).
    pub fn spiffe_parts(&self) -> Option<(&str, &str)> {
        let rest = self.spiffe_id.as_deref()?.strip_prefix("spiffe://")?;
        Some(match rest.find('/') {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, ""),
        })
    }
}

/// A SPIFFE ID per the SPIFFE-ID specification §2: `spiffe://` + a trust domain of
/// lowercase letters, digits, `.`, `-` and `_`, then an optional path of non-empty segments
/// of letters, digits, `.`, `-` and `_`, none of them `.` or `..`; no query, fragment, port
/// or user info.
pub(crate) fn is_spiffe_id(uri: &str) -> bool {
    let Some(rest) = uri.strip_prefix("spiffe://") else {
        return false;
    };
    let (domain, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, ""),
    };
    if !is_trust_domain(domain) || uri.len() > 2048 {
        return false;
    }
    if path.is_empty() {
        return true;
    }
    path[1..].split('/').all(|segment| {
        !segment.is_empty()
            && segment != "."
            && segment != ".."
            && segment
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'))
    })
}

/// A SPIFFE trust domain name.
pub(crate) fn is_trust_domain(domain: &str) -> bool {
    !domain.is_empty()
        && domain.len() <= 255
        && domain.bytes().all(|b| {
            b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'_')
        })
}
