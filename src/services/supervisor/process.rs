//! The process side of supervising: spawning a service in its own process group (as
//! another user when asked, with a parent-death signal), signalling and reaping its group,
//! the port check, the service's environment over the project's, and copying its output
//! into its log. Never decides when: the runner does.

use std::io::Write;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::Path;
use std::process::{Child, ChildStderr, ChildStdout, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use nix::sys::signal::{Signal, killpg};
use nix::unistd::Pid;

use crate::env::Vars;
use crate::launch::{self, Environment};
use crate::proc;
use crate::services::Error;
use crate::services::plan::Unit;

/// One prefixed line on stdout, whole (stdout's lock keeps lines from interleaving).
pub(super) fn print_line(label: &str, line: &str) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{label} {line}");
    let _ = out.flush();
}

pub(super) const COLORS: &[&str] = &["36", "33", "35", "32", "34", "31"];

pub(super) enum Stream {
    Out(ChildStdout),
    Err(ChildStderr),
}

pub(super) enum End {
    Stopped,
    StartFailed(Error),
    Exited(ExitStatus),
}

pub(super) fn join(pumps: [Option<std::thread::JoinHandle<()>>; 2]) {
    for p in pumps.into_iter().flatten() {
        let _ = p.join();
    }
}

/// "exit code 3" or "killed by SIGSEGV".
pub(super) fn describe(status: ExitStatus) -> String {
    match (status.code(), status.signal()) {
        (Some(code), _) => format!("exit code {code}"),
        (None, Some(sig)) => {
            Signal::try_from(sig).map_or_else(|_| format!("signal {sig}"), |s| format!("killed by {s}"))
        }
        _ => "ended".into(),
    }
}

/// Whether `port` is taken on this machine, with who holds it.
pub(super) fn port_taken(service: &str, port: u16) -> Option<Error> {
    let holder = proc::port_holder(port);
    let bound = std::net::TcpListener::bind(("127.0.0.1", port)).is_ok();
    (holder.is_some() || !bound).then(|| Error::PortInUse { service: service.to_string(), port, holder })
}

/// The project environment with the service's own variables over it (`${NAME}` in them
/// refers to the project environment and to the service's earlier variables).
pub(super) fn service_env(base: &[(String, String)], own: &[(String, String)]) -> Vec<(String, String)> {
    let mut env: Vec<(String, String)> = base.to_vec();
    for (k, v) in own {
        let value = interpolate(v, &env);
        env.retain(|(name, _)| name != k);
        env.push((k.clone(), value));
    }
    env
}

/// `${NAME}` replaced by its value in `env` (empty when unset); anything else is literal.
pub(super) fn interpolate(text: &str, env: &[(String, String)]) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(i) = rest.find("${") {
        out.push_str(&rest[..i]);
        let Some(end) = rest[i..].find('}') else { break };
        let name = &rest[i + 2..i + end];
        out.push_str(env.iter().rev().find(|(k, _)| k == name).map_or("", |(_, v)| v.as_str()));
        rest = &rest[i + end + 1..];
    }
    out.push_str(rest);
    out
}

/// Starts `argv` as the service (its directory, user and environment) in its own process
/// group, with a parent-death signal so that it dies with the supervisor even when the
/// supervisor is killed with SIGKILL. stdin is a pipe when `stdin` is wanted, else null.
pub(super) fn spawn(
    unit: &Unit,
    argv: &[String],
    env: &[(String, String)],
    stdin: bool,
) -> std::io::Result<Child> {
    // Through the launch path: exactly `env`, in the service's directory (entered before
    // the user switch below, while den still has its own rights).
    let vars: Vars = env.iter().cloned().collect();
    let mut cmd = launch::command(Path::new(&argv[0]), Environment::Only(&vars), &unit.cwd);
    cmd.args(&argv[1..])
        .stdin(if stdin { Stdio::piped() } else { Stdio::null() })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let parent = std::process::id() as nix::libc::pid_t;
    // As another user, the directory is entered while still root (the user may not be
    // able to reach it by its path), then groups, gid and uid are dropped.
    let switch = match unit.user {
        Some((uid, gid)) => {
            let dir = std::ffi::CString::new(unit.cwd.as_os_str().as_encoded_bytes())
                .map_err(|_| std::io::Error::other("a directory with a NUL byte"))?;
            Some((dir, uid, gid))
        }
        None => None,
    };
    // SAFETY: only async-signal-safe calls (setpgid, chdir, fchown, setgroups, setgid,
    // setuid, prctl, getppid, _exit) between fork and exec; the CString was made before
    // the fork.
    unsafe {
        cmd.pre_exec(move || {
            use nix::libc;
            if libc::setpgid(0, 0) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            // A piped stdin is handed to the user too, so that the program can reopen it
            // (`initdb --pwfile=/dev/stdin`); never a /dev/null stdin, which is shared.
            if let Some((dir, uid, gid)) = &switch
                && (libc::chdir(dir.as_ptr()) != 0
                    || (stdin && libc::fchown(0, *uid, *gid) != 0)
                    || libc::setgroups(0, std::ptr::null()) != 0
                    || libc::setgid(*gid) != 0
                    || libc::setuid(*uid) != 0)
            {
                return Err(std::io::Error::last_os_error());
            }
            // After the user switch: changing credentials clears the parent-death signal.
            if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL as libc::c_ulong) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            // The supervisor may have died before the signal was set.
            if libc::getppid() != parent {
                libc::_exit(1);
            }
            Ok(())
        });
    }
    cmd.spawn()
}

/// `signal` to the group, SIGKILL to it after `timeout`; the leader's status when reaped.
pub(super) fn terminate(
    child: &mut Child,
    pid: i32,
    signal: Signal,
    timeout: Duration,
) -> Option<ExitStatus> {
    let group = Pid::from_raw(pid);
    let _ = killpg(group, signal);
    let deadline = Instant::now() + timeout;
    loop {
        match child.try_wait() {
            Ok(Some(status)) => return Some(status),
            Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(20)),
            Ok(None) => {
                let _ = killpg(group, Signal::SIGKILL);
                return child.wait().ok();
            }
            Err(_) => return None,
        }
    }
}

/// SIGKILL to whatever is left of a group whose leader has been reaped.
pub(super) fn kill_group(pid: i32) {
    let _ = killpg(Pid::from_raw(pid), Signal::SIGKILL);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_variables_go_over_the_project_and_may_refer_to_it() {
        let base = vec![("PORT".to_string(), "1".to_string()), ("HOST".to_string(), "h".to_string())];
        let own = vec![
            ("PORT".to_string(), "2".to_string()),
            ("URL".to_string(), "http://${HOST}:${PORT}/${NOPE}".to_string()),
        ];
        let env = service_env(&base, &own);
        let get = |k: &str| env.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
        assert_eq!(get("PORT"), Some("2"));
        assert_eq!(get("URL"), Some("http://h:2/"));
    }
}
