//! `den.toml` → [`Manifest`]: the toml crate parses (keeping spans and order), this module
//! walks the tree and validates every key against the schema of spec §2 and §7. No serde
//! derive at the top level, so that every problem can point at its key or value; no I/O
//! here (callers hand in the text).

pub mod cache;
mod env;
#[cfg(test)]
mod fuzz_tests;
mod services;
#[cfg(test)]
mod services_tests;
#[cfg(test)]
mod tests;
mod tools;
mod versions;
pub use crate::diag::walk;

use std::path::Path;

use indexmap::IndexMap;

pub use tools::{SYSTEM, tools, url};
use walk::{Doc, Res, Value};

use super::{Enter, Ide, Manifest, Service};
use crate::diag::suggest;

/// The top-level keys of `den.toml`.
pub const TOP_KEYS: &[&str] = &["tools", "env", "services", "enter", "ide", "cache"];

/// Parses and validates the text of a `den.toml` found at `file`.
pub fn manifest(file: &Path, source: &str) -> Res<Manifest> {
    let doc = Doc::new(file, source);
    let root = doc.parse()?;
    doc.check_keys(&root, TOP_KEYS, "den.toml")?;
    let mut m = Manifest::default();
    let mut enter_value = None;
    for (key, value) in &root {
        match key.get_ref().as_ref() {
            "tools" => (m.tools, m.venv) = tools::manifest_tools(&doc, value)?,
            "env" => (m.env, m.dotenv) = env::env(&doc, value)?,
            "services" => m.services = services::services(&doc, value)?,
            "enter" => enter_value = Some(value),
            "ide" => m.ide = ide(&doc, value)?,
            "cache" => {
                let table = doc.table(value, "cache")?;
                doc.check_keys(table, cache::CACHE_KEYS, "[cache]")?;
                for (_, v) in table {
                    m.cache = cache::urls(&doc, v, false)?;
                }
            }
            _ => unreachable!("keys were checked"),
        }
    }
    if let Some(value) = enter_value {
        m.enter = enter(&doc, value, &m.services)?;
    }
    Ok(m)
}

/// Why den.toml would refuse `name = { version, source }` in `[tools]` (an unknown tool, a
/// spec den cannot read or no version can meet), in one line; `None` when it is fine.
/// `den init` leaves such entries of foreign files out of the den.toml it writes.
pub fn refused_tool(name: &str, version: &str, source: Option<&str>) -> Option<String> {
    let quote = |s: &str| toml::Value::String(s.to_string()).to_string();
    let source = source.map(|s| format!(", source = {}", quote(s))).unwrap_or_default();
    let text = format!("[tools]\n{} = {{ version = {}{source} }}\n", quote(name), quote(version));
    let d = manifest(Path::new("den.toml"), &text).err()?;
    Some(match &d.help {
        Some(help) => format!("{} ({help})", d.message),
        None => d.message.clone(),
    })
}

fn enter(doc: &Doc<'_>, value: &Value<'_>, services: &IndexMap<String, Service>) -> Res<Enter> {
    let table = doc.table(value, "enter")?;
    doc.check_keys(table, &["services"], "[enter]")?;
    let mut enter = Enter::default();
    for (_, v) in table {
        for (name, span) in doc.strings(v, "services")? {
            if !services.contains_key(&name) {
                let message = match suggest(&name, services.keys().map(String::as_str)) {
                    Some(near) => format!("[enter] names unknown service `{name}`; did you mean `{near}`?"),
                    None => format!("[enter] names unknown service `{name}`"),
                };
                return Err(doc.err_help(span, message, services::declared(services)));
            }
            enter.services.push(name);
        }
    }
    Ok(enter)
}

fn ide(doc: &Doc<'_>, value: &Value<'_>) -> Res<Ide> {
    let table = doc.table(value, "ide")?;
    doc.check_keys(table, &["editor"], "[ide]")?;
    let mut ide = Ide::default();
    for (_, v) in table {
        ide.editor = Some(doc.nonempty(v, "editor")?.to_string());
    }
    Ok(ide)
}
