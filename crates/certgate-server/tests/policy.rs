//! Route access from the policy (`policy = "policy.toml"`): alice holds `user`, mallory holds
//! nothing, unknown routes are denied, and a policy reload takes effect.

mod common;

use common::{DemoPki, Server};

#[test]
fn the_policy_decides_each_route() {
    let pki = DemoPki::new("policy");
    let server = Server::start(&pki.config("deferred", "policy = \"policy.toml\"\n"));

    assert_eq!(server.curl("/health", None).status, Some(200));

    let reply = server.curl("/customer/1", Some("alice"));
    assert_eq!(reply.status, Some(200), "{reply:?}");
    assert_eq!(
        reply.json(),
        serde_json::json!({"id": 1, "name": "Customer1"})
    );

    let reply = server.curl("/customer/1", Some("mallory"));
    assert_eq!(reply.status, Some(403), "{reply:?}");
    assert_eq!(reply.json()["code"], "ROLE_MISSING");

    let reply = server.curl("/whoami", Some("alice"));
    assert_eq!(reply.status, Some(200), "{reply:?}");
    let body = reply.json();
    assert_eq!(body["principal"], "alice");
    assert_eq!(body["roles"], serde_json::json!(["user"]));
    assert_eq!(body["verdict"]["valid"], true);

    // mallory may ask who she is (authenticated route) and sees she has no roles.
    let reply = server.curl("/whoami", Some("mallory"));
    assert_eq!(reply.status, Some(200), "{reply:?}");
    assert_eq!(reply.json()["roles"], serde_json::json!([]));

    // Routes the policy does not list are denied before they are looked up.
    let reply = server.curl("/admin", Some("alice"));
    assert_eq!(reply.status, Some(403), "{reply:?}");
    assert_eq!(reply.json()["code"], "POLICY_NO_MATCH");

    // No certificate: 401; a refused certificate: 403 with the verification code.
    let reply = server.curl("/customer/1", None);
    assert_eq!(reply.status, Some(401), "{reply:?}");
    assert_eq!(reply.json()["code"], "NO_CERTIFICATE");
    let reply = server.curl("/customer/1", Some("rogue"));
    assert_eq!(reply.status, Some(403), "{reply:?}");
    assert_eq!(reply.json()["code"], "UNKNOWN_ISSUER");
    let reply = server.curl("/customer/1", Some("expired"));
    assert_eq!(reply.json()["code"], "CERT_EXPIRED");

    let line = server
        .wait_for_log(|l| {
            l.contains(r#""event":"request""#) && l.contains(r#""code":"ROLE_MISSING""#)
        })
        .expect("access log line for mallory");
    assert!(line.contains(r#""principal":"mallory""#), "{line}");
}

#[test]
fn a_policy_reload_takes_effect_and_a_broken_one_is_refused() {
    let pki = DemoPki::new("policy-reload");
    let server = Server::start(&pki.config("required", "policy = \"policy.toml\"\n"));
    assert_eq!(
        server.curl("/customer/1", Some("mallory")).status,
        Some(403)
    );

    pki.dir.write(
        "policy.toml",
        "[[routes]]\npath = \"/customer/{id}\"\nroles = [\"nobody-has-this\"]\n",
    );
    server.hangup();
    let failed = server
        .wait_for_log(|l| l.contains(r#""event":"reload""#) && l.contains(r#""status":"failed""#))
        .expect("failed reload logged");
    assert!(failed.contains("policy"), "{failed}");
    assert_eq!(server.curl("/customer/1", Some("alice")).status, Some(200));

    pki.dir.write(
        "policy.toml",
        common::POLICY.replace(
            "alice = [\"user\"]",
            "alice = [\"user\"]\nmallory = [\"user\"]",
        ),
    );
    server.hangup();
    server
        .wait_for_log(|l| l.contains(r#""event":"reload""#) && l.contains(r#""status":"ok""#))
        .expect("reload");
    assert_eq!(
        server.curl("/customer/1", Some("mallory")).status,
        Some(200)
    );
}

#[test]
fn an_invalid_policy_stops_the_start() {
    let pki = DemoPki::new("policy-invalid");
    pki.dir.write(
        "policy.toml",
        "[principal]\nsource = \"subject_regex\"\nregex = \"CN=(\"\n",
    );
    let stderr = common::start_fails(&pki.config("required", "policy = \"policy.toml\"\n"));
    assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
    assert!(stderr.contains("invalid policy"), "{stderr}");
}
