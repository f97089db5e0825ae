//! Damaged and hostile input: truncated and bit-flipped certificates, CSRs, CRLs, keys and
//! PKCS#12 files never make certgate panic or hang — each run ends with a result or a
//! one-line error.

#[path = "common/cli.rs"]
mod common;

use std::time::{Duration, Instant};

use common::{text, Dir};

/// Variants of `data`: truncations and single-byte flips spread over the whole input.
fn damaged(data: &[u8]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let step = (data.len() / 12).max(1);
    for cut in (1..data.len()).step_by(step) {
        out.push(data[..cut].to_vec());
    }
    for at in (0..data.len()).step_by(step) {
        let mut flipped = data.to_vec();
        flipped[at] ^= 0x5a;
        out.push(flipped);
    }
    out
}

fn assert_clean(dir: &Dir, args: &[&str], what: &str) {
    let start = Instant::now();
    let out = dir.certgate_env(
        args,
        &[("CERTGATE_PASSWORD", "pw"), ("CERTGATE_KEY_PASSWORD", "pw")],
    );
    let code = out.status.code();
    assert!(
        matches!(code, Some(0 | 1 | 3)),
        "{what}: certgate {} ended with {code:?}:\n{}",
        args.join(" "),
        text(&out)
    );
    assert!(!text(&out).contains("panicked"), "{what}: {}", text(&out));
    if code == Some(1) {
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(stderr.trim_end().lines().count(), 1, "{what}: {stderr}");
    }
    assert!(
        start.elapsed() < Duration::from_secs(20),
        "{what}: took {:?}",
        start.elapsed()
    );
}

#[test]
fn damaged_inputs_end_in_a_result_or_a_one_line_error() {
    let dir = Dir::new();
    dir.two_tier_ca();
    dir.client("alice", &[]);
    dir.ok(&[
        "csr",
        "create",
        "--cn",
        "bob",
        "--key-out",
        "bob.key",
        "--csr-out",
        "bob.csr",
    ]);
    dir.ok(&[
        "crl", "create", "--ca", "int.pem", "--ca-key", "int.key", "--serial", "01", "--out",
        "crl.pem",
    ]);
    dir.ok(&["convert", "to-der", "alice-chain.pem", "--out", "chain.der"]);
    dir.ok(&["convert", "key", "alice.key", "--der", "--out", "alice.der"]);
    let out = dir.certgate_env(
        &[
            "keystore",
            "build",
            "--key",
            "alice.key",
            "--cert",
            "alice-chain.pem",
            "--out",
            "alice.p12",
        ],
        &[("CERTGATE_PASSWORD", "pw")],
    );
    common::assert_success(&out, "keystore build");
    dir.openssl(&[
        "pkcs8",
        "-topk8",
        "-in",
        "alice.key",
        "-passout",
        "pass:pw",
        "-out",
        "enc.key",
    ]);

    for source in [
        "alice-chain.pem",
        "chain.der",
        "bob.csr",
        "crl.pem",
        "alice.der",
        "alice.p12",
        "enc.key",
    ] {
        let data = std::fs::read(dir.join(source)).expect("read");
        for (i, variant) in damaged(&data).iter().enumerate() {
            let name = format!("v-{i}-{source}");
            std::fs::write(dir.join(&name), variant).expect("write");
            let what = format!("{source} variant {i}");
            assert_clean(&dir, &["inspect", &name, "--json"], &what);
            assert_clean(
                &dir,
                &[
                    "verify", &name, "--ca", "root.pem", "--crl", "crl.pem", "--json",
                ],
                &what,
            );
            if source.ends_with(".p12") {
                let cert_out = format!("{name}.crt");
                assert_clean(
                    &dir,
                    &[
                        "convert",
                        "from-p12",
                        &name,
                        "--key-out",
                        &format!("{name}.k"),
                        "--cert-out",
                        &cert_out,
                    ],
                    &what,
                );
            } else {
                assert_clean(
                    &dir,
                    &["convert", "key", &name, "--out", &format!("{name}.k")],
                    &what,
                );
                assert_clean(
                    &dir,
                    &["convert", "to-pem", &name, "--out", &format!("{name}.pem2")],
                    &what,
                );
            }
        }
    }
}
