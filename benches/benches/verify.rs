//! Full client-chain verification per iteration (parse, path building, signatures, validity,
//! clientAuth EKU): certgate against bare rustls-webpki + ring, same chains, same time, same run.
//!
//! `cargo bench -p certgate-benches --bench verify`

use std::hint::black_box;
use std::time::Duration;

use certgate::policy::Policy;
use certgate::{CertificateDer, Verifier, VerifyOptions};
use criterion::{criterion_group, criterion_main, Criterion};
use rustls_pki_types::{TrustAnchor, UnixTime};
use webpki::{EndEntityCert, KeyUsage};

/// The fixtures' fixed validation time, 2026-05-28T20:26:40Z.
const TIME: u64 = 1_780_000_000;

/// The chains every verifier in `benches/` measures: `bench/<kind>/{root,chain}.pem`.
const KINDS: &[&str] = &["p256", "rsa2048", "mixed", "ed25519"];

struct Fixture {
    kind: &'static str,
    root_pem: Vec<u8>,
    chain: Vec<CertificateDer<'static>>,
}

fn load(kind: &'static str) -> Fixture {
    let dir = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../crates/certgate/tests/fixtures/bench/"
    );
    let read = |f: &str| {
        std::fs::read(format!("{dir}{kind}/{f}")).unwrap_or_else(|e| panic!("{kind}/{f}: {e}"))
    };
    let root_pem = read("root.pem");
    let chain =
        certgate::parse_chain(&read("chain.pem"), &certgate::Limits::default()).expect("chain");
    Fixture {
        kind,
        root_pem,
        chain,
    }
}

fn verify(c: &mut Criterion) {
    refuse_control();
    for kind in KINDS {
        let fx = load(kind);
        let mut group = c.benchmark_group(fx.kind);
        group
            .measurement_time(Duration::from_secs(3))
            .warm_up_time(Duration::from_secs(1));

        // Baseline: bare webpki with anchors parsed once, as a server would hold them.
        let anchors = anchors(&fx.root_pem);
        let time = UnixTime::since_unix_epoch(Duration::from_secs(TIME));
        let algs = webpki::ALL_VERIFICATION_ALGS;
        group.bench_function("webpki", |b| {
            b.iter(|| {
                let leaf = EndEntityCert::try_from(&fx.chain[0]).expect("leaf");
                let path = leaf
                    .verify_for_usage(
                        algs,
                        &anchors,
                        &fx.chain[1..],
                        time,
                        KeyUsage::client_auth(),
                        None,
                        None,
                    )
                    .expect("webpki accepts the bench chain");
                black_box(path.anchor());
            })
        });

        let verifier = Verifier::builder()
            .trust(&fx.root_pem)
            .and_then(|b| b.build())
            .expect("verifier");
        let options = VerifyOptions::new(TIME);
        group.bench_function("certgate", |b| {
            b.iter(|| {
                black_box(
                    verifier
                        .verify(black_box(&fx.chain), &options)
                        .expect("certgate accepts"),
                )
            })
        });

        // Verification, then the policy: principal from the subject (Spring's default regex),
        // its roles, and the route rule for GET /customer/{id} — what a server does per request.
        let policy = Policy::from_toml(&format!(
            "[roles]\n\"bench-{kind}\" = [\"user\"]\n\n\
             [[routes]]\nmethods = [\"GET\"]\npath = \"/customer/{{id}}\"\nroles = [\"user\"]\n"
        ))
        .expect("bench policy");
        group.bench_function("certgate+policy", |b| {
            b.iter(|| {
                let verified = verifier
                    .verify(black_box(&fx.chain), &options)
                    .expect("certgate accepts");
                let decision = policy
                    .evaluate_verified(Some(&verified), "GET", "/customer/1")
                    .expect("allowed");
                black_box(decision)
            })
        });

        // A returning client: certgate-rustls' verdict cache, keyed by the chain's SHA-256.
        let cached = certgate_rustls::ClientVerifier::builder(std::sync::Arc::new(
            Verifier::builder()
                .trust(&fx.root_pem)
                .and_then(|b| b.build())
                .expect("verifier"),
        ))
        .clock(std::sync::Arc::new(certgate_rustls::FixedClock(TIME)))
        .cache(std::sync::Arc::new(certgate_rustls::VerdictCache::new(
            1024,
        )))
        .build();
        cached.verify_chain(&fx.chain).expect("certgate accepts");
        group.bench_function("certgate-cache-hit", |b| {
            b.iter(|| {
                black_box(
                    cached
                        .verify_chain(black_box(&fx.chain))
                        .expect("cached acceptance"),
                )
            })
        });
        group.finish();
    }
}

/// Every verifier measured here must refuse a chain whose leaf signature is corrupted (the
/// fixtures' `alice-bad-signature.pem` against `root-ca.pem`), as `benches/run` requires of
/// every peer, or its figures would be void: this stops the bench before measuring anything.
fn refuse_control() {
    let dir = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../crates/certgate/tests/fixtures/"
    );
    let read = |f: &str| std::fs::read(format!("{dir}{f}")).unwrap_or_else(|e| panic!("{f}: {e}"));
    let root_pem = read("root-ca.pem");
    let chain = certgate::parse_chain(
        &read("alice-bad-signature.pem"),
        &certgate::Limits::default(),
    )
    .expect("control chain");
    let anchors = anchors(&root_pem);
    let time = UnixTime::since_unix_epoch(Duration::from_secs(TIME));
    let leaf = EndEntityCert::try_from(&chain[0]).expect("leaf");
    let webpki = leaf.verify_for_usage(
        webpki::ALL_VERIFICATION_ALGS,
        &anchors,
        &chain[1..],
        time,
        KeyUsage::client_auth(),
        None,
        None,
    );
    assert!(
        webpki.is_err(),
        "webpki accepted the corrupted-signature control chain"
    );

    let verifier = Verifier::builder()
        .trust(&root_pem)
        .and_then(|b| b.build())
        .expect("verifier");
    assert!(
        verifier.verify(&chain, &VerifyOptions::new(TIME)).is_err(),
        "certgate accepted the corrupted-signature control chain"
    );
    // The cached verifier twice: a refusal is never served from the cache as an acceptance.
    let cached = certgate_rustls::ClientVerifier::builder(std::sync::Arc::new(verifier))
        .clock(std::sync::Arc::new(certgate_rustls::FixedClock(TIME)))
        .cache(std::sync::Arc::new(certgate_rustls::VerdictCache::new(16)))
        .build();
    for _ in 0..2 {
        assert!(
            cached.verify_chain(&chain).is_err(),
            "the cached verifier accepted the corrupted-signature control chain"
        );
    }
}

criterion_group!(benches, verify);
criterion_main!(benches);

/// The trust anchors of a PEM bundle, as bare webpki takes them (parsed once, as a server would
/// hold them).
fn anchors(pem: &[u8]) -> Vec<TrustAnchor<'static>> {
    certgate::parse_bundle(pem, &certgate::Limits::default())
        .expect("root")
        .iter()
        .map(|c| {
            webpki::anchor_from_trusted_cert(c)
                .expect("anchor")
                .to_owned()
        })
        .collect()
}
