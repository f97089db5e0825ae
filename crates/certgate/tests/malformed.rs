//! Hostile and broken input: empty, truncated, garbage, oversized, too many certificates, a
//! chain loop, every single-bit corruption of a leaf. Each yields one clear rejection with a
//! stable code, never a panic, a hang or an acceptance.

mod common;

use std::time::{Duration, Instant};

use certgate::{
    parse_bundle, parse_chain, parse_crls, CertificateDer, Code, Config, Limits, Verifier,
};
use common::*;

fn v() -> Verifier {
    verifier(&["root-ca.pem"])
}

fn pem_error(input: &[u8]) -> certgate::Rejection {
    v().verify_pem(input, &at_fixed_time())
        .expect_err("malformed input must be rejected")
}

#[test]
fn no_certificate_at_all() {
    rejected(v().verify(&[], &at_fixed_time()), Code::NoCertificate, None);
    for blank in [&b""[..], b"   ", b"\r\n\t\n"] {
        rejected(
            v().verify_pem(blank, &at_fixed_time()),
            Code::NoCertificate,
            None,
        );
    }
}

#[test]
fn text_that_is_not_pem_is_malformed_pem() {
    let r = pem_error(b"hello, I am definitely a certificate");
    assert_eq!((r.code, r.cert_index), (Code::MalformedPem, None));
    assert!(
        r.message.contains("neither PEM text nor DER"),
        "{}",
        r.message
    );
    assert_human(&r);
}

#[test]
fn broken_pem_blocks_are_malformed_pem() {
    let bad_base64 = b"-----BEGIN CERTIFICATE-----\nMIIB!!!not*base64\n-----END CERTIFICATE-----\n";
    let r = pem_error(bad_base64);
    assert_eq!((r.code, r.cert_index), (Code::MalformedPem, Some(0)));
    assert!(r.message.contains("base64"), "{}", r.message);
    assert_human(&r);

    let alice = String::from_utf8(fixture("alice.pem")).unwrap();
    let unterminated = alice.replacen("-----END CERTIFICATE-----", "", 2);
    let r = pem_error(unterminated.as_bytes());
    assert_eq!(r.code, Code::MalformedPem);
    assert!(r.message.contains("no matching END line"), "{}", r.message);
    assert_human(&r);

    // Only a key block: PEM, but no certificate in it.
    let key_only = b"-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n-----END PRIVATE KEY-----\n";
    let r = pem_error(key_only);
    assert_eq!(r.code, Code::MalformedPem);
    assert!(r.message.contains("no certificate block"), "{}", r.message);
    assert_human(&r);
}

#[test]
fn pem_with_comments_crlf_and_other_blocks_is_tolerated() {
    let alice = String::from_utf8(fixture("alice.pem")).unwrap();
    let key = "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIA==\n-----END EC PRIVATE KEY-----\n";
    let decorated = format!(
        "Subject: alice\r\nissued for the tests\r\n\r\n{}\r\n{key}",
        alice.replace('\n', "\r\n")
    );
    let verified = accepted(v().verify_pem(decorated.as_bytes(), &at_fixed_time()));
    assert_eq!(verified.path()[..2], certs("alice.pem")[..]);
}

#[test]
fn every_truncation_of_a_certificate_is_rejected() {
    let alice = cert("alice.pem").to_vec();
    let verifier = v();
    for len in 1..alice.len() {
        let r = verifier
            .verify_pem(&alice[..len], &at_fixed_time())
            .expect_err("a truncated certificate verifies");
        assert_eq!(
            (r.code, r.cert_index),
            (Code::MalformedCertificate, Some(0)),
            "truncated to {len}: {}",
            r.message
        );
        assert_human(&r);
    }
    // Cut inside the second certificate of a DER chain: the index says which.
    let chain: Vec<u8> = certs("alice.pem").iter().flat_map(|c| c.to_vec()).collect();
    let r = pem_error(&chain[..alice.len() + 20]);
    assert_eq!(
        (r.code, r.cert_index),
        (Code::MalformedCertificate, Some(1))
    );
}

#[test]
fn well_framed_garbage_is_a_malformed_certificate() {
    let garbage = [0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x02];
    rejected(
        v().verify(&[CertificateDer::from(&garbage[..])], &at_fixed_time()),
        Code::MalformedCertificate,
        Some(0),
    );
    rejected(
        v().verify_pem(&garbage, &at_fixed_time()),
        Code::MalformedCertificate,
        Some(0),
    );
    // Trailing bytes after a certificate inside the DER element.
    let mut alice = cert("alice.pem").to_vec();
    alice.push(0);
    let r = v()
        .verify(&[CertificateDer::from(alice)], &at_fixed_time())
        .unwrap_err();
    assert_eq!(
        (r.code, r.cert_index),
        (Code::MalformedCertificate, Some(0))
    );
    assert_human(&r);
}

#[test]
fn no_single_bit_flip_of_a_leaf_is_accepted() {
    let chain = certs("alice.pem");
    let verifier = v();
    accepted(verifier.verify(&chain, &at_fixed_time()));
    for byte in 0..chain[0].len() {
        for bit in [0x01, 0x80] {
            let mut leaf = chain[0].to_vec();
            leaf[byte] ^= bit;
            let altered = [CertificateDer::from(leaf), chain[1].clone()];
            match verifier.verify(&altered, &at_fixed_time()) {
                Ok(_) => panic!("flipping bit {bit:#04x} of byte {byte} still verifies"),
                Err(r) => assert_human(&r),
            }
        }
    }
}

#[test]
fn a_ten_megabyte_blob_is_too_large() {
    let blob = vec![b'A'; 10 * 1024 * 1024];
    let r = pem_error(&blob);
    assert_eq!((r.code, r.cert_index), (Code::InputTooLarge, None));
    assert!(
        r.message
            .contains("10485760 bytes; the limit is 1048576 bytes"),
        "{}",
        r.message
    );
    assert_human(&r);

    let der_blob = [
        &[0x30, 0x84, 0x00, 0xa0, 0x00, 0x00][..],
        &vec![0u8; 10 * 1024 * 1024],
    ]
    .concat();
    assert_eq!(pem_error(&der_blob).code, Code::InputTooLarge);

    // Already split into DER certificates, the total size is limited too.
    let huge = CertificateDer::from(vec![0u8; 2 * 1024 * 1024]);
    rejected(
        v().verify(&[huge], &at_fixed_time()),
        Code::InputTooLarge,
        None,
    );

    // Trust material has its own, larger limit.
    let r = Verifier::builder()
        .trust(&vec![b'A'; 17 * 1024 * 1024])
        .unwrap_err();
    assert_eq!(r.code, Code::InputTooLarge);
}

#[test]
fn a_flood_of_other_pem_blocks_counts_against_the_limit() {
    let junk = "-----BEGIN JUNK-----\nAAAA\n-----END JUNK-----\n".repeat(1000);
    let flood = [fixture("alice.pem"), junk.into_bytes()].concat();
    let r = pem_error(&flood);
    assert_eq!((r.code, r.cert_index), (Code::TooManyCertificates, None));
    assert_human(&r);
}

#[test]
fn a_thousand_certificate_bundle_is_too_many_for_a_chain() {
    let alice = fixture("alice.pem");
    let pem: Vec<u8> = std::iter::repeat_n(&alice, 500)
        .flatten()
        .copied()
        .collect();
    assert_eq!(pem.len() / alice.len(), 500, "1,000 PEM blocks");
    let started = Instant::now();
    let r = pem_error(&pem);
    assert_eq!((r.code, r.cert_index), (Code::TooManyCertificates, None));
    assert!(r.message.contains("the limit is 32"), "{}", r.message);
    assert_human(&r);

    let der: Vec<u8> = std::iter::repeat_n(cert("alice.pem").to_vec(), 1000)
        .flatten()
        .collect();
    assert_eq!(pem_error(&der).code, Code::TooManyCertificates);

    let chain = vec![cert("alice.pem"); 1000];
    rejected(
        v().verify(&chain, &at_fixed_time()),
        Code::TooManyCertificates,
        None,
    );
    assert!(started.elapsed() < Duration::from_secs(10));

    // As a trust store, 1,000 certificates are within the 4,096-item limit.
    let store: Vec<u8> = std::iter::repeat_n(fixture("root-ca.pem"), 1000)
        .flatten()
        .collect();
    let v = Verifier::builder().trust(&store).unwrap().build().unwrap();
    assert_eq!(v.anchors().len(), 1000);
    accepted(verify(&v, "alice.pem"));
}

#[test]
fn limits_are_configurable() {
    let mut limits = Limits::default();
    assert_eq!(
        (
            limits.chain_bytes,
            limits.chain_certs,
            limits.bundle_bytes,
            limits.bundle_items
        ),
        (1 << 20, 32, 16 << 20, 4096)
    );
    limits.chain_certs = 1;
    let r = parse_chain(&fixture("alice.pem"), &limits).unwrap_err();
    assert_eq!(r.code, Code::TooManyCertificates);
    let mut config = Config::default();
    config.limits = limits;
    rejected(
        verify(&verifier_with(&["root-ca.pem"], config), "alice.pem"),
        Code::TooManyCertificates,
        None,
    );

    let mut limits = Limits { bundle_items: 2, ..Limits::default() };
    assert_eq!(
        parse_bundle(&bundle(&["root-ca.pem", "alice.pem"]), &limits)
            .unwrap_err()
            .code,
        Code::TooManyCertificates
    );
    assert_eq!(
        parse_crls(&bundle(&["root.crl.pem", "intermediate.crl.pem"]), &limits)
            .unwrap()
            .len(),
        2
    );
    limits.bundle_bytes = 100;
    assert_eq!(
        parse_crls(&fixture("root.crl.pem"), &limits)
            .unwrap_err()
            .code,
        Code::InputTooLarge
    );
}

#[test]
fn a_chain_loop_ends_as_an_unknown_issuer() {
    let started = Instant::now();
    let r = rejected(verify(&v(), "loop.pem"), Code::UnknownIssuer, None);
    assert!(r.message.contains("CN=loop"), "{}", r.message);
    // With the loop's CAs repeated, path building still terminates.
    let looped = certs("loop.pem");
    let mut chain = vec![looped[0].clone()];
    for _ in 0..15 {
        chain.extend_from_slice(&looped[1..]);
    }
    rejected(
        v().verify(&chain, &at_fixed_time()),
        Code::UnknownIssuer,
        None,
    );
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "took {:?}",
        started.elapsed()
    );
}

#[test]
fn random_bytes_never_panic() {
    // A fixed xorshift sequence: deterministic, no dependency.
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let verifier = v();
    for round in 0..2000 {
        let len = (round % 300) + 1;
        let mut input = Vec::with_capacity(len);
        for _ in 0..len {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            input.push(state as u8);
        }
        if round % 2 == 0 {
            input[0] = 0x30; // look like DER
        }
        let r = verifier
            .verify_pem(&input, &at_fixed_time())
            .expect_err("random bytes verified");
        assert_human(&r);
    }
}
