//! `den ls`: the project's tools, one per line on stdout in den.toml order, in aligned
//! columns: name, requested spec, locked version, installed (`yes`/`no`), install
//! directory. No network and no look-up: den.toml, den.lock and the store only.

use std::process::ExitCode;

use crate::error::Result;
use crate::resolve::lock::Lock;
use crate::tools;

use super::Ctx;
use super::table::{self, row};
use super::toolset;

/// Lists the project's tools.
pub fn run(ctx: &Ctx) -> Result<ExitCode> {
    let project = toolset::project(ctx)?;
    let lock = Lock::read(&tools::lock_path(&project))?.unwrap_or_default();
    let (installed, _) = tools::locate(&project, &ctx.config)?;
    let rows: Vec<Vec<String>> = project
        .manifest
        .tools
        .values()
        .map(|req| {
            let locked = lock.tools.get(&req.name).filter(|r| tools::locked_for(req, r));
            let here = installed.iter().find(|t| t.name == req.name);
            row(&[
                req.name.as_str(),
                req.version.as_str(),
                locked.map_or("-", |r| r.version.as_str()),
                if here.is_some() { "yes" } else { "no" },
                &here.map_or("-".into(), |t| t.dir.display().to_string()),
            ])
        })
        .collect();
    print!("{}", table::render(&rows));
    Ok(ExitCode::SUCCESS)
}
