//! The environment den's own helper programs run with (`npm config get registry`, the
//! `python3` that names pip's index, a system tool's `--version`, the interpreter or uv
//! making a venv, a `docker-credential-*` helper, den's own services supervisor): the one
//! the user has OUTSIDE any project, never what a project applied.
//!
//! Why: den often runs inside a shell where the hook applied a project, so its own
//! environment holds the project's `[env]` and dotenv values (`GIT_CONFIG_*`,
//! `NPM_CONFIG_*`, `PIP_*`, `PYTHONPATH`, `LD_PRELOAD`, `NODE_OPTIONS`, `BASH_ENV`, a PATH
//! with the repository's directories in front). A helper is den's program, not the
//! project's: it must not run under configuration a repository controls. The commands
//! layer computes that environment (`env`, which knows what `__DEN_STATE` applied) and
//! hands it here with [`provide`]; modules below `env` take it from here. Until then (unit
//! tests) it is a short allowlist of the process's variables.
//!
//! Also why helpers run in `/` ([`isolate`]): many programs read configuration from their
//! working directory (npm a project's `.npmrc`, `python3 -m` imports from it first).
//!
//! Never changes den's own environment, never starts anything itself.

use std::collections::BTreeMap;
use std::process::Command;
use std::sync::OnceLock;

/// Variable names and values.
pub type Vars = BTreeMap<String, String>;

static SOURCE: OnceLock<fn() -> Vars> = OnceLock::new();
static OUTSIDE: OnceLock<Vars> = OnceLock::new();

/// Names how the outer environment is computed (once, when a helper first needs it).
/// The first call wins.
pub fn provide(source: fn() -> Vars) {
    let _ = SOURCE.set(source);
}

/// The environment outside any project.
pub fn outside() -> &'static Vars {
    OUTSIDE.get_or_init(|| SOURCE.get().map_or_else(allowlisted, |source| source()))
}

/// One variable of the environment outside any project (empty counts as unset).
pub fn var(name: &str) -> Option<String> {
    outside().get(name).filter(|v| !v.trim().is_empty()).cloned()
}

/// `cmd` with exactly the outer environment.
pub fn environment(cmd: &mut Command) -> &mut Command {
    cmd.env_clear().envs(outside())
}

/// `cmd` with the outer environment, in `/`: for a helper whose working directory means
/// nothing, so that no configuration a repository keeps there is read.
pub fn isolate(cmd: &mut Command) -> &mut Command {
    environment(cmd).current_dir("/")
}

/// Variables a helper may need that no project sets for a program's configuration.
fn allowlisted() -> Vars {
    const NAMES: &[&str] = &[
        "PATH",
        "HOME",
        "USER",
        "LOGNAME",
        "SHELL",
        "LANG",
        "LANGUAGE",
        "TERM",
        "TZ",
        "TMPDIR",
        "DISPLAY",
        "WAYLAND_DISPLAY",
        "DBUS_SESSION_BUS_ADDRESS",
    ];
    std::env::vars_os()
        .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
        .filter(|(k, _)| {
            NAMES.contains(&k.as_str())
                || k.starts_with("LC_")
                || k.starts_with("XDG_")
                || k.starts_with("DEN_")
        })
        .collect()
}
