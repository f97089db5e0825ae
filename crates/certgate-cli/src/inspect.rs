//! `certgate inspect`: what a certificate, chain, CSR, CRL, private key or PKCS#12 file holds,
//! as text or as JSON. Certificates are described by the core's [`certgate::Inspection`]
//! record, the same one the servers, the npm package and the inspector page show.

use std::path::{Path, PathBuf};

use der::Decode;
use serde::Serialize;

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
    requests: Vec<certgate::CsrInspection>,
    crls: Vec<certgate::CrlInspection>,
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
        "X509 CRL" => report.crls.push(crl(&block.der, time)?),
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
    if let Ok(record) =
        certgate::CsrInspection::from_der(input, certgate::webpki::ALL_VERIFICATION_ALGS)
    {
        report.requests.push(record);
        return Ok(Some(report));
    }
    if let Ok(record) = certgate::CrlInspection::from_der(input, Some(time)) {
        report.crls.push(record);
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

/// The core's CSR record, its self-signature checked with webpki's ring algorithms.
fn request(der: &[u8]) -> Result<certgate::CsrInspection, Error> {
    certgate::CsrInspection::from_der(der, certgate::webpki::ALL_VERIFICATION_ALGS)
        .map_err(|e| fail!("invalid certificate signing request: {}", e.message))
}

/// The core's CRL record, with its freshness at `time`.
fn crl(der: &[u8], time: u64) -> Result<certgate::CrlInspection, Error> {
    certgate::CrlInspection::from_der(der, Some(time))
        .map_err(|e| fail!("invalid CRL: {}", e.message))
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
        line("public key", &key_text(&c.public_key));
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
        let names = san_text(&c.subject_alt_names);
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
        let _ = writeln!(out, "  {:<14}{}", "public key", key_text(&r.public_key));
        let signature = match r.signature_valid {
            Some(true) => "valid",
            Some(false) => "INVALID",
            None => "not checked (unsupported algorithm)",
        };
        let _ = writeln!(out, "  {:<14}{}", "signature", signature);
        let sans = san_text(&r.subject_alt_names);
        if !sans.is_empty() {
            let _ = writeln!(out, "  {:<14}{}", "SANs", sans.join(", "));
        }
        let others: Vec<&str> = r
            .extensions
            .iter()
            .filter(|e| e.oid != "2.5.29.17")
            .map(|e| e.name.as_str())
            .collect();
        if !others.is_empty() {
            let _ = writeln!(
                out,
                "  {:<14}{} (csr sign ignores these)",
                "also requests",
                others.join(", ")
            );
        }
    }
    for c in &report.crls {
        let _ = writeln!(out, "Certificate revocation list");
        let _ = writeln!(out, "  {:<14}{}", "issuer", c.issuer.rfc4514);
        let _ = writeln!(out, "  {:<14}{}", "this update", c.this_update);
        let next = c.next_update.as_deref().unwrap_or("-");
        let status = c
            .status
            .as_ref()
            .map(|s| format!("  ({})", s.summary))
            .unwrap_or_default();
        let _ = writeln!(out, "  {:<14}{next}{status}", "next update");
        let _ = writeln!(
            out,
            "  {:<14}{}",
            "CRL number",
            c.crl_number.as_deref().unwrap_or("-")
        );
        let _ = writeln!(out, "  {:<14}{}", "revoked", c.revoked_count);
        for r in &c.revoked {
            let reason = r
                .reason
                .as_deref()
                .map(|s| format!(" ({s})"))
                .unwrap_or_default();
            let _ = writeln!(out, "    {} at {}{reason}", r.serial, r.revocation_date);
        }
        if c.revoked_count > c.revoked.len() {
            let _ = writeln!(out, "    … and {} more", c.revoked_count - c.revoked.len());
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

fn key_text(key: &certgate::PublicKey) -> String {
    match (&key.curve, key.bits) {
        (Some(curve), _) => format!("{} {curve}", key.algorithm),
        (None, Some(bits)) => format!("{} {bits}", key.algorithm),
        (None, None) => key.algorithm.clone(),
    }
}

fn san_text(sans: &certgate::SubjectAltNames) -> Vec<String> {
    sans.dns
        .iter()
        .map(|s| format!("DNS:{s}"))
        .chain(sans.ip.iter().map(|s| format!("IP:{s}")))
        .chain(sans.email.iter().map(|s| format!("email:{s}")))
        .chain(sans.uri.iter().map(|s| format!("URI:{s}")))
        .chain(sans.dir.iter().map(|s| format!("DirName:{s}")))
        .collect()
}
