//! The one rejection type: a stable machine code, the certificate it concerns, and a
//! human message that says what is wrong and what to do.

use alloc::string::String;
use core::fmt;

/// A stable, machine-readable reason for a rejection.
///
/// The string form ([`Code::as_str`]) is part of certgate's public contract: it reaches the
/// CLI's JSON, the server's HTTP body and access log, the JavaScript error's `code` and the
/// inspector page. Codes are never renamed; new ones may be added.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Code {
    /// No certificate was presented.
    NoCertificate,
    /// Input was not valid PEM (bad base64, a missing END line).
    MalformedPem,
    /// A certificate is not valid DER or not a well-formed X.509 v3 certificate.
    MalformedCertificate,
    /// A certificate extension is malformed or has an invalid value.
    MalformedExtension,
    /// Input exceeds the configured size limit.
    InputTooLarge,
    /// Input holds more certificates (or PEM blocks) than the configured limit.
    TooManyCertificates,
    /// A certificate's validity period ended before the check time.
    CertExpired,
    /// A certificate's validity period starts after the check time.
    CertNotYetValid,
    /// A certificate's notAfter is before its notBefore.
    InvalidValidity,
    /// No path from the certificate to a trust anchor could be built.
    UnknownIssuer,
    /// A signature does not verify with the issuer's public key.
    BadSignature,
    /// A signature uses an algorithm that is not enabled, or does not fit the issuer's key.
    UnsupportedSignatureAlgorithm,
    /// The outer signature algorithm differs from the one inside the signed part.
    SignatureAlgorithmMismatch,
    /// A certificate in the path is revoked by a CRL.
    Revoked,
    /// No CRL covers a certificate whose revocation status must be known.
    RevocationStatusUnknown,
    /// A CRL needed for the check is past its nextUpdate time.
    CrlExpired,
    /// A CRL is not valid DER, or has an invalid field.
    MalformedCrl,
    /// A CRL uses a feature certgate does not support (delta, indirect, partitioned CRLs).
    UnsupportedCrl,
    /// A CRL's signature does not verify with its issuer's public key.
    CrlBadSignature,
    /// A CRL's issuer may not sign CRLs (its key usage lacks cRLSign).
    CrlIssuerNotCrlSigner,
    /// The certificate's extended key usage does not allow the requested purpose.
    WrongUsage,
    /// The certificate is not valid for the expected DNS name or IP address.
    NameMismatch,
    /// The path is longer than the configured maximum depth.
    ChainTooLong,
    /// A CA certificate was presented as the leaf.
    CaUsedAsLeaf,
    /// An end-entity certificate was used to issue another certificate.
    LeafUsedAsCa,
    /// A certificate violates a name constraint of an issuer.
    NameConstraintViolation,
    /// A certificate violates an issuer's path-length constraint.
    PathLenExceeded,
    /// A certificate carries a critical extension certgate does not understand.
    UnsupportedCriticalExtension,
    /// A certificate's serial number is invalid (negative, zero, too long).
    InvalidSerialNumber,
    /// A certificate is not X.509 version 3.
    UnsupportedVersion,
    /// A certificate's key is explicitly distrusted.
    Distrusted,
    /// A certificate breaks an RFC 5280 profile rule enforced by the strict profile.
    ProfileViolation,
    /// Path building exceeded its work budget (too many candidate paths or signatures).
    BudgetExceeded,
    /// The expected peer name is not a valid DNS name or IP address.
    InvalidPeerName,
    /// Trust material or configuration is unusable (raised at load time, never per request).
    InvalidConfig,
    /// A policy document is invalid (raised at load time, never per request).
    InvalidPolicy,
    /// A verified certificate matched no rule that admits it.
    PolicyNoMatch,
    /// A verified certificate lacks a role that the route requires.
    RoleMissing,
}

impl Code {
    /// Every code, in declaration order.
    pub const ALL: &'static [Code] = &[
        Self::NoCertificate,
        Self::MalformedPem,
        Self::MalformedCertificate,
        Self::MalformedExtension,
        Self::InputTooLarge,
        Self::TooManyCertificates,
        Self::CertExpired,
        Self::CertNotYetValid,
        Self::InvalidValidity,
        Self::UnknownIssuer,
        Self::BadSignature,
        Self::UnsupportedSignatureAlgorithm,
        Self::SignatureAlgorithmMismatch,
        Self::Revoked,
        Self::RevocationStatusUnknown,
        Self::CrlExpired,
        Self::MalformedCrl,
        Self::UnsupportedCrl,
        Self::CrlBadSignature,
        Self::CrlIssuerNotCrlSigner,
        Self::WrongUsage,
        Self::NameMismatch,
        Self::ChainTooLong,
        Self::CaUsedAsLeaf,
        Self::LeafUsedAsCa,
        Self::NameConstraintViolation,
        Self::PathLenExceeded,
        Self::UnsupportedCriticalExtension,
        Self::InvalidSerialNumber,
        Self::UnsupportedVersion,
        Self::Distrusted,
        Self::ProfileViolation,
        Self::BudgetExceeded,
        Self::InvalidPeerName,
        Self::InvalidConfig,
        Self::InvalidPolicy,
        Self::PolicyNoMatch,
        Self::RoleMissing,
    ];

    /// The stable SCREAMING_SNAKE string for this code.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::NoCertificate => "NO_CERTIFICATE",
            Self::MalformedPem => "MALFORMED_PEM",
            Self::MalformedCertificate => "MALFORMED_CERTIFICATE",
            Self::MalformedExtension => "MALFORMED_EXTENSION",
            Self::InputTooLarge => "INPUT_TOO_LARGE",
            Self::TooManyCertificates => "TOO_MANY_CERTIFICATES",
            Self::CertExpired => "CERT_EXPIRED",
            Self::CertNotYetValid => "CERT_NOT_YET_VALID",
            Self::InvalidValidity => "INVALID_VALIDITY",
            Self::UnknownIssuer => "UNKNOWN_ISSUER",
            Self::BadSignature => "BAD_SIGNATURE",
            Self::UnsupportedSignatureAlgorithm => "UNSUPPORTED_SIGNATURE_ALGORITHM",
            Self::SignatureAlgorithmMismatch => "SIGNATURE_ALGORITHM_MISMATCH",
            Self::Revoked => "REVOKED",
            Self::RevocationStatusUnknown => "REVOCATION_STATUS_UNKNOWN",
            Self::CrlExpired => "CRL_EXPIRED",
            Self::MalformedCrl => "MALFORMED_CRL",
            Self::UnsupportedCrl => "UNSUPPORTED_CRL",
            Self::CrlBadSignature => "CRL_BAD_SIGNATURE",
            Self::CrlIssuerNotCrlSigner => "CRL_ISSUER_NOT_CRL_SIGNER",
            Self::WrongUsage => "WRONG_USAGE",
            Self::NameMismatch => "NAME_MISMATCH",
            Self::ChainTooLong => "CHAIN_TOO_LONG",
            Self::CaUsedAsLeaf => "CA_USED_AS_LEAF",
            Self::LeafUsedAsCa => "LEAF_USED_AS_CA",
            Self::NameConstraintViolation => "NAME_CONSTRAINT_VIOLATION",
            Self::PathLenExceeded => "PATH_LEN_EXCEEDED",
            Self::UnsupportedCriticalExtension => "UNSUPPORTED_CRITICAL_EXTENSION",
            Self::InvalidSerialNumber => "INVALID_SERIAL_NUMBER",
            Self::UnsupportedVersion => "UNSUPPORTED_VERSION",
            Self::Distrusted => "DISTRUSTED",
            Self::ProfileViolation => "PROFILE_VIOLATION",
            Self::BudgetExceeded => "BUDGET_EXCEEDED",
            Self::InvalidPeerName => "INVALID_PEER_NAME",
            Self::InvalidConfig => "INVALID_CONFIG",
            Self::InvalidPolicy => "INVALID_POLICY",
            Self::PolicyNoMatch => "POLICY_NO_MATCH",
            Self::RoleMissing => "ROLE_MISSING",
        }
    }

    /// The code for a stable string, if it names one.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|code| code.as_str() == name)
    }

    /// The HTTP status an HTTP surface answers with for this code:
    /// 401 when no certificate was presented, 500 for configuration errors, 403 otherwise.
    pub const fn http_status(self) -> u16 {
        match self {
            Self::NoCertificate => 401,
            Self::InvalidConfig | Self::InvalidPolicy => 500,
            _ => 403,
        }
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl serde::Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// Why certgate refused a certificate, a chain, an input or a configuration.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Rejection {
    /// The stable machine code.
    pub code: Code,
    /// Index of the certificate concerned in the presented chain (0 = leaf), when known.
    #[serde(rename = "certIndex")]
    pub cert_index: Option<usize>,
    /// A human message: what is wrong and, where it helps, what to do.
    pub message: String,
}

impl Rejection {
    /// A rejection with a code, the certificate concerned and a message.
    pub fn new(code: Code, cert_index: Option<usize>, message: impl Into<String>) -> Self {
        Self {
            code,
            cert_index,
            message: message.into(),
        }
    }
}

impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

#[cfg(feature = "std")]
impl std::error::Error for Rejection {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_are_unique() {
        for (i, code) in Code::ALL.iter().enumerate() {
            assert_eq!(Code::from_name(code.as_str()), Some(*code));
            for other in &Code::ALL[i + 1..] {
                assert_ne!(code.as_str(), other.as_str());
            }
        }
    }
}
