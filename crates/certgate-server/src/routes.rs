//! The demo API: `/health` (anonymous), `/whoami` and `/customer/{id}`, each request
//! authenticated by the connection's client certificate under the generation in force.

use std::net::SocketAddr;
use std::sync::{Arc, OnceLock};
use std::time::Instant;

use certgate::{Inspection, Rejection, Verified};
use http_body_util::Full;
use hyper::body::{Bytes, Incoming};
use hyper::header::{HeaderValue, CACHE_CONTROL, CONTENT_TYPE};
use hyper::{Method, Request, Response, StatusCode};
use rustls::pki_types::CertificateDer;
use serde_json::{json, Value};

use crate::log;
use crate::trust::Generation;

/// What the server knows about one TLS connection.
#[derive(Debug)]
pub struct Connection {
    /// The client's address.
    pub peer: SocketAddr,
    /// The certificates the client presented, leaf first; `None` when it sent none.
    pub certs: Option<Vec<CertificateDer<'static>>>,
    principal: OnceLock<Option<String>>,
}

impl Connection {
    /// A connection from `peer` that presented `certs`.
    pub fn new(peer: SocketAddr, certs: Option<Vec<CertificateDer<'static>>>) -> Self {
        Self {
            peer,
            certs,
            principal: OnceLock::new(),
        }
    }

    /// Who the leaf certificate names: its common name, else its whole subject; decoded once.
    fn principal(&self) -> Option<&str> {
        self.principal
            .get_or_init(|| {
                let leaf = self.certs.as_ref()?.first()?;
                let inspection = Inspection::from_der(leaf, None).ok()?;
                let subject = inspection.subject;
                Some(
                    subject
                        .common_name()
                        .map(str::to_owned)
                        .unwrap_or(subject.rfc4514),
                )
            })
            .as_deref()
    }
}

/// The answer to one request, before it is logged and serialised.
struct Answer {
    status: StatusCode,
    body: Value,
    /// `OK`, a certgate code, or an HTTP-level code (`NOT_FOUND`, `METHOD_NOT_ALLOWED`).
    code: &'static str,
    route: &'static str,
}

/// Answers one request and writes its access-log line.
pub fn handle(
    request: &Request<Incoming>,
    connection: &Connection,
    generation: &Generation,
    now: u64,
) -> Response<Full<Bytes>> {
    let started = Instant::now();
    let path = request.uri().path();
    let answer = route(request.method(), path, connection, generation, now);
    log::event(
        "request",
        json!({
            "peer": connection.peer.to_string(),
            "method": request.method().as_str(),
            "route": answer.route,
            "path": truncate(path, 256),
            "status": answer.status.as_u16(),
            "code": answer.code,
            "principal": connection.principal(),
            "generation": generation.number,
            "latency_us": started.elapsed().as_micros() as u64,
        }),
    );
    let mut response = Response::new(Full::new(Bytes::from(answer.body.to_string())));
    *response.status_mut() = answer.status;
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
        .headers_mut()
        .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

fn route(
    method: &Method,
    path: &str,
    connection: &Connection,
    generation: &Generation,
    now: u64,
) -> Answer {
    let route = match path {
        "/health" => "/health",
        "/whoami" => "/whoami",
        p if p.starts_with("/customer/") => "/customer/{id}",
        _ => {
            return error(
                StatusCode::NOT_FOUND,
                "NOT_FOUND",
                "no such route; try /health, /whoami or /customer/{id}",
                "-",
            )
        }
    };
    if method != Method::GET {
        return error(
            StatusCode::METHOD_NOT_ALLOWED,
            "METHOD_NOT_ALLOWED",
            "only GET is served",
            route,
        );
    }
    if route == "/health" {
        return Answer {
            status: StatusCode::OK,
            body: json!({"status": "ok"}),
            code: "OK",
            route,
        };
    }

    let verdict = generation.verifier.verdict(connection.certs.as_deref());
    if route == "/whoami" {
        return whoami(connection, &verdict, now);
    }
    if let Err(rejection) = &verdict {
        return refuse(rejection, route, None);
    }
    // Canonical decimal only ("1", not "01" or "+1"), so one customer has one URL.
    let id = &path["/customer/".len()..];
    let canonical = !id.is_empty()
        && id.len() <= 19
        && !id.starts_with('0')
        && id.bytes().all(|b| b.is_ascii_digit());
    match id.parse::<u64>() {
        Ok(id) if canonical => Answer {
            status: StatusCode::OK,
            body: json!({"id": id, "name": format!("Customer{id}")}),
            code: "OK",
            route,
        },
        _ => error(
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
            "a customer id is a positive integer, e.g. /customer/1",
            route,
        ),
    }
}

/// The inspection record of the leaf, the principal, its roles and the validity verdict.
fn whoami(connection: &Connection, verdict: &Result<Arc<Verified>, Rejection>, now: u64) -> Answer {
    let certificate = connection
        .certs
        .as_ref()
        .and_then(|certs| certs.first())
        .and_then(|leaf| Inspection::from_der(leaf, Some(now)).ok());
    match verdict {
        Ok(verified) => Answer {
            status: StatusCode::OK,
            body: json!({
                "principal": connection.principal(),
                "roles": Value::Array(Vec::new()),
                "verdict": {"valid": true, "code": "OK", "message": "The certificate is valid", "pinned": verified.is_pinned()},
                "certificate": certificate,
            }),
            code: "OK",
            route: "/whoami",
        },
        Err(rejection) => {
            let mut answer = refuse(rejection, "/whoami", certificate.as_ref());
            if let Value::Object(body) = &mut answer.body {
                body.insert("principal".into(), json!(connection.principal()));
                body.insert(
                    "verdict".into(),
                    json!({"valid": false, "code": rejection.code.as_str(), "message": rejection.message}),
                );
            }
            answer
        }
    }
}

/// 401 for no certificate, 403 for a refused one: `{"code": …, "message": …}` (plus the
/// inspection record on `/whoami`, so a browser user sees which certificate was refused).
fn refuse(rejection: &Rejection, route: &'static str, certificate: Option<&Inspection>) -> Answer {
    let status =
        StatusCode::from_u16(rejection.code.http_status()).unwrap_or(StatusCode::FORBIDDEN);
    let mut body = json!({"code": rejection.code.as_str(), "message": rejection.message});
    if let (Some(certificate), Value::Object(map)) = (certificate, &mut body) {
        map.insert("certificate".into(), json!(certificate));
    }
    Answer {
        status,
        body,
        code: rejection.code.as_str(),
        route,
    }
}

fn error(status: StatusCode, code: &'static str, message: &str, route: &'static str) -> Answer {
    Answer {
        status,
        body: json!({"code": code, "message": message}),
        code,
        route,
    }
}

fn truncate(text: &str, max: usize) -> &str {
    match text.char_indices().nth(max) {
        Some((i, _)) => &text[..i],
        None => text,
    }
}
