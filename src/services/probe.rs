//! Readiness checks: one attempt at a `tcp`, `http` or `command` probe, or at a preset's
//! own (a PostgreSQL startup message answered with an authentication request; a Redis
//! `AUTH` + `PING` answered with `PONG`), so that "ready" means "accepts clients", not
//! "the port is open". The supervisor repeats them with a backoff starting at ~50 ms. A
//! probe never waits longer than the time it is given, and never follows redirects or
//! speaks TLS (an `https` probe checks that the port accepts connections).

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use crate::env::Vars;
use crate::launch::{self, Environment};
use crate::project::Probe;

/// What a readiness check asks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Check {
    /// A check declared in den.toml.
    Declared(Probe),
    /// A PostgreSQL server listening on `port`, that lets its superuser in through the
    /// Unix socket in `sockets` (where authentication is `trust`).
    Postgres { sockets: std::path::PathBuf, port: u16 },
    /// A Redis server at `host:port` that accepts the password and answers PING.
    Redis { addr: String, password: String },
}

/// A check and how long it may take to pass.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Readiness {
    pub check: Check,
    pub timeout: Duration,
}

/// What the probe checks, for messages: "tcp 127.0.0.1:5432".
pub fn describe(check: &Check) -> String {
    match check {
        Check::Declared(Probe::Tcp(addr)) => format!("tcp {addr}"),
        Check::Declared(Probe::Http(url)) => format!("http {url}"),
        Check::Declared(Probe::Command(cmd)) => format!("command `{cmd}`"),
        Check::Postgres { sockets, port } => {
            format!("a PostgreSQL login at {}/.s.PGSQL.{port}", sockets.display())
        }
        Check::Redis { addr, .. } => format!("a Redis PING at {addr}"),
    }
}

/// The TCP port a probe looks at, when it looks at one on this machine.
pub fn local_port(check: &Check) -> Option<u16> {
    let hostport = match check {
        Check::Declared(Probe::Tcp(addr)) | Check::Redis { addr, .. } => addr.clone(),
        Check::Postgres { port, .. } => format!("127.0.0.1:{port}"),
        Check::Declared(Probe::Http(url)) => split_url(url)?.0,
        Check::Declared(Probe::Command(_)) => return None,
    };
    let (host, port) = hostport.rsplit_once(':')?;
    matches!(host, "127.0.0.1" | "localhost" | "[::1]" | "0.0.0.0").then(|| port.parse().ok())?
}

/// One attempt, given at most `budget`: whether the service answered.
pub fn check(check: &Check, env: &[(String, String)], cwd: &Path, budget: Duration) -> bool {
    let budget = budget.clamp(Duration::from_millis(50), Duration::from_secs(5));
    match check {
        Check::Declared(Probe::Tcp(addr)) => connect(addr, budget).is_some(),
        Check::Declared(Probe::Http(url)) => http(url, budget),
        Check::Declared(Probe::Command(cmd)) => command(cmd, env, cwd, budget),
        Check::Postgres { sockets, port } => postgres(&sockets.join(format!(".s.PGSQL.{port}")), budget),
        Check::Redis { addr, password } => redis(addr, password, budget),
    }
}

/// A startup message (protocol 3.0) for the superuser, answered with AuthenticationOk
/// (`R`, code 0), then a Terminate so that the server logs nothing; a server still
/// starting answers with an error (`E`).
fn postgres(socket: &Path, budget: Duration) -> bool {
    let Ok(mut stream) = std::os::unix::net::UnixStream::connect(socket) else { return false };
    let _ = stream.set_read_timeout(Some(budget));
    let _ = stream.set_write_timeout(Some(budget));
    let params: &[u8] = b"user\0postgres\0database\0postgres\0\0";
    let mut msg = Vec::new();
    msg.extend_from_slice(&((8 + params.len()) as u32).to_be_bytes());
    msg.extend_from_slice(&196_608u32.to_be_bytes());
    msg.extend_from_slice(params);
    let mut head = [0u8; 9];
    if stream.write_all(&msg).is_err() || stream.read_exact(&mut head).is_err() {
        return false;
    }
    let ok = head[0] == b'R' && head[5..9] == [0, 0, 0, 0];
    let _ = stream.write_all(&[b'X', 0, 0, 0, 4]);
    ok
}

/// `AUTH` then `PING`, answered `+OK` and `+PONG` (a server loading its data answers
/// `-LOADING`).
fn redis(addr: &str, password: &str, budget: Duration) -> bool {
    let Some(mut stream) = connect(addr, budget) else { return false };
    let _ = stream.set_read_timeout(Some(budget));
    let cmd = format!("*2\r\n$4\r\nAUTH\r\n${}\r\n{password}\r\n*1\r\n$4\r\nPING\r\n", password.len());
    if stream.write_all(cmd.as_bytes()).is_err() {
        return false;
    }
    let mut got = Vec::new();
    let mut buf = [0u8; 64];
    while got.len() < 12 {
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => got.extend_from_slice(&buf[..n]),
        }
    }
    got.starts_with(b"+OK\r\n+PONG\r\n")
}

fn connect(hostport: &str, budget: Duration) -> Option<TcpStream> {
    let addrs: Vec<SocketAddr> = hostport.to_socket_addrs().ok()?.collect();
    addrs.iter().find_map(|a| TcpStream::connect_timeout(a, budget).ok())
}

/// `(host:port, path)` of an `http://` or `https://` URL (default ports 80 and 443).
fn split_url(url: &str) -> Option<(String, String)> {
    let (scheme, rest) = url.split_once("://")?;
    let (authority, path) = rest.find('/').map_or((rest, "/"), |i| (&rest[..i], &rest[i..]));
    let hostport = if authority.rsplit_once(':').is_some_and(|(_, p)| p.parse::<u16>().is_ok()) {
        authority.to_string()
    } else {
        format!("{authority}:{}", if scheme == "https" { 443 } else { 80 })
    };
    Some((hostport, path.to_string()))
}

/// A GET that answers with a 2xx or 3xx status.
fn http(url: &str, budget: Duration) -> bool {
    let Some((hostport, path)) = split_url(url) else { return false };
    let Some(mut stream) = connect(&hostport, budget) else { return false };
    if url.starts_with("https://") {
        return true;
    }
    let _ = stream.set_read_timeout(Some(budget));
    let _ = stream.set_write_timeout(Some(budget));
    let request =
        format!("GET {path} HTTP/1.0\r\nHost: {hostport}\r\nUser-Agent: den\r\nConnection: close\r\n\r\n");
    if stream.write_all(request.as_bytes()).is_err() {
        return false;
    }
    let mut head = [0u8; 16];
    let mut got = 0;
    while got < 12 {
        match stream.read(&mut head[got..]) {
            Ok(0) | Err(_) => break,
            Ok(n) => got += n,
        }
    }
    let status = std::str::from_utf8(&head[..got]).ok().and_then(|s| s.split_whitespace().nth(1));
    status.and_then(|s| s.parse::<u16>().ok()).is_some_and(|code| (200..400).contains(&code))
}

/// `sh -c cmd` in the service's environment exits 0 within the budget (killed otherwise).
fn command(cmd: &str, env: &[(String, String)], cwd: &Path, budget: Duration) -> bool {
    let vars: Vars = env.iter().cloned().collect();
    let mut command = launch::command(Path::new("/bin/sh"), Environment::Only(&vars), cwd);
    command.arg("-c").arg(cmd);
    command.stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::null());
    let Ok(mut child) = command.spawn() else { return false };
    let deadline = Instant::now() + budget;
    loop {
        match child.try_wait() {
            Ok(Some(status)) => return status.success(),
            Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(20)),
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                return false;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tcp_probe_sees_a_listener_and_its_absence() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap().to_string();
        let probe = Check::Declared(Probe::Tcp(addr.clone()));
        assert!(check(&probe, &[], Path::new("/"), Duration::from_secs(1)));
        assert_eq!(local_port(&probe), Some(listener.local_addr().unwrap().port()));
        drop(listener);
        assert!(!check(&Check::Declared(Probe::Tcp(addr)), &[], Path::new("/"), Duration::from_secs(1)));
    }

    #[test]
    fn http_probe_wants_a_good_status() {
        for (answer, ok) in [("HTTP/1.0 200 OK\r\n\r\n", true), ("HTTP/1.1 503 No\r\n\r\n", false)] {
            let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            let url = format!("http://{}/health", listener.local_addr().unwrap());
            let server = std::thread::spawn(move || {
                let (mut s, _) = listener.accept().unwrap();
                let mut buf = [0u8; 512];
                let _ = s.read(&mut buf);
                s.write_all(answer.as_bytes()).unwrap();
            });
            assert_eq!(
                check(&Check::Declared(Probe::Http(url)), &[], Path::new("/"), Duration::from_secs(2)),
                ok
            );
            server.join().unwrap();
        }
    }

    #[test]
    fn command_probe_uses_the_exit_status_and_environment() {
        let env = vec![("WANT".to_string(), "yes".to_string())];
        let cmd = |c: &str| Check::Declared(Probe::Command(c.into()));
        assert!(check(&cmd("test \"$WANT\" = yes"), &env, Path::new("/"), Duration::from_secs(2)));
        assert!(!check(&cmd("exit 3"), &env, Path::new("/"), Duration::from_secs(2)));
        assert!(!check(&cmd("sleep 5"), &env, Path::new("/"), Duration::from_millis(100)));
    }
}
