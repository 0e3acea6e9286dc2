//! Downloads: checksums, resume with Range (within one call and across calls), restarts
//! when the server ignores or refuses the range, mismatches, and progress reports.

use crate::hint::Hint;
use sha2::{Digest, Sha256};

use super::super::{Checksum, Client, Downloaded, Error, NoProgress};
use super::{Recorded, client, payload, settings};
use crate::artifact::checksum::to_hex;
use den_test_server::{Response, Server};

fn sha256_of(data: &[u8]) -> Checksum {
    format!("sha256:{}", to_hex(&Sha256::digest(data))).parse().unwrap()
}

#[test]
fn downloads_and_verifies_a_sha256() {
    let dir = tempfile::tempdir().unwrap();
    let body = payload(200_000);
    let served = body.clone();
    let server = Server::start(move |_, _| Response::body(served.clone()));
    let dest = dir.path().join("dl/node.tar.gz.part");
    let progress = Recorded::default();
    let got: Downloaded = client(dir.path())
        .download(&server.url("/node.tgz"), &dest, Some(&sha256_of(&body)), None, &progress)
        .unwrap();
    assert_eq!(got.size, 200_000);
    assert_eq!(got.checksum, sha256_of(&body));
    assert_eq!(std::fs::read(&dest).unwrap(), body);
    assert_eq!(progress.events(), ["start Some(200000)", "advance 200000", "finish"]);
    assert_eq!(server.requests()[0].header("accept-encoding"), Some("identity"));
    assert_eq!(server.requests()[0].header("range"), None);
}

#[test]
fn verifies_an_npm_sha512_integrity() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(|_, _| Response::body(b"abc".to_vec()));
    let integrity: Checksum =
        "sha512-3a81oZNherrMQXNJriBBMRLm+k6JqX6iCp7u5ktV05ohkpkqJ0/BqDa6PCOj/uu9RU1EI2Q86A4qmslPpUyknw=="
            .parse()
            .unwrap();
    let dest = dir.path().join("pkg.tgz.part");
    let got = client(dir.path())
        .download(&server.url("/pkg.tgz"), &dest, Some(&integrity), None, &NoProgress)
        .unwrap();
    assert_eq!(got.checksum, integrity);
}

#[test]
fn a_checksum_mismatch_names_both_digests_and_leaves_no_file() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(|_, _| Response::body(b"tampered".to_vec()));
    let dest = dir.path().join("x.part");
    let expected = sha256_of(b"original");
    let progress = Recorded::default();
    let err =
        client(dir.path()).download(&server.url("/x"), &dest, Some(&expected), None, &progress).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "checksum mismatch for {}: expected {expected}, got {}",
            server.url("/x"),
            sha256_of(b"tampered")
        )
    );
    assert!(!dest.exists());
    assert_eq!(progress.events().last().unwrap(), "abandon");
}

#[test]
fn a_cut_transfer_resumes_with_range_in_the_same_call() {
    let dir = tempfile::tempdir().unwrap();
    let body = payload(50_000);
    let served = body.clone();
    let server = Server::start(move |_, n| {
        if n == 0 { Response::cut(served.clone(), 20_000) } else { Response::body(served.clone()) }
    });
    let dest = dir.path().join("x.part");
    let progress = Recorded::default();
    let got = client(dir.path())
        .download(&server.url("/x"), &dest, Some(&sha256_of(&body)), None, &progress)
        .unwrap();
    assert_eq!(got.size, 50_000);
    assert_eq!(std::fs::read(&dest).unwrap(), body);
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    assert_eq!(requests[1].header("range"), Some("bytes=20000-"));
    assert_eq!(
        progress.events(),
        ["start Some(50000)", "advance 20000", "start Some(50000)", "advance 50000", "finish"]
    );
}

#[test]
fn an_interrupted_download_resumes_in_the_next_call() {
    let dir = tempfile::tempdir().unwrap();
    let body = payload(30_000);
    let served = body.clone();
    let server = Server::start(move |_, n| {
        if n == 0 { Response::cut(served.clone(), 12_345) } else { Response::body(served.clone()) }
    });
    let dest = dir.path().join("x.part");
    let mut once = settings(dir.path());
    once.attempts = 1;
    let err = Client::new(once).download(&server.url("/x"), &dest, None, None, &NoProgress).unwrap_err();
    assert!(matches!(err, Error::Truncated { got: 12_345, total: 30_000, .. }), "{err:?}");
    assert_eq!(std::fs::metadata(&dest).unwrap().len(), 12_345);
    let got = client(dir.path())
        .download(&server.url("/x"), &dest, Some(&sha256_of(&body)), None, &NoProgress)
        .unwrap();
    assert_eq!(got.checksum, sha256_of(&body));
    assert_eq!(server.requests()[1].header("range"), Some("bytes=12345-"));
}

#[test]
fn a_server_ignoring_the_range_restarts_from_zero() {
    let dir = tempfile::tempdir().unwrap();
    let body = payload(10_000);
    let served = body.clone();
    let server = Server::start(move |_, _| Response::full(served.clone()));
    let dest = dir.path().join("x.part");
    std::fs::write(&dest, b"stale bytes from another file").unwrap();
    let got = client(dir.path())
        .download(&server.url("/x"), &dest, Some(&sha256_of(&body)), None, &NoProgress)
        .unwrap();
    assert_eq!(got.size, 10_000);
    assert_eq!(std::fs::read(&dest).unwrap(), body);
    assert_eq!(server.requests()[0].header("range"), Some("bytes=29-"));
}

#[test]
fn a_partial_file_longer_than_the_artifact_is_dropped() {
    let dir = tempfile::tempdir().unwrap();
    let body = payload(1_000);
    let served = body.clone();
    let server = Server::start(move |_, _| Response::body(served.clone()));
    let dest = dir.path().join("x.part");
    std::fs::write(&dest, payload(4_000)).unwrap();
    let got = client(dir.path())
        .download(&server.url("/x"), &dest, Some(&sha256_of(&body)), None, &NoProgress)
        .unwrap();
    assert_eq!(got.size, 1_000);
    let ranges: Vec<_> = server.requests().iter().map(|r| r.header("range").map(str::to_string)).collect();
    assert_eq!(ranges, [Some("bytes=4000-".to_string()), None]);
}

#[test]
fn a_missing_artifact_is_reported_once_and_offline_downloads_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(|_, _| Response::status(404, vec![], String::new()));
    let dest = dir.path().join("x.part");
    let err =
        client(dir.path()).download(&server.url("/v99.tgz"), &dest, None, None, &NoProgress).unwrap_err();
    assert!(matches!(err, Error::NotFound { .. }), "{err:?}");
    assert_eq!(server.requests().len(), 1);
    assert!(!dest.exists(), "no empty partial file is left");
    let mut offline = settings(dir.path());
    offline.offline = true;
    let err =
        Client::new(offline).download(&server.url("/v1.tgz"), &dest, None, None, &NoProgress).unwrap_err();
    assert!(matches!(err, Error::Offline { .. }), "{err:?}");
    assert_eq!(server.requests().len(), 1);
}

#[test]
fn a_redirected_download_keeps_its_range() {
    let dir = tempfile::tempdir().unwrap();
    let body = payload(8_000);
    let served = body.clone();
    let server = Server::start(move |r, _| {
        if r.line.starts_with("GET /latest") {
            let to = format!("http://{}/v1/x.tgz", r.header("host").unwrap_or_default());
            Response::status(302, vec![("location", to)], String::new())
        } else {
            Response::body(served.clone())
        }
    });
    let dest = dir.path().join("x.part");
    std::fs::write(&dest, &body[..3_000]).unwrap();
    let got = client(dir.path())
        .download(&server.url("/latest"), &dest, Some(&sha256_of(&body)), None, &NoProgress)
        .unwrap();
    assert_eq!(got.size, 8_000);
    let requests = server.requests();
    assert_eq!(requests[1].line, "GET /v1/x.tgz HTTP/1.1");
    assert_eq!(requests[1].header("range"), Some("bytes=3000-"));
}

#[test]
fn an_endless_body_stops_at_the_recorded_size() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(|_, _| Response::endless());
    let dest = dir.path().join("x.part");
    let expected = sha256_of(b"whatever");
    let err = client(dir.path())
        .download(&server.url("/x"), &dest, Some(&expected), Some(100_000), &NoProgress)
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "{} sent more than the 100000 bytes den.lock records for it; den stopped reading",
            server.url("/x")
        )
    );
    assert!(err.hint().unwrap().contains("den.lock"), "{:?}", err.hint());
    assert!(!err.is_transient());
    assert_eq!(server.requests().len(), 1);
    assert!(!dest.exists(), "nothing is kept");

    // Size unknown: the cap (DEN_MAX_DOWNLOAD) bounds it.
    let mut capped = settings(dir.path());
    capped.max_download = 1 << 20;
    let err = Client::new(capped).download(&server.url("/y"), &dest, None, None, &NoProgress).unwrap_err();
    assert!(matches!(err, Error::TooLarge { limit: 1_048_576, recorded: false, .. }), "{err:?}");
    assert!(err.to_string().contains("is larger than 1.0 MiB (DEN_MAX_DOWNLOAD"), "{err}");
    assert!(!dest.exists());
}

#[test]
fn an_announced_length_past_the_recorded_size_is_refused_before_reading() {
    let dir = tempfile::tempdir().unwrap();
    let body = payload(50_000);
    let served = body.clone();
    let server = Server::start(move |_, _| Response::full(served.clone()));
    let dest = dir.path().join("x.part");
    let progress = Recorded::default();
    let err = client(dir.path())
        .download(&server.url("/x"), &dest, Some(&sha256_of(&body)), Some(49_999), &progress)
        .unwrap_err();
    assert!(matches!(err, Error::TooLarge { limit: 49_999, recorded: true, .. }), "{err:?}");
    assert!(!progress.events().iter().any(|e| e.starts_with("advance")), "{:?}", progress.events());
    assert!(!dest.exists());
    // The right size downloads; a recorded 0 (a damaged record) bounds nothing.
    client(dir.path())
        .download(&server.url("/x"), &dest, Some(&sha256_of(&body)), Some(50_000), &NoProgress)
        .unwrap();
    std::fs::remove_file(&dest).unwrap();
    client(dir.path())
        .download(&server.url("/x"), &dest, Some(&sha256_of(&body)), Some(0), &NoProgress)
        .unwrap();
}

#[test]
fn a_complete_verified_partial_needs_no_request() {
    let dir = tempfile::tempdir().unwrap();
    let body = payload(20_000);
    let served = body.clone();
    let server = Server::start(move |_, _| Response::body(served.clone()));
    let dest = dir.path().join("x.part");
    std::fs::write(&dest, &body).unwrap();
    let got = client(dir.path())
        .download(&server.url("/x"), &dest, Some(&sha256_of(&body)), Some(20_000), &NoProgress)
        .unwrap();
    assert_eq!(got, Downloaded { size: 20_000, checksum: sha256_of(&body) });
    assert_eq!(server.requests().len(), 0);
    // A complete-looking file that does not verify is fetched again from the start.
    std::fs::write(&dest, payload(20_000).iter().map(|b| b ^ 1).collect::<Vec<u8>>()).unwrap();
    client(dir.path())
        .download(&server.url("/x"), &dest, Some(&sha256_of(&body)), Some(20_000), &NoProgress)
        .unwrap();
    assert_eq!(server.requests().len(), 1);
    assert_eq!(server.requests()[0].header("range"), None);
}
