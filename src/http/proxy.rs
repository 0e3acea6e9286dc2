//! Which proxy, if any, a request goes through: `HTTPS_PROXY` for https URLs,
//! `HTTP_PROXY` for http ones, `ALL_PROXY` for both, skipped for hosts in `NO_PROXY`.
//! ureq reads these too but takes `ALL_PROXY` first whatever the scheme and has no
//! `host:port` or CIDR entries in `NO_PROXY`, so den decides itself and hands ureq the
//! chosen proxy per request. This module never reads the process environment directly:
//! the caller passes a lookup, so tests do not have to mutate it.

use std::net::IpAddr;

use ureq::http::Uri;

use super::error::{Error, Result};
use crate::env_vars;

/// The proxy settings found in the environment.
#[derive(Debug, Clone, Default)]
pub struct ProxyEnv {
    https: Option<(&'static str, String)>,
    http: Option<(&'static str, String)>,
    all: Option<(&'static str, String)>,
    no_proxy: Vec<NoProxyEntry>,
}

impl ProxyEnv {
    /// Reads the variables through `lookup` (lowercase first, as curl does).
    pub fn from_lookup(lookup: &dyn Fn(&str) -> Option<String>) -> Self {
        let first = |names: [&'static str; 2]| {
            names.into_iter().find_map(|n| lookup(n).filter(|v| !v.trim().is_empty()).map(|v| (n, v)))
        };
        let no_proxy =
            first([env_vars::NO_PROXY_LOWER, env_vars::NO_PROXY]).map(|(_, v)| v).unwrap_or_default();
        ProxyEnv {
            https: first([env_vars::HTTPS_PROXY_LOWER, env_vars::HTTPS_PROXY]),
            http: first([env_vars::HTTP_PROXY_LOWER, env_vars::HTTP_PROXY]),
            all: first([env_vars::ALL_PROXY_LOWER, env_vars::ALL_PROXY]),
            no_proxy: no_proxy.split([',', ' ']).filter_map(NoProxyEntry::parse).collect(),
        }
    }

    /// The proxy `url` must go through, or `None` to connect directly.
    pub fn proxy_for(&self, url: &str) -> Result<Option<ureq::Proxy>> {
        let Ok(uri) = url.parse::<Uri>() else { return Ok(None) };
        let https = uri.scheme_str().is_some_and(|s| s.eq_ignore_ascii_case("https"));
        let chosen = if https { &self.https } else { &self.http };
        let Some((var, value)) = chosen.as_ref().or(self.all.as_ref()) else { return Ok(None) };
        let host = uri.host().unwrap_or_default();
        let port = uri.port_u16().unwrap_or(if https { 443 } else { 80 });
        if self.bypasses(host, port) {
            return Ok(None);
        }
        ureq::Proxy::new(value.trim()).map(Some).map_err(|_| Error::BadProxy { var, value: value.clone() })
    }

    /// Whether `NO_PROXY` sends `host:port` directly.
    pub fn bypasses(&self, host: &str, port: u16) -> bool {
        let host =
            host.trim_start_matches('[').trim_end_matches(']').trim_end_matches('.').to_ascii_lowercase();
        self.no_proxy.iter().any(|e| e.matches(&host, port))
    }
}

/// One `NO_PROXY` entry: `*`, a host or domain (`example.com`, `.example.com`,
/// `*.example.com`: the domain and its subdomains), an IP or CIDR range, each with an
/// optional `:port`.
#[derive(Debug, Clone)]
enum NoProxyEntry {
    All,
    Domain { name: String, port: Option<u16> },
    Net { ip: IpAddr, prefix: u8, port: Option<u16> },
}

impl NoProxyEntry {
    fn parse(raw: &str) -> Option<Self> {
        let raw = raw.trim().to_ascii_lowercase();
        if raw.is_empty() {
            return None;
        }
        if raw == "*" {
            return Some(NoProxyEntry::All);
        }
        let (addr, port) = split_port(&raw);
        let (ip_part, prefix) = match addr.split_once('/') {
            Some((ip, bits)) => (ip, bits.parse::<u8>().ok()),
            None => (addr, None),
        };
        if let Ok(ip) = ip_part.trim_start_matches('[').trim_end_matches(']').parse::<IpAddr>() {
            let full = if ip.is_ipv4() { 32 } else { 128 };
            return Some(NoProxyEntry::Net { ip, prefix: prefix.unwrap_or(full).min(full), port });
        }
        let name = addr.trim_start_matches('*').trim_start_matches('.').trim_end_matches('.').to_string();
        (!name.is_empty()).then_some(NoProxyEntry::Domain { name, port })
    }

    fn matches(&self, host: &str, port: u16) -> bool {
        match self {
            NoProxyEntry::All => true,
            NoProxyEntry::Domain { name, port: p } => {
                p.is_none_or(|p| p == port)
                    && (host == name
                        || host.strip_suffix(name.as_str()).is_some_and(|rest| rest.ends_with('.')))
            }
            NoProxyEntry::Net { ip, prefix, port: p } => {
                p.is_none_or(|p| p == port) && host.parse::<IpAddr>().is_ok_and(|h| in_net(h, *ip, *prefix))
            }
        }
    }
}

/// Splits `host:port` (or `[v6]:port`); a bare IPv6 address has no port.
fn split_port(raw: &str) -> (&str, Option<u16>) {
    if let Some(rest) = raw.strip_prefix('[')
        && let Some((addr, after)) = rest.split_once(']')
    {
        return (addr, after.strip_prefix(':').and_then(|p| p.parse().ok()));
    }
    match raw.rsplit_once(':') {
        Some((addr, port)) if !addr.contains(':') => match port.parse() {
            Ok(port) => (addr, Some(port)),
            Err(_) => (raw, None),
        },
        _ => (raw, None),
    }
}

fn in_net(host: IpAddr, net: IpAddr, prefix: u8) -> bool {
    match (host, net) {
        (IpAddr::V4(h), IpAddr::V4(n)) => {
            let mask = u32::MAX.checked_shl(32 - u32::from(prefix)).unwrap_or(0);
            u32::from(h) & mask == u32::from(n) & mask
        }
        (IpAddr::V6(h), IpAddr::V6(n)) => {
            let mask = u128::MAX.checked_shl(128 - u32::from(prefix)).unwrap_or(0);
            u128::from(h) & mask == u128::from(n) & mask
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(vars: &[(&str, &str)]) -> ProxyEnv {
        let vars: Vec<(String, String)> = vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        ProxyEnv::from_lookup(&|name| vars.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()))
    }

    fn proxied(env: &ProxyEnv, url: &str) -> Option<String> {
        env.proxy_for(url).unwrap().map(|p| format!("{}:{}", p.host(), p.port()))
    }

    #[test]
    fn no_proxy_matches_hosts_domains_ports_and_ranges() {
        let e = env(&[(
            "NO_PROXY",
            "exact.test, .corp.test,*.wild.test ,svc.test:8080,10.0.0.0/8,[::1],192.168.1.5",
        )]);
        assert!(e.bypasses("exact.test", 443));
        assert!(e.bypasses("EXACT.test.", 443));
        assert!(!e.bypasses("notexact.test", 443));
        assert!(e.bypasses("corp.test", 443));
        assert!(e.bypasses("a.b.corp.test", 443));
        assert!(!e.bypasses("xcorp.test", 443));
        assert!(e.bypasses("x.wild.test", 80));
        assert!(e.bypasses("svc.test", 8080));
        assert!(!e.bypasses("svc.test", 443));
        assert!(e.bypasses("10.20.30.40", 443));
        assert!(!e.bypasses("11.0.0.1", 443));
        assert!(e.bypasses("[::1]", 443));
        assert!(e.bypasses("192.168.1.5", 443));
        assert!(!e.bypasses("192.168.1.6", 443));
        assert!(env(&[("no_proxy", "*")]).bypasses("anything.test", 1));
        assert!(!env(&[]).bypasses("anything.test", 1));
    }

    #[test]
    fn the_variable_follows_the_scheme() {
        let e = env(&[("HTTPS_PROXY", "http://s.test:3128"), ("http_proxy", "p.test:8080")]);
        assert_eq!(proxied(&e, "https://x.test/a"), Some("s.test:3128".into()));
        assert_eq!(proxied(&e, "http://x.test/a"), Some("p.test:8080".into()));
        let all = env(&[("ALL_PROXY", "http://all.test:1"), ("https_proxy", "http://s.test:2")]);
        assert_eq!(proxied(&all, "https://x.test/"), Some("s.test:2".into()));
        assert_eq!(proxied(&all, "http://x.test/"), Some("all.test:1".into()));
        let bypass = env(&[("HTTPS_PROXY", "http://s.test:1"), ("NO_PROXY", "x.test:443")]);
        assert_eq!(proxied(&bypass, "https://x.test/"), None);
        assert_eq!(proxied(&bypass, "https://x.test:8443/"), Some("s.test:1".into()));
        assert_eq!(proxied(&env(&[]), "https://x.test/"), None);
    }

    #[test]
    fn a_bad_proxy_value_names_the_variable() {
        let e = env(&[("HTTPS_PROXY", "ftp://nope")]);
        let err = e.proxy_for("https://x.test/").unwrap_err();
        assert_eq!(err.to_string(), "HTTPS_PROXY is not a valid proxy URL: `ftp://nope`");
    }
}
