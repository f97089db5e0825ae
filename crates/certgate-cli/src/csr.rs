//! `certgate csr create` and `certgate csr sign`: the certificate-signing-request round trip.
//!
//! Signing applies the CA's policy, not the request's: the subject and the subject
//! alternative names are taken from the request (unless overridden), but basic constraints,
//! key usage, extended key usage and validity are the CA's choice. Every other extension the
//! request asks for is ignored, and said so — a request cannot make itself a CA.

use std::net::IpAddr;
use std::path::PathBuf;

use rcgen::{CertificateParams, DnType, DnValue, SanType};
use x509_parser::certification_request::X509CertificationRequest;
use x509_parser::cri_attributes::ParsedCriAttribute;
use x509_parser::extensions::{GeneralName, ParsedExtension};
use x509_parser::prelude::{FromDer, X509Name};

use crate::cert::{LeafSpec, UsageArgs};
use crate::error::{fail, Error};
use crate::files::{self, Mode, Outputs};
use crate::keys::KeyArgs;
use crate::pem_io;
use crate::pki::{self, CrlUrlArgs, IssuerArgs, SanArgs, SubjectArgs, ValidityArgs};

/// CSR commands.
#[derive(Debug, clap::Subcommand)]
pub enum CsrCommand {
    /// Create a certificate signing request (and a new key, unless --key is given).
    Create(CreateArgs),
    /// Sign a certificate signing request with a CA, under the CA's policy.
    ///
    /// The request's subject and SANs are kept unless --cn/--subject or SAN flags replace
    /// them; basic constraints, key usage, extended key usage (--eku) and validity (365 days
    /// by default) are the CA's choice, whatever the request asks for.
    Sign(SignArgs),
}

/// `csr create`.
#[derive(Debug, clap::Args)]
pub struct CreateArgs {
    #[command(flatten)]
    subject: SubjectArgs,
    #[command(flatten)]
    sans: SanArgs,
    #[command(flatten)]
    key: KeyArgs,
    /// Where to write the request (PEM).
    #[arg(long, value_name = "FILE")]
    csr_out: PathBuf,
    /// Replace output files that already exist.
    #[arg(long)]
    force: bool,
}

/// `csr sign`.
#[derive(Debug, clap::Args)]
pub struct SignArgs {
    /// The certificate signing request (PEM or DER), e.g. from `openssl req -new`.
    #[arg(long, value_name = "FILE")]
    csr: PathBuf,
    #[command(flatten)]
    issuer: IssuerArgs,
    /// Replace the request's subject with this one.
    #[command(flatten)]
    subject: SubjectArgs,
    /// Replace the request's subject alternative names with these.
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

/// Runs a CSR command.
pub fn run(cmd: CsrCommand) -> Result<(), Error> {
    match cmd {
        CsrCommand::Create(args) => create(args),
        CsrCommand::Sign(args) => sign(args),
    }
}

fn create(args: CreateArgs) -> Result<(), Error> {
    let mut paths = vec![args.csr_out.as_path()];
    paths.extend(args.key.key_out.as_deref());
    let mut out = Outputs::check(&paths, args.force)?;
    let default_cn = args.sans.dns.first().cloned();
    let mut params = CertificateParams::default();
    params.distinguished_name = args.subject.name(default_cn.as_deref())?;
    params.subject_alt_names = args.sans.sans()?;
    let key = args.key.obtain()?;
    let csr = params
        .serialize_request(key.pair())
        .map_err(|e| fail!("cannot create the request: {e}"))?;
    let pem = csr
        .pem()
        .map_err(|e| fail!("cannot encode the request: {e}"))?;
    if let Some(key_out) = &args.key.key_out {
        out.add(key_out, Mode::Secret, key.pkcs8_pem());
    }
    out.add(&args.csr_out, Mode::Public, pem);
    out.commit()?;
    eprintln!(
        "wrote certificate signing request {}",
        args.csr_out.display()
    );
    Ok(())
}

fn sign(args: SignArgs) -> Result<(), Error> {
    let mut paths = vec![args.cert_out.as_path()];
    paths.extend(args.chain_out.as_deref());
    let mut out = Outputs::check(&paths, args.force)?;
    let input = files::read(&args.csr)?;
    let blocks = pem_io::blocks(&input, &args.csr)?;
    let block = blocks
        .iter()
        .find(|b| {
            matches!(
                b.label.as_deref(),
                None | Some("CERTIFICATE REQUEST" | "NEW CERTIFICATE REQUEST")
            )
        })
        .ok_or_else(|| {
            fail!(
                "{} holds no certificate signing request",
                args.csr.display()
            )
        })?;
    let request = Request::parse(&block.der).map_err(|e| fail!("{}: {e}", args.csr.display()))?;
    for ignored in &request.ignored {
        eprintln!("note: ignoring the requested {ignored} extension; the CA decides extensions");
    }

    let ca = args.issuer.load()?;
    let subject = match (&args.subject.cn, &args.subject.subject) {
        (None, None) => request.subject,
        _ => args.subject.name(None)?,
    };
    let sans = if args.sans.is_empty() {
        request.sans
    } else {
        args.sans.sans()?
    };
    let spec = LeafSpec {
        subject,
        sans,
        ekus: args.usage.purposes()?,
        window: ca.window(&args.validity, 365)?,
        crl_points: args.crl_urls.points()?,
        serial: pki::serial(args.serial.as_deref())?,
    };
    let params = spec.params(request.rsa_key)?;
    let cert = params
        .signed_by(&request.public_key, &ca.issuer)
        .map_err(|e| fail!("cannot sign the request: {e}"))?;
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

/// What certgate takes from a request: its subject, its SANs and its (proven) public key.
struct Request {
    subject: rcgen::DistinguishedName,
    sans: Vec<SanType>,
    public_key: rcgen::SubjectPublicKeyInfo,
    rsa_key: bool,
    /// Names of requested extensions that are not taken over.
    ignored: Vec<String>,
}

impl Request {
    /// Parses a DER request with x509-parser (which, unlike rcgen, accepts any requested
    /// extension) and checks its self-signature: the requester holds the private key.
    fn parse(der: &[u8]) -> Result<Self, Error> {
        let (rest, csr) = X509CertificationRequest::from_der(der)
            .map_err(|e| fail!("not a valid certificate signing request: {e}"))?;
        if !rest.is_empty() {
            return Err(fail!("trailing data after the certificate signing request"));
        }
        csr.verify_signature()
            .map_err(|e| fail!("the request's signature does not verify ({e}); it was not made with the matching private key"))?;
        let info = &csr.certification_request_info;
        let spki = info.subject_pki.raw;
        let public_key = rcgen::SubjectPublicKeyInfo::from_der(spki)
            .map_err(|e| fail!("the request's public key is not supported: {e}"))?;
        let rsa_key = info.subject_pki.algorithm.algorithm.to_id_string() == "1.2.840.113549.1.1.1";

        let mut sans = Vec::new();
        let mut ignored = Vec::new();
        for attr in info.iter_attributes() {
            let ParsedCriAttribute::ExtensionRequest(request) = attr.parsed_attribute() else {
                continue;
            };
            for ext in &request.extensions {
                match ext.parsed_extension() {
                    ParsedExtension::SubjectAlternativeName(san) => {
                        for name in &san.general_names {
                            sans.push(san_type(name)?);
                        }
                    }
                    other => ignored.push(extension_label(other, &ext.oid.to_id_string())),
                }
            }
        }
        Ok(Self {
            subject: distinguished_name(&info.subject)?,
            sans,
            public_key,
            rsa_key,
            ignored,
        })
    }
}

/// Converts a request's subject to rcgen's form, attribute by attribute in DER order.
fn distinguished_name(name: &X509Name<'_>) -> Result<rcgen::DistinguishedName, Error> {
    let mut dn = rcgen::DistinguishedName::new();
    for attr in name.iter_attributes() {
        let arcs: Vec<u64> = attr
            .attr_type()
            .iter()
            .ok_or_else(|| fail!("the subject has an attribute type OID too large to handle"))?
            .collect();
        let text = attr.as_str().map_err(|_| {
            fail!(
                "the subject attribute {} is not a text string",
                attr.attr_type().to_id_string()
            )
        })?;
        let value = match attr.attr_value().tag() {
            x509_parser::der_parser::asn1_rs::Tag::PrintableString => DnValue::PrintableString(
                text.try_into()
                    .map_err(|_| fail!("`{text}` is not a PrintableString"))?,
            ),
            _ => DnValue::Utf8String(text.to_owned()),
        };
        dn.push(DnType::from_oid(&arcs), value);
    }
    Ok(dn)
}

fn san_type(name: &GeneralName<'_>) -> Result<SanType, Error> {
    let ia5 = |s: &str| {
        rcgen::string::Ia5String::try_from(s)
            .map_err(|_| fail!("the requested name `{s}` is not ASCII"))
    };
    Ok(match name {
        GeneralName::DNSName(s) => SanType::DnsName(ia5(s)?),
        GeneralName::RFC822Name(s) => SanType::Rfc822Name(ia5(s)?),
        GeneralName::URI(s) => SanType::URI(ia5(s)?),
        GeneralName::IPAddress(bytes) => SanType::IpAddress(match bytes.len() {
            4 => IpAddr::from(<[u8; 4]>::try_from(*bytes).map_err(|_| fail!("bad IPv4 SAN"))?),
            16 => IpAddr::from(<[u8; 16]>::try_from(*bytes).map_err(|_| fail!("bad IPv6 SAN"))?),
            n => return Err(fail!("the requested IP address SAN has {n} bytes; expected 4 or 16")),
        }),
        other => return Err(fail!("the requested SAN {other:?} is not supported; use --dns, --ip, --email or --uri instead")),
    })
}

fn extension_label(ext: &ParsedExtension<'_>, oid: &str) -> String {
    let name = match ext {
        ParsedExtension::BasicConstraints(_) => "basicConstraints",
        ParsedExtension::KeyUsage(_) => "keyUsage",
        ParsedExtension::ExtendedKeyUsage(_) => "extendedKeyUsage",
        ParsedExtension::NameConstraints(_) => "nameConstraints",
        ParsedExtension::SubjectKeyIdentifier(_) => "subjectKeyIdentifier",
        ParsedExtension::CRLDistributionPoints(_) => "cRLDistributionPoints",
        _ => return oid.to_owned(),
    };
    name.to_owned()
}
