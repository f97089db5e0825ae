//! Passwords for PKCS#12 files: from a file, an environment variable or a prompt on the
//! terminal — never from the command line, where other users can read it in the process list.

use std::io::IsTerminal;
use std::path::PathBuf;

use crate::error::{fail, Error};
use crate::files;

/// The environment variable read when neither `--password-file` nor `--password-env` is given.
pub const DEFAULT_ENV: &str = "CERTGATE_PASSWORD";

/// Where a password comes from.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct PasswordArgs {
    /// Read the password from the first line of FILE (`-` for standard input).
    #[arg(long, value_name = "FILE", conflicts_with = "password_env")]
    pub password_file: Option<PathBuf>,
    /// Read the password from the environment variable NAME [default: CERTGATE_PASSWORD;
    /// without either, certgate prompts on the terminal].
    #[arg(long, value_name = "NAME")]
    pub password_env: Option<String>,
}

/// Whether the password protects a file being written (asked twice at a prompt) or opens one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    /// A password for a new file.
    New,
    /// The password of an existing file.
    Existing,
}

impl PasswordArgs {
    /// The password, from the first source given: `--password-file`, `--password-env`,
    /// `CERTGATE_PASSWORD`, then a prompt when standard input is a terminal.
    pub fn read(&self, what: &str, purpose: Purpose) -> Result<String, Error> {
        let password = match self.source()? {
            Some(password) => password,
            None => prompt(what, purpose)?,
        };
        if purpose == Purpose::New && password.is_empty() {
            return Err(fail!(
                "the password for {what} is empty; an empty password does not protect anything"
            ));
        }
        Ok(password)
    }

    /// The password from a file or the environment, without prompting; `None` if none is set.
    pub fn source(&self) -> Result<Option<String>, Error> {
        if let Some(path) = &self.password_file {
            let data = files::read(path)?;
            let text = String::from_utf8(data)
                .map_err(|_| fail!("{} is not UTF-8 text", path.display()))?;
            let line = text.lines().next().unwrap_or("");
            return Ok(Some(line.to_owned()));
        }
        if let Some(name) = &self.password_env {
            return match std::env::var(name) {
                Ok(value) => Ok(Some(value)),
                Err(_) => Err(fail!(
                    "the environment variable {name} (from --password-env) is not set or not UTF-8"
                )),
            };
        }
        Ok(std::env::var(DEFAULT_ENV).ok())
    }
}

fn prompt(what: &str, purpose: Purpose) -> Result<String, Error> {
    if !std::io::stdin().is_terminal() {
        return Err(fail!(
            "a password for {what} is needed: use --password-file FILE, --password-env NAME or {DEFAULT_ENV}, or run on a terminal"
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
