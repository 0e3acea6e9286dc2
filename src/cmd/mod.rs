//! One module per subcommand, each with `pub fn run(ctx, args) -> Result<ExitCode>`.
//! This file routes, and holds the little the commands share (`Ctx`, `print`, `load`);
//! a command never imports another command (`tests/it/architecture.rs` checks it): what
//! two commands need is a function of the layer it belongs to.

mod add;
mod cache;
mod complete;
mod completions;
mod doctor;
mod down;
mod enter;
mod explain;
mod export;
mod hook;
mod ide;
mod init;
mod install;
mod lock;
mod logs;
mod ls;
mod ls_remote;
mod outdated;
mod ps;
mod remove;
mod restart;
mod run;
mod search;
mod trust;
mod untrust;
mod up;
mod upgrade;
mod which;
mod x;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::cli::{Cli, Command};
use crate::env::{self, Outer, Target};
use crate::error::Result;
use crate::io_error::IoError;
use crate::{env_vars, project, tools, ui};

/// What every command gets besides its own arguments.
#[derive(Debug, Clone)]
pub struct Ctx {
    /// The directory den acts in (`-C` or the working directory).
    pub cwd: PathBuf,
    /// `--offline`, `DEN_OFFLINE=1` or `offline = true` in the user config.
    pub offline: bool,
    /// The user config (defaults when there is none).
    pub config: crate::config::Config,
}

impl Ctx {
    /// What the services' front ends (`services::up`, …) are handed.
    pub fn services(&self) -> crate::services::Context<'_> {
        crate::services::Context { cwd: &self.cwd, config: &self.config, offline: self.offline }
    }

    /// The directory a command given `dir` acts on: `dir` (relative to `-C`) or `-C` itself.
    pub fn dir(&self, dir: Option<&Path>) -> PathBuf {
        dir.map_or_else(|| self.cwd.clone(), |d| self.cwd.join(d))
    }
}

/// Writes `text` to stdout; a closed pipe is not an error worth reporting.
pub fn print(text: &str) -> Result<()> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(IoError::named("write to", "stdout", e).into())
        }
        _ => Ok(()),
    }
}

/// A project's computed environment and the outer one it was computed against
/// (`den export`, `den explain`).
pub struct Loaded {
    pub outer: Outer,
    pub target: Target,
}

/// Finds the project around `ctx.cwd` (an error with `den init` as help when there is
/// none) and computes its environment against this process's environment with any
/// project already applied there taken off (the same builder as the hook, enter and run).
/// Refuses an untrusted project (`command` secrets would run); installs nothing.
pub fn load(ctx: &Ctx) -> Result<Loaded> {
    let project = project::require(&ctx.cwd)?;
    let trusted = crate::trust::gate(&project, crate::trust::How::Require)?;
    let (installed, missing) = tools::locate(&project, &ctx.config)?;
    if !missing.is_empty() {
        ui::warn(&tools::missing_line(&missing));
    }
    let base = env::Base::of(env::snapshot());
    let dirs = tools::path_dirs(&installed);
    let homes = tools::home_vars(&installed);
    let target = base.target(&project, &env::Layers::of(&project, &dirs, &homes, trusted)?)?;
    Ok(Loaded { outer: base.outer(), target })
}

/// Routes a parsed command line to its command.
pub fn dispatch(cli: Cli) -> Result<ExitCode> {
    // den's helper programs run with the environment outside any project the shell applied.
    crate::helper_env::provide(crate::env::for_helpers);
    let cwd = match cli.directory {
        Some(dir) => std::path::absolute(&dir).map_err(IoError::at("use", &dir))?,
        None => std::env::current_dir().map_err(|e| IoError::named("read", "the working directory", e))?,
    };
    // A broken config is reported by every command (but `hook` and the completions, which
    // only print a script or names),
    // so that a typo in it never goes unnoticed.
    let config = match cli.command {
        Command::Hook(_) | Command::Completions(_) | Command::Complete(_) | Command::Forget(_) => {
            crate::config::Config::default()
        }
        _ => crate::config::load()?,
    };
    let offline = cli.offline
        || config.offline
        || std::env::var(env_vars::DEN_OFFLINE).is_ok_and(|v| v == "1" || v == "true");
    let ctx = Ctx { cwd, offline, config };
    match cli.command {
        Command::Enter(args) => enter::run(&ctx, args),
        Command::Hook(args) => hook::run(args),
        Command::Forget(args) => hook::forget(&args),
        Command::Export(args) => export::run(&ctx, args),
        Command::Run(args) => run::run(&ctx, args),
        Command::X(args) => x::run(&ctx, args),
        Command::Install(args) => install::run(&ctx, args),
        Command::Add(args) => add::run(&ctx, args),
        Command::Remove(args) => remove::run(&ctx, args),
        Command::Upgrade(args) => upgrade::run(&ctx, args),
        Command::Outdated(args) => outdated::run(&ctx, &args),
        Command::Lock(args) => lock::run(&ctx, args),
        Command::Ls(args) => ls::run(&ctx, args),
        Command::LsRemote(args) => ls_remote::run(&ctx, args),
        Command::Search(args) => search::run(&ctx, args),
        Command::Which(args) => which::run(&ctx, args),
        Command::Up(args) => up::run(&ctx, args),
        Command::Down(args) => down::run(&ctx, args),
        Command::Ps(args) => ps::run(&ctx, args),
        Command::Logs(args) => logs::run(&ctx, args),
        Command::Restart(args) => restart::run(&ctx, args),
        Command::Supervise(args) => up::supervise(&ctx, args),
        Command::Ide(args) => ide::run(&ctx, args),
        Command::Shim(args) => ide::shim(&ctx, args),
        Command::Trust(args) => trust::run(&ctx, args),
        Command::Untrust(args) => untrust::run(&ctx, args),
        Command::Init(args) => init::run(&ctx, args),
        Command::Explain(args) => explain::run(&ctx, args),
        Command::Cache(cmd) => cache::run(&ctx, cmd),
        Command::Doctor(args) => doctor::run(&ctx, args),
        Command::Completions(args) => completions::run(args),
        Command::Complete(args) => complete::run(&ctx, args),
    }
}
