//! Launchers for a Python application's console scripts (`Step::PythonScripts`): one
//! `bin/<name>` per `[console_scripts]`/`[gui_scripts]` entry of the `entry_points.txt` in
//! the `*.dist-info` at the install directory's root, each running
//! `python3.N -I` with that root and `lib/` (the dependencies) first on `sys.path`.
//!
//! The entry points come from a downloaded wheel: a name that is not a plain file name, or
//! a module or attribute that is not a dotted identifier, is refused, so nothing from the
//! wheel is ever spliced into the shell or Python text unchecked. Writes only in `bin/`
//! of the install directory, never through a link.

use std::fs;
use std::io::Write;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::Path;

/// The largest `entry_points.txt` read.
const MAX_ENTRY_POINTS: u64 = 1 << 20;

/// Writes the launchers of the application unpacked in `dir` for `python` (`python3.12`).
pub fn write(dir: &Path, python: &str) -> Result<(), String> {
    if !python
        .strip_prefix("python3.")
        .is_some_and(|m| !m.is_empty() && m.bytes().all(|b| b.is_ascii_digit()))
    {
        return Err(format!("`{python}` is not a `python3.N` interpreter name"));
    }
    let scripts = entry_points(dir)?;
    if scripts.is_empty() {
        return Err("the package declares no console script".into());
    }
    let bin = dir.join("bin");
    match fs::symlink_metadata(&bin) {
        Ok(m) if m.is_dir() => {}
        Ok(_) => return Err("`bin` is not a directory".into()),
        Err(_) => fs::create_dir(&bin).map_err(|e| e.to_string())?,
    }
    for (name, module, attr) in scripts {
        if !module_found(dir, &module) {
            return Err(format!(
                "`{name}` runs the module `{module}`, which is in none of the installed wheels"
            ));
        }
        let text = launcher(python, &name, &module, &attr);
        let path = bin.join(&name);
        #[allow(
            clippy::disallowed_methods,
            reason = "a launcher in a fresh install directory of den's store"
        )]
        let mut file = fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .custom_flags(nix::libc::O_NOFOLLOW)
            .open(&path)
            .map_err(|e| format!("`bin/{name}`: {e}"))?;
        file.write_all(text.as_bytes()).map_err(|e| e.to_string())?;
        fs::set_permissions(&path, fs::Permissions::from_mode(0o755)).map_err(|e| e.to_string())?;
    }
    Ok(())
}

fn launcher(python: &str, name: &str, module: &str, attr: &str) -> String {
    format!(
        "#!/bin/sh\n\
         # Written by den: `{name}` of a Python application, on {python} from PATH.\n\
         here=$(dirname -- \"$(readlink -f -- \"$0\")\")\n\
         exec {python} -I -c 'import sys, importlib\n\
         here = sys.argv.pop(1)\n\
         sys.path[0:0] = [here + \"/..\", here + \"/../lib\"]\n\
         sys.argv[0] = \"{name}\"\n\
         f = importlib.import_module(\"{module}\")\n\
         for part in \"{attr}\".split(\".\"):\n    f = getattr(f, part)\n\
         sys.exit(f())' \"$here\" \"$@\"\n"
    )
}

/// Whether the top package of `module` is installed: a directory, a `.py` file or a
/// compiled extension at the root or in `lib/` (so a launcher never points at nothing).
fn module_found(dir: &Path, module: &str) -> bool {
    let top = module.split('.').next().unwrap_or(module);
    [dir.to_path_buf(), dir.join("lib")].iter().any(|base| {
        base.join(top).is_dir()
            || base.join(format!("{top}.py")).is_file()
            || fs::read_dir(base).into_iter().flatten().flatten().any(|e| {
                let n = e.file_name().to_string_lossy().into_owned();
                n.starts_with(&format!("{top}.")) && n.ends_with(".so")
            })
    })
}

/// `(name, module, attribute)` of every console and GUI script.
fn entry_points(dir: &Path) -> Result<Vec<(String, String, String)>, String> {
    let mut found = None;
    for entry in fs::read_dir(dir).map_err(|e| e.to_string())?.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let file = entry.path().join("entry_points.txt");
        if name.ends_with(".dist-info") && entry.file_type().is_ok_and(|t| t.is_dir()) {
            let meta = fs::symlink_metadata(&file);
            if meta.as_ref().is_ok_and(|m| m.is_file() && m.len() <= MAX_ENTRY_POINTS) {
                found = Some(fs::read_to_string(&file).map_err(|e| e.to_string())?);
            }
        }
    }
    let Some(text) = found else { return Ok(Vec::new()) };
    let mut out = Vec::new();
    let mut section = String::new();
    for line in text.lines().map(str::trim) {
        if let Some(s) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            section = s.trim().to_string();
            continue;
        }
        if !matches!(section.as_str(), "console_scripts" | "gui_scripts")
            || line.is_empty()
            || line.starts_with('#')
        {
            continue;
        }
        let Some((name, target)) = line.split_once('=') else { continue };
        let (name, target) = (name.trim(), target.split('[').next().unwrap_or("").trim());
        let (module, attr) =
            target.split_once(':').map(|(m, a)| (m.trim(), a.trim())).unwrap_or((target, ""));
        let plain = |n: &str| {
            !n.is_empty()
                && !n.starts_with('.')
                && n.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
        };
        let dotted = |n: &str| {
            !n.is_empty()
                && n.split('.')
                    .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
        };
        if !plain(name) || !dotted(module) || !dotted(attr) {
            return Err(format!(
                "the entry point `{}` is not a plain name and `module:function`",
                line.escape_default()
            ));
        }
        out.push((name.to_string(), module.to_string(), attr.to_string()));
    }
    Ok(out)
}

#[cfg(test)]
#[allow(clippy::disallowed_methods, reason = "tests may write freely")]
mod tests {
    use super::*;

    fn app(entry_points: &str) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir_all(dir.path().join("tool-1.0.dist-info")).unwrap();
        fs::write(dir.path().join("tool-1.0.dist-info/entry_points.txt"), entry_points).unwrap();
        fs::create_dir_all(dir.path().join("tool")).unwrap();
        fs::create_dir_all(dir.path().join("lib/helper")).unwrap();
        dir
    }

    #[test]
    fn one_launcher_per_console_script_on_the_named_python() {
        let dir = app(
            "[console_scripts]\ntool = tool.cli:main\ntool-helper = helper:run [extra]\n\n[other]\nx = y:z\n",
        );
        write(dir.path(), "python3.12").unwrap();
        let text = fs::read_to_string(dir.path().join("bin/tool")).unwrap();
        assert!(text.starts_with("#!/bin/sh\n"), "{text}");
        assert!(text.contains("exec python3.12 -I -c"), "{text}");
        assert!(
            text.contains("importlib.import_module(\"tool.cli\")") && text.contains("\"main\""),
            "{text}"
        );
        let mode = fs::metadata(dir.path().join("bin/tool-helper")).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o755);
        assert!(!dir.path().join("bin/x").exists());
    }

    #[test]
    fn hostile_entry_points_and_interpreters_are_refused() {
        for evil in [
            "[console_scripts]\n../../evil = tool:main\n",
            "[console_scripts]\ntool = tool:main'; rm -rf ~; '\n",
            "[console_scripts]\ntool = tool$(id):main\n",
            "[console_scripts]\n.hidden = tool:main\n",
        ] {
            let dir = app(evil);
            assert!(write(dir.path(), "python3.12").is_err(), "{evil}");
            assert!(
                !dir.path().join("bin").exists()
                    || fs::read_dir(dir.path().join("bin")).unwrap().count() == 0
            );
        }
        let dir = app("[console_scripts]\ntool = tool:main\n");
        for python in ["python3", "/usr/bin/python3.12", "python3.12; id", "python2.7", ""] {
            assert!(write(dir.path(), python).is_err(), "{python}");
        }
    }

    #[test]
    fn a_command_whose_module_is_not_installed_is_refused() {
        let dir = app("[console_scripts]\ntool = missing.cli:main\n");
        let err = write(dir.path(), "python3.12").unwrap_err();
        assert!(err.contains("missing.cli"), "{err}");
        let dir = app("");
        assert!(write(dir.path(), "python3.12").unwrap_err().contains("no console script"));
    }
}
