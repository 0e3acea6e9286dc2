//! Everything that can go wrong computing a project's environment, with the variable, the
//! file and line, and what to do about it. Never includes a secret's value; every name,
//! command and path a project wrote is shown escaped (`ui::escaped`, `ui::shown_path`).

use std::path::PathBuf;

use crate::project::Location;
use crate::ui::{escaped, shown_path};

use super::template::TemplateError;

/// Problems computing the environment.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("`{}` ({at}) is not a valid variable name", escaped(name))]
    InvalidName { name: String, at: Location },
    #[error("invalid value of `{}` ({at}): {source}", escaped(name))]
    Template {
        name: String,
        at: Location,
        #[source]
        source: TemplateError,
    },
    #[error("`{}` ({at}) refers to `${{{}}}`, which is not set", escaped(name), escaped(var))]
    Undefined { name: String, at: Location, var: String },
    #[error("variables refer to each other in a cycle: {}", chain_text(.chain))]
    Cycle { chain: Vec<(String, Location)> },
    #[error("`${{...}}` references nest deeper than {limit}, starting from `{}` ({at})", escaped(name))]
    TooDeep { name: String, at: Location, limit: usize },
    #[error("dotenv file {} does not exist (listed at {at})", shown_path(path))]
    DotenvMissing { path: PathBuf, at: Location },
    #[error("cannot read dotenv file {}: {source}", shown_path(path))]
    DotenvRead {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{}:{line}: {}", shown_path(path), escaped(message))]
    DotenvSyntax { path: PathBuf, line: usize, message: String },
    /// A dotenv file a repository tracks changed since its project was trusted.
    #[error(
        "{} changed since you trusted {} and is part of the repository",
        shown_path(path),
        shown_path(project)
    )]
    DotenvChanged { path: PathBuf, project: PathBuf },
    #[error("secret file {} for `{}` ({at}) does not exist", shown_path(path), escaped(name))]
    SecretMissing { name: String, at: Location, path: PathBuf },
    #[error("cannot read secret file {} for `{}` ({at}): {reason}", shown_path(path), escaped(name))]
    SecretRead { name: String, at: Location, path: PathBuf, reason: String },
    #[error("`{}` ({at}) reads from `~` but HOME is not set", escaped(name))]
    NoHome { name: String, at: Location },
    #[error(
        "`{}` ({at}) runs `{}`, and commands run only in trusted projects",
        escaped(name),
        escaped(command)
    )]
    Untrusted { name: String, at: Location, command: String },
    #[error("cannot run `{}` for `{}` ({at}): {source}", escaped(command), escaped(name))]
    CommandSpawn {
        name: String,
        at: Location,
        command: String,
        #[source]
        source: std::io::Error,
    },
    #[error("`{}` for `{}` ({at}) {status}", escaped(command), escaped(name))]
    CommandFailed { name: String, at: Location, command: String, status: String },
    #[error(
        "the directory {} is not valid UTF-8, and den's variables (DEN_ROOT, PATH) hold text",
        shown_path(path)
    )]
    NotUtf8 { path: PathBuf },
    #[error("cannot keep the previous values of the variables den changes in {}: {source}", shown_path(dir))]
    Keep {
        dir: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "cannot keep the port or password of service `{}` in {}: {source}",
        escaped(service),
        shown_path(path)
    )]
    ServiceState {
        service: String,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("`{}` is not set by this project nor in the environment", escaped(name))]
    NotSet { name: String, suggestion: Option<String> },
}

fn chain_text(chain: &[(String, Location)]) -> String {
    let mut parts: Vec<String> = chain.iter().map(|(n, at)| format!("`{}` ({at})", escaped(n))).collect();
    if let Some((first, _)) = chain.first() {
        parts.push(format!("`{}`", escaped(first)));
    }
    parts.join(" → ")
}

impl crate::hint::Hint for Error {
    /// What the user should do next.
    fn hint(&self) -> Option<String> {
        Some(match self {
            Error::InvalidName { .. } => {
                "names are letters, digits and `_`, not starting with a digit".into()
            }
            Error::Template { source, .. } => return source.hint(),
            Error::Undefined { var, .. } => {
                let var = escaped(var);
                format!(
                    "define `{var}` in [env] or in the environment, or give a default: `${{{var}:-default}}`"
                )
            }
            Error::Cycle { .. } => "make one of these values not depend on the others".into(),
            Error::TooDeep { .. } => {
                "give some of these variables their value directly instead of through another variable".into()
            }
            Error::DotenvMissing { .. } => "create the file, or remove it from `dotenv` in den.toml".into(),
            Error::DotenvChanged { .. } => "run `den trust` to review the change".into(),
            Error::DotenvRead { .. } | Error::SecretRead { .. } => "check the file's permissions".into(),
            Error::DotenvSyntax { .. } => {
                "write `NAME=value`, `NAME='literal'` or `NAME=\"with\\nescapes\"`, one per line".into()
            }
            Error::SecretMissing { path, .. } => {
                format!("create {} (mode 600) holding the secret, or remove the entry", shown_path(path))
            }
            Error::NoHome { .. } => "set HOME, or write the path without `~`".into(),
            Error::Untrusted { .. } => "review den.toml, then run `den trust`".into(),
            Error::CommandSpawn { .. } => "check that `sh` is installed and on PATH".into(),
            Error::CommandFailed { command, .. } => {
                format!("run `{}` in the project directory to see what fails", escaped(command))
            }
            Error::NotUtf8 { .. } => {
                "rename it (or the directory above it with such a name) to a UTF-8 name".into()
            }
            Error::Keep { .. } => {
                "den keeps them there, out of the environment: make the directory writable, or set DEN_HOME"
                    .into()
            }
            Error::ServiceState { .. } => {
                "make den's data directory (DEN_HOME, else $XDG_DATA_HOME/den) writable by you".into()
            }
            Error::NotSet { suggestion: Some(s), .. } => format!("did you mean `{}`?", escaped(s)),
            Error::NotSet { suggestion: None, .. } => "run `den explain` to list every variable".into(),
        })
    }
}
