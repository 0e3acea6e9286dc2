//! One builder for running the real `den` binary in an isolated home.

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
        let out = run(self.den(), &["trust"]);
        assert_eq!(out.code, 0, "den trust failed: {}", out.stderr);
    }

    /// A `den` command running in `dir` with everything pinned inside the temp dir.
    pub fn den_in(&self, dir: &Path) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_den"));
        let home = self.home();
        cmd.current_dir(dir)
            .env_clear()
            .env("HOME", &home)
            .env("XDG_DATA_HOME", home.join(".local/share"))
            .env("XDG_CONFIG_HOME", home.join(".config"))
            .env("XDG_CACHE_HOME", home.join(".cache"))
            .env("XDG_STATE_HOME", home.join(".local/state"))
            .env("PATH", format!("{}:/usr/bin:/bin", self.tmp.path().join("bin").display()))
            .env("LANG", "C.UTF-8");
        cmd
    }

    /// A `den` command running in the project directory.
    pub fn den(&self) -> Command {
        self.den_in(&self.project())
    }
}

/// What a finished `den` printed, as text.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Runs the command with the given arguments and captures its output.
pub fn run(mut cmd: Command, args: &[&str]) -> Run {
    let Output { status, stdout, stderr } = cmd.args(args).output().expect("run den");
    Run {
        code: status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&stdout).into_owned(),
        stderr: String::from_utf8_lossy(&stderr).into_owned(),
    }
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
