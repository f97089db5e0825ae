//! certgate's verification core: one X.509 client-certificate verifier for mutual TLS,
//! shared by the native server, the npm package, the inspector page and the CLI.
//!
//! - **Chains**: path building, signatures, name constraints and CRLs on rustls-webpki, plus
//!   pinned certificates, clock-skew tolerance and depth and input limits.
//! - **Rejections**: every failure is one [`Rejection`] with a stable [`Code`], the index of
//!   the certificate concerned and a message that says what to do.
//! - **Inspection**: any certificate decodes into one serialisable [`Inspection`] record.
//!
//! Time and signature algorithms are always parameters: the core never reads a clock, and
//! without the `ring` feature it has no crypto of its own and builds for `no_std` targets.
//!
//! ```
//! # #[cfg(feature = "ring")] {
//! # let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/");
//! # let root_pem = std::fs::read(format!("{dir}root-ca.pem")).unwrap();
//! # let alice_pem = std::fs::read(format!("{dir}alice.pem")).unwrap();
//! # let expired_pem = std::fs::read(format!("{dir}expired.pem")).unwrap();
//! use certgate::{Code, Verifier, VerifyOptions};
//!
//! let verifier = Verifier::builder().trust(&root_pem)?.build()?;
//! let now = 1_780_000_000; // Unix seconds: the caller's clock, never the core's
//!
//! let verified = verifier.verify_pem(&alice_pem, &VerifyOptions::new(now))?;
//! assert_eq!(verified.inspect_leaf()?.subject.common_name(), Some("alice"));
//!
//! let rejection = verifier.verify_pem(&expired_pem, &VerifyOptions::new(now)).unwrap_err();
//! assert_eq!(rejection.code, Code::CertExpired);
//! assert_eq!(rejection.code.as_str(), "CERT_EXPIRED");
//! # }
//! # Ok::<(), certgate::Rejection>(())
//! ```
#![no_std]
#![forbid(unsafe_code)]
#![deny(missing_docs)]

extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

mod candidates;
mod cidr;
mod crl;
mod csr;
mod error;
mod forwarded;
mod inspect;
mod name;
mod pem;
pub mod policy;
mod profile;
pub mod time;
mod usage;
mod verify;

pub use cidr::Cidr;
pub use crl::{CrlInspection, CrlStatus, RevokedEntry, MAX_LISTED_ENTRIES};
pub use csr::{CsrInspection, MAX_CSR_ITEMS};
pub use error::{Code, Rejection};
pub use forwarded::{
    decode_forwarded, forwarded_chain, parse_forwarded, Forwarded, ForwardedFormat, KNOWN_FORWARDED_HEADERS,
    MAX_FORWARDED_BYTES, MAX_FORWARDED_LINES, RFC9440_CHAIN_HEADER,
};
pub use inspect::{
    hex, sha256_hex, validity_status, BasicConstraintsInfo, ExtensionInfo, Fingerprints, Inspection,
    PublicKey, SubjectAltNames, Validity, ValidityStatus,
};
pub use name::{DistinguishedName, NameAttribute};
pub use pem::{parse_bundle, parse_chain, parse_crls, Limits};
pub use policy::{Decision, Identity, Policy, PolicyError};
pub use profile::{Profile, PublicSuffixes};
pub use usage::Usage;
pub use verify::{Config, RevocationConfig, Verified, Verifier, VerifierBuilder, VerifyOptions};

/// Re-exported so callers can pass DER and signature algorithms without naming the crates.
pub use rustls_pki_types::{CertificateDer, CertificateRevocationListDer, SignatureVerificationAlgorithm};
/// rustls-webpki, on which path validation is built (its `ring` algorithms with the `ring` feature).
pub use webpki;

/// The repository README's Rust example, compiled and run as a doctest.
#[doc = include_str!("../../../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
