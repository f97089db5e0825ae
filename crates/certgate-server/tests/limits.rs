//! Limits: idle handshakes and slow headers are cut off on time, the connection cap holds,
//! and none of it stops the server answering alice. Every loop is bounded.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use common::{DemoPki, Server};

const LIMITS: &str =
    "[limits]\nhandshake_timeout_secs = 2\nheader_read_timeout_secs = 2\nmax_connections = 16\n";

#[test]
fn a_handshake_flood_and_a_slowloris_client_leave_alice_served() {
    let pki = DemoPki::new("limits");
    let server = Server::start(&pki.config("required", LIMITS));

    // Twenty connections that never start a handshake: more than max_connections.
    let idle: Vec<TcpStream> = (0..20)
        .map(|_| TcpStream::connect(server.addr).expect("connect"))
        .collect();
    assert!(server
        .wait_for_log(|l| l.contains(r#""event":"connection_refused""#))
        .is_some());
    // The handshake deadline frees their slots; then alice gets through.
    let started = Instant::now();
    let mut served = false;
    while started.elapsed() < Duration::from_secs(20) {
        if server.curl("/customer/1", Some("alice")).status == Some(200) {
            served = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(250));
    }
    assert!(served, "alice not served after the flood");
    drop(idle);

    // Garbage instead of a ClientHello: refused, server unaffected.
    for _ in 0..10 {
        let mut sock = TcpStream::connect(server.addr).expect("connect");
        let _ = sock.write_all(&[0x16, 0x03, 0x01, 0xff, 0xff, 0, 1, 2, 3]);
        let _ = sock.set_read_timeout(Some(Duration::from_secs(5)));
        let mut buf = [0u8; 64];
        let _ = sock.read(&mut buf);
    }

    // A slowloris client over TLS: starts a request and never finishes its headers.
    let mut slow = std::process::Command::new("timeout")
        .args(["15", "openssl", "s_client", "-quiet", "-connect"])
        .arg(server.addr.to_string())
        .arg("-cert")
        .arg(pki.dir.path("alice.pem"))
        .arg("-key")
        .arg(pki.dir.path("alice-key.pem"))
        .arg("-CAfile")
        .arg(pki.dir.path("ca.pem"))
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("spawn openssl");
    let mut stdin = slow.stdin.take().expect("stdin");
    stdin
        .write_all(b"GET /customer/1 HTTP/1.1\r\nHost: localhost\r\nX-Slow: ")
        .expect("write partial head");
    stdin.flush().expect("flush");
    // The server gives up on the head after header_read_timeout_secs and closes; openssl exits.
    let started = Instant::now();
    let status = loop {
        if let Some(status) = slow.try_wait().expect("wait") {
            break Some(status);
        }
        if started.elapsed() > Duration::from_secs(14) {
            break None;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let _ = slow.kill();
    let _ = slow.wait();
    assert!(status.is_some(), "the slow client was not cut off");
    let mut answer = String::new();
    let _ = slow
        .stdout
        .take()
        .expect("stdout")
        .read_to_string(&mut answer);
    assert!(
        !answer.contains("Customer1"),
        "an unfinished request was answered: {answer}"
    );
    drop(stdin);

    assert_eq!(server.curl("/customer/1", Some("alice")).status, Some(200));
}

#[test]
fn oversized_headers_get_431() {
    let pki = DemoPki::new("headers");
    let server = Server::start(&pki.config("required", LIMITS));
    let big = "x".repeat(20_000);
    let output = std::process::Command::new("curl")
        .args([
            "-sS",
            "--max-time",
            "15",
            "-o",
            "/dev/null",
            "-w",
            "%{http_code}",
        ])
        .arg("--cacert")
        .arg(pki.dir.path("ca.pem"))
        .arg("--cert")
        .arg(pki.dir.path("alice.pem"))
        .arg("--key")
        .arg(pki.dir.path("alice-key.pem"))
        .arg("--resolve")
        .arg(format!("localhost:{}:127.0.0.1", server.addr.port()))
        .arg("-H")
        .arg(format!("X-Big: {big}"))
        .arg(format!(
            "https://localhost:{}/customer/1",
            server.addr.port()
        ))
        .output()
        .expect("run curl");
    let code = String::from_utf8_lossy(&output.stdout);
    assert_eq!(
        code.trim(),
        "431",
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(server.curl("/customer/1", Some("alice")).status, Some(200));
}

#[test]
fn an_idle_tls_connection_is_closed() {
    let pki = DemoPki::new("idle");
    let server = Server::start(&pki.config("required", LIMITS));
    // Handshake done, then silence: the header read timeout (2 s) closes the connection.
    let mut idle = std::process::Command::new("timeout")
        .args(["15", "openssl", "s_client", "-quiet", "-connect"])
        .arg(server.addr.to_string())
        .arg("-cert")
        .arg(pki.dir.path("alice.pem"))
        .arg("-key")
        .arg(pki.dir.path("alice-key.pem"))
        .arg("-CAfile")
        .arg(pki.dir.path("ca.pem"))
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("spawn openssl");
    let started = Instant::now();
    let status = loop {
        if let Some(status) = idle.try_wait().expect("wait") {
            break Some(status);
        }
        if started.elapsed() > Duration::from_secs(12) {
            break None;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let _ = idle.kill();
    let _ = idle.wait();
    assert!(status.is_some(), "the idle connection was not closed");
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "closed before the timeout"
    );
    assert_eq!(server.curl("/customer/1", Some("alice")).status, Some(200));
}
