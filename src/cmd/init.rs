//! `den init [dir]`: writes a short, commented `den.toml` importing the directory's
//! foreign files (`mise.toml`, `.tool-versions`, `.nvmrc`, ...), and says on stderr, per
//! file, what it imported, what it dropped and why, then what to do next. Never overwrites
//! an existing `den.toml` and imports only the directory it is given; warns first when a
//! `den.toml` above already governs that directory.
//!
//! Decisions: the file names where it came from once, in a header that stays true
//! whatever later edits do (no `# from .nvmrc` beside a value an edit may change). It
//! starts trusted only when every byte is den's choice or a catalog tool's version; what
//! the repository chose beyond that (a tool's source, variables) waits for `den trust`.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use super::Ctx;
use crate::cli::InitArgs;
use crate::error::Result;
use crate::project::discover::{self, DEN_TOML, Found};
use crate::project::foreign::{self, Foreign};
use crate::project::{EnvValue, Error};
use crate::ui;

/// Writes `<dir>/den.toml`.
pub fn run(ctx: &Ctx, args: InitArgs) -> Result<ExitCode> {
    let dir = args.dir.map_or_else(|| ctx.cwd.clone(), |d| ctx.cwd.join(d));
    let path = dir.join(DEN_TOML);
    if let Some(kind) = crate::project::not_a_file(&path) {
        return Err(Error::NotAFile { path, kind }.into());
    }
    if path.exists() {
        return Err(Error::Exists { path }.into());
    }
    warn_if_nested(&dir);
    let mut found = foreign::read(&dir);
    let skipped = found.as_mut().map(leave_out_refused).unwrap_or_default();
    let text = render(found.as_ref());
    // Every byte is den's or a catalog tool's version: the new file starts trusted (spec
    // §8: den's own edits keep trust). Sources and variables the repository chose wait for
    // the user's review.
    let repository_chose = found
        .as_ref()
        .is_some_and(|f| !f.manifest.env.is_empty() || f.manifest.tools.values().any(|t| t.source.is_some()));
    if !repository_chose {
        crate::trust::retrust_after_own_edit(&path, text.as_bytes())?;
    }
    let mut file = crate::fs_util::beneath::Dir::anchor(&dir)
        .and_then(|d| d.create_new(std::ffi::OsStr::new("den.toml"), 0o644))
        .map_err(|source| match source.kind() {
            std::io::ErrorKind::AlreadyExists => Error::Exists { path: path.clone() },
            _ => Error::Write { path: path.clone(), source },
        })?;
    file.write_all(text.as_bytes()).map_err(|source| Error::Write { path: path.clone(), source })?;
    if let Some(found) = &found {
        report(found);
    }
    for line in &skipped {
        ui::warn(line);
    }
    let tools: Vec<String> = found
        .iter()
        .flat_map(|f| f.manifest.tools.values())
        .map(|t| format!("{} {}", t.name, t.version))
        .collect();
    if repository_chose {
        ui::note(&format!(
            "wrote {} (not trusted yet: it holds sources or variables the repository's files chose)",
            ui::shown_path(&path)
        ));
        ui::note("next: review it, run `den trust`, then `den install` to install its tools");
    } else {
        ui::note(&format!("wrote {} (trusted: den wrote it)", ui::shown_path(&path)));
        if tools.is_empty() {
            ui::note("next: edit it to add tools and variables, then run `den trust` to apply your edits");
        } else {
            ui::note(&format!(
                "next: run `den install` to install {}; edit it to add more, then run `den trust` to apply your edits",
                tools.join(", ")
            ));
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// One warning when a `den.toml` above `dir` governs it today: the new file makes `dir` a
/// project of its own, blind to that one.
fn warn_if_nested(dir: &Path) {
    let Some(parent) = std::path::absolute(dir).ok().and_then(|d| d.parent().map(Path::to_path_buf)) else {
        return;
    };
    if let Some(Found::DenToml(root)) = discover::discover(&parent, &discover::ceilings()) {
        ui::warn(&format!(
            "{} governs {} today; the new den.toml makes it a project of its own, which does not \
             inherit that one's tools, variables or services",
            ui::shown_path(&root.join(DEN_TOML)),
            ui::shown_path(dir)
        ));
    }
}

/// Per foreign file: one line naming what came from it, then its notes as warnings.
fn report(found: &Foreign) {
    for file in &found.files {
        let name = file_name(&file.path);
        let mut imported: Vec<String> = found
            .manifest
            .tools
            .values()
            .filter(|t| t.at.file == file.path)
            .map(|t| match &t.source {
                Some(s) => format!("{} {} (from {s})", t.name, t.version),
                None => format!("{} {}", t.name, t.version),
            })
            .collect();
        imported.extend(
            found.manifest.env.iter().filter(|e| e.at.file == file.path).map(|e| format!("${}", e.name)),
        );
        if !file.rejected {
            let what = if imported.is_empty() { "nothing".to_string() } else { imported.join(", ") };
            ui::note(&format!("{name}: imported {}", crate::diag::printable(&what)));
        }
        for note in &file.notes {
            ui::warn(&note.to_string());
        }
    }
}

/// Takes out the tools den.toml would refuse, and says for each why (the lines to print):
/// the den.toml den writes must be one den reads.
fn leave_out_refused(found: &mut Foreign) -> Vec<String> {
    let mut skipped = Vec::new();
    found.manifest.tools.retain(|_, t| {
        match crate::project::parse::refused_tool(&t.name, &t.version, t.source.as_deref()) {
            Some(why) => {
                skipped.push(format!(
                    "{}:{}: {} not imported: {why}",
                    ui::shown_path(&t.at.file),
                    t.at.line,
                    t.name
                ));
                false
            }
            None => true,
        }
    });
    skipped
}

fn file_name(path: &Path) -> String {
    path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
}

/// The text of the new den.toml.
fn render(found: Option<&Foreign>) -> String {
    let mut out = String::from("# den.toml: this project's development environment (see `den --help`).\n");
    let sources: Vec<String> =
        found.iter().flat_map(|f| &f.files).filter(|f| !f.rejected).map(|f| file_name(&f.path)).collect();
    if !sources.is_empty() {
        out.push_str(&format!(
            "# `den init` wrote it from {}; den reads those files only where there is no den.toml.\n",
            sources.join(", ")
        ));
    }
    out.push_str(
        "\n# Tools and version specs: \"22\" (newest 22.x.y), \"22.11.0\" (exact), \"latest\", \"lts\".\n[tools]\n",
    );
    let tools = found.map(|f| f.manifest.tools.values().collect::<Vec<_>>()).unwrap_or_default();
    if tools.is_empty() {
        out.push_str("# node = \"22\"\n");
    }
    for t in tools {
        let value = match &t.source {
            None => quote(&t.version),
            Some(s) => format!("{{ version = {}, source = {} }}", quote(&t.version), quote(s)),
        };
        out.push_str(&format!("{} = {value}\n", key(&t.name)));
    }
    out.push_str("\n# Environment variables, set while you work in this project.\n[env]\n");
    let env = found.map(|f| f.manifest.env.as_slice()).unwrap_or_default();
    if env.is_empty() {
        out.push_str("# RUST_LOG = \"debug\"\n# PATH = { prepend = [\"bin\"] }\n");
    }
    for e in env {
        let value = match &e.value {
            EnvValue::Set(v) => quote(v),
            EnvValue::Unset => "{ unset = true }".into(),
            // Foreign files give plain values and unsets only.
            _ => continue,
        };
        out.push_str(&format!("{} = {value}\n", key(&e.name)));
    }
    out.push_str(
        "\n# Services for `den up` (a database, a dev server, ...).\n\
         # [services.postgres]\n# preset = \"postgres\"\n# version = \"16\"\n",
    );
    out
}

/// A TOML key: bare when it can be.
fn key(name: &str) -> String {
    if !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') {
        name.to_string()
    } else {
        quote(name)
    }
}

/// A TOML basic string.
fn quote(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::project::{self, EnvEntry, Location, ToolRequest};

    fn tool(name: &str, version: &str, source: Option<&str>, file: &str) -> ToolRequest {
        ToolRequest {
            name: name.into(),
            version: version.into(),
            source: source.map(Into::into),
            url: None,
            sha256: None,
            bin: Vec::new(),
            at: Location { file: file.into(), line: 1 },
        }
    }

    #[test]
    fn written_file_parses_with_the_den_toml_parser() {
        let mut found = Foreign::default();
        for t in [
            tool("node", "22.1.0", None, "/p/.tool-versions"),
            tool("x.y", "1 \"q\"", None, "/p/mise.toml"),
            tool("prettier", "3", Some("npm:prettier"), "/p/mise.toml"),
        ] {
            found.manifest.tools.insert(t.name.clone(), t);
        }
        let at = Location { file: "/p/mise.toml".into(), line: 9 };
        found.manifest.env = vec![
            EnvEntry { name: "A".into(), value: EnvValue::Set("a$$b \"c\"".into()), at: at.clone() },
            EnvEntry { name: "B".into(), value: EnvValue::Unset, at },
        ];
        let text = render(Some(&found));
        assert!(
            text.contains(
                "node = \"22.1.0\"\n\"x.y\" = '1 \"q\"'\nprettier = { version = \"3\", source = \"npm:prettier\" }\n"
            ),
            "{text}"
        );
        assert!(text.contains("[env]\nA = 'a$$b \"c\"'\nB = { unset = true }\n"), "{text}");
        // den.toml refuses tools and specs it cannot know: parse what a valid import writes.
        found.manifest.tools.shift_remove("x.y");
        found.manifest.tools.insert("jq".into(), tool("jq", "1.7", None, "/p/mise.toml"));
        let text = render(Some(&found));
        let m = project::parse::manifest(Path::new("den.toml"), &text).unwrap();
        assert_eq!(m.tools["node"].version, "22.1.0");
        assert_eq!(m.tools["jq"].version, "1.7");
        assert_eq!(m.tools["prettier"].source.as_deref(), Some("npm:prettier"));
        assert_eq!(m.env[0].value, EnvValue::Set("a$$b \"c\"".into()));
        assert_eq!(m.env[1].value, EnvValue::Unset);
        let empty = project::parse::manifest(Path::new("den.toml"), &render(None)).unwrap();
        assert!(empty.tools.is_empty() && empty.env.is_empty() && empty.services.is_empty());
    }
}
