//! `mise.toml` / `.mise.toml`: `[tools]`, `[env]`, `[alias]` (or `[tool_alias]`) and
//! `settings.disable_tools`; every other section (`[tasks]`, whose tools are the tasks'
//! own, included) is ignored. Nothing is evaluated: a template (`{{ … }}`, `{% … %}`) or a
//! `_` directive (`_.path`, `_.file`, `_.source`, `_.python.venv`) is named in a note and
//! not imported.
//!
//! Decisions: `[tools]` values are a version, a list (the first is taken, the others named)
//! or a table with `version` (its other options are named). Backends map to den's sources
//! where den has one: `core:` and a bare name are the catalog's tool, `npm:<package>` is
//! `npm:<package>`, `pipx:` and `pypi:` are `pypi:<package>`, `github:`, `ubi:` and
//! `aqua:` `<owner>/<repo>` are the catalog's tool or a short name when den defines it
//! (`aqua:helm/helm` is den's helm, with a note), else `github:<owner>/<repo>` (`aqua:`:
//! `aqua:<package>`, which den reads from the aqua registry); any other backend is skipped with
//! a note naming the key. A variable set to `false` is unset, as mise does; `$` in a value
//! is literal (mise does not expand it), so it is written `$$` for den.

use indexmap::IndexMap;
use toml::de::{DeTable, DeValue};

use super::{File, den_tool, unknown_tool};
use crate::project::parse::walk::{Doc, Value, integer, is_plain_name};
use crate::project::{EnvEntry, EnvValue};

/// A tool alias: the backend it stands for and its version aliases.
#[derive(Default)]
struct Alias {
    backend: Option<String>,
    versions: IndexMap<String, String>,
}

/// Reads the file into `file` (a syntax error rejects it, with its line).
pub fn read(text: &str, file: &mut File) {
    let path = file.path.clone();
    let doc = Doc::new(&path, text);
    let root = match doc.parse() {
        Ok(root) => root,
        Err(d) => return file.reject(d.line, format!("{} (column {})", d.message, d.col)),
    };
    let aliases = aliases(&root);
    let disabled = disabled(&root);
    if let Some(tools) = root.get("tools") {
        match tools.get_ref() {
            DeValue::Table(t) => read_tools(&doc, t, &aliases, &disabled, file),
            _ => file.note(doc.at(tools.span()).line, "[tools] is not a table: nothing of it is imported"),
        }
    }
    if let Some(env) = root.get("env") {
        match env.get_ref() {
            DeValue::Table(t) => read_env(&doc, t, file),
            _ => file.note(doc.at(env.span()).line, "[env] is not a table: nothing of it is imported"),
        }
    }
}

fn str_of<'a>(value: &'a Value<'_>) -> Option<&'a str> {
    value.get_ref().as_str()
}

/// `[alias]` and `[tool_alias]`: `name = "backend"` or `[alias.name] backend = ...,
/// versions = { my = "20" }`.
fn aliases(root: &DeTable<'_>) -> IndexMap<String, Alias> {
    let mut out: IndexMap<String, Alias> = IndexMap::new();
    for section in ["alias", "tool_alias"] {
        let Some(DeValue::Table(table)) = root.get(section).map(|v| v.get_ref()) else { continue };
        for (key, value) in table {
            let alias = out.entry(key.get_ref().to_string()).or_default();
            match value.get_ref() {
                DeValue::String(s) => alias.backend = Some(s.to_string()),
                DeValue::Table(t) => {
                    if let Some(b) = t.get("backend").and_then(str_of) {
                        alias.backend = Some(b.to_string());
                    }
                    if let Some(DeValue::Table(v)) = t.get("versions").map(|v| v.get_ref()) {
                        for (name, to) in v {
                            if let Some(to) = str_of(to) {
                                alias.versions.insert(name.get_ref().to_string(), to.to_string());
                            }
                        }
                    }
                }
                _ => {}
            }
        }
    }
    out
}

/// `settings.disable_tools`.
fn disabled(root: &DeTable<'_>) -> Vec<String> {
    let Some(DeValue::Table(settings)) = root.get("settings").map(|v| v.get_ref()) else { return Vec::new() };
    let Some(DeValue::Array(list)) = settings.get("disable_tools").map(|v| v.get_ref()) else {
        return Vec::new();
    };
    list.iter().filter_map(|v| str_of(v).map(str::to_string)).collect()
}

/// What a `[tools]` key names: a catalog tool, or a tool with a den source.
enum Named {
    Catalog(&'static str),
    Sourced { name: String, source: String },
}

/// Maps `key` (after its alias) to den, or says why not.
fn named(key: &str, backend: &str) -> Result<Named, String> {
    let shown = crate::diag::printable(key);
    // mise's options in brackets: `ubi:owner/repo[exe=rg]`.
    let (backend, options) = match backend.split_once('[') {
        Some((b, o)) => (b, Some(o.trim_end_matches(']'))),
        None => (backend, None),
    };
    let Some((kind, target)) = backend.split_once(':') else {
        return den_tool(backend).map(Named::Catalog).ok_or_else(|| unknown_tool(key));
    };
    if let Some(tool) = super::backend::catalog_tool(kind, target) {
        return Ok(Named::Catalog(tool));
    }
    if let Some(options) = options {
        return Err(format!(
            "{shown} not imported: den has no equivalent of mise's backend options `[{options}]`"
        ));
    }
    // Stricter than npm, PyPI and GitHub: what passes is a source den.toml accepts.
    let plain_package = is_plain_name;
    let (name, source) = match kind {
        "core" => return den_tool(target).map(Named::Catalog).ok_or_else(|| unknown_tool(key)),
        "npm" => {
            let bare = target.strip_prefix('@').and_then(|r| r.split_once('/')).map_or(target, |(_, n)| n);
            let ok = plain_package(bare)
                && (!target.starts_with('@')
                    || target[1..].split_once('/').is_some_and(|(s, _)| plain_package(s)));
            (ok.then(|| bare.to_string()), format!("npm:{target}"))
        }
        "pipx" | "pypi" => (plain_package(target).then(|| target.to_string()), format!("pypi:{target}")),
        "github" | "ubi" => {
            let repo = match target.split('/').collect::<Vec<_>>()[..] {
                [owner, repo] if plain_package(owner) && plain_package(repo) => Some(repo.to_string()),
                _ => None,
            };
            (repo, format!("github:{target}"))
        }
        // den reads the aqua registry itself: the package, by its last segment.
        "aqua" => {
            let parts: Vec<&str> = target.split('/').collect();
            let ok = parts.len() >= 2 && parts.iter().all(|p| plain_package(p));
            (ok.then(|| parts[parts.len() - 1].to_string()), format!("aqua:{target}"))
        }
        other => {
            return Err(format!(
                "{shown} not imported: den has no source for mise's `{}` backend",
                crate::diag::printable(other)
            ));
        }
    };
    match name.filter(|n| is_plain_name(n)) {
        Some(name) => Ok(Named::Sourced { name, source }),
        None => Err(format!(
            "{shown} not imported: den cannot read `{}` as a package or repository",
            crate::diag::printable(target)
        )),
    }
}

fn read_tools(
    doc: &Doc<'_>,
    tools: &DeTable<'_>,
    aliases: &IndexMap<String, Alias>,
    disabled: &[String],
    file: &mut File,
) {
    for (key, value) in tools {
        let key_name: &str = key.get_ref();
        let line = doc.at(key.span()).line;
        let alias = aliases.get(key_name);
        let backend = alias.and_then(|a| a.backend.as_deref()).unwrap_or(key_name);
        let named = match named(key_name, backend) {
            Ok(n) => n,
            Err(why) => {
                file.note(line, why);
                continue;
            }
        };
        let (name, source) = match named {
            Named::Catalog(tool) => {
                if backend.contains(':') && !backend.starts_with("core:") {
                    file.note(line, super::backend::mapped_note(backend, tool));
                }
                (tool.to_string(), None)
            }
            // A short name the file chose (`[alias] fmt = "npm:prettier"`) names the tool.
            Named::Sourced { name, source } if backend == key_name || !is_plain_name(key_name) => {
                (name, Some(source))
            }
            Named::Sourced { source, .. } => (key_name.to_string(), Some(source)),
        };
        if disabled.iter().any(|d| d == key_name || *d == name) {
            file.note(line, format!("{name} not imported: settings.disable_tools disables it"));
            continue;
        }
        let Some(raw) = version_of(value, &name, line, file) else { continue };
        let raw = alias.and_then(|a| a.versions.get(&raw)).cloned().unwrap_or(raw);
        file.add_or_note(&name, &raw, source, line);
    }
}

/// The version of a `[tools]` value, with notes about what else it says.
fn version_of(value: &Value<'_>, name: &str, line: usize, file: &mut File) -> Option<String> {
    match value.get_ref() {
        DeValue::String(s) => Some(s.to_string()),
        DeValue::Array(list) => {
            let mut versions = list.iter().map(|v| match v.get_ref() {
                DeValue::String(s) => Some(s.to_string()),
                DeValue::Table(t) => t.get("version").and_then(str_of).map(str::to_string),
                _ => None,
            });
            let Some(Some(first)) = versions.next() else {
                file.note(line, format!("{name} not imported: its list holds no version"));
                return None;
            };
            let others: Vec<String> = versions.flatten().map(|v| format!("`{v}`")).collect();
            if !others.is_empty() {
                file.note(
                    line,
                    format!("{name}: the first version, `{first}`, wins; {} ignored", others.join(", ")),
                );
            }
            Some(first)
        }
        DeValue::Table(t) => {
            let Some(version) = t.get("version").and_then(str_of) else {
                file.note(line, format!("{name} not imported: its table has no `version` string"));
                return None;
            };
            let others: Vec<String> = t
                .keys()
                .map(|k| k.get_ref().to_string())
                .filter(|k| k != "version")
                .map(|k| format!("`{k}`"))
                .collect();
            if !others.is_empty() {
                file.note(
                    line,
                    format!(
                        "{name}: its options {} are not imported (den has no equivalent)",
                        others.join(", ")
                    ),
                );
            }
            Some(version.to_string())
        }
        _ => {
            file.note(line, format!("{name} not imported: its version is not a string"));
            None
        }
    }
}

/// `[env]`: plain values; templates and directives are named and skipped.
fn read_env(doc: &Doc<'_>, env: &DeTable<'_>, file: &mut File) {
    for (key, value) in env {
        let name: &str = key.get_ref();
        let line = doc.at(key.span()).line;
        let shown = crate::diag::printable(name);
        if name == "_" || name == "mise" {
            let mut directives = Vec::new();
            if let DeValue::Table(t) = value.get_ref() {
                directives.extend(t.keys().map(|k| format!("`{name}.{}`", k.get_ref())));
            }
            if directives.is_empty() {
                directives.push(format!("`{name}`"));
            }
            file.note(
                line,
                format!(
                    "{} not imported: mise directives are not evaluated (in den.toml, `PATH = {{ prepend = [...] }}` \
                     and `dotenv = [...]` do the same)",
                    crate::diag::printable(&directives.join(", "))
                ),
            );
            continue;
        }
        if name == "dotenv" {
            file.note(line, "`dotenv` not imported: in den.toml it names the dotenv files, not a variable");
            continue;
        }
        if !valid_var(name) {
            file.note(line, format!("`{shown}` not imported: it is not a variable name"));
            continue;
        }
        let text = match value.get_ref() {
            DeValue::String(s) => s.to_string(),
            DeValue::Integer(_) => match integer(value) {
                Some(i) => i.to_string(),
                None => {
                    file.note(line, format!("{shown} not imported: its number is too large"));
                    continue;
                }
            },
            DeValue::Float(f) => f.as_str().to_string(),
            DeValue::Boolean(false) => {
                file.env.push(EnvEntry {
                    name: name.to_string(),
                    value: EnvValue::Unset,
                    at: doc.at(key.span()),
                });
                continue;
            }
            DeValue::Table(t) if t.get("value").and_then(str_of).is_some() => {
                t.get("value").and_then(str_of).unwrap_or_default().to_string()
            }
            _ => {
                file.note(
                    line,
                    format!("{shown} not imported: only plain values are (a string, a number or `false`)"),
                );
                continue;
            }
        };
        if text.contains("{{") || text.contains("{%") || text.contains("{#") {
            file.note(
                line,
                format!("{shown} not imported: its value is a template, which den does not evaluate"),
            );
            continue;
        }
        if name == "PATH" {
            file.note(line, format!("{shown} not imported: setting PATH would hide the project's tools (in den.toml, `PATH = {{ prepend = [...] }}`)"));
            continue;
        }
        if text.contains(|c: char| c.is_control() && c != '\t' && c != '\n') {
            file.note(line, format!("{shown} not imported: its value holds control characters"));
            continue;
        }
        let value = EnvValue::Set(text.replace('$', "$$"));
        file.env.push(EnvEntry { name: name.to_string(), value, at: doc.at(key.span()) });
    }
}

fn valid_var(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}
