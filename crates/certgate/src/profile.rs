//! The strict profile: RFC 5280 and CA/Browser Forum rules checked over every candidate path
//! webpki builds, on top of what webpki itself enforces. See [`Profile`] for the rules.
//!
//! The rules read certificates through a borrowed DER view ([`Cert`]) found in one pass
//! without allocating, and decode an extension's value only when a rule needs it, so the
//! profile costs about 1% of a path verification (instruction count, P-256 client chain).

use alloc::format;
use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;

use der::asn1::ObjectIdentifier as Oid;
use der::Decode;
use rustls_pki_types::CertificateDer;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::pkix::{
    AuthorityKeyIdentifier, BasicConstraints, ExtendedKeyUsage, KeyUsage, NameConstraints,
    SubjectAltName,
};

use crate::error::{Code, Rejection};
use crate::name::DistinguishedName;
use crate::usage::Usage;

/// Which certificate-profile rules are enforced beyond webpki's own checks.
///
/// webpki validates signatures, validity, basicConstraints, name constraints, EKU and CRLs,
/// but leaves out most of the certificate *profile*: whether a CA included the extensions it
/// must, marked them as it must, and used the encodings it must. A verifier that skips those
/// rules accepts certificates a conforming CA can never have issued. **The strict profile
/// ([`Profile::strict`], the default) rejects them**:
///
/// - **Every certificate of the path** ([RFC 5280 §4.1.2.2], [§4.2], [§4.2.1.1], [§4.2.1.2]):
///   a serial number that is positive and at most 20 octets; at most one instance of each
///   extension; an authorityKeyIdentifier with a keyIdentifier, not critical, unless the
///   certificate is self-issued; a subjectKeyIdentifier on every CA, never critical.
/// - **CAs, trust anchors included** ([§4.2.1.3], [§4.2.1.9], [§4.2.1.10], [§4.2.1.11]): a
///   critical basicConstraints with cA set; keyCertSign when keyUsage is present; a non-empty
///   subject; name constraints that are critical, non-empty and name DNS names (no leading
///   period); policyConstraints and inhibitAnyPolicy marked critical; on a trust anchor, no
///   critical extension certgate does not understand (webpki ignores them there), and a
///   validity period that covers the check time.
/// - **The leaf** ([§4.2.1.3], [§4.2.1.6], [§4.2.1.10]): no keyCertSign without cA; no name
///   constraints; a critical subjectAltName when the subject is empty; DNS names in the
///   preferred name syntax.
/// - **CRLs** ([§5.2.3], [§4.2.1.3]): a CRL number, not critical (checked when the verifier
///   is built); a trust anchor that signs a CRL in use allows cRLSign when it has a keyUsage.
/// - **Server authentication** (CA/B Forum Baseline Requirements, only when the usage is
///   serverAuth): the leaf has a non-critical EKU without anyExtendedKeyUsage and, with a
///   non-empty subject, a non-critical subjectAltName; a commonName that names a host does
///   not re-state a SAN entry in another encoding; with a [`PublicSuffixes`] list, no
///   wildcard sits directly over a public suffix; trust anchors carry no EKU and a bare
///   keyIdentifier AKI; every key is RSA of at least 2048 bits in whole bytes, or ECDSA on
///   P-256, P-384 or P-521.
///
/// Pinned certificates ([`crate::VerifierBuilder::pin`]) are trusted as presented; the
/// profile applies to paths built to trust anchors. Where strictness and interoperability
/// conflict, a named relaxation below turns off exactly the rule it names; nothing is relaxed
/// silently.
///
/// [RFC 5280 §4.1.2.2]: https://www.rfc-editor.org/rfc/rfc5280#section-4.1.2.2
/// [§4.2]: https://www.rfc-editor.org/rfc/rfc5280#section-4.2
/// [§4.2.1.1]: https://www.rfc-editor.org/rfc/rfc5280#section-4.2.1.1
/// [§4.2.1.2]: https://www.rfc-editor.org/rfc/rfc5280#section-4.2.1.2
/// [§4.2.1.3]: https://www.rfc-editor.org/rfc/rfc5280#section-4.2.1.3
/// [§4.2.1.6]: https://www.rfc-editor.org/rfc/rfc5280#section-4.2.1.6
/// [§4.2.1.9]: https://www.rfc-editor.org/rfc/rfc5280#section-4.2.1.9
/// [§4.2.1.10]: https://www.rfc-editor.org/rfc/rfc5280#section-4.2.1.10
/// [§4.2.1.11]: https://www.rfc-editor.org/rfc/rfc5280#section-4.2.1.11
/// [§5.2.3]: https://www.rfc-editor.org/rfc/rfc5280#section-5.2.3
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
    /// The Public Suffix List for the CA/B wildcard rule (BR §3.2.2.6): with a list, a
    /// serverAuth leaf whose subjectAltName holds `*.` followed by a public suffix
    /// (`*.co.uk`, `*.s3.amazonaws.com`) is rejected. certgate embeds no list (it changes
    /// weekly); without one the rule cannot run and only webpki's own wildcard checks apply.
    /// Default `None`.
    pub public_suffixes: Option<Arc<PublicSuffixes>>,
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
            public_suffixes: None,
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
            public_suffixes: None,
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

/// A parsed [Public Suffix List](https://publicsuffix.org/list/): ICANN and private
/// sections alike, with wildcard (`*.ck`) and exception (`!www.ck`) rules.
///
/// Rules are compared in lower case; rules written as Unicode labels only match names given
/// in the same Unicode form (certificates carry A-labels, so those rules do not apply to them).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PublicSuffixes {
    /// Plain rules, sorted.
    exact: Vec<String>,
    /// The parents of wildcard rules (`ck` for `*.ck`), sorted.
    wildcard: Vec<String>,
    /// Exception rules without the `!`, sorted.
    exception: Vec<String>,
}

impl PublicSuffixes {
    /// Parses the list's text format, both its ICANN and its private section: one rule per
    /// line, `//` comments and blank lines ignored, only the first whitespace-separated word
    /// of a line read.
    pub fn parse(text: &str) -> Self {
        Self::parse_sections(text, true)
    }

    /// Parses only the ICANN section, stopping at `===BEGIN PRIVATE DOMAINS===`: a named
    /// relaxation for callers who accept wildcards that the owner of a private suffix had
    /// issued for it (Amazon's `*.s3.amazonaws.com` is one; BR §3.2.2.6 allows such issuance
    /// to the namespace's owner, but a verifier cannot tell the owner from anyone else).
    pub fn parse_icann(text: &str) -> Self {
        Self::parse_sections(text, false)
    }

    fn parse_sections(text: &str, private: bool) -> Self {
        let mut list = Self::default();
        for line in text.lines() {
            if !private && line.contains("===BEGIN PRIVATE DOMAINS===") {
                break;
            }
            let Some(rule) = line.split_whitespace().next() else {
                continue;
            };
            if rule.starts_with("//") {
                continue;
            }
            let rule = rule.to_ascii_lowercase();
            match (rule.strip_prefix('!'), rule.strip_prefix("*.")) {
                (Some(exception), _) => list.exception.push(exception.into()),
                (None, Some(parent)) => list.wildcard.push(parent.into()),
                (None, None) => list.exact.push(rule),
            }
        }
        for rules in [&mut list.exact, &mut list.wildcard, &mut list.exception] {
            rules.sort_unstable();
            rules.dedup();
        }
        list
    }

    /// How many rules the list holds.
    pub fn len(&self) -> usize {
        self.exact.len() + self.wildcard.len() + self.exception.len()
    }

    /// Whether the list holds no rules.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether `domain` is itself a public suffix: a rule names it, a wildcard rule covers it
    /// and no exception rule lifts it, or it is a single label (the list's implicit `*` rule).
    pub fn is_public_suffix(&self, domain: &str) -> bool {
        let domain = domain.trim_end_matches('.').to_ascii_lowercase();
        if domain.is_empty() {
            return false;
        }
        let has =
            |rules: &[String], name: &str| rules.binary_search_by(|r| r.as_str().cmp(name)).is_ok();
        if has(&self.exception, &domain) {
            return false;
        }
        match domain.split_once('.') {
            None => true,
            Some((_, parent)) => has(&self.exact, &domain) || has(&self.wildcard, parent),
        }
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
        let broken = |what: String| {
            let r = Rejection::new(Code::MalformedCertificate, None, what);
            Self {
                rfc5280: Some(r.clone()),
                cabf: Some(r),
                not_before: 0,
                not_after: 0,
                crl_without_crl_sign: false,
                name: String::from("a trust anchor"),
            }
        };
        let Some(cert) = Cert::parse(der) else {
            return broken(String::from(
                "a trust anchor is not a well-formed X.509 certificate",
            ));
        };
        let Ok(validity) =
            x509_cert::time::Validity::<x509_cert::certificate::Rfc5280>::from_der(cert.validity)
        else {
            return broken(String::from(
                "a trust anchor has a malformed validity period",
            ));
        };
        let name = format!("the trust anchor{}", subject_suffix(cert.subject));
        let ku = cert.exts.key_usage();
        let crl_without_crl_sign = matches!(&ku, Some(ku) if !ku.crl_sign())
            && crl_issuers
                .iter()
                .any(|issuer| issuer.as_slice() == cert.subject);
        let subject_of = |_: usize| name.clone();
        let ctx = Ctx {
            profile,
            who: &subject_of,
        };
        let rfc5280 = match profile.rfc5280 {
            true => anchor_rules(&ctx, &cert, ku.as_ref()).err(),
            false => None,
        };
        let cabf = match profile.cabf_server {
            true => cabf_anchor_rules(&ctx, &cert).err(),
            false => None,
        };
        Self {
            rfc5280,
            cabf,
            not_before: validity.not_before.to_unix_duration().as_secs(),
            not_after: validity.not_after.to_unix_duration().as_secs(),
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
        let Some(cert) = Cert::parse(der) else {
            return Err(Rejection::new(
                Code::MalformedCertificate,
                index,
                format!("{} is not a well-formed X.509 v3 certificate", who(i)),
            ));
        };
        let at = At { i, index };
        if profile.rfc5280 {
            common_rules(&ctx, at, &cert)?;
            match i {
                0 => leaf_rules(&ctx, at, &cert)?,
                _ => ca_rules(&ctx, at, &cert)?,
            }
        }
        if cabf {
            cabf_key_rules(&ctx, at, &cert)?;
            if i == 0 {
                cabf_leaf_rules(&ctx, at, &cert)?;
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
    let malformed = || {
        Rejection::new(
            Code::MalformedCrl,
            Some(i),
            format!("CRL {i} is not a well-formed CRL"),
        )
    };
    // CertificateList ::= SEQUENCE { tbsCertList SEQUENCE { [version], signature, issuer,
    // thisUpdate, [nextUpdate], [revokedCertificates], [0] crlExtensions }, ... }
    let (crl, _, _) = tlv(der, 0x30).ok_or_else(malformed)?;
    let (mut tbs, _, _) = tlv(crl, 0x30).ok_or_else(malformed)?;
    let mut number = None;
    while let Some((tag, value, _, rest)) = any_tlv(tbs) {
        tbs = rest;
        if tag == 0xa0 {
            let (list, _, _) = tlv(value, 0x30).ok_or_else(malformed)?;
            number = extensions(list)
                .ok_or_else(malformed)?
                .into_iter()
                .find(|e| e.oid == ID_CRL_NUMBER);
        }
    }
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
    let (crl, _, _) = tlv(der, 0x30)?;
    let (mut tbs, _, _) = tlv(crl, 0x30)?;
    if let Some((0x02, _, _, rest)) = any_tlv(tbs) {
        tbs = rest; // version
    }
    let (_, _, rest) = tlv(tbs, 0x30)?; // signature
    let (_, whole, _) = tlv(rest, 0x30)?; // issuer
    Some(whole.to_vec())
}

// Extension OIDs as their DER content octets: id-ce (2.5.29) is 0x55 0x1d.
const ID_SKI: &[u8] = &[0x55, 0x1d, 0x0e];
const ID_KU: &[u8] = &[0x55, 0x1d, 0x0f];
const ID_SAN: &[u8] = &[0x55, 0x1d, 0x11];
const ID_BC: &[u8] = &[0x55, 0x1d, 0x13];
const ID_CRL_NUMBER: &[u8] = &[0x55, 0x1d, 0x14];
const ID_NC: &[u8] = &[0x55, 0x1d, 0x1e];
const ID_CRL_DP: &[u8] = &[0x55, 0x1d, 0x1f];
const ID_AKI: &[u8] = &[0x55, 0x1d, 0x23];
const ID_POLICY_CONSTRAINTS: &[u8] = &[0x55, 0x1d, 0x24];
const ID_EKU: &[u8] = &[0x55, 0x1d, 0x25];
const ID_INHIBIT_ANY_POLICY: &[u8] = &[0x55, 0x1d, 0x36];
/// 1.3.6.1.4.1.11129.2.4.2, the SCT list, which webpki reads.
const ID_SCT_LIST: &[u8] = &[0x2b, 0x06, 0x01, 0x04, 0x01, 0xd6, 0x79, 0x02, 0x04, 0x02];
/// 2.5.4.3, commonName.
const ID_CN: &[u8] = &[0x55, 0x04, 0x03];
/// 1.2.840.113549.1.1.1, rsaEncryption.
const ID_RSA: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];
/// 1.2.840.10045.2.1, id-ecPublicKey.
const ID_EC: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];
/// 1.2.840.10045.3.1.7, 1.3.132.0.34, 1.3.132.0.35: P-256, P-384, P-521.
const ID_P256: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];
const ID_P384: &[u8] = &[0x2b, 0x81, 0x04, 0x00, 0x22];
const ID_P521: &[u8] = &[0x2b, 0x81, 0x04, 0x00, 0x23];
const OID_ANY_EKU: Oid = Oid::new_unwrap("2.5.29.37.0");

/// A certificate as the rules see it: borrowed slices of its DER, found in one pass without
/// allocating. Extension values are decoded only when a rule needs them.
struct Cert<'a> {
    /// The serial number's INTEGER content octets.
    serial: &'a [u8],
    /// The issuer Name, whole TLV.
    issuer: &'a [u8],
    /// The subject Name, whole TLV.
    subject: &'a [u8],
    /// The subject Name's content: empty for an empty subject.
    subject_rdns: &'a [u8],
    /// The Validity, whole TLV.
    validity: &'a [u8],
    /// The SubjectPublicKeyInfo's content.
    spki: &'a [u8],
    exts: Exts<'a>,
}

impl<'a> Cert<'a> {
    /// Reads `Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signature }`;
    /// `None` when the DER does not have that shape.
    fn parse(der: &'a [u8]) -> Option<Self> {
        let (cert, _, _) = tlv(der, 0x30)?;
        let (mut tbs, _, _) = tlv(cert, 0x30)?;
        if let Some((0xa0, _, _, rest)) = any_tlv(tbs) {
            tbs = rest; // [0] version
        }
        let (serial, _, tbs) = tlv(tbs, 0x02)?;
        let (_, _, tbs) = tlv(tbs, 0x30)?; // signature
        let (_, issuer, tbs) = tlv(tbs, 0x30)?;
        let (_, validity, tbs) = tlv(tbs, 0x30)?;
        let (subject_rdns, subject, tbs) = tlv(tbs, 0x30)?;
        let (spki, _, mut tbs) = tlv(tbs, 0x30)?;
        let mut exts = Exts::default();
        while let Some((tag, value, _, rest)) = any_tlv(tbs) {
            tbs = rest;
            if tag == 0xa3 {
                let (list, _, _) = tlv(value, 0x30)?;
                exts = Exts::of(list)?;
            }
        }
        Some(Self {
            serial,
            issuer,
            subject,
            subject_rdns,
            validity,
            spki,
            exts,
        })
    }

    fn self_issued(&self) -> bool {
        self.issuer == self.subject
    }
}

/// One extension: its OID, whether it is critical, and its extnValue's content.
#[derive(Clone, Copy)]
struct Ext<'a> {
    /// The extnID's content octets.
    oid: &'a [u8],
    critical: bool,
    value: &'a [u8],
}

/// The extensions the rules look at.
#[derive(Default)]
struct Exts<'a> {
    aki: Option<Ext<'a>>,
    ski: Option<Ext<'a>>,
    ku: Option<Ext<'a>>,
    san: Option<Ext<'a>>,
    bc: Option<Ext<'a>>,
    nc: Option<Ext<'a>>,
    eku: Option<Ext<'a>>,
    policy_constraints: Option<Ext<'a>>,
    inhibit_any_policy: Option<Ext<'a>>,
    /// The OID of the first critical extension webpki does not understand.
    unknown_critical: Option<&'a [u8]>,
    /// The OID of an extension that appears twice (RFC 5280 §4.2).
    duplicate: Option<&'a [u8]>,
}

impl<'a> Exts<'a> {
    fn of(list: &'a [u8]) -> Option<Self> {
        let mut exts = Self::default();
        let all = extensions(list)?;
        for (k, ext) in all.iter().enumerate() {
            let oid = ext.oid;
            if exts.duplicate.is_none() && all[..k].iter().any(|seen| seen.oid == oid) {
                exts.duplicate = Some(oid);
            }
            let slot = match oid {
                ID_AKI => &mut exts.aki,
                ID_SKI => &mut exts.ski,
                ID_KU => &mut exts.ku,
                ID_SAN => &mut exts.san,
                ID_BC => &mut exts.bc,
                ID_NC => &mut exts.nc,
                ID_EKU => &mut exts.eku,
                ID_POLICY_CONSTRAINTS => &mut exts.policy_constraints,
                ID_INHIBIT_ANY_POLICY => &mut exts.inhibit_any_policy,
                ID_CRL_DP | ID_SCT_LIST => continue,
                _ => {
                    if ext.critical && exts.unknown_critical.is_none() {
                        exts.unknown_critical = Some(oid);
                    }
                    continue;
                }
            };
            slot.get_or_insert(*ext);
        }
        Some(exts)
    }

    fn key_usage(&self) -> Option<KeyUsage> {
        self.ku.and_then(|e| KeyUsage::from_der(e.value).ok())
    }

    fn basic_constraints(&self) -> Option<BasicConstraints> {
        self.bc
            .and_then(|e| BasicConstraints::from_der(e.value).ok())
    }

    fn san(&self) -> Option<SubjectAltName> {
        self.san
            .and_then(|e| SubjectAltName::from_der(e.value).ok())
    }
}

/// `Extensions ::= SEQUENCE OF Extension` content into its extensions, in order.
fn extensions(mut list: &[u8]) -> Option<Vec<Ext<'_>>> {
    let mut out = Vec::with_capacity(10);
    while !list.is_empty() {
        let (ext, _, rest) = tlv(list, 0x30)?;
        list = rest;
        let (oid, _, ext) = tlv(ext, 0x06)?;
        let (critical, ext) = match tlv(ext, 0x01) {
            Some((flag, _, rest)) => (flag == [0xff], rest),
            None => (false, ext),
        };
        let (value, _, tail) = tlv(ext, 0x04)?;
        if !tail.is_empty() {
            return None;
        }
        out.push(Ext {
            oid,
            critical,
            value,
        });
    }
    Some(out)
}

/// One DER TLV with the expected `tag`: (content, whole TLV, rest).
fn tlv(input: &[u8], tag: u8) -> Option<(&[u8], &[u8], &[u8])> {
    match any_tlv(input)? {
        (t, content, whole, rest) if t == tag => Some((content, whole, rest)),
        _ => None,
    }
}

/// A TLV read by [`any_tlv`]: (tag, content, whole TLV, rest of the input).
type Tlv<'a> = (u8, &'a [u8], &'a [u8], &'a [u8]);

/// One DER TLV with a single-octet tag: (tag, content, whole TLV, rest). Lengths use the
/// short form or the long form with up to four octets; certificates fit in that.
fn any_tlv(input: &[u8]) -> Option<Tlv<'_>> {
    let tag = *input.first()?;
    let first = *input.get(1)?;
    let (header, len) = match first {
        0..=0x7f => (2, usize::from(first)),
        0x81..=0x84 => {
            let n = usize::from(first & 0x7f);
            let len = input
                .get(2..2 + n)?
                .iter()
                .fold(0usize, |acc, b| (acc << 8) | usize::from(*b));
            (2 + n, len)
        }
        _ => return None,
    };
    let end = header.checked_add(len)?;
    let content = input.get(header..end)?;
    Some((tag, content, &input[..end], &input[end..]))
}

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

    fn malformed(&self, at: At, what: &str) -> Rejection {
        Rejection::new(
            Code::MalformedExtension,
            at.index,
            format!("{} has a malformed {what}", (self.who)(at.i)),
        )
    }
}

/// RFC 5280 rules for every certificate of the path (not the trust anchor).
fn common_rules(ctx: &Ctx<'_>, at: At, cert: &Cert<'_>) -> Result<(), Rejection> {
    // §4.1.2.2: a positive integer of at most 20 octets. A leading zero octet only carries
    // the sign, so 21 encoded octets are fine when the first is zero.
    let serial = cert.serial;
    let magnitude = match serial {
        [0, rest @ ..] => rest,
        all => all,
    };
    if serial.first().is_none_or(|b| b & 0x80 != 0)
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
    // §4.2: at most one instance of an extension.
    if let Some(oid) = cert.exts.duplicate {
        return Err(ctx.violation(
            at,
            &format!("carries extension {} twice (RFC 5280 §4.2)", oid_text(oid)),
        ));
    }
    aki_rule(ctx, at, cert)
}

/// §4.2.1.1: conforming CAs include the keyIdentifier in every certificate but a self-signed
/// one, and never mark the extension critical.
fn aki_rule(ctx: &Ctx<'_>, at: At, cert: &Cert<'_>) -> Result<(), Rejection> {
    match cert.exts.aki {
        Some(e) if e.critical => Err(ctx.violation(at, "marks its authorityKeyIdentifier critical (RFC 5280 §4.2.1.1)")),
        Some(e) => match AuthorityKeyIdentifier::from_der(e.value) {
            Ok(aki) if aki.key_identifier.is_some() || ctx.profile.allow_missing_key_identifiers => Ok(()),
            Ok(_) => Err(ctx.violation(at, "has an authorityKeyIdentifier without a keyIdentifier (RFC 5280 §4.2.1.1)")),
            Err(_) => Err(ctx.malformed(at, "authorityKeyIdentifier")),
        },
        None if cert.self_issued() || ctx.profile.allow_missing_key_identifiers => Ok(()),
        None => Err(ctx.violation(
            at,
            "has no authorityKeyIdentifier, which RFC 5280 §4.2.1.1 requires of every certificate that is not self-signed; \
             reissue it with one (or relax the profile with allow_missing_key_identifiers)",
        )),
    }
}

/// §4.2.1.2: every CA certificate carries a non-critical subjectKeyIdentifier.
fn ski_rule(ctx: &Ctx<'_>, at: At, cert: &Cert<'_>) -> Result<(), Rejection> {
    match cert.exts.ski {
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
fn leaf_rules(ctx: &Ctx<'_>, at: At, cert: &Cert<'_>) -> Result<(), Rejection> {
    let exts = &cert.exts;
    if exts.ski.is_some_and(|e| e.critical) {
        return Err(ctx.violation(
            at,
            "marks its subjectKeyIdentifier critical (RFC 5280 §4.2.1.2)",
        ));
    }
    // §4.2.1.9: keyCertSign only with cA asserted.
    if exts.ku.is_some() {
        let is_ca = exts.basic_constraints().is_some_and(|bc| bc.ca);
        if !is_ca && exts.key_usage().is_some_and(|ku| ku.key_cert_sign()) {
            return Err(ctx.violation(
                at,
                "asserts keyUsage keyCertSign without basicConstraints cA (RFC 5280 §4.2.1.9)",
            ));
        }
    }
    // §4.2.1.10: name constraints only in CA certificates.
    if exts.nc.is_some() {
        return Err(ctx.violation(
            at,
            "is not a CA but carries nameConstraints (RFC 5280 §4.2.1.10)",
        ));
    }
    // §4.2.1.6: an empty subject needs a critical subjectAltName.
    if cert.subject_rdns.is_empty() && !exts.san.is_some_and(|e| e.critical) {
        return Err(ctx.violation(
            at,
            "has an empty subject and no critical subjectAltName (RFC 5280 §4.2.1.6)",
        ));
    }
    if exts.san.is_some() {
        let san = exts
            .san()
            .ok_or_else(|| ctx.malformed(at, "subjectAltName"))?;
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
fn ca_rules(ctx: &Ctx<'_>, at: At, cert: &Cert<'_>) -> Result<(), Rejection> {
    ski_rule(ctx, at, cert)?;
    ca_shared_rules(ctx, at, cert, cert.exts.key_usage().as_ref())
}

/// RFC 5280 rules shared by intermediates and trust anchors.
fn ca_shared_rules(
    ctx: &Ctx<'_>,
    at: At,
    cert: &Cert<'_>,
    ku: Option<&KeyUsage>,
) -> Result<(), Rejection> {
    let exts = &cert.exts;
    // §4.2.1.9: CAs include basicConstraints, critical, with cA asserted.
    match (exts.bc, exts.basic_constraints()) {
        (None, _) => {
            return Err(ctx.violation(
                at,
                "is a CA without basicConstraints, which RFC 5280 §4.2.1.9 requires",
            ))
        }
        (Some(_), None) => return Err(ctx.malformed(at, "basicConstraints")),
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
    if cert.subject_rdns.is_empty() {
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
fn name_constraints_rule(ctx: &Ctx<'_>, at: At, e: Ext<'_>) -> Result<(), Rejection> {
    if !e.critical && !ctx.profile.allow_noncritical_name_constraints {
        return Err(ctx.violation(
            at,
            "has nameConstraints not marked critical (RFC 5280 §4.2.1.10; relax the profile with \
             allow_noncritical_name_constraints for CA/B-style CAs)",
        ));
    }
    let nc =
        NameConstraints::from_der(e.value).map_err(|_| ctx.malformed(at, "nameConstraints"))?;
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
fn anchor_rules(ctx: &Ctx<'_>, cert: &Cert<'_>, ku: Option<&KeyUsage>) -> Result<(), Rejection> {
    let at = At { i: 0, index: None };
    if let Some(oid) = cert.exts.unknown_critical {
        return Err(Rejection::new(
            Code::UnsupportedCriticalExtension,
            None,
            format!(
                "{} carries critical extension {} that certgate does not understand; it cannot anchor a path",
                (ctx.who)(0),
                oid_text(oid)
            ),
        ));
    }
    if let Some(oid) = cert.exts.duplicate {
        return Err(ctx.violation(
            at,
            &format!("carries extension {} twice (RFC 5280 §4.2)", oid_text(oid)),
        ));
    }
    ski_rule(ctx, at, cert)?;
    match cert.exts.aki {
        Some(_) => aki_rule(ctx, at, cert)?,
        None if !cert.self_issued() && !ctx.profile.allow_missing_key_identifiers => {
            return Err(ctx.violation(
                at,
                "is not self-issued and has no authorityKeyIdentifier (RFC 5280 §4.2.1.1)",
            ));
        }
        None => {}
    }
    ca_shared_rules(ctx, at, cert, ku)
}

/// CA/B Forum rules for a trust anchor used for server authentication (BR §7.1.2.1).
fn cabf_anchor_rules(ctx: &Ctx<'_>, cert: &Cert<'_>) -> Result<(), Rejection> {
    let at = At { i: 0, index: None };
    if cert.exts.eku.is_some() {
        return Err(ctx.violation(
            at,
            "carries an extendedKeyUsage, which a root CA must not (CA/B BR §7.1.2.1.2)",
        ));
    }
    if let Some(e) = cert.exts.aki {
        let aki = AuthorityKeyIdentifier::from_der(e.value)
            .map_err(|_| ctx.malformed(at, "authorityKeyIdentifier"))?;
        if aki.key_identifier.is_none()
            || aki.authority_cert_issuer.is_some()
            || aki.authority_cert_serial_number.is_some()
        {
            return Err(ctx.violation(at, "has an authorityKeyIdentifier that is not a bare keyIdentifier (CA/B BR §7.1.2.1.3)"));
        }
    }
    cabf_key_rules(ctx, at, cert)
}

/// CA/B Forum key rules (BR §6.1.5, §6.1.6): RSA of at least 2048 bits and a whole number of
/// bytes, or ECDSA on P-256, P-384 or P-521.
fn cabf_key_rules(ctx: &Ctx<'_>, at: At, cert: &Cert<'_>) -> Result<(), Rejection> {
    // SubjectPublicKeyInfo ::= SEQUENCE { algorithm SEQUENCE { OID, parameters }, BIT STRING }
    let key = || -> Option<bool> {
        let (alg, _, rest) = tlv(cert.spki, 0x30)?;
        let (bits, _, _) = tlv(rest, 0x03)?;
        let (oid, _, params) = tlv(alg, 0x06)?;
        Some(match oid {
            ID_RSA => crate::inspect::rsa_modulus_bits(bits.get(1..)?)
                .is_some_and(|n| n >= 2048 && n % 8 == 0),
            ID_EC => tlv(params, 0x06)
                .is_some_and(|(curve, _, _)| matches!(curve, ID_P256 | ID_P384 | ID_P521)),
            _ => false,
        })
    };
    match key() {
        Some(true) => Ok(()),
        _ => Err(ctx.violation(
            at,
            "has a key the CA/B Baseline Requirements do not allow for TLS \
             (RSA of 2048+ bits in whole bytes, or ECDSA P-256/P-384/P-521; BR §6.1.5)",
        )),
    }
}

/// CA/B Forum rules for a TLS server leaf (BR §7.1.2.7, §7.1.4.3, §3.2.2.6).
fn cabf_leaf_rules(ctx: &Ctx<'_>, at: At, cert: &Cert<'_>) -> Result<(), Rejection> {
    let exts = &cert.exts;
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
            ))
        }
        Some(e) => {
            let eku = ExtendedKeyUsage::from_der(e.value)
                .map_err(|_| ctx.malformed(at, "extendedKeyUsage"))?;
            if eku.0.contains(&OID_ANY_EKU) {
                return Err(ctx.violation(at, "lists anyExtendedKeyUsage (CA/B BR §7.1.2.7.10)"));
            }
        }
    }
    if !cert.subject_rdns.is_empty() && exts.san.is_some_and(|e| e.critical) {
        return Err(ctx.violation(
            at,
            "marks its subjectAltName critical although its subject is not empty (CA/B BR §7.1.2.7.12)",
        ));
    }
    let san = exts.san();
    let dns_names = || {
        san.iter()
            .flat_map(|s| s.0.iter())
            .filter_map(|name| match name {
                GeneralName::DnsName(dns) => Some(dns.as_bytes()),
                _ => None,
            })
    };
    // BR §3.2.2.6: no wildcard directly over a public suffix.
    if let Some(list) = &ctx.profile.public_suffixes {
        for name in dns_names() {
            if let Some(base) = name.strip_prefix(b"*.") {
                if list.is_public_suffix(&String::from_utf8_lossy(base)) {
                    return Err(ctx.violation(
                        at,
                        &format!(
                            "has wildcard `{}` over a public suffix, which no CA may issue (CA/B BR §3.2.2.6)",
                            String::from_utf8_lossy(name)
                        ),
                    ));
                }
            }
        }
    }
    // BR §7.1.4.3: a commonName that names a host is an encoded copy of a SAN entry.
    for cn in common_names(cert.subject_rdns) {
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

/// The commonName values of a Name's content (`SEQUENCE OF SET OF AttributeTypeAndValue`),
/// as their string contents.
fn common_names(mut rdns: &[u8]) -> impl Iterator<Item = &[u8]> {
    let mut set: &[u8] = &[];
    core::iter::from_fn(move || loop {
        if set.is_empty() {
            let (next, _, rest) = tlv(rdns, 0x31)?;
            set = next;
            rdns = rest;
            continue;
        }
        let (atv, _, rest) = tlv(set, 0x30)?;
        set = rest;
        let (oid, _, value) = tlv(atv, 0x06)?;
        if oid == ID_CN {
            return any_tlv(value).map(|(_, content, _, _)| content);
        }
    })
}

/// The dotted form of an OID's content octets, for messages.
fn oid_text(oid: &[u8]) -> String {
    match Oid::from_bytes(oid) {
        Ok(oid) => format!("{oid}"),
        Err(_) => String::from("(an undecodable OID)"),
    }
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

/// "the leaf certificate (CN=…)" or "intermediate certificate 1 of the path (CN=…)".
fn who(path: &[CertificateDer<'_>], i: usize) -> String {
    let subject = path
        .get(i)
        .and_then(|der| Cert::parse(der))
        .map(|c| subject_suffix(c.subject))
        .unwrap_or_default();
    match i {
        0 => format!("the leaf certificate{subject}"),
        i => format!("intermediate certificate {i} of the path{subject}"),
    }
}

/// " (CN=…,O=…)" for a DER Name, or nothing when it is empty or undecodable.
fn subject_suffix(name: &[u8]) -> String {
    let Ok(name) = x509_cert::name::Name::from_der(name) else {
        return String::new();
    };
    let dn = DistinguishedName::from_name(&name).rfc4514;
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
    fn the_der_view_reads_a_real_chain_and_never_panics_on_damage() {
        let pem = include_str!("../tests/fixtures/alice.pem");
        let chain = crate::pem::parse_chain(pem.as_bytes(), &crate::pem::Limits::default())
            .expect("fixture chain");
        for der in &chain {
            let cert = Cert::parse(der).expect("a well-formed certificate");
            assert!(!cert.serial.is_empty());
            assert!(!cert.subject_rdns.is_empty());
            assert!(cert.exts.aki.is_some() && cert.exts.bc.is_some());
            assert!(cert.exts.duplicate.is_none());
            for n in 0..der.len() {
                assert!(Cert::parse(&der[..n]).is_none(), "a {n}-byte prefix parsed");
            }
            let mut damaged = der.to_vec();
            for i in 0..damaged.len() {
                damaged[i] ^= 0xff;
                let _ = Cert::parse(&damaged); // any answer but a panic
                damaged[i] ^= 0xff;
            }
        }
        let crl = include_str!("../tests/fixtures/root.crl.pem");
        let crls = crate::pem::parse_crls(crl.as_bytes(), &crate::pem::Limits::default())
            .expect("fixture CRL");
        let der = crls[0].as_ref();
        assert!(check_crl(&Profile::strict(), der, 0).is_ok());
        assert!(crl_issuer(der).is_some());
        for n in 0..der.len() {
            assert_eq!(
                check_crl(&Profile::strict(), &der[..n], 0).map_err(|r| r.code),
                Err(Code::MalformedCrl)
            );
            let _ = crl_issuer(&der[..n]);
        }
    }

    #[test]
    fn public_suffix_rules() {
        let text = "// ===BEGIN ICANN DOMAINS===\nco.uk\n*.ck\n!www.ck\nCOM\n\n// ===BEGIN PRIVATE DOMAINS===\ns3.amazonaws.com\n";
        let all = PublicSuffixes::parse(text);
        assert_eq!(all.len(), 5);
        assert!(all.is_public_suffix("co.uk"));
        assert!(all.is_public_suffix("Co.UK."));
        assert!(all.is_public_suffix("com"));
        assert!(all.is_public_suffix("uk")); // the implicit `*` rule
        assert!(all.is_public_suffix("anything.ck"));
        assert!(!all.is_public_suffix("www.ck"));
        assert!(all.is_public_suffix("s3.amazonaws.com"));
        assert!(!all.is_public_suffix("example.co.uk"));
        assert!(!all.is_public_suffix(""));
        let icann = PublicSuffixes::parse_icann(text);
        assert_eq!(icann.len(), 4);
        assert!(!icann.is_public_suffix("s3.amazonaws.com"));
        assert!(icann.is_public_suffix("co.uk"));
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
