//! `certgate crl create` and `certgate crl revoke`: certificate revocation lists signed by a CA.

use std::path::{Path, PathBuf};

use rcgen::{
    CertificateRevocationListParams, KeyIdMethod, RevocationReason, RevokedCertParams, SerialNumber,
};
use x509_parser::prelude::{FromDer, X509Certificate};
use x509_parser::revocation_list::CertificateRevocationList;

use crate::error::{fail, Error};
use crate::files::{self, Mode, Outputs};
use crate::pem_io;
use crate::pki::{self, Ca, IssuerArgs};

/// CRL commands.
#[derive(Debug, clap::Subcommand)]
pub enum CrlCommand {
    /// Create a CRL signed by a CA, listing the given certificates as revoked (or none).
    Create(CreateArgs),
    /// Add certificates to an existing CRL and sign it again with the next CRL number.
    Revoke(RevokeArgs),
}

/// Which certificates to revoke, and why.
#[derive(Debug, Clone, clap::Args)]
pub struct RevocationArgs {
    /// Revoke the certificate with this serial number, in hex (repeatable).
    #[arg(long = "serial", value_name = "HEX")]
    serials: Vec<String>,
    /// Revoke this certificate (PEM or DER; repeatable). It must be issued by the CA.
    #[arg(long = "cert", value_name = "FILE")]
    certs: Vec<PathBuf>,
    /// The reason recorded for the new entries.
    #[arg(long, value_enum)]
    reason: Option<Reason>,
    /// Days until the CRL's nextUpdate, after which verifiers treat it as stale.
    #[arg(long, value_name = "N", default_value_t = 30)]
    days: u32,
}

/// `crl create`.
#[derive(Debug, clap::Args)]
pub struct CreateArgs {
    #[command(flatten)]
    issuer: IssuerArgs,
    #[command(flatten)]
    revoke: RevocationArgs,
    /// The CRL number (a counter the CA increases with every CRL it issues).
    #[arg(long, value_name = "N", default_value_t = 1)]
    number: u64,
    /// Where to write the CRL (PEM).
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
    /// Replace the output file if it exists.
    #[arg(long)]
    force: bool,
}

/// `crl revoke`.
#[derive(Debug, clap::Args)]
pub struct RevokeArgs {
    /// The current CRL (PEM or DER), signed by the CA.
    #[arg(long, value_name = "FILE")]
    crl: PathBuf,
    #[command(flatten)]
    issuer: IssuerArgs,
    #[command(flatten)]
    revoke: RevocationArgs,
    /// Where to write the new CRL [default: replace --crl in place, atomically].
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    /// Replace --out if it exists (updating --crl in place needs no --force).
    #[arg(long)]
    force: bool,
}

/// Revocation reasons, RFC 5280 §5.3.1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Reason {
    /// unspecified (0).
    Unspecified,
    /// keyCompromise (1): the private key leaked.
    KeyCompromise,
    /// cACompromise (2).
    CaCompromise,
    /// affiliationChanged (3): the subject left or changed role.
    AffiliationChanged,
    /// superseded (4): replaced by a new certificate.
    Superseded,
    /// cessationOfOperation (5): no longer needed.
    CessationOfOperation,
    /// certificateHold (6): temporarily suspended.
    CertificateHold,
    /// privilegeWithdrawn (9).
    PrivilegeWithdrawn,
}

impl Reason {
    fn rcgen(self) -> RevocationReason {
        match self {
            Self::Unspecified => RevocationReason::Unspecified,
            Self::KeyCompromise => RevocationReason::KeyCompromise,
            Self::CaCompromise => RevocationReason::CaCompromise,
            Self::AffiliationChanged => RevocationReason::AffiliationChanged,
            Self::Superseded => RevocationReason::Superseded,
            Self::CessationOfOperation => RevocationReason::CessationOfOperation,
            Self::CertificateHold => RevocationReason::CertificateHold,
            Self::PrivilegeWithdrawn => RevocationReason::PrivilegeWithdrawn,
        }
    }
}

/// Runs a CRL command.
pub fn run(cmd: CrlCommand) -> Result<(), Error> {
    match cmd {
        CrlCommand::Create(args) => create(args),
        CrlCommand::Revoke(args) => revoke(args),
    }
}

fn create(args: CreateArgs) -> Result<(), Error> {
    let mut out = Outputs::check(&[&args.out], args.force)?;
    let ca = args.issuer.load()?;
    let now = pki::now();
    let revoked = new_entries(&args.revoke, &ca, now, &[])?;
    let pem = sign(
        &ca,
        revoked,
        args.number.to_be_bytes().to_vec(),
        now,
        args.revoke.days,
    )?;
    out.add(&args.out, Mode::Public, pem);
    out.commit()?;
    eprintln!("wrote CRL {} (number {})", args.out.display(), args.number);
    Ok(())
}

fn revoke(args: RevokeArgs) -> Result<(), Error> {
    let (out_path, force) = match &args.out {
        Some(path) => (path.clone(), args.force),
        None => (args.crl.clone(), true),
    };
    let mut out = Outputs::check(&[&out_path], force)?;
    let ca = args.issuer.load()?;
    let der = crl_der(&args.crl)?;
    let (_, crl) = CertificateRevocationList::from_der(&der)
        .map_err(|e| fail!("{} is not a valid CRL: {e}", args.crl.display()))?;
    let (_, ca_cert) =
        X509Certificate::from_der(&ca.cert).map_err(|e| fail!("the CA certificate: {e}"))?;
    if crl.issuer().as_raw() != ca_cert.subject().as_raw()
        || crl.verify_signature(ca_cert.public_key()).is_err()
    {
        return Err(fail!(
            "{} was not signed by the CA {}",
            args.crl.display(),
            args.issuer.ca.display()
        ));
    }
    let mut revoked: Vec<RevokedCertParams> = Vec::new();
    for entry in crl.iter_revoked_certificates() {
        revoked.push(RevokedCertParams {
            serial_number: SerialNumber::from_slice(minimal(entry.raw_serial())),
            revocation_time: pki::datetime(
                u64::try_from(entry.revocation_date.timestamp()).unwrap_or(0),
            )?,
            reason_code: entry
                .reason_code()
                .and_then(|(_, code)| reason_from_code(code.0)),
            invalidity_date: None,
        });
    }
    let existing: Vec<Vec<u8>> = revoked.iter().map(|r| r.serial_number.to_bytes()).collect();
    let now = pki::now();
    let added = new_entries(&args.revoke, &ca, now, &existing)?;
    if added.is_empty() {
        return Err(fail!(
            "nothing to revoke: give --serial or --cert (already-listed serials are skipped)"
        ));
    }
    let count = added.len();
    revoked.extend(added);
    let number = crl
        .crl_number()
        .map(|n| n.to_bytes_be())
        .unwrap_or_default();
    let next = increment(&number);
    let pem = sign(&ca, revoked, next.clone(), now, args.revoke.days)?;
    out.add(&out_path, Mode::Public, pem);
    out.commit()?;
    eprintln!(
        "wrote CRL {} (number {}, {count} newly revoked)",
        out_path.display(),
        number_text(&next)
    );
    Ok(())
}

/// The entries to add: each serial and each certificate's serial, skipping ones in `existing`.
fn new_entries(
    args: &RevocationArgs,
    ca: &Ca,
    now: u64,
    existing: &[Vec<u8>],
) -> Result<Vec<RevokedCertParams>, Error> {
    let mut serials = Vec::new();
    for text in &args.serials {
        serials.push(pki::parse_serial(text)?);
    }
    let (_, ca_cert) =
        X509Certificate::from_der(&ca.cert).map_err(|e| fail!("the CA certificate: {e}"))?;
    for path in &args.certs {
        for der in pki::read_certs(path)?.iter().take(1) {
            let (_, cert) =
                X509Certificate::from_der(der).map_err(|e| fail!("{}: {e}", path.display()))?;
            if cert.issuer().as_raw() != ca_cert.subject().as_raw() {
                return Err(fail!(
                    "{} was not issued by this CA ({})",
                    path.display(),
                    ca_cert.subject()
                ));
            }
            serials.push(minimal(cert.raw_serial()).to_vec());
        }
    }
    let mut entries: Vec<RevokedCertParams> = Vec::new();
    for serial in serials {
        if existing.contains(&serial)
            || entries.iter().any(|e| e.serial_number.to_bytes() == serial)
        {
            continue;
        }
        entries.push(RevokedCertParams {
            serial_number: SerialNumber::from_slice(&serial),
            revocation_time: pki::datetime(now)?,
            reason_code: args.reason.map(Reason::rcgen),
            invalidity_date: None,
        });
    }
    Ok(entries)
}

fn sign(
    ca: &Ca,
    revoked: Vec<RevokedCertParams>,
    number: Vec<u8>,
    now: u64,
    days: u32,
) -> Result<String, Error> {
    if days == 0 {
        return Err(fail!("--days must be at least 1"));
    }
    let (_, ca_cert) =
        X509Certificate::from_der(&ca.cert).map_err(|e| fail!("the CA certificate: {e}"))?;
    let ski = ca_cert
        .extensions()
        .iter()
        .find_map(|ext| match ext.parsed_extension() {
            x509_parser::extensions::ParsedExtension::SubjectKeyIdentifier(id) => {
                Some(id.0.to_vec())
            }
            _ => None,
        });
    let params = CertificateRevocationListParams {
        this_update: pki::datetime(now)?,
        next_update: pki::datetime(now + u64::from(days) * 86_400)?,
        crl_number: SerialNumber::from_slice(minimal(&number)),
        issuing_distribution_point: None,
        revoked_certs: revoked,
        key_identifier_method: match ski {
            Some(id) => KeyIdMethod::PreSpecified(id),
            None => KeyIdMethod::Sha256,
        },
    };
    let crl = params
        .signed_by(&ca.issuer)
        .map_err(|e| fail!("cannot sign the CRL: {e}"))?;
    Ok(pem_io::encode("X509 CRL", crl.der()))
}

/// Reads the first CRL in a PEM or DER file.
pub fn crl_der(path: &Path) -> Result<Vec<u8>, Error> {
    let input = files::read(path)?;
    let crls = certgate::parse_crls(&input, &certgate::Limits::default())
        .map_err(|e| fail!("{}: {}", path.display(), e.message))?;
    crls.into_iter()
        .next()
        .map(|c| c.to_vec())
        .ok_or_else(|| fail!("{} holds no CRL", path.display()))
}

/// A CRL number for people: decimal when it fits 128 bits, else hex.
fn number_text(number: &[u8]) -> String {
    let digits = minimal(number);
    if digits.len() <= 16 {
        let value = digits
            .iter()
            .fold(0u128, |acc, b| (acc << 8) | u128::from(*b));
        value.to_string()
    } else {
        format!("0x{}", certgate::hex(digits))
    }
}

/// Big-endian bytes without leading zero octets (at least one octet).
fn minimal(bytes: &[u8]) -> &[u8] {
    let start = bytes
        .iter()
        .position(|b| *b != 0)
        .unwrap_or(bytes.len().saturating_sub(1));
    &bytes[start..]
}

/// Adds one to a big-endian unsigned number.
fn increment(number: &[u8]) -> Vec<u8> {
    let mut out = number.to_vec();
    for byte in out.iter_mut().rev() {
        let (sum, carry) = byte.overflowing_add(1);
        *byte = sum;
        if !carry {
            return out;
        }
    }
    out.insert(0, 1);
    out
}

fn reason_from_code(code: u8) -> Option<RevocationReason> {
    Some(match code {
        0 => RevocationReason::Unspecified,
        1 => RevocationReason::KeyCompromise,
        2 => RevocationReason::CaCompromise,
        3 => RevocationReason::AffiliationChanged,
        4 => RevocationReason::Superseded,
        5 => RevocationReason::CessationOfOperation,
        6 => RevocationReason::CertificateHold,
        8 => RevocationReason::RemoveFromCrl,
        9 => RevocationReason::PrivilegeWithdrawn,
        10 => RevocationReason::AaCompromise,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crl_numbers_count_up() {
        assert_eq!(increment(&[]), vec![1]);
        assert_eq!(increment(&[1]), vec![2]);
        assert_eq!(increment(&[0xff]), vec![1, 0]);
        assert_eq!(minimal(&[0, 0, 5]), &[5]);
        assert_eq!(minimal(&[0]), &[0]);
        assert_eq!(number_text(&[0x01, 0x00]), "256");
    }
}
