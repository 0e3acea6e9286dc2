//! The built-in tool definitions: one small TOML data file per tool under `tools/`,
//! embedded in the binary, read into the typed model the resolver and the store use.
//! Also turns a den.toml `source`/`url` override into the same model. Never touches the
//! network, and never names a package registry's host: npm and PyPI sources are
//! `npm:<package>` / `pypi:<package>`, their base URLs come from configuration.

mod home;
mod model;
mod raw;
pub mod short;
mod template;

#[cfg(test)]
mod tests;

pub use crate::artifact::{Arch, Os, Platform};
pub use home::Places;
pub use model::{Alias, Bundle, Checksum, Lts, PostInstall, Source, SourceKind, Target, Tool, VersionList};
pub use template::{JsonPath, Template, Vars};
#[cfg(test)]
use {model::Override, template::PLACEHOLDERS};

/// Embeds `tools/<name>.toml` for each name, in order.
macro_rules! embed {
    ($($name:literal),* $(,)?) => {
        &[$(($name, include_str!(concat!("tools/", $name, ".toml")))),*]
    };
}

/// Every built-in definition: (tool name, TOML text), sorted by name.
const FILES: &[(&str, &str)] = embed!(
    "bat",
    "biome",
    "bun",
    "cmake",
    "deno",
    "dotnet",
    "elixir",
    "erlang",
    "esbuild",
    "fd",
    "gh",
    "go",
    "golangci-lint",
    "gradle",
    "helm",
    "java",
    "jq",
    "just",
    "kubectl",
    "ninja",
    "node",
    "pnpm",
    "postgres",
    "protoc",
    "python",
    "redis",
    "ripgrep",
    "ruby",
    "ruff",
    "rust",
    "rust-analyzer",
    "shellcheck",
    "shfmt",
    "terraform",
    "uv",
    "valkey",
    "yarn",
    "yq",
    "zig",
);

/// The names of every built-in tool, sorted.
pub fn names() -> impl Iterator<Item = &'static str> {
    FILES.iter().map(|(name, _)| *name)
}

/// Whether den installs `name` by name: a catalog tool or a short name of the index.
pub fn known(name: &str) -> bool {
    names().any(|n| n == name) || short::source_of(name).is_some()
}

/// The built-in definition of `name`: the catalog's, else the short-name index's (an aqua
/// registry package).
pub fn get(name: &str) -> Result<Tool, Error> {
    if !FILES.iter().any(|(n, _)| *n == name)
        && let Some(found) = short::tool(name)
    {
        return found;
    }
    let (_, text) = FILES.iter().find(|(n, _)| *n == name).ok_or_else(|| Error::UnknownTool {
        name: name.to_string(),
        suggestion: names()
            .map(|n| (strsim::jaro_winkler(n, name), n))
            .filter(|(score, _)| *score > 0.8)
            .max_by(|a, b| a.0.total_cmp(&b.0))
            .map(|(_, n)| n.to_string()),
    })?;
    parse(name, text)
}

/// Whether `name`'s built-in definition may have a runtime's home (`[env]` or `path`): a
/// look at its text, so the hook's path parses only the definitions that do.
pub fn may_have_home(name: &str) -> bool {
    FILES.iter().any(|(n, text)| *n == name && (text.contains("\n[env]") || text.contains("\npath = ")))
}

/// Reads one definition file (built-in or, later, user-provided).
pub fn parse(name: &str, text: &str) -> Result<Tool, Error> {
    let invalid = |message: String| Error::Invalid { tool: name.to_string(), message };
    let raw: raw::RawTool = toml::from_str(text).map_err(|e| invalid(e.message().to_string()))?;
    raw.into_tool(name).map_err(invalid)
}

/// A den.toml override (`source = "github:jqlang/jq"`, `url = "..."` with `sha256`,
/// `bin = [...]`) as a source of the same model as the built-in ones.
pub fn source_from_request(
    tool: &str,
    source: Option<&str>,
    url: Option<&str>,
    sha256: Option<&str>,
    bin: &[String],
) -> Result<Source, Error> {
    let bin = if bin.is_empty() { vec![tool.to_string()] } else { bin.to_vec() };
    let raw = raw::RawSource::from_request(source, url, sha256, bin);
    raw.into_source().map_err(|message| Error::Invalid { tool: tool.to_string(), message })
}

/// The sources a tool request names: its own `source`/`url` when it has one, else the
/// catalog's definition of `name`; `None` when the request's source does not parse or den
/// has no definition (what den.lock's checks then leave to the resolver).
pub fn sources_of(
    name: &str,
    source: Option<&str>,
    url: Option<&str>,
    bin: &[String],
) -> Option<Vec<Source>> {
    if source.is_some() || url.is_some() {
        source_from_request(name, source, url, None, bin).ok().map(|s| vec![s])
    } else {
        get(name).ok().map(|tool| tool.sources)
    }
}

/// A tool den has no definition for, or a definition that does not hold together.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    #[error("den has no built-in definition of `{name}`")]
    UnknownTool { name: String, suggestion: Option<String> },
    #[error("the definition of `{tool}` is invalid: {message}")]
    Invalid { tool: String, message: String },
}

impl crate::hint::Hint for Error {
    /// What the user should do next.
    fn hint(&self) -> Option<String> {
        match self {
            Error::UnknownTool { name, suggestion: Some(s) } => Some(format!(
                "did you mean `{s}`? Otherwise give `{name}` a `source` (github:owner/repo, npm:<package>, \
                 pypi:<package>) or a `url` in den.toml"
            )),
            Error::UnknownTool { name, suggestion: None } => Some(format!(
                "give `{name}` a `source` (github:owner/repo, npm:<package>, pypi:<package>) or a `url` in den.toml"
            )),
            Error::Invalid { .. } => {
                Some("fix the tool's `source`/`url` settings in den.toml (see `den help`)".into())
            }
        }
    }
}
