//! One I/O error for the places that have no module error of their own: what den was
//! doing, to what, and why it failed (`cannot create /p/.den/tmp/42: Permission denied`),
//! in the manner of `fs-err`. The cause is part of the message, so the error renderer in
//! `main` does not print it a second time. A leaf: it never decides what happens next.

use std::io;
use std::path::PathBuf;

use crate::hint::Hint;
use crate::ui::{escaped, shown_path};

/// What an I/O failure was about.
#[derive(Debug)]
pub enum Subject {
    /// A file or directory.
    Path(PathBuf),
    /// Something that is not a path: `stdout`, `the working directory`.
    Named(&'static str),
}

/// An I/O failure: `cannot <action> <subject>: <cause>`.
#[derive(Debug, thiserror::Error)]
#[error("cannot {action} {}: {}", subject_text(subject), escaped(&source.to_string()))]
pub struct IoError {
    /// The verb: `read`, `create`, `start`, `write to`.
    pub action: &'static str,
    pub subject: Subject,
    #[source]
    pub source: io::Error,
}

fn subject_text(subject: &Subject) -> String {
    match subject {
        Subject::Path(path) => shown_path(path),
        Subject::Named(what) => (*what).to_string(),
    }
}

impl IoError {
    /// A failure to `action` the file or directory `path`.
    pub fn path(action: &'static str, path: impl Into<PathBuf>, source: io::Error) -> IoError {
        IoError { action, subject: Subject::Path(path.into()), source }
    }

    /// A failure to `action` something that is not a path (`stdout`).
    pub fn named(action: &'static str, what: &'static str, source: io::Error) -> IoError {
        IoError { action, subject: Subject::Named(what), source }
    }

    /// `|e| IoError::path(action, path, e)`, for `map_err`.
    pub fn at<'a>(action: &'static str, path: &'a std::path::Path) -> impl FnOnce(io::Error) -> IoError + 'a {
        move |source| IoError::path(action, path, source)
    }
}

impl Hint for IoError {
    fn hint(&self) -> Option<String> {
        let Subject::Path(path) = &self.subject else { return None };
        match self.source.kind() {
            io::ErrorKind::PermissionDenied => {
                Some(format!("check the permissions of {} and the directories above it", shown_path(path)))
            }
            io::ErrorKind::StorageFull | io::ErrorKind::QuotaExceeded => {
                Some("the disk is full (or a quota was reached): free some space and try again".into())
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_the_action_the_path_and_the_cause_once() {
        let denied = io::Error::from(io::ErrorKind::PermissionDenied);
        let e = IoError::path("create", "/p/.den/tmp\x1b[2J", denied);
        assert_eq!(e.to_string(), "cannot create /p/.den/tmp\\e[2J: permission denied");
        assert_eq!(
            e.hint().unwrap(),
            "check the permissions of /p/.den/tmp\\e[2J and the directories above it"
        );
        let e = IoError::named("write to", "stdout", io::Error::from(io::ErrorKind::InvalidInput));
        assert_eq!(e.to_string(), "cannot write to stdout: invalid input parameter");
        assert_eq!(e.hint(), None);
    }
}
