//! PKCS#12 reading as every surface does it, through certgate-pkcs12 (the one reader of the
//! CLI, certgate-rustls and the inspector's wasm build): `protection` (as `certgate inspect`
//! reads the structure first), `read` with the password (its `check_work` bounds the
//! key-derivation work first), `Inspection` of every certificate, and `Contents::chain_for`
//! of every key (the order a key store's chain is written and presented in).
#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(info) = certgate_pkcs12::protection(data) {
        serde_json::to_string(&info).expect("the protection report serialises");
    }
    // The seeds' password; the empty one is what OpenSSL's `-passout pass:` writes.
    for password in ["changeit", ""] {
        match certgate_pkcs12::read(data, password) {
            Ok(contents) => {
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
            Err(e) => assert!(
                e.to_string().starts_with(e.code.as_str()),
                "the message starts with the stable code: {e}"
            ),
        }
    }
});
