//! Readiness checks: one attempt at a `tcp`, `http` or `command` probe. The supervisor
//! repeats them with a backoff starting at ~50 ms. A probe never waits longer than the
//! time it is given, and never follows redirects or speaks TLS (an `https` probe checks
//! that the port accepts connections).

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::project::Probe;

/// What the probe checks, for messages: "tcp 127.0.0.1:5432".
pub fn describe(probe: &Probe) -> String {
    match probe {
        Probe::Tcp(addr) => format!("tcp {addr}"),
        Probe::Http(url) => format!("http {url}"),
        Probe::Command(cmd) => format!("command `{cmd}`"),
    }
}

/// The TCP port a probe looks at, when it looks at one on this machine.
pub fn local_port(probe: &Probe) -> Option<u16> {
    let hostport = match probe {
        Probe::Tcp(addr) => addr.clone(),
        Probe::Http(url) => split_url(url)?.0,
        Probe::Command(_) => return None,
    };
    let (host, port) = hostport.rsplit_once(':')?;
    matches!(host, "127.0.0.1" | "localhost" | "[::1]" | "0.0.0.0").then(|| port.parse().ok())?
}

/// One attempt, given at most `budget`: whether the service answered.
pub fn check(probe: &Probe, env: &[(String, String)], cwd: &Path, budget: Duration) -> bool {
    let budget = budget.clamp(Duration::from_millis(50), Duration::from_secs(5));
    match probe {
        Probe::Tcp(addr) => connect(addr, budget).is_some(),
        Probe::Http(url) => http(url, budget),
        Probe::Command(cmd) => command(cmd, env, cwd, budget),
    }
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
    let mut command = Command::new("/bin/sh");
    command.arg("-c").arg(cmd).current_dir(cwd).env_clear().envs(env.iter().map(|(k, v)| (k, v)));
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
        let probe = Probe::Tcp(addr.clone());
        assert!(check(&probe, &[], Path::new("/"), Duration::from_secs(1)));
        assert_eq!(local_port(&probe), Some(listener.local_addr().unwrap().port()));
        drop(listener);
        assert!(!check(&Probe::Tcp(addr), &[], Path::new("/"), Duration::from_secs(1)));
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
            assert_eq!(check(&Probe::Http(url), &[], Path::new("/"), Duration::from_secs(2)), ok);
            server.join().unwrap();
        }
    }

    #[test]
    fn command_probe_uses_the_exit_status_and_environment() {
        let env = vec![("WANT".to_string(), "yes".to_string())];
        let ok = Probe::Command("test \"$WANT\" = yes".into());
        assert!(check(&ok, &env, Path::new("/"), Duration::from_secs(2)));
        assert!(!check(&Probe::Command("exit 3".into()), &env, Path::new("/"), Duration::from_secs(2)));
        assert!(!check(&Probe::Command("sleep 5".into()), &env, Path::new("/"), Duration::from_millis(100)));
    }
}
