//! `certgate truststore build` and `certgate keystore build`: PKCS#12 files Java, keytool,
//! browsers and OpenSSL read.
//!
//! A plain `openssl pkcs12 -export -nokeys` trust store shows **zero** entries in Java: Java
//! only trusts certificate bags that carry its trusted-key-usage attribute
//! (2.16.840.1.113894.746875.1.1). Trust stores written here carry it on every certificate.

use std::path::{Path, PathBuf};

use x509_parser::prelude::{FromDer, X509Certificate};

use crate::error::{fail, Error};
use crate::files::{Mode, Outputs};
use crate::keys::Key;
use crate::password::{PasswordArgs, Purpose};
use crate::pkcs12::{self, Protection};
use crate::pki;

/// Trust store commands.
#[derive(Debug, clap::Subcommand)]
pub enum TruststoreCommand {
    /// Build a PKCS#12 trust store from CA certificates; Java lists each as a trustedCertEntry.
    Build(TruststoreArgs),
}

/// Key store commands.
#[derive(Debug, clap::Subcommand)]
pub enum KeystoreCommand {
    /// Build a PKCS#12 key store from a private key and its certificate chain.
    Build(KeystoreArgs),
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

/// `keystore build` (and `convert to-p12`).
#[derive(Debug, clap::Args)]
pub struct KeystoreArgs {
    /// The private key (PKCS#8, PKCS#1 or SEC1; PEM or DER).
    #[arg(long, value_name = "FILE")]
    key: PathBuf,
    /// The key's certificate, optionally followed by its chain (repeatable; files are joined in order).
    #[arg(long = "cert", value_name = "FILE", required = true)]
    certs: Vec<PathBuf>,
    /// The entry's alias (friendlyName) [default: the certificate's CN].
    #[arg(long, value_name = "NAME")]
    alias: Option<String>,
    /// Where to write the key store (mode 0600).
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
pub fn run_truststore(cmd: TruststoreCommand) -> Result<(), Error> {
    match cmd {
        TruststoreCommand::Build(args) => build_truststore(args),
    }
}

/// Runs a key store command.
pub fn run_keystore(cmd: KeystoreCommand) -> Result<(), Error> {
    match cmd {
        KeystoreCommand::Build(args) => build_keystore(&args),
    }
}

fn protection(legacy: bool) -> Protection {
    if legacy {
        Protection::Legacy
    } else {
        Protection::Modern
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
                &alias_for(&der, path),
                entries.iter().map(|(a, _)| a.as_str()),
            );
            entries.push((alias, der));
        }
    }
    let password = args.password.read("the trust store", Purpose::New)?;
    let data = pkcs12::trust_store(&entries, &password, protection(args.legacy))?;
    out.add(&args.out, Mode::Public, data);
    out.commit()?;
    eprintln!(
        "wrote trust store {} with {} trusted certificate(s)",
        args.out.display(),
        entries.len()
    );
    Ok(())
}

/// Builds a key store file from `args` (shared with `convert to-p12`).
pub fn build_keystore(args: &KeystoreArgs) -> Result<(), Error> {
    let mut out = Outputs::check(&[&args.out], args.force)?;
    let key = Key::load(&args.key)?;
    let mut chain = Vec::new();
    for path in &args.certs {
        chain.extend(pki::read_certs(path)?);
    }
    // clap requires one --cert, and read_certs refuses a file without a certificate.
    let (Some(leaf), Some(first_file)) = (chain.first(), args.certs.first()) else {
        return Err(fail!("a key store needs the key's certificate (--cert)"));
    };
    let (_, parsed) =
        X509Certificate::from_der(leaf).map_err(|e| fail!("{}: {e}", first_file.display()))?;
    if parsed.public_key().subject_public_key.data.as_ref() != key.pair().public_key_raw() {
        return Err(fail!(
            "{} is not the key of the first certificate in {}",
            args.key.display(),
            first_file.display()
        ));
    }
    let alias = match &args.alias {
        Some(alias) => alias.clone(),
        None => alias_for(leaf, first_file),
    };
    let password = args.password.read("the key store", Purpose::New)?;
    let data = pkcs12::key_store(
        &alias,
        key.pkcs8_der(),
        &chain,
        &password,
        protection(args.legacy),
    )?;
    out.add(&args.out, Mode::Secret, data);
    out.commit()?;
    eprintln!(
        "wrote key store {} (alias {alias}, {} certificate(s))",
        args.out.display(),
        chain.len()
    );
    Ok(())
}

/// An alias from the certificate's CN, lowercased, else from the file name.
fn alias_for(der: &[u8], path: &Path) -> String {
    let cn = X509Certificate::from_der(der).ok().and_then(|(_, c)| {
        c.subject()
            .iter_common_name()
            .next()
            .and_then(|cn| cn.as_str().ok().map(str::to_owned))
    });
    match cn {
        Some(cn) if !cn.trim().is_empty() => cn.trim().to_lowercase(),
        _ => path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "certificate".into()),
    }
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
