//! Real release layouts of a few catalog tools (names as the upstream notes record them),
//! so the catalog's templates are exercised against exactly what the upstream publishes,
//! decoys included (other platforms, musl builds, installers, manifests). Every binary is
//! a script printing the real `--version` line.

use super::Upstream;
use super::archives::{Entry, script};
use super::github::{Asset, Release};

/// Rust-style triples of the builds each cargo-dist/ripgrep-style release carries.
const TRIPLES: &[&str] = &[
    "aarch64-apple-darwin",
    "aarch64-unknown-linux-gnu",
    "aarch64-unknown-linux-musl",
    "x86_64-apple-darwin",
    "x86_64-unknown-linux-gnu",
    "x86_64-unknown-linux-musl",
];

/// Publishes `name` `version` the way its real upstream does; panics for other tools.
pub fn publish(up: &Upstream, name: &str, version: &str) {
    let v = version;
    match name {
        "jq" => {
            let mut assets: Vec<Asset> =
                ["linux-amd64", "linux-arm64", "macos-amd64", "macos-arm64", "windows-amd64.exe"]
                    .iter()
                    .map(|p| Asset::binary(&format!("jq-{p}"), script(&format!("jq-{v}"))))
                    .collect();
            assets.push(Asset::binary(&format!("jq-{v}.tar.gz"), b"source"));
            assets.push(Asset::checksums("sha256sum.txt"));
            up.github_release("jqlang/jq", &format!("jq-{v}"), &assets);
        }
        "ripgrep" => {
            let mut assets = Vec::new();
            for t in [
                "aarch64-apple-darwin",
                "aarch64-unknown-linux-gnu",
                "x86_64-apple-darwin",
                "x86_64-unknown-linux-musl",
            ] {
                let top = format!("ripgrep-{v}-{t}");
                let entries = [
                    Entry::exe(&format!("{top}/rg"), script(&format!("ripgrep {v}"))),
                    Entry::file(&format!("{top}/README.md"), "# ripgrep\n", 0o644),
                    Entry::file(&format!("{top}/COPYING"), "MIT or UNLICENSE\n", 0o644),
                ];
                assets.push(Asset::archive(&format!("{top}.tar.gz"), &entries));
                assets.push(Asset::checksums(&format!("{top}.tar.gz.sha256")));
            }
            assets.push(Asset::binary(&format!("ripgrep_{v}-1_amd64.deb"), b"!<arch>\n"));
            assets.push(Asset::checksums(&format!("ripgrep_{v}-1_amd64.deb.sha256")));
            up.github_release("BurntSushi/ripgrep", v, &assets);
        }
        "ruff" | "uv" => cargo_dist(up, name, v),
        "node" => {
            up.nodejs(v, node_lts(v), &[] as &[Entry]);
            for plat in ["linux-x64", "linux-arm64", "darwin-x64", "darwin-arm64"] {
                up.npm(&format!("node-{plat}"), v, &[Entry::exe("bin/node", script(&format!("v{v}")))]);
            }
        }
        "shellcheck" => {
            let out = format!(
                "ShellCheck - shell script analysis tool\nversion: {v}\nlicense: GNU General Public License, version 3\nwebsite: https://www.shellcheck.net"
            );
            let mut assets = Vec::new();
            for p in ["darwin.aarch64", "darwin.x86_64", "linux.aarch64", "linux.armv6hf", "linux.x86_64"] {
                let entries = [
                    Entry::exe(&format!("shellcheck-v{v}/shellcheck"), script(&out)),
                    Entry::file(&format!("shellcheck-v{v}/README.txt"), "ShellCheck\n", 0o644),
                    Entry::file(&format!("shellcheck-v{v}/LICENSE.txt"), "GPLv3\n", 0o644),
                ];
                assets.push(Asset::archive(&format!("shellcheck-v{v}.{p}.tar.xz"), &entries));
            }
            assets
                .push(Asset::archive(&format!("shellcheck-v{v}.zip"), &[Entry::exe("shellcheck.exe", "MZ")]));
            up.github_release("koalaman/shellcheck", &format!("v{v}"), &assets);
        }
        "go" => {
            up.go(v, &[] as &[Entry]);
        }
        "terraform" => {
            up.hashicorp("terraform", v, &[] as &[Entry]);
        }
        other => panic!("catalog_tool: no real layout for `{other}` yet"),
    }
}

/// ruff and uv: cargo-dist archives `{tool}-{triple}.tar.gz` with `{tool}-{triple}/{bin}`,
/// `.sha256` sidecars in binary mode, `sha256.sum`, the installer and manifest; and the
/// same version's wheels on the simple index (the catalog's fallback).
fn cargo_dist(up: &Upstream, tool: &str, v: &str) {
    let bins: &[&str] = if tool == "uv" { &["uv", "uvx"] } else { &["ruff"] };
    let mut assets = Vec::new();
    for t in TRIPLES {
        let top = format!("{tool}-{t}");
        let entries: Vec<Entry> =
            bins.iter().map(|b| Entry::exe(&format!("{top}/{b}"), script(&format!("{b} {v}")))).collect();
        assets.push(Asset::archive(&format!("{top}.tar.gz"), &entries));
        assets.push(Asset::checksums(&format!("{top}.tar.gz.sha256")).binary_mode());
    }
    assets.push(Asset::binary(&format!("{tool}-installer.sh"), "#!/bin/sh\nexit 1\n"));
    assets.push(Asset::binary("dist-manifest.json", "{}"));
    assets.push(Asset::checksums("sha256.sum").binary_mode());
    up.github(&format!("astral-sh/{tool}"), Release::new(v).assets(&assets));
    let scripts: Vec<Entry> = bins
        .iter()
        .map(|b| Entry::exe(&format!("{tool}-{v}.data/scripts/{b}"), script(&format!("{b} {v}"))))
        .collect();
    for tag in [
        "py3-none-manylinux_2_17_x86_64.manylinux2014_x86_64",
        "py3-none-manylinux_2_17_aarch64.manylinux2014_aarch64",
        "py3-none-musllinux_1_2_x86_64",
        "py3-none-macosx_11_0_arm64",
        "py3-none-win_amd64",
    ] {
        up.pypi_wheel(tool, v, tag, &scripts);
    }
    up.pypi_sdist(tool, v);
}

/// The LTS codename real Node.js lines carry (odd lines never do).
fn node_lts(v: &str) -> Option<&'static str> {
    match v.split('.').next()? {
        "18" => Some("Hydrogen"),
        "20" => Some("Iron"),
        "22" => Some("Jod"),
        "24" => Some("Krypton"),
        _ => None,
    }
}
