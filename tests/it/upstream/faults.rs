//! Per-path misbehaviour of the fake upstreams, and the request log tests assert on.
//! A fault is set for an exact path (decoded, without query) or a prefix written `/x/*`.
//! Status faults answer instead of the route; body faults (cut, corrupt) change a file
//! answer. Never decides routing.

use std::collections::BTreeMap;
use std::time::{SystemTime, UNIX_EPOCH};

use super::server::{Delivery, Request, Response};

/// Seconds until `x-ratelimit-reset` in rate-limit answers.
pub const RATE_LIMIT_RESET_IN: u64 = 1800;

/// What a path does instead of answering normally.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// The first file answer announces its full length, sends N bytes and closes the
    /// connection; later requests (a resume with `Range`) are served normally.
    CutAfter(usize),
    /// Accepts and reads the request, never answers.
    Hang,
    /// 404 with GitHub's `{"message":"Not Found",...}` body.
    NotFound,
    /// GitHub's primary rate-limit refusal: 403, `x-ratelimit-remaining: 0`, reset time.
    RateLimited,
    /// The same refusal with status 429.
    RateLimited429,
    /// 500 for the first N requests, then normal answers.
    ServerErrors(usize),
    /// Every file answer has its first byte flipped (the checksums no longer match).
    Corrupt,
    /// The first file answer announces its full length, sends N bytes, then stalls with the
    /// connection open (a download to kill midway); later requests are served normally.
    StallAfter(usize),
    /// Every file answer waits this many milliseconds before it is sent (a slow download
    /// that a second den can queue behind).
    Delay(u64),
    /// Every file answer announces no length and never ends: the file, then more bytes for
    /// as long as the client reads.
    Endless,
}

impl Fault {
    fn is_body_fault(self) -> bool {
        matches!(
            self,
            Fault::CutAfter(_) | Fault::Corrupt | Fault::StallAfter(_) | Fault::Delay(_) | Fault::Endless
        )
    }
}

/// One logged request.
#[derive(Debug, Clone)]
pub struct Logged {
    pub path: String,
    /// The file path a redirected download was served for (GitHub assets).
    pub alias: Option<String>,
    pub request: Request,
}

/// The faults in force and every request seen.
#[derive(Debug, Default)]
pub struct Faults {
    set: BTreeMap<String, (Fault, usize)>,
    pub log: Vec<Logged>,
}

impl Faults {
    pub fn set(&mut self, path: &str, fault: Fault) {
        self.set.insert(path.to_string(), (fault, 0));
    }

    pub fn clear(&mut self, path: &str) {
        self.set.remove(path);
    }

    fn find(&mut self, path: &str) -> Option<&mut (Fault, usize)> {
        let key = self
            .set
            .keys()
            .filter(|k| *k == path || k.strip_suffix('*').is_some_and(|p| path.starts_with(p)))
            .max_by_key(|k| k.len())?
            .clone();
        self.set.get_mut(&key)
    }

    /// The answer a status fault on `path` gives instead of the route's, if any.
    pub fn before(&mut self, path: &str) -> Option<Response> {
        let (fault, hits) = self.find(path)?;
        if fault.is_body_fault() {
            return None;
        }
        *hits += 1;
        Some(match *fault {
            Fault::Hang => Response { delivery: Delivery::Hang, ..Response::new(200, "text/plain", "") },
            Fault::NotFound => not_found_json(),
            Fault::RateLimited => rate_limited(403),
            Fault::RateLimited429 => rate_limited(429),
            Fault::ServerErrors(n) if *hits <= n => {
                Response::new(500, "text/plain; charset=utf-8", "500 Internal Server Error\n")
            }
            _ => return None,
        })
    }

    /// Applies a body fault on `path` (or on `alias`, the download path of a redirected
    /// file) to a file answer.
    pub fn after(&mut self, path: &str, alias: Option<&str>, resp: &mut Response) {
        if !resp.ranges || resp.status != 200 {
            return;
        }
        let key = if self.find(path).is_some() { path } else { alias.unwrap_or(path) };
        let Some((fault, hits)) = self.find(key) else { return };
        match *fault {
            Fault::CutAfter(n) => {
                *hits += 1;
                if *hits == 1 {
                    resp.delivery = Delivery::CutAfter(n);
                }
            }
            Fault::StallAfter(n) => {
                *hits += 1;
                if *hits == 1 {
                    resp.delivery = Delivery::StallAfter(n);
                }
            }
            Fault::Delay(ms) => {
                *hits += 1;
                resp.delivery = Delivery::Delay(ms);
            }
            Fault::Endless => {
                *hits += 1;
                resp.delivery = Delivery::Endless;
            }
            Fault::Corrupt => {
                *hits += 1;
                if let Some(b) = resp.body.first_mut() {
                    *b ^= 0xff;
                }
            }
            _ => {}
        }
    }

    /// Requests to `path`, counting redirected downloads under their download path too.
    pub fn requests_to(&self, path: &str) -> Vec<&Request> {
        self.log
            .iter()
            .filter(|l| l.path == path || l.alias.as_deref() == Some(path))
            .map(|l| &l.request)
            .collect()
    }
}

/// GitHub's 404 body.
pub fn not_found_json() -> Response {
    github_json(
        404,
        r#"{"message":"Not Found","documentation_url":"https://docs.github.com/rest","status":"404"}"#,
    )
}

/// A JSON answer with the headers every GitHub API answer carries.
pub fn github_json(status: u16, body: impl Into<Vec<u8>>) -> Response {
    Response::new(status, "application/json; charset=utf-8", body)
        .header("x-github-media-type", "github.v3; format=json")
}

fn now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs()
}

/// The primary rate-limit refusal, header for header as GitHub sends it.
pub fn rate_limited(status: u16) -> Response {
    github_json(
        status,
        "{\"message\":\"API rate limit exceeded for 203.0.113.7. (But here's the good news: \
         Authenticated requests get a higher rate limit. Check out the documentation for more \
         details.)\",\"documentation_url\":\"https://docs.github.com/rest/overview/rate-limits-for-the-rest-api\"}",
    )
    .header("x-ratelimit-limit", "60")
    .header("x-ratelimit-remaining", "0")
    .header("x-ratelimit-reset", (now() + RATE_LIMIT_RESET_IN).to_string())
    .header("x-ratelimit-used", "60")
    .header("x-ratelimit-resource", "core")
}

/// The rate-limit headers of a normal API answer (`used` requests so far).
pub fn rate_headers(resp: Response, used: usize) -> Response {
    resp.header("x-ratelimit-limit", "60")
        .header("x-ratelimit-remaining", 60usize.saturating_sub(used).to_string())
        .header("x-ratelimit-reset", (now() + RATE_LIMIT_RESET_IN).to_string())
        .header("x-ratelimit-used", used.to_string())
        .header("x-ratelimit-resource", "core")
}
