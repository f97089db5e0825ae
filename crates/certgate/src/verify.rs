//! The verifier: trust material and configuration fixed at build time, then one call per
//! presented chain that returns the verified path or one [`Rejection`].
//!
//! Path building, signatures, name constraints and CRL checks are rustls-webpki's; certgate
//! adds pinned certificates, clock-skew tolerance, depth limits, input limits and the mapping
//! of every failure to a stable code with a message a person can act on.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use core::cell::RefCell;
use core::time::Duration;

use der::Decode;
use rustls_pki_types::{
    CertificateDer, ServerName, SignatureVerificationAlgorithm, TrustAnchor, UnixTime,
};
use webpki::{
    CertRevocationList, EndEntityCert, ExpirationPolicy, OwnedCertRevocationList,
    RevocationCheckDepth, RevocationOptionsBuilder, UnknownStatusPolicy, VerifiedPath,
};

use crate::candidates;
use crate::error::{Code, Rejection};
use crate::inspect::{serial_hex, subject_alt_names, Inspection};
use crate::pem::{self, Limits};
use crate::profile::{self, AnchorFacts, Crls, Profile};
use crate::time::{distance, rfc3339};
use crate::usage::{eku_name, leaf_ekus, EkuRule, Usage};

/// Verification settings fixed when the verifier is built.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Config {
    /// Clock-skew tolerance in seconds applied to every notBefore and notAfter in the path.
    /// Default 0.
    pub skew_secs: u64,
    /// Most certificates in a verified path, leaf and trust anchor included. Default 8
    /// (webpki's own ceiling: a leaf, six intermediates and an anchor).
    pub max_path_len: usize,
    /// Require the leaf to carry an extendedKeyUsage extension that lists the usage.
    /// Default false: per RFC 5280 a leaf without the extension is valid for any purpose.
    pub require_eku: bool,
    /// How CRLs are applied, when any are configured.
    pub revocation: RevocationConfig,
    /// Input limits.
    pub limits: Limits,
    /// The RFC 5280 / CA/B profile rules checked over every candidate path.
    /// Default [`Profile::strict`]; relax single rules by name, or use
    /// [`Profile::webpki_only`] for webpki's checks alone.
    pub profile: Profile,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            skew_secs: 0,
            max_path_len: 8,
            require_eku: false,
            revocation: RevocationConfig::default(),
            limits: Limits::default(),
            profile: Profile::strict(),
        }
    }
}

/// How configured CRLs are applied.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct RevocationConfig {
    /// Check every certificate in the path (default) or only the leaf.
    pub leaf_only: bool,
    /// Reject a certificate when no configured CRL covers it. Default false: a certificate
    /// whose issuer publishes no CRL here is accepted.
    pub deny_unknown: bool,
    /// Reject when a needed CRL is past its nextUpdate. Default true.
    pub enforce_expiry: bool,
}

impl Default for RevocationConfig {
    fn default() -> Self {
        Self {
            leaf_only: false,
            deny_unknown: false,
            enforce_expiry: true,
        }
    }
}

/// Per-call options: when and for what the chain is verified.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct VerifyOptions<'a> {
    /// The check time in Unix seconds. The core never reads a clock.
    pub time: u64,
    /// The purpose: client authentication unless set.
    pub usage: Usage,
    /// A DNS name or IP address the leaf must be valid for (its subjectAltName).
    pub peer_name: Option<&'a str>,
}

impl<'a> VerifyOptions<'a> {
    /// Client-authentication verification at `time` (Unix seconds).
    pub fn new(time: u64) -> Self {
        Self {
            time,
            usage: Usage::ClientAuth,
            peer_name: None,
        }
    }

    /// Sets the usage.
    pub fn usage(mut self, usage: Usage) -> Self {
        self.usage = usage;
        self
    }

    /// Sets the DNS name or IP address the leaf must be valid for.
    pub fn peer_name(mut self, name: &'a str) -> Self {
        self.peer_name = Some(name);
        self
    }
}

/// A successfully verified chain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verified {
    path: Vec<CertificateDer<'static>>,
    pinned: bool,
    time: u64,
}

impl Verified {
    /// The verified path as DER: leaf first, trust anchor last. A pinned leaf is alone.
    pub fn path(&self) -> &[CertificateDer<'static>] {
        &self.path
    }

    /// The leaf certificate.
    pub fn leaf(&self) -> &CertificateDer<'static> {
        &self.path[0]
    }

    /// Whether the leaf was accepted because it is pinned (trusted by itself).
    pub fn is_pinned(&self) -> bool {
        self.pinned
    }

    /// The check time the chain was verified at.
    pub fn time(&self) -> u64 {
        self.time
    }

    /// Decodes the leaf into an inspection record, with its status at the check time.
    pub fn inspect_leaf(&self) -> Result<Inspection, Rejection> {
        Inspection::from_der(self.leaf(), Some(self.time))
    }
}

/// Collects trust material and configuration; [`VerifierBuilder::build`] checks them.
#[derive(Debug)]
pub struct VerifierBuilder {
    algs: &'static [&'static dyn SignatureVerificationAlgorithm],
    anchors: Vec<CertificateDer<'static>>,
    pinned: Vec<CertificateDer<'static>>,
    crls: Vec<Vec<u8>>,
    config: Config,
}

impl VerifierBuilder {
    /// A builder that verifies signatures with `algs` (e.g. `webpki::ring::…` or a
    /// provider of the caller's).
    pub fn new(algs: &'static [&'static dyn SignatureVerificationAlgorithm]) -> Self {
        Self {
            algs,
            anchors: Vec::new(),
            pinned: Vec::new(),
            crls: Vec::new(),
            config: Config::default(),
        }
    }

    /// Adds trust anchors (CA certificates) from PEM or DER.
    pub fn trust(mut self, input: &[u8]) -> Result<Self, Rejection> {
        self.anchors.extend(pem::parse_bundle(input, &self.config.limits)?);
        Ok(self)
    }

    /// Adds pinned certificates from PEM or DER: a presented leaf byte-identical to one of
    /// these is trusted by itself, as Java trust stores trust a `trustedCertEntry`.
    pub fn pin(mut self, input: &[u8]) -> Result<Self, Rejection> {
        self.pinned.extend(pem::parse_bundle(input, &self.config.limits)?);
        Ok(self)
    }

    /// Adds CRLs from PEM or DER.
    pub fn crls(mut self, input: &[u8]) -> Result<Self, Rejection> {
        self.crls.extend(pem::parse_crls(input, &self.config.limits)?.into_iter().map(|c| c.to_vec()));
        Ok(self)
    }

    /// Replaces the configuration.
    pub fn config(mut self, config: Config) -> Self {
        self.config = config;
        self
    }

    /// Checks the trust material and builds the verifier.
    pub fn build(self) -> Result<Verifier, Rejection> {
        if self.anchors.is_empty() && self.pinned.is_empty() {
            return Err(Rejection::new(
                Code::InvalidConfig,
                None,
                "no trust anchors and no pinned certificates: the verifier would reject everything",
            ));
        }
        if self.config.max_path_len < 2 {
            return Err(Rejection::new(
                Code::InvalidConfig,
                None,
                "max_path_len must be at least 2 (a leaf and its trust anchor)",
            ));
        }
        let mut anchors = Vec::with_capacity(self.anchors.len());
        for (i, der) in self.anchors.iter().enumerate() {
            let anchor = webpki::anchor_from_trusted_cert(der).map_err(|e| {
                Rejection::new(
                    Code::InvalidConfig,
                    Some(i),
                    format!("trust anchor {i} cannot be used: {}", describe_der_error(&e)),
                )
            })?;
            anchors.push(anchor.to_owned());
        }
        for (i, der) in self.pinned.iter().enumerate() {
            x509_cert::Certificate::from_der(der).map_err(|e| {
                Rejection::new(Code::InvalidConfig, Some(i), format!("pinned certificate {i} cannot be decoded: {e}"))
            })?;
        }
        let mut crls = Vec::with_capacity(self.crls.len());
        for (i, der) in self.crls.iter().enumerate() {
            let crl = OwnedCertRevocationList::from_der(der).map_err(|e| {
                let code = match e {
                    webpki::Error::UnsupportedCrlVersion
                    | webpki::Error::UnsupportedDeltaCrl
                    | webpki::Error::UnsupportedIndirectCrl
                    | webpki::Error::UnsupportedRevocationReasonsPartitioning
                    | webpki::Error::UnsupportedCrlIssuingDistributionPoint
                    | webpki::Error::UnsupportedRevocationReason => Code::UnsupportedCrl,
                    _ => Code::MalformedCrl,
                };
                Rejection::new(code, Some(i), format!("CRL {i} cannot be used: {}", describe_crl_error(&e)))
            })?;
            profile::check_crl(&self.config.profile, der, i)?;
            crls.push(CertRevocationList::from(crl));
        }
        let crl_issuers: Vec<Vec<u8>> = self.crls.iter().filter_map(|der| profile::crl_issuer(der)).collect();
        let anchor_facts =
            self.anchors.iter().map(|der| AnchorFacts::new(&self.config.profile, der, &crl_issuers)).collect();
        Ok(Verifier {
            algs: self.algs,
            anchors,
            anchor_ders: self.anchors,
            anchor_facts,
            pinned: self.pinned,
            crls,
            config: self.config,
        })
    }
}

/// Verifies presented certificate chains against fixed trust material.
pub struct Verifier {
    algs: &'static [&'static dyn SignatureVerificationAlgorithm],
    anchors: Vec<TrustAnchor<'static>>,
    anchor_ders: Vec<CertificateDer<'static>>,
    /// What the strict profile needs of each anchor, in `anchors` order.
    anchor_facts: Vec<AnchorFacts>,
    pinned: Vec<CertificateDer<'static>>,
    crls: Vec<CertRevocationList<'static>>,
    config: Config,
}

impl core::fmt::Debug for Verifier {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Verifier")
            .field("anchors", &self.anchors.len())
            .field("pinned", &self.pinned.len())
            .field("crls", &self.crls.len())
            .field("config", &self.config)
            .finish()
    }
}

impl Verifier {
    /// A builder using webpki's ring signature algorithms.
    #[cfg(feature = "ring")]
    pub fn builder() -> VerifierBuilder {
        VerifierBuilder::new(webpki::ALL_VERIFICATION_ALGS)
    }

    /// The configuration in force.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The trust anchors' certificates, in the order they were added.
    pub fn anchors(&self) -> &[CertificateDer<'static>] {
        &self.anchor_ders
    }

    /// Decodes a chain from PEM or DER (leaf first) and verifies it.
    pub fn verify_pem(&self, input: &[u8], options: &VerifyOptions<'_>) -> Result<Verified, Rejection> {
        let chain = pem::parse_chain(input, &self.config.limits)?;
        self.verify(&chain, options)
    }

    /// Verifies a presented chain: the leaf first, then intermediates in any order; extra
    /// certificates are tolerated and unused ones ignored.
    pub fn verify(&self, chain: &[CertificateDer<'_>], options: &VerifyOptions<'_>) -> Result<Verified, Rejection> {
        let Some(leaf_der) = chain.first() else {
            return Err(Rejection::new(Code::NoCertificate, None, "no client certificate was presented"));
        };
        let limits = &self.config.limits;
        if chain.len() > limits.chain_certs {
            return Err(Rejection::new(
                Code::TooManyCertificates,
                None,
                format!("the chain holds {} certificates; the limit is {}", chain.len(), limits.chain_certs),
            ));
        }
        let total: usize = chain.iter().map(|c| c.len()).sum();
        if total > limits.chain_bytes {
            return Err(Rejection::new(
                Code::InputTooLarge,
                None,
                format!("the chain is {total} bytes; the limit is {} bytes", limits.chain_bytes),
            ));
        }
        let peer_name = match options.peer_name {
            Some(name) => Some(ServerName::try_from(name).map_err(|_| {
                Rejection::new(
                    Code::InvalidPeerName,
                    None,
                    format!("`{name}` is neither a valid DNS name nor an IP address"),
                )
            })?),
            None => None,
        };

        if self.pinned.iter().any(|p| p.as_ref() == leaf_der.as_ref()) {
            return self.verify_pinned(leaf_der, options, peer_name.as_ref());
        }

        // A leaf webpki cannot parse is certificate 0, whatever the error.
        let leaf = EndEntityCert::try_from(leaf_der).map_err(|e| Rejection {
            cert_index: Some(0),
            ..self.map_error(e, chain, options)
        })?;
        if self.config.require_eku {
            self.check_leaf_has_eku(leaf_der, &options.usage)?;
        }

        let wanted = options.usage.oid();
        let eku = EkuRule { wanted: wanted.as_bytes() };
        let crl_refs: Vec<&CertRevocationList<'_>> = self.crls.iter().collect();
        let revocation = match RevocationOptionsBuilder::new(&crl_refs) {
            Ok(builder) => Some(
                builder
                    .with_depth(match self.config.revocation.leaf_only {
                        true => RevocationCheckDepth::EndEntity,
                        false => RevocationCheckDepth::Chain,
                    })
                    .with_status_policy(match self.config.revocation.deny_unknown {
                        true => UnknownStatusPolicy::Deny,
                        false => UnknownStatusPolicy::Allow,
                    })
                    .with_expiration_policy(match self.config.revocation.enforce_expiry {
                        true => ExpirationPolicy::Enforce,
                        false => ExpirationPolicy::Ignore,
                    })
                    .build(),
            ),
            Err(_) => None, // no CRLs configured
        };

        // Only intermediates that can link the leaf to an anchor by names (candidates.rs).
        let intermediates = candidates::usable(leaf_der, &chain[1..], &self.anchors);
        let stash: RefCell<Option<Rejection>> = RefCell::new(None);
        let mut time = options.time;
        // At most two retries: once shifted towards a notBefore, once towards a notAfter.
        for attempt in 0..3 {
            let shifted = time != options.time;
            let check = |path: &VerifiedPath<'_>| self.check_path(path, chain, options, shifted, &stash);
            let result = leaf.verify_for_usage(
                self.algs,
                &self.anchors,
                &intermediates,
                UnixTime::since_unix_epoch(Duration::from_secs(time)),
                &eku,
                revocation,
                Some(&check),
            );
            match result {
                Ok(path) => {
                    if let Some(name) = &peer_name {
                        leaf.verify_is_valid_for_subject_name(name)
                            .map_err(|e| self.map_error(e, chain, options))?;
                    }
                    let mut ders = Vec::with_capacity(2 + chain.len());
                    ders.push(leaf_der.clone().into_owned());
                    ders.extend(path.intermediate_certificates().map(|c| c.der().into_owned()));
                    let anchor = path.anchor();
                    if let Some(i) = self.anchors.iter().position(|a| core::ptr::eq(a, anchor)) {
                        ders.push(self.anchor_ders[i].clone());
                    }
                    return Ok(Verified {
                        path: ders,
                        pinned: false,
                        time: options.time,
                    });
                }
                Err(err) => {
                    if attempt < 2 {
                        if let Some(retry) = skew_retry(&err, options.time, self.config.skew_secs) {
                            if retry != time {
                                time = retry;
                                stash.borrow_mut().take();
                                continue;
                            }
                        }
                    }
                    // A rejection of our own stands when webpki found nothing more specific.
                    if matches!(err, webpki::Error::UnknownIssuer) {
                        if let Some(ours) = stash.borrow_mut().take() {
                            return Err(ours);
                        }
                    }
                    return Err(self.map_error(err, chain, options));
                }
            }
        }
        Err(Rejection::new(Code::UnknownIssuer, None, "no valid path to a trust anchor"))
    }

    /// Checks a candidate path webpki has built: depth, validity under skew when the path was
    /// built at a shifted time, and the strict profile. Errors are stashed; webpki goes on to
    /// other paths.
    fn check_path(
        &self,
        path: &VerifiedPath<'_>,
        chain: &[CertificateDer<'_>],
        options: &VerifyOptions<'_>,
        shifted: bool,
        stash: &RefCell<Option<Rejection>>,
    ) -> Result<(), webpki::Error> {
        let len = 2 + path.intermediate_certificates().count();
        let rejection = if len > self.config.max_path_len {
            Some(Rejection::new(
                Code::ChainTooLong,
                None,
                format!(
                    "the path to the trust anchor has {len} certificates; at most {} are allowed",
                    self.config.max_path_len
                ),
            ))
        } else if shifted {
            let mut ders: Vec<CertificateDer<'_>> = Vec::with_capacity(len);
            ders.push(path.end_entity().der());
            ders.extend(path.intermediate_certificates().map(|c| c.der()));
            ders.iter().find_map(|der| self.check_validity_with_skew(der, chain, options.time).err())
        } else {
            None
        };
        let rejection = rejection.or_else(|| self.check_profile(path, chain, options).err());
        match rejection {
            Some(r) => {
                *stash.borrow_mut() = Some(r);
                Err(webpki::Error::UnknownIssuer)
            }
            None => Ok(()),
        }
    }

    fn check_profile(
        &self,
        path: &VerifiedPath<'_>,
        chain: &[CertificateDer<'_>],
        options: &VerifyOptions<'_>,
    ) -> Result<(), Rejection> {
        let Some(anchor) = self.anchors.iter().position(|a| core::ptr::eq(a, path.anchor())) else {
            // Invariant: webpki only builds paths to the anchors it was given.
            return Err(Rejection::new(Code::UnknownIssuer, None, "the path ends at an unknown trust anchor"));
        };
        let mut ders: Vec<CertificateDer<'_>> = Vec::with_capacity(8);
        ders.push(path.end_entity().der());
        ders.extend(path.intermediate_certificates().map(|c| c.der()));
        let crls = match (self.crls.is_empty(), self.config.revocation.leaf_only) {
            (true, _) => Crls::None,
            (false, true) => Crls::LeafOnly,
            (false, false) => Crls::Chain,
        };
        profile::check_path(
            &self.config.profile,
            &ders,
            &self.anchor_facts[anchor],
            chain,
            &options.usage,
            options.time,
            self.config.skew_secs,
            crls,
        )
    }

    fn check_validity_with_skew(&self, der: &[u8], chain: &[CertificateDer<'_>], time: u64) -> Result<(), Rejection> {
        let cert = x509_cert::Certificate::from_der(der).map_err(|e| {
            Rejection::new(Code::MalformedCertificate, index_in(chain, der), format!("cannot decode a certificate: {e}"))
        })?;
        let v = cert.tbs_certificate().validity();
        let nb = v.not_before.to_unix_duration().as_secs();
        let na = v.not_after.to_unix_duration().as_secs();
        let index = index_in(chain, der);
        if time.saturating_add(self.config.skew_secs) < nb {
            return Err(not_yet_valid(index, chain, time, nb, self.config.skew_secs));
        }
        if time > na.saturating_add(self.config.skew_secs) {
            return Err(expired(index, chain, time, na, self.config.skew_secs));
        }
        Ok(())
    }

    fn verify_pinned(
        &self,
        leaf_der: &CertificateDer<'_>,
        options: &VerifyOptions<'_>,
        peer_name: Option<&ServerName<'_>>,
    ) -> Result<Verified, Rejection> {
        let chain = core::slice::from_ref(leaf_der);
        self.check_validity_with_skew(leaf_der, chain, options.time)?;
        let cert = x509_cert::Certificate::from_der(leaf_der)
            .map_err(|e| Rejection::new(Code::MalformedCertificate, Some(0), format!("cannot decode the certificate: {e}")))?;
        let wanted = options.usage.oid();
        match leaf_ekus(&cert) {
            Some(ekus) if !ekus.contains(&wanted) => return Err(wrong_usage(&options.usage, Some(&ekus))),
            None if self.config.require_eku => return Err(wrong_usage(&options.usage, None)),
            _ => {}
        }
        if let Some(name) = peer_name {
            let ee = EndEntityCert::try_from(leaf_der).map_err(|e| self.map_error(e, chain, options))?;
            ee.verify_is_valid_for_subject_name(name).map_err(|e| self.map_error(e, chain, options))?;
        }
        // Pinning trusts the certificate itself, not its revocation status: a configured CRL
        // of its issuer that lists it still refuses it (fail closed on the operator's own data).
        if let Some(revoked) = self.find_revoked(chain) {
            return Err(revoked);
        }
        Ok(Verified {
            path: alloc::vec![leaf_der.clone().into_owned()],
            pinned: true,
            time: options.time,
        })
    }

    fn check_leaf_has_eku(&self, leaf_der: &[u8], usage: &Usage) -> Result<(), Rejection> {
        let cert = x509_cert::Certificate::from_der(leaf_der)
            .map_err(|e| Rejection::new(Code::MalformedCertificate, Some(0), format!("cannot decode the leaf: {e}")))?;
        match leaf_ekus(&cert) {
            Some(ekus) if ekus.contains(&usage.oid()) => Ok(()),
            Some(ekus) => Err(wrong_usage(usage, Some(&ekus))),
            None => Err(wrong_usage(usage, None)),
        }
    }

    /// Maps a webpki error, variant by variant, to a code, the certificate concerned and a
    /// message. The error path may decode certificates again; the success path never does.
    fn map_error(&self, err: webpki::Error, chain: &[CertificateDer<'_>], options: &VerifyOptions<'_>) -> Rejection {
        use webpki::Error as E;
        let skew = self.config.skew_secs;
        #[allow(deprecated)]
        match err {
            E::BadDer | E::BadDerTime | E::TrailingData(_) => Rejection::new(
                Code::MalformedCertificate,
                None,
                "a certificate in the chain is not valid DER; re-export it (PEM or DER, not PKCS#12)",
            ),
            E::CaUsedAsEndEntity => Rejection::new(
                Code::CaUsedAsLeaf,
                Some(0),
                format!("{} is a CA certificate; present the client's own certificate first", who(Some(0), chain)),
            ),
            E::CertDistrusted => Rejection::new(Code::Distrusted, None, "a certificate's public key is explicitly distrusted"),
            E::CertExpired { time, not_after } => {
                let index = find_by_validity(chain, |_, na| na == not_after.as_secs());
                let _ = time; // webpki's time may be shifted for skew; report the caller's
                expired(index, chain, options.time, not_after.as_secs(), skew)
            }
            E::CertNotValidYet { time, not_before } => {
                let index = find_by_validity(chain, |nb, _| nb == not_before.as_secs());
                let _ = time;
                not_yet_valid(index, chain, options.time, not_before.as_secs(), skew)
            }
            E::CertNotValidForName(_) => {
                // webpki's context lists the names in Debug form (`DnsName("a")`); list the
                // leaf's DNS names and IP addresses from certgate's own decoding instead.
                let names: Vec<String> = chain
                    .first()
                    .and_then(|der| x509_cert::Certificate::from_der(der.as_ref()).ok())
                    .map(|cert| {
                        let sans = subject_alt_names(&cert);
                        sans.dns.into_iter().chain(sans.ip).collect()
                    })
                    .unwrap_or_default();
                Rejection::new(
                    Code::NameMismatch,
                    Some(0),
                    format!(
                        "the leaf certificate is not valid for `{}`; it names {}",
                        options.peer_name.unwrap_or_default(),
                        if names.is_empty() { String::from("no DNS names or IP addresses") } else { names.join(", ") }
                    ),
                )
            }
            E::CertRevoked => self.revoked(chain),
            E::CrlExpired { time, next_update } => Rejection::new(
                Code::CrlExpired,
                None,
                format!(
                    "a CRL needed for this check expired at {} ({} before the check time); fetch a fresh CRL",
                    rfc3339(next_update.as_secs()),
                    distance(time.as_secs(), next_update.as_secs())
                ),
            ),
            E::EmptyEkuExtension => Rejection::new(
                Code::MalformedExtension,
                None,
                "a certificate has an extendedKeyUsage extension that lists no purpose",
            ),
            E::EndEntityUsedAsCa => Rejection::new(
                Code::LeafUsedAsCa,
                None,
                "a certificate that is not a CA (basicConstraints cA=false or absent) issued another certificate",
            ),
            E::ExtensionValueInvalid | E::MalformedExtensions | E::MalformedDnsIdentifier => Rejection::new(
                Code::MalformedExtension,
                None,
                "a certificate has a malformed extension (subjectAltName, keyUsage or similar)",
            ),
            E::InvalidCertValidity => Rejection::new(
                Code::InvalidValidity,
                None,
                "a certificate's notAfter is before its notBefore",
            ),
            E::InvalidCrlNumber => Rejection::new(Code::MalformedCrl, None, "a CRL has an invalid CRL number"),
            E::InvalidNetworkMaskConstraint | E::MalformedNameConstraint => Rejection::new(
                Code::MalformedExtension,
                None,
                "an issuer has a malformed name constraint",
            ),
            E::InvalidSerialNumber => Rejection::new(
                Code::InvalidSerialNumber,
                None,
                "a certificate's serial number is invalid (negative, zero-length or longer than 20 octets)",
            ),
            E::InvalidCrlSignatureForPublicKey => Rejection::new(
                Code::CrlBadSignature,
                None,
                "a CRL's signature does not verify with its issuer's key; it was not issued by that CA",
            ),
            E::InvalidSignatureForPublicKey => Rejection::new(
                Code::BadSignature,
                None,
                "a signature in the chain does not verify with the issuer's public key: the chain was altered or mixes CAs \
                 (an issuer RSA key shorter than 2048 bits also fails here: such keys are refused)",
            ),
            E::IssuerNotCrlSigner => Rejection::new(
                Code::CrlIssuerNotCrlSigner,
                None,
                "a CRL was signed by a CA whose key usage does not include cRLSign",
            ),
            E::MaximumNameConstraintComparisonsExceeded
            | E::MaximumPathBuildCallsExceeded
            | E::MaximumSignatureChecksExceeded => Rejection::new(
                Code::BudgetExceeded,
                None,
                "path building exceeded its work budget: the chain offers too many candidate issuers",
            ),
            E::MaximumPathDepthExceeded => Rejection::new(
                Code::ChainTooLong,
                None,
                "the path needs more than six intermediate certificates",
            ),
            E::NameConstraintViolation => Rejection::new(
                Code::NameConstraintViolation,
                None,
                "a certificate names something its issuer's name constraints forbid",
            ),
            E::PathLenConstraintViolated => Rejection::new(
                Code::PathLenExceeded,
                None,
                "the path is longer than an issuer's pathLenConstraint allows",
            ),
            E::RequiredEkuNotFound | E::RequiredEkuNotFoundContext(_) => {
                let ekus = x509_cert::Certificate::from_der(chain[0].as_ref()).ok().and_then(|c| leaf_ekus(&c));
                let mut rejection = wrong_usage(&options.usage, ekus.as_ref());
                if ekus.is_none_or(|e| e.contains(&options.usage.oid())) {
                    rejection.cert_index = None;
                    rejection.message = format!(
                        "an intermediate certificate's extendedKeyUsage does not include {}",
                        options.usage.name()
                    );
                }
                rejection
            }
            E::SignatureAlgorithmMismatch => Rejection::new(
                Code::SignatureAlgorithmMismatch,
                None,
                "a certificate's outer signature algorithm differs from the one in its signed part",
            ),
            E::UnknownIssuer => Rejection::new(
                Code::UnknownIssuer,
                None,
                format!(
                    "no path from {} to a trusted CA: its issuer is not a trust anchor and no presented intermediate links to one; \
                     add the issuing CA to the trust store or send the intermediates",
                    who(Some(0), chain)
                ),
            ),
            E::UnknownRevocationStatus => Rejection::new(
                Code::RevocationStatusUnknown,
                None,
                "no configured CRL covers a certificate in the path, and unknown status is denied",
            ),
            E::UnsupportedCertVersion => Rejection::new(
                Code::UnsupportedVersion,
                None,
                "a certificate in the chain is not X.509 version 3",
            ),
            E::UnsupportedCriticalExtension => Rejection::new(
                Code::UnsupportedCriticalExtension,
                None,
                "a certificate carries a critical extension certgate does not understand",
            ),
            E::UnsupportedCrlIssuingDistributionPoint
            | E::UnsupportedCrlVersion
            | E::UnsupportedDeltaCrl
            | E::UnsupportedIndirectCrl
            | E::UnsupportedRevocationReason
            | E::UnsupportedRevocationReasonsPartitioning => Rejection::new(
                Code::UnsupportedCrl,
                None,
                "a CRL uses an unsupported feature (delta, indirect or partitioned CRL)",
            ),
            E::UnsupportedNameType => Rejection::new(Code::InvalidPeerName, None, "the expected peer name type is not supported"),
            E::UnsupportedCrlSignatureAlgorithm
            | E::UnsupportedCrlSignatureAlgorithmContext(_)
            | E::UnsupportedCrlSignatureAlgorithmForPublicKey
            | E::UnsupportedCrlSignatureAlgorithmForPublicKeyContext(_) => Rejection::new(
                Code::UnsupportedSignatureAlgorithm,
                None,
                "a CRL is signed with an algorithm that is not enabled or does not fit its issuer's key",
            ),
            E::UnsupportedSignatureAlgorithm
            | E::UnsupportedSignatureAlgorithmContext(_)
            | E::UnsupportedSignatureAlgorithmForPublicKey
            | E::UnsupportedSignatureAlgorithmForPublicKeyContext(_) => Rejection::new(
                Code::UnsupportedSignatureAlgorithm,
                None,
                "a certificate is signed with an algorithm that is not enabled (e.g. SHA-1 or MD5) or that does not fit the issuer's key",
            ),
            // webpki's error enum is non-exhaustive; a variant added after this release is
            // still a rejection, never an acceptance.
            _ => Rejection::new(Code::UnknownIssuer, None, "the path validator rejected the chain"),
        }
    }

    /// Finds which certificate a CRL revokes, for the message.
    fn revoked(&self, chain: &[CertificateDer<'_>]) -> Rejection {
        self.find_revoked(chain)
            .unwrap_or_else(|| Rejection::new(Code::Revoked, None, "a certificate in the path is revoked by a CRL"))
    }

    /// The first certificate of `chain` that a configured CRL of its own issuer lists.
    fn find_revoked(&self, chain: &[CertificateDer<'_>]) -> Option<Rejection> {
        for (i, der) in chain.iter().enumerate() {
            let Ok(cert) = x509_cert::Certificate::from_der(der.as_ref()) else { continue };
            let serial = cert.tbs_certificate().serial_number().as_bytes();
            // A serial number is unique only per issuer: consult the CRLs of this issuer.
            let Ok(issuer) = der::Encode::to_der(cert.tbs_certificate().issuer()) else { continue };
            for crl in self.crls.iter().filter(|crl| crl.issuer() == der_content(&issuer)) {
                if let Ok(Some(entry)) = crl.find_serial(serial) {
                    let reason = entry.reason_code.map(|r| format!(" (reason: {})", reason_name(r))).unwrap_or_default();
                    return Some(Rejection::new(
                        Code::Revoked,
                        Some(i),
                        format!(
                            "{} (serial {}) was revoked on {}{reason}",
                            who(Some(i), chain),
                            serial_hex(serial),
                            rfc3339(entry.revocation_date.as_secs()),
                        ),
                    ));
                }
            }
        }
        None
    }
}

/// The content octets of a DER element certgate encoded itself (webpki keeps a CRL's issuer
/// name without its SEQUENCE header).
fn der_content(element: &[u8]) -> &[u8] {
    let header = match element.get(1) {
        Some(len) if len & 0x80 != 0 => 2 + usize::from(len & 0x7f),
        _ => 2,
    };
    element.get(header..).unwrap_or_default()
}

/// The RFC 5280 §5.3.1 name of a CRL reason code.
fn reason_name(reason: webpki::RevocationReason) -> &'static str {
    use webpki::RevocationReason as R;
    match reason {
        R::Unspecified => "unspecified",
        R::KeyCompromise => "keyCompromise",
        R::CaCompromise => "cACompromise",
        R::AffiliationChanged => "affiliationChanged",
        R::Superseded => "superseded",
        R::CessationOfOperation => "cessationOfOperation",
        R::CertificateHold => "certificateHold",
        R::RemoveFromCrl => "removeFromCRL",
        R::PrivilegeWithdrawn => "privilegeWithdrawn",
        R::AaCompromise => "aACompromise",
    }
}

/// For a time failure within the skew, the time to build the path at instead.
fn skew_retry(err: &webpki::Error, time: u64, skew: u64) -> Option<u64> {
    if skew == 0 {
        return None;
    }
    match err {
        webpki::Error::CertNotValidYet { not_before, .. } if not_before.as_secs() <= time.saturating_add(skew) => {
            Some(not_before.as_secs())
        }
        webpki::Error::CertExpired { not_after, .. } if not_after.as_secs().saturating_add(skew) >= time => {
            Some(not_after.as_secs())
        }
        _ => None,
    }
}

fn expired(index: Option<usize>, chain: &[CertificateDer<'_>], time: u64, not_after: u64, skew: u64) -> Rejection {
    let skew_note = if skew > 0 { format!(" (beyond the {skew} s clock-skew tolerance)") } else { String::new() };
    Rejection::new(
        Code::CertExpired,
        index,
        format!(
            "{} expired on {}, {} before the check time {}{skew_note}; issue a new certificate",
            who(index, chain),
            rfc3339(not_after),
            distance(time, not_after),
            rfc3339(time)
        ),
    )
}

fn not_yet_valid(index: Option<usize>, chain: &[CertificateDer<'_>], time: u64, not_before: u64, skew: u64) -> Rejection {
    let skew_note = if skew > 0 { format!(" (beyond the {skew} s clock-skew tolerance)") } else { String::new() };
    Rejection::new(
        Code::CertNotYetValid,
        index,
        format!(
            "{} is not valid until {}, {} after the check time {}{skew_note}; check the clocks of the issuer and this host",
            who(index, chain),
            rfc3339(not_before),
            distance(time, not_before),
            rfc3339(time)
        ),
    )
}

fn wrong_usage(usage: &Usage, ekus: Option<&Vec<der::oid::ObjectIdentifier>>) -> Rejection {
    let message = match ekus {
        Some(list) => format!(
            "the leaf certificate's extendedKeyUsage ({}) does not include {}; issue it with the {} usage",
            list.iter().map(eku_name).collect::<Vec<_>>().join(", "),
            usage.name(),
            usage.name()
        ),
        None => format!(
            "the leaf certificate has no extendedKeyUsage extension and {} is required",
            usage.name()
        ),
    };
    Rejection::new(Code::WrongUsage, Some(0), message)
}

/// "the leaf certificate (CN=alice)" or "certificate 2 (CN=Issuing CA)".
fn who(index: Option<usize>, chain: &[CertificateDer<'_>]) -> String {
    let Some(i) = index else { return String::from("a certificate in the path") };
    let subject = chain
        .get(i)
        .and_then(|der| x509_cert::Certificate::from_der(der.as_ref()).ok())
        .map(|c| crate::name::DistinguishedName::from_name(c.tbs_certificate().subject()).rfc4514)
        .filter(|s| !s.is_empty())
        .map(|s| format!(" ({s})"))
        .unwrap_or_default();
    match i {
        0 => format!("the leaf certificate{subject}"),
        i => format!("certificate {i} of the chain{subject}"),
    }
}

fn index_in(chain: &[CertificateDer<'_>], der: &[u8]) -> Option<usize> {
    chain.iter().position(|c| c.as_ref() == der)
}

fn find_by_validity(chain: &[CertificateDer<'_>], pred: impl Fn(u64, u64) -> bool) -> Option<usize> {
    chain.iter().position(|der| {
        x509_cert::Certificate::from_der(der.as_ref()).is_ok_and(|c| {
            let v = c.tbs_certificate().validity();
            pred(v.not_before.to_unix_duration().as_secs(), v.not_after.to_unix_duration().as_secs())
        })
    })
}

fn describe_der_error(err: &webpki::Error) -> &'static str {
    match err {
        webpki::Error::BadDer | webpki::Error::BadDerTime | webpki::Error::TrailingData(_) => "it is not a valid DER certificate",
        webpki::Error::UnsupportedCertVersion => "it is not an X.509 v1 or v3 certificate",
        webpki::Error::MalformedExtensions | webpki::Error::ExtensionValueInvalid => "it has malformed extensions",
        webpki::Error::MalformedNameConstraint | webpki::Error::InvalidNetworkMaskConstraint => {
            "it has malformed name constraints"
        }
        _ => "webpki refuses it as a trust anchor",
    }
}

fn describe_crl_error(err: &webpki::Error) -> &'static str {
    match err {
        webpki::Error::UnsupportedCrlVersion => "it is not a v2 CRL",
        webpki::Error::UnsupportedDeltaCrl => "delta CRLs are not supported",
        webpki::Error::UnsupportedIndirectCrl => "indirect CRLs are not supported",
        webpki::Error::UnsupportedRevocationReasonsPartitioning => "CRLs partitioned by reason are not supported",
        webpki::Error::UnsupportedCrlIssuingDistributionPoint => "its issuing distribution point is not supported",
        webpki::Error::UnsupportedRevocationReason => "an entry has an unsupported revocation reason",
        webpki::Error::InvalidCrlNumber => "its CRL number is invalid",
        webpki::Error::InvalidSerialNumber => "an entry has an invalid serial number",
        _ => "it is not a valid DER CRL",
    }
}
