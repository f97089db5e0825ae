//! A small PKI made with rcgen at test time: CAs that issue client and server certificates
//! and CRLs, with validity windows placed around a base time the test chooses (a fixed time
//! for in-process tests, the wall clock for tests that drive curl and openssl).
//!
//! Shared by certgate-rustls' tests and certgate-server's (which include it by path).
#![allow(dead_code)] // each test crate uses a different subset

use std::time::Duration;

use rcgen::{
    date_time_ymd, BasicConstraints, CertificateParams, CertificateRevocationListParams, DnType,
    ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair, KeyUsagePurpose, RevocationReason,
    RevokedCertParams, SerialNumber,
};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

pub const DAY: u64 = 86_400;

/// Unix seconds as rcgen's date type (a macro: the type belongs to a crate the tests do not
/// name).
macro_rules! at {
    ($unix:expr) => {
        date_time_ymd(1970, 1, 1) + Duration::from_secs($unix)
    };
}

/// A validity window in Unix seconds.
#[derive(Clone, Copy, Debug)]
pub struct Window {
    pub not_before: u64,
    pub not_after: u64,
}

impl Window {
    /// Valid from `days_before` days before `base` until `days_after` days after it.
    pub fn around(base: u64, days_before: u64, days_after: u64) -> Self {
        Self {
            not_before: base - days_before * DAY,
            not_after: base + days_after * DAY,
        }
    }

    /// Expired: valid from 400 days before `base` until one day before it.
    pub fn expired(base: u64) -> Self {
        Self {
            not_before: base - 400 * DAY,
            not_after: base - DAY,
        }
    }
}

/// A certificate authority that can issue certificates and CRLs.
pub struct Ca {
    params: CertificateParams,
    key: KeyPair,
    pub cert: CertificateDer<'static>,
    next_serial: u64,
}

/// A certificate chain (leaf first, issuing CA last) and its private key.
pub struct Identity {
    pub chain: Vec<CertificateDer<'static>>,
    pub key_pem: String,
    key_der: Vec<u8>,
    pub serial: u64,
}

impl Ca {
    /// A self-signed root CA named `cn`.
    pub fn root(cn: &str, window: Window) -> Self {
        let key = KeyPair::generate().expect("generate CA key");
        let params = ca_params(cn, window);
        let cert = params
            .self_signed(&key)
            .expect("self-sign CA")
            .der()
            .clone();
        Self {
            params,
            key,
            cert,
            next_serial: 100,
        }
    }

    /// The CA certificate as PEM.
    pub fn cert_pem(&self) -> String {
        pem("CERTIFICATE", &self.cert)
    }

    /// An intermediate CA signed by this one.
    pub fn intermediate(&mut self, cn: &str, window: Window) -> Ca {
        let key = KeyPair::generate().expect("generate intermediate key");
        let mut params = ca_params(cn, window);
        params.serial_number = Some(SerialNumber::from(self.serial()));
        params.use_authority_key_identifier_extension = true;
        let cert = params
            .signed_by(&key, &Issuer::from_params(&self.params, &self.key))
            .expect("sign intermediate")
            .der()
            .clone();
        Ca {
            params,
            key,
            cert,
            next_serial: 100,
        }
    }

    /// A client certificate (clientAuth) with common name `cn`.
    pub fn client(&mut self, cn: &str, window: Window) -> Identity {
        self.leaf(cn, Vec::new(), ExtendedKeyUsagePurpose::ClientAuth, window)
    }

    /// A server certificate (serverAuth) for `names` (DNS names or IP addresses).
    pub fn server(&mut self, names: &[&str], window: Window) -> Identity {
        let names = names.iter().map(|n| n.to_string()).collect();
        self.leaf(
            "certgate test server",
            names,
            ExtendedKeyUsagePurpose::ServerAuth,
            window,
        )
    }

    /// A CRL (PEM) revoking these serial numbers, valid from `this_update` for `days` days.
    pub fn crl_pem(&self, revoked: &[u64], this_update: u64, days: u64) -> String {
        let crl = CertificateRevocationListParams {
            this_update: at!(this_update),
            next_update: at!(this_update + days * DAY),
            crl_number: SerialNumber::from(this_update),
            issuing_distribution_point: None,
            revoked_certs: revoked
                .iter()
                .map(|&serial| RevokedCertParams {
                    serial_number: SerialNumber::from(serial),
                    revocation_time: at!(this_update),
                    reason_code: Some(RevocationReason::KeyCompromise),
                    invalidity_date: None,
                })
                .collect(),
            key_identifier_method: self.params.key_identifier_method.clone(),
        }
        .signed_by(&Issuer::from_params(&self.params, &self.key))
        .expect("sign CRL");
        crl.pem().expect("CRL PEM")
    }

    fn serial(&mut self) -> u64 {
        self.next_serial += 1;
        self.next_serial
    }

    fn leaf(
        &mut self,
        cn: &str,
        names: Vec<String>,
        eku: ExtendedKeyUsagePurpose,
        window: Window,
    ) -> Identity {
        let key = KeyPair::generate().expect("generate leaf key");
        let mut params = CertificateParams::new(names).expect("leaf names");
        params.distinguished_name.push(DnType::CommonName, cn);
        params
            .distinguished_name
            .push(DnType::OrganizationName, "certgate tests");
        params.not_before = at!(window.not_before);
        params.not_after = at!(window.not_after);
        let serial = self.serial();
        params.serial_number = Some(SerialNumber::from(serial));
        params.is_ca = IsCa::ExplicitNoCa;
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        params.extended_key_usages = vec![eku];
        params.use_authority_key_identifier_extension = true;
        let cert = params
            .signed_by(&key, &Issuer::from_params(&self.params, &self.key))
            .expect("sign leaf");
        Identity {
            chain: vec![cert.der().clone(), self.cert.clone()],
            key_pem: key.serialize_pem(),
            key_der: key.serialize_der(),
            serial,
        }
    }
}

impl Identity {
    /// The private key.
    pub fn key(&self) -> PrivateKeyDer<'static> {
        PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(self.key_der.clone()))
    }

    /// The leaf alone, as PEM.
    pub fn leaf_pem(&self) -> String {
        pem("CERTIFICATE", &self.chain[0])
    }

    /// The whole chain, leaf first, as PEM.
    pub fn chain_pem(&self) -> String {
        self.chain.iter().map(|c| pem("CERTIFICATE", c)).collect()
    }

    /// Another chain for the same key.
    pub fn from_parts(chain: Vec<CertificateDer<'static>>, key_of: &Identity) -> Identity {
        Identity {
            chain,
            key_pem: key_of.key_pem.clone(),
            key_der: key_of.key_der.clone(),
            serial: key_of.serial,
        }
    }

    /// The chain without the issuing CA (what a client that trusts its own root sends).
    pub fn leaf_only(&self) -> Vec<CertificateDer<'static>> {
        vec![self.chain[0].clone()]
    }
}

/// Now, from the wall clock, in Unix seconds.
pub fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock after 1970")
        .as_secs()
}

/// PEM text for one DER object.
pub fn pem(label: &str, der: &[u8]) -> String {
    let b64 = base64(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for line in b64.as_bytes().chunks(64) {
        out.push_str(std::str::from_utf8(line).expect("base64 is ASCII"));
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

fn base64(input: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(input.len().div_ceil(3) * 4);
    for chunk in input.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn ca_params(cn: &str, window: Window) -> CertificateParams {
    let mut params = CertificateParams::new(Vec::new()).expect("CA params");
    params.distinguished_name.push(DnType::CommonName, cn);
    params
        .distinguished_name
        .push(DnType::OrganizationName, "certgate tests");
    params.not_before = at!(window.not_before);
    params.not_after = at!(window.not_after);
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    params
}
