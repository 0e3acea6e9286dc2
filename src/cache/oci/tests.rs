//! The registry client against a fake registry that demands a Bearer token (the flow of
//! GHCR, Docker Hub and GitLab, which the real test registry's htpasswd mode does not
//! use): the challenge, an anonymous token for the pull scope, the retried request.

use std::sync::{Arc, Mutex};

use den_test_server::{Response, Server};
use sha2::{Digest, Sha256};

use super::*;
use crate::http::{NoProgress, Settings};

fn hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// A registry serving `served` as the blob whose digest is that of `pinned`, behind a token,
/// through a redirect to its storage.
fn registry(pinned: &'static [u8], served: &'static [u8]) -> (Server, Arc<Mutex<Vec<String>>>) {
    let tokens = Arc::new(Mutex::new(Vec::new()));
    let seen = tokens.clone();
    let blob = format!("/v2/team/den/blobs/sha256:{}", hex(pinned));
    let server = Server::start(move |req, _| {
        if req.path == "/storage/blob" {
            // Like a bucket's pre-signed URL: the registry's token must not follow the redirect.
            return match req.header("authorization") {
                None => Response::file("application/octet-stream", served),
                Some(_) => Response::status(400, vec![], "credentials sent to storage".into()),
            };
        }
        if req.path == "/token" {
            seen.lock().unwrap().push(format!(
                "{}|{}",
                req.query,
                req.header("authorization").unwrap_or("-")
            ));
            return Response::json(200, r#"{"token":"tok-pull"}"#);
        }
        if req.header("authorization") != Some("Bearer tok-pull") {
            let realm = format!(
                "Bearer realm=\"http://{}/token\",service=\"fake\"",
                req.header("host").unwrap_or("")
            );
            return Response::status(401, vec![("www-authenticate", realm)], "{\"errors\":[]}".into());
        }
        match req.path == blob {
            true if req.method == "HEAD" => Response::status(200, vec![], String::new()),
            true => Response::redirect(307, "/storage/blob"),
            false => Response::status(404, vec![], String::new()),
        }
    });
    (server, tokens)
}

fn open(server: &Server) -> Registry {
    let remote = Remote::parse(&format!("oci://{}/team/den", server.addr()), None).unwrap();
    let tmp = std::env::temp_dir();
    let client = Client::new(Settings::from_lookup(false, &|_| None, tmp));
    let mut reg = Registry::open(&remote, &client, false).unwrap();
    // Anonymous, whatever credentials the shell running the tests has (DEN_CACHE_USERNAME).
    reg.creds = None;
    reg
}

/// jq 1 for linux-x64, 14 bytes with `checksum`.
fn jq(checksum: &Checksum) -> Want<'_> {
    Want {
        tool: "jq",
        version: "1",
        platform: "linux-x64",
        checksum,
        size: Some(14),
        url: "u",
        package: None,
    }
}

#[test]
fn fetches_with_an_anonymous_bearer_token_through_a_redirect_and_verifies() {
    let (server, tokens) = registry(b"artifact bytes", b"artifact bytes");
    let reg = open(&server);
    let sum: Checksum = format!("sha256:{}", hex(b"artifact bytes")).parse().unwrap();
    let want = jq(&sum);
    let tmp = tempfile::tempdir().unwrap();
    let dest = tmp.path().join("a");
    let done = reg.fetch(&want, &dest, &NoProgress).unwrap().expect("served");
    assert_eq!(done.size, 14);
    assert_eq!(std::fs::read(&dest).unwrap(), b"artifact bytes");
    let tokens = tokens.lock().unwrap();
    assert_eq!(tokens.as_slice(), ["scope=repository:team/den:pull&service=fake|-"], "one anonymous token");

    let other: Checksum = format!("sha256:{}", hex(b"missing")).parse().unwrap();
    let missing = Want { checksum: &other, ..want };
    assert!(reg.fetch(&missing, &dest, &NoProgress).unwrap().is_none());
}

#[test]
fn other_bytes_than_pinned_are_a_mismatch() {
    let (server, _) = registry(b"artifact bytes", b"evil bytes!!!!");
    let reg = open(&server);
    let sum: Checksum = format!("sha256:{}", hex(b"artifact bytes")).parse().unwrap();
    let want = jq(&sum);
    let tmp = tempfile::tempdir().unwrap();
    let err = reg.fetch(&want, &tmp.path().join("a"), &NoProgress).unwrap_err();
    assert!(err.is_mismatch(), "{err}");
    assert!(!tmp.path().join("a").exists(), "the refused bytes were kept");
}

#[test]
fn digests_and_hosts() {
    assert!(is_digest(manifest::EMPTY_DIGEST));
    assert!(!is_digest("sha256:../../x") && !is_digest("sha512:ab"));
    assert!(is_loopback("127.0.0.1:5000") && is_loopback("localhost") && is_loopback("[::1]:5000"));
    assert!(!is_loopback("reg.example:5000") && !is_loopback("10.0.0.1"));
    assert_eq!(join("http://h:1", "/v2/r/blobs/uploads/x?a=1"), "http://h:1/v2/r/blobs/uploads/x?a=1");
}
