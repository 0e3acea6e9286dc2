//! Other tools' version files, read in place of a missing `den.toml` and imported by
//! `den init`: `mise.toml` / `.mise.toml`, `.tool-versions` (asdf), `.nvmrc`,
//! `.node-version`, `.python-version`, `.go-version`, `.java-version` (jenv), `.ruby-version` (rbenv, chruby), `.sdkmanrc`, `global.json` (.NET),
//! `rust-toolchain.toml` / `rust-toolchain` (rustup)
//! (SDKMAN; java's spellings in `java`). Each file is read on its own: one den
//! cannot read (not text, a syntax error, not a version at all) is rejected with a note
//! and its siblings are still read. Every entry that is not imported, and every import that
//! is not a plain pin (a range, a floating name, an ignored fallback), gets a note naming
//! the file and line; notes are for the caller to show (`Note` displays as
//! `file:line: text`). Never writes these files, never evaluates anything in them, never
//! fails.
//!
//! Decisions: when several files name a tool, the first file in [`FILES`] wins and the
//! other gets a note saying so: mise reads all of them and lets its own file win, then
//! `.tool-versions`, then the one-tool files. Tools are the catalog's (asdf's `nodejs` and
//! `golang` are `node` and `go`; look-alikes such as `terraform-docs` are never taken for
//! another tool); a tool den has no definition of is not imported. A tool with a source
//! (mise's `npm:`, `pypi:`, `github:` backends) and `[env]` are chosen by the repository:
//! they apply only once `den init` has put them in a den.toml the user trusts
//! ([`Foreign::untrusted`] leaves them out, with a note).

mod asdf;
mod backend;
mod dotnet;
mod java;
mod mise;
mod rust;
mod single;
mod text;
mod version;

use std::path::{Path, PathBuf};

use super::{EnvEntry, Location, Manifest, ToolRequest};
use version::Kind;

/// The files, in the order they are read (an earlier file's tool wins).
pub const FILES: &[&str] = &[
    "mise.toml",
    ".mise.toml",
    ".tool-versions",
    ".nvmrc",
    ".node-version",
    ".python-version",
    ".go-version",
    ".java-version",
    ".ruby-version",
    ".sdkmanrc",
    "global.json",
    "rust-toolchain.toml",
    "rust-toolchain",
];

/// Something to tell the user about a foreign file: a 1-based line (0: the whole file).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    pub file: PathBuf,
    pub line: usize,
    /// One line; text quoted from the file has its control characters escaped.
    pub text: String,
}

impl std::fmt::Display for Note {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let file = crate::ui::shown_path(&self.file);
        match self.line {
            0 => write!(f, "{file}: {}", self.text),
            line => write!(f, "{file}:{line}: {}", self.text),
        }
    }
}

/// What one file declares, and what den made of it.
#[derive(Debug, Clone, Default)]
pub struct File {
    pub path: PathBuf,
    /// Its tools, in file order (before merging with the other files).
    pub tools: Vec<ToolRequest>,
    /// Its plain variables (mise's `[env]`).
    pub env: Vec<EnvEntry>,
    /// What was not imported and why, and what was imported with a caveat.
    pub notes: Vec<Note>,
    /// The file as a whole could not be used (its note says why).
    pub rejected: bool,
    /// `node `lts``-style labels of its floating versions, for one note per file.
    floating: Vec<(usize, String)>,
}

impl File {
    fn new(path: &Path) -> File {
        File { path: path.to_path_buf(), ..File::default() }
    }

    fn note(&mut self, line: usize, text: impl AsRef<str>) {
        let text = crate::diag::printable(text.as_ref()).into_owned();
        self.notes.push(Note { file: self.path.clone(), line, text });
    }

    /// The whole file is not used.
    fn reject(&mut self, line: usize, why: impl AsRef<str>) {
        self.rejected = true;
        self.note(line, format!("not read: {}", why.as_ref()));
    }

    /// Adds `tool` at the version `raw` (after checking it), or returns why not.
    fn add(&mut self, tool: &str, raw: &str, source: Option<String>, line: usize) -> Result<(), String> {
        let checked = version::check(tool, raw)?;
        match checked.kind {
            Kind::Pin => {}
            Kind::Range => self.note(
                line,
                format!(
                    "{tool} `{}` is a range, not a pin: den takes the newest version it allows",
                    raw.trim()
                ),
            ),
            Kind::Floating => self.floating.push((line, format!("{tool} `{}`", checked.spec))),
        }
        self.tools.push(ToolRequest {
            name: tool.to_string(),
            version: checked.spec,
            source,
            url: None,
            sha256: None,
            bin: Vec::new(),
            at: Location { file: self.path.clone(), line },
        });
        Ok(())
    }

    /// Adds `tool` or notes why it is not imported.
    fn add_or_note(&mut self, tool: &str, raw: &str, source: Option<String>, line: usize) {
        if let Err(why) = self.add(tool, raw, source, line) {
            self.note(line, format!("{tool} not imported: {why}"));
        }
    }

    /// One note for all the floating versions of the file.
    fn finish(&mut self) {
        if let Some((line, _)) = self.floating.first() {
            let line = *line;
            let names: Vec<String> = self.floating.iter().map(|(_, n)| n.clone()).collect();
            let verb = if names.len() == 1 { "floats" } else { "float" };
            self.note(
                line,
                format!(
                    "{} {verb}: the version changes as new releases appear (den locks the one it installs)",
                    names.join(", ")
                ),
            );
        }
    }
}

/// What the foreign files of one directory declare.
#[derive(Debug, Clone, Default)]
pub struct Foreign {
    /// The files found, in [`FILES`] order, read or rejected.
    pub files: Vec<File>,
    /// Everything they declare, merged: what `den init` imports.
    pub manifest: Manifest,
}

impl Foreign {
    /// Every note of every file, in order.
    pub fn notes(&self) -> impl Iterator<Item = &Note> {
        self.files.iter().flat_map(|f| f.notes.iter())
    }

    /// What applies without a den.toml (which needs no trust): the catalog's tools only,
    /// with a note for each tool with a source and each file's `[env]`, which the
    /// repository chooses and which apply once `den init` has imported them.
    pub fn untrusted(&self) -> (Manifest, Vec<Note>) {
        let mut notes: Vec<Note> = self.notes().cloned().collect();
        let mut manifest = Manifest::default();
        for tool in self.manifest.tools.values() {
            match &tool.source {
                None => {
                    manifest.tools.insert(tool.name.clone(), tool.clone());
                }
                Some(source) => notes.push(Note {
                    file: tool.at.file.clone(),
                    line: tool.at.line,
                    text: format!(
                        "{} from `{}` is not used without a den.toml: a source the repository chooses needs \
                         your trust (`den init` imports it for you to review)",
                        tool.name,
                        crate::diag::printable(source)
                    ),
                }),
            }
        }
        for file in self.files.iter().filter(|f| !f.env.is_empty()) {
            let names: Vec<&str> = file.env.iter().map(|e| e.name.as_str()).collect();
            notes.push(Note {
                file: file.path.clone(),
                line: file.env[0].at.line,
                text: format!(
                    "[env] ({}) is not applied without a den.toml: variables the repository sets need your \
                     trust (`den init` imports them for you to review)",
                    names.join(", ")
                ),
            });
        }
        (manifest, notes)
    }
}

/// Whether `dir` holds any foreign file.
pub fn present(dir: &Path) -> bool {
    FILES.iter().any(|f| dir.join(f).is_file())
}

/// Reads the foreign files of `dir`; `None` when it has none.
pub fn read(dir: &Path) -> Option<Foreign> {
    let mut out = Foreign::default();
    for name in FILES {
        let path = dir.join(name);
        if !path.is_file() {
            continue;
        }
        let mut file = File::new(&path);
        match crate::fs_util::read_input(&path) {
            Err(e) => file.reject(0, format!("den cannot read it ({e})")),
            Ok(bytes) => match text::decode(&bytes) {
                Err(why) => file.reject(0, why),
                Ok(text) => parse(name, &text, &mut file),
            },
        }
        file.finish();
        merge(&mut out.manifest, &mut file);
        out.files.push(file);
    }
    (!out.files.is_empty()).then_some(out)
}

fn parse(name: &str, text: &str, file: &mut File) {
    match name {
        ".tool-versions" => asdf::read(text, file),
        ".nvmrc" | ".node-version" => single::node(text, file),
        ".python-version" => single::python(text, file),
        ".go-version" => single::go(text, file),
        ".java-version" => java::java_version(text, file),
        ".ruby-version" => single::ruby(text, file),
        ".sdkmanrc" => java::sdkmanrc(text, file),
        "global.json" => dotnet::global_json(text, file),
        "rust-toolchain.toml" => rust::toml_file(text, file),
        "rust-toolchain" => rust::plain_file(text, file),
        _ => mise::read(text, file),
    }
}

/// Adds `file`'s tools and variables to `manifest` where no earlier file set them; a
/// disagreement gets a note on `file` saying which one wins and why.
fn merge(manifest: &mut Manifest, file: &mut File) {
    let mut lost = Vec::new();
    for tool in &file.tools {
        match manifest.tools.get(&tool.name) {
            None => {
                manifest.tools.insert(tool.name.clone(), tool.clone());
            }
            Some(first) if first.version == tool.version && first.source == tool.source => {}
            Some(first) => lost.push((
                tool.at.line,
                format!(
                    "{} `{}` is not used: {}:{} asks for `{}`, and {} comes first \
                     (den reads mise.toml, .mise.toml, .tool-versions, then the one-tool files)",
                    tool.name,
                    tool.version,
                    file_name(&first.at.file),
                    first.at.line,
                    first.version,
                    file_name(&first.at.file),
                ),
            )),
        }
    }
    for entry in &file.env {
        if manifest.env.iter().any(|e| e.name == entry.name) {
            lost.push((entry.at.line, format!("{} is set by an earlier file, which wins", entry.name)));
        } else {
            manifest.env.push(entry.clone());
        }
    }
    for (line, text) in lost {
        file.note(line, text);
    }
}

fn file_name(path: &Path) -> String {
    path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
}

/// The catalog's name for a tool another tool names `name`: asdf's and mise's spellings
/// (`nodejs`, `golang`, `github-cli`) mapped, any other name only if the catalog or its
/// short-name index (`catalog::short`, aqua packages) has it exactly (so `terraform-docs` is never terraform, nor `golangci-lint` go).
fn den_tool(name: &str) -> Option<&'static str> {
    let name = match name {
        "nodejs" => "node",
        "golang" => "go",
        "github-cli" => "gh",
        other => other,
    };
    crate::catalog::names()
        .find(|n| *n == name)
        .or_else(|| crate::catalog::short::index().iter().find(|(n, _)| n == name).map(|(n, _)| n.as_str()))
}

/// Why `name` is not imported when the catalog does not have it.
fn unknown_tool(name: &str) -> String {
    format!(
        "{} not imported: den has no built-in definition of it (declare it in den.toml with a `source` or `url`)",
        crate::diag::printable(name)
    )
}

#[cfg(test)]
#[allow(clippy::disallowed_methods, reason = "tests may write freely")]
mod fuzz_tests;
#[cfg(test)]
#[allow(clippy::disallowed_methods, reason = "tests may write freely")]
mod tests;
