//! `den up`/`ps`/`logs`/`restart`/`down` with real processes: a small HTTP server with an
//! `http` check and a dependant, readiness timeouts, crashes on start, restarts, a port
//! already taken, a supervisor killed with SIGKILL. Every test stops what it started, even
//! when it fails (`Guard`).

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::{Env, run};

/// Runs `den down --purge --yes` (which also removes the socket directory under the temp
/// directory) and kills every leased process group when dropped.
pub struct Guard<'a> {
    pub env: &'a Env,
}

impl Drop for Guard<'_> {
    fn drop(&mut self) {
        let down = ["down", "--purge", "--yes"];
        let _ = self.env.den().args(down).stdout(Stdio::null()).stderr(Stdio::null()).status();
        let run_dir = self.env.project().join(".den/run");
        for entry in std::fs::read_dir(&run_dir).into_iter().flatten().flatten() {
            let Ok(text) = std::fs::read_to_string(entry.path()) else { continue };
            let Some(pid) = text.split_whitespace().next().and_then(|p| p.parse::<i32>().ok()) else {
                continue;
            };
            if pid > 1 {
                // SAFETY: plain kill(2) calls on pids/groups this test's den leased.
                unsafe {
                    libc::kill(-pid, libc::SIGKILL);
                    libc::kill(pid, libc::SIGKILL);
                }
            }
        }
    }
}

/// A port nothing listens on right now.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// Whether `pid` is a live process (not a zombie).
pub fn alive(pid: i32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .is_ok_and(|s| s.rsplit_once(')').is_some_and(|(_, rest)| !rest.trim_start().starts_with('Z')))
}

/// Waits up to `secs` for `cond`.
pub fn eventually(secs: u64, mut cond: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + Duration::from_secs(secs);
    while Instant::now() < deadline {
        if cond() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    cond()
}

/// The project's services as `den ps --json` reports them: (name, state, pid, restarts).
pub fn ps(env: &Env) -> Vec<(String, String, Option<i32>, u64)> {
    let out = run(env.den(), &["ps", "--json"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let json: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    json.as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["name"].as_str().unwrap().to_string(),
                e["state"].as_str().unwrap().to_string(),
                e["pid"].as_i64().map(|p| p as i32),
                e["restarts"].as_u64().unwrap(),
            )
        })
        .collect()
}

fn project(toml: &str) -> Env {
    let env = Env::new();
    env.write("den.toml", toml);
    env.trust();
    env
}

/// A web server on `port` with an http check, and an api that depends on it and prints
/// a variable given in its `env`.
fn web_and_api(port: u16) -> String {
    format!(
        r#"[services.api]
run = ["python3", "-u", "-c", "import os, time\nprint('api sees', os.environ['GREETING'], flush=True)\ntime.sleep(600)"]
depends_on = ["web"]
env = {{ GREETING = "hello from ${{HOME}}" }}

[services.web]
run = "python3 -m http.server {port} --bind 127.0.0.1"
ready = {{ http = "http://127.0.0.1:{port}/", timeout = "20s" }}
"#
    )
}

#[test]
fn up_detached_starts_in_dependency_order_and_down_stops_everything() {
    let port = free_port();
    let env = project(&web_and_api(port));
    let _guard = Guard { env: &env };
    let out = run(env.den(), &["up", "-d"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let services = ps(&env);
    assert_eq!(services.iter().map(|s| s.1.as_str()).collect::<Vec<_>>(), ["ready", "ready"], "{services:?}");
    let pids: Vec<i32> = services.iter().map(|s| s.2.unwrap()).collect();
    assert!(pids.iter().all(|p| alive(*p)));
    // The web server answers, the api got its variable over the project environment.
    let page = std::net::TcpStream::connect(("127.0.0.1", port));
    assert!(page.is_ok());
    assert!(eventually(10, || run(env.den(), &["logs", "api"]).stdout.contains("api sees hello from")));
    let web_log = std::fs::read_to_string(env.project().join(".den/logs/web.log")).unwrap();
    assert!(web_log.contains("den: ready after"), "{web_log}");
    // web was ready before api started.
    let api_log = std::fs::read_to_string(env.project().join(".den/logs/api.log")).unwrap();
    assert!(api_log.contains("den: started `python3 -u -c"), "{api_log}");
    let all = run(env.den(), &["logs", "-n", "50"]);
    assert!(all.stdout.lines().any(|l| l.starts_with("web | ")), "{}", all.stdout);
    assert!(all.stdout.lines().any(|l| l.starts_with("api | ")), "{}", all.stdout);
    let table = run(env.den(), &["ps"]);
    assert!(table.stdout.starts_with("NAME  STATE  PID"), "{}", table.stdout);
    let verbose = run(env.den(), &["ps", "--verbose"]);
    assert!(
        verbose
            .stdout
            .contains(&format!("web: /bin/sh -c exec python3 -m http.server {port} --bind 127.0.0.1")),
        "{}",
        verbose.stdout
    );

    // Stopping web stops api first (it depends on web).
    let out = run(env.den(), &["down", "web"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stderr.contains("den: stopped web (and what depends on it)"), "{}", out.stderr);
    assert!(pids.iter().all(|p| !alive(*p)));
    let api_log = std::fs::read_to_string(env.project().join(".den/logs/api.log")).unwrap();
    assert!(api_log.contains("den: stopped"), "{api_log}");
    let out = run(env.den(), &["down"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    // Stopping web and api left nothing to supervise: the supervisor is leaving or gone.
    assert!(
        out.stderr.contains("den: no service of this project was running")
            || out.stderr.contains("den: stopped every service of this project"),
        "{}",
        out.stderr
    );
    assert!(ps(&env).iter().all(|s| s.1 == "stopped"));
    assert!(!env.project().join(".den/run/supervisor.pid").exists());
}

#[test]
fn up_in_the_foreground_prefixes_lines_and_stops_on_sigterm() {
    let port = free_port();
    let env = project(&web_and_api(port));
    let _guard = Guard { env: &env };
    let mut child = env.den().arg("up").stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut seen = Vec::new();
    for line in lines.by_ref() {
        let line = line.unwrap();
        seen.push(line.clone());
        if line.contains("api sees") {
            break;
        }
    }
    assert!(seen.iter().any(|l| l.starts_with("web | den: ready after")), "{seen:?}");
    assert!(seen.iter().all(|l| !l.contains('\x1b')), "no colour when not a terminal: {seen:?}");
    // The line can come before the supervisor records the pid: wait for both.
    assert!(eventually(10, || ps(&env).iter().all(|s| s.1 == "ready")));
    let pids: Vec<i32> = ps(&env).iter().map(|s| s.2.unwrap()).collect();
    // SAFETY: signalling the den this test started.
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    let rest: Vec<String> = lines.map_while(Result::ok).collect();
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
    let status = child.wait().unwrap();
    assert!(status.success(), "{status:?}: {stderr}");
    let api_stop = rest.iter().position(|l| l.starts_with("api | den: stopped")).expect("api stopped");
    let web_stop = rest.iter().position(|l| l.starts_with("web | den: stopped")).expect("web stopped");
    assert!(api_stop < web_stop, "reverse order: {rest:?}");
    assert!(pids.iter().all(|p| !alive(*p)));
}

#[test]
fn a_service_never_ready_is_reported_with_its_check_and_wait_and_stopped() {
    let port = free_port();
    let env = project(&format!(
        "[services.slow]\nrun = \"echo warming up; exec sleep 600\"\nready = {{ tcp = {port}, timeout = \"400ms\" }}\n"
    ));
    let _guard = Guard { env: &env };
    let out = run(env.den(), &["up", "-d"]);
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("service `slow` was not ready after 0."), "{}", out.stderr);
    assert!(out.stderr.contains(&format!("tcp 127.0.0.1:{port} never answered")), "{}", out.stderr);
    assert!(out.stderr.contains("help: see "), "{}", out.stderr);
    let log = std::fs::read_to_string(env.project().join(".den/logs/slow.log")).unwrap();
    let pid: i32 = log.split("(pid ").nth(1).unwrap().split(')').next().unwrap().parse().unwrap();
    assert!(eventually(5, || !alive(pid)));
    assert!(eventually(5, || !env.project().join(".den/run/supervisor.pid").exists()));
}

#[test]
fn a_crash_on_start_shows_the_end_of_the_log() {
    let port = free_port();
    let env = project(&format!(
        "[services.bad]\nrun = \"echo first line; echo config is broken >&2; exit 3\"\nready = {{ tcp = {port} }}\n"
    ));
    let _guard = Guard { env: &env };
    let out = run(env.den(), &["up", "-d"]);
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("service `bad` exited during start (exit code 3)"), "{}", out.stderr);
    assert!(out.stderr.contains("config is broken"), "{}", out.stderr);
    assert!(out.stderr.contains("first line"), "{}", out.stderr);
    // The foreground form says the same.
    let out = run(env.den(), &["up"]);
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("exited during start (exit code 3)"), "{}", out.stderr);
}

#[test]
fn a_failing_service_is_restarted_with_backoff() {
    let env = project(
        "[services.flaky]\nrun = \"echo run >> runs.txt; sleep 0.1; exit 1\"\nrestart = \"on-failure\"\n",
    );
    let _guard = Guard { env: &env };
    let out = run(env.den(), &["up", "-d"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let runs = || std::fs::read_to_string(env.project().join("runs.txt")).unwrap_or_default().lines().count();
    assert!(eventually(15, || runs() >= 3), "runs: {}", runs());
    let flaky = ps(&env).remove(0);
    assert!(flaky.3 >= 2, "{flaky:?}");
    let log = std::fs::read_to_string(env.project().join(".den/logs/flaky.log")).unwrap();
    assert!(log.contains("den: exited (exit code 1)"), "{log}");
    // Backoff doubles: 0.1s, then 0.2s, then 0.4s.
    assert!(log.contains("den: restarting in 0.1s"), "{log}");
    assert!(log.contains("den: restarting in 0.2s"), "{log}");
    let out = run(env.den(), &["down"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stderr.contains("den: stopped every service of this project"), "{}", out.stderr);
    let before = runs();
    std::thread::sleep(Duration::from_millis(800));
    assert_eq!(runs(), before, "nothing restarts after down");
}

#[test]
fn restart_gives_a_new_process() {
    let env = project("[services.s]\nrun = \"exec sleep 600\"\n");
    let _guard = Guard { env: &env };
    assert_eq!(run(env.den(), &["up", "-d"]).code, 0);
    let before = ps(&env)[0].2.unwrap();
    let out = run(env.den(), &["restart", "s"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let after = ps(&env)[0].clone();
    assert_eq!(after.1, "ready");
    assert_ne!(after.2.unwrap(), before);
    assert!(!alive(before));
    let out = run(env.den(), &["restart", "nope"]);
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("no service `nope`"), "{}", out.stderr);
    assert!(out.stderr.contains("help: the services declared are `s`"), "{}", out.stderr);
}

#[test]
fn a_port_in_use_names_its_holder() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let env = project(&format!("[services.web]\nrun = \"exec sleep 600\"\nport = {port}\n"));
    let _guard = Guard { env: &env };
    let out = run(env.den(), &["up", "-d"]);
    assert_eq!(out.code, 1);
    let me = std::process::id();
    assert!(
        out.stderr.contains(&format!("port {port} for service `web` is already in use by pid {me} (")),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains(&format!("help: stop that process (kill {me})")), "{}", out.stderr);
    drop(listener);
}

#[test]
fn a_killed_supervisor_takes_its_services_with_it() {
    let env = project("[services.a]\nrun = \"exec sleep 600\"\n[services.b]\nrun = [\"sleep\", \"601\"]\n");
    let _guard = Guard { env: &env };
    assert_eq!(run(env.den(), &["up", "-d"]).code, 0);
    let pids: Vec<i32> = ps(&env).iter().map(|s| s.2.unwrap()).collect();
    let text = std::fs::read_to_string(env.project().join(".den/run/supervisor.pid")).unwrap();
    let supervisor: i32 = text.split_whitespace().next().unwrap().parse().unwrap();
    // SAFETY: killing the supervisor this test started.
    unsafe { libc::kill(supervisor, libc::SIGKILL) };
    assert!(eventually(5, || pids.iter().all(|p| !alive(*p))), "services outlived their supervisor");
    let services = ps(&env);
    assert!(services.iter().all(|s| s.1 == "stopped"), "{services:?}");
    assert!(std::fs::read_dir(env.project().join(".den/run")).unwrap().flatten().all(|e| {
        let name = e.file_name();
        let name = name.to_string_lossy();
        !name.ends_with(".lease") && name != "supervisor.pid"
    }));
}

#[test]
fn a_survivor_named_by_a_lease_is_stopped_by_the_next_den() {
    let env = project("[services.a]\nrun = \"exec sleep 600\"\n");
    let _guard = Guard { env: &env };
    // A process in a group of its own, as a service is, that nothing supervises any more.
    let (mut survivor, pid, start) = group_leader();
    let run_dir = env.project().join(".den/run");
    std::fs::create_dir_all(&run_dir).unwrap();
    write_private(&run_dir.join("a.lease"), &format!("{pid} {start}\n"));
    // A lease whose pid was recycled (wrong start time) is not acted on.
    let mut other = Command::new("sleep").arg("600").spawn().unwrap();
    write_private(&run_dir.join("b.lease"), &format!("{} 1\n", other.id()));
    let out = run(env.den(), &["ps"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stderr.contains(&format!("stopped a (pid {pid}), left running by a supervisor that is gone")),
        "{}",
        out.stderr
    );
    let _ = survivor.wait();
    assert!(other.try_wait().unwrap().is_none(), "an unrelated process with a recycled pid was killed");
    let _ = other.kill();
    let _ = other.wait();
    assert!(!run_dir.join("a.lease").exists());
}

#[test]
fn an_untrusted_project_starts_nothing() {
    let env = Env::new();
    env.write("den.toml", "[services.a]\nrun = \"echo ran > ran.txt; exec sleep 600\"\n");
    let _guard = Guard { env: &env };
    for args in [&["up", "-d"][..], &["up"][..]] {
        let out = run(env.den(), args);
        assert_eq!(out.code, 1);
        assert!(out.stderr.contains("not trusted"), "{}", out.stderr);
    }
    assert!(!env.project().join("ran.txt").exists());
    assert!(!env.project().join(".den/run/supervisor.pid").exists());
}

#[test]
fn purge_needs_a_confirmation_or_yes() {
    let env = project("[services.a]\nrun = \"exec sleep 600\"\n");
    let _guard = Guard { env: &env };
    let data = env.write(".den/state/a/data.txt", "keep me");
    let out = run(env.den(), &["down", "--purge"]);
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("needs a confirmation"), "{}", out.stderr);
    assert!(data.exists());
    let out = run(env.den(), &["down", "--purge", "--yes"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(!data.exists());
}

/// Writes `text` to `path` with mode 0600, as den writes its leases.
fn write_private(path: &std::path::Path, text: &str) {
    use std::os::unix::fs::OpenOptionsExt;
    let mut f =
        std::fs::OpenOptions::new().write(true).create(true).truncate(true).mode(0o600).open(path).unwrap();
    std::io::Write::write_all(&mut f, text.as_bytes()).unwrap();
}

/// A process in a group of its own, and its start time from /proc.
fn group_leader() -> (std::process::Child, i32, String) {
    let mut cmd = Command::new("sleep");
    cmd.arg("600");
    std::os::unix::process::CommandExt::process_group(&mut cmd, 0);
    let child = cmd.spawn().unwrap();
    let pid = child.id() as i32;
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    let start = stat.rsplit_once(')').unwrap().1.split_whitespace().nth(19).unwrap().to_string();
    (child, pid, start)
}

#[test]
fn a_planted_lease_never_aims_den_at_another_process() {
    let env = project("[services.a]\nrun = \"exec sleep 600\"\n");
    let _guard = Guard { env: &env };
    let run_dir = env.project().join(".den/run");
    std::fs::create_dir_all(&run_dir).unwrap();
    // A repository ships leases naming processes of the machine with their exact start
    // times: one readable by all (not den's), one written long after its process started.
    let (mut readable, readable_pid, readable_start) = group_leader();
    std::fs::write(run_dir.join("a.lease"), format!("{readable_pid} {readable_start}\n")).unwrap();
    let (mut old, old_pid, old_start) = group_leader();
    let late = run_dir.join("b.lease");
    write_private(&late, &format!("{old_pid} {old_start}\n"));
    let touched = Command::new("touch").args(["-d", "2 hours"]).arg(&late).status().unwrap();
    assert!(touched.success());
    // And a supervisor lease naming a live process, which must not make den think a
    // supervisor runs.
    write_private(&run_dir.join("supervisor.pid"), &format!("{old_pid} {old_start}\n"));
    let out = run(env.den(), &["ps"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(!out.stderr.contains("stopped"), "{}", out.stderr);
    assert!(readable.try_wait().unwrap().is_none(), "den signalled a process named by a planted lease");
    assert!(old.try_wait().unwrap().is_none(), "den signalled a process named by a planted lease");
    let up = run(env.den(), &["up", "-d"]);
    assert_eq!(up.code, 0, "{}", up.stderr);
    for child in [&mut readable, &mut old] {
        let _ = child.kill();
        let _ = child.wait();
    }
}

#[test]
fn a_planted_tool_record_never_runs_the_repository_s_binaries() {
    let env = project("[services.cache]\npreset = \"redis\"\n");
    let _guard = Guard { env: &env };
    let evil = env.project().join("evil/bin");
    std::fs::create_dir_all(&evil).unwrap();
    let script = evil.join("redis-server");
    std::fs::write(&script, "#!/bin/sh\ntouch \"$DEN_ROOT/pwned\"\nexec sleep 600\n").unwrap();
    std::fs::set_permissions(&script, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let record =
        serde_json::json!(["latest", {"dir": env.project().join("evil"), "bin": evil, "version": "7.0.0"}]);
    std::fs::create_dir_all(env.project().join(".den/state/cache")).unwrap();
    write_private(&env.project().join(".den/state/cache/tool.json"), &record.to_string());
    let out = run(env.den(), &["--offline", "up", "-d"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(!env.project().join("pwned").exists(), "den ran a binary a repository named");
}

#[test]
fn on_a_terminal_up_shows_progress_colours_and_stops_on_ctrl_c() {
    let port = free_port();
    let env = project(&format!(
        "[services.slow]\nrun = \"sleep 0.3; exec python3 -m http.server {port} --bind 127.0.0.1\"\nready = {{ http = \"http://127.0.0.1:{port}/\" }}\n"
    ));
    let _guard = Guard { env: &env };
    let mut cmd = env.den();
    cmd.args(["up", "-d"]);
    let mut pty = crate::pty::Pty::spawn(cmd);
    pty.expect(&format!("slow: starting (waiting for http http://127.0.0.1:{port}/)"));
    pty.expect("slow is ready");
    drop(pty);
    assert_eq!(run(env.den(), &["down"]).code, 0);

    let mut cmd = env.den();
    cmd.arg("up");
    let mut pty = crate::pty::Pty::spawn(cmd);
    // The name is coloured on a terminal.
    pty.expect("\x1b[36mslow |\x1b[0m den: ready after");
    let pid = ps(&env)[0].2.unwrap();
    pty.send("\x03");
    pty.expect("den: stopped");
    assert!(eventually(10, || !alive(pid)));
}

#[test]
fn init_runs_once_before_the_first_start_and_a_failed_one_is_shown() {
    let env = project("[services.s]\nrun = \"exec sleep 600\"\ninit = \"echo init ran >> inits.txt\"\n");
    let _guard = Guard { env: &env };
    for _ in 0..2 {
        let out = run(env.den(), &["up", "-d"]);
        assert_eq!(out.code, 0, "{}", out.stderr);
        assert_eq!(run(env.den(), &["down"]).code, 0);
    }
    assert_eq!(std::fs::read_to_string(env.project().join("inits.txt")).unwrap(), "init ran\n");

    let env = project("[services.s]\nrun = \"exec sleep 600\"\ninit = \"echo cannot migrate >&2; exit 4\"\n");
    let _guard = Guard { env: &env };
    let out = run(env.den(), &["up", "-d"]);
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("the init of service `s` failed (exit code 4)"), "{}", out.stderr);
    assert!(out.stderr.contains("cannot migrate"), "{}", out.stderr);
    assert!(ps(&env).iter().all(|s| s.1 != "ready"));
}

#[test]
fn a_watched_file_that_changes_restarts_the_service() {
    let env = project("[services.s]\nrun = \"exec sleep 600\"\nwatch = [\"src/**/*.txt\"]\n");
    env.write("src/deep/a.txt", "1");
    env.write("src/notes.md", "1");
    let _guard = Guard { env: &env };
    assert_eq!(run(env.den(), &["up", "-d"]).code, 0);
    let first = ps(&env)[0].2.unwrap();
    // Settled events go through before we write; an unmatched file changes nothing.
    std::thread::sleep(Duration::from_millis(300));
    env.write("src/notes.md", "2");
    std::thread::sleep(Duration::from_millis(700));
    assert_eq!(ps(&env)[0].2, Some(first), "a file no glob matches restarted the service");
    env.write("src/deep/a.txt", "2");
    assert!(
        eventually(10, || ps(&env)[0].2.is_some_and(|p| p != first) && ps(&env)[0].1 == "ready"),
        "{:?}",
        ps(&env)
    );
    assert!(!alive(first));
    let log = std::fs::read_to_string(env.project().join(".den/logs/s.log")).unwrap();
    assert!(log.contains("den: src/deep/a.txt changed: restarting"), "{log}");
}

#[test]
fn service_values_are_part_of_the_environment_without_running_anything() {
    let env = project(
        r#"[env]
API_URL = "http://${services.api.host}:${services.api.port}/"
CACHE = "${services.cache.url}"
DSN = "${DATABASE_URL}?sslmode=disable"

[services.api]
run = "exec sleep 600"
port = 4567

[services.cache]
preset = "redis"
port = 6390

[services.db]
preset = "postgres"
"#,
    );
    let out = run(env.den(), &["export", "--format", "json"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let vars: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let get = |k: &str| vars[k].as_str().unwrap_or_else(|| panic!("{k} missing: {vars}")).to_string();
    assert_eq!(get("API_URL"), "http://127.0.0.1:4567/");
    let url = get("REDIS_URL");
    let password = url.strip_prefix("redis://:").unwrap().split('@').next().unwrap().to_string();
    assert_eq!(url, format!("redis://:{password}@127.0.0.1:6390/0"));
    assert_eq!(get("CACHE"), get("REDIS_URL"));
    let port: u16 = get("PGPORT").parse().unwrap();
    assert_eq!(get("DSN"), format!("{}?sslmode=disable", get("DATABASE_URL")));
    assert!(get("DATABASE_URL").ends_with(&format!("@127.0.0.1:{port}/project")));
    assert_eq!((get("PGUSER"), get("PGDATABASE")), ("postgres".to_string(), "project".to_string()));
    // The port picked for db is kept: the same on the next look.
    let again = run(env.den(), &["export", "--format", "json"]);
    assert!(again.stdout.contains(&format!("\"PGPORT\": \"{port}\"")), "{}", again.stdout);
    // Kept by den, 0600, never in the repository; nothing was written there.
    let records = env.home().join(".local/share/den/services-v1");
    let project = std::fs::read_dir(&records).unwrap().next().unwrap().unwrap().path();
    for name in ["cache", "db"] {
        let mode = std::fs::metadata(project.join(format!("{name}.toml"))).unwrap().permissions();
        assert_eq!(std::os::unix::fs::PermissionsExt::mode(&mode) & 0o777, 0o600, "{name}");
    }
    assert!(!env.project().join(".den/state").exists());
    // den explain names the service and never shows the password.
    let explain = run(env.den(), &["explain", "REDIS_URL"]);
    assert!(explain.stdout.contains("[services.cache]"), "{}", explain.stdout);
    assert!(!explain.stdout.contains(&password), "{}", explain.stdout);
    let explain = run(env.den(), &["explain", "PGPORT"]);
    assert!(
        explain.stdout.starts_with(&format!("PGPORT={port}")) && explain.stdout.contains("[services.db]")
    );
    // den run sees the same, and nothing was started.
    let out = run(env.den(), &["run", "--", "sh", "-c", "echo $REDIS_URL"]);
    assert_eq!(out.stdout.trim(), get("REDIS_URL"));
    assert!(ps(&env).iter().all(|s| s.1 == "stopped"));
    assert!(!env.project().join(".den/run/supervisor.pid").exists());

    env.write("den.toml", "[env]\nX = \"${services.nope.port}\"\n");
    env.trust();
    let out = run(env.den(), &["export", "--format", "json"]);
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("refers to `${services.nope.port}`, which is not set"), "{}", out.stderr);
}

#[test]
fn logs_follow_what_a_service_prints() {
    let env = project(
        "[services.ticker]\nrun = \"i=0; while true; do i=$((i+1)); echo tick $i; sleep 0.05; done\"\n",
    );
    let _guard = Guard { env: &env };
    assert_eq!(run(env.den(), &["up", "-d"]).code, 0);
    let three_ticks = || {
        let last = run(env.den(), &["logs", "ticker", "-n", "3"]).stdout;
        last.lines().count() == 3 && last.lines().all(|l| l.starts_with("tick "))
    };
    assert!(eventually(10, three_ticks));
    let mut follow = env.den().args(["logs", "-f", "-n", "0"]).stdout(Stdio::piped()).spawn().unwrap();
    let mut lines = BufReader::new(follow.stdout.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    let second = lines.next().unwrap().unwrap();
    let _ = follow.kill();
    let _ = follow.wait();
    let n = |l: &str| l.rsplit(' ').next().unwrap().parse::<u64>().unwrap();
    assert!(first.starts_with("ticker | tick ") && n(&second) == n(&first) + 1, "{first} / {second}");
}

#[test]
fn a_changed_den_toml_is_pointed_out_to_the_running_supervisor_s_user() {
    let env = project("[services.a]\nrun = \"exec sleep 600\"\n");
    let _guard = Guard { env: &env };
    assert_eq!(run(env.den(), &["up", "-d"]).code, 0);
    let again = run(env.den(), &["up", "-d"]);
    assert!(!again.stderr.contains("changed"), "{}", again.stderr);
    env.write("den.toml", "[services.a]\nrun = \"exec sleep 600\"\n[services.b]\nrun = \"exec sleep 601\"\n");
    env.trust();
    let out = run(env.den(), &["up", "-d", "b"]);
    assert!(out.stderr.contains("den.toml changed since the services were started"), "{}", out.stderr);
    assert!(out.stderr.contains("`den down` then `den up -d`"), "{}", out.stderr);
    assert_eq!(run(env.den(), &["down"]).code, 0);
    let out = run(env.den(), &["up", "-d", "b"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
}

#[test]
fn purge_asks_on_a_terminal() {
    let env = project("[services.a]\nrun = \"exec sleep 600\"\n");
    let _guard = Guard { env: &env };
    let data = env.write(".den/state/a/data.txt", "keep me");
    let mut cmd = env.den();
    cmd.args(["down", "--purge"]);
    let mut pty = crate::pty::Pty::spawn(cmd);
    pty.expect("[y/N]");
    pty.send("n\n");
    pty.expect("needs a confirmation");
    drop(pty);
    assert!(data.exists());
    let mut cmd = env.den();
    cmd.args(["down", "--purge"]);
    let mut pty = crate::pty::Pty::spawn(cmd);
    pty.expect("[y/N]");
    pty.send("y\n");
    pty.expect("deleted");
    drop(pty);
    assert!(!data.exists());
}
