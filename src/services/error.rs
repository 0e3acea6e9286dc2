//! What can go wrong with services, each with the cause and what to do next.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use crate::hint::Hint;
use crate::io_error::IoError;

/// A services failure.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("no service `{name}` in this project")]
    Unknown { name: String, declared: String },
    #[error("this project declares no services")]
    NoServices,
    #[error("port {port} for service `{service}` is already in use{}", holder_text(.holder))]
    PortInUse { service: String, port: u16, holder: Option<(i32, String)> },
    #[error("service `{service}` exited during start ({status}); last lines of {}:\n{tail}", .log.display())]
    Exited { service: String, status: String, log: PathBuf, tail: String },
    #[error("the init of service `{service}` failed ({status}) at `{step}`; last lines of {}:\n{tail}", .log.display())]
    InitFailed { service: String, step: String, status: String, log: PathBuf, tail: String },
    #[error("service `{service}` was not ready after {}: {check} never answered", secs(.waited))]
    NotReady { service: String, check: String, waited: Duration, log: PathBuf },
    #[error("service `{service}` did not start because `{dependency}` failed")]
    Dependency { service: String, dependency: String },
    #[error("cannot start service `{service}` (`{program}`): {source}")]
    Spawn {
        service: String,
        program: String,
        #[source]
        source: std::io::Error,
    },
    #[error("the services of this project are already supervised by den (pid {pid})")]
    Running { pid: i32 },
    #[error("the background supervisor stopped before it was ready; its log is {}:\n{tail}", .log.display())]
    SupervisorDied { log: PathBuf, tail: String },
    /// An error the supervisor reported over its socket: text, as it crossed from another
    /// process (its advice with it); never built for a failure of this process.
    #[error("{message}")]
    Supervisor { message: String, help: Option<String> },
    /// A request on the control socket that is not one of den's.
    #[error("bad request: {reason}")]
    BadRequest { reason: String },
    /// `den __supervise --tools …` that `den up -d` did not write.
    #[error("bad --tools: {reason}")]
    BadToolsArg { reason: String },
    /// Why a service failed to start, kept by the supervisor and handed to every request
    /// waiting for it (so shared); its message and advice are the failure's own.
    #[error("{0}")]
    Failed(Arc<Error>),
    #[error("service `{service}` stopped before it was ready ({state})")]
    StoppedBeforeReady { service: String, state: &'static str },
    #[error("interrupted before the services were ready")]
    Interrupted,
    #[error("service `{service}` was stopped during its init")]
    StoppedDuringInit { service: String },
    #[error("cannot open the log of service `{service}`: {source}")]
    Log {
        service: String,
        #[source]
        source: std::io::Error,
    },
    #[error("service `{service}` is not running: no supervisor runs for this project")]
    NotRunning { service: String },
    #[error("the tool of service `{service}` (preset `{preset}`) is not installed")]
    ToolMissing { service: String, preset: String },
    #[error("`user = \"{user}\"` is root, which this server refuses")]
    RootUser { user: String },
    #[error("no user `{user}` on this system (`user` in den.toml)")]
    NoUser { user: String },
    #[error("den runs as root and this system has no `nobody` user to run the database as")]
    NoNobody,
    /// A directory den makes and shares between its processes is not den's own.
    #[error("{} is not den's own directory (owner, type or mode)", .path.display())]
    ForeignDir { path: PathBuf },
    #[error("{} is not den's own socket directory (another owner or not a directory)", .path.display())]
    ForeignSocketDir { path: PathBuf },
    #[error("{} would start service `{service}` in recovery, running the `restore_command` of its configuration; den never makes it", .path.display())]
    RecoverySignal { service: String, path: PathBuf },
    #[error("the data of service `{service}` ({}) was made by PostgreSQL {found}; this project now runs PostgreSQL {major}, which must not open it", .data.display())]
    OtherMajor { service: String, data: PathBuf, found: String, major: String },
    #[error("the supervisor ended before it answered")]
    NoAnswer,
    #[error("`den down --purge` deletes {} and needs a confirmation", .state.display())]
    PurgeNeedsYes { state: PathBuf },
    #[error("{} was not made by den for this project (den has no record of it); den never starts `{service}` on it", .path.display())]
    ForeignState { service: String, path: PathBuf },
    #[error("the project's git repository tracks files under {}, den's own directory; den starts no preset service on what a `git pull` can replace", .den.display())]
    TrackedDenDir { den: PathBuf },
    #[error("den cannot tell whether the project's git repository tracks files under {} (its index is in a form den does not read), so it starts no preset service", .den.display())]
    UntoldDenDir { den: PathBuf },
    #[error("{0}")]
    Io(#[from] IoError),
    /// The failures of the layers the services' commands go through (finding the project,
    /// its trust, its tools, its environment), boxed to keep this error small.
    #[error(transparent)]
    Project(Box<crate::project::Error>),
    #[error(transparent)]
    Trust(Box<crate::trust::Error>),
    #[error(transparent)]
    Tools(Box<crate::tools::Error>),
    #[error(transparent)]
    Env(Box<crate::env::Error>),
    #[error(transparent)]
    Prepare(Box<crate::launch::prepare::Error>),
}

impl From<crate::project::Error> for Error {
    fn from(e: crate::project::Error) -> Self {
        Error::Project(Box::new(e))
    }
}

impl From<crate::trust::Error> for Error {
    fn from(e: crate::trust::Error) -> Self {
        Error::Trust(Box::new(e))
    }
}

impl From<crate::tools::Error> for Error {
    fn from(e: crate::tools::Error) -> Self {
        Error::Tools(Box::new(e))
    }
}

impl From<crate::launch::prepare::Error> for Error {
    fn from(e: crate::launch::prepare::Error) -> Self {
        Error::Prepare(Box::new(e))
    }
}

impl From<crate::env::Error> for Error {
    fn from(e: crate::env::Error) -> Self {
        Error::Env(Box::new(e))
    }
}

fn holder_text(holder: &Option<(i32, String)>) -> String {
    match holder {
        Some((pid, cmd)) if cmd.is_empty() => format!(" by pid {pid}"),
        Some((pid, cmd)) => format!(" by pid {pid} ({cmd})"),
        None => String::new(),
    }
}

fn secs(d: &Duration) -> String {
    format!("{:.1}s", d.as_secs_f64())
}

impl Hint for Error {
    /// What to do next. An I/O error gives its own advice here too (the supervisor sends
    /// this text over its socket, where there is no `source()` chain to walk).
    fn hint(&self) -> Option<String> {
        Some(match self {
            Error::Unknown { declared, .. } => declared.clone(),
            Error::NoServices => {
                "declare one in den.toml: [services.web] run = \"python3 -m http.server\"".into()
            }
            Error::PortInUse { holder: Some((pid, _)), .. } => {
                format!("stop that process (kill {pid}) or give the service another `port` in den.toml")
            }
            Error::PortInUse { .. } => {
                "stop what listens there, or give the service another `port` in den.toml".into()
            }
            Error::Exited { service, .. } => {
                format!("fix the command of [services.{service}] and run `den up` again")
            }
            Error::NotReady { log, service, .. } => format!(
                "see {} (or `den logs {service}`); raise `ready.timeout` if the service is just slow",
                log.display()
            ),
            Error::InitFailed { service, .. } => {
                format!(
                    "see `den logs {service}`; `den down {service} --purge` starts over from an empty state"
                )
            }
            Error::Dependency { dependency, .. } => format!("see `den logs {dependency}`"),
            Error::Spawn { .. } => {
                "check that the program exists in the project's environment (`den run -- which …`)".into()
            }
            Error::Running { .. } => "add services to it with `den up -d`, or stop it with `den down`".into(),
            Error::SupervisorDied { .. } => return None,
            Error::Supervisor { help, .. } => return help.clone(),
            Error::BadRequest { .. } => {
                "only den talks to the supervisor's socket: use `den up -d`, `den down` or `den restart`".into()
            }
            Error::BadToolsArg { .. } => {
                "`den __supervise` is started by `den up -d`; run that instead".into()
            }
            Error::Failed(e) => return e.hint(),
            Error::StoppedBeforeReady { service, .. } => format!("see `den logs {service}`"),
            Error::Interrupted | Error::StoppedDuringInit { .. } => return None,
            Error::Log { .. } => {
                "check that .den/logs/ is a directory of yours with room to write, then run `den up` again".into()
            }
            Error::NotRunning { service } => format!("start it with `den up -d {service}`"),
            Error::ToolMissing { .. } => "run `den up` again: it installs it".into(),
            Error::RootUser { .. } => "name an unprivileged user, or remove `user` (den then uses `nobody`)".into(),
            Error::NoUser { .. } => "name an existing user, or remove `user` (den then uses `nobody`)".into(),
            Error::NoNobody => "run den as an ordinary user, name one with `user = \"...\"`, or create `nobody`".into(),
            Error::ForeignDir { .. } | Error::ForeignSocketDir { .. } => "remove it; den makes it again".into(),
            Error::RecoverySignal { service, .. } => format!(
                "delete it if you put it there, or `den down {service} --purge --yes` to start empty"
            ),
            Error::OtherMajor { service, found, .. } => format!(
                "keep it: set `version = \"{found}\"` in [services.{service}], dump it with `den run -- pg_dumpall > dump.sql`, then `den down {service} --purge --yes`, set the new version and restore with `psql -f dump.sql`; or just `den down {service} --purge` to start empty"
            ),
            Error::NoAnswer => "see .den/logs/supervisor.log".into(),
            Error::PurgeNeedsYes { .. } => "run `den down --purge --yes` to delete the data".into(),
            Error::ForeignState { service, .. } => format!(
                "`den down {service} --purge --yes` deletes it (a repository may have shipped it, or an older den made it); `den up` then starts empty"
            ),
            Error::TrackedDenDir { .. } => {
                "stop tracking it, keeping the files: `git rm -r --cached .den` and commit (its `.gitignore` keeps it out from then on)".into()
            }
            Error::UntoldDenDir { .. } => {
                "den reads git's index itself, never running git; a split or sparse index it cannot read becomes readable with `git update-index --no-split-index` or `git sparse-checkout disable`; `git rm -r --cached .den` if `.den` is tracked".into()
            }
            Error::Io(e) => return e.hint(),
            Error::Project(e) => return e.hint(),
            Error::Trust(e) => return e.hint(),
            Error::Tools(e) => return e.hint(),
            Error::Env(e) => return e.hint(),
            Error::Prepare(e) => return e.hint(),
        })
    }
}
