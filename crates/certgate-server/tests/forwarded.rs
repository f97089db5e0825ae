//! Forwarded client certificates without a proxy: curl plays the proxy, so each header
//! convention, the trusted-proxy rules and the `/auth` endpoint are checked exactly.
//! (tests/nginx.rs runs the same server behind a real nginx.)

mod common;

use common::proxy::*;
use common::{start_fails, Server};

/// Plain-HTTP forwarded listeners trusting 127.0.0.1, one per format, then one that trusts
/// only 127.0.0.2 (curl connects from 127.0.0.1: an untrusted sender).
const LISTENERS: &str = r#"
[[listeners]]
listen = "127.0.0.1:0"
tls = false
source = "forwarded"
format = "nginx"
trusted_proxies = ["127.0.0.1/32"]
intermediates = ["intermediate.pem"]
auth_request = true

[[listeners]]
listen = "127.0.0.1:0"
tls = false
source = "forwarded"
format = "aws-alb"
trusted_proxies = ["127.0.0.0/8"]

[[listeners]]
listen = "127.0.0.1:0"
tls = false
source = "forwarded"
format = "envoy-xfcc"
trusted_proxies = ["127.0.0.1"]

[[listeners]]
listen = "127.0.0.1:0"
tls = false
source = "forwarded"
format = "traefik"
trusted_proxies = ["::ffff:127.0.0.1/128"]

[[listeners]]
listen = "127.0.0.1:0"
tls = false
source = "forwarded"
format = "rfc9440"
trusted_proxies = ["127.0.0.1/32"]

[[listeners]]
listen = "127.0.0.1:0"
tls = false
source = "forwarded"
format = "nginx"
trusted_proxies = ["127.0.0.2/32"]
intermediates = ["intermediate.pem"]
"#;

struct Setup {
    pki: ProxyPki,
    server: Server,
    nginx: String,
    alb: String,
    envoy: String,
    traefik: String,
    rfc9440: String,
    untrusted: String,
}

fn setup(name: &str) -> Setup {
    let pki = ProxyPki::new(name);
    let server = Server::start(&pki.config(LISTENERS));
    let addrs = listener_addrs(&server, 6);
    let url = |i: usize| format!("http://127.0.0.1:{}", addrs[i].port());
    Setup {
        nginx: url(0),
        alb: url(1),
        envoy: url(2),
        traefik: url(3),
        rfc9440: url(4),
        untrusted: url(5),
        pki,
        server,
    }
}

#[test]
fn every_format_names_alice_and_judges_mallory_rogue_and_expired() {
    let s = setup("formats");
    let chain = |id: &common::pki::Identity| {
        id.chain
            .iter()
            .map(|c| common::pki::pem("CERTIFICATE", c))
            .collect::<String>()
    };
    for (who, id, status, code) in [
        ("alice", &s.pki.alice, 200, "OK"),
        ("mallory", &s.pki.mallory, 403, "ROLE_MISSING"),
        ("rogue", &s.pki.rogue, 403, "UNKNOWN_ISSUER"),
        ("expired", &s.pki.expired, 403, "CERT_EXPIRED"),
    ] {
        let leaf = common::pki::pem("CERTIFICATE", &id.chain[0]);
        let bodies: Vec<String> = id.chain.iter().map(|c| base64(c)).collect();
        let cases = [
            // nginx: the leaf alone, escaped; the listener adds the configured intermediate.
            (&s.nginx, header("X-SSL-Client-Cert", &nginx_escape(&leaf))),
            // ALB: the whole chain, `+ / =` left raw.
            (&s.alb, header("X-Amzn-Mtls-Clientcert", &alb_escape(&chain(id)))),
            // Envoy: a quoted Chain beside other keys (one element: SANITIZE_SET).
            (
                &s.envoy,
                header(
                    "X-Forwarded-Client-Cert",
                    &format!(
                        "By=spiffe://cluster.local/ns/a/sa/api;Hash=00ff;Cert=\"{}\";Chain=\"{}\";Subject=\"CN={who},O=\\\"Example, Inc\\\"\";URI=",
                        nginx_escape(&leaf),
                        nginx_escape(&chain(id))
                    ),
                ),
            ),
            // Traefik: comma-joined base64 DER, query-escaped.
            (&s.traefik, header("X-Forwarded-Tls-Client-Cert", &nginx_escape(&bodies.join(",")))),
            // RFC 9440: Client-Cert, and the chain in Client-Cert-Chain.
            (&s.rfc9440, {
                let mut args = header("Client-Cert", &format!(":{}:", bodies[0]));
                let rest: Vec<String> = bodies[1..].iter().map(|b| format!(":{b}:")).collect();
                if !rest.is_empty() {
                    args.extend(header("Client-Cert-Chain", &rest.join(", ")));
                }
                args
            }),
        ];
        for (base, args) in cases {
            let answer = curl(&s.pki, &format!("{base}/customer/1"), &args);
            assert_eq!(
                answer.status(),
                Some(status),
                "{who} via {base}: {answer:?}"
            );
            if status != 200 {
                assert_eq!(answer.code(), code, "{who} via {base}: {answer:?}");
            }
            let whoami = curl(&s.pki, &format!("{base}/whoami"), &args);
            if status == 200 || code == "ROLE_MISSING" {
                assert_eq!(
                    whoami.reply.json()["principal"],
                    who,
                    "{who} via {base}: {whoami:?}"
                );
            } else {
                // A refused certificate names no principal; /whoami says why.
                assert_eq!(whoami.reply.json()["verdict"]["code"], code, "{whoami:?}");
                assert_eq!(whoami.reply.json()["principal"], serde_json::Value::Null);
            }
        }
    }
    // The request log says which listener and source judged each request.
    let line = s
        .server
        .wait_for_log(|l| {
            l.contains(r#""event":"request""#)
                && l.contains(r#""source":"forwarded""#)
                && l.contains(r#""principal":"alice""#)
        })
        .expect("request log line");
    assert!(line.contains(r#""status":200"#), "{line}");
}

#[test]
fn no_header_is_no_certificate_and_broken_headers_are_refused() {
    let s = setup("broken");
    let answer = curl(&s.pki, &format!("{}/customer/1", s.nginx), &[]);
    assert_eq!(
        (answer.status(), answer.code().as_str()),
        (Some(401), "NO_CERTIFICATE")
    );
    // An empty value is what nginx sends for a client without a certificate.
    // (curl sends `Name:` with an empty value for `-H "Name;"`.)
    let empty = vec!["-H".to_owned(), "X-SSL-Client-Cert;".to_owned()];
    let answer = curl(&s.pki, &format!("{}/customer/1", s.nginx), &empty);
    assert_eq!(answer.status(), Some(401), "{answer:?}");
    // From a trusted proxy, a value that does not decode is a refusal with its code.
    for (base, args) in [
        (
            &s.nginx,
            header(
                "X-SSL-Client-Cert",
                "-----BEGIN%20CERTIFICATE-----%0AMII%ZZ",
            ),
        ),
        (&s.rfc9440, header("Client-Cert", ":not base64!:")),
        // The configured format only: an RFC 9440 value on the nginx listener is not read.
        (
            &s.nginx,
            header(
                "X-SSL-Client-Cert",
                &format!(":{}:", base64(&s.pki.alice.chain[0])),
            ),
        ),
    ] {
        let answer = curl(&s.pki, &format!("{base}/customer/1"), &args);
        assert_eq!(
            (answer.status(), answer.code().as_str()),
            (Some(403), "MALFORMED_PEM"),
            "{answer:?}"
        );
    }
    // An XFCC value with two elements (an appending hop): the last is the trusted hop's and is
    // read; a client-written first element carrying alice's chain does not count.
    let leaf = nginx_escape(&s.pki.alice.leaf_pem());
    let forged_first = header(
        "X-Forwarded-Client-Cert",
        &format!("Hash=00;Cert=\"{leaf}\",By=spiffe://edge;Hash=11;URI=spiffe://client"),
    );
    let answer = curl(&s.pki, &format!("{}/customer/1", s.envoy), &forged_first);
    assert_eq!(
        (answer.status(), answer.code().as_str()),
        (Some(401), "NO_CERTIFICATE"),
        "{answer:?}"
    );
    // Two copies of the header: a proxy replaces it, so one of them is not the proxy's.
    let mut args = header("X-SSL-Client-Cert", &leaf);
    args.extend(header("X-SSL-Client-Cert", &leaf));
    let answer = curl(&s.pki, &format!("{}/customer/1", s.nginx), &args);
    assert_eq!(
        (answer.status(), answer.code().as_str()),
        (Some(403), "MALFORMED_PEM"),
        "{answer:?}"
    );
}

#[test]
fn a_header_from_an_untrusted_sender_is_ignored_and_logged() {
    let s = setup("spoof");
    let forged = header("X-SSL-Client-Cert", &nginx_escape(&s.pki.alice.leaf_pem()));
    // The listener trusts only 127.0.0.2; curl comes from 127.0.0.1.
    let answer = curl(&s.pki, &format!("{}/customer/1", s.untrusted), &forged);
    assert_eq!(
        (answer.status(), answer.code().as_str()),
        (Some(401), "NO_CERTIFICATE"),
        "{answer:?}"
    );
    let whoami = curl(&s.pki, &format!("{}/whoami", s.untrusted), &forged);
    assert_eq!(
        whoami.reply.json()["principal"],
        serde_json::Value::Null,
        "{whoami:?}"
    );
    let line = s
        .server
        .wait_for_log(|l| l.contains(r#""event":"forwarded_header_untrusted""#))
        .expect("the ignored header is logged");
    assert!(
        line.contains("x-ssl-client-cert") && line.contains("127.0.0.1"),
        "{line}"
    );
    assert!(
        !line.contains("BEGIN"),
        "the log never carries a certificate: {line}"
    );

    // The main TLS listener takes the certificate from the handshake only: a header naming
    // alice, sent without a certificate, is no certificate.
    let main = format!("https://localhost:{}", s.server.addr.port());
    let answer = curl(&s.pki, &format!("{main}/customer/1"), &forged);
    assert_eq!(
        (answer.status(), answer.code().as_str()),
        (Some(401), "NO_CERTIFICATE"),
        "{answer:?}"
    );
    // … and mallory's handshake stays mallory's, whatever header she adds.
    let mut args = as_client(&s.pki, "mallory");
    args.extend(forged.clone());
    let answer = curl(&s.pki, &format!("{main}/customer/1"), &args);
    assert_eq!(
        (answer.status(), answer.code().as_str()),
        (Some(403), "ROLE_MISSING"),
        "{answer:?}"
    );
}

#[test]
fn auth_endpoint_answers_like_nginx_auth_request_wants() {
    let s = setup("auth");
    let auth = format!("{}/auth", s.nginx);
    let ask =
        |who: Option<&ProxyPki>, id: Option<&common::pki::Identity>, uri: &str, method: &str| {
            let mut args = header("X-Original-URI", uri);
            args.extend(header("X-Original-Method", method));
            if let Some(id) = id {
                args.extend(header("X-SSL-Client-Cert", &nginx_escape(&id.leaf_pem())));
            }
            curl(who.unwrap_or(&s.pki), &auth, &args)
        };
    let ok = ask(None, Some(&s.pki.alice), "/customer/7?x=1", "GET");
    assert_eq!(ok.status(), Some(200), "{ok:?}");
    assert_eq!(ok.header("x-certgate-principal").as_deref(), Some("alice"));
    assert_eq!(ok.header("x-certgate-roles").as_deref(), Some("user"));
    assert_eq!(ok.header("x-certgate-code").as_deref(), Some("OK"));

    let denied = ask(None, Some(&s.pki.mallory), "/customer/7", "GET");
    assert_eq!(denied.status(), Some(403));
    assert_eq!(
        denied.header("x-certgate-code").as_deref(),
        Some("ROLE_MISSING")
    );
    assert_eq!(
        denied.header("x-certgate-principal").as_deref(),
        Some("mallory")
    );
    assert_eq!(
        denied.header("x-certgate-roles"),
        None,
        "no roles header on a refusal"
    );

    let rogue = ask(None, Some(&s.pki.rogue), "/customer/7", "GET");
    assert_eq!(rogue.status(), Some(403));
    assert_eq!(
        rogue.header("x-certgate-code").as_deref(),
        Some("UNKNOWN_ISSUER")
    );
    assert_eq!(rogue.header("x-certgate-principal"), None);

    let none = ask(None, None, "/customer/7", "GET");
    assert_eq!(none.status(), Some(401));
    assert_eq!(
        none.header("x-certgate-code").as_deref(),
        Some("NO_CERTIFICATE")
    );

    // The policy's method rules see the original method; anonymous routes need nothing.
    let post = ask(None, Some(&s.pki.alice), "/customer/7", "POST");
    assert_eq!(post.status(), Some(403), "{post:?}");
    // Without X-Original-Method the /auth request's own method is judged.
    let mut args = header("X-Original-URI", "/customer/7");
    args.extend(header(
        "X-SSL-Client-Cert",
        &nginx_escape(&s.pki.alice.leaf_pem()),
    ));
    args.extend(["-X".to_owned(), "DELETE".to_owned()]);
    let deleted = curl(&s.pki, &auth, &args);
    assert_eq!(deleted.status(), Some(403), "{deleted:?}");
    assert_eq!(
        deleted.header("x-certgate-code").as_deref(),
        Some("POLICY_NO_MATCH")
    );
    let health = ask(None, None, "/health", "GET");
    assert_eq!(health.status(), Some(200), "{health:?}");

    // Without X-Original-URI there is nothing to judge: 403 (auth_request passes 401/403 only).
    let bare = curl(
        &s.pki,
        &auth,
        &header("X-SSL-Client-Cert", &nginx_escape(&s.pki.alice.leaf_pem())),
    );
    assert_eq!(bare.status(), Some(403));
    assert_eq!(
        bare.header("x-certgate-code").as_deref(),
        Some("AUTH_REQUEST_NO_URI")
    );

    // Listeners without auth_request have no /auth route: /auth is an ordinary path there,
    // which the policy's default rule denies, and no X-Certgate-* header is set.
    let other = curl(
        &s.pki,
        &format!("{}/auth", s.alb),
        &header("X-Original-URI", "/health"),
    );
    assert_eq!(
        (other.status(), other.code().as_str()),
        (Some(403), "POLICY_NO_MATCH"),
        "{other:?}"
    );
    assert_eq!(other.header("x-certgate-code"), None);
}

#[test]
fn the_proxy_certificate_on_an_mtls_hop_is_required() {
    let pki = ProxyPki::new("hop");
    let server = Server::start(&pki.config(
        r#"
[[listeners]]
listen = "127.0.0.1:0"
source = "forwarded"
format = "nginx"
proxy_certificates = ["proxy.pem"]
intermediates = ["intermediate.pem"]
"#,
    ));
    let hop = format!(
        "https://localhost:{}/customer/1",
        listener_addrs(&server, 1)[0].port()
    );
    let forged = header("X-SSL-Client-Cert", &nginx_escape(&pki.alice.leaf_pem()));
    // The proxy's certificate makes the header count.
    let mut args = as_client(&pki, "proxy");
    args.extend(forged.clone());
    let answer = curl(&pki, &hop, &args);
    assert_eq!(answer.status(), Some(200), "{answer:?}");
    // Anyone else does not complete the handshake: no certificate, or alice's own.
    for client in [None, Some("alice")] {
        let mut args = client.map(|c| as_client(&pki, c)).unwrap_or_default();
        args.extend(forged.clone());
        let answer = curl(&pki, &hop, &args);
        assert_eq!(
            answer.status(),
            None,
            "{client:?} got an answer: {answer:?}"
        );
    }
}

#[test]
fn forwarded_listener_configs_that_would_trust_anyone_do_not_start() {
    let pki = ProxyPki::new("bad-config");
    for (listener, expected) in [
        ("source = \"forwarded\"\nformat = \"nginx\"\ntls = false", "trusted_proxies"),
        ("source = \"forwarded\"\nformat = \"nginx\"\ntrusted_proxies = [\"10.0.0.1/8\"]", "host bits"),
        ("source = \"forwarded\"\nformat = \"nginx\"\ntrusted_proxies = [\"localhost\"]", "trusted proxy range"),
        ("source = \"forwarded\"\nformat = \"apache\"\ntrusted_proxies = [\"127.0.0.1\"]", "format"),
        ("source = \"forwarded\"\ntrusted_proxies = [\"127.0.0.1\"]", "needs `format`"),
        (
            "source = \"forwarded\"\nformat = \"nginx\"\ntls = false\nproxy_certificates = [\"proxy.pem\"]",
            "needs `tls = true`",
        ),
        ("format = \"nginx\"\ntrusted_proxies = [\"127.0.0.1\"]", "forwarded\"` only"),
        ("tls = false", "needs `tls = true`"),
    ] {
        let config = pki.config(&format!("[[listeners]]\nlisten = \"127.0.0.1:0\"\n{listener}\n"));
        let stderr = start_fails(&config);
        assert!(stderr.contains(expected), "{listener}: {stderr}");
        assert_eq!(stderr.trim().lines().count(), 1, "one line: {stderr}");
    }
}

#[test]
fn a_reload_applies_to_forwarded_certificates_too() {
    let pki = ProxyPki::new("reload");
    let now = common::pki::now();
    pki.dir
        .write("crl.pem", pki.intermediate.crl_pem(&[], now - 60, 7));
    let server = Server::start(&pki.config(&format!("crls = [\"crl.pem\"]\n{LISTENERS}")));
    let nginx = format!(
        "http://127.0.0.1:{}/customer/1",
        listener_addrs(&server, 6)[0].port()
    );
    let alice = header("X-SSL-Client-Cert", &nginx_escape(&pki.alice.leaf_pem()));
    assert_eq!(curl(&pki, &nginx, &alice).status(), Some(200));
    // The intermediate revokes alice; SIGHUP loads the CRL into a new generation.
    pki.dir.write(
        "crl.pem",
        pki.intermediate.crl_pem(&[pki.alice.serial], now - 30, 7),
    );
    server.hangup();
    server
        .wait_for_log(|l| l.contains(r#""event":"reload""#) && l.contains(r#""status":"ok""#))
        .expect("reload");
    let answer = curl(&pki, &nginx, &alice);
    assert_eq!(
        (answer.status(), answer.code().as_str()),
        (Some(403), "REVOKED"),
        "{answer:?}"
    );
    let mallory = header("X-SSL-Client-Cert", &nginx_escape(&pki.mallory.leaf_pem()));
    assert_eq!(curl(&pki, &nginx, &mallory).code(), "ROLE_MISSING");
}

#[test]
fn a_second_tls_listener_verifies_client_certificates_like_the_first() {
    let pki = ProxyPki::new("second-tls");
    let server =
        Server::start(&pki.config("[[listeners]]\nlisten = \"127.0.0.1:0\"\nsource = \"tls\"\n"));
    let port = listener_addrs(&server, 1)[0].port();
    let url = format!("https://localhost:{port}/customer/1");
    let alice = curl(&pki, &url, &as_client(&pki, "alice"));
    assert_eq!(alice.status(), Some(200), "{alice:?}");
    let mallory = curl(&pki, &url, &as_client(&pki, "mallory"));
    assert_eq!(mallory.code(), "ROLE_MISSING", "{mallory:?}");
    // client_auth = "optional": no certificate is 401, and a header does not replace one.
    let forged = header("X-SSL-Client-Cert", &nginx_escape(&pki.alice.leaf_pem()));
    let nobody = curl(&pki, &url, &forged);
    assert_eq!(
        (nobody.status(), nobody.code().as_str()),
        (Some(401), "NO_CERTIFICATE"),
        "{nobody:?}"
    );
}

/// A TLS listener whose `/customer` routes take the certificate from a trusted proxy's
/// header while `/whoami` keeps the handshake's; and a plain forwarded listener with one
/// route in another format.
#[test]
fn each_route_takes_its_configured_source() {
    let pki = ProxyPki::new("routes");
    let server = Server::start(&pki.config(
        r#"
[[listeners]]
listen = "127.0.0.1:0"
trusted_proxies = ["127.0.0.1"]
format = "nginx"
intermediates = ["intermediate.pem"]
[[listeners.routes]]
path = "/customer"
source = "forwarded"

[[listeners]]
listen = "127.0.0.1:0"
tls = false
source = "forwarded"
format = "nginx"
trusted_proxies = ["127.0.0.1"]
intermediates = ["intermediate.pem"]
[[listeners.routes]]
path = "/customer/2/"
source = "forwarded"
format = "envoy-xfcc"
"#,
    ));
    let addrs = listener_addrs(&server, 2);
    let tls = format!("https://localhost:{}", addrs[0].port());
    let plain = format!("http://127.0.0.1:{}", addrs[1].port());
    let nginx_alice = header("X-SSL-Client-Cert", &nginx_escape(&pki.alice.leaf_pem()));
    let check = |url: &str, args: &[String], expected: (u16, &str)| {
        let answer = curl(&pki, url, args);
        assert_eq!(
            (answer.status(), answer.code().as_str()),
            (Some(expected.0), expected.1),
            "{url}: {answer:?}"
        );
    };
    // /customer: the header counts (curl is the trusted proxy), the handshake does not.
    check(&format!("{tls}/customer/1"), &nginx_alice, (200, ""));
    let mut mallory_with_alice = as_client(&pki, "mallory");
    mallory_with_alice.extend(nginx_alice.clone());
    check(&format!("{tls}/customer/1"), &mallory_with_alice, (200, ""));
    check(
        &format!("{tls}/customer/1"),
        &as_client(&pki, "alice"),
        (401, "NO_CERTIFICATE"),
    );
    // /whoami: the handshake counts, the header is ignored.
    check(
        &format!("{tls}/whoami"),
        &nginx_alice,
        (401, "NO_CERTIFICATE"),
    );
    let whoami = curl(&pki, &format!("{tls}/whoami"), &mallory_with_alice);
    assert!(
        whoami.status() == Some(200) && whoami.reply.body.contains(r#""principal":"mallory""#),
        "the handshake's mallory, not the header's alice: {whoami:?}"
    );
    check(
        &format!("{tls}/whoami"),
        &as_client(&pki, "alice"),
        (200, ""),
    );
    server
        .wait_for_log(|l| {
            l.contains(r#""event":"request""#)
                && l.contains(r#""route":"/whoami""#)
                && l.contains(r#""source":"tls""#)
        })
        .expect("the /whoami request logged with its route's source");
    // The plain listener: /customer/2 reads XFCC, everything else nginx's header.
    let xfcc_alice = header(
        "X-Forwarded-Client-Cert",
        &format!("Hash=00;Cert=\"{}\"", nginx_escape(&pki.alice.leaf_pem())),
    );
    check(&format!("{plain}/customer/2"), &xfcc_alice, (200, ""));
    check(
        &format!("{plain}/customer/2"),
        &nginx_alice,
        (401, "NO_CERTIFICATE"),
    );
    check(&format!("{plain}/customer/1"), &nginx_alice, (200, ""));
    check(
        &format!("{plain}/customer/1"),
        &xfcc_alice,
        (401, "NO_CERTIFICATE"),
    );
}

#[test]
fn route_source_configs_that_cannot_work_do_not_start() {
    let pki = ProxyPki::new("bad-routes");
    for (listener, expected) in [
        (
            "tls = false\nsource = \"forwarded\"\nformat = \"nginx\"\ntrusted_proxies = [\"127.0.0.1\"]\n\
             [[listeners.routes]]\npath = \"/whoami\"\nsource = \"tls\"",
            "needs `tls = true`",
        ),
        (
            "[[listeners.routes]]\npath = \"/customer\"\nsource = \"forwarded\"\nformat = \"nginx\"",
            "trusted_proxies",
        ),
        (
            "trusted_proxies = [\"127.0.0.1\"]\n[[listeners.routes]]\npath = \"/customer\"\nsource = \"forwarded\"",
            "needs `format`",
        ),
        (
            "trusted_proxies = [\"127.0.0.1\"]\nformat = \"nginx\"\n[[listeners.routes]]\npath = \"customer\"\nsource = \"forwarded\"",
            "must start with `/`",
        ),
        (
            "[[listeners.routes]]\npath = \"/x\"\nsource = \"tls\"\nformat = \"nginx\"",
            "apply to `source",
        ),
        (
            "[[listeners.routes]]\npath = \"/x\"\nsource = \"carrier-pigeon\"",
            "carrier-pigeon",
        ),
        (
            "trusted_proxies = [\"127.0.0.1\"]\nformat = \"nginx\"\n\
             [[listeners.routes]]\npath = \"/x\"\nsource = \"tls\"\n\
             [[listeners.routes]]\npath = \"/x/\"\nsource = \"forwarded\"",
            "appears twice",
        ),
    ] {
        let config = pki.config(&format!("[[listeners]]\nlisten = \"127.0.0.1:0\"\n{listener}\n"));
        let stderr = start_fails(&config);
        assert!(stderr.contains(expected), "{listener}: {stderr}");
        assert_eq!(stderr.trim().lines().count(), 1, "one line: {stderr}");
    }
}

/// SIGHUP applies a listener's trusted proxies, format and routes; a moved listener keeps
/// its old settings and says it needs a restart; a broken listener entry fails the reload.
#[test]
fn sighup_applies_listener_settings() {
    let pki = ProxyPki::new("listener-reload");
    let listeners = |trusted: &str, extra: &str, second: &str| {
        format!(
            r#"
[[listeners]]
listen = "127.0.0.1:0"
tls = false
source = "forwarded"
format = "nginx"
trusted_proxies = ["{trusted}"]
intermediates = ["intermediate.pem"]
{extra}

[[listeners]]
listen = "{second}"
tls = false
source = "forwarded"
format = "nginx"
trusted_proxies = ["{trusted}"]
intermediates = ["intermediate.pem"]
"#
        )
    };
    let config = pki.config(&listeners("127.0.0.2", "", "127.0.0.1:0"));
    let server = Server::start(&config);
    let addrs = listener_addrs(&server, 2);
    let first = format!("http://127.0.0.1:{}", addrs[0].port());
    let second = format!("http://127.0.0.1:{}", addrs[1].port());
    let alice = header("X-SSL-Client-Cert", &nginx_escape(&pki.alice.leaf_pem()));
    let status = |url: &str, args: &[String]| curl(&pki, url, args).status();
    // curl (127.0.0.1) is not the trusted proxy yet: the header is ignored.
    assert_eq!(status(&format!("{first}/customer/1"), &alice), Some(401));
    assert_eq!(status(&format!("{second}/customer/1"), &alice), Some(401));

    // Trust 127.0.0.1, add a route taking XFCC, and move the second listener.
    let moved = format!("127.0.0.1:{}", free_port());
    pki.config(&listeners(
        "127.0.0.1",
        "[[listeners.routes]]\npath = \"/whoami\"\nsource = \"forwarded\"\nformat = \"envoy-xfcc\"",
        &moved,
    ));
    server.hangup();
    let generation = |n: u64| format!(r#""generation":{n}"#);
    server
        .wait_for_log(|l| l.contains(r#""event":"reload""#) && l.contains(&generation(1)))
        .expect("reload 1");
    let applied = server
        .wait_for_log(|l| {
            l.contains(r#""event":"listener_reload""#) && l.contains(&addrs[0].to_string())
        })
        .expect("first listener's reload logged");
    assert!(applied.contains(r#""status":"applied""#), "{applied}");
    let restart = server
        .wait_for_log(|l| {
            l.contains(r#""event":"listener_reload""#) && l.contains(&addrs[1].to_string())
        })
        .expect("second listener's reload logged");
    assert!(
        restart.contains(r#""status":"restart_needed""#) && restart.contains(&moved),
        "{restart}"
    );
    assert_eq!(status(&format!("{first}/customer/1"), &alice), Some(200));
    // The new route: /whoami reads XFCC now, so nginx's header there is no certificate.
    assert_eq!(status(&format!("{first}/whoami"), &alice), Some(401));
    let xfcc = header(
        "X-Forwarded-Client-Cert",
        &format!("Cert=\"{}\"", nginx_escape(&pki.alice.leaf_pem())),
    );
    assert_eq!(status(&format!("{first}/whoami"), &xfcc), Some(200));
    // The moved listener still serves where it was, with its old settings.
    assert_eq!(status(&format!("{second}/customer/1"), &alice), Some(401));

    // A listener entry that does not load fails the reload; the settings in force stay.
    pki.dir.write("bad-proxy.pem", "not a certificate");
    let broken = listeners("127.0.0.1", "", &moved).replacen(
        "intermediates = [\"intermediate.pem\"]",
        "intermediates = [\"bad-proxy.pem\"]",
        1,
    );
    pki.config(&broken);
    server.hangup();
    let failed = server
        .wait_for_log(|l| l.contains(r#""event":"reload""#) && l.contains(r#""status":"failed""#))
        .expect("failed reload logged");
    assert!(failed.contains("bad-proxy.pem"), "{failed}");
    assert_eq!(status(&format!("{first}/customer/1"), &alice), Some(200));
    assert_eq!(status(&format!("{first}/whoami"), &xfcc), Some(200));
}
