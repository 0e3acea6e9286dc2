//! The project's Python virtual environment (`python = { version = "3.12", venv = ".venv" }`):
//! made with the tool's own interpreter on first install or activation — `uv venv
//! --python <interpreter>` when uv is one of the project's tools, else `<interpreter> -m
//! venv` — and made again when the project's tool is no longer the version it was made for.
//!
//! Only a venv den vouches for is ever applied (`record`): one den made, or one the user
//! made that den adopted — not tracked by git, its `bin/python` a link to the project's
//! interpreter, its `pyvenv.cfg` naming that interpreter's directory and version. Anything
//! else is foreign (a repository can commit a `.venv/` with a plausible `pyvenv.cfg` and a
//! hostile `bin/python`, `pip` or `.pth`): never applied, one line saying why; `den install`
//! moves it aside, keeping it, and makes a new one.
//!
//! Callers pass the trust gate first: making a venv runs the project's interpreter. Never
//! writes outside the project: the venv path is a plain relative path (the parser's
//! check), no existing component of it may be a symlink (a repository could commit
//! `.venv -> /home/you`), and a directory is only ever replaced when it is a venv (it has
//! a `pyvenv.cfg`) or empty. Never deletes a directory den did not make: den's own old venv
//! is renamed aside and removed once the new one exists; any other is renamed aside and
//! kept. Never runs on the prompt's path (the hook only exports a venv den vouches for:
//! `env::Layers`, `record::vouched`).

pub mod record;

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
/// (`trust::gate`, quietly: an untrusted project gets one line and no venv). A foreign venv
/// is moved aside (kept) and made again: the user asked den to install the project.
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
    Ok(make(project, &installed, Foreign::Replace)?)
}

/// Makes the project's venv when den.toml names one and it is missing, or made for another
/// version of the tool; adopts one the user made with the project's interpreter; returns
/// its directory when den vouches for it. A foreign venv is left alone and not applied, with
/// one line (`den install` replaces it). Nothing when the tool is not installed.
pub fn ensure(project: &Project, installed: &[Installed]) -> Result<Option<PathBuf>, Error> {
    make(project, installed, Foreign::Leave)
}

/// What to do with a venv den neither made nor can adopt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Foreign {
    /// Leave it where it is, unused (`den run`, `enter`, `ide`, the shims).
    Leave,
    /// Move it aside, keeping it, and make a new one (`den install`).
    Replace,
}

/// The old venv while the new one is made: removed once it exists when den made it, kept
/// otherwise; put back when the new one cannot be made.
struct Aside {
    dir: PathBuf,
    keep: bool,
}

fn make(project: &Project, installed: &[Installed], foreign: Foreign) -> Result<Option<PathBuf>, Error> {
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
    let root = &project.root;
    let path = root.join(&venv.path);
    no_symlinks(root, &venv.path)?;
    let aside = if recorded_version(&path).is_none() {
        if is_empty_dir(&path) {
            std::fs::remove_dir(&path).map_err(|source| Error::Io {
                action: "remove",
                path: path.clone(),
                source,
            })?;
        } else if std::fs::symlink_metadata(&path).is_ok() {
            return Err(Error::NotAVenv { path });
        }
        None
    } else if let Some(record) = record::vouched(root, &venv.path) {
        if same_version(&record.version, &tool.version) {
            return Ok(Some(path));
        }
        ui::note(&format!(
            "{} was made for python {}; making it again with {} {}",
            venv.path, record.version, tool.name, tool.version
        ));
        let dir = move_aside(&path, record.adopted)?;
        if record.adopted {
            ui::note(&format!("the venv you made is kept at {}", dir.display()));
        }
        Some(Aside { dir, keep: record.adopted })
    } else {
        match foreign_reason(root, &path, &interpreter, &tool.version) {
            None => {
                record::write(root, &venv.path, &interpreter, &tool.version, true)
                    .map_err(|source| Error::Io { action: "record", path: record::file(root), source })?;
                ui::note(&format!(
                    "adopted the venv {}: not tracked by git, made with the project's {} ({})",
                    venv.path,
                    tool.name,
                    interpreter.display()
                ));
                return Ok(Some(path));
            }
            Some(why) if foreign == Foreign::Leave => {
                ui::note(&format!(
                    "the venv {} is not applied: den did not make it and {why} — `den install` moves it aside (keeping it) and makes a new one",
                    venv.path
                ));
                return Ok(None);
            }
            Some(why) => {
                let dir = move_aside(&path, true)?;
                ui::note(&format!(
                    "moved the venv {} aside to {} (den did not make it and {why}); making a new one",
                    venv.path,
                    dir.display()
                ));
                Some(Aside { dir, keep: true })
            }
        }
    };
    record::forget(root);
    let uv = installed.iter().flat_map(|t| &t.bins).find(|b| b.file_name().is_some_and(|n| n == "uv"));
    let made = create(venv, &path, &interpreter, uv.map(PathBuf::as_path), &tool.version).and_then(|()| {
        record::write(root, &venv.path, &interpreter, &tool.version, false)
            .map(drop)
            .map_err(|source| Error::Io { action: "record", path: record::file(root), source })
    });
    if let Some(old) = aside {
        match &made {
            // Den's old venv is only removed once the new one exists.
            Ok(()) if !old.keep => {
                let _ = std::fs::remove_dir_all(&old.dir);
            }
            Ok(()) => {}
            Err(_) => {
                let _ = std::fs::remove_dir_all(&path);
                let _ = std::fs::rename(&old.dir, &path);
            }
        }
    }
    made.map(|()| Some(path))
}

/// Why the venv at `dir`, which den does not vouch for, is not one den can adopt as the
/// user's own with `interpreter` (the tool's, at `version`); `None` when it is. Reads
/// git's index (whether the project's repository tracks anything under `dir`) last, only
/// when the rest holds.
fn foreign_reason(root: &Path, dir: &Path, interpreter: &Path, version: &str) -> Option<String> {
    let python = dir.join("bin/python");
    let ours = std::fs::canonicalize(interpreter).ok();
    match std::fs::symlink_metadata(&python) {
        Err(_) => return Some("it has no bin/python".into()),
        Ok(m) if !m.file_type().is_symlink() => {
            return Some("its bin/python is a file, not a link to the project's interpreter".into());
        }
        Ok(_) => {}
    }
    let runs = std::fs::canonicalize(&python).ok();
    if runs.is_none() || runs != ours {
        return Some(format!(
            "its bin/python runs {}, not the project's {}",
            runs.map_or_else(|| "nothing".into(), |r| r.display().to_string()),
            interpreter.display()
        ));
    }
    let home = cfg_value(dir, "home").unwrap_or_default();
    let home_dir = std::fs::canonicalize(&home).ok();
    let dirs = [
        interpreter.parent().and_then(|d| std::fs::canonicalize(d).ok()),
        ours.as_deref().and_then(Path::parent).map(Path::to_path_buf),
    ];
    if home_dir.is_none() || !dirs.contains(&home_dir) {
        return Some(format!(
            "its pyvenv.cfg says home = {}, not the interpreter's directory",
            escaped(&home)
        ));
    }
    let made_by = recorded_version(dir).unwrap_or_default();
    if !same_version(&made_by, version) {
        return Some(format!("its pyvenv.cfg says python {}, not {version}", escaped(&made_by)));
    }
    if crate::trust::git::tracked(root, dir) {
        return Some("git tracks files in it (or cannot tell), so it came with the repository".into());
    }
    None
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
    Some(value(&text, "version").or_else(|| value(&text, "version_info")).unwrap_or_default())
}

/// A `key = value` of the venv's `pyvenv.cfg`.
fn cfg_value(venv: &Path, key: &str) -> Option<String> {
    value(&crate::fs_util::read_input_string(&venv.join("pyvenv.cfg")).ok()?, key)
}

fn value(text: &str, key: &str) -> Option<String> {
    text.lines().find_map(|line| {
        let (k, v) = line.split_once('=')?;
        (k.trim() == key).then(|| v.trim().to_string())
    })
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
/// file system), returning where it went: `.<name>.den-old-<pid>` for den's own (removed
/// once the new one exists), `<name>.den-moved-<n>` for one to keep (never over another).
fn move_aside(path: &Path, keep: bool) -> Result<PathBuf, Error> {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let aside = if keep {
        (1..)
            .map(|n| path.with_file_name(format!("{name}.den-moved-{n}")))
            .find(|p| std::fs::symlink_metadata(p).is_err())
            .unwrap_or_default()
    } else {
        let aside = path.with_file_name(format!(".{name}.den-old-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&aside);
        aside
    };
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
    // Outside any project's environment (and in `/`: `python -m` imports from its working
    // directory first); an outer venv or Python settings must not leak into the new one.
    crate::helper_env::isolate(&mut cmd);
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
#[allow(clippy::disallowed_methods, reason = "tests may write freely")]
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
            env: Vec::new(),
        };
        assert_eq!(interpreter(&tool(&["pip3", "python", "python3"])), Some("/s/bin/python3".into()));
        assert_eq!(interpreter(&tool(&["python3.11"])), Some("/s/bin/python3.11".into()));
        assert_eq!(interpreter(&tool(&["pip3", "python3-config"])), None);
    }
}
