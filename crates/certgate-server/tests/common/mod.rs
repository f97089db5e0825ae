//! Runs the real `certgate-server` binary on an ephemeral loopback port with a PKI made at
//! test time, and drives it with curl and `openssl s_client`. Every wait is bounded.
#![allow(dead_code)] // each test file uses a different subset

pub mod keep_alive;
#[path = "../../../certgate-rustls/tests/common/mod.rs"]
pub mod pki;
pub mod proxy;

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use pki::{Ca, Identity, Window};

/// A scratch directory, removed on drop.
pub struct Scratch(pub PathBuf);

impl Scratch {
    pub fn new(name: &str) -> Self {
        static N: AtomicU32 = AtomicU32::new(0);
        let dir = std::env::temp_dir().join(format!(
            "certgate-server-{name}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("create scratch dir");
        Self(dir)
    }

    pub fn write(&self, name: &str, contents: impl AsRef<[u8]>) -> PathBuf {
        let path = self.0.join(name);
        std::fs::write(&path, contents).expect("write scratch file");
        path
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The demo policy (as `certgate demo pki` writes it): alice holds `user`, mallory nothing.
pub const POLICY: &str = include_str!("../../../certgate-cli/src/demo-policy.toml");

/// The demo PKI on disk: a root, the server, alice, mallory, an expired client, a rogue
/// client from another root, an empty CRL and the demo policy.
pub struct DemoPki {
    pub root: Ca,
    pub server: Identity,
    pub alice: Identity,
    pub mallory: Identity,
    pub expired: Identity,
    pub rogue: Identity,
    pub dir: Scratch,
}

impl DemoPki {
    pub fn new(name: &str) -> Self {
        let now = pki::now();
        let mut root = Ca::root("certgate demo root", Window::around(now, 30, 3650));
        let server = root.server(&["localhost", "127.0.0.1"], Window::around(now, 1, 30));
        let alice = root.client("alice", Window::around(now, 1, 30));
        let mallory = root.client("mallory", Window::around(now, 1, 30));
        let expired = root.client("expired", Window::expired(now));
        let mut rogue_root = Ca::root("rogue root", Window::around(now, 30, 3650));
        let rogue = rogue_root.client("rogue", Window::around(now, 1, 30));
        let dir = Scratch::new(name);
        dir.write("ca.pem", root.cert_pem());
        dir.write("crl.pem", root.crl_pem(&[], now - 60, 7));
        dir.write("policy.toml", POLICY);
        for (name, id) in [
            ("server", &server),
            ("alice", &alice),
            ("mallory", &mallory),
            ("expired", &expired),
            ("rogue", &rogue),
        ] {
            dir.write(&format!("{name}.pem"), id.chain_pem());
            dir.write(&format!("{name}-key.pem"), &id.key_pem);
        }
        Self {
            root,
            server,
            alice,
            mallory,
            expired,
            rogue,
            dir,
        }
    }

    /// A config file for this PKI with `client_auth` and extra lines appended.
    pub fn config(&self, client_auth: &str, extra: &str) -> PathBuf {
        self.dir.write(
            "server.toml",
            format!(
                "listen = \"127.0.0.1:0\"\ncert = \"server.pem\"\nkey = \"server-key.pem\"\n\
                 trust_store = \"ca.pem\"\ncrls = [\"crl.pem\"]\nclient_auth = \"{client_auth}\"\n{extra}"
            ),
        )
    }
}

/// A running server process and the log lines it has written so far.
pub struct Server {
    child: Child,
    pub addr: SocketAddr,
    log: Arc<(Mutex<Vec<String>>, Condvar)>,
    /// Set when the process's standard output closed (it exited).
    exited: Arc<AtomicBool>,
    ca: PathBuf,
    dir: PathBuf,
}

impl Server {
    /// Starts the binary with `config` and waits (at most 30 s) for its `listening` event.
    pub fn start(config: &Path) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_certgate-server"))
            .arg("--config")
            .arg(config)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("spawn certgate-server");
        let stdout = child.stdout.take().expect("stdout");
        let log = Arc::new((Mutex::new(Vec::new()), Condvar::new()));
        let sink = log.clone();
        let exited = Arc::new(AtomicBool::new(false));
        let closed = exited.clone();
        thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                let (lines, ready) = &*sink;
                lines.lock().expect("log lock").push(line);
                ready.notify_all();
            }
            closed.store(true, Ordering::Relaxed);
        });
        let dir = config.parent().expect("config dir").to_path_buf();
        let mut server = Self {
            child,
            addr: "127.0.0.1:0".parse().expect("addr"),
            log,
            exited,
            ca: dir.join("ca.pem"),
            dir,
        };
        let listening = server
            .wait_for_log(|l| l.contains(r#""event":"listening""#))
            .unwrap_or_else(|| panic!("server did not start: {:?}", server.child.try_wait()));
        let value: serde_json::Value = serde_json::from_str(&listening).expect("JSON log line");
        server.addr = value["addr"]
            .as_str()
            .expect("addr")
            .parse()
            .expect("socket addr");
        server
    }

    /// Waits at most 30 s for a log line matching `pred`, searching lines already written.
    pub fn wait_for_log(&self, pred: impl Fn(&str) -> bool) -> Option<String> {
        let deadline = Instant::now() + Duration::from_secs(30);
        let (lines, ready) = &*self.log;
        let mut guard = lines.lock().expect("log lock");
        loop {
            if let Some(line) = guard.iter().find(|l| pred(l)) {
                return Some(line.clone());
            }
            // The line may never come if the process exited: stop waiting then.
            if self.exited.load(Ordering::Relaxed) {
                return None;
            }
            let left = deadline.checked_duration_since(Instant::now())?;
            // Wake at least every 200 ms to look at `exited` again.
            guard = ready
                .wait_timeout(guard, left.min(Duration::from_millis(200)))
                .expect("log lock")
                .0;
        }
    }

    /// Sends SIGHUP.
    pub fn hangup(&self) {
        let status = Command::new("kill")
            .args(["-HUP", &self.child.id().to_string()])
            .status()
            .expect("run kill");
        assert!(status.success());
    }

    /// Sends SIGTERM and waits (at most 30 s) for the process to exit; its exit status.
    pub fn terminate(&mut self) -> Option<std::process::ExitStatus> {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("run kill");
        assert!(status.success());
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if let Some(status) = self.child.try_wait().expect("wait") {
                return Some(status);
            }
            thread::sleep(Duration::from_millis(50));
        }
        None
    }

    /// `GET path` with curl, as the client whose files are `{client}.pem`/`{client}-key.pem`.
    pub fn curl(&self, path: &str, client: Option<&str>) -> Reply {
        let mut cmd = Command::new("curl");
        cmd.args([
            "-sS",
            "--max-time",
            "15",
            "--http1.1",
            "-o",
            "-",
            "-w",
            "\n%{http_code}",
        ])
        .arg("--cacert")
        .arg(&self.ca)
        .arg("--resolve")
        .arg(format!("localhost:{}:127.0.0.1", self.addr.port()));
        if let Some(name) = client {
            cmd.arg("--cert").arg(self.dir.join(format!("{name}.pem")));
            cmd.arg("--key")
                .arg(self.dir.join(format!("{name}-key.pem")));
        }
        cmd.arg(format!("https://localhost:{}{path}", self.addr.port()));
        Reply::from(cmd.output().expect("run curl"))
    }

    /// Plain `http://` to the TLS port.
    pub fn curl_plaintext(&self, path: &str) -> Reply {
        let output = Command::new("curl")
            .args(["-sS", "--max-time", "15", "-o", "-", "-w", "\n%{http_code}"])
            .arg(format!("http://127.0.0.1:{}{path}", self.addr.port()))
            .output()
            .expect("run curl");
        Reply::from(output)
    }

    /// `openssl s_client` with extra arguments (e.g. `-tls1_1`), bounded by `timeout 20`.
    pub fn s_client(&self, client: Option<&str>, args: &[&str]) -> Output {
        self.s_client_command(client, &[], args)
            .stdin(Stdio::null())
            .output()
            .expect("run openssl")
    }

    /// `timeout 20 openssl s_client` to this server, trusting its CA, as `client` (its
    /// certificate and key from the PKI folder), with `options` before and `args` after.
    fn s_client_command(&self, client: Option<&str>, options: &[&str], args: &[&str]) -> Command {
        let mut cmd = Command::new("timeout");
        cmd.args(["20", "openssl", "s_client"])
            .args(options)
            .arg("-connect")
            .arg(self.addr.to_string())
            .args(["-servername", "localhost", "-CAfile"])
            .arg(&self.ca)
            .args(args);
        if let Some(name) = client {
            cmd.arg("-cert").arg(self.dir.join(format!("{name}.pem")));
            cmd.arg("-key")
                .arg(self.dir.join(format!("{name}-key.pem")));
        }
        cmd
    }

    /// `GET path` over `openssl s_client` (HTTP/1.1, `Connection: close`), as `client`, with
    /// extra s_client arguments; bounded by `timeout 20`. The reply's `stderr` holds the
    /// alerts s_client reports.
    pub fn s_client_get(&self, path: &str, client: Option<&str>, args: &[&str]) -> Reply {
        let mut child = self
            .s_client_command(client, &["-ign_eof", "-verify_return_error"], args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run openssl");
        let request =
            format!("GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
        // The write fails when the server already ended the connection; the output says why.
        let _ =
            std::io::Write::write_all(&mut child.stdin.take().expect("stdin"), request.as_bytes());
        Reply::from_s_client(child.wait_with_output().expect("wait for openssl"))
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// What curl or s_client got: the HTTP status (`None` when no response arrived), the body,
/// and what the client said on standard error.
#[derive(Debug)]
pub struct Reply {
    pub status: Option<u16>,
    pub body: String,
    pub stderr: String,
}

impl Reply {
    /// curl's output: the body, then the status on a line of its own (`-w`).
    fn from(output: Output) -> Self {
        let stdout = String::from_utf8_lossy(&output.stdout);
        let (body, code) = stdout.rsplit_once('\n').unwrap_or(("", &stdout));
        Self {
            status: code.trim().parse().ok().filter(|&c| c != 0),
            body: body.to_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }

    /// s_client's output: the response follows the session details, and s_client prints
    /// its own words (`closed`) right after the body, so the body is cut at content-length.
    fn from_s_client(output: Output) -> Self {
        let stdout = String::from_utf8_lossy(&output.stdout);
        let response = stdout.find("HTTP/1.1 ").map(|at| &stdout[at..]);
        let status = response
            .and_then(|r| r.get(9..12))
            .and_then(|s| s.parse().ok());
        let body = response
            .and_then(|r| r.split_once("\r\n\r\n"))
            .and_then(|(head, body)| body.get(..content_length(head)?))
            .unwrap_or_default();
        Self {
            status,
            body: body.to_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }

    /// The body as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|e| panic!("body is not JSON ({e}): {self:?}"))
    }
}

/// The content-length of a response head.
pub fn content_length(head: &str) -> Option<usize> {
    head.lines().find_map(|l| {
        let (name, value) = l.split_once(':')?;
        name.eq_ignore_ascii_case("content-length")
            .then(|| value.trim().parse().ok())?
    })
}

/// Runs the binary with `config` and expects it to exit non-zero at start; returns stderr.
pub fn start_fails(config: &Path) -> String {
    let mut child = Command::new(env!("CARGO_BIN_EXE_certgate-server"))
        .arg("--config")
        .arg(config)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn certgate-server");
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            assert!(!status.success(), "server exited 0");
            let mut stderr = String::new();
            std::io::Read::read_to_string(&mut child.stderr.take().expect("stderr"), &mut stderr)
                .expect("read stderr");
            return stderr;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("server did not fail at start within 30 s");
        }
        thread::sleep(Duration::from_millis(50));
    }
}
