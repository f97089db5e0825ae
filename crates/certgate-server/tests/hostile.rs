//! Hostile traffic against the real binary, each attack bounded in count and time: a flood of
//! full TLS handshakes, slowloris on the handshake and on the headers (clients that keep
//! dribbling bytes, not just stall: limits.rs covers the stalled ones), plaintext HTTP and
//! junk on the TLS port, a 10 MB client certificate chain, oversized and numerous headers,
//! and 10,000 idle connections. Throughout, alice keeps getting `GET /customer/1` answered
//! (200) within [`ALICE_BOUND`], and the server's resident memory (VmRSS) stays within
//! [`RSS_GROWTH_BOUND_KIB`] (and [`RSS_PER_HELD_CONNECTION_KIB`] per connection held open) of
//! what it was before the attack. Each test prints its figures
//! (`cargo test -p certgate-server --test hostile -- --nocapture`).
//!
//! The tests run one at a time (they measure latency and memory) on a server built in the
//! test profile; the figures are for a debug build on a shared machine.

mod common;

use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread;
use std::time::{Duration, Instant};

use certgate::Verifier;
use certgate_rustls::{client_config, ClientIdentity, ServerVerifier};
use common::pki::Identity;
use common::{DemoPki, Server};
use rustls::pki_types::{CertificateDer, ServerName};
use rustls::{ClientConfig, ClientConnection, StreamOwned};

/// The most one alice request (connect, handshake, request, response) may take under attack.
/// Measured figures are far lower (see the printed p50/max); the bound leaves room for a
/// loaded two-core CI machine running a debug build.
const ALICE_BOUND: Duration = Duration::from_secs(5);

/// The most the server's VmRSS may grow during one attack: 64 MiB, plus 16 KiB for each
/// connection an attack holds open at once (measured: about 5.5 KiB per idle connection).
const RSS_GROWTH_BOUND_KIB: u64 = 64 * 1024;
const RSS_PER_HELD_CONNECTION_KIB: u64 = 16;

/// Short limits, so that attacks are cut off within the test's time.
const LIMITS: &str = "[limits]\nhandshake_timeout_secs = 3\nheader_read_timeout_secs = 3\n";

/// Serialises the tests of this file: each measures latency and memory.
fn one_at_a_time() -> MutexGuard<'static, ()> {
    static LOCK: Mutex<()> = Mutex::new(());
    LOCK.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// A server under test, its process id, and rustls clients for alice and the rogue client.
struct Target {
    pki: DemoPki,
    server: Server,
    pid: u32,
    alice: Arc<ClientConfig>,
    rogue: Arc<ClientConfig>,
}

impl Target {
    fn start(name: &str, extra: &str) -> Self {
        let pki = DemoPki::new(name);
        let config = pki.config("required", extra);
        let server = Server::start(&config);
        let pid = server_pid(&config);
        let alice = Arc::new(client(&pki, Some(&pki.alice)));
        let rogue = Arc::new(client(&pki, Some(&pki.rogue)));
        Self {
            pki,
            server,
            pid,
            alice,
            rogue,
        }
    }

    /// One alice request; its duration. Panics unless it is answered 200 within the bound.
    fn alice_once(&self) -> Duration {
        let started = Instant::now();
        let (status, body) = get(self.server.addr, &self.alice, "/customer/1")
            .unwrap_or_else(|e| panic!("alice not served: {e}"));
        let took = started.elapsed();
        assert_eq!(status, 200, "alice got {status}: {body}");
        assert!(
            took <= ALICE_BOUND,
            "alice took {took:?}, more than {ALICE_BOUND:?}"
        );
        took
    }

    fn rss_kib(&self) -> u64 {
        rss_kib(self.pid)
    }
}

/// A rustls client trusting the demo root, presenting `identity`.
fn client(pki: &DemoPki, identity: Option<&Identity>) -> ClientConfig {
    let identity = identity.map(|id| {
        ClientIdentity::from_pem(id.chain_pem().as_bytes(), id.key_pem.as_bytes())
            .expect("identity")
    });
    client_config(root_trust(pki), identity).expect("client config")
}

/// The clients' trust in the server: the demo root.
fn root_trust(pki: &DemoPki) -> Arc<Verifier> {
    Arc::new(
        Verifier::builder()
            .trust(pki.root.cert_pem().as_bytes())
            .and_then(|b| b.build())
            .expect("client trust"),
    )
}

/// Latency figures of alice's requests.
#[derive(Debug)]
struct Latency {
    count: usize,
    p50: Duration,
    max: Duration,
}

impl Latency {
    fn of(mut samples: Vec<Duration>) -> Self {
        assert!(!samples.is_empty(), "alice was never measured");
        samples.sort();
        Self {
            count: samples.len(),
            p50: samples[samples.len() / 2],
            max: samples[samples.len() - 1],
        }
    }
}

impl std::fmt::Display for Latency {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "alice {} requests, p50 {:.1} ms, max {:.1} ms",
            self.count,
            self.p50.as_secs_f64() * 1e3,
            self.max.as_secs_f64() * 1e3
        )
    }
}

/// Runs `attack` on its own thread while alice is measured every 100 ms; the attack gets a
/// stop flag and returns a summary line. Then checks the memory bound and prints the figures.
fn under_attack(
    target: &Target,
    what: &str,
    held_connections: u64,
    attack: impl FnOnce(&AtomicBool) -> String + Send,
) -> Latency {
    let bound = RSS_GROWTH_BOUND_KIB + held_connections * RSS_PER_HELD_CONNECTION_KIB;
    let before = target.rss_kib();
    let stop = AtomicBool::new(false);
    let mut peak = before;
    let (latency, summary) = thread::scope(|scope| {
        let attacker = scope.spawn(|| {
            let summary = attack(&stop);
            stop.store(true, Ordering::Relaxed);
            summary
        });
        // Let the attack get going first.
        thread::sleep(Duration::from_millis(300));
        let mut samples = Vec::new();
        while !stop.load(Ordering::Relaxed) && samples.len() < 200 {
            samples.push(target.alice_once());
            peak = peak.max(target.rss_kib());
            thread::sleep(Duration::from_millis(100));
        }
        let summary = attacker.join().expect("attack thread");
        if samples.is_empty() {
            samples.push(target.alice_once());
        }
        (Latency::of(samples), summary)
    });
    let after = target.rss_kib();
    peak = peak.max(after);
    eprintln!(
        "[hostile] {what}: {summary}; {latency}; server VmRSS {} MiB before, {} MiB peak, {} MiB after",
        before / 1024,
        peak / 1024,
        after / 1024
    );
    assert!(
        peak.saturating_sub(before) <= bound,
        "{what}: the server's memory grew from {before} KiB to {peak} KiB (bound: {bound} KiB more)"
    );
    latency
}

#[test]
fn a_flood_of_full_handshakes_leaves_alice_served() {
    let _serial = one_at_a_time();
    let target = Target::start("hostile-flood", LIMITS);
    let latency = under_attack(&target, "handshake flood", 0, |stop| {
        // Four threads, each completing handshakes back to back for 6 s: the rogue client
        // (another root: refused in the handshake), no certificate at all, and alice's
        // certificate on a connection that is then dropped.
        let done = AtomicUsize::new(0);
        let deadline = Instant::now() + Duration::from_secs(6);
        let no_cert = Arc::new(client(&target.pki, None));
        thread::scope(|scope| {
            for kind in 0..4 {
                let config = match kind {
                    0 | 1 => target.rogue.clone(),
                    2 => no_cert.clone(),
                    _ => target.alice.clone(),
                };
                let done = &done;
                scope.spawn(move || {
                    while Instant::now() < deadline && !stop.load(Ordering::Relaxed) {
                        let _ = handshake_only(target.server.addr, &config);
                        done.fetch_add(1, Ordering::Relaxed);
                    }
                });
            }
        });
        format!(
            "{} handshakes in 6 s from 4 threads",
            done.load(Ordering::Relaxed)
        )
    });
    assert!(latency.count >= 5);
}

#[test]
fn slowloris_on_the_handshake_is_cut_off_at_the_handshake_timeout() {
    let _serial = one_at_a_time();
    let target = Target::start("hostile-slow-handshake", LIMITS);
    let hello = client_hello(&target.alice);
    const CLIENTS: usize = 200;
    let latency = under_attack(
        &target,
        "slowloris on the handshake",
        CLIENTS as u64,
        |_stop| {
            // 200 connections each send a real ClientHello one byte every 250 ms: they never
            // stall, but never finish within the 3 s handshake timeout either.
            // Times count from before the first connection, so none can be seen closed early.
            let started = Instant::now();
            let mut socks: Vec<TcpStream> =
                (0..CLIENTS).map(|_| connect(target.server.addr)).collect();
            let closed_at = dribble(
                &mut socks,
                &hello,
                started,
                Duration::from_millis(250),
                Duration::from_secs(12),
            );
            let (earliest, latest) = closed_after_the_timeout(&closed_at, "dribbling handshakes");
            format!(
            "{CLIENTS} dribbling handshakes all closed between {:.1} s and {:.1} s ({:.1} s in all)",
            earliest.as_secs_f64(),
            latest.as_secs_f64(),
            started.elapsed().as_secs_f64()
        )
        },
    );
    assert!(latency.count >= 5);
}

#[test]
fn slowloris_on_the_headers_is_cut_off_at_the_header_timeout() {
    let _serial = one_at_a_time();
    let target = Target::start("hostile-slow-headers", LIMITS);
    const CLIENTS: usize = 50;
    let latency = under_attack(
        &target,
        "slowloris on the headers",
        CLIENTS as u64,
        |_stop| {
            // 50 connections complete the handshake as alice, then send a request head one byte
            // every 250 ms, forever: the header read timeout (3 s) must close them anyway. Times
            // count from before the first handshake, so none can be seen closed early.
            let started = Instant::now();
            let mut streams: Vec<StreamOwned<ClientConnection, TcpStream>> = (0..CLIENTS)
                .map(|_| {
                    let mut tls = tls_stream(target.server.addr, &target.alice);
                    // Completes the handshake (and the client certificate's verification).
                    while tls.conn.is_handshaking() {
                        tls.conn.complete_io(&mut tls.sock).expect("handshake");
                    }
                    tls.sock
                        .set_read_timeout(Some(Duration::from_millis(1)))
                        .expect("timeout");
                    tls
                })
                .collect();
            let head = b"GET /customer/1 HTTP/1.1\r\nHost: localhost\r\nX-Slow: ";
            let mut closed_at: Vec<Option<Duration>> = vec![None; CLIENTS];
            let mut sent = 0usize;
            while started.elapsed() < Duration::from_secs(12)
                && closed_at.iter().any(Option::is_none)
            {
                for (i, tls) in streams.iter_mut().enumerate() {
                    if closed_at[i].is_some() {
                        continue;
                    }
                    let byte = head.get(sent).copied().unwrap_or(b'a');
                    let wrote = tls.write_all(&[byte]).and_then(|()| tls.flush());
                    if wrote.is_err() || tls_closed(tls) {
                        closed_at[i] = Some(started.elapsed());
                    }
                }
                sent += 1;
                thread::sleep(Duration::from_millis(250));
            }
            let (earliest, latest) = closed_after_the_timeout(&closed_at, "dribbled request heads");
            format!(
            "{CLIENTS} dribbled request heads ({sent} bytes each) all closed between {:.1} s and {:.1} s",
            earliest.as_secs_f64(),
            latest.as_secs_f64()
        )
        },
    );
    assert!(latency.count >= 5);
}

#[test]
fn plaintext_and_junk_on_the_tls_port_are_refused_quickly() {
    let _serial = one_at_a_time();
    let target = Target::start("hostile-plaintext", LIMITS);
    let latency = under_attack(&target, "plaintext HTTP and junk", 1, |_stop| {
        // A connection every millisecond or so for 4 s (at most 3,000).
        let (mut answered_400, mut closed) = (0usize, 0usize);
        let mut slowest = Duration::ZERO;
        let started_all = Instant::now();
        let mut count = 0u32;
        for i in 0..3000u32 {
            if started_all.elapsed() > Duration::from_secs(4) {
                break;
            }
            count += 1;
            let started = Instant::now();
            let mut sock = connect(target.server.addr);
            sock.set_read_timeout(Some(Duration::from_secs(8)))
                .expect("timeout");
            let payload: Vec<u8> = match i % 3 {
                0 => b"GET /customer/1 HTTP/1.1\r\nHost: localhost\r\n\r\n".to_vec(),
                1 => b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".to_vec(),
                // Not TLS, not HTTP: bytes of a counter.
                _ => (0..512u32)
                    .map(|b| (b.wrapping_mul(31).wrapping_add(i)) as u8 | 0x80)
                    .collect(),
            };
            let _ = sock.write_all(&payload);
            let mut answer = Vec::new();
            let _ = (&mut sock).take(64 * 1024).read_to_end(&mut answer);
            thread::sleep(Duration::from_millis(1));
            let took = started.elapsed();
            assert!(
                took < Duration::from_secs(5),
                "a plaintext connection took {took:?} to end"
            );
            slowest = slowest.max(took);
            match answer.starts_with(b"HTTP/1.1 400") {
                true => answered_400 += 1,
                false => closed += 1,
            }
        }
        // Every HTTP request (two in three) is told to use HTTPS.
        assert!(
            answered_400 as u32 >= count * 2 / 3,
            "only {answered_400} of {count} plaintext requests got 400"
        );
        format!(
            "{count} plaintext/junk connections in 4 s: {answered_400} answered 400, {closed} closed; slowest {:.0} ms",
            slowest.as_secs_f64() * 1e3
        )
    });
    assert!(latency.count >= 3);
}

#[test]
fn a_ten_megabyte_client_chain_is_refused_without_buffering_it() {
    let _serial = one_at_a_time();
    let target = Target::start("hostile-10mb", LIMITS);
    // Alice's leaf followed by copies of the root until the chain is 10 MB: real certificates,
    // so nothing short of the size gives it away.
    let mut chain: Vec<CertificateDer<'static>> = vec![target.pki.alice.chain[0].clone()];
    let mut total = chain[0].len();
    while total < 10 * 1024 * 1024 {
        chain.push(target.pki.root.cert.clone());
        total += target.pki.root.cert.len();
    }
    let certificates = chain.len();
    let huge = Arc::new(
        ClientConfig::builder()
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(ServerVerifier::new(root_trust(
                &target.pki,
            ))))
            .with_client_auth_cert(chain, target.pki.alice.key())
            .expect("client config"),
    );
    let latency = under_attack(&target, "10 MB client chain", 4, |_stop| {
        // Four clients at once, again and again for 4 s (at most 50 times each).
        let slowest = Mutex::new(Duration::ZERO);
        let sent = AtomicUsize::new(0);
        let deadline = Instant::now() + Duration::from_secs(4);
        thread::scope(|scope| {
            for _ in 0..4 {
                scope.spawn(|| {
                    for _ in 0..50 {
                        if Instant::now() > deadline {
                            break;
                        }
                        sent.fetch_add(1, Ordering::Relaxed);
                        let started = Instant::now();
                        let result = get(target.server.addr, &huge, "/customer/1");
                        let took = started.elapsed();
                        assert!(
                            !matches!(result, Ok((200, _))),
                            "a 10 MB chain was accepted"
                        );
                        assert!(
                            took < Duration::from_secs(10),
                            "a 10 MB chain took {took:?} to refuse"
                        );
                        let mut s = slowest.lock().expect("lock");
                        *s = (*s).max(took);
                    }
                });
            }
        });
        let slowest = *slowest.lock().expect("lock");
        format!(
            "{} handshakes with {certificates} certificates ({} MiB) refused, slowest {:.0} ms",
            sent.load(Ordering::Relaxed),
            total / (1024 * 1024),
            slowest.as_secs_f64() * 1e3
        )
    });
    assert!(latency.count >= 1);
}

#[test]
fn oversized_and_numerous_headers_are_refused_without_buffering_them() {
    let _serial = one_at_a_time();
    let target = Target::start("hostile-headers", LIMITS);
    let latency = under_attack(&target, "oversized headers", 1, |_stop| {
        // Head after head for 4 s (at most 2,000).
        let mut statuses = std::collections::BTreeMap::new();
        let started_all = Instant::now();
        let mut rounds = 0usize;
        for round in 0..2000 {
            if started_all.elapsed() > Duration::from_secs(4) {
                break;
            }
            rounds += 1;
            let mut tls = tls_stream(target.server.addr, &target.alice);
            let mut head = String::from("GET /customer/1 HTTP/1.1\r\nHost: localhost\r\n");
            match round % 2 {
                // One header line of 1 MiB (sent in 16 KiB writes until the server stops reading).
                0 => head.push_str("X-Big: "),
                // 2,000 small headers (hyper's own limit is 100).
                _ => (0..2000).for_each(|i| head.push_str(&format!("X-H{i}: v\r\n"))),
            }
            let _ = tls.write_all(head.as_bytes());
            if round % 2 == 0 {
                let chunk = vec![b'x'; 16 * 1024];
                for _ in 0..64 {
                    if tls.write_all(&chunk).and_then(|()| tls.flush()).is_err() {
                        break;
                    }
                }
            }
            let _ = tls.write_all(b"\r\n\r\n").and_then(|()| tls.flush());
            let status = read_status(&mut tls);
            *statuses.entry(status).or_insert(0usize) += 1;
        }
        // Every oversized head is refused with 431 (or the connection is closed first, when
        // the server stopped reading mid-write): never answered, never a 5xx.
        assert!(
            statuses.keys().all(|s| *s == 431 || *s == 0),
            "unexpected answers to oversized heads: {statuses:?}"
        );
        assert!(
            statuses.get(&431).copied().unwrap_or(0) >= rounds / 2,
            "too few 431s: {statuses:?}"
        );
        format!("{rounds} oversized heads (1 MiB line / 2,000 headers): statuses {statuses:?} (0 = closed)")
    });
    assert!(latency.count >= 3);
}

#[test]
fn ten_thousand_idle_connections_leave_alice_served() {
    let _serial = one_at_a_time();
    // 10,000 connections need 10,000 file descriptors here and as many in the server (which
    // inherits this process's limit), plus room for the rest: raise the soft limit towards
    // the hard one (prlimit, util-linux) when it is lower, else scale down and say so.
    let (soft, hard) = open_files_limits();
    if soft < 11_000 && hard > soft {
        let raised = hard.min(12_000);
        let _ = std::process::Command::new("prlimit")
            .arg(format!("--pid={}", std::process::id()))
            .arg(format!("--nofile={raised}:{hard}"))
            .status();
    }
    let (soft, _) = open_files_limits();
    let wanted = 10_000usize.min(soft.saturating_sub(1000) as usize);
    assert!(
        wanted >= 100,
        "the open-files limit ({soft}) allows too few connections to test"
    );
    if wanted < 10_000 {
        eprintln!("[hostile] open-files limit {soft}: {wanted} idle connections instead of 10,000");
    }
    // The connection cap above the idle count, and a handshake timeout longer than the test,
    // so that the idle connections really are all held open while alice is measured.
    let target = Target::start(
        "hostile-idle",
        "[limits]\nhandshake_timeout_secs = 60\nheader_read_timeout_secs = 3\nmax_connections = 20000\n",
    );
    let latency = under_attack(&target, "idle connections", wanted as u64, |_stop| {
        let started = Instant::now();
        // Four threads connect at once; the listen backlog, not one thread, sets the pace.
        let idle: Vec<TcpStream> = thread::scope(|scope| {
            let workers: Vec<_> = (0..4)
                .map(|w| {
                    let share = wanted / 4 + usize::from(w < wanted % 4);
                    scope.spawn(move || {
                        (0..share)
                            .map(|_| connect(target.server.addr))
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            workers
                .into_iter()
                .flat_map(|w| w.join().expect("connecting thread"))
                .collect()
        });
        let opened = started.elapsed();
        // Held for 5 s while alice is measured.
        thread::sleep(Duration::from_secs(5));
        let rss = target.rss_kib();
        // The server holds them all: none was closed on it. What the others show (end of
        // stream, bytes, an error) says how they ended when one does not hold.
        let mut ended: Vec<String> = Vec::new();
        for s in &idle {
            s.set_nonblocking(true).expect("nonblocking");
            match s.peek(&mut [0u8; 1]) {
                Err(e) if e.kind() == ErrorKind::WouldBlock => {}
                Ok(0) => ended.push(String::from("end of stream")),
                Ok(_) => ended.push(String::from("bytes from the server")),
                Err(e) => ended.push(format!("{:?}", e.kind())),
            }
        }
        assert!(
            ended.is_empty(),
            "the server closed {} of {wanted} idle connections below its cap, {:.1} s after the \
             first was opened (opening took {:.1} s); first: {:?}",
            ended.len(),
            started.elapsed().as_secs_f64(),
            opened.as_secs_f64(),
            &ended[..ended.len().min(5)]
        );
        drop(idle);
        format!(
            "{wanted} idle connections opened in {:.1} s and held 5 s (server VmRSS {} MiB while held)",
            opened.as_secs_f64(),
            rss / 1024
        )
    });
    assert!(latency.count >= 5);
    // And after they are gone.
    target.alice_once();
}

// --- helpers -----------------------------------------------------------------------------------

fn connect(addr: SocketAddr) -> TcpStream {
    let sock = TcpStream::connect_timeout(&addr, Duration::from_secs(10)).expect("connect");
    sock.set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    sock.set_write_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    sock
}

fn tls_stream(
    addr: SocketAddr,
    config: &Arc<ClientConfig>,
) -> StreamOwned<ClientConnection, TcpStream> {
    let name = ServerName::try_from("localhost").expect("server name");
    let conn = ClientConnection::new(config.clone(), name).expect("client connection");
    StreamOwned::new(conn, connect(addr))
}

/// Completes a handshake (or fails it) and drops the connection.
fn handshake_only(addr: SocketAddr, config: &Arc<ClientConfig>) -> Result<(), rustls::Error> {
    let mut tls = tls_stream(addr, config);
    // A handshake takes a handful of round trips; 16 bound the loop.
    for _ in 0..16 {
        if !tls.conn.is_handshaking() {
            break;
        }
        tls.conn
            .complete_io(&mut tls.sock)
            .map_err(|e| rustls::Error::General(e.to_string()))?;
    }
    // TLS 1.3: the server's verdict on the client certificate arrives after the client's
    // Finished; one read sees it (an alert) or times out.
    tls.sock
        .set_read_timeout(Some(Duration::from_millis(200)))
        .ok();
    let _ = tls.read(&mut [0u8; 1]);
    Ok(())
}

/// `GET path` over a new TLS connection: status and body, or the error.
fn get(addr: SocketAddr, config: &Arc<ClientConfig>, path: &str) -> Result<(u16, String), String> {
    let mut tls = tls_stream(addr, config);
    let request = format!("GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    tls.write_all(request.as_bytes())
        .map_err(|e| e.to_string())?;
    let mut response = Vec::new();
    let mut buf = [0u8; 4096];
    // The answers are small; 64 reads of up to 4 KiB bound the loop.
    for _ in 0..64 {
        match tls.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => response.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == ErrorKind::UnexpectedEof && !response.is_empty() => break,
            Err(e) => return Err(e.to_string()),
        }
    }
    let text = String::from_utf8_lossy(&response).into_owned();
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    Ok((status, body))
}

/// The status of the response on `tls`, 0 when the connection ends without one.
fn read_status(tls: &mut StreamOwned<ClientConnection, TcpStream>) -> u16 {
    let mut response = Vec::new();
    let mut buf = [0u8; 4096];
    for _ in 0..16 {
        match tls.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => response.extend_from_slice(&buf[..n]),
        }
        if response.windows(4).any(|w| w == b"\r\n\r\n") {
            break;
        }
    }
    let text = String::from_utf8_lossy(&response);
    text.split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
}

/// Whether the server has closed a TLS connection (close_notify, EOF or reset).
fn tls_closed(tls: &mut StreamOwned<ClientConnection, TcpStream>) -> bool {
    match tls.read(&mut [0u8; 64]) {
        Ok(0) => true,
        Ok(_) => false,
        Err(e) => !matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut),
    }
}

/// The bytes of a ClientHello from `config`.
fn client_hello(config: &Arc<ClientConfig>) -> Vec<u8> {
    let name = ServerName::try_from("localhost").expect("server name");
    let mut conn = ClientConnection::new(config.clone(), name).expect("client connection");
    let mut hello = Vec::new();
    while conn.wants_write() {
        conn.write_tls(&mut hello).expect("write ClientHello");
    }
    hello
}

/// Sends `bytes` one byte per `every` on every socket (cycling), until each is closed by the
/// peer or `limit` (from `started`) passes; when each socket was seen closed, from `started`.
fn dribble(
    socks: &mut [TcpStream],
    bytes: &[u8],
    started: Instant,
    every: Duration,
    limit: Duration,
) -> Vec<Option<Duration>> {
    let mut closed_at = vec![None; socks.len()];
    for sock in socks.iter() {
        sock.set_nonblocking(true).expect("nonblocking");
    }
    let mut sent = 0usize;
    while started.elapsed() < limit && closed_at.iter().any(Option::is_none) {
        for (i, sock) in socks.iter_mut().enumerate() {
            if closed_at[i].is_some() {
                continue;
            }
            let byte = bytes[sent % bytes.len()];
            let gone = match sock.write(&[byte]) {
                Err(e) if e.kind() != ErrorKind::WouldBlock => true,
                _ => match sock.read(&mut [0u8; 256]) {
                    Ok(_) => true, // EOF, or an alert before closing
                    Err(e) => e.kind() != ErrorKind::WouldBlock,
                },
            };
            if gone {
                closed_at[i] = Some(started.elapsed());
            }
        }
        sent += 1;
        thread::sleep(every);
    }
    closed_at
}

/// Checks when the server closed each dribbling connection (`None`: still open at the 12 s
/// limit): every one closed, none before the 3 s timeout of [`LIMITS`] (100 ms of slack for
/// timer granularity) and none later than 9 s; returns the earliest and latest close.
fn closed_after_the_timeout(closed_at: &[Option<Duration>], what: &str) -> (Duration, Duration) {
    let closed: Vec<Duration> = closed_at.iter().flatten().copied().collect();
    assert_eq!(
        closed.len(),
        closed_at.len(),
        "the server kept {what} open past 12 s"
    );
    let earliest = closed.iter().min().copied().unwrap_or_default();
    let latest = closed.iter().max().copied().unwrap_or_default();
    assert!(
        latest <= Duration::from_secs(9),
        "{what}: one lasted {latest:?}"
    );
    assert!(
        earliest >= Duration::from_millis(2900),
        "{what}: one closed at {earliest:?}, before the timeout"
    );
    (earliest, latest)
}

/// The process id of the certgate-server started with `config` (found in /proc by its
/// command line, which names the test's own scratch directory).
fn server_pid(config: &Path) -> u32 {
    let wanted = config.to_string_lossy().into_owned();
    for entry in std::fs::read_dir("/proc").expect("/proc") {
        let Ok(entry) = entry else { continue };
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|s| s.parse::<u32>().ok())
        else {
            continue;
        };
        let Ok(cmdline) = std::fs::read(entry.path().join("cmdline")) else {
            continue;
        };
        let args: Vec<String> = cmdline
            .split(|&b| b == 0)
            .map(|a| String::from_utf8_lossy(a).into_owned())
            .collect();
        if args.first().is_some_and(|a| a.ends_with("certgate-server")) && args.contains(&wanted) {
            return pid;
        }
    }
    panic!("no certgate-server process for {wanted}");
}

/// VmRSS of a process, KiB.
fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("server status");
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmRSS")
}

/// This process's soft and hard limits on open files.
fn open_files_limits() -> (u64, u64) {
    let limits = std::fs::read_to_string("/proc/self/limits").expect("/proc/self/limits");
    let line = limits
        .lines()
        .find(|l| l.starts_with("Max open files"))
        .unwrap_or_default();
    let mut numbers = line
        .split_whitespace()
        .skip(3)
        .map(|v| v.parse::<u64>().unwrap_or(u64::MAX));
    let soft = numbers.next().unwrap_or(1024);
    (soft, numbers.next().unwrap_or(soft))
}
