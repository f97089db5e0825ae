//! Certificate sources: the TLS handshake, or a header set by a trusted proxy.
//!
//! **A forwarded header is honoured only from a trusted proxy**: the peer address is in
//! `trusted_proxies` and, when `proxy_certificates` is set, the TLS handshake presented one
//! of them. From anyone else the header is ignored, the event is logged
//! (`forwarded_header_untrusted`), and the request is judged as having no certificate.
//! Every known forwarded-certificate header is ignored on `source = "tls"` listeners too.
//! What an honoured header presents (one line only, empty is no certificate, the RFC 9440
//! chain header, configured intermediates) is the core's `certgate::forwarded_chain`, which
//! the npm middleware calls too.

use std::net::{IpAddr, SocketAddr};
use std::path::Path;

use certgate::{
    forwarded_chain, Cidr, ForwardedFormat, Limits, Rejection, KNOWN_FORWARDED_HEADERS,
    RFC9440_CHAIN_HEADER,
};
use hyper::header::{HeaderMap, HeaderName, HeaderValue};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::CertificateDer;
use serde_json::json;

use crate::config::{Listener, Source};
use crate::log;

/// Where one listener's requests take their client certificate from: the listener's
/// `source`, and per-route sources (`[[listeners.routes]]`) by longest path prefix.
#[derive(Debug)]
pub struct CertificateSource {
    default: Way,
    /// Path prefixes and their sources, longest first.
    routes: Vec<(String, Way)>,
    /// The trusted-proxy rules; `None` when no route forwards.
    forwarding: Option<Forwarding>,
}

/// One route's source.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Way {
    /// The TLS handshake's certificates.
    Tls,
    /// A header in a format, from a trusted proxy.
    Header {
        format: ForwardedFormat,
        header: HeaderName,
    },
}

/// The rules a forwarded header must pass, loaded from a `[[listeners]]` entry.
#[derive(Debug)]
struct Forwarding {
    trusted: Vec<Cidr>,
    /// The proxies' own certificates (DER); empty when not required.
    proxies: Vec<CertificateDer<'static>>,
    intermediates: Vec<CertificateDer<'static>>,
}

/// What a request presents, after the source's rules.
#[derive(Debug)]
pub enum Presented {
    /// No certificate (or an untrusted header, ignored).
    None,
    /// The TLS connection's own certificates (a `tls` source).
    Handshake,
    /// A chain from a trusted proxy's header, leaf first.
    Chain(Vec<CertificateDer<'static>>),
    /// A trusted proxy's header that does not decode.
    Malformed(Rejection),
}

impl CertificateSource {
    /// The main listener's: the handshake, for every route.
    pub fn tls() -> Self {
        Self {
            default: Way::Tls,
            routes: Vec::new(),
            forwarding: None,
        }
    }

    /// Loads a listener's sources: its proxy certificates and intermediates are read now.
    pub fn load(listener: &Listener) -> Result<Self, String> {
        let way = |source: Source, format: Option<ForwardedFormat>, header: Option<&str>| {
            if source == Source::Tls {
                return Ok(Way::Tls);
            }
            let format = format
                .or(listener.format)
                .ok_or("`source = \"forwarded\"` needs `format`")?;
            let name = header
                .or(listener.header.as_deref())
                .unwrap_or_else(|| format.default_header());
            let header = HeaderName::from_bytes(name.as_bytes())
                .map_err(|_| format!("`header = {name:?}` is not a header name"))?;
            Ok::<_, String>(Way::Header { format, header })
        };
        let default = way(listener.source, None, None)?;
        let mut routes = Vec::new();
        for route in &listener.routes {
            let path = route.path.trim_end_matches('/');
            routes.push((
                path.to_owned(),
                way(route.source, route.format, route.header.as_deref())?,
            ));
        }
        routes.sort_by_key(|(path, _)| std::cmp::Reverse(path.len()));
        let forwarding = if listener.forwards() {
            let trusted = listener
                .trusted_proxies
                .iter()
                .map(|r| Cidr::parse(r).map_err(|e| e.message))
                .collect::<Result<_, _>>()?;
            let mut proxies = Vec::new();
            for path in &listener.proxy_certificates {
                proxies.extend(certificates(path, "proxy certificate")?);
            }
            let mut intermediates = Vec::new();
            for path in &listener.intermediates {
                intermediates.extend(certificates(path, "intermediate")?);
            }
            Some(Forwarding {
                trusted,
                proxies,
                intermediates,
            })
        } else {
            None
        };
        Ok(Self {
            default,
            routes,
            forwarding,
        })
    }

    /// `tls` or `forwarded`: the listener's own source, for its `listening` event.
    pub fn name(&self) -> &'static str {
        self.default.name()
    }

    /// `tls` or `forwarded`: the source of requests for `path`, for the request log.
    pub fn name_for(&self, path: &str) -> &'static str {
        self.way(path).name()
    }

    /// The proxies' certificates a TLS handshake must present (empty: none asked for).
    pub fn proxy_certificates(&self) -> &[CertificateDer<'static>] {
        self.forwarding.as_ref().map_or(&[], |f| &f.proxies)
    }

    /// The certificate a request for `path` presents under its source's rules. `handshake`
    /// is what the TLS connection presented: the proxy's certificate when a proxy connects.
    pub fn presented(
        &self,
        path: &str,
        headers: &HeaderMap,
        peer: SocketAddr,
        handshake: Option<&[CertificateDer<'static>]>,
        limits: &Limits,
    ) -> Presented {
        match (self.way(path), &self.forwarding) {
            (Way::Header { format, header }, Some(forwarding)) => {
                if !forwarding.trusts(peer.ip(), handshake) {
                    log_ignored(
                        headers,
                        peer,
                        Some(header),
                        "the sender is not a trusted proxy",
                    );
                    return Presented::None;
                }
                forwarding.presented(*format, header, headers, limits)
            }
            _ => {
                log_ignored(
                    headers,
                    peer,
                    None,
                    "this route takes the certificate from TLS",
                );
                Presented::Handshake
            }
        }
    }

    /// The source for `path`: the longest route prefix that matches by whole segments.
    fn way(&self, path: &str) -> &Way {
        self.routes
            .iter()
            .find(|(prefix, _)| {
                path.strip_prefix(prefix.as_str()).is_some_and(|rest| {
                    rest.is_empty() || rest.starts_with('/') || prefix.is_empty()
                })
            })
            .map_or(&self.default, |(_, way)| way)
    }
}

impl Way {
    fn name(&self) -> &'static str {
        match self {
            Self::Tls => "tls",
            Self::Header { .. } => "forwarded",
        }
    }
}

impl Forwarding {
    fn trusts(&self, ip: IpAddr, handshake: Option<&[CertificateDer<'static>]>) -> bool {
        let address_ok = self.trusted.is_empty() || self.trusted.iter().any(|c| c.contains(ip));
        // The handshake verifier already required a pinned proxy certificate; the leaf is
        // compared again here so the rule holds whatever the TLS configuration says.
        let certificate_ok = self.proxies.is_empty()
            || handshake
                .and_then(|chain| chain.first())
                .is_some_and(|leaf| self.proxies.iter().any(|p| p == leaf));
        address_ok && certificate_ok
    }

    /// The header's lines (and, for RFC 9440, `Client-Cert-Chain`'s) as received; the rules
    /// for reading them are the core's [`forwarded_chain`].
    fn presented(
        &self,
        format: ForwardedFormat,
        header: &HeaderName,
        headers: &HeaderMap,
        limits: &Limits,
    ) -> Presented {
        let values: Vec<&HeaderValue> = headers.get_all(header).iter().collect();
        let chain: Vec<&HeaderValue> = match format {
            ForwardedFormat::Rfc9440 => headers.get_all(RFC9440_CHAIN_HEADER).iter().collect(),
            _ => Vec::new(),
        };
        match forwarded_chain(
            format,
            header.as_str(),
            &values,
            &chain,
            &self.intermediates,
            limits,
        ) {
            Ok(Some(chain)) => Presented::Chain(chain),
            Ok(None) => Presented::None,
            Err(rejection) => Presented::Malformed(rejection),
        }
    }
}

/// Logs each known certificate header a request carries where it is not honoured.
fn log_ignored(
    headers: &HeaderMap,
    peer: SocketAddr,
    configured: Option<&HeaderName>,
    reason: &str,
) {
    let mut names: Vec<&str> = KNOWN_FORWARDED_HEADERS
        .iter()
        .copied()
        .filter(|name| headers.contains_key(*name))
        .collect();
    if let Some(name) = configured {
        if headers.contains_key(name) && !names.contains(&name.as_str()) {
            names.push(name.as_str());
        }
    }
    if !names.is_empty() {
        log::event(
            "forwarded_header_untrusted",
            json!({"peer": peer.to_string(), "headers": names, "reason": reason}),
        );
    }
}

fn certificates(path: &Path, what: &str) -> Result<Vec<CertificateDer<'static>>, String> {
    let bytes =
        std::fs::read(path).map_err(|e| format!("cannot read {what} {}: {e}", path.display()))?;
    let certs = CertificateDer::pem_slice_iter(&bytes)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("{what} {}: invalid PEM ({e})", path.display()))?;
    if certs.is_empty() {
        return Err(format!("{what} {}: no CERTIFICATE block", path.display()));
    }
    Ok(certs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_choose_by_longest_segment_prefix() {
        let listener: Listener = toml::from_str(
            r#"
listen = "127.0.0.1:0"
source = "forwarded"
format = "nginx"
trusted_proxies = ["127.0.0.1"]
[[routes]]
path = "/health"
source = "tls"
[[routes]]
path = "/api/"
source = "forwarded"
format = "envoy-xfcc"
[[routes]]
path = "/api/v2"
source = "tls"
"#,
        )
        .unwrap();
        let source = CertificateSource::load(&listener).unwrap();
        let header = |way: &Way| match way {
            Way::Header { format, header } => Some((*format, header.as_str().to_owned())),
            Way::Tls => None,
        };
        assert_eq!(source.way("/health"), &Way::Tls);
        assert_eq!(source.way("/health/x"), &Way::Tls);
        assert_eq!(source.name_for("/healthz"), "forwarded");
        assert_eq!(
            header(source.way("/api/customer/1")),
            Some((ForwardedFormat::EnvoyXfcc, "x-forwarded-client-cert".into()))
        );
        assert_eq!(source.way("/api/v2/x"), &Way::Tls);
        assert_eq!(
            header(source.way("/apix")),
            Some((ForwardedFormat::Nginx, "x-ssl-client-cert".into()))
        );
        assert_eq!(source.name(), "forwarded");
    }
}
