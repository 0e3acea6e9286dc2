//! `den remove tool [...]`: takes the tools out of den.toml (keeping its comments, layout
//! and trust) and out of den.lock. Never deletes from the store: other projects may use the
//! same artifacts, and `den cache prune` removes what none uses.

use std::process::ExitCode;

use crate::cli::ToolsArgs;
use crate::error::Result;
use crate::project;
use crate::resolve::lock::{DEN_LOCK, Lock};
use crate::tools::edit;
use crate::ui;

use super::Ctx;

/// Removes the tools from den.toml and den.lock.
pub fn run(ctx: &Ctx, args: ToolsArgs) -> Result<ExitCode> {
    let (project, file) = crate::project::require_den_toml(&ctx.cwd)?;
    edit::remove(&file, &args.tools)?;
    let project = project::load(&project.root)?;
    let lock_path = project.root.join(DEN_LOCK);
    if let Some(mut lock) = Lock::read(&lock_path)? {
        lock.retain_requested(&project.manifest.tools);
        lock.write(&lock_path)?;
    }
    ui::note(&format!(
        "removed {} from den.toml and den.lock; the store keeps its files until `den cache prune`",
        args.tools.join(", ")
    ));
    crate::ide::shims::refresh(&project, &ctx.config);
    Ok(ExitCode::SUCCESS)
}
