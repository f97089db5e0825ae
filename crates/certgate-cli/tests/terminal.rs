//! On a terminal (a pseudo-terminal made by `script`): passwords are prompted for, twice for
//! a new file, and long RSA key generation shows progress.

#[path = "common/cli.rs"]
mod common;

use std::io::Write;
use std::process::{Command, Output, Stdio};

use common::{text, Dir};

/// Runs `certgate ARGS` under a pseudo-terminal, typing `input`.
fn on_terminal(dir: &Dir, args: &[&str], input: &str) -> Output {
    let command = format!("'{}' {}", env!("CARGO_BIN_EXE_certgate"), args.join(" "));
    let mut child = Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .current_dir(dir.path())
        .env_remove("CERTGATE_PASSWORD")
        .env_remove("CERTGATE_KEY_PASSWORD")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("script (util-linux) must be installed");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.as_bytes())
        .expect("type");
    child.wait_with_output().expect("wait")
}

#[test]
fn passwords_are_prompted_for_and_confirmed() {
    let dir = Dir::new();
    dir.two_tier_ca();
    dir.client("alice", &[]);
    let args = [
        "keystore",
        "build",
        "--key",
        "alice.key",
        "--cert",
        "alice-chain.pem",
        "--out",
        "alice.p12",
    ];
    // Two different answers: refused, nothing written.
    let out = on_terminal(&dir, &args, "first\nsecond\n");
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        text(&out).contains("Password for the key store"),
        "{}",
        text(&out)
    );
    assert!(
        text(&out).contains("the two passwords differ"),
        "{}",
        text(&out)
    );
    assert!(!dir.join("alice.p12").exists());
    // The same answer twice: written, and openssl opens it with that password.
    let out = on_terminal(&dir, &args, "typed secret\ntyped secret\n");
    common::assert_success(&out, "keystore build on a terminal");
    dir.openssl(&[
        "pkcs12",
        "-in",
        "alice.p12",
        "-passin",
        "pass:typed secret",
        "-noout",
    ]);
    // Opening asks once.
    let out = on_terminal(&dir, &["inspect", "alice.p12"], "typed secret\n");
    common::assert_success(&out, "inspect on a terminal");
    assert!(
        text(&out).contains("Private key: EC (alice)"),
        "{}",
        text(&out)
    );
}

#[test]
fn rsa_key_generation_shows_progress() {
    let dir = Dir::new();
    dir.two_tier_ca();
    let out = on_terminal(
        &dir,
        &[
            "cert",
            "issue",
            "--ca",
            "int.pem",
            "--ca-key",
            "int.key",
            "--cn",
            "big",
            "--key-type",
            "rsa3072",
            "--cert-out",
            "big.pem",
            "--key-out",
            "big.key",
        ],
        "",
    );
    common::assert_success(&out, "cert issue rsa3072 on a terminal");
    assert!(
        text(&out).contains("generating an RSA-3072 key"),
        "{}",
        text(&out)
    );
    assert!(
        text(&out).contains("generated an RSA-3072 key in"),
        "{}",
        text(&out)
    );
    // Off a terminal there is no progress output to clutter logs.
    let out = dir.certgate(&[
        "cert",
        "issue",
        "--ca",
        "int.pem",
        "--ca-key",
        "int.key",
        "--cn",
        "big2",
        "--key-type",
        "rsa2048",
        "--cert-out",
        "big2.pem",
        "--key-out",
        "big2.key",
    ]);
    common::assert_success(&out, "cert issue rsa2048");
    assert!(!text(&out).contains("generating"), "{}", text(&out));
}
