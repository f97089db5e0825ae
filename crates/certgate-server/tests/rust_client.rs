//! The Rust client side (certgate-rustls' `ClientIdentity` and `client_config`) against the
//! server: identities from PEM and PKCS#12 files made by openssl, and a PKCS#12 trust store
//! on the server.

mod common;

use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

use certgate::{Code, Verifier};
use certgate_rustls::{client_config, ClientIdentity};
use common::{DemoPki, Server};
use rustls::pki_types::ServerName;
use rustls::{AlertDescription, ClientConfig, ClientConnection, StreamOwned};

/// `GET path` over one TLS connection; the status and body, or the TLS error.
fn get(addr: SocketAddr, config: ClientConfig, path: &str) -> Result<(u16, String), rustls::Error> {
    let sock = TcpStream::connect(addr).expect("connect");
    sock.set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    sock.set_write_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    let name = ServerName::try_from("localhost").expect("server name");
    let conn = ClientConnection::new(Arc::new(config), name)?;
    let mut tls = StreamOwned::new(conn, sock);
    let request = format!("GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    tls.write_all(request.as_bytes()).map_err(tls_error)?;
    let mut response = Vec::new();
    let mut buf = [0u8; 4096];
    // The answer is small; 64 reads of up to 4 KiB bound the loop.
    for _ in 0..64 {
        match tls.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => response.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == ErrorKind::UnexpectedEof && !response.is_empty() => break,
            Err(e) => return Err(tls_error(e)),
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

fn tls_error(err: std::io::Error) -> rustls::Error {
    match err
        .get_ref()
        .and_then(|e| e.downcast_ref::<rustls::Error>())
    {
        Some(e) => e.clone(),
        None => rustls::Error::General(err.to_string()),
    }
}

fn openssl(args: &[&str], dir: &std::path::Path) {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run openssl");
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn trust(pki: &DemoPki) -> Arc<Verifier> {
    Arc::new(
        Verifier::builder()
            .trust(pki.root.cert_pem().as_bytes())
            .expect("trust")
            .build()
            .expect("verifier"),
    )
}

#[test]
fn pem_and_pkcs12_identities_against_a_pkcs12_trust_store() {
    let pki = DemoPki::new("rust-client");
    let dir = pki.dir.0.clone();
    openssl(
        &[
            "pkcs12",
            "-export",
            "-nokeys",
            "-in",
            "ca.pem",
            "-out",
            "truststore.p12",
            "-passout",
            "pass:changeit",
        ],
        &dir,
    );
    for name in ["alice", "rogue"] {
        openssl(
            &[
                "pkcs12",
                "-export",
                "-in",
                &format!("{name}.pem"),
                "-inkey",
                &format!("{name}-key.pem"),
                "-out",
                &format!("{name}.p12"),
                "-passout",
                "pass:changeit",
            ],
            &dir,
        );
    }
    let server = Server::start(&pki.dir.write(
        "server.toml",
        "listen = \"127.0.0.1:0\"\ncert = \"server.pem\"\nkey = \"server-key.pem\"\n\
         trust_store = \"truststore.p12\"\ntrust_store_password = \"changeit\"\nclient_auth = \"required\"\n",
    ));

    let pem = ClientIdentity::from_pem(
        pki.alice.chain_pem().as_bytes(),
        pki.alice.key_pem.as_bytes(),
    )
    .expect("PEM identity");
    let (status, body) = get(
        server.addr,
        client_config(trust(&pki), Some(pem)).expect("config"),
        "/customer/1",
    )
    .expect("GET");
    assert_eq!(
        (status, body.as_str()),
        (200, r#"{"id":1,"name":"Customer1"}"#)
    );

    let p12 = std::fs::read(dir.join("alice.p12")).expect("alice.p12");
    let identity = ClientIdentity::from_pkcs12(&p12, "changeit").expect("PKCS#12 identity");
    assert_eq!(identity.chain()[0], pki.alice.chain[0]);
    let (status, body) = get(
        server.addr,
        client_config(trust(&pki), Some(identity)).expect("config"),
        "/whoami",
    )
    .expect("GET");
    assert_eq!(status, 200, "{body}");
    assert!(body.contains(r#""principal":"alice""#), "{body}");

    let wrong = ClientIdentity::from_pkcs12(&p12, "not-the-password").expect_err("wrong password");
    assert_eq!(wrong.code, Code::InvalidConfig);
    assert!(
        wrong.message.contains("wrong password"),
        "{}",
        wrong.message
    );

    // The rogue client's handshake fails with unknown_ca.
    let rogue = ClientIdentity::from_pkcs12(
        &std::fs::read(dir.join("rogue.p12")).expect("rogue.p12"),
        "changeit",
    )
    .expect("rogue identity");
    let err = get(
        server.addr,
        client_config(trust(&pki), Some(rogue)).expect("config"),
        "/customer/1",
    )
    .expect_err("rogue refused");
    assert_eq!(
        err,
        rustls::Error::AlertReceived(AlertDescription::UnknownCA)
    );

    // A client that trusts another CA refuses the server.
    let other = common::pki::Ca::root(
        "other",
        common::pki::Window::around(common::pki::now(), 1, 1),
    );
    let other_trust = Arc::new(
        Verifier::builder()
            .trust(other.cert_pem().as_bytes())
            .expect("trust")
            .build()
            .expect("verifier"),
    );
    let err = get(
        server.addr,
        client_config(other_trust, None).expect("config"),
        "/health",
    )
    .expect_err("untrusted server");
    assert_eq!(
        err,
        rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer)
    );

    // curl agrees.
    assert_eq!(server.curl("/customer/1", Some("alice")).status, Some(200));
}

#[test]
fn a_pkcs12_trust_store_with_a_wrong_password_stops_the_start() {
    let pki = DemoPki::new("p12-password");
    openssl(
        &[
            "pkcs12",
            "-export",
            "-nokeys",
            "-in",
            "ca.pem",
            "-out",
            "truststore.p12",
            "-passout",
            "pass:changeit",
        ],
        &pki.dir.0,
    );
    let config = pki.dir.write(
        "server.toml",
        "listen = \"127.0.0.1:0\"\ncert = \"server.pem\"\nkey = \"server-key.pem\"\n\
         trust_store = \"truststore.p12\"\ntrust_store_password = \"wrong\"\n",
    );
    let stderr = common::start_fails(&config);
    assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
    assert!(stderr.contains("wrong password"), "{stderr}");
    assert!(!stderr.contains("changeit"), "{stderr}");
}
