//! The inspection record: everything a person or a policy wants to know about one
//! certificate, decoded once and serialised the same way by the CLI, the servers, the npm
//! package and the inspector page.

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::fmt::Write;

use der::oid::ObjectIdentifier;
use der::Decode;
use sha1::Sha1;
use sha2::{Digest, Sha256};
use x509_cert::ext::pkix::name::{DistributionPointName, GeneralName};
use x509_cert::ext::pkix::{
    AuthorityKeyIdentifier, BasicConstraints, CrlDistributionPoints, KeyUsage, SubjectAltName,
    SubjectKeyIdentifier,
};
use x509_cert::Certificate;

use crate::error::{Code, Rejection};
use crate::name::DistinguishedName;
use crate::time::rfc3339;
use crate::usage::{eku_name, leaf_ekus};

/// A decoded certificate.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Inspection {
    /// X.509 version (1, 2 or 3).
    pub version: u8,
    /// Subject distinguished name.
    pub subject: DistinguishedName,
    /// Issuer distinguished name.
    pub issuer: DistinguishedName,
    /// Serial number, lowercase hex without the DER sign octet.
    pub serial: String,
    /// Validity window.
    pub validity: Validity,
    /// Subject alternative names.
    pub subject_alt_names: SubjectAltNames,
    /// The SPIFFE ID: the first `spiffe://` URI SAN, if any.
    pub spiffe_id: Option<String>,
    /// Subject public key.
    pub public_key: PublicKey,
    /// Signature algorithm name (`ecdsa-with-SHA256`, `sha256WithRSAEncryption`, …) or OID.
    pub signature_algorithm: String,
    /// Key usage bits by name (`digitalSignature`, `keyCertSign`, …); empty when absent.
    pub key_usage: Vec<String>,
    /// Extended key usages by name (`clientAuth`, `serverAuth`) or dotted OID; `None` when absent.
    pub extended_key_usage: Option<Vec<String>>,
    /// Basic constraints; `None` when the extension is absent.
    pub basic_constraints: Option<BasicConstraintsInfo>,
    /// Subject key identifier, lowercase hex.
    pub subject_key_id: Option<String>,
    /// Authority key identifier (key id), lowercase hex.
    pub authority_key_id: Option<String>,
    /// CRL distribution point URIs.
    pub crl_distribution_points: Vec<String>,
    /// Every extension, in certificate order.
    pub extensions: Vec<ExtensionInfo>,
    /// Fingerprints of the whole DER certificate.
    pub fingerprints: Fingerprints,
    /// Subject equals issuer and the authority key id, if any, equals the subject key id.
    /// (A name-level test; the signature is not checked here.)
    pub self_signed: bool,
    /// Whether this is a CA certificate (basicConstraints cA = true).
    pub is_ca: bool,
    /// Validity relative to a check time, when one was given.
    pub status: Option<ValidityStatus>,
}

/// A certificate's validity window.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Validity {
    /// notBefore, RFC 3339.
    pub not_before: String,
    /// notAfter, RFC 3339.
    pub not_after: String,
    /// notBefore, Unix seconds.
    pub not_before_unix: u64,
    /// notAfter, Unix seconds.
    pub not_after_unix: u64,
}

/// Where a check time falls relative to the validity window.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ValidityStatus {
    /// `valid`, `expired` or `not_yet_valid`.
    pub state: &'static str,
    /// Whole days from the check time to notAfter (negative once expired).
    pub days_until_expiry: i64,
    /// Human summary: "valid, expires in 30 days", "expired 3 days ago", "not yet valid (starts in 2 days)".
    pub summary: String,
}

/// Subject alternative names by type.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct SubjectAltNames {
    /// dNSName entries.
    pub dns: Vec<String>,
    /// iPAddress entries, in text form.
    pub ip: Vec<String>,
    /// rfc822Name (email) entries.
    pub email: Vec<String>,
    /// uniformResourceIdentifier entries.
    pub uri: Vec<String>,
    /// directoryName entries, as RFC 4514 strings.
    pub dir: Vec<String>,
}

/// Subject public key summary.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct PublicKey {
    /// `EC`, `RSA`, `RSA-PSS`, `Ed25519`, `Ed448` or the dotted OID.
    pub algorithm: String,
    /// Named curve (`P-256`, `P-384`, `P-521`) for EC keys.
    pub curve: Option<String>,
    /// Key size in bits, when known.
    pub bits: Option<u32>,
}

/// Basic constraints.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BasicConstraintsInfo {
    /// cA flag.
    pub ca: bool,
    /// pathLenConstraint.
    pub path_len: Option<u8>,
    /// Whether the extension is marked critical.
    pub critical: bool,
}

/// One extension.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct ExtensionInfo {
    /// Dotted OID.
    pub oid: String,
    /// Common name of the extension, or the OID.
    pub name: String,
    /// Critical flag.
    pub critical: bool,
}

/// Certificate fingerprints.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Fingerprints {
    /// SHA-256 of the DER, lowercase hex.
    pub sha256: String,
    /// SHA-1 of the DER, lowercase hex (for matching legacy tooling only).
    pub sha1: String,
}

impl Inspection {
    /// Decodes a DER certificate. `time` (Unix seconds), when given, fills [`Inspection::status`].
    pub fn from_der(der: &[u8], time: Option<u64>) -> Result<Self, Rejection> {
        let cert = Certificate::from_der(der).map_err(|e| {
            Rejection::new(
                Code::MalformedCertificate,
                None,
                format!("the certificate cannot be decoded: {e}"),
            )
        })?;
        Ok(Self::from_certificate(&cert, der, time))
    }

    pub(crate) fn from_certificate(cert: &Certificate, der: &[u8], time: Option<u64>) -> Self {
        let tbs = cert.tbs_certificate();
        let not_before_unix = tbs.validity().not_before.to_unix_duration().as_secs();
        let not_after_unix = tbs.validity().not_after.to_unix_duration().as_secs();
        let validity = Validity {
            not_before: rfc3339(not_before_unix),
            not_after: rfc3339(not_after_unix),
            not_before_unix,
            not_after_unix,
        };

        let subject_alt_names = subject_alt_names(cert);
        let spiffe_id = subject_alt_names.uri.iter().find(|u| u.starts_with("spiffe://")).cloned();

        let basic_constraints = tbs.get_extension::<BasicConstraints>().ok().flatten().map(|(critical, bc)| {
            BasicConstraintsInfo {
                ca: bc.ca,
                path_len: bc.path_len_constraint,
                critical,
            }
        });
        let subject_key_id = tbs
            .get_extension::<SubjectKeyIdentifier>()
            .ok()
            .flatten()
            .map(|(_, ski)| hex(ski.0.as_bytes()));
        let authority_key_id = tbs
            .get_extension::<AuthorityKeyIdentifier>()
            .ok()
            .flatten()
            .and_then(|(_, aki)| aki.key_identifier.map(|k| hex(k.as_bytes())));
        let same_name = tbs.subject() == tbs.issuer();
        let self_signed = same_name
            && match (&authority_key_id, &subject_key_id) {
                (Some(aki), Some(ski)) => aki == ski,
                _ => true,
            };

        let status = time.map(|t| validity_status(t, not_before_unix, not_after_unix));
        let extensions = tbs
            .extensions()
            .map(|exts| {
                exts.iter()
                    .map(|e| ExtensionInfo {
                        oid: e.extn_id.to_string(),
                        name: extension_name(&e.extn_id),
                        critical: e.critical,
                    })
                    .collect()
            })
            .unwrap_or_default();

        Self {
            version: match tbs.version() {
                x509_cert::certificate::Version::V1 => 1,
                x509_cert::certificate::Version::V2 => 2,
                x509_cert::certificate::Version::V3 => 3,
            },
            subject: DistinguishedName::from_name(tbs.subject()),
            issuer: DistinguishedName::from_name(tbs.issuer()),
            serial: serial_hex(tbs.serial_number().as_bytes()),
            validity,
            subject_alt_names,
            spiffe_id,
            public_key: public_key(cert),
            signature_algorithm: signature_name(&cert.signature_algorithm().oid),
            key_usage: key_usage(cert),
            extended_key_usage: leaf_ekus(cert).map(|ekus| ekus.iter().map(eku_name).collect()),
            is_ca: basic_constraints.as_ref().is_some_and(|bc| bc.ca),
            basic_constraints,
            subject_key_id,
            authority_key_id,
            crl_distribution_points: crl_distribution_points(cert),
            extensions,
            fingerprints: Fingerprints {
                sha256: hex(&Sha256::digest(der)),
                sha1: hex(&Sha1::digest(der)),
            },
            self_signed,
            status,
        }
    }
}

/// Where `time` falls in the window `[not_before, not_after]`.
pub fn validity_status(time: u64, not_before: u64, not_after: u64) -> ValidityStatus {
    // In i128: `time` is any u64 (a caller's or an input's), and the i64 difference overflowed
    // for times past 2^63 (found by the inspect fuzz target). |difference| / 86,400 < 2^48, so
    // the quotient fits in i64.
    let days_until_expiry = (i128::from(not_after) - i128::from(time)).div_euclid(86_400) as i64;
    let (state, summary) = if time < not_before {
        ("not_yet_valid", format!("not yet valid (starts in {})", crate::time::distance(time, not_before)))
    } else if time > not_after {
        ("expired", format!("expired {} ago", crate::time::distance(time, not_after)))
    } else {
        ("valid", format!("valid, expires in {}", crate::time::distance(time, not_after)))
    };
    ValidityStatus {
        state,
        days_until_expiry,
        summary,
    }
}

pub(crate) fn subject_alt_names(cert: &Certificate) -> SubjectAltNames {
    match cert.tbs_certificate().get_extension::<SubjectAltName>() {
        Ok(Some((_, san))) => san_list(san),
        _ => SubjectAltNames::default(),
    }
}

/// A subjectAltName extension's names by type (certificates and CSRs alike).
pub(crate) fn san_list(san: SubjectAltName) -> SubjectAltNames {
    let mut sans = SubjectAltNames::default();
    for name in san.0 {
        match name {
            GeneralName::DnsName(s) => sans.dns.push(s.to_string()),
            GeneralName::Rfc822Name(s) => sans.email.push(s.to_string()),
            GeneralName::UniformResourceIdentifier(s) => sans.uri.push(s.to_string()),
            GeneralName::IpAddress(octets) => sans.ip.push(ip_text(octets.as_bytes())),
            GeneralName::DirectoryName(n) => sans.dir.push(DistinguishedName::from_name(&n).rfc4514),
            _ => {}
        }
    }
    sans
}

/// IPv4 dotted quad, IPv6 via core's canonical formatting, or hex for other lengths.
pub(crate) fn ip_text(bytes: &[u8]) -> String {
    match bytes.len() {
        4 => format!("{}.{}.{}.{}", bytes[0], bytes[1], bytes[2], bytes[3]),
        16 => {
            let mut octets = [0u8; 16];
            octets.copy_from_slice(bytes);
            core::net::Ipv6Addr::from(octets).to_string()
        }
        _ => format!("#{}", hex(bytes)),
    }
}

fn public_key(cert: &Certificate) -> PublicKey {
    spki_key(cert.tbs_certificate().subject_public_key_info())
}

/// A SubjectPublicKeyInfo's summary (certificates and CSRs alike).
pub(crate) fn spki_key(spki: &x509_cert::spki::SubjectPublicKeyInfoOwned) -> PublicKey {
    let key_bits = spki.subject_public_key.raw_bytes();
    match spki.algorithm.oid.to_string().as_str() {
        "1.2.840.10045.2.1" => {
            let curve = spki
                .algorithm
                .parameters
                .as_ref()
                .and_then(|p| p.decode_as::<ObjectIdentifier>().ok())
                .map(|oid| match oid.to_string().as_str() {
                    "1.2.840.10045.3.1.7" => "P-256".to_string(),
                    "1.3.132.0.34" => "P-384".to_string(),
                    "1.3.132.0.35" => "P-521".to_string(),
                    other => other.to_string(),
                });
            let bits = match curve.as_deref() {
                Some("P-256") => Some(256),
                Some("P-384") => Some(384),
                Some("P-521") => Some(521),
                _ => None,
            };
            PublicKey { algorithm: "EC".into(), curve, bits }
        }
        oid @ ("1.2.840.113549.1.1.1" | "1.2.840.113549.1.1.10") => PublicKey {
            algorithm: if oid.ends_with(".1") { "RSA" } else { "RSA-PSS" }.into(),
            curve: None,
            bits: rsa_modulus_bits(key_bits),
        },
        "1.3.101.112" => PublicKey { algorithm: "Ed25519".into(), curve: None, bits: Some(256) },
        "1.3.101.113" => PublicKey { algorithm: "Ed448".into(), curve: None, bits: Some(456) },
        other => PublicKey { algorithm: other.into(), curve: None, bits: None },
    }
}

/// Bit length of the modulus in an RSAPublicKey (`SEQUENCE { n INTEGER, e INTEGER }`).
pub(crate) fn rsa_modulus_bits(key: &[u8]) -> Option<u32> {
    // Two DER headers: the SEQUENCE, then the modulus INTEGER; each length short or long form.
    fn header(input: &[u8], tag: u8) -> Option<(usize, usize)> {
        if *input.first()? != tag {
            return None;
        }
        let first = *input.get(1)? as usize;
        if first < 0x80 {
            return Some((2, first));
        }
        let n = first & 0x7f;
        if n == 0 || n > 4 {
            return None;
        }
        let len = input.get(2..2 + n)?.iter().fold(0usize, |acc, b| (acc << 8) | *b as usize);
        Some((2 + n, len))
    }
    let (seq_header, _) = header(key, 0x30)?;
    let rest = key.get(seq_header..)?;
    let (int_header, int_len) = header(rest, 0x02)?;
    let modulus = rest.get(int_header..int_header + int_len)?;
    let start = modulus.iter().position(|b| *b != 0)?;
    let modulus = &modulus[start..];
    Some((modulus.len() as u32 - 1) * 8 + (8 - modulus[0].leading_zeros()))
}

fn key_usage(cert: &Certificate) -> Vec<String> {
    match cert.tbs_certificate().get_extension::<KeyUsage>() {
        Ok(Some((_, ku))) => key_usage_names(&ku),
        _ => Vec::new(),
    }
}

/// Key usage bits by name (certificates and CSRs alike).
pub(crate) fn key_usage_names(ku: &KeyUsage) -> Vec<String> {
    let names = [
        (ku.digital_signature(), "digitalSignature"),
        (ku.non_repudiation(), "nonRepudiation"),
        (ku.key_encipherment(), "keyEncipherment"),
        (ku.data_encipherment(), "dataEncipherment"),
        (ku.key_agreement(), "keyAgreement"),
        (ku.key_cert_sign(), "keyCertSign"),
        (ku.crl_sign(), "cRLSign"),
        (ku.encipher_only(), "encipherOnly"),
        (ku.decipher_only(), "decipherOnly"),
    ];
    names.iter().filter(|(set, _)| *set).map(|(_, n)| (*n).into()).collect()
}

fn crl_distribution_points(cert: &Certificate) -> Vec<String> {
    let Ok(Some((_, dps))) = cert.tbs_certificate().get_extension::<CrlDistributionPoints>() else {
        return Vec::new();
    };
    let mut uris = Vec::new();
    for dp in dps.0 {
        if let Some(DistributionPointName::FullName(names)) = dp.distribution_point {
            for name in names {
                if let GeneralName::UniformResourceIdentifier(uri) = name {
                    uris.push(uri.to_string());
                }
            }
        }
    }
    uris
}

/// Name of a signature algorithm OID.
pub(crate) fn signature_name(oid: &ObjectIdentifier) -> String {
    let dotted = oid.to_string();
    let name = match dotted.as_str() {
        "1.2.840.10045.4.3.2" => "ecdsa-with-SHA256",
        "1.2.840.10045.4.3.3" => "ecdsa-with-SHA384",
        "1.2.840.10045.4.3.4" => "ecdsa-with-SHA512",
        "1.2.840.113549.1.1.5" => "sha1WithRSAEncryption",
        "1.2.840.113549.1.1.11" => "sha256WithRSAEncryption",
        "1.2.840.113549.1.1.12" => "sha384WithRSAEncryption",
        "1.2.840.113549.1.1.13" => "sha512WithRSAEncryption",
        "1.2.840.113549.1.1.10" => "rsassaPss",
        "1.3.101.112" => "Ed25519",
        "1.3.101.113" => "Ed448",
        _ => return dotted,
    };
    name.into()
}

/// Common name of an extension OID.
pub(crate) fn extension_name(oid: &ObjectIdentifier) -> String {
    let dotted = oid.to_string();
    let name = match dotted.as_str() {
        "2.5.29.14" => "subjectKeyIdentifier",
        "2.5.29.15" => "keyUsage",
        "2.5.29.17" => "subjectAltName",
        "2.5.29.18" => "issuerAltName",
        "2.5.29.19" => "basicConstraints",
        "2.5.29.30" => "nameConstraints",
        "2.5.29.31" => "cRLDistributionPoints",
        "2.5.29.32" => "certificatePolicies",
        "2.5.29.33" => "policyMappings",
        "2.5.29.35" => "authorityKeyIdentifier",
        "2.5.29.36" => "policyConstraints",
        "2.5.29.37" => "extendedKeyUsage",
        "2.5.29.54" => "inhibitAnyPolicy",
        "1.3.6.1.5.5.7.1.1" => "authorityInfoAccess",
        "1.3.6.1.5.5.7.1.11" => "subjectInfoAccess",
        "1.3.6.1.4.1.11129.2.4.2" => "signedCertificateTimestampList",
        "2.16.840.1.113730.1.1" => "netscapeCertType",
        _ => return dotted,
    };
    name.into()
}

/// Serial number bytes as lowercase hex, without the sign octet DER adds.
pub(crate) fn serial_hex(bytes: &[u8]) -> String {
    let trimmed = match bytes {
        [0, rest @ ..] if !rest.is_empty() => rest,
        other => other,
    };
    hex(trimmed)
}

/// Lowercase hex.
pub fn hex(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// The SHA-256 fingerprint of DER bytes, lowercase hex.
pub fn sha256_hex(der: &[u8]) -> String {
    hex(&Sha256::digest(der))
}
