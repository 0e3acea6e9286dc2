//! Tools whose builds follow another tool of the same project: Elixir is built once per OTP
//! major (`1.17.3+otp-27`), and a build for another major than the project's erlang may not
//! load on it. A spec that names no build (`1.17`, `1.17.3`) takes the build for the major
//! of the project's erlang, when the project pins erlang by a number (`27`, `27.1.2`);
//! otherwise, or when no build of that major fits, the newest OTP's. Reads specs only:
//! never the network, never a file.

use crate::version::Version;

/// What the project's other tools say about a tool's builds.
#[derive(Debug, Clone, Default)]
pub struct Companions {
    /// The OTP major of the project's erlang spec.
    otp_major: Option<u64>,
}

impl Companions {
    /// From the project's tools, as `(name, spec)`.
    pub fn from_specs<'a>(tools: impl IntoIterator<Item = (&'a str, &'a str)>) -> Companions {
        let mut out = Companions::default();
        for (name, spec) in tools {
            if name == "erlang" {
                out.otp_major = spec.split('.').next().and_then(|m| m.trim().parse().ok());
            }
        }
        out
    }

    /// The build suffix `tool`'s versions should carry (`otp-27` for elixir), if any.
    pub fn build_for(&self, tool: &str) -> Option<String> {
        (tool == "elixir").then_some(self.otp_major).flatten().map(|m| format!("otp-{m}"))
    }

    /// Whether a locked `version` of `tool`, for `spec`, is still the build the project's
    /// other tools call for (a spec that names a build is the user's choice).
    pub fn still_fits(&self, tool: &str, spec: &str, version: &str) -> bool {
        let Some(build) = self.build_for(tool) else { return true };
        spec.contains('+') || Version::parse(version).is_ok_and(|v| Companions::is_build(&v, &build))
    }

    /// Whether `version` is a build `build` names (`1.17.3+otp-27` for `otp-27`).
    pub fn is_build(version: &Version, build: &str) -> bool {
        version.as_str().rsplit_once('+').is_some_and(|(_, b)| b == build)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn elixir_follows_a_numbered_erlang() {
        let c = Companions::from_specs([("erlang", "26.2.5"), ("elixir", "1.17")]);
        assert_eq!(c.build_for("elixir").as_deref(), Some("otp-26"));
        assert_eq!(c.build_for("erlang"), None);
        assert_eq!(Companions::from_specs([("erlang", "latest")]).build_for("elixir"), None);
        assert!(Companions::is_build(&Version::parse("1.17.3+otp-26").unwrap(), "otp-26"));
        assert!(!Companions::is_build(&Version::parse("1.17.3+otp-27").unwrap(), "otp-26"));
    }
}
