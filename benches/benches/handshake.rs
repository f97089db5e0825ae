//! Full mutual-TLS handshakes per second through one TLS server, three client verifiers in
//! the same run: rustls' stock `WebPkiClientVerifier`, certgate's verifier, and certgate's
//! verifier with its verdict cache (returning clients). Everything else — the server loop, the
//! certificates, the client — is identical, so the ratios isolate the verifier.
//!
//! `cargo bench -p certgate-benches --bench handshake [-- --rounds N --secs S]`
//!
//! Each handshake is a fresh TCP connection and a full TLS 1.3 handshake (client resumption
//! disabled, server session storage and tickets off) with a P-256 client chain (leaf +
//! intermediate, root-only trust store), then one HTTP/1.1 request and response. Rounds are
//! interleaved; the table shows the median handshakes/s and the ratio to the stock verifier,
//! and the server thread's CPU time per handshake (`/proc`), which is steadier than the rate
//! on a machine shared with other work.

#[path = "../../crates/certgate-rustls/tests/common/mod.rs"]
mod pki;

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use certgate::Verifier;
use certgate_rustls::{ClientVerifier, SystemClock, VerdictCache};
use rustls::client::Resumption;
use rustls::pki_types::ServerName;
use rustls::server::{NoServerSessionStorage, WebPkiClientVerifier};
use rustls::{ClientConfig, RootCertStore, ServerConfig};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::{TlsAcceptor, TlsConnector};

/// Concurrent client connections: enough to keep the server's one worker busy.
const CONCURRENCY: usize = 4;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let flag = |name: &str, default: u64| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    };
    let rounds = flag("--rounds", 5);
    let secs = flag("--secs", 3);

    let now = pki::now();
    let window = pki::Window::around(now, 1, 30);
    let mut root = pki::Ca::root("certgate Bench Root CA", window);
    let mut inter = root.intermediate("certgate Bench Intermediate CA", window);
    let server = inter.server(&["localhost"], window);
    let client = inter.client("bench-client", window);

    let mut roots = RootCertStore::empty();
    roots.add(root.cert.clone()).expect("root");
    let roots = Arc::new(roots);
    let core = Arc::new(
        Verifier::builder()
            .trust(root.cert_pem().as_bytes())
            .and_then(|b| b.build())
            .expect("certgate verifier"),
    );

    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let server_config = |verifier: Arc<dyn rustls::server::danger::ClientCertVerifier>| {
        let mut config = ServerConfig::builder_with_provider(provider.clone())
            .with_protocol_versions(&[&rustls::version::TLS13])
            .expect("tls13")
            .with_client_cert_verifier(verifier)
            .with_single_cert(server.chain.clone(), server.key())
            .expect("server cert");
        config.session_storage = Arc::new(NoServerSessionStorage {});
        config.send_tls13_tickets = 0;
        Arc::new(config)
    };
    let stock = WebPkiClientVerifier::builder_with_provider(roots.clone(), provider.clone())
        .build()
        .expect("stock verifier");
    let certgate_plain = Arc::new(
        ClientVerifier::builder(core.clone())
            .clock(Arc::new(SystemClock))
            .build(),
    );
    let certgate_cached = Arc::new(
        ClientVerifier::builder(core)
            .clock(Arc::new(SystemClock))
            .cache(Arc::new(VerdictCache::new(1024)))
            .build(),
    );
    let configs = [
        ("rustls WebPkiClientVerifier (stock)", server_config(stock)),
        ("certgate ClientVerifier", server_config(certgate_plain)),
        (
            "certgate ClientVerifier + verdict cache (returning client)",
            server_config(certgate_cached),
        ),
    ];

    let mut client_config = ClientConfig::builder_with_provider(provider.clone())
        .with_protocol_versions(&[&rustls::version::TLS13])
        .expect("tls13")
        .with_root_certificates(roots)
        .with_client_auth_cert(client.chain.clone(), client.key())
        .expect("client cert");
    client_config.resumption = Resumption::disabled();
    let connector = TlsConnector::from(Arc::new(client_config));

    // The server gets one worker thread, the clients another: the two cores of the machine.
    let server_rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .thread_name(SERVER_THREAD)
        .enable_all()
        .build()
        .expect("rt");
    let client_rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("rt");

    let mut samples: Vec<Vec<f64>> = vec![Vec::new(); configs.len()];
    let mut cpu: Vec<Vec<f64>> = vec![Vec::new(); configs.len()];
    for round in 0..rounds {
        for (i, (name, config)) in configs.iter().enumerate() {
            let (rate, cpu_us) = measure(
                &server_rt,
                &client_rt,
                config.clone(),
                &connector,
                Duration::from_secs(secs),
            );
            eprintln!(
                "round {}: {name}: {rate:.0} handshakes/s, server CPU {cpu_us:.0} µs each",
                round + 1
            );
            samples[i].push(rate);
            cpu[i].push(cpu_us);
        }
    }

    let median = |v: &[f64]| {
        let mut v = v.to_vec();
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let range = |v: &[f64]| {
        let min = v.iter().copied().fold(f64::INFINITY, f64::min);
        let max = v.iter().copied().fold(0.0, f64::max);
        format!("{:.0} ({min:.0}–{max:.0})", median(v))
    };
    let (base, base_cpu) = (median(&samples[0]), median(&cpu[0]));
    println!(
        "| server verifier | full mTLS handshakes/s, median (min–max) | ratio to stock \
         | server CPU µs per handshake, median (min–max) | stock's CPU / this one's |"
    );
    println!("|---|---|---|---|---|");
    for (i, (name, _)) in configs.iter().enumerate() {
        println!(
            "| {name} | {} | {:.2}× | {} | {:.2}× |",
            range(&samples[i]),
            median(&samples[i]) / base,
            range(&cpu[i]),
            base_cpu / median(&cpu[i])
        );
    }
}

/// The server runtime's thread name, by which its CPU time is found in `/proc`.
const SERVER_THREAD: &str = "bench-server";

/// CPU seconds (user + system) used so far by the threads named [`SERVER_THREAD`]: the
/// server's share of a handshake, which other work on a shared machine delays but does not add
/// to (unlike the wall-clock rate). From `/proc/self/task/*/stat` fields 14 and 15, in clock
/// ticks of 1/100 s (Linux's `USER_HZ` for user space on every architecture it ships).
fn server_cpu_secs() -> f64 {
    let mut ticks = 0u64;
    for task in std::fs::read_dir("/proc/self/task")
        .expect("/proc/self/task")
        .flatten()
    {
        let comm = std::fs::read_to_string(task.path().join("comm")).unwrap_or_default();
        if comm.trim_end() != SERVER_THREAD {
            continue;
        }
        let stat = std::fs::read_to_string(task.path().join("stat")).unwrap_or_default();
        // Fields after the command name (which may hold spaces) start at field 3, the state.
        let fields: Vec<&str> = stat
            .rsplit_once(')')
            .map(|(_, rest)| rest.split_whitespace().collect())
            .unwrap_or_default();
        ticks += fields
            .get(11..13)
            .map_or(0, |f| f.iter().filter_map(|t| t.parse::<u64>().ok()).sum());
    }
    ticks as f64 / 100.0
}

/// Runs one server with `config` and `CONCURRENCY` clients for `duration`: handshakes per
/// second, and the server's CPU µs per handshake.
fn measure(
    server_rt: &tokio::runtime::Runtime,
    client_rt: &tokio::runtime::Runtime,
    config: Arc<ServerConfig>,
    connector: &TlsConnector,
    duration: Duration,
) -> (f64, f64) {
    let listener = server_rt
        .block_on(TcpListener::bind("127.0.0.1:0"))
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let acceptor = TlsAcceptor::from(config);
    let stop = Arc::new(AtomicBool::new(false));
    let server = server_rt.spawn(async move {
        loop {
            let Ok((tcp, _)) = listener.accept().await else {
                continue;
            };
            let _ = tcp.set_nodelay(true);
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let Ok(mut tls) = acceptor.accept(tcp).await else {
                    return;
                };
                let mut buf = [0u8; 1024];
                if tls.read(&mut buf).await.is_ok() {
                    let _ = tls
                        .write_all(
                            b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok",
                        )
                        .await;
                    let _ = tls.shutdown().await;
                }
            });
        }
    });

    let done = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let cpu_started = server_cpu_secs();
    client_rt.block_on(async {
        let mut tasks = Vec::new();
        for _ in 0..CONCURRENCY {
            let (connector, stop, done) = (connector.clone(), stop.clone(), done.clone());
            tasks.push(tokio::spawn(async move {
                while !stop.load(Ordering::Relaxed) {
                    let tcp = TcpStream::connect(addr).await.expect("connect");
                    tcp.set_nodelay(true).expect("nodelay");
                    let name = ServerName::try_from("localhost").expect("name");
                    let mut tls = connector
                        .connect(name, tcp)
                        .await
                        .expect("handshake accepted");
                    tls.write_all(b"GET /health HTTP/1.1\r\nhost: localhost\r\n\r\n")
                        .await
                        .expect("write");
                    let mut response = Vec::new();
                    let _ = tls.read_to_end(&mut response).await;
                    assert!(response.starts_with(b"HTTP/1.1 200"), "the server answered");
                    done.fetch_add(1, Ordering::Relaxed);
                }
            }));
        }
        tokio::time::sleep(duration).await;
        stop.store(true, Ordering::Relaxed);
        for t in tasks {
            t.await.expect("client task");
        }
    });
    let elapsed = started.elapsed().as_secs_f64();
    let cpu = server_cpu_secs() - cpu_started;
    server.abort();
    let handshakes = done.load(Ordering::Relaxed) as f64;
    (handshakes / elapsed, cpu * 1e6 / handshakes)
}
