//! Failures of the store (installing, receipts, file manifests, the projects registry,
//! post-install steps, pruning), with the path at fault and what to do.

use std::io;
use std::path::{Path, PathBuf};

/// What went wrong in the store, beyond downloading and unpacking.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("cannot read {}: {}", shown_path(path), escaped(&source.to_string()))]
    Read {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("cannot write {}: {}", shown_path(path), escaped(&source.to_string()))]
    Write {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    /// A store file den wrote no longer reads (edited by hand, or a disk problem).
    #[error("{} is damaged: {}", shown_path(path), escaped(reason))]
    Damaged { path: PathBuf, reason: String },
    /// A post-install step of a tool definition would act outside the install directory,
    /// or cannot be carried out.
    #[error("cannot {} in {}: {}", escaped(step), shown_path(dir), escaped(reason))]
    Step { dir: PathBuf, step: String, reason: String },
    /// `den cache verify` found installed tools that changed since they were installed.
    #[error("installed tools changed since den installed them: {}", tools.join(", "))]
    Changed { tools: Vec<String> },
}

impl Error {
    /// What the user should do next.
    pub fn help(&self) -> Option<String> {
        match self {
            Error::Write { source, .. } if is_out_of_space(source) => {
                Some(
                    "the disk is full (or a size limit such as `ulimit -f` was reached): free some space \
                     (`den cache prune` may help) and try again"
                        .into(),
                )
            }
            Error::Write { source, .. } if source.raw_os_error() == Some(libc::ENAMETOOLONG) => {
                Some("the name is too long for this file system; shorten den's data directory (DEN_HOME)".into())
            }
            Error::Read { .. } | Error::Write { .. } => {
                Some("check the permissions of den's data directory (`den cache dir`)".into())
            }
            Error::Damaged { path, .. } => Some(format!("delete {} and let den write it again", path.display())),
            Error::Changed { .. } => Some(
                "run `den cache verify --repair` to install them again from their source".into(),
            ),
            Error::Step { .. } => Some(
                "the tool's definition does not fit this artifact: report it, or set `source`/`url` in den.toml".into(),
            ),
        }
    }

    pub(crate) fn read(path: &Path) -> impl FnOnce(io::Error) -> Error + '_ {
        move |source| Error::Read { path: path.to_path_buf(), source }
    }

    pub(crate) fn write(path: &Path) -> impl FnOnce(io::Error) -> Error + '_ {
        move |source| Error::Write { path: path.to_path_buf(), source }
    }
}

/// `text` safe to print on a terminal: control characters (ESC, newline, DEL, C1) become
/// escapes (`\e`, `\n`, `\x7f`, `\u{9b}`), so a name from an archive, a server or a
/// repository can neither move the cursor nor forge a second line. Messages must pass every
/// name they did not write themselves through this (or [`shown_path`]).
pub fn escaped(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\x1b' => out.push_str("\\e"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => out.push_str(&format!("\\x{:02x}", c as u32)),
            c if c.is_control() => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

/// Longest path shown whole; longer ones keep their start and end around `…`.
const SHOWN_PATH_MAX: usize = 160;

/// A path for a message: escaped (see [`escaped`]) and, when longer than 160 characters
/// (an archive can name a 4 KiB path), its middle elided so the line stays readable.
pub fn shown_path(path: &Path) -> String {
    let text = escaped(&path.to_string_lossy());
    let chars: Vec<char> = text.chars().collect();
    if chars.len() <= SHOWN_PATH_MAX {
        return text;
    }
    let keep = SHOWN_PATH_MAX / 2 - 1;
    let head: String = chars[..keep].iter().collect();
    let tail: String = chars[chars.len() - keep..].iter().collect();
    format!("{head}…{tail} ({} characters)", chars.len())
}

/// Whether a write failed because the disk (or a quota, or the file size limit) ran out
/// rather than because of what was written: the data is fine, the machine needs room.
pub fn is_out_of_space(err: &io::Error) -> bool {
    matches!(err.raw_os_error(), Some(libc::ENOSPC | libc::EDQUOT | libc::EFBIG))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_escaped() {
        assert_eq!(escaped("a\x1b[31mb\nc\u{9b}d\x7f\x00é"), "a\\e[31mb\\nc\\u{9b}d\\x7f\\x00é");
        assert_eq!(escaped("plain/name-1.2.tar.gz"), "plain/name-1.2.tar.gz");
    }

    #[test]
    fn long_paths_keep_both_ends() {
        let long = format!("/store/{}/end", "x".repeat(4000));
        let shown = shown_path(Path::new(&long));
        assert!(shown.starts_with("/store/xx") && shown.contains("xx/end (4011 characters)"), "{shown}");
        assert!(shown.chars().count() < 200, "{shown}");
        assert_eq!(shown_path(Path::new("/a/b")), "/a/b");
    }
}
