//! `certgate`: the whole mutual-TLS PKI lifecycle in one binary — CAs, certificates, CSRs,
//! CRLs, PKCS#12 trust and key stores Java accepts, conversion, inspection and verification
//! with the certgate core.
//!
//! # Exit codes
//!
//! | code | meaning |
//! |---|---|
//! | 0 | success; for `verify`, the chain (and, with `--policy`, the request) was accepted |
//! | 1 | the command failed: unreadable or invalid input, wrong password, an output that exists without `--force`, an I/O error. Nothing was written. |
//! | 2 | the command line is invalid (unknown flag, missing argument) |
//! | 3 | `verify` only: the chain was rejected or the policy denied the request; the code is printed (and is `code` in `--json`) |

mod ca;
mod cert;
mod convert;
mod crl;
mod csr;
mod demo;
mod error;
mod files;
mod inspect;
mod keys;
mod keystore;
mod password;
mod pem_io;
mod pkcs12;
mod pki;
mod truststore;
mod verify;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::error::Error;

/// certgate: create and check the certificates of a mutual-TLS PKI.
///
/// Exit codes: 0 success (verify: accepted), 1 failure (nothing written), 2 invalid command
/// line, 3 verify rejected the chain or the policy denied the request.
#[derive(Debug, Parser)]
#[command(
    name = "certgate",
    version,
    about,
    long_about = None,
    propagate_version = true,
    after_help = "Exit codes: 0 success (verify: accepted), 1 failure with a one-line cause \
                  (nothing written), 2 invalid command line, 3 verify rejected the chain or \
                  the policy denied the request."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    #[command(flatten)]
    key_password: password::KeyPasswordArgs,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Certificate authorities: a root (`init`) and intermediates signed by it.
    #[command(subcommand)]
    Ca(ca::CaCommand),
    /// Issue a client or server certificate signed by a CA.
    #[command(subcommand)]
    Cert(cert::CertCommand),
    /// Certificate signing requests: create one, or sign one (made here or by openssl).
    #[command(subcommand)]
    Csr(csr::CsrCommand),
    /// Certificate revocation lists: create one, or revoke more certificates in one.
    #[command(subcommand)]
    Crl(crl::CrlCommand),
    /// Verify a certificate chain against trust anchors with the certgate core.
    Verify(verify::VerifyArgs),
    /// Show what a certificate, chain, CSR, CRL or PKCS#12 file holds.
    Inspect(inspect::InspectArgs),
    /// Convert between PEM, DER, PKCS#8 and PKCS#12.
    #[command(subcommand)]
    Convert(convert::ConvertCommand),
    /// PKCS#12 trust stores (certificates only) that Java and keytool accept.
    #[command(subcommand)]
    Truststore(truststore::TruststoreCommand),
    /// PKCS#12 key stores: one private key with its certificate chain.
    #[command(subcommand)]
    Keystore(keystore::KeystoreCommand),
    /// The demo: a throwaway PKI, the native server on it and the curl calls that show
    /// allowed, refused and unauthenticated clients (`demo pki`: the PKI only).
    Demo(demo::DemoArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        // `verify` has already said why, on stdout (text or JSON).
        Err(Error::Rejected) => ExitCode::from(error::EXIT_REJECTED),
        Err(err) => {
            eprintln!("certgate: {err}");
            ExitCode::from(error::EXIT_FAILURE)
        }
    }
}

fn run(cli: Cli) -> Result<(), Error> {
    cli.key_password.install();
    match cli.command {
        Command::Ca(cmd) => ca::run(cmd),
        Command::Cert(cmd) => cert::run(cmd),
        Command::Csr(cmd) => csr::run(cmd),
        Command::Crl(cmd) => crl::run(cmd),
        Command::Verify(args) => verify::run(args),
        Command::Inspect(args) => inspect::run(args),
        Command::Convert(cmd) => convert::run(cmd),
        Command::Truststore(cmd) => truststore::run(cmd),
        Command::Keystore(cmd) => keystore::run(cmd),
        Command::Demo(args) => demo::run(args),
    }
}
