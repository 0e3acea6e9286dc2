//! `den ls-remote tool [prefix]`: the versions the tool's source offers for this machine,
//! oldest first, one per line on stdout, asking the upstream what it has now. A tool of
//! the project's den.toml uses its `source`/`url` there; any other must be in the catalog.

use std::path::PathBuf;
use std::process::ExitCode;

use crate::cli::LsRemoteArgs;
use crate::error::Result;
use crate::project::{self, Location, ToolRequest};
use crate::resolve::Resolver;
use crate::tools;

use super::Ctx;

/// Lists the tool's versions.
pub fn run(ctx: &Ctx, args: LsRemoteArgs) -> Result<ExitCode> {
    let project = project::find(&ctx.cwd)?;
    // A `source = "system"` tool has no version list: what den could install is listed.
    let from_project = project.as_ref().and_then(|p| p.manifest.tools.get(&args.tool));
    let req = from_project.filter(|r| !tools::system::is_system(r)).cloned().unwrap_or_else(|| ToolRequest {
        name: args.tool.clone(),
        version: "latest".into(),
        source: None,
        url: None,
        sha256: None,
        bin: Vec::new(),
        at: Location { file: PathBuf::new(), line: 0 },
    });
    let root = project.as_ref().map(|p| p.root.as_path());
    let versions = Resolver::fresh(&ctx.config, ctx.offline, root).versions(&req)?;
    let prefix = args.prefix.as_deref().unwrap_or("");
    let mut out = String::new();
    for version in versions.iter().filter(|v| v.has_prefix(prefix)) {
        out.push_str(version.bare());
        out.push('\n');
    }
    print!("{out}");
    Ok(ExitCode::SUCCESS)
}
