//! PKCS#12 reading as the CLI does it: `certgate inspect` reads the structure first
//! (`pkcs12::protection`), then opens the file with the password (`pkcs12::read`, on
//! p12-keystore) and inspects every certificate, and a key store's chain is ordered with
//! `Contents::chain_for`. The CLI's own module is compiled here as it is.
#![no_main]

mod common;

#[allow(dead_code, unused_imports)]
#[path = "../../crates/certgate-cli/src/error.rs"]
mod error;
#[allow(dead_code)]
#[path = "../../crates/certgate-cli/src/pkcs12.rs"]
mod pkcs12;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(info) = pkcs12::protection(data) {
        serde_json::to_string(&info).expect("the protection report serialises");
    }
    // The seeds' password; the empty one is what OpenSSL's `-passout pass:` writes.
    for password in ["changeit", ""] {
        if let Ok(contents) = pkcs12::read(data, password) {
            for cert in &contents.certs {
                let _ = certgate::Inspection::from_der(&cert.der, Some(common::FIXED_TIME));
            }
            for key in &contents.keys {
                let chain = contents.chain_for(key);
                assert_eq!(
                    chain.len(),
                    contents.certs.len(),
                    "chain_for loses or repeats a certificate"
                );
            }
            break;
        }
    }
});
