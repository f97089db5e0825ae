//! The client-certificate verifier for rustls servers.

use std::fmt;
use std::sync::Arc;

use certgate::{CertificateDer, Code, Rejection, Verified, Verifier, VerifyOptions};
use rustls::client::danger::HandshakeSignatureValid;
use rustls::crypto::{
    verify_tls12_signature, verify_tls13_signature, CryptoProvider, WebPkiSupportedAlgorithms,
};
use rustls::pki_types::UnixTime;
use rustls::server::danger::{ClientCertVerified, ClientCertVerifier};
use rustls::{CertificateError, DigitallySignedStruct, DistinguishedName, SignatureScheme};

use crate::cache::{chain_key, VerdictCache};
use crate::clock::{Clock, SystemClock};
use crate::error::to_rustls_error;

/// What the application learns about a connection's client certificate: the verified chain,
/// or why it was refused (`NO_CERTIFICATE` when none was presented).
pub type Verdict = Result<Arc<Verified>, Rejection>;

/// How the handshake treats client certificates.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Mode {
    /// A valid client certificate is required: a missing or bad one fails the handshake.
    #[default]
    Required,
    /// A client certificate is asked for but not required: none is fine, a bad one fails
    /// the handshake.
    Optional,
    /// Any well-formed certificate, or none, completes the handshake (the handshake
    /// signature is still checked); the application reads the [`Verdict`] and answers
    /// 401/403 with its code.
    Deferred,
}

impl Mode {
    /// The mode's name as written in configuration: `required`, `optional`, `deferred`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Required => "required",
            Self::Optional => "optional",
            Self::Deferred => "deferred",
        }
    }
}

impl fmt::Display for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A [`ClientCertVerifier`] backed by a [`certgate::Verifier`].
pub struct ClientVerifier {
    core: Arc<Verifier>,
    mode: Mode,
    clock: Arc<dyn Clock>,
    cache: Option<Arc<VerdictCache>>,
    generation: u64,
    hints: Vec<DistinguishedName>,
    algs: WebPkiSupportedAlgorithms,
}

/// Configures a [`ClientVerifier`]; see [`ClientVerifier::builder`].
pub struct ClientVerifierBuilder {
    core: Arc<Verifier>,
    mode: Mode,
    clock: Arc<dyn Clock>,
    cache: Option<Arc<VerdictCache>>,
    generation: u64,
    algs: WebPkiSupportedAlgorithms,
}

impl ClientVerifier {
    /// A builder: required mode, the system clock, no cache, generation 0 and the ring
    /// provider's handshake signature algorithms unless set otherwise.
    pub fn builder(core: Arc<Verifier>) -> ClientVerifierBuilder {
        ClientVerifierBuilder {
            core,
            mode: Mode::Required,
            clock: Arc::new(SystemClock),
            cache: None,
            generation: 0,
            algs: rustls::crypto::ring::default_provider().signature_verification_algorithms,
        }
    }

    /// The certgate verifier behind this adapter.
    pub fn core(&self) -> &Arc<Verifier> {
        &self.core
    }

    /// The client-authentication mode.
    pub fn mode(&self) -> Mode {
        self.mode
    }

    /// The configuration generation this verifier's cache entries belong to.
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// The clock verdicts are reached with.
    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.clock
    }

    /// The verdict for a connection's peer certificates, as rustls hands them back
    /// (`ServerConnection::peer_certificates()`): from the cache when the handshake (or an
    /// earlier connection) already reached it, verified now otherwise.
    pub fn verdict(&self, peer_certificates: Option<&[CertificateDer<'_>]>) -> Verdict {
        match peer_certificates {
            Some(chain) if !chain.is_empty() => self.verify_chain(chain),
            _ => Err(Rejection::new(
                Code::NoCertificate,
                None,
                "no client certificate was presented; configure the client to send one",
            )),
        }
    }

    /// Verifies a presented chain (leaf first) at the clock's time, through the cache.
    pub fn verify_chain(&self, chain: &[CertificateDer<'_>]) -> Verdict {
        let now = self.clock.now();
        let Some(cache) = &self.cache else {
            return self
                .core
                .verify(chain, &VerifyOptions::new(now))
                .map(Arc::new);
        };
        let key = chain_key(chain);
        if let Some(verdict) = cache.get(&key, self.generation, now) {
            return verdict;
        }
        let verdict = self
            .core
            .verify(chain, &VerifyOptions::new(now))
            .map(Arc::new);
        cache.insert(
            key,
            self.generation,
            now,
            self.core.config().skew_secs,
            &verdict,
        );
        verdict
    }
}

impl fmt::Debug for ClientVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientVerifier")
            .field("core", &self.core)
            .field("mode", &self.mode)
            .field("clock", &self.clock)
            .field("cache", &self.cache.as_ref().map(|c| c.len()))
            .field("generation", &self.generation)
            .finish()
    }
}

impl ClientCertVerifier for ClientVerifier {
    fn offer_client_auth(&self) -> bool {
        true
    }

    fn client_auth_mandatory(&self) -> bool {
        self.mode == Mode::Required
    }

    fn root_hint_subjects(&self) -> &[DistinguishedName] {
        &self.hints
    }

    fn verify_client_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        _now: UnixTime,
    ) -> Result<ClientCertVerified, rustls::Error> {
        // The certificate must parse as an end-entity certificate whatever the mode: rustls
        // checks the handshake signature with its public key next. In required and optional
        // modes the core's verification already refuses an unparsable leaf
        // (MALFORMED_CERTIFICATE → BadEncoding), so only deferred mode parses it separately.
        if self.mode == Mode::Deferred
            && certgate::webpki::EndEntityCert::try_from(end_entity).is_err()
        {
            return Err(rustls::Error::InvalidCertificate(
                CertificateError::BadEncoding,
            ));
        }
        let mut chain = Vec::with_capacity(1 + intermediates.len());
        chain.push(end_entity.clone());
        chain.extend(intermediates.iter().cloned());
        match (self.verify_chain(&chain), self.mode) {
            (Ok(_), _) | (Err(_), Mode::Deferred) => Ok(ClientCertVerified::assertion()),
            (Err(rejection), Mode::Required | Mode::Optional) => Err(to_rustls_error(&rejection)),
        }
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

impl ClientVerifierBuilder {
    /// Sets the client-authentication mode.
    pub fn mode(mut self, mode: Mode) -> Self {
        self.mode = mode;
        self
    }

    /// Sets the clock verdicts are reached with.
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Shares a verdict cache (e.g. across configuration reloads, with a new generation each).
    pub fn cache(mut self, cache: Arc<VerdictCache>) -> Self {
        self.cache = Some(cache);
        self
    }

    /// Sets the configuration generation: cache entries of other generations are misses.
    pub fn generation(mut self, generation: u64) -> Self {
        self.generation = generation;
        self
    }

    /// Uses a crypto provider's algorithms for handshake signatures.
    pub fn provider(mut self, provider: &CryptoProvider) -> Self {
        self.algs = provider.signature_verification_algorithms;
        self
    }

    /// Builds the verifier.
    ///
    /// In required and optional mode the CertificateRequest names the trust anchors, so
    /// clients offer a matching certificate. In deferred mode it names none, so a browser
    /// offers every certificate it has and its user can learn why one is refused.
    pub fn build(self) -> ClientVerifier {
        let hints = match self.mode {
            Mode::Deferred => Vec::new(),
            Mode::Required | Mode::Optional => self
                .core
                .anchors()
                .iter()
                .filter_map(|der| certgate::webpki::anchor_from_trusted_cert(der).ok())
                .map(|anchor| DistinguishedName::in_sequence(&anchor.subject))
                .collect(),
        };
        ClientVerifier {
            core: self.core,
            mode: self.mode,
            clock: self.clock,
            cache: self.cache,
            generation: self.generation,
            hints,
            algs: self.algs,
        }
    }
}

impl fmt::Debug for ClientVerifierBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientVerifierBuilder")
            .field("mode", &self.mode)
            .field("generation", &self.generation)
            .finish_non_exhaustive()
    }
}
