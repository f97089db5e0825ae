//! Client authentication through real rustls handshakes over loopback TCP: a rustls server
//! with certgate's `ClientVerifier` in each mode, a rustls client presenting certificates
//! from a PKI made at test time, all checked at one fixed time.

mod common;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::thread;
use std::time::Duration;

use certgate::{Code, Verifier};
use certgate_rustls::{ClientVerifier, FixedClock, Mode, ServerVerifier, VerdictCache};
use common::{Ca, Identity, Window, DAY};
use rustls::client::ResolvesClientCert;
use rustls::pki_types::{CertificateDer, ServerName};
use rustls::server::danger::ClientCertVerifier;
use rustls::sign::CertifiedKey;
use rustls::{
    AlertDescription, CertificateError, ClientConfig, ServerConfig, SupportedProtocolVersion,
};

/// The fixed validation time: 2026-05-28T20:26:40Z.
const NOW: u64 = 1_780_000_000;

struct Pki {
    root: Ca,
    server: Identity,
    alice: Identity,
    expired: Identity,
    rogue: Identity,
}

fn pki() -> Pki {
    let mut root = Ca::root("certgate test root", Window::around(NOW, 365, 3650));
    let server = root.server(&["localhost", "127.0.0.1"], Window::around(NOW, 30, 365));
    let alice = root.client("alice", Window::around(NOW, 30, 365));
    let expired = root.client("expired", Window::expired(NOW));
    let mut rogue_ca = Ca::root("rogue root", Window::around(NOW, 365, 3650));
    let rogue = rogue_ca.client("rogue", Window::around(NOW, 30, 365));
    Pki {
        root,
        server,
        alice,
        expired,
        rogue,
    }
}

fn core(pki: &Pki, crl: Option<String>) -> Arc<Verifier> {
    let mut builder = Verifier::builder()
        .trust(pki.root.cert_pem().as_bytes())
        .expect("trust root");
    if let Some(crl) = crl {
        builder = builder.crls(crl.as_bytes()).expect("CRL");
    }
    Arc::new(builder.build().expect("verifier"))
}

fn client_verifier(
    core: Arc<Verifier>,
    mode: Mode,
    cache: &Arc<VerdictCache>,
) -> Arc<ClientVerifier> {
    Arc::new(
        ClientVerifier::builder(core)
            .mode(mode)
            .clock(Arc::new(FixedClock(NOW)))
            .cache(cache.clone())
            .build(),
    )
}

fn server_config(
    pki: &Pki,
    verifier: Arc<ClientVerifier>,
    version: &'static SupportedProtocolVersion,
) -> Arc<ServerConfig> {
    Arc::new(
        ServerConfig::builder_with_protocol_versions(&[version])
            .with_client_cert_verifier(verifier)
            .with_single_cert(pki.server.chain.clone(), pki.server.key())
            .expect("server config"),
    )
}

fn client_config(
    pki: &Pki,
    identity: Option<&Identity>,
    version: &'static SupportedProtocolVersion,
) -> Arc<ClientConfig> {
    let server_verifier =
        ServerVerifier::new(core(pki, None)).with_clock(Arc::new(FixedClock(NOW)));
    let builder = ClientConfig::builder_with_protocol_versions(&[version])
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(server_verifier));
    Arc::new(match identity {
        Some(id) => builder
            .with_client_auth_cert(id.chain.clone(), id.key())
            .expect("client identity"),
        None => builder.with_no_client_auth(),
    })
}

/// What each side saw of one connection.
#[derive(Debug)]
struct Outcome {
    /// The server's handshake error, if any.
    server_error: Option<rustls::Error>,
    /// The peer certificates the server's connection reports after a completed handshake.
    peer: Option<Vec<CertificateDer<'static>>>,
    /// The client's error, if any (an alert from the server arrives here).
    client_error: Option<rustls::Error>,
    /// Whether the client read the server's greeting.
    greeted: bool,
}

/// One connection over loopback: the server completes the handshake and writes a greeting;
/// the client reads it. Every read is bounded by a 10 s timeout.
fn connect(server: Arc<ServerConfig>, client: Arc<ClientConfig>, name: &str) -> Outcome {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
    let addr = listener.local_addr().expect("local addr");
    let server_thread = thread::spawn(move || {
        let (mut sock, _) = listener.accept().expect("accept");
        sock.set_read_timeout(Some(Duration::from_secs(10)))
            .expect("timeout");
        let mut conn = rustls::ServerConnection::new(server).expect("server connection");
        while conn.is_handshaking() {
            if let Err(err) = conn.complete_io(&mut sock) {
                return (Some(rustls_error(err)), None);
            }
        }
        let peer = conn
            .peer_certificates()
            .map(|certs| certs.iter().map(|c| c.clone().into_owned()).collect());
        let mut stream = rustls::Stream::new(&mut conn, &mut sock);
        // In TLS 1.3 a refused client certificate is only noticed here, after the client's
        // Finished: the write drives the last flight through process_new_packets.
        match stream.write_all(b"hello").and_then(|()| stream.flush()) {
            Ok(()) => {
                let mut buf = [0u8; 3];
                match stream.read_exact(&mut buf) {
                    Ok(()) => (None, peer),
                    Err(err) => (Some(rustls_error(err)), peer),
                }
            }
            Err(err) => (Some(rustls_error(err)), peer),
        }
    });

    let mut sock = TcpStream::connect(addr).expect("connect");
    sock.set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    let mut conn =
        rustls::ClientConnection::new(client, ServerName::try_from(name.to_owned()).expect("name"))
            .expect("client connection");
    let mut stream = rustls::Stream::new(&mut conn, &mut sock);
    let mut greeting = [0u8; 5];
    let (client_error, greeted) = match stream.read_exact(&mut greeting) {
        Ok(()) => {
            let _ = stream.write_all(b"bye").and_then(|()| stream.flush());
            (None, &greeting == b"hello")
        }
        Err(err) => (Some(rustls_error(err)), false),
    };
    drop(sock);
    let (server_error, peer) = server_thread.join().expect("server thread");
    Outcome {
        server_error,
        peer,
        client_error,
        greeted,
    }
}

fn rustls_error(err: std::io::Error) -> rustls::Error {
    match err
        .get_ref()
        .and_then(|e| e.downcast_ref::<rustls::Error>())
    {
        Some(e) => e.clone(),
        None => rustls::Error::General(format!("i/o: {err}")),
    }
}

const VERSIONS: [&SupportedProtocolVersion; 2] = [&rustls::version::TLS12, &rustls::version::TLS13];

#[test]
fn required_accepts_a_trusted_client_and_hands_back_its_verdict() {
    let pki = pki();
    for version in VERSIONS {
        let cache = Arc::new(VerdictCache::new(100));
        let verifier = client_verifier(core(&pki, None), Mode::Required, &cache);
        let out = connect(
            server_config(&pki, verifier.clone(), version),
            client_config(&pki, Some(&pki.alice), version),
            "localhost",
        );
        assert!(out.greeted, "{version:?}: {out:?}");
        assert_eq!(out.server_error, None);
        let peer = out.peer.expect("peer certificates");
        assert_eq!(peer[0], pki.alice.chain[0]);
        // The handshake stored the verdict: the application reads it without verifying again.
        assert_eq!(cache.len(), 1);
        let verified = verifier.verdict(Some(&peer)).expect("alice verified");
        assert_eq!(
            verified
                .inspect_leaf()
                .expect("inspect")
                .subject
                .common_name(),
            Some("alice")
        );
        assert_eq!(verified.path().last(), Some(&pki.root.cert));
    }
}

#[test]
fn required_refuses_bad_certificates_with_the_matching_alert() {
    let pki = pki();
    let crl = pki.root.crl_pem(&[pki.alice.serial], NOW - DAY, 30);
    let cases: [(
        &Identity,
        Option<String>,
        CertificateError,
        AlertDescription,
    ); 3] = [
        (
            &pki.expired,
            None,
            CertificateError::Expired,
            AlertDescription::CertificateExpired,
        ),
        (
            &pki.rogue,
            None,
            CertificateError::UnknownIssuer,
            AlertDescription::UnknownCA,
        ),
        (
            &pki.alice,
            Some(crl),
            CertificateError::Revoked,
            AlertDescription::CertificateRevoked,
        ),
    ];
    for (identity, crl, error, alert) in cases {
        for version in VERSIONS {
            let cache = Arc::new(VerdictCache::new(100));
            let verifier = client_verifier(core(&pki, crl.clone()), Mode::Required, &cache);
            let out = connect(
                server_config(&pki, verifier, version),
                client_config(&pki, Some(identity), version),
                "localhost",
            );
            assert!(!out.greeted, "{version:?}: {out:?}");
            assert_eq!(
                out.server_error,
                Some(rustls::Error::InvalidCertificate(error.clone())),
                "{version:?}"
            );
            assert_eq!(
                out.client_error,
                Some(rustls::Error::AlertReceived(alert)),
                "{version:?}"
            );
        }
    }
}

#[test]
fn required_refuses_a_client_without_a_certificate() {
    let pki = pki();
    for version in VERSIONS {
        let cache = Arc::new(VerdictCache::new(100));
        let verifier = client_verifier(core(&pki, None), Mode::Required, &cache);
        let out = connect(
            server_config(&pki, verifier, version),
            client_config(&pki, None, version),
            "localhost",
        );
        assert!(!out.greeted);
        assert_eq!(
            out.server_error,
            Some(rustls::Error::NoCertificatesPresented),
            "{version:?}"
        );
        assert_eq!(
            certgate_rustls::code_of(&rustls::Error::NoCertificatesPresented),
            Some(Code::NoCertificate)
        );
    }
}

#[test]
fn optional_accepts_no_certificate_but_refuses_a_bad_one() {
    let pki = pki();
    for version in VERSIONS {
        let cache = Arc::new(VerdictCache::new(100));
        let verifier = client_verifier(core(&pki, None), Mode::Optional, &cache);
        let out = connect(
            server_config(&pki, verifier.clone(), version),
            client_config(&pki, None, version),
            "localhost",
        );
        assert!(out.greeted, "{out:?}");
        assert_eq!(out.peer, None);
        assert_eq!(
            verifier
                .verdict(None)
                .map(|_| ())
                .expect_err("rejected")
                .code,
            Code::NoCertificate
        );

        let out = connect(
            server_config(&pki, verifier.clone(), version),
            client_config(&pki, Some(&pki.rogue), version),
            "localhost",
        );
        assert!(!out.greeted);
        assert_eq!(
            out.server_error,
            Some(rustls::Error::InvalidCertificate(
                CertificateError::UnknownIssuer
            ))
        );

        let out = connect(
            server_config(&pki, verifier, version),
            client_config(&pki, Some(&pki.alice), version),
            "localhost",
        );
        assert!(out.greeted);
    }
}

#[test]
fn deferred_completes_the_handshake_and_reports_the_rejection() {
    let pki = pki();
    for version in VERSIONS {
        let cache = Arc::new(VerdictCache::new(100));
        let verifier = client_verifier(core(&pki, None), Mode::Deferred, &cache);
        assert!(!verifier.client_auth_mandatory());
        for (identity, code) in [
            (&pki.rogue, Code::UnknownIssuer),
            (&pki.expired, Code::CertExpired),
        ] {
            let out = connect(
                server_config(&pki, verifier.clone(), version),
                client_config(&pki, Some(identity), version),
                "localhost",
            );
            assert!(out.greeted, "{version:?}: {out:?}");
            let peer = out.peer.expect("peer certificates");
            assert_eq!(
                verifier.verdict(Some(&peer)).expect_err("rejected").code,
                code
            );
        }
        let out = connect(
            server_config(&pki, verifier.clone(), version),
            client_config(&pki, None, version),
            "localhost",
        );
        assert!(out.greeted);
        assert_eq!(
            verifier
                .verdict(out.peer.as_deref())
                .expect_err("rejected")
                .code,
            Code::NoCertificate
        );
    }
}

/// A client that presents alice's certificate but signs the handshake with another key.
#[derive(Debug)]
struct WrongKey(Arc<CertifiedKey>);

impl ResolvesClientCert for WrongKey {
    fn resolve(&self, _: &[&[u8]], _: &[rustls::SignatureScheme]) -> Option<Arc<CertifiedKey>> {
        Some(self.0.clone())
    }

    fn has_certs(&self) -> bool {
        true
    }
}

#[test]
fn deferred_still_checks_the_handshake_signature() {
    let pki = pki();
    let mut root = other_root();
    let stranger = root.client("stranger", Window::around(NOW, 1, 1));
    let provider = rustls::crypto::ring::default_provider();
    let wrong_key = provider
        .key_provider
        .load_private_key(stranger.key())
        .expect("load key");
    let stolen = Arc::new(CertifiedKey::new(pki.alice.chain.clone(), wrong_key));
    for version in VERSIONS {
        let cache = Arc::new(VerdictCache::new(100));
        let verifier = client_verifier(core(&pki, None), Mode::Deferred, &cache);
        let server_verifier =
            ServerVerifier::new(core(&pki, None)).with_clock(Arc::new(FixedClock(NOW)));
        let client = ClientConfig::builder_with_protocol_versions(&[version])
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(server_verifier))
            .with_client_cert_resolver(Arc::new(WrongKey(stolen.clone())));
        let out = connect(
            server_config(&pki, verifier, version),
            Arc::new(client),
            "localhost",
        );
        assert!(!out.greeted, "{version:?}: {out:?}");
        assert!(
            matches!(
                out.server_error,
                Some(rustls::Error::InvalidCertificate(
                    CertificateError::BadSignature
                )) | Some(rustls::Error::PeerMisbehaved(_))
            ),
            "{version:?}: {:?}",
            out.server_error
        );
    }
}

fn other_root() -> Ca {
    Ca::root("other root", Window::around(NOW, 10, 10))
}

#[test]
fn the_verdict_cache_is_keyed_by_generation_and_expiry() {
    let pki = pki();
    let cache = Arc::new(VerdictCache::new(100));
    let gen1 = client_verifier(core(&pki, None), Mode::Required, &cache);
    assert!(gen1.verdict(Some(&pki.alice.chain)).is_ok());
    assert_eq!(cache.len(), 1);

    // A reload revokes alice: the new generation must not be served the old verdict.
    let crl = pki.root.crl_pem(&[pki.alice.serial], NOW - DAY, 30);
    let gen2 = Arc::new(
        ClientVerifier::builder(core(&pki, Some(crl)))
            .clock(Arc::new(FixedClock(NOW)))
            .cache(cache.clone())
            .generation(1)
            .build(),
    );
    assert_eq!(
        gen2.verdict(Some(&pki.alice.chain))
            .expect_err("rejected")
            .code,
        Code::Revoked
    );

    // Past alice's notAfter the cached acceptance is not served.
    let cache = Arc::new(VerdictCache::new(100).with_ttls(u64::MAX / 4, 30));
    let early = client_verifier(core(&pki, None), Mode::Required, &cache);
    assert!(early.verdict(Some(&pki.alice.chain)).is_ok());
    let late = Arc::new(
        ClientVerifier::builder(core(&pki, None))
            .clock(Arc::new(FixedClock(NOW + 366 * DAY)))
            .cache(cache.clone())
            .build(),
    );
    assert_eq!(
        late.verdict(Some(&pki.alice.chain))
            .expect_err("rejected")
            .code,
        Code::CertExpired
    );
}

#[test]
fn the_cache_stays_bounded() {
    let pki = pki();
    let cache = Arc::new(VerdictCache::new(2));
    let verifier = client_verifier(core(&pki, None), Mode::Required, &cache);
    for identity in [&pki.alice, &pki.expired, &pki.rogue, &pki.server] {
        let _ = verifier.verdict(Some(&identity.chain));
        assert!(cache.len() <= 2);
    }
}

#[test]
fn server_verifier_checks_trust_and_name() {
    let pki = pki();
    let version = &rustls::version::TLS13;
    let cache = Arc::new(VerdictCache::new(100));
    let verifier = client_verifier(core(&pki, None), Mode::Optional, &cache);

    let out = connect(
        server_config(&pki, verifier.clone(), version),
        client_config(&pki, None, version),
        "127.0.0.1",
    );
    assert!(out.greeted, "{out:?}");

    let out = connect(
        server_config(&pki, verifier.clone(), version),
        client_config(&pki, None, version),
        "api.example.com",
    );
    assert!(!out.greeted);
    assert_eq!(
        out.client_error,
        Some(rustls::Error::InvalidCertificate(
            CertificateError::NotValidForName
        ))
    );

    // A client that trusts another CA refuses the server.
    let mut other = other_root();
    let _ = other.client("unused", Window::around(NOW, 1, 1));
    let other_core = Arc::new(
        Verifier::builder()
            .trust(other.cert_pem().as_bytes())
            .expect("trust")
            .build()
            .expect("verifier"),
    );
    let client = ClientConfig::builder_with_protocol_versions(&[version])
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(
            ServerVerifier::new(other_core).with_clock(Arc::new(FixedClock(NOW))),
        ))
        .with_no_client_auth();
    let out = connect(
        server_config(&pki, verifier, version),
        Arc::new(client),
        "localhost",
    );
    assert_eq!(
        out.client_error,
        Some(rustls::Error::InvalidCertificate(
            CertificateError::UnknownIssuer
        ))
    );
}

#[test]
fn a_chain_through_an_intermediate_is_verified_to_the_root() {
    let mut pki = pki();
    let mut issuing = pki
        .root
        .intermediate("issuing CA", Window::around(NOW, 30, 365));
    let bob = issuing.client("bob", Window::around(NOW, 1, 30));
    for version in VERSIONS {
        let cache = Arc::new(VerdictCache::new(100));
        let verifier = client_verifier(core(&pki, None), Mode::Required, &cache);
        let out = connect(
            server_config(&pki, verifier.clone(), version),
            client_config(&pki, Some(&bob), version),
            "localhost",
        );
        assert!(out.greeted, "{version:?}: {out:?}");
        let peer = out.peer.expect("peer certificates");
        assert_eq!(peer.len(), 2, "leaf and intermediate");
        let verified = verifier.verdict(Some(&peer)).expect("bob verified");
        assert_eq!(verified.path().len(), 3);
        assert_eq!(verified.path()[2], pki.root.cert);

        // Without the intermediate there is no path.
        let leaf_only = Identity::from_parts(bob.leaf_only(), &bob);
        let out = connect(
            server_config(&pki, verifier, version),
            client_config(&pki, Some(&leaf_only), version),
            "localhost",
        );
        assert_eq!(
            out.server_error,
            Some(rustls::Error::InvalidCertificate(
                CertificateError::UnknownIssuer
            ))
        );
    }
}
