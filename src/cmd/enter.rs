//! `den enter [dir] [--pure]`: the user's `$SHELL` with the project's environment, as an
//! ephemeral session. The shell reads its rc files as usual; `__DEN_STATE` tells an
//! installed hook that the environment is already applied. On exit the session's
//! temporary directory and its record are removed and the shell's exit code is returned.
//! `[enter].services` are started through the project's supervisor for the session's
//! lifetime: they stop when the last session of the project has ended.

use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::cli::EnterArgs;
use crate::env::{self, Vars};
use crate::error::Result;
use crate::io_error::IoError;
use crate::launch::prepare::{self, Tools};
use crate::launch::{self, Environment, session};
use crate::project;
use crate::{trust, ui};

use super::Ctx;

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

/// Starts the shell and returns its exit code.
pub fn run(ctx: &Ctx, args: EnterArgs) -> Result<ExitCode> {
    let dir = args.dir.as_deref().map_or_else(|| ctx.cwd.clone(), |d| ctx.cwd.join(d));
    let project = project::find(&dir)?.ok_or_else(|| project::Error::NotFound { dir: dir.clone() })?;
    let how =
        if args.trust { trust::How::Assume { action: "enter" } } else { trust::How::Ask { action: "enter" } };
    trust::gate(&project, how)?;
    let context = launch::Context { cwd: &ctx.cwd, config: &ctx.config, offline: ctx.offline };
    let shape: fn(Vars) -> Vars = if args.pure { pure } else { std::convert::identity };
    let prepared = prepare::prepare(&context, Some(&project), Tools::Project, shape)?;

    let session = session::Session::open(&project.root)?;
    if let Err(e) = super::up::enter_services(ctx, &project) {
        session.close();
        return Err(e);
    }
    let shell = user_shell(&prepared.current);
    let environment = if args.pure { Environment::Only(&prepared.next) } else { prepared.moved() };
    let mut cmd = launch::command(&shell, environment, if dir.is_dir() { &dir } else { &project.root });
    ui::note(&format!("entering {} ({}); `exit` to leave", project.root.display(), shell.display()));
    let status = {
        let _quiet = session::IgnoreInterrupts::new();
        cmd.status().map_err(IoError::at("start", &shell))?
    };
    session.close();
    env::release(&prepared.next);
    let code = status.code().or_else(|| status.signal().map(|s| 128 + s)).unwrap_or(1);
    Ok(ExitCode::from(u8::try_from(code).unwrap_or(1)))
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
