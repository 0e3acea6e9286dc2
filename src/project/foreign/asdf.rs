//! `.tool-versions` (asdf, also read by mise): `name version [fallback...]` per line, `#`
//! comments anywhere. The first version is taken and the fallbacks are named in a note;
//! `system`, `ref:` and `path:` are not imported, with a note.
//!
//! Decision: asdf-nodejs's `lts-<codename>` is `lts/<codename>`, its `lts` is `lts`.

use super::text::uncomment;
use super::{File, den_tool, unknown_tool};

/// Reads the file's lines into `file`.
pub fn read(text: &str, file: &mut File) {
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        let mut words = uncomment(raw).split_whitespace();
        let Some(name) = words.next() else { continue };
        let versions: Vec<&str> = words.collect();
        // mise reads `aqua:helm/helm 3.16` here too.
        let mapped =
            name.split_once(':').and_then(|(kind, target)| super::backend::catalog_tool(kind, target));
        let Some(tool) = den_tool(name).or(mapped) else {
            file.note(line, unknown_tool(name));
            continue;
        };
        if mapped.is_some() {
            file.note(line, super::backend::mapped_note(name, tool));
        }
        let Some((first, rest)) = versions.split_first() else {
            file.note(line, format!("{tool} not imported: the line has no version"));
            continue;
        };
        let version = match first.strip_prefix("lts-") {
            Some(codename) if tool == "node" => format!("lts/{codename}"),
            _ => first.to_string(),
        };
        match file.add(tool, &version, None, line) {
            Err(why) => file.note(line, format!("{tool} not imported: {why}")),
            Ok(()) if !rest.is_empty() => {
                let rest: Vec<String> = rest.iter().map(|v| format!("`{v}`")).collect();
                file.note(
                    line,
                    format!("{tool}: the first version, `{first}`, wins; {} ignored", rest.join(", ")),
                );
            }
            Ok(()) => {}
        }
    }
}
