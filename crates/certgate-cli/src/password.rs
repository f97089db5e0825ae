//! Passwords: from a file, an environment variable or a prompt on the terminal — never from
//! the command line, where other users can read it in the process list.
//!
//! Two passwords can be in play: a PKCS#12 file's (`--password-file`, `--password-env`,
//! `CERTGATE_PASSWORD`) and an encrypted private key's (`--key-password-file`,
//! `--key-password-env`, `CERTGATE_KEY_PASSWORD`).

use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::OnceLock;

use crate::error::{fail, Error};
use crate::files;

/// The environment variable read for PKCS#12 passwords when no flag names a source.
pub const DEFAULT_ENV: &str = "CERTGATE_PASSWORD";
/// The environment variable read for encrypted private keys when no flag names a source.
pub const DEFAULT_KEY_ENV: &str = "CERTGATE_KEY_PASSWORD";

/// Where a PKCS#12 password comes from.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct PasswordArgs {
    /// Read the PKCS#12 password from the first line of FILE (`-` for standard input).
    #[arg(long, value_name = "FILE", conflicts_with = "password_env")]
    pub password_file: Option<PathBuf>,
    /// Read the PKCS#12 password from the environment variable NAME [default: CERTGATE_PASSWORD;
    /// without either, certgate prompts on the terminal].
    #[arg(long, value_name = "NAME")]
    pub password_env: Option<String>,
}

/// Where the password of encrypted private keys (`ENCRYPTED PRIVATE KEY`) comes from.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct KeyPasswordArgs {
    /// Read the password of encrypted private key inputs from the first line of FILE.
    #[arg(
        long,
        value_name = "FILE",
        global = true,
        conflicts_with = "key_password_env"
    )]
    pub key_password_file: Option<PathBuf>,
    /// Read the password of encrypted private key inputs from the environment variable NAME
    /// [default: CERTGATE_KEY_PASSWORD; without either, certgate prompts on the terminal].
    #[arg(long, value_name = "NAME", global = true)]
    pub key_password_env: Option<String>,
}

/// Whether the password protects a file being written (asked twice at a prompt) or opens one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    /// A password for a new file.
    New,
    /// The password of an existing file.
    Existing,
}

/// One password source, whichever flags it came from.
struct Source<'a> {
    file: Option<&'a PathBuf>,
    env: Option<&'a str>,
    default_env: &'static str,
    flags: &'static str,
}

impl PasswordArgs {
    /// The password, from the first source given: `--password-file`, `--password-env`,
    /// `CERTGATE_PASSWORD`, then a prompt when standard input is a terminal.
    pub fn read(&self, what: &str, purpose: Purpose) -> Result<String, Error> {
        self.as_source().read(what, purpose)
    }

    /// The password from a file or the environment, without prompting; `None` if none is set.
    pub fn source(&self) -> Result<Option<String>, Error> {
        self.as_source().value()
    }

    fn as_source(&self) -> Source<'_> {
        Source {
            file: self.password_file.as_ref(),
            env: self.password_env.as_deref(),
            default_env: DEFAULT_ENV,
            flags: "--password-file FILE, --password-env NAME or CERTGATE_PASSWORD",
        }
    }
}

static KEY_PASSWORD: OnceLock<KeyPasswordArgs> = OnceLock::new();

impl KeyPasswordArgs {
    /// Makes these the key password sources for the rest of the command.
    pub fn install(self) {
        let _ = KEY_PASSWORD.set(self);
    }

    /// The password of an encrypted private key input, from the installed sources.
    pub fn read_for(what: &str) -> Result<String, Error> {
        let args = KEY_PASSWORD.get().cloned().unwrap_or_default();
        Source {
            file: args.key_password_file.as_ref(),
            env: args.key_password_env.as_deref(),
            default_env: DEFAULT_KEY_ENV,
            flags: "--key-password-file FILE, --key-password-env NAME or CERTGATE_KEY_PASSWORD",
        }
        .read(what, Purpose::Existing)
    }
}

impl Source<'_> {
    fn read(&self, what: &str, purpose: Purpose) -> Result<String, Error> {
        let password = match self.value()? {
            Some(password) => password,
            None => prompt(what, purpose, self.flags)?,
        };
        if purpose == Purpose::New && password.is_empty() {
            return Err(fail!(
                "the password for {what} is empty; an empty password does not protect anything"
            ));
        }
        Ok(password)
    }

    fn value(&self) -> Result<Option<String>, Error> {
        if let Some(path) = self.file {
            let data = files::read(path)?;
            let text = String::from_utf8(data)
                .map_err(|_| fail!("{} is not UTF-8 text", path.display()))?;
            let line = text.lines().next().unwrap_or("");
            return Ok(Some(line.to_owned()));
        }
        if let Some(name) = self.env {
            return match std::env::var(name) {
                Ok(value) => Ok(Some(value)),
                Err(_) => Err(fail!(
                    "the environment variable {name} is not set or not UTF-8"
                )),
            };
        }
        Ok(std::env::var(self.default_env).ok())
    }
}

fn prompt(what: &str, purpose: Purpose, flags: &str) -> Result<String, Error> {
    if !std::io::stdin().is_terminal() {
        return Err(fail!(
            "a password for {what} is needed: use {flags}, or run on a terminal"
        ));
    }
    let first = rpassword::prompt_password(format!("Password for {what}: "))
        .map_err(|e| fail!("cannot read the password from the terminal: {e}"))?;
    if purpose == Purpose::New {
        let second = rpassword::prompt_password("Repeat the password: ")
            .map_err(|e| fail!("cannot read the password from the terminal: {e}"))?;
        if first != second {
            return Err(fail!("the two passwords differ"));
        }
    }
    Ok(first)
}
