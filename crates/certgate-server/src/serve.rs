//! Accepting connections: the connection limit, plaintext refusal, the TLS handshake under a
//! deadline, HTTP/1.1 under header limits, and SIGHUP reloads. **One connection's failure is
//! logged and never stops the server**: each runs in its own task.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, PoisonError, RwLock};
use std::time::{Duration, SystemTime};

use certgate_rustls::{Clock, SystemClock, VerdictCache};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::CertificateDer;
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::signal::unix::{signal, SignalKind};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::{timeout_at, Instant};
use tokio_rustls::TlsAcceptor;

use crate::config::{Config, Limits, Listener, Source};
use crate::forward::{CertificateSource, Presented};
use crate::log;
use crate::routes::{self, Connection};
use crate::trust::{self, Current, Generation, Identity};

/// Everything the connection tasks share.
#[derive(Debug)]
struct Shared {
    config_path: PathBuf,
    config: Config,
    identity: Identity,
    provider: Arc<CryptoProvider>,
    cache: Arc<VerdictCache>,
    current: Current,
    /// The `[[listeners]]`, in configuration order; a reload applies their settings.
    listeners: Vec<Arc<Listening>>,
}

/// A server whose configuration, identity and trust material have been loaded and checked,
/// and whose sockets are bound; [`Server::run`] serves it.
#[derive(Debug)]
pub struct Server {
    shared: Arc<Shared>,
    listener: std::net::TcpListener,
    /// The `[[listeners]]`' sockets, in the order of `shared.listeners`.
    extra: Vec<std::net::TcpListener>,
}

/// One listener: its address, how it speaks, and its reloadable settings.
#[derive(Debug)]
pub struct Listening {
    /// The bound address.
    pub addr: SocketAddr,
    /// The address as configured (port 0 stays 0), to tell a moved listener on reload.
    configured: SocketAddr,
    /// TLS with the generation's configuration (the main listener), a listener's own, or none.
    tls: ListenerTls,
    /// Where requests' certificates come from and whether `/auth` is served; replaced by a
    /// reload.
    settings: RwLock<Arc<Settings>>,
}

/// A listener's settings that a reload replaces.
#[derive(Debug)]
pub struct Settings {
    /// Where a request's client certificate comes from, per route.
    pub source: CertificateSource,
    /// Whether `GET /auth` answers nginx `auth_request` subrequests.
    pub auth_request: bool,
}

#[derive(Debug)]
enum ListenerTls {
    /// The reloadable configuration of the generation in force.
    Generation,
    /// The listener's own (it may pin proxy certificates), rebuilt on reload.
    Own(RwLock<Arc<rustls::ServerConfig>>),
    /// Plain HTTP.
    Plain,
}

/// Which kind of TLS a `[[listeners]]` entry gets; a reload cannot change it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum TlsKind {
    Generation,
    Own,
    Plain,
}

impl TlsKind {
    fn of(entry: &Listener) -> Self {
        match (entry.tls, entry.source) {
            (false, _) => Self::Plain,
            // The client's own handshake: the reloadable configuration, as on `listen`.
            (true, Source::Tls) => Self::Generation,
            // A proxy's handshake: no client certificate, or one of the pinned proxies'.
            (true, Source::Forwarded) => Self::Own,
        }
    }
}

impl Listening {
    /// The settings in force now.
    pub fn settings(&self) -> Arc<Settings> {
        self.settings
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

/// A listener's settings loaded from its configuration entry, with its own TLS
/// configuration when it has one.
fn load_listener(
    entry: &Listener,
    config: &Config,
    identity: &Identity,
    provider: &Arc<CryptoProvider>,
) -> Result<(Settings, Option<Arc<rustls::ServerConfig>>), String> {
    let source =
        CertificateSource::load(entry).map_err(|e| format!("listener {}: {e}", entry.listen))?;
    let tls = match TlsKind::of(entry) {
        TlsKind::Own => Some(trust::listener_tls(
            config,
            identity,
            provider,
            source.proxy_certificates(),
        )?),
        TlsKind::Generation | TlsKind::Plain => None,
    };
    let settings = Settings {
        source,
        auth_request: entry.auth_request,
    };
    Ok((settings, tls))
}

impl Server {
    /// Loads and checks everything the configuration names, then binds the listening socket.
    /// Every failure is a one-line cause.
    pub fn start(config_path: PathBuf) -> Result<Self, String> {
        let config = Config::load(&config_path)?;
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let identity = Identity::load(&config, &provider, SystemClock.now())?;
        let cache = Arc::new(VerdictCache::new(config.limits.cache_entries));
        let generation = Generation::load(&config, 0, &identity, &provider, &cache)?;
        let listener = std::net::TcpListener::bind(config.listen)
            .map_err(|e| format!("cannot listen on {}: {e}", config.listen))?;
        listener
            .set_nonblocking(true)
            .map_err(|e| format!("cannot listen on {}: {e}", config.listen))?;
        let mut extra = Vec::new();
        let mut listeners = Vec::new();
        for entry in &config.listeners {
            let (settings, own) = load_listener(entry, &config, &identity, &provider)?;
            let tls = match own {
                Some(own) => ListenerTls::Own(RwLock::new(own)),
                None if entry.tls => ListenerTls::Generation,
                None => ListenerTls::Plain,
            };
            let socket = std::net::TcpListener::bind(entry.listen)
                .and_then(|s| s.set_nonblocking(true).map(|()| s))
                .map_err(|e| format!("cannot listen on {}: {e}", entry.listen))?;
            let addr = socket
                .local_addr()
                .map_err(|e| format!("cannot listen on {}: {e}", entry.listen))?;
            extra.push(socket);
            listeners.push(Arc::new(Listening {
                addr,
                configured: entry.listen,
                tls,
                settings: RwLock::new(Arc::new(settings)),
            }));
        }
        Ok(Self {
            shared: Arc::new(Shared {
                config_path,
                config,
                identity,
                provider,
                cache,
                current: Current::new(generation),
                listeners,
            }),
            listener,
            extra,
        })
    }

    /// The bound address (useful with port 0).
    pub fn local_addr(&self) -> Result<SocketAddr, String> {
        self.listener
            .local_addr()
            .map_err(|e| format!("cannot read the listening address: {e}"))
    }

    /// Serves until SIGTERM or SIGINT, then lets open connections finish (at most the header
    /// read timeout). Must run inside a Tokio runtime.
    pub async fn run(self) -> Result<(), String> {
        let addr = self.local_addr()?;
        let listener = TcpListener::from_std(self.listener)
            .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
        let main = Arc::new(Listening {
            addr,
            configured: self.shared.config.listen,
            tls: ListenerTls::Generation,
            settings: RwLock::new(Arc::new(Settings {
                source: CertificateSource::tls(),
                auth_request: false,
            })),
        });
        let shared = self.shared;
        let signals = |kind: SignalKind| {
            signal(kind).map_err(|e| format!("cannot install a signal handler: {e}"))
        };
        let (mut hangup, mut terminate, mut interrupt) = (
            signals(SignalKind::hangup())?,
            signals(SignalKind::terminate())?,
            signals(SignalKind::interrupt())?,
        );
        let slots = Arc::new(Semaphore::new(shared.config.limits.max_connections));
        // Polling file stamps (modification time and size) is cheap: a handful of stat calls.
        let watching = shared.config.watch_secs > 0;
        let mut watch = tokio::time::interval(Duration::from_secs(shared.config.watch_secs.max(1)));
        watch.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut watched = watched_files(&shared.config_path, &shared.config);
        let mut stamps = stamps(&watched);
        log::event(
            "listening",
            json!({
                "addr": addr.to_string(),
                "client_auth": shared.config.client_auth.as_str(),
                "generation": shared.current.get().number,
            }),
        );
        // The extra listeners accept in their own tasks, under the same connection cap.
        let mut accepting = Vec::new();
        for (socket, listening) in self.extra.into_iter().zip(shared.listeners.clone()) {
            let socket = TcpListener::from_std(socket)
                .map_err(|e| format!("cannot listen on {}: {e}", listening.addr))?;
            let settings = listening.settings();
            log::event(
                "listening",
                json!({
                    "addr": listening.addr.to_string(),
                    "tls": !matches!(listening.tls, ListenerTls::Plain),
                    "source": settings.source.name(),
                    "auth_request": settings.auth_request,
                }),
            );
            accepting.push(tokio::spawn(accept_loop(
                socket,
                listening,
                slots.clone(),
                shared.clone(),
            )));
        }
        loop {
            tokio::select! {
                accepted = listener.accept() => match accepted {
                    Ok((stream, peer)) => admit(stream, peer, &main, &slots, &shared),
                    Err(err) => {
                        // Out of file descriptors and the like: wait rather than spin.
                        log::event("accept_failed", json!({"error": err.to_string()}));
                        tokio::time::sleep(Duration::from_millis(100)).await;
                    }
                },
                _ = hangup.recv() => {
                    let before = self::stamps(&watched);
                    (watched, stamps) = reload_and_restamp(&shared, "SIGHUP", watched, before);
                }
                _ = watch.tick(), if watching => {
                    let now = self::stamps(&watched);
                    if now != stamps {
                        (watched, stamps) = reload_and_restamp(&shared, "file change", watched, now);
                    }
                }
                _ = terminate.recv() => break,
                _ = interrupt.recv() => break,
            }
        }
        // Stop accepting; give open connections until the header read timeout (an idle
        // keep-alive connection is closed by then) to finish their requests.
        drop(listener);
        accepting.iter().for_each(tokio::task::JoinHandle::abort);
        let open = shared.config.limits.max_connections - slots.available_permits();
        log::event(
            "shutdown",
            json!({"addr": addr.to_string(), "open_connections": open}),
        );
        let all = u32::try_from(shared.config.limits.max_connections).unwrap_or(u32::MAX);
        let _ = tokio::time::timeout(
            shared.config.limits.header_read_timeout(),
            slots.acquire_many(all),
        )
        .await;
        Ok(())
    }
}

/// Accepts on an extra listener until the task is aborted at shutdown.
async fn accept_loop(
    socket: TcpListener,
    listening: Arc<Listening>,
    slots: Arc<Semaphore>,
    shared: Arc<Shared>,
) {
    loop {
        match socket.accept().await {
            Ok((stream, peer)) => admit(stream, peer, &listening, &slots, &shared),
            Err(err) => {
                log::event(
                    "accept_failed",
                    json!({"addr": listening.addr.to_string(), "error": err.to_string()}),
                );
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    }
}

/// Serves an accepted connection in its own task, or closes it at the connection cap.
fn admit(
    stream: TcpStream,
    peer: SocketAddr,
    listening: &Arc<Listening>,
    slots: &Arc<Semaphore>,
    shared: &Arc<Shared>,
) {
    match slots.clone().try_acquire_owned() {
        Ok(permit) => {
            tokio::spawn(connection(
                stream,
                peer,
                permit,
                listening.clone(),
                shared.clone(),
            ));
        }
        Err(_) => {
            log::event(
                "connection_refused",
                json!({
                    "peer": peer.to_string(),
                    "reason": "max_connections reached",
                    "max_connections": shared.config.limits.max_connections,
                }),
            );
            drop(stream);
        }
    }
}

/// Reloads the trust store, pinned certificates, CRLs and policy named in the configuration
/// file (read again, so changed paths apply too), and the `[[listeners]]`' settings,
/// returning that configuration. A failure keeps the generation and listener settings in
/// force.
fn reload(shared: &Shared, cause: &str) -> Option<Config> {
    let next = shared.current.get().number + 1;
    let loaded = Config::load(&shared.config_path).and_then(|config| {
        let generation = Generation::load(
            &config,
            next,
            &shared.identity,
            &shared.provider,
            &shared.cache,
        )?;
        let listeners = prepare_listeners(shared, &config)?;
        Ok((config, generation, listeners))
    });
    match loaded {
        Ok((config, generation, listeners)) => {
            shared.current.replace(generation);
            // Entries carry their generation, so an old one is never served; clearing
            // frees the memory at once.
            shared.cache.clear();
            apply_listeners(shared, listeners, next);
            for entry in config.listeners.iter().skip(shared.listeners.len()) {
                log::event(
                    "listener_reload",
                    json!({
                        "addr": entry.listen.to_string(),
                        "status": "restart_needed",
                        "reason": "a new listener starts only with the server",
                        "generation": next,
                    }),
                );
            }
            log::event(
                "reload",
                json!({"status": "ok", "generation": next, "cause": cause}),
            );
            Some(config)
        }
        Err(error) => {
            log::event(
                "reload",
                json!({
                    "status": "failed",
                    "error": error,
                    "cause": cause,
                    "generation": shared.current.get().number,
                }),
            );
            None
        }
    }
}

/// What a reload does to one running listener.
enum ListenerChange {
    /// New settings (and the listener's own TLS configuration, when it has one).
    Apply(Settings, Option<Arc<rustls::ServerConfig>>),
    /// A change the running socket cannot take (address, TLS on or off, who does the
    /// handshake); the old settings stay until a restart.
    Restart(String),
}

/// Loads every `[[listeners]]` entry of the reloaded configuration against the running
/// listeners, matched by position. An entry that does not load fails the whole reload.
fn prepare_listeners(shared: &Shared, config: &Config) -> Result<Vec<ListenerChange>, String> {
    let mut changes = Vec::new();
    for (i, running) in shared.listeners.iter().enumerate() {
        let Some(entry) = config.listeners.get(i) else {
            changes.push(ListenerChange::Restart(
                "the listener was removed from the configuration".into(),
            ));
            continue;
        };
        if entry.listen != running.configured {
            changes.push(ListenerChange::Restart(format!(
                "its address changed from {} to {}",
                running.configured, entry.listen
            )));
            continue;
        }
        let kind = match running.tls {
            ListenerTls::Generation => TlsKind::Generation,
            ListenerTls::Own(_) => TlsKind::Own,
            ListenerTls::Plain => TlsKind::Plain,
        };
        if TlsKind::of(entry) != kind {
            changes.push(ListenerChange::Restart(
                "its `tls` setting, or whether its own `source` is tls or forwarded, changed"
                    .into(),
            ));
            continue;
        }
        let (settings, own) = load_listener(entry, config, &shared.identity, &shared.provider)?;
        changes.push(ListenerChange::Apply(settings, own));
    }
    Ok(changes)
}

/// Puts prepared listener settings in force and logs each listener's outcome; new
/// `[[listeners]]` entries are logged as needing a restart.
fn apply_listeners(shared: &Shared, changes: Vec<ListenerChange>, generation: u64) {
    for (running, change) in shared.listeners.iter().zip(changes) {
        match change {
            ListenerChange::Apply(settings, own) => {
                if let (ListenerTls::Own(slot), Some(own)) = (&running.tls, own) {
                    *slot.write().unwrap_or_else(PoisonError::into_inner) = own;
                }
                let source = settings.source.name();
                *running
                    .settings
                    .write()
                    .unwrap_or_else(PoisonError::into_inner) = Arc::new(settings);
                log::event(
                    "listener_reload",
                    json!({
                        "addr": running.addr.to_string(),
                        "status": "applied",
                        "source": source,
                        "generation": generation,
                    }),
                );
            }
            ListenerChange::Restart(reason) => log::event(
                "listener_reload",
                json!({
                    "addr": running.addr.to_string(),
                    "status": "restart_needed",
                    "reason": reason,
                    "generation": generation,
                }),
            ),
        }
    }
}

/// Reloads; returns the files to watch from now on and their stamps. `before` are the
/// stamps taken before the files were read, so a file still being written while the reload
/// read it shows as changed on the next check and is read again.
fn reload_and_restamp(
    shared: &Shared,
    cause: &str,
    watched: Vec<PathBuf>,
    before: Vec<Option<(SystemTime, u64)>>,
) -> (Vec<PathBuf>, Vec<Option<(SystemTime, u64)>>) {
    match reload(shared, cause) {
        Some(config) => {
            let files = watched_files(&shared.config_path, &config);
            if files == watched {
                (watched, before)
            } else {
                let stamps = stamps(&files);
                (files, stamps)
            }
        }
        None => (watched, before),
    }
}

/// The files a reload reads: the configuration itself and the trust material and policy it
/// names.
fn watched_files(config_path: &Path, config: &Config) -> Vec<PathBuf> {
    let mut files = vec![config_path.to_path_buf()];
    files.extend(config.trust_store.iter().cloned());
    files.extend(config.pinned.iter().cloned());
    files.extend(config.crls.iter().cloned());
    files.extend(config.policy.iter().cloned());
    for listener in &config.listeners {
        files.extend(listener.proxy_certificates.iter().cloned());
        files.extend(listener.intermediates.iter().cloned());
    }
    files
}

/// Each file's modification time and size (`None` when it cannot be read).
fn stamps(files: &[PathBuf]) -> Vec<Option<(SystemTime, u64)>> {
    files
        .iter()
        .map(|path| {
            let meta = std::fs::metadata(path).ok()?;
            Some((meta.modified().ok()?, meta.len()))
        })
        .collect()
}

async fn connection(
    stream: TcpStream,
    peer: SocketAddr,
    _permit: OwnedSemaphorePermit,
    listening: Arc<Listening>,
    shared: Arc<Shared>,
) {
    let limits: &Limits = &shared.config.limits;
    let deadline = Instant::now() + limits.handshake_timeout();
    let _ = stream.set_nodelay(true);
    let (tls_config, generation) = match &listening.tls {
        ListenerTls::Plain => {
            serve_http(TokioIo::new(stream), peer, None, listening, shared).await;
            return;
        }
        ListenerTls::Generation => {
            let generation = shared.current.get();
            (generation.tls.clone(), Some(generation.number))
        }
        ListenerTls::Own(config) => (
            config
                .read()
                .unwrap_or_else(PoisonError::into_inner)
                .clone(),
            None,
        ),
    };

    // A TLS connection starts with a handshake record (content type 22).
    let mut first = [0u8; 1];
    match timeout_at(deadline, stream.peek(&mut first)).await {
        Ok(Ok(0)) => return,
        Ok(Ok(_)) => {}
        Ok(Err(_)) => return,
        Err(_) => {
            log::event(
                "handshake_failed",
                json!({"peer": peer.to_string(), "error": "handshake timeout"}),
            );
            return;
        }
    }
    if first[0] != 0x16 {
        refuse_plaintext(stream, peer, first[0]).await;
        return;
    }

    let acceptor = TlsAcceptor::from(tls_config);
    let tls = match timeout_at(deadline, acceptor.accept(stream)).await {
        Ok(Ok(tls)) => tls,
        Ok(Err(err)) => {
            let rustls_error = err
                .get_ref()
                .and_then(|e| e.downcast_ref::<rustls::Error>());
            log::event(
                "handshake_failed",
                json!({
                    "peer": peer.to_string(),
                    "listener": listening.addr.to_string(),
                    "error": err.to_string(),
                    "code": rustls_error.and_then(certgate_rustls::code_of).map(|c| c.as_str()),
                    "generation": generation,
                }),
            );
            return;
        }
        Err(_) => {
            log::event(
                "handshake_failed",
                json!({"peer": peer.to_string(), "error": "handshake timeout"}),
            );
            return;
        }
    };

    let certs = tls
        .get_ref()
        .1
        .peer_certificates()
        .map(|certs| certs.iter().map(|c| c.clone().into_owned()).collect());
    serve_http(TokioIo::new(tls), peer, certs, listening, shared).await;
}

/// HTTP/1.1 on an established connection. `certs` are what the TLS handshake presented:
/// the client's on a `tls` source, the proxy's on a `forwarded` one.
async fn serve_http<I>(
    io: TokioIo<I>,
    peer: SocketAddr,
    certs: Option<Vec<CertificateDer<'static>>>,
    listening: Arc<Listening>,
    shared: Arc<Shared>,
) where
    I: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let limits: &Limits = &shared.config.limits;
    let conn = Arc::new(Connection::new(peer, certs));
    let service_shared = shared.clone();
    let service = service_fn(move |request| {
        let conn = conn.clone();
        let shared = service_shared.clone();
        let listening = listening.clone();
        async move {
            // Each request is judged under the generation in force now, so a reload that
            // revokes a certificate applies to open connections too.
            let generation = shared.current.get();
            let settings = listening.settings();
            // A proxy's connection carries many clients' requests: a forwarded
            // certificate belongs to its request, never to the connection.
            let presented = settings.source.presented(
                request.uri().path(),
                request.headers(),
                peer,
                conn.certs.as_deref(),
                &certgate::Limits::default(),
            );
            let conn = match presented {
                Presented::Handshake => conn,
                Presented::None => Arc::new(Connection::new(peer, None)),
                Presented::Chain(chain) => Arc::new(Connection::new(peer, Some(chain))),
                Presented::Malformed(rejection) => Arc::new(Connection::malformed(peer, rejection)),
            };
            Ok::<_, Infallible>(routes::handle(
                &request,
                &conn,
                listening.addr,
                &settings,
                &generation,
                SystemClock.now(),
            ))
        }
    });
    let served = http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout())
        .max_buf_size(limits.max_header_bytes)
        .serve_connection(io, service)
        .await;
    if let Err(err) = served {
        log::event(
            "connection_error",
            json!({"peer": peer.to_string(), "error": err.to_string()}),
        );
    }
}

/// Answers a plaintext HTTP request on the TLS port with 400 and a hint, then closes.
async fn refuse_plaintext(mut stream: TcpStream, peer: SocketAddr, first: u8) {
    log::event("plaintext_refused", json!({"peer": peer.to_string()}));
    if first.is_ascii_uppercase() {
        let body =
            r#"{"code":"PLAINTEXT_HTTP","message":"this port speaks HTTPS; use an https:// URL"}"#;
        let response = format!(
            "HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
        let _ = tokio::time::timeout(
            Duration::from_secs(2),
            stream.write_all(response.as_bytes()),
        )
        .await;
    }
    let _ = stream.shutdown().await;
    // Read what the client sent (bounded in bytes and time) so closing does not reset the
    // connection before it has read the answer.
    let mut sink = [0u8; 4096];
    let drain = async {
        let mut total = 0usize;
        while total < 64 * 1024 {
            match stream.read(&mut sink).await {
                Ok(0) | Err(_) => break,
                Ok(n) => total += n,
            }
        }
    };
    let _ = tokio::time::timeout(Duration::from_secs(1), drain).await;
}
