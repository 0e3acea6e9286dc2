//! `source = "system"` (any tool): a binary already on this machine, found on PATH, used
//! when the version it reports satisfies den.toml's spec. den asks the binary itself
//! (`<bin> --version`, the first version-looking token of what it prints), bounded in
//! time and output so that a hostile PATH entry cannot hang den or fill its memory.
//!
//! Never looks in den's own directories: relative PATH entries (they would name files of
//! whatever directory den runs in, a repository's), project shims (`.den/bin`), den's
//! store, and virtual environments' `bin` (a venv is not the system; the project's own is
//! made *from* the system interpreter). Never downloads, installs or writes anything but
//! its answer cache (`commands-v1/system-*`), which spares a shim the `--version` run.

use std::io::Read;
use std::os::unix::fs::MetadataExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use crate::hint::Hint;
use crate::ui::escaped;
use crate::version::{Prereleases, Version, VersionSpec};

/// How long a binary may take to say its version.
const ASK_TIMEOUT: Duration = Duration::from_secs(3);
/// How much of its output den reads.
const OUTPUT_LIMIT: u64 = 4096;
/// At most this many candidates are asked (a PATH full of `python3.*` stays bounded).
const MAX_ASKED: usize = 12;

/// The binary den uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    pub path: PathBuf,
    pub version: Version,
}

/// Why no binary on the machine serves the tool.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Nothing of that name on PATH (outside den's own directories).
    #[error("{} `{}` from the system: no {} on PATH", escaped(tool), escaped(spec), names.join(", "))]
    NotFound { tool: String, spec: String, names: Vec<String> },
    /// Binaries were found, none fits: each with its version or why it has none.
    #[error("{} `{}` from the system: found {}, which `{}` does not accept", escaped(tool), escaped(spec), found.join(", "), escaped(spec))]
    NoMatch { tool: String, spec: String, found: Vec<String> },
    /// The spec is an alias (`lts`): only a tool's own source knows what it means.
    #[error(
        "{} `{}` from the system: the system source takes a version spec (`3.11`, `>=3.10`), not an alias",
        escaped(tool),
        escaped(spec)
    )]
    Alias { tool: String, spec: String },
}

impl Hint for Error {
    fn hint(&self) -> Option<String> {
        Some(match self {
            Error::NotFound { tool, .. } => format!(
                "install it with the system's package manager, or drop `source = \"system\"` so that den installs {} itself",
                escaped(tool)
            ),
            Error::NoMatch { .. } => {
                "install a version that fits, or change the version in den.toml (`den ls-remote` lists what den can install)"
                    .to_string()
            }
            Error::Alias { .. } => "write the version you need, e.g. `version = \"3.11\"`".into(),
        })
    }
}

/// Whether a candidate may be run to ask its version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ask {
    /// Run it, whatever the cache holds (`den install`: says what it found, fresh).
    Always,
    /// Reuse the answer cached for that very file, else run it.
    Cached,
    /// Only the cached answer; never run anything.
    CacheOnly,
}

/// Where to look and what to skip.
#[derive(Debug, Clone)]
pub struct Search<'a> {
    /// The PATH value to search.
    pub path: Option<&'a str>,
    /// den's data directory (its store): never searched.
    pub den_data: &'a Path,
    /// Where answers are kept (`Bucket::CommandCache`); `None` keeps none.
    pub cache: Option<&'a Path>,
}

/// The binary of `tool` for `spec`: the first candidate, in PATH order, whose version the
/// spec accepts. Candidates are `bins` (den.toml's `bin`, by file name) when given, else
/// `tool` itself and `tool` followed by a version (`python3`, `python3.12`), the more
/// specific first within a directory. `cached` reuses an earlier answer for the same file
/// (same inode, size and mtime) instead of running it again; `Ask::CacheOnly` never runs
/// anything (for a project that is not trusted: a den.toml names what would run).
pub fn find(tool: &str, spec: &str, bins: &[String], search: &Search, ask: Ask) -> Result<Found, Error> {
    let parsed = VersionSpec::parse(spec).ok();
    if matches!(parsed, Some(VersionSpec::Alias(_))) {
        return Err(Error::Alias { tool: tool.into(), spec: spec.into() });
    }
    let names: Vec<String> =
        bins.iter().filter_map(|b| Path::new(b).file_name()?.to_str().map(str::to_string)).collect();
    let mut seen = std::collections::BTreeSet::new();
    let mut found = Vec::new();
    for path in candidates(tool, &names, search).into_iter().take(MAX_ASKED) {
        // Names that are one file (`python3` → `python3.12`) are asked once.
        let real = std::fs::canonicalize(&path).unwrap_or_else(|_| path.clone());
        if !seen.insert(real) {
            continue;
        }
        match version_of(&path, ask, search.cache) {
            Ok(version) if accepts(parsed.as_ref(), &version) => return Ok(Found { path, version }),
            Ok(version) => found.push(format!("{} {}", path.display(), version.bare())),
            Err(why) => found.push(format!("{} ({why})", path.display())),
        }
    }
    if found.is_empty() {
        let names = if names.is_empty() { vec![tool.to_string(), format!("{tool}<version>")] } else { names };
        return Err(Error::NotFound { tool: tool.into(), spec: spec.into(), names });
    }
    Err(Error::NoMatch { tool: tool.into(), spec: spec.into(), found })
}

fn accepts(spec: Option<&VersionSpec>, version: &Version) -> bool {
    match spec {
        Some(VersionSpec::Latest) => true,
        Some(spec) => spec.matches_with(version, Prereleases::AsReleases),
        None => false,
    }
}

/// The executable files on PATH that may be the tool, in the order they are tried.
fn candidates(tool: &str, names: &[String], search: &Search) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for dir in std::env::split_paths(search.path.unwrap_or_default()) {
        if skipped(&dir, search.den_data) {
            continue;
        }
        let mut here: Vec<String> = if names.is_empty() {
            let Ok(entries) = std::fs::read_dir(&dir) else { continue };
            entries
                .flatten()
                .filter_map(|e| e.file_name().into_string().ok())
                .filter(|n| versioned_name(tool, n))
                .collect()
        } else {
            names.to_vec()
        };
        if names.is_empty() {
            // The most specific name first (`python3.12`, `python3`, `python`), so that a
            // spec naming a minor version finds that interpreter before the default one.
            here.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| b.cmp(a)));
        }
        out.extend(here.into_iter().map(|n| dir.join(n)).filter(|p| executable(p)));
    }
    out
}

/// `tool`, or `tool` followed by a version (`python3`, `python3.12`).
fn versioned_name(tool: &str, name: &str) -> bool {
    name.strip_prefix(tool).is_some_and(|rest| {
        rest.is_empty()
            || (rest.starts_with(|c: char| c.is_ascii_digit())
                && rest.ends_with(|c: char| c.is_ascii_digit())
                && rest.chars().all(|c| c.is_ascii_digit() || c == '.'))
    })
}

/// PATH directories the system source never searches: relative ones, project shims,
/// den's store, virtual environments.
fn skipped(dir: &Path, den_data: &Path) -> bool {
    let shims = dir.ends_with(".den/bin");
    !dir.is_absolute()
        || shims
        || dir.starts_with(den_data)
        || dir.parent().is_some_and(|p| p.join("pyvenv.cfg").exists())
}

fn executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

/// The version `path` reports, from the answer cache when `ask` allows and the file is
/// the one that answered.
fn version_of(path: &Path, ask: Ask, cache: Option<&Path>) -> Result<Version, String> {
    let file = cache.and_then(|dir| cache_file(path, dir));
    if ask != Ask::Always
        && let Some(file) = &file
        && let Ok(text) = std::fs::read_to_string(file)
        && let Ok(version) = Version::parse(text.trim())
    {
        return Ok(version);
    }
    if ask == Ask::CacheOnly {
        return Err("not asked: the project is not trusted".into());
    }
    let text = run_version(path)?;
    let version = version_in(&text).ok_or_else(|| match text.lines().find(|l| !l.trim().is_empty()) {
        Some(line) => {
            format!("`--version` said `{}`, no version", escaped(&line.chars().take(60).collect::<String>()))
        }
        None => "`--version` printed nothing".to_string(),
    })?;
    if let Some(file) = file
        && let Some(dir) = file.parent()
        && crate::fs_util::private_dir(dir).is_ok()
    {
        let _ = crate::fs_util::write_atomic(&file, version.as_str().as_bytes(), 0o600);
    }
    Ok(version)
}

/// The answer cache's file for `path` as it is now (its inode, size and mtime are in the
/// key, so a replaced binary is asked again).
fn cache_file(path: &Path, dir: &Path) -> Option<PathBuf> {
    use sha2::{Digest, Sha256};
    let m = std::fs::metadata(path).ok()?;
    let id = format!(
        "{}\0{}\0{}\0{}\0{}",
        path.display(),
        m.dev(),
        m.ino(),
        m.size(),
        m.mtime_nsec() + m.mtime() * 1_000_000_000
    );
    let key: String = Sha256::digest(id.as_bytes())[..8].iter().map(|b| format!("{b:02x}")).collect();
    Some(dir.join(format!("system-{key}")))
}

/// The first version-looking token of `text`: digits with at least one dot, alone or
/// after a word prefix (`Python 3.12.1`, `jq-1.7.1`, `go1.22.0`, `v20.1.0`).
pub fn version_in(text: &str) -> Option<Version> {
    for token in text.split(|c: char| c.is_whitespace() || ",;()[]\"'".contains(c)) {
        let Some(start) = token.find(|c: char| c.is_ascii_digit()) else { continue };
        let prefix = &token[..start];
        if !prefix.chars().all(|c| c.is_ascii_alphabetic() || c == '-' || c == '_') {
            continue;
        }
        let rest = &token[start..];
        let end =
            rest.find(|c: char| !(c.is_ascii_alphanumeric() || ".+-".contains(c))).unwrap_or(rest.len());
        let run = rest[..end].trim_end_matches(['.', '-', '+']);
        let dotted = run.split('.').take(2).count() == 2
            && run.split('.').nth(1).is_some_and(|s| s.starts_with(|c: char| c.is_ascii_digit()));
        if dotted && let Ok(v) = Version::parse(run) {
            return Some(v);
        }
    }
    None
}

/// Runs `path --version` in its own process group with no input, reading at most
/// [`OUTPUT_LIMIT`] bytes of stdout and of stderr (Python 2 answers on stderr) and killing
/// the group after [`ASK_TIMEOUT`].
#[allow(
    clippy::disallowed_methods,
    reason = "a helper program: a binary on the user's PATH says its version (`source = \"system\"`), bounded in time and output"
)]
fn run_version(path: &Path) -> Result<String, String> {
    let mut child = crate::helper_env::isolate(&mut std::process::Command::new(path))
        .arg("--version")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0)
        .spawn()
        .map_err(|e| format!("cannot run it: {e}"))?;
    let (tx, rx) = std::sync::mpsc::channel();
    for (order, stream) in [
        (0, child.stdout.take().map(|s| Box::new(s) as Box<dyn Read + Send>)),
        (1, child.stderr.take().map(|s| Box::new(s) as Box<dyn Read + Send>)),
    ] {
        let Some(stream) = stream else { continue };
        let tx = tx.clone();
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            let _ = stream.take(OUTPUT_LIMIT).read_to_end(&mut buf);
            let _ = tx.send((order, buf));
        });
    }
    drop(tx);
    let deadline = Instant::now() + ASK_TIMEOUT;
    let group = nix::unistd::Pid::from_raw(child.id() as i32);
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Some(status),
            Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(5)),
            _ => break None,
        }
    };
    // Whatever it started in its group goes too (it could hold the pipes open).
    let _ = nix::sys::signal::killpg(group, nix::sys::signal::Signal::SIGKILL);
    if status.is_none() {
        let _ = child.wait();
        return Err(format!("no answer to `--version` within {}s", ASK_TIMEOUT.as_secs()));
    }
    let mut outputs = [Vec::new(), Vec::new()];
    while let Ok((order, buf)) = rx.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
        outputs[order] = buf;
    }
    let [out, err] = outputs;
    Ok(format!("{}\n{}", String::from_utf8_lossy(&out), String::from_utf8_lossy(&err)))
}

#[cfg(test)]
#[allow(clippy::disallowed_methods, reason = "tests may write freely")]
mod tests {
    use super::*;

    #[test]
    fn versions_in_what_binaries_print() {
        let v = |t: &str| version_in(t).map(|v| v.bare().to_string());
        assert_eq!(v("Python 3.12.1\n").as_deref(), Some("3.12.1"));
        assert_eq!(v("jq-1.7.1").as_deref(), Some("1.7.1"));
        assert_eq!(v("go version go1.22.0 linux/amd64").as_deref(), Some("1.22.0"));
        assert_eq!(v("v20.11.0").as_deref(), Some("20.11.0"));
        assert_eq!(v("x86_64 build 7 (3.11.4)").as_deref(), Some("3.11.4"));
        assert_eq!(v("ripgrep 14.1.0 (rev abc)\n+SIMD").as_deref(), Some("14.1.0"));
        assert_eq!(v("usage: tool [--help]"), None);
        assert_eq!(v(""), None);
    }

    #[test]
    fn names_that_may_be_the_tool() {
        assert!(versioned_name("python", "python"));
        assert!(versioned_name("python", "python3"));
        assert!(versioned_name("python", "python3.12"));
        for other in ["python3-config", "python3.12m", "pythonx", "python.", "py"] {
            assert!(!versioned_name("python", other), "{other}");
        }
    }

    #[test]
    fn never_searches_dens_own_places() {
        let tmp = tempfile::tempdir().unwrap();
        let data = tmp.path().join("den");
        assert!(skipped(Path::new("bin"), &data));
        assert!(skipped(Path::new(""), &data));
        assert!(skipped(&tmp.path().join("p/.den/bin"), &data));
        assert!(skipped(&data.join("tools-v1/x/bin"), &data));
        std::fs::create_dir_all(tmp.path().join("venv/bin")).unwrap();
        std::fs::write(tmp.path().join("venv/pyvenv.cfg"), "").unwrap();
        assert!(skipped(&tmp.path().join("venv/bin"), &data));
        assert!(!skipped(&tmp.path().join("usr/bin"), &data));
    }

    fn script(dir: &Path, name: &str, body: &str) -> PathBuf {
        use std::os::unix::fs::PermissionsExt;
        let path = dir.join(name);
        std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        path
    }

    #[test]
    fn a_hostile_binary_neither_hangs_nor_floods() {
        let tmp = tempfile::tempdir().unwrap();
        let sleeper = script(tmp.path(), "sleeper", "sleep 30 & sleep 30");
        let started = Instant::now();
        let err = run_version(&sleeper).unwrap_err();
        assert!(err.contains("no answer"), "{err}");
        assert!(started.elapsed() < Duration::from_secs(20));
        let flood = script(tmp.path(), "flood", "echo 'flood 1.2.3'; yes");
        // Stops reading at the limit (the writer then dies of SIGPIPE, or at the deadline).
        let text = run_version(&flood).unwrap_or_default();
        assert!(text.len() <= 2 * OUTPUT_LIMIT as usize + 1, "{}", text.len());
        let py2 = script(tmp.path(), "py2", "echo 'Python 2.7.18' >&2");
        assert_eq!(version_in(&run_version(&py2).unwrap()).unwrap().bare(), "2.7.18");
    }

    #[test]
    fn first_fitting_candidate_in_path_order() {
        let tmp = tempfile::tempdir().unwrap();
        let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
        std::fs::create_dir_all(&a).unwrap();
        std::fs::create_dir_all(&b).unwrap();
        script(&a, "tool", "echo 'tool 2.0.1'");
        script(&a, "tool2.0", "echo 'tool 2.0.9'");
        script(&b, "tool", "echo 'tool 1.4.0'");
        script(&b, "tool-config", "echo 'tool 1.9.0'");
        let path = std::env::join_paths([&a, &b]).unwrap().into_string().unwrap();
        let cache = tmp.path().join("cache");
        let search = Search { path: Some(&path), den_data: &tmp.path().join("den"), cache: Some(&cache) };
        let found = find("tool", "2", &[], &search, Ask::Always).unwrap();
        assert_eq!((found.path, found.version.bare()), (a.join("tool2.0"), "2.0.9"));
        assert_eq!(find("tool", "1", &[], &search, Ask::Always).unwrap().path, b.join("tool"));
        let err = find("tool", "3", &[], &search, Ask::Always).unwrap_err().to_string();
        assert_eq!(
            err,
            format!(
                "tool `3` from the system: found {} 2.0.9, {} 2.0.1, {} 1.4.0, which `3` does not accept",
                a.join("tool2.0").display(),
                a.join("tool").display(),
                b.join("tool").display()
            )
        );
        let err = find("nope", "1", &[], &search, Ask::Always).unwrap_err().to_string();
        assert_eq!(err, "nope `1` from the system: no nope, nope<version> on PATH");
        assert!(matches!(find("tool", "lts", &[], &search, Ask::Always), Err(Error::Alias { .. })));
        assert_eq!(
            find("tool", "1", &["bin/tool".into()], &search, Ask::Always).unwrap().path,
            b.join("tool")
        );
        // The answers are kept: asked again without running, and never run untrusted.
        std::fs::write(b.join("tool"), "#!/bin/sh\necho 'tool 1.4.0'\n").unwrap();
        assert!(
            find("tool", "1", &[], &search, Ask::CacheOnly).is_err(),
            "a changed file is not the one that answered"
        );
        assert_eq!(find("tool", "1", &[], &search, Ask::Cached).unwrap().path, b.join("tool"));
        let gone = tmp.path().join("gone");
        std::fs::rename(&cache, &gone).unwrap();
        let err = find("tool", "2", &[], &search, Ask::CacheOnly).unwrap_err().to_string();
        assert!(err.contains("(not asked: the project is not trusted)"), "{err}");
        std::fs::rename(&gone, &cache).unwrap();
        assert_eq!(find("tool", "1", &[], &search, Ask::CacheOnly).unwrap().path, b.join("tool"));
    }
}
