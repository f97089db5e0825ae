//! The CRL inspection record: what a certificate revocation list says (RFC 5280 §5), decoded
//! for people. Verification applies CRLs through [`crate::VerifierBuilder::crls`]; this
//! record only describes one.

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use der::Decode;
use sha2::{Digest, Sha256};
use x509_cert::crl::CertificateList;
use x509_cert::ext::pkix::crl::{CrlNumber, CrlReason};
use x509_cert::ext::pkix::AuthorityKeyIdentifier;

use crate::error::{Code, Rejection};
use crate::inspect::{extension_name, hex, serial_hex, signature_name, ExtensionInfo};
use crate::name::DistinguishedName;
use crate::time::{distance, rfc3339};

/// Most revoked entries a record lists; [`CrlInspection::revoked_count`] counts them all.
///
/// 1,000: a page or a terminal shows no more usefully, and a multi-megabyte CRL (a large
/// public CA's, hundreds of thousands of entries) stays a small record.
pub const MAX_LISTED_ENTRIES: usize = 1000;

/// A decoded CRL.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct CrlInspection {
    /// CRL version (1 or 2).
    pub version: u8,
    /// The issuer, whose CA signs the list.
    pub issuer: DistinguishedName,
    /// thisUpdate, RFC 3339.
    pub this_update: String,
    /// thisUpdate, Unix seconds.
    pub this_update_unix: u64,
    /// nextUpdate, RFC 3339, when present.
    pub next_update: Option<String>,
    /// nextUpdate, Unix seconds, when present.
    pub next_update_unix: Option<u64>,
    /// The cRLNumber extension, decimal (hex with `0x` beyond 128 bits).
    pub crl_number: Option<String>,
    /// Authority key identifier (key id), lowercase hex.
    pub authority_key_id: Option<String>,
    /// Signature algorithm name or OID.
    pub signature_algorithm: String,
    /// How many certificates the list revokes.
    pub revoked_count: usize,
    /// The first [`MAX_LISTED_ENTRIES`] revoked entries, in list order.
    pub revoked: Vec<RevokedEntry>,
    /// CRL extensions, in order.
    pub extensions: Vec<ExtensionInfo>,
    /// SHA-256 of the DER, lowercase hex.
    pub sha256: String,
    /// Freshness at the check time, when one was given.
    pub status: Option<CrlStatus>,
}

/// One revoked certificate.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RevokedEntry {
    /// Serial number, lowercase hex without the sign octet.
    pub serial: String,
    /// revocationDate, RFC 3339.
    pub revocation_date: String,
    /// revocationDate, Unix seconds.
    pub revocation_date_unix: u64,
    /// The RFC 5280 §5.3.1 reason name (`keyCompromise`, …), when given.
    pub reason: Option<String>,
}

/// Where a check time falls relative to thisUpdate and nextUpdate.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CrlStatus {
    /// `current`, `expired` (past nextUpdate) or `not_yet_valid` (before thisUpdate).
    pub state: &'static str,
    /// Human summary: "current, next update in 33 days", "expired 57 days ago".
    pub summary: String,
}

impl CrlInspection {
    /// Decodes a DER CRL. `time` (Unix seconds), when given, fills [`CrlInspection::status`].
    pub fn from_der(der: &[u8], time: Option<u64>) -> Result<Self, Rejection> {
        let crl = CertificateList::<x509_cert::certificate::Rfc5280>::from_der(der).map_err(|e| {
            Rejection::new(Code::MalformedCrl, None, format!("the CRL cannot be decoded: {e}"))
        })?;
        let tbs = &crl.tbs_cert_list;
        let this_update_unix = tbs.this_update.to_unix_duration().as_secs();
        let next_update_unix = tbs.next_update.map(|t| t.to_unix_duration().as_secs());
        let extensions = tbs.crl_extensions.as_deref().unwrap_or_default();
        let extension = |oid: &str| extensions.iter().find(|e| e.extn_id.to_string() == oid);
        let crl_number = extension("2.5.29.20")
            .and_then(|e| CrlNumber::from_der(e.extn_value.as_bytes()).ok())
            .map(|n| number_text(n.0.as_bytes()));
        let authority_key_id = extension("2.5.29.35")
            .and_then(|e| AuthorityKeyIdentifier::from_der(e.extn_value.as_bytes()).ok())
            .and_then(|aki| aki.key_identifier.map(|k| hex(k.as_bytes())));
        let entries = tbs.revoked_certificates.as_deref().unwrap_or_default();
        let revoked = entries
            .iter()
            .take(MAX_LISTED_ENTRIES)
            .map(|entry| {
                let date = entry.revocation_date.to_unix_duration().as_secs();
                let reason = entry
                    .crl_entry_extensions
                    .as_deref()
                    .unwrap_or_default()
                    .iter()
                    .find(|e| e.extn_id.to_string() == "2.5.29.21")
                    .and_then(|e| CrlReason::from_der(e.extn_value.as_bytes()).ok())
                    .map(|r| String::from(reason_name(r)));
                RevokedEntry {
                    serial: serial_hex(entry.serial_number.as_bytes()),
                    revocation_date: rfc3339(date),
                    revocation_date_unix: date,
                    reason,
                }
            })
            .collect();
        Ok(Self {
            version: if tbs.version == x509_cert::Version::V1 { 1 } else { 2 },
            issuer: DistinguishedName::from_name(&tbs.issuer),
            this_update: rfc3339(this_update_unix),
            this_update_unix,
            next_update: next_update_unix.map(rfc3339),
            next_update_unix,
            crl_number,
            authority_key_id,
            signature_algorithm: signature_name(&crl.signature_algorithm.oid),
            revoked_count: entries.len(),
            revoked,
            extensions: extensions
                .iter()
                .map(|e| ExtensionInfo {
                    oid: e.extn_id.to_string(),
                    name: crl_extension_name(&e.extn_id),
                    critical: e.critical,
                })
                .collect(),
            sha256: hex(&Sha256::digest(der)),
            status: time.map(|t| crl_status(t, this_update_unix, next_update_unix)),
        })
    }
}

fn crl_status(time: u64, this_update: u64, next_update: Option<u64>) -> CrlStatus {
    if time < this_update {
        return CrlStatus {
            state: "not_yet_valid",
            summary: format!("not yet valid (issued {} after the check time)", distance(time, this_update)),
        };
    }
    match next_update {
        Some(next) if time > next => CrlStatus {
            state: "expired",
            summary: format!("expired {} ago (nextUpdate passed)", distance(time, next)),
        },
        Some(next) => CrlStatus {
            state: "current",
            summary: format!("current, next update in {}", distance(time, next)),
        },
        None => CrlStatus { state: "current", summary: String::from("current (no nextUpdate)") },
    }
}

/// An unsigned big-endian integer in decimal when it fits 128 bits, else `0x` hex.
fn number_text(bytes: &[u8]) -> String {
    let trimmed: &[u8] = match bytes.iter().position(|b| *b != 0) {
        Some(start) => &bytes[start..],
        None => return String::from("0"),
    };
    if trimmed.len() > 16 {
        return format!("0x{}", hex(trimmed));
    }
    trimmed.iter().fold(0u128, |acc, b| (acc << 8) | u128::from(*b)).to_string()
}

fn crl_extension_name(oid: &der::oid::ObjectIdentifier) -> String {
    match oid.to_string().as_str() {
        "2.5.29.20" => String::from("cRLNumber"),
        "2.5.29.27" => String::from("deltaCRLIndicator"),
        "2.5.29.28" => String::from("issuingDistributionPoint"),
        "2.5.29.46" => String::from("freshestCRL"),
        _ => extension_name(oid),
    }
}

/// The RFC 5280 §5.3.1 name of a reason code.
fn reason_name(reason: CrlReason) -> &'static str {
    match reason {
        CrlReason::Unspecified => "unspecified",
        CrlReason::KeyCompromise => "keyCompromise",
        CrlReason::CaCompromise => "cACompromise",
        CrlReason::AffiliationChanged => "affiliationChanged",
        CrlReason::Superseded => "superseded",
        CrlReason::CessationOfOperation => "cessationOfOperation",
        CrlReason::CertificateHold => "certificateHold",
        CrlReason::RemoveFromCRL => "removeFromCRL",
        CrlReason::PrivilegeWithdrawn => "privilegeWithdrawn",
        CrlReason::AaCompromise => "aACompromise",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_in_decimal_or_hex() {
        assert_eq!(number_text(&[]), "0");
        assert_eq!(number_text(&[0, 0x01, 0x00]), "256");
        assert_eq!(number_text(&[0xff; 17]), format!("0x{}", "ff".repeat(17)));
    }

    #[test]
    fn freshness() {
        assert_eq!(crl_status(5, 10, Some(20)).state, "not_yet_valid");
        assert_eq!(crl_status(15, 10, Some(20)).state, "current");
        assert_eq!(crl_status(25, 10, Some(20)).state, "expired");
        assert_eq!(crl_status(25, 10, None).state, "current");
    }

    #[test]
    fn junk_is_malformed_crl() {
        assert_eq!(CrlInspection::from_der(&[0x30, 0x03, 1, 2, 3], None).unwrap_err().code, Code::MalformedCrl);
        assert_eq!(CrlInspection::from_der(&[], None).unwrap_err().code, Code::MalformedCrl);
    }
}
