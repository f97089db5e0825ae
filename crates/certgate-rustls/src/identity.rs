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
    /// browsers export them: the key, the certificate with its local key id, then the others.
    #[cfg(feature = "pkcs12")]
    pub fn from_pkcs12(data: &[u8], password: &str) -> Result<Self, Rejection> {
        let archive = open_pkcs12(data, password)?;
        let [key] = archive.keys.as_slice() else {
            return Err(Rejection::new(
                Code::InvalidConfig,
                None,
                format!(
                    "the PKCS#12 file holds {} private keys; a client identity needs exactly one",
                    archive.keys.len()
                ),
            ));
        };
        let id = key.local_key_id.as_ref().map(|id| id.0.as_slice());
        let leaf = archive
            .certs
            .iter()
            .position(|c| id.is_some() && c.local_key_id.as_deref() == id)
            .or_else(|| (!archive.certs.is_empty()).then_some(0))
            .ok_or_else(|| {
                Rejection::new(
                    Code::NoCertificate,
                    None,
                    "the PKCS#12 file holds no certificate",
                )
            })?;
        let mut chain = vec![CertificateDer::from(
            archive.certs[leaf].cert.as_der().to_vec(),
        )];
        chain.extend(
            archive
                .certs
                .iter()
                .enumerate()
                .filter(|(i, _)| *i != leaf)
                .map(|(_, c)| CertificateDer::from(c.cert.as_der().to_vec())),
        );
        Ok(Self {
            chain,
            key: PrivateKeyDer::Pkcs8(rustls::pki_types::PrivatePkcs8KeyDer::from(
                key.key.as_der().to_vec(),
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
    let archive = open_pkcs12(data, password)?;
    if archive.certs.is_empty() {
        return Err(Rejection::new(
            Code::NoCertificate,
            None,
            "the PKCS#12 file holds no certificate",
        ));
    }
    Ok(archive
        .certs
        .iter()
        .map(|c| CertificateDer::from(c.cert.as_der().to_vec()))
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

#[cfg(feature = "pkcs12")]
fn open_pkcs12(data: &[u8], password: &str) -> Result<p12_keystore::Pkcs12Archive, Rejection> {
    use p12_keystore::error::Error as E;
    p12_keystore::Pkcs12Archive::from_pkcs12(data, password).map_err(|e| {
        let message = match e {
            E::MacError(_) => {
                String::from("wrong password: the PKCS#12 integrity check (MAC) fails")
            }
            E::Pkcs5Error(_) | E::UnpadError => {
                String::from("wrong password: the PKCS#12 contents do not decrypt")
            }
            other => format!("not a readable PKCS#12 file: {other}"),
        };
        Rejection::new(Code::InvalidConfig, None, message)
    })
}
