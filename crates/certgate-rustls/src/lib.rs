//! rustls certificate verifiers backed by the certgate core, so any rustls server (hyper,
//! axum, tonic) or client verifies peers with certgate's rules and rejection codes.
//!
//! - [`ClientVerifier`]: a [`rustls::server::danger::ClientCertVerifier`] with three modes
//!   ([`Mode`]):
//!   - **required**: a missing or bad client certificate fails the handshake with the TLS
//!     alert that fits (expired → `certificate_expired`, unknown CA → `unknown_ca`, …);
//!   - **optional**: no certificate is fine; a bad one fails the handshake;
//!   - **deferred**: the handshake accepts any well-formed certificate (the peer still has to
//!     prove it holds the key: **the handshake signature is always checked**), and the
//!     application reads the verdict with [`ClientVerifier::verdict`] and answers 401/403 with
//!     the rejection code, so a browser user can see why.
//! - [`ServerVerifier`]: a [`rustls::client::danger::ServerCertVerifier`] for clients of mTLS
//!   APIs that trust a private CA.
//! - [`ClientIdentity`] and [`client_config`]: the client side of an mTLS API — an identity
//!   from PEM or (feature `pkcs12`) PKCS#12, presented to a server verified by certgate.
//! - [`VerdictCache`]: verdicts keyed by the SHA-256 of the presented chain, so the application
//!   does not verify a chain twice and a returning client skips path building. Entries carry
//!   the earliest notAfter of the verified path and the configuration generation, so a hit is
//!   never served past expiry or across a reload.
//!
//! Time comes from a [`Clock`] the adapter is given; the core never reads one.
//!
//! ```
//! use std::sync::Arc;
//! use certgate_rustls::{ClientVerifier, Mode, SystemClock, VerdictCache};
//!
//! # fn demo(root_pem: &[u8]) -> Result<(), Box<dyn std::error::Error>> {
//! let core = certgate::Verifier::builder().trust(root_pem)?.build()?;
//! let verifier = Arc::new(
//!     ClientVerifier::builder(Arc::new(core))
//!         .mode(Mode::Deferred)
//!         .clock(Arc::new(SystemClock))
//!         .cache(Arc::new(VerdictCache::new(10_000)))
//!         .build(),
//! );
//! let config = rustls::ServerConfig::builder()
//!     .with_client_cert_verifier(verifier.clone());
//! // … .with_single_cert(chain, key)?; after the handshake:
//! // let verdict = verifier.verdict(connection.peer_certificates());
//! # let _ = config; Ok(()) }
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod cache;
mod client;
mod clock;
mod error;
mod identity;
mod server;

pub use cache::{chain_key, ChainKey, VerdictCache};
pub use client::{ClientVerifier, ClientVerifierBuilder, Mode, Verdict};
pub use clock::{Clock, FixedClock, SystemClock};
pub use error::{code_of, to_rustls_error};
#[cfg(feature = "pkcs12")]
pub use identity::pkcs12_certificates;
pub use identity::{client_config, ClientIdentity};
pub use server::ServerVerifier;
