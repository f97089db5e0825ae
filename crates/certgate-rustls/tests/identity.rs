//! Client identities from PKCS#12 files: read by certgate-pkcs12 as the CLI and the inspector
//! read them, so a file that cannot be used says why with the same stable code.
#![cfg(feature = "pkcs12")]

mod common;

use certgate::Code;
use certgate_rustls::ClientIdentity;
use common::{Ca, Identity, Window};
use p12_keystore::{
    Certificate, EncryptionAlgorithm, KeyStore, KeyStoreEntry, LocalKeyId, MacAlgorithm,
    PrivateKey, PrivateKeyChain,
};

const NOW: u64 = 1_780_000_000;
const PASSWORD: &str = "changeit";

/// The MAC's 32,768 iterations, the DER INTEGER `02 03 00 80 00` (the only three-byte count in
/// the file: everything else uses 2,048), rewritten by the tests.
const MAC_COUNT: [u8; 5] = [0x02, 0x03, 0x00, 0x80, 0x00];

/// alice, issued by an intermediate, and a key store of her key with `chain` in that order.
fn alice() -> (Identity, Vec<u8>, Vec<u8>) {
    let mut root = Ca::root("p12 root", Window::around(NOW, 365, 3650));
    let mut intermediate = root.intermediate("p12 intermediate", Window::around(NOW, 365, 3650));
    let alice = intermediate.client("alice", Window::around(NOW, 30, 365));
    (alice, intermediate.cert.to_vec(), root.cert.to_vec())
}

fn key_store(identity: &Identity, chain: &[&[u8]]) -> Vec<u8> {
    let rustls::pki_types::PrivateKeyDer::Pkcs8(key) = identity.key() else {
        unreachable!("the test PKI writes PKCS#8 keys");
    };
    let mut store = KeyStore::new();
    store.add_entry(
        "alice",
        KeyStoreEntry::PrivateKeyChain(PrivateKeyChain::new(
            LocalKeyId::from(vec![1]),
            PrivateKey::from_der(key.secret_pkcs8_der()).expect("key"),
            chain
                .iter()
                .map(|der| Certificate::from_der(der).expect("certificate"))
                .collect::<Vec<_>>(),
        )),
    );
    store
        .writer(PASSWORD)
        .encryption_algorithm(EncryptionAlgorithm::PbeWithHmacSha256AndAes256)
        .encryption_iterations(2048)
        .mac_algorithm(MacAlgorithm::HmacSha256)
        .mac_iterations(32_768)
        .write()
        .expect("write the key store")
}

#[test]
fn a_pkcs12_identity_is_the_key_then_its_chain_in_issuer_order() {
    let (alice, intermediate, root) = alice();
    // Written leaf, root, intermediate: presented leaf, intermediate, root.
    let file = key_store(&alice, &[&alice.chain[0], &root, &intermediate]);
    let identity = ClientIdentity::from_pkcs12(&file, PASSWORD).expect("identity");
    let chain: Vec<&[u8]> = identity.chain().iter().map(|c| c.as_ref()).collect();
    assert_eq!(chain, [alice.chain[0].as_ref(), &intermediate, &root]);
}

#[test]
fn an_unusable_pkcs12_file_is_invalid_config_with_the_readers_stable_code() {
    let (alice, intermediate, _) = alice();
    let file = key_store(&alice, &[&alice.chain[0], &intermediate]);
    let at = file
        .windows(MAC_COUNT.len())
        .rposition(|w| w == MAC_COUNT)
        .expect("the MAC's count");
    // 8,388,607 MAC iterations: p12-keystore alone said "Invalid parameters".
    let mut hostile = file.clone();
    hostile[at + 2..at + 5].copy_from_slice(&[0x7F, 0xFF, 0xFF]);
    for (input, password, start) in [
        (
            &file,
            "not the password",
            "PKCS12_WRONG_PASSWORD: wrong password: the PKCS#12 integrity check (MAC) fails",
        ),
        (
            &hostile,
            PASSWORD,
            "UNSUPPORTED_PKCS12: the MAC asks for 8388607 key-derivation iterations; certgate \
             accepts 1 to 1000000",
        ),
        (
            &file[..file.len() / 2].to_vec(),
            PASSWORD,
            "MALFORMED_PKCS12: not a PKCS#12 file (or a damaged one)",
        ),
    ] {
        let rejection = ClientIdentity::from_pkcs12(input, password).expect_err("refused");
        assert_eq!(rejection.code, Code::InvalidConfig);
        assert!(
            rejection.message.starts_with(start),
            "`{start}` expected: {}",
            rejection.message
        );
        // The same message the CLI prints after its file name.
        assert_eq!(
            rejection.message,
            certgate_pkcs12::read(input, password)
                .expect_err("refused")
                .to_string()
        );
    }
}
