//! Asset choice over real release asset lists (names from the upstream notes'
//! github-tools.tsv and the projects' release pages).

use super::*;

const LX: Platform = Platform { os: Os::Linux, arch: Arch::X64 };
const LA: Platform = Platform { os: Os::Linux, arch: Arch::Arm64 };
const DA: Platform = Platform { os: Os::Darwin, arch: Arch::Arm64 };
const DX: Platform = Platform { os: Os::Darwin, arch: Arch::X64 };
const GLIBC: Option<Libc> = Some(Libc::Glibc(2, 36));
const MUSL: Option<Libc> = Some(Libc::Musl(1, 2));

fn pick<'a>(names: &[&'a str], platform: Platform, libc: Option<Libc>) -> Option<&'a str> {
    choose(names.iter().copied(), platform, libc)
}

#[test]
fn rust_triples_prefer_gnu_on_glibc_and_musl_on_musl() {
    let uv = [
        "dist-manifest.json",
        "sha256.sum",
        "source.tar.gz",
        "source.tar.gz.sha256",
        "uv-installer.ps1",
        "uv-installer.sh",
        "uv-aarch64-apple-darwin.tar.gz",
        "uv-aarch64-apple-darwin.tar.gz.sha256",
        "uv-aarch64-unknown-linux-gnu.tar.gz",
        "uv-aarch64-unknown-linux-musl.tar.gz",
        "uv-armv7-unknown-linux-gnueabihf.tar.gz",
        "uv-i686-unknown-linux-gnu.tar.gz",
        "uv-powerpc64le-unknown-linux-gnu.tar.gz",
        "uv-x86_64-apple-darwin.tar.gz",
        "uv-x86_64-pc-windows-msvc.zip",
        "uv-x86_64-unknown-linux-gnu.tar.gz",
        "uv-x86_64-unknown-linux-gnu.tar.gz.sha256",
        "uv-x86_64-unknown-linux-musl.tar.gz",
    ];
    assert_eq!(pick(&uv, LX, GLIBC), Some("uv-x86_64-unknown-linux-gnu.tar.gz"));
    assert_eq!(pick(&uv, LX, MUSL), Some("uv-x86_64-unknown-linux-musl.tar.gz"));
    assert_eq!(pick(&uv, LA, GLIBC), Some("uv-aarch64-unknown-linux-gnu.tar.gz"));
    assert_eq!(pick(&uv, DA, None), Some("uv-aarch64-apple-darwin.tar.gz"));
    assert_eq!(pick(&uv, DX, None), Some("uv-x86_64-apple-darwin.tar.gz"));
    assert_eq!(
        checksum_asset("uv-x86_64-unknown-linux-gnu.tar.gz", uv.iter().copied()),
        Some("uv-x86_64-unknown-linux-gnu.tar.gz.sha256")
    );
    assert_eq!(checksum_asset("uv-x86_64-unknown-linux-musl.tar.gz", uv.iter().copied()), Some("sha256.sum"));
}

#[test]
fn ripgrep_has_only_musl_for_x64_and_debs_are_skipped() {
    let rg = [
        "ripgrep-15.2.0-aarch64-apple-darwin.tar.gz",
        "ripgrep-15.2.0-aarch64-apple-darwin.tar.gz.sha256",
        "ripgrep-15.2.0-aarch64-unknown-linux-gnu.tar.gz",
        "ripgrep-15.2.0-x86_64-unknown-linux-musl.tar.gz",
        "ripgrep-15.2.0-x86_64-pc-windows-msvc.zip",
        "ripgrep_15.2.0-1_amd64.deb",
        "ripgrep_15.2.0-1_amd64.deb.sha256",
        "ripgrep-15.2.0-armv7-unknown-linux-gnueabihf.tar.gz",
        "ripgrep-15.2.0-s390x-unknown-linux-gnu.tar.gz",
    ];
    assert_eq!(pick(&rg, LX, GLIBC), Some("ripgrep-15.2.0-x86_64-unknown-linux-musl.tar.gz"));
    assert_eq!(pick(&rg, LX, MUSL), Some("ripgrep-15.2.0-x86_64-unknown-linux-musl.tar.gz"));
    assert_eq!(pick(&rg, LA, MUSL), None, "a gnu build does not run on musl");
    assert_eq!(pick(&rg, DX, None), None);
}

#[test]
fn goreleaser_names_and_checksum_lists() {
    let gh = [
        "gh_2.98.0_checksums.txt",
        "gh_2.98.0_linux_386.tar.gz",
        "gh_2.98.0_linux_amd64.deb",
        "gh_2.98.0_linux_amd64.rpm",
        "gh_2.98.0_linux_amd64.tar.gz",
        "gh_2.98.0_linux_arm64.tar.gz",
        "gh_2.98.0_linux_armv6.tar.gz",
        "gh_2.98.0_macOS_amd64.zip",
        "gh_2.98.0_macOS_arm64.zip",
        "gh_2.98.0_windows_amd64.msi",
        "gh_2.98.0_windows_arm64.zip",
    ];
    assert_eq!(pick(&gh, LX, GLIBC), Some("gh_2.98.0_linux_amd64.tar.gz"));
    assert_eq!(pick(&gh, LA, GLIBC), Some("gh_2.98.0_linux_arm64.tar.gz"));
    assert_eq!(pick(&gh, DA, None), Some("gh_2.98.0_macOS_arm64.zip"));
    assert_eq!(
        checksum_asset("gh_2.98.0_linux_amd64.tar.gz", gh.iter().copied()),
        Some("gh_2.98.0_checksums.txt")
    );
    let golangci = [
        "golangci-lint-2.13.1-checksums.txt",
        "golangci-lint-2.13.1-linux-amd64.deb",
        "golangci-lint-2.13.1-linux-amd64.tar.gz",
        "golangci-lint-2.13.1-linux-amd64.tar.gz.sbom.json",
        "golangci-lint-2.13.1-darwin-arm64.tar.gz",
        "golangci-lint-2.13.1-source.tar.gz",
    ];
    assert_eq!(pick(&golangci, LX, GLIBC), Some("golangci-lint-2.13.1-linux-amd64.tar.gz"));
    assert_eq!(checksum_asset("x", golangci.iter().copied()), Some("golangci-lint-2.13.1-checksums.txt"));
}

#[test]
fn bare_executables_signatures_and_other_oses() {
    let jq = [
        "jq-linux-amd64",
        "jq-linux-arm64",
        "jq-linux-i386",
        "jq-macos-arm64",
        "jq-windows-amd64.exe",
        "sha256sum.txt",
        "jq-1.8.1.tar.gz",
    ];
    assert_eq!(pick(&jq, LX, GLIBC), Some("jq-linux-amd64"));
    assert_eq!(pick(&jq, DA, None), Some("jq-macos-arm64"));
    assert_eq!(checksum_asset("jq-linux-amd64", jq.iter().copied()), Some("sha256sum.txt"));
    let yq = [
        "checksums",
        "checksums-bsd",
        "checksums_hashes_order",
        "yq_linux_amd64",
        "yq_linux_amd64.tar.gz",
        "yq_darwin_arm64",
        "yq_windows_amd64.exe",
        "yq_linux_amd64.sig",
    ];
    assert_eq!(pick(&yq, LX, GLIBC), Some("yq_linux_amd64"), "equal fits: the shorter name");
    let biome = [
        "biome-linux-x64",
        "biome-linux-x64-musl",
        "biome-linux-arm64",
        "biome-darwin-arm64",
        "biome-win32-x64.exe",
        "biome-linux-x64.intoto.jsonl",
        "biome-linux-x64.pem",
    ];
    assert_eq!(pick(&biome, LX, GLIBC), Some("biome-linux-x64"));
    assert_eq!(pick(&biome, LX, MUSL), Some("biome-linux-x64-musl"));
}

#[test]
fn variants_universal_builds_and_unnamed_arches() {
    let bun = [
        "bun-linux-x64.zip",
        "bun-linux-x64-baseline.zip",
        "bun-linux-x64-musl.zip",
        "bun-linux-x64-profile.zip",
        "bun-linux-aarch64.zip",
        "bun-darwin-aarch64.zip",
        "SHASUMS256.txt",
        "SHASUMS256.txt.asc",
    ];
    assert_eq!(pick(&bun, LX, GLIBC), Some("bun-linux-x64.zip"));
    assert_eq!(pick(&bun, LA, GLIBC), Some("bun-linux-aarch64.zip"));
    assert_eq!(checksum_asset("bun-linux-x64.zip", bun.iter().copied()), Some("SHASUMS256.txt"));
    let ninja = [
        "ninja-linux.zip",
        "ninja-linux-aarch64.zip",
        "ninja-mac.zip",
        "ninja-win.zip",
        "ninja-winarm64.zip",
    ];
    assert_eq!(pick(&ninja, LX, GLIBC), Some("ninja-linux.zip"));
    assert_eq!(pick(&ninja, LA, GLIBC), Some("ninja-linux-aarch64.zip"));
    assert_eq!(pick(&ninja, DA, None), Some("ninja-mac.zip"));
    let cmake = [
        "cmake-4.4.2-linux-x86_64.tar.gz",
        "cmake-4.4.2-linux-aarch64.tar.gz",
        "cmake-4.4.2-linux-x86_64.sh",
        "cmake-4.4.2-macos-universal.tar.gz",
        "cmake-4.4.2-macos-universal.dmg",
        "cmake-4.4.2.tar.gz",
        "cmake-4.4.2-SHA-256.txt",
    ];
    assert_eq!(pick(&cmake, LX, GLIBC), Some("cmake-4.4.2-linux-x86_64.tar.gz"));
    assert_eq!(pick(&cmake, DA, None), Some("cmake-4.4.2-macos-universal.tar.gz"));
    let protoc = [
        "protoc-33.0-linux-x86_64.zip",
        "protoc-33.0-linux-aarch_64.zip",
        "protoc-33.0-linux-x86_32.zip",
        "protoc-33.0-osx-aarch_64.zip",
        "protoc-33.0-osx-universal_binary.zip",
        "protoc-33.0-win64.zip",
        "protobuf-33.0.tar.gz",
    ];
    assert_eq!(pick(&protoc, LA, GLIBC), Some("protoc-33.0-linux-aarch_64.zip"));
    assert_eq!(pick(&protoc, DA, None), Some("protoc-33.0-osx-aarch_64.zip"));
    assert_eq!(pick(&protoc, DX, None), Some("protoc-33.0-osx-universal_binary.zip"));
    let shellcheck = [
        "shellcheck-v0.11.0.linux.x86_64.tar.xz",
        "shellcheck-v0.11.0.linux.aarch64.tar.xz",
        "shellcheck-v0.11.0.linux.armv6hf.tar.xz",
        "shellcheck-v0.11.0.darwin.aarch64.tar.xz",
        "shellcheck-v0.11.0.zip",
    ];
    assert_eq!(pick(&shellcheck, LX, GLIBC), Some("shellcheck-v0.11.0.linux.x86_64.tar.xz"));
    let ra = [
        "rust-analyzer-x86_64-unknown-linux-gnu.gz",
        "rust-analyzer-x86_64-unknown-linux-musl.gz",
        "rust-analyzer-linux-x64.vsix",
        "rust-analyzer-aarch64-apple-darwin.gz",
    ];
    assert_eq!(pick(&ra, LX, GLIBC), Some("rust-analyzer-x86_64-unknown-linux-gnu.gz"));
    let fd = [
        "fd-v10.4.2-x86_64-unknown-linux-gnu.tar.gz",
        "fd-v10.4.2-x86_64-unknown-linux-musl.tar.gz",
        "fd-v10.4.2-x86_64_v3-unknown-linux-gnu.tar.gz",
        "fd_10.4.2_amd64.deb",
    ];
    assert_eq!(pick(&fd, LX, GLIBC), Some("fd-v10.4.2-x86_64-unknown-linux-gnu.tar.gz"));
}
