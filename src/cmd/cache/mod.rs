//! `den cache ls | dir | verify [--repair] | prune | push | export | import`: looking
//! after the shared store and sharing it. The lists go to stdout (one line per tool),
//! reports of what was done to stderr. `ls`, `verify` and `prune` first remove what
//! killed dens left (`Store::remove_leftovers`), so nothing half-done is ever listed.
//! Never touches a project's files; the store-side work is in `store::gc`, reinstalling
//! in `tools::reinstall`; the listings are `report`'s, the sharing subcommands `share`'s.

mod report;
mod share;

use std::process::ExitCode;

use crate::catalog::Platform;
use crate::cli::CacheCommand;
use crate::cmd::Ctx;
use crate::error::Result;
use crate::store::{self, Store, gc};
use crate::{paths, tools, ui};

/// Runs one `den cache` subcommand on the store in den's data directory.
pub fn run(ctx: &Ctx, command: CacheCommand) -> Result<ExitCode> {
    let store = Store::new(paths::data_dir());
    match command {
        CacheCommand::Dir => println!("{}", store.root().display()),
        CacheCommand::Ls { json } => report::ls(swept(&store), json)?,
        CacheCommand::Verify { repair } => verify(ctx, swept(&store), repair)?,
        CacheCommand::Prune { older_than, dry_run } => report::prune(swept(&store), older_than, dry_run)?,
        CacheCommand::Push { target, all } => share::push(ctx, &target, all)?,
        CacheCommand::Export { file, all } => share::export(ctx, &file, all)?,
        CacheCommand::Import { file } => share::import(ctx, &file)?,
    }
    Ok(ExitCode::SUCCESS)
}

/// The store, once what killed dens left is removed.
fn swept(store: &Store) -> &Store {
    for removed in store.remove_leftovers() {
        ui::note(&format!("removed {removed}, left by a den that was stopped"));
    }
    store
}

/// Re-hashes every installed tool; with `repair`, installs each changed one again from
/// the den.lock of a known project that pins it, or removes it when none does (a later
/// `den install` or `den run` fetches it again). Fails while any changed tool remains.
fn verify(ctx: &Ctx, store: &Store, repair: bool) -> Result<()> {
    let mut changed = Vec::new();
    for gc::Checked { tool, problems } in gc::verify(store)? {
        match problems {
            None => println!("{}: not checked (installed without a file list)", tool.label()),
            Some(p) if p.is_empty() => println!("{}: ok", tool.label()),
            Some(p) => {
                println!("{}: changed ({})", tool.label(), store.tool_dir(&tool.key).display());
                for problem in p {
                    println!("  {problem}");
                }
                changed.push(tool);
            }
        }
    }
    if !repair {
        return match changed.is_empty() {
            true => Ok(()),
            false => Err(store::Error::Changed { tools: changed.iter().map(|t| t.label()).collect() }.into()),
        };
    }
    let platform = Platform::current().ok_or(tools::Error::UnsupportedPlatform)?;
    for tool in changed {
        match tools::pins::pinned_by(store, &tool.key, platform)? {
            Some(resolved) => {
                tools::reinstall(&resolved, &ctx.config, ctx.offline)?;
                ui::note(&format!("repaired {}: installed again from its source", tool.label()));
            }
            None => {
                store.remove(&tool.key)?;
                ui::note(&format!(
                    "removed {}: no known project's den.lock pins it; `den install` or `den run` fetches it again",
                    tool.label()
                ));
            }
        }
    }
    Ok(())
}
