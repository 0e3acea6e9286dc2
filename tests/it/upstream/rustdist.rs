//! The Rust dist server under `/static.rust-lang.org/dist/` in its recorded layout: a channel
//! manifest per release (`channel-rust-1.83.0.toml`, `channel-rust-1.83.toml` and
//! `channel-rust-stable.toml` for the newest of theirs), TOML with `[pkg.<name>]` tables
//! (`version` the release for `rustc`, cargo's own for `cargo`) and per target triple
//! `available`, `url`/`hash` (gzip) and `xz_url`/`xz_hash`; component tarballs under a
//! dated directory (`dist/2024-11-28/cargo-1.83.0-x86_64-unknown-linux-gnu.tar.xz`), each
//! one top directory named like the file holding `components`, `install.sh`,
//! `rust-installer-version` and a `<component>/` tree with its `manifest.in`.

use sha2::{Digest, Sha256};

use super::State;
use super::archives::{self, Entry, hex};

const TRIPLES: &[&str] =
    &["x86_64-unknown-linux-gnu", "aarch64-unknown-linux-gnu", "x86_64-apple-darwin", "aarch64-apple-darwin"];

/// The manifest's package name, the tarball's name stem, and its component's tree for
/// release `version` and target `triple`.
fn packages(version: &str, triple: &str) -> Vec<(String, String, String, Vec<Entry>)> {
    let script = |name: &str, what: &str| {
        Entry::exe(name, format!("#!/bin/sh\necho \"{what} {version} CARGO_HOME=$CARGO_HOME\"\n"))
    };
    let std = format!("rust-std-{triple}");
    vec![
        (
            "rustc".into(),
            "rustc".into(),
            "rustc".into(),
            vec![
                script("bin/rustc", "rustc"),
                script("bin/rustdoc", "rustdoc"),
                Entry::file("lib/librustc_driver.so", "ELF", 0o644),
                Entry::file(&format!("lib/rustlib/{triple}/bin/rust-lld"), "ELF", 0o755),
            ],
        ),
        (
            "cargo".into(),
            "cargo".into(),
            "cargo".into(),
            vec![
                // cargo runs the rustc on PATH, as the real one does.
                Entry::exe(
                    "bin/cargo",
                    "#!/bin/sh\nif [ \"$1\" = install ]; then mkdir -p \"$CARGO_HOME/bin\" && printf '#!/bin/sh\\necho installed\\n' > \"$CARGO_HOME/bin/$2\" && chmod +x \"$CARGO_HOME/bin/$2\"; exit; fi\nrustc\n",
                ),
                Entry::file("share/doc/cargo/README.md", "cargo\n", 0o644),
            ],
        ),
        (
            "rust-std".into(),
            "rust-std".into(),
            std.clone(),
            vec![Entry::file(&format!("lib/rustlib/{triple}/lib/libstd.rlib"), "!<arch>\n", 0o644)],
        ),
        (
            "rustfmt-preview".into(),
            "rustfmt".into(),
            "rustfmt-preview".into(),
            vec![script("bin/rustfmt", "rustfmt"), script("bin/cargo-fmt", "cargo-fmt")],
        ),
        (
            "clippy-preview".into(),
            "clippy".into(),
            "clippy-preview".into(),
            vec![script("bin/cargo-clippy", "clippy"), script("bin/clippy-driver", "clippy-driver")],
        ),
    ]
}

/// Publishes release `version` (`1.83.0`), dated `date`, as its own channel's, its minor
/// line's and (when `stable`) the stable channel's manifest.
pub fn publish(state: &mut State, version: &str, date: &str, stable: bool) {
    let mut manifest = format!("manifest-version = \"2\"\ndate = \"{date}\"\n");
    let mut tables: Vec<(String, String)> = Vec::new();
    for triple in TRIPLES {
        for (pkg, stem, component, tree) in packages(version, triple) {
            let top = format!("{stem}-{version}-{triple}");
            let mut entries = vec![
                Entry::file(&format!("{top}/components"), format!("{component}\n"), 0o644),
                Entry::exe(
                    &format!("{top}/install.sh"),
                    "#!/bin/sh\necho install.sh must not run >&2\nexit 1\n",
                ),
                Entry::file(&format!("{top}/rust-installer-version"), "3\n", 0o644),
                Entry::file(&format!("{top}/{component}/manifest.in"), "file:bin/x\n", 0o644),
            ];
            for entry in tree {
                entries.push(entry.under(&format!("{top}/{component}")));
            }
            let name = format!("{top}.tar.xz");
            let body = archives::build(&name, &entries);
            let hash = hex(&Sha256::digest(&body));
            state.put(&format!("/static.rust-lang.org/dist/{date}/{name}"), body, "application/x-xz");
            let url = format!("https://static.rust-lang.org/dist/{date}/{name}");
            tables.push((
                pkg.clone(),
                format!(
                    "[pkg.{pkg}.target.{triple}]\navailable = true\nurl = \"{}\"\nhash = \"{}\"\nxz_url = \"{url}\"\nxz_hash = \"{hash}\"\n",
                    url.replace(".tar.xz", ".tar.gz"),
                    "0".repeat(64)
                ),
            ));
        }
    }
    for pkg in ["cargo", "clippy-preview", "rust-std", "rustc", "rustfmt-preview"] {
        let shown = if pkg == "cargo" {
            "0.84.0 (66221abde 2024-11-19)".to_string()
        } else {
            format!("{version} (90b35a623 {date})")
        };
        manifest.push_str(&format!("[pkg.{pkg}]\nversion = \"{shown}\"\n"));
        for (_, table) in tables.iter().filter(|(p, _)| p == pkg) {
            manifest.push_str(table);
        }
    }
    // A target this release does not have, as the real manifests list many.
    manifest.push_str("[pkg.rustc.target.wasm32-unknown-unknown]\navailable = false\n");
    manifest
        .push_str("[renames.clippy]\nto = \"clippy-preview\"\n[renames.rustfmt]\nto = \"rustfmt-preview\"\n");
    manifest.push_str("[profiles]\nminimal = [\"rustc\", \"cargo\", \"rust-std\"]\n");
    let minor = version.rsplit_once('.').map(|(m, _)| m).unwrap_or(version);
    let mut channels = vec![version.to_string(), minor.to_string()];
    if stable {
        channels.push("stable".into());
    }
    for channel in channels {
        state.put(
            &format!("/static.rust-lang.org/dist/channel-rust-{channel}.toml"),
            manifest.clone().into_bytes(),
            "application/toml",
        );
    }
}
