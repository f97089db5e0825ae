//! What the server loads from disk: its own identity once at start, and the reloadable trust
//! material (trust store, pinned certificates, CRLs, policy) as one generation.

use std::path::Path;
use std::sync::{Arc, PoisonError, RwLock};

use certgate::{Inspection, Policy, Verifier};
use certgate_rustls::{ClientVerifier, Clock, Mode, SystemClock, VerdictCache};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::sign::CertifiedKey;
use rustls::ServerConfig;

use crate::config::{Config, TlsVersion};

/// The server's certificate and key, checked at start.
#[derive(Debug)]
pub struct Identity {
    key: Arc<CertifiedKey>,
}

impl Identity {
    /// Loads the server's chain and key and fails on anything a client would refuse: no
    /// certificate, a key that does not match it, a leaf that is expired or not yet valid.
    pub fn load(config: &Config, provider: &CryptoProvider, now: u64) -> Result<Self, String> {
        let cert_pem = read(&config.cert, "server certificate")?;
        let chain = CertificateDer::pem_slice_iter(&cert_pem)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| {
                format!(
                    "server certificate {}: invalid PEM ({e})",
                    config.cert.display()
                )
            })?;
        let Some(leaf) = chain.first() else {
            return Err(format!(
                "server certificate {}: no CERTIFICATE block",
                config.cert.display()
            ));
        };
        let inspection = Inspection::from_der(leaf, Some(now)).map_err(|r| {
            format!(
                "server certificate {}: {}",
                config.cert.display(),
                r.message
            )
        })?;
        if let Some(status) = &inspection.status {
            if status.state != "valid" {
                return Err(format!(
                    "server certificate {} is not valid now: {} (valid {} to {})",
                    config.cert.display(),
                    status.summary,
                    inspection.validity.not_before,
                    inspection.validity.not_after
                ));
            }
        }
        let key_pem = read(&config.key, "server private key")?;
        let key = PrivateKeyDer::from_pem_slice(&key_pem).map_err(|e| {
            format!(
                "server private key {}: no usable PEM private key ({e})",
                config.key.display()
            )
        })?;
        let signing_key = provider
            .key_provider
            .load_private_key(key)
            .map_err(|e| format!("server private key {}: {e}", config.key.display()))?;
        let certified = CertifiedKey::new(chain, signing_key);
        certified.keys_match().map_err(|_| {
            format!(
                "server certificate {} and private key {} do not match",
                config.cert.display(),
                config.key.display()
            )
        })?;
        Ok(Self {
            key: Arc::new(certified),
        })
    }
}

/// One generation of trust material and the TLS configuration built on it.
#[derive(Debug)]
pub struct Generation {
    /// Counts reloads from 0.
    pub number: u64,
    /// The client-certificate verifier; also hands verdicts to the HTTP layer.
    pub verifier: Arc<ClientVerifier>,
    /// The rustls configuration new connections are accepted with.
    pub tls: Arc<ServerConfig>,
    /// Route access rules; without a policy `/health` is anonymous and every other route
    /// needs a verified certificate.
    pub policy: Option<Policy>,
}

impl Generation {
    /// Loads the trust store, pinned certificates, CRLs and policy named in `config` and
    /// builds the TLS configuration. Fails with a one-line cause naming the file.
    pub fn load(
        config: &Config,
        number: u64,
        identity: &Identity,
        provider: &Arc<CryptoProvider>,
        cache: &Arc<VerdictCache>,
    ) -> Result<Self, String> {
        let mut settings = certgate::Config::default();
        settings.skew_secs = config.skew_secs;
        let mut builder = Verifier::builder().config(settings);
        if let Some(path) = &config.trust_store {
            let mut bytes = read(path, "trust store")?;
            if config.trust_store_is_pkcs12() {
                let password = config.trust_store_password.as_deref().unwrap_or("");
                let certs = certgate_rustls::pkcs12_certificates(&bytes, password)
                    .map_err(|r| format!("trust store {}: {}", path.display(), r.message))?;
                // Back-to-back DER certificates: a form the core reads.
                bytes = certs
                    .iter()
                    .flat_map(|c| c.as_ref().iter().copied())
                    .collect();
            }
            builder = builder
                .trust(&bytes)
                .map_err(|r| format!("trust store {}: {}", path.display(), r.message))?;
        }
        for path in &config.pinned {
            builder = builder
                .pin(&read(path, "pinned certificate")?)
                .map_err(|r| format!("pinned certificate {}: {}", path.display(), r.message))?;
        }
        for path in &config.crls {
            builder = builder
                .crls(&read(path, "CRL")?)
                .map_err(|r| format!("CRL {}: {}", path.display(), r.message))?;
        }
        let core = builder
            .build()
            .map_err(|r| format!("trust material: {}", r.message))?;
        let policy = match &config.policy {
            Some(path) => {
                let text = String::from_utf8(read(path, "policy")?)
                    .map_err(|_| format!("policy {}: not UTF-8 text", path.display()))?;
                let policy = Policy::from_toml(&text).map_err(|e| {
                    format!(
                        "policy {}: {}",
                        path.display(),
                        e.to_string().replace('\n', " ")
                    )
                })?;
                Some(policy)
            }
            None => None,
        };
        let clock: Arc<dyn Clock> = Arc::new(SystemClock);
        let verifier = Arc::new(
            ClientVerifier::builder(Arc::new(core))
                .mode(config.client_auth)
                .clock(clock)
                .cache(cache.clone())
                .generation(number)
                .provider(provider)
                .build(),
        );
        let versions = versions(config);
        let mut tls = ServerConfig::builder_with_provider(provider.clone())
            .with_protocol_versions(&versions)
            .map_err(|e| format!("TLS configuration: {e}"))?
            .with_client_cert_verifier(verifier.clone())
            .with_cert_resolver(Arc::new(SingleCert(identity.key.clone())));
        tls.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(Self {
            number,
            verifier,
            tls: Arc::new(tls),
            policy,
        })
    }
}

/// The TLS configuration of an extra listener, fixed at start: the server's identity and,
/// when `proxies` is not empty, a required client certificate that must be one of them
/// (pinned: the proxies' own certificates, trusted by themselves). Without proxies it asks
/// for no client certificate: the certificate comes from a header.
pub fn listener_tls(
    config: &Config,
    identity: &Identity,
    provider: &Arc<CryptoProvider>,
    proxies: &[CertificateDer<'static>],
) -> Result<Arc<ServerConfig>, String> {
    let builder = ServerConfig::builder_with_provider(provider.clone())
        .with_protocol_versions(&versions(config))
        .map_err(|e| format!("TLS configuration: {e}"))?;
    let mut tls = if proxies.is_empty() {
        builder
            .with_no_client_auth()
            .with_cert_resolver(Arc::new(SingleCert(identity.key.clone())))
    } else {
        let mut pins = Verifier::builder();
        for proxy in proxies {
            pins = pins
                .pin(proxy.as_ref())
                .map_err(|r| format!("proxy certificate: {}", r.message))?;
        }
        let core = pins
            .build()
            .map_err(|r| format!("proxy certificates: {}", r.message))?;
        let clock: Arc<dyn Clock> = Arc::new(SystemClock);
        let verifier = ClientVerifier::builder(Arc::new(core))
            .mode(Mode::Required)
            .clock(clock)
            .provider(provider)
            .build();
        builder
            .with_client_cert_verifier(Arc::new(verifier))
            .with_cert_resolver(Arc::new(SingleCert(identity.key.clone())))
    };
    tls.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(tls))
}

fn versions(config: &Config) -> Vec<&'static rustls::SupportedProtocolVersion> {
    config
        .tls_versions
        .iter()
        .map(|v| match v {
            TlsVersion::Tls12 => &rustls::version::TLS12,
            TlsVersion::Tls13 => &rustls::version::TLS13,
        })
        .collect()
}

/// The generation in force, swapped whole on reload.
#[derive(Debug)]
pub struct Current(RwLock<Arc<Generation>>);

impl Current {
    /// Starts with `generation`.
    pub fn new(generation: Generation) -> Self {
        Self(RwLock::new(Arc::new(generation)))
    }

    /// The generation in force.
    pub fn get(&self) -> Arc<Generation> {
        // A writer only swaps an Arc; a poisoned lock still holds a complete generation.
        self.0
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Puts a new generation in force.
    pub fn replace(&self, generation: Generation) {
        *self.0.write().unwrap_or_else(PoisonError::into_inner) = Arc::new(generation);
    }
}

/// Always the server's one certificate, whatever the client asked for.
#[derive(Debug)]
struct SingleCert(Arc<CertifiedKey>);

impl rustls::server::ResolvesServerCert for SingleCert {
    fn resolve(&self, _hello: rustls::server::ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        Some(self.0.clone())
    }
}

fn read(path: &Path, what: &str) -> Result<Vec<u8>, String> {
    std::fs::read(path).map_err(|e| format!("cannot read {what} {}: {e}", path.display()))
}
