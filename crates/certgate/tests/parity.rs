//! Provider parity: `Verifier::builder()` (webpki's `ALL_VERIFICATION_ALGS`) and a builder given
//! the ring algorithms one by one reach identical results — verdict, code, certificate index
//! and message — on every fixture, for every usage and revocation setting exercised here.

mod common;

use certgate::webpki::ring as algs;
use certgate::{
    Config, SignatureVerificationAlgorithm, Usage, Verifier, VerifierBuilder, VerifyOptions,
};
use common::*;

/// webpki's ring algorithms, listed individually.
static RING_ALGS: &[&dyn SignatureVerificationAlgorithm] = &[
    algs::ECDSA_P256_SHA256,
    algs::ECDSA_P256_SHA384,
    algs::ECDSA_P384_SHA256,
    algs::ECDSA_P384_SHA384,
    algs::ED25519,
    algs::RSA_PKCS1_2048_8192_SHA256,
    algs::RSA_PKCS1_2048_8192_SHA384,
    algs::RSA_PKCS1_2048_8192_SHA512,
    algs::RSA_PKCS1_2048_8192_SHA256_ABSENT_PARAMS,
    algs::RSA_PKCS1_2048_8192_SHA384_ABSENT_PARAMS,
    algs::RSA_PKCS1_2048_8192_SHA512_ABSENT_PARAMS,
    algs::RSA_PKCS1_3072_8192_SHA384,
    algs::RSA_PSS_2048_8192_SHA256_LEGACY_KEY,
    algs::RSA_PSS_2048_8192_SHA384_LEGACY_KEY,
    algs::RSA_PSS_2048_8192_SHA512_LEGACY_KEY,
];

const ANCHORS: &[&str] = &[
    "root-ca.pem",
    "rogue-ca.pem",
    "mesh-root.pem",
    "distrusted-ca.pem",
    "bench/p256/root.pem",
    "bench/rsa2048/root.pem",
    "bench/mixed/root.pem",
    "bench/ed25519/root.pem",
];

/// Every certificate fixture file (chains and single certificates), found on disk so that a
/// new fixture is covered without editing this list.
fn chain_fixtures() -> Vec<String> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut names = Vec::new();
    for sub in [
        "",
        "bench/p256",
        "bench/rsa2048",
        "bench/mixed",
        "bench/ed25519",
    ] {
        for entry in std::fs::read_dir(dir.join(sub)).expect("fixture folder is readable") {
            let name = entry.expect("fixture entry").file_name().into_string().expect("fixture names are UTF-8");
            if name.ends_with(".pem") && !name.ends_with(".crl.pem") {
                names.push(if sub.is_empty() {
                    name
                } else {
                    format!("{sub}/{name}")
                });
            }
        }
    }
    names.sort();
    assert!(names.len() >= 40, "fixtures missing: {names:?}");
    names
}

fn pair(config: &Config, crls: &[&str]) -> (Verifier, Verifier) {
    let build = |builder: VerifierBuilder| {
        let mut builder = builder
            .config(config.clone())
            .trust(&bundle(ANCHORS))
            .expect("anchor fixtures load")
            .pin(&fixture("pinned-client.pem"))
            .expect("pinned fixture loads");
        if !crls.is_empty() {
            builder = builder.crls(&bundle(crls)).expect("CRL fixtures load");
        }
        builder.build().expect("verifier builds")
    };
    (
        build(Verifier::builder()),
        build(VerifierBuilder::new(RING_ALGS)),
    )
}

fn assert_parity(config: &Config, crls: &[&str], options: &VerifyOptions<'_>) -> (usize, usize) {
    let (all, individual) = pair(config, crls);
    let (mut ok, mut rejected) = (0, 0);
    for name in chain_fixtures() {
        let chain = certs(&name);
        let a = all.verify(&chain, options);
        let b = individual.verify(&chain, options);
        assert_eq!(a, b, "{name} with {options:?}");
        match a {
            Ok(_) => ok += 1,
            Err(_) => rejected += 1,
        }
    }
    (ok, rejected)
}

#[test]
fn the_ring_list_is_webpkis_full_list() {
    assert_eq!(
        RING_ALGS.len(),
        webpki::ALL_VERIFICATION_ALGS.len()
    );
}

#[test]
fn client_auth_results_are_identical() {
    let (ok, rejected) = assert_parity(&Config::default(), &[], &at_fixed_time());
    assert!(
        ok >= 8 && rejected >= 25,
        "both verdicts exercised: {ok} accepted, {rejected} rejected"
    );
}

#[test]
fn server_auth_and_peer_name_results_are_identical() {
    let options = at_fixed_time()
        .usage(Usage::ServerAuth)
        .peer_name("localhost");
    let (ok, _) = assert_parity(&Config::default(), &[], &options);
    assert!(ok >= 1, "server.pem verifies for localhost");
    assert_parity(
        &Config::default(),
        &[],
        &at_fixed_time()
            .usage(Usage::ServerAuth)
            .peer_name("127.0.0.2"),
    );
}

#[test]
fn results_with_crls_are_identical() {
    let crls = ["intermediate.crl.pem", "root.crl.pem"];
    let mut config = Config::default();
    assert_parity(&config, &crls, &at_fixed_time());
    config.revocation.deny_unknown = true;
    assert_parity(&config, &crls, &at_fixed_time());
    config.revocation.leaf_only = true;
    assert_parity(&config, &crls, &at_fixed_time());
    assert_parity(
        &config,
        &["intermediate-expired.crl.pem", "no-crl-sign.crl.pem"],
        &at_fixed_time(),
    );
    config.revocation.enforce_expiry = false;
    assert_parity(
        &config,
        &["intermediate-bad-signature.crl.pem"],
        &at_fixed_time(),
    );
}

#[test]
fn results_at_other_times_and_with_skew_are_identical() {
    let mut config = Config::default();
    config.require_eku = true;
    assert_parity(&config, &[], &VerifyOptions::new(1_767_312_060));
    config.skew_secs = 120;
    assert_parity(&config, &[], &VerifyOptions::new(1_767_312_060));
    assert_parity(&config, &[], &VerifyOptions::new(1_780_271_900));
}
