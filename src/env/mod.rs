//! The target environment of a project: den's own variables, the `[env]` table with
//! `${NAME}` interpolation, prepend/append for PATH-like variables, secrets (files and
//! commands) and dotenv files. Computes values only: rendering for shells lives in
//! `shell`, and secrets are never written anywhere by this module.
//!
//! The one builder every front end uses (the hook, export, explain, enter, run, x, which):
//! [`Base::of`] takes the process environment ([`snapshot`], the one snapshot) and takes
//! off a project already applied there (named by `__DEN_STATE`), [`Base::target`]
//! computes the project's variables on top of that from its [`Layers`], and
//! [`Base::next`] applies them, recording `__DEN_STATE` (`state`) and the previous values
//! (`saved`, kept out of the environment). So `den export --format json` in a shell the
//! hook already applied gives what it gives outside it. `applied` and `outside` are the
//! fresh-process shorthands.

mod dotenv;
mod error;
mod load;
mod outer;
mod resolve;
pub mod saved;
mod secret;
pub mod service_exports;
pub mod service_record;
pub mod state;
mod target;
mod template;
pub mod venv;

pub use error::Error;
pub use outer::Outer;
pub use state::Vars;
pub use target::{Origin, Secret, Target, Var};

use std::path::{Path, PathBuf};

use crate::project::Project;

/// The process environment as a map: the one snapshot den takes of it (names and values
/// that are not UTF-8 are left alone: den neither reads nor changes them).
pub fn snapshot() -> Vars {
    std::env::vars_os().filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?))).collect()
}

/// What a project's environment is built from besides its den.toml, one field per layer,
/// in the order they apply on top of the outer environment: den's own variables, then
/// the preset services' exports, then the installed runtimes' own variables (`homes`:
/// `JAVA_HOME`, `GEM_HOME`), then the installed tools' PATH, then `[env]` and the
/// dotenv files (which may refer to everything before them), then secrets.
///
/// The place for a new layer: a field here, filled by [`Layers::of`], so that every front
/// end gets it through the one builder. `services` is the first such layer: the variables
/// a preset service exports (`PGPORT`, `DATABASE_URL`) whether or not it runs, each with
/// an `Origin::Service` naming the service, which `den explain` shows; `[env]` can say
/// `${DATABASE_URL}` or `${services.<name>.port}` and override them.
#[derive(Debug, Clone, Default)]
pub struct Layers<'a> {
    /// The installed tools' binary directories, in den.toml order, put in front of PATH
    /// behind the project's own `[env] PATH` entries (`Origin::Tools`).
    pub tool_dirs: &'a [PathBuf],
    /// The variables the installed tools' definitions set (a runtime's home: `GOROOT`,
    /// `JAVA_HOME`; `tools::home_vars`), after den's own and the services', before `[env]`
    /// (which may refer to and override them), each with `Origin::Home(tool)`.
    pub homes: &'a [crate::tools::ToolVar],
    /// The services' exports and the `${services.<name>.<field>}` values
    /// (`service_exports::layer`; a preset's port and password are made on first use).
    pub services: service_exports::Layer,
    /// Whether `command` secrets may run (they are an error otherwise).
    pub trusted: bool,
    /// The project's Python venv when den.toml names one and den vouches for it (made or
    /// adopted it: `tools::venv::record`; never one a repository committed) (`VIRTUAL_ENV`, its
    /// `bin` in front of the tools' directories, `Origin::Venv`). Only looked at, never
    /// made here: `tools::venv` makes it, so the hook's path starts no process.
    pub venv: Option<venv::Layer>,
}

impl<'a> Layers<'a> {
    /// Every layer of `project`: its tools' directories (`tool_dirs`) and variables
    /// (`homes`), its services' exports, its venv (when den vouches for it), and whether
    /// `command` secrets may run.
    pub fn of(
        project: &Project,
        tool_dirs: &'a [PathBuf],
        homes: &'a [crate::tools::ToolVar],
        trusted: bool,
    ) -> Result<Layers<'a>, Error> {
        Ok(Layers {
            tool_dirs,
            homes,
            services: service_exports::layer(project)?,
            trusted,
            venv: venv::layer(project),
        })
    }
}

/// Who keeps the file of values den replaced, and so whose exit makes it stale.
#[derive(Debug, Clone, Copy)]
pub enum Owner {
    /// The hooked shell (its pid): the environment moves in place, from the shell's
    /// current one, keeping hand edits.
    Shell(u32),
    /// This den process, about to start a fresh process (`den enter`, `den run`, which
    /// inherits den's pid): the environment is built from the base, not from the shell's.
    This,
}

/// The environment a build starts from: the current one, and the same with the project
/// that `__DEN_STATE` names taken off (`outside`), which is what targets are computed on.
#[derive(Debug, Clone)]
pub struct Base {
    pub current: Vars,
    pub previous: Option<state::State>,
    pub outside: Vars,
}

impl Base {
    /// `current` (normally [`snapshot`]) with any applied project taken off.
    pub fn of(current: Vars) -> Base {
        let previous = previous_state(&current);
        let outside = match &previous {
            Some(p) => state::revert(&current, p),
            None => current.clone(),
        };
        Base { current, previous, outside }
    }

    /// A base that is already outside any project (`den enter --pure`'s few variables).
    pub fn fresh(outside: Vars) -> Base {
        Base { current: outside.clone(), previous: None, outside }
    }

    /// The outer environment as `${NAME}` sees it.
    pub fn outer(&self) -> Outer {
        self.outside.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
    }

    /// `project`'s variables, computed on top of `outside` from `layers`.
    pub fn target(&self, project: &Project, layers: &Layers) -> Result<Target, Error> {
        compute(project, &self.outer(), layers)
    }

    /// The environment to move to: `target` (of the project at `root`; empty to leave
    /// every project) applied, with `__DEN_STATE` recording it and the replaced values
    /// kept for `owner`.
    pub fn next(&self, target: &Target, root: &Path, owner: Owner) -> Result<Vars, Error> {
        let target = target.iter().map(|v| (v.name.clone(), v.value.clone())).collect();
        let (current, previous, pid) = match owner {
            Owner::Shell(pid) => (&self.current, self.previous.as_ref(), pid),
            Owner::This => (&self.outside, None, std::process::id()),
        };
        let (mut next, mut state) =
            state::apply(current, &self.outside, &target, previous, root.to_path_buf());
        if let Owner::This = owner
            && state.vars.is_empty()
        {
            return Ok(next);
        }
        let dir = saved::dir();
        saved::keep(&dir, &mut state, previous, pid).map_err(|source| Error::Keep { dir, source })?;
        if state.vars.is_empty() {
            next.remove(crate::env_vars::DEN_STATE_VAR);
        } else {
            next.insert(crate::env_vars::DEN_STATE_VAR.into(), state.encode());
        }
        Ok(next)
    }
}

/// The environment den gives `project`, computed against `outer` from its `layers`: the
/// services' exports, the installed tools' binary directories (in den.toml order) in
/// front of PATH, behind the project's own `[env] PATH` entries, and whether `command`
/// secrets may run (they are an error otherwise).
pub fn compute(project: &Project, outer: &Outer, layers: &Layers) -> Result<Target, Error> {
    let Layers { tool_dirs, homes, services, trusted, venv } = layers;
    let (tool_dirs, trusted) = (*tool_dirs, *trusted);
    // The venv's `bin` goes in front of the tools' directories.
    let venv_dirs: Vec<PathBuf> =
        venv.iter().map(|v| v.dir.join("bin")).chain(tool_dirs.iter().cloned()).collect();
    let tool_dirs = if venv.is_some() { &venv_dirs[..] } else { tool_dirs };
    // Values are text: a root or tool directory that is not UTF-8 cannot go into DEN_ROOT
    // or PATH faithfully, and a mangled path would be worse than saying so.
    text_paths(std::iter::once(project.root.as_path()).chain(tool_dirs.iter().map(PathBuf::as_path)))?;
    let den = load::den_values(&project.root);
    // Service exports come right after den's own values: `[env]` may refer to them
    // (`DSN = "${DATABASE_URL}?sslmode=disable"`, `${services.api.port}`) and override them.
    let mut known = den.clone();
    known.extend(services.exports.iter().map(|e| (e.name.clone(), e.value.clone())));
    known.extend(services.references.iter().cloned());
    known.extend(homes.iter().map(|h| (h.name.clone(), h.value.clone())));
    let defs = load::definitions(project)?;
    let tools_path = (!tool_dirs.is_empty()).then(|| path_with(tool_dirs, outer.get("PATH")));
    let outer = match &tools_path {
        Some(path) => &outer.with("PATH", path),
        None => outer,
    };
    // A service's secret exports hold its password, as do its `url` and `password`
    // references (`service_exports` names them so).
    let den_secrets: std::collections::HashSet<String> = services
        .exports
        .iter()
        .filter(|e| e.secret.is_some())
        .flat_map(|e| {
            let field = |f: &str| format!("services.{}.{f}", e.service);
            [e.name.clone(), field("url"), field("password")]
        })
        .collect();
    let cx = resolve::Context { root: &project.root, outer, den: &known, den_secrets: &den_secrets, trusted };
    let values = resolve::resolve_all(&defs, &cx)?;
    let mut target = Target::default();
    for (name, value) in den {
        target.insert(Var { name, value: Some(value), origin: Origin::Den, secret: None });
    }
    for e in &services.exports {
        let secret = e.secret.as_ref().map(|p| Secret::File(p.to_string_lossy().into_owned()));
        let (name, value, origin) =
            (e.name.clone(), Some(e.value.clone()), Origin::Service(e.service.clone()));
        target.insert(Var { name, value, origin, secret });
    }
    for (name, value) in &services.references {
        if name.ends_with(".password") && den_secrets.contains(name) {
            target.add_hidden(value.clone());
        }
    }
    for h in homes.iter() {
        let (name, value, origin) = (h.name.clone(), Some(h.value.clone()), Origin::Home(h.tool.clone()));
        target.insert(Var { name, value, origin, secret: None });
    }
    if let Some(venv) = venv {
        venv::insert(&mut target, venv, outer);
    }
    if let Some(path) = tools_path {
        let origin = match venv {
            Some(v) => Origin::VenvPath(v.at.clone()),
            None => Origin::Tools,
        };
        target.insert(Var { name: "PATH".into(), value: Some(path), origin, secret: None });
    }
    for (def, value) in defs.into_iter().zip(values) {
        let origin = if def.dotenv { Origin::Dotenv(def.at) } else { Origin::Manifest(def.at) };
        target.insert(Var { name: def.name, value: value.text, origin, secret: value.secret });
    }
    Ok(target)
}

/// An error naming the first of `paths` that is not UTF-8: den's variables hold text, so
/// such a project root or tool directory cannot be put in DEN_ROOT or PATH faithfully (and
/// a mangled path would be worse than saying so). For callers that hand the environment's
/// making to another process (`den up -d`), so that the fault is said here, in one line.
pub fn text_paths<'a>(paths: impl IntoIterator<Item = &'a Path>) -> Result<(), Error> {
    match paths.into_iter().find(|p| p.to_str().is_none()) {
        Some(path) => Err(Error::NotUtf8 { path: path.to_path_buf() }),
        None => Ok(()),
    }
}

/// The names of the variables `project` sets, in den's order and without computing any
/// value (no secret is read, no command runs), for shell completion: den's own, then
/// `[env]` and the dotenv files (only `[env]` when a dotenv file cannot be loaded).
pub fn names(project: &Project) -> Vec<String> {
    let mut names: Vec<String> = load::den_values(&project.root).into_keys().collect();
    match load::definitions(project) {
        Ok(defs) => names.extend(defs.into_iter().map(|d| d.name)),
        Err(_) => names.extend(project.manifest.env.iter().map(|e| e.name.clone())),
    }
    let mut seen = std::collections::HashSet::new();
    names.retain(|n| seen.insert(n.clone()));
    names
}

/// `path` (a PATH value, possibly unset or empty) with `dirs` in front, in order.
pub fn path_with(dirs: &[PathBuf], path: Option<&str>) -> String {
    let mut parts: Vec<String> = dirs.iter().map(|d| d.to_string_lossy().into_owned()).collect();
    parts.extend(path.filter(|p| !p.is_empty()).map(str::to_string));
    parts.join(":")
}

/// `baseline` with the project's environment applied (tools' `dirs` in front of PATH), and
/// `__DEN_STATE` recording it so that a hook in a shell started there sees it applied.
/// For fresh processes (`den enter`, `den run`), which own the saved file of previous
/// values (`saved`; `den run`'s command inherits den's pid); the hook's own reloads go
/// through [`Base::next`] with [`Owner::Shell`], which also keeps hand edits.
pub fn applied(
    project: &Project,
    baseline: &Vars,
    dirs: &[PathBuf],
    homes: &[crate::tools::ToolVar],
) -> Result<Vars, Error> {
    let base = Base::fresh(baseline.clone());
    let target = base.target(project, &Layers::of(project, dirs, homes, true)?)?;
    base.next(&target, &project.root, Owner::This)
}

/// The previous state named by `current`'s `__DEN_STATE`, with its saved values read back;
/// one line on stderr when they are gone.
pub fn previous_state(current: &Vars) -> Option<state::State> {
    let decoded = state::State::decode(current.get(crate::env_vars::DEN_STATE_VAR).map(String::as_str))?;
    let loaded = saved::load(&saved::dir(), decoded);
    if loaded.lost() {
        crate::ui::note(&format!(
            "the values variables had before den applied {} are gone (their file under {} was removed):              den unsets what it had set",
            loaded.root.display(),
            saved::dir().display()
        ));
    }
    Some(loaded)
}

/// The environment as it is outside any project: the project applied in `current` (by the
/// hook or an outer `den enter`, named by `__DEN_STATE`) is taken off, so that nested
/// sessions and one-off runs never stack on it.
pub fn outside(current: &Vars) -> Vars {
    Base::of(current.clone()).outside
}

/// The environment of den's own helper programs (`helper_env`): the process's, outside any
/// project, without `__DEN_STATE` (a helper is no part of an applied project).
pub fn for_helpers() -> Vars {
    let mut vars = outside(&snapshot());
    vars.remove(crate::env_vars::DEN_STATE_VAR);
    vars
}

/// `vars` with `dirs` in front of PATH and the tools' own variables (`homes`) set: the
/// environment of a one-off run outside any project (`den run tool@spec -- cmd` where no
/// den.toml governs).
pub fn with_tool_dirs(mut vars: Vars, dirs: &[PathBuf], homes: &[crate::tools::ToolVar]) -> Vars {
    vars.extend(homes.iter().map(|h| (h.name.clone(), h.value.clone())));
    if dirs.is_empty() {
        return vars;
    }
    let path = path_with(dirs, vars.get("PATH").map(String::as_str));
    vars.insert("PATH".into(), path);
    vars
}

/// Removes the saved files of previous values of the live shell `pid`, which is exiting
/// (the hook's exit handler, `den __forget`), and those of owners that are gone.
pub fn forget_shell(pid: u32) {
    saved::forget(&saved::dir(), pid);
}

/// Removes the saved file of `applied`'s state when this process made it (`den enter`
/// after its shell ended).
pub fn release(applied: &Vars) {
    if let Some(state) = state::State::decode(applied.get(crate::env_vars::DEN_STATE_VAR).map(String::as_str))
    {
        saved::release(&saved::dir(), &state, std::process::id());
    }
}

/// A dotenv file's entries whose values have no `${...}`, as name → text (for tests of
/// renderers that must produce dotenv files den reads back).
#[cfg(test)]
pub fn parse_dotenv_literals(text: &str) -> Result<Vec<(String, String)>, dotenv::ParseError> {
    let entries = dotenv::parse(text)?;
    Ok(entries
        .into_iter()
        .map(|e| {
            let text = e.value.parts.iter().map(|p| match p {
                template::Part::Lit(s) => s.as_str(),
                template::Part::Var { .. } => panic!("unexpected reference in {}", e.name),
            });
            (e.name.clone(), text.collect())
        })
        .collect())
}

#[cfg(test)]
#[allow(clippy::disallowed_methods, reason = "tests may write freely")]
mod tests;
