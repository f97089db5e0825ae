//! Validity periods: expiry, not-yet-valid, inverted windows, the exact boundaries, and the
//! clock-skew tolerance in both directions.

mod common;

use certgate::{Code, Config, VerifyOptions};
use common::*;

/// alice's window: 2026-01-01T00:00:00Z ..= 2027-01-01T00:00:00Z.
const ALICE_NOT_BEFORE: u64 = 1_767_225_600;
const ALICE_NOT_AFTER: u64 = 1_798_761_600;
/// expired.pem's notAfter, 2026-01-02T00:00:00Z.
const EXPIRED_NOT_AFTER: u64 = 1_767_312_000;
/// not-yet-valid.pem's notBefore, 2026-06-01T00:00:00Z.
const FUTURE_NOT_BEFORE: u64 = 1_780_272_000;
/// expired-intermediate.pem's CA notAfter, 2026-03-01T00:00:00Z.
const INTERMEDIATE_NOT_AFTER: u64 = 1_772_323_200;

fn with_skew(secs: u64) -> Config {
    let mut config = Config::default();
    config.skew_secs = secs;
    config
}

fn at(
    v: &certgate::Verifier,
    name: &str,
    time: u64,
) -> Result<certgate::Verified, certgate::Rejection> {
    v.verify(&certs(name), &VerifyOptions::new(time))
}

#[test]
fn an_expired_leaf_says_when_it_expired_and_what_to_do() {
    let r = rejected(
        verify(&verifier(&["root-ca.pem"]), "expired.pem"),
        Code::CertExpired,
        Some(0),
    );
    assert_eq!(
        r.message,
        "the leaf certificate (CN=expired,O=certgate Test) expired on 2026-01-02T00:00:00Z, 146 days before \
         the check time 2026-05-28T20:26:40Z; issue a new certificate"
    );
}

#[test]
fn a_leaf_that_is_not_yet_valid_says_when_it_starts() {
    let r = rejected(
        verify(&verifier(&["root-ca.pem"]), "not-yet-valid.pem"),
        Code::CertNotYetValid,
        Some(0),
    );
    assert!(r.message.contains("not valid until 2026-06-01T00:00:00Z, 3 days after the check time 2026-05-28T20:26:40Z"), "{}", r.message);
    assert!(
        r.message.contains("check the clocks"),
        "says what to do: {}",
        r.message
    );
}

#[test]
fn an_expired_intermediate_is_blamed_by_index() {
    let r = rejected(
        verify(&verifier(&["root-ca.pem"]), "expired-intermediate.pem"),
        Code::CertExpired,
        Some(1),
    );
    assert!(
        r.message
            .starts_with("certificate 1 of the chain (CN=certgate Expired Intermediate CA"),
        "{}",
        r.message
    );
    assert!(r.message.contains("2026-03-01T00:00:00Z"), "{}", r.message);
}

#[test]
fn an_inverted_validity_window_is_invalid_at_any_time() {
    let v = verifier(&["root-ca.pem"]);
    for time in [FIXED_TIME, ALICE_NOT_BEFORE, FUTURE_NOT_BEFORE + 86_400] {
        rejected(
            at(&v, "invalid-validity.pem", time),
            Code::InvalidValidity,
            None,
        );
    }
}

#[test]
fn the_window_is_inclusive_at_both_ends() {
    let v = verifier(&["root-ca.pem"]);
    accepted(at(&v, "alice.pem", ALICE_NOT_BEFORE));
    accepted(at(&v, "alice.pem", ALICE_NOT_AFTER));
    rejected(
        at(&v, "alice.pem", ALICE_NOT_BEFORE - 1),
        Code::CertNotYetValid,
        Some(0),
    );
    let r = rejected(
        at(&v, "alice.pem", ALICE_NOT_AFTER + 1),
        Code::CertExpired,
        Some(0),
    );
    assert!(r.message.contains("1 second before"), "{}", r.message);
}

#[test]
fn skew_tolerates_a_slightly_expired_certificate() {
    let v = verifier_with(&["root-ca.pem"], with_skew(120));
    let verified = accepted(at(&v, "expired.pem", EXPIRED_NOT_AFTER + 60));
    assert_eq!(
        verified.time(),
        EXPIRED_NOT_AFTER + 60,
        "the caller's time is reported, not the shifted one"
    );
    accepted(at(&v, "expired.pem", EXPIRED_NOT_AFTER + 120));
    let r = rejected(
        at(&v, "expired.pem", EXPIRED_NOT_AFTER + 121),
        Code::CertExpired,
        Some(0),
    );
    assert!(
        r.message.contains("beyond the 120 s clock-skew tolerance"),
        "{}",
        r.message
    );
}

#[test]
fn skew_tolerates_a_certificate_that_starts_slightly_later() {
    let v = verifier_with(&["root-ca.pem"], with_skew(120));
    accepted(at(&v, "not-yet-valid.pem", FUTURE_NOT_BEFORE - 60));
    accepted(at(&v, "not-yet-valid.pem", FUTURE_NOT_BEFORE - 120));
    let r = rejected(
        at(&v, "not-yet-valid.pem", FUTURE_NOT_BEFORE - 121),
        Code::CertNotYetValid,
        Some(0),
    );
    assert!(
        r.message.contains("beyond the 120 s clock-skew tolerance"),
        "{}",
        r.message
    );
}

#[test]
fn without_skew_one_second_either_side_is_rejected() {
    let v = verifier(&["root-ca.pem"]);
    let r = rejected(
        at(&v, "expired.pem", EXPIRED_NOT_AFTER + 1),
        Code::CertExpired,
        Some(0),
    );
    assert!(
        !r.message.contains("tolerance"),
        "no skew configured: {}",
        r.message
    );
    rejected(
        at(&v, "not-yet-valid.pem", FUTURE_NOT_BEFORE - 1),
        Code::CertNotYetValid,
        Some(0),
    );
}

#[test]
fn skew_applies_to_intermediates_too() {
    let v = verifier_with(&["root-ca.pem"], with_skew(300));
    accepted(at(
        &v,
        "expired-intermediate.pem",
        INTERMEDIATE_NOT_AFTER + 299,
    ));
    rejected(
        at(&v, "expired-intermediate.pem", INTERMEDIATE_NOT_AFTER + 301),
        Code::CertExpired,
        Some(1),
    );
}

#[test]
fn a_large_skew_reaches_the_fixed_time() {
    // not-yet-valid.pem starts 3.15 days after FIXED_TIME; four days of skew cover it.
    let v = verifier_with(&["root-ca.pem"], with_skew(4 * 86_400));
    accepted(verify(&v, "not-yet-valid.pem"));
    let v = verifier_with(&["root-ca.pem"], with_skew(3 * 86_400));
    rejected(
        verify(&v, "not-yet-valid.pem"),
        Code::CertNotYetValid,
        Some(0),
    );
}

#[test]
fn skew_never_rescues_other_failures() {
    let v = verifier_with(&["root-ca.pem"], with_skew(120));
    // Within the skew but badly signed, or for the wrong purpose: still rejected.
    rejected(
        at(&v, "alice-bad-signature.pem", ALICE_NOT_AFTER + 60),
        Code::BadSignature,
        None,
    );
    rejected(
        at(&v, "server-only.pem", ALICE_NOT_AFTER + 60),
        Code::WrongUsage,
        Some(0),
    );
    rejected(
        at(&v, "rogue-leaf.pem", ALICE_NOT_AFTER + 60),
        Code::UnknownIssuer,
        None,
    );
}

#[test]
fn extreme_check_times_are_rejections_not_panics() {
    let v = verifier_with(&["root-ca.pem"], with_skew(u64::MAX / 2));
    let strict = verifier(&["root-ca.pem"]);
    for time in [0, 1, u64::MAX / 2, u64::MAX - 1, u64::MAX] {
        let result = strict.verify(&certs("alice.pem"), &VerifyOptions::new(time));
        let expected = if time < ALICE_NOT_BEFORE {
            Code::CertNotYetValid
        } else {
            Code::CertExpired
        };
        let r = rejected(result, expected, Some(0));
        assert!(r.message.contains("Z"), "an RFC 3339 time: {}", r.message);
        // An absurd skew is the caller's choice; it must still not overflow.
        if let Err(r) = v.verify(&certs("alice.pem"), &VerifyOptions::new(time)) {
            assert_human(&r);
        }
    }
}
