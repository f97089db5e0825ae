//! The reference mutual-TLS API server on certgate: hyper 1 + tokio-rustls, with client
//! certificates verified by [`certgate_rustls::ClientVerifier`].
//!
//! ```text
//! certgate-server --config server.toml
//! ```
//!
//! # Routes
//!
//! | route | access | answer |
//! |---|---|---|
//! | `GET /health` | anonymous (or as the policy says) | `{"status":"ok"}` |
//! | `GET /whoami` | a verified certificate (or as the policy says) | the leaf's inspection record, principal, roles and validity verdict; on refusal the same beside `code` and `message` |
//! | `GET /customer/{id}` | a verified certificate (or as the policy says) | `{"id":1,"name":"Customer1"}` |
//! | `GET /auth` | listeners with `auth_request = true` | nginx `auth_request`: judges `X-Original-Method` (else the `/auth` request's own method) and `X-Original-URI` as the routes above would; 200 with `X-Certgate-Principal` and `X-Certgate-Roles` (comma-separated), or 401/403; `X-Certgate-Code` always |
//!
//! Refusals are `{"code":…,"message":…}` with certgate's stable code: 401 `NO_CERTIFICATE`
//! when none was presented (optional and deferred modes), 403 with the rejection code for a
//! refused certificate (deferred mode; in required mode the handshake already failed), 403
//! `ROLE_MISSING` or `POLICY_NO_MATCH` when the policy refuses a verified client.
//!
//! **Access**: with a `policy` file ([`certgate::Policy`], the same document the CLI and the
//! npm package read), the policy decides every request, `/health` and unknown paths included
//! (an unknown path the policy admits is 404); where it asks for a certificate and the
//! presented one failed verification, the answer is 403 with the verification code, not
//! 401. Without a policy, `/health` is anonymous and every other route needs a verified
//! certificate. The principal is the policy's (without one, the leaf's CN); an unverified
//! certificate names no principal.
//!
//! # Configuration
//!
//! A TOML file; relative paths are resolved against its directory. `server.example.toml`
//! beside this crate's manifest is a commented example.
//!
//! | key | default | meaning |
//! |---|---|---|
//! | `listen` | required | socket address, e.g. `"127.0.0.1:8443"` (port 0: any free port) |
//! | `cert` | required | server certificate chain, PEM, leaf first |
//! | `key` | required | server private key, PEM (PKCS#8, PKCS#1, SEC1) |
//! | `trust_store` | none | trusted CA certificates: a PEM or DER bundle, or a PKCS#12 trust store (`.p12`/`.pfx`) |
//! | `trust_store_password` | none | the PKCS#12 trust store's password (set: the file is read as PKCS#12) |
//! | `pinned` | `[]` | PEM files of client certificates trusted by themselves |
//! | `crls` | `[]` | CRL files, PEM or DER |
//! | `client_auth` | `"required"` | `"required"`, `"optional"` or `"deferred"` |
//! | `tls_versions` | `["1.2", "1.3"]` | or `["1.3"]` |
//! | `policy` | none | policy file for route access |
//! | `skew_secs` | `0` | clock-skew tolerance for client certificates |
//! | `watch_secs` | `0` | poll the config, trust and policy files every N s and reload on change (0: off) |
//! | `[limits] handshake_timeout_secs` | `10` | time to complete the TLS handshake |
//! | `[limits] header_read_timeout_secs` | `10` | time to send a request head |
//! | `[limits] max_header_bytes` | `16384` | largest request head (≥ 8192) |
//! | `[limits] max_connections` | `1024` | connections served at once |
//! | `[limits] cache_entries` | `10000` | verdict cache size |
//! | `[[listeners]]` | none | more listeners, each with its own certificate source (below) |
//!
//! At least one of `trust_store` and `pinned` must be set.
//!
//! # Listeners behind a proxy
//!
//! `listen` is always a TLS listener whose client certificate comes from the handshake. Each
//! `[[listeners]]` table adds one (SIGHUP applies its settings, see Operation):
//!
//! | key | default | meaning |
//! |---|---|---|
//! | `listen` | required | socket address |
//! | `tls` | `true` | TLS, or plain HTTP (`false`) for a proxy on the same host or network |
//! | `source` | `"tls"` | `"tls"`: the handshake's certificate; `"forwarded"`: a header set by a trusted proxy |
//! | `format` | required when forwarded | `"nginx"` (`$ssl_client_escaped_cert`), `"aws-alb"`, `"envoy-xfcc"`, `"traefik"`, `"rfc9440"` |
//! | `header` | per format | `X-SSL-Client-Cert`, `X-Amzn-Mtls-Clientcert`, `X-Forwarded-Client-Cert`, `X-Forwarded-Tls-Client-Cert`, `Client-Cert` (+ `Client-Cert-Chain`) |
//! | `trusted_proxies` | `[]` | address ranges (`10.0.0.0/8`, `::1/128`, a bare address) allowed to send the header |
//! | `proxy_certificates` | `[]` | PEM files of the proxies' own client certificates; the TLS handshake must present one |
//! | `intermediates` | `[]` | intermediate CA certificates added to every forwarded chain (for leaf-only forwarding) |
//! | `auth_request` | `false` | serve `GET /auth` for nginx `auth_request` |
//! | `[[listeners.routes]]` | none | per-route sources: `path` (a prefix matched by whole segments; the longest wins), `source`, and for `"forwarded"` optionally `format` and `header` (default: the listener's) |
//!
//! **Per-route sources**: a request takes its certificate from its route's `source`, else
//! the listener's. The trusted-proxy rules (`trusted_proxies`, `proxy_certificates`) and
//! `intermediates` are the listener's and hold for every forwarded route. A `tls` route on a
//! listener whose own `source` is `"forwarded"` reads that listener's handshake: the proxy's
//! pinned certificate (requests only the proxy itself may make), or none. On a listener whose
//! own `source` is `"tls"`, the handshake is the server's client verification (`client_auth`,
//! trust store), so a proxy there must also pass it before `proxy_certificates` is compared.
//! `/auth` takes the source of the route `/auth`.
//!
//! A forwarded listener needs `trusted_proxies` or `proxy_certificates` (both: both must
//! hold). **A header from anyone else is ignored, never trusted**: the request is judged
//! as having no certificate and a `forwarded_header_untrusted` event is logged (so are
//! certificate headers arriving on `source = "tls"` listeners). The forwarded chain is
//! verified in full, exactly like a handshake's, so a proxy that lets any certificate through
//! (nginx `optional_no_ca`, ALB passthrough) loses nothing. A header sent twice, or one that
//! does not decode in the configured format, is 403 `MALFORMED_PEM`; an empty one is no
//! certificate. docs/proxies/ has nginx, Envoy and HAProxy configurations.
//!
//! # Operation
//!
//! - **Fail fast**: an unreadable file, a server key that does not match its certificate, a
//!   server certificate that is expired or not yet valid, unusable trust material or an
//!   unreadable policy stop the start with one line on standard error and exit status 1.
//! - **Reload**: SIGHUP re-reads the configuration file and loads the trust store, pinned
//!   certificates, CRLs and policy anew; open connections are kept and their next request is
//!   judged under the new generation. A broken file keeps the old generation and logs why.
//!   With `watch_secs` set, a change to any of those files (or the configuration file)
//!   reloads the same way. (The listen address, server certificate and limits apply at start
//!   only; the client-auth mode and TLS versions follow the reloaded file.)
//! - **Listener reload**: the same reload applies each `[[listeners]]` entry's source,
//!   routes, format, header, trusted proxies, proxy certificates, intermediates and
//!   `auth_request` to the running listener in the same position (a `listener_reload` event
//!   with `"status":"applied"`), and watches the proxy certificate and intermediate files
//!   too. What a bound socket cannot change, a changed `listen` address, `tls` turned on or
//!   off, or the listener's own `source` switched between tls and forwarded (who does the
//!   handshake), and a listener added or removed, is logged as `"status":"restart_needed"`
//!   with the reason; that listener keeps its old settings until the server restarts. An
//!   entry that does not load (an unreadable proxy certificate) fails the whole reload.
//! - **Cache**: verdicts are cached by the SHA-256 of the client's chain, until the earliest
//!   notAfter in the verified path, at most 300 s, and only within one generation.
//! - **Log**: one JSON object a line on standard output: `listening`, `request` (peer,
//!   method, route, status, code, principal, generation, latency_us), `handshake_failed`
//!   (with the certgate code when the client certificate was refused), `plaintext_refused`,
//!   `connection_refused`, `reload`, `listener_reload` (addr, status, reason), `forwarded_header_untrusted` (peer, header names,
//!   reason). Requests also log their `listener` and `source`. Never a key or a certificate
//!   body.
//! - **Limits**: handshake deadline, header read timeout and size, connection cap; a
//!   plaintext HTTP request on the TLS port gets a 400 answer that says to use `https://`.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod config;
mod forward;
mod log;
mod routes;
mod serve;
mod trust;

pub use config::Config;
pub use serve::Server;
