//! Shared helpers for certgate's integration tests: the fixed validation time, fixture
//! loading, and assertions on rejections (code, certificate index, a human message).
//!
//! Fixtures live in `tests/fixtures/` and are written by `cargo run --release -p
//! certgate-fixtures`; their README lists what each is for.
#![allow(dead_code)] // each test file uses a subset

use certgate::{Code, Config, Rejection, Verified, Verifier, VerifyOptions};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::CertificateDer;

/// The validation time of every test: 2026-05-28T20:26:40Z. All fixture windows are fixed
/// dates around it.
pub const FIXED_TIME: u64 = 1_780_000_000;

/// A fixture file's bytes.
pub fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| {
        panic!("cannot read fixture {path}: {e}; run `cargo run --release -p certgate-fixtures`")
    })
}

/// A fixture's certificates as DER, in file order. Decoded with rustls-pki-types, not with
/// the code under test.
pub fn certs(name: &str) -> Vec<CertificateDer<'static>> {
    let pem = fixture(name);
    let certs: Vec<_> = CertificateDer::pem_slice_iter(&pem)
        .collect::<Result<_, _>>()
        .unwrap_or_else(|e| panic!("fixture {name} is not PEM: {e:?}"));
    assert!(!certs.is_empty(), "fixture {name} holds no certificate");
    certs
}

/// The first certificate of a fixture as DER.
pub fn cert(name: &str) -> CertificateDer<'static> {
    certs(name).remove(0)
}

/// Several fixtures' certificates concatenated as one PEM bundle.
pub fn bundle(names: &[&str]) -> Vec<u8> {
    names.iter().flat_map(|n| fixture(n)).collect()
}

/// A verifier (ring, default configuration) trusting the certificates in `anchors`.
pub fn verifier(anchors: &[&str]) -> Verifier {
    verifier_with(anchors, Config::default())
}

/// A verifier trusting `anchors` with `config`.
pub fn verifier_with(anchors: &[&str], config: Config) -> Verifier {
    Verifier::builder()
        .config(config)
        .trust(&bundle(anchors))
        .expect("fixture anchors load")
        .build()
        .expect("verifier builds")
}

/// Client-authentication options at [`FIXED_TIME`].
pub fn at_fixed_time() -> VerifyOptions<'static> {
    VerifyOptions::new(FIXED_TIME)
}

/// Verifies a fixture chain file at [`FIXED_TIME`] for client authentication.
pub fn verify(verifier: &Verifier, name: &str) -> Result<Verified, Rejection> {
    verifier.verify(&certs(name), &at_fixed_time())
}

/// Asserts acceptance and returns the verified chain.
#[track_caller]
pub fn accepted(result: Result<Verified, Rejection>) -> Verified {
    match result {
        Ok(verified) => verified,
        Err(rejection) => panic!("expected acceptance, got {rejection}"),
    }
}

/// Asserts a rejection with `code` concerning certificate `index` (`None`: not attributed),
/// with a human message; returns it for further checks.
#[track_caller]
pub fn rejected(
    result: Result<Verified, Rejection>,
    code: Code,
    index: Option<usize>,
) -> Rejection {
    let rejection = match result {
        Ok(verified) => panic!(
            "expected {code}, but the chain was accepted ({} certificates)",
            verified.path().len()
        ),
        Err(rejection) => rejection,
    };
    assert_eq!(
        rejection.code, code,
        "wrong code; message: {}",
        rejection.message
    );
    assert_eq!(
        rejection.cert_index, index,
        "wrong certificate index for {code}: {}",
        rejection.message
    );
    assert_human(&rejection);
    rejection
}

/// Asserts a rejection with `code`, any certificate index.
#[track_caller]
pub fn rejected_any(result: Result<Verified, Rejection>, code: Code) -> Rejection {
    let rejection = match result {
        Ok(_) => panic!("expected {code}, but the chain was accepted"),
        Err(rejection) => rejection,
    };
    assert_eq!(
        rejection.code, code,
        "wrong code; message: {}",
        rejection.message
    );
    assert_human(&rejection);
    rejection
}

/// A message is for people: a sentence of words, no `Debug` output of Rust or webpki values.
#[track_caller]
pub fn assert_human(rejection: &Rejection) {
    let message = &rejection.message;
    assert!(
        message.len() >= 20,
        "message too short to help anyone: {message:?}"
    );
    assert!(
        message.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '`'),
        "message should read as a sentence: {message:?}"
    );
    for debug in [
        "Some(", "None", "Ok(", "Err(", "(\"", " { ", "}", "Context", "BadDer", "Error", "\\\"",
    ] {
        assert!(
            !message.contains(debug),
            "message looks like a Debug dump (contains {debug:?}): {message:?}"
        );
    }
    assert_eq!(
        rejection.to_string(),
        format!("{}: {message}", rejection.code.as_str())
    );
}

/// The subject CN of a DER certificate, read with certgate's inspection (for messages).
pub fn common_name(der: &[u8]) -> String {
    certgate::Inspection::from_der(der, None)
        .expect("fixture decodes")
        .subject
        .common_name()
        .unwrap_or_default()
        .to_string()
}
