//! A plain HTTP/1.1 client over std's TcpStream, for checking the fake upstreams
//! independently of den's own HTTP stack: one request per connection, the raw answer kept
//! (a body cut short stays short). Never follows redirects by itself.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

/// An answer as read from the socket.
#[derive(Debug)]
pub struct Got {
    pub status: u16,
    /// Names lowercased, in order.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Got {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }
}

/// Sends `method target` to the `http://127.0.0.1:port` of `url_or_base` + `target`
/// (`target` may also be a full URL on that server) and reads until the server closes.
/// `Err` when nothing arrives within `timeout`.
pub fn request(
    base: &str,
    method: &str,
    target: &str,
    headers: &[(&str, &str)],
    timeout: Duration,
) -> std::io::Result<Got> {
    let host = base.strip_prefix("http://").expect("http base");
    let target = target.strip_prefix(base).unwrap_or(target);
    let mut s = TcpStream::connect(host)?;
    s.set_read_timeout(Some(timeout))?;
    let mut head = format!("{method} {target} HTTP/1.1\r\nhost: {host}\r\nconnection: close\r\n");
    for (n, v) in headers {
        head.push_str(&format!("{n}: {v}\r\n"));
    }
    head.push_str("\r\n");
    s.write_all(head.as_bytes())?;
    let mut raw = Vec::new();
    s.read_to_end(&mut raw)?;
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").expect("a complete head");
    let text = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut lines = text.split("\r\n");
    let status = lines.next().unwrap().split(' ').nth(1).unwrap().parse().unwrap();
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    Ok(Got { status, headers, body: raw[split + 4..].to_vec() })
}

/// GET with headers, failing the test when the server does not answer within 10 s.
pub fn get_with(base: &str, target: &str, headers: &[(&str, &str)]) -> Got {
    request(base, "GET", target, headers, Duration::from_secs(10)).expect("an answer")
}

pub fn get(base: &str, target: &str) -> Got {
    get_with(base, target, &[])
}

/// GET following 301/302 redirects (at most 5).
pub fn fetch(base: &str, target: &str) -> Got {
    let mut target = target.to_string();
    for _ in 0..5 {
        let got = get(base, &target);
        match (got.status, got.header("location")) {
            (301 | 302, Some(to)) => target = to.to_string(),
            _ => return got,
        }
    }
    panic!("redirect loop at {target}");
}
