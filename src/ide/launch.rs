//! Starts an editor on a project, detached from den's terminal: its own session (setsid),
//! stdin from /dev/null, stdout and stderr appended to `.den/logs/ide-<editor>.log`, the
//! environment `next` (the project's, built by the caller through `env`'s one builder).
//! A Flatpak app gets the variables as `--env=` arguments, since its sandbox does not
//! inherit them. Never waits for the editor.

use std::ffi::OsString;
use std::fs::OpenOptions;
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
    std::fs::create_dir_all(&logs).map_err(|source| Error::Write { path: logs.clone(), source })?;
    let log_path = logs.join(format!("ide-{}.log", editor.name));
    let log = || {
        OpenOptions::new()
            .append(true)
            .create(true)
            .open(&log_path)
            .map_err(|source| Error::Write { path: log_path.clone(), source })
    };
    let mut project_args = extra;
    project_args.extend(editor::project_args(editor, root));
    let (program, args): (PathBuf, Vec<OsString>) = match &editor.how {
        How::Program(program) => (program.clone(), project_args),
        How::Flatpak { flatpak, app } => {
            let mut args: Vec<OsString> = vec!["run".into()];
            // The project's variables: what differs from den's own environment.
            for (name, value) in next.iter().filter(|(k, v)| current.get(*k) != Some(*v)) {
                args.push(format!("--env={name}={value}").into());
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
