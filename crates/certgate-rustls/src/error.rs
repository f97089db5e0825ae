//! certgate rejections as rustls errors, code by code, so the peer gets the TLS alert that
//! fits, and back again for logging.

use std::sync::Arc;

use certgate::{Code, Rejection};
use rustls::{CertificateError, OtherError};

/// The rustls error for a rejection. Codes rustls has a variant for map to it (and so to the
/// matching TLS alert: `CERT_EXPIRED` → `certificate_expired`, `UNKNOWN_ISSUER` →
/// `unknown_ca`, `REVOKED` → `certificate_revoked`, `BAD_SIGNATURE` → `decrypt_error`);
/// every other code becomes `CertificateError::Other` carrying the [`Rejection`] itself.
pub fn to_rustls_error(rejection: &Rejection) -> rustls::Error {
    let error = match rejection.code {
        Code::CertExpired => CertificateError::Expired,
        Code::CertNotYetValid => CertificateError::NotValidYet,
        Code::UnknownIssuer => CertificateError::UnknownIssuer,
        Code::Revoked => CertificateError::Revoked,
        Code::BadSignature => CertificateError::BadSignature,
        Code::RevocationStatusUnknown => CertificateError::UnknownRevocationStatus,
        Code::CrlExpired => CertificateError::ExpiredRevocationList,
        Code::NameMismatch => CertificateError::NotValidForName,
        Code::WrongUsage => CertificateError::InvalidPurpose,
        Code::MalformedCertificate => CertificateError::BadEncoding,
        Code::UnsupportedCriticalExtension => CertificateError::UnhandledCriticalExtension,
        _ => CertificateError::Other(OtherError(Arc::new(rejection.clone()))),
    };
    rustls::Error::InvalidCertificate(error)
}

/// The certgate code behind a rustls error, when it concerns the peer's certificate: the
/// inverse of [`to_rustls_error`], plus `NO_CERTIFICATE` for a peer that sent none when one
/// was required. `None` for errors that are not about certificates (a bad record, a
/// protocol version the server refuses, …).
pub fn code_of(error: &rustls::Error) -> Option<Code> {
    match error {
        rustls::Error::NoCertificatesPresented => Some(Code::NoCertificate),
        rustls::Error::InvalidCertificate(error) => {
            Some(match error {
                CertificateError::Expired | CertificateError::ExpiredContext { .. } => {
                    Code::CertExpired
                }
                CertificateError::NotValidYet | CertificateError::NotValidYetContext { .. } => {
                    Code::CertNotYetValid
                }
                CertificateError::UnknownIssuer => Code::UnknownIssuer,
                CertificateError::Revoked => Code::Revoked,
                CertificateError::BadSignature => Code::BadSignature,
                CertificateError::UnknownRevocationStatus => Code::RevocationStatusUnknown,
                CertificateError::ExpiredRevocationList
                | CertificateError::ExpiredRevocationListContext { .. } => Code::CrlExpired,
                CertificateError::NotValidForName
                | CertificateError::NotValidForNameContext { .. } => Code::NameMismatch,
                CertificateError::InvalidPurpose
                | CertificateError::InvalidPurposeContext { .. } => Code::WrongUsage,
                CertificateError::BadEncoding => Code::MalformedCertificate,
                CertificateError::UnhandledCriticalExtension => Code::UnsupportedCriticalExtension,
                CertificateError::UnsupportedSignatureAlgorithmContext { .. }
                | CertificateError::UnsupportedSignatureAlgorithmForPublicKeyContext { .. } => {
                    Code::UnsupportedSignatureAlgorithm
                }
                CertificateError::Other(other) => match other.0.downcast_ref::<Rejection>() {
                    Some(rejection) => rejection.code,
                    None => return None,
                },
                _ => return None,
            })
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_round_trips() {
        for &code in Code::ALL {
            let rejection = Rejection::new(code, Some(0), "test");
            assert_eq!(code_of(&to_rustls_error(&rejection)), Some(code), "{code}");
        }
    }

    #[test]
    fn named_codes_use_rustls_variants() {
        let err = to_rustls_error(&Rejection::new(Code::CertExpired, Some(0), "x"));
        assert_eq!(
            err,
            rustls::Error::InvalidCertificate(CertificateError::Expired)
        );
        let err = to_rustls_error(&Rejection::new(Code::UnknownIssuer, None, "x"));
        assert_eq!(
            err,
            rustls::Error::InvalidCertificate(CertificateError::UnknownIssuer)
        );
        let err = to_rustls_error(&Rejection::new(Code::Revoked, Some(0), "x"));
        assert_eq!(
            err,
            rustls::Error::InvalidCertificate(CertificateError::Revoked)
        );
        let err = to_rustls_error(&Rejection::new(Code::BadSignature, None, "x"));
        assert_eq!(
            err,
            rustls::Error::InvalidCertificate(CertificateError::BadSignature)
        );
        let err = to_rustls_error(&Rejection::new(Code::PathLenExceeded, None, "too long"));
        match err {
            rustls::Error::InvalidCertificate(CertificateError::Other(other)) => {
                assert_eq!(
                    other
                        .0
                        .downcast_ref::<Rejection>()
                        .map(|r| r.message.as_str()),
                    Some("too long")
                );
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn unrelated_errors_have_no_code() {
        assert_eq!(code_of(&rustls::Error::DecryptError), None);
        assert_eq!(
            code_of(&rustls::Error::NoCertificatesPresented),
            Some(Code::NoCertificate)
        );
    }
}
