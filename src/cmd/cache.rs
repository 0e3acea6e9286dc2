//! `den cache ls | dir | verify | prune`: looking after the shared store. The lists go to
//! stdout (one line per tool), reports of what was done to stderr. Never touches a
//! project's files; the store-side work is in `store::gc`.

use std::process::ExitCode;
use std::time::{Duration, SystemTime};

use crate::cli::CacheCommand;
use crate::error::Result;
use crate::store::http::human_bytes;
use crate::store::{self, Store, gc};
use crate::{paths, ui};

/// Runs one `den cache` subcommand on the store in den's data directory.
pub fn run(command: CacheCommand) -> Result<ExitCode> {
    let store = Store::new(paths::data_dir());
    match command {
        CacheCommand::Dir => println!("{}", store.root().display()),
        CacheCommand::Ls => ls(&store)?,
        CacheCommand::Verify => verify(&store)?,
        CacheCommand::Prune { older_than } => prune(&store, older_than)?,
    }
    Ok(ExitCode::SUCCESS)
}

/// `name  version  size  key`, aligned, by name and version.
fn ls(store: &Store) -> Result<()> {
    let tools = gc::installed(store)?;
    if tools.is_empty() {
        ui::note("no tools installed yet");
        return Ok(());
    }
    let rows: Vec<[String; 4]> = tools
        .iter()
        .map(|t| {
            let (name, version) = match &t.receipt {
                Some(r) => (r.name.clone(), r.version.clone()),
                None => ("?".into(), "?".into()),
            };
            [name, version, human_bytes(t.size), t.key.clone()]
        })
        .collect();
    let width = |i: usize| rows.iter().map(|r| r[i].len()).max().unwrap_or(0);
    let (w0, w1, w2) = (width(0), width(1), width(2));
    for [name, version, size, key] in rows {
        println!("{name:<w0$}  {version:<w1$}  {size:>w2$}  {key}");
    }
    Ok(())
}

fn verify(store: &Store) -> Result<()> {
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
                changed.push(tool.label());
            }
        }
    }
    if changed.is_empty() { Ok(()) } else { Err(store::Error::Changed { tools: changed }.into()) }
}

fn prune(store: &Store, older_than: u32) -> Result<()> {
    let age = Duration::from_secs(u64::from(older_than) * 86_400);
    let pruned = gc::prune(store, age, SystemTime::now())?;
    for (_, problem) in &pruned.unreadable {
        ui::warn(&format!("{problem}; the tools it pins were not kept for it"));
    }
    if pruned.removed.is_empty() {
        ui::note("nothing to remove");
        return Ok(());
    }
    for removed in &pruned.removed {
        ui::note(&format!("removed {} ({})", removed.label, human_bytes(removed.size)));
    }
    ui::note(&format!("freed {}", human_bytes(pruned.removed.iter().map(|r| r.size).sum())));
    Ok(())
}
