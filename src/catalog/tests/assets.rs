//! Rendered asset names, URLs and binary paths against the real upstream names.

use super::*;

fn file_name(tool: &str, tag: &str, platform: Platform) -> String {
    render(tool, 0, tag, platform).0
}

#[test]
fn github_assets_match_the_real_names() {
    for (tool, tag, expected) in [
        (
            "deno",
            "v2.9.5",
            [
                "deno-x86_64-unknown-linux-gnu.zip",
                "deno-aarch64-unknown-linux-gnu.zip",
                "deno-aarch64-apple-darwin.zip",
            ],
        ),
        ("bun", "bun-v1.4.0", ["bun-linux-x64.zip", "bun-linux-aarch64.zip", "bun-darwin-aarch64.zip"]),
        (
            "rust-analyzer",
            "2025-08-25",
            [
                "rust-analyzer-x86_64-unknown-linux-gnu.gz",
                "rust-analyzer-aarch64-unknown-linux-gnu.gz",
                "rust-analyzer-aarch64-apple-darwin.gz",
            ],
        ),
        (
            "ruff",
            "0.16.4",
            [
                "ruff-x86_64-unknown-linux-gnu.tar.gz",
                "ruff-aarch64-unknown-linux-gnu.tar.gz",
                "ruff-aarch64-apple-darwin.tar.gz",
            ],
        ),
        (
            "uv",
            "0.12.5",
            [
                "uv-x86_64-unknown-linux-gnu.tar.gz",
                "uv-aarch64-unknown-linux-gnu.tar.gz",
                "uv-aarch64-apple-darwin.tar.gz",
            ],
        ),
        ("jq", "jq-1.8.1", ["jq-linux-amd64", "jq-linux-arm64", "jq-macos-arm64"]),
        ("yq", "v4.53.6", ["yq_linux_amd64", "yq_linux_arm64", "yq_darwin_arm64"]),
        (
            "ripgrep",
            "15.2.0",
            [
                "ripgrep-15.2.0-x86_64-unknown-linux-musl.tar.gz",
                "ripgrep-15.2.0-aarch64-unknown-linux-gnu.tar.gz",
                "ripgrep-15.2.0-aarch64-apple-darwin.tar.gz",
            ],
        ),
        (
            "fd",
            "v10.4.2",
            [
                "fd-v10.4.2-x86_64-unknown-linux-musl.tar.gz",
                "fd-v10.4.2-aarch64-unknown-linux-musl.tar.gz",
                "fd-v10.4.2-aarch64-apple-darwin.tar.gz",
            ],
        ),
        (
            "bat",
            "v0.26.1",
            [
                "bat-v0.26.1-x86_64-unknown-linux-musl.tar.gz",
                "bat-v0.26.1-aarch64-unknown-linux-musl.tar.gz",
                "bat-v0.26.1-aarch64-apple-darwin.tar.gz",
            ],
        ),
        (
            "gh",
            "v2.98.0",
            ["gh_2.98.0_linux_amd64.tar.gz", "gh_2.98.0_linux_arm64.tar.gz", "gh_2.98.0_macOS_arm64.zip"],
        ),
        (
            "just",
            "1.58.0",
            [
                "just-1.58.0-x86_64-unknown-linux-musl.tar.gz",
                "just-1.58.0-aarch64-unknown-linux-musl.tar.gz",
                "just-1.58.0-aarch64-apple-darwin.tar.gz",
            ],
        ),
        (
            "shellcheck",
            "v0.11.0",
            [
                "shellcheck-v0.11.0.linux.x86_64.tar.xz",
                "shellcheck-v0.11.0.linux.aarch64.tar.xz",
                "shellcheck-v0.11.0.darwin.aarch64.tar.xz",
            ],
        ),
        (
            "shfmt",
            "v3.13.1",
            ["shfmt_v3.13.1_linux_amd64", "shfmt_v3.13.1_linux_arm64", "shfmt_v3.13.1_darwin_arm64"],
        ),
        (
            "golangci-lint",
            "v2.13.1",
            [
                "golangci-lint-2.13.1-linux-amd64.tar.gz",
                "golangci-lint-2.13.1-linux-arm64.tar.gz",
                "golangci-lint-2.13.1-darwin-arm64.tar.gz",
            ],
        ),
        ("biome", "@biomejs/biome@2.5.10", ["biome-linux-x64", "biome-linux-arm64", "biome-darwin-arm64"]),
        (
            "pnpm",
            "v11.22.0",
            ["pnpm-linux-x64.tar.gz", "pnpm-linux-arm64.tar.gz", "pnpm-darwin-arm64.tar.gz"],
        ),
        (
            "cmake",
            "v4.4.2",
            [
                "cmake-4.4.2-linux-x86_64.tar.gz",
                "cmake-4.4.2-linux-aarch64.tar.gz",
                "cmake-4.4.2-macos-universal.tar.gz",
            ],
        ),
        ("ninja", "v1.13.2", ["ninja-linux.zip", "ninja-linux-aarch64.zip", "ninja-mac.zip"]),
        (
            "protoc",
            "v33.0",
            [
                "protoc-33.0-linux-x86_64.zip",
                "protoc-33.0-linux-aarch_64.zip",
                "protoc-33.0-osx-aarch_64.zip",
            ],
        ),
        (
            "postgres",
            "18.6.0",
            [
                "postgresql-18.6.0-x86_64-unknown-linux-gnu.tar.gz",
                "postgresql-18.6.0-aarch64-unknown-linux-gnu.tar.gz",
                "postgresql-18.6.0-aarch64-apple-darwin.tar.gz",
            ],
        ),
    ] {
        let got = [LX, LA, DA].map(|p| file_name(tool, tag, p));
        assert_eq!(got, expected, "{tool}");
        let tool = get(tool).unwrap();
        assert!(matches!(tool.sources[0].kind, SourceKind::Github { .. }), "{}", tool.name);
    }
}

#[test]
fn url_templates_render_the_real_urls() {
    for (tool, tag, platform, url) in [
        ("node", "v22.12.0", LX, "https://nodejs.org/dist/v22.12.0/node-v22.12.0-linux-x64.tar.xz"),
        ("node", "v22.12.0", LA, "https://nodejs.org/dist/v22.12.0/node-v22.12.0-linux-arm64.tar.xz"),
        ("go", "go1.24.4", LX, "https://go.dev/dl/go1.24.4.linux-amd64.tar.gz"),
        ("go", "go1.24.4", LA, "https://go.dev/dl/go1.24.4.linux-arm64.tar.gz"),
        ("go", "go1.24.4", DA, "https://go.dev/dl/go1.24.4.darwin-arm64.tar.gz"),
        (
            "python",
            "3.12.14+20260814",
            LX,
            "https://github.com/astral-sh/python-build-standalone/releases/download/20260814/cpython-3.12.14+20260814-x86_64-unknown-linux-gnu-install_only_stripped.tar.gz",
        ),
        (
            "python",
            "3.13.15+20260814",
            LA,
            "https://github.com/astral-sh/python-build-standalone/releases/download/20260814/cpython-3.13.15+20260814-aarch64-unknown-linux-gnu-install_only_stripped.tar.gz",
        ),
        ("zig", "0.15.2", LX, "https://ziglang.org/download/0.15.2/zig-x86_64-linux-0.15.2.tar.xz"),
        ("zig", "0.15.2", LA, "https://ziglang.org/download/0.15.2/zig-aarch64-linux-0.15.2.tar.xz"),
        ("zig", "0.15.2", DA, "https://ziglang.org/download/0.15.2/zig-aarch64-macos-0.15.2.tar.xz"),
        (
            "terraform",
            "1.9.8",
            LX,
            "https://releases.hashicorp.com/terraform/1.9.8/terraform_1.9.8_linux_amd64.zip",
        ),
        (
            "terraform",
            "1.9.8",
            LA,
            "https://releases.hashicorp.com/terraform/1.9.8/terraform_1.9.8_linux_arm64.zip",
        ),
        ("kubectl", "v1.36.4", LX, "https://dl.k8s.io/release/v1.36.4/bin/linux/amd64/kubectl"),
        ("kubectl", "v1.36.4", LA, "https://dl.k8s.io/release/v1.36.4/bin/linux/arm64/kubectl"),
        ("kubectl", "v1.36.4", DA, "https://dl.k8s.io/release/v1.36.4/bin/darwin/arm64/kubectl"),
        ("helm", "v4.2.4", LX, "https://get.helm.sh/helm-v4.2.4-linux-amd64.tar.gz"),
        ("helm", "v4.2.4", LA, "https://get.helm.sh/helm-v4.2.4-linux-arm64.tar.gz"),
    ] {
        assert_eq!(render(tool, 0, tag, platform).1.as_deref(), Some(url), "{tool} {platform}");
    }
    // Zig before 0.14.1 put the os first: the fallback.
    assert_eq!(render("zig", 1, "0.13.0", LX).0, "zig-linux-x86_64-0.13.0.tar.xz");
}

#[test]
fn binaries_sit_where_the_archives_put_them() {
    for (tool, tag, platform, bins) in [
        (
            "node",
            "v22.12.0",
            LX,
            &[
                "node-v22.12.0-linux-x64/bin/node",
                "node-v22.12.0-linux-x64/bin/npm",
                "node-v22.12.0-linux-x64/bin/npx",
            ][..],
        ),
        ("go", "go1.24.4", LX, &["go/bin/go", "go/bin/gofmt"]),
        ("python", "3.12.14+20260814", LX, &["python/bin/python3", "python/bin/python", "python/bin/pip3"]),
        ("zig", "0.15.2", LX, &["zig-x86_64-linux-0.15.2/zig"]),
        ("ripgrep", "15.2.0", LX, &["ripgrep-15.2.0-x86_64-unknown-linux-musl/rg"]),
        ("bun", "bun-v1.4.0", LA, &["bun-linux-aarch64/bun", "bun-linux-aarch64/bunx"]),
        ("gh", "v2.98.0", DA, &["gh_2.98.0_macOS_arm64/bin/gh"]),
        ("helm", "v4.2.4", LX, &["linux-amd64/helm"]),
        (
            "cmake",
            "v4.4.2",
            DA,
            &[
                "cmake-4.4.2-macos-universal/CMake.app/Contents/bin/cmake",
                "cmake-4.4.2-macos-universal/CMake.app/Contents/bin/ctest",
                "cmake-4.4.2-macos-universal/CMake.app/Contents/bin/cpack",
            ],
        ),
        ("ruff", "0.6.9", LX, &["ruff-x86_64-unknown-linux-gnu/ruff"]),
    ] {
        assert_eq!(render(tool, 0, tag, platform).2, bins, "{tool}");
    }
}
