//! certgate-server behind Debian's HAProxy (scripts/test.sh installs `haproxy` when it is
//! missing; `CERTGATE_HAPROXY` names another binary), with docs/proxies/haproxy.cfg: HAProxy
//! terminates mutual TLS letting any certificate through and forwards the leaf as RFC 9440
//! `Client-Cert`; certgate adds the intermediate, verifies and applies the policy.

mod common;

use std::process::Command;

use common::proxy::*;
use common::Server;

const LISTENER: &str = r#"
[[listeners]]
listen = "127.0.0.1:0"
tls = false
source = "forwarded"
format = "rfc9440"
trusted_proxies = ["127.0.0.2/32"]
intermediates = ["intermediate.pem"]
"#;

#[test]
fn haproxy_forwards_client_cert_and_certgate_decides() {
    let pki = ProxyPki::new("haproxy");
    let server = Server::start(&pki.config(LISTENER));
    let forwarded = listener_addrs(&server, 1)[0];
    let binary = engine_binary("CERTGATE_HAPROXY", "/usr/sbin/haproxy", "haproxy");
    let port = free_port();
    let d = pki.dir.0.display().to_string();
    let bundle = format!(
        "{}{}",
        std::fs::read_to_string(pki.dir.path("server.pem")).expect("server.pem"),
        std::fs::read_to_string(pki.dir.path("server.key")).expect("server.key")
    );
    pki.dir.write("server-bundle.pem", bundle);
    let config = include_str!("../../../docs/proxies/haproxy.cfg")
        .replace("/etc/haproxy/certgate/", &format!("{d}/"))
        .replace("bind :443 ssl", &format!("bind 127.0.0.1:{port} ssl"))
        .replace("127.0.0.1:9081", &forwarded.to_string());
    let cfg = pki.dir.write("haproxy.cfg", config);
    let check = Command::new(&binary)
        .arg("-c")
        .arg("-f")
        .arg(&cfg)
        .output()
        .expect("run haproxy -c");
    assert!(
        check.status.success(),
        "haproxy -c: {}{}",
        String::from_utf8_lossy(&check.stdout),
        String::from_utf8_lossy(&check.stderr)
    );
    let mut command = Command::new(&binary);
    command.arg("-db").arg("-f").arg(&cfg);
    let haproxy = Engine::start("haproxy", command, &[port], &pki.dir.path("none.log"));

    let url = format!("https://localhost:{}/customer/1", haproxy.port);
    let get = |client: Option<&str>, extra: &[String]| {
        let mut args = client.map(|c| as_client(&pki, c)).unwrap_or_default();
        args.extend_from_slice(extra);
        curl(&pki, &url, &args)
    };
    let alice = get(Some("alice"), &[]);
    assert_eq!(alice.status(), Some(200), "{alice:?}");
    for (client, status, code) in [
        (Some("mallory"), 403, "ROLE_MISSING"),
        (Some("rogue"), 403, "UNKNOWN_ISSUER"),
        (None, 401, "NO_CERTIFICATE"),
    ] {
        let answer = get(client, &[]);
        assert_eq!(
            (answer.status(), answer.code().as_str()),
            (Some(status), code),
            "{client:?}: {answer:?}"
        );
    }
    // A Client-Cert the client sent itself is deleted by HAProxy…
    let forged = header("Client-Cert", &format!(":{}:", base64(&pki.alice.chain[0])));
    let through = get(None, &forged);
    assert_eq!(through.status(), Some(401), "{through:?}");
    // …and sent straight to certgate (from 127.0.0.1, not HAProxy's 127.0.0.2) it is ignored.
    let direct = curl(
        &pki,
        &format!("http://127.0.0.1:{}/customer/1", forwarded.port()),
        &forged,
    );
    assert_eq!(
        (direct.status(), direct.code().as_str()),
        (Some(401), "NO_CERTIFICATE"),
        "{direct:?}"
    );
    drop(haproxy);
}
