//! `openssl s_client` as the peer, for each demo client in each client-auth mode, with the
//! demo policy: alice 200, mallory 403 `ROLE_MISSING`; expired and rogue refused with the
//! TLS alert in required and optional mode and answered 403 with the code in deferred mode;
//! no certificate refused in the handshake (required) or answered 401 (optional, deferred);
//! `/health` anonymous wherever a handshake without a certificate completes. TLS 1.2 and 1.3.

mod common;

use common::{DemoPki, Server};

const POLICY: &str = "policy = \"policy.toml\"\n";

/// alice and mallory get the same answers in every mode: the policy decides.
fn verified_clients_are_judged_by_the_policy(server: &Server, version: &str) {
    let reply = server.s_client_get("/customer/1", Some("alice"), &[version]);
    assert_eq!(reply.status, Some(200), "alice {version}: {reply:?}");
    assert_eq!(
        reply.json(),
        serde_json::json!({"id": 1, "name": "Customer1"})
    );
    let reply = server.s_client_get("/customer/1", Some("mallory"), &[version]);
    assert_eq!(reply.status, Some(403), "mallory {version}: {reply:?}");
    assert_eq!(reply.json()["code"], "ROLE_MISSING");
}

#[test]
fn required_mode_refuses_bad_and_missing_certificates_in_the_handshake() {
    let pki = DemoPki::new("s-client-required");
    let server = Server::start(&pki.config("required", POLICY));
    for version in ["-tls1_2", "-tls1_3"] {
        verified_clients_are_judged_by_the_policy(&server, version);
        for (client, alert) in [
            (Some("expired"), "certificate expired"),
            (Some("rogue"), "unknown ca"),
        ] {
            let reply = server.s_client_get("/customer/1", client, &[version]);
            assert_eq!(reply.status, None, "{client:?} {version}: {reply:?}");
            assert!(
                reply.stderr.contains(alert),
                "{client:?} {version}: no `{alert}` alert: {reply:?}"
            );
        }
        let reply = server.s_client_get("/health", None, &[version]);
        assert_eq!(reply.status, None, "no certificate {version}: {reply:?}");
        assert!(reply.stderr.contains("alert"), "{version}: {reply:?}");
    }
    // TLS 1.3 has an alert for exactly this (RFC 8446 §4.4.2.4).
    let reply = server.s_client_get("/health", None, &["-tls1_3"]);
    assert!(reply.stderr.contains("certificate required"), "{reply:?}");
}

#[test]
fn optional_mode_answers_401_without_a_certificate_and_refuses_bad_ones() {
    let pki = DemoPki::new("s-client-optional");
    let server = Server::start(&pki.config("optional", POLICY));
    for version in ["-tls1_2", "-tls1_3"] {
        verified_clients_are_judged_by_the_policy(&server, version);
        for client in ["expired", "rogue"] {
            let reply = server.s_client_get("/customer/1", Some(client), &[version]);
            assert_eq!(reply.status, None, "{client} {version}: {reply:?}");
        }
        let reply = server.s_client_get("/customer/1", None, &[version]);
        assert_eq!(reply.status, Some(401), "{version}: {reply:?}");
        assert_eq!(reply.json()["code"], "NO_CERTIFICATE");
        let reply = server.s_client_get("/health", None, &[version]);
        assert_eq!(reply.status, Some(200), "{version}: {reply:?}");
    }
}

#[test]
fn deferred_mode_answers_bad_certificates_with_403_and_the_code() {
    let pki = DemoPki::new("s-client-deferred");
    let server = Server::start(&pki.config("deferred", POLICY));
    for version in ["-tls1_2", "-tls1_3"] {
        verified_clients_are_judged_by_the_policy(&server, version);
        for (client, code) in [("expired", "CERT_EXPIRED"), ("rogue", "UNKNOWN_ISSUER")] {
            let reply = server.s_client_get("/customer/1", Some(client), &[version]);
            assert_eq!(reply.status, Some(403), "{client} {version}: {reply:?}");
            assert_eq!(reply.json()["code"], code, "{client} {version}");
        }
        let reply = server.s_client_get("/customer/1", None, &[version]);
        assert_eq!(reply.status, Some(401), "{version}: {reply:?}");
        assert_eq!(reply.json()["code"], "NO_CERTIFICATE");
        let reply = server.s_client_get("/health", None, &[version]);
        assert_eq!(reply.status, Some(200), "{version}: {reply:?}");
        assert_eq!(reply.json(), serde_json::json!({"status": "ok"}));
    }
}
