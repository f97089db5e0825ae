//! certgate-server behind Debian's nginx (scripts/test.sh installs `nginx-light` when it is
//! missing; `CERTGATE_NGINX` names another binary). nginx terminates mutual TLS with
//! `ssl_verify_client optional_no_ca`, so it lets any certificate through, and:
//!
//! - `/api/…` forwards `$ssl_client_escaped_cert` (the leaf alone) to a plain-HTTP forwarded
//!   listener that trusts only 127.0.0.2, the address nginx connects from (`proxy_bind`);
//! - `/hop/…` does the same over TLS, nginx presenting its own client certificate;
//! - everything else is guarded by `auth_request` against the same listener's `/auth`, and
//!   the protected backend (a second nginx server) echoes the principal and roles it got.
//!
//! The nginx configuration is docs/proxies/nginx.conf's, with this test's ports and paths.
//! nginx runs from a scratch directory on ephemeral loopback ports and is stopped at the end,
//! also when an assertion fails.

mod common;

use std::net::SocketAddr;
use std::path::Path;
use std::process::Command;

use common::proxy::*;
use common::Server;

const LISTENERS: &str = r#"
[[listeners]]
listen = "127.0.0.1:0"
tls = false
source = "forwarded"
format = "nginx"
trusted_proxies = ["127.0.0.2/32"]
intermediates = ["intermediate.pem"]
auth_request = true

[[listeners]]
listen = "127.0.0.1:0"
source = "forwarded"
format = "nginx"
proxy_certificates = ["proxy.pem"]
intermediates = ["intermediate.pem"]
"#;

/// docs/proxies/nginx.conf with this test's ports and files.
fn nginx_conf(
    dir: &Path,
    port: u16,
    backend: u16,
    forwarded: SocketAddr,
    hop: SocketAddr,
) -> String {
    let template = include_str!("../../../docs/proxies/nginx.conf");
    let d = dir.display().to_string();
    let body = template
        .replace("/etc/nginx/certgate/", &format!("{d}/"))
        .replace("listen 443 ssl;", &format!("listen 127.0.0.1:{port} ssl;"))
        .replace(
            "listen 127.0.0.1:8080;",
            &format!("listen 127.0.0.1:{backend};"),
        )
        .replace("127.0.0.1:8080", &format!("127.0.0.1:{backend}"))
        .replace("127.0.0.1:9080", &forwarded.to_string())
        .replace("127.0.0.1:9443", &hop.to_string());
    format!(
        "daemon off;\nworker_processes 1;\npid {d}/nginx.pid;\nerror_log {d}/error.log info;\n\
         events {{ worker_connections 64; }}\n\
         http {{\n  access_log {d}/access.log;\n  client_body_temp_path {d}/tmp-body;\n\
         proxy_temp_path {d}/tmp-proxy;\n  fastcgi_temp_path {d}/tmp-fastcgi;\n\
         uwsgi_temp_path {d}/tmp-uwsgi;\n  scgi_temp_path {d}/tmp-scgi;\n{body}\n}}\n"
    )
}

fn start_nginx(pki: &ProxyPki, forwarded: SocketAddr, hop: SocketAddr) -> Engine {
    let binary = engine_binary("CERTGATE_NGINX", "/usr/sbin/nginx", "nginx-light");
    let dir = pki.dir.0.clone();
    let (port, backend) = (free_port(), free_port());
    let conf = pki.dir.write(
        "nginx.conf",
        nginx_conf(&dir, port, backend, forwarded, hop),
    );
    let prefix = format!("{}/", dir.display());
    let check = Command::new(&binary)
        .args([
            "-t",
            "-p",
            &prefix,
            "-e",
            &format!("{prefix}error.log"),
            "-c",
        ])
        .arg(&conf)
        .output()
        .expect("run nginx -t");
    assert!(
        check.status.success(),
        "nginx -t: {}",
        String::from_utf8_lossy(&check.stderr)
    );
    let mut command = Command::new(&binary);
    command
        .args(["-p", &prefix, "-e", &format!("{prefix}error.log"), "-c"])
        .arg(&conf);
    Engine::start("nginx", command, &[port, backend], &dir.join("error.log"))
}

/// Fields drop in order: nginx stops first, the scratch directory goes last.
struct Setup {
    nginx: Engine,
    server: Server,
    pki: ProxyPki,
    forwarded: SocketAddr,
}

fn setup(name: &str) -> Setup {
    let pki = ProxyPki::new(name);
    let server = Server::start(&pki.config(LISTENERS));
    let addrs = listener_addrs(&server, 2);
    let nginx = start_nginx(&pki, addrs[0], addrs[1]);
    Setup {
        pki,
        server,
        nginx,
        forwarded: addrs[0],
    }
}

impl Setup {
    fn via_nginx(&self, path: &str, client: Option<&str>, extra: &[String]) -> Answer {
        let mut args = client.map(|c| as_client(&self.pki, c)).unwrap_or_default();
        args.extend_from_slice(extra);
        curl(
            &self.pki,
            &format!("https://localhost:{}{path}", self.nginx.port),
            &args,
        )
    }
}

#[test]
fn nginx_forwards_the_escaped_certificate_and_certgate_decides() {
    let s = setup("nginx-forward");
    for prefix in ["/api", "/hop"] {
        let alice = s.via_nginx(&format!("{prefix}/customer/1"), Some("alice"), &[]);
        assert_eq!(alice.status(), Some(200), "{prefix} alice: {alice:?}");
        assert_eq!(alice.reply.json()["name"], "Customer1");
        let whoami = s.via_nginx(&format!("{prefix}/whoami"), Some("alice"), &[]);
        assert_eq!(whoami.reply.json()["principal"], "alice", "{whoami:?}");

        let mallory = s.via_nginx(&format!("{prefix}/customer/1"), Some("mallory"), &[]);
        assert_eq!(
            (mallory.status(), mallory.code().as_str()),
            (Some(403), "ROLE_MISSING"),
            "{mallory:?}"
        );

        // nginx let rogue through (optional_no_ca); certgate does not.
        let rogue = s.via_nginx(&format!("{prefix}/customer/1"), Some("rogue"), &[]);
        assert_eq!(
            (rogue.status(), rogue.code().as_str()),
            (Some(403), "UNKNOWN_ISSUER"),
            "{rogue:?}"
        );

        // optional_no_ca forgives an unknown issuer only: nginx refuses an expired
        // certificate itself (its own 400 page), before certgate sees the request.
        let expired = s.via_nginx(&format!("{prefix}/customer/1"), Some("expired"), &[]);
        assert_eq!(expired.status(), Some(400), "{expired:?}");
        assert!(
            expired.reply.body.contains("SSL certificate error"),
            "{expired:?}"
        );

        let nobody = s.via_nginx(&format!("{prefix}/customer/1"), None, &[]);
        assert_eq!(
            (nobody.status(), nobody.code().as_str()),
            (Some(401), "NO_CERTIFICATE"),
            "{nobody:?}"
        );

        // A client that sets the header itself, through nginx: nginx replaces it.
        let forged = header("X-SSL-Client-Cert", &nginx_escape(&s.pki.alice.leaf_pem()));
        let through = s.via_nginx(&format!("{prefix}/customer/1"), None, &forged);
        assert_eq!(
            through.status(),
            Some(401),
            "{prefix} forged through nginx: {through:?}"
        );
        let as_mallory = s.via_nginx(&format!("{prefix}/customer/1"), Some("mallory"), &forged);
        assert_eq!(as_mallory.code(), "ROLE_MISSING", "{as_mallory:?}");
    }
    // The requests reached certgate through nginx's address, as forwarded ones.
    let line = s
        .server
        .wait_for_log(|l| {
            l.contains(r#""event":"request""#)
                && l.contains(r#""peer":"127.0.0.2:"#)
                && l.contains(r#""principal":"alice""#)
        })
        .expect("a request from nginx");
    assert!(line.contains(r#""source":"forwarded""#), "{line}");
}

#[test]
fn a_forged_header_sent_straight_to_certgate_is_not_trusted() {
    let s = setup("nginx-spoof");
    let forged = header("X-SSL-Client-Cert", &nginx_escape(&s.pki.alice.leaf_pem()));
    // The same listener nginx uses, but from 127.0.0.1: not the trusted proxy.
    let direct = curl(
        &s.pki,
        &format!("http://127.0.0.1:{}/customer/1", s.forwarded.port()),
        &forged,
    );
    assert_eq!(
        (direct.status(), direct.code().as_str()),
        (Some(401), "NO_CERTIFICATE"),
        "{direct:?}"
    );
    let mut auth = forged.clone();
    auth.extend(header("X-Original-URI", "/customer/1"));
    let direct = curl(
        &s.pki,
        &format!("http://127.0.0.1:{}/auth", s.forwarded.port()),
        &auth,
    );
    assert_eq!(direct.status(), Some(401), "{direct:?}");
    assert_eq!(
        direct.header("x-certgate-code").as_deref(),
        Some("NO_CERTIFICATE")
    );
    assert_eq!(direct.header("x-certgate-principal"), None);
    let line = s
        .server
        .wait_for_log(|l| l.contains(r#""event":"forwarded_header_untrusted""#))
        .expect("the forged header is logged");
    assert!(line.contains(r#""peer":"127.0.0.1:"#), "{line}");
    // Meanwhile nginx's own requests, from 127.0.0.2, are honoured.
    let alice = s.via_nginx("/api/customer/1", Some("alice"), &[]);
    assert_eq!(alice.status(), Some(200), "{alice:?}");
}

#[test]
fn nginx_auth_request_guards_a_backend_with_certgate_policy() {
    let s = setup("nginx-auth");
    let alice = s.via_nginx("/customer/1", Some("alice"), &[]);
    assert_eq!(alice.status(), Some(200), "{alice:?}");
    // The backend saw what certgate told nginx, and nothing a client sent.
    assert_eq!(
        alice.reply.body.trim(),
        "backend: principal=alice roles=user uri=/customer/1",
        "{alice:?}"
    );
    let forged = {
        let mut args = header("X-Certgate-Principal", "admin");
        args.extend(header("X-Certgate-Roles", "admin"));
        args
    };
    let spoofed = s.via_nginx("/customer/1", Some("alice"), &forged);
    assert_eq!(
        spoofed.reply.body.trim(),
        "backend: principal=alice roles=user uri=/customer/1"
    );

    for (client, status, code) in [
        (Some("mallory"), 403, "ROLE_MISSING"),
        (Some("rogue"), 403, "UNKNOWN_ISSUER"),
        (None, 401, "NO_CERTIFICATE"),
    ] {
        let answer = s.via_nginx("/customer/1", client, &[]);
        assert_eq!(answer.status(), Some(status), "{client:?}: {answer:?}");
        assert_eq!(
            answer.header("x-certgate-code").as_deref(),
            Some(code),
            "{client:?}: {answer:?}"
        );
        assert!(
            !answer.reply.body.contains("backend:"),
            "the backend was not reached: {answer:?}"
        );
    }
    // The original method reaches the policy (X-Original-Method): GET only on customers.
    let post = s.via_nginx(
        "/customer/1",
        Some("alice"),
        &["-X".to_owned(), "POST".to_owned()],
    );
    assert_eq!(post.status(), Some(403), "{post:?}");
    assert_eq!(
        post.header("x-certgate-code").as_deref(),
        Some("POLICY_NO_MATCH")
    );
    // The policy's anonymous route needs no certificate.
    let health = s.via_nginx("/health", None, &[]);
    assert_eq!(health.status(), Some(200), "{health:?}");
    assert!(
        health.reply.body.contains("principal= roles="),
        "{health:?}"
    );
}
