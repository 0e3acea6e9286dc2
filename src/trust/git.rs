//! Whether a git repository tracks a file: what decides if a changed dotenv file may apply
//! without `den trust` (a `git pull` can change a tracked file; only its owner can change an
//! untracked one), and whether a venv came with the repository.
//!
//! Runs no program: git reads the repository's configuration (`core.fsmonitor` runs a
//! program, `include.path` pulls in more), which a repository controls, so den finds the
//! repository as git would and reads its index itself (`index`), ignoring every setting.
//!
//! Fails closed: whenever it cannot give a clear "not tracked", the file counts as tracked:
//! a repository that is not the project's own (a `.git`, or a directory that is itself a
//! git directory, below the project root: only a clone's author can have put it there), a
//! `.git` file whose `gitdir:` leads out of its work tree (a linked worktree, a submodule),
//! a `.git` that is a link or not a repository, an index that cannot be read (unreadable,
//! larger than `fs_util::INPUT_LIMIT`, not a regular file) or that the reader cannot vouch
//! for. Never changes anything. (`tracks_under`, asked about den's own `.den/`, reads a
//! linked worktree's or a submodule's own index instead of giving up there.)

mod index;

use std::io;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

/// Whether `file` (or, for a directory, any file under it) is (or may be) tracked by a git
/// repository; `root` is the project's root, which decides which repository is the
/// project's own. A file in no git work tree (no `.git` in its directory or any parent)
/// has no repository that can change it: not tracked.
///
/// The directory is the file's own (not the project root): it decides which repository,
/// if any, can change the file, also for a dotenv file outside the project.
pub fn tracked(root: &Path, file: &Path) -> bool {
    decide(root, file).unwrap_or(true)
}

/// Whether the project's repository tracks `path` or anything under it (`Some(true)`),
/// does not (`Some(false)`), or den cannot tell (`None`: an index it cannot read or vouch
/// for, a repository below the project root). For den's own `.den/`, before a service
/// runs on what is there: unlike [`tracked`], a `.git` file leading out of its work tree
/// (a linked worktree, a submodule) is followed to the git directory it names and that
/// index is read, since a clone cannot ship a `.git` file and reading an index runs
/// nothing; so a project in a linked worktree is told apart, not refused.
pub fn tracks_under(root: &Path, path: &Path) -> Option<bool> {
    decide_in(root, path, Gitdir::Follow)
}

/// Where a `.git` file may lead.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Gitdir {
    /// Only inside its own work tree (anything else: cannot tell).
    Inside,
    /// Also to another git directory: a linked worktree's or a submodule's.
    Follow,
}

/// `Some(tracked)`, or `None` when it cannot tell.
fn decide(root: &Path, file: &Path) -> Option<bool> {
    decide_in(root, file, Gitdir::Inside)
}

fn decide_in(root: &Path, file: &Path, gitdir: Gitdir) -> Option<bool> {
    let file = std::path::absolute(file).ok()?;
    let (dir, name) = (file.parent()?, file.file_name()?);
    // As git does: the real directory, whatever links lead to it.
    let dir = std::fs::canonicalize(dir).ok()?;
    let root = std::fs::canonicalize(root).ok()?;
    for top in dir.ancestors() {
        let Some(git_dir) = repository_at(top, gitdir)? else { continue };
        // A repository below the project root is no clone's own: its author made it.
        if top != root && top.starts_with(&root) {
            return None;
        }
        let mut rel = dir.strip_prefix(top).ok()?.to_path_buf();
        rel.push(name);
        return match crate::fs_util::read_input(&git_dir.join("index")) {
            // A repository with nothing added yet has no index: nothing is tracked.
            Err(e) if e.kind() == io::ErrorKind::NotFound => Some(false),
            Err(_) => None,
            Ok(bytes) => index::contains(&bytes, rel.as_os_str().as_bytes()),
        };
    }
    Some(false)
}

/// The git directory of the work tree `top` when there is one (`Some(None)`: none here,
/// look further up); `None` when `top` holds something git could take for a repository but
/// den cannot vouch for.
fn repository_at(top: &Path, gitdir: Gitdir) -> Option<Option<PathBuf>> {
    // A directory that is itself a git directory (HEAD, objects/, refs/): git would use it,
    // with a work tree its configuration names, which den does not read.
    if looks_like_git_dir(top) {
        return None;
    }
    let dot_git = top.join(".git");
    let meta = match std::fs::symlink_metadata(&dot_git) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Some(None),
        Err(_) => return None,
        Ok(meta) => meta,
    };
    let git_dir = if meta.is_dir() {
        dot_git
    } else if meta.is_file() {
        // `gitdir: <path>`: followed only when it stays inside this work tree.
        let text = crate::fs_util::read_input_string(&dot_git).ok()?;
        let target = text.strip_prefix("gitdir: ")?.trim_end_matches(['\n', '\r']);
        let target = std::fs::canonicalize(top.join(target)).ok()?;
        let top = std::fs::canonicalize(top).ok()?;
        if target == top {
            return None;
        }
        if !target.starts_with(&top) {
            // A linked worktree's git directory holds its own HEAD and index, and names
            // the shared one in `commondir`.
            let linked = |d: &Path| {
                let file = |n: &str| std::fs::symlink_metadata(d.join(n)).is_ok_and(|m| m.is_file());
                file("HEAD") && file("commondir")
            };
            return (gitdir == Gitdir::Follow && (looks_like_git_dir(&target) || linked(&target)))
                .then_some(Some(target));
        }
        target
    } else {
        return None;
    };
    looks_like_git_dir(&git_dir).then_some(Some(git_dir))
}

/// What git checks before it takes a directory for a repository.
fn looks_like_git_dir(dir: &Path) -> bool {
    let kind = |name: &str| std::fs::symlink_metadata(dir.join(name)).map(|m| m.file_type()).ok();
    kind("HEAD").is_some_and(|t| t.is_file() || t.is_symlink())
        && kind("objects").is_some_and(|t| t.is_dir())
        && kind("refs").is_some_and(|t| t.is_dir())
}

#[cfg(test)]
#[allow(clippy::disallowed_methods, reason = "tests may spawn freely")]
mod tests {
    use super::*;
    use std::process::{Command, Stdio};

    fn git(dir: &Path, args: &[&str]) {
        let ok = Command::new("git")
            .arg("-C")
            .arg(dir)
            .args(["-c", "user.name=t", "-c", "user.email=t@t", "-c", "init.defaultBranch=main"])
            .args(args)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .unwrap()
            .success();
        assert!(ok, "git {args:?}");
    }

    fn write(path: &Path, text: &str) {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    /// A repository with tracked, untracked, ignored and nested files, its index written by
    /// git in `version`.
    fn repository(version: &str) -> (tempfile::TempDir, PathBuf) {
        let tmp = tempfile::tempdir().unwrap();
        let repo = tmp.path().join("repo");
        std::fs::create_dir(&repo).unwrap();
        git(&repo, &["init", "-q"]);
        for f in [".env", "sub/.env", "a/b/c/deep.env", "local.env", "ignored.env", "sub/local.env"] {
            write(&repo.join(f), "A=1\n");
        }
        write(&repo.join(".gitignore"), "ignored.env\n");
        git(&repo, &["add", ".env", "sub/.env", "a/b/c/deep.env", ".gitignore"]);
        git(&repo, &["commit", "-q", "-m", "x"]);
        git(&repo, &["update-index", "--index-version", version]);
        (tmp, repo)
    }

    fn index_version(repo: &Path) -> u32 {
        let bytes = std::fs::read(repo.join(".git/index")).unwrap();
        u32::from_be_bytes(bytes[4..8].try_into().unwrap())
    }

    #[test]
    fn indexes_git_writes_in_each_version() {
        // git writes v3 only when an entry needs its extended flags (intent-to-add, below).
        for version in ["2", "4"] {
            let (_tmp, repo) = repository(version);
            assert_eq!(index_version(&repo).to_string(), version);
            for f in [".env", "sub/.env", "a/b/c/deep.env", ".gitignore"] {
                assert_eq!(decide(&repo, &repo.join(f)), Some(true), "v{version} {f}");
            }
            for f in ["local.env", "ignored.env", "sub/local.env", "sub/.env2", "a/b/deep.env"] {
                assert_eq!(decide(&repo, &repo.join(f)), Some(false), "v{version} {f}");
            }
            // A directory: tracked when a file below it is.
            assert_eq!(decide(&repo, &repo.join("a/b")), Some(true), "v{version}");
            assert_eq!(decide(&repo, &repo.join("a/b/c")), Some(true), "v{version}");
            // Exact bytes: no prefix match within a name.
            assert_eq!(decide(&repo, &repo.join("su")), Some(false), "v{version}");
            // From a subdirectory's project, the repository above is still its own.
            assert_eq!(decide(&repo.join("sub"), &repo.join("sub/.env")), Some(true), "v{version}");
            assert_eq!(decide(&repo.join("sub"), &repo.join("sub/local.env")), Some(false), "v{version}");
        }
    }

    #[test]
    fn intent_to_add_writes_a_v3_index_and_counts_as_tracked() {
        let (_tmp, repo) = repository("2");
        git(&repo, &["add", "--intent-to-add", "local.env"]);
        assert_eq!(index_version(&repo), 3);
        assert_eq!(decide(&repo, &repo.join("local.env")), Some(true));
        assert_eq!(decide(&repo, &repo.join("sub/.env")), Some(true));
        assert_eq!(decide(&repo, &repo.join("sub/local.env")), Some(false));
    }

    #[test]
    fn outside_any_repository_and_in_a_repository_with_nothing_added() {
        let tmp = tempfile::tempdir().unwrap();
        write(&tmp.path().join("plain/.env"), "A=1\n");
        assert!(!tracked(&tmp.path().join("plain"), &tmp.path().join("plain/.env")));
        let fresh = tmp.path().join("fresh");
        std::fs::create_dir(&fresh).unwrap();
        git(&fresh, &["init", "-q"]);
        write(&fresh.join(".env"), "A=1\n");
        assert!(!tracked(&fresh, &fresh.join(".env")));
    }

    #[test]
    fn repositories_den_cannot_vouch_for_count_as_tracked() {
        let tmp = tempfile::tempdir().unwrap();
        // A `.git` file pointing at no repository.
        let p = tmp.path().join("gitfile");
        write(&p.join(".git"), "gitdir: /nonexistent\n");
        write(&p.join(".env"), "A=1\n");
        assert!(tracked(&p, &p.join(".env")));

        // A `.git` below the project root (a repository shipped inside the project), even
        // with an index that does not list the file.
        let (_keep, repo) = repository("2");
        let nested = repo.join("sub");
        git(&nested, &["init", "-q"]);
        assert!(tracked(&repo, &nested.join("local.env")));

        // A directory that is itself a git directory (HEAD, objects/, refs/).
        let bare = tmp.path().join("bare");
        git(tmp.path(), &["init", "-q", "--bare", "bare"]);
        write(&bare.join(".env"), "A=1\n");
        assert!(tracked(&bare, &bare.join(".env")));

        // A `.git` that is a link.
        let linked = tmp.path().join("linked");
        std::fs::create_dir(&linked).unwrap();
        std::os::unix::fs::symlink(repo.join(".git"), linked.join(".git")).unwrap();
        write(&linked.join("local.env"), "A=1\n");
        assert!(tracked(&linked, &linked.join("local.env")));

        // A linked worktree: its `gitdir:` leads out of the work tree.
        let wt = tmp.path().join("wt");
        git(&repo, &["worktree", "add", "-q", wt.to_str().unwrap()]);
        write(&wt.join("local.env"), "A=1\n");
        assert!(tracked(&wt, &wt.join("local.env")));

        // An index that is a FIFO (never read: no hang).
        let (_keep2, fifo_repo) = repository("2");
        std::fs::remove_file(fifo_repo.join(".git/index")).unwrap();
        let fifo = std::ffi::CString::new(fifo_repo.join(".git/index").as_os_str().as_bytes()).unwrap();
        assert_eq!(unsafe { libc::mkfifo(fifo.as_ptr(), 0o600) }, 0);
        assert!(tracked(&fifo_repo, &fifo_repo.join("local.env")));
    }

    #[test]
    fn den_s_directory_is_told_apart_in_a_linked_worktree_and_a_submodule() {
        let (tmp, repo) = repository("2");
        assert_eq!(tracks_under(&repo, &repo.join(".den")), Some(false));
        write(&repo.join(".den/state/db/x"), "1");
        git(&repo, &["add", "-f", ".den/state/db/x"]);
        assert_eq!(tracks_under(&repo, &repo.join(".den")), Some(true));
        assert_eq!(tracks_under(&repo.join("sub"), &repo.join("sub/.den")), Some(false));
        git(&repo, &["commit", "-q", "-m", "track .den"]);

        // A linked worktree: `tracked` cannot tell there; `tracks_under` reads its index.
        let wt = tmp.path().join("wt");
        git(&repo, &["worktree", "add", "-q", "-b", "other", wt.to_str().unwrap(), "HEAD~1"]);
        assert!(tracked(&wt, &wt.join("local.env")), "fails closed");
        assert_eq!(tracks_under(&wt, &wt.join(".den")), Some(false));
        write(&wt.join(".den/y"), "1");
        git(&wt, &["add", "-f", ".den/y"]);
        assert_eq!(tracks_under(&wt, &wt.join(".den")), Some(true));

        // A submodule's `.git` file leads to the superproject's `modules/`.
        let outer = tmp.path().join("outer");
        std::fs::create_dir(&outer).unwrap();
        git(&outer, &["init", "-q"]);
        git(
            &outer,
            &["-c", "protocol.file.allow=always", "submodule", "add", "-q", repo.to_str().unwrap(), "m"],
        );
        let m = outer.join("m");
        assert!(std::fs::symlink_metadata(m.join(".git")).unwrap().is_file());
        assert_eq!(tracks_under(&m, &m.join(".den")), Some(true), "the submodule's own index");
        assert_eq!(tracks_under(&m, &m.join(".nothing")), Some(false));

        // A `.git` file naming no repository still cannot tell.
        let lost = tmp.path().join("lost");
        write(&lost.join(".git"), "gitdir: /nonexistent\n");
        assert_eq!(tracks_under(&lost, &lost.join(".den")), None);
    }

    #[test]
    fn a_gitdir_file_inside_its_work_tree_is_followed() {
        let tmp = tempfile::tempdir().unwrap();
        let (_keep, repo) = repository("2");
        let top = tmp.path().join("top");
        std::fs::create_dir(&top).unwrap();
        std::fs::rename(repo.join(".git"), top.join("real-git")).unwrap();
        write(&top.join(".git"), "gitdir: real-git\n");
        write(&top.join("sub/.env"), "A=1\n");
        write(&top.join("local.env"), "A=1\n");
        assert_eq!(decide(&top, &top.join("sub/.env")), Some(true));
        assert_eq!(decide(&top, &top.join("local.env")), Some(false));
    }

    #[test]
    fn crafted_and_truncated_indexes_cannot_tell_and_never_panic() {
        for version in ["2", "3", "4"] {
            let (_tmp, repo) = repository(if version == "3" { "2" } else { version });
            if version == "3" {
                git(&repo, &["add", "--intent-to-add", "sub/local.env"]);
            }
            let real = std::fs::read(repo.join(".git/index")).unwrap();
            assert_eq!(index::contains(&real, b"local.env"), Some(false));
            // Every truncation, and every single-byte change, is caught by the bounds or
            // the checksum.
            for len in 0..real.len() {
                assert_eq!(index::contains(&real[..len], b"local.env"), None, "v{version} cut at {len}");
            }
            for at in 0..real.len() {
                let mut bad = real.clone();
                bad[at] ^= 0x55;
                assert_eq!(index::contains(&bad, b"local.env"), None, "v{version} byte {at}");
            }
            // With the checksum zeroed (`index.skipHash`), crafted contents still only reach
            // the bounds checks.
            let body = real.len() - 20;
            for at in 12..body {
                for value in [0x00, 0x7f, 0x80, 0xff] {
                    let mut bad = real.clone();
                    bad[at] = value;
                    bad[body..].fill(0);
                    let _ = index::contains(&bad, b"local.env");
                }
            }
        }
    }

    /// Indexes the reader refuses whatever they say: other versions, a split index, a
    /// sparse index's directory entry.
    #[test]
    fn split_sparse_and_unknown_versions_cannot_tell() {
        let (_tmp, repo) = repository("2");
        let mut v5 = std::fs::read(repo.join(".git/index")).unwrap();
        v5[7] = 5;
        let body = v5.len() - 20;
        v5[body..].fill(0);
        assert_eq!(index::contains(&v5, b"local.env"), None);

        let (_tmp2, split) = repository("2");
        git(&split, &["update-index", "--split-index"]);
        assert_eq!(decide(&split, &split.join("local.env")), None);

        let (_tmp3, sparse) = repository("2");
        git(&sparse, &["sparse-checkout", "init", "--cone", "--sparse-index"]);
        git(&sparse, &["sparse-checkout", "set", "sub"]);
        assert_eq!(decide(&sparse, &sparse.join("sub/local.env")), None);
    }
}
