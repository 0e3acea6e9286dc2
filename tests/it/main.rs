//! The integration-test binary: runs the real `den` with HOME, XDG dirs and PATH pinned.

mod support;

mod cache;
mod cli;
mod enter;
mod errors;
mod export;
mod hook;
mod hostile_parsers;
mod init;
mod install;
mod integrations;
mod live;
mod project;
mod pty;
mod run;
mod run_live;
mod shells;
mod tools;
mod trust;
mod upstream;
mod upstream_selftest;
