//! Requests other than a download or a text GET: any method, a body from memory or from a
//! file, and the answer handed back whatever its status, for protocols that speak in
//! status codes (the OCI distribution API: 401 challenges, 404 for "not there", 202 for an
//! upload started). The same rules as every other request: never offline, plain http only
//! to this machine or an opted-in host, redirects only for GET and HEAD and never from
//! https to http, `Authorization` never sent on to another host.

use std::fs::File;
use std::path::Path;

use ureq::SendBody;
use ureq::http::{Method, Request};

use super::client::{Client, MAX_REDIRECTS};
use super::error::{Error, Result};

/// Most bytes of an answer's body kept in memory (manifests, token answers, error texts).
const REPLY_LIMIT: u64 = 4 * 1024 * 1024;

/// What a request sends.
#[derive(Clone, Copy)]
pub enum Payload<'a> {
    None,
    Bytes(&'a [u8]),
    /// A file, streamed with its length.
    File(&'a Path),
}

/// A server's answer: status, headers (names lowercase), and up to 4 MiB of body.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Reply {
    /// The first value of header `name` (lowercase).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }
}

impl Client {
    /// Sends `method` to `url` with the client's headers plus `extra`; any status is an
    /// answer, only a transport failure is an error. GET and HEAD follow redirects (and
    /// retry a lost connection); other methods are sent once.
    pub fn request(
        &self,
        method: &str,
        url: &str,
        extra: &[(&str, String)],
        payload: Payload,
    ) -> Result<Reply> {
        if self.settings().offline {
            return Err(Error::Offline { url: url.to_string() });
        }
        let method = Method::from_bytes(method.as_bytes())
            .map_err(|_| Error::Body { url: url.to_string(), reason: format!("bad method {method}") })?;
        let idempotent = method == Method::GET || method == Method::HEAD;
        if idempotent {
            self.retrying(|| self.follow(&method, url, extra))
        } else {
            self.request_once(&method, url, extra, payload, true)
        }
    }

    fn follow(&self, method: &Method, url: &str, extra: &[(&str, String)]) -> Result<Reply> {
        let mut current = url.to_string();
        for hop in 0..=MAX_REDIRECTS {
            // Credentials go only to the host they were given for.
            let same_host = super::client::origin(&current) == super::client::origin(url);
            let reply = self.request_once(method, &current, extra, Payload::None, hop == 0 || same_host)?;
            let location = reply.header("location").map(str::to_string);
            let (true, Some(location)) = (matches!(reply.status, 301 | 302 | 303 | 307 | 308), location)
            else {
                return Ok(reply);
            };
            let next = super::client::join(&current, &location);
            if super::client::is_https(&current) && !super::client::is_https(&next) {
                let reason = format!("redirects from https to `{next}`; den follows https only to https");
                return Err(Error::Redirect { url: url.to_string(), reason });
            }
            current = next;
        }
        let reason = format!("redirects more than {MAX_REDIRECTS} times (a redirect loop); den gave up");
        Err(Error::Redirect { url: url.to_string(), reason })
    }

    fn request_once(
        &self,
        method: &Method,
        url: &str,
        extra: &[(&str, String)],
        payload: Payload,
        with_auth: bool,
    ) -> Result<Reply> {
        self.check_plain_http(url, url)?;
        let mut builder = Request::builder().method(method.clone()).uri(url);
        for (name, value) in self.headers() {
            if with_auth || !name.eq_ignore_ascii_case("authorization") {
                builder = builder.header(name.as_str(), value.as_str());
            }
        }
        for (name, value) in extra {
            if with_auth || !name.eq_ignore_ascii_case("authorization") {
                builder = builder.header(*name, value.as_str());
            }
        }
        let bad = |e: ureq::http::Error| Error::Body { url: url.to_string(), reason: e.to_string() };
        let body = match payload {
            Payload::None => SendBody::none(),
            Payload::Bytes(bytes) => {
                builder = builder.header("content-length", bytes.len().to_string());
                SendBody::from_owned_reader(std::io::Cursor::new(bytes.to_vec()))
            }
            Payload::File(path) => {
                let file = File::open(path).map_err(|e| Error::io("cannot read", path, e))?;
                let len = file.metadata().map_err(|e| Error::io("cannot read", path, e))?.len();
                builder = builder.header("content-length", len.to_string());
                SendBody::from_owned_reader(file)
            }
        };
        self.run(url, builder.body(body).map_err(bad)?, method)
    }

    fn run(&self, url: &str, request: Request<SendBody<'static>>, method: &Method) -> Result<Reply> {
        let mut config = self.agent().configure_request(request);
        if let Some(proxy) = self.settings().proxies.proxy_for(url)? {
            config = config.proxy(Some(proxy));
        }
        let response = self.agent().run(config.build()).map_err(|e| self.classify(url, e))?;
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .filter_map(|(n, v)| Some((n.as_str().to_ascii_lowercase(), v.to_str().ok()?.trim().to_string())))
            .collect();
        let body = if *method == Method::HEAD {
            Vec::new()
        } else {
            let mut body = response.into_body();
            body.with_config().limit(REPLY_LIMIT).read_to_vec().map_err(|e| match e {
                ureq::Error::BodyExceedsLimit(_) => Error::Body {
                    url: url.to_string(),
                    reason: format!("the answer is larger than {REPLY_LIMIT} bytes"),
                },
                other => self.classify(url, other),
            })?
        };
        Ok(Reply { status, headers, body })
    }
}
