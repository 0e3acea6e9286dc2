//! Per-project shims: `<project>/.den/bin/<bin>` for every binary of the project's tools,
//! so that an editor's interpreter setting (`.den/bin/python`) runs the project's tool with
//! the project's environment from any working directory. A shim is a two-line POSIX sh
//! script that execs `den __shim <root> <bin> "$@"`: den then finds the project at that
//! root (never from the working directory), passes the trust gate (refusing, never
//! asking), computes the environment and execs the binary found among the tools' own
//! directories only — so a shim never finds itself, even with `.den/bin` on PATH.
//! A shim started without HOME (`env -i`, some launchers) gets the HOME of the user who
//! wrote it, where den keeps its store and trust records.
//! Only files carrying the shim marker are ever replaced or removed; anything else in
//! `.den/bin/` is moved aside (`.den/bin.foreign-<seconds>/`) with one line.

use std::collections::BTreeSet;
use std::ffi::OsStr;
use std::path::Path;

use super::Error;
use crate::config::Config;
use crate::fs_util::beneath;
use crate::paths::DenDir;
use crate::project::Project;
use crate::tools::{self, Installed};

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
    crate::fs_util::read_input_string(&dir.join(STAMP)).ok() != Some(stamp(den, home, &names(tools)))
}

/// Writes the shims of `tools`' binaries under `root`'s `.den/bin/` and removes den's shims
/// of binaries no tool provides any more. Returns the names written.
///
/// `.den/bin/` holds den's shims only: anything else found there (a repository can commit
/// a `python` an editor would run) is moved aside to `.den/bin.foreign-<seconds>/`, with
/// one line naming it. Every write goes through `fs_util::beneath`: a link committed in
/// place of a shim or its temp file is replaced, never written through.
pub fn write(root: &Path, den: &Path, home: Option<&str>, tools: &[Installed]) -> Result<Vec<String>, Error> {
    let bin = DenDir::of(root).bin();
    let err = |path: &Path| {
        let path = path.to_path_buf();
        move |source| Error::Write { path, source }
    };
    let dir = beneath::den_subdir(root, Path::new("bin")).map_err(err(&bin))?;
    let names = names(tools);
    let mut aside: Option<beneath::Dir> = None;
    for entry in dir.names() {
        let own = entry.to_str().is_some_and(|n| n == STAMP || n.starts_with(crate::fs_util::TEMP_PREFIX));
        if own {
            continue;
        }
        if is_shim(&dir, &entry) {
            if !entry.to_str().is_some_and(|n| names.contains(n)) {
                dir.remove(&entry).map_err(err(&bin.join(&entry)))?;
            }
            continue;
        }
        let target = match &aside {
            Some(a) => a,
            None => {
                let secs = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(0, |d| d.as_secs());
                let name = format!("bin.foreign-{secs}");
                let made = beneath::den_dir(root).and_then(|d| d.child(OsStr::new(&name)));
                aside.insert(made.map_err(err(&DenDir::of(root).path().join(name)))?)
            }
        };
        dir.rename_to(&entry, target, &entry).map_err(err(&bin.join(&entry)))?;
        crate::ui::warn(&format!(
            "moved {}, which den did not write, to {}: .den/bin holds den's shims only",
            crate::ui::escaped(&bin.join(&entry).to_string_lossy()),
            crate::ui::escaped(&target.path().to_string_lossy())
        ));
    }
    for name in &names {
        let text = script(den, root, name, home);
        if dir.read(OsStr::new(name), SHIM_LIMIT).is_some_and(|t| t == text.as_bytes()) {
            continue;
        }
        dir.write(OsStr::new(name), text.as_bytes(), 0o755).map_err(err(&bin.join(name)))?;
    }
    let stamp = stamp(den, home, &names);
    if dir.read(OsStr::new(STAMP), SHIM_LIMIT).as_deref() != Some(stamp.as_bytes()) {
        dir.write(OsStr::new(STAMP), stamp.as_bytes(), 0o644).map_err(err(&bin.join(STAMP)))?;
    }
    Ok(names.into_iter().collect())
}

/// After den.toml or den.lock changed (`den install`, `add`, `upgrade`, `remove`): rewrites
/// the project's shims when it has some (`.den/bin/` exists), so that new binaries get one
/// and removed ones lose theirs (a shim finds the tool's version when it runs, so a new
/// version needs no new shim). `project` is as loaded after the change. A failure is a
/// warning: the command itself succeeded.
pub fn refresh(project: &Project, config: &Config) {
    if !DenDir::of(&project.root).bin().is_dir() {
        return;
    }
    let refreshed = || -> Result<(), String> {
        let (installed, _) = tools::locate(project, config).map_err(|e| e.to_string())?;
        let den = super::den_exe().map_err(|e| e.to_string())?;
        let home = std::env::var(crate::env_vars::HOME).ok();
        write(&project.root, &den, home.as_deref(), &binaries(project, &installed))
            .map_err(|e| e.to_string())?;
        Ok(())
    };
    if let Err(e) = refreshed() {
        crate::ui::warn(&format!("the shims in .den/bin/ were not refreshed: {e}"));
    }
}

/// A trusted project's shims (`.den/bin/`, when it has them) rewritten when its set of
/// binaries (or den's path) changed since they were written, for the hook: it runs when
/// den.toml or den.lock changed, by hand or by `git pull` as much as by den. One small read
/// when nothing changed; a failure is one line, the prompt goes on.
pub fn refresh_stale(project: &Project, installed: &[Installed]) {
    let Ok(den) = std::env::current_exe() else { return };
    let home = std::env::var(crate::env_vars::HOME).ok();
    let binaries = binaries(project, installed);
    if !stale(&project.root, &den, home.as_deref(), &binaries) {
        return;
    }
    if let Err(e) = write(&project.root, &den, home.as_deref(), &binaries) {
        crate::ui::warn(&format!("the shims in .den/bin/ were not refreshed: {e}"));
    }
}

/// The most den reads of a file in `.den/bin/` to tell whether it is a shim.
const SHIM_LIMIT: u64 = 64 * 1024;

/// Whether `name` in `dir` is a regular file carrying den's shim marker.
fn is_shim(dir: &beneath::Dir, name: &OsStr) -> bool {
    dir.read(name, SHIM_LIMIT)
        .is_some_and(|t| String::from_utf8_lossy(&t).lines().nth(1).is_some_and(|l| l.starts_with(MARKER)))
}

/// The binaries to write shims for: the tools', and `python`, `python3` and `pip` when
/// den.toml names a venv (their shims run the venv's once den vouches for it: see `den
/// __shim`). The
/// venv's other console scripts get no shim: they come and go with `pip install`.
pub fn binaries(project: &Project, installed: &[Installed]) -> Vec<Installed> {
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
#[allow(clippy::disallowed_methods, reason = "tests may write freely")]
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
        let aside: Vec<_> = std::fs::read_dir(DenDir::of(tmp.path()).path())
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.file_name().unwrap().to_str().unwrap().starts_with("bin.foreign-"))
            .collect();
        assert_eq!(aside.len(), 1, "the file den did not write is moved aside");
        assert_eq!(std::fs::read_to_string(aside[0].join("mine")).unwrap(), "user's");
        let dir = beneath::Dir::anchor(&bin).unwrap();
        assert!(is_shim(&dir, OsStr::new("a")) && is_shim(&dir, OsStr::new("mine")));
        assert!(!stale(tmp.path(), den, None, &[tool(&["a", "b", "mine"])]));
        assert!(stale(tmp.path(), den, None, &[tool(&["b"])]), "another set of binaries");
        assert!(stale(tmp.path(), Path::new("/moved/den"), None, &[tool(&["a", "b", "mine"])]));
        write(tmp.path(), den, None, &[tool(&["b"])]).unwrap();
        assert!(!stale(tmp.path(), den, None, &[tool(&["b"])]));
        assert!(!bin.join("a").exists() && bin.join("b").exists() && !bin.join("mine").exists());
    }
}
