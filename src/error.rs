//! The one error type `main` renders, and its rendering. Each module keeps its own typed
//! error (born where the failure happens, with the path, URL or tool as fields, and its
//! advice as a [`Hint`]); this enum only gathers them. Every variant keeps the module
//! error as its `source()`, so [`Report::of`] walks the chain once: `den: <message>`, then a
//! `caused by:` line for each cause whose text the message does not already hold (den's
//! messages name their immediate cause, so this is rare), then the `help:` lines of every
//! error in the chain, each line once.

use std::error::Error as StdError;
use std::process::ExitCode;

use crate::hint::Hint;
use crate::io_error::IoError;

/// Every failure den can report, by the module where it was born.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{0}")]
    Project(#[from] crate::project::Error),
    #[error("{0}")]
    Config(#[from] crate::config::Error),
    #[error("{0}")]
    Env(#[from] crate::env::Error),
    #[error("{0}")]
    Trust(#[from] crate::trust::Error),
    #[error("{0}")]
    Lock(#[from] crate::resolve::lock::Error),
    #[error("{0}")]
    Edit(#[from] crate::tools::edit::Error),
    #[error("{0}")]
    Store(#[from] crate::store::Error),
    #[error("{0}")]
    Resolve(#[from] crate::resolve::Error),
    #[error("{0}")]
    Tools(#[from] crate::tools::Error),
    #[error("{0}")]
    ToolCmd(#[from] crate::tools::toolset::Error),
    #[error("{0}")]
    OneOff(#[from] crate::launch::oneoff::Error),
    #[error("{0}")]
    Prepare(#[from] crate::launch::prepare::Error),
    #[error("{0}")]
    Session(#[from] crate::launch::session::Error),
    #[error("{0}")]
    Services(#[from] crate::services::Error),
    #[error("{0}")]
    Ide(#[from] crate::ide::Error),
    #[error("{0}")]
    Io(#[from] IoError),
}

impl Hint for Error {
    /// Only den's own advice: the wrapped module error gives its own in the chain walk.
    fn hint(&self) -> Option<String> {
        None
    }
}

/// Exit status of a command line den could not make sense of (clap's own errors too).
pub const USAGE: u8 = 2;

impl Error {
    /// Exit status (README "Exit codes"): 2 for a usage error, 127/126 when `den run` or
    /// `den x` cannot find or cannot execute the command, 1 for every other failure.
    pub fn exit_code(&self) -> ExitCode {
        use crate::tools::edit::Error as Edit;
        use crate::tools::toolset::Error as ToolCmd;
        match self {
            Error::OneOff(e) => ExitCode::from(e.exit_code()),
            Error::Edit(Edit::BadArg { .. }) | Error::ToolCmd(ToolCmd::BadPlatform { .. }) => {
                ExitCode::from(USAGE)
            }
            _ => ExitCode::FAILURE,
        }
    }
}

/// The hint of one error of the chain, when it is one of den's.
fn hint_of(e: &(dyn StdError + 'static)) -> Option<String> {
    macro_rules! first_hint {
        ($($ty:ty),* $(,)?) => {
            $(if let Some(e) = e.downcast_ref::<$ty>() {
                return e.hint();
            })*
        };
    }
    first_hint!(
        Error,
        crate::project::Error,
        crate::config::Error,
        crate::env::Error,
        crate::trust::Error,
        crate::resolve::lock::Error,
        crate::tools::edit::Error,
        crate::store::Error,
        crate::resolve::Error,
        crate::tools::Error,
        // Errors boxed as a `source` field: a type of their own to `downcast_ref`.
        Box<crate::tools::Error>,
        crate::store::InstallError,
        Box<crate::store::InstallError>,
        crate::tools::toolset::Error,
        crate::launch::oneoff::Error,
        crate::launch::prepare::Error,
        Box<crate::launch::prepare::Error>,
        crate::launch::session::Error,
        crate::services::Error,
        crate::ide::Error,
        // Leaves below every module error: wrapped transparently today, named here so that
        // a wrapper that keeps one as its `source` still shows its advice.
        crate::http::Error,
        crate::version::SpecError,
        crate::version::VersionError,
        IoError,
    );
    None
}

/// An error ready to print: its message, the causes the message does not already state,
/// and the advice of the whole chain.
#[derive(Debug, PartialEq, Eq)]
pub struct Report {
    pub message: String,
    pub causes: Vec<String>,
    pub hints: Vec<String>,
}

impl Report {
    /// Walks `err`'s `source()` chain once.
    pub fn of(err: &(dyn StdError + 'static)) -> Report {
        let message = err.to_string();
        let mut shown = message.clone();
        let mut causes = Vec::new();
        let mut hints: Vec<String> = Vec::new();
        let mut next = Some(err);
        let mut first = true;
        while let Some(e) = next {
            if !std::mem::take(&mut first) {
                // Text den did not write (an OS or library message) is escaped when shown.
                let text = e.to_string().lines().map(crate::ui::escaped).collect::<Vec<_>>().join("\n");
                if !shown.contains(&text) && !shown.contains(&e.to_string()) {
                    shown.push('\n');
                    shown.push_str(&text);
                    causes.push(text);
                }
            }
            for line in hint_of(e).iter().flat_map(|h| h.lines()) {
                if !hints.iter().any(|h| h == line) {
                    hints.push(line.to_string());
                }
            }
            next = e.source();
        }
        Report { message, causes, hints }
    }
}

/// Result of a den command.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    /// A cause whose text the message leaves out, with advice of its own.
    #[derive(Debug, thiserror::Error)]
    #[error("cannot reach the mirror")]
    struct Outer {
        #[source]
        source: IoError,
    }

    #[test]
    fn a_two_level_chain_shows_each_cause_and_hint_once() {
        let denied = || std::io::Error::from(std::io::ErrorKind::PermissionDenied);
        // The message names its cause: nothing more is printed but the cause's hint.
        let err = Error::Io(IoError::path("create", "/p/.den", denied()));
        let report = Report::of(&err);
        assert_eq!(report.message, "cannot create /p/.den: permission denied");
        assert_eq!(report.causes, Vec::<String>::new());
        assert_eq!(report.hints, ["check the permissions of /p/.den and the directories above it"]);
        assert_eq!(
            crate::ui::render_error(&report.message, &report.causes, &report.hints, false),
            "den: cannot create /p/.den: permission denied\n\
             help: check the permissions of /p/.den and the directories above it\n"
        );

        // The message leaves the cause out: it is printed once, under it.
        let err = Outer { source: IoError::path("read", "/m\x1b[2J", denied()) };
        let report = Report::of(&err);
        assert_eq!(report.causes, ["cannot read /m\\e[2J: permission denied"]);
        assert_eq!(
            crate::ui::render_error(&report.message, &report.causes, &report.hints, false),
            "den: cannot reach the mirror\n\
             caused by: cannot read /m\\e[2J: permission denied\n\
             help: check the permissions of /m\\e[2J and the directories above it\n"
        );
    }

    #[test]
    fn hints_of_the_chain_are_collected_without_repeats() {
        // `den add` failing to install: the wrapper repeats its cause's advice and adds its
        // own line; the walk prints each line once, the wrapper's order first.
        let cause = crate::tools::Error::UnsupportedPlatform;
        let err = Error::ToolCmd(crate::tools::toolset::Error::NotAdded { source: Box::new(cause) });
        let report = Report::of(&err);
        assert_eq!(report.message, "den has no builds for this machine's operating system or processor");
        assert!(report.causes.is_empty(), "{:?}", report.causes);
        assert_eq!(report.hints, ["den supports linux and macOS on x64 and arm64", "den.toml is unchanged"]);
    }

    #[test]
    fn the_errors_at_their_layer_paths_give_their_hints_and_exit_codes() {
        let denied = || std::io::Error::from(std::io::ErrorKind::PermissionDenied);
        // `den enter`'s session: its I/O error's advice, the cause once (in the message).
        let err =
            Error::Session(crate::launch::session::Error(IoError::path("create", "/p/.den/tmp/1", denied())));
        let report = Report::of(&err);
        assert_eq!(report.message, "cannot create /p/.den/tmp/1: permission denied");
        assert!(report.causes.is_empty(), "{:?}", report.causes);
        assert_eq!(report.hints, ["check the permissions of /p/.den/tmp/1 and the directories above it"]);

        // The one `tool@spec` parser: a spec den cannot read is a usage error with the forms.
        let err = Error::Edit(crate::tools::edit::parse_arg("jq@^^").unwrap_err());
        assert_eq!(err.exit_code(), ExitCode::from(USAGE));
        assert!(Report::of(&err).hints[0].starts_with("write `22.11.0` (exact)"));

        // A one-off run's boxed layer errors give their module's advice.
        let err = Error::OneOff(crate::launch::oneoff::Error::from(crate::project::Error::NotFound {
            dir: "/p".into(),
        }));
        assert_eq!(err.exit_code(), ExitCode::FAILURE);
        assert_eq!(Report::of(&err).hints, ["run `den init` to create one"]);

        // A leaf's error kept as a `source` by a wrapper is advised on too.
        #[derive(Debug, thiserror::Error)]
        #[error("cannot list versions")]
        struct Listing {
            #[source]
            source: crate::http::Error,
        }
        let err = Listing { source: crate::http::Error::Offline { url: "https://h/x".into() } };
        let report = Report::of(&err);
        assert_eq!(report.causes, ["https://h/x is needed but den is offline and has no cached copy"]);
        assert_eq!(report.hints, ["run once without `--offline` (and without DEN_OFFLINE=1) to fetch it"]);
    }
}
