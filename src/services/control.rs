//! The control socket (`.den/run/supervisor.sock`, in the 0700 run directory): one JSON
//! request per connection, one JSON reply once the work is done. Also the session records
//! `den enter` leaves in `.den/sessions/` and whether any of them is still alive. The socket
//! is only ever bound by the supervisor; clients never start anything through it but
//! services of the project the supervisor was started for.
//!
//! This is the wire and the records only: what a request does is the supervisor's
//! (`Server`, which it implements); this module never knows the supervisor.

use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::{UnixListener, UnixStream};
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::lease::Lease;
use super::{Dirs, Error};
use crate::hint::Hint;
use crate::io_error::IoError;
use crate::proc;

/// What a client asks the supervisor.
#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "lowercase")]
pub enum Request {
    /// Start services (all when empty); `session`: for `den enter`.
    Start {
        names: Vec<String>,
        session: bool,
    },
    /// Stop services (and what depends on them).
    Stop {
        names: Vec<String>,
    },
    /// Stop everything and end the supervisor.
    Down,
    Restart {
        name: String,
    },
}

#[derive(Debug, Serialize, Deserialize)]
struct Reply {
    ok: bool,
    message: Option<String>,
    help: Option<String>,
}

/// What answers the socket's requests: the supervisor.
pub trait Server: Send + Sync + 'static {
    /// Does what `request` asks, returning once it is done.
    fn answer(&self, request: Request) -> Result<(), Error>;
    /// Counts a connection in (`true`) or out: a server does not leave in the middle of
    /// one.
    fn in_flight(&self, entering: bool);
}

/// Binds the socket and answers requests on a thread of their own (each connection on
/// its own thread, so that a long start does not block `den down`).
pub fn listen(dirs: &Dirs, server: Arc<dyn Server>) -> Result<(), Error> {
    let path = dirs.socket();
    let _ = crate::fs_util::beneath::remove(&dirs.root, &path);
    let listener = UnixListener::bind(&path).map_err(IoError::at("listen on", &path))?;
    std::thread::spawn(move || {
        for conn in listener.incoming().flatten() {
            let server = Arc::clone(&server);
            server.in_flight(true);
            std::thread::spawn(move || {
                answer(&*server, conn);
                server.in_flight(false);
            });
        }
    });
    Ok(())
}

fn answer(server: &dyn Server, conn: UnixStream) {
    let mut line = String::new();
    let Ok(reader_conn) = conn.try_clone() else { return };
    if BufReader::new(reader_conn).take_line(&mut line).is_err() {
        return;
    }
    let result = match serde_json::from_str::<Request>(&line) {
        Ok(request) => server.answer(request),
        Err(e) => Err(Error::BadRequest { reason: e.to_string() }),
    };
    let reply = match result {
        Ok(()) => Reply { ok: true, message: None, help: None },
        Err(e) => Reply { ok: false, message: Some(e.to_string()), help: e.hint() },
    };
    let mut conn = conn;
    if let Ok(mut json) = serde_json::to_vec(&reply) {
        json.push(b'\n');
        let _ = conn.write_all(&json);
    }
}

trait TakeLine {
    fn take_line(&mut self, line: &mut String) -> std::io::Result<usize>;
}

impl<R: BufRead> TakeLine for R {
    /// One line of at most 64 KiB.
    fn take_line(&mut self, line: &mut String) -> std::io::Result<usize> {
        use std::io::Read;
        self.take(64 * 1024).read_line(line)
    }
}

/// Sends `request` to the project's supervisor and waits for its answer.
pub fn request(dirs: &Dirs, request: &Request) -> Result<(), Error> {
    let path = dirs.socket();
    let mut conn = UnixStream::connect(&path).map_err(IoError::at("reach the supervisor at", &path))?;
    let mut json = serde_json::to_vec(request).expect("requests serialize");
    json.push(b'\n');
    conn.write_all(&json).map_err(|e| IoError::named("talk to", "the supervisor", e))?;
    let mut line = String::new();
    BufReader::new(conn).take_line(&mut line).map_err(|e| IoError::named("hear", "the supervisor", e))?;
    let reply: Reply = serde_json::from_str(&line).map_err(|_| Error::NoAnswer)?;
    if reply.ok {
        return Ok(());
    }
    Err(Error::Supervisor { message: reply.message.unwrap_or_default(), help: reply.help })
}

/// Prefix of the records of process sessions that hold a project's session services:
/// `den ide` starts an editor in a session of its own, which lives on after the editor's
/// launcher (`code`) has exited.
const EDITOR: &str = "ide-";

/// The record that makes the process session `lease` (its leader's pid, which is its
/// id, and start time) hold the project's session services while any of its processes
/// lives, like a `den enter` session.
pub fn hold_for_session(dirs: &Dirs, lease: Lease) -> std::io::Result<std::path::PathBuf> {
    let path = dirs.den.sessions().join(format!("{EDITOR}{}", lease.pid));
    super::lease::write(&dirs.root, &path, lease)?;
    Ok(path)
}

/// Whether any session of the project is still alive: a `den enter` (its record names
/// den's process) or an editor `den ide` started (a process session, see
/// [`hold_for_session`]). A record whose process is gone, or is another process now,
/// does not count; an editor's record whose session ended is removed (a session never
/// comes back), and one den did not write (`lease::read`, `lease::written_for`: a
/// repository may ship one) is ignored.
pub fn sessions_alive(dirs: &Dirs) -> bool {
    let Ok(entries) = std::fs::read_dir(dirs.den.sessions()) else { return false };
    let mut alive = false;
    for e in entries.flatten() {
        if e.file_name().to_str().is_some_and(|n| n.starts_with(EDITOR)) {
            let Some(lease) =
                super::lease::read(&e.path()).filter(|l| super::lease::written_for(&e.path(), *l))
            else {
                continue;
            };
            if proc::session_alive(lease.pid, lease.start) {
                alive = true;
            } else {
                let _ = crate::fs_util::beneath::remove(&dirs.root, &e.path());
            }
            continue;
        }
        let text = std::fs::read_to_string(e.path()).unwrap_or_default();
        let mut parts = text.split_whitespace();
        let pid = parts.next().and_then(|p| p.parse::<i32>().ok());
        let start = parts.next().and_then(|s| s.parse::<u64>().ok());
        alive |= match (pid, start) {
            (Some(pid), Some(start)) => proc::is(pid, start),
            (Some(pid), None) => proc::start_time(pid).is_some(),
            _ => false,
        };
    }
    alive
}

#[cfg(test)]
mod tests {
    use std::os::unix::process::CommandExt;

    use super::*;

    /// A server that refuses a restart with a typed error.
    struct Refusing;

    impl Server for Refusing {
        fn answer(&self, request: Request) -> Result<(), Error> {
            match request {
                Request::Restart { name } => Err(Error::NotRunning { service: name }),
                _ => Ok(()),
            }
        }
        fn in_flight(&self, _: bool) {}
    }

    #[test]
    fn a_typed_error_crosses_the_socket_with_its_advice_and_garbage_is_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let dirs = Dirs::of(tmp.path());
        dirs.create().unwrap();
        listen(&dirs, Arc::new(Refusing)).unwrap();

        assert!(request(&dirs, &Request::Down).is_ok());
        let refused = Error::NotRunning { service: "web".into() };
        match request(&dirs, &Request::Restart { name: "web".into() }) {
            Err(Error::Supervisor { message, help }) => {
                assert_eq!(message, refused.to_string());
                assert_eq!(help, refused.hint());
            }
            other => panic!("expected the supervisor's answer, got {other:?}"),
        }

        // A line that is not one of den's requests is answered, not obeyed.
        let mut conn = UnixStream::connect(dirs.socket()).unwrap();
        conn.write_all(b"{\"op\":\"rm -rf\"}\n").unwrap();
        let mut line = String::new();
        BufReader::new(conn).read_line(&mut line).unwrap();
        let reply: Reply = serde_json::from_str(&line).unwrap();
        assert!(!reply.ok && reply.message.unwrap().starts_with("bad request: "), "{line}");
        assert!(reply.help.unwrap().contains("den up -d"));
    }

    #[test]
    #[allow(clippy::disallowed_methods, reason = "a helper process standing for an editor's session")]
    fn an_editors_session_holds_until_its_last_process_ends() {
        let tmp = tempfile::tempdir().unwrap();
        let dirs = Dirs::of(tmp.path());
        std::fs::create_dir_all(dirs.den.sessions()).unwrap();
        assert!(!sessions_alive(&dirs));
        let mut cmd = std::process::Command::new("sleep");
        cmd.arg("30");
        // SAFETY: setsid is async-signal-safe.
        unsafe { cmd.pre_exec(|| nix::unistd::setsid().map(drop).map_err(std::io::Error::from)) };
        let mut child = cmd.spawn().unwrap();
        let record = hold_for_session(&dirs, Lease::of(child.id() as i32).unwrap()).unwrap();
        let alive = sessions_alive(&dirs);
        let _ = child.kill();
        let _ = child.wait();
        assert!(alive, "a live session");
        assert!(!sessions_alive(&dirs) && !record.exists(), "an ended session's record is removed");

        // A record naming a session that was running long before it was written (a
        // repository shipping one), or readable by others, holds nothing.
        let stat = std::fs::read_to_string("/proc/self/stat").unwrap();
        let sid: i32 =
            stat[stat.rfind(')').unwrap() + 1..].split_whitespace().nth(3).unwrap().parse().unwrap();
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs_f64();
        let long_ago = |l: &Lease| proc::started_at(l.start).is_some_and(|t| now - t > 120.0);
        if let Some(old) = Lease::of(sid).filter(|l| l.pid > 1 && long_ago(l)) {
            let planted = hold_for_session(&dirs, old).unwrap();
            assert!(!sessions_alive(&dirs) && planted.exists());
        }
    }
}
