//! Everything that can go wrong computing a project's environment, with the variable, the
//! file and line, and what to do about it. Never includes a secret's value.

use std::path::PathBuf;

use crate::project::Location;

use super::template::TemplateError;

/// Problems computing the environment.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("`{name}` ({at}) is not a valid variable name")]
    InvalidName { name: String, at: Location },
    #[error("invalid value of `{name}` ({at}): {source}")]
    Template {
        name: String,
        at: Location,
        #[source]
        source: TemplateError,
    },
    #[error("`{name}` ({at}) refers to `${{{var}}}`, which is not set")]
    Undefined { name: String, at: Location, var: String },
    #[error("variables refer to each other in a cycle: {}", chain_text(.chain))]
    Cycle { chain: Vec<(String, Location)> },
    #[error("`${{...}}` references nest deeper than {limit}, starting from `{name}` ({at})")]
    TooDeep { name: String, at: Location, limit: usize },
    #[error("dotenv file {} does not exist (listed at {at})", path.display())]
    DotenvMissing { path: PathBuf, at: Location },
    #[error("cannot read dotenv file {}: {source}", path.display())]
    DotenvRead {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{}:{line}: {message}", path.display())]
    DotenvSyntax { path: PathBuf, line: usize, message: String },
    /// A dotenv file a repository tracks changed since its project was trusted.
    #[error("{} changed since you trusted {} and is part of the repository", path.display(), project.display())]
    DotenvChanged { path: PathBuf, project: PathBuf },
    #[error("secret file {} for `{name}` ({at}) does not exist", path.display())]
    SecretMissing { name: String, at: Location, path: PathBuf },
    #[error("cannot read secret file {} for `{name}` ({at}): {reason}", path.display())]
    SecretRead { name: String, at: Location, path: PathBuf, reason: String },
    #[error("`{name}` ({at}) reads from `~` but HOME is not set")]
    NoHome { name: String, at: Location },
    #[error("`{name}` ({at}) runs `{command}`, and commands run only in trusted projects")]
    Untrusted { name: String, at: Location, command: String },
    #[error("cannot run `{command}` for `{name}` ({at}): {source}")]
    CommandSpawn {
        name: String,
        at: Location,
        command: String,
        #[source]
        source: std::io::Error,
    },
    #[error("`{command}` for `{name}` ({at}) {status}")]
    CommandFailed { name: String, at: Location, command: String, status: String },
    #[error("the directory {} is not valid UTF-8, and den's variables (DEN_ROOT, PATH) hold text", crate::ui::shown_path(.path))]
    NotUtf8 { path: PathBuf },
    #[error("cannot keep the previous values of the variables den changes in {}: {source}", dir.display())]
    Keep {
        dir: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot keep the port or password of service `{service}` in {}: {source}", path.display())]
    ServiceState {
        service: String,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("`{name}` is not set by this project nor in the environment")]
    NotSet { name: String, suggestion: Option<String> },
}

fn chain_text(chain: &[(String, Location)]) -> String {
    let mut parts: Vec<String> = chain.iter().map(|(n, at)| format!("`{n}` ({at})")).collect();
    if let Some((first, _)) = chain.first() {
        parts.push(format!("`{first}`"));
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
                format!("create {} (mode 600) holding the secret, or remove the entry", path.display())
            }
            Error::NoHome { .. } => "set HOME, or write the path without `~`".into(),
            Error::Untrusted { .. } => "review den.toml, then run `den trust`".into(),
            Error::CommandSpawn { .. } => "check that `sh` is installed and on PATH".into(),
            Error::CommandFailed { command, .. } => {
                format!("run `{command}` in the project directory to see what fails")
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
            Error::NotSet { suggestion: Some(s), .. } => format!("did you mean `{s}`?"),
            Error::NotSet { suggestion: None, .. } => "run `den explain` to list every variable".into(),
        })
    }
}
