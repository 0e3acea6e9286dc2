//! Other tools' version files, read in place of a missing `den.toml` and imported by
//! `den init`: `.tool-versions` (asdf), `.nvmrc`, `.node-version`, `.python-version`,
//! `.go-version`, `mise.toml` / `.mise.toml` (`[tools]` only). Produces tools only; never
//! writes these files and never fails on an entry it cannot use: it skips it with a note.
//!
//! Decisions: when several files are present, they are read in the order above and a
//! tool from an earlier file wins. asdf names `nodejs` and `golang` become `node` and
//! `go`. mise's backend-prefixed tools (`"npm:prettier"`, `"cargo:ripgrep"`) are skipped
//! with a note: den declares those with a `source`. Versions `system`, `ref:...`,
//! `path:...` and `prefix:...` are skipped too.

use std::path::{Path, PathBuf};

use indexmap::IndexMap;
use toml::de::DeValue;

use super::parse::walk::{Doc, Res, is_plain_name};
use super::{Error, Location, Manifest, ToolRequest};

/// The files, in the order they are read (an earlier file's tool wins).
pub const FILES: &[&str] = &[
    ".tool-versions",
    ".nvmrc",
    ".node-version",
    ".python-version",
    ".go-version",
    "mise.toml",
    ".mise.toml",
];

/// What the foreign files of one directory declare.
#[derive(Debug, Clone, Default)]
pub struct Foreign {
    /// The files read, in order.
    pub files: Vec<PathBuf>,
    /// Their tools, merged.
    pub manifest: Manifest,
    /// Entries den could not use, one sentence each (for `den init` to show).
    pub skipped: Vec<String>,
}

/// Whether `dir` holds any foreign file.
pub fn present(dir: &Path) -> bool {
    FILES.iter().any(|f| dir.join(f).is_file())
}

/// Reads the foreign files of `dir`; `None` when it has none.
pub fn read(dir: &Path) -> Result<Option<Foreign>, Error> {
    let mut out = Foreign::default();
    for name in FILES {
        let path = dir.join(name);
        if !path.is_file() {
            continue;
        }
        let text = crate::fs_util::read_input_string(&path)
            .map_err(|source| Error::Read { path: path.clone(), source })?;
        let entries = match *name {
            ".tool-versions" => tool_versions(&path, &text, &mut out.skipped),
            ".nvmrc" | ".node-version" => single(&path, &text, "node", node_version, &mut out.skipped),
            ".python-version" => single(&path, &text, "python", python_version, &mut out.skipped),
            ".go-version" => single(&path, &text, "go", go_version, &mut out.skipped),
            _ => mise(&path, &text, &mut out.skipped).map_err(Error::Invalid)?,
        };
        for (name, version, line) in entries {
            let at = Location { file: path.clone(), line };
            out.manifest.tools.entry(name.clone()).or_insert_with(|| ToolRequest {
                name,
                version,
                source: None,
                url: None,
                sha256: None,
                bin: Vec::new(),
                at,
            });
        }
        out.files.push(path);
    }
    // The notes quote the files: their control characters are shown escaped.
    for note in &mut out.skipped {
        *note = crate::diag::printable(note).into_owned();
    }
    Ok((!out.files.is_empty()).then_some(out))
}

/// A tool, its version and the 1-based line it came from.
type Entry = (String, String, usize);

fn file_name(path: &Path) -> String {
    path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
}

/// asdf and mise names that den spells differently.
fn den_name(name: &str) -> &str {
    match name {
        "nodejs" => "node",
        "golang" => "go",
        other => other,
    }
}

/// A version den can ask for, or why not.
fn usable(version: &str) -> Result<&str, &'static str> {
    let version = version.trim();
    if version.is_empty() {
        Err("its version is empty")
    } else if version.contains(char::is_control) {
        Err("its version holds control characters")
    } else if version == "system" {
        Err("den does not use the system's own installation")
    } else if ["ref:", "path:", "prefix:"].iter().any(|p| version.starts_with(p)) {
        Err("den installs released versions only")
    } else {
        Ok(version)
    }
}

/// `.tool-versions`: `name version [fallback...]` per line, `#` comments; the first
/// version is taken.
fn tool_versions(path: &Path, text: &str, skipped: &mut Vec<String>) -> Vec<Entry> {
    let file = file_name(path);
    let mut out = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.split('#').next().unwrap_or("").trim();
        let mut words = line.split_whitespace();
        let Some(name) = words.next() else { continue };
        let name = den_name(name);
        if !is_plain_name(name) {
            skipped.push(format!("`{name}` in {file} (line {}) is not a tool name den accepts", i + 1));
            continue;
        }
        match words.next().map(usable) {
            None => skipped.push(format!("`{name}` in {file} (line {}) has no version", i + 1)),
            Some(Err(why)) => skipped.push(format!("`{name}` in {file} (line {}): {why}", i + 1)),
            Some(Ok(version)) => out.push((name.to_string(), version.to_string(), i + 1)),
        }
    }
    out
}

/// A file holding one version of one tool on its first meaningful line.
fn single(
    path: &Path,
    text: &str,
    tool: &str,
    convert: fn(&str) -> Option<&str>,
    skipped: &mut Vec<String>,
) -> Vec<Entry> {
    let file = file_name(path);
    let found = text
        .lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim()))
        .find(|(_, l)| !l.is_empty() && !l.starts_with('#'));
    let Some((line, raw)) = found else {
        skipped.push(format!("{file} is empty"));
        return Vec::new();
    };
    match convert(raw).map(usable) {
        Some(Ok(version)) => vec![(tool.to_string(), version.to_string(), line)],
        Some(Err(why)) => {
            skipped.push(format!("`{raw}` in {file}: {why}"));
            Vec::new()
        }
        None => {
            skipped.push(format!("`{raw}` in {file} is not a version den understands"));
            Vec::new()
        }
    }
}

/// nvm's spellings: `v22.1.0` → `22.1.0`, `lts/*` and `lts/<name>` → `lts`,
/// `node`/`stable` → `latest`; `iojs` is not supported.
fn node_version(v: &str) -> Option<&str> {
    match v {
        "node" | "stable" | "latest" | "current" => Some("latest"),
        "iojs" => None,
        _ if v.starts_with("lts/") || v == "lts" => Some("lts"),
        _ => Some(strip_v(v)),
    }
}

/// pyenv's first version as written (`3.12`, `3.12.1`).
fn python_version(v: &str) -> Option<&str> {
    Some(v)
}

/// `1.22.1`, `go1.22.1` or `v1.22` → `1.22.1` / `1.22`.
fn go_version(v: &str) -> Option<&str> {
    Some(strip_v(v.strip_prefix("go").filter(|r| r.starts_with(|c: char| c.is_ascii_digit())).unwrap_or(v)))
}

fn strip_v(v: &str) -> &str {
    v.strip_prefix('v').filter(|r| r.starts_with(|c: char| c.is_ascii_digit())).unwrap_or(v)
}

/// mise's `[tools]`: `name = "22"`, `name = ["22", "20"]` (first taken) or
/// `name = { version = "22", ... }`; other sections are ignored.
fn mise(path: &Path, text: &str, skipped: &mut Vec<String>) -> Res<Vec<Entry>> {
    let file = file_name(path);
    let doc = Doc::new(path, text);
    let root = doc.parse()?;
    let Some(tools) = root.get("tools").map(|v| v.get_ref()) else { return Ok(Vec::new()) };
    let Some(tools) = tools.as_table() else {
        skipped.push(format!("[tools] in {file} is not a table"));
        return Ok(Vec::new());
    };
    let mut out: IndexMap<String, Entry> = IndexMap::new();
    for (key, value) in tools {
        let raw_name: &str = key.get_ref();
        if raw_name.contains(':') {
            skipped.push(format!(
                "`{raw_name}` in {file}: backend-prefixed tools are not imported; declare it in den.toml with a `source`"
            ));
            continue;
        }
        if !is_plain_name(raw_name) {
            skipped.push(format!("`{raw_name}` in {file} is not a tool name den accepts"));
            continue;
        }
        let version = match value.get_ref() {
            DeValue::String(s) => Some(s.as_ref()),
            DeValue::Array(a) => a.first().and_then(|v| v.get_ref().as_str()),
            DeValue::Table(t) => t.get("version").and_then(|v| v.get_ref().as_str()),
            _ => None,
        };
        let name = den_name(raw_name);
        match version.map(usable) {
            Some(Ok(v)) => {
                out.entry(name.to_string()).or_insert((
                    name.to_string(),
                    v.to_string(),
                    doc.at(key.span()).line,
                ));
            }
            Some(Err(why)) => skipped.push(format!("`{name}` in {file}: {why}")),
            None => skipped.push(format!("`{name}` in {file} has no version den understands")),
        }
    }
    Ok(out.into_values().collect())
}

#[cfg(test)]
mod fuzz_tests;
#[cfg(test)]
mod tests;
