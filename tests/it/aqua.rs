//! `source = "aqua:<package>"` through the real binary: real package definitions of the
//! aqua registry (`tests/fixtures/aqua/registry.yaml`) served on loopback as the pinned
//! registry release, releases with archives built in each asset's layout and checksum files
//! in the registry's formats; the registry's digest checked (a changed registry refused)
//! and read offline after first use.

use sha2::{Digest, Sha256};

use crate::support::{Env, run, this_platform};
use crate::upstream::{Asset, Entry, Release, Upstream, archives, script};

const REGISTRY: &str = include_str!("../fixtures/aqua/registry.yaml");
const PATH: &str = "/raw.githubusercontent.com/aquaproj/aqua-registry/v9.9.9/registry.yaml";

fn hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// aqua's GOOS and GOARCH of this machine.
fn go_platform() -> (&'static str, &'static str) {
    let os = if cfg!(target_os = "macos") { "darwin" } else { "linux" };
    let arch = if cfg!(target_arch = "aarch64") { "arm64" } else { "amd64" };
    (os, arch)
}

/// The upstream serving `registry` as release v9.9.9, and a home whose config pins it by
/// the fixture's digest; a trusted project with `toml`.
fn setup(registry: &str, toml: &str) -> (Upstream, Env) {
    let up = Upstream::start();
    up.file(PATH, registry);
    let env = Env::new();
    let config = format!(
        "{}\n[aqua]\nversion = \"v9.9.9\"\nsha256 = \"{}\"\n",
        up.config_toml(),
        hex(REGISTRY.as_bytes())
    );
    let dir = env.home().join(".config/den");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("config.toml"), config).unwrap();
    env.write("den.toml", toml);
    env.trust();
    (up, env)
}

/// Publishes actionlint 1.7.4 (and an older release); the bytes of its archive.
fn actionlint(up: &Upstream) -> Vec<u8> {
    let (os, arch) = go_platform();
    let name = format!("actionlint_1.7.4_{os}_{arch}.tar.gz");
    let archive = archives::build(&name, &[Entry::exe("actionlint", script("actionlint 1.7.4"))]);
    up.github(
        "rhysd/actionlint",
        Release::new("v1.7.4").assets(&[
            Asset::bytes(&name, archive.clone()),
            Asset::checksums("actionlint_1.7.4_checksums.txt"),
        ]),
    );
    up.github("rhysd/actionlint", Release::new("v1.6.27").assets(&[]));
    archive
}

fn lock(env: &Env) -> toml::Table {
    std::fs::read_to_string(env.project().join("den.lock")).unwrap().parse().unwrap()
}

#[test]
fn a_github_release_package_with_a_checksum_list_installs_and_runs() {
    let (up, env) =
        setup(REGISTRY, "[tools]\nactionlint = { version = \"1.7\", source = \"aqua:rhysd/actionlint\" }\n");
    let archive = actionlint(&up);
    env.ok(&["install"]);
    let out = env.ok(&["run", "--", "actionlint"]);
    assert_eq!(out.stdout, "actionlint 1.7.4\n");
    let lock = lock(&env);
    let entry = &lock["tools"]["actionlint"];
    assert_eq!(entry["version"].as_str(), Some("1.7.4"));
    let artifact = &entry["platforms"][this_platform().as_str()];
    assert_eq!(artifact["served_by"].as_str(), Some("aqua:rhysd/actionlint (aqua registry v9.9.9)"));
    assert_eq!(artifact["checksum"].as_str(), Some(format!("sha256:{}", hex(&archive)).as_str()));
}

#[test]
fn replacements_raw_binaries_and_sha512_files() {
    let (os, arch) = go_platform();
    let (up, env) = setup(
        REGISTRY,
        "[tools]\nhadolint = { version = \"2.12.0\", source = \"aqua:hadolint/hadolint\" }\n\
         git-cliff = { version = \"2.6.1\", source = \"aqua:orhun/git-cliff\" }\n",
    );
    let hadolint = format!(
        "hadolint-{}-{}",
        if os == "linux" { "Linux" } else { "Darwin" },
        if arch == "amd64" { "x86_64" } else { "arm64" }
    );
    up.github(
        "hadolint/hadolint",
        Release::new("v2.12.0").assets(&[Asset::binary(&hadolint, script("hadolint 2.12.0"))]),
    );
    let triple = format!(
        "{}-{}",
        if arch == "amd64" { "x86_64" } else { "aarch64" },
        if os == "linux" { "unknown-linux-musl" } else { "apple-darwin" }
    );
    let cliff = format!("git-cliff-2.6.1-{triple}.tar.gz");
    let archive =
        archives::build(&cliff, &[Entry::exe("git-cliff-2.6.1/git-cliff", script("git-cliff 2.6.1"))]);
    let sha512: String = sha2::Sha512::digest(&archive).iter().map(|b| format!("{b:02x}")).collect();
    up.github(
        "orhun/git-cliff",
        Release::new("v2.6.1").assets(&[
            Asset::bytes(&cliff, archive),
            Asset::bytes(&format!("{cliff}.sha512"), format!("{sha512}  {cliff}\n").into_bytes()),
        ]),
    );
    env.ok(&["install"]);
    assert_eq!(env.ok(&["run", "--", "hadolint"]).stdout, "hadolint 2.12.0\n");
    assert_eq!(env.ok(&["run", "--", "git-cliff"]).stdout, "git-cliff 2.6.1\n");
    let lock = lock(&env);
    let cliff = &lock["tools"]["git-cliff"]["platforms"][this_platform().as_str()];
    assert_eq!(cliff["checksum"].as_str(), Some(format!("sha512:{sha512}").as_str()));
}

#[test]
fn a_checksum_file_that_disagrees_stops_the_install() {
    let (os, arch) = go_platform();
    let (up, env) = setup(
        REGISTRY,
        "[tools]\nterragrunt = { version = \"0.69.1\", source = \"aqua:gruntwork-io/terragrunt\" }\n",
    );
    let name = format!("terragrunt_{os}_{arch}");
    let wrong = "0".repeat(64);
    up.github(
        "gruntwork-io/terragrunt",
        Release::new("v0.69.1").assets(&[
            Asset::binary(&name, script("terragrunt 0.69.1")),
            Asset::bytes("SHA256SUMS", format!("{wrong}  {name}\n").into_bytes()),
        ]),
    );
    let out = run(env.den(), &["install"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(out.stderr.contains(&wrong), "{}", out.stderr);
    assert!(
        !env.project().join("den.lock").exists()
            || !lock(&env)["tools"].as_table().unwrap().contains_key("terragrunt")
    );
}

#[test]
fn a_changed_registry_is_refused() {
    let changed =
        REGISTRY.replace("actionlint_{{trimV .Version}}_{{.OS}}", "evil_{{trimV .Version}}_{{.OS}}");
    let (up, env) =
        setup(&changed, "[tools]\nactionlint = { version = \"1.7\", source = \"aqua:rhysd/actionlint\" }\n");
    actionlint(&up);
    let out = run(env.den(), &["install"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    let first = out.stderr.lines().next().unwrap_or_default().to_string();
    assert!(
        first.starts_with(
            "den: the aqua registry at https://raw.githubusercontent.com/aquaproj/aqua-registry/v9.9.9/registry.yaml \
             cannot be used: its sha256 is "
        ) && first.ends_with(&format!("not the {} den pins for v9.9.9", hex(REGISTRY.as_bytes()))),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("help: den reads only the registry release whose digest it pins"),
        "{}",
        out.stderr
    );
}

#[test]
fn the_registry_is_read_offline_after_first_use() {
    let (up, env) =
        setup(REGISTRY, "[tools]\nactionlint = { version = \"1.7\", source = \"aqua:rhysd/actionlint\" }\n");
    actionlint(&up);
    env.ok(&["install"]);
    assert_eq!(up.requests(PATH), 1);
    // A new version asked for: resolving again reads the registry, from the cache.
    env.write(
        "den.toml",
        "[tools]\nactionlint = { version = \"1.7.4\", source = \"aqua:rhysd/actionlint\" }\n",
    );
    env.trust();
    let out = run(env.den(), &["--offline", "lock"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(up.requests(PATH), 1);
}

#[test]
fn a_package_the_registry_does_not_have() {
    let (_up, env) = setup(REGISTRY, "[tools]\nnope = { version = \"1\", source = \"aqua:no/such\" }\n");
    let out = run(env.den(), &["install"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(
        out.stderr.starts_with("den: the aqua registry (v9.9.9) has no package `no/such`"),
        "{}",
        out.stderr
    );
}

#[test]
fn short_names_work_with_x_add_and_init() {
    let (os, arch) = go_platform();
    let (up, env) = setup(REGISTRY, "[tools]\n");
    actionlint(&up);
    let out = run(env.den(), &["x", "actionlint@1.7"]);
    assert_eq!((out.code, out.stdout.as_str()), (0, "actionlint 1.7.4\n"), "{}", out.stderr);
    let name = format!("terragrunt_{os}_{arch}");
    up.github(
        "gruntwork-io/terragrunt",
        Release::new("v0.69.1")
            .assets(&[Asset::binary(&name, script("terragrunt 0.69.1")), Asset::checksums("SHA256SUMS")]),
    );
    env.ok(&["add", "terragrunt@0.69"]);
    assert_eq!(
        std::fs::read_to_string(env.project().join("den.toml")).unwrap(),
        "[tools]\nterragrunt = \"0.69\"\n"
    );
    assert_eq!(env.ok(&["run", "--", "terragrunt"]).stdout, "terragrunt 0.69.1\n");
    assert_eq!(lock(&env)["tools"]["terragrunt"]["version"].as_str(), Some("0.69.1"));
}

#[test]
fn a_tool_versions_file_of_short_names_imports_whole() {
    let env = Env::new();
    env.write(
        ".tool-versions",
        "terragrunt 0.69.1\nactionlint 1.7.4\nsops 3.9.1\nkustomize 5.4.3\nhadolint 2.12.0\nlychee 0.15.1\n",
    );
    let out = run(env.den(), &["init"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(!out.stderr.contains("not imported"), "{}", out.stderr);
    let text = std::fs::read_to_string(env.project().join("den.toml")).unwrap();
    for line in [
        "terragrunt = \"0.69.1\"",
        "actionlint = \"1.7.4\"",
        "sops = \"3.9.1\"",
        "kustomize = \"5.4.3\"",
        "hadolint = \"2.12.0\"",
        "lychee = \"0.15.1\"",
    ] {
        assert!(text.contains(line), "{line} in\n{text}");
    }
}

#[test]
fn search_lists_the_catalog_short_names_and_the_registry() {
    let (_up, env) = setup(REGISTRY, "[tools]\n");
    let out = env.ok(&["search"]);
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert!(lines.iter().any(|l| l.starts_with("jq ") && l.contains("catalog")), "{}", out.stdout);
    assert!(lines.iter().any(|l| l.starts_with("ripgrep ")), "{}", out.stdout);
    assert!(
        lines.len() > 31 + 60,
        "the catalog, the short names and the registry's packages: {}",
        lines.len()
    );
    let out = env.ok(&["search", "LINT"]);
    let names: Vec<&str> = out.stdout.lines().map(|l| l.split_whitespace().next().unwrap()).collect();
    assert!(
        names.contains(&"actionlint") && names.contains(&"hadolint") && names.contains(&"golangci-lint"),
        "{names:?}"
    );
    assert!(
        out.stdout.lines().any(|l| l.split_whitespace().collect::<Vec<_>>()[..3]
            == ["actionlint", "aqua:rhysd/actionlint", "Static"]),
        "{}",
        out.stdout
    );
    let completed = env.ok(&["__complete", "tools"]).stdout;
    assert!(
        completed.lines().any(|l| l == "terragrunt") && completed.lines().any(|l| l == "jq"),
        "{completed}"
    );
    let out = env.ok(&["search", "no-such-tool-anywhere"]);
    assert_eq!(out.stdout, "");
    assert_eq!(out.stderr, "den: warning: no tool den installs by name matches `no-such-tool-anywhere`\n");
    // Offline without the registry cached: the catalog and the short names, and why.
    let fresh = Env::new();
    let out = run(fresh.den(), &["--offline", "search", "terragrunt"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.stdout, "terragrunt  aqua:gruntwork-io/terragrunt\n");
    assert!(
        out.stderr.starts_with("den: warning: the aqua registry's packages are not listed: "),
        "{}",
        out.stderr
    );
}

#[test]
fn a_version_filter_keeps_other_tags_out() {
    let asset = match go_platform() {
        ("linux", "amd64") => "lychee-x86_64-unknown-linux-musl.tar.gz",
        ("linux", _) => "lychee-aarch64-unknown-linux-gnu.tar.gz",
        (_, "arm64") => "lychee-arm64-macos.tar.gz",
        _ => return, // lychee 0.20 has no build for Intel macs
    };
    let (up, env) = setup(REGISTRY, "[tools]\n");
    up.github("lycheeverse/lychee", Release::new("lychee-lib-v0.99.0").assets(&[]));
    up.github(
        "lycheeverse/lychee",
        Release::new("lychee-v0.20.1")
            .assets(&[Asset::archive(asset, &[Entry::exe("lychee", script("lychee 0.20.1"))])]),
    );
    let out = run(env.den(), &["x", "lychee"]);
    assert_eq!((out.code, out.stdout.as_str()), (0, "lychee 0.20.1\n"), "{}", out.stderr);
    assert_eq!(env.ok(&["ls-remote", "lychee"]).stdout, "0.20.1\n");
}

#[test]
fn a_lock_pointing_an_aqua_tool_elsewhere_is_refused() {
    let (up, env) =
        setup(REGISTRY, "[tools]\nactionlint = { version = \"1.7\", source = \"aqua:rhysd/actionlint\" }\n");
    actionlint(&up);
    env.ok(&["install"]);
    // Another asset of the same release: a release of the repository, not the file the
    // registry names. Its checksum is in the lock, as a hostile commit would put it.
    let (os, arch) = go_platform();
    let evil = format!("actionlint_1.7.4_{os}_{arch}_evil.tar.gz");
    let bytes = archives::build(&evil, &[Entry::exe("actionlint", script("evil"))]);
    let path = up.github_download_path("rhysd/actionlint", "v1.7.4", &evil);
    up.file(&path, bytes.clone());
    let lock_path = env.project().join("den.lock");
    let text = std::fs::read_to_string(&lock_path).unwrap();
    let mut lock: toml::Table = text.parse().unwrap();
    let artifact = lock["tools"]["actionlint"]["platforms"][this_platform().as_str()].as_table().unwrap();
    let (old_url, old_sum) =
        (artifact["url"].as_str().unwrap().to_string(), artifact["checksum"].as_str().unwrap().to_string());
    let text = text.replace(&old_url, &up.url(&path)).replace(&old_sum, &format!("sha256:{}", hex(&bytes)));
    lock = text.parse().unwrap();
    assert_eq!(
        lock["tools"]["actionlint"]["platforms"][this_platform().as_str()]["url"].as_str(),
        Some(up.url(&path).as_str())
    );
    std::fs::write(&lock_path, text).unwrap();
    let out = run(env.den(), &["install"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    let first = out.stderr.lines().next().unwrap_or_default();
    assert!(
        first.starts_with("den: ")
            && first.contains(&format!("`actionlint` is locked to download `{}`", up.url(&path)))
            && first.contains(&format!(
                "/rhysd/actionlint/releases/download/v1.7.4/actionlint_1.7.4_{os}_{arch}.tar.gz`"
            )),
        "{}",
        out.stderr
    );
    assert_eq!(up.requests(&path), 0);
}

#[test]
fn a_lock_is_checked_on_a_machine_that_has_not_read_the_registry() {
    let (up, env) =
        setup(REGISTRY, "[tools]\nactionlint = { version = \"1.7\", source = \"aqua:rhysd/actionlint\" }\n");
    actionlint(&up);
    env.ok(&["install"]);
    let fresh = || {
        let cache = env.home().join(".cache");
        std::fs::remove_dir_all(&cache).unwrap();
        std::fs::remove_dir_all(env.home().join(".local/share/den/tools")).ok();
    };
    // Offline, with no copy of the registry: refused, not taken unchecked.
    fresh();
    let out = run(env.den(), &["--offline", "install"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    let first = out.stderr.lines().next().unwrap_or_default();
    assert!(
        first.starts_with("den: ")
            && first
                .contains("its source gives `a file the aqua registry v9.9.9 names, which den has not read"),
        "{}",
        out.stderr
    );
    // Online, den reads the pinned registry first and then honours the lock.
    assert_eq!(up.requests(PATH), 1);
    env.ok(&["install"]);
    assert_eq!(up.requests(PATH), 2);
    assert_eq!(env.ok(&["run", "--", "actionlint"]).stdout, "actionlint 1.7.4\n");
}
