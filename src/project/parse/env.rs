//! `[env]`: variables in file order and the `dotenv` list. Checks the form only; never
//! reads a secret file, runs a command or expands `${NAME}` (the env module does, at
//! activation).
//!
//! Decision: integers, floats and booleans are accepted as values and kept as their
//! string form (`PORT = 3000` sets `3000`, `DEBUG = true` sets `true`; hex/octal/binary
//! integers become decimal, floats keep their written text). Dates are refused.
//! `dotenv` is reserved for the dotenv list, so it cannot name a variable.

use std::ops::Range;

use toml::de::DeValue;

use super::walk::{Doc, Key, Res, Value, integer};
use crate::project::{Dotenv, EnvEntry, EnvValue};

pub(super) const ACTIONS: &[&str] = &["prepend", "append", "file", "command", "unset"];

/// Reads `[env]` into its entries and its dotenv files.
pub fn env(doc: &Doc<'_>, value: &Value<'_>) -> Res<(Vec<EnvEntry>, Vec<Dotenv>)> {
    let table = doc.table(value, "env")?;
    let mut entries = Vec::new();
    let mut dotenv = Vec::new();
    for (key, value) in table {
        if key.get_ref() == "dotenv" {
            for (path, span) in doc.strings(value, "dotenv")? {
                if path.is_empty() {
                    return Err(doc.err(span, "`dotenv` entries must not be empty"));
                }
                dotenv.push(Dotenv { path, at: doc.at(span) });
            }
            continue;
        }
        entries.push(entry(doc, key, value)?);
    }
    Ok((entries, dotenv))
}

/// Checks a variable name: `[A-Za-z_][A-Za-z0-9_]*` (shared with service `env`).
pub fn var_name(doc: &Doc<'_>, key: &Key<'_>) -> Res<String> {
    let name: &str = key.get_ref();
    let ok = name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !ok {
        return Err(doc.err_help(
            key.span(),
            format!("invalid variable name `{name}`"),
            "variable names are letters, digits and `_`, not starting with a digit",
        ));
    }
    Ok(name.to_string())
}

/// A plain value: a string, or a number or boolean in its string form.
pub fn scalar(doc: &Doc<'_>, value: &Value<'_>, name: &str) -> Res<String> {
    match value.get_ref() {
        DeValue::String(s) => Ok(s.to_string()),
        DeValue::Integer(_) => integer(value)
            .map(|i| i.to_string())
            .ok_or_else(|| doc.err(value.span(), format!("`{name}` is too large for an integer"))),
        DeValue::Float(f) => Ok(f.as_str().to_string()),
        DeValue::Boolean(b) => Ok(b.to_string()),
        _ => Err(doc.wrong(value, name, "a string")),
    }
}

fn entry(doc: &Doc<'_>, key: &Key<'_>, value: &Value<'_>) -> Res<EnvEntry> {
    let name = var_name(doc, key)?;
    let at = doc.at(key.span());
    let Some(table) = value.get_ref().as_table() else {
        if value.get_ref().is_array() {
            return Err(doc.err_help(
                value.span(),
                format!("`{name}` must be a string or a table, not an array"),
                format!("to add to a list-like variable write `{name} = {{ prepend = [...] }}` or `{{ append = [...] }}`"),
            ));
        }
        return Ok(EnvEntry { value: EnvValue::Set(scalar(doc, value, &name)?), name, at });
    };
    doc.check_keys(table, ACTIONS, &format!("`{name}`"))?;
    let mut actions = table.iter();
    let (Some((action, action_value)), None) = (actions.next(), actions.next()) else {
        return Err(one_action(doc, value.span(), &name, table.len()));
    };
    let what: &str = action.get_ref();
    let value = match what {
        "prepend" => EnvValue::Prepend(paths(doc, action_value, what)?),
        "append" => EnvValue::Append(paths(doc, action_value, what)?),
        "file" => EnvValue::File(doc.nonempty(action_value, what)?.to_string()),
        "command" => EnvValue::Command(doc.nonempty(action_value, what)?.to_string()),
        "unset" => match doc.boolean(action_value, what)? {
            true => EnvValue::Unset,
            false => {
                return Err(doc.err_help(
                    action_value.span(),
                    "`unset = false` does nothing",
                    format!("remove the `{name}` entry, or write `{name} = {{ unset = true }}`"),
                ));
            }
        },
        _ => unreachable!("keys were checked"),
    };
    Ok(EnvEntry { name, value, at })
}

fn paths(doc: &Doc<'_>, value: &Value<'_>, what: &str) -> Res<Vec<String>> {
    let items = doc.strings(value, what)?;
    if let Some((_, span)) = items.iter().find(|(p, _)| p.is_empty()) {
        return Err(doc.err(span.clone(), format!("`{what}` entries must not be empty")));
    }
    Ok(items.into_iter().map(|(p, _)| p).collect())
}

fn one_action(
    doc: &Doc<'_>,
    span: Range<usize>,
    name: &str,
    found: usize,
) -> Box<crate::project::Diagnostic> {
    let message = match found {
        0 => format!("`{name}` is an empty table"),
        _ => format!("`{name}` has {found} actions; it takes exactly one"),
    };
    doc.err_help(
        span,
        message,
        "use exactly one of `prepend = [..]`, `append = [..]`, `file = \"..\"`, `command = \"..\"`, \
         `unset = true`",
    )
}
