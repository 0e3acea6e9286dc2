//! TLS: certificates are checked against the system store, so a server whose certificate
//! no trusted authority signed is refused with a TLS error (not retried) whose help
//! explains how a TLS-intercepting proxy's CA is trusted.

use std::io::Read;
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
            let mut tls = rustls::StreamOwned::new(conn, tcp);
            let _ = tls.read(&mut [0u8; 1024]);
        }
    });
    port
}

#[test]
fn an_untrusted_certificate_is_a_tls_error_with_the_system_store_hint() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("https://127.0.0.1:{}/x", untrusted_server());
    let err = client(dir.path()).get_text(&url).unwrap_err();
    assert!(matches!(err, Error::Tls { .. }), "{err:?}");
    assert!(err.to_string().starts_with(&format!("TLS error talking to {url}: ")), "{err}");
    assert!(err.to_string().contains("certificate"), "{err}");
    assert!(err.help().unwrap().contains("system certificate store"));
}

#[test]
fn https_goes_through_the_https_proxy_tunnel() {
    let dir = tempfile::tempdir().unwrap();
    let port = untrusted_server();
    let proxy = super::super::test_server::Proxy::start();
    let mut s = super::settings(dir.path());
    let proxy_url = proxy.url();
    s.proxies = super::super::ProxyEnv::from_lookup(&|n| (n == "https_proxy").then(|| proxy_url.clone()));
    let err = super::super::Client::new(s).get_text(&format!("https://127.0.0.1:{port}/x")).unwrap_err();
    assert!(matches!(err, Error::Tls { .. }), "the TLS handshake reached the server: {err:?}");
    assert_eq!(proxy.lines(), [format!("CONNECT 127.0.0.1:{port} HTTP/1.1")]);
}
