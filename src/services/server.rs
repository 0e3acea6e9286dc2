//! What every preset server shares (`preset` picks the server, `postgres` and `redis`
//! make its unit on this): the installed tool, the state directory, port and password (the
//! same values the environment's service-exports layer exports), the unprivileged user a
//! server that refuses root runs as, the hardlinked tree that makes a tool reachable to
//! that user, and the private socket directory. Never starts a process.

use std::fs;
use std::os::unix::fs::{DirBuilderExt, MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

use super::{Dirs, Error};
use crate::env::{service_exports, service_record};
use crate::fs_util;
use crate::io_error::IoError;
use crate::project::{Preset, Service};

/// The installed tool a preset runs.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Tool {
    /// Its directory in the store.
    pub dir: PathBuf,
    /// The directory holding its binaries.
    pub bin: PathBuf,
    pub version: String,
}

/// What every preset has: its state directory, port and password.
#[derive(Debug, Clone)]
pub struct Base {
    pub name: String,
    /// `.den/state/<name>/`, den's user's, 0700, made by den (its record says so).
    pub state: PathBuf,
    pub port: u16,
    pub password: String,
}

impl Base {
    /// The port and password from den's record, and the state directory: made (and
    /// recorded) when there is none; used when it is the one den's record names; refused
    /// otherwise (shipped by a repository, copied, made again, or by a den before records).
    pub(super) fn prepare(dirs: &Dirs, service: &Service, tool: &Tool) -> Result<Base, Error> {
        dirs.create()?;
        let v = service_exports::values(&dirs.root, service)?;
        let state = dirs.service_state(&service.name);
        if check_state(&dirs.root, service)? {
            let refused = || Error::ForeignState { service: service.name.clone(), path: state.clone() };
            let name = std::ffi::OsStr::new(&service.name);
            let parent = dirs.open("state").map_err(IoError::at("create", &dirs.state))?;
            let made = parent.child(name).map_err(IoError::at("create", &state))?;
            let identity = service_record::identity(&state).ok_or_else(refused)?;
            let mut record = service_record::read(&dirs.root, &service.name).ok_or_else(refused)?;
            let token = service_exports::generate_password()
                .and_then(|t| service_record::mark(&made, &t).map(|()| t))
                .map_err(IoError::at("mark", &state))?;
            record.state = Some(service_record::State {
                identity,
                token,
                made_by: service_record::this_den(),
                tool: format!("{} {}", tool_label(service), tool.version),
                initialized: false,
            });
            if let Err(e) = service_record::write(&dirs.root, &record) {
                let _ = made.remove(std::ffi::OsStr::new(service_record::TOKEN));
                let _ = parent.remove(name);
                return Err(IoError::path("record", &state, e).into());
            }
        }
        Ok(Base { name: service.name.clone(), state, port: v.port, password: v.password })
    }
}

/// Whether `.den/state/<name>/` of a preset service is still to be made (`true`), or is
/// the one den made, as its record says (`false`); anything else there is refused with
/// [`Error::ForeignState`]: a repository shipped it (a data directory with a
/// `restore_command`), it was copied or made again at the same path, or a den before
/// records made it. Reads only; callers check before installing or starting anything.
pub fn check_state(root: &Path, service: &Service) -> Result<bool, Error> {
    check_untracked(root)?;
    let state = crate::paths::DenDir::of(root).service_state(&service.name);
    match fs::symlink_metadata(&state) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(true),
        Err(e) => Err(IoError::path("inspect", &state, e).into()),
        Ok(_) => {
            let made = service_record::read(root, &service.name).and_then(|r| r.state);
            if made.is_some_and(|made| service_record::vouches(&made, &state)) {
                Ok(false)
            } else {
                Err(Error::ForeignState { service: service.name.clone(), path: state })
            }
        }
    }
}

/// Refuses a project whose git repository tracks anything under `.den/` (or whose index
/// den cannot read to tell): what is tracked there is the repository's, and a `git pull`
/// could put a file of its choosing (`postgresql.auto.conf`) into a data directory den
/// made and vouches for. Reads the index in-process (`trust::git`); runs nothing.
fn check_untracked(root: &Path) -> Result<(), Error> {
    let den = crate::paths::DenDir::of(root).path().to_path_buf();
    match crate::trust::git::tracks_under(root, &den) {
        Some(false) => Ok(()),
        Some(true) => Err(Error::TrackedDenDir { den }),
        None => Err(Error::UntoldDenDir { den }),
    }
}

fn tool_label(service: &Service) -> &'static str {
    service.preset.map_or("service", Preset::name)
}

/// The user a server that refuses root runs as when den runs as root: `user` from the
/// service table, else the owner of the project directory when that is not root, else
/// `nobody`. `None` when den is not root.
pub fn unprivileged(root: &Path, named: Option<&str>) -> Result<Option<(u32, u32, String)>, Error> {
    if !nix::unistd::geteuid().is_root() {
        return Ok(None);
    }
    if let Some(name) = named {
        return match nix::unistd::User::from_name(name).ok().flatten() {
            Some(u) if u.uid.is_root() => Err(Error::RootUser { user: name.to_string() }),
            Some(u) => Ok(Some((u.uid.as_raw(), u.gid.as_raw(), u.name))),
            None => Err(Error::NoUser { user: name.to_string() }),
        };
    }
    let owner = fs::metadata(root).map(|m| m.uid()).unwrap_or(0);
    let user = if owner != 0 {
        nix::unistd::User::from_uid(owner.into()).ok().flatten()
    } else {
        nix::unistd::User::from_name("nobody").ok().flatten()
    };
    match user {
        Some(u) => Ok(Some((u.uid.as_raw(), u.gid.as_raw(), u.name))),
        None if owner != 0 => Ok(Some((owner, owner, owner.to_string()))),
        None => Err(Error::NoNobody),
    }
}

/// A copy of the tool's tree that `uid` can reach, made of hard links (no bytes copied)
/// when the temp directory is on the store's file system, otherwise of copies. Kept under
/// the temp directory, owned by den's user, never writable by anyone else; rebuilt when
/// anything about it is not as den made it.
#[allow(clippy::disallowed_methods, reason = "a preset tool's directory in den's own data directory")]
pub fn reachable_tree(tool: &Tool) -> Result<Tool, Error> {
    let name = tool.dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let base = std::env::temp_dir().join(format!("den-shared-{}", nix::unistd::geteuid()));
    let io = |what: &'static str, p: &Path, e: std::io::Error| Error::from(IoError::path(what, p, e));
    match fs::symlink_metadata(&base) {
        Ok(m) if m.is_dir() && m.uid() == nix::unistd::geteuid().as_raw() && m.mode() & 0o022 == 0 => {}
        Ok(_) => {
            return Err(Error::ForeignDir { path: base });
        }
        Err(_) => {
            fs::create_dir(&base).map_err(|e| io("create", &base, e))?;
            fs::set_permissions(&base, fs::Permissions::from_mode(0o755))
                .map_err(|e| io("chmod", &base, e))?;
        }
    }
    let target = base.join(&name);
    let rel_bin = tool.bin.strip_prefix(&tool.dir).unwrap_or(Path::new("")).to_path_buf();
    let done = target.join(".den-complete");
    if !done.exists() {
        let tmp = base.join(format!(".{name}.{}", std::process::id()));
        let _ = fs_util::remove_tree(&tmp);
        link_tree(&tool.dir, &tmp).map_err(|e| io("link the tool into", &tmp, e))?;
        fs::write(tmp.join(".den-complete"), b"").map_err(|e| io("write", &tmp, e))?;
        let _ = fs_util::remove_tree(&target);
        fs::rename(&tmp, &target).map_err(|e| io("rename", &tmp, e))?;
    }
    Ok(Tool { dir: target.clone(), bin: target.join(rel_bin), version: tool.version.clone() })
}

/// `from` recreated at `to`: directories made (0755), files hard-linked (copied across
/// file systems), symbolic links recreated as they are.
fn link_tree(from: &Path, to: &Path) -> std::io::Result<()> {
    fs::create_dir(to)?;
    fs::set_permissions(to, fs::Permissions::from_mode(0o755))?;
    for entry in fs::read_dir(from)? {
        let entry = entry?;
        let (src, dst) = (entry.path(), to.join(entry.file_name()));
        let kind = entry.file_type()?;
        if kind.is_dir() {
            link_tree(&src, &dst)?;
        } else if kind.is_symlink() {
            std::os::unix::fs::symlink(fs::read_link(&src)?, &dst)?;
        } else if fs::hard_link(&src, &dst).is_err() {
            fs::copy(&src, &dst)?;
        }
    }
    Ok(())
}

/// Makes the project's socket directory ([`service_exports::socket_dir`]): 0700, owned by `owner` (the service's user) when given. One
/// found with an owner other than den's user or `owner`, or that is not a directory, is
/// refused: someone else could read or replace the sockets.
pub fn socket_dir(root: &Path, owner: Option<(u32, u32)>) -> Result<PathBuf, Error> {
    let dir = service_exports::socket_dir(root);
    let uid = nix::unistd::geteuid().as_raw();
    let io = |e: std::io::Error| Error::from(IoError::path("prepare", &dir, e));
    if let Err(e) = fs::DirBuilder::new().mode(0o700).create(&dir)
        && e.kind() != std::io::ErrorKind::AlreadyExists
    {
        return Err(io(e));
    }
    let meta = fs::symlink_metadata(&dir).map_err(io)?;
    let want = owner.map_or(uid, |o| o.0);
    if !meta.is_dir() || (meta.uid() != want && meta.uid() != uid) {
        return Err(Error::ForeignSocketDir { path: dir });
    }
    if let Some((u, g)) = owner {
        std::os::unix::fs::chown(&dir, Some(u), Some(g)).map_err(io)?;
    }
    fs::set_permissions(&dir, fs::Permissions::from_mode(0o700)).map_err(io)?;
    Ok(dir)
}
