//! Per-project shims: `<project>/.den/bin/<bin>` for every binary of the project's tools,
//! so that an editor's interpreter setting (`.den/bin/python`) runs the project's tool with
//! the project's environment from any working directory. A shim is a two-line POSIX sh
//! script that execs `den __shim <root> <bin> "$@"`: den then finds the project at that
//! root (never from the working directory), passes the trust gate (refusing, never
//! asking), computes the environment and execs the binary found among the tools' own
//! directories only — so a shim never finds itself, even with `.den/bin` on PATH.
//! A shim started without HOME (`env -i`, some launchers) gets the HOME of the user who
//! wrote it, where den keeps its store and trust records.
//! Only files carrying the shim marker are ever replaced or removed.

use std::collections::BTreeSet;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use super::Error;
use crate::paths::DenDir;
use crate::tools::Installed;

/// The second line of every shim: how den recognises its own files.
const MARKER: &str = "# den shim:";

/// `text` as one single-quoted sh word.
fn quoted(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

/// The shim of `bin` for the project at `root`, run by `den`, with `home` when HOME is unset.
pub fn script(den: &Path, root: &Path, bin: &str, home: Option<&str>) -> String {
    let home = home
        .map(|h| format!("[ -n \"$HOME\" ] || {{ HOME={}; export HOME; }}\n", quoted(h)))
        .unwrap_or_default();
    let root = quoted(&root.to_string_lossy());
    // den moved or was upgraded to another path: one line saying so and what to run,
    // rather than the shell's "not found" (never another `den` from PATH, which could be
    // any program, this very shim among them).
    let gone = format!(
        "[ -x \"$d\" ] || {{ printf 'den: %s cannot run: den is no longer at %s (moved or upgraded)\\nhelp: run `den ide --shims` in %s to rewrite its shims\\n' \"$0\" \"$d\" {root} >&2; exit 127; }}\n"
    );
    format!(
        "#!/bin/sh\n{MARKER} runs {bin} of this project with its environment (written by `den ide --shims`)\n{home}d={}\n{gone}exec \"$d\" __shim {root} {} \"$@\"\n",
        quoted(&den.to_string_lossy()),
        quoted(bin),
    )
}

/// `.den/bin/` file naming what the shims were last written for (den's path, HOME and the
/// binaries), so that the hook rewrites them only when that changed.
const STAMP: &str = ".den-shims";

fn stamp(den: &Path, home: Option<&str>, names: &BTreeSet<String>) -> String {
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    format!("{}\n{}\n{}\n", den.display(), home.unwrap_or_default(), names.join("\n"))
}

/// The binaries `tools` provide, by name (hidden names never get a shim).
fn names(tools: &[Installed]) -> BTreeSet<String> {
    tools
        .iter()
        .flat_map(|t| &t.bins)
        .filter_map(|b| b.file_name()?.to_str().map(str::to_string))
        .filter(|n| !n.starts_with('.'))
        .collect()
}

/// Whether the project at `root` has shims (`.den/bin/`) that are out of step with
/// `tools`, `den` and `home`: one small read, for the hook, which rewrites them then.
pub fn stale(root: &Path, den: &Path, home: Option<&str>, tools: &[Installed]) -> bool {
    let dir = DenDir::of(root).bin();
    if !std::fs::symlink_metadata(&dir).is_ok_and(|m| m.is_dir()) {
        return false;
    }
    std::fs::read_to_string(dir.join(STAMP)).ok() != Some(stamp(den, home, &names(tools)))
}

/// Writes the shims of `tools`' binaries under `root`'s `.den/bin/` and removes den's shims
/// of binaries no tool provides any more. Returns the names written.
pub fn write(root: &Path, den: &Path, home: Option<&str>, tools: &[Installed]) -> Result<Vec<String>, Error> {
    let dir = DenDir::of(root).bin();
    let err = |path: &Path| {
        let path = path.to_path_buf();
        move |source| Error::Write { path, source }
    };
    std::fs::create_dir_all(&dir).map_err(err(&dir))?;
    let names = names(tools);
    for stale in own_shims(&dir)
        .into_iter()
        .filter(|p| !p.file_name().and_then(|n| n.to_str()).is_some_and(|n| names.contains(n)))
    {
        std::fs::remove_file(&stale).map_err(err(&stale))?;
    }
    for name in &names {
        let path = dir.join(name);
        let text = script(den, root, name, home);
        if std::fs::read_to_string(&path).is_ok_and(|t| t == text) {
            continue;
        }
        if path.exists() && !is_shim(&path) {
            continue; // a file of the user's: never replaced
        }
        let tmp = dir.join(format!(".{name}.tmp"));
        std::fs::write(&tmp, &text).map_err(err(&tmp))?;
        std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(0o755)).map_err(err(&tmp))?;
        std::fs::rename(&tmp, &path).map_err(err(&path))?;
    }
    let (stamp_path, stamp) = (dir.join(STAMP), stamp(den, home, &names));
    if std::fs::read_to_string(&stamp_path).ok().as_ref() != Some(&stamp) {
        crate::fs_util::write_atomic(&stamp_path, stamp.as_bytes(), 0o644).map_err(err(&stamp_path))?;
    }
    Ok(names.into_iter().collect())
}

fn is_shim(path: &Path) -> bool {
    std::fs::read_to_string(path).is_ok_and(|t| t.lines().nth(1).is_some_and(|l| l.starts_with(MARKER)))
}

fn own_shims(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
    entries.flatten().map(|e| e.path()).filter(|p| is_shim(p)).collect()
}

/// The binaries to write shims for: the tools', and `python`, `python3` and `pip` when
/// den.toml names a venv (their shims run the venv's once den vouches for it: see `den
/// __shim`). The
/// venv's other console scripts get no shim: they come and go with `pip install`.
pub fn binaries(project: &crate::project::Project, installed: &[Installed]) -> Vec<Installed> {
    let mut all = installed.to_vec();
    if let Some(venv) = &project.manifest.venv {
        let bin = project.root.join(&venv.path).join("bin");
        all.push(Installed {
            name: venv.tool.clone(),
            version: String::new(),
            dir: bin.clone(),
            bin_dirs: Vec::new(),
            bins: VENV_SHIMS.iter().map(|n| bin.join(n)).collect(),
            env: Vec::new(),
        });
    }
    all
}

/// The venv's binaries that always get a shim.
const VENV_SHIMS: [&str; 3] = ["python", "python3", "pip"];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn script_quotes_paths() {
        let s = script(Path::new("/opt/den"), Path::new("/p/it's here"), "python3", Some("/h"));
        assert_eq!(s.lines().nth(2), Some(r#"[ -n "$HOME" ] || { HOME='/h'; export HOME; }"#));
        assert_eq!(s.lines().nth(3), Some("d='/opt/den'"));
        assert_eq!(s.lines().nth(5), Some(r#"exec "$d" __shim '/p/it'\''s here' 'python3' "$@""#));
    }

    #[test]
    fn writes_replaces_and_removes_only_its_own() {
        let tmp = tempfile::tempdir().unwrap();
        let tool = |bins: &[&str]| Installed {
            name: "t".into(),
            version: "1".into(),
            dir: tmp.path().into(),
            bin_dirs: vec![],
            bins: bins.iter().map(|b| tmp.path().join("store").join(b)).collect(),
            env: Vec::new(),
        };
        let bin = DenDir::of(tmp.path()).bin();
        std::fs::create_dir_all(&bin).unwrap();
        std::fs::write(bin.join("mine"), "user's").unwrap();
        let den = Path::new("/den");
        assert_eq!(write(tmp.path(), den, None, &[tool(&["a", "b", "mine"])]).unwrap(), ["a", "b", "mine"]);
        assert_eq!(std::fs::read_to_string(bin.join("mine")).unwrap(), "user's");
        assert!(is_shim(&bin.join("a")));
        assert!(!stale(tmp.path(), den, None, &[tool(&["a", "b", "mine"])]));
        assert!(stale(tmp.path(), den, None, &[tool(&["b"])]), "another set of binaries");
        assert!(stale(tmp.path(), Path::new("/moved/den"), None, &[tool(&["a", "b", "mine"])]));
        write(tmp.path(), den, None, &[tool(&["b"])]).unwrap();
        assert!(!stale(tmp.path(), den, None, &[tool(&["b"])]));
        assert!(!bin.join("a").exists() && bin.join("b").exists() && bin.join("mine").exists());
    }
}
