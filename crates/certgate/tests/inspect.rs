//! The inspection record: every field on a known fixture, checked against the generator's
//! fixed inputs and against values computed here independently (ring digests, a DER walk).

mod common;

use certgate::{BasicConstraintsInfo, Code, ExtensionInfo, Inspection, NameAttribute, PublicKey};
use common::*;

fn inspect(name: &str, index: usize, time: Option<u64>) -> Inspection {
    Inspection::from_der(&certs(name)[index], time).expect("fixture decodes")
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The subjectPublicKeyInfo element (tag, length and content) of a DER certificate.
fn spki(cert: &[u8]) -> &[u8] {
    fn split(input: &[u8]) -> (&[u8], &[u8], &[u8]) {
        let (header, len) = match input[1] {
            n if n < 0x80 => (2, n as usize),
            n => {
                let octets = (n & 0x7f) as usize;
                (
                    2 + octets,
                    input[2..2 + octets]
                        .iter()
                        .fold(0, |acc, b| (acc << 8) | *b as usize),
                )
            }
        };
        (
            &input[..header + len],
            &input[header..header + len],
            &input[header + len..],
        )
    }
    let (_, certificate, _) = split(cert);
    let (_, mut tbs, _) = split(certificate);
    let mut fields = Vec::new();
    while !tbs.is_empty() {
        let (whole, _, rest) = split(tbs);
        fields.push(whole);
        tbs = rest;
    }
    // [0] version, serialNumber, signature, issuer, validity, subject, subjectPublicKeyInfo.
    assert_eq!(fields[0][0], 0xa0, "a v3 certificate");
    fields[6]
}

/// RFC 7093 method 1 as rcgen applies it: the leftmost 160 bits of SHA-256 over the SPKI.
fn key_id(cert: &[u8]) -> String {
    hex(&ring::digest::digest(&ring::digest::SHA256, spki(cert)).as_ref()[..20])
}

fn attr(name: &str, oid: &str, value: &str) -> NameAttribute {
    NameAttribute {
        name: name.into(),
        oid: oid.into(),
        value: value.into(),
    }
}

fn ext(oid: &str, name: &str, critical: bool) -> ExtensionInfo {
    ExtensionInfo {
        oid: oid.into(),
        name: name.into(),
        critical,
    }
}

#[test]
fn every_field_of_alice() {
    let alice = cert("alice.pem");
    let intermediate = cert("intermediate-ca.pem");
    let i = inspect("alice.pem", 0, Some(FIXED_TIME));

    assert_eq!(i.version, 3);
    assert_eq!(
        i.subject.rfc4514,
        "CN=alice,OU=Engineering,O=certgate Test,C=GB"
    );
    assert_eq!(
        i.subject.attributes,
        [
            attr("C", "2.5.4.6", "GB"),
            attr("O", "2.5.4.10", "certgate Test"),
            attr("OU", "2.5.4.11", "Engineering"),
            attr("CN", "2.5.4.3", "alice"),
        ]
    );
    assert_eq!(i.subject.common_name(), Some("alice"));
    assert_eq!(i.subject.values("OU").collect::<Vec<_>>(), ["Engineering"]);
    assert_eq!(
        i.subject.values("2.5.4.10").collect::<Vec<_>>(),
        ["certgate Test"]
    );
    assert_eq!(
        i.issuer.rfc4514,
        "CN=certgate Test Intermediate CA,O=certgate Test"
    );
    assert_eq!(
        i.issuer.attributes,
        [
            attr("O", "2.5.4.10", "certgate Test"),
            attr("CN", "2.5.4.3", "certgate Test Intermediate CA")
        ]
    );
    assert_eq!(i.serial, "0a11ce");

    assert_eq!(i.validity.not_before, "2026-01-01T00:00:00Z");
    assert_eq!(i.validity.not_after, "2027-01-01T00:00:00Z");
    assert_eq!(i.validity.not_before_unix, 1_767_225_600);
    assert_eq!(i.validity.not_after_unix, 1_798_761_600);

    assert!(i.subject_alt_names.dns.is_empty());
    assert!(i.subject_alt_names.ip.is_empty());
    assert!(i.subject_alt_names.dir.is_empty());
    assert_eq!(i.subject_alt_names.email, ["alice@example.org"]);
    assert_eq!(
        i.subject_alt_names.uri,
        ["spiffe://example.org/ns/prod/sa/alice"]
    );
    assert_eq!(
        i.spiffe_id.as_deref(),
        Some("spiffe://example.org/ns/prod/sa/alice")
    );

    assert_eq!(
        i.public_key,
        PublicKey {
            algorithm: "EC".into(),
            curve: Some("P-256".into()),
            bits: Some(256)
        }
    );
    assert_eq!(i.signature_algorithm, "ecdsa-with-SHA256");
    assert_eq!(i.key_usage, ["digitalSignature"]);
    assert_eq!(i.extended_key_usage, Some(vec!["clientAuth".to_string()]));
    assert_eq!(
        i.basic_constraints,
        Some(BasicConstraintsInfo {
            ca: false,
            path_len: None,
            critical: true
        })
    );
    assert!(!i.is_ca);

    assert_eq!(i.subject_key_id, Some(key_id(&alice)));
    assert_eq!(
        i.authority_key_id,
        Some(key_id(&intermediate)),
        "the AKI names the issuer's key"
    );
    assert_eq!(
        i.crl_distribution_points,
        ["http://crl.example.org/intermediate.crl"]
    );
    assert_eq!(
        i.extensions,
        [
            ext("2.5.29.35", "authorityKeyIdentifier", false),
            ext("2.5.29.17", "subjectAltName", false),
            ext("2.5.29.15", "keyUsage", true),
            ext("2.5.29.37", "extendedKeyUsage", false),
            ext("2.5.29.31", "cRLDistributionPoints", false),
            ext("2.5.29.14", "subjectKeyIdentifier", false),
            ext("2.5.29.19", "basicConstraints", true),
        ]
    );

    assert_eq!(
        i.fingerprints.sha256,
        hex(ring::digest::digest(&ring::digest::SHA256, &alice).as_ref())
    );
    assert_eq!(
        i.fingerprints.sha1,
        hex(ring::digest::digest(&ring::digest::SHA1_FOR_LEGACY_USE_ONLY, &alice).as_ref())
    );
    assert_eq!(certgate::sha256_hex(&alice), i.fingerprints.sha256);
    assert!(!i.self_signed);

    let status = i.status.expect("a check time was given");
    assert_eq!(status.state, "valid");
    assert_eq!(
        status.days_until_expiry, 217,
        "2027-01-01 is 217.15 days after FIXED_TIME"
    );
    assert_eq!(status.summary, "valid, expires in 217 days");
}

#[test]
fn without_a_time_there_is_no_status() {
    assert_eq!(inspect("alice.pem", 0, None).status, None);
}

#[test]
fn the_record_serialises_with_camel_case_keys() {
    let json = serde_json::to_value(inspect("alice.pem", 0, Some(FIXED_TIME))).unwrap();
    assert_eq!(
        json["subject"]["rfc4514"],
        "CN=alice,OU=Engineering,O=certgate Test,C=GB"
    );
    assert_eq!(json["subject"]["attributes"][3]["name"], "CN");
    assert_eq!(json["validity"]["notAfterUnix"], 1_798_761_600u64);
    assert_eq!(
        json["subjectAltNames"]["uri"][0],
        "spiffe://example.org/ns/prod/sa/alice"
    );
    assert_eq!(json["spiffeId"], "spiffe://example.org/ns/prod/sa/alice");
    assert_eq!(json["publicKey"]["curve"], "P-256");
    assert_eq!(json["extendedKeyUsage"][0], "clientAuth");
    assert_eq!(json["basicConstraints"]["pathLen"], serde_json::Value::Null);
    assert_eq!(json["status"]["daysUntilExpiry"], 217);
    assert_eq!(json["selfSigned"], false);
    assert_eq!(json["isCa"], false);
    assert!(json["fingerprints"]["sha256"]
        .as_str()
        .is_some_and(|s| s.len() == 64));
}

#[test]
fn a_root_is_a_self_signed_ca() {
    let root = cert("root-ca.pem");
    let i = inspect("root-ca.pem", 0, Some(FIXED_TIME));
    assert!(i.self_signed && i.is_ca);
    assert_eq!(i.subject, i.issuer);
    assert_eq!(
        i.subject.rfc4514,
        "CN=certgate Test Root CA,O=certgate Test"
    );
    assert_eq!(
        i.basic_constraints,
        Some(BasicConstraintsInfo {
            ca: true,
            path_len: None,
            critical: true
        })
    );
    assert_eq!(i.key_usage, ["digitalSignature", "keyCertSign", "cRLSign"]);
    assert_eq!(i.subject_key_id, Some(key_id(&root)));
    assert_eq!(i.authority_key_id, i.subject_key_id);
    assert_eq!(i.extended_key_usage, None);
    assert_eq!(
        (
            i.validity.not_before.as_str(),
            i.validity.not_after.as_str()
        ),
        ("2025-01-01T00:00:00Z", "2036-01-01T00:00:00Z")
    );
}

#[test]
fn an_intermediate_is_a_ca_but_not_self_signed() {
    let i = inspect("alice.pem", 1, None);
    assert!(i.is_ca && !i.self_signed);
    assert_eq!(i.authority_key_id, Some(key_id(&cert("root-ca.pem"))));
    let zero = inspect("pathlen.pem", 2, None);
    assert_eq!(zero.subject.common_name(), Some("certgate PathLen0 CA"));
    assert_eq!(
        zero.basic_constraints,
        Some(BasicConstraintsInfo {
            ca: true,
            path_len: Some(0),
            critical: true
        })
    );
}

#[test]
fn server_names_are_listed_by_type() {
    let i = inspect("server.pem", 0, None);
    assert_eq!(i.subject_alt_names.dns, ["localhost"]);
    assert_eq!(i.subject_alt_names.ip, ["127.0.0.1"]);
    assert!(i.subject_alt_names.email.is_empty() && i.subject_alt_names.uri.is_empty());
    assert_eq!(i.spiffe_id, None);
    assert_eq!(i.extended_key_usage, Some(vec!["serverAuth".to_string()]));
}

#[test]
fn key_types_and_sizes() {
    let rsa = |bits| PublicKey {
        algorithm: "RSA".into(),
        curve: None,
        bits: Some(bits),
    };
    let i = inspect("bench/rsa2048/chain.pem", 0, None);
    assert_eq!(
        (i.public_key, i.signature_algorithm.as_str()),
        (rsa(2048), "sha256WithRSAEncryption")
    );
    let mixed_root = inspect("bench/mixed/root.pem", 0, None);
    assert_eq!(mixed_root.public_key, rsa(4096));
    let mixed_leaf = inspect("bench/mixed/chain.pem", 0, None);
    assert_eq!(mixed_leaf.public_key.curve.as_deref(), Some("P-256"));
    assert_eq!(
        mixed_leaf.signature_algorithm, "sha256WithRSAEncryption",
        "signed by the RSA-2048 intermediate"
    );
    let ed = inspect("bench/ed25519/chain.pem", 0, None);
    assert_eq!(
        (ed.public_key, ed.signature_algorithm.as_str()),
        (
            PublicKey {
                algorithm: "Ed25519".into(),
                curve: None,
                bits: Some(256)
            },
            "Ed25519"
        )
    );
    let distrusted = inspect("distrusted-ca.pem", 0, None);
    assert_eq!(
        distrusted.public_key,
        PublicKey {
            algorithm: "EC".into(),
            curve: Some("P-384".into()),
            bits: Some(384)
        }
    );
}

#[test]
fn extended_key_usages_by_name_or_oid() {
    assert_eq!(inspect("no-eku.pem", 0, None).extended_key_usage, None);
    assert_eq!(
        inspect("custom-eku.pem", 0, None).extended_key_usage,
        Some(vec!["1.3.6.1.4.1.99999.1".to_string()])
    );
    let critical = inspect("critical-extension.pem", 0, None);
    assert!(critical
        .extensions
        .contains(&ext("1.3.6.1.4.1.99999.2", "1.3.6.1.4.1.99999.2", true)));
}

#[test]
fn status_outside_the_window() {
    let expired = inspect("expired.pem", 0, Some(FIXED_TIME)).status.unwrap();
    assert_eq!(
        (expired.state, expired.days_until_expiry),
        ("expired", -147)
    );
    assert_eq!(expired.summary, "expired 146 days ago");
    let future = inspect("not-yet-valid.pem", 0, Some(FIXED_TIME))
        .status
        .unwrap();
    assert_eq!(future.state, "not_yet_valid");
    assert_eq!(future.summary, "not yet valid (starts in 3 days)");
}

/// Found by the inspect fuzz target: a check time past 2^63 (the input's last eight bytes
/// `00 .. 00 80`) overflowed the days-until-expiry subtraction. Every u64 time has a status;
/// the expected days are floor((notAfter − time) / 86,400), worked out by hand for alice
/// (notAfter 2027-01-01T00:00:00Z = 1,798,761,600).
#[test]
fn status_at_extreme_check_times() {
    for (time, days, state) in [
        (1u64 << 63, -106_751_991_146_482, "expired"),
        (u64::MAX, -213_503_982_313_783, "expired"),
        (0, 20_819, "not_yet_valid"),
    ] {
        let status = inspect("alice.pem", 0, Some(time)).status.unwrap();
        assert_eq!(
            (status.state, status.days_until_expiry),
            (state, days),
            "at {time}"
        );
    }
    let last = inspect("alice.pem", 0, Some(u64::MAX)).status.unwrap();
    assert_eq!(last.summary, "expired 213503982313782 days ago");
}

#[test]
fn an_undecodable_certificate_is_malformed() {
    for input in [&b""[..], b"\x30\x03\x02\x01\x01", &cert("alice.pem")[..100]] {
        let r = Inspection::from_der(input, None).unwrap_err();
        assert_eq!(r.code, Code::MalformedCertificate);
        assert_human(&r);
    }
}
