//! The server's TOML configuration, as `certgate demo pki` writes it. The format is
//! documented on the crate and in `server.example.toml`.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use certgate_rustls::Mode;
use serde::Deserialize;

/// The whole configuration file. Relative paths are resolved against the file's directory.
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Address and port to listen on, e.g. `127.0.0.1:8443` (port 0: any free port).
    pub listen: SocketAddr,
    /// The server's certificate chain, PEM, leaf first.
    pub cert: PathBuf,
    /// The server's private key, PEM (PKCS#8, PKCS#1 or SEC1).
    pub key: PathBuf,
    /// Trusted CA certificates for client certificates: a PEM (or DER) bundle, or a PKCS#12
    /// trust store (`.p12`/`.pfx`, or any file when `trust_store_password` is set).
    #[serde(default)]
    pub trust_store: Option<PathBuf>,
    /// The PKCS#12 trust store's password.
    #[serde(default)]
    pub trust_store_password: Option<String>,
    /// PEM files of client certificates trusted by themselves (pinned).
    #[serde(default)]
    pub pinned: Vec<PathBuf>,
    /// CRL files, PEM or DER.
    #[serde(default)]
    pub crls: Vec<PathBuf>,
    /// `required` (default), `optional` or `deferred`.
    #[serde(default, with = "mode")]
    pub client_auth: Mode,
    /// TLS versions to offer: `["1.2", "1.3"]` (default) or `["1.3"]`.
    #[serde(default = "default_versions")]
    pub tls_versions: Vec<TlsVersion>,
    /// A policy file for route access, optional.
    #[serde(default)]
    pub policy: Option<PathBuf>,
    /// Clock-skew tolerance for client certificates, in seconds. Default 0.
    #[serde(default)]
    pub skew_secs: u64,
    /// Seconds between checks of the configuration, trust material and policy files for
    /// changes, which reload them like SIGHUP does; 0 (default) turns the check off.
    #[serde(default)]
    pub watch_secs: u64,
    /// Connection and request limits.
    #[serde(default)]
    pub limits: Limits,
    /// More listeners, each with its own certificate source (e.g. a header from a proxy).
    /// `listen` above is always a TLS listener that takes the certificate from the handshake.
    #[serde(default)]
    pub listeners: Vec<Listener>,
}

/// One `[[listeners]]` entry: where it listens, whether it speaks TLS, and where a request's
/// client certificate comes from.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Listener {
    /// Address and port, e.g. `127.0.0.1:8081` (port 0: any free port).
    pub listen: SocketAddr,
    /// TLS (default) or plain HTTP (`false`: for a proxy on the same host or network).
    #[serde(default = "yes")]
    pub tls: bool,
    /// `"tls"` (the handshake's client certificate) or `"forwarded"` (a header set by a
    /// trusted proxy). Default `"tls"`.
    #[serde(default)]
    pub source: Source,
    /// The header's convention: `nginx`, `aws-alb`, `envoy-xfcc`, `traefik` or `rfc9440`.
    #[serde(default, with = "format")]
    pub format: Option<certgate::ForwardedFormat>,
    /// The header name; defaults per format (see [`certgate::ForwardedFormat::default_header`]).
    #[serde(default)]
    pub header: Option<String>,
    /// Source address ranges (CIDR, e.g. `10.0.0.0/8`, `::1/128`) whose header is honoured.
    #[serde(default)]
    pub trusted_proxies: Vec<String>,
    /// PEM files of the proxies' own client certificates (TLS listeners only): the
    /// handshake must present one of them, and only then is the header honoured.
    #[serde(default)]
    pub proxy_certificates: Vec<PathBuf>,
    /// PEM files of intermediate CA certificates added to every forwarded chain, for proxies
    /// that forward only the leaf (nginx's `$ssl_client_escaped_cert`).
    #[serde(default)]
    pub intermediates: Vec<PathBuf>,
    /// Serve `GET /auth` for nginx `auth_request`: the policy judges `X-Original-Method` and
    /// `X-Original-URI` and answers 200 with `X-Certgate-Principal`/`X-Certgate-Roles`, or
    /// 401/403 with `X-Certgate-Code`.
    #[serde(default)]
    pub auth_request: bool,
    /// Per-route certificate sources (`[[listeners.routes]]`): the longest matching path
    /// prefix chooses; other paths use the listener's `source`.
    #[serde(default)]
    pub routes: Vec<RouteSource>,
}

/// One `[[listeners.routes]]` entry: the certificate source for requests under a path.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RouteSource {
    /// A path prefix matched by whole segments: `/api` matches `/api` and `/api/x`, not
    /// `/apix`; `/` matches everything.
    pub path: String,
    /// `"tls"` or `"forwarded"`.
    pub source: Source,
    /// The header's convention for this route; defaults to the listener's `format`.
    #[serde(default, with = "format")]
    pub format: Option<certgate::ForwardedFormat>,
    /// The header name for this route; defaults to the listener's `header`, then per format.
    #[serde(default)]
    pub header: Option<String>,
}

/// Where a listener takes a request's client certificate from.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    /// The TLS handshake.
    #[default]
    Tls,
    /// A header set by a trusted proxy.
    Forwarded,
}

fn yes() -> bool {
    true
}

impl std::fmt::Debug for Config {
    /// Everything but the trust store password.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("listen", &self.listen)
            .field("cert", &self.cert)
            .field("key", &self.key)
            .field("trust_store", &self.trust_store)
            .field("pinned", &self.pinned)
            .field("crls", &self.crls)
            .field("client_auth", &self.client_auth)
            .field("tls_versions", &self.tls_versions)
            .field("policy", &self.policy)
            .field("skew_secs", &self.skew_secs)
            .field("watch_secs", &self.watch_secs)
            .field("limits", &self.limits)
            .field("listeners", &self.listeners)
            .finish_non_exhaustive()
    }
}

/// A TLS protocol version the server may negotiate. TLS 1.1 and older are never offered.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
pub enum TlsVersion {
    /// TLS 1.2.
    #[serde(rename = "1.2")]
    Tls12,
    /// TLS 1.3.
    #[serde(rename = "1.3")]
    Tls13,
}

/// Limits on connections and requests. Each default is a common production setting.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Limits {
    /// Seconds a client has to complete the TLS handshake. Default 10.
    pub handshake_timeout_secs: u64,
    /// Seconds a client has to send a request's headers (slowloris bound). Default 10.
    pub header_read_timeout_secs: u64,
    /// Largest request head (request line and headers), in bytes; at least 8192. Default 16384.
    pub max_header_bytes: usize,
    /// Most connections served at once; more are closed on accept. Default 1024.
    pub max_connections: usize,
    /// Most verdicts kept in the verification cache. Default 10000.
    pub cache_entries: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            handshake_timeout_secs: 10,
            header_read_timeout_secs: 10,
            max_header_bytes: 16 * 1024,
            max_connections: 1024,
            cache_entries: 10_000,
        }
    }
}

impl Limits {
    /// The handshake timeout.
    pub fn handshake_timeout(&self) -> Duration {
        Duration::from_secs(self.handshake_timeout_secs)
    }

    /// The header read timeout.
    pub fn header_read_timeout(&self) -> Duration {
        Duration::from_secs(self.header_read_timeout_secs)
    }
}

impl Config {
    /// Reads and checks a configuration file; relative paths become relative to its directory.
    pub fn load(path: &Path) -> Result<Self, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read config file {}: {e}", path.display()))?;
        let mut config: Config = toml::from_str(&text).map_err(|e| {
            format!(
                "config file {}: {}",
                path.display(),
                one_line(&e.to_string())
            )
        })?;
        let base = path.parent().unwrap_or(Path::new("."));
        let resolve = |p: &mut PathBuf| {
            if p.is_relative() {
                *p = base.join(&*p);
            }
        };
        resolve(&mut config.cert);
        resolve(&mut config.key);
        config.trust_store.iter_mut().for_each(resolve);
        config.pinned.iter_mut().for_each(resolve);
        config.crls.iter_mut().for_each(resolve);
        config.policy.iter_mut().for_each(resolve);
        for listener in &mut config.listeners {
            listener.proxy_certificates.iter_mut().for_each(resolve);
            listener.intermediates.iter_mut().for_each(resolve);
        }
        config.check()?;
        Ok(config)
    }

    /// Whether the trust store is a PKCS#12 file.
    pub fn trust_store_is_pkcs12(&self) -> bool {
        self.trust_store_password.is_some()
            || self
                .trust_store
                .as_ref()
                .and_then(|p| p.extension())
                .is_some_and(|ext| {
                    ext.eq_ignore_ascii_case("p12") || ext.eq_ignore_ascii_case("pfx")
                })
    }

    fn check(&self) -> Result<(), String> {
        if self.trust_store.is_none() && self.pinned.is_empty() {
            return Err("config: set `trust_store` or `pinned`: with neither, no client certificate can be trusted".into());
        }
        if self.tls_versions.is_empty() {
            return Err(
                "config: `tls_versions` is empty; use [\"1.2\", \"1.3\"] or [\"1.3\"]".into(),
            );
        }
        if self.limits.max_header_bytes < 8192 {
            return Err("config: `limits.max_header_bytes` must be at least 8192".into());
        }
        if self.limits.max_connections > 1_000_000 {
            return Err("config: `limits.max_connections` must be at most 1000000".into());
        }
        if self.limits.max_connections == 0
            || self.limits.handshake_timeout_secs == 0
            || self.limits.header_read_timeout_secs == 0
        {
            return Err("config: `limits` values must be greater than zero".into());
        }
        for (i, listener) in self.listeners.iter().enumerate() {
            listener
                .check()
                .map_err(|e| format!("config: listeners[{i}] ({}): {e}", listener.listen))?;
        }
        Ok(())
    }
}

impl Listener {
    /// Whether any request on this listener may take its certificate from a header.
    pub fn forwards(&self) -> bool {
        self.source == Source::Forwarded
            || self.routes.iter().any(|r| r.source == Source::Forwarded)
    }

    fn check(&self) -> Result<(), String> {
        let tls_somewhere =
            self.source == Source::Tls || self.routes.iter().any(|r| r.source == Source::Tls);
        if tls_somewhere && !self.tls {
            return Err("`source = \"tls\"` needs `tls = true`".into());
        }
        for (i, route) in self.routes.iter().enumerate() {
            let at = |e: String| format!("routes[{i}] ({}): {e}", route.path);
            if !route.path.starts_with('/') {
                return Err(at("`path` must start with `/`".into()));
            }
            // `/api` and `/api/` are one prefix (matching ignores a trailing `/`).
            let prefix = route.path.trim_end_matches('/');
            if self.routes[..i]
                .iter()
                .any(|r| r.path.trim_end_matches('/') == prefix)
            {
                return Err(at("the same `path` appears twice".into()));
            }
            match route.source {
                Source::Tls if route.format.is_some() || route.header.is_some() => {
                    return Err(at(
                        "`format` and `header` apply to `source = \"forwarded\"` only".into(),
                    ));
                }
                Source::Forwarded if route.format.or(self.format).is_none() => {
                    return Err(at(
                        "`source = \"forwarded\"` needs `format` here or on the listener".into(),
                    ));
                }
                _ => {}
            }
            if let Some(header) = &route.header {
                check_header(header).map_err(at)?;
            }
        }
        if !self.forwards() {
            let forwarded_keys = self.format.is_some()
                || self.header.is_some()
                || !self.trusted_proxies.is_empty()
                || !self.proxy_certificates.is_empty()
                || !self.intermediates.is_empty();
            if forwarded_keys {
                return Err(
                    "`format`, `header`, `trusted_proxies`, `proxy_certificates` and \
                     `intermediates` apply to `source = \"forwarded\"` only"
                        .into(),
                );
            }
            return Ok(());
        }
        if self.source == Source::Forwarded && self.format.is_none() {
            return Err("`source = \"forwarded\"` needs `format` (nginx, aws-alb, \
                 envoy-xfcc, traefik or rfc9440)"
                .into());
        }
        if self.trusted_proxies.is_empty() && self.proxy_certificates.is_empty() {
            return Err("a forwarded header needs `trusted_proxies` or \
                 `proxy_certificates`: otherwise anyone could send it"
                .into());
        }
        if !self.tls && !self.proxy_certificates.is_empty() {
            return Err("`proxy_certificates` needs `tls = true`".into());
        }
        for range in &self.trusted_proxies {
            certgate::Cidr::parse(range).map_err(|e| e.message)?;
        }
        if let Some(header) = &self.header {
            check_header(header)?;
        }
        Ok(())
    }
}

fn check_header(header: &str) -> Result<(), String> {
    hyper::header::HeaderName::from_bytes(header.as_bytes())
        .map(|_| ())
        .map_err(|_| format!("`header = {header:?}` is not a header name"))
}

fn default_versions() -> Vec<TlsVersion> {
    vec![TlsVersion::Tls12, TlsVersion::Tls13]
}

/// TOML errors span several lines (a caret under the offending text); the fail-fast message
/// is one line.
fn one_line(text: &str) -> String {
    text.split('\n')
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('|') && !l.starts_with('^'))
        .collect::<Vec<_>>()
        .join("; ")
}

mod format {
    use certgate::ForwardedFormat;
    use serde::{Deserialize, Deserializer};

    pub fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<ForwardedFormat>, D::Error> {
        let name = String::deserialize(d)?;
        let formats = [
            ForwardedFormat::Nginx,
            ForwardedFormat::AwsAlb,
            ForwardedFormat::EnvoyXfcc,
            ForwardedFormat::Traefik,
            ForwardedFormat::Rfc9440,
        ];
        formats
            .into_iter()
            .find(|f| f.as_str() == name)
            .map(Some)
            .ok_or_else(|| {
                serde::de::Error::custom(format!(
                    "format = \"{name}\": expected \"nginx\", \"aws-alb\", \"envoy-xfcc\", \
                     \"traefik\" or \"rfc9440\""
                ))
            })
    }
}

mod mode {
    use certgate_rustls::Mode;
    use serde::{Deserialize, Deserializer};

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Mode, D::Error> {
        match String::deserialize(d)?.as_str() {
            "required" => Ok(Mode::Required),
            "optional" => Ok(Mode::Optional),
            "deferred" => Ok(Mode::Deferred),
            other => Err(serde::de::Error::custom(format!(
                "client_auth = \"{other}\": expected \"required\", \"optional\" or \"deferred\""
            ))),
        }
    }
}
