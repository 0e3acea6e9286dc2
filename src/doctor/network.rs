//! The network checks: which npm registry and PyPI index den would use (found by
//! `resolve::registry`'s own discovery, the same den's npm and pypi sources use) and the
//! user config's `[mirrors]`, each probed once, all at the same time, with a short
//! timeout and no retry. Offline, nothing is probed and each line says so. Credentials in
//! a registry URL are never shown.

use std::path::Path;
use std::time::Duration;

use super::{Finding, Inputs};
use crate::http::{self, Client};
use crate::resolve::registry::{self, Discovery, Ecosystem, Found};

/// The longest a probe waits for a connection, and then for an answer.
const PROBE_TIMEOUT: Duration = Duration::from_secs(3);

/// What one probe asks and how its answer is judged.
struct Probe {
    what: String,
    url: String,
    from: String,
    /// A mirror is a URL prefix: any HTTP answer shows it is there. A registry is asked for
    /// a document it must have, so an error status is a problem.
    any_status: bool,
}

/// `registry` and `mirror`: one finding per registry and mirror.
pub fn registries(inputs: &Inputs, project: Option<&Path>) -> Vec<Finding> {
    let discovery = Discovery::system(project);
    let mut out = Vec::new();
    let mut probes = Vec::new();
    let sources = &inputs.config.sources;
    for (ecosystem, found) in [
        (Ecosystem::Npm, registry::npm_registry(sources, &discovery, "npm")),
        (Ecosystem::Pypi, registry::pypi_index(sources, &discovery)),
    ] {
        let what = match ecosystem {
            Ecosystem::Npm => "npm registry",
            Ecosystem::Pypi => "PyPI index",
        };
        match found {
            Ok(Found { url, from }) => {
                let base = if url.ends_with('/') { url.clone() } else { format!("{url}/") };
                // npm's own `npm ping` endpoint; any PyPI index has pip's page.
                let probe = match ecosystem {
                    Ecosystem::Npm => format!("{base}-/ping"),
                    Ecosystem::Pypi => format!("{base}pip/"),
                };
                probes.push(Probe {
                    what: format!("{what} {}", redact(&url)),
                    url: probe,
                    from,
                    any_status: false,
                });
            }
            Err(crate::resolve::Error::NoRegistry { .. }) => out.push(Finding::note(
                "registry",
                format!(
                    "no {what} is configured (tools from {ecosystem} need one): {}",
                    ecosystem.settings()
                ),
            )),
            Err(e) => {
                out.push(Finding::fail("registry", e.to_string(), "correct the setting the message names"))
            }
        }
    }
    for (upstream, mirror) in &inputs.config.mirrors {
        probes.push(Probe {
            what: format!("mirror {} (for {})", redact(mirror), redact(upstream)),
            url: mirror.clone(),
            from: "[mirrors] in den's config.toml".into(),
            any_status: true,
        });
    }
    if inputs.offline {
        out.extend(probes.iter().map(|p| {
            Finding::note(check_of(p), format!("{} (from {}): not probed (offline)", p.what, p.from))
        }));
        return out;
    }
    let mut settings = inputs.config.http_settings(false);
    settings.connect_timeout = settings.connect_timeout.min(PROBE_TIMEOUT);
    settings.read_timeout = settings.read_timeout.min(PROBE_TIMEOUT);
    settings.attempts = 1;
    let client = Client::new(settings);
    let answers: Vec<Result<(), http::Error>> = std::thread::scope(|s| {
        let handles: Vec<_> = probes.iter().map(|p| s.spawn(|| client.get(&p.url).map(drop))).collect();
        handles.into_iter().map(|h| h.join().expect("a probe does not panic")).collect()
    });
    for (probe, answer) in probes.iter().zip(answers) {
        out.push(judge(probe, answer));
    }
    out
}

fn check_of(probe: &Probe) -> &'static str {
    if probe.any_status { "mirror" } else { "registry" }
}

/// One probe's answer as a finding.
fn judge(probe: &Probe, answer: Result<(), http::Error>) -> Finding {
    let Probe { what, from, .. } = probe;
    let check = check_of(probe);
    let answered = |code: u16| {
        if probe.any_status {
            Finding::ok(check, format!("{what} (from {from}) answers (HTTP {code})"))
        } else {
            Finding::fail(
                check,
                format!("{what} (from {from}) answered HTTP {code} for {}", redact(&probe.url)),
                format!("check the URL in {from}"),
            )
        }
    };
    match answer {
        Ok(()) => Finding::ok(check, format!("{what} (from {from}) answers")),
        Err(http::Error::NotFound { code, .. } | http::Error::Status { code, .. }) => answered(code),
        Err(http::Error::RateLimited { .. }) => answered(429),
        Err(e) => Finding::fail(
            check,
            format!("{what} (from {from}) does not answer: {}", redact(&e.to_string())),
            format!("check the network and proxy settings, or the URL in {from}"),
        ),
    }
}

/// `text` with the user-info part of every URL in it (`https://user:token@host`) hidden.
fn redact(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(i) = rest.find("://") {
        let (head, tail) = rest.split_at(i + 3);
        out.push_str(head);
        let end = tail.find(|c: char| c == '/' || c.is_whitespace()).unwrap_or(tail.len());
        match tail[..end].rfind('@') {
            Some(at) => {
                out.push_str("***@");
                rest = &tail[at + 1..];
            }
            None => rest = tail,
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_in_urls_are_hidden() {
        assert_eq!(redact("https://u:t0k@npm.example/x"), "https://***@npm.example/x");
        assert_eq!(redact("cannot reach http://a@h:1/p: refused"), "cannot reach http://***@h:1/p: refused");
        assert_eq!(redact("https://h/p@x"), "https://h/p@x");
        assert_eq!(redact("plain"), "plain");
    }
}
