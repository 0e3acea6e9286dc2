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
        format!("node  22.11.0  2.0 KiB  {}\nruff  0.6.9    3.0 MiB  {}\n", key('a'), key('b'))
    );
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
            "den: removed node 20.1.0 (3.0 MiB)\nden: removed unfinished install .tmp-abc (100 B)\n\
             den: removed unfinished download {}.part (10 B)\nden: freed 3.0 MiB\n",
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
    assert_eq!(out.stderr, "den: removed ruff 0.6.9 (2.0 KiB)\nden: freed 2.0 KiB\n");
    let out = run(env.den(), &["cache", "prune"]);
    assert_eq!(out.stderr, "den: nothing to remove\n");
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
            "; the tools it pins were not kept for it\nden: removed node 22.11.0 (1.0 KiB)\nden: freed 1.0 KiB\n"
        ),
        "{}",
        out.stderr
    );
}
