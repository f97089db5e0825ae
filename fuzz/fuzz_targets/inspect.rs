//! The inspection record of an arbitrary certificate (`Inspection::from_der`, what the CLI's
//! `inspect`, the server's /whoami and the inspector page show), at a time the input chooses,
//! and the policy identity decoded from the same bytes by its own decoder: where both decode,
//! they must read the same subject, issuer and SANs (a policy decides on what inspect shows).
#![no_main]

mod common;

use certgate::{Identity, Inspection};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut inspected = None;
    for time in [
        None,
        Some(common::FIXED_TIME),
        Some(common::trailing_time(data)),
    ] {
        if let Ok(inspection) = Inspection::from_der(data, time) {
            serde_json::to_string(&inspection).expect("an inspection record serialises");
            assert_eq!(inspection.status.is_some(), time.is_some());
            inspected = Some(inspection);
        }
    }
    if let (Some(inspection), Ok(identity)) = (inspected, Identity::from_der(data)) {
        assert_eq!(
            identity.subject(),
            &inspection.subject,
            "subject read differently"
        );
        assert_eq!(
            identity.issuer(),
            Some(&inspection.issuer),
            "issuer read differently"
        );
        assert_eq!(
            identity.subject_alt_names(),
            Some(&inspection.subject_alt_names),
            "SANs read differently"
        );
    }
});
