//! The HTTP client: one ureq agent (system certificates, den's User-Agent, timeouts, no
//! implicit proxy), the proxy chosen per URL, redirects followed here (never from https to
//! http, at most [`MAX_REDIRECTS`]), retries with backoff, and answers turned into typed
//! errors. It never makes a request in offline mode, and never connects over plain http to
//! a host that is neither this machine nor opted in by the user config (`insecure_http`).

use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

#[cfg(test)]
use serde::de::DeserializeOwned;
use ureq::http::{HeaderMap, Response};
use ureq::tls::{RootCerts, TlsConfig};
use ureq::{Body, Timeout};

use super::error::HOST_NOT_FOUND;
use super::error::{Error, Result};
use super::settings::Settings;

/// Largest text body den reads into memory (package documents can be tens of MiB).
const TEXT_LIMIT: u64 = 256 * 1024 * 1024;

/// Redirects followed per request (GitHub's asset downloads take one, mirrors a few).
pub(super) const MAX_REDIRECTS: usize = 10;

/// A cheap-to-clone HTTP client; clones share connections.
#[derive(Clone)]
pub struct Client {
    agent: ureq::Agent,
    settings: Arc<Settings>,
    headers: Vec<(String, String)>,
}

/// A text answer and the URL of its next page (from a `Link: <…>; rel="next"` header),
/// for paginated APIs.
#[derive(Debug, Clone)]
pub struct Page {
    pub text: String,
    /// The resolver pages GitHub by number through the version-list cache, which keeps
    /// bodies only; this is for callers that follow `Link` themselves.
    #[cfg_attr(not(test), allow(dead_code))]
    pub next: Option<String>,
}

impl Client {
    /// A client with these settings; TLS is verified against the system store.
    pub fn new(settings: Settings) -> Self {
        #[cfg_attr(not(test), allow(unused_mut))]
        let mut roots = RootCerts::PlatformVerifier;
        #[cfg(test)]
        if let Some(pem) = settings.test_root {
            let cert = ureq::tls::Certificate::from_pem(pem.as_bytes()).expect("a PEM certificate");
            roots = RootCerts::new_with_certs(&[cert]);
        }
        let tls = TlsConfig::builder().root_certs(roots).build();
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .user_agent(format!("den/{}", env!("CARGO_PKG_VERSION")))
            .timeout_connect(Some(settings.connect_timeout))
            .timeout_per_read(Some(settings.read_timeout))
            .max_redirects(0)
            .proxy(None)
            .tls_config(tls)
            .build()
            .new_agent();
        Client { agent, settings: Arc::new(settings), headers: Vec::new() }
    }

    /// The same client sending one more header on every request (e.g. a token for an API).
    pub fn with_header(&self, name: &str, value: &str) -> Client {
        let mut client = self.clone();
        client.headers.push((name.to_string(), value.to_string()));
        client
    }

    /// The agent, for `request`.
    pub(super) fn agent(&self) -> &ureq::Agent {
        &self.agent
    }

    /// The headers sent on every request.
    pub(super) fn headers(&self) -> &[(String, String)] {
        &self.headers
    }

    /// The settings this client was made with.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// GET `url` as text, with the next page's URL if the server paginates.
    pub fn get(&self, url: &str) -> Result<Page> {
        self.retrying(|| {
            let response = self.send(url, &[])?;
            let next = next_link(response.headers());
            let text = self.read_text(url, response)?;
            Ok(Page { text, next })
        })
    }

    /// GET `url` as text.
    pub fn get_text(&self, url: &str) -> Result<String> {
        self.get(url).map(|p| p.text)
    }

    #[cfg(test)]
    /// GET `url` and parse its JSON.
    pub fn get_json<T: DeserializeOwned>(&self, url: &str) -> Result<T> {
        parse_json(url, &self.get_text(url)?)
    }

    /// One GET with the client's headers plus `extra`, following redirects; any non-2xx
    /// final answer is an error. Every URL (the first and each redirect's) is checked
    /// against the plain-http rule before a connection is made, and a redirect from https
    /// to http is refused. `Authorization` is sent to the first URL only.
    pub(super) fn send(&self, url: &str, extra: &[(&str, String)]) -> Result<Response<Body>> {
        if self.settings.offline {
            return Err(Error::Offline { url: url.to_string() });
        }
        let mut current = url.to_string();
        for hop in 0..=MAX_REDIRECTS {
            self.check_plain_http(url, &current)?;
            let response = self.send_once(&current, extra, hop == 0).map_err(|e| match e {
                // Name the URL the user gave, not the redirect's.
                Error::Timeout { timeout, connecting, tries, waited, .. } if hop > 0 => {
                    Error::Timeout { url: url.to_string(), timeout, connecting, tries, waited }
                }
                e => e,
            })?;
            let status = response.status().as_u16();
            let location = header(response.headers(), "location").map(str::to_string);
            let (true, Some(location)) = (matches!(status, 301 | 302 | 303 | 307 | 308), location) else {
                return check_status(url, response);
            };
            let next = join(&current, &location);
            if is_https(&current) && !is_https(&next) {
                let reason = format!("redirects from https to `{next}`; den follows https only to https");
                return Err(Error::Redirect { url: url.to_string(), reason });
            }
            current = next;
        }
        let reason = format!("redirects more than {MAX_REDIRECTS} times (a redirect loop); den gave up");
        Err(Error::Redirect { url: url.to_string(), reason })
    }

    fn send_once(&self, url: &str, extra: &[(&str, String)], first: bool) -> Result<Response<Body>> {
        let mut request = self.agent.get(url);
        for (name, value) in &self.headers {
            if first || !name.eq_ignore_ascii_case("authorization") {
                request = request.header(name, value);
            }
        }
        for (name, value) in extra {
            request = request.header(*name, value);
        }
        if let Some(proxy) = self.settings.proxies.proxy_for(url)? {
            request = request.config().proxy(Some(proxy)).build();
        }
        request.call().map_err(|e| self.classify(url, e))
    }

    /// Plain http only to this machine (127.0.0.0/8, ::1, `localhost`) or to a host the
    /// user config lists in `insecure_http`; `asked` is the URL named in the error.
    pub(super) fn check_plain_http(&self, asked: &str, url: &str) -> Result<()> {
        let Some(rest) = strip_scheme(url, "http://") else { return Ok(()) };
        let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
        let authority = authority.rsplit('@').next().unwrap_or_default().to_ascii_lowercase();
        let host = host_of(&authority);
        let allowed = self.settings.insecure_http.iter().any(|h| *h == authority || *h == host);
        if is_loopback(host) || allowed {
            return Ok(());
        }
        let host = if self.settings.insecure_http.is_empty() { host.to_string() } else { authority };
        Err(Error::InsecureHttp { url: asked.to_string(), host })
    }

    /// Runs `attempt` until it succeeds, fails for good, or the attempts are used up,
    /// sleeping `backoff`, then twice that, between tries. A timeout that ends it says how
    /// many tries were made and how long they took in all.
    pub(super) fn retrying<T>(&self, mut attempt: impl FnMut() -> Result<T>) -> Result<T> {
        let started = Instant::now();
        let mut delay = self.settings.backoff;
        let mut tries = 1;
        loop {
            match attempt() {
                Err(e) if e.worth_retrying() && tries < self.settings.attempts => {
                    thread::sleep(delay);
                    delay = delay.saturating_mul(2);
                    tries += 1;
                }
                Err(Error::Timeout { url, timeout, connecting, .. }) => {
                    return Err(Error::Timeout {
                        url,
                        timeout,
                        connecting,
                        tries,
                        waited: started.elapsed(),
                    });
                }
                result => return result,
            }
        }
    }

    fn read_text(&self, url: &str, response: Response<Body>) -> Result<String> {
        let mut body = response.into_body();
        body.with_config().limit(TEXT_LIMIT).read_to_string().map_err(|e| match e {
            ureq::Error::BodyExceedsLimit(_) | ureq::Error::Decompress(..) => {
                Error::Body { url: url.to_string(), reason: e.to_string() }
            }
            other => self.classify(url, other),
        })
    }

    /// Maps a transport failure to its cause.
    pub(super) fn classify(&self, url: &str, err: ureq::Error) -> Error {
        let url = url.to_string();
        let timeout = |timeout: Duration, connecting: bool| Error::Timeout {
            url: url.clone(),
            timeout,
            connecting,
            tries: 1,
            waited: timeout,
        };
        match err {
            ureq::Error::Timeout(Timeout::Connect | Timeout::Resolve) => {
                timeout(self.settings.connect_timeout, true)
            }
            ureq::Error::Timeout(_) => timeout(self.settings.read_timeout, false),
            ureq::Error::Io(e) if e.kind() == std::io::ErrorKind::TimedOut => {
                timeout(self.settings.read_timeout, false)
            }
            ureq::Error::Io(e) if e.get_ref().is_some_and(|inner| inner.is::<rustls::Error>()) => {
                Error::Tls { url, reason: e.to_string() }
            }
            ureq::Error::HostNotFound => Error::Connect { url, reason: HOST_NOT_FOUND.into() },
            // The system resolver's failure (`getaddrinfo`), which ureq passes on as I/O.
            ureq::Error::Io(e) if e.to_string().starts_with("failed to lookup address information") => {
                Error::Connect { url, reason: format!("{}: {e}", HOST_NOT_FOUND) }
            }
            ureq::Error::ConnectProxyFailed(why) => Error::Connect { url, reason: format!("proxy: {why}") },
            ureq::Error::Tls(why) => Error::Tls { url, reason: why.into() },
            ureq::Error::Rustls(why) => Error::Tls { url, reason: why.to_string() },
            other => Error::Connect { url, reason: other.to_string() },
        }
    }
}

/// Turns a non-2xx answer into its error: 404/410, rate limits, the rest with a detail.
fn check_status(url: &str, response: Response<Body>) -> Result<Response<Body>> {
    let code = response.status().as_u16();
    let url = url.to_string();
    match code {
        200..=299 => Ok(response),
        404 | 410 => Err(Error::NotFound { url, code }),
        403 | 429 if code == 429 || is_rate_limit(response.headers()) => {
            Err(Error::RateLimited { url, reset: rate_limit_reset(response.headers()) })
        }
        _ => {
            let mut body = response.into_body();
            let text = body.with_config().limit(4096).read_to_string().unwrap_or_default();
            let line = text.lines().map(str::trim).find(|l| !l.is_empty()).unwrap_or_default();
            let detail = (!line.is_empty() && line.len() <= 200).then(|| line.to_string());
            Err(Error::Status { url, code, detail })
        }
    }
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok()).map(str::trim)
}

fn is_rate_limit(headers: &HeaderMap) -> bool {
    header(headers, "x-ratelimit-remaining") == Some("0") || headers.contains_key("retry-after")
}

/// When the limit lifts: `retry-after` seconds from now, else `x-ratelimit-reset` (epoch).
fn rate_limit_reset(headers: &HeaderMap) -> Option<SystemTime> {
    let secs = |name| header(headers, name).and_then(|v| v.parse::<u64>().ok());
    secs("retry-after")
        .map(|s| SystemTime::now() + Duration::from_secs(s))
        .or_else(|| secs("x-ratelimit-reset").map(|s| UNIX_EPOCH + Duration::from_secs(s)))
}

fn strip_scheme<'a>(url: &'a str, scheme: &str) -> Option<&'a str> {
    url.get(..scheme.len()).filter(|s| s.eq_ignore_ascii_case(scheme)).map(|_| &url[scheme.len()..])
}

pub(super) fn is_https(url: &str) -> bool {
    strip_scheme(url, "https://").is_some()
}

/// The host of `host[:port]` or `[v6]:port`, brackets removed.
fn host_of(authority: &str) -> &str {
    if let Some(v6) = authority.strip_prefix('[') {
        return v6.split(']').next().unwrap_or_default();
    }
    authority.rsplit_once(':').map_or(authority, |(host, _)| host)
}

/// `localhost` (and names under it), 127.0.0.0/8, ::1 (and ::ffff:127.x).
fn is_loopback(host: &str) -> bool {
    let host = host.trim_end_matches('.');
    if host == "localhost" || host.ends_with(".localhost") {
        return true;
    }
    match host.parse::<IpAddr>() {
        Ok(IpAddr::V4(ip)) => ip.is_loopback(),
        Ok(IpAddr::V6(ip)) => {
            ip.is_loopback() || ip.to_ipv4_mapped().is_some_and(|v4: Ipv4Addr| v4.is_loopback())
        }
        Err(_) => false,
    }
}

/// `scheme://authority` of `url`, lowercase, for telling hosts apart.
pub(super) fn origin(url: &str) -> String {
    let scheme_end = url.find("://").map_or(0, |i| i + 3);
    let end = url[scheme_end..].find(['/', '?', '#']).map_or(url.len(), |i| scheme_end + i);
    url[..end].to_ascii_lowercase()
}

/// A redirect's `Location` read against the URL that answered it.
pub(super) fn join(base: &str, location: &str) -> String {
    let location = location.trim();
    if location.contains("://") {
        return location.to_string();
    }
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    if let Some(rest) = location.strip_prefix("//") {
        return format!("{}{rest}", &base[..scheme_end]);
    }
    let origin_end = base[scheme_end..].find(['/', '?', '#']).map_or(base.len(), |i| scheme_end + i);
    if location.starts_with('/') {
        return format!("{}{location}", &base[..origin_end]);
    }
    let path = base[origin_end..].split(['?', '#']).next().unwrap_or_default();
    let dir = path.rfind('/').map_or("/", |i| &path[..=i]);
    format!("{}{dir}{location}", &base[..origin_end])
}

/// The `rel="next"` target of a `Link` header.
fn next_link(headers: &HeaderMap) -> Option<String> {
    header(headers, "link")?.split(',').find_map(|part| {
        let (target, params) = part.split_once(';')?;
        let is_next = params.split(';').any(|p| p.trim().replace(' ', "") == "rel=\"next\"");
        is_next.then(|| target.trim().trim_start_matches('<').trim_end_matches('>').to_string())
    })
}

/// Parses a JSON body, naming the URL when it is not what was expected.
#[cfg(test)]
pub(super) fn parse_json<T: DeserializeOwned>(url: &str, text: &str) -> Result<T> {
    serde_json::from_str(text)
        .map_err(|e| Error::Body { url: url.to_string(), reason: format!("bad JSON: {e}") })
}

#[cfg(test)]
mod tests {
    use super::*;
    use ureq::http::HeaderValue;

    #[test]
    fn a_name_that_does_not_resolve_is_not_retried() {
        let gone = Error::Connect { url: "u".into(), reason: HOST_NOT_FOUND.into() };
        // What the system resolver says, through ureq, for a name that does not resolve.
        let io = std::io::Error::other("failed to lookup address information: Name or service not known");
        let client = Client::new(Settings::from_lookup(false, &|_| None, std::env::temp_dir()));
        let lookup = client.classify("https://x.invalid/", ureq::Error::Io(io));
        assert_eq!(
            lookup.to_string(),
            "cannot reach https://x.invalid/: host not found: failed to lookup address information: \
             Name or service not known"
        );
        assert!(!lookup.worth_retrying());
        let refused = Error::Connect { url: "u".into(), reason: "Connection refused".into() };
        assert!(gone.is_transient() && !gone.worth_retrying());
        assert!(refused.worth_retrying());
        let mut tries = 0;
        let client = Client::new(Settings::from_lookup(false, &|_| None, std::env::temp_dir()));
        let err = client
            .retrying(|| -> Result<()> {
                tries += 1;
                Err(Error::Connect { url: "u".into(), reason: HOST_NOT_FOUND.into() })
            })
            .unwrap_err();
        assert_eq!((tries, err.to_string()), (1, "cannot reach u: host not found".to_string()));
    }

    #[test]
    fn loopback_hosts_and_redirect_targets() {
        for host in ["127.0.0.1", "127.8.9.10", "localhost", "a.localhost", "::1", "::ffff:127.0.0.1"] {
            assert!(is_loopback(host), "{host}");
        }
        for host in ["example.invalid", "10.0.0.1", "128.0.0.1", "::2", "localhost.example", "0.0.0.0"] {
            assert!(!is_loopback(host), "{host}");
        }
        assert_eq!(host_of("[::1]:8080"), "::1");
        assert_eq!(host_of("mirror:8080"), "mirror");
        assert_eq!(join("https://a.test/x/y?q", "z"), "https://a.test/x/z");
        assert_eq!(join("https://a.test/x/y", "/z"), "https://a.test/z");
        assert_eq!(join("https://a.test/x/y", "//b.test/z"), "https://b.test/z");
        assert_eq!(join("https://a.test", "http://b.test/"), "http://b.test/");
        assert!(is_https("HTTPS://a") && !is_https("http://a"));
    }

    #[test]
    fn finds_the_next_page_link() {
        let mut h = HeaderMap::new();
        h.insert(
            "link",
            HeaderValue::from_static(
                r#"<https://api.test/r?page=2>; rel="next", <https://api.test/r?page=9>; rel="last""#,
            ),
        );
        assert_eq!(next_link(&h).as_deref(), Some("https://api.test/r?page=2"));
        h.insert("link", HeaderValue::from_static(r#"<https://api.test/r?page=1>; rel="prev""#));
        assert_eq!(next_link(&h), None);
    }
}
