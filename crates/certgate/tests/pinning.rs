//! Pinned certificates: a presented leaf byte-identical to a pinned certificate is trusted by
//! itself, and is still checked for validity, usage and peer name.

mod common;

use certgate::{Code, Config, Usage, Verifier, VerifyOptions};
use common::*;

/// Not before 2026-01-01T00:00:00Z, not after 2027-01-01T00:00:00Z.
const NOT_AFTER: u64 = 1_798_761_600;

fn pinning(names: &[&str]) -> Verifier {
    pinning_with(names, Config::default())
}

fn pinning_with(names: &[&str], config: Config) -> Verifier {
    Verifier::builder()
        .config(config)
        .pin(&bundle(names))
        .expect("pins load")
        .build()
        .expect("verifier builds")
}

#[test]
fn a_pinned_self_signed_leaf_is_trusted_by_itself() {
    let verified = accepted(verify(
        &pinning(&["pinned-client.pem"]),
        "pinned-client.pem",
    ));
    assert!(verified.is_pinned());
    assert_eq!(
        verified.path(),
        &[cert("pinned-client.pem")],
        "a pinned leaf is its own path"
    );
    assert_eq!(
        verified.inspect_leaf().unwrap().subject.common_name(),
        Some("pinned-client")
    );
}

#[test]
fn an_unpinned_self_signed_leaf_has_no_issuer() {
    rejected(
        verify(&verifier(&["root-ca.pem"]), "pinned-client.pem"),
        Code::UnknownIssuer,
        None,
    );
}

#[test]
fn pins_and_anchors_work_side_by_side() {
    let v = Verifier::builder()
        .trust(&fixture("root-ca.pem"))
        .unwrap()
        .pin(&fixture("pinned-client.pem"))
        .unwrap()
        .build()
        .unwrap();
    assert!(accepted(verify(&v, "pinned-client.pem")).is_pinned());
    assert!(!accepted(verify(&v, "alice.pem")).is_pinned());
    rejected(verify(&v, "rogue-leaf.pem"), Code::UnknownIssuer, None);
}

#[test]
fn an_exact_ca_issued_leaf_can_be_pinned_without_its_ca() {
    let alice = certs("alice.pem");
    let v = Verifier::builder().pin(&alice[0]).unwrap().build().unwrap();
    let verified = accepted(v.verify(&alice, &at_fixed_time()));
    assert!(verified.is_pinned());
    assert_eq!(
        verified.path(),
        &alice[..1],
        "presented intermediates are not part of a pinned path"
    );
}

#[test]
fn only_the_exact_bytes_are_pinned() {
    let v = pinning(&["alice.pem"]);
    // Same subject, same issuer, another certificate: not pinned, and no anchor to fall back on.
    rejected(
        verify(&v, "alice-bad-signature.pem"),
        Code::UnknownIssuer,
        None,
    );
    let mut altered = cert("pinned-client.pem").to_vec();
    let middle = altered.len() / 2;
    altered[middle] ^= 0x01;
    let v = pinning(&["pinned-client.pem"]);
    let r = v.verify(&[altered.into()], &at_fixed_time()).unwrap_err();
    assert_ne!(r.code, Code::NoCertificate);
    assert_human(&r);
}

#[test]
fn only_the_leaf_position_is_pinned() {
    // The pinned certificate presented as an intermediate grants nothing.
    let chain = [cert("rogue-leaf.pem"), cert("pinned-client.pem")];
    rejected(
        pinning(&["pinned-client.pem"]).verify(&chain, &at_fixed_time()),
        Code::UnknownIssuer,
        None,
    );
    // Extra certificates after a pinned leaf are ignored.
    let chain = [cert("pinned-client.pem"), cert("rogue-ca.pem")];
    assert!(accepted(pinning(&["pinned-client.pem"]).verify(&chain, &at_fixed_time())).is_pinned());
}

#[test]
fn a_pinned_certificate_still_expires() {
    let v = pinning(&["pinned-client.pem"]);
    let chain = certs("pinned-client.pem");
    accepted(v.verify(&chain, &VerifyOptions::new(NOT_AFTER)));
    let r = rejected(
        v.verify(&chain, &VerifyOptions::new(NOT_AFTER + 10)),
        Code::CertExpired,
        Some(0),
    );
    assert!(
        r.message
            .contains("(CN=pinned-client,O=certgate Test) expired on 2027-01-01T00:00:00Z"),
        "{}",
        r.message
    );
    rejected(
        v.verify(&chain, &VerifyOptions::new(1_767_225_599)),
        Code::CertNotYetValid,
        Some(0),
    );

    let mut config = Config::default();
    config.skew_secs = 30;
    let v = pinning_with(&["pinned-client.pem"], config);
    accepted(v.verify(&chain, &VerifyOptions::new(NOT_AFTER + 10)));
    rejected(
        v.verify(&chain, &VerifyOptions::new(NOT_AFTER + 31)),
        Code::CertExpired,
        Some(0),
    );
}

#[test]
fn a_pinned_certificate_is_still_checked_for_usage() {
    let v = pinning(&["pinned-client.pem", "server-only.pem", "no-eku.pem"]);
    let r = rejected(
        v.verify(
            &certs("pinned-client.pem"),
            &at_fixed_time().usage(Usage::ServerAuth),
        ),
        Code::WrongUsage,
        Some(0),
    );
    assert!(
        r.message.contains("does not include serverAuth"),
        "{}",
        r.message
    );
    rejected(verify(&v, "server-only.pem"), Code::WrongUsage, Some(0));
    accepted(verify(&v, "no-eku.pem"));

    let mut config = Config::default();
    config.require_eku = true;
    let v = pinning_with(&["pinned-client.pem", "no-eku.pem"], config);
    accepted(verify(&v, "pinned-client.pem"));
    rejected(verify(&v, "no-eku.pem"), Code::WrongUsage, Some(0));
}

#[test]
fn a_pinned_certificate_is_still_checked_for_the_peer_name() {
    let v = pinning(&["pinned-client.pem"]);
    let chain = certs("pinned-client.pem");
    accepted(v.verify(&chain, &at_fixed_time().peer_name("pinned.example.org")));
    let r = rejected(
        v.verify(&chain, &at_fixed_time().peer_name("other.example.org")),
        Code::NameMismatch,
        Some(0),
    );
    assert!(
        r.message.contains("it names pinned.example.org"),
        "{}",
        r.message
    );
    rejected(
        v.verify(&chain, &at_fixed_time().peer_name("not a name")),
        Code::InvalidPeerName,
        None,
    );
}

#[test]
fn unusable_pins_are_refused_when_the_verifier_is_built() {
    let r = Verifier::builder().pin(b"no certificate here").unwrap_err();
    assert_eq!(r.code, Code::MalformedPem);
    assert_human(&r);
    let r = Verifier::builder()
        .pin(&[0x30, 0x03, 0x02, 0x01, 0x07])
        .unwrap()
        .build()
        .unwrap_err();
    assert_eq!((r.code, r.cert_index), (Code::InvalidConfig, Some(0)));
    assert_human(&r);
}

#[test]
fn a_pinned_certificate_listed_by_its_issuers_crl_is_refused() {
    // Pinning trusts the certificate, not its revocation status: the operator's own CRL wins.
    let revoked = certs("revoked.pem");
    let v = Verifier::builder()
        .pin(&revoked[0])
        .unwrap()
        .crls(&fixture("intermediate.crl.pem"))
        .unwrap()
        .build()
        .unwrap();
    let rejection = rejected(v.verify(&revoked, &at_fixed_time()), Code::Revoked, Some(0));
    assert!(
        rejection.message.contains("revoked on"),
        "{}",
        rejection.message
    );

    // A CRL of another issuer does not refuse it.
    let v = Verifier::builder()
        .pin(&revoked[0])
        .unwrap()
        .crls(&fixture("root.crl.pem"))
        .unwrap()
        .build()
        .unwrap();
    assert!(accepted(v.verify(&revoked, &at_fixed_time())).is_pinned());
}
