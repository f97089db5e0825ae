//! The CSR inspection record (`CsrInspection::from_der`, self-signature checked with webpki's
//! algorithms) of arbitrary bytes.
#![no_main]

use certgate::CsrInspection;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(csr) = CsrInspection::from_der(data, certgate::webpki::ALL_VERIFICATION_ALGS) {
        serde_json::to_string(&csr).expect("a CSR record serialises");
    }
});
