//! Every archive format den unpacks, installed by `den install` and run: through catalog
//! tools where the real upstream publishes that format, through den.toml `source`/`url`
//! otherwise.

use super::{install_ok, lock, project, run_tool, tool_dirs};
use crate::upstream::archives::{self, Entry, gzip, sha256_hex};
use crate::upstream::{Asset, Upstream, script};

#[test]
fn tar_gz_tar_xz_zip_and_bare_binaries_from_catalog_tools() {
    let up = Upstream::start();
    // ruff: cargo-dist .tar.gz; node: nodejs.org .tar.xz; terraform: HashiCorp .zip;
    // jq: a bare executable; shellcheck: .tar.xz from GitHub.
    for (tool, v) in [
        ("ruff", "0.6.9"),
        ("node", "22.11.0"),
        ("terraform", "1.9.8"),
        ("jq", "1.7.1"),
        ("shellcheck", "0.10.0"),
    ] {
        up.catalog_tool(tool, v);
    }
    let env = project(
        &up,
        "[tools]\nruff = \"0.6\"\nnode = \"22\"\nterraform = \"1.9\"\njq = \"1.7\"\nshellcheck = \"0.10\"\n",
    );
    install_ok(&env);
    assert_eq!(run_tool(&env, "ruff"), "ruff 0.6.9");
    assert_eq!(run_tool(&env, "node"), "v22.11.0");
    assert_eq!(run_tool(&env, "npm"), "10.9.0", "node's bin/npm symlink survives unpacking");
    assert_eq!(run_tool(&env, "terraform"), "Terraform v1.9.8");
    assert_eq!(run_tool(&env, "jq"), "jq-1.7.1");
    assert!(run_tool(&env, "shellcheck").contains("version: 0.10.0"));
    assert_eq!(tool_dirs(&env).len(), 5);
    let lock = lock(&env);
    assert!(lock.contains("node-v22.11.0-linux-x64.tar.xz"), "{lock}");
    assert!(lock.contains("terraform_1.9.8_linux_amd64.zip"), "{lock}");
}

#[test]
fn tar_zst_and_tar_bz2_from_github_sources() {
    let up = Upstream::start();
    for (repo, tool, ext) in [("acme/zt", "zt", "tar.zst"), ("acme/bz", "bz", "tar.bz2")] {
        let entries = |plat: &str| {
            vec![
                Entry::exe(&format!("{tool}-{plat}/bin/{tool}"), script(&format!("{tool} 2.3.4"))),
                Entry::file(&format!("{tool}-{plat}/LICENSE"), "MIT\n", 0o644),
            ]
        };
        let assets: Vec<Asset> = ["linux-x86_64", "linux-aarch64", "darwin-arm64"]
            .iter()
            .map(|p| Asset::archive(&format!("{tool}-{p}.{ext}"), &entries(p)))
            .chain([Asset::checksums("SHA256SUMS")])
            .collect();
        up.github_release(repo, "v2.3.4", &assets);
    }
    let env = project(
        &up,
        "[tools]\nzt = { version = \"2\", source = \"github:acme/zt\" }\n\
         bz = { version = \"2.3.4\", source = \"github:acme/bz\" }\n",
    );
    install_ok(&env);
    assert_eq!(run_tool(&env, "zt"), "zt 2.3.4");
    assert_eq!(run_tool(&env, "bz"), "bz 2.3.4");
    let lock = lock(&env);
    assert!(lock.contains("zt-linux-x86_64.tar.zst") && lock.contains("bz-linux-x86_64.tar.bz2"), "{lock}");
}

#[test]
fn wheels_from_the_index_find_their_data_scripts() {
    let up = Upstream::start();
    // uv names the catalog's own fallback source: its definition says where the bins are.
    up.catalog_tool("uv", "0.4.30");
    // A package den knows nothing of: its `*.data/scripts/` are found in the wheel.
    let scripts = [Entry::exe("acme_lint-3.1.0.data/scripts/acme-lint", script("acme-lint 3.1.0"))];
    up.pypi_wheel("acme-lint", "3.1.0", "py3-none-manylinux_2_17_x86_64.manylinux2014_x86_64", &scripts);
    up.pypi_wheel("acme-lint", "3.1.0", "py3-none-macosx_11_0_arm64", &scripts);
    let env = project(
        &up,
        "[tools]\nuv = { version = \"0.4\", source = \"pypi:uv\" }\n\
         acme-lint = { version = \"3\", source = \"pypi:acme-lint\" }\n",
    );
    install_ok(&env);
    assert_eq!(run_tool(&env, "uv"), "uv 0.4.30");
    assert_eq!(run_tool(&env, "uvx"), "uvx 0.4.30");
    assert_eq!(run_tool(&env, "acme-lint"), "acme-lint 3.1.0");
    let lock = lock(&env);
    assert!(lock.contains("uv-0.4.30-py3-none-manylinux_2_17_x86_64.manylinux2014_x86_64.whl"), "{lock}");
    assert!(
        lock.contains("bin = [\"acme_lint-3.1.0.data/scripts/acme-lint\"]"),
        "found bins are pinned:\n{lock}"
    );
}

#[test]
fn npm_tarballs_use_the_package_bin() {
    let up = Upstream::start();
    let json = r#"{"name":"@acme/cli-linux-x64","version":"1.9.4","bin":{"acme":"bin/acme"}}"#;
    up.npm(
        "@acme/cli-linux-x64",
        "1.9.4",
        &[Entry::file("package.json", json, 0o644), Entry::exe("bin/acme", script("Version: 1.9.4"))],
    );
    let env = project(&up, "[tools]\nacme = { version = \"1.9\", source = \"npm:@acme/cli-{os}-{arch}\" }\n");
    install_ok(&env);
    assert_eq!(run_tool(&env, "acme"), "Version: 1.9.4");
    let lock = lock(&env);
    assert!(lock.contains("checksum = \"sha512-"), "npm's integrity is pinned:\n{lock}");
    let size =
        up.state().files.iter().find(|(p, _)| p.ends_with("cli-linux-x64-1.9.4.tgz")).map(|(_, f)| match f {
            crate::upstream::File::Bytes { body, .. } => body.len(),
            _ => 0,
        });
    assert!(
        lock.contains(&format!("size = {}\n", size.unwrap())),
        "the size den measured is pinned:\n{lock}"
    );
}

#[test]
fn single_gzip_files_and_url_templates_with_sha256() {
    let up = Upstream::start();
    // rust-analyzer (catalog): one executable gzip-compressed, as GitHub publishes it.
    let ra = gzip(script("rust-analyzer 1.83.0 (90b35a6 2024-11-26)").as_bytes());
    up.github_release(
        "rust-lang/rust-analyzer",
        "2024-12-02",
        &[
            Asset::bytes("rust-analyzer-x86_64-unknown-linux-gnu.gz", ra.clone()),
            Asset::bytes("rust-analyzer-aarch64-apple-darwin.gz", ra),
        ],
    );
    // A den.toml `url` template with a sha256: a tarball on any host.
    let tgz = archives::build("t.tar.gz", &[Entry::exe("mytool/mytool", script("mytool 2.1.0"))]);
    up.file("/downloads.example/mytool-2.1.0-linux-x64.tar.gz", tgz.clone());
    let toml = format!(
        "[tools]\nrust-analyzer = \"2024-12-02\"\n\
         mytool = {{ version = \"2.1.0\", url = \"{}/downloads.example/mytool-{{version}}-{{os}}-{{arch}}.tar.gz\", \
         sha256 = \"{}\", bin = [\"mytool/mytool\"] }}\n",
        up.base(),
        sha256_hex(&tgz)
    );
    let env = project(&up, &toml);
    install_ok(&env);
    assert_eq!(run_tool(&env, "rust-analyzer"), "rust-analyzer 1.83.0 (90b35a6 2024-11-26)");
    assert_eq!(run_tool(&env, "mytool"), "mytool 2.1.0");
    assert!(lock(&env).contains(&format!("checksum = \"sha256:{}\"", sha256_hex(&tgz))), "{}", lock(&env));
}

#[test]
fn a_url_without_a_checksum_is_pinned_on_first_download_and_verified_after() {
    let up = Upstream::start();
    let tgz = archives::build("t.tar.gz", &[Entry::exe("bin/plain", script("plain 1.0.0"))]);
    up.file("/downloads.example/plain-1.0.0.tar.gz", tgz.clone());
    let toml = format!(
        "[tools]\nplain = {{ version = \"1.0.0\", url = \"{}/downloads.example/plain-{{version}}.tar.gz\" }}\n",
        up.base()
    );
    let env = project(&up, &toml);
    install_ok(&env);
    assert_eq!(run_tool(&env, "plain"), "plain 1.0.0");
    let pinned = lock(&env);
    assert!(pinned.contains(&format!("checksum = \"sha256:{}\"", sha256_hex(&tgz))), "{pinned}");

    // The same lock on another machine: the upstream changed the file, den refuses it.
    let other = project(&up, &toml);
    std::fs::write(other.project().join("den.lock"), &pinned).unwrap();
    up.file(
        "/downloads.example/plain-1.0.0.tar.gz",
        archives::build("t.tar.gz", &[Entry::exe("bin/plain", script("evil"))]),
    );
    let out = crate::support::run(other.den(), &["install"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(out.stderr.contains("checksum"), "{}", out.stderr);
}
