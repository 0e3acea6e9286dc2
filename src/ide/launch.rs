//! Starts an editor on a project, detached from den's terminal: its own session (setsid),
//! stdin from /dev/null, stdout and stderr appended to `.den/logs/ide-<editor>.log`, the
//! environment `next` (the project's, built by the caller through `env`'s one builder).
//! A Flatpak app inherits them too, but for those `flatpak run` resets (`PATH`, …), which
//! it gets as `--env=` arguments; never the others, secrets among them, since a command line
//! is readable by every user. Never waits for the editor.

use std::ffi::OsString;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::Stdio;

use super::Error;
use super::editor::{self, Editor, How};
use crate::env::Vars;
use crate::launch::{self, Environment};
use crate::paths::DenDir;

/// Variables an Electron editor started from inside another one (a VS Code terminal)
/// would obey instead of starting its own window: Node mode, the parent's IPC channel.
/// `VSCODE_*` as a family besides these.
const CONFUSING: &[&str] = &[
    "ELECTRON_RUN_AS_NODE",
    "ELECTRON_NO_ATTACH_CONSOLE",
    "NODE_CHANNEL_FD",
    "NODE_CHANNEL_SERIALIZATION_MODE",
];

/// The variables `flatpak run` sets for the sandbox (flatpak-run(1), "Environment
/// variables are generally passed on … with the exception of"): a project's value of one of
/// these reaches the app only as `--env=`.
const FLATPAK_RESETS: &[&str] = &[
    "PATH",
    "LD_LIBRARY_PATH",
    "LD_PRELOAD",
    "LD_AUDIT",
    "XDG_CONFIG_DIRS",
    "XDG_DATA_DIRS",
    "SHELL",
    "TEMP",
    "TEMPDIR",
    "TMP",
    "TMPDIR",
    "PYTHONPATH",
    "PERLLIB",
    "PERL5LIB",
    "XCURSOR_PATH",
    "GST_PLUGIN_PATH",
    "GST_REGISTRY",
    "GIO_EXTRA_MODULES",
    "GDK_PIXBUF_MODULE_FILE",
];

/// `vars` without what would confuse an Electron editor (see [`CONFUSING`]): applied to
/// the environment outside the project, so a project that sets one keeps it.
pub fn without_confusing(vars: &Vars) -> Vars {
    vars.iter()
        .filter(|(k, _)| !CONFUSING.contains(&k.as_str()) && !k.starts_with("VSCODE_"))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

/// What was started.
#[derive(Debug)]
pub struct Started {
    pub pid: u32,
    pub log: PathBuf,
    pub program: PathBuf,
}

/// Starts `editor` on `root` with `next` (den's environment being `current`), `extra`
/// arguments before the project's.
pub fn start(
    editor: &Editor,
    root: &Path,
    extra: Vec<OsString>,
    current: &Vars,
    next: &Vars,
) -> Result<Started, Error> {
    let logs = DenDir::of(root).logs();
    // Through `fs_util::beneath`: a link a repository ships as `.den/logs` or as the log
    // is replaced, never written through.
    let dir = crate::fs_util::beneath::den_subdir(root, Path::new("logs"))
        .map_err(|source| Error::Write { path: logs.clone(), source })?;
    let name = format!("ide-{}.log", editor.name);
    let log_path = logs.join(&name);
    let log = || {
        dir.append(std::ffi::OsStr::new(&name))
            .map_err(|source| Error::Write { path: log_path.clone(), source })
    };
    let mut project_args = extra;
    project_args.extend(editor::project_args(editor, root));
    let (program, args): (PathBuf, Vec<OsString>) = match &editor.how {
        How::Program(program) => (program.clone(), project_args),
        How::Flatpak { flatpak, app } => {
            let mut args: Vec<OsString> = vec!["run".into()];
            // The project's variables that `flatpak run` would replace with the sandbox's
            // own, given explicitly; the others reach the app as every variable does.
            // Never all of them: a command line is readable by every user in /proc, and
            // secrets must not be on it.
            for (name, value) in next.iter().filter(|(k, v)| current.get(*k) != Some(*v)) {
                if FLATPAK_RESETS.contains(&name.as_str()) {
                    args.push(format!("--env={name}={value}").into());
                }
            }
            args.push(app.into());
            args.extend(project_args);
            (flatpak.clone(), args)
        }
    };
    let mut cmd = launch::command(&program, Environment::Moved { current, next }, root);
    cmd.args(&args).stdin(Stdio::null()).stdout(log()?).stderr(log()?);
    // SAFETY: setsid is async-signal-safe.
    unsafe {
        cmd.pre_exec(|| nix::unistd::setsid().map(drop).map_err(std::io::Error::from));
    }
    let child = cmd.spawn().map_err(|source| Error::Start { program: program.clone(), source })?;
    Ok(Started { pid: child.id(), log: log_path, program })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drops_electron_and_vscode_ipc_variables_only() {
        let vars: Vars = [
            ("ELECTRON_RUN_AS_NODE", "1"),
            ("NODE_CHANNEL_FD", "3"),
            ("VSCODE_IPC_HOOK_CLI", "/run/x.sock"),
            ("VSCODE_PID", "12"),
            ("NODE_OPTIONS", "--max-old-space-size=4096"),
            ("HOME", "/home/u"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let kept: Vec<String> = without_confusing(&vars).into_keys().collect();
        assert_eq!(kept, ["HOME", "NODE_OPTIONS"]);
    }
}
