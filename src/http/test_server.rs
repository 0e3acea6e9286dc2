//! Test support: a tiny HTTP/1.1 server and a tiny CONNECT proxy on 127.0.0.1, each
//! request on its own connection (answers say `Connection: close`). The server records
//! every request and answers what the test's handler says, including Range requests,
//! transfers cut short and requests never answered.

use std::io::{BufRead, BufReader, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

/// A request as the server read it.
#[derive(Debug, Clone)]
pub struct Request {
    /// `GET /path HTTP/1.1`
    pub line: String,
    /// Names lowercased.
    pub headers: Vec<(String, String)>,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }
}

/// What the server answers.
pub enum Reply {
    /// 200 with the body, or 206 with the part a `Range: bytes=N-` asks for (416 past the end).
    Body(Vec<u8>),
    /// 200 with the whole body, whatever the Range header.
    Full(Vec<u8>),
    /// The full Content-Length, but the connection closes after this many bytes.
    Cut(Vec<u8>, usize),
    /// A status, extra headers, a body.
    Status(u16, Vec<(&'static str, String)>, String),
    /// Reads the request and never answers.
    Hang,
    /// 200 with no length, then the byte `.0` forever (until the client hangs up).
    Endless(u8),
}

type Handler = dyn Fn(&Request, usize) -> Reply + Send + Sync;

/// A running test server.
pub struct Server {
    addr: SocketAddr,
    requests: Arc<Mutex<Vec<Request>>>,
}

impl Server {
    /// Serves until the test process ends; `handler` gets each request and its index.
    pub fn start(handler: impl Fn(&Request, usize) -> Reply + Send + Sync + 'static) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let handler: Arc<Handler> = Arc::new(handler);
        let seen = requests.clone();
        thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (handler, seen) = (handler.clone(), seen.clone());
                thread::spawn(move || serve(stream, &*handler, &seen));
            }
        });
        Server { addr, requests }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn requests(&self) -> Vec<Request> {
        self.requests.lock().unwrap().clone()
    }
}

fn read_head(reader: &mut impl BufRead) -> Option<Request> {
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let mut headers = Vec::new();
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h).ok()? == 0 || h.trim().is_empty() {
            break;
        }
        let (name, value) = h.split_once(':')?;
        headers.push((name.trim().to_ascii_lowercase(), value.trim().to_string()));
    }
    Some(Request { line: line.trim().to_string(), headers })
}

fn serve(stream: TcpStream, handler: &Handler, seen: &Mutex<Vec<Request>>) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let Some(request) = read_head(&mut reader) else { return };
    let index = {
        let mut seen = seen.lock().unwrap();
        seen.push(request.clone());
        seen.len() - 1
    };
    let mut out = stream;
    let head = |code: u16, headers: &[(&str, String)], len: usize| {
        let mut h = format!("HTTP/1.1 {code} X\r\nconnection: close\r\ncontent-length: {len}\r\n");
        for (n, v) in headers {
            h.push_str(&format!("{n}: {v}\r\n"));
        }
        h + "\r\n"
    };
    let _ = match handler(&request, index) {
        Reply::Body(body) => {
            let from = request
                .header("range")
                .and_then(|r| r.strip_prefix("bytes="))
                .and_then(|r| r.trim_end_matches('-').parse::<usize>().ok());
            match from {
                Some(n) if n >= body.len() => out.write_all(head(416, &[], 0).as_bytes()),
                Some(n) => {
                    let range = format!("bytes {n}-{}/{}", body.len() - 1, body.len());
                    out.write_all(head(206, &[("content-range", range)], body.len() - n).as_bytes())
                        .and_then(|_| out.write_all(&body[n..]))
                }
                None => {
                    out.write_all(head(200, &[], body.len()).as_bytes()).and_then(|_| out.write_all(&body))
                }
            }
        }
        Reply::Full(body) => {
            out.write_all(head(200, &[], body.len()).as_bytes()).and_then(|_| out.write_all(&body))
        }
        Reply::Cut(body, after) => out
            .write_all(head(200, &[], body.len()).as_bytes())
            .and_then(|_| out.write_all(&body[..after]))
            .and_then(|_| out.flush()),
        Reply::Status(code, headers, body) => {
            out.write_all((head(code, &headers, body.len()) + &body).as_bytes())
        }
        Reply::Hang => {
            thread::sleep(Duration::from_secs(30));
            Ok(())
        }
        Reply::Endless(byte) => {
            let chunk = vec![byte; 64 * 1024];
            out.write_all(b"HTTP/1.1 200 X\r\nconnection: close\r\n\r\n").and_then(|_| {
                loop {
                    out.write_all(&chunk)?;
                }
            })
        }
    };
    let _ = out.shutdown(Shutdown::Both);
}

/// A proxy that tunnels `CONNECT host:port` (what ureq sends for every proxied URL) and
/// records each request line it sees.
pub struct Proxy {
    addr: SocketAddr,
    lines: Arc<Mutex<Vec<String>>>,
}

impl Proxy {
    pub fn start() -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
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

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn lines(&self) -> Vec<String> {
        self.lines.lock().unwrap().clone()
    }
}

fn tunnel(client: TcpStream, seen: &Mutex<Vec<String>>) {
    let mut reader = BufReader::new(client.try_clone().unwrap());
    let Some(request) = read_head(&mut reader) else { return };
    seen.lock().unwrap().push(request.line.clone());
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
