//! `[cache]`, in den.toml and in the user config: `urls`, the team caches tried before the
//! upstreams. In the user config an entry may be a table `{ url = "http://nas:8080/den",
//! insecure = true }` (plain http to a host that is not this machine); in den.toml only
//! strings, since a repository must never be able to turn TLS off.

use super::walk::{Doc, Res, Value};
use crate::cache::Remote;

/// The keys of den.toml's `[cache]`.
pub const CACHE_KEYS: &[&str] = &["urls"];
/// The keys of an entry of the user config's `urls` written as a table.
const ENTRY_KEYS: &[&str] = &["url", "insecure"];

/// `urls = [...]`; `user` allows table entries with `insecure`.
pub fn urls(doc: &Doc, value: &Value, user: bool) -> Res<Vec<Remote>> {
    let array =
        value.get_ref().as_array().ok_or_else(|| doc.wrong(value, "urls", "an array of cache URLs"))?;
    let mut remotes = Vec::new();
    for item in array.iter() {
        let (text, span, insecure) = match item.get_ref().as_table() {
            Some(table) if user => {
                doc.check_keys(table, ENTRY_KEYS, "a cache entry")?;
                let mut url = None;
                let mut insecure = false;
                for (k, v) in table {
                    match k.get_ref().as_ref() {
                        "url" => url = Some((doc.nonempty(v, "url")?.to_string(), v.span())),
                        _ => insecure = doc.boolean(v, "insecure")?,
                    }
                }
                let (url, span) = url.ok_or_else(|| doc.err(item.span(), "a cache entry needs a `url`"))?;
                (url, span, insecure)
            }
            _ => {
                let expected =
                    if user { "a cache URL or { url = \"…\", insecure = true }" } else { "a cache URL" };
                let text = item.get_ref().as_str().ok_or_else(|| doc.wrong(item, "urls", expected))?;
                (text.to_string(), item.span(), false)
            }
        };
        let mut remote = Remote::parse(&text, None).map_err(|why| {
            doc.err_help(
                span,
                crate::ui::escaped(&why),
                "a cache is oci://host[:port]/repository, https://host/path (a directory served over HTTP), \
                 file:///path or an absolute path",
            )
        })?;
        remote.insecure = insecure;
        remotes.push(remote);
    }
    Ok(remotes)
}
