//! JSON indexes (nodejs.org's `index.json`, go.dev's `?mode=json&include=all`,
//! ziglang.org's `index.json`, HashiCorp's `index.json`): the versions a path reaches, each
//! with the object holding it (node's `lts` flag lives there), and a checksum read from a
//! JSON document (zig's `{version}/{arch}-{os}/shasum`).

use serde_json::Value;

use super::{Entry, Fetch};
use crate::catalog::{JsonPath, Source, Vars};
use crate::resolve::error::Error;

/// The versions a JSON index lists, keeping what is not a version of this source out.
pub fn versions(fetch: &Fetch, source: &Source, url: &str, path: &JsonPath) -> Result<Vec<Entry>, Error> {
    let doc = fetch.list_json(&fetch.client, url)?;
    Ok(path
        .select(&doc, &Vars::default())
        .into_iter()
        .filter_map(|(tag, holder)| {
            source.version_from_tag(&tag).map(|version| Entry { version, holder: Some(holder.clone()) })
        })
        .collect())
}

/// Whether an index entry has `flag` set to something other than `false`/`null`/absent.
pub fn flag_set(holder: Option<&Value>, flag: &str) -> bool {
    holder.and_then(|h| h.get(flag)).is_some_and(|v| !matches!(v, Value::Null | Value::Bool(false)))
}

/// What a JSON checksum lookup found.
pub enum JsonChecksum {
    Found(String),
    /// The index has no entry for this version/platform, or names another file.
    Missing(String),
}

/// The checksum string `path` reaches in the document at `url`. When the object holding
/// it names the file (`tarball`, `url`, `filename`), that name must be `file_name`: zig's
/// index then tells which of the two naming schemes a version uses.
pub fn checksum(
    fetch: &Fetch,
    url: &str,
    path: &JsonPath,
    vars: &Vars,
    file_name: &str,
) -> Result<JsonChecksum, Error> {
    let doc = fetch.list_json(&fetch.client, url)?;
    let Some((value, holder)) = path.select(&doc, vars).into_iter().next() else {
        return Ok(JsonChecksum::Missing(format!("{url} has no `{}`", path.as_str())));
    };
    for key in ["tarball", "url", "filename"] {
        if let Some(named) = holder.get(key).and_then(Value::as_str) {
            let last = named.rsplit('/').next().unwrap_or(named);
            if last != file_name {
                return Ok(JsonChecksum::Missing(format!("{url} names `{last}`, not `{file_name}`")));
            }
        }
    }
    Ok(JsonChecksum::Found(value))
}
