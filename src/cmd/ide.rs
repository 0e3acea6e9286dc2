//! `den ide [editor] [dir]`: the project's editor started on its root with the project's
//! environment, detached from the terminal (`ide::open`). `--shims` only writes the shims,
//! `--desktop` writes (or `--remove`s) the desktop entry that runs `den ide` for this
//! project and editor (`ide::menu`), `--list` lists them. `den __shim <root> <bin>` is what
//! a shim runs (`ide::shim`).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::cli::{IdeArgs, ShimArgs};
use crate::error::{Error, Report, Result};
use crate::ide::{self, Request};
use crate::launch::Context;
use crate::ui;

use super::Ctx;

pub fn run(ctx: &Ctx, args: IdeArgs) -> Result<ExitCode> {
    if args.list {
        let found = ide::desktop::list(&ide::desktop::applications_dir()?);
        for (path, exec) in &found {
            println!("{}\t{exec}", path.display());
        }
        if found.is_empty() {
            ui::note("no desktop launchers written by den (`den ide --desktop <editor>` writes one)");
        }
        return Ok(ExitCode::SUCCESS);
    }
    // `den ide ./proj` (or `.`): a path is never an editor name.
    let (name, dir) = match (args.editor, args.dir) {
        (Some(e), None) if e.contains('/') || e == "." || e == ".." => (None, Some(PathBuf::from(e))),
        (e, d) => (e, d),
    };
    let dir = dir.map_or_else(|| ctx.cwd.clone(), |d| ctx.cwd.join(d));
    let req = Request {
        ctx: Context { cwd: &ctx.cwd, config: &ctx.config, offline: ctx.offline },
        dir: &dir,
        editor: name.as_deref(),
        trust: args.trust,
    };
    let done = if args.desktop && args.remove {
        ide::menu::remove::<Error>(&req)
    } else if args.desktop {
        ide::menu::add(&req)
    } else if args.shims {
        ide::open::shims_only(&req)
    } else {
        ide::open::open(&req, args.shared, |project| {
            crate::services::enter_services(&ctx.services(), project).map_err(crate::error::Error::from)
        })
    };
    done.inspect_err(|e| ide::notify::failed(&req, &text(e)))?;
    Ok(ExitCode::SUCCESS)
}

/// `err` as den prints it (message, causes, `help:` lines), for a desktop notification.
fn text(err: &Error) -> String {
    let report = Report::of(err);
    let lines = std::iter::once(report.message.clone())
        .chain(report.causes.iter().cloned())
        .chain(report.hints.iter().map(|h| format!("help: {h}")));
    lines.collect::<Vec<_>>().join("\n")
}

/// `den __shim <root> <bin> [args…]`: see `ide::shim`; returns only on failure.
pub fn shim(ctx: &Ctx, args: ShimArgs) -> Result<ExitCode> {
    let context = Context { cwd: &ctx.cwd, config: &ctx.config, offline: ctx.offline };
    Err(ide::shim::run(&context, Path::new(&args.root), &args.bin, &args.args).into())
}
