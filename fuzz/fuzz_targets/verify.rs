//! The full verify path (`Verifier::verify_pem`) with a fixed trust store (root-ca.pem and its
//! CRLs) on arbitrary input, differentially: whatever certgate accepts, bare rustls-webpki
//! with the same anchors, intermediates, time, usage, CRLs and name accepts too (certgate adds
//! checks; it never relaxes webpki's). A second verifier with more anchors, a pinned
//! certificate and clock-skew tolerance exercises the other paths.
#![no_main]

mod common;

use std::sync::LazyLock;
use std::time::Duration;

use certgate::webpki::{self, EndEntityCert, KeyUsage, RevocationOptionsBuilder};
use certgate::{parse_chain, CertificateDer, Config, Usage, Verifier, VerifyOptions};
use common::*;
use libfuzzer_sys::fuzz_target;

static STRICT: LazyLock<Verifier> = LazyLock::new(|| {
    Verifier::builder()
        .trust(ROOT_CA)
        .and_then(|b| b.crls(INTERMEDIATE_CRL))
        .and_then(|b| b.crls(ROOT_CRL))
        .and_then(|b| b.build())
        .expect("the root-ca verifier builds")
});

static LENIENT: LazyLock<Verifier> = LazyLock::new(|| {
    let mut config = Config::default();
    config.skew_secs = 3600;
    Verifier::builder()
        .config(config)
        .trust(ROOT_CA)
        .and_then(|b| b.trust(MESH_ROOT))
        .and_then(|b| b.trust(ROGUE_CA))
        .and_then(|b| b.pin(PINNED_CLIENT))
        .and_then(|b| b.build())
        .expect("the lenient verifier builds")
});

/// The anchors and CRLs of STRICT, as bare webpki takes them.
static BASE: LazyLock<(
    Vec<rustls_pki_types::TrustAnchor<'static>>,
    Vec<webpki::CertRevocationList<'static>>,
)> = LazyLock::new(|| {
    let limits = certgate::Limits::default();
    let roots = certgate::parse_bundle(ROOT_CA, &limits).expect("root-ca.pem");
    let anchors = roots
        .iter()
        .map(|der| {
            webpki::anchor_from_trusted_cert(der)
                .expect("anchor")
                .to_owned()
        })
        .collect();
    let mut crls = Vec::new();
    for pem in [INTERMEDIATE_CRL, ROOT_CRL] {
        for der in certgate::parse_crls(pem, &limits).expect("CRL fixture") {
            let crl = webpki::OwnedCertRevocationList::from_der(&der).expect("CRL");
            crls.push(webpki::CertRevocationList::from(crl));
        }
    }
    (anchors, crls)
});

fuzz_target!(|data: &[u8]| {
    let client = VerifyOptions::new(FIXED_TIME);
    let server = VerifyOptions::new(FIXED_TIME)
        .usage(Usage::ServerAuth)
        .peer_name("localhost");
    // `verify_pem` is `parse_chain` with the verifier's limits, then `verify` (verify.rs), and
    // both verifiers have the same limits: the input is decoded once, `verify_pem` runs once
    // (strict, clientAuth) and must agree with the decoding, and the three other cases verify
    // the decoded chain. Decoding the same PEM four times was a quarter of the time.
    let limits = &STRICT.config().limits;
    assert_eq!(limits, &LENIENT.config().limits);
    let first = STRICT.verify_pem(data, &client);
    let chain = match parse_chain(data, limits) {
        Ok(chain) => chain,
        Err(rejection) => {
            assert_eq!(
                first.err(),
                Some(rejection),
                "verify_pem decodes as parse_chain"
            );
            return;
        }
    };
    for (options, result) in [(&client, first), (&server, STRICT.verify(&chain, &server))] {
        if let Ok(verified) = result {
            assert_eq!(
                verified.leaf().as_ref(),
                chain[0].as_ref(),
                "the verified leaf is not the presented one"
            );
            webpki_accepts(&chain, options);
        }
        let _ = LENIENT.verify(&chain, options);
    }
});

/// Panics unless bare webpki accepts `chain` as STRICT is configured.
fn webpki_accepts(chain: &[CertificateDer<'_>], options: &VerifyOptions<'_>) {
    let (anchors, crls) = &*BASE;
    let crl_refs: Vec<&webpki::CertRevocationList<'_>> = crls.iter().collect();
    // certgate's defaults: every certificate in the path, unknown status allowed, nextUpdate enforced.
    let revocation = RevocationOptionsBuilder::new(&crl_refs)
        .expect("CRLs configured")
        .with_depth(webpki::RevocationCheckDepth::Chain)
        .with_status_policy(webpki::UnknownStatusPolicy::Allow)
        .with_expiration_policy(webpki::ExpirationPolicy::Enforce)
        .build();
    let usage = match options.usage {
        Usage::ServerAuth => KeyUsage::server_auth(),
        _ => KeyUsage::client_auth(),
    };
    let leaf = EndEntityCert::try_from(&chain[0]).expect("webpki parses a leaf certgate accepted");
    let time = rustls_pki_types::UnixTime::since_unix_epoch(Duration::from_secs(options.time));
    // Running out of webpki's work budget is not a rejection of the path certgate found:
    // certgate drops the intermediates that cannot lead to an anchor before path building
    // (crates/certgate/src/candidates.rs), so it can finish where webpki, given every
    // candidate, gives up.
    if let Err(e) = leaf.verify_for_usage(
        webpki::ALL_VERIFICATION_ALGS,
        anchors,
        &chain[1..],
        time,
        &usage,
        Some(revocation),
        None,
    ) {
        if !matches!(
            e,
            webpki::Error::MaximumPathBuildCallsExceeded | webpki::Error::MaximumSignatureChecksExceeded
        ) {
            panic!("certgate accepted a chain webpki rejects: {e:?}");
        }
    }
    if let Some(name) = options.peer_name {
        let name = rustls_pki_types::ServerName::try_from(name).expect("peer name");
        leaf.verify_is_valid_for_subject_name(&name)
            .expect("certgate accepted a name webpki rejects");
    }
}
