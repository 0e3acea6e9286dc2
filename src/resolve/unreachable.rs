//! The hosts a primary source was found unreachable on, remembered for a while so that
//! `den outdated`, `den ls-remote` and cold installs on a network that drops packets do
//! not each pay for the same failed probe (a connect timeout can take seconds). One small
//! file, `unreachable` in den's command cache directory (0600 in a 0700 directory), a line
//! `<host> <unix seconds>` per host; an entry older than [`TTL`] is ignored and the host is
//! probed again. Only a probe that was really made is remembered (never an offline
//! refusal), and a host that answers is forgotten at once.
//!
//! Never decides which source to use (the resolver does); never fails a command: a file
//! it cannot read or write only costs the probe again.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// How long an unreachable host is skipped: long enough for a burst of commands, short
/// enough that a network coming back is noticed soon.
pub const TTL: Duration = Duration::from_secs(10 * 60);

/// The largest file read (a line per host; a few hosts in practice).
const MAX_FILE: u64 = 64 * 1024;

/// The memory: a file, or none (tests and callers that must not remember).
#[derive(Debug, Clone, Default)]
pub struct Memory {
    file: Option<PathBuf>,
}

impl Memory {
    /// The file in den's cache directory.
    pub fn system() -> Memory {
        Memory { file: Some(crate::paths::Bucket::CommandCache.path().join("unreachable")) }
    }

    /// A memory kept in `file` (tests).
    #[cfg(test)]
    pub fn at(file: &Path) -> Memory {
        Memory { file: Some(file.to_path_buf()) }
    }

    /// How long ago `host` was found unreachable, when that is less than [`TTL`] ago.
    pub fn since(&self, host: &str) -> Option<Duration> {
        let now = now();
        let at = read(self.file.as_deref()?).into_iter().find(|(h, _)| h == host)?.1;
        let ago = Duration::from_secs(now.saturating_sub(at));
        (at <= now && ago < TTL).then_some(ago)
    }

    /// Remembers that a probe of `host` just failed.
    pub fn remember(&self, host: &str) {
        self.update(host, Some(now()));
    }

    /// Forgets `host` (it answered).
    pub fn forget(&self, host: &str) {
        if self.since(host).is_some() {
            self.update(host, None);
        }
    }

    fn update(&self, host: &str, at: Option<u64>) {
        let Some(file) = &self.file else { return };
        if host.is_empty() || host.contains(char::is_whitespace) {
            return;
        }
        let now = now();
        let mut entries: Vec<(String, u64)> = read(file)
            .into_iter()
            .filter(|(h, t)| h != host && *t <= now && now - t < TTL.as_secs())
            .collect();
        entries.extend(at.map(|t| (host.to_string(), t)));
        let text: String = entries.iter().map(|(h, t)| format!("{h} {t}\n")).collect();
        if let Some(dir) = file.parent() {
            let _ = crate::fs_util::create_private_dir_all(dir);
        }
        let _ = crate::fs_util::write_atomic(file, text.as_bytes(), 0o600);
    }
}

fn now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}

/// The entries of the file; anything malformed (or a file too large) is ignored.
fn read(file: &Path) -> Vec<(String, u64)> {
    use std::io::Read;
    let Ok(f) = std::fs::File::open(file) else { return Vec::new() };
    let mut text = String::new();
    if f.take(MAX_FILE + 1).read_to_string(&mut text).is_err() || text.len() as u64 > MAX_FILE {
        return Vec::new();
    }
    text.lines()
        .filter_map(|l| {
            let (host, at) = l.split_once(' ')?;
            Some((host.to_string(), at.trim().parse().ok()?))
        })
        .collect()
}

/// `3 s`, `4 min`: how long ago, for messages.
pub fn ago(d: Duration) -> String {
    match d.as_secs() {
        s if s < 60 => format!("{s} s"),
        s => format!("{} min", s / 60),
    }
}

#[cfg(test)]
#[allow(clippy::disallowed_methods, reason = "tests may write freely")]
mod tests {
    use super::*;

    #[test]
    fn remembers_forgets_and_expires() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("cache/unreachable");
        let memory = Memory::at(&file);
        assert_eq!(memory.since("nodejs.org"), None);
        memory.remember("nodejs.org");
        memory.remember("api.github.com");
        assert!(memory.since("nodejs.org").is_some_and(|d| d < TTL));
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&file).unwrap().permissions().mode() & 0o777, 0o600);
        memory.forget("nodejs.org");
        assert_eq!(memory.since("nodejs.org"), None);
        assert!(memory.since("api.github.com").is_some());
        // An old entry, a future one and garbage are all ignored.
        let old = now() - TTL.as_secs() - 1;
        std::fs::write(&file, format!("old.test {old}\nfuture.test {}\n\u{0}junk\nx y z\n", now() + 999))
            .unwrap();
        assert_eq!((memory.since("old.test"), memory.since("future.test")), (None, None));
        std::fs::write(&file, vec![b'a'; MAX_FILE as usize + 10]).unwrap();
        assert_eq!(memory.since("a"), None);
        assert_eq!(Memory::default().since("nodejs.org"), None);
        Memory::default().remember("nodejs.org");
    }
}
