//! `den add tool@spec [...]`: puts the tools in den.toml (keeping its comments, layout and
//! trust), installs them and writes den.lock. All or nothing: when installing fails,
//! den.toml is put back as it was (still trusted if it was) and den.lock is not written.

use std::process::ExitCode;

use crate::cli::ToolsArgs;
use crate::error::Result;
use crate::project;
use crate::tools;
use crate::tools::edit;

use super::Ctx;
use super::toolset::{self, Error};

/// Adds the tools and installs them.
pub fn run(ctx: &Ctx, args: ToolsArgs) -> Result<ExitCode> {
    // A bad argument (its form or its spec) is a usage error (exit 2), found before den.toml
    // is touched.
    let parsed = args.tools.iter().map(|a| edit::parse_arg(a)).collect::<Result<Vec<_>, _>>()?;
    let (project, file) = toolset::den_toml(ctx)?;
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
    tools::venv::after_install(&project::load(&project.root)?, &ctx.config)?;
    super::ide::refresh_shims(&project.root, &ctx.config);
    Ok(ExitCode::SUCCESS)
}
