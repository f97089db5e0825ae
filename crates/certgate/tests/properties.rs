//! Properties over arbitrary and mutated input:
//!
//! - inspection (certificates, CRLs, CSRs, policy identities) never panics, at any time;
//! - `verify` on any byte string, at any time, returns a verdict: a verified chain or one
//!   rejection with a code, a message and a certificate index inside the chain;
//! - certgate is never more permissive than its base: a chain certgate accepts is accepted by
//!   bare rustls-webpki with the same anchors, intermediates, time, usage, CRLs and name —
//!   over mutated and recombined fixture chains and over every x509-limbo case.
//!
//! The limbo suite is `../shared/conformance/limbo-dev.json.gz` beside the repository, as in
//! `scripts/test.sh`. Proptest cases are few enough (256 per property) to run in seconds.

mod common;

use std::io::Read;
use std::sync::OnceLock;
use std::time::Duration;

use certgate::webpki::{self, EndEntityCert, KeyUsage, RevocationOptionsBuilder};
use certgate::{
    CertificateDer, Config, CrlInspection, CsrInspection, Identity, Inspection, Usage, Verifier,
    VerifyOptions,
};
use common::*;
use proptest::prelude::*;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateRevocationListDer, ServerName, UnixTime};

/// Fixture trust anchors the recombined chains may be checked against.
const ROOTS: &[&str] = &[
    "root-ca.pem",
    "rogue-ca.pem",
    "mesh-root.pem",
    "distrusted-ca.pem",
];

/// The fixtures' CRLs; a verifier under test gets a subset.
const CRLS: &[&str] = &[
    "intermediate.crl.pem",
    "root.crl.pem",
    "intermediate-expired.crl.pem",
];

/// Every certificate of every fixture chain file, DER, deduplicated, in a fixed order.
fn fixture_certs() -> &'static [CertificateDer<'static>] {
    static CERTS: OnceLock<Vec<CertificateDer<'static>>> = OnceLock::new();
    CERTS.get_or_init(|| {
        let mut all: Vec<CertificateDer<'static>> = Vec::new();
        for name in fixture_chain_files() {
            for cert in certs(&name) {
                if !all.contains(&cert) {
                    all.push(cert);
                }
            }
        }
        all
    })
}

/// The names of the fixture files that hold certificates (not CRLs).
fn fixture_chain_files() -> Vec<String> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .expect("fixtures folder")
        .map(|e| {
            e.expect("fixture entry")
                .file_name()
                .into_string()
                .expect("UTF-8 name")
        })
        .filter(|n| n.ends_with(".pem") && !n.ends_with(".crl.pem"))
        .collect();
    names.sort();
    names
}

fn crl_ders(names: &[&str]) -> Vec<CertificateRevocationListDer<'static>> {
    names
        .iter()
        .flat_map(|name| {
            CertificateRevocationListDer::pem_slice_iter(&fixture(name))
                .collect::<Result<Vec<_>, _>>()
                .expect("CRL fixture")
        })
        .collect()
}

/// What a DER byte string can go through: overwrite a byte, flip a bit, truncate, insert,
/// or cut a range out.
#[derive(Clone, Debug)]
enum Mutation {
    Set(usize, u8),
    Flip(usize, u8),
    Truncate(usize),
    Insert(usize, Vec<u8>),
    Remove(usize, usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Mutation::Set(i, b)),
        (any::<usize>(), 0u8..8).prop_map(|(i, bit)| Mutation::Flip(i, bit)),
        any::<usize>().prop_map(Mutation::Truncate),
        (any::<usize>(), prop::collection::vec(any::<u8>(), 1..8))
            .prop_map(|(i, b)| Mutation::Insert(i, b)),
        (any::<usize>(), 1usize..64).prop_map(|(i, n)| Mutation::Remove(i, n)),
    ]
}

fn mutate(mut der: Vec<u8>, mutations: &[Mutation]) -> Vec<u8> {
    for m in mutations {
        if der.is_empty() {
            break;
        }
        let len = der.len();
        match m {
            Mutation::Set(i, b) => der[i % len] = *b,
            Mutation::Flip(i, bit) => der[i % len] ^= 1 << bit,
            Mutation::Truncate(n) => der.truncate(n % len),
            Mutation::Insert(i, bytes) => {
                let at = i % (len + 1);
                der.splice(at..at, bytes.iter().copied());
            }
            Mutation::Remove(i, n) => {
                let at = i % len;
                der.drain(at..(at + n).min(len));
            }
        }
    }
    der
}

/// A fixture certificate, mutated.
fn mutated_cert() -> impl Strategy<Value = Vec<u8>> {
    let count = fixture_certs().len();
    (0..count, prop::collection::vec(mutation(), 0..4))
        .prop_map(|(i, ms)| mutate(fixture_certs()[i].to_vec(), &ms))
}

/// A check time: mostly within the fixtures' windows (2025–2036), sometimes anything at all.
fn check_time() -> impl Strategy<Value = u64> {
    prop_oneof![
        4 => 1_735_689_600u64..2_082_758_400,
        1 => any::<u64>(),
        1 => Just(u64::MAX),
        1 => Just(0u64),
    ]
}

/// Every fixture chain file's certificates, in file order (leaf first).
fn fixture_chains() -> &'static [Vec<CertificateDer<'static>>] {
    static CHAINS: OnceLock<Vec<Vec<CertificateDer<'static>>>> = OnceLock::new();
    CHAINS.get_or_init(|| {
        fixture_chain_files()
            .iter()
            .map(|name| certs(name))
            .collect()
    })
}

/// What a presented chain can go through: another fixture certificate inserted, one removed,
/// two swapped, one repeated, or one mutated (which usually breaks a signature; some
/// mutations land in bytes no signature covers).
#[derive(Clone, Debug)]
enum Edit {
    Insert(usize, usize),
    Remove(usize),
    Swap(usize, usize),
    Repeat(usize),
    Mutate(usize, Vec<Mutation>),
}

fn edit() -> impl Strategy<Value = Edit> {
    let count = fixture_certs().len();
    prop_oneof![
        (any::<usize>(), 0..count).prop_map(|(at, i)| Edit::Insert(at, i)),
        any::<usize>().prop_map(Edit::Remove),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Edit::Swap(a, b)),
        any::<usize>().prop_map(Edit::Repeat),
        (any::<usize>(), prop::collection::vec(mutation(), 1..3))
            .prop_map(|(at, ms)| Edit::Mutate(at, ms)),
    ]
}

/// A fixture chain (as a file holds it) after up to three edits; never empty.
fn recombined_chain() -> impl Strategy<Value = Vec<Vec<u8>>> {
    let files = fixture_chains().len();
    (0..files, prop::collection::vec(edit(), 0..4)).prop_map(|(file, edits)| {
        let mut chain: Vec<Vec<u8>> = fixture_chains()[file].iter().map(|c| c.to_vec()).collect();
        for edit in edits {
            let len = chain.len();
            match edit {
                Edit::Insert(at, i) if len < 8 => {
                    chain.insert(at % (len + 1), fixture_certs()[i].to_vec())
                }
                Edit::Remove(at) if len > 1 => {
                    chain.remove(at % len);
                }
                Edit::Swap(a, b) => chain.swap(a % len, b % len),
                Edit::Repeat(at) if len < 8 => chain.push(chain[at % len].clone()),
                Edit::Mutate(at, ms) => chain[at % len] = mutate(chain[at % len].clone(), &ms),
                _ => {}
            }
        }
        chain
    })
}

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 256,
        // Failures are reported with their minimal input; no files are written.
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn inspection_of_arbitrary_bytes_returns(bytes in prop::collection::vec(any::<u8>(), 0..512), time in any::<Option<u64>>()) {
        let _ = Inspection::from_der(&bytes, time);
        let _ = CrlInspection::from_der(&bytes, time);
        let _ = CsrInspection::from_der(&bytes, webpki::ALL_VERIFICATION_ALGS);
        let _ = Identity::from_der(&bytes);
    }

    #[test]
    fn inspection_of_mutated_certificates_returns_a_faithful_record(der in mutated_cert(), time in check_time()) {
        if let Ok(record) = Inspection::from_der(&der, Some(time)) {
            // The record describes these bytes, and serialises.
            prop_assert_eq!(&record.fingerprints.sha256, &certgate::sha256_hex(&der));
            prop_assert!(record.status.is_some());
            prop_assert!(serde_json::to_string(&record).is_ok());
        }
        let _ = Identity::from_der(&der);
    }

    #[test]
    fn verify_returns_a_verdict_on_any_bytes(bytes in prop::collection::vec(any::<u8>(), 0..2048), time in any::<u64>()) {
        for v in verifiers() {
            verdict_is_well_formed(v, &bytes, time)?;
        }
    }

    #[test]
    fn verify_returns_a_verdict_on_mutated_chains(chain in recombined_chain(), time in check_time(), pem in any::<bool>()) {
        let input = encode(&chain, pem);
        for v in verifiers() {
            verdict_is_well_formed(v, &input, time)?;
        }
    }

    #[test]
    fn certgate_accepts_no_recombined_chain_webpki_rejects(
        chain in recombined_chain(),
        roots in prop::sample::subsequence(ROOTS, 1..=ROOTS.len()),
        crls in prop::sample::subsequence(CRLS, 0..=CRLS.len()),
        time in check_time(),
        server in any::<bool>(),
    ) {
        let chain: Vec<CertificateDer<'static>> = chain.into_iter().map(CertificateDer::from).collect();
        let anchors = bundle(&roots);
        let crls = crl_ders(&crls);
        let usage = if server { Usage::ServerAuth } else { Usage::ClientAuth };
        // The fixture server certificate's names; a client certificate has none to check.
        let name = server.then_some("localhost");
        if let Some(case) = compare(&anchors, &crls, &chain, time, usage, name) {
            prop_assert!(case.refusal().is_none(), "certgate accepted what webpki rejects: {:?}", case.webpki);
        }
    }
}

/// The verifiers a byte string is run through: the default, and one with skew tolerance and a
/// pin (other code paths, other time arithmetic).
fn verifiers() -> &'static [Verifier] {
    static VERIFIERS: OnceLock<Vec<Verifier>> = OnceLock::new();
    VERIFIERS.get_or_init(|| {
        let mut skewed = Config::default();
        skewed.skew_secs = 3600;
        vec![
            Verifier::builder()
                .trust(&fixture("root-ca.pem"))
                .and_then(|b| b.crls(&bundle(&["intermediate.crl.pem", "root.crl.pem"])))
                .and_then(|b| b.build())
                .expect("default verifier"),
            Verifier::builder()
                .config(skewed)
                .trust(&bundle(&["root-ca.pem", "mesh-root.pem"]))
                .and_then(|b| b.pin(&fixture("pinned-client.pem")))
                .and_then(|b| b.build())
                .expect("skewed verifier"),
        ]
    })
}

fn verdict_is_well_formed(
    verifier: &Verifier,
    input: &[u8],
    time: u64,
) -> Result<(), TestCaseError> {
    let limits = &verifier.config().limits;
    for options in [
        VerifyOptions::new(time),
        VerifyOptions::new(time)
            .usage(Usage::ServerAuth)
            .peer_name("localhost"),
    ] {
        match verifier.verify_pem(input, &options) {
            Ok(verified) => {
                let chain = certgate::parse_chain(input, limits).expect("an accepted input parses");
                prop_assert_eq!(verified.leaf(), &chain[0]);
                prop_assert!(!verified.path().is_empty());
            }
            Err(rejection) => {
                prop_assert!(!rejection.code.as_str().is_empty());
                prop_assert!(!rejection.message.is_empty());
                if let (Some(index), Ok(chain)) =
                    (rejection.cert_index, certgate::parse_chain(input, limits))
                {
                    prop_assert!(
                        index < chain.len(),
                        "certificate index {} of a {}-certificate chain",
                        index,
                        chain.len()
                    );
                }
            }
        }
    }
    Ok(())
}

fn encode(chain: &[Vec<u8>], pem: bool) -> Vec<u8> {
    match pem {
        false => chain.concat(),
        true => chain
            .iter()
            .map(|der| {
                let body = base64(der);
                let lines: Vec<&str> = body
                    .as_bytes()
                    .chunks(64)
                    .map(|c| std::str::from_utf8(c).expect("base64"))
                    .collect();
                format!(
                    "-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n",
                    lines.join("\n")
                )
            })
            .collect::<String>()
            .into_bytes(),
    }
}

fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &b)| n | (b as u32) << (16 - 8 * i));
        for i in 0..4 {
            match i <= chunk.len() {
                true => out.push(ALPHABET[(n >> (18 - 6 * i)) as usize & 63] as char),
                false => out.push('='),
            }
        }
    }
    out
}

/// certgate's and bare webpki's answers on one chain.
struct Comparison {
    webpki: Result<(), webpki::Error>,
}

impl Comparison {
    /// webpki's rejection, if it rejected. Running out of its work budget is not one: certgate
    /// drops the intermediates that cannot lead to an anchor before path building
    /// (candidates.rs), so it can find the path where webpki, given every candidate, gives up.
    fn refusal(&self) -> Option<&webpki::Error> {
        match &self.webpki {
            Ok(()) | Err(webpki::Error::MaximumPathBuildCallsExceeded | webpki::Error::MaximumSignatureChecksExceeded) => None,
            Err(e) => Some(e),
        }
    }
}

/// Runs `chain` through certgate (default configuration) and, when certgate accepts, through
/// bare webpki configured alike; `None` when certgate rejects (or the anchors are unusable).
fn compare(
    anchors_pem: &[u8],
    crls: &[CertificateRevocationListDer<'static>],
    chain: &[CertificateDer<'static>],
    time: u64,
    usage: Usage,
    name: Option<&str>,
) -> Option<Comparison> {
    compare_with(
        anchors_pem,
        crls,
        chain,
        time,
        usage,
        name,
        Config::default(),
    )
}

fn compare_with(
    anchors_pem: &[u8],
    crls: &[CertificateRevocationListDer<'static>],
    chain: &[CertificateDer<'static>],
    time: u64,
    usage: Usage,
    name: Option<&str>,
    config: Config,
) -> Option<Comparison> {
    let mut builder = Verifier::builder()
        .config(config.clone())
        .trust(anchors_pem)
        .ok()?;
    for crl in crls {
        builder = builder.crls(crl.as_ref()).ok()?;
    }
    let verifier = builder.build().ok()?;
    let mut options = VerifyOptions::new(time).usage(usage.clone());
    if let Some(name) = name {
        options = options.peer_name(name);
    }
    verifier.verify(chain, &options).ok()?;

    // Bare webpki, as certgate configures it by default.
    let anchors: Vec<_> = verifier
        .anchors()
        .iter()
        .map(|der| {
            webpki::anchor_from_trusted_cert(der)
                .expect("certgate took this anchor")
                .to_owned()
        })
        .collect();
    let owned: Vec<webpki::CertRevocationList<'static>> = crls
        .iter()
        .map(|der| {
            webpki::OwnedCertRevocationList::from_der(der)
                .expect("certgate took this CRL")
                .into()
        })
        .collect();
    let crl_refs: Vec<&webpki::CertRevocationList<'_>> = owned.iter().collect();
    let revocation = RevocationOptionsBuilder::new(&crl_refs).ok().map(|b| {
        b.with_depth(match config.revocation.leaf_only {
            true => webpki::RevocationCheckDepth::EndEntity,
            false => webpki::RevocationCheckDepth::Chain,
        })
        .with_status_policy(match config.revocation.deny_unknown {
            true => webpki::UnknownStatusPolicy::Deny,
            false => webpki::UnknownStatusPolicy::Allow,
        })
        .with_expiration_policy(match config.revocation.enforce_expiry {
            true => webpki::ExpirationPolicy::Enforce,
            false => webpki::ExpirationPolicy::Ignore,
        })
        .build()
    });
    let key_usage = match usage {
        Usage::ServerAuth => KeyUsage::server_auth(),
        Usage::ClientAuth => KeyUsage::client_auth(),
        other => panic!("no webpki usage for {other:?} here"),
    };
    let webpki = EndEntityCert::try_from(&chain[0]).and_then(|leaf| {
        leaf.verify_for_usage(
            webpki::ALL_VERIFICATION_ALGS,
            &anchors,
            &chain[1..],
            UnixTime::since_unix_epoch(Duration::from_secs(time)),
            key_usage,
            revocation,
            None,
        )?;
        if let Some(name) = name {
            let name =
                ServerName::try_from(name).map_err(|_| webpki::Error::MalformedDnsIdentifier)?;
            leaf.verify_is_valid_for_subject_name(&name)?;
        }
        Ok(())
    });
    Some(Comparison { webpki })
}

/// Found by the `inspect` fuzz target (fuzz/README.md): an x509-limbo leaf carrying two
/// subjectAltName extensions (DNS example.com in each). The inspection record showed no SANs
/// while the policy identity read example.com; a repeated extension is malformed (RFC 5280
/// §4.2, and webpki refuses it), so the identity is now refused, as webpki would.
#[test]
fn a_certificate_with_two_san_extensions_has_no_policy_identity() {
    const HEX: &[&str] = &[
    "308201ca30820170a00302010202140a8ffd550fc469c037d31b3743ba05b65265afd9300a06082a8648ce3d04030230",
    "1a3118301606035504030c0f783530392d6c696d626f2d726f6f743020170d3730303130313030303030315a180f3239",
    "3639303530333030303030315a30163114301206035504030c0b6578616d706c652e636f6d3059301306072a8648ce3d",
    "020106082a8648ce3d03010703420004748014957862ae2556ac56b2c53503a28f9f7d52be37ddb9db3df6dd48799a86",
    "828fe59d762485e170e537ce0c18bfb8d315ed4f9ba0cfbe3e516b3a72731065a38195308192301d0603551d0e041604",
    "14c69a07f287e46ae75eb3df7d106847f50c5de5cb301f0603551d23041830168014fe6649d8cedaf8e48f2aef115071",
    "53a239b1f8a4300b0603551d0f04040302078030130603551d25040c300a06082b0601050507030130160603551d1104",
    "0f300d820b6578616d706c652e636f6d30160603551d11040f300d820b6578616d706c652e636f6d300a06082a8648ce",
    "3d040302034800304502205a101bbb2ba0bdf51c42964776b7752aa3c36fa8832968b30d036d0ea3dfe8310221009a6c",
    "0d0be8bcd5e6e0bb7cbdce183d16e32ef8769c205e7c71b1c55c52caa433",
    ];
    let hex: String = HEX.concat();
    let der: Vec<u8> = (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).expect("hex"))
        .collect();
    let record = Inspection::from_der(&der, Some(FIXED_TIME)).expect("the record is lenient");
    assert!(record.subject_alt_names.dns.is_empty());
    let refused = Identity::from_der(&der).expect_err("a repeated SAN extension is malformed");
    assert_eq!(refused.code, certgate::Code::MalformedCertificate);
    assert!(EndEntityCert::try_from(&CertificateDer::from(der.as_slice())).is_err());
}

/// The unedited fixture chains against each root, with and without the CRLs, for both usages,
/// at the fixed time: the starting points of the recombination property above, and a floor
/// showing it is not vacuous (certgate accepts a good number of them).
#[test]
fn certgate_accepts_no_fixture_chain_webpki_rejects() {
    let (mut compared, mut accepted) = (0usize, 0usize);
    for chain in fixture_chains() {
        for root in ROOTS {
            for crls in [&[][..], CRLS] {
                for (usage, name) in [
                    (Usage::ClientAuth, None),
                    (Usage::ServerAuth, Some("localhost")),
                ] {
                    compared += 1;
                    if let Some(case) = compare(
                        &fixture(root),
                        &crl_ders(crls),
                        chain,
                        FIXED_TIME,
                        usage,
                        name,
                    ) {
                        accepted += 1;
                        assert!(
                            case.refusal().is_none(),
                            "certgate accepted a chain webpki rejects ({root}): {:?}",
                            case.webpki
                        );
                    }
                }
            }
        }
    }
    eprintln!(
        "fixtures: {compared} checks, {accepted} accepted by certgate, every one by webpki too"
    );
    assert!(
        accepted >= 10,
        "certgate accepted only {accepted} of {compared} fixture checks"
    );
}

/// Every limbo case whose usage webpki names (serverAuth, clientAuth) and whose peer names are
/// DNS names or IP addresses: whatever certgate accepts, webpki accepts. Also a sanity floor:
/// certgate accepts hundreds of them, so the property is not vacuous.
#[test]
fn certgate_accepts_no_limbo_chain_webpki_rejects() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/conformance/limbo-dev.json.gz"
    );
    let mut json = Vec::new();
    flate2::read::GzDecoder::new(std::fs::File::open(path).unwrap_or_else(|e| {
        panic!("cannot open the limbo suite {path}: {e} (scripts/test.sh expects it there too)")
    }))
    .read_to_end(&mut json)
    .expect("gunzip the limbo suite");
    let suite: serde_json::Value = serde_json::from_slice(&json).expect("limbo JSON");
    let cases = suite["testcases"].as_array().expect("testcases");

    let (mut compared, mut accepted, mut disagreements) = (0usize, 0usize, Vec::new());
    for case in cases {
        let strings = |key: &str| -> Vec<String> {
            case[key]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|s| s.as_str().map(String::from))
                        .collect()
                })
                .unwrap_or_default()
        };
        let usage = match (
            case["validation_kind"].as_str(),
            strings("extended_key_usage").as_slice(),
        ) {
            (Some("SERVER"), []) => Usage::ServerAuth,
            (Some("CLIENT"), []) => Usage::ClientAuth,
            (_, [one]) if one == "serverAuth" => Usage::ServerAuth,
            (_, [one]) if one == "clientAuth" => Usage::ClientAuth,
            _ => continue,
        };
        // DNS names and IP addresses only; a case naming a mailbox or another kind is skipped.
        let names: Option<Vec<&str>> = std::iter::once(&case["expected_peer_name"])
            .chain(case["expected_peer_names"].as_array().into_iter().flatten())
            .filter(|n| !n.is_null())
            .map(|n| match n["kind"].as_str() {
                Some("DNS" | "IP") => n["value"].as_str(),
                _ => None,
            })
            .collect();
        let Some(names) = names else { continue };
        let time = match case["validation_time"].as_str() {
            Some(text) => match certgate::time::parse_rfc3339(text) {
                Some(t) => t,
                None => continue,
            },
            None => FIXED_TIME,
        };
        let mut presented = case["peer_certificate"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        presented.extend(strings("untrusted_intermediates"));
        let Ok(chain) =
            CertificateDer::pem_slice_iter(presented.as_bytes()).collect::<Result<Vec<_>, _>>()
        else {
            continue;
        };
        if chain.is_empty() {
            continue;
        }
        let crls: Vec<CertificateRevocationListDer<'static>> = strings("crls")
            .iter()
            .flat_map(|pem| {
                CertificateRevocationListDer::pem_slice_iter(pem.as_bytes()).filter_map(Result::ok)
            })
            .collect();
        let anchors = strings("trusted_certs").concat();
        let mut config = Config::default();
        config.limits.chain_certs = config.limits.chain_certs.max(chain.len());
        let name_list: Vec<Option<&str>> = match names.is_empty() {
            true => vec![None],
            false => names.iter().map(|n| Some(*n)).collect(),
        };
        for name in name_list {
            compared += 1;
            if let Some(case_result) = compare_with(
                anchors.as_bytes(),
                &crls,
                &chain,
                time,
                usage.clone(),
                name,
                config.clone(),
            ) {
                accepted += 1;
                if let Err(e) = case_result.webpki {
                    disagreements.push(format!("{} ({name:?}): webpki says {e:?}", case["id"]));
                }
            }
        }
    }
    eprintln!("limbo: {compared} checks, {accepted} accepted by certgate, every one by webpki too");
    assert!(
        disagreements.is_empty(),
        "certgate is more permissive than webpki on:\n{}",
        disagreements.join("\n")
    );
    assert!(compared > 5000, "only {compared} limbo checks ran");
    assert!(accepted > 300, "certgate accepted only {accepted} of {compared} limbo checks: the comparison is nearly vacuous");
}
