//! Registry credentials from where users already keep them, first found wins:
//! `DEN_CACHE_USERNAME`/`DEN_CACHE_PASSWORD` (CI), containers' `auth.json`
//! (`$REGISTRY_AUTH_FILE`, else `$XDG_RUNTIME_DIR/containers/auth.json`), then docker's
//! `config.json` (`$DOCKER_CONFIG`, else `~/.docker`): its `credHelpers` entry for the
//! host, its `auths` entry, its `credsStore`. Helpers run as `docker-credential-<name> get`.
//! Never written anywhere by den, and never shown.

use std::io::Write;
use std::path::{Path, PathBuf};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use std::collections::BTreeMap;

use crate::cache::Error;
use crate::env_vars;

/// A user name and its password or token.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    pub username: String,
    pub secret: String,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Credentials({}, <hidden>)", self.username)
    }
}

/// The credentials for `host` (`name[:port]`), if the user keeps any.
pub fn find(host: &str) -> Result<Option<Credentials>, Error> {
    find_with(host, &|name| std::env::var(name).ok().filter(|v| !v.is_empty()))
}

fn find_with(host: &str, var: &dyn Fn(&str) -> Option<String>) -> Result<Option<Credentials>, Error> {
    if let (Some(username), Some(secret)) =
        (var(env_vars::DEN_CACHE_USERNAME), var(env_vars::DEN_CACHE_PASSWORD))
    {
        return Ok(Some(Credentials { username, secret }));
    }
    let containers = var(env_vars::REGISTRY_AUTH_FILE)
        .map(PathBuf::from)
        .or_else(|| var(env_vars::XDG_RUNTIME_DIR).map(|d| Path::new(&d).join("containers/auth.json")));
    if let Some(found) = containers.and_then(|p| read(&p)).and_then(|c| c.auth_for(host)) {
        return Ok(Some(found));
    }
    let docker = var(env_vars::DOCKER_CONFIG)
        .map(PathBuf::from)
        .or_else(|| var(env_vars::HOME).map(|h| Path::new(&h).join(".docker")))
        .map(|d| d.join("config.json"));
    let Some(config) = docker.and_then(|p| read(&p)) else { return Ok(None) };
    if let Some(helper) = config.cred_helpers.iter().find(|(h, _)| normalize(h) == host).map(|(_, v)| v) {
        return helper_get(helper, host);
    }
    if let Some(found) = config.auth_for(host) {
        return Ok(Some(found));
    }
    match &config.creds_store {
        Some(store) if !store.is_empty() => helper_get(store, host),
        _ => Ok(None),
    }
}

/// The part of docker's `config.json` (and containers' `auth.json`) den reads.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct Config {
    #[serde(default)]
    auths: BTreeMap<String, Auth>,
    #[serde(default)]
    cred_helpers: BTreeMap<String, String>,
    #[serde(default)]
    creds_store: Option<String>,
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
struct Auth {
    auth: Option<String>,
    username: Option<String>,
    password: Option<String>,
    identitytoken: Option<String>,
}

impl Config {
    fn auth_for(&self, host: &str) -> Option<Credentials> {
        let (_, auth) = self.auths.iter().find(|(k, _)| normalize(k) == host)?;
        if let Some(token) = auth.identitytoken.as_ref().filter(|t| !t.is_empty()) {
            return Some(Credentials { username: "<token>".into(), secret: token.clone() });
        }
        if let Some(encoded) = &auth.auth {
            let decoded = String::from_utf8(STANDARD.decode(encoded.trim()).ok()?).ok()?;
            let (username, secret) = decoded.split_once(':')?;
            return Some(Credentials { username: username.into(), secret: secret.into() });
        }
        Some(Credentials { username: auth.username.clone()?, secret: auth.password.clone()? })
    }
}

/// A file that is missing, unreadable or not JSON counts as none (docker does the same);
/// at most 1 MiB is read.
fn read(path: &Path) -> Option<Config> {
    let bytes = crate::fs_util::read_input(path).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// `https://host:5000/v1/` → `host:5000`, as docker keys its entries.
fn normalize(key: &str) -> String {
    let rest = key.split_once("://").map_or(key, |(_, r)| r);
    rest.split('/').next().unwrap_or_default().to_ascii_lowercase()
}

/// Runs `docker-credential-<helper> get` with `host` on stdin.
fn helper_get(helper: &str, host: &str) -> Result<Option<Credentials>, Error> {
    let fail = |reason: String| Error::Helper { helper: helper.to_string(), reason };
    if helper.is_empty() || !helper.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    {
        return Err(fail("not a helper name".into()));
    }
    // A helper program the user configured for their registry credentials, found on PATH
    // as docker finds it; it gets only the host name on stdin. Not a user's program.
    #[allow(
        clippy::disallowed_methods,
        reason = "a helper program: the docker-credential-<name> the user configured"
    )]
    let child =
        crate::helper_env::isolate(&mut std::process::Command::new(format!("docker-credential-{helper}")))
            .arg("get")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn();
    let mut child = child.map_err(|e| fail(e.to_string()))?;
    if let Some(mut stdin) = child.stdin.take() {
        let _ = stdin.write_all(host.as_bytes());
    }
    let out = child.wait_with_output().map_err(|e| fail(e.to_string()))?;
    if !out.status.success() {
        let text = String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
        // The protocol's answer for "no entry".
        if text.contains("credentials not found") {
            return Ok(None);
        }
        return Err(fail(text.lines().next().unwrap_or("it failed").chars().take(200).collect()));
    }
    #[derive(serde::Deserialize)]
    #[serde(rename_all = "PascalCase")]
    struct Answer {
        username: String,
        secret: String,
    }
    let answer: Answer = serde_json::from_slice(&out.stdout).map_err(|e| fail(format!("bad answer: {e}")))?;
    Ok(Some(Credentials { username: answer.username, secret: answer.secret }))
}

#[cfg(test)]
#[allow(clippy::disallowed_methods, reason = "tests may write freely")]
mod tests {
    use super::*;

    #[test]
    fn reads_each_place_in_order() {
        let tmp = tempfile::tempdir().unwrap();
        let docker = tmp.path().join("docker");
        std::fs::create_dir_all(&docker).unwrap();
        std::fs::write(
            docker.join("config.json"),
            r#"{"auths":{"https://reg.example:5000/v1/":{"auth":"dTpwOnc="},"other":{"username":"a","password":"b"}}}"#,
        )
        .unwrap();
        let auth = tmp.path().join("auth.json");
        std::fs::write(&auth, r#"{"auths":{"pod.example":{"auth":"cG9kOnM="}}}"#).unwrap();
        let vars = |extra: Vec<(&'static str, String)>| {
            let mut v = vec![
                ("DOCKER_CONFIG", docker.display().to_string()),
                ("REGISTRY_AUTH_FILE", auth.display().to_string()),
            ];
            v.extend(extra);
            move |name: &str| v.iter().find(|(k, _)| *k == name).map(|(_, x)| x.clone())
        };
        let found = |host, extra| find_with(host, &vars(extra)).unwrap();
        let c = |u: &str, s: &str| Some(Credentials { username: u.into(), secret: s.into() });
        assert_eq!(found("reg.example:5000", vec![]), c("u", "p:w"));
        assert_eq!(found("other", vec![]), c("a", "b"));
        assert_eq!(found("pod.example", vec![]), c("pod", "s"));
        assert_eq!(found("none.example", vec![]), None);
        let ci = vec![("DEN_CACHE_USERNAME", "ci".to_string()), ("DEN_CACHE_PASSWORD", "tok".to_string())];
        assert_eq!(found("reg.example:5000", ci), c("ci", "tok"));
    }
}
