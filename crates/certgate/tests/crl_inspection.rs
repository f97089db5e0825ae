//! The CRL inspection record on the fixture CRLs: issuer, dates, number, entries with their
//! reasons, freshness at the fixed time, and malformed input.

mod common;

use certgate::{parse_crls, Code, CrlInspection, Limits};
use common::*;

fn crl(name: &str) -> Vec<u8> {
    parse_crls(&fixture(name), &Limits::default()).expect("fixture CRL").remove(0).to_vec()
}

#[test]
fn intermediate_crl_lists_the_revoked_leaf() {
    let record = CrlInspection::from_der(&crl("intermediate.crl.pem"), Some(FIXED_TIME)).unwrap();
    assert_eq!(record.version, 2);
    assert_eq!(record.issuer.common_name(), Some("certgate Test Intermediate CA"));
    assert_eq!(record.this_update, "2026-05-01T00:00:00Z");
    assert_eq!(record.next_update.as_deref(), Some("2026-07-01T00:00:00Z"));
    assert_eq!(record.revoked_count, 1);
    assert_eq!(record.revoked.len(), 1);
    assert_eq!(record.revoked[0].reason.as_deref(), Some("keyCompromise"));
    // The entry names the serial of revoked.pem's leaf.
    let leaf = certgate::Inspection::from_der(&certs("revoked.pem")[0], None).unwrap();
    assert_eq!(record.revoked[0].serial, leaf.serial);
    assert!(record.crl_number.is_some());
    let intermediate = certgate::Inspection::from_der(&certs("intermediate-ca.pem")[0], None).unwrap();
    assert_eq!(record.authority_key_id, intermediate.subject_key_id);
    assert!(record.extensions.iter().any(|e| e.name == "cRLNumber"));
    let status = record.status.unwrap();
    assert_eq!(status.state, "current");
    assert!(status.summary.starts_with("current, next update in"), "{}", status.summary);
    assert_eq!(record.sha256.len(), 64);
}

#[test]
fn root_crl_reason_and_expired_crl() {
    let root = CrlInspection::from_der(&crl("root.crl.pem"), None).unwrap();
    assert_eq!(root.revoked[0].reason.as_deref(), Some("cACompromise"));
    assert_eq!(root.status, None);

    let expired = CrlInspection::from_der(&crl("intermediate-expired.crl.pem"), Some(FIXED_TIME)).unwrap();
    let status = expired.status.unwrap();
    assert_eq!(status.state, "expired");
    assert!(status.summary.starts_with("expired"), "{}", status.summary);

    let early = CrlInspection::from_der(&crl("intermediate.crl.pem"), Some(1_700_000_000)).unwrap();
    assert_eq!(early.status.unwrap().state, "not_yet_valid");
}

#[test]
fn delta_crl_decodes_with_its_indicator() {
    let delta = CrlInspection::from_der(&crl("delta.crl.pem"), None).unwrap();
    let indicator = delta.extensions.iter().find(|e| e.name == "deltaCRLIndicator").expect("indicator");
    assert!(indicator.critical);
}

#[test]
fn truncated_and_flipped_crls_are_rejections() {
    let der = crl("intermediate.crl.pem");
    for end in 0..der.len() {
        if let Err(e) = CrlInspection::from_der(&der[..end], None) {
            assert_eq!(e.code, Code::MalformedCrl);
        }
    }
    for i in 0..der.len() {
        let mut bent = der.clone();
        bent[i] ^= 0x41;
        let _ = CrlInspection::from_der(&bent, Some(FIXED_TIME));
    }
    assert_eq!(CrlInspection::from_der(&der[..10], None).unwrap_err().code, Code::MalformedCrl);
}
