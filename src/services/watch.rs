//! `watch = ["src/**/*.py"]`: file-system events (inotify, through `notify`) under the
//! globs' directories restart the services whose globs match the changed path, once the
//! changes have settled (200 ms). Globs are relative to the project root; `**` is any
//! number of directories, `*` and `?` stay within one. `.den/` (logs, state) is never
//! watched. Only reports which service's file changed (to the supervisor, which restarts
//! a service only when it runs); never knows the supervisor.

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

use notify::{RecursiveMode, Watcher};

/// Changes closer together than this restart a service once.
const SETTLE: Duration = Duration::from_millis(200);

/// Starts watching `globs` (service name, glob relative to `root`), calling `on_change`
/// with a service's name and the changed path once per settled burst of changes; the
/// returned watcher must be kept alive (dropping it stops the watching). `None` when
/// there is no glob.
pub fn start(
    root: &Path,
    globs: Vec<(String, String)>,
    on_change: impl Fn(String, String) + Send + 'static,
) -> Option<notify::RecommendedWatcher> {
    let root = root.to_path_buf();
    if globs.is_empty() {
        return None;
    }
    let (tx, rx) = mpsc::channel::<PathBuf>();
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        if let Ok(event) = event
            && !matches!(event.kind, notify::EventKind::Access(_))
        {
            for path in event.paths {
                let _ = tx.send(path);
            }
        }
    })
    .ok()?;
    let mut dirs: Vec<PathBuf> = globs.iter().map(|(_, g)| watched_dir(&root, g)).collect();
    dirs.sort();
    dirs.dedup();
    for dir in dirs.iter().filter(|d| !dirs.iter().any(|o| o != *d && d.starts_with(o))) {
        if let Err(e) = watcher.watch(dir, RecursiveMode::Recursive) {
            crate::ui::warn(&format!("cannot watch {} for changes: {e}", dir.display()));
        }
    }
    std::thread::spawn(move || {
        while let Ok(first) = rx.recv() {
            let mut changed = vec![first];
            while let Ok(more) = rx.recv_timeout(SETTLE) {
                changed.push(more);
            }
            let mut names: Vec<(String, String)> = Vec::new();
            for path in &changed {
                let Ok(rel) = path.strip_prefix(&root) else { continue };
                let rel = rel.to_string_lossy();
                if rel.starts_with(".den/") {
                    continue;
                }
                for (name, glob) in &globs {
                    if matches(glob, &rel) && !names.iter().any(|(n, _)| n == name) {
                        names.push((name.clone(), rel.to_string()));
                    }
                }
            }
            for (name, rel) in names {
                on_change(name, rel);
            }
        }
    });
    Some(watcher)
}

/// The directory to watch for `glob`: its leading components without wildcards, or the
/// nearest one of them that exists.
fn watched_dir(root: &Path, glob: &str) -> PathBuf {
    let mut dir = root.to_path_buf();
    let parts: Vec<&str> = glob.split('/').collect();
    for part in &parts[..parts.len().saturating_sub(1)] {
        if part.contains(['*', '?', '[']) || !dir.join(part).is_dir() {
            break;
        }
        dir.push(part);
    }
    dir
}

/// Whether the `/`-separated relative `path` matches `glob`.
pub fn matches(glob: &str, path: &str) -> bool {
    let g: Vec<&str> = glob.split('/').filter(|s| !s.is_empty()).collect();
    let p: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    parts(&g, &p)
}

fn parts(g: &[&str], p: &[&str]) -> bool {
    match g.split_first() {
        None => p.is_empty(),
        Some((&"**", rest)) => (0..=p.len()).any(|i| parts(rest, &p[i..])),
        Some((first, rest)) => p
            .split_first()
            .is_some_and(|(name, tail)| segment(first.as_bytes(), name.as_bytes()) && parts(rest, tail)),
    }
}

/// `*` (any run of characters) and `?` (one character) within one path component.
fn segment(g: &[u8], s: &[u8]) -> bool {
    match g.split_first() {
        None => s.is_empty(),
        Some((b'*', rest)) => (0..=s.len()).any(|i| segment(rest, &s[i..])),
        Some((b'?', rest)) => !s.is_empty() && segment(rest, &s[1..]),
        Some((c, rest)) => s.first() == Some(c) && segment(rest, &s[1..]),
    }
}

#[cfg(test)]
mod tests {
    use super::matches;

    #[test]
    fn globs_match_like_a_shell_with_double_star() {
        assert!(matches("src/**/*.py", "src/app.py"));
        assert!(matches("src/**/*.py", "src/a/b/app.py"));
        assert!(!matches("src/**/*.py", "tests/app.py"));
        assert!(!matches("src/*.py", "src/a/app.py"));
        assert!(matches("config.toml", "config.toml"));
        assert!(matches("**", "anything/at/all"));
        assert!(matches("app-?.js", "app-1.js"));
        assert!(!matches("app-?.js", "app-12.js"));
    }
}
