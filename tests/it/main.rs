//! The integration-test binary: runs the real `den` with HOME, XDG dirs and PATH pinned.

mod support;

mod cli;
mod init;
mod project;
