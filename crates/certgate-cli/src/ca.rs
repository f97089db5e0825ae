//! `certgate ca init` and `certgate ca intermediate`: root and intermediate CAs.

use std::net::IpAddr;
use std::path::PathBuf;

use rcgen::{
    BasicConstraints, CertificateParams, CidrSubnet, GeneralSubtree, IsCa, KeyUsagePurpose,
    NameConstraints,
};

use crate::error::{fail, Error};
use crate::files::{Mode, Outputs};
use crate::keys::KeyArgs;
use crate::pki::{self, CrlUrlArgs, IssuerArgs, SubjectArgs, ValidityArgs};

/// CA commands.
#[derive(Debug, clap::Subcommand)]
pub enum CaCommand {
    /// Create a self-signed root CA: a new key and its certificate (valid 3650 days by default).
    Init(InitArgs),
    /// Create an intermediate CA signed by an existing CA (valid 1825 days by default, never
    /// past its issuer; path length 0 unless --path-len).
    Intermediate(IntermediateArgs),
}

/// What `ca init` and `ca intermediate` share.
#[derive(Debug, clap::Args)]
pub struct CaArgs {
    #[command(flatten)]
    subject: SubjectArgs,
    #[command(flatten)]
    key: KeyArgs,
    #[command(flatten)]
    validity: ValidityArgs,
    /// Path length constraint: how many intermediate CAs may follow below this one
    /// (root: unlimited unless given; intermediate: 0 unless given).
    #[arg(long, value_name = "N")]
    path_len: Option<u8>,
    #[command(flatten)]
    constraints: ConstraintArgs,
    /// Serial number in hex [default: 16 random bytes].
    #[arg(long, value_name = "HEX")]
    serial: Option<String>,
    /// Where to write the CA certificate (PEM).
    #[arg(long, value_name = "FILE")]
    cert_out: PathBuf,
    /// Replace output files that already exist.
    #[arg(long)]
    force: bool,
}

/// `ca init`.
#[derive(Debug, clap::Args)]
pub struct InitArgs {
    #[command(flatten)]
    ca: CaArgs,
}

/// `ca intermediate`.
#[derive(Debug, clap::Args)]
pub struct IntermediateArgs {
    #[command(flatten)]
    issuer: IssuerArgs,
    #[command(flatten)]
    ca: CaArgs,
    #[command(flatten)]
    crl_urls: CrlUrlArgs,
    /// Also write the chain: the intermediate followed by its issuer's chain (no self-signed root).
    #[arg(long, value_name = "FILE")]
    chain_out: Option<PathBuf>,
}

/// Name constraints (RFC 5280 §4.2.1.10) on the names the CA may certify.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct ConstraintArgs {
    /// Permit only DNS names in this subtree (repeatable), e.g. --permit-dns example.com.
    #[arg(long, value_name = "DOMAIN")]
    permit_dns: Vec<String>,
    /// Exclude DNS names in this subtree (repeatable).
    #[arg(long, value_name = "DOMAIN")]
    exclude_dns: Vec<String>,
    /// Permit only IP addresses in this CIDR range (repeatable), e.g. --permit-ip 10.0.0.0/8.
    #[arg(long, value_name = "CIDR")]
    permit_ip: Vec<String>,
    /// Exclude IP addresses in this CIDR range (repeatable).
    #[arg(long, value_name = "CIDR")]
    exclude_ip: Vec<String>,
    /// Permit only email addresses at this host or domain (repeatable), e.g. --permit-email example.com.
    #[arg(long, value_name = "DOMAIN")]
    permit_email: Vec<String>,
    /// Exclude email addresses at this host or domain (repeatable).
    #[arg(long, value_name = "DOMAIN")]
    exclude_email: Vec<String>,
}

impl ConstraintArgs {
    fn constraints(&self) -> Result<Option<NameConstraints>, Error> {
        let subtrees = |dns: &[String],
                        ip: &[String],
                        email: &[String]|
         -> Result<Vec<GeneralSubtree>, Error> {
            let mut out: Vec<GeneralSubtree> = dns
                .iter()
                .map(|d| GeneralSubtree::DnsName(d.clone()))
                .collect();
            for cidr in ip {
                out.push(GeneralSubtree::IpAddress(parse_cidr(cidr)?));
            }
            out.extend(email.iter().map(|e| GeneralSubtree::Rfc822Name(e.clone())));
            Ok(out)
        };
        let permitted = subtrees(&self.permit_dns, &self.permit_ip, &self.permit_email)?;
        let excluded = subtrees(&self.exclude_dns, &self.exclude_ip, &self.exclude_email)?;
        if permitted.is_empty() && excluded.is_empty() {
            return Ok(None);
        }
        Ok(Some(NameConstraints {
            permitted_subtrees: permitted,
            excluded_subtrees: excluded,
        }))
    }
}

fn parse_cidr(text: &str) -> Result<CidrSubnet, Error> {
    let (addr, prefix) = text
        .split_once('/')
        .ok_or_else(|| fail!("`{text}` is not CIDR (ADDR/PREFIX)"))?;
    let addr: IpAddr = addr
        .parse()
        .map_err(|_| fail!("`{addr}` is not an IP address"))?;
    let prefix: u8 = prefix
        .parse()
        .map_err(|_| fail!("`{prefix}` is not a prefix length"))?;
    let max = if addr.is_ipv4() { 32 } else { 128 };
    if prefix > max {
        return Err(fail!("prefix /{prefix} is longer than {max} bits"));
    }
    Ok(CidrSubnet::from_addr_prefix(addr, prefix))
}

/// Runs a CA command.
pub fn run(cmd: CaCommand) -> Result<(), Error> {
    match cmd {
        CaCommand::Init(args) => init(args),
        CaCommand::Intermediate(args) => intermediate(args),
    }
}

/// CA certificate parameters: cA with the path length, keyCertSign + cRLSign, constraints.
fn params(
    args: &CaArgs,
    default_cn: &str,
    default_path_len: Option<u8>,
    (not_before, not_after): (u64, u64),
) -> Result<CertificateParams, Error> {
    let mut params = CertificateParams::default();
    params.distinguished_name = args.subject.name(Some(default_cn))?;
    params.not_before = pki::datetime(not_before)?;
    params.not_after = pki::datetime(not_after)?;
    params.serial_number = Some(pki::serial(args.serial.as_deref())?);
    params.is_ca = IsCa::Ca(match args.path_len.or(default_path_len) {
        Some(n) => BasicConstraints::Constrained(n),
        None => BasicConstraints::Unconstrained,
    });
    params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    params.name_constraints = args.constraints.constraints()?;
    Ok(params)
}

fn init(args: InitArgs) -> Result<(), Error> {
    let args = args.ca;
    let mut paths = vec![args.cert_out.as_path()];
    paths.extend(args.key.key_out.as_deref());
    let mut out = Outputs::check(&paths, args.force)?;
    let params = params(&args, "certgate Root CA", None, args.validity.window(3650)?)?;
    let key = args.key.obtain()?;
    let cert = params
        .self_signed(key.pair())
        .map_err(|e| fail!("cannot create the CA certificate: {e}"))?;
    if let Some(key_out) = &args.key.key_out {
        out.add(key_out, Mode::Secret, key.pkcs8_pem());
    }
    out.add(&args.cert_out, Mode::Public, cert.pem());
    out.commit()?;
    eprintln!("wrote root CA {}", args.cert_out.display());
    Ok(())
}

fn intermediate(args: IntermediateArgs) -> Result<(), Error> {
    let ca_args = &args.ca;
    let mut paths = vec![ca_args.cert_out.as_path()];
    paths.extend(ca_args.key.key_out.as_deref());
    paths.extend(args.chain_out.as_deref());
    let mut out = Outputs::check(&paths, ca_args.force)?;
    let ca = args.issuer.load()?;
    // RFC 5280 §4.2.1.9: the issuer's pathLenConstraint bounds the CAs below it.
    match ca.path_len {
        Some(0) => {
            return Err(fail!(
                "{} has path length 0: it may not sign another CA (give the parent a larger --path-len)",
                args.issuer.ca.display()
            ))
        }
        Some(max) => {
            let requested = ca_args.path_len.unwrap_or(0);
            if u32::from(requested) >= max {
                return Err(fail!("--path-len {requested} is not below the issuer's path length {max}"));
            }
        }
        None => {}
    }
    let window = ca.window(&ca_args.validity, 1825)?;
    let mut params = params(ca_args, "certgate Intermediate CA", Some(0), window)?;
    params.crl_distribution_points = args.crl_urls.points()?;
    params.use_authority_key_identifier_extension = true;
    let key = ca_args.key.obtain()?;
    let cert = params
        .signed_by(key.pair(), &ca.issuer)
        .map_err(|e| fail!("cannot create the intermediate certificate: {e}"))?;
    if let Some(key_out) = &ca_args.key.key_out {
        out.add(key_out, Mode::Secret, key.pkcs8_pem());
    }
    out.add(&ca_args.cert_out, Mode::Public, cert.pem());
    if let Some(chain_out) = &args.chain_out {
        out.add(
            chain_out,
            Mode::Public,
            pki::chain_pem(cert.der(), &ca.chain_after_leaf()),
        );
    }
    out.commit()?;
    eprintln!("wrote intermediate CA {}", ca_args.cert_out.display());
    Ok(())
}
