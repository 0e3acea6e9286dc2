//! TLS: certificates are checked against the system store, so a server whose certificate
//! no trusted authority signed is refused with a TLS error (not retried) whose help
//! explains how a TLS-intercepting proxy's CA is trusted. With the test certificate
//! trusted, a redirect from https to plain http is refused before it is followed.

use crate::hint::Hint;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::Arc;
use std::thread;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

use super::super::Error;
use super::client;

const CERT: &str = include_str!("fixtures/untrusted-cert.pem");
const KEY: &str = include_str!("fixtures/untrusted-key.pem");

/// A TLS server for `127.0.0.1` with a self-signed certificate; returns its port.
fn untrusted_server() -> u16 {
    tls_server(|_| None)
}

/// The same server answering each request head with what `answer` gives for its target
/// (`None`: read and hang up); returns its port.
fn tls_server(answer: impl Fn(&str) -> Option<String> + Send + Sync + 'static) -> u16 {
    let certs = vec![CertificateDer::from_pem_slice(CERT.as_bytes()).unwrap()];
    let key = PrivateKeyDer::from_pem_slice(KEY.as_bytes()).unwrap();
    let config =
        rustls::ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(certs, key)
            .unwrap();
    let config = Arc::new(config);
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    thread::spawn(move || {
        for tcp in listener.incoming().flatten() {
            let conn = rustls::ServerConnection::new(config.clone()).unwrap();
            let mut tls = BufReader::new(rustls::StreamOwned::new(conn, tcp));
            let mut line = String::new();
            if tls.read_line(&mut line).is_err() {
                continue;
            }
            let target = line.split_whitespace().nth(1).unwrap_or_default().to_string();
            while line.trim() != "" {
                line.clear();
                if tls.read_line(&mut line).unwrap_or(0) == 0 {
                    break;
                }
            }
            let Some(reply) = answer(&target) else { continue };
            let mut tls = tls.into_inner();
            let _ = tls.write_all(reply.as_bytes()).and_then(|_| tls.flush());
            tls.conn.send_close_notify();
            let _ = tls.flush();
        }
    });
    port
}

#[test]
fn a_redirect_from_https_to_http_is_refused_before_it_is_followed() {
    let dir = tempfile::tempdir().unwrap();
    let plain = den_test_server::Server::start(|_, _| den_test_server::Response::full(b"x".to_vec()));
    let downgrade = plain.url("/stolen");
    let port = tls_server(move |target| {
        let reply = |head: String| Some(format!("{head}\r\nconnection: close\r\n\r\n"));
        match target {
            "/ok" => Some("HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok".into()),
            "/https" => reply("HTTP/1.1 302 Found\r\nlocation: /ok\r\ncontent-length: 0".into()),
            _ => reply(format!("HTTP/1.1 302 Found\r\nlocation: {downgrade}\r\ncontent-length: 0")),
        }
    });
    let mut s = super::settings(dir.path());
    s.test_root = Some(CERT);
    let client = super::super::Client::new(s);
    // The certificate is trusted: https to https is followed.
    assert_eq!(client.get_text(&format!("https://127.0.0.1:{port}/https")).unwrap(), "ok");
    let url = format!("https://127.0.0.1:{port}/download");
    let err = client.get_text(&url).unwrap_err();
    assert!(matches!(err, Error::Redirect { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        format!("{url} redirects from https to `{}`; den follows https only to https", plain.url("/stolen"))
    );
    assert!(!err.is_transient());
    assert!(plain.requests().is_empty(), "the plain http URL was never requested");
}

#[test]
fn an_untrusted_certificate_is_a_tls_error_with_the_system_store_hint() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("https://127.0.0.1:{}/x", untrusted_server());
    let err = client(dir.path()).get_text(&url).unwrap_err();
    assert!(matches!(err, Error::Tls { .. }), "{err:?}");
    assert!(err.to_string().starts_with(&format!("TLS error talking to {url}: ")), "{err}");
    assert!(err.to_string().contains("certificate"), "{err}");
    assert!(err.hint().unwrap().contains("system certificate store"));
}

#[test]
fn https_goes_through_the_https_proxy_tunnel() {
    let dir = tempfile::tempdir().unwrap();
    let port = untrusted_server();
    let proxy = den_test_server::Proxy::start();
    let mut s = super::settings(dir.path());
    let proxy_url = proxy.url();
    s.proxies = super::super::ProxyEnv::from_lookup(&|n| (n == "https_proxy").then(|| proxy_url.clone()));
    let err = super::super::Client::new(s).get_text(&format!("https://127.0.0.1:{port}/x")).unwrap_err();
    assert!(matches!(err, Error::Tls { .. }), "the TLS handshake reached the server: {err:?}");
    assert_eq!(proxy.lines(), [format!("CONNECT 127.0.0.1:{port} HTTP/1.1")]);
}
