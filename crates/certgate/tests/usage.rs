//! Key purposes (clientAuth, serverAuth, custom EKUs, `require_eku`) and peer names (DNS names
//! and IP addresses).

mod common;

use certgate::{Code, Config, Usage, VerifyOptions};
use common::*;

fn client_auth() -> VerifyOptions<'static> {
    VerifyOptions::new(FIXED_TIME)
}

fn server_auth() -> VerifyOptions<'static> {
    VerifyOptions::new(FIXED_TIME).usage(Usage::ServerAuth)
}

fn requiring_eku() -> Config {
    let mut config = Config::default();
    config.require_eku = true;
    config
}

#[test]
fn client_auth_is_the_default_usage() {
    assert_eq!(VerifyOptions::new(FIXED_TIME).usage, Usage::ClientAuth);
    assert_eq!(Usage::ClientAuth.name(), "clientAuth");
    assert_eq!(Usage::ServerAuth.name(), "serverAuth");
    accepted(verify(&verifier(&["root-ca.pem"]), "alice.pem"));
}

#[test]
fn a_server_only_certificate_cannot_authenticate_a_client() {
    let r = rejected(
        verify(&verifier(&["root-ca.pem"]), "server-only.pem"),
        Code::WrongUsage,
        Some(0),
    );
    assert_eq!(
        r.message,
        "the leaf certificate's extendedKeyUsage (serverAuth) does not include clientAuth; issue it with the clientAuth usage"
    );
}

#[test]
fn a_client_certificate_cannot_authenticate_a_server() {
    let v = verifier(&["root-ca.pem"]);
    let r = rejected(
        v.verify(&certs("alice.pem"), &server_auth()),
        Code::WrongUsage,
        Some(0),
    );
    assert!(
        r.message
            .contains("(clientAuth) does not include serverAuth"),
        "{}",
        r.message
    );
    rejected(
        v.verify(&certs("server.pem"), &client_auth()),
        Code::WrongUsage,
        Some(0),
    );
}

#[test]
fn a_server_certificate_matches_its_dns_name_and_ip_address() {
    let v = verifier(&["root-ca.pem"]);
    let chain = certs("server.pem");
    for name in ["localhost", "127.0.0.1", "LOCALHOST"] {
        accepted(v.verify(&chain, &server_auth().peer_name(name)));
    }
}

#[test]
fn a_peer_name_the_certificate_does_not_list_is_a_mismatch() {
    let v = verifier(&["root-ca.pem"]);
    let chain = certs("server.pem");
    let r = rejected(
        v.verify(&chain, &server_auth().peer_name("example.com")),
        Code::NameMismatch,
        Some(0),
    );
    assert!(
        r.message.contains("not valid for `example.com`"),
        "{}",
        r.message
    );
    assert!(
        r.message.contains("localhost") && r.message.contains("127.0.0.1"),
        "lists what it names: {}",
        r.message
    );
    for other in ["127.0.0.2", "::1", "sub.localhost", "localhost.example"] {
        rejected(
            v.verify(&chain, &server_auth().peer_name(other)),
            Code::NameMismatch,
            Some(0),
        );
    }
}

#[test]
fn peer_names_also_apply_to_client_certificates() {
    let v = verifier(&["root-ca.pem"]);
    let r = rejected(
        v.verify(
            &certs("alice.pem"),
            &client_auth().peer_name("alice.example.org"),
        ),
        Code::NameMismatch,
        Some(0),
    );
    assert!(
        r.message.contains("no DNS names or IP addresses"),
        "{}",
        r.message
    );
    accepted(v.verify(
        &certs("name-constraints-ok.pem"),
        &client_auth().peer_name("api.example.org"),
    ));
}

#[test]
fn an_invalid_peer_name_is_refused_before_verification() {
    let v = verifier(&["root-ca.pem"]);
    for bad in ["not a name", "", "exa mple.com", "-"] {
        let r = rejected(
            v.verify(&certs("server.pem"), &server_auth().peer_name(bad)),
            Code::InvalidPeerName,
            None,
        );
        assert!(r.message.contains(&format!("`{bad}`")), "{}", r.message);
    }
}

#[test]
fn a_leaf_without_eku_is_valid_for_any_purpose_unless_eku_is_required() {
    let v = verifier(&["root-ca.pem"]);
    accepted(v.verify(&certs("no-eku.pem"), &client_auth()));
    // For serverAuth the strict profile adds the CA/B Forum rule that a TLS server leaf lists it.
    let r = rejected(
        v.verify(&certs("no-eku.pem"), &server_auth()),
        Code::WrongUsage,
        Some(0),
    );
    assert!(r.message.contains("must list serverAuth"), "{}", r.message);
    let mut rfc5280_only = Config::default();
    rfc5280_only.profile.cabf_server = false;
    accepted(
        verifier_with(&["root-ca.pem"], rfc5280_only).verify(&certs("no-eku.pem"), &server_auth()),
    );

    let strict = verifier_with(&["root-ca.pem"], requiring_eku());
    let r = rejected(
        strict.verify(&certs("no-eku.pem"), &client_auth()),
        Code::WrongUsage,
        Some(0),
    );
    assert_eq!(
        r.message,
        "the leaf certificate has no extendedKeyUsage extension and clientAuth is required"
    );
    accepted(strict.verify(&certs("alice.pem"), &client_auth()));
    rejected(
        strict.verify(&certs("server-only.pem"), &client_auth()),
        Code::WrongUsage,
        Some(0),
    );
}

#[test]
fn a_custom_eku_is_matched_by_oid() {
    let v = verifier(&["root-ca.pem"]);
    let custom = Usage::custom("1.3.6.1.4.1.99999.1").unwrap();
    assert_eq!(custom.name(), "1.3.6.1.4.1.99999.1");
    accepted(v.verify(
        &certs("custom-eku.pem"),
        &VerifyOptions::new(FIXED_TIME).usage(custom.clone()),
    ));
    let strict = verifier_with(&["root-ca.pem"], requiring_eku());
    accepted(strict.verify(
        &certs("custom-eku.pem"),
        &VerifyOptions::new(FIXED_TIME).usage(custom.clone()),
    ));

    let r = rejected(
        v.verify(&certs("custom-eku.pem"), &client_auth()),
        Code::WrongUsage,
        Some(0),
    );
    assert!(
        r.message
            .contains("(1.3.6.1.4.1.99999.1) does not include clientAuth"),
        "{}",
        r.message
    );
    let r = rejected(
        v.verify(
            &certs("alice.pem"),
            &VerifyOptions::new(FIXED_TIME).usage(custom),
        ),
        Code::WrongUsage,
        Some(0),
    );
    assert!(
        r.message.contains("does not include 1.3.6.1.4.1.99999.1"),
        "{}",
        r.message
    );
}

#[test]
fn a_custom_eku_must_be_a_dotted_oid() {
    for bad in ["clientAuth", "1", "1.3.6.x", ""] {
        let r = Usage::custom(bad).unwrap_err();
        assert_eq!((r.code, r.cert_index), (Code::InvalidConfig, None), "{bad}");
        assert_human(&r);
    }
}

#[test]
fn an_intermediate_restricted_to_server_auth_cannot_issue_client_certificates() {
    let r = rejected(
        verify(&verifier(&["root-ca.pem"]), "server-eku-intermediate.pem"),
        Code::WrongUsage,
        None,
    );
    assert_eq!(
        r.message,
        "an intermediate certificate's extendedKeyUsage does not include clientAuth"
    );
}

#[test]
fn an_empty_eku_extension_is_malformed() {
    let r = rejected(
        verify(&verifier(&["root-ca.pem"]), "empty-eku.pem"),
        Code::MalformedExtension,
        None,
    );
    assert!(r.message.contains("extendedKeyUsage"), "{}", r.message);
}
