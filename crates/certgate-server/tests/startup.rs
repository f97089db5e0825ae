//! Fail fast: a bad configuration stops the start with a one-line cause and exit status 1;
//! SIGTERM stops a running server cleanly.

mod common;

use common::pki::{now, Ca, Window};
use common::{start_fails, DemoPki, Server};

fn one_line(stderr: &str) -> &str {
    let trimmed = stderr.trim_end();
    assert_eq!(trimmed.lines().count(), 1, "one line expected: {stderr:?}");
    trimmed
}

#[test]
fn an_expired_server_certificate_stops_the_start() {
    let mut pki = DemoPki::new("expired-server");
    let stale = pki.root.server(&["localhost"], Window::expired(now()));
    pki.dir.write("server.pem", stale.chain_pem());
    pki.dir.write("server-key.pem", &stale.key_pem);
    let stderr = start_fails(&pki.config("required", ""));
    assert!(
        one_line(&stderr).contains("is not valid now: expired"),
        "{stderr}"
    );
}

#[test]
fn a_key_that_does_not_match_stops_the_start() {
    let pki = DemoPki::new("key-mismatch");
    pki.dir.write("server-key.pem", &pki.alice.key_pem);
    let stderr = start_fails(&pki.config("required", ""));
    assert!(one_line(&stderr).contains("do not match"), "{stderr}");
}

#[test]
fn unreadable_or_bad_trust_material_stops_the_start() {
    let pki = DemoPki::new("bad-trust");
    std::fs::remove_file(pki.dir.path("ca.pem")).expect("remove ca.pem");
    let stderr = start_fails(&pki.config("required", ""));
    assert!(
        one_line(&stderr).contains("cannot read trust store"),
        "{stderr}"
    );

    pki.dir.write("ca.pem", "not a certificate");
    let stderr = start_fails(&pki.config("required", ""));
    assert!(
        one_line(&stderr).starts_with("certgate-server: trust store"),
        "{stderr}"
    );

    let other = Ca::root("other", Window::around(now(), 1, 1));
    pki.dir.write("ca.pem", other.cert_pem());
    let stderr = start_fails(&pki.config("required", "policy = \"missing-policy.toml\"\n"));
    assert!(one_line(&stderr).contains("cannot read policy"), "{stderr}");
}

#[test]
fn config_errors_are_one_line() {
    let pki = DemoPki::new("bad-config");
    let stderr = start_fails(&pki.config("sometimes", ""));
    assert!(
        one_line(&stderr).contains("expected \"required\", \"optional\" or \"deferred\""),
        "{stderr}"
    );
    let stderr = start_fails(&pki.config("required", "tls_versions = [\"1.1\"]\n"));
    one_line(&stderr);
    let stderr = start_fails(&pki.dir.path("no-such-config.toml"));
    assert!(
        one_line(&stderr).contains("cannot read config file"),
        "{stderr}"
    );
}

#[test]
fn sigterm_stops_the_server_cleanly() {
    let pki = DemoPki::new("sigterm");
    let mut server = Server::start(&pki.config("required", ""));
    assert_eq!(server.curl("/customer/1", Some("alice")).status, Some(200));
    let status = server.terminate().expect("the server exits after SIGTERM");
    assert!(status.success(), "{status:?}");
    assert!(server
        .wait_for_log(|l| l.contains(r#""event":"shutdown""#))
        .is_some());
}

#[test]
fn absurd_limits_are_refused() {
    let pki = DemoPki::new("limits-config");
    let stderr = start_fails(&pki.config("required", "[limits]\nmax_connections = 100000000000\n"));
    assert!(one_line(&stderr).contains("max_connections"), "{stderr}");
    let stderr = start_fails(&pki.config("required", "[limits]\nmax_header_bytes = 100\n"));
    assert!(one_line(&stderr).contains("max_header_bytes"), "{stderr}");
}
