//! Whether a git repository tracks a file: what decides if a changed dotenv file may apply
//! without `den trust` (a `git pull` can change a tracked file; only its owner can change an
//! untracked one). Runs git only when asked, which trust does only for a file whose content
//! differs from the trusted one, never on the unchanged path.
//!
//! Fails closed: whenever git cannot give a clear "not tracked" (git missing, a repository
//! it refuses, any other failure), the file counts as tracked. Never changes anything.

use std::path::Path;
use std::process::{Command, Stdio};

/// Variables that would point git at another repository than the one holding the file.
const REDIRECTS: &[&str] = &["GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_COMMON_DIR", "GIT_NAMESPACE"];

/// Whether `file` (or, for a directory, any file under it) is (or may be) tracked by a git
/// repository. A file in no git work tree
/// (no `.git` in its directory or any parent) has no repository that can change it: not
/// tracked. Otherwise `git ls-files --error-unmatch` answers: exit 0 tracked, exit 1
/// untracked (including git-ignored), anything else tracked.
///
/// The directory is the file's own (not the project root): it decides which repository,
/// if any, can change the file, also for a dotenv file outside the project.
#[allow(
    clippy::disallowed_methods,
    reason = "a helper program: git says whether a repository tracks the file"
)]
pub fn tracked(file: &Path) -> bool {
    let Ok(file) = std::path::absolute(file) else { return true };
    let (Some(dir), Some(name)) = (file.parent(), file.file_name()) else { return true };
    if !dir.ancestors().any(|d| d.join(".git").symlink_metadata().is_ok()) {
        return false;
    }
    let mut git = Command::new("git");
    git.arg("-C").arg(dir).args(["ls-files", "--error-unmatch", "--"]).arg(name);
    for var in REDIRECTS {
        git.env_remove(var);
    }
    // The name is a file's name, never a pathspec with magic (`:(exclude)...`).
    git.env("GIT_LITERAL_PATHSPECS", "1");
    let status = git.stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::null()).status();
    !matches!(status.map(|s| s.code()), Ok(Some(1)))
}

#[cfg(test)]
#[allow(clippy::disallowed_methods, reason = "tests may spawn freely")]
mod tests {
    use super::*;

    fn git(dir: &Path, args: &[&str]) {
        let ok = Command::new("git")
            .arg("-C")
            .arg(dir)
            .args(["-c", "user.name=t", "-c", "user.email=t@t"])
            .args(args)
            .stdout(Stdio::null())
            .status()
            .unwrap()
            .success();
        assert!(ok, "git {args:?}");
    }

    #[test]
    fn tracked_untracked_ignored_and_outside_any_repository() {
        let tmp = tempfile::tempdir().unwrap();
        let repo = tmp.path().join("repo");
        std::fs::create_dir_all(repo.join("sub")).unwrap();
        git(&repo, &["init", "-q"]);
        for f in [".env", "sub/.env", "local.env", "ignored.env", ".gitignore"] {
            std::fs::write(repo.join(f), "A=1\n").unwrap();
        }
        std::fs::write(repo.join(".gitignore"), "ignored.env\n").unwrap();
        git(&repo, &["add", ".env", "sub/.env", ".gitignore"]);
        git(&repo, &["commit", "-q", "-m", "x"]);

        assert!(tracked(&repo.join(".env")));
        assert!(tracked(&repo.join("sub/.env")));
        assert!(!tracked(&repo.join("local.env")));
        assert!(!tracked(&repo.join("ignored.env")));

        let plain = tmp.path().join("plain");
        std::fs::create_dir(&plain).unwrap();
        std::fs::write(plain.join(".env"), "A=1\n").unwrap();
        assert!(!tracked(&plain.join(".env")));
    }

    #[test]
    fn a_repository_git_cannot_read_counts_as_tracked() {
        let tmp = tempfile::tempdir().unwrap();
        // A `.git` that is no repository: git fails (exit 128), so the file is tracked.
        std::fs::write(tmp.path().join(".git"), "gitdir: /nonexistent\n").unwrap();
        std::fs::write(tmp.path().join(".env"), "A=1\n").unwrap();
        assert!(tracked(&tmp.path().join(".env")));
    }
}
