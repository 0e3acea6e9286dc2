//! `den doctor`: what could stop den from working here, each finding one line with its
//! fix. The checks: the shell hook (in the user's shell rc files, and active in this
//! shell), the project (trusted, or what changed; its tools installed; nothing on PATH
//! shadowing them; stale `den enter` records), the store (a quick look: receipts, file
//! lists and files present, never a re-hash), the npm/PyPI registries and `[mirrors]`
//! den would use (found by `resolve::registry`'s own discovery, probed with a short
//! timeout unless offline) and the hook's stamp files.
//!
//! Reads only, except what the env builder makes on first use (a preset service's port
//! file) when it computes the PATH a trusted project would get; reads no secret and runs
//! no secret command. Never installs, trusts, removes or starts anything: each fix is
//! said, not done.

mod local;
mod network;
mod project;
mod shell_hook;

use std::path::PathBuf;

use serde::Serialize;

use crate::config::Config;
use crate::env::Vars;

/// How a check went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Nothing to do.
    Ok,
    /// Something is wrong; `fix` says what to do (and `den doctor` exits 1).
    Fail,
    /// Worth knowing, not wrong (a check that could not run, e.g. offline).
    Note,
}

/// One line of the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// Which check: `hook`, `hook-active`, `trust`, `tools`, `shadow`, `sessions`, `store`,
    /// `registry`, `mirror`, `stamps`.
    pub check: &'static str,
    pub status: Status,
    pub message: String,
    /// What to do about it (`None` when nothing needs doing).
    pub fix: Option<String>,
}

impl Finding {
    fn ok(check: &'static str, message: impl Into<String>) -> Finding {
        Finding { check, status: Status::Ok, message: message.into(), fix: None }
    }

    fn fail(check: &'static str, message: impl Into<String>, fix: impl Into<String>) -> Finding {
        Finding { check, status: Status::Fail, message: message.into(), fix: Some(fix.into()) }
    }

    fn note(check: &'static str, message: impl Into<String>) -> Finding {
        Finding { check, status: Status::Note, message: message.into(), fix: None }
    }
}

/// What the checks look at.
pub struct Inputs<'a> {
    /// The directory den was asked about.
    pub cwd: PathBuf,
    pub config: &'a Config,
    /// `--offline`: no probe is made, and the report says so.
    pub offline: bool,
    /// The process environment (`env::snapshot`).
    pub vars: Vars,
}

/// Runs every check, in the order the report shows them.
pub fn run(inputs: &Inputs) -> Vec<Finding> {
    let mut out = shell_hook::installed(&inputs.vars);
    let project = project::check(inputs, &mut out);
    out.push(shell_hook::active(&inputs.vars, project.as_ref()));
    out.extend(local::store());
    out.extend(network::registries(inputs, project.as_ref().map(|p| p.root.as_path())));
    out.extend(local::stamps());
    out
}

/// `$HOME` from the environment den was started in.
fn home(vars: &Vars) -> Option<PathBuf> {
    vars.get(crate::env_vars::HOME).filter(|h| !h.is_empty()).map(PathBuf::from)
}

/// `path` with the home directory shown as `~`.
fn tilde(path: &std::path::Path, vars: &Vars) -> String {
    match home(vars).and_then(|h| path.strip_prefix(h).ok().map(std::path::Path::to_path_buf)) {
        Some(rest) => format!("~/{}", rest.display()),
        None => path.display().to_string(),
    }
}
