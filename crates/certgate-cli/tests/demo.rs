//! `demo pki`: the exact layout other tooling depends on, what each client is, and a real TLS
//! handshake on loopback — openssl s_server requiring client certificates, curl presenting
//! the demo clients.

#[path = "common/cli.rs"]
mod common;

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{text, Dir};

const LAYOUT: &[&str] = &[
    "root-ca.pem",
    "intermediate-ca.pem",
    "server.pem",
    "server.key",
    "policy.toml",
    "server.toml",
    "crl.pem",
    "clients/alice.pem",
    "clients/alice.key",
    "clients/alice.p12",
    "clients/mallory.pem",
    "clients/mallory.key",
    "clients/mallory.p12",
    "clients/expired.pem",
    "clients/expired.key",
    "clients/expired.p12",
    "clients/rogue.pem",
    "clients/rogue.key",
    "clients/rogue.p12",
];

fn files_under(dir: &std::path::Path) -> Vec<String> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d)
            .expect("read_dir")
            .filter_map(Result::ok)
        {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                found.push(
                    path.strip_prefix(dir)
                        .expect("prefix")
                        .to_string_lossy()
                        .into_owned(),
                );
            }
        }
    }
    found.sort();
    found
}

#[test]
fn demo_pki_has_exactly_the_documented_layout() {
    let dir = Dir::new();
    dir.ok(&["demo", "pki", "--out", "demo"]);
    let root = dir.join("demo");
    let mut expected: Vec<String> = LAYOUT.iter().map(|s| (*s).to_owned()).collect();
    expected.sort();
    assert_eq!(files_under(&root), expected);
    #[cfg(unix)]
    for file in LAYOUT
        .iter()
        .filter(|f| f.ends_with(".key") || f.ends_with(".p12"))
    {
        assert_eq!(common::mode(&root.join(file)), 0o600, "{file}");
    }
    // Running it again refuses; --force replaces.
    let out = dir.certgate(&["demo", "pki", "--out", "demo"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    dir.ok(&["demo", "pki", "--out", "demo", "--force"]);

    let d = |f: &str| format!("demo/{f}");
    // server.pem is the server certificate and the intermediate; SANs localhost and 127.0.0.1.
    assert_eq!(
        dir.read("demo/server.pem")
            .matches("BEGIN CERTIFICATE")
            .count(),
        2
    );
    dir.ok(&[
        "verify",
        &d("server.pem"),
        "--ca",
        &d("root-ca.pem"),
        "--usage",
        "server",
        "--hostname",
        "localhost",
    ]);
    dir.ok(&[
        "verify",
        &d("server.pem"),
        "--ca",
        &d("root-ca.pem"),
        "--usage",
        "server",
        "--hostname",
        "127.0.0.1",
    ]);
    // alice and mallory chain to the root and pass the CRL; expired and rogue do not.
    for (client, code) in [
        ("alice", None),
        ("mallory", None),
        ("expired", Some("CERT_EXPIRED")),
        ("rogue", Some("UNKNOWN_ISSUER")),
    ] {
        let chain = d(&format!("clients/{client}.pem"));
        assert_eq!(
            dir.read(&chain).matches("BEGIN CERTIFICATE").count(),
            2,
            "{client}: leaf + issuer"
        );
        let out = dir.certgate(&[
            "verify",
            &chain,
            "--ca",
            &d("root-ca.pem"),
            "--crl",
            &d("crl.pem"),
            "--json",
        ]);
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
        match code {
            None => assert_eq!(json["valid"], true, "{client}: {}", text(&out)),
            Some(code) => assert_eq!(json["code"], code, "{client}: {}", text(&out)),
        }
        // openssl agrees.
        let verdict = dir.tool(
            "openssl",
            &[
                "verify",
                "-CAfile",
                &d("root-ca.pem"),
                "-untrusted",
                &d("intermediate-ca.pem"),
                "-crl_check",
                "-CRLfile",
                &d("crl.pem"),
                &chain,
            ],
        );
        assert_eq!(
            verdict.status.success(),
            code.is_none(),
            "{client}: {}",
            text(&verdict)
        );
        // The .p12 opens with the default password and holds the key and both certificates.
        let info = dir.openssl(&[
            "pkcs12",
            "-in",
            &d(&format!("clients/{client}.p12")),
            "-passin",
            "pass:changeit",
            "-nodes",
        ]);
        assert_eq!(info.matches("BEGIN CERTIFICATE").count(), 2, "{client}");
        assert!(info.contains("BEGIN PRIVATE KEY"), "{client}");
    }
    // The policy (read by the core's policy module) lets alice, who has role `user`, read a
    // customer, and refuses mallory, who has none; both may ask /whoami.
    let verify_request = |client: &str, path: &str| {
        let chain = d(&format!("clients/{client}.pem"));
        let out = dir.certgate(&[
            "verify",
            &chain,
            "--ca",
            &d("root-ca.pem"),
            "--policy",
            &d("policy.toml"),
            "--path",
            path,
            "--json",
        ]);
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
        (out.status.code(), json)
    };
    let (code, json) = verify_request("alice", "/customer/42");
    assert_eq!(code, Some(0), "{json}");
    assert_eq!(json["policy"]["principal"], "alice");
    assert_eq!(json["policy"]["roles"][0], "user");
    let (code, json) = verify_request("mallory", "/customer/42");
    assert_eq!(code, Some(3), "{json}");
    assert_eq!(json["code"], "ROLE_MISSING");
    let (code, _) = verify_request("mallory", "/whoami");
    assert_eq!(code, Some(0));
    let explained = dir.certgate(&[
        "verify",
        &d("clients/mallory.pem"),
        "--ca",
        &d("root-ca.pem"),
        "--policy",
        &d("policy.toml"),
        "--path",
        "/customer/42",
        "--explain",
    ]);
    let explained = String::from_utf8_lossy(&explained.stdout);
    assert!(explained.contains("principal: mallory"), "{explained}");
    assert!(explained.contains("ROLE_MISSING"), "{explained}");
    // The policy gives alice the role `user` and mallory none.
    let policy = dir.read("demo/policy.toml");
    assert!(policy.contains("alice = [\"user\"]"), "{policy}");
    assert!(!policy.contains("mallory"), "{policy}");
    let server = dir.read("demo/server.toml");
    for key in [
        "cert = \"server.pem\"",
        "key = \"server.key\"",
        "trust_store = \"root-ca.pem\"",
        "crl.pem",
        "policy = \"policy.toml\"",
    ] {
        assert!(
            server.contains(key),
            "{key} missing from server.toml:\n{server}"
        );
    }
}

/// openssl s_server on a free loopback port, requiring a client certificate that chains to
/// the demo root; killed on drop.
struct Server {
    child: Child,
    port: u16,
}

impl Server {
    fn start(dir: &Dir) -> Self {
        let port = TcpListener::bind("127.0.0.1:0")
            .expect("bind")
            .local_addr()
            .expect("addr")
            .port();
        let accept = format!("127.0.0.1:{port}");
        let mut child = Command::new("openssl")
            .args([
                "s_server",
                "-accept",
                &accept,
                "-cert",
                "demo/server.pem",
                "-key",
                "demo/server.key",
                "-cert_chain",
                "demo/intermediate-ca.pem",
                "-CAfile",
                "demo/root-ca.pem",
                "-Verify",
                "2",
                "-verify_return_error",
                "-www",
                "-naccept",
                "10",
            ])
            .current_dir(dir.path())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("openssl s_server");
        // Wait (bounded) for it to accept connections.
        let stdout = child.stdout.take().expect("stdout");
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if line.contains("ACCEPT") {
                    let _ = tx.send(());
                }
            }
        });
        let deadline = Instant::now() + Duration::from_secs(20);
        while rx.recv_timeout(Duration::from_millis(100)).is_err() {
            assert!(Instant::now() < deadline, "openssl s_server did not start");
        }
        Self { child, port }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn curl(dir: &Dir, port: u16, client: Option<&str>) -> std::process::Output {
    let url = format!("https://localhost:{port}/");
    let mut args = vec!["-sS", "--max-time", "10", "--cacert", "demo/root-ca.pem"];
    let cert;
    let key;
    if let Some(name) = client {
        cert = format!("demo/clients/{name}.pem");
        key = format!("demo/clients/{name}.key");
        args.extend_from_slice(&["--cert", &cert, "--key", &key]);
    }
    args.push(&url);
    dir.tool("curl", &args)
}

#[test]
fn curl_presents_demo_clients_to_a_real_tls_server() {
    let dir = Dir::new();
    dir.ok(&["demo", "pki", "--out", "demo"]);
    let server = Server::start(&dir);
    // alice and mallory complete the mutual-TLS handshake (their roles are the policy's business).
    for client in ["alice", "mallory"] {
        let out = curl(&dir, server.port, Some(client));
        assert!(out.status.success(), "{client}: {}", text(&out));
        assert!(
            String::from_utf8_lossy(&out.stdout).contains("s_server"),
            "{client}: {}",
            text(&out)
        );
    }
    // expired and rogue are refused in the handshake, and so is a client without a certificate.
    for client in [Some("expired"), Some("rogue"), None] {
        let out = curl(&dir, server.port, client);
        assert!(
            !out.status.success(),
            "{client:?} was accepted: {}",
            text(&out)
        );
    }
    // The same with the .p12 file for alice (curl reads PKCS#12 with the demo password).
    let url = format!("https://localhost:{}/", server.port);
    let out = dir.tool(
        "curl",
        &[
            "-sS",
            "--max-time",
            "10",
            "--cacert",
            "demo/root-ca.pem",
            "--cert-type",
            "P12",
            "--cert",
            "demo/clients/alice.p12:changeit",
            &url,
        ],
    );
    assert!(out.status.success(), "alice.p12: {}", text(&out));
}

/// A program on PATH, for a `--server-bin` that exits at once.
fn on_path(program: &str) -> std::path::PathBuf {
    std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())
        .map(|dir| dir.join(program))
        .find(|path| path.is_file())
        .unwrap_or_else(|| panic!("{program} not on PATH"))
}

/// `certgate demo` (the tour) writes nothing when it has no server to run, keeps an earlier
/// run's files unless --force, and with --force writes a new PKI. (The tour itself, with
/// certgate-server, runs in scripts/test.sh: this crate's tests cannot build that binary.)
#[test]
fn the_tour_replaces_earlier_files_only_with_force() {
    let dir = Dir::new();
    let tour = |server_bin: &str, force: bool| {
        let mut args = vec![
            "demo",
            "--dir",
            "tour",
            "--port",
            "0",
            "--server-bin",
            server_bin,
        ];
        if force {
            args.push("--force");
        }
        dir.certgate(&args)
    };
    let out = tour("no-such-server", false);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("no-such-server"), "{}", text(&out));
    assert!(!dir.join("tour").exists(), "files written without a server");

    dir.ok(&["demo", "pki", "--out", "tour"]);
    let first_root = dir.read("tour/root-ca.pem");
    // A stand-in server that exits at once: the tour gets as far as starting it.
    let exits = on_path("true");
    let exits = exits.to_str().expect("UTF-8 path");
    let out = tour(exits, false);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("--force"), "{}", text(&out));
    assert_eq!(
        dir.read("tour/root-ca.pem"),
        first_root,
        "replaced without --force"
    );

    let out = tour(exits, true);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        text(&out).contains("certgate-server exited"),
        "{}",
        text(&out)
    );
    assert_ne!(
        dir.read("tour/root-ca.pem"),
        first_root,
        "--force kept the old PKI"
    );
    #[cfg(unix)]
    assert_eq!(common::mode(&dir.join("tour/clients/alice.key")), 0o600);
}
