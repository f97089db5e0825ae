//! The demo API: `/health` (anonymous), `/whoami` and `/customer/{id}`, each request
//! authenticated by the connection's client certificate under the generation in force.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::time::Instant;

use certgate::{Code, Identity, Inspection, Policy, Rejection, Verified};
use http_body_util::Full;
use hyper::body::{Bytes, Incoming};
use hyper::header::{HeaderName, HeaderValue, CACHE_CONTROL, CONTENT_TYPE};
use hyper::{Method, Request, Response, StatusCode};
use rustls::pki_types::CertificateDer;
use serde_json::{json, Value};

use crate::log;
use crate::serve::Settings;
use crate::trust::Generation;

/// What the server knows about one TLS connection.
#[derive(Debug)]
pub struct Connection {
    /// The client's address.
    pub peer: SocketAddr,
    /// The certificates the client presented, leaf first; `None` when it sent none.
    pub certs: Option<Vec<CertificateDer<'static>>>,
    /// Why a trusted proxy's certificate header could not be decoded.
    malformed: Option<Rejection>,
    common_name: OnceLock<Option<String>>,
    /// The policy's view of the verified leaf, decoded once per connection and generation.
    identity: Mutex<Option<(u64, Arc<Identity>)>>,
}

impl Connection {
    /// A connection from `peer` that presented `certs`.
    pub fn new(peer: SocketAddr, certs: Option<Vec<CertificateDer<'static>>>) -> Self {
        Self {
            peer,
            certs,
            malformed: None,
            common_name: OnceLock::new(),
            identity: Mutex::new(None),
        }
    }

    /// A request whose forwarded certificate header from a trusted proxy did not decode.
    pub fn malformed(peer: SocketAddr, rejection: Rejection) -> Self {
        Self {
            malformed: Some(rejection),
            ..Self::new(peer, None)
        }
    }

    /// Who the leaf certificate names without a policy: its common name, else its whole
    /// subject; decoded once.
    fn common_name(&self) -> Option<&str> {
        self.common_name
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

    /// The verified leaf decoded for `policy` under generation `number`.
    fn identity(
        &self,
        number: u64,
        policy: &Policy,
        verified: &Verified,
    ) -> Result<Arc<Identity>, Rejection> {
        let mut slot = self.identity.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some((generation, identity)) = slot.as_ref() {
            if *generation == number {
                return Ok(identity.clone());
            }
        }
        let identity = Arc::new(policy.identity(verified)?);
        *slot = Some((number, identity.clone()));
        Ok(identity)
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

/// Who the request comes from and whether it may proceed.
struct Access {
    verdict: Result<Arc<Verified>, Rejection>,
    principal: Option<String>,
    roles: Vec<String>,
    /// The policy's (or, without one, the verifier's) decision on this request.
    decision: Result<(), Rejection>,
}

/// Answers one request and writes its access-log line.
pub fn handle(
    request: &Request<Incoming>,
    connection: &Connection,
    listener: SocketAddr,
    settings: &Settings,
    generation: &Generation,
    now: u64,
) -> Response<Full<Bytes>> {
    let started = Instant::now();
    let path = request.uri().path();
    let (answer, principal, grant) = if settings.auth_request && path == "/auth" {
        auth(request, connection, generation)
    } else {
        let (answer, principal) = route(request.method(), path, connection, generation, now);
        (answer, principal, None)
    };
    log::event(
        "request",
        json!({
            "peer": connection.peer.to_string(),
            "listener": listener.to_string(),
            "source": settings.source.name_for(path),
            "method": request.method().as_str(),
            "route": answer.route,
            "path": truncate(path, 256),
            "status": answer.status.as_u16(),
            "code": answer.code,
            "principal": principal,
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
    if let Some(grant) = grant {
        let headers = response.headers_mut();
        headers.insert(X_CERTGATE_CODE, HeaderValue::from_static(answer.code));
        if let Some(principal) = &grant.principal {
            headers.insert(X_CERTGATE_PRINCIPAL, header_value(principal));
        }
        if answer.status == StatusCode::OK {
            headers.insert(X_CERTGATE_ROLES, header_value(&grant.roles.join(",")));
        }
    }
    response
}

/// What the `/auth` answer tells nginx, beside its status.
struct Grant {
    principal: Option<String>,
    roles: Vec<String>,
}

const X_CERTGATE_CODE: HeaderName = HeaderName::from_static("x-certgate-code");
const X_CERTGATE_PRINCIPAL: HeaderName = HeaderName::from_static("x-certgate-principal");
const X_CERTGATE_ROLES: HeaderName = HeaderName::from_static("x-certgate-roles");
const X_ORIGINAL_URI: HeaderName = HeaderName::from_static("x-original-uri");
const X_ORIGINAL_METHOD: HeaderName = HeaderName::from_static("x-original-method");

/// nginx `auth_request`: judges the original request (`X-Original-Method`, else the
/// `/auth` request's own method, and
/// `X-Original-URI`) as the routes would, and answers 200 (principal and roles in headers)
/// or 401/403 with the code, the only statuses `auth_request` passes on (anything else
/// becomes nginx's 500). The body is JSON for people reading it with curl.
fn auth(
    request: &Request<Incoming>,
    connection: &Connection,
    generation: &Generation,
) -> (Answer, Option<String>, Option<Grant>) {
    let headers = request.headers();
    let Some(uri) = headers.get(X_ORIGINAL_URI).and_then(|v| v.to_str().ok()) else {
        let answer = error(
            StatusCode::FORBIDDEN,
            "AUTH_REQUEST_NO_URI",
            "no X-Original-URI header; in nginx: proxy_set_header X-Original-URI $request_uri",
            "/auth",
        );
        return (
            answer,
            None,
            Some(Grant {
                principal: None,
                roles: Vec::new(),
            }),
        );
    };
    let method = headers
        .get(X_ORIGINAL_METHOD)
        .and_then(|v| Method::from_bytes(v.as_bytes()).ok())
        .unwrap_or_else(|| request.method().clone());
    let path = uri.split(['?', '#']).next().unwrap_or_default();
    let route = match path {
        "/health" => "/health",
        "/whoami" => "/whoami",
        p if p.starts_with("/customer/") => "/customer/{id}",
        _ => "-",
    };
    let access = authorize(&method, path, route, connection, generation);
    let answer = match &access.decision {
        Ok(()) => Answer {
            status: StatusCode::OK,
            body: json!({"code": "OK", "principal": access.principal, "roles": access.roles}),
            code: "OK",
            route: "/auth",
        },
        Err(rejection) => {
            // auth_request knows 401 and 403 only.
            let status = if rejection.code == Code::NoCertificate {
                StatusCode::UNAUTHORIZED
            } else {
                StatusCode::FORBIDDEN
            };
            Answer {
                status,
                body: json!({"code": rejection.code.as_str(), "message": rejection.message}),
                code: rejection.code.as_str(),
                route: "/auth",
            }
        }
    };
    let grant = Grant {
        principal: access.principal.clone(),
        roles: access.roles,
    };
    (answer, access.principal, Some(grant))
}

/// A header value from text a certificate chose: bytes outside printable ASCII (and `%`)
/// are percent-escaped, so a subject can never inject a header line or break the response.
fn header_value(text: &str) -> HeaderValue {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if (0x20..0x7f).contains(&byte) && byte != b'%' {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    HeaderValue::from_str(&out).unwrap_or_else(|_| HeaderValue::from_static(""))
}

fn route(
    method: &Method,
    path: &str,
    connection: &Connection,
    generation: &Generation,
    now: u64,
) -> (Answer, Option<String>) {
    let route = match path {
        "/health" => "/health",
        "/whoami" => "/whoami",
        p if p.starts_with("/customer/") => "/customer/{id}",
        _ => "-",
    };
    let access = authorize(method, path, route, connection, generation);
    let principal = access.principal.clone();
    if let Err(rejection) = &access.decision {
        let answer = match route {
            "/whoami" => whoami(connection, &access, now),
            _ => refuse(rejection, route, None),
        };
        return (answer, principal);
    }
    let answer = match route {
        "-" => error(
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
            "no such route; try /health, /whoami or /customer/{id}",
            route,
        ),
        _ if method != Method::GET => error(
            StatusCode::METHOD_NOT_ALLOWED,
            "METHOD_NOT_ALLOWED",
            "only GET is served",
            route,
        ),
        "/health" => Answer {
            status: StatusCode::OK,
            body: json!({"status": "ok"}),
            code: "OK",
            route,
        },
        "/whoami" => whoami(connection, &access, now),
        _ => customer(path, route),
    };
    (answer, principal)
}

/// Decides a request. With a policy, the policy decides every route; a presented
/// certificate that failed verification is reported with its own code (403) where the
/// policy asks for a certificate, rather than as a missing one. Without a policy, `/health`
/// is anonymous and every other route needs a verified certificate.
fn authorize(
    method: &Method,
    path: &str,
    route: &str,
    connection: &Connection,
    generation: &Generation,
) -> Access {
    let verdict = match &connection.malformed {
        Some(rejection) => Err(rejection.clone()),
        None => generation.verifier.verdict(connection.certs.as_deref()),
    };
    let Some(policy) = &generation.policy else {
        let decision = match (&verdict, route) {
            (_, "/health") => Ok(()),
            (Ok(_), _) => Ok(()),
            (Err(rejection), _) => Err(rejection.clone()),
        };
        let principal = verdict
            .as_ref()
            .ok()
            .and(connection.common_name())
            .map(str::to_owned);
        return Access {
            verdict,
            principal,
            roles: Vec::new(),
            decision,
        };
    };
    let identity = match &verdict {
        Ok(verified) => match connection.identity(generation.number, policy, verified) {
            Ok(identity) => Some(identity),
            Err(rejection) => {
                return Access {
                    verdict,
                    principal: None,
                    roles: Vec::new(),
                    decision: Err(rejection),
                }
            }
        },
        Err(_) => None,
    };
    match policy.evaluate(identity.as_deref(), method.as_str(), path) {
        Ok(decision) => Access {
            verdict,
            principal: decision.principal,
            roles: decision.roles,
            decision: Ok(()),
        },
        Err(denial) => {
            // Roles and principal for the log and /whoami, even when denied.
            let explained = identity
                .as_deref()
                .map(|id| policy.explain(Some(id), method.as_str(), path));
            let decision = match &verdict {
                Err(refused) if denial.code == Code::NoCertificate => Err(refused.clone()),
                _ => Err(denial),
            };
            Access {
                verdict,
                principal: explained.as_ref().and_then(|e| e.principal.clone()),
                roles: explained.map(|e| e.roles).unwrap_or_default(),
                decision,
            }
        }
    }
}

fn customer(path: &str, route: &'static str) -> Answer {
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

/// The inspection record of the leaf, the principal, its roles and the validity verdict;
/// with the refusal's code and status when the request is refused.
fn whoami(connection: &Connection, access: &Access, now: u64) -> Answer {
    let certificate = connection
        .certs
        .as_ref()
        .and_then(|certs| certs.first())
        .and_then(|leaf| Inspection::from_der(leaf, Some(now)).ok());
    let verdict = match &access.verdict {
        Ok(verified) => {
            json!({"valid": true, "code": "OK", "message": "The certificate is valid", "pinned": verified.is_pinned()})
        }
        Err(rejection) => {
            json!({"valid": false, "code": rejection.code.as_str(), "message": rejection.message})
        }
    };
    let refusal = match (&access.decision, &access.verdict) {
        (Err(rejection), _) | (Ok(()), Err(rejection)) => Some(rejection),
        (Ok(()), Ok(_)) => None,
    };
    let mut answer = match refusal {
        Some(rejection) => refuse(rejection, "/whoami", certificate.as_ref()),
        None => Answer {
            status: StatusCode::OK,
            body: json!({"certificate": certificate}),
            code: "OK",
            route: "/whoami",
        },
    };
    if let Value::Object(body) = &mut answer.body {
        body.insert("principal".into(), json!(access.principal));
        body.insert("roles".into(), json!(access.roles));
        body.insert("verdict".into(), verdict);
    }
    answer
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
