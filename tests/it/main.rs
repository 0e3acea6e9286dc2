//! The integration-test binary: runs the real `den` with HOME, XDG dirs and PATH pinned.

// Tests start den, shells and helper programs freely (clippy.toml fences den itself).
#![allow(clippy::disallowed_methods)]

mod support;

mod applied;
mod aqua;
mod architecture;
mod bounds;
mod cache;
mod cli;
mod completions;
mod den_dir;
mod doctor;
mod editing;
mod enter;
mod errors;
mod escapes;
mod exit_codes;
mod explain;
mod export;
mod foreign_state;
mod git_config_attacks;
mod hook;
mod hook_edits;
mod hostile_env;
mod hostile_parsers;
mod ide;
mod ide_session;
mod imports;
mod init;
mod install;
mod integrations;
mod json_output;
mod leaks;
mod live;
mod lock_attacks;
mod node_live;
mod npm_app_live;
mod prereq;
mod project;
mod project_writes;
mod pty;
mod pypi_app_live;
mod run;
mod run_live;
mod runtimes;
mod services;
mod services_enter;
mod services_live;
mod services_shipped;
mod services_state;
mod shells;
mod sources;
mod store_files;
mod team_cache;
mod tools;
mod trust;
mod trust_attacks;
mod trust_large;
mod upstream;
mod upstream_selftest;
mod validate;
mod venv;
