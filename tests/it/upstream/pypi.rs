//! A PEP 503/691 simple index under `/simple/`: `/simple/<normalized>/` answers
//! `application/vnd.pypi.simple.v1+json` (API 1.1: `files` with `hashes.sha256`, `size`,
//! `upload-time`; `versions`) when asked for it, HTML otherwise; other spellings of a name
//! redirect to the normalized one. Files live at `/pypi-files/packages/xx/yy/<hash>/<file>`
//! like the real files host. Never serves a file it does not list.

use std::collections::BTreeMap;

use serde_json::json;

use super::State;
use super::archives::{self, Entry, sha256_hex};
use super::server::{Request, Response};

pub const JSON: &str = "application/vnd.pypi.simple.v1+json";

#[derive(Debug, Clone)]
struct PyFile {
    filename: String,
    path: String,
    sha256: String,
    size: usize,
    version: String,
}

#[derive(Debug, Default, Clone)]
struct Project {
    files: Vec<PyFile>,
}

/// The published projects, by normalized name.
#[derive(Debug, Default)]
pub struct Index {
    projects: BTreeMap<String, Project>,
}

/// PEP 503 normalization: lowercase, runs of `-`, `_`, `.` become `-`.
pub fn normalize(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if matches!(c, '-' | '_' | '.') {
            if !out.ends_with('-') {
                out.push('-');
            }
        } else {
            out.push(c.to_ascii_lowercase());
        }
    }
    out
}

fn add(state: &mut State, name: &str, version: &str, filename: String, body: Vec<u8>, content_type: &str) {
    let sha256 = sha256_hex(&body);
    let path = format!("/pypi-files/packages/{}/{}/{}/{filename}", &sha256[..2], &sha256[2..4], &sha256[4..]);
    let size = body.len();
    state.put(&path, body, content_type);
    let project = state.pypi.projects.entry(normalize(name)).or_default();
    project.files.retain(|f| f.filename != filename);
    project.files.push(PyFile { filename, path, sha256, size, version: version.into() });
}

/// Publishes `{dist}-{version}-{tag}.whl`.
pub fn publish_wheel(state: &mut State, name: &str, version: &str, tag: &str, files: &[Entry]) {
    let filename = format!("{}-{version}-{tag}.whl", name.replace('-', "_"));
    add(state, name, version, filename, archives::wheel(name, version, tag, files), "application/zip");
}

/// Publishes `{dist}-{version}.tar.gz`.
pub fn publish_sdist(state: &mut State, name: &str, version: &str) {
    let top = format!("{}-{version}", name.replace('-', "_"));
    let entries =
        [Entry::file(&format!("{top}/PKG-INFO"), format!("Name: {name}\nVersion: {version}\n"), 0o644)];
    let filename = format!("{top}.tar.gz");
    add(
        state,
        name,
        version,
        filename,
        archives::build(&format!("{top}.tar.gz"), &entries),
        "application/gzip",
    );
}

fn wants_json(req: &Request) -> bool {
    req.header("accept").is_some_and(|a| {
        a.contains("application/vnd.pypi.simple.v1+json")
            || a.contains("application/vnd.pypi.simple.latest+json")
    })
}

/// Answers `/simple/...`.
pub fn serve(state: &State, req: &Request) -> Response {
    let rest = req.path.trim_start_matches("/simple").trim_matches('/');
    if rest.is_empty() || rest.contains('/') {
        return Response::new(404, "text/plain", "404 Not Found\n");
    }
    let norm = normalize(rest);
    if norm != rest || !req.path.ends_with('/') {
        return Response::redirect(301, &format!("{}/simple/{norm}/", state.base));
    }
    let Some(project) = state.pypi.projects.get(&norm) else {
        return Response::new(404, "text/plain", "404 Not Found\n");
    };
    let url = |f: &PyFile| format!("{}{}", state.base, f.path);
    if wants_json(req) {
        let files: Vec<_> = project
            .files
            .iter()
            .map(|f| {
                json!({
                    "core-metadata": false, "data-dist-info-metadata": false, "filename": f.filename,
                    "hashes": {"sha256": f.sha256}, "provenance": null, "requires-python": ">=3.7",
                    "size": f.size, "upload-time": "2024-10-04T13:40:05.524011Z", "url": url(f), "yanked": false,
                })
            })
            .collect();
        let mut versions: Vec<&str> = project.files.iter().map(|f| f.version.as_str()).collect();
        versions.sort_by_key(|v| v.split('.').map(|p| p.parse::<u64>().unwrap_or(0)).collect::<Vec<_>>());
        versions.dedup();
        let doc = json!({
            "files": files, "meta": {"_last-serial": 25385672, "api-version": "1.1"},
            "name": norm, "versions": versions,
        });
        return Response::new(200, JSON, doc.to_string());
    }
    let mut html = format!(
        "<!DOCTYPE html>\n<html>\n  <head>\n    <meta name=\"pypi:repository-version\" content=\"1.1\">\n    <title>Links for {norm}</title>\n  </head>\n  <body>\n    <h1>Links for {norm}</h1>\n"
    );
    for f in &project.files {
        html.push_str(&format!(
            "    <a href=\"{}#sha256={}\" data-requires-python=\"&gt;=3.7\">{}</a><br />\n",
            url(f),
            f.sha256,
            f.filename
        ));
    }
    html.push_str("  </body>\n</html>\n");
    Response::new(200, "text/html", html)
}
