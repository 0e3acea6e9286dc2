//! Erlang/OTP's install step, done by den (`Step::OtpInstall`): a release as Hex's builds
//! ship it (`OTP-27.1.2/` with `Install`, `erts-<v>/bin/` holding `erl.src`, `start.src`,
//! `erlexec` and the programs, `releases/<major>/` the boot files) is made runnable where
//! it lies, as `Install -minimal <dir>` would, without running that script: `bin/erl` and
//! `erts-<v>/bin/erl` are written from `erl.src` (and `bin/start` from `start.src`) with
//! `ROOTDIR` found from the script's own path at run time, since the directory is renamed
//! into the store after this step and no absolute path written now would stay true; the
//! programs (`erlc`, `escript`, `dialyzer`, `typer`, `ct_run`, `run_erl`, `to_erl`,
//! `epmd`) are copied into `bin/`, and the minimal boot files (`start_clean.boot` as
//! `start.boot`, `no_dot_erlang.boot`) put beside them.
//!
//! Runs in a fresh install directory only: nothing is followed through a link, nothing is
//! written outside `dir`, and a missing or odd layout is an error naming what is missing.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

/// The largest `.src` script read (the real ones are about 1 KiB).
const MAX_SCRIPT: u64 = 64 << 10;

/// What `ROOTDIR="%FINAL_ROOTDIR%"` becomes: the release's root, two levels above the
/// script (`bin/erl`), three for `erts-<v>/bin/erl`.
fn rootdir(up: &str) -> String {
    format!("$(cd \"$(dirname \"$(readlink -f \"$0\" 2>/dev/null || echo \"$0\")\")/{up}\" && pwd -P)")
}

/// Programs `Install` puts in `bin/`, when the release has them.
const PROGRAMS: &[&str] = &["erlc", "escript", "dialyzer", "typer", "ct_run", "run_erl", "to_erl", "epmd"];

/// Makes the release in `dir` runnable where it lies.
pub fn run(dir: &Path) -> Result<(), String> {
    real_dir(dir, "the release")?;
    let erts = single(dir, "erts-")?;
    let erts_bin = erts.join("bin");
    real_dir(&erts_bin, "erts-*/bin")?;
    let vsn = erts.file_name().and_then(|n| n.to_str()).and_then(|n| n.strip_prefix("erts-")).unwrap_or("");
    let bin = dir.join("bin");
    match fs::symlink_metadata(&bin) {
        Ok(m) if m.is_dir() => {}
        Ok(_) => return Err("`bin` is not a directory".into()),
        Err(_) => fs::create_dir(&bin).map_err(|e| e.to_string())?,
    }
    let erl = script(&erts_bin.join("erl.src"), vsn)?
        .ok_or_else(|| format!("`erts-{vsn}/bin/erl.src` is missing: not an Erlang/OTP release"))?;
    write_exe(&bin.join("erl"), &erl.replace("%FINAL_ROOTDIR%", &rootdir("..")))?;
    write_exe(&erts_bin.join("erl"), &erl.replace("%FINAL_ROOTDIR%", &rootdir("../..")))?;
    if let Some(start) = script(&erts_bin.join("start.src"), vsn)? {
        write_exe(&bin.join("start"), &start.replace("%FINAL_ROOTDIR%", &rootdir("..")))?;
    }
    for program in PROGRAMS {
        let from = erts_bin.join(program);
        if fs::symlink_metadata(&from).is_ok_and(|m| m.is_file()) {
            copy(&from, &bin.join(program))?;
        }
    }
    if let Ok(release) = single(&dir.join("releases"), "") {
        let boot = |name: &str| release.join(name);
        let clean = boot("start_clean.boot");
        if fs::symlink_metadata(&clean).is_ok_and(|m| m.is_file()) {
            copy(&clean, &bin.join("start.boot"))?;
            copy(&clean, &bin.join("start_clean.boot"))?;
        }
        for name in ["no_dot_erlang.boot", "start_sasl.boot"] {
            if fs::symlink_metadata(boot(name)).is_ok_and(|m| m.is_file()) {
                copy(&boot(name), &bin.join(name))?;
            }
        }
    }
    Ok(())
}

fn real_dir(path: &Path, what: &str) -> Result<(), String> {
    match fs::symlink_metadata(path) {
        Ok(m) if m.is_dir() => Ok(()),
        Ok(_) => Err(format!("{what} is not a directory")),
        Err(_) => Err(format!("{what} is missing")),
    }
}

/// The one real directory in `dir` whose name starts with `prefix`.
fn single(dir: &Path, prefix: &str) -> Result<PathBuf, String> {
    let found: Vec<PathBuf> = fs::read_dir(dir)
        .map_err(|e| e.to_string())?
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with(prefix))
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .map(|e| e.path())
        .collect();
    match found.as_slice() {
        [one] => Ok(one.clone()),
        [] => Err(format!("no `{prefix}*` directory in the release")),
        _ => Err(format!("more than one `{prefix}*` directory in the release")),
    }
}

/// A `.src` script with `%EMU%` and `%VSN%` filled in; `None` when there is none.
fn script(path: &Path, vsn: &str) -> Result<Option<String>, String> {
    let Ok(meta) = fs::symlink_metadata(path) else { return Ok(None) };
    if !meta.is_file() || meta.len() > MAX_SCRIPT {
        return Err(format!("`{}` is not a small regular file", path.display()));
    }
    let text = fs::read_to_string(path).map_err(|e| e.to_string())?;
    Ok(Some(text.replace("%EMU%", "beam").replace("%VSN%", vsn)))
}

/// Writes `text` at `path` (replacing a file there, never through a link), 0755.
#[allow(clippy::disallowed_methods, reason = "the store's install directory, den's own data directory")]
fn write_exe(path: &Path, text: &str) -> Result<(), String> {
    remove_file(path)?;
    fs::write(path, text).map_err(|e| e.to_string())?;
    fs::set_permissions(path, fs::Permissions::from_mode(0o755)).map_err(|e| e.to_string())
}

fn copy(from: &Path, to: &Path) -> Result<(), String> {
    remove_file(to)?;
    fs::copy(from, to).map(|_| ()).map_err(|e| e.to_string())
}

/// Removes a file or link at `path`; a directory there is an error.
fn remove_file(path: &Path) -> Result<(), String> {
    match fs::symlink_metadata(path) {
        Ok(m) if m.is_dir() => Err(format!("`{}` is a directory", path.display())),
        Ok(_) => fs::remove_file(path).map_err(|e| e.to_string()),
        Err(_) => Ok(()),
    }
}

#[cfg(test)]
#[allow(clippy::disallowed_methods, reason = "tests may write freely")]
mod tests {
    use super::*;

    #[test]
    fn erl_finds_its_root_from_where_it_lies() {
        let tmp = tempfile::tempdir().unwrap();
        let rel = tmp.path().join("OTP-27.1.2");
        fs::create_dir_all(rel.join("erts-15.1.2/bin")).unwrap();
        fs::create_dir_all(rel.join("releases/27")).unwrap();
        let src = "#!/bin/sh\nROOTDIR=\"%FINAL_ROOTDIR%\"\nBINDIR=$ROOTDIR/erts-%VSN%/bin\nEMU=%EMU%\necho \"$ROOTDIR $BINDIR $EMU\"\n";
        fs::write(rel.join("erts-15.1.2/bin/erl.src"), src).unwrap();
        fs::write(rel.join("erts-15.1.2/bin/erlc"), "#!/bin/sh\n").unwrap();
        fs::write(rel.join("releases/27/start_clean.boot"), "boot").unwrap();
        run(&rel).unwrap();
        // Moved after the step, as the store renames the directory: still its own root.
        let moved = tmp.path().join("moved");
        fs::rename(&rel, &moved).unwrap();
        let root = moved.canonicalize().unwrap();
        for erl in [moved.join("bin/erl"), moved.join("erts-15.1.2/bin/erl")] {
            let out = std::process::Command::new(&erl).output().unwrap();
            let expected = format!("{0} {0}/erts-15.1.2/bin beam\n", root.display());
            assert_eq!(String::from_utf8_lossy(&out.stdout), expected, "{}", erl.display());
        }
        assert!(moved.join("bin/erlc").is_file() && moved.join("bin/start.boot").is_file());
    }

    #[test]
    fn a_tree_without_erts_is_refused() {
        let tmp = tempfile::tempdir().unwrap();
        assert_eq!(run(tmp.path()).unwrap_err(), "no `erts-*` directory in the release");
    }
}
