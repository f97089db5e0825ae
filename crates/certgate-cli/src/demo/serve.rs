//! `certgate demo`: the one-command tour. It writes a throwaway demo PKI, starts the native
//! server (`certgate-server`) on it, then prints and runs the curl calls that show what mTLS
//! with certgate looks like: alice allowed, mallory refused by the policy, expired and rogue
//! refused in the handshake, no certificate answered 401. Each outcome is checked; the demo
//! exits non-zero if any differs from what it promises.

use std::io::{BufRead, BufReader};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use crate::error::{fail, Context, Error};

/// `certgate demo` options.
#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// Where to write the demo PKI [default: a new directory under the system temp directory].
    #[arg(long, value_name = "DIR")]
    dir: Option<PathBuf>,
    /// Port for the server on 127.0.0.1; 0 picks a free one.
    #[arg(long, default_value_t = 8443)]
    port: u16,
    /// The certgate-server binary [default: beside this `certgate`, else on PATH].
    #[arg(long, value_name = "PATH")]
    server_bin: Option<PathBuf>,
    /// Keep the server running after the calls (until Ctrl-C), to try it by hand.
    #[arg(long)]
    keep_running: bool,
    /// Replace the demo files in --dir when they already exist (a new PKI each run).
    #[arg(long)]
    force: bool,
}

/// What a demo call must show.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Expect {
    /// An HTTP status and, in the body, this text.
    Http(u16, &'static str),
    /// The TLS handshake fails (curl exits non-zero without an HTTP status).
    HandshakeRefused,
}

struct Call {
    title: &'static str,
    client: Option<&'static str>,
    path: &'static str,
    expect: Expect,
}

const CALLS: &[Call] = &[
    Call {
        title: "alice (role user) reads a customer",
        client: Some("alice"),
        path: "/customer/1",
        expect: Expect::Http(200, "Customer1"),
    },
    Call {
        title: "alice asks who she is",
        client: Some("alice"),
        path: "/whoami",
        expect: Expect::Http(200, "\"principal\":\"alice\""),
    },
    Call {
        title: "mallory (valid certificate, no role) is refused by the policy",
        client: Some("mallory"),
        path: "/customer/1",
        expect: Expect::Http(403, "ROLE_MISSING"),
    },
    Call {
        title: "expired is refused in the TLS handshake",
        client: Some("expired"),
        path: "/customer/1",
        expect: Expect::HandshakeRefused,
    },
    Call {
        title: "rogue (signed by an untrusted CA) is refused in the TLS handshake",
        client: Some("rogue"),
        path: "/customer/1",
        expect: Expect::HandshakeRefused,
    },
    Call {
        title: "no certificate: 401",
        client: None,
        path: "/customer/1",
        expect: Expect::Http(401, "NO_CERTIFICATE"),
    },
    Call {
        title: "the health check is open to anyone",
        client: None,
        path: "/health",
        expect: Expect::Http(200, "ok"),
    },
];

/// Runs the demo.
pub fn run(args: &RunArgs) -> Result<(), Error> {
    // Nothing is written when there is no server to run it.
    let server_bin = find_server(args.server_bin.as_deref())?;
    let dir = match &args.dir {
        Some(dir) => dir.clone(),
        None => fresh_temp_dir()?,
    };
    println!("certgate demo: a throwaway PKI in {}", dir.display());
    super::write_pki(&dir, args.force)?;
    set_listen_port(&dir.join("server.toml"), args.port)?;

    let log_path = dir.join("server.log");
    let mut server = Server::start(&server_bin, &dir, &log_path)?;
    let addr = server.wait_listening(&log_path, Duration::from_secs(20))?;
    println!(
        "certgate-server listening on https://{addr} (log: {})\n",
        log_path.display()
    );

    let mut failures = Vec::new();
    for call in CALLS {
        if let Err(why) = demo_call(&dir, addr, call) {
            failures.push(format!("{}: {why}", call.title));
        }
    }

    if args.keep_running && failures.is_empty() {
        println!("The server keeps running on https://{addr}; try the calls above yourself. Ctrl-C stops it.");
        let _ = server.child.wait();
    }
    drop(server);
    if failures.is_empty() {
        println!(
            "All {} calls behaved as shown. The files stay in {}.",
            CALLS.len(),
            dir.display()
        );
        Ok(())
    } else {
        Err(fail!(
            "the demo did not behave as promised: {}",
            failures.join("; ")
        ))
    }
}

/// Prints a curl call, runs it in the demo directory, shows its answer and checks it.
fn demo_call(dir: &Path, addr: SocketAddr, call: &Call) -> Result<(), String> {
    let url = format!("https://localhost:{}{}", addr.port(), call.path);
    let mut argv: Vec<String> = vec![
        "curl".into(),
        "-sS".into(),
        "--cacert".into(),
        "root-ca.pem".into(),
    ];
    if let Some(name) = call.client {
        argv.extend([
            "--cert".into(),
            format!("clients/{name}.pem"),
            "--key".into(),
            format!("clients/{name}.key"),
        ]);
    }
    // localhost resolves to 127.0.0.1 here whatever /etc/hosts says, so the call cannot leave the machine.
    argv.extend([
        "--resolve".into(),
        format!("localhost:{}:127.0.0.1", addr.port()),
    ]);
    argv.extend(["-w".into(), "\\nHTTP %{http_code}\\n".into(), url]);

    println!("# {}", call.title);
    let shown: Vec<String> = argv.iter().map(|a| shell_quote(a)).collect();
    println!(
        "$ (cd {} && {})",
        shell_quote(&dir.display().to_string()),
        shown.join(" ")
    );
    let output = Command::new(&argv[0])
        .args(&argv[1..])
        .current_dir(dir)
        .output()
        .map_err(|e| format!("cannot run curl: {e} (install curl)"))?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    for line in stdout
        .lines()
        .chain(stderr.lines())
        .filter(|l| !l.is_empty())
    {
        println!("  {}", shorten(line));
    }
    let status = stdout
        .lines()
        .rev()
        .find_map(|l| l.strip_prefix("HTTP "))
        .and_then(|s| s.trim().parse::<u16>().ok())
        .filter(|s| *s != 0);
    let verdict = match (call.expect, status) {
        (Expect::Http(want, text), Some(got)) if got == want && stdout.contains(text) => Ok(()),
        (Expect::Http(want, text), got) => {
            Err(format!("expected HTTP {want} with `{text}`, got {got:?}"))
        }
        (Expect::HandshakeRefused, None) if !output.status.success() => Ok(()),
        (Expect::HandshakeRefused, got) => {
            Err(format!("expected a refused handshake, got HTTP {got:?}"))
        }
    };
    match &verdict {
        Ok(()) => println!("  -> as expected\n"),
        Err(why) => println!("  -> UNEXPECTED: {why}\n"),
    }
    verdict
}

/// Quotes an argument for a POSIX shell when it needs it, so printed calls can be pasted.
fn shell_quote(arg: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "-_./:=@%+,".contains(c);
    match arg.chars().all(plain) && !arg.is_empty() {
        true => arg.to_owned(),
        false => format!("'{}'", arg.replace('\'', "'\\''")),
    }
}

/// Long JSON answers (the whoami record) are cut for the screen.
fn shorten(line: &str) -> String {
    const MAX: usize = 160;
    match line.char_indices().nth(MAX) {
        Some((i, _)) => format!("{}… ({} bytes)", &line[..i], line.len()),
        None => line.to_owned(),
    }
}

fn fresh_temp_dir() -> Result<PathBuf, Error> {
    let stamp = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis())
        .unwrap_or(0);
    let dir = std::env::temp_dir().join(format!("certgate-demo-{}-{stamp}", std::process::id()));
    std::fs::create_dir_all(&dir).context(|| format!("cannot create {}", dir.display()))?;
    Ok(dir)
}

/// Points the demo's server.toml at `port` (the file `demo pki` writes listens on 8443).
fn set_listen_port(path: &Path, port: u16) -> Result<(), Error> {
    let text =
        std::fs::read_to_string(path).context(|| format!("cannot read {}", path.display()))?;
    let mut replaced = false;
    let text: String = text
        .lines()
        .map(|line| match line.starts_with("listen =") {
            true => {
                replaced = true;
                format!("listen = \"127.0.0.1:{port}\"\n")
            }
            false => format!("{line}\n"),
        })
        .collect();
    if !replaced {
        return Err(fail!("{} has no `listen =` line", path.display()));
    }
    std::fs::write(path, text).context(|| format!("cannot write {}", path.display()))
}

fn find_server(explicit: Option<&Path>) -> Result<PathBuf, Error> {
    if let Some(path) = explicit {
        return match path.is_file() {
            true => Ok(path.to_owned()),
            false => Err(fail!("--server-bin {}: no such file", path.display())),
        };
    }
    if let Some(sibling) = std::env::current_exe()
        .ok()
        .and_then(|exe| Some(exe.parent()?.join("certgate-server")))
    {
        if sibling.is_file() {
            return Ok(sibling);
        }
    }
    let on_path = std::env::var_os("PATH").map(|paths| {
        std::env::split_paths(&paths)
            .map(|p| p.join("certgate-server"))
            .find(|p| p.is_file())
    });
    on_path.flatten().ok_or_else(|| {
        fail!("certgate-server not found beside certgate or on PATH; build it (`cargo build -p certgate-server`) or pass --server-bin")
    })
}

/// The server child process; killed when dropped.
struct Server {
    child: Child,
}

impl Server {
    fn start(bin: &Path, dir: &Path, log_path: &Path) -> Result<Self, Error> {
        let log = std::fs::File::create(log_path)
            .context(|| format!("cannot create {}", log_path.display()))?;
        let log_err = log
            .try_clone()
            .context(|| "cannot share the log file".into())?;
        let child = Command::new(bin)
            .arg("--config")
            .arg(dir.join("server.toml"))
            .stdin(Stdio::null())
            .stdout(log)
            .stderr(log_err)
            .spawn()
            .context(|| format!("cannot start {}", bin.display()))?;
        Ok(Self { child })
    }

    /// Waits for the server's `listening` log line and a successful TCP connect.
    fn wait_listening(&mut self, log_path: &Path, within: Duration) -> Result<SocketAddr, Error> {
        let deadline = Instant::now() + within;
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                let log = std::fs::read_to_string(log_path).unwrap_or_default();
                return Err(fail!("certgate-server exited ({status}): {}", log.trim()));
            }
            if let Some(addr) = listening_addr(log_path) {
                if TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok() {
                    return Ok(addr);
                }
            }
            if Instant::now() > deadline {
                return Err(fail!(
                    "certgate-server did not start listening within {} s",
                    within.as_secs()
                ));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The address in the server log's `listening` event.
fn listening_addr(log_path: &Path) -> Option<SocketAddr> {
    let file = std::fs::File::open(log_path).ok()?;
    BufReader::new(file)
        .lines()
        .map_while(Result::ok)
        .find_map(|line| {
            let event: serde_json::Value = serde_json::from_str(&line).ok()?;
            (event.get("event")?.as_str()? == "listening").then_some(())?;
            event.get("addr")?.as_str()?.parse().ok()
        })
}
