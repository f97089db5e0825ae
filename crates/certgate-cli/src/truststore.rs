//! `certgate truststore build`: a PKCS#12 trust store that Java, keytool, browsers and
//! OpenSSL read.
//!
//! A plain `openssl pkcs12 -export -nokeys` trust store shows **zero** entries in Java: Java
//! only trusts certificate bags that carry its trusted-key-usage attribute
//! (2.16.840.1.113894.746875.1.1). Trust stores written here carry it on every certificate.

use std::path::PathBuf;

use crate::error::Error;
use crate::files::{Mode, Outputs};
use crate::password::{PasswordArgs, Purpose};
use crate::pkcs12::{self, Protection};
use crate::pki;

/// Trust store commands.
#[derive(Debug, clap::Subcommand)]
pub enum TruststoreCommand {
    /// Build a PKCS#12 trust store from CA certificates; Java lists each as a trustedCertEntry.
    Build(TruststoreArgs),
}

/// `truststore build`.
#[derive(Debug, clap::Args)]
pub struct TruststoreArgs {
    /// A certificate file, PEM or DER (repeatable; every certificate in each file is added).
    #[arg(long = "cert", value_name = "FILE", required = true)]
    certs: Vec<PathBuf>,
    /// Where to write the trust store.
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
    /// Use legacy PBE-SHA1-3DES encryption and a SHA-1 MAC, for old Java, macOS and Windows.
    #[arg(long)]
    legacy: bool,
    #[command(flatten)]
    password: PasswordArgs,
    /// Replace the output file if it exists.
    #[arg(long)]
    force: bool,
}

/// Runs a trust store command.
pub fn run(cmd: TruststoreCommand) -> Result<(), Error> {
    match cmd {
        TruststoreCommand::Build(args) => build_truststore(args),
    }
}

fn build_truststore(args: TruststoreArgs) -> Result<(), Error> {
    let mut out = Outputs::check(&[&args.out], args.force)?;
    let mut entries: Vec<(String, Vec<u8>)> = Vec::new();
    for path in &args.certs {
        for der in pki::read_certs(path)? {
            if entries.iter().any(|(_, d)| *d == der) {
                continue; // the same certificate twice is one entry
            }
            let alias = unique_alias(
                &pkcs12::alias_for(&der, path),
                entries.iter().map(|(a, _)| a.as_str()),
            );
            entries.push((alias, der));
        }
    }
    let password = args.password.read("the trust store", Purpose::New)?;
    let data = pkcs12::trust_store(&entries, &password, Protection::from_legacy(args.legacy))?;
    out.add(&args.out, Mode::Public, data);
    out.commit()?;
    eprintln!(
        "wrote trust store {} with {} trusted certificate(s)",
        args.out.display(),
        entries.len()
    );
    Ok(())
}

/// `alias`, or `alias-2`, `alias-3`, … if taken.
fn unique_alias<'a>(alias: &str, taken: impl Iterator<Item = &'a str> + Clone) -> String {
    let mut candidate = alias.to_owned();
    let mut n = 2;
    while taken.clone().any(|t| t == candidate) {
        candidate = format!("{alias}-{n}");
        n += 1;
    }
    candidate
}
