//! The `[mirrors]` URL-prefix rewrite of the user config. Applied when a URL is fetched,
//! never to what is recorded: den.lock keeps the upstream URL, so a lock is portable
//! between machines with different mirrors. The installer applies the same rewrite to the
//! artifact URLs it downloads. Pure string work, no I/O.

use crate::config::Config;

/// Upstream prefix → mirror prefix pairs, longest upstream prefix first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Mirrors(Vec<(String, String)>);

impl Mirrors {
    /// The rewrite the user config asks for.
    pub fn from_config(config: &Config) -> Mirrors {
        Mirrors::new(config.mirrors.iter().map(|(k, v)| (k.clone(), v.clone())))
    }

    /// A rewrite from `(upstream prefix, mirror prefix)` pairs.
    pub fn new(pairs: impl IntoIterator<Item = (String, String)>) -> Mirrors {
        let mut pairs: Vec<(String, String)> = pairs.into_iter().collect();
        pairs.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then_with(|| a.0.cmp(&b.0)));
        Mirrors(pairs)
    }

    /// `url` with its longest matching upstream prefix replaced; unchanged when none matches.
    pub fn apply(&self, url: &str) -> String {
        for (from, to) in &self.0 {
            if let Some(rest) = url.strip_prefix(from.as_str()) {
                return format!("{to}{rest}");
            }
        }
        url.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn longest_prefix_wins_and_other_urls_pass_through() {
        let m = Mirrors::new([
            ("https://github.com/".to_string(), "http://127.0.0.1:4000/gh/".to_string()),
            ("https://github.com/astral-sh/".to_string(), "http://127.0.0.1:4000/astral/".to_string()),
            ("https://nodejs.org/dist/".to_string(), "http://127.0.0.1:4000/node/".to_string()),
        ]);
        assert_eq!(
            m.apply("https://nodejs.org/dist/v22.12.0/SHASUMS256.txt"),
            "http://127.0.0.1:4000/node/v22.12.0/SHASUMS256.txt"
        );
        assert_eq!(
            m.apply("https://github.com/astral-sh/uv/releases/download/0.5.0/uv.tar.gz"),
            "http://127.0.0.1:4000/astral/uv/releases/download/0.5.0/uv.tar.gz"
        );
        assert_eq!(m.apply("https://github.com/cli/cli/x"), "http://127.0.0.1:4000/gh/cli/cli/x");
        assert_eq!(m.apply("https://go.dev/dl/"), "https://go.dev/dl/");
        assert_eq!(Mirrors::default().apply("https://go.dev/dl/"), "https://go.dev/dl/");
    }
}
