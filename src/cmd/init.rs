//! `den init [dir]`: writes a short, commented `den.toml` importing the tools of the
//! directory's foreign files (`.tool-versions`, `.nvmrc`, ...), and says on stderr what
//! came from where and what to do next. Never overwrites an existing `den.toml` and never
//! looks in parent directories: it initialises exactly the directory it is given.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use super::Ctx;
use crate::cli::InitArgs;
use crate::error::Result;
use crate::project::Error;
use crate::project::discover::DEN_TOML;
use crate::project::foreign::{self, Foreign};
use crate::ui;

/// Writes `<dir>/den.toml`.
pub fn run(ctx: &Ctx, args: InitArgs) -> Result<ExitCode> {
    let dir = args.dir.map_or_else(|| ctx.cwd.clone(), |d| ctx.cwd.join(d));
    let path = dir.join(DEN_TOML);
    if path.exists() {
        return Err(Error::Exists { path }.into());
    }
    let mut found = foreign::read(&dir)?;
    if let Some(found) = &mut found {
        leave_out_refused(found);
    }
    let text = render(found.as_ref());
    // Every byte is den's, so the new file starts trusted (spec §8: den's own edits keep
    // trust); the user's later edits need `den trust` as usual.
    crate::trust::retrust_after_own_edit(&path, text.as_bytes())?;
    let mut file = std::fs::OpenOptions::new().write(true).create_new(true).open(&path).map_err(
        |source| match source.kind() {
            std::io::ErrorKind::AlreadyExists => Error::Exists { path: path.clone() },
            _ => Error::Write { path: path.clone(), source },
        },
    )?;
    file.write_all(text.as_bytes()).map_err(|source| Error::Write { path: path.clone(), source })?;
    if let Some(found) = &found {
        report(found);
    }
    ui::note(&format!("wrote {} (trusted: den wrote it)", path.display()));
    ui::note("next: edit it to add tools and variables, then run `den trust` to apply your edits");
    Ok(ExitCode::SUCCESS)
}

/// One line per foreign file saying what came from it, and one warning per skipped entry.
fn report(found: &Foreign) {
    for file in &found.files {
        let name = file_name(file);
        let tools: Vec<_> = found
            .manifest
            .tools
            .values()
            .filter(|t| &t.at.file == file)
            .map(|t| format!("{} {}", t.name, t.version))
            .collect();
        if tools.is_empty() {
            ui::note(&format!("nothing imported from {name}"));
        } else {
            ui::note(&format!("imported {} from {name}", tools.join(", ")));
        }
    }
    for skipped in &found.skipped {
        ui::warn(&format!("skipped {skipped}"));
    }
}

/// Takes out the tools den.toml would refuse (`terraform-docs` from a `.tool-versions`:
/// den has no such tool), each with a skipped line saying why: the den.toml den writes
/// must be one den reads.
fn leave_out_refused(found: &mut Foreign) {
    let mut skipped = Vec::new();
    found.manifest.tools.retain(|_, t| match crate::project::parse::refused_tool(&t.name, &t.version) {
        Some(why) => {
            skipped.push(format!("`{} {}` in {}: {why}", t.name, t.version, file_name(&t.at.file)));
            false
        }
        None => true,
    });
    found.skipped.extend(skipped);
}

fn file_name(path: &Path) -> String {
    path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
}

/// The text of the new den.toml.
fn render(found: Option<&Foreign>) -> String {
    let mut out = String::from(
        "# den.toml: this project's development environment (see `den --help`).\n\n\
         # Tools and version specs: \"22\" (newest 22.x.y), \"22.11.0\" (exact), \"latest\", \"lts\".\n[tools]\n",
    );
    let tools = found.map(|f| f.manifest.tools.values().collect::<Vec<_>>()).unwrap_or_default();
    if tools.is_empty() {
        out.push_str("# node = \"22\"\n");
    }
    for t in tools {
        let key = if t.name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') {
            t.name.clone()
        } else {
            quote(&t.name)
        };
        out.push_str(&format!("{key} = {} # from {}\n", quote(&t.version), file_name(&t.at.file)));
    }
    out.push_str(
        "\n# Environment variables, set while you work in this project.\n[env]\n\
         # RUST_LOG = \"debug\"\n# PATH = { prepend = [\"bin\"] }\n\n\
         # Services for `den up` (a database, a dev server, ...).\n\
         # [services.postgres]\n# preset = \"postgres\"\n# version = \"16\"\n",
    );
    out
}

/// A TOML basic string.
fn quote(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::project::{self, Location, ToolRequest};

    fn tool(name: &str, version: &str, file: &str) -> ToolRequest {
        ToolRequest {
            name: name.into(),
            version: version.into(),
            source: None,
            url: None,
            sha256: None,
            bin: Vec::new(),
            at: Location { file: file.into(), line: 1 },
        }
    }

    #[test]
    fn written_file_parses_with_the_den_toml_parser() {
        let mut found = Foreign::default();
        for t in [tool("node", "22.1.0", "/p/.tool-versions"), tool("x.y", "1 \"q\"", "/p/mise.toml")] {
            found.manifest.tools.insert(t.name.clone(), t);
        }
        let text = render(Some(&found));
        assert!(
            text.contains("node = \"22.1.0\" # from .tool-versions\n\"x.y\" = '1 \"q\"' # from mise.toml\n"),
            "{text}"
        );
        // den.toml refuses tools and specs it cannot know: parse what a valid import writes.
        found.manifest.tools.shift_remove("x.y");
        found.manifest.tools.insert("jq".into(), tool("jq", "1.7", "/p/mise.toml"));
        let text = render(Some(&found));
        let m = project::parse::manifest(Path::new("den.toml"), &text).unwrap();
        assert_eq!(m.tools["node"].version, "22.1.0");
        assert_eq!(m.tools["jq"].version, "1.7");
        let empty = project::parse::manifest(Path::new("den.toml"), &render(None)).unwrap();
        assert!(empty.tools.is_empty() && empty.env.is_empty() && empty.services.is_empty());
    }
}
