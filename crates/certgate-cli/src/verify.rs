//! `certgate verify`: a presented chain against trust anchors, CRLs, a time, a usage and a
//! peer name, decided by the certgate core — the same decision the servers and the npm
//! package make — and, with `--policy`, whether the verified client may make a request.
//! Exit 0 when accepted, 3 when rejected (1 when the inputs cannot be used).

use std::path::{Path, PathBuf};

use certgate::policy::Explanation;
use certgate::{Config, Policy, Usage, Verifier, VerifyOptions};
use serde::Serialize;

use crate::error::{fail, Error};
use crate::files;
use crate::password::{PasswordArgs, Purpose};
use crate::pem_io;
use crate::pkcs12;
use crate::pki::{self, parse_time};

/// `verify`.
#[derive(Debug, clap::Args)]
pub struct VerifyArgs {
    /// The chain to verify: the leaf first, then intermediates (PEM or DER; `-` reads stdin).
    chain: PathBuf,
    /// Trust anchors: a file of CA certificates, PEM or DER, or a PKCS#12 trust store
    /// (repeatable).
    #[arg(long = "ca", value_name = "FILE", required_unless_present = "pin")]
    ca: Vec<PathBuf>,
    /// Pinned certificates: a leaf byte-identical to one of these is trusted by itself (repeatable).
    #[arg(long = "pin", value_name = "FILE")]
    pin: Vec<PathBuf>,
    /// Certificate revocation lists, PEM or DER (repeatable).
    #[arg(long = "crl", value_name = "FILE")]
    crl: Vec<PathBuf>,
    /// Check only the leaf against the CRLs (default: every certificate in the path).
    #[arg(long)]
    crl_leaf_only: bool,
    /// Reject a certificate that no given CRL covers (default: accept it).
    #[arg(long)]
    crl_required: bool,
    /// Accept CRLs past their nextUpdate (default: reject them as stale).
    #[arg(long)]
    crl_allow_expired: bool,
    /// The check time: RFC 3339 (2026-01-02T00:00:00Z) or Unix seconds [default: now].
    #[arg(long, value_name = "TIME", value_parser = parse_time)]
    time: Option<u64>,
    /// The purpose: client, server, or a dotted extended-key-usage OID.
    #[arg(long, value_name = "USAGE", default_value = "client")]
    usage: String,
    /// A DNS name or IP address the leaf must be valid for (checked against its SANs).
    #[arg(long, value_name = "NAME")]
    hostname: Option<String>,
    /// Clock-skew tolerance in seconds for notBefore and notAfter.
    #[arg(long, value_name = "SECS", default_value_t = 0)]
    skew: u64,
    /// Require the leaf to carry an extendedKeyUsage extension listing the usage.
    #[arg(long)]
    require_eku: bool,
    /// An access policy (certgate policy TOML): once the chain verifies, the policy decides
    /// the request given by --method and --path (denials exit 3 with POLICY_NO_MATCH or ROLE_MISSING).
    #[arg(long, value_name = "FILE")]
    policy: Option<PathBuf>,
    /// The request method the policy decides.
    #[arg(
        long,
        value_name = "METHOD",
        default_value = "GET",
        requires = "policy"
    )]
    method: String,
    /// The request path the policy decides.
    #[arg(long, value_name = "PATH", default_value = "/", requires = "policy")]
    path: String,
    /// Print the policy's decision step by step: the principal, roles, routes tried and checks.
    #[arg(long, requires = "policy")]
    explain: bool,
    /// Print the result as one JSON object (stable field names; `code` is the rejection code).
    #[arg(long)]
    json: bool,
    /// The password of a PKCS#12 trust store given as --ca.
    #[command(flatten)]
    password: PasswordArgs,
}

/// The JSON result.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Outcome {
    valid: bool,
    /// The rejection code (`CERT_EXPIRED`, `UNKNOWN_ISSUER`, …); absent when valid.
    #[serde(skip_serializing_if = "Option::is_none")]
    code: Option<&'static str>,
    /// Index of the certificate concerned in the presented chain (0 = leaf).
    #[serde(skip_serializing_if = "Option::is_none")]
    cert_index: Option<usize>,
    /// What is wrong and what to do; absent when valid.
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<String>,
    /// The check time, RFC 3339.
    time: String,
    /// The purpose checked.
    usage: String,
    /// The verified path, leaf first, trust anchor last; absent when rejected.
    #[serde(skip_serializing_if = "Option::is_none")]
    path: Option<Vec<PathEntry>>,
    /// Whether the leaf was accepted because it is pinned.
    #[serde(skip_serializing_if = "Option::is_none")]
    pinned: Option<bool>,
    /// The leaf's inspection record; absent when rejected.
    #[serde(skip_serializing_if = "Option::is_none")]
    leaf: Option<certgate::Inspection>,
    /// The policy's decision, step by step, when --policy was given and the chain verified.
    #[serde(skip_serializing_if = "Option::is_none")]
    policy: Option<Explanation>,
}

/// One certificate of a verified path.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct PathEntry {
    subject: String,
    issuer: String,
    serial: String,
    not_after: String,
    sha256: String,
}

/// Runs `verify`.
pub fn run(args: VerifyArgs) -> Result<(), Error> {
    let usage = match args.usage.to_ascii_lowercase().as_str() {
        "client" | "clientauth" => Usage::ClientAuth,
        "server" | "serverauth" => Usage::ServerAuth,
        _ => Usage::custom(&args.usage).map_err(|e| fail!("--usage: {}", e.message))?,
    };
    let verifier = build_verifier(&args)?;
    let policy = match &args.policy {
        Some(path) => {
            let text = String::from_utf8(files::read(path)?)
                .map_err(|_| fail!("{} is not UTF-8 text", path.display()))?;
            Some(Policy::from_toml(&text).map_err(|e| fail!("{}: {e}", path.display()))?)
        }
        None => None,
    };
    let chain = files::read(&args.chain)?;
    let time = args.time.unwrap_or_else(pki::now);
    let mut options = VerifyOptions::new(time).usage(usage.clone());
    if let Some(name) = &args.hostname {
        options = options.peer_name(name);
    }
    let mut outcome = match verifier.verify_pem(&chain, &options) {
        Ok(verified) => {
            let explanation = match &policy {
                Some(policy) => {
                    let identity = policy.identity(&verified)?;
                    Some(policy.explain(Some(&identity), &args.method, &args.path))
                }
                None => None,
            };
            let mut path = Vec::new();
            for der in verified.path() {
                let record = certgate::Inspection::from_der(der, None)?;
                path.push(PathEntry {
                    subject: record.subject.rfc4514,
                    issuer: record.issuer.rfc4514,
                    serial: record.serial,
                    not_after: record.validity.not_after,
                    sha256: record.fingerprints.sha256,
                });
            }
            Outcome {
                valid: true,
                code: None,
                cert_index: None,
                message: None,
                time: certgate::time::rfc3339(time),
                usage: usage.name(),
                path: Some(path),
                pinned: Some(verified.is_pinned()),
                leaf: Some(verified.inspect_leaf()?),
                policy: explanation,
            }
        }
        Err(rejection) => Outcome {
            valid: false,
            code: Some(rejection.code.as_str()),
            cert_index: rejection.cert_index,
            message: Some(rejection.message),
            time: certgate::time::rfc3339(time),
            usage: usage.name(),
            path: None,
            pinned: None,
            leaf: None,
            policy: None,
        },
    };
    // A policy denial rejects the request as a chain rejection does, with the policy's code.
    if let Some(outcome_policy) = outcome.policy.as_ref().map(|e| &e.outcome) {
        if let Some(code) = outcome_policy.code {
            outcome.valid = false;
            outcome.code = Some(code.as_str());
            outcome.message = Some(outcome_policy.message.clone());
        }
    }
    if args.json {
        let text =
            serde_json::to_string_pretty(&outcome).map_err(|e| fail!("cannot encode JSON: {e}"))?;
        println!("{text}");
    } else {
        print_text(&outcome, args.explain);
    }
    if outcome.valid {
        Ok(())
    } else {
        Err(Error::Rejected)
    }
}

fn build_verifier(args: &VerifyArgs) -> Result<Verifier, Error> {
    let mut config = Config::default();
    config.skew_secs = args.skew;
    config.require_eku = args.require_eku;
    config.revocation.leaf_only = args.crl_leaf_only;
    config.revocation.deny_unknown = args.crl_required;
    config.revocation.enforce_expiry = !args.crl_allow_expired;
    let mut builder = Verifier::builder().config(config);
    for path in &args.ca {
        let mut input = files::read(path)?;
        if is_pkcs12(&input) {
            input = trust_store_certificates(&input, path, &args.password)?;
        }
        builder = builder
            .trust(&input)
            .map_err(|e| fail!("--ca {}: {}", path.display(), e.message))?;
    }
    for path in &args.pin {
        let input = files::read(path)?;
        builder = builder
            .pin(&input)
            .map_err(|e| fail!("--pin {}: {}", path.display(), e.message))?;
    }
    for path in &args.crl {
        let input = files::read(path)?;
        builder = builder
            .crls(&input)
            .map_err(|e| fail!("--crl {}: {} ({})", path.display(), e.message, e.code))?;
    }
    builder.build().map_err(|e| fail!("{}", e.message))
}

/// Whether input is a PKCS#12 file rather than DER certificates: it decodes as a PFX
/// (whose first field is a version INTEGER, where a certificate has its signed SEQUENCE).
fn is_pkcs12(input: &[u8]) -> bool {
    pem_io::is_der(input) && pkcs12::protection(input).is_ok()
}

/// Every certificate of a PKCS#12 trust store, as concatenated DER. Certificates without
/// Java's trusted attribute count too: OpenSSL-made trust stores never carry it.
fn trust_store_certificates(
    input: &[u8],
    path: &Path,
    password: &PasswordArgs,
) -> Result<Vec<u8>, Error> {
    let password = password.read(
        &format!("the trust store {}", path.display()),
        Purpose::Existing,
    )?;
    let contents =
        pkcs12::read(input, &password).map_err(|e| fail!("--ca {}: {e}", path.display()))?;
    if contents.certs.is_empty() {
        return Err(fail!(
            "--ca {}: the PKCS#12 file holds no certificate",
            path.display()
        ));
    }
    Ok(contents.certs.into_iter().flat_map(|c| c.der).collect())
}

fn print_text(outcome: &Outcome, explain: bool) {
    if explain {
        if let Some(explanation) = &outcome.policy {
            println!("{explanation}");
        }
    }
    if !outcome.valid {
        let code = outcome.code.unwrap_or("REJECTED");
        let message = outcome.message.as_deref().unwrap_or("");
        println!("REJECTED {code}: {message}");
        return;
    }
    let Some(path) = &outcome.path else { return };
    let leaf = path.first().map(|p| p.subject.as_str()).unwrap_or("");
    let pinned = if outcome.pinned == Some(true) {
        ", pinned"
    } else {
        ""
    };
    println!("OK {leaf} ({} at {}{pinned})", outcome.usage, outcome.time);
    let names: Vec<&str> = path.iter().map(|p| p.subject.as_str()).collect();
    println!("  path: {}", names.join(" -> "));
    if let Some(leaf) = &outcome.leaf {
        if let Some(status) = &leaf.status {
            println!("  leaf: {}", status.summary);
        }
    }
    if let Some(explanation) = &outcome.policy {
        let principal = explanation.principal.as_deref().unwrap_or("-");
        println!(
            "  policy: {} {} allowed by {} (principal {principal}; roles [{}])",
            explanation.method,
            explanation.path,
            explanation.outcome.rule,
            explanation.roles.join(", ")
        );
    }
}
