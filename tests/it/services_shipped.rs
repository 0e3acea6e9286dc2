//! Service state a repository ships is never den's: a real postgres data directory with
//! `recovery.signal` and a `restore_command` (and den's old `initialized` marker) is
//! refused and never started, a committed redis `password`/`port` is never used, and
//! `den down <name> --purge` removes what was shipped; the password and port come from
//! den's own record (`services-v1/<sha256 of the project's root>/<name>.toml`, 0600).
//! The attacker's repository is built with real git and cloned with `umask 077`, so modes
//! match den's own; the clone tracks `.den/`, which is refused first of all. Real
//! servers, as in `services_live`.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Stdio;

use crate::live::{den_in, live};
use crate::services::{Guard, free_port};
use crate::services_live::{psql, resp, unreachable_registry};
use crate::support::{Env, Run, git, run};

/// Commits everything in `repo` (den's ignored state included, as an attacker would) and
/// clones it into the test's project directory with `umask 077`.
fn commit_and_clone(env: &Env, repo: &Path) {
    git(repo, &["init", "-q"]);
    git(repo, &["add", "-f", "den.toml", ".den/state"]);
    git(repo, &["commit", "-q", "-m", "ship it"]);
    let out = env
        .command("sh")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .arg("-c")
        .arg("umask 077 && git clone -q \"$1\" \"$2\"")
        .args(["sh"])
        .arg(repo)
        .arg(env.project())
        .output()
        .unwrap();
    assert!(out.status.success(), "git clone: {}", String::from_utf8_lossy(&out.stderr));
}

/// The clone tracks `.den/`: `den up -d` refuses that first, with one line, starting
/// nothing; then the user untracks it, as the help says (the files stay).
fn refused_as_tracked_then_untracked(env: &Env, project: &Path) {
    let out = den(env, project, &["up", "-d"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    let want =
        format!("den: the project's git repository tracks files under {}", project.join(".den").display());
    assert!(out.stderr.contains(&want), "{}", out.stderr);
    assert!(out.stderr.contains("`git rm -r --cached .den`"), "{}", out.stderr);
    git(project, &["rm", "-q", "-r", "--cached", ".den"]);
    git(project, &["commit", "-q", "-m", "untrack den's directory"]);
}

/// den's record of service `name` of the project at `root`.
fn record_of(env: &Env, root: &Path, name: &str) -> PathBuf {
    use sha2::Digest;
    let real = std::fs::canonicalize(root).unwrap();
    let digest = sha2::Sha256::digest(real.as_os_str().as_encoded_bytes());
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    env.home().join(".local/share/den/services-v1").join(hex).join(format!("{name}.toml"))
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

fn den(env: &Env, dir: &Path, args: &[&str]) -> Run {
    run(den_in(env, dir), args)
}

/// `den up -d` in `dir`, which must succeed (a network failure names the registries).
fn up(env: &Env, dir: &Path) -> Run {
    let out = den(env, dir, &["up", "-d"]);
    if out.code != 0 {
        unreachable_registry(&out.stderr);
    }
    assert_eq!(out.code, 0, "den up -d in {}: {}", dir.display(), out.stderr);
    out
}

/// Stops the attacker's own services whatever happens.
struct Stop<'a> {
    env: &'a Env,
    dir: PathBuf,
}

impl Drop for Stop<'_> {
    fn drop(&mut self) {
        let _ = den_in(self.env, &self.dir)
            .args(["down", "--purge", "--yes"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}

fn exported(env: &Env) -> serde_json::Value {
    let out = den(env, &env.project(), &["export", "--format", "json"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    serde_json::from_str(&out.stdout).unwrap()
}

#[test]
fn a_shipped_postgres_data_directory_is_refused_never_started_and_purge_removes_it() {
    let Some(env) = live() else { return };
    const TOML: &str = "[services.db]\npreset = \"postgres\"\n";
    // The attacker makes a real data directory with den, then plants recovery with a
    // restore_command, and den's old marker beside it.
    let attacker = env.tmp.path().join("attacker");
    std::fs::create_dir_all(&attacker).unwrap();
    std::fs::write(attacker.join("den.toml"), TOML).unwrap();
    let _stop = Stop { env: &env, dir: attacker.clone() };
    assert_eq!(den(&env, &attacker, &["trust"]).code, 0);
    up(&env, &attacker);
    let down = den(&env, &attacker, &["down"]);
    assert_eq!(down.code, 0, "{}", down.stderr);
    let pwned = env.tmp.path().join("pwned");
    let data = attacker.join(".den/state/db/data");
    std::fs::write(data.join("recovery.signal"), "").unwrap();
    let auto = std::fs::read_to_string(data.join("postgresql.auto.conf")).unwrap();
    let restore = format!("{auto}restore_command = 'touch {}; false'\n", pwned.display());
    std::fs::write(data.join("postgresql.auto.conf"), restore).unwrap();
    std::fs::write(attacker.join(".den/state/db/initialized"), "").unwrap();
    commit_and_clone(&env, &attacker);
    let project = env.project();
    assert!(project.join(".den/state/db/data/recovery.signal").exists());

    let _guard = Guard { env: &env };
    assert_eq!(den(&env, &project, &["trust"]).code, 0);
    refused_as_tracked_then_untracked(&env, &project);
    let out = den(&env, &project, &["up", "-d"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    let shipped = project.join(".den/state/db");
    assert!(
        out.stderr.contains(&format!(
            "den: {} was not made by den for this project (den has no record of it); den never starts `db` on it",
            shipped.display()
        )),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("help: `den down db --purge --yes` deletes it"), "{}", out.stderr);
    assert!(!pwned.exists(), "postgres ran the repository's restore_command");
    assert!(crate::services::ps(&env).iter().all(|s| s.2.is_none()), "a server runs");

    let out = den(&env, &project, &["down", "db", "--purge", "--yes"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(!shipped.exists(), "the shipped directory was kept");
    // den then starts empty on a directory of its own, and its record says so.
    up(&env, &project);
    assert!(!pwned.exists(), "postgres ran the repository's restore_command");
    let vars = exported(&env);
    assert_eq!(psql(&vars, &[vars["DATABASE_URL"].as_str().unwrap(), "-c", "SELECT 1"]), Ok("1".into()));
    let record = record_of(&env, &project, "db");
    assert_eq!(mode(&record), 0o600);
    assert_eq!(mode(record.parent().unwrap()), 0o700);
    let text = std::fs::read_to_string(&record).unwrap();
    assert!(text.contains("initialized = true") && text.contains("made_by = \"den "), "{text}");
    assert!(!project.join(".den/state/db/initialized").exists(), "a marker in the repository");
}

#[test]
fn a_committed_redis_password_and_port_are_never_used() {
    let Some(env) = live() else { return };
    let repo = env.tmp.path().join("attacker");
    let port = free_port();
    std::fs::create_dir_all(repo.join(".den/state/cache")).unwrap();
    std::fs::write(repo.join("den.toml"), "[services.cache]\npreset = \"redis\"\n").unwrap();
    std::fs::write(repo.join(".den/state/cache/password"), "attackerknows\n").unwrap();
    std::fs::write(repo.join(".den/state/cache/port"), format!("{port}\n")).unwrap();
    commit_and_clone(&env, &repo);
    let project = env.project();
    let _guard = Guard { env: &env };
    assert_eq!(den(&env, &project, &["trust"]).code, 0);

    // The exports come from den's own record, made now, 0600 in a 0700 directory.
    let url = exported(&env)["REDIS_URL"].as_str().unwrap().to_string();
    assert!(!url.contains("attackerknows") && !url.ends_with(&format!(":{port}/0")), "{url}");
    let record = record_of(&env, &project, "cache");
    assert_eq!((mode(&record), mode(record.parent().unwrap())), (0o600, 0o700));
    let password = url.strip_prefix("redis://:").unwrap().split('@').next().unwrap();
    assert!(std::fs::read_to_string(&record).unwrap().contains(&format!("password = \"{password}\"")));
    assert_eq!(exported(&env)["REDIS_URL"].as_str(), Some(url.as_str()), "the same on the next look");

    // The shipped directory is refused; purged, den runs redis with its own password.
    refused_as_tracked_then_untracked(&env, &project);
    let out = den(&env, &project, &["up", "-d"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(out.stderr.contains("/.den/state/cache was not made by den for this project"), "{}", out.stderr);
    let out = den(&env, &project, &["down", "cache", "--purge", "--yes"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(!project.join(".den/state/cache/password").exists());
    up(&env, &project);
    let url = exported(&env)["REDIS_URL"].as_str().unwrap().to_string();
    assert!(!url.contains("attackerknows"), "{url}");
    assert_eq!(resp(&url, true, &[&["PING"]]), "+OK\r\n+PONG\r\n");
    let attackers =
        url.replacen(url.strip_prefix("redis://:").unwrap().split('@').next().unwrap(), "attackerknows", 1);
    assert!(resp(&attackers, true, &[&["PING"]]).starts_with("-WRONGPASS"), "the shipped password works");
}

#[test]
fn purge_removes_a_shipped_state_link_never_what_it_points_to() {
    let env = Env::new();
    env.write("den.toml", "[services.cache]\npreset = \"redis\"\n");
    env.trust();
    let outside = env.tmp.path().join("outside");
    std::fs::create_dir_all(outside.join("cache")).unwrap();
    std::fs::write(outside.join("cache/appendonly.aof"), "the user's").unwrap();
    std::fs::create_dir_all(env.project().join(".den")).unwrap();
    std::os::unix::fs::symlink(&outside, env.project().join(".den/state")).unwrap();
    let out = run(env.den(), &["down", "cache", "--purge", "--yes"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(outside.join("cache/appendonly.aof").exists(), "den deleted through a link");
    assert!(std::fs::symlink_metadata(env.project().join(".den/state")).is_err(), "the link was kept");
}
