//! Revocation by CRL: whole chain or leaf only, unknown status allowed or denied, CRL expiry
//! enforced or ignored, and CRLs that cannot be used.

mod common;

use certgate::{Code, Config, Verifier};
use common::*;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::CertificateRevocationListDer;

/// A verifier trusting root-ca with the given CRL fixtures and revocation settings.
fn with_crls(crls: &[&str], leaf_only: bool, deny_unknown: bool, enforce_expiry: bool) -> Verifier {
    let mut config = Config::default();
    config.revocation.leaf_only = leaf_only;
    config.revocation.deny_unknown = deny_unknown;
    config.revocation.enforce_expiry = enforce_expiry;
    Verifier::builder()
        .config(config)
        .trust(&fixture("root-ca.pem"))
        .expect("root fixture loads")
        .crls(&bundle(crls))
        .expect("CRL fixtures load")
        .build()
        .expect("verifier builds")
}

fn crl_build_error(input: &[u8]) -> certgate::Rejection {
    match Verifier::builder()
        .trust(&fixture("root-ca.pem"))
        .expect("root fixture loads")
        .crls(input)
    {
        Err(r) => r,
        Ok(builder) => builder.build().expect_err("the CRL must be refused"),
    }
}

#[test]
fn revocation_defaults_check_the_whole_chain_allow_unknown_and_enforce_expiry() {
    let config = Config::default();
    assert!(!config.revocation.leaf_only);
    assert!(!config.revocation.deny_unknown);
    assert!(config.revocation.enforce_expiry);
}

#[test]
fn a_revoked_leaf_is_rejected_with_serial_date_and_reason() {
    let v = with_crls(
        &["intermediate.crl.pem", "root.crl.pem"],
        false,
        false,
        true,
    );
    let r = rejected(verify(&v, "revoked.pem"), Code::Revoked, Some(0));
    let serial = certgate::Inspection::from_der(&cert("revoked.pem"), None)
        .unwrap()
        .serial;
    assert!(
        r.message
            .starts_with("the leaf certificate (CN=revoked,O=certgate Test)"),
        "{}",
        r.message
    );
    assert!(
        r.message.contains(&format!(
            "(serial {serial}) was revoked on 2026-04-15T00:00:00Z"
        )),
        "{}",
        r.message
    );
    assert!(
        r.message.contains("reason: keyCompromise"),
        "RFC 5280 reason name: {}",
        r.message
    );
    // Leaf-only checking sees it too.
    let v = with_crls(&["intermediate.crl.pem"], true, false, true);
    rejected(verify(&v, "revoked.pem"), Code::Revoked, Some(0));
}

#[test]
fn unrevoked_certificates_pass_with_crls_for_every_issuer() {
    let v = with_crls(&["intermediate.crl.pem", "root.crl.pem"], false, true, true);
    accepted(verify(&v, "alice.pem"));
    accepted(verify(&v, "no-eku.pem"));
}

#[test]
fn a_revoked_intermediate_is_caught_when_checking_the_whole_chain_only() {
    let whole = with_crls(&["root.crl.pem"], false, false, true);
    let r = rejected(
        verify(&whole, "revoked-intermediate.pem"),
        Code::Revoked,
        Some(1),
    );
    assert!(
        r.message
            .contains("certificate 1 of the chain (CN=certgate Revoked Intermediate CA"),
        "{}",
        r.message
    );
    assert!(r.message.contains("reason: cACompromise"), "{}", r.message);

    let leaf_only = with_crls(&["root.crl.pem"], true, false, true);
    accepted(verify(&leaf_only, "revoked-intermediate.pem"));
}

#[test]
fn a_serial_revoked_by_another_issuer_is_not_blamed() {
    // grace (index 0) has the serial intermediate.crl.pem revokes for intermediate-ca's leaf;
    // her own issuer (index 1) is the certificate root.crl.pem revokes.
    let grace = certgate::Inspection::from_der(&cert("revoked-intermediate.pem"), None).unwrap();
    let revoked = certgate::Inspection::from_der(&cert("revoked.pem"), None).unwrap();
    assert_eq!(grace.serial, revoked.serial);
    assert_ne!(grace.issuer, revoked.issuer);

    let both = with_crls(
        &["intermediate.crl.pem", "root.crl.pem"],
        false,
        false,
        true,
    );
    let r = rejected(
        verify(&both, "revoked-intermediate.pem"),
        Code::Revoked,
        Some(1),
    );
    assert!(
        r.message.contains("CN=certgate Revoked Intermediate CA"),
        "{}",
        r.message
    );
    // Checking the leaf only, grace is not revoked: her issuer publishes no CRL here.
    let leaf_only = with_crls(&["intermediate.crl.pem", "root.crl.pem"], true, false, true);
    accepted(verify(&leaf_only, "revoked-intermediate.pem"));
}

#[test]
fn unknown_status_is_allowed_by_default_and_denied_on_request() {
    // Only the intermediate publishes a CRL: the intermediate's own status (from the root) is unknown.
    accepted(verify(
        &with_crls(&["intermediate.crl.pem"], false, false, true),
        "alice.pem",
    ));
    let r = rejected(
        verify(
            &with_crls(&["intermediate.crl.pem"], false, true, true),
            "alice.pem",
        ),
        Code::RevocationStatusUnknown,
        None,
    );
    assert!(
        r.message.contains("no configured CRL covers"),
        "{}",
        r.message
    );
    // Checking the leaf only, the intermediate's CRL is enough.
    accepted(verify(
        &with_crls(&["intermediate.crl.pem"], true, true, true),
        "alice.pem",
    ));
    // And with only the root's CRL, the leaf's status is unknown.
    rejected(
        verify(&with_crls(&["root.crl.pem"], true, true, true), "alice.pem"),
        Code::RevocationStatusUnknown,
        None,
    );
    accepted(verify(
        &with_crls(&["root.crl.pem"], true, false, true),
        "alice.pem",
    ));
}

#[test]
fn an_expired_crl_is_rejected_unless_expiry_is_ignored() {
    let r = rejected(
        verify(
            &with_crls(&["intermediate-expired.crl.pem"], true, false, true),
            "alice.pem",
        ),
        Code::CrlExpired,
        None,
    );
    assert!(
        r.message
            .contains("expired at 2026-04-01T00:00:00Z (57 days before the check time)"),
        "{}",
        r.message
    );
    assert!(r.message.contains("fetch a fresh CRL"), "{}", r.message);
    accepted(verify(
        &with_crls(&["intermediate-expired.crl.pem"], true, false, false),
        "alice.pem",
    ));
}

#[test]
fn a_crl_with_a_bad_signature_is_rejected() {
    let v = with_crls(&["intermediate-bad-signature.crl.pem"], true, false, true);
    rejected(verify(&v, "alice.pem"), Code::CrlBadSignature, None);
}

#[test]
fn a_crl_from_a_ca_without_crl_sign_is_rejected() {
    let v = with_crls(&["no-crl-sign.crl.pem"], true, false, true);
    let r = rejected(
        verify(&v, "no-crl-sign.pem"),
        Code::CrlIssuerNotCrlSigner,
        None,
    );
    assert!(r.message.contains("cRLSign"), "{}", r.message);
}

#[test]
fn a_delta_crl_is_unsupported_at_load_time() {
    let r = crl_build_error(&fixture("delta.crl.pem"));
    assert_eq!((r.code, r.cert_index), (Code::UnsupportedCrl, Some(0)));
    assert!(
        r.message.contains("delta CRLs are not supported"),
        "{}",
        r.message
    );
    assert_human(&r);
    // Its position among several CRLs is reported.
    let r = crl_build_error(&bundle(&["root.crl.pem", "delta.crl.pem"]));
    assert_eq!((r.code, r.cert_index), (Code::UnsupportedCrl, Some(1)));
}

#[test]
fn malformed_crls_are_rejected_at_load_time() {
    let der = CertificateRevocationListDer::from_pem_slice(&fixture("intermediate.crl.pem"))
        .unwrap()
        .to_vec();
    // Truncated: the DER framing is broken.
    let r = crl_build_error(&der[..der.len() / 2]);
    assert_eq!((r.code, r.cert_index), (Code::MalformedCrl, Some(0)));
    assert_human(&r);
    // Framed correctly but not a CRL inside.
    let r = crl_build_error(&[0x30, 0x03, 0x02, 0x01, 0x01]);
    assert_eq!((r.code, r.cert_index), (Code::MalformedCrl, Some(0)));
    assert_human(&r);
    // Text that is not PEM.
    let r = crl_build_error(b"this is not a CRL");
    assert_eq!(r.code, Code::MalformedPem);
    assert_human(&r);
    // PEM holding certificates, not CRLs.
    let r = crl_build_error(&fixture("root-ca.pem"));
    assert_eq!(r.code, Code::MalformedPem);
    assert!(r.message.contains("no CRL block"), "{}", r.message);
}

#[test]
fn der_and_pem_crls_are_equivalent() {
    let der = CertificateRevocationListDer::from_pem_slice(&fixture("intermediate.crl.pem"))
        .unwrap()
        .to_vec();
    let v = Verifier::builder()
        .trust(&fixture("root-ca.pem"))
        .expect("root fixture loads")
        .crls(&der)
        .unwrap()
        .build()
        .unwrap();
    rejected(verify(&v, "revoked.pem"), Code::Revoked, Some(0));
}

#[test]
fn without_crls_revocation_is_not_checked() {
    accepted(verify(&verifier(&["root-ca.pem"]), "revoked.pem"));
}
