//! Hostile and faulty upstreams meet `den install`: a gzip bomb, a sparse tar declaring
//! 50 GiB, an endless body, a cut transfer, a redirect loop, plain http to another host,
//! escape sequences in entry names, an over-long entry name, and a disk that fills up.
//! Each run that could write much runs under a low `ulimit -f`, so a regression fails the
//! test instead of filling the disk; den must report its own limit, not die of SIGXFSZ.

use std::process::Command;

use crate::install::failures::error_line;
use crate::install::{bucket, install_ok, lock, project, store, tool_dirs};
use crate::support::{Env, Run, run};
use crate::upstream::archives::{self, Entry, gzip, sha256_hex};
use crate::upstream::{Fault, Upstream, script};

/// `ulimit -f` for runs that must not write much: 4096 blocks (2 or 4 MiB, by the shell's block size).
const FSIZE_BLOCKS: u32 = 4096;

/// Runs `den` with `args` through `sh -c 'ulimit -f N; exec den ...'`, with den's environment.
fn under_ulimit(den: Command, blocks: u32, args: &[&str]) -> Run {
    let mut sh = Command::new("/bin/sh");
    sh.arg("-c").arg(format!("ulimit -f {blocks} && exec \"$0\" \"$@\"")).arg(den.get_program()).args(args);
    sh.env_clear();
    for (name, value) in den.get_envs() {
        if let Some(value) = value {
            sh.env(name, value);
        }
    }
    if let Some(dir) = den.get_current_dir() {
        sh.current_dir(dir);
    }
    run(sh, &[])
}

/// A trusted project whose tool `t` 1.0.0 is `archive` served at `/downloads.example/<name>`.
fn tool_project(up: &Upstream, name: &str, archive: &[u8]) -> (Env, String) {
    let path = format!("/downloads.example/{name}");
    up.file(&path, archive.to_vec());
    let toml = format!(
        "[tools]\nt = {{ version = \"1.0.0\", url = \"{}{path}\", sha256 = \"{}\", bin = [\"t/bin/t\"] }}\n",
        up.base(),
        sha256_hex(archive)
    );
    (project(up, &toml), path)
}

/// The failed run's one error line, after checking it failed with exit 1 (not a signal).
fn failed(out: &Run) -> String {
    assert_eq!(out.code, 1, "den must fail with exit 1 (not die of a signal):\n{}", out.stderr);
    error_line(out)
}

fn help(out: &Run) -> String {
    out.stderr.lines().filter(|l| l.starts_with("help: ")).collect::<Vec<_>>().join("\n")
}

/// No tool, no staging dir, no download left.
fn nothing_left(env: &Env) {
    assert_eq!(tool_dirs(env), Vec::<String>::new());
    assert_eq!(bucket(env, "tools-v1"), Vec::<String>::new(), "leftovers in tools-v1");
    assert_eq!(bucket(env, "downloads-v1"), Vec::<String>::new(), "leftovers in downloads-v1");
}

/// Bytes that do not compress: a simple xorshift stream.
fn noise(len: usize) -> Vec<u8> {
    let mut x = 0x9e37_79b9_7f4a_7c15u64;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect()
}

#[test]
fn a_gzip_bomb_stops_at_the_unpack_limit() {
    let up = Upstream::start();
    let bomb = archives::build(
        "t.tar.gz",
        &[
            Entry::exe("t/bin/t", script("t 1.0.0")),
            Entry::file("t/share/zeros", vec![b'z'; 16 << 20], 0o644),
        ],
    );
    assert!(bomb.len() < 100 << 10, "a small download: {}", bomb.len());
    let (env, _) = tool_project(&up, "bomb.tar.gz", &bomb);
    let mut den = env.den();
    den.env("DEN_MAX_UNPACK", "1M");
    let out = under_ulimit(den, FSIZE_BLOCKS, &["install"]);
    let line = failed(&out);
    assert_eq!(
        line,
        "den: cannot install t 1.0.0: the archive expands to more than 1.0 MiB (the unpack limit set by \
         DEN_MAX_UNPACK); unpacking stopped"
    );
    assert!(help(&out).contains("DEN_MAX_UNPACK"), "{}", out.stderr);
    nothing_left(&env);
    assert!(!env.project().join("den.lock").exists());

    // The default limit (100 times the download) stops it too.
    let out = under_ulimit(env.den(), FSIZE_BLOCKS, &["install"]);
    let line = failed(&out);
    assert!(line.contains("the unpack limit: 100 times the download, at most 20 GiB"), "{line}");
    nothing_left(&env);
}

/// A GNU sparse tar of `t/big` declaring `real` bytes, data only in its last 4.
fn sparse_tar(real: u64) -> Vec<u8> {
    let mut header = tar::Header::new_gnu();
    header.set_path("t/big").unwrap();
    header.set_entry_type(tar::EntryType::GNUSparse);
    header.set_mode(0o644);
    header.set_size(4);
    let gnu = header.as_gnu_mut().unwrap();
    gnu.set_real_size(real);
    gnu.sparse[0].set_offset(real - 4);
    gnu.sparse[0].set_length(4);
    header.set_cksum();
    let mut out = header.as_bytes().to_vec();
    out.extend_from_slice(b"tail");
    out.resize(512 * 4, 0);
    out
}

#[test]
fn a_sparse_tar_declaring_50_gib_writes_nothing_and_is_refused() {
    let up = Upstream::start();
    let tgz = gzip(&sparse_tar(50 << 30));
    assert!(tgz.len() < 200, "a 159-byte kind of archive: {}", tgz.len());
    let (env, _) = tool_project(&up, "sparse.tar.gz", &tgz);
    let out = under_ulimit(env.den(), FSIZE_BLOCKS, &["install"]);
    let line = failed(&out);
    assert!(line.contains("the archive expands to more than 1.0 MiB (the unpack limit"), "{line}");
    nothing_left(&env);
}

#[test]
fn entry_names_with_escape_sequences_never_reach_the_terminal_raw() {
    let up = Upstream::start();
    let name = "t/evil\x1b[2J\x1b]0;pwned\x07\nden: all good/../../../x";
    let tgz = archives::build("t.tar.gz", &[Entry::exe("t/bin/t", script("t 1.0.0")), Entry::exe(name, "x")]);
    let (env, _) = tool_project(&up, "evil.tar.gz", &tgz);
    let out = run(env.den(), &["install"]);
    let line = failed(&out);
    assert_eq!(
        line,
        "den: cannot install t 1.0.0: archive entry `t/evil\\e[2J\\e]0;pwned\\x07\\nden: all good/../../../x` \
         escapes the install directory"
    );
    assert!(!out.stderr.contains('\x1b') && !out.stderr.contains('\x07'), "{:?}", out.stderr);
    nothing_left(&env);
}

#[test]
fn an_entry_name_too_long_for_the_file_system_is_shown_short_without_blaming_the_disk() {
    let up = Upstream::start();
    let long = format!("t/{}", "n".repeat(300));
    let tgz = archives::build(
        "t.tar.gz",
        &[Entry::exe("t/bin/t", script("t 1.0.0")), Entry::file(&long, "x", 0o644)],
    );
    let (env, _) = tool_project(&up, "long.tar.gz", &tgz);
    let out = run(env.den(), &["install"]);
    let line = failed(&out);
    assert!(line.contains("File name too long"), "{line}");
    assert!(line.len() < 400, "the path is elided: {line}");
    let help = help(&out);
    assert!(help.contains("too long") && !help.contains("free"), "{help}");
    nothing_left(&env);
}

#[test]
fn the_file_size_limit_while_unpacking_keeps_the_verified_download_and_says_so() {
    let up = Upstream::start();
    let tgz = archives::build(
        "t.tar.gz",
        &[Entry::exe("t/bin/t", script("t 1.0.0")), Entry::file("t/share/data", vec![b'd'; 8 << 20], 0o644)],
    );
    let (env, path) = tool_project(&up, "big.tar.gz", &tgz);
    let mut den = env.den();
    den.env("DEN_MAX_UNPACK", "1G");
    let out = under_ulimit(den, FSIZE_BLOCKS, &["install"]);
    let line = failed(&out);
    assert!(
        line.contains(": archive entry `t/share/data` reached the file size limit (`ulimit -f` allows "),
        "{line}"
    );
    assert!(!line.contains("damaged"), "{line}");
    let help = help(&out);
    assert!(help.contains("ulimit -f") && help.contains("the verified download is kept"), "{help}");
    assert_eq!(bucket(&env, "downloads-v1").len(), 1, "the download is kept");
    assert_eq!(tool_dirs(&env), Vec::<String>::new());

    // With room again it unpacks what it kept, without downloading it again.
    let mut den = env.den();
    den.env("DEN_MAX_UNPACK", "1G");
    let out = run(den, &["install"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(up.requests(&path), 1, "downloaded once: {:?}", up.log());
    assert_eq!(tool_dirs(&env).len(), 1);
}

/// A 1 MiB tmpfs mounted on a directory, unmounted when dropped.
struct Tmpfs(std::path::PathBuf);

impl Tmpfs {
    /// `None` when this machine does not let the tests mount (not root, no CAP_SYS_ADMIN).
    fn mount(dir: &std::path::Path) -> Option<Tmpfs> {
        std::fs::create_dir_all(dir).unwrap();
        let ok = Command::new("mount")
            .args(["-t", "tmpfs", "-o", "size=1m", "tmpfs"])
            .arg(dir)
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        ok.then(|| Tmpfs(dir.to_path_buf()))
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.0).status();
    }
}

#[test]
fn a_full_disk_while_unpacking_keeps_the_verified_download_and_says_the_disk_is_full() {
    let up = Upstream::start();
    let tgz = archives::build(
        "t.tar.gz",
        &[Entry::exe("t/bin/t", script("t 1.0.0")), Entry::file("t/share/data", vec![b'd'; 4 << 20], 0o644)],
    );
    let (env, _) = tool_project(&up, "full.tar.gz", &tgz);
    let Some(_tmpfs) = Tmpfs::mount(&store(&env)) else {
        let why = "cannot mount a 1 MiB tmpfs here (needs root or CAP_SYS_ADMIN)";
        if crate::prereq::skipped(crate::prereq::SKIP_MOUNT, why) {
            return;
        }
        crate::prereq::missing(crate::prereq::SKIP_MOUNT, why);
    };
    let mut den = env.den();
    den.env("DEN_MAX_UNPACK", "1G");
    let out = under_ulimit(den, 1 << 20, &["install"]);
    let line = failed(&out);
    let tools = store(&env).join("tools-v1");
    assert!(
        line.contains(&format!("the disk holding {} is full: unpacking stopped after ", tools.display())),
        "{line}"
    );
    assert!(!line.contains("damaged"), "{line}");
    let help = help(&out);
    assert!(help.contains("free some space") && help.contains("the verified download is kept"), "{help}");
    assert_eq!(bucket(&env, "downloads-v1").len(), 1, "the download is kept");
}

#[test]
fn an_endless_body_stops_at_the_size_den_lock_records() {
    let up = Upstream::start();
    up.catalog_tool("jq", "1.7.1");
    let env = project(&up, "[tools]\njq = \"1.7\"\n");
    install_ok(&env);
    let size: u64 = lock(&env)
        .lines()
        .find_map(|l| l.trim().strip_prefix("size = "))
        .and_then(|s| s.trim().parse().ok())
        .expect("den.lock records the size");
    crate::support::remove_store(&store(&env));
    let path = up.github_download_path("jqlang/jq", "jq-1.7.1", "jq-linux-amd64");
    up.fault(&path, Fault::Endless);
    let out = under_ulimit(env.den(), FSIZE_BLOCKS, &["install"]);
    let line = failed(&out);
    assert!(
        line.contains(&format!("jq-linux-amd64 sent more than the {size} bytes den.lock records for it")),
        "{line}"
    );
    assert!(help(&out).contains("den.lock"), "{}", out.stderr);
    // Two downloads (each a redirect and the file): the install, and the refused one, not retried.
    assert_eq!(up.requests(&path), 4, "{:?}", up.log());
    nothing_left(&env);
}

#[test]
fn a_cut_transfer_says_how_many_bytes_arrived_and_the_next_run_resumes() {
    let up = Upstream::start();
    let tgz = archives::build(
        "t.tar.gz",
        &[Entry::exe("t/bin/t", script("t 1.0.0")), Entry::file("t/share/noise", noise(20_000), 0o644)],
    );
    let (env, path) = tool_project(&up, "cut.tar.gz", &tgz);
    up.fault(&path, Fault::CutAfter(5000));
    let mut den = env.den();
    den.env("DEN_HTTP_RETRIES", "0");
    let out = run(den, &["install"]);
    let line = failed(&out);
    assert_eq!(
        line,
        format!(
            "den: cannot install t 1.0.0: the download of {} stopped after 5000 of {} bytes",
            up.url(&path),
            tgz.len()
        )
    );
    assert!(help(&out).contains("keeps the 5000 bytes"), "{}", out.stderr);
    install_ok(&env);
    assert_eq!(up.ranges(&path), [None, Some("bytes=5000-".to_string())]);
}

#[test]
fn a_redirect_loop_fails_at_once_without_retries() {
    let up = Upstream::start();
    let path = "/downloads.example/loop.tar.gz";
    up.redirect(path, path);
    let env = project(
        &up,
        &format!(
            "[tools]\nt = {{ version = \"1.0.0\", url = \"{}{path}\", sha256 = \"{}\" }}\n",
            up.base(),
            "0".repeat(64)
        ),
    );
    let out = run(env.den(), &["install"]);
    let line = failed(&out);
    assert!(
        line.ends_with("loop.tar.gz redirects more than 10 times (a redirect loop); den gave up"),
        "{line}"
    );
    assert_eq!(up.requests(path), 11, "the request and 10 redirects, not retried");
}

#[test]
fn plain_http_to_another_host_is_refused_before_connecting_unless_the_user_allows_it() {
    let up = Upstream::start();
    let toml = format!(
        "[tools]\nt = {{ version = \"1.0.0\", url = \"http://example.invalid/t-{{version}}.tar.gz\", sha256 = \"{}\" }}\n",
        "0".repeat(64)
    );
    let env = project(&up, &toml);
    let mut den = env.den();
    den.env("DEN_HTTP_RETRIES", "0");
    let out = run(den, &["install"]);
    let line = failed(&out);
    assert_eq!(
        line,
        "den: cannot install t 1.0.0: http://example.invalid/t-1.0.0.tar.gz uses plain http:// to \
         example.invalid, which is not this machine; den refuses unencrypted downloads"
    );
    assert!(help(&out).contains("insecure_http = [\"example.invalid\"]"), "{}", out.stderr);

    // Allowed in the user config, den tries (and the reserved name does not resolve).
    let config = env.home().join(".config/den/config.toml");
    let text = std::fs::read_to_string(&config).unwrap();
    std::fs::write(&config, format!("insecure_http = [\"example.invalid\"]\n{text}")).unwrap();
    let mut den = env.den();
    den.env("DEN_HTTP_RETRIES", "0");
    let out = run(den, &["install"]);
    let line = failed(&out);
    assert!(line.contains("cannot reach http://example.invalid/t-1.0.0.tar.gz"), "{line}");
}
