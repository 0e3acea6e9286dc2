//! Backend-qualified names another tool writes (`aqua:helm/helm`, `github:cli/cli`,
//! `ubi:BurntSushi/ripgrep`) that are a tool den's catalog defines, or a short name of its
//! index (`aqua:gruntwork-io/terragrunt` is `terragrunt`): the catalog's
//! definition (its verified sources, its checksums) is what den installs, never a guess
//! at a repository that may publish no binaries. Never maps a name the table does not
//! hold: look-alikes stay what they are.

/// `owner/repo` (as the aqua registry and GitHub spell it) → catalog tool.
const KNOWN: &[(&str, &str)] = &[
    ("BurntSushi/ripgrep", "ripgrep"),
    ("Kitware/CMake", "cmake"),
    ("astral-sh/ruff", "ruff"),
    ("astral-sh/uv", "uv"),
    ("biomejs/biome", "biome"),
    ("casey/just", "just"),
    ("cli/cli", "gh"),
    ("denoland/deno", "deno"),
    ("evanw/esbuild", "esbuild"),
    ("golang/go", "go"),
    ("golangci/golangci-lint", "golangci-lint"),
    ("hashicorp/terraform", "terraform"),
    ("helm/helm", "helm"),
    ("jqlang/jq", "jq"),
    ("koalaman/shellcheck", "shellcheck"),
    ("kubernetes/kubectl", "kubectl"),
    ("kubernetes/kubernetes/kubectl", "kubectl"),
    ("mikefarah/yq", "yq"),
    ("mvdan/sh", "shfmt"),
    ("ninja-build/ninja", "ninja"),
    ("nodejs/node", "node"),
    ("oven-sh/bun", "bun"),
    ("pnpm/pnpm", "pnpm"),
    ("protocolbuffers/protobuf", "protoc"),
    ("protocolbuffers/protobuf/protoc", "protoc"),
    ("rust-lang/rust-analyzer", "rust-analyzer"),
    ("sharkdp/bat", "bat"),
    ("sharkdp/fd", "fd"),
    ("stedolan/jq", "jq"),
    ("ziglang/zig", "zig"),
];

/// The catalog tool `kind:target` names, for the backends that name a repository or an
/// aqua package (`aqua`, `github`, `ubi`); `None` for any other.
pub fn catalog_tool(kind: &str, target: &str) -> Option<&'static str> {
    if !matches!(kind, "aqua" | "github" | "ubi") {
        return None;
    }
    let target = target.split(['[', '@']).next().unwrap_or(target);
    let Some(tool) = KNOWN.iter().find(|(repo, _)| repo.eq_ignore_ascii_case(target)).map(|(_, tool)| *tool)
    else {
        // A short name's package (`aqua:gruntwork-io/terragrunt` is den's `terragrunt`).
        let mut index = crate::catalog::short::index().iter();
        return index
            .find(|(_, source)| source.strip_prefix("aqua:").is_some_and(|p| p.eq_ignore_ascii_case(target)))
            .map(|(name, _)| name.as_str());
    };
    crate::catalog::names().find(|n| *n == tool)
}

/// The note saying what was mapped.
pub fn mapped_note(key: &str, tool: &str) -> String {
    format!(
        "`{}` is imported as den's {tool} (the catalog's definition of the same tool)",
        crate::diag::printable(key)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_entry_is_a_catalog_tool() {
        for (repo, tool) in KNOWN {
            assert_eq!(catalog_tool("aqua", repo), Some(*tool), "{repo}");
        }
    }

    #[test]
    fn only_repository_backends_and_known_repositories() {
        assert_eq!(catalog_tool("aqua", "helm/helm"), Some("helm"));
        assert_eq!(catalog_tool("github", "cli/cli"), Some("gh"));
        assert_eq!(catalog_tool("ubi", "BurntSushi/ripgrep[exe=rg]"), Some("ripgrep"));
        assert_eq!(catalog_tool("npm", "helm/helm"), None);
        assert_eq!(catalog_tool("aqua", "terraform-docs/terraform-docs"), Some("terraform-docs"));
        assert_eq!(catalog_tool("aqua", "suzuki-shunsuke/tfcmt"), None);
        assert_eq!(catalog_tool("aqua", "helm/chart-testing"), None);
        assert_eq!(catalog_tool("aqua", "gruntwork-io/terragrunt"), Some("terragrunt"));
        assert_eq!(catalog_tool("github", "rhysd/actionlint"), Some("actionlint"));
    }
}
