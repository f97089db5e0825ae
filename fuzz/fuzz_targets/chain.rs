//! PEM/DER chain, bundle and CRL input (`parse_chain`, `parse_bundle`, `parse_crls`): never a
//! panic, and the limits always hold.
#![no_main]

use certgate::{parse_bundle, parse_chain, parse_crls, Limits};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let limits = Limits::default();
    if let Ok(chain) = parse_chain(data, &limits) {
        assert!(!chain.is_empty() && chain.len() <= limits.chain_certs);
    }
    // Tight limits, so that the fuzzer reaches the limit paths with small inputs.
    let tight = Limits {
        chain_bytes: 2048,
        chain_certs: 2,
        bundle_bytes: 4096,
        bundle_items: 3,
    };
    match parse_chain(data, &tight) {
        Ok(chain) => {
            assert!(
                data.len() <= tight.chain_bytes,
                "an oversized chain input was accepted"
            );
            assert!(!chain.is_empty() && chain.len() <= tight.chain_certs);
            let decoded: usize = chain.iter().map(|c| c.len()).sum();
            // PEM decodes to less than its text; DER items are slices of the input.
            assert!(decoded <= data.len());
        }
        Err(rejection) => assert!(!rejection.code.as_str().is_empty()),
    }
    if let Ok(bundle) = parse_bundle(data, &tight) {
        assert!(data.len() <= tight.bundle_bytes && bundle.len() <= tight.bundle_items);
    }
    if let Ok(crls) = parse_crls(data, &tight) {
        assert!(data.len() <= tight.bundle_bytes && crls.len() <= tight.bundle_items);
    }
});
