//! The user config, `config.toml` in den's config dir (`DEN_CONFIG_DIR`, else
//! `$XDG_CONFIG_HOME/den`): machine-wide settings (spec §2, §4, §6) and global `[tools]`.
//! Read with the same located errors as den.toml; a missing file means the defaults.
//! Never writes the file, and never falls back to a default when a setting is invalid.
//!
//! ```toml
//! auto_install = false   # install missing tools from the shell hook
//! offline = false        # never touch the network (same as --offline / DEN_OFFLINE=1)
//! insecure_http = ["mirror.corp.example:8080"]  # hosts den may reach over plain http://
//!
//! [sources]              # base URLs, ahead of the ecosystems' own configuration
//! npm = "https://npm.corp.example/"
//! pypi = "https://pypi.corp.example/simple/"
//! github_api = "https://github.corp.example/api/v3"
//!
//! [mirrors]              # URL prefix -> URL prefix, applied to every URL den fetches
//! "https://nodejs.org/dist/" = "https://mirror.corp.example/node/"
//!
//! [ide]
//! editor = "code"        # what `den ide` starts when neither the command line nor den.toml names one
//!
//! [cache]                # team caches tried before the upstreams (see `cache`)
//! urls = ["oci://registry.corp.example/team/den", { url = "http://nas:8080/den", insecure = true }]
//! offline_ok = false     # `--offline` may still use these caches
//!
//! [aqua]                 # another release of the aqua registry than the one den pins
//! version = "v4.560.0"   # (its files are fetched through [mirrors] like any URL)
//! sha256 = "<the sha256 of its registry.yaml>"
//!
//! [tools]                # machine-wide tools (same forms as den.toml): validated, not applied yet
//! jq = "1.7"
//! ```

use std::path::{Path, PathBuf};

use indexmap::IndexMap;

use crate::diag::walk::{Doc, Res, Value};
use crate::paths;
use crate::project::{Diagnostic, ToolRequest, parse};

/// The config file's name inside the config dir.
pub const FILE: &str = "config.toml";
const TOP_KEYS: &[&str] =
    &["auto_install", "offline", "insecure_http", "sources", "mirrors", "ide", "tools", "cache", "aqua"];
const CACHE_KEYS: &[&str] = &["urls", "offline_ok"];
const SOURCE_KEYS: &[&str] = &["npm", "pypi", "github_api"];

/// The user's settings; `Default` is what den does without a config file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Config {
    /// The file read, `None` when there was none.
    pub file: Option<PathBuf>,
    /// Let the shell hook install missing tools instead of naming them (spec §6).
    pub auto_install: bool,
    /// Never touch the network, as `--offline` does.
    pub offline: bool,
    /// Hosts (`name` or `name:port`, lowercase) den may fetch from over plain `http://`
    /// although they are not this machine: an opt-in per host, kept here and not in
    /// den.toml or den.lock because a repository must never be able to turn TLS off.
    pub insecure_http: Vec<String>,
    pub sources: Sources,
    /// Upstream URL prefix → mirror URL prefix, applied (longest prefix first) to every URL
    /// den fetches: version lists, checksum files, artifacts. den.lock keeps the upstream
    /// URLs, so a lock stays valid on machines with other mirrors (see `resolve::Mirrors`).
    pub mirrors: IndexMap<String, String>,
    /// `[ide] editor`: `den ide`'s editor when den.toml names none.
    pub ide_editor: Option<String>,
    /// Machine-wide tools (spec §2). Validated; no command applies them yet.
    pub tools: IndexMap<String, ToolRequest>,
    /// `[cache] urls`: team caches tried before the upstreams, after `DEN_CACHE_URLS`.
    pub cache_urls: Vec<crate::cache::Remote>,
    /// `[cache] offline_ok`: `--offline` installs may still use the caches of this config
    /// and of `DEN_CACHE_URLS` (the user says they are near: a LAN registry, a mounted share).
    pub cache_offline_ok: bool,
    /// `[aqua]`: the registry release and the sha256 of its `registry.yaml`, in place of
    /// the pinned one.
    pub aqua: Option<(String, String)>,
}

/// `[sources]`: base URLs that take precedence over the ecosystems' own configuration.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sources {
    /// npm registry base URL.
    pub npm: Option<String>,
    /// PyPI simple index base URL.
    pub pypi: Option<String>,
    /// GitHub API base URL (GitHub Enterprise, or a mirror of the releases API).
    pub github_api: Option<String>,
}

/// Problems reading the user config.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{0}")]
    Invalid(Box<Diagnostic>),
    #[error("cannot read {}: {source}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

impl crate::hint::Hint for Error {
    /// What the user should do next.
    fn hint(&self) -> Option<String> {
        match self {
            Error::Invalid(d) => d.help.clone(),
            Error::Read { .. } => Some("fix the file's permissions, or remove it to use the defaults".into()),
        }
    }
}

/// Reads the user config, or the defaults when there is no config file.
pub fn load() -> Result<Config, Error> {
    load_from(&paths::config_dir().join(FILE))
}

/// Reads the config at `path`; the defaults when it does not exist.
pub fn load_from(path: &Path) -> Result<Config, Error> {
    match std::fs::read_to_string(path) {
        Ok(text) => parse_config(path, &text).map_err(Error::Invalid),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Config::default()),
        Err(source) => Err(Error::Read { path: path.to_path_buf(), source }),
    }
}

/// Parses and validates the text of a config file found at `file`.
pub fn parse_config(file: &Path, text: &str) -> Res<Config> {
    let doc = Doc::new(file, text);
    let root = doc.parse()?;
    doc.check_keys(&root, TOP_KEYS, FILE)?;
    let mut config = Config { file: Some(file.to_path_buf()), ..Config::default() };
    for (key, value) in &root {
        match key.get_ref().as_ref() {
            "auto_install" => config.auto_install = doc.boolean(value, "auto_install")?,
            "offline" => config.offline = doc.boolean(value, "offline")?,
            "insecure_http" => config.insecure_http = insecure_http(&doc, value)?,
            "sources" => {
                let table = doc.table(value, "sources")?;
                doc.check_keys(table, SOURCE_KEYS, "[sources]")?;
                for (k, v) in table {
                    let what: &str = k.get_ref();
                    let url = Some(parse::url(&doc, v, what)?);
                    match what {
                        "npm" => config.sources.npm = url,
                        "pypi" => config.sources.pypi = url,
                        _ => config.sources.github_api = url,
                    }
                }
            }
            "mirrors" => {
                for (k, v) in doc.table(value, "mirrors")? {
                    let prefix: &str = k.get_ref();
                    if !is_url(prefix) {
                        return Err(doc.err_help(
                            k.span(),
                            format!("`{prefix}` in [mirrors] is not an http:// or https:// URL prefix"),
                            "map an upstream URL prefix to the mirror's, e.g. \
                             `\"https://nodejs.org/dist/\" = \"https://mirror.corp.example/node/\"`",
                        ));
                    }
                    config.mirrors.insert(prefix.to_string(), parse::url(&doc, v, prefix)?);
                }
            }
            "ide" => {
                let table = doc.table(value, "ide")?;
                doc.check_keys(table, &["editor"], "[ide]")?;
                for (_, v) in table {
                    config.ide_editor = Some(doc.nonempty(v, "editor")?.to_string());
                }
            }
            "tools" => config.tools = parse::tools(&doc, value)?,
            "aqua" => {
                let table = doc.table(value, "aqua")?;
                doc.check_keys(table, &["version", "sha256"], "[aqua]")?;
                let get = |k: &str| table.get(k).map(|v| doc.nonempty(v, k).map(str::to_string)).transpose();
                let (version, sha256) = (get("version")?, get("sha256")?);
                let hex = sha256
                    .as_deref()
                    .is_some_and(|h| h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit()));
                match (version, sha256) {
                    (Some(version), Some(sha256)) if hex && !version.contains(['/', '?', '#', ' ']) => {
                        config.aqua = Some((version, sha256.to_ascii_lowercase()));
                    }
                    _ => {
                        return Err(doc.err_help(
                            key.span(),
                            "[aqua] needs `version` (a release tag of the registry) and `sha256` (64 hex digits)",
                            "write both, e.g. `version = \"v4.560.0\"` and the sha256 of that release's registry.yaml",
                        ));
                    }
                }
            }
            "cache" => {
                let table = doc.table(value, "cache")?;
                doc.check_keys(table, CACHE_KEYS, "[cache]")?;
                for (k, v) in table {
                    match k.get_ref().as_ref() {
                        "urls" => config.cache_urls = parse::cache::urls(&doc, v, true)?,
                        _ => config.cache_offline_ok = doc.boolean(v, "offline_ok")?,
                    }
                }
            }
            _ => unreachable!("keys were checked"),
        }
    }
    Ok(config)
}

impl Config {
    /// The HTTP settings of this machine's environment with what the user config adds
    /// (hosts den may reach over plain http). Lives here, not in `http`, which knows no
    /// config: the client is a leaf that every layer above may use.
    pub fn http_settings(&self, offline: bool) -> crate::http::Settings {
        let mut settings = crate::http::Settings::from_env(offline);
        settings.insecure_http = self.insecure_http.clone();
        settings
    }
}

/// `insecure_http`: a list of host names, each with an optional `:port`.
fn insecure_http(doc: &Doc, value: &Value) -> Res<Vec<String>> {
    let mut hosts = Vec::new();
    for (host, span) in doc.strings(value, "insecure_http")? {
        let valid = !host.is_empty()
            && host.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'));
        if !valid {
            return Err(doc.err_help(
                span,
                format!("`{}` in `insecure_http` is not a host name", crate::ui::escaped(&host)),
                "list host names, each with an optional port: `insecure_http = [\"mirror.corp.example:8080\"]`",
            ));
        }
        hosts.push(host.to_ascii_lowercase());
    }
    Ok(hosts)
}

/// An http(s) URL with something after the scheme and no whitespace.
fn is_url(s: &str) -> bool {
    let rest = s.strip_prefix("https://").or_else(|| s.strip_prefix("http://"));
    rest.is_some_and(|r| !r.is_empty() && !r.contains(char::is_whitespace))
}

#[cfg(test)]
#[allow(clippy::disallowed_methods, reason = "tests may write freely")]
mod tests {
    use super::*;

    fn parse(text: &str) -> Res<Config> {
        parse_config(Path::new("config.toml"), text)
    }

    #[test]
    fn every_setting() {
        let c = parse(
            "auto_install = true\noffline = true\n[sources]\nnpm = \"https://npm.corp.example/\"\n\
             pypi = \"http://pypi.corp.example/simple/\"\ngithub_api = \"https://gh.corp.example/api/v3\"\n\
             [mirrors]\n\"https://nodejs.org/dist/\" = \"https://mirror.corp.example/node/\"\n[tools]\njq = \"1.7\"\n",
        )
        .unwrap();
        assert!(c.auto_install && c.offline);
        assert!(c.insecure_http.is_empty());
        assert_eq!(c.sources.npm.as_deref(), Some("https://npm.corp.example/"));
        assert_eq!(c.sources.pypi.as_deref(), Some("http://pypi.corp.example/simple/"));
        assert_eq!(c.sources.github_api.as_deref(), Some("https://gh.corp.example/api/v3"));
        assert_eq!(c.mirrors["https://nodejs.org/dist/"], "https://mirror.corp.example/node/");
        assert_eq!(c.tools["jq"].version, "1.7");
        assert_eq!(c.tools["jq"].at.line, 10);
        let c = parse("insecure_http = [\"Mirror.Corp.example:8080\", \"10.0.0.5\"]\n").unwrap();
        assert_eq!(c.insecure_http, ["mirror.corp.example:8080", "10.0.0.5"]);
        assert_eq!(parse("[ide]\neditor = \"pycharm\"\n").unwrap().ide_editor.as_deref(), Some("pycharm"));
        assert!(parse("[ide]\neditr = \"x\"\n").is_err() && parse("[ide]\neditor = \"\"\n").is_err());
    }

    #[test]
    fn cache_settings() {
        let c = parse(
            "[cache]\nurls = [\"oci://reg.example/team/den\", { url = \"http://nas:8080/den\", insecure = true }]\n\
             offline_ok = true\n",
        )
        .unwrap();
        assert!(c.cache_offline_ok);
        assert_eq!(c.cache_urls.len(), 2);
        assert!(!c.cache_urls[0].insecure && c.cache_urls[1].insecure);
        assert_eq!(c.cache_urls[1].to_string(), "http://nas:8080/den");
        let e = parse("[cache]\nurls = [\"relative/dir\"]\n").unwrap_err();
        assert!(e.to_string().contains("is a relative path"), "{e}");
        let e = parse("[cache]\nurls = [{ insecure = true }]\n").unwrap_err();
        assert!(e.to_string().contains("needs a `url`"), "{e}");
    }

    #[test]
    fn aqua_registry_release() {
        let sha = "ab".repeat(32);
        let c =
            parse(&format!("[aqua]\nversion = \"v4.560.0\"\nsha256 = \"{}\"\n", sha.to_uppercase())).unwrap();
        assert_eq!(c.aqua, Some(("v4.560.0".into(), sha)));
        for bad in ["[aqua]\nversion = \"v4\"\n", "[aqua]\nversion = \"../x\"\nsha256 = \"00\"\n"] {
            let e = parse(bad).unwrap_err();
            assert!(e.to_string().contains("[aqua] needs `version`"), "{e}");
        }
    }

    #[test]
    fn unknown_setting_is_located_with_suggestion() {
        let e = parse("ofline = true\n").unwrap_err();
        assert_eq!(
            format!("{e}\nhelp: {}", e.help.as_deref().unwrap()),
            "config.toml:1:1: unknown key `ofline` in config.toml; did you mean `offline`?\n  |\n1 | ofline = true\n  | ^^^^^^\n\
             help: the keys allowed there are `auto_install`, `offline`, `insecure_http`, `sources`, `mirrors`, `ide`, `tools`, `cache`, `aqua`"
        );
    }

    #[test]
    fn bad_settings() {
        let cases = [
            ("offline = \"yes\"\n", "config.toml:1:11: `offline` must be `true` or `false`, not a string"),
            (
                "[sources]\nnmp = \"https://x/\"\n",
                "config.toml:2:1: unknown key `nmp` in [sources]; did you mean `npm`?",
            ),
            (
                "[sources]\nnpm = \"npm.corp\"\n",
                "config.toml:2:7: `npm` must be an http:// or https:// URL, not `npm.corp`",
            ),
            (
                "[mirrors]\n\"https://x/\" = 1\n",
                "config.toml:2:16: `https://x/` must be a string, not an integer",
            ),
            (
                "[mirrors]\nnode = \"https://x/\"\n",
                "config.toml:2:1: `node` in [mirrors] is not an http:// or https:// URL prefix",
            ),
            (
                "[mirrors]\n\"https://x/\" = \"/srv/mirror\"\n",
                "config.toml:2:16: `https://x/` must be an http:// or https:// URL, not `/srv/mirror`",
            ),
            ("[tools]\njq = {}\n", "config.toml:2:6: tool `jq` needs a `version`"),
            ("sources = 1\n", "config.toml:1:11: `sources` must be a table, not an integer"),
            (
                "insecure_http = \"x\"\n",
                "config.toml:1:17: `insecure_http` must be an array of strings, not a string",
            ),
            (
                "insecure_http = [\"http://x/\"]\n",
                "config.toml:1:18: `http://x/` in `insecure_http` is not a host name",
            ),
        ];
        for (text, want) in cases {
            let e = parse(text).unwrap_err();
            assert_eq!(e.to_string().lines().next().unwrap(), want, "for {text:?}");
        }
    }

    #[test]
    fn missing_file_means_defaults_and_syntax_errors_are_located() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join(FILE);
        assert_eq!(load_from(&path).unwrap(), Config::default());
        std::fs::write(&path, "offline = \n").unwrap();
        let e = load_from(&path).unwrap_err();
        assert!(e.to_string().starts_with(&format!("{}:1:", path.display())), "{e}");
        assert!(e.to_string().contains("invalid TOML"), "{e}");
    }
}
