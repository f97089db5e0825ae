//! Generates certgate's test certificates and CRLs.
//!
//! ```text
//! cargo run --release -p certgate-fixtures [OUTPUT_DIR]
//! ```
//!
//! writes PEM files into `crates/certgate/tests/fixtures/` (or `OUTPUT_DIR`) together with a
//! `README.md` that lists every file and what it is for. Keys are generated, used and
//! discarded: nothing secret is ever written. Every validity window is a fixed date, chosen
//! around the tests' fixed validation time `FIXED_TIME = 1_780_000_000`
//! (2026-05-28T20:26:40Z), so results never depend on when the tests run.
//!
//! Each fixture is one function below, in the order the README lists them. Every CA
//! certificate carries a subjectKeyIdentifier and an authorityKeyIdentifier (RFC 5280
//! §4.2.1.1–2), as does every leaf.

mod der_edit;

use std::error::Error;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use rcgen::{
    date_time_ymd, BasicConstraints, CertificateParams, CertificateRevocationListParams,
    CustomExtension, DistinguishedName, DnType, ExtendedKeyUsagePurpose, GeneralSubtree, IsCa,
    Issuer, KeyIdMethod, KeyPair, KeyUsagePurpose, NameConstraints, PublicKeyData,
    RevocationReason, RevokedCertParams, SanType, SerialNumber, SignatureAlgorithm,
};
use rsa::pkcs8::EncodePrivateKey;
use rustls_pki_types::PrivatePkcs8KeyDer;
use time::OffsetDateTime;

type Result<T, E = Box<dyn Error>> = std::result::Result<T, E>;
type Der = Vec<u8>;

/// One of webpki 0.103.17's distrusted SubjectPublicKeyInfos (`src/data/distrusted/`, public
/// data: an Entrust "OV TLS Issuing ECC CA G3" key, distrusted by the root programmes).
const DISTRUSTED_SPKI: &[u8] = include_bytes!("distrusted-EMOVTLSCAG3B.spki.der");

/// The private enterprise arc the custom-EKU and unknown-extension fixtures use.
const CUSTOM_EKU: &[u64] = &[1, 3, 6, 1, 4, 1, 99999, 1];
const UNKNOWN_EXTENSION: &[u64] = &[1, 3, 6, 1, 4, 1, 99999, 2];

fn main() -> Result<()> {
    let out = match std::env::args_os().nth(1) {
        Some(dir) => PathBuf::from(dir),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../crates/certgate/tests/fixtures"),
    };
    let mut g = Fixtures::new(out)?;

    let root = root_ca(&mut g)?;
    let intermediate = intermediate_ca(&mut g, &root)?;
    alice(&mut g, &intermediate)?;
    server(&mut g, &intermediate)?;

    expired(&mut g, &intermediate)?;
    not_yet_valid(&mut g, &intermediate)?;
    expired_intermediate(&mut g, &root)?;
    invalid_validity(&mut g, &intermediate)?;

    rogue(&mut g)?;
    server_only(&mut g, &intermediate)?;
    no_eku(&mut g, &intermediate)?;
    custom_eku(&mut g, &intermediate)?;
    empty_eku(&mut g, &intermediate)?;
    server_eku_intermediate(&mut g, &root)?;

    leaf_as_ca(&mut g, &intermediate)?;
    pathlen(&mut g, &root)?;
    name_constraints(&mut g, &root)?;
    bad_signature(&mut g, &intermediate)?;
    signature_algorithm_mismatch(&mut g, &intermediate)?;
    critical_extension(&mut g, &intermediate)?;
    version2(&mut g, &intermediate)?;
    serial_zero(&mut g, &intermediate)?;
    no_authority_key_id(&mut g, &intermediate)?;

    revocation(&mut g, &root, &intermediate)?;
    no_crl_sign(&mut g, &root)?;

    pinned(&mut g)?;
    deep_chain(&mut g, &root)?;
    loop_chain(&mut g)?;
    mesh(&mut g)?;
    distrusted(&mut g)?;

    bench_chain(&mut g, "p256", KeyKind::P256, KeyKind::P256, KeyKind::P256)?;
    bench_chain(
        &mut g,
        "rsa2048",
        KeyKind::Rsa(2048),
        KeyKind::Rsa(2048),
        KeyKind::Rsa(2048),
    )?;
    bench_chain(
        &mut g,
        "mixed",
        KeyKind::Rsa(4096),
        KeyKind::Rsa(2048),
        KeyKind::P256,
    )?;
    bench_chain(
        &mut g,
        "ed25519",
        KeyKind::Ed25519,
        KeyKind::Ed25519,
        KeyKind::Ed25519,
    )?;

    g.write_readme()?;
    println!("wrote {} files to {}", g.listed.len() + 1, g.out.display());
    Ok(())
}

// ---------------------------------------------------------------------------------------
// The trust hierarchy every other fixture hangs off.

/// `root-ca.pem`: the P-256 test root.
fn root_ca(g: &mut Fixtures) -> Result<Ca> {
    let root = Ca::root(
        g.ca_params("certgate Test Root CA", None),
        key(KeyKind::P256)?,
    )?;
    g.certs(
        "root-ca.pem",
        "P-256 root CA, the trust anchor of nearly every test",
        &[&root.der],
    )?;
    Ok(root)
}

/// `intermediate-ca.pem`: the issuing CA under the root.
fn intermediate_ca(g: &mut Fixtures, root: &Ca) -> Result<Ca> {
    let ca = Ca::sub(
        g.ca_params("certgate Test Intermediate CA", None),
        key(KeyKind::P256)?,
        root,
    )?;
    g.certs(
        "intermediate-ca.pem",
        "P-256 intermediate CA under root-ca (issues the client leaves; also a CA presented as a leaf)",
        &[&ca.der],
    )?;
    Ok(ca)
}

/// `alice.pem`: the model client certificate, with the intermediate the client sends.
fn alice(g: &mut Fixtures, ca: &Ca) -> Result<()> {
    let mut params = g.leaf_params("alice", Window::Leaf);
    params.serial_number = Some(SerialNumber::from_slice(&[0x0a, 0x11, 0xce]));
    params.distinguished_name = dn(&[
        (DnType::CountryName, "GB"),
        (DnType::OrganizationName, "certgate Test"),
        (DnType::OrganizationalUnitName, "Engineering"),
        (DnType::CommonName, "alice"),
    ]);
    params.subject_alt_names = vec![
        SanType::Rfc822Name("alice@example.org".try_into()?),
        SanType::URI("spiffe://example.org/ns/prod/sa/alice".try_into()?),
    ];
    params.crl_distribution_points = vec![rcgen::CrlDistributionPoint {
        uris: vec!["http://crl.example.org/intermediate.crl".into()],
    }];
    let leaf = ca.issue(&params, &key(KeyKind::P256)?)?;
    g.certs(
        "alice.pem",
        "client leaf CN=alice,OU=Engineering,O=certgate Test,C=GB (clientAuth; email and SPIFFE URI SANs; \
         serial 0a11ce; 2026-01-01..2027-01-01) + intermediate-ca",
        &[&leaf, &ca.der],
    )
}

/// `server.pem`: a TLS server certificate for loopback tests.
fn server(g: &mut Fixtures, ca: &Ca) -> Result<()> {
    let mut params = g.leaf_params("localhost", Window::Leaf);
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    params.subject_alt_names = vec![
        SanType::DnsName("localhost".try_into()?),
        SanType::IpAddress([127, 0, 0, 1].into()),
    ];
    let leaf = ca.issue(&params, &key(KeyKind::P256)?)?;
    g.certs(
        "server.pem",
        "server leaf (serverAuth; DNS localhost, IP 127.0.0.1) + intermediate-ca",
        &[&leaf, &ca.der],
    )
}

// ---------------------------------------------------------------------------------------
// Validity.

/// `expired.pem`: a client leaf that expired on 2026-01-02.
fn expired(g: &mut Fixtures, ca: &Ca) -> Result<()> {
    let leaf = ca.issue(
        &g.leaf_params("expired", Window::Expired),
        &key(KeyKind::P256)?,
    )?;
    g.certs(
        "expired.pem",
        "client leaf valid 2025-01-01..2026-01-02T00:00:00Z (expired) + intermediate-ca",
        &[&leaf, &ca.der],
    )
}

/// `not-yet-valid.pem`: a client leaf whose window starts on 2026-06-01.
fn not_yet_valid(g: &mut Fixtures, ca: &Ca) -> Result<()> {
    let leaf = ca.issue(
        &g.leaf_params("not-yet-valid", Window::Future),
        &key(KeyKind::P256)?,
    )?;
    g.certs(
        "not-yet-valid.pem",
        "client leaf valid 2026-06-01T00:00:00Z..2027-06-01 (not yet valid) + intermediate-ca",
        &[&leaf, &ca.der],
    )
}

/// `expired-intermediate.pem`: a valid leaf under an intermediate that expired on 2026-03-01.
fn expired_intermediate(g: &mut Fixtures, root: &Ca) -> Result<()> {
    let mut params = g.ca_params("certgate Expired Intermediate CA", None);
    (params.not_before, params.not_after) = (date_time_ymd(2025, 1, 1), date_time_ymd(2026, 3, 1));
    let ca = Ca::sub(params, key(KeyKind::P256)?, root)?;
    let leaf = ca.issue(&g.leaf_params("carol", Window::Leaf), &key(KeyKind::P256)?)?;
    g.certs(
        "expired-intermediate.pem",
        "valid client leaf CN=carol + its intermediate, which expired 2026-03-01T00:00:00Z (under root-ca)",
        &[&leaf, &ca.der],
    )
}

/// `invalid-validity.pem`: notAfter (2026-01-01) before notBefore (2026-06-01).
fn invalid_validity(g: &mut Fixtures, ca: &Ca) -> Result<()> {
    let mut params = g.leaf_params("backwards", Window::Leaf);
    (params.not_before, params.not_after) = (date_time_ymd(2026, 6, 1), date_time_ymd(2026, 1, 1));
    let leaf = ca.issue(&params, &key(KeyKind::P256)?)?;
    g.certs(
        "invalid-validity.pem",
        "client leaf whose notAfter precedes its notBefore + intermediate-ca",
        &[&leaf, &ca.der],
    )
}

// ---------------------------------------------------------------------------------------
// Issuers and usages.

/// `rogue-ca.pem`, `rogue-leaf.pem`: a second, untrusted hierarchy.
fn rogue(g: &mut Fixtures) -> Result<()> {
    let ca = Ca::root(g.ca_params("certgate Rogue CA", None), key(KeyKind::P256)?)?;
    let leaf = ca.issue(
        &g.leaf_params("mallory", Window::Leaf),
        &key(KeyKind::P256)?,
    )?;
    g.certs(
        "rogue-ca.pem",
        "P-256 root CA that no test trusts unless it says so",
        &[&ca.der],
    )?;
    g.certs(
        "rogue-leaf.pem",
        "client leaf CN=mallory issued directly by rogue-ca",
        &[&leaf],
    )
}

/// `server-only.pem`: a would-be client certificate that only allows serverAuth.
fn server_only(g: &mut Fixtures, ca: &Ca) -> Result<()> {
    let mut params = g.leaf_params("bob", Window::Leaf);
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    let leaf = ca.issue(&params, &key(KeyKind::P256)?)?;
    g.certs(
        "server-only.pem",
        "leaf CN=bob with extendedKeyUsage serverAuth only + intermediate-ca",
        &[&leaf, &ca.der],
    )
}

/// `no-eku.pem`: a leaf without the extendedKeyUsage extension (valid for any purpose).
fn no_eku(g: &mut Fixtures, ca: &Ca) -> Result<()> {
    let mut params = g.leaf_params("no-eku", Window::Leaf);
    params.extended_key_usages = Vec::new();
    let leaf = ca.issue(&params, &key(KeyKind::P256)?)?;
    g.certs(
        "no-eku.pem",
        "client leaf without an extendedKeyUsage extension + intermediate-ca",
        &[&leaf, &ca.der],
    )
}

/// `custom-eku.pem`: a leaf whose only EKU is the private OID 1.3.6.1.4.1.99999.1.
fn custom_eku(g: &mut Fixtures, ca: &Ca) -> Result<()> {
    let mut params = g.leaf_params("custom-eku", Window::Leaf);
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::Other(CUSTOM_EKU.to_vec())];
    let leaf = ca.issue(&params, &key(KeyKind::P256)?)?;
    g.certs(
        "custom-eku.pem",
        "leaf whose only extendedKeyUsage is 1.3.6.1.4.1.99999.1 + intermediate-ca",
        &[&leaf, &ca.der],
    )
}

/// `empty-eku.pem`: an extendedKeyUsage extension that lists nothing (malformed: SIZE 1..MAX).
fn empty_eku(g: &mut Fixtures, ca: &Ca) -> Result<()> {
    let mut params = g.leaf_params("empty-eku", Window::Leaf);
    params.extended_key_usages = Vec::new();
    params.custom_extensions = vec![CustomExtension::from_oid_content(
        &[2, 5, 29, 37],
        vec![0x30, 0x00],
    )];
    let leaf = ca.issue(&params, &key(KeyKind::P256)?)?;
    g.certs(
        "empty-eku.pem",
        "leaf with an empty extendedKeyUsage SEQUENCE (malformed extension) + intermediate-ca",
        &[&leaf, &ca.der],
    )
}

/// `server-eku-intermediate.pem`: a clientAuth leaf under an intermediate restricted to serverAuth.
fn server_eku_intermediate(g: &mut Fixtures, root: &Ca) -> Result<()> {
    let mut params = g.ca_params("certgate Server-only Intermediate CA", None);
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    let ca = Ca::sub(params, key(KeyKind::P256)?, root)?;
    let leaf = ca.issue(&g.leaf_params("dave", Window::Leaf), &key(KeyKind::P256)?)?;
    g.certs(
        "server-eku-intermediate.pem",
        "clientAuth leaf CN=dave + an intermediate (under root-ca) whose extendedKeyUsage is serverAuth only",
        &[&leaf, &ca.der],
    )
}

// ---------------------------------------------------------------------------------------
// Path constraints and damaged certificates.

/// `leaf-as-ca.pem`: a leaf issued by another leaf (basicConstraints cA=false).
fn leaf_as_ca(g: &mut Fixtures, ca: &Ca) -> Result<()> {
    let not_a_ca_params = g.leaf_params("not-a-ca", Window::Leaf);
    let not_a_ca_key = key(KeyKind::P256)?;
    let not_a_ca = ca.issue(&not_a_ca_params, &not_a_ca_key)?;
    let fake = Ca {
        der: not_a_ca.clone(),
        issuer: Issuer::new(not_a_ca_params, not_a_ca_key),
    };
    let leaf = fake.issue(&g.leaf_params("eve", Window::Leaf), &key(KeyKind::P256)?)?;
    g.certs(
        "leaf-as-ca.pem",
        "client leaf CN=eve issued by the end-entity CN=not-a-ca (cA=false) + not-a-ca + intermediate-ca",
        &[&leaf, &not_a_ca, &ca.der],
    )
}

/// `pathlen.pem`: root → pathLen 0 CA → sub-CA → leaf, one CA too many.
fn pathlen(g: &mut Fixtures, root: &Ca) -> Result<()> {
    let zero = Ca::sub(
        g.ca_params("certgate PathLen0 CA", Some(0)),
        key(KeyKind::P256)?,
        root,
    )?;
    let sub = Ca::sub(
        g.ca_params("certgate Sub CA under PathLen0", None),
        key(KeyKind::P256)?,
        &zero,
    )?;
    let leaf = sub.issue(&g.leaf_params("frank", Window::Leaf), &key(KeyKind::P256)?)?;
    g.certs(
        "pathlen.pem",
        "client leaf CN=frank + a sub-CA + its issuer with pathLenConstraint 0 (under root-ca)",
        &[&leaf, &sub.der, &zero.der],
    )
}

/// `name-constraints.pem`, `name-constraints-ok.pem`: an intermediate permitted only
/// `example.org`, with a leaf that names `evil.example.com` and one that names `api.example.org`.
fn name_constraints(g: &mut Fixtures, root: &Ca) -> Result<()> {
    let mut params = g.ca_params("certgate Name-constrained CA", None);
    params.name_constraints = Some(NameConstraints {
        permitted_subtrees: vec![GeneralSubtree::DnsName("example.org".into())],
        excluded_subtrees: Vec::new(),
    });
    let ca = Ca::sub(params, key(KeyKind::P256)?, root)?;

    let mut bad = g.leaf_params("evil", Window::Leaf);
    bad.subject_alt_names = vec![SanType::DnsName("evil.example.com".try_into()?)];
    let bad = ca.issue(&bad, &key(KeyKind::P256)?)?;
    g.certs(
        "name-constraints.pem",
        "leaf with DNS SAN evil.example.com + an intermediate (under root-ca) permitted only example.org",
        &[&bad, &ca.der],
    )?;

    let mut good = g.leaf_params("api", Window::Leaf);
    good.subject_alt_names = vec![SanType::DnsName("api.example.org".try_into()?)];
    let good = ca.issue(&good, &key(KeyKind::P256)?)?;
    g.certs(
        "name-constraints-ok.pem",
        "leaf with DNS SAN api.example.org + the same name-constrained intermediate",
        &[&good, &ca.der],
    )
}

/// `alice-bad-signature.pem`: alice's leaf with the last signature octet flipped.
fn bad_signature(g: &mut Fixtures, ca: &Ca) -> Result<()> {
    let mut leaf = ca.issue(&g.leaf_params("alice", Window::Leaf), &key(KeyKind::P256)?)?;
    // The last octet is the low byte of the ECDSA `s` INTEGER: the DER stays well-formed.
    *leaf.last_mut().ok_or("empty certificate")? ^= 0x01;
    g.certs(
        "alice-bad-signature.pem",
        "client leaf CN=alice whose signature is corrupted + intermediate-ca",
        &[&leaf, &ca.der],
    )
}

/// `sigalg-mismatch.pem`: the outer signatureAlgorithm says ecdsa-with-SHA384, the signed
/// part says ecdsa-with-SHA256 (RFC 5280 §4.1.1.2 requires them to match).
fn signature_algorithm_mismatch(g: &mut Fixtures, ca: &Ca) -> Result<()> {
    let leaf = ca.issue(
        &g.leaf_params("mismatch", Window::Leaf),
        &key(KeyKind::P256)?,
    )?;
    let (tbs, algorithm, signature) = der_edit::signed_parts(&leaf);
    // ecdsa-with-SHA256 is 1.2.840.10045.4.3.2; the last OID octet 0x02 becomes 0x03 (SHA-384).
    let mut outer = algorithm.whole.to_vec();
    *outer.last_mut().ok_or("empty algorithm")? = 0x03;
    let patched = der_edit::sequence(&[tbs.whole, &outer, signature.whole]);
    g.certs(
        "sigalg-mismatch.pem",
        "client leaf whose outer signature algorithm (SHA-384) differs from the signed one (SHA-256) + intermediate-ca",
        &[&patched, &ca.der],
    )
}

/// `critical-extension.pem`: a critical extension with an unknown OID.
fn critical_extension(g: &mut Fixtures, ca: &Ca) -> Result<()> {
    let mut params = g.leaf_params("critical", Window::Leaf);
    let mut ext = CustomExtension::from_oid_content(UNKNOWN_EXTENSION, vec![0x05, 0x00]);
    ext.set_criticality(true);
    params.custom_extensions = vec![ext];
    let leaf = ca.issue(&params, &key(KeyKind::P256)?)?;
    g.certs(
        "critical-extension.pem",
        "client leaf with a critical extension 1.3.6.1.4.1.99999.2 nobody understands + intermediate-ca",
        &[&leaf, &ca.der],
    )
}

/// `version2.pem`: a correctly signed certificate that says it is X.509 v2.
fn version2(g: &mut Fixtures, ca: &Ca) -> Result<()> {
    let leaf = ca.issue(
        &g.leaf_params("version2", Window::Leaf),
        &key(KeyKind::P256)?,
    )?;
    let leaf = der_edit::edit_and_resign(&leaf, ca.key(), |mut fields| {
        // [0] EXPLICIT Version: INTEGER 2 (v3) becomes INTEGER 1 (v2).
        assert_eq!(fields[0], [0xa0, 0x03, 0x02, 0x01, 0x02]);
        fields[0] = vec![0xa0, 0x03, 0x02, 0x01, 0x01];
        fields
    });
    g.certs(
        "version2.pem",
        "client leaf encoded as X.509 version 2 (validly signed) + intermediate-ca",
        &[&leaf, &ca.der],
    )
}

/// `serial-zero.pem`: serial number 0, which RFC 5280 §4.1.2.2 forbids (webpki tolerates it).
fn serial_zero(g: &mut Fixtures, ca: &Ca) -> Result<()> {
    let mut params = g.leaf_params("serial-zero", Window::Leaf);
    params.serial_number = Some(SerialNumber::from_slice(&[0]));
    let leaf = ca.issue(&params, &key(KeyKind::P256)?)?;
    g.certs("serial-zero.pem", "client leaf with serial number 0 (RFC 5280 forbids; the strict profile rejects) + intermediate-ca", &[&leaf, &ca.der])
}

/// `no-aki.pem`: a leaf without an authorityKeyIdentifier (RFC 5280 §4.2.1.1 requires one).
fn no_authority_key_id(g: &mut Fixtures, ca: &Ca) -> Result<()> {
    let mut params = g.leaf_params("no-aki", Window::Leaf);
    params.use_authority_key_identifier_extension = false;
    let leaf = ca.issue(&params, &key(KeyKind::P256)?)?;
    g.certs(
        "no-aki.pem",
        "client leaf without authorityKeyIdentifier (the strict profile rejects) + intermediate-ca",
        &[&leaf, &ca.der],
    )
}

// ---------------------------------------------------------------------------------------
// Revocation.

/// The revocation fixtures: a revoked leaf, a revoked intermediate, and CRLs good and bad.
fn revocation(g: &mut Fixtures, root: &Ca, intermediate: &Ca) -> Result<()> {
    let revoked_params = g.leaf_params("revoked", Window::Leaf);
    let revoked_serial = revoked_params.serial_number.clone().ok_or("no serial")?;
    let revoked = intermediate.issue(&revoked_params, &key(KeyKind::P256)?)?;
    g.certs(
        "revoked.pem",
        "client leaf CN=revoked, listed in intermediate.crl.pem + intermediate-ca",
        &[&revoked, &intermediate.der],
    )?;

    let revoked_ca_params = g.ca_params("certgate Revoked Intermediate CA", None);
    let revoked_ca_serial = revoked_ca_params.serial_number.clone().ok_or("no serial")?;
    let revoked_ca = Ca::sub(revoked_ca_params, key(KeyKind::P256)?, root)?;
    // grace shares her serial with revoked.pem's leaf: a serial is only unique per issuer, and
    // intermediate.crl.pem's entry for it must not be taken to revoke grace.
    let mut grace = g.leaf_params("grace", Window::Leaf);
    grace.serial_number = Some(revoked_serial.clone());
    let leaf = revoked_ca.issue(&grace, &key(KeyKind::P256)?)?;
    g.certs(
        "revoked-intermediate.pem",
        "client leaf CN=grace (same serial as revoked.pem's leaf, other issuer) + its intermediate (under root-ca), which root.crl.pem revokes",
        &[&leaf, &revoked_ca.der],
    )?;

    let current = (date_time_ymd(2026, 5, 1), date_time_ymd(2026, 7, 1));
    let crl = crl_der(
        intermediate.issuer(),
        current,
        &[(revoked_serial.clone(), RevocationReason::KeyCompromise)],
    )?;
    g.crl("intermediate.crl.pem", "CRL of intermediate-ca (2026-05-01..2026-07-01) revoking revoked.pem's leaf (keyCompromise)", &crl)?;

    let crl = crl_der(
        root.issuer(),
        current,
        &[(revoked_ca_serial, RevocationReason::CaCompromise)],
    )?;
    g.crl("root.crl.pem", "CRL of root-ca (2026-05-01..2026-07-01) revoking revoked-intermediate.pem's CA (cACompromise)", &crl)?;

    let stale = (date_time_ymd(2026, 3, 1), date_time_ymd(2026, 4, 1));
    let crl = crl_der(intermediate.issuer(), stale, &[])?;
    g.crl(
        "intermediate-expired.crl.pem",
        "CRL of intermediate-ca whose nextUpdate (2026-04-01) has passed",
        &crl,
    )?;

    // Names intermediate-ca as its issuer but is signed by a different key.
    let impostor = Issuer::new(
        g.ca_params("certgate Test Intermediate CA", None),
        key(KeyKind::P256)?,
    );
    let crl = crl_der(&impostor, current, &[])?;
    g.crl(
        "intermediate-bad-signature.crl.pem",
        "CRL naming intermediate-ca as issuer, signed by another key",
        &crl,
    )?;

    // A delta CRL (RFC 5280 §5.2.4), which certgate does not support: rcgen's CRL plus a
    // critical deltaCRLIndicator extension, re-signed.
    let crl = crl_der(
        intermediate.issuer(),
        current,
        &[(revoked_serial, RevocationReason::KeyCompromise)],
    )?;
    let crl = der_edit::edit_and_resign(&crl, intermediate.key(), |mut fields| {
        let last = fields.pop().expect("a CRL has fields");
        let (extensions, _) = der_edit::read(&last);
        assert_eq!(extensions.tag, 0xa0, "rcgen writes crlExtensions last");
        let (list, _) = der_edit::read(extensions.content);
        let delta = der_edit::sequence(&[
            &[0x06, 0x03, 0x55, 0x1d, 0x1b], // 2.5.29.27 deltaCRLIndicator
            &[0x01, 0x01, 0xff],             // critical
            &der_edit::encode(0x04, &[0x02, 0x01, 0x01]), // BaseCRLNumber 1
        ]);
        let list = der_edit::encode(0x30, &[list.content, &delta].concat());
        fields.push(der_edit::encode(0xa0, &list));
        fields
    });
    g.crl(
        "delta.crl.pem",
        "delta CRL of intermediate-ca (critical deltaCRLIndicator), unsupported",
        &crl,
    )
}

/// `no-crl-sign-ca.pem` chain and its CRL: the CA's keyUsage lacks cRLSign.
fn no_crl_sign(g: &mut Fixtures, root: &Ca) -> Result<()> {
    let mut params = g.ca_params("certgate No-cRLSign CA", None);
    params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    let ca_key = key(KeyKind::P256)?;
    let ca = Ca::sub(params.clone(), ca_key, root)?;
    let leaf = ca.issue(&g.leaf_params("heidi", Window::Leaf), &key(KeyKind::P256)?)?;
    g.certs(
        "no-crl-sign.pem",
        "client leaf CN=heidi + its intermediate (under root-ca) whose keyUsage lacks cRLSign",
        &[&leaf, &ca.der],
    )?;
    // rcgen refuses to sign a CRL for an issuer without cRLSign; an issuer that declares no key
    // usages at all (same name, same key) signs the CRL the CA itself could never have issued.
    params.key_usages = Vec::new();
    let signer = Issuer::new(params, ca.issuer.key());
    let crl = crl_der(
        &signer,
        (date_time_ymd(2026, 5, 1), date_time_ymd(2026, 7, 1)),
        &[],
    )?;
    g.crl(
        "no-crl-sign.crl.pem",
        "CRL signed by the no-cRLSign CA of no-crl-sign.pem",
        &crl,
    )
}

// ---------------------------------------------------------------------------------------
// Pinning and hostile paths.

/// `pinned-client.pem`: a self-signed client certificate, trusted only when pinned.
fn pinned(g: &mut Fixtures) -> Result<()> {
    let mut params = g.leaf_params("pinned-client", Window::Leaf);
    params.subject_alt_names = vec![SanType::DnsName("pinned.example.org".try_into()?)];
    let key = key(KeyKind::P256)?;
    let cert = params.self_signed(&key)?;
    g.certs(
        "pinned-client.pem",
        "self-signed client leaf CN=pinned-client (clientAuth, DNS pinned.example.org), not a CA",
        &[cert.der()],
    )
}

/// `deep-chain.pem`: leaf + seven intermediates, one more than webpki builds through.
fn deep_chain(g: &mut Fixtures, root: &Ca) -> Result<()> {
    let mut cas: Vec<Ca> = Vec::new();
    for depth in (1..=7).rev() {
        let params = g.ca_params(&format!("certgate Deep CA {depth}"), None);
        let ca = Ca::sub(params, key(KeyKind::P256)?, cas.last().unwrap_or(root))?;
        cas.push(ca);
    }
    let issuer = cas.last().ok_or("no CA")?;
    let leaf = issuer.issue(&g.leaf_params("deep", Window::Leaf), &key(KeyKind::P256)?)?;
    let mut chain: Vec<&[u8]> = vec![&leaf];
    chain.extend(cas.iter().rev().map(|ca| ca.der.as_slice()));
    g.certs(
        "deep-chain.pem",
        "client leaf + Deep CA 1..7 (Deep CA 7 under root-ca): seven intermediates, webpki allows six",
        &chain,
    )
}

/// `loop.pem`: leaf + two CAs that issue each other, and nothing reaches a trust anchor.
fn loop_chain(g: &mut Fixtures) -> Result<()> {
    let a_params = g.ca_params("certgate Loop CA A", None);
    let b_params = g.ca_params("certgate Loop CA B", None);
    let (a_key, b_key) = (key(KeyKind::P256)?, key(KeyKind::P256)?);
    let a_issuer = Issuer::from_params(&a_params, &a_key);
    let b_issuer = Issuer::from_params(&b_params, &b_key);
    let a = a_params.signed_by(&a_key, &b_issuer)?;
    let b = b_params.signed_by(&b_key, &a_issuer)?;
    let leaf = g
        .leaf_params("loop", Window::Leaf)
        .signed_by(&key(KeyKind::P256)?, &a_issuer)?;
    g.certs(
        "loop.pem",
        "client leaf + Loop CA A + Loop CA B, where A is issued by B and B by A (no anchor)",
        &[leaf.der(), a.der(), b.der()],
    )
}

/// `mesh-root.pem`, `mesh.pem`: six same-subject CAs, each cross-signed by the root, under a
/// leaf with a bad signature. Every ordering of them is a candidate path, and each candidate
/// costs signature checks, so webpki's budget of 100 signatures runs out.
fn mesh(g: &mut Fixtures) -> Result<()> {
    let root_params = g.ca_params("certgate Mesh CA", None);
    let root = Ca::root(root_params.clone(), key(KeyKind::P256)?)?;
    let mut chain = Vec::new();
    for _ in 0..6 {
        let params = g.ca_params("certgate Mesh CA", None);
        chain.push(
            params
                .signed_by(&key(KeyKind::P256)?, &root.issuer)?
                .der()
                .to_vec(),
        );
    }
    // Names the mesh CA as issuer, signed by a key no mesh certificate holds.
    let forger = Issuer::new(root_params, key(KeyKind::P256)?);
    let leaf = g
        .leaf_params("mesh", Window::Leaf)
        .signed_by(&key(KeyKind::P256)?, &forger)?;
    chain.insert(0, leaf.der().to_vec());
    g.certs(
        "mesh-root.pem",
        "self-signed root CN=certgate Mesh CA",
        &[&root.der],
    )?;
    let refs: Vec<&[u8]> = chain.iter().map(Vec::as_slice).collect();
    g.certs(
        "mesh.pem",
        "badly signed leaf + six CAs all named CN=certgate Mesh CA, each signed by mesh-root (budget exhaustion)",
        &refs,
    )
}

/// `distrusted-ca.pem`, `distrusted-leaf.pem`: a trust anchor whose key webpki distrusts.
fn distrusted(g: &mut Fixtures) -> Result<()> {
    let params = g.ca_params("certgate Distrusted CA", None);
    // The SPKI is a real distrusted key; its private half is not ours, so another key signs.
    let forger = Issuer::new(params.clone(), key(KeyKind::P256)?);
    let ca = params.signed_by(&ForeignKey(DISTRUSTED_SPKI_KEY.to_vec()), &forger)?;
    let leaf = g
        .leaf_params("trent", Window::Leaf)
        .signed_by(&key(KeyKind::P256)?, &forger)?;
    g.certs(
        "distrusted-ca.pem",
        "CA CN=certgate Distrusted CA whose public key is one of webpki's distrusted SPKIs (Entrust OV TLS ECC G3)",
        &[ca.der()],
    )?;
    g.certs(
        "distrusted-leaf.pem",
        "client leaf CN=trent issued in the name of distrusted-ca",
        &[leaf.der()],
    )
}

/// The subjectPublicKey bits of [`DISTRUSTED_SPKI`]. webpki stores an SPKI without its outer
/// SEQUENCE header, so the file starts with the 18-octet P-384 AlgorithmIdentifier, then the
/// BIT STRING's tag, length and unused-bits octet (3 octets), then the 97-octet EC point.
const DISTRUSTED_SPKI_KEY: &[u8] = DISTRUSTED_SPKI.split_at(21).1;

// ---------------------------------------------------------------------------------------
// Bench chains.

/// `bench/<kind>/root.pem` and `bench/<kind>/chain.pem` (leaf + intermediate).
fn bench_chain(
    g: &mut Fixtures,
    kind: &str,
    root_key: KeyKind,
    intermediate_key: KeyKind,
    leaf_key: KeyKind,
) -> Result<()> {
    let root = Ca::root(
        g.ca_params(&format!("certgate Bench {kind} Root CA"), None),
        key(root_key)?,
    )?;
    let ca = Ca::sub(
        g.ca_params(&format!("certgate Bench {kind} Intermediate CA"), None),
        key(intermediate_key)?,
        &root,
    )?;
    // An email SAN: pyca/cryptography's client verifier (a bench peer) requires a SAN.
    let mut leaf_params = g.leaf_params(&format!("bench-{kind}"), Window::Leaf);
    leaf_params.subject_alt_names = vec![SanType::Rfc822Name(
        format!("bench-{kind}@example.org").try_into()?,
    )];
    let leaf = ca.issue(&leaf_params, &key(leaf_key)?)?;
    let what =
        format!("{root_key} root → {intermediate_key} intermediate → {leaf_key} client leaf");
    g.certs(
        &format!("bench/{kind}/root.pem"),
        &format!("bench trust anchor: {root_key} root"),
        &[&root.der],
    )?;
    g.certs(
        &format!("bench/{kind}/chain.pem"),
        &format!("bench chain, leaf first: {what}"),
        &[&leaf, &ca.der],
    )
}

// ---------------------------------------------------------------------------------------
// Helpers.

/// Collects output files and their descriptions for the README.
struct Fixtures {
    out: PathBuf,
    listed: Vec<(String, String)>,
    next_serial: u32,
}

impl Fixtures {
    fn new(out: PathBuf) -> Result<Self> {
        fs::create_dir_all(&out)?;
        Ok(Self {
            out,
            listed: Vec::new(),
            next_serial: 0x1000,
        })
    }

    /// Writes certificates as one PEM file, in the order given.
    fn certs(&mut self, name: &str, purpose: &str, ders: &[&[u8]]) -> Result<()> {
        let pems: Vec<pem::Pem> = ders
            .iter()
            .map(|der| pem::Pem::new("CERTIFICATE", der.to_vec()))
            .collect();
        self.write(name, purpose, &pems)
    }

    fn crl(&mut self, name: &str, purpose: &str, der: &[u8]) -> Result<()> {
        self.write(name, purpose, &[pem::Pem::new("X509 CRL", der.to_vec())])
    }

    fn write(&mut self, name: &str, purpose: &str, pems: &[pem::Pem]) -> Result<()> {
        let config = pem::EncodeConfig::new().set_line_ending(pem::LineEnding::LF);
        let path = self.out.join(name);
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir)?;
        }
        fs::write(&path, pem::encode_many_config(pems, config))?;
        self.listed.push((name.into(), purpose.into()));
        Ok(())
    }

    fn write_readme(&self) -> Result<()> {
        let mut text = String::from(
            "# certgate test fixtures\n\n\
             Generated by `tests/fixtures-gen`; regenerate them all with\n\n\
             ```sh\ncargo run --release -p certgate-fixtures\n```\n\n\
             Do not edit these files by hand. Every key is generated, used once and discarded: no private\n\
             key is stored anywhere. Validity windows are fixed dates around the tests' validation time\n\
             `FIXED_TIME = 1_780_000_000` (2026-05-28T20:26:40Z). Unless noted, keys are P-256, CAs are\n\
             valid 2025-01-01..2036-01-01, client leaves 2026-01-01..2027-01-01 with extendedKeyUsage\n\
             clientAuth, and chain files list the leaf first. Certificates are `CERTIFICATE` PEM blocks,\n\
             CRLs `X509 CRL` blocks.\n\n\
             | File | What it is for |\n|---|---|\n",
        );
        for (name, purpose) in &self.listed {
            writeln!(text, "| `{name}` | {purpose} |")?;
        }
        fs::write(self.out.join("README.md"), text)?;
        Ok(())
    }

    fn serial(&mut self) -> SerialNumber {
        self.next_serial += 1;
        SerialNumber::from_slice(&self.next_serial.to_be_bytes()[1..])
    }

    /// A CA: O=certgate Test, CN=`cn`; keyCertSign, cRLSign, digitalSignature; SKI and AKI.
    fn ca_params(&mut self, cn: &str, path_len: Option<u8>) -> CertificateParams {
        let mut params = CertificateParams::default();
        params.distinguished_name = dn(&[
            (DnType::OrganizationName, "certgate Test"),
            (DnType::CommonName, cn),
        ]);
        params.is_ca = IsCa::Ca(match path_len {
            Some(n) => BasicConstraints::Constrained(n),
            None => BasicConstraints::Unconstrained,
        });
        params.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        params.serial_number = Some(self.serial());
        (params.not_before, params.not_after) = Window::Ca.dates();
        params.use_authority_key_identifier_extension = true;
        params.key_identifier_method = KeyIdMethod::Sha256;
        params
    }

    /// A client leaf: O=certgate Test, CN=`cn`; cA=false; digitalSignature; clientAuth; SKI and AKI.
    fn leaf_params(&mut self, cn: &str, window: Window) -> CertificateParams {
        let mut params = CertificateParams::default();
        params.distinguished_name = dn(&[
            (DnType::OrganizationName, "certgate Test"),
            (DnType::CommonName, cn),
        ]);
        params.is_ca = IsCa::ExplicitNoCa;
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
        params.serial_number = Some(self.serial());
        (params.not_before, params.not_after) = window.dates();
        params.use_authority_key_identifier_extension = true;
        params.key_identifier_method = KeyIdMethod::Sha256;
        params
    }
}

/// A CA that can issue: its certificate and its issuer (name, key identifier method, key).
struct Ca {
    der: Der,
    issuer: Issuer<'static, KeyPair>,
}

impl Ca {
    fn root(params: CertificateParams, key: KeyPair) -> Result<Self> {
        let der = params.self_signed(&key)?.der().to_vec();
        Ok(Self {
            der,
            issuer: Issuer::new(params, key),
        })
    }

    fn sub(params: CertificateParams, key: KeyPair, parent: &Ca) -> Result<Self> {
        let der = params.signed_by(&key, &parent.issuer)?.der().to_vec();
        Ok(Self {
            der,
            issuer: Issuer::new(params, key),
        })
    }

    fn issue(&self, params: &CertificateParams, subject: &impl PublicKeyData) -> Result<Der> {
        Ok(params.signed_by(subject, &self.issuer)?.der().to_vec())
    }

    fn issuer(&self) -> &Issuer<'static, KeyPair> {
        &self.issuer
    }

    fn key(&self) -> &KeyPair {
        self.issuer.key()
    }
}

fn crl_der(
    issuer: &Issuer<'_, impl rcgen::SigningKey>,
    (this_update, next_update): (OffsetDateTime, OffsetDateTime),
    revoked: &[(SerialNumber, RevocationReason)],
) -> Result<Der> {
    let params = CertificateRevocationListParams {
        this_update,
        next_update,
        crl_number: SerialNumber::from_slice(&[1]),
        issuing_distribution_point: None,
        revoked_certs: revoked
            .iter()
            .map(|(serial, reason)| RevokedCertParams {
                serial_number: serial.clone(),
                revocation_time: date_time_ymd(2026, 4, 15),
                reason_code: Some(*reason),
                invalidity_date: None,
            })
            .collect(),
        key_identifier_method: KeyIdMethod::Sha256,
    };
    Ok(params.signed_by(issuer)?.der().to_vec())
}

/// Validity windows, all fixed dates (see the module docs).
#[derive(Clone, Copy)]
enum Window {
    Ca,
    Leaf,
    Expired,
    Future,
}

impl Window {
    fn dates(self) -> (OffsetDateTime, OffsetDateTime) {
        match self {
            Self::Ca => (date_time_ymd(2025, 1, 1), date_time_ymd(2036, 1, 1)),
            Self::Leaf => (date_time_ymd(2026, 1, 1), date_time_ymd(2027, 1, 1)),
            Self::Expired => (date_time_ymd(2025, 1, 1), date_time_ymd(2026, 1, 2)),
            Self::Future => (date_time_ymd(2026, 6, 1), date_time_ymd(2027, 6, 1)),
        }
    }
}

#[derive(Clone, Copy)]
enum KeyKind {
    P256,
    Rsa(usize),
    Ed25519,
}

impl std::fmt::Display for KeyKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::P256 => f.write_str("P-256"),
            Self::Rsa(bits) => write!(f, "RSA-{bits}"),
            Self::Ed25519 => f.write_str("Ed25519"),
        }
    }
}

/// A fresh key pair. RSA keys come from the RustCrypto `rsa` crate (ring cannot generate
/// them) as PKCS#8, then sign through ring with PKCS#1 v1.5 SHA-256.
fn key(kind: KeyKind) -> Result<KeyPair> {
    let alg: &'static SignatureAlgorithm = match kind {
        KeyKind::P256 => &rcgen::PKCS_ECDSA_P256_SHA256,
        KeyKind::Ed25519 => &rcgen::PKCS_ED25519,
        KeyKind::Rsa(bits) => {
            let private = rsa::RsaPrivateKey::new(&mut rsa::rand_core::OsRng, bits)?;
            let pkcs8 = private.to_pkcs8_der()?;
            let der = PrivatePkcs8KeyDer::from(pkcs8.as_bytes().to_vec());
            return Ok(KeyPair::from_pkcs8_der_and_sign_algo(
                &der,
                &rcgen::PKCS_RSA_SHA256,
            )?);
        }
    };
    Ok(KeyPair::generate_for(alg)?)
}

/// A public key we hold no private key for, as rcgen's subject key.
struct ForeignKey(Vec<u8>);

impl PublicKeyData for ForeignKey {
    fn der_bytes(&self) -> &[u8] {
        &self.0
    }

    /// rcgen writes the SPKI AlgorithmIdentifier from this: id-ecPublicKey with secp384r1,
    /// exactly as in the distrusted SPKI.
    fn algorithm(&self) -> &'static SignatureAlgorithm {
        &rcgen::PKCS_ECDSA_P384_SHA384
    }
}

fn dn(parts: &[(DnType, &str)]) -> DistinguishedName {
    let mut dn = DistinguishedName::new();
    for (ty, value) in parts {
        dn.push(ty.clone(), *value);
    }
    dn
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    /// The committed fixtures and their README agree, and nothing secret is among them.
    #[test]
    fn readme_lists_exactly_the_committed_fixtures() {
        let dir =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../crates/certgate/tests/fixtures");
        let readme = std::fs::read_to_string(dir.join("README.md")).expect("fixtures README");
        let listed: Vec<&str> = readme
            .lines()
            .filter_map(|line| line.strip_prefix("| `")?.split('`').next())
            .collect();
        let mut on_disk = Vec::new();
        let mut pending = vec![dir.clone()];
        while let Some(next) = pending.pop() {
            for entry in std::fs::read_dir(next).expect("fixtures directory") {
                let path = entry.expect("directory entry").path();
                if path.is_dir() {
                    pending.push(path);
                } else if path.file_name().is_some_and(|n| n != "README.md") {
                    // Bytes, not text: mesh-variants.pem is fuzzer output kept as found,
                    // with bytes between and inside its PEM blocks that are not UTF-8.
                    let bytes = std::fs::read(&path).expect("fixture is readable");
                    assert!(
                        !bytes.windows(11).any(|w| w == b"PRIVATE KEY"),
                        "{} holds a private key",
                        path.display()
                    );
                    let relative = path
                        .strip_prefix(&dir)
                        .expect("under the fixtures directory");
                    on_disk.push(relative.to_string_lossy().into_owned());
                }
            }
        }
        on_disk.sort();
        let mut listed_sorted: Vec<String> = listed.iter().map(|s| s.to_string()).collect();
        listed_sorted.sort();
        assert_eq!(
            on_disk, listed_sorted,
            "run `cargo run --release -p certgate-fixtures`"
        );
    }
}
