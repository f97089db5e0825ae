//! Test PKI for the policy tests: CAs and client certificates generated with rcgen at test
//! time, verified by the real `Verifier` at one fixed time, then decoded for a policy.
#![allow(dead_code, clippy::unwrap_used)]

use certgate::{Identity, Policy, Verified, Verifier, VerifyOptions};
use rcgen::{
    date_time_ymd, BasicConstraints, CertificateParams, CertifiedIssuer, DistinguishedName, DnType,
    ExtendedKeyUsagePurpose, IsCa, KeyPair, KeyUsagePurpose, SanType,
};

/// The fixed validation time: 2026-05-28T20:26:40Z.
pub const NOW: u64 = 1_780_000_000;

/// A certificate authority and a verifier that trusts it.
pub struct Pki {
    ca: CertifiedIssuer<'static, KeyPair>,
    verifier: Verifier,
}

impl Pki {
    /// A root CA with subject `CN=<name>,O=Example,C=GB`.
    pub fn new(name: &str) -> Self {
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        let mut dn = DistinguishedName::new();
        dn.push(DnType::CountryName, "GB");
        dn.push(DnType::OrganizationName, "Example");
        dn.push(DnType::CommonName, name);
        params.distinguished_name = dn;
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        params.not_before = date_time_ymd(2025, 1, 1);
        params.not_after = date_time_ymd(2035, 1, 1);
        let ca = CertifiedIssuer::self_signed(params, KeyPair::generate().unwrap()).unwrap();
        let verifier = Verifier::builder()
            .trust(ca.pem().as_bytes())
            .unwrap()
            .build()
            .unwrap();
        Self { ca, verifier }
    }

    /// Issues a client certificate and verifies it at [`NOW`].
    pub fn issue(&self, leaf: Leaf) -> Verified {
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        let mut dn = DistinguishedName::new();
        for (ty, value) in leaf.dn {
            dn.push(ty, value.as_str());
        }
        params.distinguished_name = dn;
        params.subject_alt_names = leaf.sans;
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        params.use_authority_key_identifier_extension = true;
        params.not_before = date_time_ymd(2026, 1, 1);
        params.not_after = date_time_ymd(2027, 1, 1);
        let cert = params
            .signed_by(&KeyPair::generate().unwrap(), &self.ca)
            .unwrap();
        self.verifier
            .verify_pem(cert.pem().as_bytes(), &VerifyOptions::new(NOW))
            .expect("the test certificate verifies")
    }

    /// Issues, verifies and decodes a client certificate for `policy`.
    pub fn identity(&self, policy: &Policy, leaf: Leaf) -> Identity {
        policy.identity(&self.issue(leaf)).unwrap()
    }
}

/// A client certificate's names. DN attributes are given most general first (DER order),
/// so `.c("GB").o("Example").cn("alice")` renders as `CN=alice,O=Example,C=GB`.
#[derive(Default)]
pub struct Leaf {
    dn: Vec<(DnType, String)>,
    sans: Vec<SanType>,
}

/// A leaf with no names yet.
pub fn leaf() -> Leaf {
    Leaf::default()
}

/// The usual staff certificate: `CN=<cn>,OU=<ou>,O=Example,C=GB`.
pub fn staff(cn: &str, ou: &str) -> Leaf {
    leaf().c("GB").o("Example").ou(ou).cn(cn)
}

impl Leaf {
    pub fn attr(mut self, ty: DnType, value: &str) -> Self {
        self.dn.push((ty, value.into()));
        self
    }
    pub fn c(self, v: &str) -> Self {
        self.attr(DnType::CountryName, v)
    }
    pub fn o(self, v: &str) -> Self {
        self.attr(DnType::OrganizationName, v)
    }
    pub fn ou(self, v: &str) -> Self {
        self.attr(DnType::OrganizationalUnitName, v)
    }
    pub fn cn(self, v: &str) -> Self {
        self.attr(DnType::CommonName, v)
    }
    /// A second attribute of an OID already present (rcgen keys its DN by type, so the
    /// repeat goes in as a custom type with the same OID).
    pub fn oid(self, oid: &[u64], v: &str) -> Self {
        self.attr(DnType::CustomDnType(oid.to_vec()), v)
    }
    pub fn uid(self, v: &str) -> Self {
        self.oid(&[0, 9, 2342, 19200300, 100, 1, 1], v)
    }
    pub fn dns(mut self, v: &str) -> Self {
        self.sans.push(SanType::DnsName(v.try_into().unwrap()));
        self
    }
    pub fn email(mut self, v: &str) -> Self {
        self.sans.push(SanType::Rfc822Name(v.try_into().unwrap()));
        self
    }
    pub fn uri(mut self, v: &str) -> Self {
        self.sans.push(SanType::URI(v.try_into().unwrap()));
        self
    }
    pub fn ip(mut self, v: &str) -> Self {
        self.sans.push(SanType::IpAddress(v.parse().unwrap()));
        self
    }
}

/// Loads a TOML policy that must be valid.
pub fn policy(toml: &str) -> Policy {
    match Policy::from_toml(toml) {
        Ok(p) => p,
        Err(e) => panic!("policy refused: {e}"),
    }
}
