//! openssl and certgate check each other: openssl verifies what certgate issues (chains,
//! every key type, CRLs), and certgate signs and verifies what openssl makes.

#[path = "common/cli.rs"]
mod common;

use common::{text, Dir};

#[test]
fn openssl_verifies_chains_certgate_issues_for_every_key_type() {
    let dir = Dir::new();
    dir.two_tier_ca();
    for key_type in ["p256", "p384", "ed25519", "rsa2048"] {
        dir.client(
            key_type,
            &["--key-type", key_type, "--email", "user@example.com"],
        );
        let leaf = format!("{key_type}.pem");
        let verified = dir.openssl(&[
            "verify",
            "-CAfile",
            "root.pem",
            "-untrusted",
            "int.pem",
            "-purpose",
            "sslclient",
            &leaf,
        ]);
        assert!(verified.contains(&format!("{leaf}: OK")), "{verified}");
        // openssl reads the key (Ed25519 only as PKCS#8 v1) and it matches the certificate.
        let key = format!("{key_type}.key");
        let from_key = dir.openssl(&["pkey", "-in", &key, "-pubout"]);
        let from_cert = dir.openssl(&["x509", "-in", &leaf, "-noout", "-pubkey"]);
        assert_eq!(
            from_key, from_cert,
            "{key_type}: key and certificate differ"
        );
    }
    // A server certificate: SANs and the serverAuth purpose.
    dir.ok(&[
        "cert",
        "issue",
        "--ca",
        "int.pem",
        "--ca-key",
        "int.key",
        "--dns",
        "localhost",
        "--ip",
        "127.0.0.1",
        "--eku",
        "server",
        "--cert-out",
        "server.pem",
        "--key-out",
        "server.key",
    ]);
    let verified = dir.openssl(&[
        "verify",
        "-CAfile",
        "root.pem",
        "-untrusted",
        "int.pem",
        "-purpose",
        "sslserver",
        "-verify_hostname",
        "localhost",
        "-verify_ip",
        "127.0.0.1",
        "server.pem",
    ]);
    assert!(verified.contains("server.pem: OK"), "{verified}");
}

#[test]
fn name_constraints_and_path_length_are_enforced_by_openssl() {
    let dir = Dir::new();
    dir.ok(&[
        "ca",
        "init",
        "--cn",
        "Constrained Root",
        "--permit-dns",
        "example.com",
        "--cert-out",
        "root.pem",
        "--key-out",
        "root.key",
    ]);
    dir.ok(&[
        "ca",
        "intermediate",
        "--ca",
        "root.pem",
        "--ca-key",
        "root.key",
        "--cert-out",
        "int.pem",
        "--key-out",
        "int.key",
    ]);
    dir.ok(&[
        "cert",
        "issue",
        "--ca",
        "int.pem",
        "--ca-key",
        "int.key",
        "--dns",
        "api.example.com",
        "--eku",
        "server",
        "--cert-out",
        "good.pem",
        "--key-out",
        "good.key",
    ]);
    dir.ok(&[
        "cert",
        "issue",
        "--ca",
        "int.pem",
        "--ca-key",
        "int.key",
        "--dns",
        "evil.test",
        "--eku",
        "server",
        "--cert-out",
        "bad.pem",
        "--key-out",
        "bad.key",
    ]);
    dir.openssl(&[
        "verify",
        "-CAfile",
        "root.pem",
        "-untrusted",
        "int.pem",
        "good.pem",
    ]);
    let refused = dir.tool(
        "openssl",
        &[
            "verify",
            "-CAfile",
            "root.pem",
            "-untrusted",
            "int.pem",
            "bad.pem",
        ],
    );
    assert!(!refused.status.success());
    assert!(
        text(&refused).contains("subtree violation"),
        "{}",
        text(&refused)
    );
    // certgate's verifier agrees.
    let chain = format!("{}{}", dir.read("bad.pem"), dir.read("int.pem"));
    dir.write("bad-chain.pem", &chain);
    let out2 = dir.certgate(&[
        "verify",
        "bad-chain.pem",
        "--ca",
        "root.pem",
        "--usage",
        "server",
        "--json",
    ]);
    assert_eq!(out2.status.code(), Some(3));
    assert!(
        String::from_utf8_lossy(&out2.stdout).contains("NAME_CONSTRAINT_VIOLATION"),
        "{}",
        text(&out2)
    );

    // The intermediate has path length 0 (the default): certgate refuses to sign a CA below it.
    let sub = [
        "ca",
        "intermediate",
        "--ca",
        "int.pem",
        "--ca-key",
        "int.key",
        "--cn",
        "Sub CA",
        "--cert-out",
        "sub.pem",
        "--key-out",
        "sub.key",
    ];
    let out = dir.certgate(&sub);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out).contains("path length 0"), "{}", text(&out));
    assert!(!dir.join("sub.pem").exists());
    // Given room (--path-len 1 on a new intermediate), the sub-CA's chain verifies in openssl.
    dir.ok(&[
        "ca",
        "intermediate",
        "--ca",
        "root.pem",
        "--ca-key",
        "root.key",
        "--cn",
        "Policy CA",
        "--path-len",
        "1",
        "--cert-out",
        "int1.pem",
        "--key-out",
        "int1.key",
    ]);
    dir.ok(&[
        "ca",
        "intermediate",
        "--ca",
        "int1.pem",
        "--ca-key",
        "int1.key",
        "--cn",
        "Sub CA",
        "--cert-out",
        "sub.pem",
        "--key-out",
        "sub.key",
    ]);
    dir.ok(&[
        "cert",
        "issue",
        "--ca",
        "sub.pem",
        "--ca-key",
        "sub.key",
        "--dns",
        "deep.example.com",
        "--eku",
        "server",
        "--cert-out",
        "deep.pem",
        "--key-out",
        "deep.key",
    ]);
    let untrusted = format!("{}{}", dir.read("int1.pem"), dir.read("sub.pem"));
    dir.write("untrusted.pem", &untrusted);
    dir.openssl(&[
        "verify",
        "-CAfile",
        "root.pem",
        "-untrusted",
        "untrusted.pem",
        "deep.pem",
    ]);
}

#[test]
fn openssl_checks_crls_certgate_signs() {
    let dir = Dir::new();
    dir.two_tier_ca();
    dir.client("alice", &[]);
    dir.client("bob", &[]);
    dir.ok(&[
        "crl", "create", "--ca", "int.pem", "--ca-key", "int.key", "--out", "crl.pem",
    ]);
    let both = [
        "verify",
        "-crl_check",
        "-CAfile",
        "root.pem",
        "-untrusted",
        "int.pem",
        "-CRLfile",
        "crl.pem",
    ];
    dir.openssl(&[&both[..], &["alice.pem"]].concat());

    dir.ok(&[
        "crl",
        "revoke",
        "--crl",
        "crl.pem",
        "--ca",
        "int.pem",
        "--ca-key",
        "int.key",
        "--cert",
        "alice.pem",
        "--reason",
        "key-compromise",
    ]);
    let revoked = dir.tool("openssl", &[&both[..], &["alice.pem"]].concat());
    assert!(!revoked.status.success());
    assert!(
        text(&revoked).contains("certificate revoked"),
        "{}",
        text(&revoked)
    );
    dir.openssl(&[&both[..], &["bob.pem"]].concat());

    // The CRL number went up and the reason is recorded.
    let crl = dir.openssl(&["crl", "-in", "crl.pem", "-noout", "-text"]);
    assert!(
        crl.contains("X509v3 CRL Number: \n                2")
            || crl.contains("CRL Number: 2")
            || crl.contains("                2\n"),
        "{crl}"
    );
    assert!(crl.contains("Key Compromise"), "{crl}");

    // certgate's verifier reads the same CRL.
    let out = dir.certgate(&[
        "verify",
        "alice-chain.pem",
        "--ca",
        "root.pem",
        "--crl",
        "crl.pem",
        "--json",
    ]);
    assert_eq!(out.status.code(), Some(3), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("\"code\": \"REVOKED\""),
        "{}",
        text(&out)
    );
    dir.ok(&[
        "verify",
        "bob-chain.pem",
        "--ca",
        "root.pem",
        "--crl",
        "crl.pem",
    ]);

    // Revoking by serial, into a new file, keeps the earlier entries.
    let serial = dir.openssl(&["x509", "-in", "bob.pem", "-noout", "-serial"]);
    let serial = serial.trim().trim_start_matches("serial=");
    dir.ok(&[
        "crl", "revoke", "--crl", "crl.pem", "--ca", "int.pem", "--ca-key", "int.key", "--serial",
        serial, "--out", "crl2.pem",
    ]);
    let out = dir.certgate(&[
        "verify",
        "bob-chain.pem",
        "--ca",
        "root.pem",
        "--crl",
        "crl2.pem",
    ]);
    assert_eq!(out.status.code(), Some(3), "{}", text(&out));
    let out = dir.certgate(&[
        "verify",
        "alice-chain.pem",
        "--ca",
        "root.pem",
        "--crl",
        "crl2.pem",
    ]);
    assert_eq!(out.status.code(), Some(3), "{}", text(&out));

    // A CRL from another CA is refused by `crl revoke`.
    dir.ok(&[
        "ca",
        "init",
        "--cn",
        "Other",
        "--cert-out",
        "other.pem",
        "--key-out",
        "other.key",
    ]);
    let out = dir.certgate(&[
        "crl",
        "revoke",
        "--crl",
        "crl.pem",
        "--ca",
        "other.pem",
        "--ca-key",
        "other.key",
        "--serial",
        "01",
        "--out",
        "x.pem",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out).contains("not signed by the CA"),
        "{}",
        text(&out)
    );
}

#[test]
fn csr_made_by_openssl_is_signed_under_the_ca_policy() {
    let dir = Dir::new();
    dir.two_tier_ca();
    // The request asks to be a CA and for serverAuth; the CA decides otherwise.
    dir.openssl(&[
        "req",
        "-new",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
        "-keyout",
        "bob.key",
        "-out",
        "bob.csr",
        "-subj",
        "/C=GB/O=Example/CN=bob",
        "-addext",
        "subjectAltName=DNS:bob.example.com,email:bob@example.com",
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "extendedKeyUsage=serverAuth",
    ]);
    let out = dir.certgate(&[
        "csr",
        "sign",
        "--csr",
        "bob.csr",
        "--ca",
        "int.pem",
        "--ca-key",
        "int.key",
        "--cert-out",
        "bob.pem",
        "--chain-out",
        "bob-chain.pem",
        "--days",
        "30",
    ]);
    common::assert_success(&out, "csr sign");
    assert!(
        text(&out).contains("ignoring the requested basicConstraints"),
        "{}",
        text(&out)
    );
    let cert = dir.openssl(&["x509", "-in", "bob.pem", "-noout", "-text"]);
    assert!(cert.contains("CA:FALSE"), "{cert}");
    assert!(
        cert.contains("TLS Web Client Authentication")
            && !cert.contains("TLS Web Server Authentication"),
        "{cert}"
    );
    assert!(
        cert.contains("DNS:bob.example.com") && cert.contains("email:bob@example.com"),
        "{cert}"
    );
    assert!(cert.contains("C = GB, O = Example, CN = bob"), "{cert}");
    dir.openssl(&[
        "verify",
        "-CAfile",
        "root.pem",
        "-untrusted",
        "int.pem",
        "-purpose",
        "sslclient",
        "bob.pem",
    ]);
    // The certificate matches the key openssl made.
    assert_eq!(
        dir.openssl(&["pkey", "-in", "bob.key", "-pubout"]),
        dir.openssl(&["x509", "-in", "bob.pem", "-noout", "-pubkey"])
    );
    dir.ok(&["verify", "bob-chain.pem", "--ca", "root.pem"]);

    // An RSA request from openssl works too, and a tampered request is refused.
    dir.openssl(&[
        "req",
        "-new",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "carol.key",
        "-out",
        "carol.csr",
        "-subj",
        "/CN=carol",
    ]);
    dir.ok(&[
        "csr",
        "sign",
        "--csr",
        "carol.csr",
        "--ca",
        "int.pem",
        "--ca-key",
        "int.key",
        "--cert-out",
        "carol.pem",
    ]);
    dir.openssl(&[
        "verify",
        "-CAfile",
        "root.pem",
        "-untrusted",
        "int.pem",
        "carol.pem",
    ]);
    let der = dir
        .tool("openssl", &["req", "-in", "carol.csr", "-outform", "DER"])
        .stdout;
    let mut tampered = der.clone();
    let at = tampered.len() / 3;
    tampered[at] ^= 0x01;
    std::fs::write(dir.join("tampered.csr"), tampered).expect("write");
    let out = dir.certgate(&[
        "csr",
        "sign",
        "--csr",
        "tampered.csr",
        "--ca",
        "int.pem",
        "--ca-key",
        "int.key",
        "--cert-out",
        "t.pem",
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(!dir.join("t.pem").exists());
}

#[test]
fn csr_made_by_certgate_is_accepted_by_openssl() {
    let dir = Dir::new();
    dir.ok(&[
        "csr",
        "create",
        "--cn",
        "dave",
        "--dns",
        "dave.example.com",
        "--key-out",
        "dave.key",
        "--csr-out",
        "dave.csr",
    ]);
    let checked = dir.openssl(&["req", "-in", "dave.csr", "-verify", "-noout", "-text"]);
    assert!(
        checked.contains("verify OK")
            || checked.contains("Certificate request self-signature verify OK"),
        "{checked}"
    );
    assert!(
        checked.contains("CN = dave") && checked.contains("DNS:dave.example.com"),
        "{checked}"
    );
    // openssl x509 -req signs it with a CA certgate made.
    dir.ok(&[
        "ca",
        "init",
        "--cn",
        "Root",
        "--cert-out",
        "root.pem",
        "--key-out",
        "root.key",
    ]);
    dir.openssl(&[
        "x509",
        "-req",
        "-in",
        "dave.csr",
        "-CA",
        "root.pem",
        "-CAkey",
        "root.key",
        "-CAcreateserial",
        "-days",
        "10",
        "-out",
        "dave.pem",
    ]);
    dir.openssl(&["verify", "-CAfile", "root.pem", "dave.pem"]);
    // A request for an existing key (made by openssl).
    dir.openssl(&["genpkey", "-algorithm", "ed25519", "-out", "ed.key"]);
    dir.ok(&[
        "csr",
        "create",
        "--cn",
        "ed",
        "--key",
        "ed.key",
        "--csr-out",
        "ed.csr",
    ]);
    dir.openssl(&["req", "-in", "ed.csr", "-verify", "-noout"]);
}

#[test]
fn certgate_verifies_a_chain_openssl_made() {
    let dir = Dir::new();
    dir.write("ca.ext", "basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n");
    dir.write("leaf.ext", "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\nsubjectAltName=email:erin@example.com\nauthorityKeyIdentifier=keyid\n");
    dir.openssl(&[
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "root.key",
        "-out",
        "root.pem",
        "-days",
        "30",
        "-subj",
        "/O=OpenSSL Tests/CN=OpenSSL Root",
    ]);
    dir.openssl(&[
        "req",
        "-new",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-384",
        "-nodes",
        "-keyout",
        "int.key",
        "-out",
        "int.csr",
        "-subj",
        "/CN=OpenSSL Intermediate",
    ]);
    dir.openssl(&[
        "x509",
        "-req",
        "-in",
        "int.csr",
        "-CA",
        "root.pem",
        "-CAkey",
        "root.key",
        "-CAcreateserial",
        "-days",
        "20",
        "-extfile",
        "ca.ext",
        "-out",
        "int.pem",
    ]);
    dir.openssl(&[
        "req",
        "-new",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
        "-keyout",
        "erin.key",
        "-out",
        "erin.csr",
        "-subj",
        "/CN=erin",
    ]);
    dir.openssl(&[
        "x509",
        "-req",
        "-in",
        "erin.csr",
        "-CA",
        "int.pem",
        "-CAkey",
        "int.key",
        "-CAcreateserial",
        "-days",
        "10",
        "-extfile",
        "leaf.ext",
        "-out",
        "erin.pem",
    ]);
    let chain = format!("{}{}", dir.read("erin.pem"), dir.read("int.pem"));
    dir.write("erin-chain.pem", &chain);

    let out = dir.ok(&["verify", "erin-chain.pem", "--ca", "root.pem", "--json"]);
    let json: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    assert_eq!(json["valid"], true);
    assert_eq!(json["path"].as_array().map(Vec::len), Some(3));
    assert_eq!(json["leaf"]["subject"]["rfc4514"], "CN=erin");

    let out = dir.certgate(&[
        "verify",
        "erin-chain.pem",
        "--ca",
        "root.pem",
        "--usage",
        "server",
        "--json",
    ]);
    assert_eq!(out.status.code(), Some(3));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(json["code"], "WRONG_USAGE");
    assert_eq!(json["certIndex"], 0);

    // Without the intermediate there is no path.
    let out = dir.certgate(&["verify", "erin.pem", "--ca", "root.pem", "--json"]);
    assert_eq!(out.status.code(), Some(3));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("UNKNOWN_ISSUER"),
        "{}",
        text(&out)
    );

    // openssl's SEC1 and PKCS#1 keys convert to PKCS#8 that openssl reads back as the same key.
    dir.openssl(&["ec", "-in", "erin.key", "-out", "erin-sec1.key"]);
    dir.openssl(&[
        "rsa",
        "-in",
        "root.key",
        "-traditional",
        "-out",
        "root-pkcs1.key",
    ]);
    for (input, output) in [
        ("erin-sec1.key", "erin-p8.key"),
        ("root-pkcs1.key", "root-p8.key"),
    ] {
        dir.ok(&["convert", "key", input, "--out", output]);
        assert!(dir.read(output).starts_with("-----BEGIN PRIVATE KEY-----"));
        assert_eq!(
            dir.openssl(&["pkey", "-in", input, "-pubout"]),
            dir.openssl(&["pkey", "-in", output, "-pubout"])
        );
    }
}

#[test]
fn encrypted_keys_openssl_made_are_read_with_the_key_password() {
    let dir = Dir::new();
    dir.two_tier_ca();
    // The issuing CA's key, encrypted by openssl with PBES2 (PBKDF2 + AES-256) and with scrypt.
    dir.openssl(&[
        "pkcs8",
        "-topk8",
        "-in",
        "int.key",
        "-passout",
        "pass:sesame",
        "-out",
        "int-pbkdf2.key",
    ]);
    dir.openssl(&[
        "pkcs8",
        "-topk8",
        "-in",
        "int.key",
        "-scrypt",
        "-passout",
        "pass:sesame",
        "-out",
        "int-scrypt.key",
    ]);
    dir.write("key-pass.txt", "sesame\n");
    dir.ok(&[
        "cert",
        "issue",
        "--ca",
        "int.pem",
        "--ca-key",
        "int-pbkdf2.key",
        "--key-password-file",
        "key-pass.txt",
        "--cn",
        "erin",
        "--cert-out",
        "erin.pem",
        "--key-out",
        "erin.key",
    ]);
    dir.openssl(&[
        "verify",
        "-CAfile",
        "root.pem",
        "-untrusted",
        "int.pem",
        "erin.pem",
    ]);
    let out = dir.certgate_env(
        &[
            "convert",
            "key",
            "int-scrypt.key",
            "--der",
            "--out",
            "int.der",
        ],
        &[("CERTGATE_KEY_PASSWORD", "sesame")],
    );
    common::assert_success(&out, "convert key (scrypt)");
    assert_eq!(
        dir.openssl(&["pkey", "-in", "int.der", "-inform", "DER", "-pubout"]),
        dir.openssl(&["pkey", "-in", "int.key", "-pubout"])
    );
    // A wrong password, or none, is a one-line error and nothing is written.
    let out = dir.certgate_env(
        &["convert", "key", "int-pbkdf2.key", "--out", "x.key"],
        &[("CERTGATE_KEY_PASSWORD", "open sesame")],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out).contains("wrong password for int-pbkdf2.key"),
        "{}",
        text(&out)
    );
    let out = dir.certgate(&["convert", "key", "int-pbkdf2.key", "--out", "x.key"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out).contains("--key-password-file"), "{}", text(&out));
    assert!(!dir.join("x.key").exists());
}

#[test]
fn certificates_renew_on_an_existing_key() {
    let dir = Dir::new();
    dir.two_tier_ca();
    dir.client("alice", &[]);
    // A new certificate for alice's key: no new key file, same public key, new serial.
    dir.ok(&[
        "cert",
        "issue",
        "--ca",
        "int.pem",
        "--ca-key",
        "int.key",
        "--cn",
        "alice",
        "--key",
        "alice.key",
        "--days",
        "30",
        "--cert-out",
        "alice-renewed.pem",
    ]);
    assert_eq!(
        dir.openssl(&["x509", "-in", "alice-renewed.pem", "-noout", "-pubkey"]),
        dir.openssl(&["x509", "-in", "alice.pem", "-noout", "-pubkey"])
    );
    assert_ne!(
        dir.openssl(&["x509", "-in", "alice-renewed.pem", "-noout", "-serial"]),
        dir.openssl(&["x509", "-in", "alice.pem", "-noout", "-serial"])
    );
    dir.openssl(&[
        "verify",
        "-CAfile",
        "root.pem",
        "-untrusted",
        "int.pem",
        "alice-renewed.pem",
    ]);
    // An RSA key made by openssl (PKCS#1) gets keyEncipherment on a server certificate.
    dir.openssl(&["genrsa", "-traditional", "-out", "srv.key", "2048"]);
    dir.ok(&[
        "cert",
        "issue",
        "--ca",
        "int.pem",
        "--ca-key",
        "int.key",
        "--dns",
        "srv.example.com",
        "--eku",
        "server",
        "--key",
        "srv.key",
        "--cert-out",
        "srv.pem",
    ]);
    let usage = dir.openssl(&["x509", "-in", "srv.pem", "-noout", "-ext", "keyUsage"]);
    assert!(usage.contains("Key Encipherment"), "{usage}");
    // --key and --key-out together are a command-line error.
    let out = dir.certgate(&[
        "cert",
        "issue",
        "--ca",
        "int.pem",
        "--ca-key",
        "int.key",
        "--cn",
        "x",
        "--key",
        "alice.key",
        "--key-out",
        "x.key",
        "--cert-out",
        "x.pem",
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    // The CA itself renews on its key too, and what it signed still verifies under it.
    dir.ok(&[
        "ca",
        "init",
        "--cn",
        "Test Root",
        "--subject",
        "O=certgate tests,C=GB",
        "--key",
        "root.key",
        "--cert-out",
        "root-renewed.pem",
    ]);
    dir.openssl(&[
        "verify",
        "-CAfile",
        "root-renewed.pem",
        "-untrusted",
        "int.pem",
        "alice.pem",
    ]);
}
