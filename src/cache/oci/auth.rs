//! The registry's authentication flow: a `401` answer's `WWW-Authenticate` challenge,
//! `Basic` (credentials sent as they are) or `Bearer` (a token fetched from the challenge's
//! realm for the repository's scope, with the credentials when there are any, anonymously
//! otherwise: public registries hand anonymous pull tokens).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use super::creds::Credentials;
use crate::cache::Error;
use crate::http::{Client, Payload};

/// A parsed `WWW-Authenticate` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Challenge {
    Basic,
    Bearer { realm: String, service: Option<String> },
}

/// The challenge of a `WWW-Authenticate` value; `None` for a scheme den does not speak.
pub fn parse(header: &str) -> Option<Challenge> {
    let header = header.trim();
    let (scheme, rest) = header.split_once(char::is_whitespace).unwrap_or((header, ""));
    if scheme.eq_ignore_ascii_case("basic") {
        return Some(Challenge::Basic);
    }
    if !scheme.eq_ignore_ascii_case("bearer") {
        return None;
    }
    let params = params(rest);
    let get = |name: &str| params.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.clone());
    Some(Challenge::Bearer { realm: get("realm")?, service: get("service") })
}

/// `a="x, y",b=z` → [(a, "x, y"), (b, z)].
fn params(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = text.trim();
    while let Some((key, after)) = rest.split_once('=') {
        let key = key.trim().trim_start_matches(',').trim().to_string();
        let after = after.trim_start();
        let (value, next) = if let Some(quoted) = after.strip_prefix('"') {
            let end = quoted.find('"').unwrap_or(quoted.len());
            (quoted[..end].to_string(), quoted.get(end + 1..).unwrap_or_default())
        } else {
            let end = after.find(',').unwrap_or(after.len());
            (after[..end].trim().to_string(), &after[end..])
        };
        out.push((key, value));
        rest = next.trim_start().trim_start_matches(',');
    }
    out
}

/// The `Authorization` value that answers `challenge` for `scope`
/// (`repository:team/den:pull,push`).
pub fn answer(
    client: &Client,
    challenge: &Challenge,
    scope: &str,
    creds: Option<&Credentials>,
    registry: &str,
) -> Result<String, Error> {
    let denied = |what: &str, body: String| Error::Denied {
        registry: registry.to_string(),
        what: what.to_string(),
        body,
    };
    match challenge {
        Challenge::Basic => match creds {
            Some(c) => Ok(basic(c)),
            None => Err(denied("it asks for a user name and password; den found none for it", String::new())),
        },
        Challenge::Bearer { realm, service } => {
            let mut url =
                format!("{realm}{}scope={}", if realm.contains('?') { '&' } else { '?' }, encode(scope));
            if let Some(service) = service {
                url.push_str(&format!("&service={}", encode(service)));
            }
            let headers: Vec<(&str, String)> =
                creds.map(|c| ("authorization", basic(c))).into_iter().collect();
            let reply = client.request("GET", &url, &headers, Payload::None)?;
            if reply.status == 401 || reply.status == 403 {
                let what = if creds.is_some() {
                    "its token service refused the credentials"
                } else {
                    "it gives no anonymous token"
                };
                return Err(denied(what, String::from_utf8_lossy(&reply.body).into_owned()));
            }
            if !(200..300).contains(&reply.status) {
                return Err(Error::Registry {
                    url,
                    what: "a token request",
                    status: reply.status,
                    body: String::from_utf8_lossy(&reply.body).into_owned(),
                });
            }
            #[derive(serde::Deserialize)]
            struct Token {
                token: Option<String>,
                access_token: Option<String>,
            }
            let token: Token = serde_json::from_slice(&reply.body).map_err(|e| Error::Answer {
                url: url.clone(),
                reason: format!("not a token answer: {e}"),
            })?;
            let token = token.token.or(token.access_token).filter(|t| !t.is_empty()).ok_or_else(|| {
                Error::Answer { url: url.clone(), reason: "the token answer holds no token".into() }
            })?;
            Ok(format!("Bearer {token}"))
        }
    }
}

fn basic(c: &Credentials) -> String {
    format!("Basic {}", STANDARD.encode(format!("{}:{}", c.username, c.secret)))
}

/// Percent-encodes all but the unreserved characters and `:` `/` `,`.
fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b':' | b'/' | b',' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_challenges() {
        assert_eq!(parse("Basic realm=\"Registry Realm\""), Some(Challenge::Basic));
        assert_eq!(
            parse(
                r#"Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a/b:pull""#
            ),
            Some(Challenge::Bearer {
                realm: "https://auth.example/token".into(),
                service: Some("registry.example".into())
            })
        );
        assert_eq!(
            parse("bearer realm=https://t.example/x, service=s"),
            Some(Challenge::Bearer { realm: "https://t.example/x".into(), service: Some("s".into()) })
        );
        assert_eq!(parse("Bearer service=\"s\""), None);
        assert_eq!(parse("Negotiate abc"), None);
        assert_eq!(encode("repository:a/b:pull,push x"), "repository:a/b:pull,push%20x");
    }
}
