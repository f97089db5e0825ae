//! `certgate-server --config FILE`: the reference mutual-TLS API server.

use std::path::PathBuf;
use std::process::ExitCode;

use certgate_server::Server;

const USAGE: &str = "usage: certgate-server --config FILE\n\n\
    Serves the certgate demo API over mutual TLS. FILE is the TOML configuration\n\
    (see server.example.toml). SIGHUP reloads the trust store, CRLs and policy.";

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(cause) => {
            eprintln!("certgate-server: {cause}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), String> {
    let config = config_path(std::env::args().skip(1))?;
    let server = Server::start(config)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the runtime: {e}"))?;
    runtime.block_on(server.run())
}

/// `--config FILE` (or `--config=FILE`) is the only argument; `--help` prints the usage.
fn config_path(mut args: impl Iterator<Item = String>) -> Result<PathBuf, String> {
    let mut path = None;
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--config" | "-c" => path = Some(args.next().ok_or("--config needs a FILE")?),
            "--help" | "-h" => {
                println!("{USAGE}");
                std::process::exit(0);
            }
            other => match other.strip_prefix("--config=") {
                Some(value) => path = Some(value.to_owned()),
                None => {
                    return Err(format!(
                        "unexpected argument `{other}`; {}",
                        USAGE.lines().next().unwrap_or("")
                    ))
                }
            },
        }
    }
    path.map(PathBuf::from)
        .ok_or_else(|| USAGE.lines().next().unwrap_or("").to_owned())
}
