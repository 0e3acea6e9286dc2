//! `den __shim <root> <bin> [args…]`, what a shim in `.den/bin/` runs: `bin` of the project
//! at `root`, in the working directory, with the project's environment. Refuses an
//! untrusted project (a shim has no one to ask). Looks `bin` up in the project's venv's
//! `bin` first (made on the way when den.toml names one: `python` runs the venv's
//! interpreter, never another; a venv den does not vouch for is never run, with one line
//! saying why), then among the tools' directories and the system tools' binaries only, so
//! that a shim never runs itself.

use std::convert::Infallible;
use std::ffi::OsString;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};

use crate::launch::oneoff::{self, Error};
use crate::launch::prepare::{self, Tools};
use crate::launch::{self, Context};
use crate::{env, project, trust};

/// Execs `bin` of the project at `root` with `args`; returns only on failure.
pub fn run(ctx: &Context, root: &Path, bin: &str, args: &[OsString]) -> Error {
    match exec(ctx, root, bin, args) {
        Ok(never) => match never {},
        Err(e) => e,
    }
}

fn exec(ctx: &Context, root: &Path, bin: &str, args: &[OsString]) -> Result<Infallible, Error> {
    let project = project::find(root)?.ok_or_else(|| project::Error::NotFound { dir: root.to_path_buf() })?;
    trust::gate(&project, trust::How::Require)?;
    let prepared = prepare::prepare(ctx, Some(&project), Tools::Project, std::convert::identity)?;
    let installed = &prepared.tools.project;
    let mut places: Vec<PathBuf> =
        env::venv::layer(&project).map(|v| v.dir.join("bin")).into_iter().collect();
    places.extend(prepared.dirs.iter().cloned());
    let from_system =
        || installed.iter().flat_map(|t| &t.bins).find(|b| b.file_name().is_some_and(|n| n == bin)).cloned();
    let Some(program) =
        oneoff::lookup(bin, Some(&env::path_with(&places, None)), Path::new("/")).or_else(from_system)
    else {
        return Err(Error::CommandNotFound {
            command: bin.to_string(),
            provided: oneoff::provided(installed),
        });
    };
    let mut cmd = launch::command(&program, prepared.moved(), ctx.cwd);
    cmd.arg0(bin).args(args);
    Err(Error::Exec { command: program, source: launch::exec(cmd) })
}
