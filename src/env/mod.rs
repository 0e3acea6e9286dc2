//! The target environment of a project: den's own variables, the `[env]` table with
//! `${NAME}` interpolation, prepend/append for PATH-like variables, secrets (files and
//! commands) and dotenv files. Computes values only: rendering for shells lives in
//! `shell`, and secrets are never written anywhere by this module.

mod dotenv;
mod error;
mod load;
mod outer;
mod resolve;
mod secret;
pub mod state;
mod target;
mod template;

pub use error::Error;
pub use outer::Outer;
pub use target::{Origin, Secret, Target, Var};

use std::path::PathBuf;

use crate::project::Project;

/// The environment den gives `project`, computed against `outer`, with the installed
/// tools' binary directories (`tool_dirs`, in den.toml order) in front of PATH, behind
/// the project's own `[env] PATH` entries. `trusted` says whether `command` secrets may
/// run (they are an error otherwise).
pub fn compute(
    project: &Project,
    outer: &Outer,
    tool_dirs: &[PathBuf],
    trusted: bool,
) -> Result<Target, Error> {
    let den = load::den_values(&project.root);
    let defs = load::definitions(project)?;
    let tools_path = (!tool_dirs.is_empty()).then(|| path_with(tool_dirs, outer.get("PATH")));
    let outer = match &tools_path {
        Some(path) => &outer.with("PATH", path),
        None => outer,
    };
    let cx = resolve::Context { root: &project.root, outer, den: &den, trusted };
    let values = resolve::resolve_all(&defs, &cx)?;
    let mut target = Target::default();
    for (name, value) in den {
        target.insert(Var { name, value: Some(value), origin: Origin::Den, secret: None });
    }
    if let Some(path) = tools_path {
        target.insert(Var { name: "PATH".into(), value: Some(path), origin: Origin::Tools, secret: None });
    }
    for (def, value) in defs.into_iter().zip(values) {
        let origin = if def.dotenv { Origin::Dotenv(def.at) } else { Origin::Manifest(def.at) };
        target.insert(Var { name: def.name, value: value.text, origin, secret: value.secret });
    }
    Ok(target)
}

/// `path` (a PATH value, possibly unset or empty) with `dirs` in front, in order.
pub fn path_with(dirs: &[PathBuf], path: Option<&str>) -> String {
    let mut parts: Vec<String> = dirs.iter().map(|d| d.to_string_lossy().into_owned()).collect();
    parts.extend(path.filter(|p| !p.is_empty()).map(str::to_string));
    parts.join(":")
}

/// `baseline` with the project's environment applied (tools' `dirs` in front of PATH), and
/// `__DEN_STATE` recording it so that a hook in a shell started there sees it applied.
/// For fresh processes (`den enter`, `den run`); the hook's own reloads go through
/// `activate`, which also keeps hand edits.
pub fn applied(project: &Project, baseline: &state::Vars, dirs: &[PathBuf]) -> Result<state::Vars, Error> {
    let outer: Outer = baseline.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let target = compute(project, &outer, dirs, true)?;
    let target = target.iter().map(|v| (v.name.clone(), v.value.clone())).collect();
    let (mut next, state) = state::apply(baseline, baseline, &target, None, project.root.clone());
    if !state.vars.is_empty() {
        next.insert(crate::env_vars::DEN_STATE_VAR.into(), state.encode());
    }
    Ok(next)
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
mod tests;
