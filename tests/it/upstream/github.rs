//! The GitHub releases API (`/repos/{o}/{r}/releases`, `releases/latest`,
//! `releases/tags/{tag}`, and the `/repositories/{id}/releases` form its `link` headers
//! use) and release downloads (`/github.com/{o}/{r}/releases/download/{tag}/{name}`, a 302
//! to a signed-looking asset URL, as github.com answers). Checksum assets are computed from
//! the served bytes, in each real upstream's line style. Never serves anything but what
//! a test published.

use serde_json::{Value, json};

use super::archives::{self, Entry, Format, sha256_hex};
use super::faults::{github_json, not_found_json, rate_headers};
use super::server::{Request, Response};
use super::{File, State};

/// How a checksum asset writes each line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// `<hex>␣␣<name>\n` (coreutils text mode: ripgrep, jq, goreleaser, SHA256SUMS).
    Text,
    /// `<hex>␣*<name>\n` plus a blank line (cargo-dist: ruff, uv).
    BinaryMode,
}

#[derive(Debug, Clone)]
enum Content {
    Bytes(Vec<u8>),
    /// The digests of the release's other (non-checksum) assets, or of one asset for a
    /// sidecar named `<asset>.sha256` / `.sha256sum`.
    Checksums(Style),
}

/// A release asset to publish.
#[derive(Debug, Clone)]
pub struct Asset {
    pub name: String,
    content: Content,
}

impl Asset {
    /// A raw executable asset (jq, yq, biome); `content` is usually [`archives::script`].
    pub fn binary(name: &str, content: impl AsRef<[u8]>) -> Asset {
        Asset::bytes(name, content.as_ref().to_vec())
    }

    /// An archive asset, its format taken from `name` (`.tar.gz`, `.zip`, ...).
    pub fn archive(name: &str, entries: &[Entry]) -> Asset {
        Asset::bytes(name, archives::build(name, entries))
    }

    /// Any bytes.
    pub fn bytes(name: &str, bytes: Vec<u8>) -> Asset {
        Asset { name: name.into(), content: Content::Bytes(bytes) }
    }

    /// A checksum asset computed from the served bytes: `<asset>.sha256`/`.sha256sum`
    /// covers that asset; any other name (`SHA256SUMS`, `checksums.txt`, `sha256sum.txt`)
    /// lists every non-checksum asset of the release, byte-sorted.
    pub fn checksums(name: &str) -> Asset {
        Asset { name: name.into(), content: Content::Checksums(Style::Text) }
    }

    /// cargo-dist's `<hex> *<name>` lines.
    pub fn binary_mode(mut self) -> Asset {
        self.content = Content::Checksums(Style::BinaryMode);
        self
    }
}

/// A release to publish.
#[derive(Debug, Clone)]
pub struct Release {
    pub tag: String,
    pub prerelease: bool,
    pub draft: bool,
    pub assets: Vec<Asset>,
}

impl Release {
    pub fn new(tag: &str) -> Release {
        Release { tag: tag.into(), prerelease: false, draft: false, assets: vec![] }
    }

    pub fn prerelease(mut self) -> Release {
        self.prerelease = true;
        self
    }

    /// Listed only to requests with an `Authorization` header (push access), as on GitHub.
    pub fn draft(mut self) -> Release {
        self.draft = true;
        self
    }

    pub fn assets(mut self, assets: &[Asset]) -> Release {
        self.assets.extend_from_slice(assets);
        self
    }
}

#[derive(Debug, Clone)]
struct Published {
    id: u64,
    tag: String,
    prerelease: bool,
    draft: bool,
    /// (id, name, size, content type, digest)
    assets: Vec<(u64, String, usize, String, String)>,
}

#[derive(Debug, Clone)]
struct Repo {
    name: String,
    id: u64,
    /// Oldest first; listed newest first.
    releases: Vec<Published>,
}

/// The published repositories.
#[derive(Debug, Default)]
pub struct Github {
    repos: Vec<Repo>,
    /// A cap on `per_page`, to paginate a handful of releases.
    pub page_size: Option<usize>,
}

/// The download path of an asset (`@`, `/`, `+` in tags appear decoded).
pub fn download_path(repo: &str, tag: &str, name: &str) -> String {
    format!("/github.com/{repo}/releases/download/{tag}/{name}")
}

fn encode_segment(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn checksum_text(style: Style, digests: &[(String, String)]) -> Vec<u8> {
    let mut out = String::new();
    for (name, hex) in digests {
        match style {
            Style::Text => out.push_str(&format!("{hex}  {name}\n")),
            Style::BinaryMode => out.push_str(&format!("{hex} *{name}\n")),
        }
    }
    if style == Style::BinaryMode {
        out.push('\n');
    }
    out.into_bytes()
}

/// Publishes `release` of `repo`: its assets as downloads, its entry in the API.
pub fn publish(state: &mut State, repo: &str, release: Release) {
    let mut data: Vec<(String, Vec<u8>)> = Vec::new();
    for a in &release.assets {
        if let Content::Bytes(b) = &a.content {
            data.push((a.name.clone(), b.clone()));
        }
    }
    let mut sums: Vec<(String, String)> = data.iter().map(|(n, b)| (n.clone(), sha256_hex(b))).collect();
    sums.sort();
    let repo_id = match state.github.repos.iter().position(|r| r.name.eq_ignore_ascii_case(repo)) {
        Some(i) => state.github.repos[i].id,
        None => {
            let id = 50_000_000 + state.github.repos.len() as u64;
            state.github.repos.push(Repo { name: repo.into(), id, releases: vec![] });
            id
        }
    };
    let mut assets = Vec::new();
    for a in &release.assets {
        let bytes = match &a.content {
            Content::Bytes(b) => b.clone(),
            Content::Checksums(style) => {
                let target = a.name.strip_suffix(".sha256").or_else(|| a.name.strip_suffix(".sha256sum"));
                let lines: Vec<(String, String)> = match target {
                    Some(t) => sums.iter().filter(|(n, _)| n == t).cloned().collect(),
                    None => sums.clone(),
                };
                assert!(!lines.is_empty(), "checksum asset {} covers no asset", a.name);
                checksum_text(*style, &lines)
            }
        };
        let id = state.id();
        let content_type = match Format::from_name(&a.name) {
            Format::Binary => "application/octet-stream",
            f => f.content_type(),
        };
        let digest = format!("sha256:{}", sha256_hex(&bytes));
        assets.push((id, a.name.clone(), bytes.len(), content_type.to_string(), digest));
        let public = download_path(repo, &release.tag, &a.name);
        let target =
            format!("/release-assets.githubusercontent.com/github-production-release-asset/{repo_id}/{id}");
        let query = format!(
            "?sp=r&sv=2018-11-09&sr=b&spr=https&se=2030-01-01T00%3A00%3A00Z&rscd=attachment%3B+filename%3D{}&rsct=application%2Foctet-stream&sig=c2lnbmF0dXJl",
            encode_segment(&a.name)
        );
        state.files.insert(public.clone(), File::Redirect(format!("{target}{query}")));
        state.files.insert(
            target,
            File::Bytes {
                body: bytes,
                content_type: "application/octet-stream".into(),
                headers: vec![("content-disposition".into(), format!("attachment; filename={}", a.name))],
                alias: Some(public),
            },
        );
    }
    let id = state.id();
    let entry = state.github.repos.iter_mut().find(|r| r.id == repo_id).unwrap();
    entry.releases.push(Published {
        id,
        tag: release.tag,
        prerelease: release.prerelease,
        draft: release.draft,
        assets,
    });
}

fn release_json(base: &str, repo: &str, r: &Published) -> Value {
    let api = format!("{base}/repos/{repo}/releases/{}", r.id);
    let tag = encode_segment(&r.tag);
    let published = (!r.draft).then_some("2024-10-03T16:45:12Z");
    let assets: Vec<Value> = r
        .assets
        .iter()
        .map(|(id, name, size, ct, digest)| {
            json!({
                "url": format!("{base}/repos/{repo}/releases/assets/{id}"),
                "id": id, "node_id": format!("RA_kwDOAAAAAA{id}"), "name": name, "label": "",
                "uploader": {"login": "github-actions[bot]", "id": 41898282, "type": "Bot"},
                "content_type": ct, "state": "uploaded", "size": size, "digest": digest,
                "download_count": 1234, "created_at": "2024-10-03T16:45:12Z", "updated_at": "2024-10-03T16:45:12Z",
                "browser_download_url": format!("{base}/github.com/{repo}/releases/download/{tag}/{}", encode_segment(name)),
            })
        })
        .collect();
    json!({
        "url": api, "assets_url": format!("{api}/assets"),
        "upload_url": format!("{base}/uploads.github.com/repos/{repo}/releases/{}/assets{{?name,label}}", r.id),
        "html_url": format!("{base}/github.com/{repo}/releases/tag/{tag}"),
        "id": r.id, "author": {"login": "github-actions[bot]", "id": 41898282, "type": "Bot"},
        "node_id": format!("RE_kwDOAAAAAA{}", r.id), "tag_name": r.tag, "target_commitish": "main",
        "name": r.tag, "draft": r.draft, "immutable": false, "prerelease": r.prerelease,
        "created_at": "2024-10-03T16:40:01Z", "updated_at": "2024-10-03T16:45:12Z", "published_at": published,
        "assets": assets,
        "tarball_url": format!("{base}/repos/{repo}/tarball/{tag}"),
        "zipball_url": format!("{base}/repos/{repo}/zipball/{tag}"),
        "body": "(release notes, markdown)",
    })
}

/// Answers an API path (`/repos/...` or `/repositories/...`, host prefix removed).
pub fn api(state: &mut State, req: &Request, path: &str) -> Response {
    let used = state.faults.log.iter().filter(|l| l.path.contains("/releases")).count();
    let resp = api_inner(state, req, path);
    rate_headers(resp, used)
}

fn api_inner(state: &State, req: &Request, path: &str) -> Response {
    let found = if let Some(rest) = path.strip_prefix("/repositories/") {
        let (id, rest) = rest.split_once('/').unwrap_or((rest, ""));
        state.github.repos.iter().find(|r| r.id.to_string() == id).map(|r| (r, rest))
    } else {
        let rest = path.strip_prefix("/repos/").unwrap_or_default();
        let mut it = rest.splitn(3, '/');
        let name = format!("{}/{}", it.next().unwrap_or_default(), it.next().unwrap_or_default());
        let rest = it.next().unwrap_or_default();
        state.github.repos.iter().find(|x| x.name.eq_ignore_ascii_case(&name)).map(|r| (r, rest))
    };
    let Some((repo, rest)) = found else { return not_found_json() };
    let authorized = req.header("authorization").is_some();
    let visible: Vec<&Published> = repo.releases.iter().rev().filter(|r| authorized || !r.draft).collect();
    let one = |r: Option<&&Published>| match r {
        Some(r) => github_json(200, release_json(&state.base, &repo.name, r).to_string()),
        None => not_found_json(),
    };
    match rest.trim_end_matches('/') {
        "releases" => list(state, req, repo, &visible),
        "releases/latest" => one(visible.iter().find(|r| !r.draft && !r.prerelease)),
        other => match other.strip_prefix("releases/tags/") {
            Some(tag) => one(visible.iter().find(|r| r.tag == tag)),
            None => not_found_json(),
        },
    }
}

fn list(state: &State, req: &Request, repo: &Repo, visible: &[&Published]) -> Response {
    let asked: usize = req.param("per_page").and_then(|v| v.parse().ok()).unwrap_or(30).clamp(1, 100);
    let per_page = state.github.page_size.map_or(asked, |cap| asked.min(cap));
    let page: usize = req.param("page").and_then(|v| v.parse().ok()).unwrap_or(1).max(1);
    let last = visible.len().div_ceil(per_page).max(1);
    let items: Vec<Value> = visible
        .iter()
        .skip((page - 1) * per_page)
        .take(per_page)
        .map(|r| release_json(&state.base, &repo.name, r))
        .collect();
    let mut resp = github_json(200, Value::Array(items).to_string());
    if last > 1 {
        let url = |n: usize| {
            format!("<{}/repositories/{}/releases?per_page={asked}&page={n}>", state.base, repo.id)
        };
        let mut links = Vec::new();
        if page > 1 {
            links.push(format!("{}; rel=\"prev\"", url(page - 1)));
        }
        if page < last {
            links.push(format!("{}; rel=\"next\"", url(page + 1)));
            links.push(format!("{}; rel=\"last\"", url(last)));
        }
        if page > 1 {
            links.push(format!("{}; rel=\"first\"", url(1)));
        }
        resp = resp.header("link", links.join(", "));
    }
    resp
}
