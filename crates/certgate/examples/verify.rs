//! Verifies a client chain against a trust store and prints the verdict.
//!
//! ```text
//! cargo run -p certgate --example verify -- TRUST.pem CHAIN.pem [UNIX_TIME]
//! ```
//! Without a time, the current time of this machine is used: the example is a caller, and
//! callers own the clock; the core never reads one.

use std::process::ExitCode;
use std::time::{SystemTime, UNIX_EPOCH};

use certgate::{Rejection, Verifier, VerifyOptions};

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("{message}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [trust, chain, rest @ ..] = args.as_slice() else {
        return Err("usage: verify TRUST.pem CHAIN.pem [UNIX_TIME]".into());
    };
    let time = match rest.first() {
        Some(t) => t.parse().map_err(|_| format!("`{t}` is not Unix seconds"))?,
        None => SystemTime::now().duration_since(UNIX_EPOCH).map_err(|e| e.to_string())?.as_secs(),
    };
    let read = |path: &String| std::fs::read(path).map_err(|e| format!("cannot read {path}: {e}"));
    let verifier = Verifier::builder()
        .trust(&read(trust)?)
        .and_then(|b| b.build())
        .map_err(|r: Rejection| format!("trust store {trust}: {r}"))?;

    match verifier.verify_pem(&read(chain)?, &VerifyOptions::new(time)) {
        Ok(verified) => {
            let leaf = verified.inspect_leaf().map_err(|r| r.to_string())?;
            println!("ACCEPTED {chain}");
            println!("  subject   {}", leaf.subject.rfc4514);
            println!("  issuer    {}", leaf.issuer.rfc4514);
            println!("  validity  {} .. {}", leaf.validity.not_before, leaf.validity.not_after);
            if let Some(status) = &leaf.status {
                println!("  status    {}", status.summary);
            }
            println!("  path      {} certificates, leaf to anchor", verified.path().len());
            Ok(())
        }
        Err(rejection) => {
            println!("REJECTED {chain}");
            println!("  code      {}", rejection.code);
            if let Some(i) = rejection.cert_index {
                println!("  cert      {i}");
            }
            println!("  why       {}", rejection.message);
            Err(format!("{chain} was rejected ({})", rejection.code))
        }
    }
}
