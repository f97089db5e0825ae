//! Why a PKCS#12 file cannot be read: a stable code and a one-line message.

use std::fmt;

/// Why a PKCS#12 file cannot be read. `Display` is `CODE: message`, as the CLI prints it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error {
    /// The stable code.
    pub code: Code,
    /// What is wrong and, where it helps, what to do; never the password.
    pub message: String,
}

/// The stable code of a PKCS#12 failure: the CLI's message starts with it, the JavaScript
/// error's `code` is it, and certgate-rustls's rejection message starts with it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Code {
    /// `MALFORMED_PKCS12`: not PKCS#12 DER, or a truncated or damaged file.
    Malformed,
    /// `UNSUPPORTED_PKCS12`: an algorithm certgate does not read, public-key protection, or
    /// more work than the limits allow.
    Unsupported,
    /// `PKCS12_WRONG_PASSWORD`: the MAC does not verify, or the contents do not decrypt, with
    /// the password given.
    WrongPassword,
}

impl Code {
    /// The stable string.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Malformed => "MALFORMED_PKCS12",
            Self::Unsupported => "UNSUPPORTED_PKCS12",
            Self::WrongPassword => "PKCS12_WRONG_PASSWORD",
        }
    }
}

impl Error {
    pub(crate) fn new(code: Code, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }

    /// A structure that does not decode: `MALFORMED_PKCS12`.
    pub(crate) fn malformed(e: der::Error) -> Self {
        Self::new(
            Code::Malformed,
            format!("not a PKCS#12 file (or a damaged one): {e}"),
        )
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code.as_str(), self.message)
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::error::Error for Error {}
