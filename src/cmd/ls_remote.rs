//! `den ls-remote tool [prefix]`: the versions the tool's source offers for this machine,
//! oldest first, one per line on stdout, asking the upstream what it has now. A tool of
//! the project's den.toml uses its `source`/`url` there; any other must be in the catalog.

use std::path::PathBuf;
use std::process::ExitCode;

use crate::cli::LsRemoteArgs;
use crate::error::Result;
use crate::project::{self, Location, ToolRequest};
use crate::tools;

use super::Ctx;
use super::toolset;

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
    let versions = toolset::fresh_resolver(ctx, project.as_ref()).versions(&req)?;
    let prefix = args.prefix.as_deref().unwrap_or("");
    let mut out = String::new();
    for version in versions.iter().map(|v| v.bare()).filter(|v| has_prefix(v, prefix)) {
        out.push_str(version);
        out.push('\n');
    }
    print!("{out}");
    Ok(ExitCode::SUCCESS)
}

/// Whether `version` starts with `prefix` at a component boundary: `1.7` takes `1.7.1`,
/// not `1.70.0`.
fn has_prefix(version: &str, prefix: &str) -> bool {
    let prefix = prefix.trim_start_matches('v');
    match version.strip_prefix(prefix) {
        Some(rest) => {
            prefix.is_empty()
                || !prefix.ends_with(|c: char| c.is_ascii_digit())
                || !rest.starts_with(|c: char| c.is_ascii_digit())
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::has_prefix;

    #[test]
    fn prefixes_stop_at_component_boundaries() {
        assert!(has_prefix("1.7.1", "1.7"));
        assert!(has_prefix("1.7.1", "1.7."));
        assert!(has_prefix("1.7.1", "v1"));
        assert!(has_prefix("1.7.1", ""));
        assert!(has_prefix("1.7.1", "1.7.1"));
        assert!(!has_prefix("1.70.0", "1.7"));
        assert!(!has_prefix("21.0.0", "2"));
        assert!(has_prefix("18.4.0-beta.17", "18.4.0-"));
    }
}
