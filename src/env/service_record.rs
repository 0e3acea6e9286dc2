//! What den vouches for about a preset service: its record, kept in den's own data dir
//! (`services-v1/<sha256 of the project's real root>/<service>.toml`, 0600 in 0700 dirs):
//! the generated password, the port den picked, the tool it last ran, and the identity of
//! the `.den/state/<service>/` directory den made (device, inode and birth time, and a
//! random token den wrote into it, so a directory a repository shipped, copied or made
//! again at the same path never matches) with the den version that made it and whether
//! its one-time init finished.
//!
//! Why outside the project: a repository can commit anything under its tree, `.den/`
//! included: a postgres data directory with a `restore_command`, den's old `initialized`
//! marker, a password or port file. None of that is ever read; den's data dir is the
//! user's own. A state directory den finds without a matching record is refused by the
//! services front end (`den down <service> --purge` removes it and this record).
//!
//! On the hook's path ([`ensure`], for the exports): a few reads, and on first use one
//! file written in den's data dir; never a process, never a write in the project.

use std::io;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::fs_util;
use crate::paths::Bucket;

/// One preset service of one project, as den knows it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Record {
    /// The project's real root (what the directory's name is the digest of).
    pub root: String,
    /// The service's name (the file's name).
    pub service: String,
    /// The port den picked, used when den.toml gives none.
    pub port: u16,
    /// The generated password (32 letters and digits).
    pub password: String,
    /// The tool den last ran it with, while its version spec is unchanged.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool: Option<ToolUsed>,
    /// The state directory den made, when it made one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<State>,
}

/// The installed tool a preset ran (paths in den's store), for the version spec it
/// resolved.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ToolUsed {
    pub spec: String,
    pub dir: PathBuf,
    pub bin: PathBuf,
    pub version: String,
}

/// `.den/state/<service>/` as den made it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct State {
    /// [`identity`] of the directory when den made it.
    pub identity: String,
    /// The random token den wrote into it ([`TOKEN`]): where a file system keeps no birth
    /// time, a directory made again with a reused inode still lacks it.
    pub token: String,
    /// The den that made it (`den 0.1.0`).
    pub made_by: String,
    /// The tool it was made for (`postgres 17.2`).
    pub tool: String,
    /// Whether its one-time init (`initdb`) finished.
    pub initialized: bool,
}

/// The directory of the records of the project at `root` (its real path when it has one).
pub fn dir(root: &Path) -> PathBuf {
    let real = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
    bucket().join(hex(&Sha256::digest(real.as_os_str().as_encoded_bytes())))
}

#[cfg(test)]
thread_local! {
    /// A unit test's own bucket (the environment is shared by the tests' threads).
    static BUCKET: std::cell::RefCell<Option<PathBuf>> = const { std::cell::RefCell::new(None) };
}

/// Makes this test thread keep its records under `dir`.
#[cfg(test)]
pub fn test_bucket(dir: &Path) {
    BUCKET.with(|b| *b.borrow_mut() = Some(dir.to_path_buf()));
}

fn bucket() -> PathBuf {
    #[cfg(test)]
    if let Some(own) = BUCKET.with(|b| b.borrow().clone()) {
        return own;
    }
    Bucket::Services.path()
}

/// Where the record of `service` is; `None` for a name that is not a plain file name
/// (den.toml's parser refuses those already; a record never lands outside its directory).
pub fn file(root: &Path, service: &str) -> Option<PathBuf> {
    let plain = service.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
        && service.chars().next().is_some_and(|c| c.is_ascii_alphanumeric())
        && service.len() <= 200;
    plain.then(|| dir(root).join(format!("{service}.toml")))
}

/// The record of `service` of the project at `root`, when den wrote one for exactly them:
/// a regular file of den's user, 0600, naming that root and service.
pub fn read(root: &Path, service: &str) -> Option<Record> {
    let path = file(root, service)?;
    let meta = std::fs::symlink_metadata(&path).ok()?;
    if !meta.is_file() || meta.uid() != nix::unistd::geteuid().as_raw() || meta.mode() & 0o077 != 0 {
        return None;
    }
    let record: Record = toml::from_str(&fs_util::read_input_string(&path).ok()?).ok()?;
    (record.root == real_root(root) && record.service == service).then_some(record)
}

/// The record of `service`, made the first time with a fresh password and a free port
/// (`password` and `port` make them). Two dens making it at once agree: the first one
/// written wins and the other reads it.
pub fn ensure(
    root: &Path,
    service: &str,
    password: impl FnOnce() -> io::Result<String>,
    port: impl FnOnce() -> io::Result<u16>,
) -> io::Result<(Record, PathBuf)> {
    let path = file(root, service).ok_or_else(|| crafted(service))?;
    if let Some(record) = read(root, service) {
        return Ok((record, path));
    }
    let record = Record {
        root: real_root(root),
        service: service.to_string(),
        port: port()?,
        password: password()?,
        tool: None,
        state: None,
    };
    let dir = dir(root);
    fs_util::create_private_dir_all(&dir)?;
    let tmp = dir.join(format!(".{service}.{}.tmp", std::process::id()));
    fs_util::write_atomic(&tmp, text(&record)?.as_bytes(), 0o600)?;
    // A hard link fails when the name exists: the first record written stays.
    let linked = std::fs::hard_link(&tmp, &path);
    let _ = std::fs::remove_file(&tmp);
    match linked {
        Ok(()) => Ok((record, path)),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => match read(root, service) {
            Some(record) => Ok((record, path)),
            // Not den's (a wrong mode or content): replaced by this one.
            None => write(root, &record).map(|p| (record, p)),
        },
        Err(e) => Err(e),
    }
}

/// Writes `record` (replacing the one there).
pub fn write(root: &Path, record: &Record) -> io::Result<PathBuf> {
    let path = file(root, &record.service).ok_or_else(|| crafted(&record.service))?;
    fs_util::create_private_dir_all(&dir(root))?;
    fs_util::write_atomic(&path, text(record)?.as_bytes(), 0o600)?;
    Ok(path)
}

/// Removes the record of `service` (its data was purged): its password and port go too.
pub fn forget(root: &Path, service: &str) {
    if let Some(path) = file(root, service) {
        let _ = std::fs::remove_file(path);
    }
}

/// Removes every record of the project at `root`.
pub fn forget_all(root: &Path) {
    let _ = fs_util::remove_tree(&dir(root));
}

/// What identifies the directory at `path` now: `<dev>:<ino>:<birth time>` of a real
/// directory of den's user that no one else may enter; `None` for anything else (a link,
/// a file, another owner or a wider mode). The birth time (`-` where the file system
/// keeps none) tells a directory made again at the same path, with a reused inode, apart.
pub fn identity(path: &Path) -> Option<String> {
    let meta = std::fs::symlink_metadata(path).ok()?;
    if !meta.is_dir() || meta.uid() != nix::unistd::geteuid().as_raw() || meta.mode() & 0o077 != 0 {
        return None;
    }
    let born = meta
        .created()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or_else(|| "-".to_string(), |d| format!("{}.{:09}", d.as_secs(), d.subsec_nanos()));
    Some(format!("{}:{}:{born}", meta.dev(), meta.ino()))
}

/// The file in a state directory den made that holds [`State::token`].
pub const TOKEN: &str = ".den-made";

/// Whether `state` (a record's) vouches for the directory at `dir`: the same identity, and
/// the token den wrote there.
pub fn vouches(state: &State, dir: &Path) -> bool {
    let token = dir.join(TOKEN);
    identity(dir).is_some_and(|id| id == state.identity)
        && std::fs::symlink_metadata(&token).is_ok_and(|m| m.is_file())
        && fs_util::read_input_string(&token).is_ok_and(|t| t.trim() == state.token)
}

/// Writes `token` into the directory `dir` den just made (0600), beneath its verified
/// descriptor: a link at [`TOKEN`] is replaced, never written through.
pub fn mark(dir: &fs_util::beneath::Dir, token: &str) -> io::Result<()> {
    dir.write(std::ffi::OsStr::new(TOKEN), format!("{token}\n").as_bytes(), 0o600)
}

/// The den that writes a record (`State::made_by`).
pub fn this_den() -> String {
    format!("den {}", env!("CARGO_PKG_VERSION"))
}

fn real_root(root: &Path) -> String {
    std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf()).to_string_lossy().into_owned()
}

fn text(record: &Record) -> io::Result<String> {
    Ok(format!(
        "# den's record of a service's password, port and data directory. Never edit it.\n{}",
        toml::to_string(record).map_err(io::Error::other)?
    ))
}

fn crafted(service: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, format!("`{service}` is not a plain service name"))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
#[allow(clippy::disallowed_methods, reason = "tests may write freely")]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    /// A project directory in a temp dir that also holds the test's bucket.
    fn project() -> (tempfile::TempDir, PathBuf) {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("proj");
        std::fs::create_dir(&root).unwrap();
        (tmp, root)
    }

    fn with_home<T>(home: &Path, f: impl FnOnce() -> T) -> T {
        test_bucket(&home.join(Bucket::Services.name()));
        f()
    }

    #[test]
    fn a_record_is_keyed_by_the_real_root_made_once_and_private() {
        let (tmp, root) = project();
        with_home(&tmp.path().join("home"), || {
            let (first, path) = ensure(&root, "db", || Ok("secret".into()), || Ok(5555)).unwrap();
            assert_eq!((first.port, first.password.as_str()), (5555, "secret"));
            let (again, _) = ensure(&root, "db", || Ok("other".into()), || Ok(6666)).unwrap();
            assert_eq!(again, first, "made once");
            assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
            assert_eq!(std::fs::metadata(dir(&root)).unwrap().permissions().mode() & 0o777, 0o700);
            // The same project through a link is the same record; another project is not.
            std::os::unix::fs::symlink(&root, tmp.path().join("link")).unwrap();
            assert_eq!(read(&tmp.path().join("link"), "db"), Some(first.clone()));
            let other = tmp.path().join("other");
            std::fs::create_dir(&other).unwrap();
            assert_eq!(read(&other, "db"), None);
            // A record made wider, or copied to another project's name, is not den's.
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
            assert_eq!(read(&root, "db"), None);
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
            std::fs::create_dir_all(dir(&other)).unwrap();
            std::fs::copy(&path, file(&other, "db").unwrap()).unwrap();
            assert_eq!(read(&other, "db"), None, "the record names another root");
            forget(&root, "db");
            assert_eq!(read(&root, "db"), None);
        });
    }

    #[test]
    fn crafted_service_names_have_no_record() {
        let (tmp, root) = project();
        with_home(&tmp.path().join("home"), || {
            for name in ["../x", "a/b", ".hidden", "", "..", "x\n", &"a".repeat(300)] {
                assert_eq!(file(&root, name), None, "{name:?}");
                assert!(ensure(&root, name, || Ok("p".into()), || Ok(1)).is_err(), "{name:?}");
            }
            assert!(file(&root, "my-db.v2_1").is_some());
        });
    }

    #[test]
    fn a_record_vouches_only_for_its_directory_with_its_token() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("state");
        std::fs::create_dir(&dir).unwrap();
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700)).unwrap();
        let state = State {
            identity: identity(&dir).unwrap(),
            token: "t0ken".into(),
            made_by: this_den(),
            tool: "redis 7.2.4".into(),
            initialized: false,
        };
        assert!(!vouches(&state, &dir), "no token yet");
        let mark = |token: &str| mark(&fs_util::beneath::Dir::anchor(&dir).unwrap(), token).unwrap();
        // A link at the token's name is replaced, its target untouched.
        let elsewhere = tmp.path().join("elsewhere");
        std::fs::write(&elsewhere, "keep").unwrap();
        std::os::unix::fs::symlink(&elsewhere, dir.join(TOKEN)).unwrap();
        mark("t0ken");
        assert_eq!(std::fs::read_to_string(&elsewhere).unwrap(), "keep");
        assert!(vouches(&state, &dir));
        assert_eq!(std::fs::metadata(dir.join(TOKEN)).unwrap().permissions().mode() & 0o777, 0o600);
        mark("guessed");
        assert!(!vouches(&state, &dir), "another token");
        mark("t0ken");
        let other = State { identity: "1:2:-".into(), ..state.clone() };
        assert!(!vouches(&other, &dir), "another directory");
        // A copy (the token included) is another directory.
        let copy = tmp.path().join("copy");
        std::fs::create_dir(&copy).unwrap();
        std::fs::set_permissions(&copy, std::fs::Permissions::from_mode(0o700)).unwrap();
        std::fs::copy(dir.join(TOKEN), copy.join(TOKEN)).unwrap();
        assert!(!vouches(&state, &copy));
    }

    #[test]
    fn a_directory_made_again_or_not_private_has_another_identity() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("state");
        std::fs::create_dir(&dir).unwrap();
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700)).unwrap();
        let first = identity(&dir).unwrap();
        assert_eq!(identity(&dir), Some(first.clone()), "stable");
        std::fs::write(dir.join("file"), b"x").unwrap();
        assert_eq!(identity(&dir), Some(first.clone()), "its content does not matter");
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
        assert_eq!(identity(&dir), None, "others may enter");
        std::fs::remove_dir_all(&dir).unwrap();
        std::fs::create_dir(&dir).unwrap();
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700)).unwrap();
        assert_ne!(identity(&dir), Some(first), "made again");
        let link = tmp.path().join("link");
        std::os::unix::fs::symlink(&dir, &link).unwrap();
        assert_eq!(identity(&link), None, "a link");
    }
}
