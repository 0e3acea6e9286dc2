//! `den cache ls | dir | verify | prune` on a store laid out by hand exactly as the
//! installer writes it (see the layout in `src/store/mod.rs`).

use std::fs;
use std::path::PathBuf;
use std::time::{Duration, SystemTime};

use crate::support::{Env, run};

/// The store key of the checksum `sha256:<c × 64>`: the first 128 bits of the digest.
fn key(c: char) -> String {
    format!("sha256-{}", c.to_string().repeat(32))
}

fn store(env: &Env) -> PathBuf {
    env.home().join(".local/share/den")
}

/// Installs a tool the installer's way: its directory, receipt and file manifest.
fn install(env: &Env, c: char, name: &str, version: &str, bytes: usize) {
    let tools = store(env).join("tools-v1");
    let dir = tools.join(key(c));
    fs::create_dir_all(dir.join("bin")).unwrap();
    let content = "x".repeat(bytes);
    fs::write(dir.join("bin").join(name), &content).unwrap();
    let receipt = format!(
        "name = \"{name}\"\nversion = \"{version}\"\nurl = \"https://example.test/{name}\"\n\
         checksum = \"sha256:{}\"\ninstalled_at = 2026-01-02T03:04:05Z\n",
        c.to_string().repeat(64)
    );
    fs::write(tools.join(format!("{}.toml", key(c))), receipt).unwrap();
    let hash = sha256_hex(content.as_bytes());
    let manifest = format!("{{\"files\": {{\"bin/{name}\": \"{hash}\"}}, \"links\": {{}}}}");
    fs::write(tools.join(format!("{}.files.json", key(c))), manifest).unwrap();
}

fn sha256_hex(bytes: &[u8]) -> String {
    let out = std::process::Command::new("sha256sum")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            use std::io::Write;
            child.stdin.take().unwrap().write_all(bytes)?;
            child.wait_with_output()
        })
        .unwrap();
    String::from_utf8(out.stdout).unwrap()[..64].to_string()
}

/// Sets when a tool was last used (its receipt's modification time).
fn last_used(env: &Env, c: char, days_ago: u64) {
    let receipt = store(env).join("tools-v1").join(format!("{}.toml", key(c)));
    let when = SystemTime::now() - Duration::from_secs(days_ago * 86_400);
    fs::File::open(receipt).unwrap().set_modified(when).unwrap();
}

fn lock_pinning(c: char) -> String {
    format!(
        "version = 1\n\n[tools.node]\nspec = \"22\"\nsource = \"catalog\"\nversion = \"22.11.0\"\n\n\
         [tools.node.platforms.darwin-arm64]\nurl = \"https://example.test/node\"\nchecksum = \"sha256:{}\"\n\
         format = \"tar.xz\"\nserved_by = \"nodejs.org\"\n",
        c.to_string().repeat(64)
    )
}

#[test]
fn dir_prints_the_store() {
    let env = Env::new();
    let out = run(env.den(), &["cache", "dir"]);
    assert_eq!(
        (out.code, out.stdout, out.stderr),
        (0, format!("{}\n", store(&env).display()), String::new())
    );
}

#[test]
fn ls_lists_tools_with_sizes() {
    let env = Env::new();
    let out = run(env.den(), &["cache", "ls"]);
    assert_eq!(
        (out.code, out.stdout.as_str(), out.stderr.as_str()),
        (0, "", "den: no tools installed yet\n")
    );
    install(&env, 'b', "ruff", "0.6.9", 3 * 1024 * 1024);
    install(&env, 'a', "node", "22.11.0", 2048);
    fs::create_dir_all(store(&env).join("tools-v1").join(key('c'))).unwrap();
    fs::create_dir_all(store(&env).join("tools-v1/.tmp-123")).unwrap();
    let out = run(env.den(), &["cache", "ls"]);
    // A tool without a receipt (an older den killed mid-install) is not listed as `? ?`
    // forever: it is removed, and installed again when a project needs it.
    assert_eq!(
        out.stderr,
        format!("den: removed tool {} without a receipt, left by a den that was stopped\n", key('c'))
    );
    assert!(!store(&env).join("tools-v1").join(key('c')).exists());
    assert_eq!(
        out.stdout,
        format!(
            "TOOL  VERSION  SIZE     LAST USED  KEY{pad}USED BY\n\
             node  22.11.0  2.0 KiB  today      {}  -\n\
             ruff  0.6.9    3.0 MiB  today      {}  -\n\
             2 tools, 3.0 MiB in all\n",
            key('a'),
            key('b'),
            pad = " ".repeat(key('a').len() - 1)
        )
    );
}

#[test]
fn ls_names_the_projects_that_use_each_tool_and_has_json() {
    let env = Env::new();
    install(&env, 'a', "node", "22.11.0", 2048);
    install(&env, 'b', "ruff", "0.6.9", 1024);
    last_used(&env, 'b', 12);
    env.write("den.lock", &lock_pinning('a'));
    let other = env.tmp.path().join("other");
    fs::create_dir_all(&other).unwrap();
    fs::write(other.join("den.lock"), lock_pinning('a')).unwrap();
    let (p, o) = (env.project().display().to_string(), other.display().to_string());
    fs::write(store(&env).join("projects-v1.toml"), format!("projects = [{p:?}, {o:?}]\n")).unwrap();

    let out = run(env.den(), &["cache", "ls"]);
    assert_eq!((out.code, out.stderr.as_str()), (0, ""));
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert!(lines[1].starts_with("node  22.11.0  2.0 KiB  today"), "{}", out.stdout);
    assert!(lines[1].ends_with(&format!("{}  {o}, {p}", key('a'))), "{}", out.stdout);
    assert!(lines[2].starts_with("ruff  0.6.9    1.0 KiB  12 days ago"), "{}", out.stdout);
    assert!(lines[2].ends_with(&format!("{}  -", key('b'))), "{}", out.stdout);
    assert_eq!(lines[3], "2 tools, 3.0 KiB in all");

    let out = run(env.den(), &["cache", "ls", "--json"]);
    assert_eq!((out.code, out.stderr.as_str()), (0, ""));
    let json: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(json["store"], store(&env).display().to_string());
    assert_eq!(json["total_size"], 3072);
    let tools = json["tools"].as_array().unwrap();
    assert_eq!(tools.len(), 2);
    assert_eq!(tools[0]["name"], "node");
    assert_eq!(tools[0]["version"], "22.11.0");
    assert_eq!(tools[0]["key"], key('a'));
    assert_eq!(tools[0]["size"], 2048);
    assert_eq!(tools[0]["used_by"], serde_json::json!([o, p]));
    assert_eq!(tools[1]["used_by"], serde_json::json!([]));
    let used = tools[1]["last_used"].as_u64().unwrap();
    let now = SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).unwrap().as_secs();
    assert!((now - used).abs_diff(12 * 86_400) < 60, "{used}");

    // An empty store is an empty list in JSON, not a note.
    let empty = Env::new();
    let out = run(empty.den(), &["cache", "ls", "--json"]);
    let json: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!((json["tools"].as_array().unwrap().len(), json["total_size"].as_u64()), (0, Some(0)));
}

#[test]
fn prune_dry_run_says_what_it_would_remove_and_removes_nothing() {
    let env = Env::new();
    install(&env, 'a', "node", "22.11.0", 1024);
    install(&env, 'c', "node", "20.1.0", 2048);
    last_used(&env, 'a', 2);
    last_used(&env, 'c', 45);
    let out = run(env.den(), &["cache", "prune", "--dry-run"]);
    assert_eq!((out.code, out.stdout.as_str()), (0, ""));
    assert_eq!(
        out.stderr,
        "den: kept node 22.11.0 (1.0 KiB): used 2 days ago (within 30 days)\n\
         den: would remove node 20.1.0 (2.0 KiB): no known project uses it, last used 45 days ago\n\
         den: would free 2.0 KiB; run without --dry-run to remove\n"
    );
    assert!(store(&env).join("tools-v1").join(key('c')).is_dir());
    let out = run(env.den(), &["cache", "prune"]);
    assert!(out.stderr.contains("den: removed node 20.1.0 (2.0 KiB)"), "{}", out.stderr);
    assert!(!store(&env).join("tools-v1").join(key('c')).exists());
}

#[test]
fn verify_rehashes_the_files() {
    let env = Env::new();
    install(&env, 'a', "node", "22.11.0", 10);
    install(&env, 'b', "ruff", "0.6.9", 10);
    let out = run(env.den(), &["cache", "verify"]);
    assert_eq!((out.code, out.stdout.as_str()), (0, "node 22.11.0: ok\nruff 0.6.9: ok\n"), "{}", out.stderr);

    let ruff = store(&env).join("tools-v1").join(key('b'));
    fs::write(ruff.join("bin/ruff"), "tampered").unwrap();
    fs::write(ruff.join("bin/extra"), "").unwrap();
    let out = run(env.den(), &["cache", "verify"]);
    assert_eq!(out.code, 1);
    assert_eq!(
        out.stdout,
        format!(
            "node 22.11.0: ok\nruff 0.6.9: changed ({})\n  added: bin/extra\n  modified: bin/ruff\n",
            ruff.display()
        )
    );
    assert_eq!(
        out.stderr,
        "den: installed tools changed since den installed them: ruff 0.6.9\n\
         help: run `den cache verify --repair` to install them again from their source\n"
    );
}

#[test]
fn prune_keeps_what_projects_pin_and_recent_runs_used() {
    let env = Env::new();
    install(&env, 'a', "node", "22.11.0", 1024); // pinned by a project, unused for long
    install(&env, 'b', "ruff", "0.6.9", 2048); // used recently
    install(&env, 'c', "node", "20.1.0", 3 * 1024 * 1024); // neither
    last_used(&env, 'a', 100);
    last_used(&env, 'b', 3);
    last_used(&env, 'c', 45);
    let gone = env.tmp.path().join("gone");
    fs::create_dir_all(&gone).unwrap();
    env.write("den.lock", &lock_pinning('a'));
    let registry =
        format!("projects = [{:?}, {:?}]\n", env.project().display().to_string(), gone.display().to_string());
    fs::write(store(&env).join("projects-v1.toml"), registry).unwrap();

    // What a killed install left: a staging directory and a partial download, long ago.
    let staging = store(&env).join("tools-v1/.tmp-abc");
    fs::create_dir_all(&staging).unwrap();
    fs::write(staging.join("half"), "x".repeat(100)).unwrap();
    let part = store(&env).join("downloads-v1").join(format!("{}.part", key('d')));
    fs::create_dir_all(part.parent().unwrap()).unwrap();
    fs::write(&part, "x".repeat(10)).unwrap();
    let long_ago = SystemTime::now() - Duration::from_secs(40 * 86_400);
    for path in [&staging, &part] {
        fs::File::open(path).unwrap().set_modified(long_ago).unwrap();
    }

    let out = run(env.den(), &["cache", "prune"]);
    assert_eq!((out.code, out.stdout.as_str()), (0, ""));
    assert_eq!(
        out.stderr,
        format!(
            "den: kept node 22.11.0 (1.0 KiB): used by 1 project ({})\n\
             den: kept ruff 0.6.9 (2.0 KiB): used 3 days ago (within 30 days)\n\
             den: removed node 20.1.0 (3.0 MiB): no known project uses it, last used 45 days ago\n\
             den: removed unfinished install .tmp-abc (100 B)\n\
             den: removed unfinished download {}.part (10 B)\nden: freed 3.0 MiB\n",
            env.project().display(),
            key('d')
        )
    );
    assert!(!staging.exists() && !part.exists());
    let tools = store(&env).join("tools-v1");
    assert!(tools.join(key('a')).is_dir() && tools.join(key('b')).is_dir());
    for leftover in [key('c'), format!("{}.toml", key('c')), format!("{}.files.json", key('c'))] {
        assert!(!tools.join(&leftover).exists(), "{leftover}");
    }
    // The project without a den.lock was dropped from the registry.
    let registry = fs::read_to_string(store(&env).join("projects-v1.toml")).unwrap();
    assert!(registry.contains(&format!("{:?}", env.project().display().to_string())), "{registry}");
    assert!(!registry.contains("gone"), "{registry}");

    let out = run(env.den(), &["cache", "prune", "--older-than", "1"]);
    assert!(
        out.stderr.ends_with(
            "den: removed ruff 0.6.9 (2.0 KiB): no known project uses it, last used 3 days ago\nden: freed 2.0 KiB\n"
        ),
        "{}",
        out.stderr
    );
    let out = run(env.den(), &["cache", "prune"]);
    assert!(out.stderr.ends_with("den: nothing to remove\n"), "{}", out.stderr);
}

#[test]
fn prune_reports_a_broken_lock_and_does_not_keep_for_it() {
    let env = Env::new();
    install(&env, 'a', "node", "22.11.0", 1024);
    last_used(&env, 'a', 100);
    env.write("den.lock", "version = [\n");
    let registry = format!("projects = [{:?}]\n", env.project().display().to_string());
    fs::write(store(&env).join("projects-v1.toml"), registry).unwrap();
    let out = run(env.den(), &["cache", "prune"]);
    assert_eq!(out.code, 0);
    let lock = env.project().join("den.lock");
    assert!(
        out.stderr.starts_with(&format!("den: warning: {}:1:12: invalid TOML: ", lock.display())),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.ends_with(
            "; the tools it pins were not kept for it\n\
             den: removed node 22.11.0 (1.0 KiB): no known project uses it, last used 100 days ago\n\
             den: freed 1.0 KiB\n"
        ),
        "{}",
        out.stderr
    );
}
