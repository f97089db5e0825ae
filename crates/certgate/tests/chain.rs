//! Path building: trust stores, intermediates, signatures, basic and name constraints, depth,
//! budgets and distrust.

mod common;

use certgate::webpki::ring as algs;
use certgate::{
    Code, Config, Profile, SignatureVerificationAlgorithm, Usage, Verifier, VerifierBuilder,
    VerifyOptions,
};
use common::*;

#[test]
fn client_chain_verifies_against_a_root_only_store() {
    let chain = certs("alice.pem");
    let verified = accepted(verify(&verifier(&["root-ca.pem"]), "alice.pem"));
    assert_eq!(
        verified.path(),
        &[chain[0].clone(), chain[1].clone(), cert("root-ca.pem")]
    );
    assert_eq!(verified.leaf(), &chain[0]);
    assert!(!verified.is_pinned());
    assert_eq!(verified.time(), FIXED_TIME);
    assert_eq!(
        verified.inspect_leaf().unwrap().subject.common_name(),
        Some("alice")
    );
}

#[test]
fn an_intermediate_can_be_the_trust_anchor() {
    let verified = accepted(verify(&verifier(&["intermediate-ca.pem"]), "alice.pem"));
    assert_eq!(
        verified.path(),
        &[cert("alice.pem"), cert("intermediate-ca.pem")]
    );
}

#[test]
fn the_leaf_alone_verifies_when_its_issuer_is_trusted() {
    let v = verifier(&["root-ca.pem", "intermediate-ca.pem"]);
    let verified = accepted(v.verify(&[cert("alice.pem")], &at_fixed_time()));
    assert_eq!(
        verified.path().len(),
        2,
        "shortest path: leaf and the intermediate anchor"
    );
}

#[test]
fn several_anchors_each_anchor_their_own_chains() {
    let v = verifier(&["rogue-ca.pem", "root-ca.pem"]);
    assert_eq!(v.anchors(), &[cert("rogue-ca.pem"), cert("root-ca.pem")]);
    accepted(verify(&v, "alice.pem"));
    let rogue = accepted(verify(&v, "rogue-leaf.pem"));
    assert_eq!(
        rogue.path(),
        &[cert("rogue-leaf.pem"), cert("rogue-ca.pem")]
    );
}

#[test]
fn intermediates_in_any_order_and_extra_certificates_are_tolerated() {
    let alice = certs("alice.pem");
    let chain = [
        alice[0].clone(),
        cert("rogue-ca.pem"),
        cert("server.pem"),
        cert("mesh-root.pem"),
        alice[1].clone(),
    ];
    let verified = accepted(verifier(&["root-ca.pem"]).verify(&chain, &at_fixed_time()));
    assert_eq!(
        verified.path(),
        &[alice[0].clone(), alice[1].clone(), cert("root-ca.pem")],
        "unused extras are not in the path"
    );
}

#[test]
fn pem_and_der_input_give_the_same_path() {
    let v = verifier(&["root-ca.pem"]);
    let from_pem = accepted(v.verify_pem(&fixture("alice.pem"), &at_fixed_time()));
    let der: Vec<u8> = certs("alice.pem").iter().flat_map(|c| c.to_vec()).collect();
    let from_der = accepted(v.verify_pem(&der, &at_fixed_time()));
    assert_eq!(from_pem, from_der);
}

#[test]
fn missing_intermediate_is_an_unknown_issuer() {
    let r = rejected(
        verifier(&["root-ca.pem"]).verify(&[cert("alice.pem")], &at_fixed_time()),
        Code::UnknownIssuer,
        None,
    );
    assert!(
        r.message
            .contains("(CN=alice,OU=Engineering,O=certgate Test,C=GB)"),
        "{}",
        r.message
    );
    assert!(
        r.message.contains("send the intermediates"),
        "says what to do: {}",
        r.message
    );
}

#[test]
fn a_leaf_from_an_untrusted_ca_is_an_unknown_issuer() {
    let r = rejected(
        verify(&verifier(&["root-ca.pem"]), "rogue-leaf.pem"),
        Code::UnknownIssuer,
        None,
    );
    assert!(r.message.contains("CN=mallory"), "{}", r.message);
    rejected(
        verify(&verifier(&["rogue-ca.pem"]), "alice.pem"),
        Code::UnknownIssuer,
        None,
    );
}

#[test]
fn a_corrupted_signature_is_a_bad_signature() {
    let r = rejected(
        verify(&verifier(&["root-ca.pem"]), "alice-bad-signature.pem"),
        Code::BadSignature,
        None,
    );
    assert!(r.message.contains("does not verify"), "{}", r.message);
}

#[test]
fn mismatched_signature_algorithms_are_rejected() {
    rejected(
        verify(&verifier(&["root-ca.pem"]), "sigalg-mismatch.pem"),
        Code::SignatureAlgorithmMismatch,
        Some(0),
    );
}

#[test]
fn a_signature_algorithm_that_is_not_enabled_is_unsupported() {
    static P256_ONLY: &[&dyn SignatureVerificationAlgorithm] = &[algs::ECDSA_P256_SHA256];
    let v = VerifierBuilder::new(P256_ONLY)
        .trust(&fixture("bench/ed25519/root.pem"))
        .unwrap()
        .build()
        .unwrap();
    rejected(
        verify(&v, "bench/ed25519/chain.pem"),
        Code::UnsupportedSignatureAlgorithm,
        None,
    );
    let v = VerifierBuilder::new(P256_ONLY)
        .trust(&fixture("bench/rsa2048/root.pem"))
        .unwrap()
        .build()
        .unwrap();
    rejected(
        verify(&v, "bench/rsa2048/chain.pem"),
        Code::UnsupportedSignatureAlgorithm,
        None,
    );
    // The same verifier accepts what it can check.
    let v = VerifierBuilder::new(P256_ONLY)
        .trust(&fixture("root-ca.pem"))
        .unwrap()
        .build()
        .unwrap();
    accepted(verify(&v, "alice.pem"));
}

#[test]
fn every_bench_chain_verifies() {
    for kind in ["p256", "rsa2048", "mixed", "ed25519"] {
        let verified = accepted(verify(
            &verifier(&[&format!("bench/{kind}/root.pem")]),
            &format!("bench/{kind}/chain.pem"),
        ));
        assert_eq!(verified.path().len(), 3, "{kind}");
    }
}

#[test]
fn a_ca_presented_as_the_leaf_is_rejected() {
    let r = rejected(
        verify(&verifier(&["root-ca.pem"]), "intermediate-ca.pem"),
        Code::CaUsedAsLeaf,
        Some(0),
    );
    assert!(
        r.message.contains("CN=certgate Test Intermediate CA"),
        "{}",
        r.message
    );
    rejected(
        verify(&verifier(&["root-ca.pem"]), "root-ca.pem"),
        Code::CaUsedAsLeaf,
        Some(0),
    );
}

#[test]
fn a_leaf_that_issued_another_certificate_is_rejected() {
    rejected(
        verify(&verifier(&["root-ca.pem"]), "leaf-as-ca.pem"),
        Code::LeafUsedAsCa,
        None,
    );
}

#[test]
fn a_path_longer_than_a_path_len_constraint_is_rejected() {
    rejected(
        verify(&verifier(&["root-ca.pem"]), "pathlen.pem"),
        Code::PathLenExceeded,
        None,
    );
}

#[test]
fn name_constraints_are_enforced() {
    let v = verifier(&["root-ca.pem"]);
    rejected(
        verify(&v, "name-constraints.pem"),
        Code::NameConstraintViolation,
        None,
    );
    accepted(verify(&v, "name-constraints-ok.pem"));
}

#[test]
fn an_unknown_critical_extension_is_rejected() {
    rejected(
        verify(&verifier(&["root-ca.pem"]), "critical-extension.pem"),
        Code::UnsupportedCriticalExtension,
        Some(0),
    );
}

#[test]
fn a_version_2_certificate_is_rejected() {
    let r = rejected(
        verify(&verifier(&["root-ca.pem"]), "version2.pem"),
        Code::UnsupportedVersion,
        Some(0),
    );
    assert!(r.message.contains("version 3"), "{}", r.message);
}

#[test]
fn webpki_builds_through_six_intermediates_but_not_seven() {
    let deep = certs("deep-chain.pem");
    assert_eq!(deep.len(), 8, "leaf + Deep CA 1..7");
    rejected(
        verify(&verifier(&["root-ca.pem"]), "deep-chain.pem"),
        Code::ChainTooLong,
        None,
    );

    // Deep CA 7 as the anchor: leaf + Deep CA 1..6 + anchor = 8, the default maximum.
    // Trust input may be DER as well as PEM.
    let v = Verifier::builder()
        .trust(&deep[7])
        .unwrap()
        .build()
        .unwrap();
    let verified = accepted(v.verify(&deep, &at_fixed_time()));
    assert_eq!(verified.path().len(), 8);
    assert_eq!(verified.path()[7], deep[7]);
}

#[test]
fn max_path_len_limits_the_depth() {
    let deep = certs("deep-chain.pem");
    let mut config = Config::default();
    config.max_path_len = 4;
    let v = Verifier::builder()
        .config(config)
        .trust(&deep[7])
        .unwrap()
        .build()
        .unwrap();
    // Without Deep CA 7 in the chain, the one path webpki finds is the 8-certificate path.
    let r = rejected(
        v.verify(&deep[..7], &at_fixed_time()),
        Code::ChainTooLong,
        None,
    );
    assert!(
        r.message.contains("8 certificates; at most 4"),
        "{}",
        r.message
    );
    // With it, webpki also tries (and refuses) a seventh intermediate: still too long.
    rejected(v.verify(&deep, &at_fixed_time()), Code::ChainTooLong, None);

    // Three certificates fit: alice, the intermediate and the root.
    let mut config = Config::default();
    config.max_path_len = 3;
    accepted(verify(
        &verifier_with(&["root-ca.pem"], config.clone()),
        "alice.pem",
    ));
    config.max_path_len = 2;
    rejected(
        verify(&verifier_with(&["root-ca.pem"], config), "alice.pem"),
        Code::ChainTooLong,
        None,
    );
}

#[test]
fn a_mesh_of_cross_signed_candidates_exhausts_the_budget() {
    let started = std::time::Instant::now();
    let r = rejected(
        verify(&verifier(&["mesh-root.pem"]), "mesh.pem"),
        Code::BudgetExceeded,
        None,
    );
    assert!(r.message.contains("budget"), "{}", r.message);
    assert!(
        started.elapsed().as_secs() < 10,
        "the budget bounds the work"
    );
}

#[test]
fn the_largest_mesh_the_input_limits_admit_is_still_bounded() {
    // The leaf and five copies of the six mesh CAs: 31 certificates, within the default
    // 32-certificate limit. Copies are dropped before path building, so this costs what
    // mesh.pem costs.
    let mesh = certs("mesh.pem");
    let mut chain = vec![mesh[0].clone()];
    for _ in 0..5 {
        chain.extend_from_slice(&mesh[1..]);
    }
    assert_eq!(chain.len(), 31);
    let started = std::time::Instant::now();
    rejected(
        verifier(&["mesh-root.pem"]).verify(&chain, &at_fixed_time()),
        Code::BudgetExceeded,
        None,
    );
    assert!(
        started.elapsed().as_secs() < 10,
        "took {:?}",
        started.elapsed()
    );
}

#[test]
fn intermediates_that_lead_to_no_anchor_are_not_explored() {
    // Found by the verify fuzz target (fixtures/README.md): 31 certificates, variants of the
    // mesh CAs all named and issued by CN=certgate Mesh CA, under a trust store without the
    // mesh root. Path building explored them, checking no signature, until its 200,000-call
    // budget ran out: 1.6 s of CPU for one 30 KB chain, BUDGET_EXCEEDED. No chain of names
    // links them to an anchor, so they are dropped first and the verdict is the actual cause.
    let v = verifier(&["root-ca.pem"]);
    let all = certs("mesh-variants.pem");
    let readable: Vec<_> = all
        .iter()
        .filter(|c| webpki::EndEntityCert::try_from(*c).is_ok())
        .cloned()
        .collect();
    assert!(readable.len() > 15, "{} readable", readable.len());
    let r = rejected(
        v.verify(&readable, &at_fixed_time()),
        Code::UnknownIssuer,
        None,
    );
    assert!(r.message.contains("trust store"), "{}", r.message);
    // As found, five of the blocks are not DER (webpki reads them as candidates and says so).
    rejected_any(v.verify(&all, &at_fixed_time()), Code::MalformedCertificate);
    // Under the mesh root they do lead somewhere; webpki's signature budget bounds that.
    let mesh = verifier(&["mesh-root.pem"]);
    assert!(mesh.verify(&readable, &at_fixed_time()).is_err());
}

#[test]
fn a_distrusted_anchor_key_is_rejected() {
    let r = rejected(
        verify(&verifier(&["distrusted-ca.pem"]), "distrusted-leaf.pem"),
        Code::Distrusted,
        None,
    );
    assert!(r.message.contains("distrusted"), "{}", r.message);
}

#[test]
fn the_strict_profile_rejects_what_a_conforming_ca_cannot_issue() {
    let v = verifier(&["root-ca.pem"]);
    let r = rejected(
        verify(&v, "serial-zero.pem"),
        Code::InvalidSerialNumber,
        Some(0),
    );
    assert!(r.message.contains("serial number"), "{}", r.message);
    let r = rejected(verify(&v, "no-aki.pem"), Code::ProfileViolation, Some(0));
    assert!(
        r.message.contains("authorityKeyIdentifier"),
        "{}",
        r.message
    );

    // webpki alone accepts both, as RFC 5280 asks certificate users to tolerate them.
    let mut config = Config::default();
    config.profile = Profile::webpki_only();
    let v = verifier_with(&["root-ca.pem"], config);
    accepted(verify(&v, "serial-zero.pem"));
    accepted(verify(&v, "no-aki.pem"));
}

#[test]
fn every_conforming_fixture_passes_the_strict_profile() {
    // The generator gives every certificate what RFC 5280 asks of a conforming CA, so under
    // the default (strict) profile each fixture fails, if at all, for the reason it exists.
    let v = verifier(&["root-ca.pem"]);
    let server = VerifyOptions::new(FIXED_TIME)
        .usage(Usage::ServerAuth)
        .peer_name("localhost");
    accepted(v.verify(&certs("server.pem"), &server));
    for (name, expected) in [
        ("alice.pem", None),
        ("no-eku.pem", None),
        ("name-constraints-ok.pem", None),
        ("revoked.pem", None),
        ("revoked-intermediate.pem", None),
        ("no-crl-sign.pem", None),
        ("expired-intermediate.pem", Some(Code::CertExpired)),
        ("deep-chain.pem", Some(Code::ChainTooLong)),
        ("pathlen.pem", Some(Code::PathLenExceeded)),
        ("name-constraints.pem", Some(Code::NameConstraintViolation)),
        ("server-eku-intermediate.pem", Some(Code::WrongUsage)),
    ] {
        match (verify(&v, name), expected) {
            (Ok(_), None) => {}
            (Err(r), Some(code)) if r.code == code => {}
            (result, _) => panic!("{name}: expected {expected:?}, got {result:?}"),
        }
    }
    for kind in ["p256", "rsa2048", "mixed", "ed25519"] {
        let bench = verifier(&[&format!("bench/{kind}/root.pem")]);
        accepted(verify(&bench, &format!("bench/{kind}/chain.pem")));
    }
}

#[test]
fn trust_and_build_reject_unusable_material() {
    let r = Verifier::builder().build().unwrap_err();
    assert_eq!(r.code, Code::InvalidConfig);
    assert_human(&r);

    let r = Verifier::builder()
        .trust(b"30 is not a certificate")
        .unwrap_err();
    assert_eq!(r.code, Code::MalformedPem);

    // DER that frames correctly but is no certificate.
    let r = Verifier::builder()
        .trust(&[0x30, 0x03, 0x02, 0x01, 0x05])
        .unwrap()
        .build()
        .unwrap_err();
    assert_eq!((r.code, r.cert_index), (Code::InvalidConfig, Some(0)));
    assert_human(&r);

    let mut config = Config::default();
    config.max_path_len = 1;
    let r = Verifier::builder()
        .config(config)
        .trust(&fixture("root-ca.pem"))
        .unwrap()
        .build()
        .unwrap_err();
    assert_eq!(r.code, Code::InvalidConfig);
    assert_human(&r);
}
