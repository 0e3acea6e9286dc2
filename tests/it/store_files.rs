//! The files den writes, after real installs from the fake upstream: den's own state is
//! 0600 in 0700 directories, installed tools are sealed read-only (0555/0444), a changed
//! tool is found by `den cache verify` and restored by `--repair`, and whatever a den
//! killed with SIGKILL leaves (mid-download, mid-unpack, mid-write) is gone after the next
//! den command. Tests run as root, where permission bits stop nothing: they check the
//! modes themselves.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use crate::install::{install_ok, project, run_tool, store, tool_dirs};
use crate::support::{Env, run};
use crate::upstream::archives::{Entry, build, script, sha256_hex};
use crate::upstream::{Fault, Upstream};

fn mode(path: &Path) -> u32 {
    fs::symlink_metadata(path).unwrap().permissions().mode() & 0o7777
}

/// Every path under `dir` (not following links), depth first.
fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in fs::read_dir(dir).unwrap().flatten() {
        out.push(entry.path());
        if entry.file_type().unwrap().is_dir() {
            out.extend(walk(&entry.path()));
        }
    }
    out
}

/// Bytes that do not compress (an archive about as big as what it unpacks to).
fn noise(len: usize, seed: u32) -> Vec<u8> {
    let mut x = seed;
    (0..len)
        .map(|_| {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            (x >> 16) as u8
        })
        .collect()
}

const TARBALL: &str = "/downloads.example/kit-1.0.0-linux-x64.tar.gz";

/// A project whose tool `kit` is a tarball on `up` of `files` data files besides its
/// binary `kit/bin/kit`, pinned by its sha256.
fn kit_project(up: &Upstream, files: usize) -> Env {
    kit_project_pinned(up, files, true)
}

/// `kit_project`, pinned by den.toml's `sha256` or not (then den pins what it downloads).
fn kit_project_pinned(up: &Upstream, files: usize, pinned: bool) -> Env {
    let mut entries = vec![Entry::exe("kit/bin/kit", script("kit 1.0.0"))];
    entries.push(Entry::file("kit/share/README", "read me\n", 0o644));
    for i in 0..files {
        entries.push(Entry::file(&format!("kit/share/data/{i}"), noise(32 * 1024, i as u32), 0o644));
    }
    let archive = build("kit.tar.gz", &entries);
    let sha = if pinned { format!(", sha256 = \"{}\"", sha256_hex(&archive)) } else { String::new() };
    up.file(TARBALL, archive);
    project(
        up,
        &format!(
            "[tools]\nkit = {{ version = \"1.0.0\", url = \"{}/downloads.example/kit-{{version}}-{{os}}-{{arch}}.tar.gz\"{sha} }}\n",
            up.base()
        ),
    )
}

#[test]
fn den_state_is_private_and_installed_tools_are_read_only() {
    let up = Upstream::start();
    let env = kit_project(&up, 2);
    install_ok(&env);
    assert_eq!(run_tool(&env, "kit"), "kit 1.0.0");
    let tools = store(&env).join("tools-v1");
    let [tool] = tool_dirs(&env).try_into().unwrap();
    let tool = tools.join(tool);
    // Everything under the home that den wrote: the store, the trust records, the caches.
    let config = env.home().join(".config/den");
    let by_the_test = [env.home().join(".config"), config.clone(), config.join("config.toml")];
    let mut checked = 0;
    for path in walk(&env.home()) {
        if path.starts_with(&tool) || by_the_test.contains(&path) {
            continue;
        }
        let want = if fs::symlink_metadata(&path).unwrap().is_dir() { 0o700 } else { 0o600 };
        assert_eq!(mode(&path), want, "{}", path.display());
        checked += 1;
    }
    assert!(checked > 10, "{checked}");
    for name in ["CACHEDIR.TAG", &format!("{}.toml", tool.file_name().unwrap().to_string_lossy())] {
        assert!(tools.join(name).is_file(), "{name}");
    }
    // The installed tree: nobody, its owner included, may write it.
    assert_eq!(mode(&tool), 0o555);
    assert_eq!(mode(&tool.join("kit/bin")), 0o555);
    assert_eq!(mode(&tool.join("kit/bin/kit")), 0o555);
    assert_eq!(mode(&tool.join("kit/share/README")), 0o444);
    assert_eq!(mode(&tool.join("kit/share/data/0")), 0o444);
    // den.lock is the user's file, to commit: 0644 when new, and it keeps a mode they chose.
    let lock = env.project().join("den.lock");
    assert_eq!(mode(&lock), 0o644);
    fs::set_permissions(&lock, fs::Permissions::from_mode(0o640)).unwrap();
    fs::write(&lock, "version = 1\n").unwrap();
    install_ok(&env);
    assert!(fs::read_to_string(&lock).unwrap().contains("[tools.kit]"));
    assert_eq!(mode(&lock), 0o640);
}

#[test]
fn verify_finds_a_tool_that_rewrote_itself_and_repair_restores_it() {
    let up = Upstream::start();
    let env = kit_project(&up, 1);
    install_ok(&env);
    let [key] = tool_dirs(&env).try_into().unwrap();
    let tool = store(&env).join("tools-v1").join(&key);
    let bin = tool.join("kit/bin/kit");
    // What `npm i -g` run as root does to its own tree (anyone else is stopped by the modes).
    fs::set_permissions(&bin, fs::Permissions::from_mode(0o755)).unwrap();
    fs::write(&bin, "#!/bin/sh\necho evil\n").unwrap();
    assert_eq!(run_tool(&env, "kit"), "evil");

    let out = run(env.den(), &["cache", "verify"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert_eq!(out.stdout, format!("kit 1.0.0: changed ({})\n  modified: kit/bin/kit\n", tool.display()));
    assert!(out.stderr.contains("help: run `den cache verify --repair`"), "{}", out.stderr);

    let out = run(env.den(), &["cache", "verify", "--repair"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stderr.contains("den: repaired kit 1.0.0: installed again from its source"),
        "{}",
        out.stderr
    );
    assert_eq!(up.requests(TARBALL), 2, "downloaded again: {:?}", up.log());
    assert_eq!(run_tool(&env, "kit"), "kit 1.0.0");
    assert_eq!(mode(&bin), 0o555);
    let out = run(env.den(), &["cache", "verify"]);
    assert_eq!((out.code, out.stdout.as_str()), (0, "kit 1.0.0: ok\n"), "{}", out.stderr);
}

#[test]
fn repair_removes_a_changed_tool_that_no_project_pins() {
    let up = Upstream::start();
    let env = kit_project(&up, 1);
    install_ok(&env);
    fs::remove_file(env.project().join("den.lock")).unwrap();
    let [key] = tool_dirs(&env).try_into().unwrap();
    let readme = store(&env).join("tools-v1").join(&key).join("kit/share/README");
    fs::set_permissions(&readme, fs::Permissions::from_mode(0o644)).unwrap();
    fs::write(&readme, "changed").unwrap();
    let out = run(env.den(), &["cache", "verify", "--repair"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stderr.contains("den: removed kit 1.0.0: no known project's den.lock pins it"),
        "{}",
        out.stderr
    );
    assert_eq!(tool_dirs(&env), Vec::<String>::new());
    assert_eq!(fs::read_dir(store(&env).join("tools-v1")).unwrap().count(), 1, "only CACHEDIR.TAG is left");
}

/// The installed tools (`sha256-…` directories; `tool_dirs` also lists staging dirs).
fn installed(env: &Env) -> Vec<String> {
    tool_dirs(env).into_iter().filter(|n| n.starts_with("sha256-")).collect()
}

fn wait_for(what: &str, timeout: Duration, mut cond: impl FnMut() -> bool) {
    let started = Instant::now();
    while !cond() {
        assert!(started.elapsed() < timeout, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(2));
    }
}

/// Names in the store's tools and downloads buckets and in the project that are not a
/// finished tool, its receipt, its manifest, a resumable download or a project file.
fn leftovers(env: &Env) -> Vec<String> {
    let mut out = Vec::new();
    for dir in [store(env).join("tools-v1"), store(env).join("downloads-v1"), store(env), env.project()] {
        for entry in fs::read_dir(&dir).into_iter().flatten().flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with(".tmp") || name.starts_with(".den-tmp") {
                out.push(format!("{}/{name}", dir.display()));
            }
        }
    }
    let tools = store(env).join("tools-v1");
    for key in installed(env) {
        if !tools.join(format!("{key}.toml")).is_file() {
            out.push(format!("{key} without a receipt"));
        }
    }
    out
}

#[test]
fn a_den_killed_mid_download_leaves_nothing_the_next_command_does_not_clean() {
    // Pinned, the download is a resumable `.part`; unpinned, a temp file until den knows
    // the checksum that names it.
    for pinned in [true, false] {
        killed_mid_download(pinned);
    }
}

fn killed_mid_download(pinned: bool) {
    let up = Upstream::start();
    let env = kit_project_pinned(&up, 40, pinned);
    up.fault(TARBALL, Fault::StallAfter(100_000));
    let mut den = env.den().arg("install").stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
    let stalled = |dir: PathBuf| {
        let entries = fs::read_dir(dir).into_iter().flatten().flatten();
        entries.into_iter().any(|e| e.metadata().is_ok_and(|m| m.is_file() && m.len() >= 100_000))
    };
    wait_for("the stalled download", Duration::from_secs(20), || {
        stalled(store(&env).join("downloads-v1")) || stalled(store(&env))
    });
    den.kill().unwrap(); // SIGKILL
    den.wait().unwrap();
    let out = run(env.den(), &["cache", "ls"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(leftovers(&env), Vec::<String>::new(), "pinned: {pinned}");
    install_ok(&env);
    assert_eq!(run_tool(&env, "kit"), "kit 1.0.0");
    assert_eq!(leftovers(&env), Vec::<String>::new());
}

#[test]
fn a_den_killed_mid_unpack_leaves_nothing_the_next_command_does_not_clean() {
    // Killing inside the unpack window is a race the test can lose (the unpack ends first);
    // it tries a few times and needs one kill that landed.
    for attempt in 0..6 {
        let up = Upstream::start();
        let env = kit_project(&up, 400);
        let tools = store(&env).join("tools-v1");
        let mut den = env.den().arg("install").stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
        let staging_with_files = || {
            fs::read_dir(&tools).into_iter().flatten().flatten().any(|e| {
                e.file_name().to_string_lossy().starts_with(".tmp-")
                    && fs::read_dir(e.path()).is_ok_and(|mut d| d.next().is_some())
            })
        };
        let started = Instant::now();
        while !staging_with_files() && den.try_wait().unwrap().is_none() {
            assert!(started.elapsed() < Duration::from_secs(30), "the install never started unpacking");
            std::thread::sleep(Duration::from_millis(1));
        }
        den.kill().unwrap();
        let status = den.wait().unwrap();
        if status.success() || !installed(&env).is_empty() {
            continue; // finished before the kill: try again
        }
        assert!(!leftovers(&env).is_empty(), "attempt {attempt}: the kill left no staging dir");
        let out = run(env.den(), &["cache", "ls"]);
        assert_eq!(out.code, 0, "{}", out.stderr);
        assert!(out.stderr.contains("removed unfinished install .tmp-"), "{}", out.stderr);
        assert_eq!(leftovers(&env), Vec::<String>::new());
        install_ok(&env);
        assert_eq!(run_tool(&env, "kit"), "kit 1.0.0");
        return;
    }
    panic!("no kill landed inside the unpack in 6 attempts");
}

#[test]
fn temp_files_of_dead_writers_in_a_project_are_removed_by_the_next_write() {
    let up = Upstream::start();
    let env = kit_project(&up, 1);
    let mut child = std::process::Command::new("true").spawn().unwrap();
    let dead = child.id();
    child.wait().unwrap();
    // What a den killed while writing den.lock leaves, and one of a den still writing.
    let stale = env.write(&format!(".den-tmp-{dead}-1-aBcDeF"), "half a lock");
    let live = env.write(&format!(".den-tmp-{}-0-xyz", std::process::id()), "being written");
    install_ok(&env);
    assert!(!stale.exists(), "the dead writer's temp file is gone");
    assert!(live.exists(), "a live writer's temp file is left alone");
}

#[test]
fn the_cached_output_of_an_ecosystem_command_is_private() {
    let env = Env::new();
    // A registry URL with credentials, as `npm config get registry` may print it.
    let npm = env.tmp.path().join("bin/npm");
    fs::write(&npm, "#!/bin/sh\necho 'http://user:s3cret@127.0.0.1:9/'\n").unwrap();
    fs::set_permissions(&npm, fs::Permissions::from_mode(0o755)).unwrap();
    env.write("den.toml", "[tools]\nleft-pad = { source = \"npm:left-pad\", version = \"1\" }\n");
    env.trust();
    let out = run(env.den(), &["install"]); // fails: nothing answers there
    assert_ne!(out.code, 0);
    let cached = env.home().join(".cache/den/commands-v1");
    let files: Vec<PathBuf> = fs::read_dir(&cached)
        .unwrap_or_else(|e| panic!("{e}: {}", out.stderr))
        .flatten()
        .map(|e| e.path())
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    assert!(fs::read_to_string(&files[0]).unwrap().contains("s3cret"));
    assert_eq!(mode(&files[0]), 0o600);
    assert_eq!(mode(&cached), 0o700);
    assert_eq!(mode(&env.home().join(".cache/den")), 0o700);
}
