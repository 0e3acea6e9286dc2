//! Where the npm registry and the PyPI index are: den never names a registry host, so their
//! base URLs come from configuration, in the order of wave 2's decision:
//!
//! - npm: den config `[sources] npm`, `DEN_NPM_REGISTRY`, a scoped `@scope:registry` in the
//!   `.npmrc` files, `npm_config_registry`, `registry=` in the `.npmrc` files (project, user
//!   `~/.npmrc` or `npm_config_userconfig`, global `npm_config_globalconfig`,
//!   `/usr/local/etc/npmrc`, `/etc/npmrc`), finally `npm config get registry`.
//! - PyPI: den config `[sources] pypi`, `DEN_PYPI_INDEX`, `UV_DEFAULT_INDEX`, `UV_INDEX_URL`,
//!   `PIP_INDEX_URL`, the default index of the uv.toml files (project, user, `/etc/uv`),
//!   `index-url` in the pip.conf files (`PIP_CONFIG_FILE`, `$VIRTUAL_ENV/pip.conf`, user,
//!   legacy user, `/etc/xdg/pip/pip.conf`, `/etc/pip.conf`), finally one `python3` run for
//!   what only the installed pip knows: its site `pip.conf` (under `sys.prefix`) and its
//!   default index.
//!
//! The files and variables are read directly, so a configured machine starts no program;
//! the commands are the last resort (their output is kept a day, `cached_output`).
//!
//! Variables are those outside any project the shell applied (`helper_env`): a project's
//! `[env]` or dotenv file names no registry for den. A project's `.npmrc` is read as data
//! (`registry=` lines only; den expands no `${}` from it and follows none of its other
//! settings), as npm itself would use it for that project. The commands run outside the
//! project, in `/` with that environment: `npm config get` in a project would read its
//! `.npmrc` again with all of npm's settings (`userconfig=`, `globalconfig=`, which lead
//! to further files), and `python3` imports from its working directory first (a
//! repository's `pip/` would run).
//!
//! Everything read comes through [`Discovery`], so tests inject variables, HOME, the
//! filesystem root and the commands. Never writes anything.

use std::path::{Path, PathBuf};

pub use super::ecosystem::Ecosystem;
use super::error::Error;
use crate::config::Sources;
use crate::env_vars as ev;

/// Looks up an environment variable.
pub type VarFn = Box<dyn Fn(&str) -> Option<String> + Send + Sync>;
/// Runs a program with arguments and returns its stdout, `None` when it cannot run or fails.
pub type RunFn = Box<dyn Fn(&str, &[&str]) -> Option<String> + Send + Sync>;

/// What discovery may read: variables, files under HOME, the project and the system root,
/// and the output of the ecosystems' own commands.
pub struct Discovery {
    pub var: VarFn,
    pub home: Option<PathBuf>,
    /// The project root, for its `.npmrc`.
    pub project: Option<PathBuf>,
    /// `/` normally: system files are looked up below it.
    pub root: PathBuf,
    /// The ecosystems' own commands (`npm config get registry`), the last resort.
    pub run: RunFn,
}

/// How long the output of an ecosystem's command is reused. The commands are the last
/// resort after the variables and files den reads itself (which take effect at once), and
/// starting them costs up to a second (`python3 -m pip`), so a cold `den run` reuses it.
const COMMAND_TTL: std::time::Duration = std::time::Duration::from_secs(24 * 3600);

/// Where den keeps the output of `program args`.
fn cache_file(program: &str, args: &[&str]) -> PathBuf {
    use sha2::{Digest, Sha256};
    let key: String = Sha256::digest(format!("{program}\0{}", args.join("\0")).as_bytes())[..8]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    crate::paths::Bucket::CommandCache.path().join(key)
}

/// The output of `program args` den keeps from an earlier run, whatever its age; never
/// runs anything (for checks that must not start programs, such as den.lock's).
pub fn cached_output_only(program: &str, args: &[&str]) -> Option<String> {
    std::fs::read_to_string(cache_file(program, args)).ok()
}

/// The output of `program args` when it succeeds, from den's cache when fresh.
fn cached_output(program: &str, args: &[&str]) -> Option<String> {
    let file = cache_file(program, args);
    // 0600 in 0700: the output may hold a registry URL with credentials in it (older dens
    // left the directory open to everyone: it is narrowed here).
    if let Some(dir) = file.parent() {
        let _ = crate::fs_util::private_dir(dir);
    }
    let fresh = std::fs::metadata(&file)
        .and_then(|m| m.modified())
        .is_ok_and(|t| t.elapsed().is_ok_and(|age| age < COMMAND_TTL));
    if fresh && let Ok(text) = std::fs::read_to_string(&file) {
        return Some(text);
    }
    let text = helper_output(program, args)?;
    let _ = crate::fs_util::write_atomic(&file, text.as_bytes(), 0o600);
    Some(text)
}

/// The output of `program args` when it succeeds, never cached. Outside any project's
/// environment and directory: npm reads `.npmrc` from its working directory's project,
/// `python3` imports from its working directory first.
#[allow(
    clippy::disallowed_methods,
    reason = "a helper program: the registry a package manager is configured with"
)]
pub(crate) fn helper_output(program: &str, args: &[&str]) -> Option<String> {
    let out = crate::helper_env::isolate(&mut std::process::Command::new(program))
        .args(args)
        .stdin(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .output()
        .ok()?;
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

/// A base URL and where it was found (for messages).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    pub url: String,
    pub from: String,
}

impl Discovery {
    /// This process's environment and commands.
    pub fn system(project: Option<&Path>) -> Discovery {
        Discovery {
            // The variables outside any project: a project's `[env]` or dotenv file (applied
            // in the shell den runs in) names no registry for den.
            var: Box::new(crate::helper_env::var),
            home: crate::helper_env::var(ev::HOME).map(PathBuf::from),
            project: project.map(Path::to_path_buf),
            root: PathBuf::from("/"),
            run: Box::new(cached_output),
        }
    }

    fn var(&self, name: &str) -> Option<String> {
        (self.var)(name).map(|v| v.trim().to_string()).filter(|v| !v.is_empty())
    }

    /// A file as messages name it: `~/.npmrc` under HOME.
    fn shown(&self, file: &Path) -> String {
        match self.home.as_ref().and_then(|h| file.strip_prefix(h).ok()) {
            Some(rest) => format!("~/{}", rest.display()),
            None => file.display().to_string(),
        }
    }

    /// `self` when `file`'s `${VAR}`s may be expanded: not in the project, whose author
    /// would otherwise put the user's variables (a token) into a URL den requests.
    fn expanding(&self, file: &Path) -> Option<&Discovery> {
        self.project.as_ref().is_none_or(|p| !file.starts_with(p)).then_some(self)
    }

    fn home_file(&self, rel: &str) -> Option<PathBuf> {
        self.home.as_ref().map(|h| h.join(rel))
    }

    fn npmrc_files(&self) -> Vec<PathBuf> {
        let mut files = Vec::new();
        files.extend(self.project.as_ref().map(|p| p.join(".npmrc")));
        let user = self.var(ev::NPM_CONFIG_USERCONFIG).or_else(|| self.var(ev::NPM_CONFIG_USERCONFIG_UPPER));
        files.extend(user.map(PathBuf::from).or_else(|| self.home_file(".npmrc")));
        let global =
            self.var(ev::NPM_CONFIG_GLOBALCONFIG).or_else(|| self.var(ev::NPM_CONFIG_GLOBALCONFIG_UPPER));
        files.extend(global.map(PathBuf::from));
        files.push(self.root.join("usr/local/etc/npmrc"));
        files.push(self.root.join("etc/npmrc"));
        files
    }

    /// uv's configuration files, as uv reads them: the project's `uv.toml`, the user's
    /// (`$XDG_CONFIG_HOME/uv/uv.toml`), the system's (`/etc/uv/uv.toml`).
    fn uv_files(&self) -> Vec<PathBuf> {
        let mut files = Vec::new();
        files.extend(self.project.as_ref().map(|p| p.join("uv.toml")));
        let config = self.var(ev::XDG_CONFIG_HOME).map(PathBuf::from).or_else(|| self.home_file(".config"));
        files.extend(config.map(|c| c.join("uv/uv.toml")));
        files.push(self.root.join("etc/uv/uv.toml"));
        files
    }

    fn pip_files(&self) -> Vec<PathBuf> {
        let mut files = Vec::new();
        files.extend(self.var(ev::PIP_CONFIG_FILE).map(PathBuf::from));
        files.extend(self.var(ev::VIRTUAL_ENV).map(|v| PathBuf::from(v).join("pip.conf")));
        let config = self.var(ev::XDG_CONFIG_HOME).map(PathBuf::from).or_else(|| self.home_file(".config"));
        files.extend(config.map(|c| c.join("pip/pip.conf")));
        files.extend(self.home_file(".pip/pip.conf"));
        files.push(self.root.join("etc/xdg/pip/pip.conf"));
        files.push(self.root.join("etc/pip.conf"));
        files
    }
}

/// The npm registry for `package` (its `@scope` may have a registry of its own).
pub fn npm_registry(sources: &Sources, d: &Discovery, package: &str) -> Result<Found, Error> {
    let scope = package.strip_prefix('@').and_then(|p| p.split_once('/')).map(|(s, _)| format!("@{s}"));
    let mut candidates: Vec<(Option<String>, String)> = vec![
        (sources.npm.clone(), "[sources] npm in den's config".into()),
        (d.var(ev::DEN_NPM_REGISTRY), ev::DEN_NPM_REGISTRY.into()),
    ];
    let files: Vec<(PathBuf, String)> = d
        .npmrc_files()
        .into_iter()
        .filter_map(|f| crate::fs_util::read_input_string(&f).ok().map(|t| (f, t)))
        .collect();
    if let Some(scope) = &scope {
        let key = format!("{scope}:registry");
        for (file, text) in &files {
            candidates
                .push((ini_value(text, &[], &key, d.expanding(file)), format!("{key} in {}", d.shown(file))));
        }
    }
    let env = d.var(ev::NPM_CONFIG_REGISTRY).or_else(|| d.var(ev::NPM_CONFIG_REGISTRY_UPPER));
    candidates.push((env, ev::NPM_CONFIG_REGISTRY.into()));
    for (file, text) in &files {
        candidates.push((
            ini_value(text, &[], "registry", d.expanding(file)),
            format!("registry in {}", d.shown(file)),
        ));
    }
    if let Some(found) = first(candidates)? {
        return Ok(found);
    }
    let asked = match &scope {
        Some(scope) => (d.run)("npm", &["config", "get", &format!("{scope}:registry")])
            .filter(|out| out.trim() != "undefined")
            .or_else(|| (d.run)("npm", &["config", "get", "registry"])),
        None => (d.run)("npm", &["config", "get", "registry"]),
    };
    first(vec![(asked.map(|s| s.trim().to_string()), "`npm config get registry`".into())])?
        .ok_or(Error::NoRegistry { ecosystem: Ecosystem::Npm })
}

/// What one `python3` run tells about the installed pip: its site configuration directory
/// (`sys.prefix`, whose `pip.conf` pip reads) and the default index it ships with. One
/// light import, never `python3 -m pip config list` (which loads pip's whole command line
/// and costs a second where python starts through shims).
const PIP_SCRIPT: &str =
    "import sys; print(sys.prefix); from pip._internal.models.index import PyPI; print(PyPI.simple_url)";

/// The PyPI simple index (PEP 503/691 root, e.g. `https://<host>/simple/`).
pub fn pypi_index(sources: &Sources, d: &Discovery) -> Result<Found, Error> {
    let mut candidates: Vec<(Option<String>, String)> = vec![
        (sources.pypi.clone(), "[sources] pypi in den's config".into()),
        (d.var(ev::DEN_PYPI_INDEX), ev::DEN_PYPI_INDEX.into()),
        (d.var(ev::UV_DEFAULT_INDEX), ev::UV_DEFAULT_INDEX.into()),
        (d.var(ev::UV_INDEX_URL), ev::UV_INDEX_URL.into()),
        (d.var(ev::PIP_INDEX_URL), ev::PIP_INDEX_URL.into()),
    ];
    for file in d.uv_files() {
        if let Ok(text) = crate::fs_util::read_input_string(&file) {
            candidates.push((uv_default_index(&text), format!("the default index in {}", d.shown(&file))));
        }
    }
    for file in d.pip_files() {
        if let Ok(text) = crate::fs_util::read_input_string(&file) {
            candidates.push((pip_index(&text, d), format!("index-url in {}", d.shown(&file))));
        }
    }
    if let Some(found) = first(candidates)? {
        return Ok(found);
    }
    let asked = (d.run)("python3", &["-c", PIP_SCRIPT]).unwrap_or_default();
    let mut lines = asked.lines().map(str::trim);
    let (prefix, default) = (lines.next().filter(|p| p.starts_with('/')), lines.next());
    let site = prefix.map(|p| PathBuf::from(p).join("pip.conf"));
    let site_value =
        site.as_ref().and_then(|f| std::fs::read_to_string(f).ok()).and_then(|t| pip_index(&t, d));
    first(vec![
        (site_value, format!("index-url in {}", site.map(|f| d.shown(&f)).unwrap_or_default())),
        (default.map(str::to_string), "the default index of the installed pip".into()),
    ])?
    .ok_or(Error::NoRegistry { ecosystem: Ecosystem::Pypi })
}

/// `index-url` of a pip.conf (`[install]` first, as `pip install` reads it).
fn pip_index(text: &str, d: &Discovery) -> Option<String> {
    ini_value(text, &["install", "global"], "index-url", Some(d))
        .or_else(|| ini_value(text, &["install", "global"], "index_url", Some(d)))
}

/// The default index a uv.toml names: the `[[index]]` marked `default = true`, else the
/// older top-level `index-url`. A file that is not TOML names nothing.
fn uv_default_index(text: &str) -> Option<String> {
    let doc: toml::Table = text.parse().ok()?;
    let default = doc.get("index").and_then(|i| i.as_array()).and_then(|list| {
        list.iter()
            .find(|i| i.get("default").and_then(|d| d.as_bool()) == Some(true))
            .and_then(|i| i.get("url")?.as_str())
    });
    default.or_else(|| doc.get("index-url")?.as_str()).map(|u| u.trim().to_string())
}

/// The first candidate with a value; a value that is not an http(s) URL is an error.
fn first(candidates: Vec<(Option<String>, String)>) -> Result<Option<Found>, Error> {
    for (value, from) in candidates {
        let Some(url) = value else { continue };
        if !(url.starts_with("https://") || url.starts_with("http://")) || url.contains(char::is_whitespace) {
            return Err(Error::BadRegistry { value: url, from });
        }
        return Ok(Some(Found { url, from }));
    }
    Ok(None)
}

/// `key = value` in an ini-style file (.npmrc, pip.conf): top-level when `sections` is
/// empty, else the first of `sections` that has it. `${VAR}` in values is expanded with
/// `vars`' variables, and left as it is without them.
fn ini_value(text: &str, sections: &[&str], key: &str, vars: Option<&Discovery>) -> Option<String> {
    let mut found: Vec<(String, String)> = Vec::new();
    let mut section = String::new();
    for line in text.lines().map(str::trim) {
        if line.is_empty() || line.starts_with([';', '#']) {
            continue;
        }
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            section = name.trim().to_string();
            continue;
        }
        if let Some((k, v)) = line.split_once('=')
            && k.trim() == key
        {
            let value = unquote(v);
            found.push((section.clone(), vars.map_or_else(|| value.clone(), |d| expand(&value, d))));
        }
    }
    let pick = |s: &str| found.iter().rev().find(|(sec, _)| sec == s).map(|(_, v)| v.clone());
    if sections.is_empty() { pick("") } else { sections.iter().find_map(|s| pick(s)) }
        .filter(|v| !v.is_empty())
}

fn unquote(v: &str) -> String {
    v.trim().trim_matches(|c| c == '"' || c == '\'').to_string()
}

/// Expands `${VAR}` as npm does in .npmrc values.
fn expand(value: &str, d: &Discovery) -> String {
    let mut out = String::new();
    let mut rest = value;
    while let Some(start) = rest.find("${") {
        let Some(len) = rest[start..].find('}') else { break };
        out.push_str(&rest[..start]);
        out.push_str(&d.var(&rest[start + 2..start + len]).unwrap_or_default());
        rest = &rest[start + len + 1..];
    }
    out + rest
}

#[cfg(test)]
#[allow(clippy::disallowed_methods, reason = "tests may write freely")]
mod tests;
