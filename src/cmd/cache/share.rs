//! `den cache push <target> | export <file.tar> | import <file.tar>`: sharing artifacts
//! with a team cache or an air-gapped machine. Thin: the work is `tools::share`; reports
//! go to stderr.

use std::path::Path;

use crate::cache::Remote;
use crate::cmd::Ctx;
use crate::error::Result;
use crate::http::human_bytes;
use crate::tools::share::{self, Item};
use crate::{project, tools, ui};

/// `den cache push <target> [--all]`.
pub fn push(ctx: &Ctx, target: &str, all: bool) -> Result<()> {
    let remote = Remote::parse(target, Some(&ctx.cwd)).map_err(|reason| {
        tools::Error::from(crate::cache::Error::Unusable { cache: target.to_string(), reason })
    })?;
    let items = items(ctx, all)?;
    let shared = share::push(&items, &remote, &ctx.config, ctx.offline)?;
    ui::note(&format!(
        "pushed {} artifacts{} to {}: {} sent, {} already there",
        shared.artifacts,
        with_packages(shared.packages),
        ui::escaped(&remote.to_string()),
        human_bytes(shared.sent),
        human_bytes(shared.skipped)
    ));
    Ok(())
}

/// `den cache export <file.tar> [--all]`.
pub fn export(ctx: &Ctx, file: &Path, all: bool) -> Result<()> {
    let items = items(ctx, all)?;
    let dest = ctx.cwd.join(file);
    let shared = share::export(&items, &dest, &ctx.config, ctx.offline)?;
    ui::note(&format!(
        "exported {} artifacts{} ({}) to {}",
        shared.artifacts,
        with_packages(shared.packages),
        human_bytes(shared.sent),
        ui::shown_path(&dest)
    ));
    Ok(())
}

/// `den cache import <file.tar>`.
pub fn import(ctx: &Ctx, file: &Path) -> Result<()> {
    let imported = share::import(&ctx.cwd.join(file), &ctx.config)?;
    let already = match imported.already {
        0 => String::new(),
        n => format!(" ({n} kept already)"),
    };
    ui::note(&format!(
        "imported {} verified files ({}){already}: installs use them where den.lock or den's own \
         resolution pins their checksum (run `den install --offline` in the project)",
        imported.files,
        human_bytes(imported.bytes),
    ));
    Ok(())
}

/// The project's den.lock artifacts, or with `all` the store's.
fn items(ctx: &Ctx, all: bool) -> Result<Vec<Item>> {
    if all {
        return Ok(share::stored()?);
    }
    let project = project::require(&ctx.cwd)?;
    let items = share::locked(&project)?;
    if items.is_empty() {
        ui::warn("den.lock pins no artifacts: run `den install` (or `den lock --platform …`) first");
    }
    Ok(items)
}

/// ` and 2 bundled packages` when artifacts went with packages (node's npm), else nothing.
fn with_packages(packages: usize) -> String {
    match packages {
        0 => String::new(),
        n => format!(" and {n} bundled packages"),
    }
}
