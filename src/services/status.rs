//! `.den/run/status.json`: what the supervisor says about each service (state, pid, port,
//! since when, restarts), rewritten atomically on every change, read by `den ps` and by
//! `den up -d` while it waits. Only meaningful while the supervisor's lease is alive.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::fs_util;

/// One service as the supervisor sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub name: String,
    /// `waiting`, `initializing`, `starting`, `ready`, `restarting`, `stopping`, `stopped`, `exited`, `failed`.
    pub state: String,
    pub pid: Option<i32>,
    pub port: Option<u16>,
    /// Unix time (seconds) the current process started.
    pub since: Option<u64>,
    pub restarts: u32,
    /// The exact command line (`den ps --verbose`): no hidden layer between den.toml and
    /// what runs.
    #[serde(default)]
    pub command: Vec<String>,
    /// The readiness check, described (`http http://127.0.0.1:3000/`).
    #[serde(default)]
    pub check: Option<String>,
}

pub const FILE: &str = "status.json";

/// Writes `status.json` into the project's `run/` (`root/.den/run`).
pub fn write(root: &Path, run: &Path, entries: &[Entry]) {
    if let Ok(json) = serde_json::to_vec_pretty(entries) {
        let _ = fs_util::beneath::write(root, &run.join(FILE), &json, 0o600);
    }
}

pub fn read(run: &Path) -> Vec<Entry> {
    std::fs::read(run.join(FILE)).ok().and_then(|b| serde_json::from_slice(&b).ok()).unwrap_or_default()
}
