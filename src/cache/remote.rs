//! A cache's address as the user writes it, checked once: `oci://host[:port]/repository`,
//! `https://…` (a static server or bucket serving the directory layout), `http://…` (only
//! to this machine unless the user config says `insecure = true` for it), `file:///path`
//! or an absolute path. Pure parsing, no I/O.

use std::fmt;
use std::path::{Path, PathBuf};

use crate::http::Settings;

/// One cache: where it is, and whether the user allowed plain http to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Remote {
    scheme: Scheme,
    /// As written, for messages.
    written: String,
    /// `insecure = true` in the user config: plain http to a host that is not this machine.
    pub insecure: bool,
}

/// What kind of cache, with its parts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scheme {
    /// A directory on this machine (or a mounted share).
    Dir(PathBuf),
    /// The directory layout served over HTTP(S): the base URL, without a trailing `/`.
    Http(String),
    /// An OCI registry: `host[:port]` (lowercase) and the repository path.
    Oci { host: String, repository: String },
}

impl Remote {
    /// Parses `text`; a relative path is read against `base` when given (the command line),
    /// refused otherwise (a config file must say where it means).
    pub fn parse(text: &str, base: Option<&Path>) -> Result<Remote, String> {
        let written = text.trim().to_string();
        let scheme = if let Some(rest) = strip(&written, "oci://") {
            let (host, repository) = rest.split_once('/').unwrap_or((rest, ""));
            let repository = repository.trim_end_matches('/');
            let valid_host = !host.is_empty()
                && host
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'));
            if !valid_host {
                return Err(format!(
                    "`{written}` names no registry host: write oci://host[:port]/repository"
                ));
            }
            if repository.is_empty() || !repository.split('/').all(valid_component) {
                return Err(format!(
                    "`{written}` needs a repository of lowercase letters, digits and `._-`, separated by `/` \
                     (oci://host[:port]/team/den-cache)"
                ));
            }
            Scheme::Oci { host: host.to_ascii_lowercase(), repository: repository.to_string() }
        } else if strip(&written, "https://").is_some() || strip(&written, "http://").is_some() {
            let after = written.split_once("://").map(|(_, r)| r).unwrap_or_default();
            if after.is_empty() || written.contains(char::is_whitespace) {
                return Err(format!("`{written}` is not a URL"));
            }
            Scheme::Http(written.trim_end_matches('/').to_string())
        } else if let Some(path) = strip(&written, "file://") {
            if !path.starts_with('/') {
                return Err(format!(
                    "`{written}` is not a file:// URL of an absolute path (file:///srv/den)"
                ));
            }
            Scheme::Dir(PathBuf::from(path))
        } else if written.contains("://") {
            return Err(format!(
                "`{written}` is not a cache den knows: use oci://, https://, file:// or a path"
            ));
        } else if written.is_empty() {
            return Err("an empty cache address".into());
        } else {
            let path = Path::new(&written);
            match (path.is_absolute(), base) {
                (true, _) => Scheme::Dir(path.to_path_buf()),
                (false, Some(base)) => Scheme::Dir(base.join(path)),
                (false, None) => {
                    return Err(format!(
                        "`{written}` is a relative path; write an absolute path or file:///…"
                    ));
                }
            }
        };
        Ok(Remote { scheme, written, insecure: false })
    }

    pub fn scheme(&self) -> &Scheme {
        &self.scheme
    }

    /// The HTTP settings to reach this cache with: the machine's, online (a cache is only
    /// opened offline when the user allowed it), plus this host when it is `insecure`.
    pub fn settings(&self, base: &Settings) -> Settings {
        let mut settings = base.clone();
        settings.offline = false;
        if self.insecure
            && let Some(host) = self.host()
        {
            settings.insecure_http.push(host.to_ascii_lowercase());
        }
        settings
    }

    /// The `host[:port]` of an HTTP or OCI cache.
    pub fn host(&self) -> Option<&str> {
        match &self.scheme {
            Scheme::Oci { host, .. } => Some(host),
            Scheme::Http(url) => {
                let rest = url.split_once("://")?.1;
                Some(rest.split(['/', '?', '#']).next().unwrap_or_default())
            }
            Scheme::Dir(_) => None,
        }
    }
}

impl fmt::Display for Remote {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.written)
    }
}

fn strip<'a>(text: &'a str, scheme: &str) -> Option<&'a str> {
    text.get(..scheme.len()).filter(|s| s.eq_ignore_ascii_case(scheme)).map(|_| &text[scheme.len()..])
}

/// An OCI repository path component: `[a-z0-9]+([._-][a-z0-9]+)*`, loosely.
fn valid_component(c: &str) -> bool {
    !c.is_empty()
        && c.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'.' | b'_' | b'-'))
        && c.bytes().next().is_some_and(|b| b.is_ascii_alphanumeric())
        && c.bytes().last().is_some_and(|b| b.is_ascii_alphanumeric())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_form() {
        let oci = Remote::parse("oci://Reg.Example:5000/team/den-cache/", None).unwrap();
        assert_eq!(
            oci.scheme(),
            &Scheme::Oci { host: "reg.example:5000".into(), repository: "team/den-cache".into() }
        );
        assert_eq!(oci.host(), Some("reg.example:5000"));
        assert_eq!(
            Remote::parse("https://b.example/den/", None).unwrap().scheme(),
            &Scheme::Http("https://b.example/den".into())
        );
        assert_eq!(Remote::parse("file:///srv/den", None).unwrap().scheme(), &Scheme::Dir("/srv/den".into()));
        assert_eq!(Remote::parse("/srv/den", None).unwrap().scheme(), &Scheme::Dir("/srv/den".into()));
        assert_eq!(Remote::parse("c", Some(Path::new("/w"))).unwrap().scheme(), &Scheme::Dir("/w/c".into()));
        for bad in [
            "oci://",
            "oci://h",
            "oci://h/Team",
            "oci://h/a//b",
            "s3://b/x",
            "rel/dir",
            "file://x",
            "",
            "https://",
        ] {
            assert!(Remote::parse(bad, None).is_err(), "{bad}");
        }
    }
}
