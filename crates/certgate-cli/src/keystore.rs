//! `certgate keystore build`: one private key and its certificate chain in a PKCS#12 file,
//! listed by keytool as a `PrivateKeyEntry` with the full chain.

use std::path::PathBuf;

use x509_parser::prelude::{FromDer, X509Certificate};

use crate::error::{fail, Error};
use crate::files::{Mode, Outputs};
use crate::keys::Key;
use crate::password::{PasswordArgs, Purpose};
use crate::pkcs12::{self, Protection};
use crate::pki;

/// Key store commands.
#[derive(Debug, clap::Subcommand)]
pub enum KeystoreCommand {
    /// Build a PKCS#12 key store from a private key and its certificate chain.
    Build(KeystoreArgs),
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

/// Runs a key store command.
pub fn run(cmd: KeystoreCommand) -> Result<(), Error> {
    match cmd {
        KeystoreCommand::Build(args) => build_keystore(&args),
    }
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
        None => pkcs12::alias_for(leaf, first_file),
    };
    let password = args.password.read("the key store", Purpose::New)?;
    let data = pkcs12::key_store(
        &alias,
        key.pkcs8_der(),
        &chain,
        &password,
        Protection::from_legacy(args.legacy),
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
