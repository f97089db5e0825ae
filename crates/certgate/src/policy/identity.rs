//! The verified client's identity: the parts of the leaf certificate a policy looks at,
//! decoded once (per connection, say) and then evaluated against any number of requests.
//!
//! Decoding is the policy step's main cost, so [`Policy::identity`](super::Policy::identity)
//! decodes only what that policy reads: the subject always, the issuer, the SANs and the
//! fingerprint only when a matcher or the principal source needs them. It walks the
//! TBSCertificate to those fields instead of decoding the whole certificate.

use alloc::string::{String, ToString};

use der::asn1::{AnyRef, ObjectIdentifier, OctetStringRef};
use der::{Decode, Reader, SliceReader, Tag, TagNumber, Tagged};
use sha2::{Digest, Sha256};
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::pkix::SubjectAltName;
use x509_cert::name::Name;

use crate::error::{Code, Rejection};
use crate::inspect::{ip_text, SubjectAltNames};
use crate::name::DistinguishedName;
use crate::verify::Verified;

/// The leaf certificate's names, decoded for policy evaluation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Identity {
    pub(crate) subject: DistinguishedName,
    pub(crate) issuer: Option<DistinguishedName>,
    sans: Option<SubjectAltNames>,
    pub(crate) spiffe_id: Option<String>,
    pub(crate) sha256: Option<[u8; 32]>,
}

/// Which optional parts to decode.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Needs {
    pub(crate) issuer: bool,
    pub(crate) sans: bool,
    pub(crate) fingerprint: bool,
}

impl Needs {
    pub(crate) const ALL: Needs = Needs {
        issuer: true,
        sans: true,
        fingerprint: true,
    };

    pub(crate) fn union(self, other: Needs) -> Needs {
        Needs {
            issuer: self.issuer || other.issuer,
            sans: self.sans || other.sans,
            fingerprint: self.fingerprint || other.fingerprint,
        }
    }
}

impl Identity {
    /// Decodes everything from the leaf of a verified chain: usable with any policy.
    pub fn from_verified(verified: &Verified) -> Result<Self, Rejection> {
        Self::decode(verified.leaf(), Needs::ALL)
    }

    /// Decodes everything from a DER certificate. Use it on certificates that were verified:
    /// an identity says nothing about trust.
    pub fn from_der(der: &[u8]) -> Result<Self, Rejection> {
        Self::decode(der, Needs::ALL)
    }

    /// Decodes the subject and the parts `needs` asks for.
    pub(crate) fn decode(der: &[u8], needs: Needs) -> Result<Self, Rejection> {
        let malformed = |e: der::Error| {
            Rejection::new(
                Code::MalformedCertificate,
                Some(0),
                alloc::format!("the leaf certificate cannot be decoded: {e}"),
            )
        };
        let parts = tbs_parts(der).map_err(malformed)?;
        let subject =
            DistinguishedName::from_name(&Name::from_der(parts.subject).map_err(malformed)?);
        let issuer = match needs.issuer {
            true => Some(DistinguishedName::from_name(
                &Name::from_der(parts.issuer).map_err(malformed)?,
            )),
            false => None,
        };
        let (sans, spiffe_id) = match needs.sans {
            true => {
                let sans = subject_alt_names(parts.extensions).map_err(malformed)?;
                let spiffe_id = match sans.uri.as_slice() {
                    [only] if is_spiffe_id(only) => Some(only.clone()),
                    _ => None,
                };
                (Some(sans), spiffe_id)
            }
            false => (None, None),
        };
        Ok(Self {
            subject,
            issuer,
            sans,
            spiffe_id,
            sha256: needs.fingerprint.then(|| Sha256::digest(der).into()),
        })
    }

    /// The subject distinguished name.
    pub fn subject(&self) -> &DistinguishedName {
        &self.subject
    }

    /// The issuer distinguished name; `None` when decoded for a policy that does not read it.
    pub fn issuer(&self) -> Option<&DistinguishedName> {
        self.issuer.as_ref()
    }

    /// The subject alternative names; `None` when decoded for a policy that reads none.
    pub fn subject_alt_names(&self) -> Option<&SubjectAltNames> {
        self.sans.as_ref()
    }

    /// The SPIFFE ID, when the certificate is an X.509-SVID: exactly one URI SAN, and it is a
    /// well-formed `spiffe://` ID. Anything else has no SPIFFE ID and matches no SPIFFE rule.
    pub fn spiffe_id(&self) -> Option<&str> {
        self.spiffe_id.as_deref()
    }

    /// The SHA-256 fingerprint of the certificate's DER; `None` when decoded for a policy
    /// that does not read it.
    pub fn sha256(&self) -> Option<[u8; 32]> {
        self.sha256
    }

    /// Whether the identity holds every part `needs` asks for.
    pub(crate) fn has(&self, needs: Needs) -> bool {
        (!needs.issuer || self.issuer.is_some())
            && (!needs.sans || self.sans.is_some())
            && (!needs.fingerprint || self.sha256.is_some())
    }

    /// The SANs, empty when not decoded (evaluation checks [`Identity::has`] first).
    pub(crate) fn sans(&self) -> &SubjectAltNames {
        self.sans.as_ref().unwrap_or(&EMPTY_SANS)
    }

    /// The SPIFFE ID's trust domain and path (`""` for an ID without a path).
    pub(crate) fn spiffe_parts(&self) -> Option<(&str, &str)> {
        let rest = self.spiffe_id.as_deref()?.strip_prefix("spiffe://")?;
        Some(match rest.find('/') {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, ""),
        })
    }
}

static EMPTY_SANS: SubjectAltNames = SubjectAltNames {
    dns: alloc::vec::Vec::new(),
    ip: alloc::vec::Vec::new(),
    email: alloc::vec::Vec::new(),
    uri: alloc::vec::Vec::new(),
    dir: alloc::vec::Vec::new(),
};

/// The TLVs of a certificate's issuer and subject, and its extensions' contents.
struct TbsParts<'a> {
    issuer: &'a [u8],
    subject: &'a [u8],
    extensions: Option<&'a [u8]>,
}

/// Walks `Certificate ::= SEQUENCE { tbsCertificate, … }` and `TBSCertificate ::= SEQUENCE
/// { [0] version OPTIONAL, serialNumber, signature, issuer, validity, subject,
/// subjectPublicKeyInfo, [1] OPTIONAL, [2] OPTIONAL, [3] extensions OPTIONAL }`
/// (RFC 5280 §4.1) without decoding the fields it skips.
fn tbs_parts(der: &[u8]) -> der::Result<TbsParts<'_>> {
    let cert = sequence_contents(der)?;
    let mut outer = SliceReader::new(cert)?;
    let tbs = sequence_contents(outer.tlv_bytes()?)?;
    let mut r = SliceReader::new(tbs)?;
    if Tag::peek(&r)? == context(0) {
        r.tlv_bytes()?;
    }
    r.tlv_bytes()?; // serialNumber
    r.tlv_bytes()?; // signature
    let issuer = r.tlv_bytes()?;
    r.tlv_bytes()?; // validity
    let subject = r.tlv_bytes()?;
    r.tlv_bytes()?; // subjectPublicKeyInfo
    let mut extensions = None;
    while !r.is_finished() {
        let tag = Tag::peek(&r)?;
        let tlv = r.tlv_bytes()?;
        if tag == context(3) {
            extensions = Some(AnyRef::from_der(tlv)?.value());
        }
    }
    Ok(TbsParts {
        issuer,
        subject,
        extensions,
    })
}

fn context(number: u32) -> Tag {
    Tag::ContextSpecific {
        constructed: true,
        number: TagNumber(number),
    }
}

fn sequence_contents(tlv: &[u8]) -> der::Result<&[u8]> {
    let any = AnyRef::from_der(tlv)?;
    any.tag().assert_eq(Tag::Sequence)?;
    Ok(any.value())
}

/// Finds and decodes the subjectAltName extension (OID 2.5.29.17) in `[3]`'s contents.
fn subject_alt_names(extensions: Option<&[u8]>) -> der::Result<SubjectAltNames> {
    const SAN: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.17");
    let mut sans = SubjectAltNames::default();
    let Some(extensions) = extensions else {
        return Ok(sans);
    };
    let mut list = SliceReader::new(sequence_contents(extensions)?)?;
    let mut seen = false;
    while !list.is_finished() {
        let mut ext = SliceReader::new(sequence_contents(list.tlv_bytes()?)?)?;
        let oid: ObjectIdentifier = ext.decode()?;
        if oid != SAN {
            continue;
        }
        // RFC 5280 §4.2: an extension appears at most once (webpki refuses a repeated one).
        // A second SAN extension is malformed, never a set of names the inspection does not show.
        if seen {
            return Err(Tag::Sequence.value_error().into());
        }
        seen = true;
        if Tag::peek(&ext)? == Tag::Boolean {
            ext.tlv_bytes()?;
        }
        let value: &OctetStringRef = ext.decode()?;
        for name in SubjectAltName::from_der(value.as_bytes())?.0 {
            match name {
                GeneralName::DnsName(s) => sans.dns.push(s.to_string()),
                GeneralName::Rfc822Name(s) => sans.email.push(s.to_string()),
                GeneralName::UniformResourceIdentifier(s) => sans.uri.push(s.to_string()),
                GeneralName::IpAddress(octets) => sans.ip.push(ip_text(octets.as_bytes())),
                GeneralName::DirectoryName(n) => {
                    sans.dir.push(DistinguishedName::from_name(&n).rfc4514)
                }
                _ => {}
            }
        }
    }
    Ok(sans)
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
