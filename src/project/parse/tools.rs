//! `[tools]` (in den.toml and in the user config): `name = "spec"` or
//! `name = { version, source, url, sha256, bin }`. Checks the form of each field, then
//! what the entry names (`versions`: a tool den knows, a spec it reads); never looks a
//! release up (that is the resolver's job).
//!
//! Decisions: a version must be a string (`python = 3.10` is refused rather than read as
//! `3.1`); tool names start with a letter or digit (they become store paths); `sha256`
//! goes with `url` only (other sources bring their own checksums); `bin` entries are
//! relative paths without `..`; `source = "system"` takes a binary already on the machine;
//! `venv` (den.toml only, one tool) names the project's Python virtual environment, a
//! relative path inside the project with no `..` (den creates and replaces it).

use indexmap::IndexMap;
use toml::de::{DeTable, DeValue};

use super::walk::{Doc, Key, Res, Value, is_plain_name};
use crate::project::{ToolRequest, Venv};

pub(super) const TOOL_KEYS: &[&str] = &["version", "source", "url", "sha256", "bin"];
/// A den.toml tool's keys: the user config's, and `venv`.
pub(super) const MANIFEST_TOOL_KEYS: &[&str] = &["version", "source", "url", "sha256", "bin", "venv"];

/// Reads a `[tools]` table (of the user config: no `venv`), in file order.
pub fn tools(doc: &Doc<'_>, value: &Value<'_>) -> Res<IndexMap<String, ToolRequest>> {
    Ok(read(doc, value, TOOL_KEYS)?.0)
}

/// Reads den.toml's `[tools]` table, in file order, and the one tool's `venv`.
pub fn manifest_tools(
    doc: &Doc<'_>,
    value: &Value<'_>,
) -> Res<(IndexMap<String, ToolRequest>, Option<Venv>)> {
    read(doc, value, MANIFEST_TOOL_KEYS)
}

fn read(
    doc: &Doc<'_>,
    value: &Value<'_>,
    keys: &[&str],
) -> Res<(IndexMap<String, ToolRequest>, Option<Venv>)> {
    let table = doc.table(value, "tools")?;
    let mut out = IndexMap::new();
    let mut venv: Option<Venv> = None;
    for (key, value) in table {
        let (tool, its_venv) = tool(doc, key, value, keys)?;
        if let Some((v, span)) = its_venv {
            if let Some(first) = &venv {
                return Err(doc.err_help(
                    span,
                    format!("tool `{}` names a `venv`, and so does `{}`", tool.name, first.tool),
                    "a project has one virtual environment: keep `venv` on one tool",
                ));
            }
            venv = Some(Venv { tool: tool.name.clone(), path: v, at: doc.at(span) });
        }
        out.insert(tool.name.clone(), tool);
    }
    Ok((out, venv))
}

type VenvAt = Option<(String, std::ops::Range<usize>)>;

fn tool(doc: &Doc<'_>, key: &Key<'_>, value: &Value<'_>, keys: &[&str]) -> Res<(ToolRequest, VenvAt)> {
    let name: &str = key.get_ref();
    if !is_plain_name(name) {
        return Err(doc.err_help(
            key.span(),
            format!("invalid tool name `{name}`"),
            "tool names are letters, digits, `.`, `_` and `-`, starting with a letter or digit",
        ));
    }
    let mut tool = ToolRequest {
        name: name.to_string(),
        version: String::new(),
        source: None,
        url: None,
        sha256: None,
        bin: Vec::new(),
        at: doc.at(key.span()),
    };
    let mut venv = None;
    let spec_span = match value.get_ref() {
        DeValue::String(_) => {
            tool.version = version(doc, value)?;
            value.span()
        }
        DeValue::Table(table) => {
            venv = fields(doc, &mut tool, table, value, keys)?;
            table.iter().find(|(k, _)| k.get_ref() == "version").map_or(value.span(), |(_, v)| v.span())
        }
        _ => {
            return Err(doc.err_help(
                value.span(),
                format!("tool `{name}` must be a version string or a table, not {}", super::walk::article(value.get_ref())),
                format!("write `{name} = \"1.2\"` or `{name} = {{ version = \"1.2\", source = \"github:owner/repo\" }}`"),
            ));
        }
    };
    super::versions::check(doc, &tool, key.span(), spec_span)?;
    Ok((tool, venv))
}

fn version(doc: &Doc<'_>, value: &Value<'_>) -> Res<String> {
    let v = doc.nonempty(value, "version")?.trim();
    if v.is_empty() {
        return Err(doc.err(value.span(), "`version` must not be blank"));
    }
    Ok(v.to_string())
}

fn fields(
    doc: &Doc<'_>,
    tool: &mut ToolRequest,
    table: &DeTable<'_>,
    whole: &Value<'_>,
    keys: &[&str],
) -> Res<VenvAt> {
    let name = tool.name.clone();
    doc.check_keys(table, keys, &format!("tool `{name}`"))?;
    let mut source_span = None;
    let mut venv = None;
    for (key, value) in table {
        match key.get_ref().as_ref() {
            "version" => tool.version = version(doc, value)?,
            "source" => {
                tool.source = Some(source(doc, value)?);
                source_span = Some(key.span());
            }
            "url" => tool.url = Some(url(doc, value, "url")?),
            "sha256" => tool.sha256 = Some(sha256(doc, value)?),
            "bin" => tool.bin = bin(doc, value)?,
            "venv" => venv = Some((venv_path(doc, value)?, value.span())),
            _ => unreachable!("keys were checked"),
        }
    }
    if tool.version.is_empty() {
        return Err(doc.err_help(
            whole.span(),
            format!("tool `{name}` needs a `version`"),
            format!("add one, e.g. `{name} = {{ version = \"latest\", ... }}`"),
        ));
    }
    if let (Some(span), Some(_)) = (source_span, &tool.url) {
        return Err(doc.err_help(
            span,
            format!("tool `{name}` has both `source` and `url`"),
            "keep one: `source` picks a release from GitHub, npm or PyPI, `url` downloads one exact URL",
        ));
    }
    if tool.sha256.is_some() && tool.url.is_none() {
        let span =
            table.iter().find(|(k, _)| k.get_ref() == "sha256").map(|(k, _)| k.span()).unwrap_or_default();
        return Err(doc.err_help(
            span,
            format!("`sha256` of tool `{name}` applies to `url` tools only"),
            "other sources carry their own checksums; remove `sha256` or use `url`",
        ));
    }
    Ok(venv)
}

/// A venv directory: a relative path of plain components inside the project (never the
/// root itself, never `.den`), since den creates it and replaces it when the interpreter
/// changes. A trailing `/` is dropped.
fn venv_path(doc: &Doc<'_>, value: &Value<'_>) -> Res<String> {
    let s = doc.string(value, "venv")?;
    let path = s.strip_prefix("./").unwrap_or(s).trim_end_matches('/');
    let path = if path == "." { "" } else { path };
    let parts: Vec<&str> = path.split('/').collect();
    let bad = if s.starts_with('/') {
        Some("is an absolute path")
    } else if path.is_empty() {
        Some("names the project's root")
    } else if parts.contains(&"..") {
        Some("climbs out of the project with `..`")
    } else if parts.iter().any(|p| p.is_empty() || *p == ".") {
        Some("has an empty or `.` component")
    } else if path.contains('\0') || path.chars().any(char::is_control) {
        Some("has a control character")
    } else if path == ".den" || path == ".git" {
        Some("is a directory den or git keeps")
    } else {
        None
    };
    match bad {
        Some(why) => Err(doc.err_help(
            value.span(),
            format!("`venv` path `{s}` {why}"),
            "name a directory inside the project, e.g. `venv = \".venv\"`",
        )),
        None => Ok(path.to_string()),
    }
}

/// The source that takes a binary already on the machine.
pub const SYSTEM: &str = "system";

fn source(doc: &Doc<'_>, value: &Value<'_>) -> Res<String> {
    let s = doc.string(value, "source")?;
    let ok = s == SYSTEM
        || match s.split_once(':') {
            Some(("github", repo)) => {
                matches!(repo.split_once('/'), Some((owner, name)) if is_plain_name(owner) && is_plain_name(name))
            }
            // An aqua registry package: `owner/name`, sometimes deeper (`kubernetes/kubernetes/kubectl`).
            Some(("aqua", package)) => {
                package.split('/').count() >= 2 && package.split('/').all(|p| is_plain_name(p) && p != "..")
            }
            Some(("npm", package)) => is_npm_package(package),
            Some(("pypi", package)) => is_plain_name(package),
            _ => false,
        };
    if !ok {
        return Err(doc.err_help(
            value.span(),
            format!("invalid source `{s}`"),
            "a source is `github:owner/repo`, `aqua:owner/name` (the aqua registry's package), `npm:package` \
             (`npm:@scope/package`, with `{os}`/`{arch}` if needed), `pypi:package` or `system` (a binary already \
             on PATH)",
        ));
    }
    Ok(s.to_string())
}

/// `name` or `@scope/name`; `{os}` and `{arch}` placeholders are allowed in both parts.
fn is_npm_package(package: &str) -> bool {
    let part = |s: &str| {
        let plain = s.replace("{os}", "os").replace("{arch}", "arch");
        !plain.is_empty()
            && plain.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '~'))
    };
    match package.strip_prefix('@') {
        Some(scoped) => matches!(scoped.split_once('/'), Some((scope, name)) if part(scope) && part(name)),
        None => part(package),
    }
}

/// An `http://` or `https://` URL (shared with the user config).
pub fn url(doc: &Doc<'_>, value: &Value<'_>, what: &str) -> Res<String> {
    let s = doc.string(value, what)?;
    let rest = s.strip_prefix("https://").or_else(|| s.strip_prefix("http://"));
    if rest.is_none_or(|r| r.is_empty() || r.contains(char::is_whitespace)) {
        return Err(doc.err_help(
            value.span(),
            format!("`{what}` must be an http:// or https:// URL, not `{s}`"),
            "write the full URL, e.g. `https://example.com/tool-{version}-{os}-{arch}.tar.gz`",
        ));
    }
    Ok(s.to_string())
}

fn sha256(doc: &Doc<'_>, value: &Value<'_>) -> Res<String> {
    let s = doc.string(value, "sha256")?;
    if s.len() != 64 || !s.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(doc.err(value.span(), "`sha256` must be 64 hexadecimal characters"));
    }
    Ok(s.to_ascii_lowercase())
}

fn bin(doc: &Doc<'_>, value: &Value<'_>) -> Res<Vec<String>> {
    let bins = match value.get_ref() {
        DeValue::String(s) => vec![(s.to_string(), value.span())],
        _ => doc
            .strings(value, "bin")
            .map_err(|_| doc.wrong(value, "bin", "a string or an array of strings"))?,
    };
    bins.into_iter()
        .map(|(b, span)| {
            if b.is_empty() || b.starts_with('/') || b.split('/').any(|part| part == "..") {
                Err(doc.err(span, format!("`bin` entry `{b}` must be a relative path inside the tool")))
            } else {
                Ok(b)
            }
        })
        .collect()
}
