//! `certgate convert`: PEM ⇄ DER, private keys to PKCS#8 (PEM or DER, as AEM and Java want),
//! and PKCS#12 export and import.

use std::path::{Path, PathBuf};

use x509_parser::certification_request::X509CertificationRequest;
use x509_parser::prelude::FromDer;
use x509_parser::revocation_list::CertificateRevocationList;

use crate::error::{fail, Error};
use crate::files::{self, Mode, Outputs};
use crate::keys;
use crate::keystore::{self, KeystoreArgs};
use crate::password::{PasswordArgs, Purpose};
use crate::pem_io;
use crate::pkcs12;

/// Conversion commands.
#[derive(Debug, clap::Subcommand)]
pub enum ConvertCommand {
    /// PEM to DER: a certificate (or chain, concatenated), CSR or CRL; keys become PKCS#8 DER.
    ToDer(PemDerArgs),
    /// DER to PEM: a certificate (or concatenated chain), CSR, CRL or private key (as PKCS#8).
    ToPem(PemDerArgs),
    /// A private key in any form (PKCS#8, PKCS#1, SEC1; PEM or DER) to unencrypted PKCS#8.
    Key(KeyArgs),
    /// Export a key and its chain to PKCS#12 (modern AES-256 by default, --legacy for old systems).
    ToP12(KeystoreArgs),
    /// Import a PKCS#12 file: write its private key (PKCS#8 PEM) and certificates (PEM).
    FromP12(FromP12Args),
}

/// `convert to-der` and `convert to-pem`.
#[derive(Debug, clap::Args)]
pub struct PemDerArgs {
    /// The input file (`-` reads stdin).
    input: PathBuf,
    /// Where to write the result.
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
    /// Replace the output file if it exists.
    #[arg(long)]
    force: bool,
}

/// `convert key`.
#[derive(Debug, clap::Args)]
pub struct KeyArgs {
    /// The private key file (`-` reads stdin).
    input: PathBuf,
    /// Where to write the PKCS#8 key (mode 0600).
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
    /// Write DER instead of PEM.
    #[arg(long)]
    der: bool,
    /// Replace the output file if it exists.
    #[arg(long)]
    force: bool,
}

/// `convert from-p12`.
#[derive(Debug, clap::Args)]
pub struct FromP12Args {
    /// The PKCS#12 file.
    input: PathBuf,
    /// Where to write the private key (PKCS#8 PEM, mode 0600); required when the file holds one.
    #[arg(long, value_name = "FILE")]
    key_out: Option<PathBuf>,
    /// Where to write the certificates (PEM; the key's certificate first, then its chain).
    #[arg(long, value_name = "FILE")]
    cert_out: PathBuf,
    #[command(flatten)]
    password: PasswordArgs,
    /// Replace output files that already exist.
    #[arg(long)]
    force: bool,
}

/// Runs a conversion.
pub fn run(cmd: ConvertCommand) -> Result<(), Error> {
    match cmd {
        ConvertCommand::ToDer(args) => to_der(&args),
        ConvertCommand::ToPem(args) => to_pem(&args),
        ConvertCommand::Key(args) => key(&args),
        ConvertCommand::ToP12(args) => keystore::build_keystore(&args),
        ConvertCommand::FromP12(args) => from_p12(&args),
    }
}

fn to_der(args: &PemDerArgs) -> Result<(), Error> {
    let mut out = Outputs::check(&[&args.out], args.force)?;
    let input = files::read(&args.input)?;
    if pem_io::is_der(&input) {
        return Err(fail!("{} is already DER", args.input.display()));
    }
    let blocks = pem_io::blocks(&input, &args.input)?;
    let labels: Vec<&str> = blocks.iter().filter_map(|b| b.label.as_deref()).collect();
    let (der, mode) = match (blocks.as_slice(), labels.as_slice()) {
        (_, all) if all.iter().all(|l| *l == "CERTIFICATE") => (
            blocks
                .iter()
                .flat_map(|b| b.der.iter().copied())
                .collect::<Vec<u8>>(),
            Mode::Public,
        ),
        (_, [label]) if label.contains("PRIVATE KEY") => {
            (keys::to_pkcs8(&input, &args.input)?, Mode::Secret)
        }
        ([block], ["X509 CRL" | "CERTIFICATE REQUEST" | "NEW CERTIFICATE REQUEST"]) => {
            (block.der.clone(), Mode::Public)
        }
        _ => {
            return Err(fail!(
                "{} holds {}; DER holds one kind of object (certificates may be several)",
                args.input.display(),
                labels.join(", ")
            ))
        }
    };
    out.add(&args.out, mode, der);
    out.commit()
}

fn to_pem(args: &PemDerArgs) -> Result<(), Error> {
    let mut out = Outputs::check(&[&args.out], args.force)?;
    let input = files::read(&args.input)?;
    if !pem_io::is_der(&input) {
        return Err(fail!(
            "{} is not DER (it does not start with a SEQUENCE); is it PEM already?",
            args.input.display()
        ));
    }
    let (text, mode) = der_to_pem(&input, &args.input)?;
    out.add(&args.out, mode, text);
    out.commit()
}

/// PEM for DER input of any supported kind.
fn der_to_pem(input: &[u8], source: &Path) -> Result<(String, Mode), Error> {
    if let Ok(certs) = certgate::parse_chain(input, &certgate::Limits::default()) {
        if certs
            .iter()
            .all(|c| certgate::Inspection::from_der(c, None).is_ok())
        {
            return Ok((
                pem_io::encode_certs(certs.iter().map(|c| c.as_ref())),
                Mode::Public,
            ));
        }
    }
    if matches!(X509CertificationRequest::from_der(input), Ok((rest, _)) if rest.is_empty()) {
        return Ok((pem_io::encode("CERTIFICATE REQUEST", input), Mode::Public));
    }
    if matches!(CertificateRevocationList::from_der(input), Ok((rest, _)) if rest.is_empty()) {
        return Ok((pem_io::encode("X509 CRL", input), Mode::Public));
    }
    if let Ok(pkcs8) = keys::to_pkcs8(input, source) {
        return Ok((pem_io::encode("PRIVATE KEY", &pkcs8), Mode::Secret));
    }
    Err(fail!(
        "{} is not a DER certificate, CSR, CRL or private key",
        source.display()
    ))
}

fn key(args: &KeyArgs) -> Result<(), Error> {
    let mut out = Outputs::check(&[&args.out], args.force)?;
    let input = files::read(&args.input)?;
    let pkcs8 = keys::to_pkcs8(&input, &args.input)?;
    let contents = if args.der {
        pkcs8
    } else {
        pem_io::encode("PRIVATE KEY", &pkcs8).into_bytes()
    };
    out.add(&args.out, Mode::Secret, contents);
    out.commit()
}

fn from_p12(args: &FromP12Args) -> Result<(), Error> {
    let mut paths = vec![args.cert_out.as_path()];
    paths.extend(args.key_out.as_deref());
    let mut out = Outputs::check(&paths, args.force)?;
    let data = files::read(&args.input)?;
    let password = args
        .password
        .read(&format!("{}", args.input.display()), Purpose::Existing)?;
    let contents =
        pkcs12::read(&data, &password).map_err(|e| fail!("{}: {e}", args.input.display()))?;
    let certs = match contents.keys.as_slice() {
        [] => {
            if args.key_out.is_some() {
                return Err(fail!(
                    "{} holds no private key (is it a trust store?)",
                    args.input.display()
                ));
            }
            contents.certs.iter().map(|c| c.der.clone()).collect()
        }
        [key] => {
            let Some(key_out) = &args.key_out else {
                return Err(fail!(
                    "{} holds a private key; name where it goes with --key-out",
                    args.input.display()
                ));
            };
            let pkcs8 = keys::to_pkcs8(&key.pkcs8, &args.input)?;
            out.add(key_out, Mode::Secret, pem_io::encode("PRIVATE KEY", &pkcs8));
            contents.chain_for(key)
        }
        many => {
            return Err(fail!(
                "{} holds {} private keys; certgate imports files with one",
                args.input.display(),
                many.len()
            ));
        }
    };
    if certs.is_empty() {
        return Err(fail!("{} holds no certificate", args.input.display()));
    }
    out.add(
        &args.cert_out,
        Mode::Public,
        pem_io::encode_certs(certs.iter().map(Vec::as_slice)),
    );
    out.commit()
}
