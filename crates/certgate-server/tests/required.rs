//! client_auth = "required": a valid certificate gets through, anything else fails the
//! handshake with the matching alert and a `handshake_failed` log line carrying the code;
//! SIGHUP reloads CRLs; TLS 1.1 and plaintext HTTP are refused.

mod common;

use common::keep_alive::KeepAlive;
use common::{DemoPki, Server};

fn handshake_failed_with(server: &Server, code: &str) -> bool {
    let needle = format!(r#""code":"{code}""#);
    server
        .wait_for_log(|l| l.contains(r#""event":"handshake_failed""#) && l.contains(&needle))
        .is_some()
}

#[test]
fn alice_is_served_and_everyone_else_fails_the_handshake() {
    let pki = DemoPki::new("required");
    let server = Server::start(&pki.config("required", ""));

    let reply = server.curl("/customer/1", Some("alice"));
    assert_eq!(reply.status, Some(200), "{reply:?}");
    assert_eq!(
        reply.json(),
        serde_json::json!({"id": 1, "name": "Customer1"})
    );

    let reply = server.curl("/whoami", Some("alice"));
    assert_eq!(reply.status, Some(200), "{reply:?}");
    let whoami = reply.json();
    assert_eq!(whoami["principal"], "alice");
    assert_eq!(whoami["verdict"]["valid"], true);
    let subject = whoami["certificate"]["subject"]["rfc4514"]
        .as_str()
        .unwrap_or_default();
    assert!(subject.split(',').any(|rdn| rdn == "CN=alice"), "{subject}");
    assert_eq!(whoami["certificate"]["status"]["state"], "valid");

    let reply = server.curl("/health", Some("alice"));
    assert_eq!(reply.status, Some(200));
    assert_eq!(reply.json(), serde_json::json!({"status": "ok"}));

    // The access log names the principal, route, code and latency.
    let line = server
        .wait_for_log(|l| {
            l.contains(r#""event":"request""#) && l.contains(r#""route":"/customer/{id}""#)
        })
        .expect("access log line");
    let entry: serde_json::Value = serde_json::from_str(&line).expect("JSON");
    assert_eq!(entry["principal"], "alice");
    assert_eq!(entry["code"], "OK");
    assert_eq!(entry["status"], 200);
    assert!(entry["latency_us"].is_u64());
    assert!(
        !line.contains("BEGIN"),
        "no certificate or key bodies in the log: {line}"
    );

    for (client, code) in [
        (Some("rogue"), "UNKNOWN_ISSUER"),
        (Some("expired"), "CERT_EXPIRED"),
        (None, "NO_CERTIFICATE"),
    ] {
        let reply = server.curl("/customer/1", client);
        assert_eq!(
            reply.status, None,
            "{client:?} must not get an HTTP answer: {reply:?}"
        );
        assert!(
            handshake_failed_with(&server, code),
            "{client:?}: no handshake_failed log with {code}"
        );
    }

    // openssl sees the alert for the rogue client.
    let out = server.s_client(Some("rogue"), &["-tls1_2"]);
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert!(text.contains("unknown ca"), "{text}");

    // The server is still answering alice after all those failures.
    assert_eq!(server.curl("/customer/2", Some("alice")).status, Some(200));
}

#[test]
fn old_protocols_and_plaintext_are_refused() {
    let pki = DemoPki::new("protocols");
    let server = Server::start(&pki.config("required", ""));

    // SECLEVEL=0 lets OpenSSL 3 actually offer TLS 1.1, so the refusal is the server's.
    let out = server.s_client(
        Some("alice"),
        &["-tls1_1", "-cipher", "DEFAULT:@SECLEVEL=0"],
    );
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{text}");
    // rustls answers a ClientHello without TLS 1.2 or 1.3 with a handshake_failure alert.
    assert!(text.contains("Cipher is (NONE)"), "{text}");
    assert!(
        text.contains("alert handshake failure") || text.contains("alert protocol version"),
        "{text}"
    );
    assert!(
        handshake_failed_with_error(&server, "incompatible"),
        "no handshake_failed line for TLS 1.1"
    );

    let out = server.s_client(Some("alice"), &["-tls1_2"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("Protocol  : TLSv1.2") || text.contains("TLSv1.2"),
        "{text}"
    );

    let reply = server.curl_plaintext("/health");
    assert_eq!(reply.status, Some(400), "{reply:?}");
    assert_eq!(reply.json()["code"], "PLAINTEXT_HTTP");
    assert!(server
        .wait_for_log(|l| l.contains(r#""event":"plaintext_refused""#))
        .is_some());
    assert_eq!(server.curl("/customer/1", Some("alice")).status, Some(200));
}

fn handshake_failed_with_error(server: &Server, fragment: &str) -> bool {
    server
        .wait_for_log(|l| {
            l.contains(r#""event":"handshake_failed""#)
                && l.to_lowercase().contains(&fragment.to_lowercase())
        })
        .is_some()
}

#[test]
fn tls13_only_refuses_tls12() {
    let pki = DemoPki::new("tls13");
    let server = Server::start(&pki.config("required", "tls_versions = [\"1.3\"]\n"));
    let out = server.s_client(Some("alice"), &["-tls1_2"]);
    assert!(!out.status.success());
    let out = server.s_client(Some("alice"), &["-tls1_3"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("TLSv1.3"), "{text}");
    assert_eq!(server.curl("/customer/1", Some("alice")).status, Some(200));
}

#[test]
fn sighup_reloads_crls_and_keeps_the_old_generation_on_error() {
    let pki = DemoPki::new("reload");
    let server = Server::start(&pki.config("required", ""));
    assert_eq!(server.curl("/customer/1", Some("alice")).status, Some(200));
    // alice's connection stays open across both reloads.
    let mut open = KeepAlive::open(server.addr, &pki.root, &pki.alice);
    assert_eq!(open.get("/customer/1").0, 200);

    // A broken CRL: the reload fails and alice is still served by generation 0.
    pki.dir.write(
        "crl.pem",
        "-----BEGIN X509 CRL-----\nnot base64!\n-----END X509 CRL-----\n",
    );
    server.hangup();
    let failed = server
        .wait_for_log(|l| l.contains(r#""event":"reload""#) && l.contains(r#""status":"failed""#))
        .expect("failed reload logged");
    assert!(failed.contains("crl.pem"), "{failed}");
    assert_eq!(server.curl("/customer/1", Some("alice")).status, Some(200));
    assert_eq!(open.get("/customer/1").0, 200);

    // A CRL revoking alice: after the reload her handshake fails with REVOKED.
    let now = common::pki::now();
    pki.dir.write(
        "crl.pem",
        pki.root.crl_pem(&[pki.alice.serial], now - 60, 7),
    );
    server.hangup();
    server
        .wait_for_log(|l| {
            l.contains(r#""event":"reload""#)
                && l.contains(r#""generation":1"#)
                && l.contains(r#""status":"ok""#)
        })
        .expect("reload to generation 1");
    let reply = server.curl("/customer/1", Some("alice"));
    assert_eq!(reply.status, None, "{reply:?}");
    assert!(handshake_failed_with(&server, "REVOKED"));
    let out = server.s_client(Some("alice"), &["-tls1_2"]);
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert!(text.contains("certificate revoked"), "{text}");
    // The connection opened before the reload is kept, and judged under the new CRL: its
    // handshake is past, so the answer is 403 with the code.
    let (status, body) = open.get("/customer/1");
    assert_eq!(
        (status, &body["code"]),
        (403, &serde_json::json!("REVOKED"))
    );
}

#[test]
fn sighup_reloads_the_trust_store() {
    let pki = DemoPki::new("reload-trust");
    // No CRLs here: the rogue root has none, and this test is about trust only. The server
    // trusts trust.pem; the clients keep trusting the server through ca.pem.
    let config = pki.dir.write(
        "server.toml",
        "listen = \"127.0.0.1:0\"\ncert = \"server.pem\"\nkey = \"server-key.pem\"\n\
         trust_store = \"trust.pem\"\nclient_auth = \"required\"\n",
    );
    pki.dir.write("trust.pem", pki.root.cert_pem());
    let server = Server::start(&config);
    let reloaded_to = |generation: u32| {
        let needle = format!(r#""generation":{generation}"#);
        server
            .wait_for_log(|l| {
                l.contains(r#""event":"reload""#)
                    && l.contains(&needle)
                    && l.contains(r#""status":"ok""#)
            })
            .unwrap_or_else(|| panic!("no reload to generation {generation}"))
    };
    assert_eq!(server.curl("/customer/1", Some("rogue")).status, None);
    assert!(handshake_failed_with(&server, "UNKNOWN_ISSUER"));

    // The rogue client's root joins the trust store: rogue is served, alice still is.
    let rogue_root = common::pki::pem("CERTIFICATE", &pki.rogue.chain[1]);
    pki.dir
        .write("trust.pem", pki.root.cert_pem() + &rogue_root);
    server.hangup();
    reloaded_to(1);
    assert_eq!(server.curl("/customer/1", Some("rogue")).status, Some(200));
    assert_eq!(server.curl("/customer/1", Some("alice")).status, Some(200));

    // A trust store that does not load: the reload fails and generation 1 stays in force.
    pki.dir.write("trust.pem", "not a certificate");
    server.hangup();
    let failed = server
        .wait_for_log(|l| l.contains(r#""event":"reload""#) && l.contains(r#""status":"failed""#))
        .expect("failed reload logged");
    assert!(failed.contains("trust.pem"), "{failed}");
    assert_eq!(server.curl("/customer/1", Some("rogue")).status, Some(200));

    // The demo root alone again: rogue is refused, its cached verdict of generation 1 unused.
    pki.dir.write("trust.pem", pki.root.cert_pem());
    server.hangup();
    reloaded_to(2);
    assert_eq!(server.curl("/customer/1", Some("rogue")).status, None);
    assert_eq!(server.curl("/customer/1", Some("alice")).status, Some(200));
}

#[test]
fn with_watch_secs_a_changed_crl_reloads_without_a_signal() {
    let pki = DemoPki::new("watch");
    let server = Server::start(&pki.config("required", "watch_secs = 1\n"));
    assert_eq!(server.curl("/customer/1", Some("alice")).status, Some(200));
    let now = common::pki::now();
    pki.dir.write(
        "crl.pem",
        pki.root.crl_pem(&[pki.alice.serial], now - 60, 7),
    );
    let line = server
        .wait_for_log(|l| l.contains(r#""event":"reload""#) && l.contains(r#""status":"ok""#))
        .expect("reload on file change");
    assert!(line.contains(r#""cause":"file change""#), "{line}");
    assert_eq!(server.curl("/customer/1", Some("alice")).status, None);
    assert!(handshake_failed_with(&server, "REVOKED"));
}

#[test]
fn a_pinned_leaf_is_trusted_by_itself() {
    let pki = DemoPki::new("pinned");
    pki.dir.write("alice-pinned.pem", pki.alice.leaf_pem());
    let config = pki.dir.write(
        "server.toml",
        "listen = \"127.0.0.1:0\"\ncert = \"server.pem\"\nkey = \"server-key.pem\"\n\
         pinned = [\"alice-pinned.pem\"]\nclient_auth = \"required\"\n",
    );
    let server = Server::start(&config);
    let reply = server.curl("/whoami", Some("alice"));
    assert_eq!(reply.status, Some(200), "{reply:?}");
    assert_eq!(reply.json()["verdict"]["pinned"], true);
    // mallory shares alice's CA, but the CA is not trusted here: only alice's leaf is.
    assert_eq!(server.curl("/whoami", Some("mallory")).status, None);
    assert!(handshake_failed_with(&server, "UNKNOWN_ISSUER"));

    // Only GET is served; ids are canonical.
    let output = std::process::Command::new("curl")
        .args([
            "-sS",
            "--max-time",
            "15",
            "-o",
            "/dev/null",
            "-w",
            "%{http_code}",
            "-X",
            "DELETE",
        ])
        .arg("--cacert")
        .arg(pki.dir.path("ca.pem"))
        .arg("--cert")
        .arg(pki.dir.path("alice.pem"))
        .arg("--key")
        .arg(pki.dir.path("alice-key.pem"))
        .arg("--resolve")
        .arg(format!("localhost:{}:127.0.0.1", server.addr.port()))
        .arg(format!(
            "https://localhost:{}/customer/1",
            server.addr.port()
        ))
        .output()
        .expect("run curl");
    assert_eq!(String::from_utf8_lossy(&output.stdout), "405");
    assert_eq!(server.curl("/customer/01", Some("alice")).status, Some(404));
    assert_eq!(server.curl("/customer/0", Some("alice")).status, Some(404));
}
