//! `den outdated`: for every tool of the project, the locked version, the newest its
//! den.toml spec accepts (what `den upgrade` would lock) and the newest of all, as a table
//! on stdout, asking the upstreams what is newest now. Changes nothing. A tool whose
//! upstream cannot be asked gets `?` and a warning, and the exit status is 1; a URL tool
//! without a version list gets `-`. With `--exit-code` (for CI) the status is also 1 when a
//! tool is outdated: not locked, or its locked version is not the newest its spec accepts or
//! the newest of all.

use std::process::ExitCode;

use crate::cli::OutdatedArgs;
use crate::error::Result;
use crate::project::ToolRequest;
use crate::resolve::Resolver;
use crate::resolve::lock::{DEN_LOCK, Lock};
use crate::{tools, ui};

use super::Ctx;
use super::table::{self, row};
use super::toolset;

/// Prints what an upgrade would change.
pub fn run(ctx: &Ctx, args: &OutdatedArgs) -> Result<ExitCode> {
    let project = toolset::project(ctx)?;
    let lock = Lock::read(&project.root.join(DEN_LOCK))?.unwrap_or_default();
    let resolver = toolset::fresh_resolver(ctx, Some(&project));
    let mut rows = vec![row(&["TOOL", "SPEC", "LOCKED", "WANTED", "LATEST"])];
    let mut failed = false;
    let mut outdated = false;
    for req in project.manifest.tools.values() {
        let locked =
            lock.tools.get(&req.name).filter(|r| tools::locked_for(req, r)).map(|r| r.version.clone());
        let latest_req = ToolRequest { version: "latest".into(), ..req.clone() };
        let wanted = newest(&resolver, req, &mut failed);
        let latest = newest(&resolver, &latest_req, &mut failed);
        let locked = locked.unwrap_or_else(|| "-".into());
        // `-` as WANTED/LATEST: nothing to compare with; `?`: already a failure.
        outdated |= locked == "-"
            || [&wanted, &latest].iter().any(|v| !["-", "?"].contains(&v.as_str()) && **v != locked);
        rows.push(row(&[&req.name, &req.version, &locked, &wanted, &latest]));
    }
    print!("{}", table::render(&rows));
    Ok(if failed || (args.exit_code && outdated) { ExitCode::FAILURE } else { ExitCode::SUCCESS })
}

/// The newest version `req` accepts; `-` for a URL tool with no version list (nothing to
/// compare with), `?` after a warning when the upstream could not say.
fn newest(resolver: &Resolver, req: &ToolRequest, failed: &mut bool) -> String {
    match resolver.latest_matching(req) {
        Ok(v) => v.bare().to_string(),
        Err(crate::resolve::Error::NeedsExact { .. }) => "-".into(),
        Err(e) => {
            *failed = true;
            ui::warn(&format!("{}: {e}", req.name));
            "?".into()
        }
    }
}
