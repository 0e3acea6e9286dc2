//! What one-off commands (`den run`, `den x`, `den which`) share besides the store: their
//! errors, reading `tool@spec` arguments into requests (through the one parser,
//! `tools::edit::arg`), and finding a command on a PATH. `launch::run` puts them together.
//!
//! Never writes anything into a project, and never trusts the shell's possibly stale
//! project variables: an applied project (`__DEN_STATE`) is reverted before computing.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use crate::hint::Hint;
use crate::project::{Location, ToolRequest};
use crate::tools::edit;
use crate::tools::{self, Installed};

/// Why a one-off command could not start.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// `den run node@22 node -v`: no `--` between the tools and the command.
    #[error("`den run` needs `--` before the command")]
    NoSeparator { tools: Vec<String> },
    /// `den run ruff@0.6.9`: tools, and no command at all.
    #[error("`den run{}` has no command to run", tools.iter().map(|t| format!(" {t}")).collect::<String>())]
    NoCommand { tools: Vec<String> },
    #[error("cannot read the tool `{arg}`: {reason}")]
    BadTool { arg: String, reason: String, help: String },
    /// `den run -- cmd` where no project governs the directory.
    #[error("no den.toml in {} or any parent directory, so `den run -- {command}` has no environment to run in", dir.display())]
    NoProject { dir: PathBuf, command: String },
    /// The command is neither a binary of the named tools nor on PATH.
    #[error("`{command}` is not a command of {}, nor on PATH", names(provided))]
    CommandNotFound { command: String, provided: Vec<(String, Vec<String>)> },
    #[error("`{command}` is not on PATH")]
    NotOnPath { command: String },
    #[error("{tool} has no binaries to run")]
    NoMainBin { tool: String },
    #[error("cannot run {}: {source}", command.display())]
    Exec {
        command: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// `den which` found nothing.
    #[error("`{name}` is not provided by {}", if *in_project { "the project's tools nor found on PATH" } else { "anything on PATH" })]
    NotFound { name: String, in_project: bool },
    /// `den which node` where the project's node is not installed yet.
    #[error("`{name}` comes from the project's {tool} {spec}, which is not installed")]
    NotInstalled { name: String, tool: String, spec: String },
    #[error(transparent)]
    Tools(#[from] tools::Error),
    /// The failures of the layers a run goes through, boxed to keep this error small.
    #[error(transparent)]
    Project(Box<crate::project::Error>),
    /// The tools, the venv or the environment could not be prepared (but the tools' own
    /// failures, which are [`Error::Tools`] for their one-off advice).
    #[error(transparent)]
    Prepare(Box<super::prepare::Error>),
    #[error(transparent)]
    Trust(Box<crate::trust::Error>),
}

impl From<crate::project::Error> for Error {
    fn from(e: crate::project::Error) -> Self {
        Error::Project(Box::new(e))
    }
}

impl From<super::prepare::Error> for Error {
    fn from(e: super::prepare::Error) -> Self {
        Error::Prepare(Box::new(e))
    }
}

impl From<crate::trust::Error> for Error {
    fn from(e: crate::trust::Error) -> Self {
        Error::Trust(Box::new(e))
    }
}

impl Error {
    /// A failure to prepare a run: the tools' own failures get the advice of a one-off run
    /// (which has no den.toml to edit).
    pub fn prepared(e: super::prepare::Error) -> Self {
        match e {
            super::prepare::Error::Tools(e) => Error::Tools(e),
            other => Error::Prepare(Box::new(other)),
        }
    }
}

fn names(provided: &[(String, Vec<String>)]) -> String {
    provided.iter().map(|(label, _)| label.as_str()).collect::<Vec<_>>().join(", ")
}

impl Error {
    /// Exit status, as a shell gives it: 2 when the command line itself is wrong (like
    /// clap's errors), 127 when the command is not found, 126 when it is found but cannot
    /// be executed (not executable, not a program), else 1.
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::NoSeparator { .. } | Error::NoCommand { .. } | Error::BadTool { .. } => 2,
            Error::CommandNotFound { .. } | Error::NotOnPath { .. } | Error::NoMainBin { .. } => 127,
            Error::Exec { source, .. } => match source.raw_os_error() {
                Some(libc::ENOENT | libc::ENOTDIR) => 127,
                // The command is fine; its environment and arguments are too large.
                Some(libc::E2BIG) => 1,
                _ => 126,
            },
            _ => 1,
        }
    }
}

impl Hint for Error {
    /// What the user should do next.
    fn hint(&self) -> Option<String> {
        Some(match self {
            Error::NoSeparator { tools } => match tools.as_slice() {
                [tool, rest @ ..] if !rest.is_empty() => format!(
                    "put `--` between the tools and the command: `den run {tool} -- {}`",
                    rest.join(" ")
                ),
                _ => "put `--` between the tools and the command: `den run node@22 -- node -v`".into(),
            },
            Error::NoCommand { tools } => {
                let tools = if tools.is_empty() { "node@22".to_string() } else { tools.join(" ") };
                format!(
                    "usage: den run [TOOL@VERSION…] -- COMMAND [ARGS…], e.g. `den run {tools} -- <command>`; `den x {}` runs a tool's own binary",
                    tools.split(' ').next().unwrap_or_default()
                )
            }
            Error::BadTool { help, .. } => help.clone(),
            Error::NoProject { command, .. } => format!(
                "name the tools it needs (`den run node@22 -- {command}`), or run it in a project (`den init` creates one)"
            ),
            Error::CommandNotFound { provided, .. } => provided
                .iter()
                .map(|(label, bins)| match bins.as_slice() {
                    [] => format!("{label} provides no binaries"),
                    bins => format!("{label} provides: {}", bins.join(", ")),
                })
                .collect::<Vec<_>>()
                .join("\n"),
            Error::NotOnPath { .. } => {
                "check the name, or name the tool that provides it: `den run tool@version -- …`".into()
            }
            Error::NoMainBin { .. } => "name the binary with `den run tool@version -- <binary>`".into(),
            Error::Exec { source, .. } if source.raw_os_error() == Some(libc::E2BIG) => {
                "its environment and arguments are more than the system passes to a command (one value at \
                 most 128 KiB): make the project's variables fewer or smaller"
                    .into()
            }
            Error::Exec { .. } => return None,
            Error::NotFound { name, .. } => match crate::catalog::names().find(|n| n == name) {
                Some(tool) => format!(
                    "den provides {tool}: `den x {tool}@<version>`, or `den add {tool}` for the project"
                ),
                None => "check the name; `den ls` lists the project's tools".into(),
            },
            Error::NotInstalled { .. } => "run `den install`".into(),
            Error::Tools(e) => return tools_help(e),
            Error::Project(e) => return e.hint(),
            Error::Prepare(e) => return e.hint(),
            Error::Trust(e) => return e.hint(),
        })
    }
}

/// The resolver's advice speaks of den.toml; a one-off run has none to edit.
fn tools_help(e: &tools::Error) -> Option<String> {
    e.one_off_hint().or_else(|| e.hint())
}

/// Reads `tool@spec` arguments (`jq@1.7`, `npm:@biomejs/biome@2`, `github:jqlang/jq@1.7.1`,
/// `'npm:@esbuild/{os}-{arch}@0.24'`) into requests.
pub fn requests(args: &[String]) -> Result<Vec<tools::adhoc::Request>, Error> {
    args.iter().map(|a| request(a)).collect()
}

fn request(arg: &str) -> Result<tools::adhoc::Request, Error> {
    let parsed = match edit::parse_one_off_arg(arg) {
        Ok(parsed) => parsed,
        Err(e) => {
            let help = e.hint().unwrap_or_default();
            let reason = match e {
                edit::Error::BadArg { reason, .. } => reason,
                other => other.to_string(),
            };
            return Err(Error::BadTool { arg: arg.into(), reason, help });
        }
    };
    Ok(tools::adhoc::Request::new(ToolRequest {
        name: parsed.name,
        version: parsed.spec,
        source: parsed.source,
        url: None,
        sha256: None,
        bin: Vec::new(),
        at: Location { file: PathBuf::from("command line"), line: 0 },
    }))
}

/// The executable `command` names: a path as it is (relative to `cwd`), else the first
/// match on `path`.
pub fn lookup(command: &str, path: Option<&str>, cwd: &Path) -> Option<PathBuf> {
    if command.contains('/') {
        return Some(cwd.join(command));
    }
    path?.split(':').find_map(|dir| {
        let candidate = if dir.is_empty() { cwd.join(command) } else { Path::new(dir).join(command) };
        let meta = std::fs::metadata(&candidate).ok()?;
        (meta.is_file() && meta.permissions().mode() & 0o111 != 0).then_some(candidate)
    })
}

/// The named tools' labels and binary names, for "not a command of" messages.
pub fn provided(tools: &[Installed]) -> Vec<(String, Vec<String>)> {
    tools
        .iter()
        .map(|t| {
            let bins = t.bins.iter().filter_map(|b| b.file_name()).map(|n| n.to_string_lossy().into_owned());
            (format!("{} {}", t.name, t.version), bins.collect())
        })
        .collect()
}

#[cfg(test)]
#[allow(clippy::disallowed_methods, reason = "tests may write freely")]
mod tests {
    use super::*;
    use crate::env::Vars;
    use crate::env::with_tool_dirs as with_path_dirs;

    fn req(arg: &str) -> (String, String, Option<String>) {
        let r = request(arg).unwrap().req;
        (r.name, r.version, r.source)
    }

    #[test]
    fn tool_arguments_of_every_form() {
        assert_eq!(req("jq@1.7"), ("jq".into(), "1.7".into(), None));
        assert_eq!(req("node"), ("node".into(), "latest".into(), None));
        assert_eq!(
            req("github:jqlang/jq@1.7.1"),
            ("jq".into(), "1.7.1".into(), Some("github:jqlang/jq".into()))
        );
        assert_eq!(
            req("npm:@esbuild/{os}-{arch}@0.24"),
            ("esbuild".into(), "0.24".into(), Some("npm:@esbuild/{os}-{arch}".into()))
        );
        assert_eq!(
            req("npm:@biomejs/cli-{os}-{arch}@2"),
            ("biomejs".into(), "2".into(), Some("npm:@biomejs/cli-{os}-{arch}".into()))
        );
        assert_eq!(
            req("npm:node-{os}-{arch}@22"),
            ("node".into(), "22".into(), Some("npm:node-{os}-{arch}".into()))
        );
        let err = request("@biomejs/biome").unwrap_err();
        assert_eq!(
            err.to_string(),
            "cannot read the tool `@biomejs/biome`: a tool name cannot start with `@`"
        );
        assert_eq!(err.hint().unwrap(), "for an npm package write `npm:@biomejs/biome`");
    }

    #[test]
    fn lookup_follows_path_order_and_skips_non_executables() {
        let tmp = tempfile::tempdir().unwrap();
        let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
        std::fs::create_dir_all(&a).unwrap();
        std::fs::create_dir_all(&b).unwrap();
        std::fs::write(a.join("tool"), "").unwrap();
        std::fs::write(b.join("tool"), "").unwrap();
        std::fs::set_permissions(b.join("tool"), std::fs::Permissions::from_mode(0o755)).unwrap();
        let path = format!("{}:{}", a.display(), b.display());
        assert_eq!(lookup("tool", Some(&path), tmp.path()), Some(b.join("tool")));
        assert_eq!(lookup("nope", Some(&path), tmp.path()), None);
        assert_eq!(lookup("./x", Some(&path), tmp.path()), Some(tmp.path().join("./x")));
    }

    #[test]
    fn path_dirs_go_in_front() {
        let vars: Vars = [("PATH".to_string(), "/usr/bin".to_string())].into();
        let out = with_path_dirs(vars, &[PathBuf::from("/t/bin")], &[]);
        assert_eq!(out["PATH"], "/t/bin:/usr/bin");
    }
}
