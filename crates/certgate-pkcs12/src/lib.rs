//! certgate's one PKCS#12 (`.p12`/`.pfx`, RFC 7292) reader, shared by the `certgate` command
//! line, the inspector's WebAssembly build and certgate-rustls's client identities, so that one
//! file gets the same verdict, code and message on every surface.
//!
//! - [`read()`] opens a file with its password: every private key (PKCS#8 DER) and certificate
//!   bag, and [`Contents::chain_for`] orders a key's chain (its certificate, then the issuers).
//! - **Before any password is tried, [`check_work`] reads the structure for the key-derivation
//!   work it asks for** and refuses more than [`MAX_ITERATIONS`] per step,
//!   [`MAX_TOTAL_ITERATIONS`] in all, scrypt beyond [`MAX_SCRYPT_COST`], and algorithms
//!   p12-keystore cannot decrypt (which it would report as a wrong password): a hostile file
//!   cannot make certgate spend minutes deriving keys. [`read()`] then decrypts each encrypted
//!   container with the password (decrypt.rs) and counts the keys inside toward the same total
//!   before p12-keystore derives a key for any of them.
//! - [`protection()`] says how a file is protected without its password (`openssl pkcs12 -info`).
//!
//! Every failure is an [`Error`] whose [`Code`] is a stable string: `PKCS12_WRONG_PASSWORD`,
//! `MALFORMED_PKCS12` or `UNSUPPORTED_PKCS12`.
//!
//! Decryption is p12-keystore's, which needs `std`; the crate builds for
//! `wasm32-unknown-unknown` (p12-keystore's `rand` then needs getrandom's JavaScript backend,
//! which the wasm binding selects; nothing here draws random numbers).
#![deny(missing_docs)]

mod decrypt;
mod error;
mod layout;
mod protection;
mod read;
mod work;

pub use error::{Code, Error};
pub use protection::{protection, ProtectionInfo};
pub use read::{read, CertBag, Contents, KeyBag};
pub use work::{check_work, MAX_ITERATIONS, MAX_SCRYPT_COST, MAX_TOTAL_ITERATIONS};
