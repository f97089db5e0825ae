//! `certgate inspect`: what a certificate, chain, CSR, CRL, private key or PKCS#12 file holds,
//! as text or as JSON. Certificates are described by the core's [`certgate::Inspection`]
//! record, the same one the servers, the npm package and the inspector page show.

use std::path::{Path, PathBuf};

use der::Decode;
use serde::Serialize;
use x509_parser::certification_request::X509CertificationRequest;
use x509_parser::cri_attributes::ParsedCriAttribute;
use x509_parser::extensions::{GeneralName, ParsedExtension};
use x509_parser::prelude::{FromDer, X509Name};
use x509_parser::revocation_list::CertificateRevocationList;

use crate::error::{fail, Error};
use crate::files;
use crate::password::{PasswordArgs, Purpose};
use crate::pem_io::{self, Block};
use crate::pkcs12;
use crate::pki::{self, parse_time};

/// `inspect`.
#[derive(Debug, clap::Args)]
pub struct InspectArgs {
    /// The file to inspect: PEM or DER certificates, CSR, CRL or key, or PKCS#12 (`-` reads stdin).
    input: PathBuf,
    /// Print one JSON object instead of text.
    #[arg(long)]
    json: bool,
    /// The time validity status is computed for: RFC 3339 or Unix seconds [default: now].
    #[arg(long, value_name = "TIME", value_parser = parse_time)]
    time: Option<u64>,
    /// The password of a PKCS#12 file.
    #[command(flatten)]
    password: PasswordArgs,
}

/// Everything found in the input, by kind.
#[derive(Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
struct Report {
    /// `pem`, `der` or `pkcs12`.
    format: &'static str,
    certificates: Vec<CertEntry>,
    requests: Vec<RequestInfo>,
    crls: Vec<CrlInfo>,
    private_keys: Vec<KeyInfo>,
    /// How a PKCS#12 file is protected (MAC, certificate and key encryption).
    #[serde(skip_serializing_if = "Option::is_none")]
    pkcs12: Option<pkcs12::ProtectionInfo>,
}

/// A certificate: the core's inspection record, plus its PKCS#12 bag attributes if any.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct CertEntry {
    #[serde(flatten)]
    inspection: certgate::Inspection,
    #[serde(skip_serializing_if = "Option::is_none")]
    pkcs12: Option<BagInfo>,
}

/// PKCS#12 bag attributes.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct BagInfo {
    friendly_name: Option<String>,
    local_key_id: Option<String>,
    /// Whether Java lists it as a trustedCertEntry (it carries Java's trusted-key-usage attribute).
    trusted: bool,
}

/// A certificate signing request.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct RequestInfo {
    subject: certgate::DistinguishedName,
    public_key: String,
    signature_algorithm: String,
    /// Whether the request's self-signature verifies.
    signature_valid: bool,
    subject_alt_names: Vec<String>,
    /// OIDs of the other requested extensions (which `csr sign` does not copy).
    other_requested_extensions: Vec<String>,
}

/// A certificate revocation list.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct CrlInfo {
    issuer: certgate::DistinguishedName,
    this_update: String,
    next_update: Option<String>,
    crl_number: Option<String>,
    signature_algorithm: String,
    revoked: Vec<RevokedInfo>,
}

/// One revoked certificate.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct RevokedInfo {
    serial: String,
    revocation_date: String,
    reason: Option<String>,
}

/// A private key: its algorithm only, never its contents.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct KeyInfo {
    algorithm: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    friendly_name: Option<String>,
}

/// Runs `inspect`.
pub fn run(args: InspectArgs) -> Result<(), Error> {
    let input = files::read(&args.input)?;
    let time = args.time.unwrap_or_else(pki::now);
    let report = if pem_io::is_der(&input) {
        match der_report(&input, time)? {
            Some(report) => report,
            None => p12_report(&input, &args, time)?,
        }
    } else {
        let blocks = pem_io::blocks(&input, &args.input)?;
        let mut report = Report {
            format: "pem",
            ..Report::default()
        };
        for block in &blocks {
            add_block(&mut report, block, time, &args.input)?;
        }
        report
    };
    if args.json {
        let text =
            serde_json::to_string_pretty(&report).map_err(|e| fail!("cannot encode JSON: {e}"))?;
        println!("{text}");
    } else {
        print!("{}", text(&report));
    }
    Ok(())
}

fn add_block(report: &mut Report, block: &Block, time: u64, source: &Path) -> Result<(), Error> {
    let label = block.label.as_deref().unwrap_or("");
    match label {
        "CERTIFICATE" | "TRUSTED CERTIFICATE" => report.certificates.push(CertEntry {
            inspection: certgate::Inspection::from_der(&block.der, Some(time)).map_err(|e| {
                fail!(
                    "{}: certificate {}: {}",
                    source.display(),
                    report.certificates.len(),
                    e.message
                )
            })?,
            pkcs12: None,
        }),
        "CERTIFICATE REQUEST" | "NEW CERTIFICATE REQUEST" => {
            report.requests.push(request(&block.der)?)
        }
        "X509 CRL" => report.crls.push(crl(&block.der)?),
        l if l.contains("PRIVATE KEY") => report.private_keys.push(KeyInfo {
            algorithm: key_algorithm(&block.der, l),
            friendly_name: None,
        }),
        other => {
            return Err(fail!(
                "{}: `{other}` PEM blocks are not something certgate inspects",
                source.display()
            ))
        }
    }
    Ok(())
}

/// Certificates, a CSR, a CRL or a key in DER; `None` when it is none of them (PKCS#12 next).
fn der_report(input: &[u8], time: u64) -> Result<Option<Report>, Error> {
    let mut report = Report {
        format: "der",
        ..Report::default()
    };
    if let Ok(certs) = certgate::parse_bundle(input, &certgate::Limits::default()) {
        let records: Result<Vec<_>, _> = certs
            .iter()
            .map(|c| certgate::Inspection::from_der(c, Some(time)))
            .collect();
        if let Ok(records) = records {
            report.certificates = records
                .into_iter()
                .map(|inspection| CertEntry {
                    inspection,
                    pkcs12: None,
                })
                .collect();
            return Ok(Some(report));
        }
    }
    if matches!(X509CertificationRequest::from_der(input), Ok((rest, _)) if rest.is_empty()) {
        report.requests.push(request(input)?);
        return Ok(Some(report));
    }
    if matches!(CertificateRevocationList::from_der(input), Ok((rest, _)) if rest.is_empty()) {
        report.crls.push(crl(input)?);
        return Ok(Some(report));
    }
    if let Ok(info) = pkcs8::PrivateKeyInfoRef::from_der(input) {
        report.private_keys.push(KeyInfo {
            algorithm: algorithm_name(&info.algorithm.oid.to_string()),
            friendly_name: None,
        });
        return Ok(Some(report));
    }
    Ok(None)
}

fn p12_report(input: &[u8], args: &InspectArgs, time: u64) -> Result<Report, Error> {
    // The structure first: input that is no PKCS#12 file is refused before asking for a password.
    let protection =
        pkcs12::protection(input).map_err(|e| fail!("{}: {e}", args.input.display()))?;
    let password = args
        .password
        .read(&format!("{}", args.input.display()), Purpose::Existing)?;
    let contents =
        pkcs12::read(input, &password).map_err(|e| fail!("{}: {e}", args.input.display()))?;
    let mut report = Report {
        format: "pkcs12",
        pkcs12: Some(protection),
        ..Report::default()
    };
    for key in &contents.keys {
        let oid = pkcs8::PrivateKeyInfoRef::from_der(&key.pkcs8)
            .map(|i| i.algorithm.oid.to_string())
            .unwrap_or_default();
        report.private_keys.push(KeyInfo {
            algorithm: algorithm_name(&oid),
            friendly_name: key.name.clone(),
        });
    }
    for cert in &contents.certs {
        report.certificates.push(CertEntry {
            inspection: certgate::Inspection::from_der(&cert.der, Some(time))?,
            pkcs12: Some(BagInfo {
                friendly_name: cert.name.clone(),
                local_key_id: cert.local_key_id.as_deref().map(certgate::hex),
                trusted: cert.trusted,
            }),
        });
    }
    Ok(report)
}

fn request(der: &[u8]) -> Result<RequestInfo, Error> {
    let (_, csr) = X509CertificationRequest::from_der(der)
        .map_err(|e| fail!("invalid certificate signing request: {e}"))?;
    let info = &csr.certification_request_info;
    let mut sans = Vec::new();
    let mut others = Vec::new();
    for attr in info.iter_attributes() {
        let ParsedCriAttribute::ExtensionRequest(request) = attr.parsed_attribute() else {
            continue;
        };
        for ext in &request.extensions {
            match ext.parsed_extension() {
                ParsedExtension::SubjectAlternativeName(san) => {
                    sans.extend(san.general_names.iter().map(general_name))
                }
                _ => others.push(ext.oid.to_id_string()),
            }
        }
    }
    Ok(RequestInfo {
        subject: dn(&info.subject)?,
        public_key: algorithm_name(&info.subject_pki.algorithm.algorithm.to_id_string()),
        signature_algorithm: csr.signature_algorithm.algorithm.to_id_string(),
        signature_valid: csr.verify_signature().is_ok(),
        subject_alt_names: sans,
        other_requested_extensions: others,
    })
}

fn crl(der: &[u8]) -> Result<CrlInfo, Error> {
    let (_, crl) =
        CertificateRevocationList::from_der(der).map_err(|e| fail!("invalid CRL: {e}"))?;
    let time = |t: x509_parser::time::ASN1Time| {
        certgate::time::rfc3339(u64::try_from(t.timestamp()).unwrap_or(0))
    };
    Ok(CrlInfo {
        issuer: dn(crl.issuer())?,
        this_update: time(crl.last_update()),
        next_update: crl.next_update().map(time),
        crl_number: crl.crl_number().map(|n| certgate::hex(&n.to_bytes_be())),
        signature_algorithm: crl.signature_algorithm.algorithm.to_id_string(),
        revoked: crl
            .iter_revoked_certificates()
            .map(|entry| RevokedInfo {
                serial: certgate::hex(&entry.serial().to_bytes_be()),
                revocation_date: time(entry.revocation_date),
                reason: entry
                    .reason_code()
                    .map(|(_, code)| reason_name(code.0).to_owned()),
            })
            .collect(),
    })
}

/// The core's rendering of a name, so subjects read the same everywhere.
fn dn(name: &X509Name<'_>) -> Result<certgate::DistinguishedName, Error> {
    let name = x509_cert::name::Name::from_der(name.as_raw())
        .map_err(|e| fail!("invalid distinguished name: {e}"))?;
    Ok(certgate::DistinguishedName::from_name(&name))
}

fn general_name(name: &GeneralName<'_>) -> String {
    match name {
        GeneralName::DNSName(s) => format!("DNS:{s}"),
        GeneralName::RFC822Name(s) => format!("email:{s}"),
        GeneralName::URI(s) => format!("URI:{s}"),
        GeneralName::IPAddress(b) if b.len() == 4 => {
            format!("IP:{}", std::net::Ipv4Addr::new(b[0], b[1], b[2], b[3]))
        }
        GeneralName::IPAddress(b) if b.len() == 16 => {
            let mut octets = [0u8; 16];
            octets.copy_from_slice(b);
            format!("IP:{}", std::net::Ipv6Addr::from(octets))
        }
        other => format!("{other:?}"),
    }
}

fn key_algorithm(der: &[u8], label: &str) -> String {
    match label {
        "RSA PRIVATE KEY" => "RSA".into(),
        "EC PRIVATE KEY" => "EC".into(),
        "ENCRYPTED PRIVATE KEY" => "encrypted".into(),
        _ => pkcs8::PrivateKeyInfoRef::from_der(der)
            .map(|i| algorithm_name(&i.algorithm.oid.to_string()))
            .unwrap_or_else(|_| "unknown".into()),
    }
}

fn algorithm_name(oid: &str) -> String {
    match oid {
        "1.2.840.10045.2.1" => "EC",
        "1.2.840.113549.1.1.1" => "RSA",
        "1.2.840.113549.1.1.10" => "RSA-PSS",
        "1.3.101.112" => "Ed25519",
        "1.3.101.113" => "Ed448",
        other => other,
    }
    .into()
}

fn reason_name(code: u8) -> &'static str {
    match code {
        0 => "unspecified",
        1 => "keyCompromise",
        2 => "cACompromise",
        3 => "affiliationChanged",
        4 => "superseded",
        5 => "cessationOfOperation",
        6 => "certificateHold",
        8 => "removeFromCRL",
        9 => "privilegeWithdrawn",
        10 => "aACompromise",
        _ => "unknown",
    }
}

/// The text form of a report.
fn text(report: &Report) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let total = report.certificates.len();
    for (i, entry) in report.certificates.iter().enumerate() {
        let c = &entry.inspection;
        let _ = writeln!(
            out,
            "Certificate {}{}",
            i,
            if total > 1 {
                format!(" of {total}")
            } else {
                String::new()
            }
        );
        let mut line = |k: &str, v: &str| {
            let _ = writeln!(out, "  {k:<14}{v}");
        };
        if let Some(bag) = &entry.pkcs12 {
            let name = bag.friendly_name.as_deref().unwrap_or("-");
            line(
                "PKCS#12 entry",
                &format!(
                    "{name}{}",
                    if bag.trusted {
                        " (trusted certificate)"
                    } else {
                        ""
                    }
                ),
            );
        }
        line("subject", &c.subject.rfc4514);
        line("issuer", &c.issuer.rfc4514);
        line("serial", &c.serial);
        let status = c
            .status
            .as_ref()
            .map(|s| format!("  ({})", s.summary))
            .unwrap_or_default();
        line(
            "validity",
            &format!(
                "{} to {}{status}",
                c.validity.not_before, c.validity.not_after
            ),
        );
        let key = match (&c.public_key.curve, c.public_key.bits) {
            (Some(curve), _) => format!("{} {curve}", c.public_key.algorithm),
            (None, Some(bits)) => format!("{} {bits}", c.public_key.algorithm),
            (None, None) => c.public_key.algorithm.clone(),
        };
        line("public key", &key);
        line("signature", &c.signature_algorithm);
        let ca = match &c.basic_constraints {
            Some(bc) if bc.ca => match bc.path_len {
                Some(n) => format!("yes, path length {n}"),
                None => "yes".into(),
            },
            _ => "no".into(),
        };
        line("CA", &ca);
        if !c.key_usage.is_empty() {
            line("key usage", &c.key_usage.join(", "));
        }
        if let Some(ekus) = &c.extended_key_usage {
            line("ext key usage", &ekus.join(", "));
        }
        let sans = &c.subject_alt_names;
        let names: Vec<String> = sans
            .dns
            .iter()
            .map(|s| format!("DNS:{s}"))
            .chain(sans.ip.iter().map(|s| format!("IP:{s}")))
            .chain(sans.email.iter().map(|s| format!("email:{s}")))
            .chain(sans.uri.iter().map(|s| format!("URI:{s}")))
            .chain(sans.dir.iter().map(|s| format!("DirName:{s}")))
            .collect();
        if !names.is_empty() {
            line("SANs", &names.join(", "));
        }
        if let Some(id) = &c.spiffe_id {
            line("SPIFFE ID", id);
        }
        if !c.crl_distribution_points.is_empty() {
            line("CRL DPs", &c.crl_distribution_points.join(", "));
        }
        line("SHA-256", &c.fingerprints.sha256);
        if c.self_signed {
            line("self-signed", "yes");
        }
    }
    for r in &report.requests {
        let _ = writeln!(out, "Certificate signing request");
        let _ = writeln!(out, "  {:<14}{}", "subject", r.subject.rfc4514);
        let _ = writeln!(out, "  {:<14}{}", "public key", r.public_key);
        let _ = writeln!(
            out,
            "  {:<14}{}",
            "signature",
            if r.signature_valid {
                "valid"
            } else {
                "INVALID"
            }
        );
        if !r.subject_alt_names.is_empty() {
            let _ = writeln!(out, "  {:<14}{}", "SANs", r.subject_alt_names.join(", "));
        }
        if !r.other_requested_extensions.is_empty() {
            let _ = writeln!(
                out,
                "  {:<14}{}",
                "also requests",
                r.other_requested_extensions.join(", ")
            );
        }
    }
    for c in &report.crls {
        let _ = writeln!(out, "Certificate revocation list");
        let _ = writeln!(out, "  {:<14}{}", "issuer", c.issuer.rfc4514);
        let _ = writeln!(out, "  {:<14}{}", "this update", c.this_update);
        let _ = writeln!(
            out,
            "  {:<14}{}",
            "next update",
            c.next_update.as_deref().unwrap_or("-")
        );
        let _ = writeln!(
            out,
            "  {:<14}{}",
            "CRL number",
            c.crl_number.as_deref().unwrap_or("-")
        );
        let _ = writeln!(out, "  {:<14}{}", "revoked", c.revoked.len());
        for r in &c.revoked {
            let reason = r
                .reason
                .as_deref()
                .map(|s| format!(" ({s})"))
                .unwrap_or_default();
            let _ = writeln!(out, "    {} at {}{reason}", r.serial, r.revocation_date);
        }
    }
    if let Some(p) = &report.pkcs12 {
        let _ = writeln!(out, "PKCS#12 protection");
        let _ = writeln!(out, "  {:<14}{}", "MAC", p.mac.as_deref().unwrap_or("none"));
        let _ = writeln!(out, "  {:<14}{}", "certificates", p.certificates.join("; "));
        let _ = writeln!(
            out,
            "  {:<14}{}",
            "keys",
            if p.keys.is_empty() {
                "-".to_owned()
            } else {
                p.keys.join("; ")
            }
        );
    }
    for k in &report.private_keys {
        let name = k
            .friendly_name
            .as_deref()
            .map(|n| format!(" ({n})"))
            .unwrap_or_default();
        let _ = writeln!(out, "Private key: {}{name}", k.algorithm);
    }
    out
}
