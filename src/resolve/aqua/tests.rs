//! The registry's real package definitions (`tests/fixtures/aqua/registry.yaml`) rendered
//! for each platform and version line, as aqua itself would.

use super::render::render;
use super::*;
use crate::artifact::{Arch, Os, Platform};

const FIXTURE: &str = include_str!("../../../tests/fixtures/aqua/registry.yaml");

fn registry() -> Registry {
    Registry::parse(FIXTURE).unwrap()
}

const LINUX_X64: Platform = Platform { os: Os::Linux, arch: Arch::X64 };
const LINUX_ARM: Platform = Platform { os: Os::Linux, arch: Arch::Arm64 };
const MAC_ARM: Platform = Platform { os: Os::Darwin, arch: Arch::Arm64 };
const MAC_X64: Platform = Platform { os: Os::Darwin, arch: Arch::X64 };

fn asset(name: &str, tag: &str, platform: Platform) -> Result<String, String> {
    let registry = registry();
    let package = registry.get(name).unwrap_or_else(|| panic!("{name}"));
    render(package, tag, platform).map(|r| r.file_name)
}

fn release(repo: &str, asset: &str) -> Location {
    Location::Release { repo: repo.into(), asset: asset.into() }
}

#[test]
fn github_release_with_format_and_checksum_list() {
    let registry = registry();
    let r = render(registry.get("rhysd/actionlint").unwrap(), "v1.7.4", LINUX_X64).unwrap();
    assert_eq!(
        r,
        Rendered {
            artifact: release("rhysd/actionlint", "actionlint_1.7.4_linux_amd64.tar.gz"),
            file_name: "actionlint_1.7.4_linux_amd64.tar.gz".into(),
            format: "tar.gz".into(),
            files: vec![("actionlint".into(), "actionlint".into())],
            checksum: Some(Checksum {
                file: release("rhysd/actionlint", "actionlint_1.7.4_checksums.txt"),
                algorithm: "sha256".into()
            }),
        }
    );
}

#[test]
fn replacements_raw_files_and_version_constraints() {
    assert_eq!(asset("hadolint/hadolint", "v2.12.0", LINUX_X64).unwrap(), "hadolint-Linux-x86_64");
    assert_eq!(asset("hadolint/hadolint", "v2.12.0", MAC_ARM).unwrap(), "hadolint-Darwin-arm64");
    // Below 2.10.0 the override applies (its `supported_if` is not a field den needs).
    assert_eq!(asset("hadolint/hadolint", "v2.9.0", LINUX_X64).unwrap(), "hadolint-Linux-x86_64");
    assert_eq!(asset("getsops/sops", "v3.9.1", LINUX_ARM).unwrap(), "sops-v3.9.1.linux.arm64");
    // Older sops: one asset per OS, amd64 only; Apple silicon runs it under Rosetta 2.
    assert_eq!(asset("getsops/sops", "v3.7.1", LINUX_X64).unwrap(), "sops-v3.7.1.linux");
    assert_eq!(asset("getsops/sops", "v3.7.1", MAC_ARM).unwrap(), "sops-v3.7.1.darwin");
    assert_eq!(
        asset("getsops/sops", "v3.7.1", LINUX_ARM).unwrap_err(),
        "getsops/sops v3.7.1 has no build for linux/arm64 (its supported_envs)"
    );
}

#[test]
fn version_prefix_and_semver() {
    let registry = registry();
    let kustomize = registry.get("kubernetes-sigs/kustomize").unwrap();
    let r = render(kustomize, "kustomize/v5.4.3", LINUX_ARM).unwrap();
    assert_eq!(r.file_name, "kustomize_v5.4.3_linux_arm64.tar.gz");
    assert_eq!(r.checksum.unwrap().file, release("kubernetes-sigs/kustomize", "checksums.txt"));
    assert_eq!(
        render(kustomize, "kustomize/v4.3.0", LINUX_ARM).map(|r| r.file_name),
        Ok("kustomize_v4.3.0_linux_arm64.tar.gz".into())
    );
    assert_eq!(
        asset("kubernetes-sigs/kustomize", "kustomize/v4.4.1", MAC_X64).unwrap(),
        "kustomize_v4.4.1_darwin_amd64.tar.gz"
    );
}

#[test]
fn per_platform_overrides_files_and_sha512() {
    let registry = registry();
    let lychee = registry.get("lycheeverse/lychee").unwrap();
    let r = render(lychee, "lychee-v0.18.1", LINUX_X64);
    assert_eq!(
        r.unwrap_err(),
        "the registry describes no release of lycheeverse/lychee tagged `lychee-v0.18.1`"
    );
    let r = render(lychee, "lychee-v0.20.1", LINUX_ARM).unwrap();
    assert_eq!(r.file_name, "lychee-aarch64-unknown-linux-gnu.tar.gz");
    assert_eq!(
        render(lychee, "lychee-v0.20.1", LINUX_X64).unwrap().file_name,
        "lychee-x86_64-unknown-linux-musl.tar.gz"
    );
    let r = render(lychee, "lychee-v0.25.0", MAC_ARM).unwrap();
    assert_eq!(r.file_name, "lychee-aarch64-apple-darwin.tar.gz");
    assert_eq!(r.files, [("lychee".to_string(), "lychee-aarch64-apple-darwin/lychee".to_string())]);
    assert_eq!(
        render(lychee, "v0.3.1", LINUX_X64).unwrap_err(),
        "lycheeverse/lychee v0.3.1: the registry says it has no asset"
    );
    let cliff = render(registry.get("orhun/git-cliff").unwrap(), "v2.6.1", LINUX_X64).unwrap();
    assert_eq!(cliff.file_name, "git-cliff-2.6.1-x86_64-unknown-linux-musl.tar.gz");
    assert_eq!(cliff.files, [("git-cliff".to_string(), "git-cliff-2.6.1/git-cliff".to_string())]);
    assert_eq!(
        cliff.checksum,
        Some(Checksum {
            file: release("orhun/git-cliff", "git-cliff-2.6.1-x86_64-unknown-linux-musl.tar.gz.sha512"),
            algorithm: "sha512".into()
        })
    );
}

#[test]
fn http_packages() {
    let registry = registry();
    let r = render(registry.get("hashicorp/packer").unwrap(), "v1.11.2", MAC_ARM).unwrap();
    assert_eq!(
        r.artifact,
        Location::Url("https://releases.hashicorp.com/packer/1.11.2/packer_1.11.2_darwin_arm64.zip".into())
    );
    assert_eq!(
        (r.file_name.as_str(), r.format.as_str(), r.checksum),
        ("packer_1.11.2_darwin_arm64.zip", "raw", None)
    );
}

#[test]
fn constraints() {
    use package::holds;
    assert_eq!(holds("semver(\">= 1.2, < 2\")", "v1.9.0"), Ok(true));
    assert_eq!(holds("semver(\">= 1.2, < 2\")", "v2.0.0"), Ok(false));
    assert_eq!(holds("Version == \"v1\" or Version == \"v2\"", "v2"), Ok(true));
    assert_eq!(holds("Version != \"v1\"", "v1"), Ok(false));
    assert_eq!(
        holds("GOOS == \"linux\"", "v1").unwrap_err(),
        "den cannot read the version constraint `GOOS == \"linux\"`"
    );
}

#[test]
fn hostile_registries_are_refused_not_panicked_on() {
    for text in ["packages: [", "packages: 3", "a: &a [*a, *a]", "packages:\n  - files: {}\n"] {
        assert!(Registry::parse(text).is_err(), "{text}");
    }
    let bomb = "a: &a [x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b]\n\
                d: &d [*c, *c, *c, *c, *c, *c, *c, *c]\ne: &e [*d, *d, *d, *d, *d, *d, *d, *d]\nf: [*e, *e, *e, *e, *e, *e, *e, *e]\n\
                packages: []\n";
    let _ = Registry::parse(bomb);
    let evil = "packages:\n  - repo_owner: a\n    repo_name: b\n    asset: x\n    format: tar.gz\n    files:\n      - name: b\n        src: ../../etc/passwd\n";
    let registry = Registry::parse(evil).unwrap();
    assert!(
        render(registry.get("a/b").unwrap(), "v1", LINUX_X64)
            .unwrap_err()
            .contains("not a plain relative path")
    );
}

#[test]
fn short_names_in_the_fixture_render_for_every_platform() {
    let registry = registry();
    let mut rendered = 0;
    for (name, source) in crate::catalog::short::index() {
        let package = source.strip_prefix("aqua:").unwrap();
        let Some(found) = registry.get(package) else { continue };
        let tag = if package.ends_with("kustomize") {
            "kustomize/v5.4.3"
        } else if package.ends_with("lychee") {
            "lychee-v0.20.1"
        } else {
            "v3.9.1"
        };
        render(found, tag, LINUX_X64).unwrap_or_else(|e| panic!("{name}: {e}"));
        rendered += 1;
    }
    assert_eq!(rendered, 8);
}
