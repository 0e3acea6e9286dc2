//! The project's Python virtual environment (`python = { version = "3.12", venv = ".venv" }`):
//! made with the tool's own interpreter on first install or activation — `uv venv
//! --python <interpreter>` when uv is one of the project's tools, else `<interpreter> -m
//! venv` — and made again when the interpreter's version is no longer the one that made
//! it (the `version`/`version_info` line of its `pyvenv.cfg`).
//!
//! Callers pass the trust gate first: making a venv runs the project's interpreter. Never
//! writes outside the project: the venv path is a plain relative path (the parser's
//! check), no existing component of it may be a symlink (a repository could commit
//! `.venv -> /home/you`), and a directory is only ever replaced when it is a venv (it has
//! a `pyvenv.cfg`) or empty; the old one is renamed aside in the same directory, then
//! removed once the new one exists. Never runs on the prompt's path (the hook only
//! exports a venv that exists: `env::Layers`).

use std::path::{Path, PathBuf};
use std::process::Stdio;

use super::Installed;
use crate::hint::Hint;
use crate::project::{Project, Venv};
use crate::ui::{self, escaped};

/// Why the venv could not be made.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The tool named by `venv` has no Python interpreter among its binaries.
    #[error("{} has no Python interpreter to make the venv {} with (its binaries: {})", escaped(tool), escaped(venv), escaped(&bins.join(", ")))]
    NoInterpreter { tool: String, venv: String, bins: Vec<String> },
    /// A component of the venv path is a symlink: den would write where it points.
    #[error("will not make the venv at {}: {} is a symlink", path.display(), link.display())]
    Symlink { path: PathBuf, link: PathBuf },
    /// Something that is not a venv is in the way.
    #[error("will not replace {} with a venv: it exists and is not one (no pyvenv.cfg)", path.display())]
    NotAVenv { path: PathBuf },
    /// The interpreter (or uv) failed.
    #[error("{} could not make the venv {}: {}", program.display(), path.display(), escaped(why))]
    Failed { program: PathBuf, path: PathBuf, why: String },
    #[error("cannot {action} {}: {source}", path.display())]
    Io {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

impl Hint for Error {
    fn hint(&self) -> Option<String> {
        match self {
            Error::NoInterpreter { .. } => {
                Some("put `venv` on the tool that provides `python3` (usually `python`)".into())
            }
            Error::Symlink { .. } | Error::NotAVenv { .. } => {
                Some("move it out of the way, or name another directory in `venv = \"...\"`".into())
            }
            Error::Failed { .. } => Some(
                "on Debian and Ubuntu, a system python needs `python3-venv` (`apt install python3-venv`)"
                    .into(),
            ),
            Error::Io { .. } => None,
        }
    }
}

/// After `den install`, `add` or `upgrade` (which install without running anything of
/// the project): makes the venv when den.toml names one and the project is trusted
/// (`trust::gate`, quietly: an untrusted project gets one line and no venv).
pub fn after_install(
    project: &Project,
    config: &crate::config::Config,
) -> Result<Option<PathBuf>, super::Error> {
    let Some(venv) = &project.manifest.venv else { return Ok(None) };
    if !crate::trust::gate(project, crate::trust::How::Quiet).unwrap_or(false) {
        ui::note(&format!(
            "the venv {} is made once den.toml is trusted (`den trust`, then `den install`)",
            venv.path
        ));
        return Ok(None);
    }
    let (installed, _) = super::locate(project, config)?;
    Ok(ensure(project, &installed)?)
}

/// Makes the project's venv when den.toml names one and it is missing, or made by another
/// interpreter version; returns its directory. Nothing when the tool is not installed.
pub fn ensure(project: &Project, installed: &[Installed]) -> Result<Option<PathBuf>, Error> {
    let Some(venv) = &project.manifest.venv else { return Ok(None) };
    let Some(tool) = installed.iter().find(|t| t.name == venv.tool) else { return Ok(None) };
    let interpreter = interpreter(tool).ok_or_else(|| Error::NoInterpreter {
        tool: tool.name.clone(),
        venv: venv.path.clone(),
        bins: tool
            .bins
            .iter()
            .filter_map(|b| b.file_name())
            .map(|n| n.to_string_lossy().into_owned())
            .collect(),
    })?;
    let path = project.root.join(&venv.path);
    no_symlinks(&project.root, &venv.path)?;
    let aside = match recorded_version(&path) {
        Some(made_by) if same_version(&made_by, &tool.version) => return Ok(Some(path)),
        Some(made_by) => {
            ui::note(&format!(
                "{} was made by python {made_by}; making it again with {} {}",
                venv.path, tool.name, tool.version
            ));
            Some(move_aside(&path)?)
        }
        None if is_empty_dir(&path) => {
            std::fs::remove_dir(&path).map_err(|source| Error::Io {
                action: "remove",
                path: path.clone(),
                source,
            })?;
            None
        }
        None if std::fs::symlink_metadata(&path).is_ok() => return Err(Error::NotAVenv { path }),
        None => None,
    };
    let uv = installed.iter().flat_map(|t| &t.bins).find(|b| b.file_name().is_some_and(|n| n == "uv"));
    let made = create(venv, &path, &interpreter, uv.map(PathBuf::as_path), &tool.version);
    if let Some(old) = aside {
        match &made {
            // The old venv is only removed once the new one exists.
            Ok(()) => {
                let _ = std::fs::remove_dir_all(&old);
            }
            Err(_) => {
                let _ = std::fs::remove_dir_all(&path);
                let _ = std::fs::rename(&old, &path);
            }
        }
    }
    made.map(|()| Some(path))
}

/// The tool's Python interpreter: `python3`, `python`, then a versioned `python3.12`.
fn interpreter(tool: &Installed) -> Option<PathBuf> {
    let named = |want: &dyn Fn(&str) -> bool| {
        tool.bins.iter().find(|b| b.file_name().and_then(|n| n.to_str()).is_some_and(want)).cloned()
    };
    named(&|n| n == "python3").or_else(|| named(&|n| n == "python")).or_else(|| {
        named(&|n| {
            n.strip_prefix("python")
                .is_some_and(|v| !v.is_empty() && v.chars().all(|c| c.is_ascii_digit() || c == '.'))
        })
    })
}

/// Refuses a venv path with a symlink among its existing components.
fn no_symlinks(root: &Path, rel: &str) -> Result<(), Error> {
    let mut at = root.to_path_buf();
    for part in rel.split('/') {
        at.push(part);
        match std::fs::symlink_metadata(&at) {
            Ok(m) if m.file_type().is_symlink() => {
                return Err(Error::Symlink { path: root.join(rel), link: at });
            }
            Ok(_) => {}
            Err(_) => break,
        }
    }
    Ok(())
}

/// The Python version `pyvenv.cfg` records (`version = 3.12.1` from `venv`,
/// `version_info = 3.12.1` from uv); `None` when the directory is not a venv.
pub fn recorded_version(venv: &Path) -> Option<String> {
    let text = crate::fs_util::read_input_string(&venv.join("pyvenv.cfg")).ok()?;
    let value = |key: &str| {
        text.lines().find_map(|line| {
            let (k, v) = line.split_once('=')?;
            (k.trim() == key).then(|| v.trim().to_string())
        })
    };
    Some(value("version").or_else(|| value("version_info")).unwrap_or_default())
}

/// Whether a recorded version and a tool's version are the same interpreter release
/// (`3.12.7` and `3.12.7+20241016`; uv may add `.final.0`).
fn same_version(recorded: &str, tool: &str) -> bool {
    let numbers = |v: &str| -> Vec<u64> {
        v.split(|c: char| !c.is_ascii_digit() && c != '.')
            .next()
            .unwrap_or_default()
            .split('.')
            .take(3)
            .map_while(|n| n.parse().ok())
            .collect()
    };
    let (a, b) = (numbers(recorded), numbers(tool));
    !a.is_empty() && a == b
}

fn is_empty_dir(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|m| m.is_dir())
        && std::fs::read_dir(path).is_ok_and(|mut d| d.next().is_none())
}

/// Renames the old venv beside itself (same directory, so the rename cannot cross a
/// file system), returning where it went.
fn move_aside(path: &Path) -> Result<PathBuf, Error> {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let aside = path.with_file_name(format!(".{name}.den-old-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&aside);
    std::fs::rename(path, &aside).map_err(|source| Error::Io {
        action: "move aside",
        path: path.to_path_buf(),
        source,
    })?;
    Ok(aside)
}

/// Runs the interpreter (or uv) to make the venv at `path`; a half-made one is removed.
#[allow(
    clippy::disallowed_methods,
    reason = "a helper program: the project's own interpreter (or uv) makes its venv, in a trusted project"
)]
fn create(
    venv: &Venv,
    path: &Path,
    interpreter: &Path,
    uv: Option<&Path>,
    version: &str,
) -> Result<(), Error> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|source| Error::Io {
            action: "create",
            path: parent.to_path_buf(),
            source,
        })?;
    }
    let (program, mut cmd) = match uv {
        Some(uv) => {
            let mut cmd = std::process::Command::new(uv);
            cmd.args(["venv", "--quiet", "--python"]).arg(interpreter).arg(path);
            (uv.to_path_buf(), cmd)
        }
        None => {
            let mut cmd = std::process::Command::new(interpreter);
            cmd.args(["-m", "venv"]).arg(path);
            (interpreter.to_path_buf(), cmd)
        }
    };
    // An outer venv or Python settings must not leak into the new one.
    for name in ["VIRTUAL_ENV", "PYTHONHOME", "PYTHONPATH", "PYTHONSTARTUP", "PYTHONUSERBASE"] {
        cmd.env_remove(name);
    }
    ui::note(&format!(
        "making the venv {} with python {version} ({}{})",
        venv.path,
        interpreter.display(),
        if uv.is_some() { ", by uv" } else { "" }
    ));
    let out = cmd.stdin(Stdio::null()).output().map_err(|e| Error::Failed {
        program: program.clone(),
        path: path.to_path_buf(),
        why: e.to_string(),
    })?;
    if out.status.success() && path.join("pyvenv.cfg").is_file() {
        return Ok(());
    }
    let _ = std::fs::remove_dir_all(path);
    let text = String::from_utf8_lossy(&out.stderr);
    let last: String =
        text.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or("").chars().take(300).collect();
    let why = if last.is_empty() { format!("it exited with {}", out.status) } else { last };
    Err(Error::Failed { program, path: path.to_path_buf(), why })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_compare_by_release() {
        assert!(same_version("3.12.7", "3.12.7+20241016"));
        assert!(same_version("3.12.7.final.0", "3.12.7"));
        assert!(!same_version("3.12.7", "3.12.8"));
        assert!(!same_version("", "3.12.8"));
    }

    #[test]
    fn reads_what_venv_and_uv_record() {
        let tmp = tempfile::tempdir().unwrap();
        assert_eq!(recorded_version(tmp.path()), None);
        std::fs::write(tmp.path().join("pyvenv.cfg"), "home = /usr/bin\nversion = 3.11.2\n").unwrap();
        assert_eq!(recorded_version(tmp.path()).as_deref(), Some("3.11.2"));
        std::fs::write(tmp.path().join("pyvenv.cfg"), "uv = 0.4.0\nversion_info = 3.12.1\n").unwrap();
        assert_eq!(recorded_version(tmp.path()).as_deref(), Some("3.12.1"));
    }

    #[test]
    fn refuses_symlinked_components() {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::create_dir(tmp.path().join("elsewhere")).unwrap();
        std::os::unix::fs::symlink(tmp.path().join("elsewhere"), tmp.path().join("envs")).unwrap();
        assert!(matches!(no_symlinks(tmp.path(), "envs/py"), Err(Error::Symlink { .. })));
        assert!(no_symlinks(tmp.path(), "real/py").is_ok());
    }

    #[test]
    fn finds_the_interpreter() {
        let tool = |bins: &[&str]| Installed {
            name: "python".into(),
            version: "3.12.1".into(),
            dir: "/s".into(),
            bin_dirs: vec![],
            bins: bins.iter().map(|b| PathBuf::from("/s/bin").join(b)).collect(),
        };
        assert_eq!(interpreter(&tool(&["pip3", "python", "python3"])), Some("/s/bin/python3".into()));
        assert_eq!(interpreter(&tool(&["python3.11"])), Some("/s/bin/python3.11".into()));
        assert_eq!(interpreter(&tool(&["pip3", "python3-config"])), None);
    }
}
