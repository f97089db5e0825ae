//! `certgate-limbo --limbo PATH --out RESULTS.json [--exceptions FILE] [--now UNIX_SECONDS]`
//!
//! Runs the certgate core over an x509-limbo suite (`.json` or `.json.gz`) and writes limbo's
//! result format. With `--exceptions`, also checks the run against the reviewed exceptions file
//! and exits non-zero on any unsafe accept or any case whose standing differs from the file.
//! `--now` fixes the time used for cases whose validation time is null (default: the clock),
//! so that a check does not change verdicts as real-world certificates in the suite expire.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use certgate_limbo::{run_suite, tally, Exceptions, Results, Suite};

/// Command-line flags.
struct Args {
    /// The limbo suite, `.json` or `.json.gz`.
    limbo: PathBuf,
    /// Where to write the results.
    out: PathBuf,
    /// The reviewed exceptions file to check the run against.
    exceptions: Option<PathBuf>,
    /// Unix seconds standing in for "now" (a null validation time); the clock when absent.
    now: Option<u64>,
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("certgate-limbo: {}", e.trim_end());
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), String> {
    let args = parse_args(std::env::args().skip(1))?;
    let started = Instant::now();
    let suite = Suite::load(&args.limbo)?;
    let loaded = started.elapsed();
    // The one clock read: limbo's null validation_time means "now".
    let now = match args.now {
        Some(now) => now,
        None => SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_err(|_| "the system clock is before 1970")?
            .as_secs(),
    };
    let outcomes = run_suite(&suite, now);
    let verified = started.elapsed() - loaded;

    let results = Results {
        version: 1,
        harness: "certgate",
        results: &outcomes,
    };
    let json = serde_json::to_vec(&results).map_err(|e| format!("cannot encode results: {e}"))?;
    std::fs::write(&args.out, json)
        .map_err(|e| format!("cannot write {}: {e}", args.out.display()))?;

    let t = tally(&suite, &outcomes);
    println!(
        "{} cases: {} pass, {} unsafe accepts, {} false rejects, {} skipped (load {:.2}s, verify {:.2}s)",
        outcomes.len(),
        t.pass,
        t.unsafe_accepts,
        t.false_rejects,
        t.skipped,
        loaded.as_secs_f64(),
        verified.as_secs_f64()
    );
    if let Some(path) = &args.exceptions {
        Exceptions::load(path)?
            .check(&suite, &outcomes)
            .map_err(|problems| format!("the run differs from {}:\n{problems}", path.display()))?;
        println!("matches {}", path.display());
    } else if t.unsafe_accepts > 0 {
        return Err(format!("{} unsafe accepts", t.unsafe_accepts));
    }
    Ok(())
}

fn parse_args(mut args: impl Iterator<Item = String>) -> Result<Args, String> {
    const USAGE: &str =
        "usage: certgate-limbo --limbo PATH --out RESULTS.json [--exceptions FILE] [--now UNIX_SECONDS]";
    let (mut limbo, mut out, mut exceptions, mut now) = (None, None, None, None);
    while let Some(flag) = args.next() {
        if flag == "-h" || flag == "--help" {
            return Err(USAGE.into());
        }
        let value = args
            .next()
            .ok_or_else(|| format!("{flag} needs a value\n{USAGE}"))?;
        match flag.as_str() {
            "--limbo" => limbo = Some(PathBuf::from(value)),
            "--out" => out = Some(PathBuf::from(value)),
            "--exceptions" => exceptions = Some(PathBuf::from(value)),
            "--now" => {
                now = Some(
                    value
                        .parse()
                        .map_err(|_| format!("--now takes Unix seconds, not `{value}`"))?,
                );
            }
            other => return Err(format!("unknown argument `{other}`\n{USAGE}")),
        }
    }
    Ok(Args {
        limbo: limbo.ok_or_else(|| format!("--limbo is required\n{USAGE}"))?,
        out: out.ok_or_else(|| format!("--out is required\n{USAGE}"))?,
        exceptions,
        now,
    })
}
