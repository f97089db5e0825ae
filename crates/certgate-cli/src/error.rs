//! The CLI's one error type: a one-line cause for the user, and the exit code it maps to.

use std::fmt;

/// Exit code for a failed command (see the table in `main.rs`).
pub const EXIT_FAILURE: u8 = 1;
/// Exit code for a chain that `verify` rejected.
pub const EXIT_REJECTED: u8 = 3;

/// Why a command did not succeed.
#[derive(Debug)]
pub enum Error {
    /// The command failed; the message is one line that says what and, where it helps, what to do.
    Failed(String),
    /// `verify` rejected the chain and has already printed why.
    Rejected,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Failed(message) => f.write_str(message),
            Self::Rejected => f.write_str("the chain was rejected"),
        }
    }
}

impl std::error::Error for Error {}

impl From<certgate::Rejection> for Error {
    fn from(rejection: certgate::Rejection) -> Self {
        Self::Failed(rejection.to_string())
    }
}

/// Builds an [`Error::Failed`] from a format string.
macro_rules! fail {
    ($($arg:tt)*) => {
        $crate::error::Error::Failed(format!($($arg)*))
    };
}
pub(crate) use fail;

/// Adds what was being done to a lower-level error.
pub trait Context<T> {
    /// Prefixes the error with `what` (e.g. "cannot read ca.pem").
    fn context(self, what: impl FnOnce() -> String) -> Result<T, Error>;
}

impl<T, E: fmt::Display> Context<T> for Result<T, E> {
    fn context(self, what: impl FnOnce() -> String) -> Result<T, Error> {
        self.map_err(|e| Error::Failed(format!("{}: {e}", what())))
    }
}
