//! Output safety and input errors: keys 0600, no overwrite without --force, nothing written
//! on failure, one-line causes and documented exit codes for bad input.

#[path = "common/cli.rs"]
mod common;

use common::{text, Dir};

#[test]
fn keys_are_private_and_nothing_is_overwritten_without_force() {
    let dir = Dir::new();
    dir.two_tier_ca();
    dir.client("alice", &[]);
    #[cfg(unix)]
    {
        for key in ["root.key", "int.key", "alice.key"] {
            assert_eq!(common::mode(&dir.join(key)), 0o600, "{key}");
        }
        assert_ne!(
            common::mode(&dir.join("alice.pem")) & 0o044,
            0,
            "certificates stay readable"
        );
    }
    let before_cert = dir.read("alice.pem");
    let before_key = dir.read("alice.key");
    // The certificate exists: refused before any work, neither file touched.
    let args = [
        "cert",
        "issue",
        "--ca",
        "int.pem",
        "--ca-key",
        "int.key",
        "--cn",
        "alice",
        "--cert-out",
        "alice.pem",
        "--key-out",
        "new.key",
    ];
    let out = dir.certgate(&args);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out).contains("alice.pem exists; use --force"),
        "{}",
        text(&out)
    );
    assert_eq!(dir.read("alice.pem"), before_cert);
    assert!(!dir.join("new.key").exists(), "no partial output");
    // With --force both are replaced, and the key is still 0600.
    let mut forced = args.to_vec();
    let last = forced.len() - 1;
    forced[last] = "alice.key";
    forced.push("--force");
    dir.ok(&forced);
    assert_ne!(dir.read("alice.pem"), before_cert);
    assert_ne!(dir.read("alice.key"), before_key);
    #[cfg(unix)]
    assert_eq!(common::mode(&dir.join("alice.key")), 0o600);
    // No temporary files are left anywhere.
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .expect("dir")
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    // The same path twice is refused.
    let out = dir.certgate(&["ca", "init", "--cert-out", "x.pem", "--key-out", "x.pem"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(!dir.join("x.pem").exists());
}

#[test]
fn bad_input_gets_a_one_line_cause_and_exit_code_1() {
    let dir = Dir::new();
    dir.two_tier_ca();
    dir.write("junk.pem", "this is not a certificate\n");
    dir.write("truncated.pem", "-----BEGIN CERTIFICATE-----\nMIIB\n");
    std::fs::write(dir.join("garbage.der"), [0x30u8, 0x82, 0xff, 0xff, 1, 2, 3]).expect("write");
    let cases: &[&[&str]] = &[
        &["inspect", "missing.pem"],
        &["inspect", "junk.pem"],
        &["inspect", "garbage.der", "--password-env", "UNSET_FOR_TEST"],
        &[
            "cert",
            "issue",
            "--ca",
            "junk.pem",
            "--ca-key",
            "int.key",
            "--cn",
            "x",
            "--cert-out",
            "a.pem",
            "--key-out",
            "a.key",
        ],
        &[
            "cert",
            "issue",
            "--ca",
            "int.pem",
            "--ca-key",
            "root.key",
            "--cn",
            "x",
            "--cert-out",
            "a.pem",
            "--key-out",
            "a.key",
        ],
        &[
            "cert",
            "issue",
            "--ca",
            "int.pem",
            "--ca-key",
            "int.key",
            "--subject",
            "CN",
            "--cert-out",
            "a.pem",
            "--key-out",
            "a.key",
        ],
        &[
            "cert",
            "issue",
            "--ca",
            "int.pem",
            "--ca-key",
            "int.key",
            "--cn",
            "x",
            "--days",
            "99999",
            "--cert-out",
            "a.pem",
            "--key-out",
            "a.key",
        ],
        &["verify", "int.pem", "--ca", "junk.pem"],
        &["convert", "key", "junk.pem", "--out", "a.key"],
        &["convert", "to-der", "truncated.pem", "--out", "a.der"],
        &[
            "csr",
            "sign",
            "--csr",
            "junk.pem",
            "--ca",
            "int.pem",
            "--ca-key",
            "int.key",
            "--cert-out",
            "a.pem",
        ],
        &[
            "crl", "revoke", "--crl", "junk.pem", "--ca", "int.pem", "--ca-key", "int.key",
            "--serial", "01", "--out", "a.pem",
        ],
    ];
    for args in cases {
        let out = dir.certgate(args);
        assert_eq!(
            out.status.code(),
            Some(1),
            "certgate {}: {}",
            args.join(" "),
            text(&out)
        );
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.starts_with("certgate: "), "{stderr}");
        assert_eq!(
            stderr.trim_end().lines().count(),
            1,
            "one line for {}: {stderr}",
            args.join(" ")
        );
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
    for output in ["a.pem", "a.key", "a.der"] {
        assert!(
            !dir.join(output).exists(),
            "{output} written by a failing command"
        );
    }
    // A leaf is not a CA.
    dir.client("alice", &[]);
    let out = dir.certgate(&[
        "cert",
        "issue",
        "--ca",
        "alice.pem",
        "--ca-key",
        "alice.key",
        "--cn",
        "x",
        "--cert-out",
        "a.pem",
        "--key-out",
        "a.key",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out).contains("not a CA certificate"),
        "{}",
        text(&out)
    );
    // Invalid command lines exit 2.
    assert_eq!(
        dir.certgate(&["cert", "issue", "--no-such-flag"])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(dir.certgate(&["verify"]).status.code(), Some(2));
}

#[test]
fn verify_exit_codes_and_json() {
    let dir = Dir::new();
    dir.two_tier_ca();
    dir.client("alice", &[]);
    dir.client("srv", &["--dns", "api.example.com", "--eku", "server"]);
    dir.write("empty.pem", "");
    // Accepted: exit 0, and the JSON names the path.
    let out = dir.ok(&["verify", "alice-chain.pem", "--ca", "root.pem", "--json"]);
    let json: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    assert_eq!(json["valid"], true);
    assert_eq!(json["usage"], "clientAuth");
    assert_eq!(
        json["path"][2]["subject"],
        "CN=Test Root,O=certgate tests,C=GB"
    );
    // Each rejection: exit 3 and its stable code.
    let cases: &[(&[&str], &str)] = &[
        (
            &[
                "alice-chain.pem",
                "--ca",
                "root.pem",
                "--time",
                "2100-01-01T00:00:00Z",
            ],
            "CERT_EXPIRED",
        ),
        (
            &[
                "alice-chain.pem",
                "--ca",
                "root.pem",
                "--time",
                "2001-01-01T00:00:00Z",
            ],
            "CERT_NOT_YET_VALID",
        ),
        (
            &["alice-chain.pem", "--ca", "root.pem", "--usage", "server"],
            "WRONG_USAGE",
        ),
        (
            &[
                "srv-chain.pem",
                "--ca",
                "root.pem",
                "--usage",
                "server",
                "--hostname",
                "other.example.com",
            ],
            "NAME_MISMATCH",
        ),
        (&["alice.pem", "--ca", "root.pem"], "UNKNOWN_ISSUER"),
        (&["empty.pem", "--ca", "root.pem"], "NO_CERTIFICATE"),
    ];
    for (args, code) in cases {
        let mut full = vec!["verify", "--json"];
        full.extend_from_slice(args);
        let out = dir.certgate(&full);
        assert_eq!(out.status.code(), Some(3), "{code}: {}", text(&out));
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
        assert_eq!(json["valid"], false);
        assert_eq!(json["code"], *code, "{}", text(&out));
        assert!(json["message"].as_str().is_some_and(|m| !m.is_empty()));
    }
    dir.ok(&[
        "verify",
        "srv-chain.pem",
        "--ca",
        "root.pem",
        "--usage",
        "server",
        "--hostname",
        "api.example.com",
    ]);
    // Text mode prints the code too.
    let out = dir.certgate(&[
        "verify",
        "alice-chain.pem",
        "--ca",
        "root.pem",
        "--time",
        "2100-01-01T00:00:00Z",
    ]);
    assert!(
        String::from_utf8_lossy(&out.stdout).starts_with("REJECTED CERT_EXPIRED: "),
        "{}",
        text(&out)
    );
    // A pinned self-signed leaf is trusted by itself.
    dir.ok(&[
        "ca",
        "init",
        "--cn",
        "Self",
        "--cert-out",
        "self.pem",
        "--key-out",
        "self.key",
    ]);
    let out = dir.ok(&["verify", "self.pem", "--pin", "self.pem", "--json"]);
    let json: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    assert_eq!(json["pinned"], true);
    // The chain from stdin.
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_certgate"))
        .args(["verify", "-", "--ca", "root.pem"])
        .current_dir(dir.path())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().expect("stdin");
        stdin
            .write_all(dir.read("alice-chain.pem").as_bytes())
            .expect("write");
    }
    assert!(child.wait_with_output().expect("wait").status.success());
}
