//! One builder for running the real `den` binary (and every other process a test starts)
//! in an isolated home, and for asserting on what it printed.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A temporary home with pinned XDG dirs and a project directory, for running `den`.
pub struct Env {
    pub tmp: tempfile::TempDir,
}

impl Env {
    pub fn new() -> Self {
        let tmp = tempfile::tempdir().expect("temp dir");
        for d in ["home", "project", "bin"] {
            std::fs::create_dir_all(tmp.path().join(d)).unwrap();
        }
        Env { tmp }
    }

    pub fn home(&self) -> PathBuf {
        self.tmp.path().join("home")
    }

    pub fn project(&self) -> PathBuf {
        self.tmp.path().join("project")
    }

    /// Writes `rel` under the project directory, creating parents.
    pub fn write(&self, rel: &str, content: &str) -> PathBuf {
        let path = self.project().join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, content).unwrap();
        path
    }

    /// Trusts the project's den.toml as a user would, with `den trust`.
    pub fn trust(&self) {
        self.ok(&["trust"]);
    }

    /// Runs `den ARGS` in the project directory, which must succeed; returns what it printed.
    #[track_caller]
    pub fn ok(&self, args: &[&str]) -> Run {
        let out = run(self.den(), args);
        out.success();
        out
    }

    /// Gives `cmd` the pinned environment and nothing else: HOME and the XDG base
    /// directories inside the temp dir, PATH (the temp dir's `bin`, then the system's) and
    /// LANG. The one place a test's process gets its environment, so that no variable of the
    /// shell running the tests (XDG_*, DEN_*, proxies, registries) reaches den, a shim or a
    /// shell; add a variable after this call when a test needs one.
    pub fn pin<'c>(&self, cmd: &'c mut Command) -> &'c mut Command {
        let home = self.home();
        cmd.env_clear()
            .env("HOME", &home)
            .env("XDG_DATA_HOME", home.join(".local/share"))
            .env("XDG_CONFIG_HOME", home.join(".config"))
            .env("XDG_CACHE_HOME", home.join(".cache"))
            .env("XDG_STATE_HOME", home.join(".local/state"))
            .env("PATH", format!("{}:/usr/bin:/bin", self.tmp.path().join("bin").display()))
            .env("LANG", "C.UTF-8")
    }

    /// `program` (den, a shim, a copied binary, a shell, a helper script) with the pinned
    /// environment, in the project directory.
    pub fn command(&self, program: impl AsRef<OsStr>) -> Command {
        let mut cmd = Command::new(program);
        self.pin(&mut cmd).current_dir(self.project());
        cmd
    }

    /// A `den` command running in `dir` with everything pinned inside the temp dir.
    pub fn den_in(&self, dir: &Path) -> Command {
        let mut cmd = self.command(env!("CARGO_BIN_EXE_den"));
        cmd.current_dir(dir);
        cmd
    }

    /// A `den` command running in the project directory.
    pub fn den(&self) -> Command {
        self.den_in(&self.project())
    }
}

/// What a finished process printed, as text, and its exit code; the assertions on it (just's
/// `tests/test.rs` style) name the command and show all it printed when they fail.
#[derive(Debug)]
pub struct Run {
    /// The program and its arguments, for failure messages.
    pub command: String,
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Runs the command with the given arguments and captures its output.
pub fn run(mut cmd: Command, args: &[&str]) -> Run {
    cmd.args(args);
    let command = std::iter::once(cmd.get_program())
        .chain(cmd.get_args())
        .map(|a| a.to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join(" ");
    let Output { status, stdout, stderr } =
        cmd.output().unwrap_or_else(|e| panic!("cannot start {command}: {e}"));
    Run {
        command,
        code: status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&stdout).into_owned(),
        stderr: String::from_utf8_lossy(&stderr).into_owned(),
    }
}

impl Run {
    #[track_caller]
    fn check(&self, holds: bool, what: std::fmt::Arguments) {
        assert!(
            holds,
            "{what}\ncommand: {}\nexit code: {}\n--- stdout ---\n{}\n--- stderr ---\n{}",
            self.command, self.code, self.stdout, self.stderr
        );
    }

    /// Asserts the process exited with `code`.
    #[track_caller]
    pub fn status(&self, code: i32) -> &Self {
        self.check(self.code == code, format_args!("expected exit code {code}"));
        self
    }

    /// Asserts the process exited with 0.
    #[track_caller]
    pub fn success(&self) -> &Self {
        self.status(0)
    }

    /// Asserts den failed with `code` and said why in one `den: …` line.
    #[track_caller]
    pub fn failure(&self, code: i32) -> &Self {
        self.status(code);
        self.check(self.stderr.starts_with("den: "), format_args!("expected stderr to start with `den: `"));
        self
    }

    /// Asserts stdout contains `part`.
    #[track_caller]
    pub fn stdout_has(&self, part: &str) -> &Self {
        self.check(self.stdout.contains(part), format_args!("expected stdout to contain {part:?}"));
        self
    }

    /// Asserts stderr contains `part`.
    #[track_caller]
    pub fn stderr_has(&self, part: &str) -> &Self {
        self.check(self.stderr.contains(part), format_args!("expected stderr to contain {part:?}"));
        self
    }

    /// Asserts the exit code, stdout and stderr all at once, exactly.
    #[track_caller]
    pub fn expect(&self, code: i32, stdout: &str, stderr: &str) -> &Self {
        self.check(
            self.code == code && self.stdout == stdout && self.stderr == stderr,
            format_args!(
                "expected exit code {code}\n--- stdout ---\n{stdout}\n--- stderr ---\n{stderr}\n=== but got"
            ),
        );
        self
    }
}

/// Runs `git ARGS` in `dir`, which must succeed, as a user with no git configuration at all
/// (neither this machine's nor the user's: a global `commit.gpgsign` or template hooks
/// would change what the tests do) and a fixed author.
pub fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .env("LANG", "C.UTF-8")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .arg("-C")
        .arg(dir)
        .args(["-c", "user.name=t", "-c", "user.email=t@t", "-c", "init.defaultBranch=main"])
        .args(args)
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("cannot start git: {e}"));
    assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
}

/// Deletes `dir` (a store den installed into) as any user can: installed tools are
/// read-only (directories 0555), which only root may delete through, so every directory is
/// made writable first. Symlinks are not followed.
pub fn remove_store(dir: &Path) {
    use std::os::unix::fs::PermissionsExt;
    fn writable(dir: &Path) {
        let _ = std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o755));
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            if entry.file_type().is_ok_and(|t| t.is_dir()) {
                writable(&entry.path());
            }
        }
    }
    writable(dir);
    std::fs::remove_dir_all(dir).unwrap_or_else(|e| panic!("cannot delete {}: {e}", dir.display()));
}

#[test]
fn every_process_gets_the_pinned_environment_and_nothing_else() {
    let env = Env::new();
    let out = run(env.command("env"), &[]);
    out.success();
    let mut got: Vec<&str> = out.stdout.lines().collect();
    got.sort_unstable();
    let (home, tmp) = (env.home().display().to_string(), env.tmp.path().display().to_string());
    let want = [
        format!("HOME={home}"),
        "LANG=C.UTF-8".into(),
        format!("PATH={tmp}/bin:/usr/bin:/bin"),
        format!("XDG_CACHE_HOME={home}/.cache"),
        format!("XDG_CONFIG_HOME={home}/.config"),
        format!("XDG_DATA_HOME={home}/.local/share"),
        format!("XDG_STATE_HOME={home}/.local/state"),
    ];
    assert_eq!(got, want, "whatever the shell running the tests sets");
}

#[test]
fn assertions_name_the_command_and_show_all_it_printed() {
    let env = Env::new();
    run(env.command("sh"), &["-c", "printf out; printf err >&2"]).expect(0, "out", "err");
    let failed = std::panic::catch_unwind(|| {
        run(env.command("sh"), &["-c", "echo out; echo err >&2; exit 3"]).success();
    });
    let message = *failed.expect_err("exit 3 is no success").downcast::<String>().unwrap();
    assert_eq!(
        message,
        "expected exit code 0\ncommand: sh -c echo out; echo err >&2; exit 3\nexit code: 3\n\
         --- stdout ---\nout\n\n--- stderr ---\nerr\n"
    );
}

/// This machine's platform as den spells it (`linux-x64`).
pub fn this_platform() -> String {
    let os = if cfg!(target_os = "macos") { "darwin" } else { "linux" };
    let arch = if cfg!(target_arch = "aarch64") { "arm64" } else { "x64" };
    format!("{os}-{arch}")
}

/// The store directory of `tool`'s artifact for this machine (`sha256-<first 32 hex>` of
/// the checksum the project's den.lock pins).
pub fn store_dir(env: &Env, tool: &str) -> PathBuf {
    let text = std::fs::read_to_string(env.project().join("den.lock")).unwrap();
    let lock: toml::Table = text.parse().unwrap();
    let checksum = lock["tools"][tool]["platforms"][this_platform().as_str()]["checksum"].as_str().unwrap();
    let hex = checksum.strip_prefix("sha256:").expect("a sha256 checksum");
    env.home().join(".local/share/den/tools-v1").join(format!("sha256-{}", &hex[..32]))
}
