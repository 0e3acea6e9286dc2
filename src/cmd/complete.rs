//! `den __complete tools|vars`: the names the completion scripts offer, one per line on
//! stdout. `tools`: the catalog's tools and the project's own (which may have a source of
//! their own); `vars`: the names of the variables the project sets (`env::names`, which
//! computes no value, so no secret is read and no command runs). Runs on every TAB: reads
//! den.toml only, never the network, and prints nothing rather than an error.

use std::collections::BTreeSet;
use std::process::ExitCode;

use crate::cli::{CompleteArgs, CompleteWhat};
use crate::error::Result;
use crate::{catalog, env, project};

use super::Ctx;
use super::print;

/// Prints the names, or nothing when there is nothing to offer.
pub fn run(ctx: &Ctx, args: CompleteArgs) -> Result<ExitCode> {
    let project = project::find(&ctx.cwd).ok().flatten();
    let names: Vec<String> = match args.what {
        CompleteWhat::Tools => {
            let mut names: BTreeSet<String> = catalog::names().map(str::to_string).collect();
            names.extend(catalog::short::index().iter().map(|(name, _)| name.clone()));
            names.extend(project.iter().flat_map(|p| p.manifest.tools.keys().cloned()));
            names.into_iter().collect()
        }
        CompleteWhat::Vars => project.as_ref().map(env::names).unwrap_or_default(),
    };
    print(&names.iter().map(|n| format!("{n}\n")).collect::<String>())?;
    Ok(ExitCode::SUCCESS)
}
