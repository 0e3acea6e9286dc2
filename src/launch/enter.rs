//! `den enter [dir] [--pure]`, from the project to the user's shell, in the order it
//! happens: the project passes the trust gate, [`super::prepare`] provides its tools, venv
//! and environment (`--pure`: on an almost empty one), a session is opened (its record
//! under `.den/sessions/`, its temporary directory), `[enter].services` are started for it
//! (by the caller's function: services are the caller's to start), and `$SHELL` runs with
//! the environment until it exits; then the session is closed (the services stop when the
//! project's last session has ended) and the shell's exit code is returned. The shell reads
//! its rc files as usual; `__DEN_STATE` tells an installed hook that the environment is
//! already applied.

use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};

use super::prepare::{self, Tools};
use super::session::{IgnoreInterrupts, Session};
use super::{Context, Environment, Fault};
use crate::env::{self, Vars};
use crate::io_error::IoError;
use crate::project::{self, Project};
use crate::{trust, ui};

/// What `--pure` keeps of the outer environment (spec §1.1), besides the `LC_*` family.
const PURE_KEEP: &[&str] = &[
    "HOME",
    "USER",
    "LOGNAME",
    "TERM",
    "LANG",
    "DISPLAY",
    "WAYLAND_DISPLAY",
    "XDG_RUNTIME_DIR",
    "SSH_AUTH_SOCK",
    "TMPDIR",
];

/// The PATH a pure shell starts from, before the project's tools.
const PURE_PATH: &str = "/usr/bin:/bin";

/// What `den enter` is asked.
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    pub ctx: Context<'a>,
    /// The directory to enter (it or a parent holds den.toml); the shell starts there.
    pub dir: &'a Path,
    /// `--pure`: the shell gets only the project's environment on an almost empty one.
    pub pure: bool,
    /// `--trust`: trust den.toml (and its dotenv files) without asking.
    pub trust: bool,
}

/// Runs the shell in the project's environment; its exit code (128 + the signal that
/// ended it). `start_services` starts the project's `[enter].services` for the session.
pub fn enter<E: Fault>(
    req: &Request,
    start_services: impl FnOnce(&Project) -> Result<(), E>,
) -> Result<u8, E> {
    let dir = req.dir;
    let project = project::find(dir)?.ok_or_else(|| project::Error::NotFound { dir: dir.to_path_buf() })?;
    let how =
        if req.trust { trust::How::Assume { action: "enter" } } else { trust::How::Ask { action: "enter" } };
    trust::gate(&project, how)?;
    let shape: fn(Vars) -> Vars = if req.pure { pure } else { std::convert::identity };
    let prepared = prepare::prepare(&req.ctx, Some(&project), Tools::Project, shape)?;

    let session = Session::open(&project.root)?;
    if let Err(e) = start_services(&project) {
        session.close();
        return Err(e);
    }
    let shell = user_shell(&prepared.current);
    let environment = if req.pure { Environment::Only(&prepared.next) } else { prepared.moved() };
    let mut cmd = super::command(&shell, environment, if dir.is_dir() { dir } else { &project.root });
    ui::note(&format!("entering {} ({}); `exit` to leave", project.root.display(), shell.display()));
    let status = {
        let _quiet = IgnoreInterrupts::new();
        cmd.status().map_err(IoError::at("start", &shell))?
    };
    session.close();
    env::release(&prepared.next);
    let code = status.code().or_else(|| status.signal().map(|s| 128 + s)).unwrap_or(1);
    Ok(u8::try_from(code).unwrap_or(1))
}

/// The almost empty environment `--pure` starts from, out of the one outside any project.
fn pure(outside: Vars) -> Vars {
    let mut vars: Vars = outside
        .into_iter()
        .filter(|(k, _)| PURE_KEEP.contains(&k.as_str()) || k.starts_with("LC_"))
        .collect();
    vars.insert("PATH".into(), PURE_PATH.into());
    vars
}

/// `$SHELL`, or `/bin/sh` when it is unset or empty.
fn user_shell(vars: &Vars) -> PathBuf {
    vars.get("SHELL")
        .filter(|s| !s.is_empty())
        .map_or_else(|| Path::new("/bin/sh").to_path_buf(), PathBuf::from)
}
