//! `den lock --platform linux-arm64,darwin-arm64`: den.lock also pins those platforms'
//! artifacts (at the versions already locked), so a team on mixed machines shares one
//! lock. Only this machine's artifacts are installed; the others are resolved, not
//! downloaded.

use std::process::ExitCode;
use std::str::FromStr;

use crate::catalog::Platform;
use crate::cli::LockArgs;
use crate::error::Result;
use crate::tools::toolset::Error;
use crate::{project, tools, ui};

use super::Ctx;

/// Resolves the project's tools for the platforms and writes den.lock.
pub fn run(ctx: &Ctx, args: LockArgs) -> Result<ExitCode> {
    let platforms = args
        .platform
        .iter()
        .map(|p| p.trim())
        .filter(|p| !p.is_empty())
        .map(|p| {
            Platform::from_str(p).map_err(|_| Error::BadPlatform {
                value: p.to_string(),
                known: Platform::ALL.iter().map(Platform::to_string).collect(),
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let project = project::require(&ctx.cwd)?;
    let opts =
        tools::Options { offline: ctx.offline, platforms: platforms.clone(), ..tools::Options::default() };
    let summary = tools::sync(&project, &ctx.config, &opts)?;
    if !platforms.is_empty() {
        let names: Vec<String> = platforms.iter().map(Platform::to_string).collect();
        let state = if summary.lock_written { "now pins" } else { "already pinned" };
        ui::note(&format!("den.lock {state} {} for every tool", names.join(", ")));
    }
    Ok(ExitCode::SUCCESS)
}
