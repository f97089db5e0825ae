//! An x509-limbo harness for the certgate core: every test case is run through the core's
//! public API (`VerifierBuilder`, `Config`, `VerifyOptions`, `Usage`, `Verifier::verify`) and
//! answered in limbo's own result format.
//!
//! The harness reads the clock only for cases whose `validation_time` is null ("now"); the
//! core never does.
//!
//! Exceptions: [`Exceptions`] is the reviewed list of cases certgate does not pass, with a
//! reason each; [`Exceptions::check`] compares a run against it and refuses any unsafe accept.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Read;
use std::path::Path;
use std::sync::{Arc, OnceLock};

use certgate::webpki::{self, ring as algs};
use certgate::{
    time, Code, Config, PublicSuffixes, Rejection, SignatureVerificationAlgorithm, Usage,
    VerifierBuilder, VerifyOptions,
};
use serde::{Deserialize, Serialize};

/// A limbo suite: `{"version": 1, "testcases": [...]}`.
#[derive(Debug, Deserialize)]
pub struct Suite {
    /// Schema version; 1.
    pub version: u32,
    /// The test cases.
    pub testcases: Vec<Testcase>,
}

impl Suite {
    /// Loads a suite from a `.json` or `.json.gz` file.
    pub fn load(path: &Path) -> Result<Self, String> {
        let bytes =
            std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let json = match path.extension().is_some_and(|e| e == "gz") {
            true => {
                let mut out = Vec::with_capacity(bytes.len() * 8);
                flate2::read::GzDecoder::new(&bytes[..])
                    .read_to_end(&mut out)
                    .map_err(|e| format!("cannot decompress {}: {e}", path.display()))?;
                out
            }
            false => bytes,
        };
        let suite: Suite = serde_json::from_slice(&json)
            .map_err(|e| format!("{} is not a limbo suite: {e}", path.display()))?;
        if suite.version != 1 {
            return Err(format!(
                "{}: unsupported limbo schema version {}",
                path.display(),
                suite.version
            ));
        }
        Ok(suite)
    }
}

/// One limbo test case. Every field that bears on the verdict is read.
#[derive(Debug, Deserialize)]
pub struct Testcase {
    /// Namespaced id, e.g. `rfc5280::aki::leaf-missing-aki`.
    pub id: String,
    /// SERVER or CLIENT.
    pub validation_kind: ValidationKind,
    /// Trust anchors, PEM.
    pub trusted_certs: Vec<String>,
    /// Intermediates the peer presents, PEM.
    #[serde(default)]
    pub untrusted_intermediates: Vec<String>,
    /// The leaf, PEM.
    pub peer_certificate: String,
    /// RFC 3339 check time; null means now.
    pub validation_time: Option<String>,
    /// Signature algorithms allowed; empty means the verifier's defaults.
    #[serde(default)]
    pub signature_algorithms: Vec<String>,
    /// Key usage bits the leaf must allow.
    #[serde(default)]
    pub key_usage: Vec<String>,
    /// Extended key usages the path must allow; empty means the kind's default.
    #[serde(default)]
    pub extended_key_usage: Vec<String>,
    /// SUCCESS or FAILURE.
    pub expected_result: Verdict,
    /// A name the leaf must be valid for.
    pub expected_peer_name: Option<PeerName>,
    /// Names the leaf must be valid for, all of them.
    #[serde(default)]
    pub expected_peer_names: Vec<PeerName>,
    /// Most intermediates allowed in the path.
    pub max_chain_depth: Option<u64>,
    /// CRLs, PEM.
    #[serde(default)]
    pub crls: Vec<String>,
}

/// Whether the peer is a TLS server or client.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum ValidationKind {
    /// Server authentication (id-kp-serverAuth by default).
    Server,
    /// Client authentication (id-kp-clientAuth by default).
    Client,
}

/// A verdict, expected or actual.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Verdict {
    /// The chain was accepted.
    Success,
    /// The chain was rejected.
    Failure,
    /// The harness could not express the case.
    Skipped,
}

/// An expected peer name.
#[derive(Clone, Debug, Deserialize)]
pub struct PeerName {
    /// DNS, IP or RFC822.
    pub kind: String,
    /// The name.
    pub value: String,
}

/// One line of limbo's result format.
#[derive(Clone, Debug, Serialize)]
pub struct Outcome {
    /// The case id.
    pub id: String,
    /// What certgate answered.
    pub actual_result: Verdict,
    /// `"<CODE>: <message>"` on failure, the reason on skip, empty on success.
    pub context: String,
}

/// The result file: `{"version":1,"harness":"certgate","results":[...]}`.
#[derive(Debug, Serialize)]
pub struct Results<'a> {
    /// Schema version; 1.
    pub version: u32,
    /// `certgate`.
    pub harness: &'static str,
    /// One outcome per case, in suite order.
    pub results: &'a [Outcome],
}

/// Runs every case; `now` (Unix seconds) stands in for a null validation time.
pub fn run_suite(suite: &Suite, now: u64) -> Vec<Outcome> {
    suite
        .testcases
        .iter()
        .map(|case| run_case(case, now))
        .collect()
}

/// Runs one case through the certgate core.
pub fn run_case(case: &Testcase, now: u64) -> Outcome {
    let (actual_result, context) = match verdict(case, now) {
        Ok(()) => (Verdict::Success, String::new()),
        Err(Answer::Rejected(r)) => (Verdict::Failure, r.to_string()),
        Err(Answer::Skipped(why)) => (Verdict::Skipped, why),
    };
    Outcome {
        id: case.id.clone(),
        actual_result,
        context,
    }
}

enum Answer {
    Rejected(Rejection),
    Skipped(String),
}

impl From<Rejection> for Answer {
    fn from(r: Rejection) -> Self {
        Self::Rejected(r)
    }
}

fn verdict(case: &Testcase, now: u64) -> Result<(), Answer> {
    let at = match &case.validation_time {
        None => now,
        Some(text) => time::parse_rfc3339(text).ok_or_else(|| {
            Answer::Skipped(format!(
                "validation_time `{text}` is not an RFC 3339 time after 1970"
            ))
        })?,
    };

    let mut config = Config::default();
    // The strict profile as shipped, given the Public Suffix List its CA/B wildcard rule needs.
    config.profile.public_suffixes = Some(public_suffixes());
    // Pathological chains may present more certificates than a TLS peer normally would; the
    // input limits are not what these cases test.
    config.limits.chain_certs = config
        .limits
        .chain_certs
        .max(1 + case.untrusted_intermediates.len());
    if let Some(depth) = case.max_chain_depth {
        // limbo counts intermediates; certgate counts the whole path, leaf and anchor included.
        config.max_path_len = usize::try_from(depth)
            .unwrap_or(usize::MAX)
            .saturating_add(2);
    }

    let mut builder =
        VerifierBuilder::new(signature_algorithms(&case.signature_algorithms)?).config(config);
    builder = builder.trust(case.trusted_certs.concat().as_bytes())?;
    for crl in &case.crls {
        builder = builder.crls(crl.as_bytes())?;
    }
    let verifier = builder.build()?;

    let mut presented = case.peer_certificate.clone();
    for pem in &case.untrusted_intermediates {
        presented.push_str(pem);
    }
    let chain = certgate::parse_chain(presented.as_bytes(), &verifier.config().limits)?;

    let usages = match case.extended_key_usage.is_empty() {
        true => vec![match case.validation_kind {
            ValidationKind::Server => Usage::ServerAuth,
            ValidationKind::Client => Usage::ClientAuth,
        }],
        false => case
            .extended_key_usage
            .iter()
            .map(|name| usage(name))
            .collect::<Result<_, _>>()?,
    };

    let mut host_names = Vec::new();
    let mut mailboxes = Vec::new();
    for name in case
        .expected_peer_name
        .iter()
        .chain(&case.expected_peer_names)
    {
        match name.kind.as_str() {
            "DNS" | "IP" => host_names.push(name.value.as_str()),
            "RFC822" => mailboxes.push(name.value.as_str()),
            other => {
                return Err(Answer::Skipped(format!(
                    "expected peer name kind {other} is not DNS, IP or RFC822"
                )))
            }
        }
    }

    for usage in usages {
        let options = VerifyOptions::new(at).usage(usage);
        let verified = match host_names.is_empty() {
            true => vec![verifier.verify(&chain, &options)?],
            false => host_names
                .iter()
                .map(|name| verifier.verify(&chain, &options.clone().peer_name(name)))
                .collect::<Result<Vec<_>, _>>()?,
        };
        if mailboxes.is_empty() && case.key_usage.is_empty() {
            continue;
        }
        for v in verified {
            let leaf = v.inspect_leaf()?;
            for mailbox in &mailboxes {
                if !leaf
                    .subject_alt_names
                    .email
                    .iter()
                    .any(|e| mailbox_eq(e, mailbox))
                {
                    return Err(Answer::Rejected(Rejection::new(
                        Code::NameMismatch,
                        Some(0),
                        format!(
                            "the leaf certificate is not valid for mailbox `{mailbox}`; it names {}",
                            leaf.subject_alt_names.email.join(", ")
                        ),
                    )));
                }
            }
            // RFC 5280 §4.2.1.3: without a keyUsage extension the key may be used for any purpose.
            let has_ku = leaf.extensions.iter().any(|e| e.oid == "2.5.29.15");
            if let Some(missing) = case
                .key_usage
                .iter()
                .find(|bit| has_ku && !leaf.key_usage.contains(bit))
            {
                return Err(Answer::Rejected(Rejection::new(
                    Code::WrongUsage,
                    Some(0),
                    format!(
                        "the leaf certificate's keyUsage ({}) does not include {missing}",
                        leaf.key_usage.join(", ")
                    ),
                )));
            }
        }
    }
    Ok(())
}

/// The Public Suffix List the harness gives the verifier: Debian's `publicsuffix` package,
/// version 20230209 (publicsuffix.org, MPL-2.0), vendored gzipped in `data/`.
pub fn public_suffixes() -> Arc<PublicSuffixes> {
    static LIST: OnceLock<Arc<PublicSuffixes>> = OnceLock::new();
    LIST.get_or_init(|| {
        let mut text = String::new();
        // The file is part of this crate; failing to read it is a build defect, and an empty
        // list only disables the wildcard rule, which the exceptions check would then report.
        let _ =
            flate2::read::GzDecoder::new(&include_bytes!("../data/public_suffix_list.dat.gz")[..])
                .read_to_string(&mut text);
        Arc::new(PublicSuffixes::parse(&text))
    })
    .clone()
}

/// Mailboxes compare with the local part exact and the domain case-insensitive (RFC 5280 §4.2.1.6).
fn mailbox_eq(presented: &str, expected: &str) -> bool {
    match (presented.rsplit_once('@'), expected.rsplit_once('@')) {
        (Some((pl, pd)), Some((el, ed))) => pl == el && pd.eq_ignore_ascii_case(ed),
        _ => false,
    }
}

/// limbo's names for extended key usages.
fn usage(name: &str) -> Result<Usage, Answer> {
    let oid = match name {
        "serverAuth" => return Ok(Usage::ServerAuth),
        "clientAuth" => return Ok(Usage::ClientAuth),
        "codeSigning" => "1.3.6.1.5.5.7.3.3",
        "emailProtection" => "1.3.6.1.5.5.7.3.4",
        "timeStamping" => "1.3.6.1.5.5.7.3.8",
        "OCSPSigning" => "1.3.6.1.5.5.7.3.9",
        "anyExtendedKeyUsage" => "2.5.29.37.0",
        // limbo also allows an EKU "in well-known form or as OIDs".
        dotted if dotted.starts_with(|c: char| c.is_ascii_digit()) => dotted,
        other => {
            return Err(Answer::Skipped(format!(
                "extended key usage `{other}` is neither a name limbo defines nor a dotted OID"
            )))
        }
    };
    Ok(Usage::custom(oid)?)
}

/// limbo's signature algorithm names (pyca/cryptography's `SignatureAlgorithmOID` names),
/// mapped to webpki's ring implementations. Empty means webpki's defaults. The list constrains
/// which algorithms a chain may use, so the verifier gets the listed ones it implements; a
/// listed algorithm without an implementation (MD5, SHA-1, SHA-224, SHA-3, DSA, Ed448, GOST,
/// ECDSA with SHA-512) cannot verify a signature, which is certgate's real answer to a chain
/// that uses it, not a case to skip.
fn signature_algorithms(
    names: &[String],
) -> Result<&'static [&'static dyn SignatureVerificationAlgorithm], Answer> {
    if names.is_empty() {
        return Ok(webpki::ALL_VERIFICATION_ALGS);
    }
    let mut chosen: Vec<&'static dyn SignatureVerificationAlgorithm> = Vec::new();
    for name in names {
        let found: &[&'static dyn SignatureVerificationAlgorithm] = match name.as_str() {
            "RSA_WITH_SHA256" => &[
                algs::RSA_PKCS1_2048_8192_SHA256,
                algs::RSA_PKCS1_2048_8192_SHA256_ABSENT_PARAMS,
            ],
            "RSA_WITH_SHA384" => &[
                algs::RSA_PKCS1_2048_8192_SHA384,
                algs::RSA_PKCS1_2048_8192_SHA384_ABSENT_PARAMS,
                algs::RSA_PKCS1_3072_8192_SHA384,
            ],
            "RSA_WITH_SHA512" => &[
                algs::RSA_PKCS1_2048_8192_SHA512,
                algs::RSA_PKCS1_2048_8192_SHA512_ABSENT_PARAMS,
            ],
            "RSASSA_PSS" => &[
                algs::RSA_PSS_2048_8192_SHA256_LEGACY_KEY,
                algs::RSA_PSS_2048_8192_SHA384_LEGACY_KEY,
                algs::RSA_PSS_2048_8192_SHA512_LEGACY_KEY,
            ],
            "ECDSA_WITH_SHA256" => &[algs::ECDSA_P256_SHA256, algs::ECDSA_P384_SHA256],
            "ECDSA_WITH_SHA384" => &[algs::ECDSA_P256_SHA384, algs::ECDSA_P384_SHA384],
            "ED25519" => &[algs::ED25519],
            "RSA_WITH_MD5"
            | "RSA_WITH_SHA1"
            | "RSA_WITH_SHA224"
            | "RSA_WITH_SHA3_224"
            | "RSA_WITH_SHA3_256"
            | "RSA_WITH_SHA3_384"
            | "RSA_WITH_SHA3_512"
            | "ECDSA_WITH_SHA1"
            | "ECDSA_WITH_SHA224"
            | "ECDSA_WITH_SHA512"
            | "ECDSA_WITH_SHA3_224"
            | "ECDSA_WITH_SHA3_256"
            | "ECDSA_WITH_SHA3_384"
            | "ECDSA_WITH_SHA3_512"
            | "DSA_WITH_SHA1"
            | "DSA_WITH_SHA224"
            | "DSA_WITH_SHA256"
            | "DSA_WITH_SHA384"
            | "DSA_WITH_SHA512"
            | "ED448"
            | "GOSTR3411_94_WITH_3410_2001"
            | "GOSTR3410_2012_WITH_3411_2012_256"
            | "GOSTR3410_2012_WITH_3411_2012_512" => &[],
            other => {
                return Err(Answer::Skipped(format!(
                    "signature algorithm `{other}` is not one limbo defines"
                )))
            }
        };
        chosen.extend_from_slice(found);
    }
    // A verifier holds its algorithms for 'static; the few cases that restrict them leak a
    // handful of pointers each, once per harness run.
    Ok(Vec::leak(chosen))
}

/// How a case did against its expectation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Deserialize, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Standing {
    /// Expected FAILURE, got SUCCESS: the failure that matters most.
    UnsafeAccept,
    /// Expected SUCCESS, got FAILURE.
    FalseReject,
    /// The harness could not express the case.
    Skipped,
}

/// The standing of a case that did not pass; `None` when it passed.
pub fn standing(expected: Verdict, actual: Verdict) -> Option<Standing> {
    match (expected, actual) {
        (_, Verdict::Skipped) => Some(Standing::Skipped),
        (e, a) if e == a => None,
        (Verdict::Failure, Verdict::Success) => Some(Standing::UnsafeAccept),
        _ => Some(Standing::FalseReject),
    }
}

/// Counts for a run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    /// Cases whose verdict matched.
    pub pass: usize,
    /// Expected FAILURE, got SUCCESS.
    pub unsafe_accepts: usize,
    /// Expected SUCCESS, got FAILURE.
    pub false_rejects: usize,
    /// Not expressible.
    pub skipped: usize,
}

/// Tallies outcomes against the suite's expectations.
pub fn tally(suite: &Suite, outcomes: &[Outcome]) -> Tally {
    let mut t = Tally::default();
    for (case, outcome) in suite.testcases.iter().zip(outcomes) {
        match standing(case.expected_result, outcome.actual_result) {
            None => t.pass += 1,
            Some(Standing::UnsafeAccept) => t.unsafe_accepts += 1,
            Some(Standing::FalseReject) => t.false_rejects += 1,
            Some(Standing::Skipped) => t.skipped += 1,
        }
    }
    t
}

/// The reviewed list of cases certgate does not pass (`tests/limbo/exceptions.json`).
#[derive(Debug, Deserialize, Serialize)]
pub struct Exceptions {
    /// Every case that does not pass, by id.
    pub cases: BTreeMap<String, Exception>,
}

/// Why one case does not pass.
#[derive(Debug, Deserialize, Serialize)]
pub struct Exception {
    /// How it fails.
    pub standing: Standing,
    /// Why, in a sentence a reviewer can check.
    pub reason: String,
}

impl Exceptions {
    /// Loads the exceptions file.
    pub fn load(path: &Path) -> Result<Self, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        serde_json::from_str(&text)
            .map_err(|e| format!("{} is not an exceptions file: {e}", path.display()))
    }

    /// Compares a run with the list. Any unsafe accept is an error even when listed; any case
    /// whose standing differs from the list (newly failing, newly passing, or failing
    /// differently) is an error, so the file changes whenever the result set does.
    pub fn check(&self, suite: &Suite, outcomes: &[Outcome]) -> Result<(), String> {
        let mut problems = String::new();
        let mut seen = 0;
        for (case, outcome) in suite.testcases.iter().zip(outcomes) {
            let actual = standing(case.expected_result, outcome.actual_result);
            let listed = self.cases.get(&case.id);
            if listed.is_some() {
                seen += 1;
            }
            if actual == Some(Standing::UnsafeAccept) {
                let _ = writeln!(
                    problems,
                    "UNSAFE ACCEPT {} (never allowed, listed or not)",
                    case.id
                );
                continue;
            }
            match (actual, listed) {
                (None, None) => {}
                (Some(a), Some(e)) if a == e.standing => {}
                (Some(a), None) => {
                    let _ = writeln!(problems, "new {a:?}: {}  ({})", case.id, outcome.context);
                }
                (None, Some(e)) => {
                    let _ = writeln!(
                        problems,
                        "now passes, listed as {:?}: {} (remove it from the file)",
                        e.standing, case.id
                    );
                }
                (Some(a), Some(e)) => {
                    let _ = writeln!(
                        problems,
                        "{}: now {a:?}, listed as {:?}  ({})",
                        case.id, e.standing, outcome.context
                    );
                }
            }
        }
        if seen != self.cases.len() {
            for id in self
                .cases
                .keys()
                .filter(|id| !suite.testcases.iter().any(|c| &c.id == *id))
            {
                let _ = writeln!(problems, "listed but not in the suite: {id}");
            }
        }
        match problems.is_empty() {
            true => Ok(()),
            false => Err(problems),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_vendored_public_suffix_list_loads() {
        let list = public_suffixes();
        assert!(list.len() > 5_000, "{} rules", list.len());
        assert!(list.is_public_suffix("co.uk"));
        assert!(list.is_public_suffix("s3.amazonaws.com"));
        assert!(list.is_public_suffix("com"));
        assert!(!list.is_public_suffix("example.com"));
        assert!(!list.is_public_suffix("example.co.uk"));
    }

    #[test]
    fn standings() {
        assert_eq!(standing(Verdict::Success, Verdict::Success), None);
        assert_eq!(standing(Verdict::Failure, Verdict::Failure), None);
        assert_eq!(
            standing(Verdict::Failure, Verdict::Success),
            Some(Standing::UnsafeAccept)
        );
        assert_eq!(
            standing(Verdict::Success, Verdict::Failure),
            Some(Standing::FalseReject)
        );
        assert_eq!(
            standing(Verdict::Failure, Verdict::Skipped),
            Some(Standing::Skipped)
        );
    }

    #[test]
    fn mailboxes_compare_local_part_exactly() {
        assert!(mailbox_eq("*@Example.com", "*@example.com"));
        assert!(!mailbox_eq("User@example.com", "user@example.com"));
        assert!(!mailbox_eq("user@example.com", "user@sub.example.com"));
        assert!(!mailbox_eq("example.com", "example.com"));
    }

    #[test]
    fn usages_and_algorithms_by_limbo_name() {
        assert!(matches!(usage("clientAuth"), Ok(Usage::ClientAuth)));
        assert!(matches!(usage("codeSigning"), Ok(Usage::Custom(_))));
        assert!(matches!(usage("frobnicate"), Err(Answer::Skipped(_))));
        assert!(
            matches!(signature_algorithms(&[]), Ok(a) if a.len() == webpki::ALL_VERIFICATION_ALGS.len())
        );
        assert!(matches!(usage("1.3.6.1.4.1.99999.1"), Ok(Usage::Custom(_))));
        assert!(matches!(signature_algorithms(&["ED25519".into()]), Ok(a) if a.len() == 1));
        assert!(
            matches!(signature_algorithms(&["ECDSA_WITH_SHA256".into(), "RSASSA_PSS".into()]), Ok(a) if a.len() == 5)
        );
        // Listed but not implemented: nothing verifies, which is certgate's real verdict.
        assert!(matches!(signature_algorithms(&["DSA_WITH_SHA1".into()]), Ok(a) if a.is_empty()));
        assert!(matches!(
            signature_algorithms(&["ROT13".into()]),
            Err(Answer::Skipped(_))
        ));
    }

    #[test]
    fn exceptions_refuse_unsafe_accepts_and_changes() {
        let case = |id: &str, expected| Testcase {
            id: id.into(),
            validation_kind: ValidationKind::Server,
            trusted_certs: Vec::new(),
            untrusted_intermediates: Vec::new(),
            peer_certificate: String::new(),
            validation_time: None,
            signature_algorithms: Vec::new(),
            key_usage: Vec::new(),
            extended_key_usage: Vec::new(),
            expected_result: expected,
            expected_peer_name: None,
            expected_peer_names: Vec::new(),
            max_chain_depth: None,
            crls: Vec::new(),
        };
        let out = |id: &str, actual| Outcome {
            id: id.into(),
            actual_result: actual,
            context: String::new(),
        };
        let suite = Suite {
            version: 1,
            testcases: vec![case("a", Verdict::Success), case("b", Verdict::Failure)],
        };
        let listed = |standing| Exceptions {
            cases: BTreeMap::from([(
                "a".into(),
                Exception {
                    standing,
                    reason: "why".into(),
                },
            )]),
        };

        let run = [out("a", Verdict::Failure), out("b", Verdict::Failure)];
        assert!(listed(Standing::FalseReject).check(&suite, &run).is_ok());
        assert!(listed(Standing::Skipped).check(&suite, &run).is_err());

        let passing = [out("a", Verdict::Success), out("b", Verdict::Failure)];
        assert!(listed(Standing::FalseReject)
            .check(&suite, &passing)
            .is_err());

        let unsafe_accept = [out("a", Verdict::Failure), out("b", Verdict::Success)];
        let all_listed = Exceptions {
            cases: BTreeMap::from([
                (
                    "a".into(),
                    Exception {
                        standing: Standing::FalseReject,
                        reason: "why".into(),
                    },
                ),
                (
                    "b".into(),
                    Exception {
                        standing: Standing::UnsafeAccept,
                        reason: "why".into(),
                    },
                ),
            ]),
        };
        let err = all_listed
            .check(&suite, &unsafe_accept)
            .expect_err("an unsafe accept never matches");
        assert!(err.contains("UNSAFE ACCEPT b"), "{err}");
    }
}
