//! The `postgres` preset. Data in `.den/state/<name>/data`, made once by `initdb` with the
//! superuser named explicitly (`postgres`, so the role always exists) and a database named
//! after the project; `trust` on the Unix socket only, which lives in a short private
//! directory (`server::socket_dir`) — or, when the server runs as another user whose uid
//! other daemons may share (`nobody`), peer identity mapping den's own user to `postgres`;
//! TCP on 127.0.0.1 only, with the generated password (scram-sha-256). Stopped with SIGINT
//! (fast shutdown) unless den.toml names another `stop_signal`. As root, the server runs as an
//! unprivileged user from a hardlinked tree of the tool, entering its data directory before
//! giving up root and naming it `/proc/self/cwd`, so the project's directories need not be
//! opened to that user. A data directory of another major version is never opened, nor
//! one den's record (`env::service_record`) does not say it made and initialised, nor one
//! that would start in recovery (its `restore_command` is a command line).

use std::ffi::OsStr;
use std::path::Path;
use std::time::Duration;

use super::probe::{Check, Readiness};
use super::server::{self, Base, Tool};
use super::unit::{Init, Marker, Step, Unit};
use super::{Dirs, Error};
use crate::env::service_exports::{self, PG_SUPERUSER};
use crate::fs_util::beneath;
use crate::io_error::IoError;
use crate::project::Service;

/// How long the server may take to accept clients when `ready.timeout` is not given.
const READY_TIMEOUT: Duration = Duration::from_secs(60);

pub fn unit(dirs: &Dirs, service: &Service, tool: &Tool, base: &Base) -> Result<Unit, Error> {
    let user = server::unprivileged(&dirs.root, service.user.as_deref())?;
    let ids = user.as_ref().map(|(u, g, _)| (*u, *g));
    let data = base.state.join("data");
    let marker = Marker::Record { root: dirs.root.clone(), service: base.name.clone() };
    // The state directory is den's own (`Base::prepare` checked its record); a data
    // directory in it counts only once den recorded its init as finished, and only as a
    // real directory (never a link, which could point anywhere).
    let initialized = marker.done()
        && std::fs::symlink_metadata(&data).is_ok_and(|m| m.is_dir())
        && data.join("PG_VERSION").is_file();
    if !initialized {
        // A data directory without a finished init is what an interrupted initdb left.
        let _ = crate::fs_util::remove_tree(&data);
        marker.clear().map_err(IoError::at("record the data directory as new in", &marker.path()))?;
    }
    check_version(&data, &tool.version, &base.name)?;
    check_no_recovery(&data, &base.name)?;
    // Made beneath `.den/state/<name>/` opened without following a link: a link in its
    // place is replaced, never followed. A real directory there is kept (as root, den
    // handed it to the server's user, so it is not one `beneath` takes for den's own).
    if !std::fs::symlink_metadata(&data).is_ok_and(|m| m.is_dir()) {
        beneath::existing(&dirs.root, &Path::new(".den/state").join(&base.name))
            .and_then(|state| state.child(OsStr::new("data")))
            .map_err(IoError::at("create", &data))?;
    }
    let tool = match &user {
        Some((uid, gid, _)) => {
            std::os::unix::fs::lchown(&data, Some(*uid), Some(*gid))
                .map_err(|e| IoError::path("hand to the service's user", &data, e))?;
            server::reachable_tree(tool)?
        }
        None => tool.clone(),
    };
    let sockets = server::socket_dir(&dirs.root, ids)?;
    clear_stale_lock(&data.join("postmaster.pid"));
    clear_stale_lock(&sockets.join(format!(".s.PGSQL.{}.lock", base.port)));
    // As another user the data directory is entered before the switch and named through
    // the process's own working directory.
    let d = if user.is_some() { "/proc/self/cwd".to_string() } else { data.to_string_lossy().into_owned() };
    let bin = |b: &str| tool.bin.join(b).to_string_lossy().into_owned();
    let db = service_exports::database(&dirs.root);
    let init = Init {
        steps: vec![
            Step {
                argv: vec![
                    bin("initdb"),
                    "-D".into(),
                    d.clone(),
                    "-U".into(),
                    PG_SUPERUSER.into(),
                    "-E".into(),
                    "UTF8".into(),
                    "--auth-local=trust".into(),
                    "--auth-host=scram-sha-256".into(),
                    "--pwfile=/dev/stdin".into(),
                    // A development database: a crash during init means `den down --purge`,
                    // not lost work, and skipping the fsyncs saves seconds.
                    "--no-sync".into(),
                ],
                stdin: Some(format!("{}\n", base.password)),
            },
            Step {
                argv: vec![bin("postgres"), "--single".into(), "-D".into(), d.clone(), "postgres".into()],
                stdin: Some(format!("CREATE DATABASE \"{db}\"\n")),
            },
        ],
        marker,
    };
    let mut init = init;
    if let Some((_, _, name)) = &user {
        // The server's uid (`nobody`) may be shared with other daemons: `trust` on the
        // socket would let them in. Only den's own user is let in there, by peer identity.
        let den_user = nix::unistd::User::from_uid(nix::unistd::geteuid()).ok().flatten().map(|u| u.name);
        let mut ident = String::from("# Written by den: who may use the Unix socket as `postgres`.\n");
        for who in den_user.iter().chain(std::iter::once(name).filter(|n| *n != "nobody")) {
            ident.push_str(&format!("den {who} {PG_SUPERUSER}\n"));
        }
        let hba = "# Written by den: peer identity on the socket (see pg_ident.conf), the password on TCP.\n\
                   local all all peer map=den\n\
                   host all all 127.0.0.1/32 scram-sha-256\n\
                   host all all ::1/128 scram-sha-256\n";
        for (file, text) in [("pg_ident.conf", ident), ("pg_hba.conf", hba.to_string())] {
            init.steps.push(Step {
                argv: vec!["/bin/sh".into(), "-c".into(), format!("cat > {file}")],
                stdin: Some(text),
            });
        }
    }
    let timeout = service.ready.as_ref().map_or(READY_TIMEOUT, |r| r.timeout);
    Ok(Unit {
        name: base.name.clone(),
        argv: vec![
            bin("postgres"),
            "-D".into(),
            d,
            "-k".into(),
            sockets.to_string_lossy().into_owned(),
            "-h".into(),
            "127.0.0.1".into(),
            "-p".into(),
            base.port.to_string(),
        ]
        .into_iter()
        .chain(service.config.iter().flat_map(|c| {
            // The server's own file for everything else; the flags above keep it on
            // 127.0.0.1 and the private socket.
            ["-c".to_string(), format!("config_file={}", dirs.root.join(c).display())]
        }))
        .chain(service.args.iter().cloned())
        .collect(),
        cwd: data,
        env: service.env.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
        ready: Some(Readiness {
            check: Check::Postgres { sockets: sockets.clone(), port: base.port },
            timeout,
        }),
        deps: service.depends_on.clone(),
        restart: service.restart,
        // Unless den.toml names one, SIGINT: postgres's fast shutdown.
        stop_signal: service.stop_with(),
        stop_timeout: service.stop_timeout,
        port: Some(base.port),
        user: ids,
        init: Some(init),
        watch: service.watch.clone(),
    })
}

/// The one line den says before the first start of a postgres service as root: who it
/// runs as and where its binaries are linked. `None` when den is not root or the service
/// was initialised before.
pub fn root_note(root: &Path, service: &Service) -> Option<String> {
    let (_, _, user) = server::unprivileged(root, service.user.as_deref()).ok()??;
    let state = root.join(".den/state").join(&service.name);
    if (Marker::Record { root: root.to_path_buf(), service: service.name.clone() }).done() {
        return None;
    }
    Some(format!(
        "postgres refuses to run as root: service `{}` runs as `{user}`, which will own {}; its binaries are hard-linked (not copied) under {}",
        service.name,
        state.join("data").display(),
        std::env::temp_dir().display()
    ))
}

/// Removes a lock file of postgres's (`postmaster.pid`, the socket's `.lock`) when the
/// server it names is gone. Postgres does that itself, except when that server is a zombie
/// nothing reaped (a killed supervisor's child, on a system whose init does not reap):
/// `kill(pid, 0)` still succeeds and it refuses to start. Only one supervisor runs a
/// project's services, so no live server is cut off.
fn clear_stale_lock(lock: &Path) {
    let Ok(text) = crate::fs_util::read_input_string(lock) else { return };
    let pid = text.lines().next().and_then(|l| l.trim().parse::<i32>().ok());
    if pid.is_some_and(|pid| pid > 0 && !crate::proc::running(pid)) {
        let _ = std::fs::remove_file(lock);
    }
}

/// Refuses a data directory that would start in recovery (`recovery.signal` or
/// `standby.signal`, which den never makes): postgres would then run the configuration's
/// `restore_command`, a command line that a file put there (say, by a `git pull` over
/// ignored files) chose.
fn check_no_recovery(data: &Path, name: &str) -> Result<(), Error> {
    let Some(signal) = ["recovery.signal", "standby.signal"]
        .into_iter()
        .map(|f| data.join(f))
        .find(|p| std::fs::symlink_metadata(p).is_ok())
    else {
        return Ok(());
    };
    Err(Error::RecoverySignal { service: name.to_string(), path: signal })
}

/// Refuses a data directory made by another major version than the tool's.
fn check_version(data: &Path, tool_version: &str, name: &str) -> Result<(), Error> {
    let Ok(found) = crate::fs_util::read_input_string(&data.join("PG_VERSION")) else { return Ok(()) };
    let found = found.trim();
    let major = tool_version.split('.').next().unwrap_or(tool_version);
    if found == major {
        return Ok(());
    }
    Err(Error::OtherMajor {
        service: name.to_string(),
        data: data.to_path_buf(),
        found: found.to_string(),
        major: major.to_string(),
    })
}

#[cfg(test)]
#[allow(clippy::disallowed_methods, reason = "tests may write freely")]
mod tests {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};

    use super::*;

    /// What `preset::unit` does for a postgres service (importing it would make a circle).
    fn preset_unit(dirs: &Dirs, service: &Service, tool: &Tool) -> Result<Unit, Error> {
        let base = Base::prepare(dirs, service, tool)?;
        unit(dirs, service, tool, &base)
    }

    fn db_service() -> Service {
        use crate::project::{Location, Restart};
        Service {
            name: "db".into(),
            run: None,
            preset: Some(crate::project::Preset::Postgres),
            version: None,
            port: Some(54329),
            ready: None,
            depends_on: Vec::new(),
            env: Default::default(),
            restart: Restart::Never,
            cwd: None,
            stop_signal: None,
            stop_timeout: Duration::from_secs(1),
            init: None,
            args: Vec::new(),
            config: None,
            user: None,
            watch: Vec::new(),
            at: Location { file: "den.toml".into(), line: 1 },
        }
    }

    #[test]
    fn a_shipped_state_directory_is_refused_and_a_linked_data_directory_replaced() {
        use crate::env::service_record;
        let tmp = tempfile::tempdir().unwrap();
        service_record::test_bucket(&tmp.path().join("services-v1"));
        let root = tmp.path().join("proj");
        let victim = tmp.path().join("victim");
        std::fs::create_dir_all(&victim).unwrap();
        std::fs::write(victim.join("PG_VERSION"), "17\n").unwrap();
        let tool_dir = tmp.path().join("sha256-fake");
        std::fs::create_dir_all(tool_dir.join("bin")).unwrap();
        let tool = Tool { dir: tool_dir.clone(), bin: tool_dir.join("bin"), version: "17.1".into() };
        let service = db_service();
        let dirs = Dirs::of(&root);
        let plant = || {
            std::fs::create_dir_all(root.join(".den/state/db")).unwrap();
            std::fs::set_permissions(root.join(".den/state/db"), std::fs::Permissions::from_mode(0o700))
                .unwrap();
            std::os::unix::fs::symlink(&victim, root.join(".den/state/db/data")).unwrap();
            std::fs::write(root.join(".den/state/db/initialized"), b"").unwrap();
        };

        // Shipped (den's old marker, a data directory): refused, nothing touched.
        plant();
        let e = preset_unit(&dirs, &service, &tool).unwrap_err();
        assert!(matches!(e, Error::ForeignState { .. }), "{e}");
        assert!(crate::hint::Hint::hint(&e).unwrap().contains("den down db --purge --yes"), "{e:?}");
        assert!(std::fs::symlink_metadata(root.join(".den/state/db/data")).unwrap().is_symlink());

        // den's own state directory, whose data was made a link since: init runs again on
        // a real directory, the link's target untouched.
        crate::fs_util::remove_tree(&root.join(".den/state/db")).unwrap();
        let unit = preset_unit(&dirs, &service, &tool).unwrap();
        let made = service_record::read(&root, "db").unwrap().state.unwrap();
        assert!(!made.initialized && made.tool == "postgres 17.1", "{made:?}");
        unit.init.as_ref().unwrap().marker.set().unwrap();
        std::os::unix::fs::symlink(&victim, root.join(".den/state/db/data.new")).unwrap();
        std::fs::remove_dir(root.join(".den/state/db/data")).unwrap();
        std::fs::rename(root.join(".den/state/db/data.new"), root.join(".den/state/db/data")).unwrap();
        let unit = preset_unit(&dirs, &service, &tool).unwrap();
        assert!(unit.init.is_some());
        assert!(std::fs::symlink_metadata(root.join(".den/state/db/data")).unwrap().is_dir());
        let victim_meta = std::fs::metadata(&victim).unwrap();
        assert_eq!(victim_meta.uid(), nix::unistd::geteuid().as_raw(), "the link's target was handed over");
        assert!(victim.join("PG_VERSION").exists(), "the link's target was touched");
        assert_eq!(unit.stop_signal, nix::sys::signal::Signal::SIGINT, "postgres's default: fast shutdown");
        // A signal den.toml names is the one sent, SIGTERM included (it used to become SIGINT).
        let explicit = Service { stop_signal: Some(nix::sys::signal::Signal::SIGTERM), ..db_service() };
        let unit = preset_unit(&dirs, &explicit, &tool).unwrap();
        assert_eq!(unit.stop_signal, nix::sys::signal::Signal::SIGTERM);
        let _ = crate::fs_util::remove_tree(&crate::env::service_exports::socket_dir(&root));
        if let Some(shared) = unit.argv[0].strip_suffix("/bin/postgres").filter(|d| d.contains("den-shared-"))
        {
            let _ = crate::fs_util::remove_tree(Path::new(shared));
        }
    }

    #[test]
    fn a_recovery_signal_is_refused() {
        let tmp = tempfile::tempdir().unwrap();
        assert!(check_no_recovery(tmp.path(), "db").is_ok());
        std::fs::write(tmp.path().join("recovery.signal"), "").unwrap();
        let e = check_no_recovery(tmp.path(), "db").unwrap_err();
        assert!(e.to_string().contains("recovery.signal would start service `db` in recovery"), "{e}");
    }

    #[test]
    #[allow(clippy::disallowed_methods, reason = "tests may spawn freely")]
    fn a_lock_naming_a_gone_or_zombie_server_is_cleared_a_live_one_kept() {
        let tmp = tempfile::tempdir().unwrap();
        let lock = tmp.path().join("postmaster.pid");
        let mut zombie = std::process::Command::new("true").spawn().unwrap();
        while crate::proc::running(zombie.id() as i32) {
            std::thread::sleep(Duration::from_millis(5));
        }
        for (pid, kept) in [(std::process::id() as i32, true), (zombie.id() as i32, false), (i32::MAX, false)]
        {
            std::fs::write(&lock, format!("{pid}\n/data\n")).unwrap();
            clear_stale_lock(&lock);
            assert_eq!(lock.exists(), kept, "pid {pid}");
        }
        let _ = zombie.wait();
    }

    #[test]
    fn another_major_version_is_refused_with_the_way_out() {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::write(tmp.path().join("PG_VERSION"), "16\n").unwrap();
        assert!(check_version(tmp.path(), "16.4.0", "db").is_ok());
        let e = check_version(tmp.path(), "17.10.0-beta.17", "db").unwrap_err();
        assert!(e.to_string().contains("made by PostgreSQL 16; this project now runs PostgreSQL 17"), "{e}");
        assert!(crate::hint::Hint::hint(&e).unwrap().contains("den down db --purge"));
    }
}
