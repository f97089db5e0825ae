//! PKCS#12 files against keytool and openssl: trust stores Java lists as trustedCertEntry,
//! key stores with the full chain, both encryption modes, import of openssl-made files, and
//! clean failures for wrong passwords.

#[path = "common/cli.rs"]
mod common;

use common::{text, Dir};

const PASSWORD: &str = "correct horse battery staple";

fn keytool_list(dir: &Dir, store: &str, password: &str) -> String {
    let out = dir.tool(
        "keytool",
        &[
            "-list",
            "-v",
            "-storetype",
            "PKCS12",
            "-keystore",
            store,
            "-storepass",
            password,
        ],
    );
    common::assert_success(&out, "keytool -list");
    text(&out)
}

#[test]
fn keytool_lists_every_certificate_of_a_trust_store_as_trusted() {
    let dir = Dir::new();
    dir.two_tier_ca();
    dir.ok(&[
        "ca",
        "init",
        "--cn",
        "Second Root",
        "--key-type",
        "p384",
        "--cert-out",
        "root2.pem",
        "--key-out",
        "root2.key",
    ]);
    let both = format!("{}{}", dir.read("int.pem"), dir.read("root2.pem"));
    dir.write("bundle.pem", &both);
    // root.pem, then a bundle of two: three trusted certificates.
    let out = dir.certgate_env(
        &[
            "truststore",
            "build",
            "--cert",
            "root.pem",
            "--cert",
            "bundle.pem",
            "--out",
            "truststore.p12",
        ],
        &[("CERTGATE_PASSWORD", PASSWORD)],
    );
    common::assert_success(&out, "truststore build");
    let listing = keytool_list(&dir, "truststore.p12", PASSWORD);
    assert!(
        listing.contains("Your keystore contains 3 entries"),
        "{listing}"
    );
    assert_eq!(
        listing.matches("Entry type: trustedCertEntry").count(),
        3,
        "{listing}"
    );
    for cn in ["Test Root", "Test Issuing CA", "Second Root"] {
        assert!(
            listing.contains(&format!("CN={cn}")),
            "{cn} missing:\n{listing}"
        );
    }
    // certgate verifies against the trust store it wrote.
    dir.client("alice", &[]);
    let out = dir.certgate_env(
        &[
            "verify",
            "alice-chain.pem",
            "--ca",
            "truststore.p12",
            "--json",
        ],
        &[("CERTGATE_PASSWORD", PASSWORD)],
    );
    common::assert_success(&out, "verify --ca truststore.p12");
    let out = dir.certgate_env(
        &["verify", "alice-chain.pem", "--ca", "truststore.p12"],
        &[("CERTGATE_PASSWORD", "wrong")],
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("wrong password"), "{}", text(&out));
    // The legacy mode is read by keytool too.
    let out = dir.certgate_env(
        &[
            "truststore",
            "build",
            "--cert",
            "root.pem",
            "--out",
            "legacy.p12",
            "--legacy",
            "--password-env",
            "TS_PASS",
        ],
        &[("TS_PASS", PASSWORD)],
    );
    common::assert_success(&out, "truststore build --legacy");
    let listing = keytool_list(&dir, "legacy.p12", PASSWORD);
    assert_eq!(
        listing.matches("Entry type: trustedCertEntry").count(),
        1,
        "{listing}"
    );
    // certgate's inspect says they are trusted entries.
    let out = dir.certgate_env(
        &["inspect", "truststore.p12", "--json"],
        &[("CERTGATE_PASSWORD", PASSWORD)],
    );
    common::assert_success(&out, "inspect");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let certs = json["certificates"].as_array().expect("certificates");
    assert_eq!(certs.len(), 3);
    assert!(certs.iter().all(|c| c["pkcs12"]["trusted"] == true));
    assert_eq!(json["format"], "pkcs12");
}

#[test]
fn keytool_sees_a_private_key_entry_with_the_full_chain() {
    let dir = Dir::new();
    dir.two_tier_ca();
    dir.client("alice", &[]);
    let full = format!("{}{}", dir.read("alice-chain.pem"), dir.read("root.pem"));
    dir.write("alice-full.pem", &full);
    dir.write("pw.txt", &format!("{PASSWORD}\n"));
    dir.ok(&[
        "keystore",
        "build",
        "--key",
        "alice.key",
        "--cert",
        "alice-full.pem",
        "--out",
        "alice.p12",
        "--password-file",
        "pw.txt",
    ]);
    #[cfg(unix)]
    assert_eq!(common::mode(&dir.join("alice.p12")), 0o600);
    let listing = keytool_list(&dir, "alice.p12", PASSWORD);
    assert!(listing.contains("Alias name: alice"), "{listing}");
    assert!(listing.contains("Entry type: PrivateKeyEntry"), "{listing}");
    assert!(listing.contains("Certificate chain length: 3"), "{listing}");
    // Java can use the key: export the certificate through keytool.
    let out = dir.tool(
        "keytool",
        &[
            "-exportcert",
            "-rfc",
            "-alias",
            "alice",
            "-storetype",
            "PKCS12",
            "-keystore",
            "alice.p12",
            "-storepass",
            PASSWORD,
        ],
    );
    common::assert_success(&out, "keytool -exportcert");
    assert!(String::from_utf8_lossy(&out.stdout).contains("BEGIN CERTIFICATE"));

    // A key that does not belong to the certificate is refused, and nothing is written.
    dir.client("bob", &[]);
    let out = dir.certgate(&[
        "keystore",
        "build",
        "--key",
        "bob.key",
        "--cert",
        "alice.pem",
        "--out",
        "wrong.p12",
        "--password-file",
        "pw.txt",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out).contains("is not the key of"), "{}", text(&out));
    assert!(!dir.join("wrong.p12").exists());
}

#[test]
fn openssl_reads_both_encryption_modes() {
    let dir = Dir::new();
    dir.two_tier_ca();
    dir.client("alice", &["--key-type", "rsa2048"]);
    let env = [("CERTGATE_PASSWORD", PASSWORD)];
    let modern = dir.certgate_env(
        &[
            "convert",
            "to-p12",
            "--key",
            "alice.key",
            "--cert",
            "alice-chain.pem",
            "--out",
            "modern.p12",
        ],
        &env,
    );
    common::assert_success(&modern, "convert to-p12");
    let legacy = dir.certgate_env(
        &[
            "convert",
            "to-p12",
            "--key",
            "alice.key",
            "--cert",
            "alice-chain.pem",
            "--out",
            "legacy.p12",
            "--legacy",
        ],
        &env,
    );
    common::assert_success(&legacy, "convert to-p12 --legacy");
    let pass = format!("pass:{PASSWORD}");
    let info = dir.openssl(&[
        "pkcs12",
        "-info",
        "-in",
        "modern.p12",
        "-passin",
        &pass,
        "-noout",
    ]);
    assert!(info.contains("MAC: sha256"), "{info}");
    assert!(info.contains("PBES2, PBKDF2, AES-256-CBC"), "{info}");
    let info = dir.openssl(&[
        "pkcs12",
        "-info",
        "-in",
        "legacy.p12",
        "-passin",
        &pass,
        "-noout",
    ]);
    assert!(info.contains("MAC: sha1"), "{info}");
    assert!(info.contains("pbeWithSHA1And3-KeyTripleDES-CBC"), "{info}");
    // openssl extracts the same key and chain.
    for file in ["modern.p12", "legacy.p12"] {
        let key = dir.openssl(&[
            "pkcs12", "-in", file, "-passin", &pass, "-nocerts", "-nodes",
        ]);
        dir.write("extracted.key", &key);
        assert_eq!(
            dir.openssl(&["pkey", "-in", "extracted.key", "-pubout"]),
            dir.openssl(&["pkey", "-in", "alice.key", "-pubout"])
        );
        let certs = dir.openssl(&["pkcs12", "-in", file, "-passin", &pass, "-nokeys"]);
        assert_eq!(certs.matches("BEGIN CERTIFICATE").count(), 2, "{certs}");
    }
    // certgate's inspect reports the same protection as openssl.
    for (file, mac, scheme) in [
        ("modern.p12", "HMAC-SHA256", "PBES2 (PBKDF2-HMAC-SHA256"),
        ("legacy.p12", "HMAC-SHA1", "pbeWithSHAAnd3-KeyTripleDES-CBC"),
    ] {
        let out = dir.certgate_env(&["inspect", file, "--json"], &env);
        common::assert_success(&out, "inspect");
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
        let protection = &json["pkcs12"];
        assert!(
            protection["mac"]
                .as_str()
                .is_some_and(|m| m.starts_with(mac)),
            "{protection}"
        );
        for part in ["certificates", "keys"] {
            assert!(
                protection[part][0]
                    .as_str()
                    .is_some_and(|s| s.starts_with(scheme)),
                "{file} {part}: {protection}"
            );
        }
    }
    // A wrong password fails in openssl as well.
    let wrong = dir.tool(
        "openssl",
        &[
            "pkcs12",
            "-info",
            "-in",
            "modern.p12",
            "-passin",
            "pass:nope",
            "-noout",
        ],
    );
    assert!(!wrong.status.success());
}

#[test]
fn pkcs12_files_openssl_made_are_imported() {
    let dir = Dir::new();
    dir.two_tier_ca();
    dir.client("alice", &[]);
    let pass = format!("pass:{PASSWORD}");
    dir.openssl(&[
        "pkcs12",
        "-export",
        "-inkey",
        "alice.key",
        "-in",
        "alice.pem",
        "-certfile",
        "int.pem",
        "-name",
        "alice",
        "-passout",
        &pass,
        "-out",
        "openssl.p12",
    ]);
    let env = [("CERTGATE_PASSWORD", PASSWORD)];
    let out = dir.certgate_env(
        &[
            "convert",
            "from-p12",
            "openssl.p12",
            "--key-out",
            "k.pem",
            "--cert-out",
            "c.pem",
        ],
        &env,
    );
    common::assert_success(&out, "convert from-p12");
    #[cfg(unix)]
    assert_eq!(common::mode(&dir.join("k.pem")), 0o600);
    assert_eq!(
        dir.openssl(&["pkey", "-in", "k.pem", "-pubout"]),
        dir.openssl(&["pkey", "-in", "alice.key", "-pubout"])
    );
    // The key's certificate comes first, then its issuer.
    let chain = dir.read("c.pem");
    assert_eq!(chain.matches("BEGIN CERTIFICATE").count(), 2);
    dir.ok(&["verify", "c.pem", "--ca", "root.pem"]);
    // A certificates-only file from openssl (no Java attribute): inspect still sees every certificate.
    dir.openssl(&[
        "pkcs12",
        "-export",
        "-nokeys",
        "-in",
        "int.pem",
        "-certfile",
        "root.pem",
        "-passout",
        &pass,
        "-out",
        "certs.p12",
    ]);
    let out = dir.certgate_env(&["inspect", "certs.p12", "--json"], &env);
    common::assert_success(&out, "inspect");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let certs = json["certificates"].as_array().expect("certificates");
    assert_eq!(certs.len(), 2);
    assert!(certs.iter().all(|c| c["pkcs12"]["trusted"] == false));
}

#[test]
fn wrong_password_fails_cleanly_and_writes_nothing() {
    let dir = Dir::new();
    dir.two_tier_ca();
    dir.client("alice", &[]);
    let env = [("CERTGATE_PASSWORD", PASSWORD)];
    common::assert_success(
        &dir.certgate_env(
            &[
                "keystore",
                "build",
                "--key",
                "alice.key",
                "--cert",
                "alice-chain.pem",
                "--out",
                "a.p12",
            ],
            &env,
        ),
        "keystore build",
    );
    for args in [
        &[
            "convert",
            "from-p12",
            "a.p12",
            "--key-out",
            "k.pem",
            "--cert-out",
            "c.pem",
        ][..],
        &["inspect", "a.p12"][..],
    ] {
        let out = dir.certgate_env(args, &[("CERTGATE_PASSWORD", "wrong password")]);
        assert_eq!(out.status.code(), Some(1), "{}", text(&out));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains("PKCS12_WRONG_PASSWORD: wrong password"),
            "{stderr}"
        );
        assert_eq!(stderr.trim().lines().count(), 1, "one line: {stderr}");
        assert!(out.stdout.is_empty());
    }
    assert!(!dir.join("k.pem").exists() && !dir.join("c.pem").exists());

    // With no password source and no terminal, certgate says how to give one.
    let out = dir.certgate(&[
        "keystore",
        "build",
        "--key",
        "alice.key",
        "--cert",
        "alice-chain.pem",
        "--out",
        "b.p12",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out).contains("--password-file"), "{}", text(&out));
    assert!(!dir.join("b.p12").exists());
    // An unset --password-env variable is an error, not an empty password.
    let out = dir.certgate(&[
        "keystore",
        "build",
        "--key",
        "alice.key",
        "--cert",
        "alice-chain.pem",
        "--out",
        "b.p12",
        "--password-env",
        "NOPE_NOT_SET",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(!dir.join("b.p12").exists());
    // Passwords are never accepted on the command line.
    let out = dir.certgate(&[
        "keystore",
        "build",
        "--key",
        "alice.key",
        "--cert",
        "alice-chain.pem",
        "--out",
        "b.p12",
        "--password",
        "x",
    ]);
    assert_eq!(out.status.code(), Some(2));
}

/// alice's key and chain as openssl 3 exports them (PBES2, PBKDF2-HMAC-SHA256, AES-256-CBC,
/// HMAC-SHA256 MAC) with 100,000 iterations everywhere: the DER INTEGER 02 03 01 86 A0, which
/// the tests below rewrite in place. Returns the file's bytes.
fn openssl_p12_with_100000_iterations(dir: &Dir) -> Vec<u8> {
    dir.two_tier_ca();
    dir.client("alice", &[]);
    dir.openssl(&[
        "pkcs12",
        "-export",
        "-inkey",
        "alice.key",
        "-in",
        "alice.pem",
        "-certfile",
        "int.pem",
        "-iter",
        "100000",
        "-passout",
        &format!("pass:{PASSWORD}"),
        "-out",
        "base.p12",
    ]);
    std::fs::read(dir.join("base.p12")).expect("base.p12")
}

/// Where `needle` occurs in `haystack`.
fn positions(haystack: &[u8], needle: &[u8]) -> Vec<usize> {
    haystack
        .windows(needle.len())
        .enumerate()
        .filter(|(_, w)| *w == needle)
        .map(|(i, _)| i)
        .collect()
}

/// Runs `convert from-p12` and `inspect` on `file` with the right password; both must fail
/// with one line holding every piece of `expected`, write nothing and print nothing.
fn assert_refused(dir: &Dir, file: &str, expected: &[&str]) {
    for args in [
        &[
            "convert",
            "from-p12",
            file,
            "--key-out",
            "k.pem",
            "--cert-out",
            "c.pem",
        ][..],
        &["inspect", file][..],
    ] {
        let out = dir.certgate_env(args, &[("CERTGATE_PASSWORD", PASSWORD)]);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {}", text(&out));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(stderr.trim().lines().count(), 1, "one line: {stderr}");
        for piece in expected {
            assert!(
                stderr.contains(piece),
                "{args:?}: `{piece}` missing in {stderr}"
            );
        }
        assert!(out.stdout.is_empty(), "{args:?}: {}", text(&out));
        assert!(!dir.join("k.pem").exists() && !dir.join("c.pem").exists());
    }
}

#[test]
fn a_huge_iteration_count_is_refused_by_name_before_any_derivation() {
    let dir = Dir::new();
    let base = openssl_p12_with_100000_iterations(&dir);
    // The unchanged file opens: the rewrites below are all that differs.
    let out = dir.certgate_env(&["inspect", "base.p12"], &[("CERTGATE_PASSWORD", PASSWORD)]);
    common::assert_success(&out, "inspect base.p12");
    let at = positions(&base, &[0x02, 0x03, 0x01, 0x86, 0xA0]);
    // The certificate container's PBKDF2, the key's PBKDF2, the MAC, in file order.
    assert_eq!(
        at.len(),
        3,
        "three iteration counts in openssl's file: {at:?}"
    );
    for (i, what) in ["a certificate container", "a private key", "the MAC"]
        .into_iter()
        .enumerate()
    {
        // 0x7FFFFF = 8,388,607 iterations: minutes of PBKDF2, and p12-keystore's "Invalid
        // parameters" before this check existed.
        let mut hostile = base.clone();
        hostile[at[i] + 2..at[i] + 5].copy_from_slice(&[0x7F, 0xFF, 0xFF]);
        std::fs::write(dir.join("hostile.p12"), &hostile).expect("write");
        assert_refused(
            &dir,
            "hostile.p12",
            &[
                "UNSUPPORTED_PKCS12",
                &format!("{what} asks for 8388607 key-derivation iterations"),
                "accepts 1 to 1000000",
            ],
        );
    }
    // A negative count (0x800000, the same three bytes) is no derivation at all.
    let mut negative = base.clone();
    negative[at[2] + 2..at[2] + 5].copy_from_slice(&[0x80, 0x00, 0x00]);
    std::fs::write(dir.join("negative.p12"), &negative).expect("write");
    assert_refused(
        &dir,
        "negative.p12",
        &[
            "UNSUPPORTED_PKCS12",
            "the MAC asks for -8388608 key-derivation iterations",
        ],
    );
}

#[test]
fn truncated_and_foreign_files_are_malformed_pkcs12() {
    let dir = Dir::new();
    let base = openssl_p12_with_100000_iterations(&dir);
    std::fs::write(dir.join("truncated.p12"), &base[..base.len() / 2]).expect("write");
    let out = dir.certgate_env(
        &[
            "convert",
            "from-p12",
            "truncated.p12",
            "--key-out",
            "k.pem",
            "--cert-out",
            "c.pem",
        ],
        &[("CERTGATE_PASSWORD", PASSWORD)],
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("MALFORMED_PKCS12: not a PKCS#12 file (or a damaged one)"),
        "{stderr}"
    );
    assert_eq!(stderr.trim().lines().count(), 1, "one line: {stderr}");
    assert!(!dir.join("k.pem").exists() && !dir.join("c.pem").exists());
    // A certificate's DER is DER, but no PKCS#12 file.
    dir.openssl(&[
        "x509",
        "-in",
        "alice.pem",
        "-outform",
        "DER",
        "-out",
        "alice.der",
    ]);
    let out = dir.certgate_env(
        &[
            "convert",
            "from-p12",
            "alice.der",
            "--key-out",
            "k.pem",
            "--cert-out",
            "c.pem",
        ],
        &[("CERTGATE_PASSWORD", PASSWORD)],
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("MALFORMED_PKCS12"), "{}", text(&out));
}

#[test]
fn algorithms_certgate_cannot_decrypt_are_named_not_blamed_on_the_password() {
    let dir = Dir::new();
    let base = openssl_p12_with_100000_iterations(&dir);
    // hmacWithSHA256 (1.2.840.113549.2.9) as the PBKDF2 PRF of the certificate container
    // becomes hmacWithSHA1 (…2.7), which this build's PBES2 lacks: it used to read as a
    // wrong password.
    let prf = [0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x02, 0x09];
    let at = positions(&base, &prf);
    assert_eq!(at.len(), 2, "the container's and the key's PRF: {at:?}");
    let mut sha1 = base.clone();
    sha1[at[0] + 7] = 0x07;
    std::fs::write(dir.join("sha1.p12"), &sha1).expect("write");
    assert_refused(
        &dir,
        "sha1.p12",
        &[
            "UNSUPPORTED_PKCS12",
            "a certificate container is encrypted with PBES2 and PBKDF2-HMAC-SHA1",
        ],
    );
    // The MAC's SHA-256 (2.16.840.1.101.3.4.2.1) becomes SHA3-256 (…2.8); it used to read as
    // an unsupported encryption scheme.
    let sha256 = [0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01];
    let at = positions(&base, &sha256);
    assert_eq!(at.len(), 1, "the MAC's digest: {at:?}");
    let mut sha3 = base.clone();
    sha3[at[0] + 8] = 0x08;
    std::fs::write(dir.join("sha3.p12"), &sha3).expect("write");
    assert_refused(
        &dir,
        "sha3.p12",
        &[
            "UNSUPPORTED_PKCS12",
            "the MAC uses digest 2.16.840.1.101.3.4.2.8",
        ],
    );
}
