//! Which team caches an install tries, in order: `DEN_CACHE_URLS`, the user config's
//! `[cache] urls`, then the project's den.toml `[cache] urls` — the last only while that
//! den.toml is trusted (a repository chooses where den fetches from only once its user
//! trusted it) and never offline. `--offline` uses the first two only when the user config
//! says `offline_ok = true`. Every cached byte is verified against den.lock by the store's
//! pipeline, so a cache only saves bandwidth; nothing about it reaches den.lock.
//!
//! Before them all, den's own store of bytes from imported bundles (`imported-v1/`, see
//! `share::import`), offline too — but only for checksums den already trusts: den's own
//! resolution, a lock den checked (a project with foreign files only), or the den.lock of
//! a trusted den.toml. An untrusted repository's den.lock could name the digest of a
//! bundle's bytes that no upstream serves; for it the imported bytes are not offered.

use crate::cache::{Caches, Remote};
use crate::config::Config;
use crate::http::Settings;
use crate::project::{Origin, Project};
use crate::{env_vars, trust, ui};

/// The caches for an install with `settings`, for `project` when there is one.
pub fn for_install(config: &Config, project: Option<&Project>, settings: &Settings) -> Caches {
    let caches = Caches::new(remotes(config, project, settings.offline), settings, config.cache_offline_ok);
    let lock_trusted = match project {
        Some(project @ Project { origin: Origin::DenToml(_), .. }) => trusted(project),
        _ => true,
    };
    if !lock_trusted {
        return caches;
    }
    caches.with_imported(&imported_dir(), settings)
}

/// The remotes in the order they are tried, without repeats.
pub fn remotes(config: &Config, project: Option<&Project>, offline: bool) -> Vec<Remote> {
    let mut list: Vec<Remote> = from_env();
    list.extend(config.cache_urls.iter().cloned());
    if let Some(project) = project.filter(|_| !offline)
        && !project.manifest.cache.is_empty()
        && trusted(project)
    {
        list.extend(project.manifest.cache.iter().cloned());
    }
    let mut seen = std::collections::BTreeSet::new();
    list.retain(|r| seen.insert(r.to_string()));
    list
}

/// `DEN_CACHE_URLS`, whitespace- or comma-separated; an entry den cannot read is a warning.
fn from_env() -> Vec<Remote> {
    let Ok(value) = std::env::var(env_vars::DEN_CACHE_URLS) else { return Vec::new() };
    value
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|s| !s.is_empty())
        .filter_map(|s| match Remote::parse(s, None) {
            Ok(remote) => Some(remote),
            Err(why) => {
                ui::warn(&format!("ignoring {} entry: {}", env_vars::DEN_CACHE_URLS, ui::escaped(&why)));
                None
            }
        })
        .collect()
}

fn trusted(project: &Project) -> bool {
    let (Origin::DenToml(file), Some(text)) = (&project.origin, &project.den_toml) else { return false };
    matches!(trust::status_of(file, text.as_bytes()), Ok(trust::Status::Trusted))
}

/// Where den keeps the bytes of imported bundles: the directory-cache layout, by digest.
pub fn imported_dir() -> std::path::PathBuf {
    super::store().root().join(crate::paths::Bucket::Imported.name())
}
