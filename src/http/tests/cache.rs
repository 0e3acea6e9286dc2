//! The response cache: fresh entries make no request, stale ones are refreshed, offline
//! uses any copy, and an unreachable server falls back to a stale copy.

use std::time::Duration;

use super::super::{Client, Error};
use super::{client, settings};
use den_test_server::{Response, Server};

const HOUR: Duration = Duration::from_secs(3600);

#[test]
fn a_fresh_entry_makes_no_request_and_a_stale_one_is_refreshed() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(|_, n| Response::full(format!("list {n}").into_bytes()));
    let c = client(dir.path());
    let url = server.url("/index.json");
    assert_eq!(c.cached_get(&url, HOUR).unwrap(), "list 0");
    assert_eq!(c.cached_get(&url, HOUR).unwrap(), "list 0");
    assert_eq!(server.requests().len(), 1);
    assert_eq!(c.cached_get(&url, Duration::ZERO).unwrap(), "list 1");
    assert_eq!(server.requests().len(), 2);
    assert_eq!(std::fs::read_dir(dir.path().join("http-v1")).unwrap().count(), 1);
    let refreshing = Client::new(super::super::Settings { refresh: true, ..settings(dir.path()) });
    assert_eq!(refreshing.cached_get(&url, HOUR).unwrap(), "list 2", "refresh ignores the age");
    assert_eq!(c.cached_get(&url, HOUR).unwrap(), "list 2", "and the fresh copy is cached");
}

#[test]
fn offline_uses_any_cached_copy_and_names_what_is_missing() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(|_, _| Response::full(b"[1,2,3]".to_vec()));
    let url = server.url("/versions");
    client(dir.path()).cached_get(&url, HOUR).unwrap();
    let mut s = settings(dir.path());
    s.offline = true;
    let offline = Client::new(s);
    let v: Vec<u32> = offline.cached_get_json(&url, Duration::ZERO).unwrap();
    assert_eq!(v, [1, 2, 3]);
    let missing = server.url("/other");
    let err = offline.cached_get(&missing, HOUR).unwrap_err();
    assert!(matches!(&err, Error::Offline { url } if *url == missing), "{err:?}");
    assert_eq!(server.requests().len(), 1);
}

#[test]
fn an_unreachable_server_falls_back_to_a_stale_copy() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(|_, n| {
        if n == 0 {
            Response::full(b"old list".to_vec())
        } else {
            Response::status(502, vec![], String::new())
        }
    });
    let url = server.url("/list");
    let c = client(dir.path());
    c.cached_get(&url, HOUR).unwrap();
    let err = c.cached_get(&url, Duration::ZERO).unwrap_err();
    assert!(matches!(err, Error::Status { code: 502, .. }), "a server that answers is believed: {err:?}");
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let gone = format!("http://127.0.0.1:{port}/list");
    let cache_file = std::fs::read_dir(dir.path().join("http-v1")).unwrap().next().unwrap().unwrap().path();
    let entry = std::fs::read_to_string(&cache_file).unwrap().replacen(&url, &gone, 1);
    std::fs::write(&cache_file, entry).unwrap();
    std::fs::rename(&cache_file, cache_file.with_file_name(sha_hex(&gone))).unwrap();
    assert_eq!(c.cached_get(&gone, Duration::ZERO).unwrap(), "old list");
}

fn sha_hex(s: &str) -> String {
    use sha2::Digest;
    crate::artifact::checksum::to_hex(&sha2::Sha256::digest(s.as_bytes()))
}
