//! `certgate demo pki`: a throwaway PKI for the demos and tests, always the same layout
//! (other tooling depends on it):
//!
//! ```text
//! DIR/root-ca.pem            the demo root CA (trust this)
//! DIR/intermediate-ca.pem    the issuing CA, signed by the root
//! DIR/server.pem             server certificate + intermediate (SANs localhost, 127.0.0.1)
//! DIR/server.key
//! DIR/clients/NAME.pem       client certificate + its issuer, for alice, mallory, expired, rogue
//! DIR/clients/NAME.key
//! DIR/clients/NAME.p12       key + chain, password "changeit" unless one is given
//! DIR/policy.toml            alice has role `user`; mallory has none
//! DIR/server.toml            a configuration for the demo servers
//! DIR/crl.pem                the intermediate's CRL (no entries)
//! ```
//!
//! alice and mallory chain to the root; `expired` did too but is past its notAfter; `rogue`
//! is signed by a different CA that nothing trusts.

use std::path::{Path, PathBuf};

use rcgen::{
    BasicConstraints, CertificateParams, CertificateRevocationListParams, ExtendedKeyUsagePurpose,
    IsCa, Issuer, KeyIdMethod, KeyPair, KeyUsagePurpose, SanType, SerialNumber,
};

use crate::cert::LeafSpec;
use crate::error::{fail, Error};
use crate::files::{Mode, Outputs};
use crate::keys::{Key, KeyType};
use crate::password::PasswordArgs;
use crate::pem_io;
use crate::pkcs12::{self, Protection};
use crate::pki::{self, SubjectArgs};

/// The PKCS#12 password of the demo client files when no password source is given:
/// Java's well-known default, fitting for throwaway files.
pub const DEFAULT_P12_PASSWORD: &str = "changeit";

/// The demo clients, in the order they are made.
pub const CLIENTS: [&str; 4] = ["alice", "mallory", "expired", "rogue"];

mod serve;

/// `certgate demo`: without a subcommand, the tour (PKI, server, curl calls); `demo pki` writes
/// the PKI only.
#[derive(Debug, clap::Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct DemoArgs {
    #[command(subcommand)]
    command: Option<DemoCommand>,
    #[command(flatten)]
    run: serve::RunArgs,
}

/// Demo commands.
#[derive(Debug, clap::Subcommand)]
pub enum DemoCommand {
    /// Write the demo PKI (CAs, server and client certificates, policy, server config, CRL) to a directory.
    Pki(PkiArgs),
}

/// `demo pki`.
#[derive(Debug, clap::Args)]
pub struct PkiArgs {
    /// The directory to write to (created if missing).
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// The .p12 password, from --password-file, --password-env or CERTGATE_PASSWORD
    /// [default: "changeit"].
    #[command(flatten)]
    password: PasswordArgs,
    /// Replace demo files that already exist in DIR.
    #[arg(long)]
    force: bool,
    /// Key type of every key in the demo PKI (CAs, server, clients), e.g. rsa2048 or ed25519
    /// to see which TLS clients accept it.
    #[arg(long, value_enum, default_value_t = KeyType::P256)]
    key_type: KeyType,
}

/// Runs `certgate demo` or `certgate demo pki`.
pub fn run(args: DemoArgs) -> Result<(), Error> {
    match args.command {
        Some(DemoCommand::Pki(pki_args)) => pki(&pki_args),
        None => serve::run(&args.run),
    }
}

/// Writes the P-256 demo PKI to `dir`, with the default .p12 password unless one is configured.
fn write_pki(dir: &Path, force: bool) -> Result<(), Error> {
    pki(&PkiArgs {
        out: dir.to_owned(),
        password: PasswordArgs::default(),
        force,
        key_type: KeyType::P256,
    })
}

/// Every file `demo pki` writes, relative to its directory.
pub fn layout() -> Vec<String> {
    let mut files: Vec<String> = [
        "root-ca.pem",
        "intermediate-ca.pem",
        "server.pem",
        "server.key",
        "policy.toml",
        "server.toml",
        "crl.pem",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    for name in CLIENTS {
        for ext in ["pem", "key", "p12"] {
            files.push(format!("clients/{name}.{ext}"));
        }
    }
    files
}

fn pki(args: &PkiArgs) -> Result<(), Error> {
    let dir = &args.out;
    let paths: Vec<PathBuf> = layout().iter().map(|f| dir.join(f)).collect();
    let path_refs: Vec<&Path> = paths.iter().map(PathBuf::as_path).collect();
    let mut out = Outputs::check(&path_refs, args.force)?;
    let password = args
        .password
        .source()?
        .unwrap_or_else(|| DEFAULT_P12_PASSWORD.to_owned());
    let now = pki::now();
    let day = 86_400;

    let root = new_ca(
        "certgate Demo Root CA",
        None,
        (now - day, now + 3650 * day),
        args.key_type,
    )?;
    let intermediate = new_ca(
        "certgate Demo Intermediate CA",
        Some(&root),
        (now - day, now + 1825 * day),
        args.key_type,
    )?;
    let rogue_ca = new_ca(
        "Rogue CA",
        None,
        (now - day, now + 3650 * day),
        args.key_type,
    )?;

    out.add(
        &dir.join("root-ca.pem"),
        Mode::Public,
        pem_io::encode("CERTIFICATE", &root.der),
    );
    out.add(
        &dir.join("intermediate-ca.pem"),
        Mode::Public,
        pem_io::encode("CERTIFICATE", &intermediate.der),
    );

    let server = leaf(
        &intermediate,
        "localhost",
        vec![
            SanType::DnsName(ia5("localhost")?),
            SanType::IpAddress([127, 0, 0, 1].into()),
        ],
        ExtendedKeyUsagePurpose::ServerAuth,
        (now - day, now + 365 * day),
        args.key_type,
    )?;
    out.add(
        &dir.join("server.pem"),
        Mode::Public,
        pki::chain_pem(&server.1, &[&intermediate.der]),
    );
    out.add(&dir.join("server.key"), Mode::Secret, server.0.pkcs8_pem());

    for name in CLIENTS {
        let (issuer, window) = match name {
            "expired" => (&intermediate, (now - 31 * day, now - day)),
            "rogue" => (&rogue_ca, (now - day, now + 365 * day)),
            _ => (&intermediate, (now - day, now + 365 * day)),
        };
        let email = SanType::Rfc822Name(ia5(&format!("{name}@demo.certgate.test"))?);
        let (key, der) = leaf(
            issuer,
            name,
            vec![email],
            ExtendedKeyUsagePurpose::ClientAuth,
            window,
            args.key_type,
        )?;
        let chain = vec![der.clone(), issuer.der.clone()];
        let p12 = pkcs12::key_store(name, key.pkcs8_der(), &chain, &password, Protection::Modern)?;
        out.add(
            &dir.join(format!("clients/{name}.pem")),
            Mode::Public,
            pki::chain_pem(&der, &[&issuer.der]),
        );
        out.add(
            &dir.join(format!("clients/{name}.key")),
            Mode::Secret,
            key.pkcs8_pem(),
        );
        out.add(&dir.join(format!("clients/{name}.p12")), Mode::Secret, p12);
    }

    let crl = CertificateRevocationListParams {
        this_update: pki::datetime(now - 60)?,
        next_update: pki::datetime(now + 30 * day)?,
        crl_number: SerialNumber::from_slice(&[1]),
        issuing_distribution_point: None,
        revoked_certs: Vec::new(),
        key_identifier_method: KeyIdMethod::Sha256,
    }
    .signed_by(&intermediate.issuer)
    .map_err(|e| fail!("cannot sign the demo CRL: {e}"))?;
    out.add(
        &dir.join("crl.pem"),
        Mode::Public,
        pem_io::encode("X509 CRL", crl.der()),
    );
    out.add(&dir.join("policy.toml"), Mode::Public, POLICY_TOML);
    out.add(&dir.join("server.toml"), Mode::Public, SERVER_TOML);
    out.commit()?;
    eprintln!(
        "wrote the demo PKI to {} (client .p12 password: {})",
        dir.display(),
        if args.password.source()?.is_some() {
            "as given"
        } else {
            DEFAULT_P12_PASSWORD
        }
    );
    Ok(())
}

/// A demo CA: its certificate and an issuer holding its key.
struct DemoCa {
    der: Vec<u8>,
    issuer: Issuer<'static, KeyPair>,
}

fn new_ca(
    cn: &str,
    parent: Option<&DemoCa>,
    window: (u64, u64),
    key_type: KeyType,
) -> Result<DemoCa, Error> {
    let subject = SubjectArgs {
        cn: Some(cn.to_owned()),
        subject: Some("O=certgate demo".to_owned()),
    };
    let mut params = CertificateParams::default();
    params.distinguished_name = subject.name(None)?;
    params.not_before = pki::datetime(window.0)?;
    params.not_after = pki::datetime(window.1)?;
    params.serial_number = Some(pki::serial(None)?);
    params.is_ca = IsCa::Ca(match parent {
        Some(_) => BasicConstraints::Constrained(0),
        None => BasicConstraints::Unconstrained,
    });
    params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    params.use_authority_key_identifier_extension = parent.is_some();
    let key = Key::generate(key_type)?.into_pair();
    let cert = match parent {
        Some(parent) => params.signed_by(&key, &parent.issuer),
        None => params.self_signed(&key),
    }
    .map_err(|e| fail!("cannot create the demo CA {cn}: {e}"))?;
    Ok(DemoCa {
        der: cert.der().to_vec(),
        issuer: Issuer::new(params, key),
    })
}

fn leaf(
    ca: &DemoCa,
    cn: &str,
    sans: Vec<SanType>,
    eku: ExtendedKeyUsagePurpose,
    window: (u64, u64),
    key_type: KeyType,
) -> Result<(Key, Vec<u8>), Error> {
    let subject = SubjectArgs {
        cn: Some(cn.to_owned()),
        subject: Some("O=certgate demo".to_owned()),
    };
    let spec = LeafSpec {
        subject: subject.name(None)?,
        sans,
        ekus: vec![eku],
        window,
        crl_points: Vec::new(),
        serial: pki::serial(None)?,
    };
    let key = Key::generate(key_type)?;
    let cert = spec
        .params(false)?
        .signed_by(key.pair(), &ca.issuer)
        .map_err(|e| fail!("cannot create the demo certificate {cn}: {e}"))?;
    Ok((key, cert.der().to_vec()))
}

fn ia5(text: &str) -> Result<rcgen::string::Ia5String, Error> {
    rcgen::string::Ia5String::try_from(text).map_err(|_| fail!("`{text}` is not ASCII"))
}

/// The demo access policy (the core's policy schema, `certgate::policy`): the principal is
/// the certificate's CN; alice holds `user`, mallory holds nothing.
const POLICY_TOML: &str = include_str!("demo-policy.toml");

/// The demo server configuration (certgate-server's schema); paths are relative to this file.
const SERVER_TOML: &str = r#"# certgate demo server configuration. Paths are relative to this file.
listen = "127.0.0.1:8443"
cert = "server.pem"
key = "server.key"

# Clients must chain to the demo root; the intermediate's CRL is checked.
trust_store = "root-ca.pem"
crls = ["crl.pem"]

# No certificate: 401 on protected routes. A bad certificate fails the handshake.
client_auth = "optional"

policy = "policy.toml"
"#;
