//! `inspect` and `convert`: every kind of input as text and JSON, PEM ⇄ DER round trips.

#[path = "common/cli.rs"]
mod common;

use common::{text, Dir};

#[test]
fn inspect_describes_certificates_csrs_crls_and_keys() {
    let dir = Dir::new();
    dir.two_tier_ca();
    dir.client(
        "alice",
        &[
            "--uri",
            "spiffe://example.org/ns/prod/sa/alice",
            "--email",
            "alice@example.com",
            "--serial",
            "0a1b2c",
            "--crl-url",
            "http://pki.example.com/int.crl",
        ],
    );
    let json = dir.ok(&[
        "inspect",
        "alice-chain.pem",
        "--json",
        "--time",
        "2030-01-01T00:00:00Z",
    ]);
    let json: serde_json::Value = serde_json::from_str(&json).expect("JSON");
    let leaf = &json["certificates"][0];
    assert_eq!(json["certificates"].as_array().map(Vec::len), Some(2));
    assert_eq!(leaf["subject"]["rfc4514"], "CN=alice");
    assert_eq!(leaf["serial"], "0a1b2c");
    assert_eq!(leaf["spiffeId"], "spiffe://example.org/ns/prod/sa/alice");
    assert_eq!(leaf["subjectAltNames"]["email"][0], "alice@example.com");
    assert_eq!(leaf["extendedKeyUsage"][0], "clientAuth");
    assert_eq!(
        leaf["crlDistributionPoints"][0],
        "http://pki.example.com/int.crl"
    );
    let text = dir.openssl(&[
        "x509",
        "-in",
        "alice.pem",
        "-noout",
        "-ext",
        "crlDistributionPoints",
    ]);
    assert!(
        text.contains("URI:http://pki.example.com/int.crl"),
        "{text}"
    );
    assert_eq!(leaf["status"]["state"], "expired", "checked at 2030");
    assert_eq!(json["certificates"][1]["isCa"], true);

    let text_out = dir.ok(&["inspect", "alice.pem"]);
    assert!(text_out.contains("subject       CN=alice"), "{text_out}");
    assert!(
        text_out.contains("SPIFFE ID     spiffe://example.org/ns/prod/sa/alice"),
        "{text_out}"
    );

    dir.ok(&[
        "csr",
        "create",
        "--cn",
        "bob",
        "--dns",
        "bob.example.com",
        "--key-out",
        "bob.key",
        "--csr-out",
        "bob.csr",
    ]);
    let json: serde_json::Value =
        serde_json::from_str(&dir.ok(&["inspect", "bob.csr", "--json"])).expect("JSON");
    assert_eq!(json["requests"][0]["subject"]["rfc4514"], "CN=bob");
    assert_eq!(json["requests"][0]["signatureValid"], true);
    assert_eq!(
        json["requests"][0]["subjectAltNames"]["dns"][0],
        "bob.example.com"
    );

    dir.ok(&[
        "crl",
        "create",
        "--ca",
        "int.pem",
        "--ca-key",
        "int.key",
        "--serial",
        "0a1b2c",
        "--reason",
        "superseded",
        "--out",
        "crl.pem",
    ]);
    let json: serde_json::Value =
        serde_json::from_str(&dir.ok(&["inspect", "crl.pem", "--json"])).expect("JSON");
    assert_eq!(json["crls"][0]["issuer"]["rfc4514"], "CN=Test Issuing CA");
    assert_eq!(json["crls"][0]["revoked"][0]["serial"], "0a1b2c");
    assert_eq!(json["crls"][0]["revoked"][0]["reason"], "superseded");
    assert_eq!(json["crls"][0]["crlNumber"], "1");
    assert_eq!(json["crls"][0]["revokedCount"], 1);
    assert_eq!(json["crls"][0]["status"]["state"], "current");

    // A key is described by its algorithm, never its contents.
    let out = dir.ok(&["inspect", "bob.key"]);
    assert_eq!(out.trim(), "Private key: EC");
}

#[test]
fn pem_and_der_round_trip() {
    let dir = Dir::new();
    dir.two_tier_ca();
    dir.client("alice", &["--key-type", "ed25519"]);
    // Certificate chain → DER (concatenated) → PEM: byte-identical PEM.
    dir.ok(&["convert", "to-der", "alice-chain.pem", "--out", "chain.der"]);
    dir.ok(&["convert", "to-pem", "chain.der", "--out", "chain.pem"]);
    assert_eq!(dir.read("chain.pem"), dir.read("alice-chain.pem"));
    // openssl reads the DER certificate.
    dir.ok(&["convert", "to-der", "alice.pem", "--out", "alice.der"]);
    let subject = dir.openssl(&[
        "x509",
        "-in",
        "alice.der",
        "-inform",
        "DER",
        "-noout",
        "-subject",
    ]);
    assert!(subject.contains("CN = alice"), "{subject}");
    // DER inspect works too.
    let json: serde_json::Value =
        serde_json::from_str(&dir.ok(&["inspect", "alice.der", "--json"])).expect("JSON");
    assert_eq!(json["format"], "der");
    // Keys: PKCS#8 DER as AEM wants it, 0600, readable by openssl, and back to PEM.
    dir.ok(&[
        "convert",
        "key",
        "alice.key",
        "--der",
        "--out",
        "alice.key.der",
    ]);
    #[cfg(unix)]
    assert_eq!(common::mode(&dir.join("alice.key.der")), 0o600);
    dir.openssl(&["pkey", "-in", "alice.key.der", "-inform", "DER", "-noout"]);
    dir.ok(&[
        "convert",
        "to-pem",
        "alice.key.der",
        "--out",
        "alice-again.key",
    ]);
    assert_eq!(dir.read("alice-again.key"), dir.read("alice.key"));
    // CRLs and CSRs.
    dir.ok(&[
        "crl", "create", "--ca", "int.pem", "--ca-key", "int.key", "--out", "crl.pem",
    ]);
    dir.ok(&["convert", "to-der", "crl.pem", "--out", "crl.der"]);
    dir.openssl(&["crl", "-in", "crl.der", "-inform", "DER", "-noout"]);
    dir.ok(&["convert", "to-pem", "crl.der", "--out", "crl2.pem"]);
    assert_eq!(dir.read("crl2.pem"), dir.read("crl.pem"));
    // Already-converted input is a clear error.
    let out = dir.certgate(&["convert", "to-pem", "alice.pem", "--out", "x.pem"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out).contains("is not DER"), "{}", text(&out));
}
