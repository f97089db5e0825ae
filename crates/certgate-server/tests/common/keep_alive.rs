//! One TLS connection kept open across requests (HTTP/1.1 keep-alive), for what must hold on
//! a connection that outlives a reload. Every read is bounded in count and time.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::Arc;
use std::time::Duration;

use certgate::Verifier;
use certgate_rustls::{client_config, ClientIdentity};
use rustls::pki_types::ServerName;
use rustls::{ClientConnection, StreamOwned};

use super::pki::{Ca, Identity};

/// An open connection to the server as one client.
pub struct KeepAlive(StreamOwned<ClientConnection, TcpStream>);

impl KeepAlive {
    /// Connects to `addr` as `identity`, trusting `root` for the server.
    pub fn open(addr: SocketAddr, root: &Ca, identity: &Identity) -> Self {
        let trust = Verifier::builder()
            .trust(root.cert_pem().as_bytes())
            .and_then(|b| b.build())
            .expect("client trust");
        let identity =
            ClientIdentity::from_pem(identity.chain_pem().as_bytes(), identity.key_pem.as_bytes())
                .expect("identity");
        let config = client_config(Arc::new(trust), Some(identity)).expect("client config");
        let sock = TcpStream::connect_timeout(&addr, Duration::from_secs(10)).expect("connect");
        sock.set_read_timeout(Some(Duration::from_secs(10)))
            .expect("timeout");
        let name = ServerName::try_from("localhost").expect("server name");
        let conn = ClientConnection::new(Arc::new(config), name).expect("client connection");
        Self(StreamOwned::new(conn, sock))
    }

    /// `GET path` on this connection, which stays open: the status and the JSON body.
    pub fn get(&mut self, path: &str) -> (u16, serde_json::Value) {
        let request = format!("GET {path} HTTP/1.1\r\nHost: localhost\r\n\r\n");
        self.0
            .write_all(request.as_bytes())
            .expect("request on the open connection");
        let mut response = Vec::new();
        let mut buf = [0u8; 4096];
        // The answers are small: 64 reads of up to 4 KiB bound the loop.
        for _ in 0..64 {
            if let Some((status, length, head)) = parse_head(&response) {
                if response.len() >= head + length {
                    let body = &response[head..head + length];
                    let json = serde_json::from_slice(body).expect("JSON body");
                    return (status, json);
                }
            }
            let n = self
                .0
                .read(&mut buf)
                .expect("response on the open connection");
            assert!(n > 0, "the server closed the connection");
            response.extend_from_slice(&buf[..n]);
        }
        panic!(
            "no complete response: {}",
            String::from_utf8_lossy(&response)
        );
    }
}

/// The status, content-length and head length of a response whose head has arrived.
fn parse_head(response: &[u8]) -> Option<(u16, usize, usize)> {
    let end = response.windows(4).position(|w| w == b"\r\n\r\n")? + 4;
    let head = std::str::from_utf8(&response[..end]).ok()?;
    let status = head.split(' ').nth(1)?.parse().ok()?;
    Some((status, super::content_length(head)?, end))
}
