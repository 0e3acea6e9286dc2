//! The `redis` and `valkey` presets: the server on 127.0.0.1 only, at the project's port,
//! with a generated password, its data and append-only file in `.den/state/<name>/`,
//! configured by a generated file there (0600, so the password is not on a command line
//! other users can read). Exports `REDIS_URL`. The password and port are den's record's
//! (`env::service_record`), never a file the repository ships.

use std::ffi::OsStr;
use std::path::Path;
use std::time::Duration;

use super::Error;
use super::probe::{Check, Readiness};
use super::server::{Base, Tool};
use super::unit::Unit;
use crate::fs_util::beneath;
use crate::io_error::IoError;
use crate::project::Service;

/// How long a server may take to answer when `ready.timeout` is not given.
const READY_TIMEOUT: Duration = Duration::from_secs(30);

/// `server` is the binary's name (`redis-server`, `valkey-server`).
pub fn unit(root: &Path, service: &Service, tool: &Tool, base: &Base, server: &str) -> Result<Unit, Error> {
    let conf = base.state.join(format!("{server}.conf"));
    let mut text = format!(
        "# Written by den for [services.{name}] on every start; edits here are lost.\n\
         bind 127.0.0.1\nport {port}\nprotected-mode yes\nrequirepass {password}\n\
         dir {dir}\nappendonly yes\nappendfsync everysec\nsave \"\"\ndaemonize no\nlogfile \"\"\n",
        name = base.name,
        port = base.port,
        password = base.password,
        dir = base.state.display(),
    );
    if let Some(own) = &service.config {
        // Included last: the project's own file wins over den's defaults.
        text.push_str(&format!("include {}\n", root.join(own).display()));
    }
    // Beneath `.den/state/<name>/` opened without following a link; a link (or anything
    // else) at the file's name is replaced, never written through.
    beneath::existing(root, &Path::new(".den/state").join(&base.name))
        .and_then(|state| state.write(OsStr::new(&format!("{server}.conf")), text.as_bytes(), 0o600))
        .map_err(IoError::at("write", &conf))?;
    let timeout = service.ready.as_ref().map_or(READY_TIMEOUT, |r| r.timeout);
    Ok(Unit {
        name: base.name.clone(),
        argv: [tool.bin.join(server).to_string_lossy().into_owned(), conf.to_string_lossy().into_owned()]
            .into_iter()
            .chain(service.args.iter().cloned())
            .collect(),
        cwd: base.state.clone(),
        env: service.env.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
        ready: Some(Readiness {
            check: Check::Redis { addr: format!("127.0.0.1:{}", base.port), password: base.password.clone() },
            timeout,
        }),
        deps: service.depends_on.clone(),
        restart: service.restart,
        stop_signal: service.stop_with(),
        stop_timeout: service.stop_timeout,
        port: Some(base.port),
        user: None,
        init: None::<super::unit::Init>,
        watch: service.watch.clone(),
    })
}
