//! Opening files with their password: the key and its chain in order, the protection report,
//! and the stable codes of a wrong password and of damaged files.

#[path = "common/stores.rs"]
mod common;

use certgate_pkcs12::{protection, read, Code};
use common::{Pki, PASSWORD};

#[test]
fn the_key_comes_out_with_its_chain_in_order() {
    let pki = Pki::new();
    // Written leaf, root, intermediate (the leaf carries the key's local key id): the chain
    // comes out leaf, then its issuers.
    let file = pki.key_store(&[&pki.leaf, &pki.root, &pki.intermediate], 1, 0, 2048);
    let contents = read(&file, PASSWORD).expect("opens");
    assert_eq!(contents.keys.len(), 1);
    assert_eq!(contents.keys[0].pkcs8, pki.key);
    assert_eq!(
        contents.certs[1].der, pki.root,
        "file order kept in `certs`"
    );
    assert_eq!(
        contents.chain_for(&contents.keys[0]),
        vec![pki.leaf.clone(), pki.intermediate.clone(), pki.root.clone()]
    );
    // The key is never printed.
    let debug = format!("{:?}", contents.keys[0]);
    assert!(!debug.contains("pkcs8"), "{debug}");
}

#[test]
fn protection_is_read_without_the_password() {
    let pki = Pki::new();
    let file = pki.key_store(&[&pki.leaf], 1, 0, 2048);
    let info = protection(&file).expect("protection");
    assert_eq!(info.mac.as_deref(), Some("HMAC-SHA256 (2048 iterations)"));
    assert_eq!(
        info.keys,
        ["PBES2 (PBKDF2-HMAC-SHA256, 2048 iterations, AES-256-CBC)"]
    );
    assert_eq!(
        info.certificates,
        ["PBES2 (PBKDF2-HMAC-SHA256, 2048 iterations, AES-256-CBC)"]
    );
}

#[test]
fn a_wrong_password_is_pkcs12_wrong_password() {
    let pki = Pki::new();
    let file = pki.key_store(&[&pki.leaf], 1, 0, 2048);
    let error = read(&file, "not the password").expect_err("wrong password");
    assert_eq!(error.code, Code::WrongPassword);
    assert_eq!(
        error.to_string(),
        "PKCS12_WRONG_PASSWORD: wrong password: the PKCS#12 integrity check (MAC) fails with \
         the password given"
    );
}

#[test]
fn truncated_and_foreign_input_is_malformed_pkcs12() {
    let pki = Pki::new();
    let file = pki.key_store(&[&pki.leaf], 1, 0, 2048);
    let mut inputs: Vec<Vec<u8>> = vec![Vec::new(), b"not DER at all".to_vec(), pki.leaf.clone()];
    // Every prefix of the file that cuts a structure: none panics, each is malformed.
    inputs.extend((1..file.len()).step_by(97).map(|n| file[..n].to_vec()));
    for input in &inputs {
        for error in [
            read(input, PASSWORD).expect_err("refused"),
            protection(input).expect_err("refused"),
        ] {
            assert_eq!(
                error.code,
                Code::Malformed,
                "{} bytes: {error}",
                input.len()
            );
            assert!(
                error
                    .to_string()
                    .starts_with("MALFORMED_PKCS12: not a PKCS#12 file (or a damaged one)"),
                "{error}"
            );
        }
    }
}
