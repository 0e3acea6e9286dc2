//! Choosing a release asset by its name when the definition gives no template
//! (`source = "github:owner/repo"` in den.toml): os, arch and libc words, skipping
//! checksums, signatures, SBOMs, source archives, installers and other platforms. Also
//! finds the release's checksum file. Pure name work, no I/O.

use crate::catalog::{Arch, Os, Platform};
use crate::resolve::host::Libc;

/// Suffixes of files that are never the artifact.
const NOT_ARTIFACTS: &[&str] = &[
    ".sha256",
    ".sha256sum",
    ".sha512",
    ".sha512sum",
    ".sha1",
    ".md5",
    ".sig",
    ".asc",
    ".pem",
    ".cert",
    ".crt",
    ".minisig",
    ".sbom",
    ".sbom.json",
    ".spdx",
    ".spdx.json",
    ".intoto.jsonl",
    ".bundle",
    ".json",
    ".txt",
    ".deb",
    ".rpm",
    ".apk",
    ".msi",
    ".exe",
    ".pkg",
    ".dmg",
    ".sh",
    ".ps1",
    ".vsix",
    ".appimage",
    ".snap",
    ".flatpak",
    ".nupkg",
    ".7z",
    ".yml",
    ".yaml",
    ".md",
    ".pdb",
];
/// Words naming another operating system.
const OTHER_OS: &[&str] = &[
    "windows",
    "win",
    "win32",
    "win64",
    "msvc",
    "mingw",
    "freebsd",
    "netbsd",
    "openbsd",
    "dragonfly",
    "android",
    "illumos",
    "solaris",
    "sunos",
    "aix",
    "ios",
    "wasm",
    "wasi",
    "emscripten",
];
/// Words naming another CPU.
const OTHER_ARCH: &[&str] = &[
    "386",
    "i386",
    "i586",
    "i686",
    "x86",
    "x32",
    "ia32",
    "arm",
    "armv5",
    "armv6",
    "armv6l",
    "armv7",
    "armv7l",
    "armhf",
    "armel",
    "arm32",
    "ppc",
    "ppc64",
    "ppc64le",
    "powerpc",
    "powerpc64le",
    "s390x",
    "riscv64",
    "riscv64gc",
    "mips",
    "mipsel",
    "mips64",
    "mips64el",
    "mips64le",
    "loong64",
    "loongarch64",
    "sparc",
    "sparcv9",
];
/// Words of source archives and other non-binaries.
const NOT_BINARIES: &[&str] = &["src", "source", "sources", "vendor", "docs", "doc", "man", "completions"];

/// The tokens of an asset name, with the many spellings of an arch folded into den's.
pub fn tokens(name: &str) -> Vec<String> {
    let mut lower = name.to_ascii_lowercase();
    for (from, to) in [
        ("x86_64", "-x64-"),
        ("x86-64", "-x64-"),
        ("aarch_64", "-arm64-"),
        ("aarch64", "-arm64-"),
        ("amd64", "-x64-"),
        ("universal_binary", "universal"),
    ] {
        lower = lower.replace(from, to);
    }
    lower.split(|c: char| !c.is_ascii_alphanumeric()).filter(|t| !t.is_empty()).map(str::to_string).collect()
}

fn has_os(tokens: &[String], os: Os) -> bool {
    let words: &[&str] = match os {
        Os::Linux => &["linux"],
        Os::Darwin => &["darwin", "apple", "macos", "osx", "mac", "macosx"],
    };
    tokens.iter().any(|t| words.contains(&t.as_str()))
}

/// How well an asset fits, higher is better; `None` when it does not fit at all.
pub fn fit(name: &str, platform: Platform, libc: Option<Libc>) -> Option<(u8, u8, u8, i64)> {
    let lower = name.to_ascii_lowercase();
    if NOT_ARTIFACTS.iter().any(|s| lower.ends_with(s)) || is_checksum_list(&lower) {
        return None;
    }
    let t = tokens(name);
    let other_os = if platform.os == Os::Linux { Os::Darwin } else { Os::Linux };
    if !has_os(&t, platform.os) || has_os(&t, other_os) {
        return None;
    }
    if t.iter().any(|w| OTHER_OS.contains(&w.as_str()) || NOT_BINARIES.contains(&w.as_str())) {
        return None;
    }
    let (mine, theirs) = match platform.arch {
        Arch::X64 => ("x64", "arm64"),
        Arch::Arm64 => ("arm64", "x64"),
    };
    let universal = t.iter().any(|w| w.starts_with("universal"));
    if t.iter().any(|w| w == theirs || OTHER_ARCH.contains(&w.as_str())) && !universal {
        return None;
    }
    // An asset naming no arch is taken as x64 on Linux (`ninja-linux.zip`) and as a
    // universal build on macOS.
    let arch = match (t.iter().any(|w| w == mine), universal, platform.os) {
        (true, _, _) => 2,
        (false, true, _) => 1,
        (false, false, Os::Darwin) => 1,
        (false, false, Os::Linux) if platform.arch == Arch::X64 => 1,
        _ => return None,
    };
    let gnu = t.iter().any(|w| w == "gnu" || w == "glibc");
    let musl = t.iter().any(|w| w == "musl");
    let libc_rank = match libc {
        Some(Libc::Musl(..)) if gnu => return None,
        Some(Libc::Musl(..)) if musl => 2,
        Some(Libc::Musl(..)) => 1,
        _ if musl => 1,
        _ => 2,
    };
    // Variants such as `-baseline`, `-profile`, `x86_64_v3` lose to the plain build.
    let plain =
        !t.iter().any(|w| ["baseline", "profile", "debug", "v2", "v3", "v4", "static"].contains(&w.as_str()));
    Some((libc_rank, arch, plain as u8, -(name.len() as i64)))
}

/// The best-fitting name among `names`.
pub fn choose<'a>(
    names: impl IntoIterator<Item = &'a str>,
    platform: Platform,
    libc: Option<Libc>,
) -> Option<&'a str> {
    names.into_iter().filter_map(|n| fit(n, platform, libc).map(|score| (score, n))).max().map(|(_, n)| n)
}

fn is_checksum_list(lower: &str) -> bool {
    lower.contains("checksum")
        || lower.contains("sha256sum")
        || lower.contains("shasum")
        || lower == "sha256sums"
}

/// The checksum file among a release's assets for `asset`: its sidecar first, then a list.
pub fn checksum_asset<'a>(asset: &str, names: impl IntoIterator<Item = &'a str> + Clone) -> Option<&'a str> {
    for suffix in [".sha256", ".sha256sum", ".sha256.txt"] {
        let want = format!("{asset}{suffix}");
        if let Some(n) = names.clone().into_iter().find(|n| *n == want) {
            return Some(n);
        }
    }
    let lists =
        ["sha256sums", "sha256sums.txt", "checksums.txt", "sha256sum.txt", "shasums256.txt", "sha256.sum"];
    if let Some(n) = names.clone().into_iter().find(|n| lists.contains(&n.to_ascii_lowercase().as_str())) {
        return Some(n);
    }
    names.into_iter().find(|n| {
        let l = n.to_ascii_lowercase();
        l.ends_with("checksums.txt") || l.ends_with("checksums") || l.ends_with("sha256sums.txt")
    })
}

#[cfg(test)]
mod tests;
