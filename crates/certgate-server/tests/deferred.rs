//! client_auth = "deferred" and "optional": the HTTP layer answers 401/403 with the code.

mod common;

use common::keep_alive::KeepAlive;
use common::{DemoPki, Server};

#[test]
fn deferred_answers_with_the_rejection_code() {
    let pki = DemoPki::new("deferred");
    let server = Server::start(&pki.config("deferred", ""));

    let reply = server.curl("/health", None);
    assert_eq!(reply.status, Some(200), "{reply:?}");

    let reply = server.curl("/customer/1", None);
    assert_eq!(reply.status, Some(401), "{reply:?}");
    assert_eq!(reply.json()["code"], "NO_CERTIFICATE");
    assert!(reply.json()["message"]
        .as_str()
        .is_some_and(|m| !m.is_empty()));

    for (client, code) in [("rogue", "UNKNOWN_ISSUER"), ("expired", "CERT_EXPIRED")] {
        let reply = server.curl("/customer/1", Some(client));
        assert_eq!(reply.status, Some(403), "{client}: {reply:?}");
        assert_eq!(reply.json()["code"], code);

        // /whoami says why, with the certificate it refused.
        let reply = server.curl("/whoami", Some(client));
        assert_eq!(reply.status, Some(403), "{client}: {reply:?}");
        let body = reply.json();
        assert_eq!(body["code"], code);
        assert_eq!(body["verdict"]["valid"], false);
        let subject = body["certificate"]["subject"]["rfc4514"]
            .as_str()
            .unwrap_or_default();
        assert!(
            subject.split(',').any(|rdn| rdn == format!("CN={client}")),
            "{subject}"
        );
    }

    let reply = server.curl("/customer/7", Some("alice"));
    assert_eq!(reply.status, Some(200));
    assert_eq!(
        reply.json(),
        serde_json::json!({"id": 7, "name": "Customer7"})
    );
    assert_eq!(server.curl("/customer/x", Some("alice")).status, Some(404));
    assert_eq!(server.curl("/nowhere", Some("alice")).status, Some(404));

    let line = server
        .wait_for_log(|l| {
            l.contains(r#""event":"request""#) && l.contains(r#""code":"UNKNOWN_ISSUER""#)
        })
        .expect("access log line for the rogue client");
    // An unverified certificate names no principal: its CN is the client's claim only.
    assert!(line.contains(r#""principal":null"#), "{line}");
    assert!(line.contains(r#""status":403"#), "{line}");
}

#[test]
fn deferred_reload_revokes_open_and_new_connections() {
    let pki = DemoPki::new("deferred-reload");
    let server = Server::start(&pki.config("deferred", ""));
    assert_eq!(server.curl("/customer/1", Some("alice")).status, Some(200));
    // alice's connection stays open across the reload.
    let mut open = KeepAlive::open(server.addr, &pki.root, &pki.alice);
    assert_eq!(open.get("/customer/1").0, 200);
    let now = common::pki::now();
    pki.dir.write(
        "crl.pem",
        pki.root.crl_pem(&[pki.alice.serial], now - 60, 7),
    );
    server.hangup();
    server
        .wait_for_log(|l| l.contains(r#""event":"reload""#) && l.contains(r#""status":"ok""#))
        .expect("reload");
    let reply = server.curl("/customer/1", Some("alice"));
    assert_eq!(reply.status, Some(403), "{reply:?}");
    assert_eq!(reply.json()["code"], "REVOKED");
    // The open connection was not dropped; its next request is judged under the new CRL.
    let (status, body) = open.get("/customer/1");
    assert_eq!(
        (status, &body["code"]),
        (403, &serde_json::json!("REVOKED"))
    );
}

#[test]
fn optional_allows_no_certificate_but_refuses_a_bad_one() {
    let pki = DemoPki::new("optional");
    let server = Server::start(&pki.config("optional", ""));
    assert_eq!(server.curl("/health", None).status, Some(200));
    let reply = server.curl("/customer/1", None);
    assert_eq!(reply.status, Some(401), "{reply:?}");
    assert_eq!(reply.json()["code"], "NO_CERTIFICATE");
    let reply = server.curl("/customer/1", Some("rogue"));
    assert_eq!(reply.status, None, "{reply:?}");
    assert!(server
        .wait_for_log(|l| l.contains(r#""event":"handshake_failed""#)
            && l.contains(r#""code":"UNKNOWN_ISSUER""#))
        .is_some());
    assert_eq!(server.curl("/customer/1", Some("alice")).status, Some(200));
}
