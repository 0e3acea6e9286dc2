//! The one-tool files: `.nvmrc` and `.node-version` (nvm, fnm, nodenv), `.python-version`
//! (pyenv), `.go-version` (goenv). One version on the first line that says something
//! (comments, blanks, CR and surrounding quotes dropped); a file whose version is not one
//! is rejected as a whole, with one note naming it.
//!
//! Decisions: nvm's `node`, `stable` and `current` are `latest`; `iojs` is refused (den
//! has no io.js), and so is a range in `.nvmrc` (nvm reads none; `.node-version` keeps
//! them, as fnm reads them). pyenv's further versions (its fallbacks) are ignored with a note, as are
//! further lines of the other files.

use super::File;
use super::text::meaningful;

/// `.nvmrc` / `.node-version`.
pub fn node(text: &str, file: &mut File) {
    let Some(((line, raw), rest)) = first(text, file) else { return };
    let raw = match raw {
        "node" | "stable" | "current" => "latest",
        _ if raw.starts_with("iojs") => {
            return file.reject(line, format!("`{raw}` is io.js, which den does not install"));
        }
        other => other,
    };
    let nvmrc = file.path.file_name().is_some_and(|n| n == ".nvmrc");
    if nvmrc && super::version::check("node", raw).is_ok_and(|c| c.kind == super::version::Kind::Range) {
        return file.reject(
            line,
            format!(
                "`{raw}` is a range, which nvm does not read: write one version, such as `22` or `22.11.0`"
            ),
        );
    }
    one(file, "node", raw, line, "it holds one version of node, such as `22`, `22.11.0` or `lts/iron`");
    ignored(file, raw, &rest);
}

/// `.go-version`: `1.22.1`, `go1.22.1` or `v1.22`.
pub fn go(text: &str, file: &mut File) {
    let Some(((line, raw), rest)) = first(text, file) else { return };
    let raw = raw.strip_prefix("go").filter(|r| r.starts_with(|c: char| c.is_ascii_digit())).unwrap_or(raw);
    one(file, "go", raw, line, "it holds one version of go, such as `1.23`");
    ignored(file, raw, &rest);
}

/// Rubies other than CRuby, by the prefixes rbenv, chruby and asdf give them.
const RUBIES: &[&str] = &["jruby", "truffleruby", "mruby", "rbx", "rubinius", "maglev", "ree", "topaz"];

/// `.ruby-version` (rbenv, chruby, rvm): `3.3.0` or `ruby-3.3.0`; other rubies refused.
pub fn ruby(text: &str, file: &mut File) {
    let Some(((line, raw), rest)) = first(text, file) else { return };
    let lower = raw.to_ascii_lowercase();
    if let Some(other) = RUBIES.iter().find(|r| lower.starts_with(*r)) {
        return file
            .reject(line, format!("`{raw}` is {other}, which den does not install (it installs CRuby)"));
    }
    let raw = raw.strip_prefix("ruby-").unwrap_or(raw);
    one(file, "ruby", raw, line, "it holds one version of ruby, such as `3.3` or `3.3.6`");
    ignored(file, raw, &rest);
}

/// `.python-version`: the first version; the others are pyenv's fallbacks.
pub fn python(text: &str, file: &mut File) {
    let mut words = meaningful(text).flat_map(|(l, t)| t.split_whitespace().map(move |w| (l, w)));
    let Some((line, raw)) = words.next() else { return file.reject(0, "it is empty") };
    let rest: Vec<&str> = words.map(|(_, w)| w).collect();
    one(file, "python", raw, line, "it holds a version of python, such as `3.12`");
    if !rest.is_empty() && !file.rejected {
        file.note(
            line,
            format!("the fallback versions {} are ignored: den uses the first, `{raw}`", quoted(&rest)),
        );
    }
}

/// The first meaningful line and the ones after it; `None` (and the file rejected) when
/// there is none.
#[allow(clippy::type_complexity)]
fn first<'t>(text: &'t str, file: &mut File) -> Option<((usize, &'t str), Vec<(usize, &'t str)>)> {
    let mut lines = meaningful(text);
    let Some(found) = lines.next() else {
        file.reject(0, "it is empty");
        return None;
    };
    Some((found, lines.collect()))
}

/// A note about the lines after the one used, when the file was not rejected.
fn ignored(file: &mut File, used: &str, rest: &[(usize, &str)]) {
    if let (Some((line, _)), false) = (rest.first(), file.rejected) {
        let words: Vec<&str> = rest.iter().map(|(_, t)| *t).collect();
        file.note(*line, format!("only the first version, `{used}`, is used: {} ignored", quoted(&words)));
    }
}

/// Adds the file's one version, or rejects the file.
fn one(file: &mut File, tool: &str, raw: &str, line: usize, holds: &str) {
    if let Err(why) = file.add(tool, raw, None, line) {
        file.reject(line, format!("{why}; {holds}"));
    }
}

fn quoted(words: &[&str]) -> String {
    words.iter().map(|w| format!("`{w}`")).collect::<Vec<_>>().join(", ")
}
