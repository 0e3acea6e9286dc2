//! Service logs: `.den/logs/<name>.log`, appended line by line, capped in size with one
//! rotation (`<name>.log.1`), so a chatty service never fills the disk; and the readers
//! `den logs` and error messages use (the last lines, following). Never interprets what a
//! service prints.

use std::ffi::OsString;
use std::fs::{self, File};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use crate::fs_util::beneath;

/// Size at which a log is rotated.
pub const CAP: u64 = 8 * 1024 * 1024;

/// An open service log.
pub struct LogFile {
    dir: beneath::Dir,
    name: OsString,
    file: File,
    size: u64,
    cap: u64,
}

impl LogFile {
    /// Opens (appending to) the log of `service` in the project's `.den/logs/`.
    pub fn open(dirs: &super::Dirs, service: &str, cap: u64) -> io::Result<LogFile> {
        LogFile::open_in(dirs.open("logs")?, OsString::from(format!("{service}.log")), cap)
    }

    /// Opens (appending to) the log `name` in `dir`, created 0600, through
    /// `fs_util::beneath`: a link, FIFO or hard link committed in its place is replaced,
    /// never written through.
    pub fn open_in(dir: beneath::Dir, name: OsString, cap: u64) -> io::Result<LogFile> {
        let file = dir.append(&name)?;
        let size = file.metadata()?.len();
        Ok(LogFile { dir, name, file, size, cap })
    }

    /// Appends one line (a newline is added when missing), rotating first when the line
    /// would take the file past its cap.
    pub fn line(&mut self, line: &[u8]) -> io::Result<()> {
        let len = line.len() as u64 + 1;
        if self.size > 0 && self.size + len > self.cap {
            let mut older = self.name.clone();
            older.push(".1");
            self.dir.rename(&self.name, &older)?;
            self.file = self.dir.append(&self.name)?;
            self.size = 0;
        }
        let mut buf = line.strip_suffix(b"\n").unwrap_or(line).to_vec();
        buf.push(b'\n');
        self.file.write_all(&buf)?;
        self.size += buf.len() as u64;
        Ok(())
    }
}

/// Opens a log to read it: never through a link, never blocking, a regular file only (a
/// repository may ship `.den/logs/<name>.log.1` pointing at a file den must not show).
#[allow(
    clippy::disallowed_methods,
    reason = "a read-only open (O_NOFOLLOW|O_NONBLOCK, the type checked on the descriptor)"
)]
fn open_log(path: &Path) -> Option<File> {
    use std::os::unix::fs::OpenOptionsExt;
    let file = fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(path)
        .ok()?;
    file.metadata().ok().filter(|m| m.is_file())?;
    Some(file)
}

/// The rotated log beside `path`.
pub fn rotated(path: &Path) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(".1");
    PathBuf::from(s)
}

/// The last `n` lines of the log (the rotated file supplies what the current one lacks).
pub fn tail(path: &Path, n: usize) -> Vec<String> {
    let mut lines = last_lines(path, n);
    if lines.len() < n {
        let mut older = last_lines(&rotated(path), n - lines.len());
        older.append(&mut lines);
        lines = older;
    }
    lines
}

/// At most the last 1 MiB of a file, split into lines, the last `n` of them.
fn last_lines(path: &Path, n: usize) -> Vec<String> {
    const WINDOW: u64 = 1024 * 1024;
    let Some(mut file) = open_log(path) else { return Vec::new() };
    let len = file.metadata().map(|m| m.len()).unwrap_or(0);
    let from = len.saturating_sub(WINDOW);
    let mut bytes = Vec::new();
    if file.seek(SeekFrom::Start(from)).is_err() || file.read_to_end(&mut bytes).is_err() {
        return Vec::new();
    }
    let text = String::from_utf8_lossy(&bytes);
    let mut lines: Vec<&str> = text.lines().collect();
    if from > 0 && !lines.is_empty() {
        lines.remove(0); // cut in the middle
    }
    lines[lines.len().saturating_sub(n)..].iter().map(|l| l.to_string()).collect()
}

/// Follows a log from byte `pos`, handing each complete new line to `out`, across
/// rotations, until `out` returns false.
pub struct Follower {
    path: PathBuf,
    pos: u64,
    pending: Vec<u8>,
}

impl Follower {
    /// Starts at the current end of the log.
    pub fn at_end(path: &Path) -> Follower {
        let pos = fs::metadata(path).map(|m| m.len()).unwrap_or(0);
        Follower { path: path.to_path_buf(), pos, pending: Vec::new() }
    }

    /// Reads what was appended since the last call; complete lines go to `out`.
    pub fn poll(&mut self, out: &mut dyn FnMut(&str)) {
        let Some(mut file) = open_log(&self.path) else { return };
        let len = file.metadata().map(|m| m.len()).unwrap_or(0);
        if len < self.pos {
            // Rotated (or truncated): the new file starts over.
            self.pos = 0;
            self.pending.clear();
        }
        if len == self.pos || file.seek(SeekFrom::Start(self.pos)).is_err() {
            return;
        }
        let mut bytes = Vec::new();
        if (&mut file).take(len - self.pos).read_to_end(&mut bytes).is_err() {
            return;
        }
        self.pos += bytes.len() as u64;
        self.pending.extend_from_slice(&bytes);
        while let Some(i) = self.pending.iter().position(|b| *b == b'\n') {
            let line: Vec<u8> = self.pending.drain(..=i).collect();
            out(String::from_utf8_lossy(&line[..line.len() - 1]).as_ref());
        }
    }
}

#[cfg(test)]
#[allow(clippy::disallowed_methods, reason = "tests may write freely")]
mod tests {
    use super::*;

    #[test]
    fn rotates_once_at_the_cap_and_tails_across_files() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("s.log");
        let mut log =
            LogFile::open_in(beneath::Dir::anchor(tmp.path()).unwrap(), "s.log".into(), 40).unwrap();
        for i in 0..12 {
            log.line(format!("line {i}").as_bytes()).unwrap();
        }
        assert!(fs::metadata(&path).unwrap().len() <= 40);
        assert!(fs::metadata(rotated(&path)).unwrap().len() <= 40);
        assert!(!tmp.path().join("s.log.1.1").exists());
        assert_eq!(tail(&path, 2), vec!["line 10", "line 11"]);
        // One rotation only: lines 0-4 are gone, 5-9 are in the rotated file.
        let t = tail(&path, 20);
        assert_eq!(t.first().unwrap(), "line 5");
        assert_eq!(t.last().unwrap(), "line 11");
        assert_eq!(t.len(), 7);
    }

    #[test]
    fn follower_sees_appended_lines_and_rotation() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("s.log");
        let mut log =
            LogFile::open_in(beneath::Dir::anchor(tmp.path()).unwrap(), "s.log".into(), 30).unwrap();
        log.line(b"old").unwrap();
        let mut f = Follower::at_end(&path);
        let mut seen = Vec::new();
        log.line(b"new one").unwrap();
        f.poll(&mut |l| seen.push(l.to_string()));
        assert_eq!(seen, vec!["new one"]);
        for i in 0..3 {
            log.line(format!("after {i}").as_bytes()).unwrap();
        }
        f.poll(&mut |l| seen.push(l.to_string()));
        assert_eq!(seen.last().unwrap(), "after 2");
    }
}
