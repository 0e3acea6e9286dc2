//! Which directory governs a start directory: the nearest one upward holding `den.toml`,
//! else the nearest one holding a foreign file (`.tool-versions`, `.nvmrc`, ...). Only
//! tests for files; never reads or parses them (nor opens them: a FIFO would block).
//!
//! - Nested projects: the nearest `den.toml` wins and nothing is merged, so a monorepo's
//!   `services/api/den.toml` is a project of its own, blind to the root's `den.toml`.
//! - A `den.toml` anywhere up to the ceiling wins over foreign files nearer to the start:
//!   `frontend/.nvmrc` under a root `den.toml` is the root project's business.
//! - `DEN_CEILING_DIRS` (colon-separated absolute paths; relative or empty entries are
//!   ignored) stops the walk: a ceiling directory is still searched, its parents are not.
//!   (git's `GIT_CEILING_DIRECTORIES` excludes the ceiling itself; den includes it so that
//!   a ceiling can be a project root.) The walk also stops at `/`.
//! - Paths are compared as written, without resolving symlinks, as the shell hook does
//!   with `$PWD`.

use std::path::{Path, PathBuf};

use super::foreign;
use crate::env_vars;

/// The project file's name.
pub const DEN_TOML: &str = "den.toml";

/// What the upward search found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Found {
    /// A directory holding `den.toml`.
    DenToml(PathBuf),
    /// No `den.toml` up to the ceiling: the nearest directory holding foreign files.
    Foreign(PathBuf),
}

/// The ceilings from `DEN_CEILING_DIRS`.
pub fn ceilings() -> Vec<PathBuf> {
    std::env::var_os(env_vars::DEN_CEILING_DIRS).map(|v| parse_ceilings(&v)).unwrap_or_default()
}

/// The absolute entries of a colon-separated list.
fn parse_ceilings(value: &std::ffi::OsStr) -> Vec<PathBuf> {
    std::env::split_paths(value).filter(|p| p.is_absolute()).collect()
}

/// Searches upward from `start` (made absolute) up to a ceiling or `/`.
pub fn discover(start: &Path, ceilings: &[PathBuf]) -> Option<Found> {
    let start = std::path::absolute(start).unwrap_or_else(|_| start.to_path_buf());
    let mut foreign_dir = None;
    for dir in upward(&start, ceilings) {
        // Anything named den.toml (a FIFO, a directory, a dangling link) stops the walk, so
        // that loading it says what it is instead of "no den.toml".
        if dir.join(DEN_TOML).symlink_metadata().is_ok() {
            return Some(Found::DenToml(dir.to_path_buf()));
        }
        if foreign_dir.is_none() && foreign::present(dir) {
            foreign_dir = Some(dir.to_path_buf());
        }
    }
    foreign_dir.map(Found::Foreign)
}

/// `start` and its parents, stopping after the first ceiling.
fn upward<'a>(start: &'a Path, ceilings: &'a [PathBuf]) -> impl Iterator<Item = &'a Path> {
    let mut stop = false;
    start.ancestors().take_while(move |dir| {
        if stop {
            return false;
        }
        stop = ceilings.iter().any(|c| c.as_path() == *dir);
        true
    })
}

#[cfg(test)]
#[allow(clippy::disallowed_methods, reason = "tests may write freely")]
mod tests {
    use super::*;

    fn tree(files: &[&str]) -> tempfile::TempDir {
        let tmp = tempfile::tempdir().unwrap();
        for f in files {
            let p = tmp.path().join(f);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            if !f.ends_with('/') {
                std::fs::write(p, "").unwrap();
            }
        }
        tmp
    }

    #[test]
    fn nearest_den_toml_wins() {
        let t = tree(&["den.toml", "services/api/den.toml", "services/api/src/"]);
        let c = [t.path().to_path_buf()];
        let found = discover(&t.path().join("services/api/src"), &c);
        assert_eq!(found, Some(Found::DenToml(t.path().join("services/api"))));
        assert_eq!(discover(&t.path().join("services"), &c), Some(Found::DenToml(t.path().to_path_buf())));
    }

    #[test]
    fn den_toml_above_wins_over_nearer_foreign_files() {
        let t = tree(&["den.toml", "web/.nvmrc", "web/src/"]);
        let found = discover(&t.path().join("web/src"), &[t.path().to_path_buf()]);
        assert_eq!(found, Some(Found::DenToml(t.path().to_path_buf())));
    }

    #[test]
    fn foreign_files_when_no_den_toml() {
        let t = tree(&[".tool-versions", "web/.nvmrc", "web/src/"]);
        let found = discover(&t.path().join("web/src"), &[t.path().to_path_buf()]);
        assert_eq!(found, Some(Found::Foreign(t.path().join("web"))));
    }

    #[test]
    fn the_ceiling_is_searched_but_not_its_parents() {
        let t = tree(&["den.toml", "a/den.toml", "a/b/c/"]);
        let start = t.path().join("a/b/c");
        assert_eq!(discover(&start, &[t.path().join("a")]), Some(Found::DenToml(t.path().join("a"))));
        assert_eq!(discover(&start, &[t.path().join("a/b")]), None);
    }

    #[test]
    fn ceiling_list_keeps_absolute_entries_only() {
        let got = parse_ceilings(std::ffi::OsStr::new("/a/b::rel:/c/"));
        assert_eq!(got, [PathBuf::from("/a/b"), PathBuf::from("/c")]);
    }

    #[test]
    fn nothing_found() {
        let t = tree(&["a/"]);
        assert_eq!(discover(&t.path().join("a"), &[t.path().to_path_buf()]), None);
    }
}
