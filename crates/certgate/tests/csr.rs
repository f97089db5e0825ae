//! The CSR inspection record: requests generated here with rcgen (P-256 and Ed25519), every
//! requested field read back, the self-signature checked, tampering and junk refused.

use certgate::webpki::ALL_VERIFICATION_ALGS as ALGS;
use certgate::{Code, CsrInspection};
use rcgen::{CertificateParams, DnType, ExtendedKeyUsagePurpose, KeyPair, KeyUsagePurpose, SanType};

fn request(alg: &'static rcgen::SignatureAlgorithm) -> Vec<u8> {
    let key = KeyPair::generate_for(alg).expect("key");
    let mut params = CertificateParams::new(vec!["api.example.org".to_string()]).expect("params");
    params.distinguished_name.push(DnType::CommonName, "alice");
    params.distinguished_name.push(DnType::OrganizationName, "Example");
    params.subject_alt_names.push(SanType::Rfc822Name("alice@example.org".try_into().expect("valid e-mail SAN")));
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    params.serialize_request(&key).expect("csr").der().to_vec()
}

#[test]
fn p256_request_fields_and_signature() {
    let der = request(&rcgen::PKCS_ECDSA_P256_SHA256);
    let record = CsrInspection::from_der(&der, ALGS).unwrap();
    assert_eq!(record.subject.common_name(), Some("alice"));
    // RFC 4514 writes the last RDN first: rcgen encodes CN, then O.
    assert_eq!(record.subject.rfc4514, "O=Example,CN=alice");
    assert_eq!(record.public_key.algorithm, "EC");
    assert_eq!(record.public_key.curve.as_deref(), Some("P-256"));
    assert_eq!(record.signature_algorithm, "ecdsa-with-SHA256");
    assert_eq!(record.signature_valid, Some(true));
    assert_eq!(record.subject_alt_names.dns, ["api.example.org"]);
    assert_eq!(record.subject_alt_names.email, ["alice@example.org"]);
    assert_eq!(record.extended_key_usage, Some(vec!["clientAuth".to_string()]));
    assert_eq!(record.key_usage, ["digitalSignature"]);
    assert!(record.extensions.iter().any(|e| e.name == "subjectAltName"));
    assert_eq!(record.sha256.len(), 64);
}

#[test]
fn ed25519_request_verifies() {
    let der = request(&rcgen::PKCS_ED25519);
    let record = CsrInspection::from_der(&der, ALGS).unwrap();
    assert_eq!(record.public_key.algorithm, "Ed25519");
    assert_eq!(record.signature_valid, Some(true));
}

#[test]
fn signature_unknown_without_algorithms_and_false_when_tampered() {
    let der = request(&rcgen::PKCS_ECDSA_P256_SHA256);
    assert_eq!(CsrInspection::from_der(&der, &[]).unwrap().signature_valid, None);
    // Flip a byte inside the subject's CN ("alice" → "blice"): still decodes, no longer verifies.
    let at = der.windows(5).position(|w| w == b"alice").unwrap();
    let mut tampered = der.clone();
    tampered[at] = b'b';
    let record = CsrInspection::from_der(&tampered, ALGS).unwrap();
    assert_eq!(record.subject.common_name(), Some("blice"));
    assert_eq!(record.signature_valid, Some(false));
}

#[test]
fn truncated_requests_are_rejections() {
    let der = request(&rcgen::PKCS_ECDSA_P256_SHA256);
    for end in 0..der.len() {
        let err = CsrInspection::from_der(&der[..end], &[]).expect_err("truncated");
        assert_eq!(err.code, Code::MalformedCertificate, "{err}");
    }
    for i in 0..der.len() {
        let mut bent = der.clone();
        bent[i] ^= 0x5a;
        let _ = CsrInspection::from_der(&bent, ALGS);
    }
}
