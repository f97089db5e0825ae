//! The server-certificate verifier for rustls clients of mTLS APIs behind a private CA.

use std::fmt;
use std::net::IpAddr;
use std::sync::Arc;

use certgate::{CertificateDer, Usage, Verifier, VerifyOptions};
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{
    verify_tls12_signature, verify_tls13_signature, CryptoProvider, WebPkiSupportedAlgorithms,
};
use rustls::pki_types::{ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};

use crate::clock::{Clock, SystemClock};
use crate::error::to_rustls_error;

/// A [`ServerCertVerifier`] backed by a [`certgate::Verifier`]: the server's chain must lead
/// to a trust anchor (or be pinned), allow serverAuth and name the host the client dialled.
pub struct ServerVerifier {
    core: Arc<Verifier>,
    clock: Arc<dyn Clock>,
    algs: WebPkiSupportedAlgorithms,
}

impl ServerVerifier {
    /// A verifier on the system clock with the ring provider's handshake signature algorithms.
    pub fn new(core: Arc<Verifier>) -> Self {
        Self {
            core,
            clock: Arc::new(SystemClock),
            algs: rustls::crypto::ring::default_provider().signature_verification_algorithms,
        }
    }

    /// Sets the clock.
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Uses a crypto provider's algorithms for handshake signatures.
    pub fn with_provider(mut self, provider: &CryptoProvider) -> Self {
        self.algs = provider.signature_verification_algorithms;
        self
    }
}

impl fmt::Debug for ServerVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServerVerifier")
            .field("core", &self.core)
            .field("clock", &self.clock)
            .finish_non_exhaustive()
    }
}

impl ServerCertVerifier for ServerVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let name = match server_name {
            ServerName::DnsName(name) => name.as_ref().to_owned(),
            ServerName::IpAddress(ip) => IpAddr::from(*ip).to_string(),
            // ServerName is non-exhaustive: a name kind certgate cannot check is refused.
            _ => {
                return Err(rustls::Error::InvalidCertificate(
                    rustls::CertificateError::NotValidForName,
                ))
            }
        };
        let mut chain = Vec::with_capacity(1 + intermediates.len());
        chain.push(end_entity.clone());
        chain.extend(intermediates.iter().cloned());
        let options = VerifyOptions::new(self.clock.now())
            .usage(Usage::ServerAuth)
            .peer_name(&name);
        self.core
            .verify(&chain, &options)
            .map(|_| ServerCertVerified::assertion())
            .map_err(|rejection| to_rustls_error(&rejection))
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(message, cert, dss, &self.algs)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(message, cert, dss, &self.algs)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algs.supported_schemes()
    }
}
