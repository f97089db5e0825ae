//! The strict profile: RFC 5280 and CA/Browser Forum rules checked over every candidate path
//! webpki builds, on top of what webpki itself enforces.
//!
//! webpki validates signatures, validity, basicConstraints, name constraints, EKU and CRLs, but
//! it deliberately leaves out most of the certificate *profile*: whether a CA included the
//! extensions it must, marked them as it must, and used the encodings it must. A verifier that
//! skips those rules accepts certificates a conforming CA can never have issued. The strict
//! profile ([`Profile::strict`], the default) adds them:
//!
//! - **Every certificate** ([RFC 5280 §4.1.2.2], [§4.2.1.1], [§4.2.1.2]): a serial number that is
//!   positive and at most 20 octets; an authorityKeyIdentifier with a keyIdentifier, not
//!   critical, unless the certificate is self-issued; a subjectKeyIdentifier on every CA, not
//!   critical.
//! - **CAs, trust anchors included** ([§4.2.1.3], [§4.2.1.9], [§4.2.1.10], [§4.2.1.11]): a
//!   critical basicConstraints with cA set; keyCertSign when keyUsage is present; a non-empty
//!   subject; name constraints that are critical, non-empty and well-formed; policy constraints
//!   and inhibitAnyPolicy marked critical; no critical extension certgate does not understand
//!   (webpki ignores them on trust anchors); a trust anchor within its validity period.
//! - **The leaf** ([§4.2.1.3], [§4.2.1.6], [§4.2.1.10]): no keyCertSign without cA; no name
//!   constraints; a critical subjectAltName when the subject is empty; DNS names in the
//!   preferred name syntax.
//! - **CRLs** ([§5.2.3], [§4.2.1.3]): a non-critical CRL number; a trust anchor that signs CRLs
//!   must allow cRLSign when it has a keyUsage extension.
//! - **Server authentication** (CA/B Forum Baseline Requirements, applied when the usage is
//!   serverAuth): the leaf has a non-critical EKU without anyExtendedKeyUsage and a
//!   non-critical subjectAltName; each commonName is a character-for-character copy of a SAN
//!   entry; trust anchors carry no EKU and no authorityCertIssuer; keys are RSA of at least
//!   2048 bits in whole bytes, or ECDSA on P-256, P-384 or P-521.
//!
//! Where strictness and interoperability conflict, a named relaxation on [`Profile`] turns a
//! rule off, documented where it is declared; nothing is relaxed silently.
//!
//! [RFC 5280 §4.1.2.2]: https://www.rfc-editor.org/rfc/rfc5280#section-4.1.2.2
//! [§4.2.1.1]: https://www.rfc-editor.org/rfc/rfc5280#section-4.2.1.1
//! [§4.2.1.2]: https://www.rfc-editor.org/rfc/rfc5280#section-4.2.1.2
//! [§4.2.1.3]: https://www.rfc-editor.org/rfc/rfc5280#section-4.2.1.3
//! [§4.2.1.6]: https://www.rfc-editor.org/rfc/rfc5280#section-4.2.1.6
//! [§4.2.1.9]: https://www.rfc-editor.org/rfc/rfc5280#section-4.2.1.9
//! [§4.2.1.10]: https://www.rfc-editor.org/rfc/rfc5280#section-4.2.1.10
//! [§4.2.1.11]: https://www.rfc-editor.org/rfc/rfc5280#section-4.2.1.11
//! [§5.2.3]: https://www.rfc-editor.org/rfc/rfc5280#section-5.2.3

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use der::asn1::ObjectIdentifier as Oid;
use der::{Decode, Encode};
use rustls_pki_types::CertificateDer;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::pkix::{
    AuthorityKeyIdentifier, BasicConstraints, ExtendedKeyUsage, KeyUsage, NameConstraints,
    SubjectAltName,
};
use x509_cert::ext::Extension;
use x509_cert::Certificate;

use crate::error::{Code, Rejection};
use crate::name::DistinguishedName;
use crate::usage::Usage;

/// Which profile rules are enforced beyond webpki's own checks. See the [module
/// documentation](self) for the rules; each relaxation below turns off exactly the rule it
/// names.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Profile {
    /// Enforce the RFC 5280 profile rules at all. `false` ([`Profile::webpki_only`]) leaves
    /// only webpki's checks, as certgate did before the profile existed. Default `true`.
    pub rfc5280: bool,
    /// When the usage is serverAuth, also enforce the CA/Browser Forum Baseline Requirements'
    /// rules for TLS server certificates (EKU, subjectAltName, commonName, trust-anchor
    /// extensions, key types and sizes). Default `true`; client authentication is never
    /// subject to them.
    pub cabf_server: bool,
    /// Relaxation: accept certificates without an authorityKeyIdentifier (RFC 5280 §4.2.1.1)
    /// and CAs without a subjectKeyIdentifier (§4.2.1.2). Some private CAs and test
    /// generators (rcgen before `use_authority_key_identifier_extension`) omit them. Default
    /// `false`. Criticality is still checked when the extensions are present.
    pub allow_missing_key_identifiers: bool,
    /// Relaxation: accept a trust anchor outside its own validity period. RFC 5280 §6.1 treats
    /// trust-anchor information as an input, so some verifiers ignore an anchor's dates; the
    /// strict profile does not trust an expired root. Default `false`.
    pub allow_expired_anchors: bool,
    /// Relaxation: accept a nameConstraints extension that is not marked critical. RFC 5280
    /// §4.2.1.10 requires critical; the CA/B Forum permits non-critical constraints so that
    /// old clients that do not implement them still build the path. The constraints are
    /// enforced either way. Default `false`.
    pub allow_noncritical_name_constraints: bool,
}

impl Profile {
    /// Every rule on, no relaxation: the default.
    pub const fn strict() -> Self {
        Self {
            rfc5280: true,
            cabf_server: true,
            allow_missing_key_identifiers: false,
            allow_expired_anchors: false,
            allow_noncritical_name_constraints: false,
        }
    }

    /// No profile rules: webpki's own checks only.
    pub const fn webpki_only() -> Self {
        Self {
            rfc5280: false,
            cabf_server: false,
            allow_missing_key_identifiers: true,
            allow_expired_anchors: true,
            allow_noncritical_name_constraints: true,
        }
    }

    fn enabled(&self) -> bool {
        self.rfc5280 || self.cabf_server
    }
}

impl Default for Profile {
    fn default() -> Self {
        Self::strict()
    }
}

/// What the profile needs of a trust anchor, decided once when the verifier is built.
#[derive(Clone, Debug)]
pub(crate) struct AnchorFacts {
    /// An RFC 5280 rule the anchor breaks, whatever the usage.
    rfc5280: Option<Rejection>,
    /// A CA/B Forum rule the anchor breaks (server authentication only).
    cabf: Option<Rejection>,
    not_before: u64,
    not_after: u64,
    /// A configured CRL names this anchor as issuer, but the anchor's keyUsage lacks cRLSign.
    crl_without_crl_sign: bool,
    name: String,
}

impl AnchorFacts {
    /// Examines one trust anchor under `profile`; `crl_issuers` are the DER-encoded issuer
    /// names of the configured CRLs.
    pub(crate) fn new(profile: &Profile, der: &[u8], crl_issuers: &[Vec<u8>]) -> Self {
        let cert = match Certificate::from_der(der) {
            Ok(cert) => cert,
            Err(e) => {
                let broken = Rejection::new(
                    Code::MalformedCertificate,
                    None,
                    format!("a trust anchor cannot be decoded under RFC 5280: {e}"),
                );
                return Self {
                    rfc5280: Some(broken.clone()),
                    cabf: Some(broken),
                    not_before: 0,
                    not_after: 0,
                    crl_without_crl_sign: false,
                    name: String::from("a trust anchor"),
                };
            }
        };
        let tbs = cert.tbs_certificate();
        let name = format!("the trust anchor{}", subject_suffix(&cert));
        let exts = Exts::of(&cert);
        let ku = exts.key_usage();
        let subject = tbs.subject().to_der().unwrap_or_default();
        let crl_without_crl_sign = matches!(&ku, Some(ku) if !ku.crl_sign())
            && crl_issuers.contains(&subject);
        let v = tbs.validity();
        let subject_of = |_: usize| name.clone();
        let ctx = Ctx {
            profile,
            who: &subject_of,
        };
        let rfc5280 = match profile.rfc5280 {
            true => anchor_rules(&ctx, &cert, &exts, ku.as_ref()).err(),
            false => None,
        };
        let cabf = match profile.cabf_server {
            true => cabf_anchor_rules(&ctx, &cert, &exts).err(),
            false => None,
        };
        Self {
            rfc5280,
            cabf,
            not_before: v.not_before.to_unix_duration().as_secs(),
            not_after: v.not_after.to_unix_duration().as_secs(),
            crl_without_crl_sign,
            name,
        }
    }
}

/// Checks a candidate path under the profile. `path` is the leaf then the intermediates, in
/// path order; `chain` is the presented chain, for certificate indexes in messages.
#[allow(clippy::too_many_arguments)] // each argument is one input of the rules; no grouping helps
pub(crate) fn check_path(
    profile: &Profile,
    path: &[CertificateDer<'_>],
    anchor: &AnchorFacts,
    chain: &[CertificateDer<'_>],
    usage: &Usage,
    time: u64,
    skew: u64,
    crl_checked: Crls,
) -> Result<(), Rejection> {
    if !profile.enabled() {
        return Ok(());
    }
    let cabf = profile.cabf_server && *usage == Usage::ServerAuth;
    if profile.rfc5280 {
        if let Some(r) = &anchor.rfc5280 {
            return Err(r.clone());
        }
    }
    if cabf {
        if let Some(r) = &anchor.cabf {
            return Err(r.clone());
        }
    }
    if profile.rfc5280 && !profile.allow_expired_anchors {
        if time.saturating_add(skew) < anchor.not_before {
            return Err(Rejection::new(
                Code::CertNotYetValid,
                None,
                format!(
                    "{} is not valid until {}; it cannot anchor a path before then",
                    anchor.name,
                    crate::time::rfc3339(anchor.not_before)
                ),
            ));
        }
        if time > anchor.not_after.saturating_add(skew) {
            return Err(Rejection::new(
                Code::CertExpired,
                None,
                format!(
                    "{} expired on {}; replace it in the trust store (or relax the profile with allow_expired_anchors)",
                    anchor.name,
                    crate::time::rfc3339(anchor.not_after)
                ),
            ));
        }
    }
    if anchor.crl_without_crl_sign {
        // The anchor's CRL covers the certificate it issued: the last of the path, and only
        // that when revocation is checked for the leaf alone.
        let consulted = match crl_checked {
            Crls::None => false,
            Crls::LeafOnly => path.len() == 1,
            Crls::Chain => true,
        };
        if consulted {
            return Err(Rejection::new(
                Code::CrlIssuerNotCrlSigner,
                None,
                format!(
                    "a CRL names {} as its issuer, but its keyUsage does not include cRLSign (RFC 5280 §4.2.1.3)",
                    anchor.name
                ),
            ));
        }
    }

    let who = |i: usize| who(path, i);
    let ctx = Ctx { profile, who: &who };
    for (i, der) in path.iter().enumerate() {
        let index = index_in(chain, der);
        let cert = Certificate::from_der(der).map_err(|e| {
            Rejection::new(
                Code::MalformedCertificate,
                index,
                format!("{} cannot be decoded under RFC 5280: {e}", who(i)),
            )
        })?;
        let exts = Exts::of(&cert);
        let at = At { i, index };
        if profile.rfc5280 {
            common_rules(&ctx, at, &cert, &exts)?;
            match i {
                0 => leaf_rules(&ctx, at, &cert, &exts)?,
                _ => ca_rules(&ctx, at, &cert, &exts, exts.key_usage().as_ref())?,
            }
        }
        if cabf {
            cabf_key_rules(&ctx, at, &cert)?;
            if i == 0 {
                cabf_leaf_rules(&ctx, at, &cert, &exts)?;
            }
        }
    }
    Ok(())
}

/// Which certificates the configured CRLs are consulted for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Crls {
    /// No CRLs are configured.
    None,
    /// Only the leaf's revocation status is checked.
    LeafOnly,
    /// Every certificate in the path is checked.
    Chain,
}

/// Checks a CRL's own profile at load time (RFC 5280 §5.2.3): the CRL number must be present
/// and must not be critical.
pub(crate) fn check_crl(profile: &Profile, der: &[u8], i: usize) -> Result<(), Rejection> {
    if !profile.rfc5280 {
        return Ok(());
    }
    let crl = x509_cert::crl::CertificateList::<x509_cert::certificate::Rfc5280>::from_der(der)
        .map_err(|e| {
            Rejection::new(
                Code::MalformedCrl,
                Some(i),
                format!("CRL {i} cannot be decoded: {e}"),
            )
        })?;
    let number = crl
        .tbs_cert_list
        .crl_extensions
        .iter()
        .flatten()
        .find(|e| e.extn_id == OID_CRL_NUMBER);
    match number {
        None => Err(Rejection::new(
            Code::MalformedCrl,
            Some(i),
            format!(
                "CRL {i} has no CRL number, which RFC 5280 §5.2.3 requires; have the CA reissue it"
            ),
        )),
        Some(e) if e.critical => Err(Rejection::new(
            Code::MalformedCrl,
            Some(i),
            format!("CRL {i} marks its CRL number critical, which RFC 5280 §5.2.3 forbids"),
        )),
        Some(_) => Ok(()),
    }
}

/// The DER-encoded issuer name of a CRL, for matching against trust anchors.
pub(crate) fn crl_issuer(der: &[u8]) -> Option<Vec<u8>> {
    let crl =
        x509_cert::crl::CertificateList::<x509_cert::certificate::Rfc5280>::from_der(der).ok()?;
    crl.tbs_cert_list.issuer.to_der().ok()
}

const OID_AKI: Oid = Oid::new_unwrap("2.5.29.35");
const OID_SKI: Oid = Oid::new_unwrap("2.5.29.14");
const OID_KU: Oid = Oid::new_unwrap("2.5.29.15");
const OID_SAN: Oid = Oid::new_unwrap("2.5.29.17");
const OID_BC: Oid = Oid::new_unwrap("2.5.29.19");
const OID_CRL_NUMBER: Oid = Oid::new_unwrap("2.5.29.20");
const OID_NC: Oid = Oid::new_unwrap("2.5.29.30");
const OID_CRL_DP: Oid = Oid::new_unwrap("2.5.29.31");
const OID_POLICY_CONSTRAINTS: Oid = Oid::new_unwrap("2.5.29.36");
const OID_EKU: Oid = Oid::new_unwrap("2.5.29.37");
const OID_INHIBIT_ANY_POLICY: Oid = Oid::new_unwrap("2.5.29.54");
const OID_ANY_EKU: Oid = Oid::new_unwrap("2.5.29.37.0");
const OID_CN: Oid = Oid::new_unwrap("2.5.4.3");
const OID_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.1");
const OID_EC: Oid = Oid::new_unwrap("1.2.840.10045.2.1");
const OID_P256: Oid = Oid::new_unwrap("1.2.840.10045.3.1.7");
const OID_P384: Oid = Oid::new_unwrap("1.3.132.0.34");
const OID_P521: Oid = Oid::new_unwrap("1.3.132.0.35");

/// Context shared by the rules: the profile and how to name a certificate in a message.
struct Ctx<'a> {
    profile: &'a Profile,
    who: &'a dyn Fn(usize) -> String,
}

/// Where a certificate sits: its position in the path and its index in the presented chain.
#[derive(Clone, Copy)]
struct At {
    i: usize,
    index: Option<usize>,
}

impl Ctx<'_> {
    fn violation(&self, at: At, what: &str) -> Rejection {
        Rejection::new(
            Code::ProfileViolation,
            at.index,
            format!("{} {what}", (self.who)(at.i)),
        )
    }
}

/// The extensions the rules look at, found in one pass; each is decoded only when a rule
/// needs it.
#[derive(Default)]
struct Exts<'a> {
    aki: Option<&'a Extension>,
    ski: Option<&'a Extension>,
    ku: Option<&'a Extension>,
    san: Option<&'a Extension>,
    bc: Option<&'a Extension>,
    nc: Option<&'a Extension>,
    eku: Option<&'a Extension>,
    policy_constraints: Option<&'a Extension>,
    inhibit_any_policy: Option<&'a Extension>,
    /// The first critical extension webpki would not understand on a path certificate.
    unknown_critical: Option<&'a Extension>,
}

impl<'a> Exts<'a> {
    fn of(cert: &'a Certificate) -> Self {
        let mut exts = Self::default();
        for e in cert.tbs_certificate().extensions().into_iter().flatten() {
            let slot = match e.extn_id {
                OID_AKI => &mut exts.aki,
                OID_SKI => &mut exts.ski,
                OID_KU => &mut exts.ku,
                OID_SAN => &mut exts.san,
                OID_BC => &mut exts.bc,
                OID_NC => &mut exts.nc,
                OID_EKU => &mut exts.eku,
                OID_POLICY_CONSTRAINTS => &mut exts.policy_constraints,
                OID_INHIBIT_ANY_POLICY => &mut exts.inhibit_any_policy,
                OID_CRL_DP => continue,
                _ => {
                    if e.critical && exts.unknown_critical.is_none() {
                        exts.unknown_critical = Some(e);
                    }
                    continue;
                }
            };
            slot.get_or_insert(e);
        }
        exts
    }

    fn key_usage(&self) -> Option<KeyUsage> {
        self.ku
            .and_then(|e| KeyUsage::from_der(e.extn_value.as_bytes()).ok())
    }

    fn basic_constraints(&self) -> Option<BasicConstraints> {
        self.bc
            .and_then(|e| BasicConstraints::from_der(e.extn_value.as_bytes()).ok())
    }

    fn san(&self) -> Option<SubjectAltName> {
        self.san
            .and_then(|e| SubjectAltName::from_der(e.extn_value.as_bytes()).ok())
    }
}

/// RFC 5280 rules for every certificate of the path (not the trust anchor).
fn common_rules(
    ctx: &Ctx<'_>,
    at: At,
    cert: &Certificate,
    exts: &Exts<'_>,
) -> Result<(), Rejection> {
    // §4.1.2.2: a positive integer of at most 20 octets. A leading zero octet only carries
    // the sign, so 21 encoded octets are fine when the first is zero.
    let serial = cert.tbs_certificate().serial_number().as_bytes();
    let magnitude = match serial {
        [0, rest @ ..] => rest,
        all => all,
    };
    if serial.first().is_some_and(|b| b & 0x80 != 0)
        || magnitude.iter().all(|b| *b == 0)
        || magnitude.len() > 20
    {
        return Err(Rejection::new(
            Code::InvalidSerialNumber,
            at.index,
            format!(
                "{} has serial number {}, which RFC 5280 §4.1.2.2 forbids: it must be positive and at most 20 octets",
                (ctx.who)(at.i),
                crate::inspect::serial_hex(serial)
            ),
        ));
    }
    aki_rule(ctx, at, cert, exts)
}

/// §4.2.1.1: conforming CAs include the keyIdentifier in every certificate but a self-signed
/// one, and never mark the extension critical.
fn aki_rule(ctx: &Ctx<'_>, at: At, cert: &Certificate, exts: &Exts<'_>) -> Result<(), Rejection> {
    let tbs = cert.tbs_certificate();
    match exts.aki {
        Some(e) if e.critical => Err(ctx.violation(at, "marks its authorityKeyIdentifier critical (RFC 5280 §4.2.1.1)")),
        Some(e) => match AuthorityKeyIdentifier::from_der(e.extn_value.as_bytes()) {
            Ok(aki) if aki.key_identifier.is_some() || ctx.profile.allow_missing_key_identifiers => Ok(()),
            Ok(_) => Err(ctx.violation(at, "has an authorityKeyIdentifier without a keyIdentifier (RFC 5280 §4.2.1.1)")),
            Err(_) => Err(Rejection::new(
                Code::MalformedExtension,
                at.index,
                format!("{} has a malformed authorityKeyIdentifier", (ctx.who)(at.i)),
            )),
        },
        None if tbs.issuer() == tbs.subject() || ctx.profile.allow_missing_key_identifiers => Ok(()),
        None => Err(ctx.violation(
            at,
            "has no authorityKeyIdentifier, which RFC 5280 §4.2.1.1 requires of every certificate that is not self-signed; \
             reissue it with one (or relax the profile with allow_missing_key_identifiers)",
        )),
    }
}

/// §4.2.1.2: every CA certificate carries a non-critical subjectKeyIdentifier.
fn ski_rule(ctx: &Ctx<'_>, at: At, exts: &Exts<'_>) -> Result<(), Rejection> {
    match exts.ski {
        Some(e) if e.critical => Err(ctx.violation(
            at,
            "marks its subjectKeyIdentifier critical (RFC 5280 §4.2.1.2)",
        )),
        Some(_) => Ok(()),
        None if ctx.profile.allow_missing_key_identifiers => Ok(()),
        None => Err(ctx.violation(
            at,
            "is a CA without a subjectKeyIdentifier, which RFC 5280 §4.2.1.2 requires; \
             reissue it with one (or relax the profile with allow_missing_key_identifiers)",
        )),
    }
}

/// RFC 5280 rules for the leaf.
fn leaf_rules(ctx: &Ctx<'_>, at: At, cert: &Certificate, exts: &Exts<'_>) -> Result<(), Rejection> {
    if let Some(e) = exts.ski {
        if e.critical {
            return Err(ctx.violation(
                at,
                "marks its subjectKeyIdentifier critical (RFC 5280 §4.2.1.2)",
            ));
        }
    }
    // §4.2.1.9: keyCertSign only with cA asserted.
    let is_ca = exts.basic_constraints().is_some_and(|bc| bc.ca);
    if !is_ca && exts.key_usage().is_some_and(|ku| ku.key_cert_sign()) {
        return Err(ctx.violation(
            at,
            "asserts keyUsage keyCertSign without basicConstraints cA (RFC 5280 §4.2.1.9)",
        ));
    }
    // §4.2.1.10: name constraints only in CA certificates.
    if exts.nc.is_some() {
        return Err(ctx.violation(
            at,
            "is not a CA but carries nameConstraints (RFC 5280 §4.2.1.10)",
        ));
    }
    // §4.2.1.6: an empty subject needs a critical subjectAltName.
    if cert.tbs_certificate().subject().is_empty() && !exts.san.is_some_and(|e| e.critical) {
        return Err(ctx.violation(
            at,
            "has an empty subject and no critical subjectAltName (RFC 5280 §4.2.1.6)",
        ));
    }
    if let Some(san) = exts.san() {
        for name in &san.0 {
            if let GeneralName::DnsName(dns) = name {
                if !is_preferred_name(dns.as_bytes(), true) {
                    return Err(ctx.violation(
                        at,
                        &format!(
                            "has subjectAltName DNS name `{}`, which is not in the preferred name syntax (RFC 5280 §4.2.1.6)",
                            String::from_utf8_lossy(dns.as_bytes())
                        ),
                    ));
                }
            }
        }
    }
    Ok(())
}

/// RFC 5280 rules for an intermediate CA.
fn ca_rules(
    ctx: &Ctx<'_>,
    at: At,
    cert: &Certificate,
    exts: &Exts<'_>,
    ku: Option<&KeyUsage>,
) -> Result<(), Rejection> {
    ski_rule(ctx, at, exts)?;
    ca_shared_rules(ctx, at, cert, exts, ku)
}

/// RFC 5280 rules shared by intermediates and trust anchors.
fn ca_shared_rules(
    ctx: &Ctx<'_>,
    at: At,
    cert: &Certificate,
    exts: &Exts<'_>,
    ku: Option<&KeyUsage>,
) -> Result<(), Rejection> {
    // §4.2.1.9: CAs include basicConstraints, critical, with cA asserted.
    match (exts.bc, exts.basic_constraints()) {
        (None, _) => {
            return Err(ctx.violation(
                at,
                "is a CA without basicConstraints, which RFC 5280 §4.2.1.9 requires",
            ));
        }
        (Some(_), None) => {
            return Err(Rejection::new(
                Code::MalformedExtension,
                at.index,
                format!("{} has malformed basicConstraints", (ctx.who)(at.i)),
            ));
        }
        (Some(_), Some(bc)) if !bc.ca => {
            return Err(ctx.violation(
                at,
                "issues certificates but its basicConstraints do not assert cA (RFC 5280 §4.2.1.9)",
            ));
        }
        (Some(e), Some(_)) if !e.critical => {
            return Err(ctx.violation(
                at,
                "is a CA whose basicConstraints are not critical (RFC 5280 §4.2.1.9)",
            ));
        }
        _ => {}
    }
    // §4.2.1.3: a CA that signs certificates asserts keyCertSign when it has a keyUsage.
    if exts.ku.is_some() && !ku.is_some_and(|ku| ku.key_cert_sign()) {
        return Err(ctx.violation(
            at,
            "is a CA whose keyUsage does not include keyCertSign (RFC 5280 §4.2.1.3)",
        ));
    }
    // §4.1.2.6: a CA's subject is a non-empty distinguished name.
    if cert.tbs_certificate().subject().is_empty() {
        return Err(ctx.violation(at, "is a CA with an empty subject (RFC 5280 §4.1.2.6)"));
    }
    // §4.2.1.11 and §4.2.1.14: policy constraints and inhibitAnyPolicy are critical.
    if exts.policy_constraints.is_some_and(|e| !e.critical) {
        return Err(ctx.violation(
            at,
            "has policyConstraints not marked critical (RFC 5280 §4.2.1.11)",
        ));
    }
    if exts.inhibit_any_policy.is_some_and(|e| !e.critical) {
        return Err(ctx.violation(
            at,
            "has inhibitAnyPolicy not marked critical (RFC 5280 §4.2.1.14)",
        ));
    }
    if let Some(e) = exts.nc {
        name_constraints_rule(ctx, at, e)?;
    }
    Ok(())
}

/// §4.2.1.10: name constraints are critical, name at least one non-empty subtree, and their
/// DNS names are names (no leading period, which is a URI-constraint convention).
fn name_constraints_rule(ctx: &Ctx<'_>, at: At, e: &Extension) -> Result<(), Rejection> {
    if !e.critical && !ctx.profile.allow_noncritical_name_constraints {
        return Err(ctx.violation(
            at,
            "has nameConstraints not marked critical (RFC 5280 §4.2.1.10; relax the profile with allow_noncritical_name_constraints for CA/B-style CAs)",
        ));
    }
    let nc = NameConstraints::from_der(e.extn_value.as_bytes()).map_err(|_| {
        Rejection::new(
            Code::MalformedExtension,
            at.index,
            format!("{} has malformed nameConstraints", (ctx.who)(at.i)),
        )
    })?;
    let subtrees = [&nc.permitted_subtrees, &nc.excluded_subtrees];
    if subtrees.iter().all(|s| s.is_none())
        || subtrees
            .iter()
            .any(|s| s.as_ref().is_some_and(|s| s.is_empty()))
    {
        return Err(ctx.violation(
            at,
            "has nameConstraints with no subtrees or an empty one (RFC 5280 §4.2.1.10)",
        ));
    }
    for subtree in subtrees.into_iter().flatten().flatten() {
        if let GeneralName::DnsName(dns) = &subtree.base {
            let name = dns.as_bytes();
            if !name.is_empty() && !is_preferred_name(name, false) {
                return Err(ctx.violation(
                    at,
                    &format!(
                        "has a DNS name constraint `{}` that is not a DNS name (RFC 5280 §4.2.1.10)",
                        String::from_utf8_lossy(name)
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// RFC 5280 rules for a trust anchor: those of a CA, plus the extension checks webpki skips
/// for anchors.
fn anchor_rules(
    ctx: &Ctx<'_>,
    cert: &Certificate,
    exts: &Exts<'_>,
    ku: Option<&KeyUsage>,
) -> Result<(), Rejection> {
    let at = At { i: 0, index: None };
    if let Some(e) = exts.unknown_critical {
        return Err(Rejection::new(
            Code::UnsupportedCriticalExtension,
            None,
            format!(
                "{} carries critical extension {} that certgate does not understand; it cannot anchor a path",
                (ctx.who)(0),
                e.extn_id
            ),
        ));
    }
    ski_rule(ctx, at, exts)?;
    match exts.aki {
        Some(e) if e.critical => {
            return Err(ctx.violation(
                at,
                "marks its authorityKeyIdentifier critical (RFC 5280 §4.2.1.1)",
            ));
        }
        Some(_) => aki_rule(ctx, at, cert, exts)?,
        None => {
            let tbs = cert.tbs_certificate();
            if tbs.issuer() != tbs.subject() && !ctx.profile.allow_missing_key_identifiers {
                return Err(ctx.violation(
                    at,
                    "is not self-issued and has no authorityKeyIdentifier (RFC 5280 §4.2.1.1)",
                ));
            }
        }
    }
    ca_shared_rules(ctx, at, cert, exts, ku)
}

/// CA/B Forum rules for a trust anchor used for server authentication (BR §7.1.2.1).
fn cabf_anchor_rules(ctx: &Ctx<'_>, cert: &Certificate, exts: &Exts<'_>) -> Result<(), Rejection> {
    let at = At { i: 0, index: None };
    if exts.eku.is_some() {
        return Err(ctx.violation(
            at,
            "carries an extendedKeyUsage, which a root CA must not (CA/B BR §7.1.2.1.2)",
        ));
    }
    if let Some(e) = exts.aki {
        let aki = AuthorityKeyIdentifier::from_der(e.extn_value.as_bytes()).map_err(|_| {
            Rejection::new(
                Code::MalformedExtension,
                None,
                format!("{} has a malformed authorityKeyIdentifier", (ctx.who)(0)),
            )
        })?;
        if aki.key_identifier.is_none()
            || aki.authority_cert_issuer.is_some()
            || aki.authority_cert_serial_number.is_some()
        {
            return Err(ctx.violation(
                at,
                "has an authorityKeyIdentifier that is not a bare keyIdentifier (CA/B BR §7.1.2.1.3)",
            ));
        }
    }
    cabf_key_rules(ctx, at, cert)
}

/// CA/B Forum key rules (BR §6.1.5, §6.1.6): RSA of at least 2048 bits and a whole number of
/// bytes, or ECDSA on P-256, P-384 or P-521.
fn cabf_key_rules(ctx: &Ctx<'_>, at: At, cert: &Certificate) -> Result<(), Rejection> {
    let spki = cert.tbs_certificate().subject_public_key_info();
    let ok = match spki.algorithm.oid {
        OID_RSA => crate::inspect::rsa_modulus_bits(spki.subject_public_key.raw_bytes())
            .is_some_and(|bits| bits >= 2048 && bits % 8 == 0),
        OID_EC => spki
            .algorithm
            .parameters
            .as_ref()
            .and_then(|p| p.decode_as::<Oid>().ok())
            .is_some_and(|curve| matches!(curve, OID_P256 | OID_P384 | OID_P521)),
        _ => false,
    };
    match ok {
        true => Ok(()),
        false => Err(ctx.violation(
            at,
            "has a key the CA/B Baseline Requirements do not allow for TLS (RSA of 2048+ bits in whole bytes, or ECDSA P-256/P-384/P-521; BR §6.1.5)",
        )),
    }
}

/// CA/B Forum rules for a TLS server leaf (BR §7.1.2.7).
fn cabf_leaf_rules(
    ctx: &Ctx<'_>,
    at: At,
    cert: &Certificate,
    exts: &Exts<'_>,
) -> Result<(), Rejection> {
    match exts.eku {
        None => {
            return Err(Rejection::new(
                Code::WrongUsage,
                at.index,
                format!(
                    "{} has no extendedKeyUsage; a TLS server certificate must list serverAuth (CA/B BR §7.1.2.7.6)",
                    (ctx.who)(at.i)
                ),
            ));
        }
        Some(e) if e.critical => {
            return Err(ctx.violation(
                at,
                "marks its extendedKeyUsage critical (CA/B BR §7.1.2.7.6)",
            ));
        }
        Some(e) => {
            if ExtendedKeyUsage::from_der(e.extn_value.as_bytes())
                .is_ok_and(|eku| eku.0.contains(&OID_ANY_EKU))
            {
                return Err(ctx.violation(at, "lists anyExtendedKeyUsage (CA/B BR §7.1.2.7.10)"));
            }
        }
    }
    let subject = cert.tbs_certificate().subject();
    if !subject.is_empty() && exts.san.is_some_and(|e| e.critical) {
        return Err(ctx.violation(at, "marks its subjectAltName critical although its subject is not empty (CA/B BR §7.1.2.7.12)"));
    }
    // BR §7.1.4.3: a commonName that names a host is an encoded copy of a SAN entry.
    let san = exts.san();
    let dns_names = || {
        san.iter()
            .flat_map(|s| s.0.iter())
            .filter_map(|name| match name {
                GeneralName::DnsName(dns) => Some(dns.as_bytes()),
                _ => None,
            })
    };
    for atv in subject.iter().filter(|atv| atv.oid == OID_CN) {
        let cn = atv.value.value();
        if let Some(problem) = common_name_problem(cn, dns_names) {
            return Err(ctx.violation(
                at,
                &format!(
                    "has commonName `{}`, {problem} (CA/B BR §7.1.4.3)",
                    String::from_utf8_lossy(cn)
                ),
            ));
        }
    }
    Ok(())
}

/// What is wrong with a leaf's commonName under BR §7.1.4.3, if anything.
///
/// The BRs deprecate the commonName and allow it only as an encoded copy of a SAN entry.
/// Legacy and test PKIs routinely carry unrelated commonNames that no verifier reads, so
/// certgate does not demand membership; it rejects the encodings that re-state a host
/// identity differently from the SAN, where users and logs are misled:
/// - an IP address in any notation but RFC 3986 dotted decimal or RFC 5952 text
///   (hexadecimal, octal, leading zeros, upper case, uncompressed);
/// - a DNS name that equals a SAN dNSName except for letter case;
/// - an internationalized name (an A-label `xn--…` or any non-ASCII character) that is not
///   a character-for-character copy of a SAN dNSName.
fn common_name_problem<'a, I: Iterator<Item = &'a [u8]>>(
    cn: &[u8],
    dns_names: impl Fn() -> I,
) -> Option<&'static str> {
    if let Some(canonical) = loose_ip_text(cn) {
        return match canonical.as_bytes() == cn {
            true => None,
            false => {
                Some("an IP address not in its canonical text form (RFC 3986 §3.2.2, RFC 5952 §4)")
            }
        };
    }
    if dns_names().any(|dns| dns == cn) {
        return None;
    }
    if dns_names().any(|dns| dns.eq_ignore_ascii_case(cn)) {
        return Some("which differs from a subjectAltName entry in letter case; it must be a character-for-character copy");
    }
    let idn = !cn.is_ascii()
        || cn
            .split(|b| *b == b'.')
            .any(|label| label.len() >= 4 && label[..4].eq_ignore_ascii_case(b"xn--"));
    if idn && !cn.contains(&b' ') {
        return Some("an internationalized name that is not a character-for-character copy of a subjectAltName DNS name");
    }
    None
}

/// The canonical text of `text` read as an IP address the way resolvers read it (IPv4 in
/// `inet_aton` forms: 1 to 4 parts, each decimal, octal or hexadecimal; IPv6 in any case and
/// zero padding), or `None` when it is not one.
fn loose_ip_text(text: &[u8]) -> Option<String> {
    let text = core::str::from_utf8(text).ok()?;
    if text.contains(':') {
        let ip: core::net::Ipv6Addr = text.parse().ok()?;
        return Some(format!("{ip}"));
    }
    let parts: Vec<&str> = text.split('.').collect();
    let hex_prefixed = |p: &str| p.len() > 2 && (p.starts_with("0x") || p.starts_with("0X"));
    if parts.len() > 4 || (parts.len() == 1 && !hex_prefixed(parts[0])) {
        return None;
    }
    let mut values = Vec::with_capacity(parts.len());
    for part in &parts {
        let (digits, radix) = match part {
            p if hex_prefixed(p) => (&p[2..], 16),
            p if p.len() > 1 && p.starts_with('0') => (&p[1..], 8),
            p => (*p, 10),
        };
        if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
            return None;
        }
        values.push(u64::from_str_radix(digits, radix).ok()?);
    }
    // The last part fills the remaining octets, as inet_aton reads "10.1" or "0xC0A80101".
    let (last, leading) = values.split_last()?;
    let mut octets = [0u8; 4];
    for (slot, v) in octets.iter_mut().zip(leading) {
        *slot = u8::try_from(*v).ok()?;
    }
    let width = 4 - leading.len();
    if *last >= 1u64 << (8 * width) {
        return None;
    }
    for k in 0..width {
        octets[3 - k] = (last >> (8 * k)) as u8;
    }
    Some(format!("{}", core::net::Ipv4Addr::from(octets)))
}

/// RFC 1034 §3.5 preferred name syntax as relaxed by RFC 1123 §2.1: dot-separated labels of
/// letters, digits and inner hyphens, 1 to 63 octets each, 253 in all. With `wildcard`, the
/// left-most label may be `*` alone (RFC 6125 §6.4.3 as the CA/B Forum allows it).
fn is_preferred_name(name: &[u8], wildcard: bool) -> bool {
    let name = match (wildcard, name) {
        (true, [b'*', b'.', rest @ ..]) => rest,
        _ => name,
    };
    if name.is_empty() || name.len() > 253 {
        return false;
    }
    name.split(|b| *b == b'.').all(|label| {
        !label.is_empty()
            && label.len() <= 63
            && label
                .iter()
                .all(|b| b.is_ascii_alphanumeric() || *b == b'-')
            && label.first() != Some(&b'-')
            && label.last() != Some(&b'-')
    })
}

/// "the leaf certificate (CN=…)" or "intermediate 1 of the path (CN=…)".
fn who(path: &[CertificateDer<'_>], i: usize) -> String {
    let subject = path
        .get(i)
        .and_then(|der| Certificate::from_der(der).ok())
        .map(|c| subject_suffix(&c))
        .unwrap_or_default();
    match i {
        0 => format!("the leaf certificate{subject}"),
        i => format!("intermediate certificate {i} of the path{subject}"),
    }
}

fn subject_suffix(cert: &Certificate) -> String {
    let dn = DistinguishedName::from_name(cert.tbs_certificate().subject()).rfc4514;
    match dn.is_empty() {
        true => String::new(),
        false => format!(" ({dn})"),
    }
}

fn index_in(chain: &[CertificateDer<'_>], der: &[u8]) -> Option<usize> {
    chain.iter().position(|c| c.as_ref() == der)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn preferred_name_syntax() {
        assert!(is_preferred_name(b"example.com", false));
        assert!(is_preferred_name(b"xn--bcher-kva.example", false));
        assert!(is_preferred_name(b"*.example.com", true));
        assert!(is_preferred_name(b"1.example.com", false));
        assert!(!is_preferred_name(b"*.example.com", false));
        assert!(!is_preferred_name(b".example.com", false));
        assert!(!is_preferred_name(b"foo_bar.example.com", true));
        assert!(!is_preferred_name(b"-foo.example.com", true));
        assert!(!is_preferred_name(b"foo..example.com", true));
        assert!(!is_preferred_name(b"f*o.example.com", true));
        assert!(!is_preferred_name(b"", true));
    }

    #[test]
    fn common_names_that_restate_a_host_differently() {
        let san: [&[u8]; 2] = [b"example.com", b"xn--n3h.com"];
        let names = || san.iter().copied();
        assert_eq!(common_name_problem(b"example.com", names), None);
        assert_eq!(common_name_problem(b"EE", names), None);
        assert_eq!(common_name_problem(b"bad.example.com", names), None);
        assert_eq!(common_name_problem(b"127.0.0.1", names), None);
        assert_eq!(common_name_problem(b"2001:db8::1", names), None);
        assert!(common_name_problem(b"Example.COM", names).is_some());
        assert!(common_name_problem(b"0xC0A80101", names).is_some());
        assert!(common_name_problem(b"192.168.001.001", names).is_some());
        assert!(common_name_problem(b"2001:DB8::1", names).is_some());
        assert!(common_name_problem(b"2001:0db8:0000:0000:0000:0000:0000:0001", names).is_some());
        assert!(common_name_problem(b"xn--nxasmq6b.com", names).is_some());
        assert!(common_name_problem("test-\u{6e2c}\u{8a66}.com".as_bytes(), names).is_some());
        assert_eq!(common_name_problem(b"xn--n3h.com", names), None);
    }

    #[test]
    fn loose_ipv4_forms() {
        assert_eq!(loose_ip_text(b"10.1").as_deref(), Some("10.0.0.1"));
        assert_eq!(loose_ip_text(b"0x7f.1").as_deref(), Some("127.0.0.1"));
        assert_eq!(loose_ip_text(b"010.0.0.1").as_deref(), Some("8.0.0.1"));
        assert_eq!(loose_ip_text(b"256.0.0.1"), None);
        assert_eq!(loose_ip_text(b"example.com"), None);
        assert_eq!(loose_ip_text(b"12345"), None);
    }

    #[test]
    fn strict_is_the_default_and_webpki_only_disables_everything() {
        assert_eq!(Profile::default(), Profile::strict());
        assert!(Profile::strict().enabled());
        assert!(!Profile::webpki_only().enabled());
    }
}
