//! den's fake HTTP server, shared by its unit tests (`src/http/tests/`) and its integration
//! tests (`tests/it/upstream/`): a std-only threaded HTTP/1.1 server on 127.0.0.1, one
//! thread per connection, keep-alive, HEAD, single byte ranges (206/416) on file
//! responses, and the misbehaviours a test may ask for (a body cut short, no answer at all,
//! a body that never ends). It records every request with its index, and [`Proxy`] is a
//! CONNECT proxy beside it. It knows nothing about upstreams: a handler turns each request
//! into a [`Response`]. Never listens on anything but the loopback interface.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

/// A request as read from the wire.
#[derive(Debug, Clone)]
pub struct Request {
    /// The request line as sent (`GET /path HTTP/1.1`).
    pub line: String,
    pub method: String,
    /// The request target as sent (`/simple/ruff/?x=1`).
    pub target: String,
    /// The path percent-decoded (`%2F` → `/`, `%2B` → `+`; `+` stays `+`), without query.
    pub path: String,
    /// The raw query string, without `?`.
    pub query: String,
    /// Header names lowercased, in order.
    pub headers: Vec<(String, String)>,
}

impl Request {
    /// The first header called `name` (lowercase).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }

    /// A query parameter's raw value.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.query.split('&').find_map(|kv| kv.strip_prefix(name)?.strip_prefix('='))
    }
}

/// How the body goes out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    Normal,
    /// Announce the full length, send this many body bytes, close the connection.
    CutAfter(usize),
    /// Never answer; the connection stays open until the server is dropped.
    Hang,
    /// Announce the full length, send this many body bytes, then hang like `Hang`.
    StallAfter(usize),
    /// Wait this many milliseconds, then answer normally.
    Delay(u64),
    /// No length announced: the body, then more bytes for as long as the client reads.
    Endless,
}

/// What the handler answers.
#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// A file: `Range` requests are honoured and `Accept-Ranges: bytes` is sent.
    pub ranges: bool,
    pub delivery: Delivery,
}

impl Response {
    pub fn new(status: u16, content_type: &str, body: impl Into<Vec<u8>>) -> Response {
        Response {
            status,
            headers: vec![("content-type".into(), content_type.into())],
            body: body.into(),
            ranges: false,
            delivery: Delivery::Normal,
        }
    }

    /// A downloadable file: 200, byte ranges honoured.
    pub fn file(content_type: &str, body: impl Into<Vec<u8>>) -> Response {
        Response { ranges: true, ..Response::new(200, content_type, body) }
    }

    pub fn json(status: u16, body: impl Into<Vec<u8>>) -> Response {
        Response::new(status, "application/json", body)
    }

    /// A redirect to `location` (302 Found unless `status` says otherwise).
    pub fn redirect(status: u16, location: &str) -> Response {
        Response::new(status, "text/html; charset=utf-8", "").header("location", location)
    }

    pub fn header(mut self, name: &str, value: impl Into<String>) -> Response {
        self.headers.push((name.to_ascii_lowercase(), value.into()));
        self
    }

    /// A status, these headers (and no others), this body.
    pub fn status(status: u16, headers: Vec<(&str, String)>, body: String) -> Response {
        Response {
            status,
            headers: headers.into_iter().map(|(n, v)| (n.to_ascii_lowercase(), v)).collect(),
            body: body.into(),
            ranges: false,
            delivery: Delivery::Normal,
        }
    }

    /// 200 with the body and no other header, byte ranges honoured (206, 416 past the end).
    pub fn body(body: impl Into<Vec<u8>>) -> Response {
        Response { ranges: true, ..Response::full(body) }
    }

    /// 200 with the whole body, whatever the Range header.
    pub fn full(body: impl Into<Vec<u8>>) -> Response {
        Response { body: body.into(), ..Response::status(200, vec![], String::new()) }
    }

    /// The full Content-Length, but the connection closes after `after` bytes.
    pub fn cut(body: impl Into<Vec<u8>>, after: usize) -> Response {
        Response { delivery: Delivery::CutAfter(after), ..Response::full(body) }
    }

    /// Reads the request and never answers (until the server is dropped).
    pub fn hang() -> Response {
        Response { delivery: Delivery::Hang, ..Response::full(Vec::new()) }
    }

    /// 200 with no length, then bytes for as long as the client reads.
    pub fn endless() -> Response {
        Response { delivery: Delivery::Endless, ..Response::full(Vec::new()) }
    }
}

type Handler = dyn Fn(&Request, usize) -> Response + Send + Sync;

/// Every request the server read, in order.
type Log = Mutex<Vec<Request>>;

/// A running server; dropping it stops accepting and releases hung connections.
pub struct Server {
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
    requests: Arc<Log>,
}

impl Server {
    /// Binds 127.0.0.1 on a free port and serves every connection with `handler`, which
    /// gets each request and its index (0 for the first request the server read).
    pub fn start(handler: impl Fn(&Request, usize) -> Response + Send + Sync + 'static) -> Server {
        let handler: Arc<Handler> = Arc::new(handler);
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        let addr = listener.local_addr().unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let requests = Arc::new(Mutex::new(Vec::new()));
        let (stopping, seen) = (stop.clone(), requests.clone());
        thread::spawn(move || {
            for stream in listener.incoming() {
                if stopping.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                let (handler, stop, seen) = (handler.clone(), stopping.clone(), seen.clone());
                thread::spawn(move || serve(stream, &*handler, &stop, &seen));
            }
        });
        Server { addr, stop, requests }
    }

    /// `http://127.0.0.1:<port>`
    pub fn base(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// `http://127.0.0.1:<port><path>`
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The requests read so far, in order.
    pub fn requests(&self) -> Vec<Request> {
        self.requests.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(self.addr); // wakes the accept loop
    }
}

fn serve(stream: TcpStream, handler: &Handler, stop: &AtomicBool, seen: &Log) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(60)));
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut out = stream;
    while let Some(req) = read_request(&mut reader) {
        let index = {
            let mut seen = seen.lock().unwrap_or_else(|e| e.into_inner());
            seen.push(req.clone());
            seen.len() - 1
        };
        let resp = handler(&req, index);
        if resp.delivery == Delivery::Hang {
            while !stop.load(Ordering::SeqCst) {
                thread::sleep(Duration::from_millis(20));
            }
            return;
        }
        if let Delivery::Delay(ms) = resp.delivery {
            thread::sleep(Duration::from_millis(ms));
        }
        let stall = matches!(resp.delivery, Delivery::StallAfter(_));
        let close = req.header("connection").is_some_and(|v| v.eq_ignore_ascii_case("close"))
            || matches!(resp.delivery, Delivery::CutAfter(_) | Delivery::Endless)
            || stall;
        if write_response(&mut out, &req, resp, close).is_err() || close {
            while stall && !stop.load(Ordering::SeqCst) {
                thread::sleep(Duration::from_millis(20));
            }
            let _ = out.shutdown(Shutdown::Both);
            return;
        }
    }
}

fn read_request(reader: &mut BufReader<TcpStream>) -> Option<Request> {
    let mut line = String::new();
    if reader.read_line(&mut line).ok()? == 0 {
        return None;
    }
    let line = line.trim().to_string();
    let mut parts = line.split_whitespace();
    let (method, target) = (parts.next()?.to_string(), parts.next()?.to_string());
    let mut headers = Vec::new();
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h).ok()? == 0 {
            return None;
        }
        let h = h.trim_end();
        if h.is_empty() {
            break;
        }
        if let Some((n, v)) = h.split_once(':') {
            headers.push((n.trim().to_ascii_lowercase(), v.trim().to_string()));
        }
    }
    let len: u64 =
        headers.iter().find(|(n, _)| n == "content-length").and_then(|(_, v)| v.parse().ok()).unwrap_or(0);
    std::io::copy(&mut reader.by_ref().take(len), &mut std::io::sink()).ok()?;
    let (raw_path, query) = target.split_once('?').unwrap_or((&target, ""));
    let path = percent_decode(raw_path);
    Some(Request { line, method, path, query: query.to_string(), target, headers })
}

/// Decodes `%XX` escapes only (a `+` in a path is a plus, never a space).
pub fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && i + 2 < b.len()
            && let Ok(v) = u8::from_str_radix(std::str::from_utf8(&b[i + 1..i + 3]).unwrap_or("zz"), 16)
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `bytes=N-`, `bytes=N-M`, `bytes=-K` against a body of `len` bytes: `Ok(Some(start..end))`,
/// `Ok(None)` when the header is absent or not a single range, `Err(())` when unsatisfiable.
// `Err(())`: unsatisfiable has no detail worth a type; only tests call this.
#[allow(clippy::result_unit_err)]
pub fn range(header: Option<&str>, len: usize) -> Result<Option<(usize, usize)>, ()> {
    let Some(spec) = header.and_then(|h| h.trim().strip_prefix("bytes=")) else { return Ok(None) };
    if spec.contains(',') {
        return Ok(None);
    }
    let Some((a, b)) = spec.split_once('-') else { return Ok(None) };
    let (start, end) = match (a.trim().parse::<usize>().ok(), b.trim().parse::<usize>().ok()) {
        (Some(s), None) if b.trim().is_empty() => (s, len),
        (Some(s), Some(e)) if e >= s => (s, (e + 1).min(len)),
        (None, Some(k)) if a.trim().is_empty() && k > 0 => (len.saturating_sub(k), len),
        _ => return Ok(None),
    };
    if start >= len { Err(()) } else { Ok(Some((start, end))) }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        206 => "Partial Content",
        301 => "Moved Permanently",
        302 => "Found",
        304 => "Not Modified",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        406 => "Not Acceptable",
        416 => "Range Not Satisfiable",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        _ => "Unknown",
    }
}

fn write_response(
    out: &mut TcpStream,
    req: &Request,
    mut resp: Response,
    close: bool,
) -> std::io::Result<()> {
    let total = resp.body.len();
    let mut body: &[u8] = &resp.body;
    if resp.ranges && resp.status == 200 {
        resp.headers.push(("accept-ranges".into(), "bytes".into()));
        match range(req.header("range"), total) {
            Ok(None) => {}
            Ok(Some((s, e))) => {
                resp.status = 206;
                resp.headers.push(("content-range".into(), format!("bytes {s}-{}/{total}", e - 1)));
                body = &resp.body[s..e];
            }
            Err(()) => {
                resp.status = 416;
                resp.headers.push(("content-range".into(), format!("bytes */{total}")));
                body = &[];
            }
        }
    }
    let mut head = format!("HTTP/1.1 {} {}\r\n", resp.status, reason(resp.status));
    for (n, v) in &resp.headers {
        head.push_str(&format!("{n}: {v}\r\n"));
    }
    if resp.delivery != Delivery::Endless {
        head.push_str(&format!("content-length: {}\r\n", body.len()));
    }
    if close {
        head.push_str("connection: close\r\n");
    }
    head.push_str("\r\n");
    out.write_all(head.as_bytes())?;
    if req.method != "HEAD" {
        match resp.delivery {
            Delivery::CutAfter(n) | Delivery::StallAfter(n) => out.write_all(&body[..n.min(body.len())])?,
            Delivery::Endless => {
                out.write_all(body)?;
                let more = vec![0x55u8; 64 * 1024];
                loop {
                    out.write_all(&more)?; // ends when the client hangs up
                }
            }
            _ => out.write_all(body)?,
        }
    }
    out.flush()
}

/// A proxy that tunnels `CONNECT host:port` (what the HTTP client sends for every proxied
/// URL) and records each request line it sees.
pub struct Proxy {
    addr: SocketAddr,
    lines: Arc<Mutex<Vec<String>>>,
}

impl Proxy {
    pub fn start() -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        let addr = listener.local_addr().unwrap();
        let lines = Arc::new(Mutex::new(Vec::new()));
        let seen = lines.clone();
        thread::spawn(move || {
            for client in listener.incoming().flatten() {
                let seen = seen.clone();
                thread::spawn(move || tunnel(client, &seen));
            }
        });
        Proxy { addr, lines }
    }

    /// `http://127.0.0.1:<port>`
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The request lines the proxy read (`CONNECT 127.0.0.1:<port> HTTP/1.1`).
    pub fn lines(&self) -> Vec<String> {
        self.lines.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

fn tunnel(client: TcpStream, seen: &Mutex<Vec<String>>) {
    let mut reader = BufReader::new(client.try_clone().unwrap());
    let Some(request) = read_request(&mut reader) else { return };
    seen.lock().unwrap_or_else(|e| e.into_inner()).push(request.line.clone());
    let mut client_out = client;
    let target = request.line.strip_prefix("CONNECT ").and_then(|r| r.split_whitespace().next());
    let Some(upstream) = target.and_then(|t| TcpStream::connect(t).ok()) else {
        let _ = client_out.write_all(b"HTTP/1.1 502 Bad Gateway\r\ncontent-length: 0\r\n\r\n");
        return;
    };
    let _ = client_out.write_all(b"HTTP/1.1 200 Connection established\r\n\r\n");
    let mut upstream_in = upstream.try_clone().unwrap();
    let mut upstream_out = upstream;
    let back = thread::spawn(move || {
        let _ = std::io::copy(&mut upstream_in, &mut client_out);
        let _ = client_out.shutdown(Shutdown::Write);
    });
    let _ = upstream_out.write_all(reader.buffer());
    let mut from_client = reader.into_inner();
    let _ = std::io::copy(&mut from_client, &mut upstream_out);
    let _ = upstream_out.shutdown(Shutdown::Write);
    let _ = back.join();
}
