//! CRL input: parsing (`parse_crls`), the CRL inspection record, and a verifier built with the
//! CRLs (`VerifierBuilder::crls`) then used. An arbitrary CRL may reject a good chain; it must
//! never make a bad chain (another root's, an expired one) acceptable.
#![no_main]

mod common;

use certgate::{parse_crls, CrlInspection, Limits, Verifier, VerifyOptions};
use common::*;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for time in [None, Some(FIXED_TIME), Some(trailing_time(data))] {
        if let Ok(crl) = CrlInspection::from_der(data, time) {
            serde_json::to_string(&crl).expect("a CRL record serialises");
        }
    }
    if let Ok(crls) = parse_crls(data, &Limits::default()) {
        for crl in &crls {
            let _ = CrlInspection::from_der(crl, Some(FIXED_TIME));
        }
    }
    let built = Verifier::builder()
        .trust(ROOT_CA)
        .and_then(|b| b.crls(data))
        .and_then(|b| b.build());
    if let Ok(verifier) = built {
        let at = VerifyOptions::new(FIXED_TIME);
        let _ = verifier.verify_pem(ALICE, &at);
        let _ = verifier.verify_pem(REVOKED, &at);
        assert!(
            verifier.verify_pem(ROGUE_LEAF, &at).is_err(),
            "another root's leaf accepted"
        );
        assert!(
            verifier.verify_pem(EXPIRED, &at).is_err(),
            "an expired leaf accepted"
        );
    }
});
