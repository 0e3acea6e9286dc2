//! `den upgrade [tool...]`: resolves the named tools (all when none) again within their
//! den.toml specs, asking the upstreams what is newest now, installs them and writes
//! den.lock; every other tool stays as locked. Prints one line per tool on stdout:
//! `node 22.11.0 → 22.12.0`, or `node 22.12.0 (already newest)`. Never edits den.toml.

use std::process::ExitCode;

use crate::cli::OptionalToolsArgs;
use crate::diag;
use crate::error::Result;
use crate::project::Origin;
use crate::resolve::lock::Lock;
use crate::tools;
use crate::tools::edit;

use super::Ctx;

/// Upgrades the tools within their specs.
pub fn run(ctx: &Ctx, args: OptionalToolsArgs) -> Result<ExitCode> {
    let project = crate::project::require(&ctx.cwd)?;
    let requested = &project.manifest.tools;
    for name in &args.tools {
        if !requested.contains_key(name) {
            let keys = requested.keys().map(String::as_str);
            let suggestion = diag::suggest(name, keys).map(str::to_string);
            let file = match &project.origin {
                Origin::DenToml(file) => file.clone(),
                Origin::Foreign(files) => files.first().cloned().unwrap_or_else(|| project.root.clone()),
            };
            return Err(edit::Error::Absent { tool: name.clone(), file, suggestion }.into());
        }
    }
    let names: Vec<String> = match args.tools.is_empty() {
        true => requested.keys().cloned().collect(),
        false => args.tools,
    };
    let lock_path = tools::lock_path(&project);
    let before = Lock::read(&lock_path)?.unwrap_or_default();
    let opts = tools::Options { offline: ctx.offline, upgrade: names.clone(), ..tools::Options::default() };
    tools::sync(&project, &ctx.config, &opts)?;
    tools::venv::after_install(&project, &ctx.config)?;
    let after = Lock::read(&lock_path)?.unwrap_or_default();
    let version = |lock: &Lock, name: &str| lock.tools.get(name).map(|r| r.version.clone());
    let mut out = String::new();
    for name in &names {
        let line = match (version(&before, name), version(&after, name)) {
            (Some(old), Some(new)) if old == new => format!("{name} {new} (already newest)"),
            (Some(old), Some(new)) => format!("{name} {old} → {new}"),
            (None, Some(new)) => format!("{name} → {new}"),
            (_, None) => continue,
        };
        out.push_str(&line);
        out.push('\n');
    }
    print!("{out}");
    crate::ide::shims::refresh(&project, &ctx.config);
    Ok(ExitCode::SUCCESS)
}
