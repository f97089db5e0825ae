//! `certgate cert issue`: a client or server certificate signed by a CA, with a new key.

use std::path::PathBuf;

use rcgen::{
    CertificateParams, DistinguishedName, ExtendedKeyUsagePurpose, IsCa, KeyUsagePurpose, SanType,
    SerialNumber,
};

use crate::error::{fail, Error};
use crate::files::{Mode, Outputs};
use crate::keys::KeyArgs;
use crate::pki::{self, CrlUrlArgs, IssuerArgs, SanArgs, SubjectArgs, ValidityArgs};

/// Certificate commands.
#[derive(Debug, clap::Subcommand)]
pub enum CertCommand {
    /// Issue an end-entity certificate signed by a CA, for a new key or an existing one
    /// (--key); valid 365 days by default, never past the CA; clientAuth unless --eku says
    /// otherwise.
    Issue(IssueArgs),
}

/// `cert issue`.
#[derive(Debug, clap::Args)]
pub struct IssueArgs {
    #[command(flatten)]
    issuer: IssuerArgs,
    #[command(flatten)]
    subject: SubjectArgs,
    #[command(flatten)]
    sans: SanArgs,
    #[command(flatten)]
    usage: UsageArgs,
    #[command(flatten)]
    validity: ValidityArgs,
    #[command(flatten)]
    crl_urls: CrlUrlArgs,
    /// Serial number in hex [default: 16 random bytes].
    #[arg(long, value_name = "HEX")]
    serial: Option<String>,
    #[command(flatten)]
    key: KeyArgs,
    /// Where to write the certificate (PEM).
    #[arg(long, value_name = "FILE")]
    cert_out: PathBuf,
    /// Also write the full chain: the certificate, its CA and the CA's chain (no self-signed root).
    #[arg(long, value_name = "FILE")]
    chain_out: Option<PathBuf>,
    /// Replace output files that already exist.
    #[arg(long)]
    force: bool,
}

/// Extended key usages of an end-entity certificate.
#[derive(Debug, Clone, clap::Args)]
pub struct UsageArgs {
    /// Extended key usage (repeatable): client, server, or a dotted OID.
    #[arg(long, value_name = "USAGE", default_value = "client")]
    pub eku: Vec<String>,
}

impl UsageArgs {
    /// The usages in rcgen's form.
    pub fn purposes(&self) -> Result<Vec<ExtendedKeyUsagePurpose>, Error> {
        self.eku.iter().map(|e| pki::eku(e)).collect()
    }
}

/// Everything a CA decides about an end-entity certificate.
#[derive(Debug)]
pub struct LeafSpec {
    /// Subject.
    pub subject: DistinguishedName,
    /// Subject alternative names.
    pub sans: Vec<SanType>,
    /// Extended key usages.
    pub ekus: Vec<ExtendedKeyUsagePurpose>,
    /// Validity, Unix seconds.
    pub window: (u64, u64),
    /// CRL distribution points.
    pub crl_points: Vec<rcgen::CrlDistributionPoint>,
    /// Serial number.
    pub serial: SerialNumber,
}

impl LeafSpec {
    /// End-entity parameters: cA false, digitalSignature (plus keyEncipherment for RSA server
    /// keys, which TLS 1.2 RSA key exchange needs), the EKUs, and an authority key identifier.
    pub fn params(self, rsa_key: bool) -> Result<CertificateParams, Error> {
        let mut params = CertificateParams::default();
        params.distinguished_name = self.subject;
        params.subject_alt_names = self.sans;
        params.not_before = pki::datetime(self.window.0)?;
        params.not_after = pki::datetime(self.window.1)?;
        params.serial_number = Some(self.serial);
        params.is_ca = IsCa::ExplicitNoCa;
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        if rsa_key && self.ekus.contains(&ExtendedKeyUsagePurpose::ServerAuth) {
            params.key_usages.push(KeyUsagePurpose::KeyEncipherment);
        }
        params.extended_key_usages = self.ekus;
        params.crl_distribution_points = self.crl_points;
        params.use_authority_key_identifier_extension = true;
        Ok(params)
    }
}

/// Runs a certificate command.
pub fn run(cmd: CertCommand) -> Result<(), Error> {
    match cmd {
        CertCommand::Issue(args) => issue(args),
    }
}

fn issue(args: IssueArgs) -> Result<(), Error> {
    let mut paths = vec![args.cert_out.as_path()];
    paths.extend(args.key.key_out.as_deref());
    paths.extend(args.chain_out.as_deref());
    let mut out = Outputs::check(&paths, args.force)?;
    let ca = args.issuer.load()?;
    let default_cn = args.sans.dns.first().cloned();
    let spec = LeafSpec {
        subject: args.subject.name(default_cn.as_deref())?,
        sans: args.sans.sans()?,
        ekus: args.usage.purposes()?,
        window: ca.window(&args.validity, 365)?,
        crl_points: args.crl_urls.points()?,
        serial: pki::serial(args.serial.as_deref())?,
    };
    if spec.sans.is_empty() && spec.ekus.contains(&ExtendedKeyUsagePurpose::ServerAuth) {
        return Err(fail!("a server certificate needs at least one --dns or --ip name; clients check the SAN, not the CN"));
    }
    let key = args.key.obtain()?;
    let params = spec.params(key.is_rsa())?;
    let cert = params
        .signed_by(key.pair(), &ca.issuer)
        .map_err(|e| fail!("cannot create the certificate: {e}"))?;
    if let Some(key_out) = &args.key.key_out {
        out.add(key_out, Mode::Secret, key.pkcs8_pem());
    }
    out.add(&args.cert_out, Mode::Public, cert.pem());
    if let Some(chain_out) = &args.chain_out {
        out.add(
            chain_out,
            Mode::Public,
            pki::chain_pem(cert.der(), &ca.chain_after_leaf()),
        );
    }
    out.commit()?;
    eprintln!("wrote certificate {}", args.cert_out.display());
    Ok(())
}
