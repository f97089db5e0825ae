//! Helpers for the forwarded-certificate tests: a PKI with an intermediate (clients send
//! leaf + intermediate; nginx forwards only the leaf), the proxy's own client certificate,
//! the header encodings, and curl with arbitrary headers.

use std::net::{TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use super::pki::{self, Ca, Identity, Window};
use super::{Reply, Scratch, Server, POLICY};

/// Root → intermediate → alice, mallory; the root also issues the server's certificate and
/// the proxy's own client certificate; rogue comes from another root.
pub struct ProxyPki {
    pub root: Ca,
    pub intermediate: Ca,
    pub alice: Identity,
    pub mallory: Identity,
    pub expired: Identity,
    pub rogue: Identity,
    pub proxy: Identity,
    pub dir: Scratch,
}

impl ProxyPki {
    pub fn new(name: &str) -> Self {
        let now = pki::now();
        let mut root = Ca::root("certgate proxy-test root", Window::around(now, 30, 3650));
        let mut intermediate = root.intermediate(
            "certgate proxy-test intermediate",
            Window::around(now, 30, 365),
        );
        let server = root.server(&["localhost", "127.0.0.1"], Window::around(now, 1, 30));
        let proxy = root.client("nginx proxy", Window::around(now, 1, 30));
        let alice = intermediate.client("alice", Window::around(now, 1, 30));
        let mallory = intermediate.client("mallory", Window::around(now, 1, 30));
        let expired = intermediate.client("expired", Window::expired(now));
        let mut rogue_root = Ca::root("rogue root", Window::around(now, 30, 3650));
        let rogue = rogue_root.client("rogue", Window::around(now, 1, 30));
        let dir = Scratch::new(name);
        dir.write("ca.pem", root.cert_pem());
        // The names `certgate demo pki` uses, which docs/proxies/ configurations name.
        dir.write("root-ca.pem", root.cert_pem());
        dir.write("server.key", &server.key_pem);
        dir.write("proxy.key", &proxy.key_pem);
        dir.write("intermediate.pem", intermediate.cert_pem());
        dir.write("policy.toml", POLICY);
        for (name, id) in [
            ("server", &server),
            ("proxy", &proxy),
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
            intermediate,
            alice,
            mallory,
            expired,
            rogue,
            proxy,
            dir,
        }
    }

    /// A config: the main TLS listener (optional client certificates, the demo policy) and
    /// `listeners` (TOML `[[listeners]]` tables) after it.
    pub fn config(&self, listeners: &str) -> PathBuf {
        self.dir.write(
            "server.toml",
            format!(
                "listen = \"127.0.0.1:0\"\ncert = \"server.pem\"\nkey = \"server-key.pem\"\n\
                 trust_store = \"ca.pem\"\nclient_auth = \"optional\"\npolicy = \"policy.toml\"\n\n{listeners}"
            ),
        )
    }

    pub fn path(&self, name: &str) -> String {
        self.dir.path(name).display().to_string()
    }
}

/// The addresses of the `[[listeners]]` in configuration order (the main listener's is
/// `server.addr`), from their `listening` events; waits for `count` of them.
pub fn listener_addrs(server: &Server, count: usize) -> Vec<std::net::SocketAddr> {
    let mut addrs = Vec::new();
    for n in 0..count {
        // The main listener's event comes first and has no `source`.
        let line = server
            .wait_for_log(|l| {
                l.contains(r#""event":"listening""#) && l.contains(r#""source""#) && {
                    let v: serde_json::Value = serde_json::from_str(l).expect("JSON log line");
                    let addr: std::net::SocketAddr = v["addr"]
                        .as_str()
                        .expect("addr")
                        .parse()
                        .expect("socket addr");
                    !addrs.contains(&addr)
                }
            })
            .unwrap_or_else(|| panic!("listener {n} did not start"));
        let v: serde_json::Value = serde_json::from_str(&line).expect("JSON log line");
        addrs.push(
            v["addr"]
                .as_str()
                .expect("addr")
                .parse()
                .expect("socket addr"),
        );
    }
    addrs
}

/// A curl answer with its response headers.
#[derive(Debug)]
pub struct Answer {
    pub reply: Reply,
    pub headers: String,
}

impl Answer {
    pub fn status(&self) -> Option<u16> {
        self.reply.status
    }

    pub fn code(&self) -> String {
        self.reply.json()["code"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    /// A response header's value (case-insensitive name), if present.
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers.lines().find_map(|line| {
            let (n, v) = line.split_once(':')?;
            n.trim()
                .eq_ignore_ascii_case(name)
                .then(|| v.trim().to_owned())
        })
    }
}

/// curl `url` (bounded to 15 s) with `args` before it (headers, `--cert`, …); the CA is
/// the test root, `localhost` resolves to 127.0.0.1 on the URL's port.
pub fn curl(pki: &ProxyPki, url: &str, args: &[String]) -> Answer {
    static N: AtomicU32 = AtomicU32::new(0);
    let head = pki
        .dir
        .path(&format!("head-{}.txt", N.fetch_add(1, Ordering::Relaxed)));
    let port = url
        .rsplit_once(':')
        .and_then(|(_, rest)| rest.split('/').next())
        .expect("url with a port");
    let output = Command::new("curl")
        .args([
            "-sS",
            "--max-time",
            "15",
            "--http1.1",
            "-o",
            "-",
            "-w",
            "\n%{http_code}",
        ])
        .arg("-D")
        .arg(&head)
        .arg("--cacert")
        .arg(pki.dir.path("ca.pem"))
        .arg("--resolve")
        .arg(format!("localhost:{port}:127.0.0.1"))
        .args(args)
        .arg(url)
        .output()
        .expect("run curl");
    Answer {
        reply: Reply::from(output),
        headers: std::fs::read_to_string(&head).unwrap_or_default(),
    }
}

/// `--cert`/`--key` arguments for the client `name` (chain and key files in the PKI dir).
pub fn as_client(pki: &ProxyPki, name: &str) -> Vec<String> {
    vec![
        "--cert".into(),
        pki.path(&format!("{name}.pem")),
        "--key".into(),
        pki.path(&format!("{name}-key.pem")),
    ]
}

/// `-H name: value`.
pub fn header(name: &str, value: &str) -> Vec<String> {
    vec!["-H".into(), format!("{name}: {value}")]
}

/// nginx's `$ssl_client_escaped_cert`: PEM with everything but unreserved characters escaped.
pub fn nginx_escape(pem: &str) -> String {
    escape(pem, b"-._~")
}

/// AWS ALB's `X-Amzn-Mtls-Clientcert`: like nginx, but `+ / =` left as they are.
pub fn alb_escape(pem: &str) -> String {
    escape(pem, b"-._~+/=")
}

fn escape(text: &str, keep: &[u8]) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || keep.contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// Standard base64 of a DER certificate (its PEM body on one line).
pub fn base64(der: &[u8]) -> String {
    pki::pem("CERTIFICATE", der)
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .collect()
}

/// A proxy engine (nginx, HAProxy) in its own process group, stopped on drop — also when an
/// assertion failed: SIGTERM to the group (nginx's and HAProxy's fast stop), then SIGKILL to
/// the group after 10 s, so no worker outlives the test.
pub struct Engine {
    child: Child,
    pub port: u16,
}

impl Engine {
    /// Spawns `command` and waits (at most 20 s) until every port in `ports` accepts; if
    /// the engine exits first, panics with its log file.
    pub fn start(name: &str, mut command: Command, ports: &[u16], log: &Path) -> Self {
        let child = command
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .process_group(0)
            .spawn()
            .unwrap_or_else(|e| panic!("spawn {name}: {e}"));
        let mut engine = Self {
            child,
            port: ports[0],
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        while !ports
            .iter()
            .all(|p| TcpStream::connect(("127.0.0.1", *p)).is_ok())
        {
            if let Some(status) = engine.child.try_wait().expect("wait for the engine") {
                let log = std::fs::read_to_string(log).unwrap_or_default();
                panic!("{name} exited ({status}): {log}");
            }
            assert!(
                Instant::now() < deadline,
                "{name} did not listen within 20 s"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        engine
    }
}

impl Drop for Engine {
    fn drop(&mut self) {
        let group = format!("-{}", self.child.id());
        let _ = Command::new("kill").args(["-TERM", "--", &group]).status();
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        // Workers left behind (the master died first) are in the same group.
        let _ = Command::new("kill")
            .args(["-KILL", "--", &group])
            .stderr(Stdio::null())
            .status();
        let _ = self.child.wait();
    }
}

/// The engine's binary: `$env_var`, else `default`; a missing one fails with how to get it.
pub fn engine_binary(env_var: &str, default: &str, package: &str) -> PathBuf {
    let path = std::env::var_os(env_var)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(default));
    assert!(
        path.exists(),
        "{} not found: install Debian's {package} (scripts/test.sh does) or set {env_var}",
        path.display()
    );
    path
}

/// A free loopback port (bound and released: the engine binds it a moment later).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}
