//! Turns a project into the list of definitions to resolve: den's own values, the `[env]`
//! entries (names checked, values parsed as templates) and the entries of each dotenv
//! file, read from disk here. Reads files; never runs anything.
//!
//! A dotenv file of a den.toml project applies only as trust allows (`trust::dotenv_allowed`,
//! decided on the very bytes parsed here): a file a repository tracks that changed since
//! `den trust` is refused, so a `git pull` cannot slip `PROMPT_COMMAND` or `LD_PRELOAD` in.

use std::io::ErrorKind;
use std::path::{Path, PathBuf};

use indexmap::IndexMap;

use crate::project::{Dotenv, EnvValue, Location, Origin, Project};

use super::Error;
use super::dotenv;
use super::resolve::{Def, Kind};
use super::template::{Template, is_valid_name};

/// `DEN_ROOT`, `DEN_PROJECT` and `DEN_STATE_DIR` (the project's `.den/state`, named so that
/// it cannot be mistaken for the hook's `__DEN_STATE`), available to every `${...}`.
pub fn den_values(root: &Path) -> IndexMap<String, String> {
    let text = |p: &Path| p.to_string_lossy().into_owned();
    let name = root.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    IndexMap::from([
        ("DEN_ROOT".to_string(), text(root)),
        ("DEN_PROJECT".to_string(), name),
        ("DEN_STATE_DIR".to_string(), text(&crate::paths::DenDir::of(root).state())),
    ])
}

/// The `[env]` entries then every dotenv file's entries, in order.
pub fn definitions(project: &Project) -> Result<Vec<Def>, Error> {
    let root = &project.root;
    let mut defs = Vec::new();
    for entry in &project.manifest.env {
        let at = relative(root, &entry.at);
        let name = entry.name.clone();
        if !is_valid_name(&name) {
            return Err(Error::InvalidName { name, at });
        }
        let parse = |text: &str| {
            Template::parse(text).map_err(|source| Error::Template {
                name: name.clone(),
                at: at.clone(),
                source,
            })
        };
        let parse_all = |list: &[String]| list.iter().map(|t| parse(t)).collect::<Result<Vec<_>, _>>();
        let kind = match &entry.value {
            EnvValue::Set(text) => Kind::Set(parse(text)?),
            EnvValue::Prepend(list) => Kind::Prepend(parse_all(list)?),
            EnvValue::Append(list) => Kind::Append(parse_all(list)?),
            EnvValue::File(path) => Kind::File(parse(path)?, path.clone()),
            EnvValue::Command(command) => Kind::Command(command.clone()),
            EnvValue::Unset => Kind::Unset,
        };
        defs.push(Def { name, kind, at, dotenv: false });
    }
    for file in &project.manifest.dotenv {
        defs.extend(dotenv_definitions(project, file)?);
    }
    Ok(defs)
}

fn dotenv_definitions(project: &Project, file: &Dotenv) -> Result<Vec<Def>, Error> {
    let root = &project.root;
    let shown = PathBuf::from(&file.path);
    let text =
        crate::fs_util::read_input_string(&root.join(&file.path)).map_err(|source| match source.kind() {
            ErrorKind::NotFound => Error::DotenvMissing { path: shown.clone(), at: relative(root, &file.at) },
            _ => Error::DotenvRead { path: shown.clone(), source },
        })?;
    if let Origin::DenToml(den_toml) = &project.origin
        && !crate::trust::dotenv_allowed(den_toml, root, &file.path, text.as_bytes())
    {
        return Err(Error::DotenvChanged { path: shown, project: root.clone() });
    }
    let entries = dotenv::parse(&text).map_err(|e| Error::DotenvSyntax {
        path: shown.clone(),
        line: e.line,
        message: e.message,
    })?;
    Ok(entries
        .into_iter()
        .map(|e| Def {
            name: e.name,
            kind: Kind::Set(e.value),
            at: Location { file: shown.clone(), line: e.line },
            dotenv: true,
        })
        .collect())
}

/// The location with its file relative to the project root, as the user thinks of it.
pub(super) fn relative(root: &Path, at: &Location) -> Location {
    Location { file: at.file.strip_prefix(root).unwrap_or(&at.file).to_path_buf(), line: at.line }
}
