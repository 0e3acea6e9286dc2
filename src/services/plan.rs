//! From `[services.<name>]` to what the supervisor runs: each service's argv, directory,
//! environment overlay, readiness, restart and stop rules, in dependency order (every
//! service after what it depends on). Pure: never starts or probes anything.

use std::collections::HashMap;
use std::path::Path;

use super::preset::{self, Tool};
use super::probe::{Check, Readiness};
pub use super::unit::{Init, Marker, Step, Unit};
use super::{Dirs, Error};
use crate::project::{Project, Run, Service};

/// Every declared service, dependencies first (then in den.toml order); presets run the
/// installed tools in `tools` (by service name).
pub fn units(project: &Project, tools: &HashMap<String, Tool>) -> Result<Vec<Unit>, Error> {
    let services = &project.manifest.services;
    let mut order: Vec<&str> = Vec::new();
    fn visit<'a>(name: &'a str, services: &'a indexmap::IndexMap<String, Service>, order: &mut Vec<&'a str>) {
        if order.contains(&name) {
            return;
        }
        // The parser rejected cycles, so this recursion ends.
        for dep in &services[name].depends_on {
            if services.contains_key(dep) && !order.contains(&dep.as_str()) {
                visit(dep, services, order);
            }
        }
        order.push(name);
    }
    for name in services.keys() {
        visit(name, services, &mut order);
    }
    let dirs = Dirs::of(&project.root);
    order
        .into_iter()
        .map(|name| {
            let service = &services[name];
            match (service.preset, tools.get(name)) {
                (None, _) => unit(&project.root, service),
                (Some(_), Some(tool)) => preset::unit(&dirs, service, tool),
                (Some(preset), None) => {
                    Err(Error::ToolMissing { service: name.to_string(), preset: preset.to_string() })
                }
            }
        })
        .collect()
}

fn unit(root: &Path, service: &Service) -> Result<Unit, Error> {
    let argv = match &service.run {
        Some(Run::Argv(argv)) => argv.clone(),
        Some(Run::Shell(line)) => shell(line),
        None => unreachable!("presets are planned by `preset`"),
    };
    Ok(Unit {
        name: service.name.clone(),
        argv,
        cwd: service.cwd.as_ref().map_or_else(|| root.to_path_buf(), |c| root.join(c)),
        env: service.env.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
        ready: service
            .ready
            .as_ref()
            .map(|r| Readiness { check: Check::Declared(r.probe.clone()), timeout: r.timeout }),
        deps: service.depends_on.clone(),
        restart: service.restart,
        stop_signal: service.stop_with(),
        stop_timeout: service.stop_timeout,
        port: service.port,
        user: None,
        init: service.init.as_ref().map(|line| Init {
            steps: vec![Step { argv: shell(line), stdin: None }],
            marker: Marker::File { root: root.to_path_buf(), service: service.name.clone() },
        }),
        watch: service.watch.clone(),
    })
}

/// A command line through the shell. A simple command is `exec`'d so that no shell stays
/// between den and the service; a line with shell operators (`;`, `&&`, `|`, newlines,
/// subshells) runs as written, the shell being the process group leader den signals.
pub fn shell(line: &str) -> Vec<String> {
    let compound = line.contains([';', '&', '|', '\n', '(', '`']) || line.trim_start().starts_with("exec ");
    let script = if compound { line.to_string() } else { format!("exec {line}") };
    vec!["/bin/sh".into(), "-c".into(), script]
}

/// The services to start for `names` (all when empty): each with what it depends on,
/// in start order.
pub fn select(units: &[Unit], names: &[String]) -> Result<Vec<String>, Error> {
    if units.is_empty() {
        return Err(Error::NoServices);
    }
    let mut wanted: Vec<String> = Vec::new();
    let mut stack: Vec<String> = Vec::new();
    for name in names {
        if !units.iter().any(|u| &u.name == name) {
            return Err(unknown(units, name));
        }
        stack.push(name.clone());
    }
    if names.is_empty() {
        stack = units.iter().map(|u| u.name.clone()).collect();
    }
    while let Some(name) = stack.pop() {
        if wanted.contains(&name) {
            continue;
        }
        if let Some(u) = units.iter().find(|u| u.name == name) {
            stack.extend(u.deps.iter().cloned());
        }
        wanted.push(name);
    }
    Ok(units.iter().filter(|u| wanted.contains(&u.name)).map(|u| u.name.clone()).collect())
}

/// `name` and every service that depends on it, directly or not, in start order.
pub fn with_dependents(units: &[Unit], name: &str) -> Vec<String> {
    let mut out = vec![name.to_string()];
    for u in units {
        if !out.contains(&u.name) && u.deps.iter().any(|d| out.contains(d)) {
            out.push(u.name.clone());
        }
    }
    out
}

/// The error for a service name the project does not declare.
pub fn unknown(units: &[Unit], name: &str) -> Error {
    let names: Vec<String> = units.iter().map(|u| format!("`{}`", u.name)).collect();
    Error::Unknown {
        name: name.to_string(),
        declared: format!("the services declared are {}", names.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;
    use std::time::Duration;

    use nix::sys::signal::Signal;

    use crate::project::Restart;

    fn u(name: &str, deps: &[&str]) -> Unit {
        Unit {
            name: name.into(),
            argv: vec!["true".into()],
            cwd: PathBuf::from("/"),
            env: Vec::new(),
            ready: None,
            deps: deps.iter().map(|d| d.to_string()).collect(),
            restart: Restart::Never,
            stop_signal: Signal::SIGTERM,
            stop_timeout: Duration::from_secs(1),
            port: None,
            user: None,
            init: None,
            watch: Vec::new(),
        }
    }

    #[test]
    fn selects_dependencies_in_start_order() {
        let units = vec![u("db", &[]), u("cache", &[]), u("api", &["db"]), u("web", &["api", "cache"])];
        assert_eq!(select(&units, &["api".into()]).unwrap(), vec!["db", "api"]);
        assert_eq!(select(&units, &[]).unwrap().len(), 4);
        assert_eq!(with_dependents(&units, "db"), vec!["db", "api", "web"]);
        assert!(matches!(select(&units, &["nope".into()]), Err(Error::Unknown { .. })));
    }

    #[test]
    fn simple_lines_are_execed_compound_ones_run_as_written() {
        assert_eq!(shell("python3 -m http.server 8000")[2], "exec python3 -m http.server 8000");
        assert_eq!(shell("cd web && npm start")[2], "cd web && npm start");
    }
}
