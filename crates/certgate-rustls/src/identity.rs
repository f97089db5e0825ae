//! The client side of an mTLS API: a client identity (certificate chain and key) from PEM
//! or PKCS#12, and a rustls `ClientConfig` that presents it and trusts a private CA through
//! certgate's [`ServerVerifier`].

use std::sync::Arc;

use certgate::{Code, Rejection, Verifier};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::ClientConfig;

use crate::server::ServerVerifier;

/// A client certificate chain (leaf first) and its private key.
pub struct ClientIdentity {
    chain: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
}

impl ClientIdentity {
    /// From a PEM chain (leaf first) and a PEM private key (PKCS#8, PKCS#1 or SEC1).
    pub fn from_pem(chain_pem: &[u8], key_pem: &[u8]) -> Result<Self, Rejection> {
        let chain = certgate::parse_chain(chain_pem, &certgate::Limits::default())?;
        let key = PrivateKeyDer::from_pem_slice(key_pem).map_err(|e| {
            Rejection::new(
                Code::MalformedPem,
                None,
                format!("no usable PEM private key: {e}"),
            )
        })?;
        Ok(Self { chain, key })
    }

    /// From a PKCS#12 (`.p12`/`.pfx`) file and its password, as Java key stores and
    /// browsers export them: the key, then its certificate (the one with the key's local key
    /// id) and that certificate's issuers, then any other certificates.
    ///
    /// Read by certgate-pkcs12, as the CLI and the inspector read it: the key-derivation work
    /// is bounded before the password is tried. A file that cannot be read is
    /// [`Code::InvalidConfig`] with a message that starts with the reader's stable code
    /// (`PKCS12_WRONG_PASSWORD: …`, `MALFORMED_PKCS12: …`, `UNSUPPORTED_PKCS12: …`).
    #[cfg(feature = "pkcs12")]
    pub fn from_pkcs12(data: &[u8], password: &str) -> Result<Self, Rejection> {
        let contents = open_pkcs12(data, password)?;
        let [key] = contents.keys.as_slice() else {
            return Err(Rejection::new(
                Code::InvalidConfig,
                None,
                format!(
                    "the PKCS#12 file holds {} private keys; a client identity needs exactly one",
                    contents.keys.len()
                ),
            ));
        };
        if contents.certs.is_empty() {
            return Err(Rejection::new(
                Code::NoCertificate,
                None,
                "the PKCS#12 file holds no certificate",
            ));
        }
        Ok(Self {
            chain: contents
                .chain_for(key)
                .into_iter()
                .map(CertificateDer::from)
                .collect(),
            key: PrivateKeyDer::Pkcs8(rustls::pki_types::PrivatePkcs8KeyDer::from(
                key.pkcs8.clone(),
            )),
        })
    }

    /// The certificate chain, leaf first.
    pub fn chain(&self) -> &[CertificateDer<'static>] {
        &self.chain
    }
}

impl std::fmt::Debug for ClientIdentity {
    /// The key is never printed.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientIdentity")
            .field("certificates", &self.chain.len())
            .finish_non_exhaustive()
    }
}

/// Every certificate in a PKCS#12 trust store (Java's `trustedCertEntry`s and any other
/// certificate bag), DER, in file order.
#[cfg(feature = "pkcs12")]
pub fn pkcs12_certificates(
    data: &[u8],
    password: &str,
) -> Result<Vec<CertificateDer<'static>>, Rejection> {
    let contents = open_pkcs12(data, password)?;
    if contents.certs.is_empty() {
        return Err(Rejection::new(
            Code::NoCertificate,
            None,
            "the PKCS#12 file holds no certificate",
        ));
    }
    Ok(contents
        .certs
        .into_iter()
        .map(|c| CertificateDer::from(c.der))
        .collect())
}

/// A rustls client configuration for an mTLS API behind a private CA: the server is verified
/// by certgate (`trust`, serverAuth, the dialled name) and `identity`, when given, is
/// presented as the client certificate.
pub fn client_config(
    trust: Arc<Verifier>,
    identity: Option<ClientIdentity>,
) -> Result<ClientConfig, rustls::Error> {
    let builder = ClientConfig::builder()
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(ServerVerifier::new(trust)));
    match identity {
        Some(identity) => builder.with_client_auth_cert(identity.chain, identity.key),
        None => Ok(builder.with_no_client_auth()),
    }
}

/// Opens a PKCS#12 file with certgate-pkcs12; its error, code first, becomes the message.
#[cfg(feature = "pkcs12")]
fn open_pkcs12(data: &[u8], password: &str) -> Result<certgate_pkcs12::Contents, Rejection> {
    certgate_pkcs12::read(data, password)
        .map_err(|e| Rejection::new(Code::InvalidConfig, None, e.to_string()))
}
