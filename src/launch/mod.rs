//! The one way to start a program with a project's environment applied: `den enter`,
//! `den run`, `den x`, `den which`, `den ide`, the shims and the services (their processes
//! and readiness commands) go through here. [`prepare`] is the one preparation before
//! every launch (tools, venv, environment); [`command`] is the one place den builds a
//! `Command` for a program of the user's; `run` is `den run`/`den x` from arguments to
//! exec, readable in one file, and `enter` is `den enter`'s; `session` is `den enter`'s
//! record under `.den/`. The
//! environment itself comes from `env`'s one builder and trust from `trust::gate`; this
//! module never decides either, and never renders for a shell. It never imports
//! `services` or `ide`, which launch through it.

pub mod enter;
pub mod oneoff;
pub mod prepare;
pub mod run;
pub mod session;

use std::io;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::Command;

use crate::config::Config;
use crate::env::Vars;
use crate::io_error::IoError;
use crate::{project, trust};

/// What a caller's error is made from (den's `error::Error` is): a launch fails in the
/// layers it goes through, and the caller's starting of services in its own.
pub trait Fault:
    From<project::Error> + From<trust::Error> + From<prepare::Error> + From<session::Error> + From<IoError>
{
}

impl<T> Fault for T where
    T: From<project::Error>
        + From<trust::Error>
        + From<prepare::Error>
        + From<session::Error>
        + From<IoError>
{
}

/// Where and how a launch happens (what `cmd`'s context holds, without the command line).
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    /// The directory den acts in.
    pub cwd: &'a Path,
    pub config: &'a Config,
    /// `--offline`, `DEN_OFFLINE=1` or `offline = true`: nothing is downloaded.
    pub offline: bool,
}

/// How the started program's environment is made from den's own.
#[derive(Debug, Clone, Copy)]
pub enum Environment<'a> {
    /// Den's environment (`current`) moved to `next`: variables `next` lacks are removed,
    /// those it changes are set, the others are inherited as they are (including names and
    /// values that are not UTF-8, which den never reads).
    Moved { current: &'a Vars, next: &'a Vars },
    /// Exactly `next`, nothing inherited (`den enter --pure`).
    Only(&'a Vars),
}

/// A `Command` for `program` in `cwd` with `env` applied: the one place den builds one
/// for a program of the user's.
#[allow(clippy::disallowed_methods, reason = "the launch path: the one place den starts a user's program")]
pub fn command(program: &Path, env: Environment, cwd: &Path) -> Command {
    let mut cmd = Command::new(program);
    cmd.current_dir(cwd);
    match env {
        Environment::Moved { current, next } => {
            for name in current.keys().filter(|k| !next.contains_key(*k)) {
                cmd.env_remove(name);
            }
            for (name, value) in next.iter().filter(|(k, v)| current.get(*k) != Some(*v)) {
                cmd.env(name, value);
            }
        }
        Environment::Only(next) => {
            cmd.env_clear().envs(next);
        }
    }
    cmd
}

/// Replaces den with `cmd`, so that stdin, the terminal, signals and the exit status are
/// the program's own. Returns only when the exec failed.
pub fn exec(mut cmd: Command) -> io::Error {
    cmd.exec()
}
