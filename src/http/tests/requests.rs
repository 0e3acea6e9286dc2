//! GETs: bodies, headers, each error cause, retries, timeouts, offline mode, proxies.

use crate::hint::Hint;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use super::super::{Client, Error, Page, ProxyEnv, Settings};
use super::{client, settings};
use den_test_server::{Proxy, Response, Server};

fn ok(body: &str) -> Response {
    Response::full(body.as_bytes().to_vec())
}

#[test]
fn serves_a_body_with_den_user_agent_and_extra_headers() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(|_, _| ok("hello\n"));
    let c = client(dir.path()).with_header("authorization", "Bearer t0k");
    assert_eq!(c.get_text(&server.url("/a")).unwrap(), "hello\n");
    let seen = &server.requests()[0];
    assert_eq!(seen.line, "GET /a HTTP/1.1");
    assert_eq!(seen.header("user-agent"), Some(concat!("den/", env!("CARGO_PKG_VERSION"))));
    assert_eq!(seen.header("authorization"), Some("Bearer t0k"));
}

#[test]
fn follows_the_next_link_of_a_paginated_answer() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(|r, _| {
        let next = if r.line.contains("page=2") { "" } else { "page=2" };
        let link = format!("<http://{}/releases?{next}>; rel=\"next\"", r.header("host").unwrap_or_default());
        let headers = if next.is_empty() { vec![] } else { vec![("link", link)] };
        Response::status(200, headers, format!("[{}]", r.line.len()))
    });
    let c = client(dir.path());
    let first: Page = c.get(&server.url("/releases")).unwrap();
    let next = first.next.expect("a next page");
    assert_eq!(next, server.url("/releases?page=2"));
    assert_eq!(c.get(&next).unwrap().next, None);
}

#[test]
fn parses_json_and_names_the_url_when_it_is_not_json() {
    let dir = tempfile::tempdir().unwrap();
    let server =
        Server::start(|r, _| if r.line.contains("/good") { ok(r#"{"v":[1,2]}"#) } else { ok("<html>") });
    let v: serde_json::Value = client(dir.path()).get_json(&server.url("/good")).unwrap();
    assert_eq!(v["v"][1], 2);
    let err = client(dir.path()).get_json::<serde_json::Value>(&server.url("/bad")).unwrap_err();
    assert!(err.to_string().starts_with(&format!("unexpected answer from {}: bad JSON", server.url("/bad"))));
}

#[test]
fn not_found_is_not_retried() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(|_, _| Response::status(404, vec![], "nope".into()));
    let err = client(dir.path()).get_text(&server.url("/v9")).unwrap_err();
    assert_eq!(err.to_string(), format!("{} was not found (HTTP 404)", server.url("/v9")));
    assert_eq!(server.requests().len(), 1);
}

#[test]
fn a_403_with_no_requests_left_is_a_rate_limit_with_the_token_hint() {
    let dir = tempfile::tempdir().unwrap();
    let reset = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs() + 590;
    let server = Server::start(move |r, _| {
        if r.line.contains("/limited") {
            let headers =
                vec![("x-ratelimit-remaining", "0".into()), ("x-ratelimit-reset", reset.to_string())];
            Response::status(403, headers, "{\"message\":\"API rate limit exceeded\"}".into())
        } else {
            Response::status(403, vec![], "forbidden\nmore".into())
        }
    });
    let err = client(dir.path()).get_text(&server.url("/limited")).unwrap_err();
    assert!(matches!(err, Error::RateLimited { reset: Some(_), .. }));
    assert_eq!(
        err.to_string(),
        format!(
            "{} refused the request: rate limit reached (it resets in about 10 min)",
            server.url("/limited")
        )
    );
    assert!(err.hint().unwrap().contains("GITHUB_TOKEN (or GH_TOKEN)"));
    let plain = client(dir.path()).get_text(&server.url("/other")).unwrap_err();
    assert_eq!(plain.to_string(), format!("{} answered HTTP 403: forbidden", server.url("/other")));
    assert_eq!(server.requests().len(), 2);
}

#[test]
fn a_429_is_a_rate_limit_and_is_not_retried() {
    let dir = tempfile::tempdir().unwrap();
    let server =
        Server::start(|_, _| Response::status(429, vec![("retry-after", "120".into())], String::new()));
    let err = client(dir.path()).get_text(&server.url("/x")).unwrap_err();
    assert!(err.to_string().ends_with("rate limit reached (it resets in about 2 min)"), "{err}");
    assert_eq!(server.requests().len(), 1);
}

#[test]
fn a_server_error_is_retried_until_it_answers() {
    let dir = tempfile::tempdir().unwrap();
    let server =
        Server::start(|_, n| if n == 0 { Response::status(500, vec![], "boom".into()) } else { ok("fine") });
    assert_eq!(client(dir.path()).get_text(&server.url("/x")).unwrap(), "fine");
    assert_eq!(server.requests().len(), 2);
}

#[test]
fn a_server_error_that_persists_fails_after_every_attempt() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(|_, _| Response::status(503, vec![], "down for maintenance\n".into()));
    let err = client(dir.path()).get_text(&server.url("/x")).unwrap_err();
    assert_eq!(err.to_string(), format!("{} answered HTTP 503: down for maintenance", server.url("/x")));
    assert_eq!(server.requests().len(), 3);
}

#[test]
fn a_client_error_is_never_retried() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(|_, _| Response::status(400, vec![], String::new()));
    let err = client(dir.path()).get_text(&server.url("/x")).unwrap_err();
    assert_eq!(err.to_string(), format!("{} answered HTTP 400", server.url("/x")));
    assert_eq!(server.requests().len(), 1);
}

#[test]
fn a_server_that_never_answers_times_out_and_is_retried() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(|_, _| Response::hang());
    let mut s = settings(dir.path());
    s.read_timeout = Duration::from_millis(500);
    s.attempts = 2;
    let began = Instant::now();
    let err = Client::new(s).get_text(&server.url("/slow")).unwrap_err();
    assert!(began.elapsed() < Duration::from_secs(5), "{:?}", began.elapsed());
    // The message states the real wait: both silences, not one.
    let message = err.to_string();
    assert!(
        message.starts_with(&format!("{} sent nothing for 0.5 s, 2 times (", server.url("/slow"))),
        "{message}"
    );
    let Error::Timeout { tries: 2, waited, .. } = err else { panic!("{err:?}") };
    assert!(waited >= Duration::from_secs(1), "{waited:?}");
    assert!(err.hint().unwrap().contains("DEN_HTTP_TIMEOUT"));
    assert_eq!(server.requests().len(), 2);
}

#[test]
fn a_redirect_loop_is_refused_without_retrying() {
    let dir = tempfile::tempdir().unwrap();
    let server =
        Server::start(|_, _| Response::status(302, vec![("location", "/loop".into())], String::new()));
    let err = client(dir.path()).get_text(&server.url("/loop")).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("{} redirects more than 10 times (a redirect loop); den gave up", server.url("/loop"))
    );
    assert!(!err.is_transient());
    assert_eq!(server.requests().len(), 11, "the first request and 10 redirects, once");
}

#[test]
fn plain_http_is_refused_for_other_hosts_before_any_connection() {
    let dir = tempfile::tempdir().unwrap();
    let err = client(dir.path()).get_text("http://example.invalid/x").unwrap_err();
    assert!(matches!(err, Error::InsecureHttp { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        "http://example.invalid/x uses plain http:// to example.invalid, which is not this machine; \
         den refuses unencrypted downloads"
    );
    assert!(err.hint().unwrap().contains("insecure_http = [\"example.invalid\"]"), "{:?}", err.hint());
    // A redirect from this machine to another host over http is refused the same way.
    let server = Server::start(|_, _| {
        Response::status(302, vec![("location", "http://example.invalid/y".into())], String::new())
    });
    let err = client(dir.path()).get_text(&server.url("/x")).unwrap_err();
    assert!(matches!(err, Error::InsecureHttp { ref host, .. } if host == "example.invalid"), "{err:?}");
    assert_eq!(server.requests().len(), 1);
    // Opted in by the user config: allowed (and then the name does not resolve).
    let mut s = settings(dir.path());
    s.insecure_http = vec!["example.invalid".into()];
    s.attempts = 1;
    let err = Client::new(s).get_text("http://example.invalid/x").unwrap_err();
    assert!(matches!(err, Error::Connect { .. }), "{err:?}");
}

#[test]
fn a_refused_connection_names_the_url_and_suggests_proxy_and_offline() {
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let url = format!("http://127.0.0.1:{port}/x");
    let err = client(dir.path()).get_text(&url).unwrap_err();
    assert!(matches!(err, Error::Connect { .. }), "{err:?}");
    assert!(err.to_string().starts_with(&format!("cannot reach {url}: ")), "{err}");
    let help = err.hint().unwrap();
    assert!(help.contains("HTTPS_PROXY") && help.contains("--offline"), "{help}");
}

#[test]
fn offline_mode_makes_no_request() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(|_, _| ok("x"));
    let mut s = settings(dir.path());
    s.offline = true;
    let err = Client::new(s).get_text(&server.url("/x")).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("{} is needed but den is offline and has no cached copy", server.url("/x"))
    );
    assert!(server.requests().is_empty());
}

fn with_proxy_vars(dir: &std::path::Path, vars: &[(&str, String)]) -> Client {
    let mut s = settings(dir);
    s.proxies = ProxyEnv::from_lookup(&|name| vars.iter().find(|(k, _)| *k == name).map(|(_, v)| v.clone()));
    Client::new(s)
}

#[test]
fn http_proxy_routes_the_request_through_the_proxy() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(|_, _| ok("via proxy"));
    let proxy = Proxy::start();
    let c = with_proxy_vars(dir.path(), &[("HTTP_PROXY", proxy.url())]);
    assert_eq!(c.get_text(&server.url("/p")).unwrap(), "via proxy");
    assert_eq!(proxy.lines(), vec![format!("CONNECT {} HTTP/1.1", server.addr())]);
    assert_eq!(server.requests()[0].line, "GET /p HTTP/1.1");
}

#[test]
fn no_proxy_sends_the_request_directly() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(|_, _| ok("direct"));
    let proxy = Proxy::start();
    let vars =
        [("http_proxy", proxy.url()), ("NO_PROXY", format!("localhost,127.0.0.1:{}", server.addr().port()))];
    assert_eq!(with_proxy_vars(dir.path(), &vars).get_text(&server.url("/d")).unwrap(), "direct");
    assert!(proxy.lines().is_empty());
    assert_eq!(server.requests().len(), 1);
}

#[test]
fn settings_from_lookup_wire_the_proxy_too() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(|_, _| ok("ok"));
    let proxy = Proxy::start();
    let url = proxy.url();
    let s = Settings::from_lookup(false, &|n| (n == "ALL_PROXY").then(|| url.clone()), dir.path().into());
    assert_eq!(Client::new(s).get_text(&server.url("/a")).unwrap(), "ok");
    assert_eq!(proxy.lines().len(), 1);
}

#[test]
fn https_to_a_server_without_tls_fails_naming_the_url() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(|_, _| ok("plain"));
    let url = server.url("/x").replacen("http://", "https://", 1);
    let err = client(dir.path()).get_text(&url).unwrap_err();
    assert!(err.to_string().starts_with(&format!("cannot reach {url}: ")), "{err}");
}
