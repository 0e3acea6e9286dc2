//! rustup's toolchain files: `rust-toolchain.toml` (`[toolchain] channel = "1.83"`, with
//! `components`, `targets`, `profile`) and the older `rust-toolchain`, either that TOML or
//! one line naming the channel. A release (`1.83`, `1.83.0`) or `stable` imports as den's
//! `rust`.
//!
//! Decisions: den installs one toolchain per project, stable releases only: `beta`,
//! `nightly` and dated channels are refused with a note, as is a `path` (a toolchain on
//! disk). den always installs rustc, cargo, rust-std, rustfmt and clippy (rustup's default
//! profile without the docs), so `profile` says nothing; other `components` and any
//! `targets` (other standard libraries) are noted as not installed.

use super::File;
use super::text::meaningful;

/// Components den installs whatever a file asks (their names with and without `-preview`).
const INSTALLED: &[&str] =
    &["rustc", "cargo", "rust-std", "rustfmt", "rustfmt-preview", "clippy", "clippy-preview"];

/// `rust-toolchain.toml`.
pub fn toml_file(text: &str, file: &mut File) {
    let doc: toml::Table = match text.parse() {
        Ok(doc) => doc,
        Err(e) => {
            let line = e.span().map_or(0, |s| text[..s.start.min(text.len())].lines().count().max(1));
            return file.reject(line, format!("it is not TOML ({})", e.message()));
        }
    };
    let Some(toolchain) = doc.get("toolchain").and_then(toml::Value::as_table) else {
        return file.reject(0, "it has no `[toolchain]` table");
    };
    let line = |key: &str| text.lines().position(|l| l.trim_start().starts_with(key)).map_or(1, |i| i + 1);
    if toolchain.contains_key("path") {
        return file.reject(line("path"), "its `path` names a toolchain on disk, which den does not use");
    }
    let Some(channel) = toolchain.get("channel").and_then(toml::Value::as_str) else {
        return file.reject(0, "its `[toolchain]` names no `channel`");
    };
    channel_of(channel, line("channel"), file);
    if file.rejected {
        return;
    }
    let words = |key: &str| -> Vec<String> {
        let list = toolchain.get(key).and_then(toml::Value::as_array);
        list.into_iter().flatten().filter_map(toml::Value::as_str).map(str::to_string).collect()
    };
    let others: Vec<String> =
        words("components").into_iter().filter(|c| !INSTALLED.contains(&c.as_str())).collect();
    if !others.is_empty() {
        file.note(
            line("components"),
            format!(
                "components {} are not installed: den installs rustc, cargo, rust-std, rustfmt and clippy",
                quoted(&others)
            ),
        );
    }
    let targets = words("targets");
    if !targets.is_empty() {
        file.note(
            line("targets"),
            format!(
                "targets {} are not installed: den installs the standard library of this machine's target only",
                quoted(&targets)
            ),
        );
    }
}

/// `rust-toolchain`: the TOML form, or the channel on its first line.
pub fn plain_file(text: &str, file: &mut File) {
    if text.lines().any(|l| l.trim() == "[toolchain]") {
        return toml_file(text, file);
    }
    let Some((line, channel)) = meaningful(text).next() else { return file.reject(0, "it is empty") };
    channel_of(channel.trim(), line, file);
}

/// Imports the channel `raw`, or rejects the file with why not.
fn channel_of(raw: &str, line: usize, file: &mut File) {
    let lower = raw.to_ascii_lowercase();
    if lower.starts_with("beta") || lower.starts_with("nightly") {
        return file
            .reject(line, format!("`{raw}` is a pre-release channel; den installs stable releases of rust"));
    }
    if lower.contains('-') {
        return file.reject(
            line,
            format!("`{raw}` names a host or a date; den installs stable releases for this machine, such as `1.83`"),
        );
    }
    if file.add("rust", raw, None, line).is_err() {
        file.reject(
            line,
            format!("`{raw}` is not a channel den reads; it installs releases such as `1.83` or `stable`"),
        );
    }
}

fn quoted(words: &[String]) -> String {
    words.iter().map(|w| format!("`{w}`")).collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(f: fn(&str, &mut File), text: &str) -> File {
        let mut file = File::new(std::path::Path::new("rust-toolchain.toml"));
        f(text, &mut file);
        file
    }

    #[test]
    fn a_release_channel_imports_and_extra_components_are_noted() {
        let file = read(
            toml_file,
            "[toolchain]\nchannel = \"1.83\"\ncomponents = [\"rustfmt\", \"clippy\", \"rust-src\"]\ntargets = [\"wasm32-unknown-unknown\"]\nprofile = \"minimal\"\n",
        );
        assert!(!file.rejected);
        assert_eq!((file.tools[0].name.as_str(), file.tools[0].version.as_str()), ("rust", "1.83"));
        let notes: Vec<String> = file.notes.iter().map(|n| format!("{}: {}", n.line, n.text)).collect();
        assert_eq!(
            notes,
            [
                "3: components `rust-src` are not installed: den installs rustc, cargo, rust-std, rustfmt and clippy",
                "4: targets `wasm32-unknown-unknown` are not installed: den installs the standard library of this machine's target only",
            ]
        );
    }

    #[test]
    fn the_plain_file_is_one_channel_or_the_toml_form() {
        let file = read(plain_file, "1.82.0\n");
        assert_eq!(file.tools[0].version, "1.82.0");
        let file = read(plain_file, "[toolchain]\nchannel = \"stable\"\n");
        assert_eq!(file.tools[0].version, "stable");
        for bad in
            ["nightly-2024-11-01\n", "beta\n", "1.83.0-x86_64-unknown-linux-gnu\n", "my-toolchain\n", ""]
        {
            let file = read(plain_file, bad);
            assert!(file.rejected && file.tools.is_empty(), "{bad:?}");
        }
        let file = read(toml_file, "[toolchain]\npath = \"/opt/rust\"\n");
        assert!(file.rejected && file.notes[0].text.contains("`path`"), "{:?}", file.notes);
    }
}
