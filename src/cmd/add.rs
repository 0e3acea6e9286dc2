//! `den add tool@spec [...]`: puts the tools in den.toml (keeping its comments, layout and
//! trust), installs them and writes den.lock. All or nothing: when installing fails,
//! den.toml is put back as it was (still trusted if it was) and den.lock is not written.
//!
//! A tool added without a version (`den add biome`) is installed at its newest, then
//! den.toml gets that version's major line (`edit::pin_of`: `"2"`, `"0.6"`), never
//! `"latest"`, and den.lock records that spec: the project stays on what the user got.

use std::process::ExitCode;

use crate::cli::ToolsArgs;
use crate::error::Result;
use crate::project;
use crate::resolve::lock::{DEN_LOCK, Lock};
use crate::tools;
use crate::tools::edit;

use super::Ctx;
use crate::tools::toolset::Error;

/// Adds the tools and installs them.
pub fn run(ctx: &Ctx, args: ToolsArgs) -> Result<ExitCode> {
    // A bad argument (its form or its spec) is a usage error (exit 2), found before den.toml
    // is touched.
    let parsed = args.tools.iter().map(|a| edit::parse_arg(a)).collect::<Result<Vec<_>, _>>()?;
    let (project, file) = crate::project::require_den_toml(&ctx.cwd)?;
    let before =
        std::fs::read(&file).map_err(|source| project::Error::Read { path: file.clone(), source })?;
    edit::add(&file, &parsed)?;
    let installed = project::load(&project.root).map_err(crate::error::Error::from).and_then(|project| {
        let opts = tools::Options { offline: ctx.offline, ..tools::Options::default() };
        tools::sync(&project, &ctx.config, &opts).map_err(|e| Error::NotAdded { source: Box::new(e) }.into())
    });
    if let Err(e) = installed {
        crate::trust::write_own_edit(&file, &before)?;
        return Err(e);
    }
    pin_unversioned(&project.root, &file, &parsed)?;
    let project = project::load(&project.root)?;
    tools::venv::after_install(&project, &ctx.config)?;
    crate::ide::shims::refresh(&project, &ctx.config);
    Ok(ExitCode::SUCCESS)
}

/// Writes the major line of the installed version for each tool added without a version,
/// in den.toml and as the spec den.lock records (the locked version stays).
fn pin_unversioned(root: &std::path::Path, file: &std::path::Path, parsed: &[edit::ToolArg]) -> Result<()> {
    let lock_path = root.join(DEN_LOCK);
    let Some(mut lock) = Lock::read(&lock_path)? else { return Ok(()) };
    let mut pins = Vec::new();
    for arg in parsed.iter().filter(|a| !a.spec_given) {
        let Some(entry) = lock.tools.get_mut(&arg.name) else { continue };
        let Some(spec) = edit::pin_of(&entry.version) else { continue };
        entry.spec.clone_from(&spec);
        pins.push(edit::ToolArg { spec, ..arg.clone() });
    }
    if pins.is_empty() {
        return Ok(());
    }
    edit::add(file, &pins)?;
    lock.write(&lock_path)?;
    Ok(())
}
