//! What can go wrong with services, each with the cause and what to do next.

use std::path::PathBuf;
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
    #[error("{message}")]
    Remote { message: String, help: Option<String> },
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
            Error::Remote { help, .. } => return help.clone(),
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
        })
    }
}
