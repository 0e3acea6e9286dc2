//! The errors of the tool-management commands (`add`, `remove`, `upgrade`, `outdated`,
//! `lock`, `ls`, `ls-remote`) that are not some other module's. Here rather than in
//! `cmd/`, so that `error` (which gathers every module's error) never imports `cmd`.

use crate::hint::Hint;

/// Failures of the tool commands that are not some other module's.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// `den add` could not install what it added; den.toml was put back as it was.
    #[error("{source}")]
    NotAdded { source: Box<crate::tools::Error> },
    /// A `den lock --platform` word that is not a platform.
    #[error("unknown platform `{value}` (known: {})", known.join(", "))]
    BadPlatform { value: String, known: Vec<String> },
}

impl Hint for Error {
    /// What the user should do next.
    fn hint(&self) -> Option<String> {
        match self {
            Error::NotAdded { source } => {
                let mut help = source.hint().map(|h| format!("{h}\n")).unwrap_or_default();
                help.push_str("den.toml is unchanged");
                Some(help)
            }
            Error::BadPlatform { .. } => {
                Some("write them comma-separated: `--platform linux-arm64,darwin-arm64`".into())
            }
        }
    }
}
