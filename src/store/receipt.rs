//! Receipts: `tools-v1/<key>.toml` beside each installed tool, saying what it is (name,
//! version, where it came from, when it was installed), for `den cache ls` and `prune`.
//! The receipt file's modification time is the tool's last use: `den run` only sets it
//! (`touch`), which costs one system call and no write, keeping runs fast.
//!
//! Never decides what to remove; `gc` does.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use super::Error;
use super::layout::{Store, TOOLS};

/// What an installed tool is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Receipt {
    pub name: String,
    pub version: String,
    pub url: String,
    /// As den.lock records it (`sha256:<hex>`, `sha512-<base64>`).
    pub checksum: String,
    /// When it was installed, as a TOML date-time in UTC.
    pub installed_at: toml::value::Datetime,
    /// The artifact's size in bytes, for den.lock when its source does not say (npm).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<u64>,
}

impl Receipt {
    /// A receipt for a tool installed now.
    pub fn new(name: &str, version: &str, url: &str, checksum: &str) -> Receipt {
        Receipt {
            name: name.into(),
            version: version.into(),
            url: url.into(),
            checksum: checksum.into(),
            installed_at: datetime(SystemTime::now()),
            size: None,
        }
    }
}

/// Where the receipt of `key` is.
pub fn path(store: &Store, key: &str) -> PathBuf {
    store.root().join(TOOLS).join(format!("{key}.toml"))
}

/// Writes the receipt of the installed tool `key` (its last use starts now).
pub fn write(store: &Store, key: &str, receipt: &Receipt) -> Result<(), Error> {
    let file = path(store, key);
    let text = format!(
        "# den store receipt: what {key}/ holds. Its modification time is when den last ran it.\n{}",
        toml::to_string(receipt).expect("a receipt serializes")
    );
    crate::fs_util::write_atomic(&file, text.as_bytes(), 0o600).map_err(Error::write(&file))
}

/// The receipt of `key`; `Ok(None)` when the tool has none.
pub fn read(store: &Store, key: &str) -> Result<Option<Receipt>, Error> {
    let file = path(store, key);
    match fs::read_to_string(&file) {
        Ok(text) => toml::from_str(&text)
            .map(Some)
            .map_err(|e| Error::Damaged { path: file, reason: e.message().to_string() }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Error::read(&file)(e)),
    }
}

/// Records that `key` was just used (by `den run`); a tool without a receipt is left alone.
pub fn touch(store: &Store, key: &str) -> Result<(), Error> {
    let file = path(store, key);
    match fs::File::open(&file) {
        Ok(f) => f.set_modified(SystemTime::now()).map_err(Error::write(&file)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(Error::write(&file)(e)),
    }
}

/// When `key` was last used: its receipt's modification time, else its directory's.
pub fn last_used(store: &Store, key: &str) -> Option<SystemTime> {
    let from = |p: &Path| fs::metadata(p).and_then(|m| m.modified()).ok();
    from(&path(store, key)).or_else(|| from(&store.tool_dir(key)))
}

/// A UTC date-time for TOML, to the second.
fn datetime(t: SystemTime) -> toml::value::Datetime {
    let secs = t.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let (days, rest) = (secs / 86_400, secs % 86_400);
    let (y, m, d) = civil(days as i64);
    let text = format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z", rest / 3600, rest % 3600 / 60, rest % 60);
    text.parse().expect("a valid date-time")
}

/// Year, month, day of a day count since 1970-01-01 (Howard Hinnant's `civil_from_days`).
fn civil(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

#[cfg(test)]
#[allow(clippy::disallowed_methods, reason = "tests may write freely")]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn dates_in_utc() {
        assert_eq!(datetime(UNIX_EPOCH).to_string(), "1970-01-01T00:00:00Z");
        let t = UNIX_EPOCH + Duration::from_secs(1_709_210_096); // a leap day
        assert_eq!(datetime(t).to_string(), "2024-02-29T12:34:56Z");
        let t = UNIX_EPOCH + Duration::from_secs(951_782_400); // 2000-02-29
        assert_eq!(datetime(t).to_string(), "2000-02-29T00:00:00Z");
    }

    #[test]
    fn write_read_touch() {
        let tmp = tempfile::tempdir().unwrap();
        let store = Store::new(tmp.path().to_path_buf());
        fs::create_dir_all(tmp.path().join(TOOLS)).unwrap();
        assert_eq!(read(&store, "sha256-aa").unwrap(), None);
        touch(&store, "sha256-aa").unwrap();
        let r = Receipt::new("node", "22.11.0", "https://example.test/node.tar.xz", "sha256:aa");
        write(&store, "sha256-aa", &r).unwrap();
        assert_eq!(read(&store, "sha256-aa").unwrap(), Some(r));
        let old = SystemTime::now() - Duration::from_secs(86_400 * 40);
        fs::File::open(path(&store, "sha256-aa")).unwrap().set_modified(old).unwrap();
        assert_eq!(last_used(&store, "sha256-aa"), Some(old));
        touch(&store, "sha256-aa").unwrap();
        assert!(last_used(&store, "sha256-aa").unwrap() > old + Duration::from_secs(86_400 * 39));
        fs::write(path(&store, "sha256-aa"), "name = 1\n").unwrap();
        let err = read(&store, "sha256-aa").unwrap_err();
        assert!(err.to_string().contains("sha256-aa.toml is damaged: "), "{err}");
    }
}
