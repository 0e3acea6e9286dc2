//! What /proc says about a process: its start time (so a recycled pid is never mistaken
//! for the process a lease names), its command line, and which process listens on a TCP
//! port. Reads only; never signals anything.

use std::fs;

/// The process's start time in clock ticks since boot (field 22 of `/proc/<pid>/stat`),
/// or `None` when there is no such process.
pub fn start_time(pid: i32) -> Option<u64> {
    let stat = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name (field 2) may hold spaces and parentheses: fields resume after the
    // last `)`, at field 3.
    let rest = &stat[stat.rfind(')')? + 1..];
    rest.split_whitespace().nth(19)?.parse().ok()
}

/// Whether the process `pid` is alive and still the one that started at `start` (a zombie
/// counts as gone).
pub fn is(pid: i32, start: u64) -> bool {
    let Ok(stat) = fs::read_to_string(format!("/proc/{pid}/stat")) else { return false };
    let Some(close) = stat.rfind(')') else { return false };
    let mut fields = stat[close + 1..].split_whitespace();
    if fields.next() == Some("Z") {
        return false;
    }
    fields.nth(18).and_then(|f| f.parse::<u64>().ok()) == Some(start)
}

/// Whether `pid` is a live process (a zombie, which nothing reaped yet, is not).
pub fn running(pid: i32) -> bool {
    let Ok(stat) = fs::read_to_string(format!("/proc/{pid}/stat")) else { return false };
    stat.rfind(')').is_some_and(|close| !stat[close + 1..].trim_start().starts_with('Z'))
}

/// When the process started, as Unix time in seconds (boot time plus its start ticks).
pub fn started_at(start: u64) -> Option<f64> {
    let stat = fs::read_to_string("/proc/stat").ok()?;
    let btime: f64 = stat.lines().find_map(|l| l.strip_prefix("btime "))?.trim().parse().ok()?;
    // SAFETY: sysconf has no preconditions.
    let ticks = unsafe { nix::libc::sysconf(nix::libc::_SC_CLK_TCK) };
    (ticks > 0).then(|| btime + start as f64 / ticks as f64)
}

/// Whether a live process of the session `sid` is left, that session's leader having
/// started at `start` (a session outlives its leader: `code` starts the editor and exits).
/// While any process of a session is left, the kernel keeps its id from new processes, so
/// a live process `sid` with another start time means the session ended and its id went
/// to another; a member that started before the leader is not of this session either.
pub fn session_alive(sid: i32, start: u64) -> bool {
    if start_time(sid).is_some_and(|s| s != start) {
        return false;
    }
    let Ok(entries) = fs::read_dir("/proc") else { return false };
    entries
        .flatten()
        .filter(|e| e.file_name().to_str().is_some_and(|n| n.bytes().all(|b| b.is_ascii_digit())))
        .any(|e| {
            let Ok(stat) = fs::read_to_string(e.path().join("stat")) else { return false };
            let Some(close) = stat.rfind(')') else { return false };
            let fields: Vec<&str> = stat[close + 1..].split_whitespace().collect();
            fields.first() != Some(&"Z")
                && fields.get(3).and_then(|f| f.parse::<i32>().ok()) == Some(sid)
                && fields.get(19).and_then(|f| f.parse::<u64>().ok()).is_some_and(|s| s >= start)
        })
}

/// The process group of `pid`.
pub fn pgid(pid: i32) -> Option<i32> {
    let stat = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    stat[stat.rfind(')')? + 1..].split_whitespace().nth(2)?.parse().ok()
}

/// The command line of `pid`, arguments joined by spaces (empty when unreadable).
pub fn cmdline(pid: i32) -> String {
    let raw = fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
    let parts: Vec<String> = raw
        .split(|b| *b == 0)
        .filter(|p| !p.is_empty())
        .map(|p| String::from_utf8_lossy(p).into_owned())
        .collect();
    parts.join(" ")
}

/// The process listening on TCP `port` (any address, IPv4 or IPv6): its pid and command
/// line, when /proc lets us see it.
pub fn port_holder(port: u16) -> Option<(i32, String)> {
    let inodes: Vec<String> = ["/proc/net/tcp", "/proc/net/tcp6"]
        .iter()
        .filter_map(|f| fs::read_to_string(f).ok())
        .flat_map(|table| listening_inodes(&table, port))
        .collect();
    if inodes.is_empty() {
        return None;
    }
    let wanted: Vec<String> = inodes.iter().map(|i| format!("socket:[{i}]")).collect();
    for entry in fs::read_dir("/proc").ok()?.flatten() {
        let Some(pid) = entry.file_name().to_str().and_then(|n| n.parse::<i32>().ok()) else { continue };
        let Ok(fds) = fs::read_dir(entry.path().join("fd")) else { continue };
        for fd in fds.flatten() {
            if fs::read_link(fd.path()).is_ok_and(|l| wanted.iter().any(|w| l.as_os_str() == w.as_str())) {
                return Some((pid, cmdline(pid)));
            }
        }
    }
    None
}

/// Inodes of the sockets in a `/proc/net/tcp*` table listening on `port`.
fn listening_inodes(table: &str, port: u16) -> Vec<String> {
    table
        .lines()
        .skip(1)
        .filter_map(|line| {
            let cols: Vec<&str> = line.split_whitespace().collect();
            let local_port = cols.get(1)?.rsplit_once(':')?.1;
            let listening = *cols.get(3)? == "0A";
            (listening && u16::from_str_radix(local_port, 16).ok()? == port)
                .then(|| cols.get(9).map(|s| s.to_string()))?
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn own_process_is_itself_and_not_another_start() {
        let pid = std::process::id() as i32;
        let start = start_time(pid).expect("own start time");
        assert!(is(pid, start));
        assert!(!is(pid, start + 1));
        assert!(cmdline(pid).contains("den"));
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs_f64();
        let began = started_at(start).unwrap();
        assert!(began <= now + 1.0 && began > now - 3600.0, "{began} vs {now}");
        assert!(pgid(pid).is_some());
    }

    #[test]
    fn a_session_lives_while_a_member_does_and_not_as_another_start() {
        let me = std::process::id() as i32;
        let stat = fs::read_to_string("/proc/self/stat").unwrap();
        let sid: i32 =
            stat[stat.rfind(')').unwrap() + 1..].split_whitespace().nth(3).unwrap().parse().unwrap();
        let leader = start_time(sid).unwrap_or(0);
        assert!(session_alive(sid, leader), "this test's own session");
        if start_time(sid).is_some() {
            assert!(!session_alive(sid, leader + 1), "its leader with another start time");
        }
        assert!(!session_alive(me, start_time(me).unwrap()) || sid == me, "no session has this id");
    }

    #[test]
    fn finds_the_listener_of_a_port() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let (pid, _) = port_holder(port).expect("holder");
        assert_eq!(pid, std::process::id() as i32);
    }

    #[test]
    fn parses_a_listening_row() {
        let table = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n   0: 0100007F:1538 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4242 1\n";
        assert_eq!(listening_inodes(table, 5432), vec!["4242".to_string()]);
        assert!(listening_inodes(table, 5433).is_empty());
    }
}
