//! den's own edits of den.toml (`den add`, `den remove`): `[tools]` entries added, changed
//! or removed with `toml_edit`, so every comment, blank line and layout choice of the user
//! stays as it was. Written through `trust::write_own_edit`, so a trusted den.toml stays
//! trusted.
//!
//! Decisions: a missing `[tools]` table is created after the file's leading comment block
//! (the comment lines up to the last blank line before the first table), else at the top;
//! changing an existing entry keeps its form (string, inline table or `[tools.x]` table)
//! and its comments; removing an entry removes the comment lines directly above it.
//! Must never write a den.toml that den itself would refuse: the result is validated first.

mod arg;
#[cfg(test)]
mod tests;

use std::path::{Path, PathBuf};

use toml_edit::{DocumentMut, Item, TableLike, Value};

pub use arg::{ToolArg, parse as parse_arg, parse_one_off as parse_one_off_arg};

use crate::diag::suggest;
use crate::project::Diagnostic;

/// Why den could not edit den.toml.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A `den add` argument den cannot read.
    #[error("cannot add `{arg}`: {reason}")]
    BadArg { arg: String, reason: String, help: String },
    /// `den remove` of a tool den.toml does not list.
    #[error("{} has no tool `{tool}`", file.display())]
    Absent { tool: String, file: PathBuf, suggestion: Option<String> },
    /// den.toml is not valid as it is (fix it first), or the edit would make it invalid.
    #[error("{0}")]
    Invalid(Box<Diagnostic>),
    #[error("cannot read {}: {source}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(transparent)]
    Write(#[from] crate::trust::Error),
}

impl crate::hint::Hint for Error {
    /// What the user should do next.
    fn hint(&self) -> Option<String> {
        match self {
            Error::BadArg { help, .. } => Some(help.clone()),
            Error::Absent { suggestion: Some(s), .. } => Some(format!("did you mean `{s}`?")),
            Error::Absent { .. } => Some("`den ls` lists the project's tools".into()),
            Error::Invalid(d) => d.help.clone(),
            Error::Read { .. } => None,
            Error::Write(e) => e.hint(),
        }
    }
}

/// `den add`: puts each tool in `file`'s `[tools]` (creating the file if needed) and
/// writes it, keeping it trusted if it was. Returns the new text.
pub fn add(file: &Path, args: &[ToolArg]) -> Result<String, Error> {
    let text = read(file, true)?;
    let new = add_to_text(file, &text, args)?;
    write(file, &text, &new)?;
    Ok(new)
}

/// The spec `den add tool` (no version) writes once `version` is installed: its major line
/// (`2.6.1` → `2`), so the project stays on what the user got until they widen it. Below 1.0
/// a minor is a major (`0.6.9` → `0.6`), and below 0.1 the version itself (`0.0.3`); a
/// pre-release, or a version without numbers, is pinned exactly.
pub fn pin_of(version: &str) -> Option<String> {
    let v = crate::version::Version::parse(version).ok()?;
    if v.is_prerelease() {
        return Some(v.bare().to_string());
    }
    Some(match v.components() {
        [] => return None,
        [0, 0, ..] | [0] => v.bare().to_string(),
        [0, minor, ..] => format!("0.{minor}"),
        [major, ..] => major.to_string(),
    })
}

/// `den remove`: takes the tools out of `file`'s `[tools]` and writes it. Returns the new text.
pub fn remove(file: &Path, names: &[String]) -> Result<String, Error> {
    let text = read(file, false)?;
    let new = remove_from_text(file, &text, names)?;
    write(file, &text, &new)?;
    Ok(new)
}

fn read(file: &Path, missing_ok: bool) -> Result<String, Error> {
    match crate::fs_util::read_input_string(file) {
        Ok(text) => Ok(text),
        Err(e) if missing_ok && e.kind() == std::io::ErrorKind::NotFound => Ok(String::new()),
        Err(source) => Err(Error::Read { path: file.to_path_buf(), source }),
    }
}

fn write(file: &Path, old: &str, new: &str) -> Result<(), Error> {
    if old != new || !file.exists() {
        crate::trust::write_own_edit(file, new.as_bytes())?;
    }
    Ok(())
}

/// The text of den.toml `text` (read from `file`) with `args` added or updated.
pub fn add_to_text(file: &Path, text: &str, args: &[ToolArg]) -> Result<String, Error> {
    validate(file, text)?;
    let mut doc = parse(file, &with_tools_table(text))?;
    let inline = doc.get("tools").is_some_and(Item::is_inline_table);
    let tools = tools_table(&mut doc).expect("the table was just made");
    for arg in args {
        match tools.get_mut(&arg.name) {
            Some(item) => update(item, arg),
            None => insert(tools, inline, &arg.name, new_entry(arg)),
        }
    }
    let out = doc.to_string();
    validate_result(file, &out, args)?;
    Ok(out)
}

/// The text of den.toml `text` (read from `file`) without the tools `names`.
pub fn remove_from_text(file: &Path, text: &str, names: &[String]) -> Result<String, Error> {
    validate(file, text)?;
    let mut doc = parse(file, text)?;
    let absent = |tool: &str, keys: Vec<String>| Error::Absent {
        tool: tool.to_string(),
        file: file.to_path_buf(),
        suggestion: suggest(tool, keys.iter().map(String::as_str)).map(str::to_string),
    };
    let Some(tools) = tools_table(&mut doc) else {
        return Err(absent(names.first().map_or("", String::as_str), Vec::new()));
    };
    for name in names {
        if tools.remove(name).is_none() {
            return Err(absent(name, tools.iter().map(|(k, _)| k.to_string()).collect()));
        }
    }
    Ok(doc.to_string())
}

fn parse(file: &Path, text: &str) -> Result<DocumentMut, Error> {
    text.parse::<DocumentMut>().map_err(|e| {
        let span = e.span().unwrap_or(0..0);
        let message = format!("invalid TOML: {}", e.message().trim_end().replace('\n', " "));
        Error::Invalid(Box::new(Diagnostic::new(file, text, span, message)))
    })
}

/// den.toml must be valid before den edits it: the error points at the user's own line.
fn validate(file: &Path, text: &str) -> Result<(), Error> {
    crate::project::parse::manifest(file, text).map(drop).map_err(Error::Invalid)
}

/// A valid file that becomes invalid by the edit: the argument is at fault.
fn validate_result(file: &Path, text: &str, args: &[ToolArg]) -> Result<(), Error> {
    crate::project::parse::manifest(file, text).map(drop).map_err(|d| {
        let arg = args.iter().find(|a| d.snippet.contains(&a.name)).or(args.first());
        Error::BadArg {
            arg: arg.map_or(String::new(), |a| a.name.clone()),
            reason: d.message.clone(),
            help: d.help.clone().unwrap_or_else(|| "see `den add --help`".into()),
        }
    })
}

fn tools_table(doc: &mut DocumentMut) -> Option<&mut dyn TableLike> {
    doc.get_mut("tools").and_then(Item::as_table_like_mut)
}

/// `text` with an empty `[tools]` table added when it has none.
fn with_tools_table(text: &str) -> String {
    let has_tools = text.parse::<DocumentMut>().is_ok_and(|d| d.contains_key("tools"));
    if has_tools {
        return text.to_string();
    }
    // The leading run of comment and blank lines; the table goes after its last blank line.
    let mut at = 0;
    let mut offset = 0;
    let mut content = false;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim();
        if trimmed.is_empty() {
            at = offset + line.len();
        } else if !trimmed.starts_with('#') {
            content = true;
            break;
        }
        offset += line.len();
    }
    if !content {
        let sep = match text {
            "" => "",
            t if t.trim().is_empty() => "",
            t if t.ends_with('\n') => "\n",
            _ => "\n\n",
        };
        let head = if text.trim().is_empty() { "" } else { text };
        return format!("{head}{sep}[tools]\n");
    }
    format!("{}[tools]\n\n{}", &text[..at], &text[at..])
}

/// Appends an entry; in an inline table the space before `}` stays before `}`.
fn insert(tools: &mut dyn TableLike, inline: bool, name: &str, mut value: Value) {
    let last = tools.iter_mut().last().map(|(_, item)| item);
    if inline
        && let Some(Item::Value(last)) = last
        && let Some(suffix) = last.decor().suffix().cloned()
    {
        last.decor_mut().set_suffix("");
        value.decor_mut().set_suffix(suffix);
    }
    tools.insert(name, Item::Value(value));
}

/// A new entry: `"22"`, or `{ version = "1.9", source = "npm:…" }` for a package.
fn new_entry(arg: &ToolArg) -> Value {
    match &arg.source {
        None => Value::from(arg.spec.as_str()),
        Some(source) => {
            let mut t = toml_edit::InlineTable::new();
            t.insert("version", Value::from(arg.spec.as_str()));
            t.insert("source", Value::from(source.as_str()));
            Value::InlineTable(t)
        }
    }
}

/// Changes an existing entry's version (and source) in place, keeping its form and comments.
fn update(item: &mut Item, arg: &ToolArg) {
    if let Some(table) = item.as_table_like_mut() {
        set_keeping_decor(table, "version", &arg.spec);
        if let Some(source) = &arg.source {
            table.remove("url");
            table.remove("sha256");
            set_keeping_decor(table, "source", source);
        }
        return;
    }
    if let Some(value) = item.as_value_mut() {
        let decor = value.decor().clone();
        *value = new_entry(arg);
        *value.decor_mut() = decor;
    }
}

fn set_keeping_decor(table: &mut dyn TableLike, key: &str, text: &str) {
    match table.get_mut(key).and_then(Item::as_value_mut) {
        Some(value) => {
            let decor = value.decor().clone();
            *value = Value::from(text);
            *value.decor_mut() = decor;
        }
        None => {
            table.insert(key, Item::Value(Value::from(text)));
        }
    }
}
