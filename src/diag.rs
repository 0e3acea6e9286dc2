//! One rendering for every problem found in a TOML file den reads (den.toml, mise.toml,
//! the user config): `file:line:col: message`, then the offending line with a caret under
//! the span, like a compiler. Only formats; never decides what is wrong, and never prints a
//! file's control characters raw (a message stays one line, and a hostile file cannot send
//! escape sequences to the terminal).

pub mod walk;

use std::borrow::Cow;
use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

/// Where an item was declared: a file and a 1-based line (0 when the file has no lines,
/// as for a value implied by a foreign file). Shown as `file:line`, the file escaped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    pub file: PathBuf,
    pub line: usize,
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", crate::ui::shown_path(&self.file), self.line)
    }
}

/// A problem at one place in a file, ready to print.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub file: PathBuf,
    /// 1-based line of the span's start.
    pub line: usize,
    /// 1-based column (in characters) of the span's start.
    pub col: usize,
    /// What is wrong, in one line.
    pub message: String,
    /// The offending line and the caret line under it, already laid out.
    pub snippet: String,
    /// What the user should do, when there is more to say than the message.
    pub help: Option<String>,
}

impl Diagnostic {
    /// Locates byte range `span` of `source` (the text of `file`) and lays out the snippet.
    pub fn new(file: &Path, source: &str, span: Range<usize>, message: impl Into<String>) -> Self {
        let start = span.start.min(source.len());
        let line_start = source[..start].rfind('\n').map_or(0, |i| i + 1);
        let line_end = source[start..].find('\n').map_or(source.len(), |i| start + i);
        let raw = source[line_start..line_end].trim_end_matches('\r');
        let line = source[..start].matches('\n').count() + 1;
        let before = &source[line_start..start];
        let col = before.chars().count() + 1;
        // `max` last: a span starting on a `\r` the line's text left out is one caret wide.
        let end = span.end.min(line_start + raw.len()).max(start);
        let gutter = " ".repeat(line.to_string().len());
        let after = source.get(end..line_start + raw.len()).unwrap_or("");
        let (text, pad, width) = window(before, &source[start..end], after);
        let snippet = format!("{gutter} |\n{line} | {text}\n{gutter} | {pad}{}", "^".repeat(width));
        let message = printable(&message.into()).into_owned();
        Diagnostic { file: file.to_path_buf(), line, col, message, snippet, help: None }
    }

    /// Adds the `help:` text.
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Renders a syntax error of the toml crate the same way as den's own errors.
    pub fn from_toml(file: &Path, source: &str, err: &toml::de::Error) -> Self {
        let span = err.span().unwrap_or(0..0);
        let message = err.message().trim_end().replace('\n', " ");
        Diagnostic::new(file, source, span, format!("invalid TOML: {message}"))
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}: {}\n{}", self.file.display(), self.line, self.col, self.message, self.snippet)
    }
}

/// How many characters of the offending line a snippet shows at most.
const SNIPPET_WIDTH: usize = 120;

/// The shown line (control characters escaped, at most [`SNIPPET_WIDTH`] characters around
/// the span, `…` where cut), the padding that puts the caret under the span, and the
/// caret's width. `before`, `span` and `after` are the line's text around the span.
fn window(before: &str, span: &str, after: &str) -> (String, String, usize) {
    let line = || before.chars().chain(span.chars()).chain(after.chars());
    let fits = line().map(shown_width).sum::<usize>() <= SNIPPET_WIDTH;
    let skip = if fits { 0 } else { before.chars().count().saturating_sub(SNIPPET_WIDTH / 3) };
    let mut units = Vec::new();
    let mut used = 0;
    let mut cut_right = false;
    for c in line().skip(skip) {
        used += shown_width(c);
        if used > SNIPPET_WIDTH {
            cut_right = true;
            break;
        }
        units.push(c);
    }
    let cut_left = if skip > 0 { "…" } else { "" };
    let shown: String = units.iter().map(|&c| printable(&c.to_string()).into_owned()).collect();
    let text = format!("{cut_left}{shown}{}", if cut_right { "…" } else { "" });
    let lead = (before.chars().count() - skip).min(units.len());
    // Keep tabs in the padding so the caret lines up however the terminal shows them.
    let pad: String = std::iter::once(if skip > 0 { " ".to_string() } else { String::new() })
        .chain(
            units[..lead].iter().map(|&c| if c == '\t' { "\t".into() } else { " ".repeat(shown_width(c)) }),
        )
        .collect();
    let caret: usize = units[lead..].iter().take(span.chars().count()).map(|&c| shown_width(c)).sum();
    (text, pad, caret.max(1))
}

/// At most `max` characters of `text` for quoting in a message, `…` where cut, control
/// characters escaped: a hostile file's 8 MiB line does not become an 8 MiB message.
pub fn excerpt(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((cut, _)) => format!("{}…", printable(&text[..cut])),
        None => printable(text).into_owned(),
    }
}

/// How many characters `c` takes once shown by [`printable`].
fn shown_width(c: char) -> usize {
    if c.is_control() && c != '\t' { crate::ui::escaped(&c.to_string()).chars().count() } else { 1 }
}

/// `text` with its control characters other than tab escaped by `ui::escaped` (`\n`,
/// `\e`): how den shows a file's content in a message, tabs kept so that the caret lines
/// up under the snippet. Not an escaper of its own: `ui::escaped` between the tabs.
pub fn printable(text: &str) -> Cow<'_, str> {
    let bad = |c: char| c.is_control() && c != '\t';
    if !text.contains(bad) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(text.split('\t').map(crate::ui::escaped).collect::<Vec<_>>().join("\t"))
}

/// The key of `candidates` closest to `key`, when it is close enough to be a likely typo:
/// a few edits away (a swap counts as one), or sharing most of its beginning.
pub fn suggest<'a>(key: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let key = key.to_ascii_lowercase();
    candidates
        .into_iter()
        .filter_map(|c| {
            let lower = c.to_ascii_lowercase();
            let edits = strsim::osa_distance(&key, &lower);
            let similar = strsim::jaro_winkler(&key, &lower);
            (edits <= (lower.len() / 3).max(1) || similar >= 0.85).then_some((edits, -similar, c))
        })
        .min_by(|a, b| a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)))
        .map(|(_, _, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caret_sits_under_the_span() {
        let src = "[tools]\nnode = 22\n";
        let d = Diagnostic::new(Path::new("den.toml"), src, 15..17, "bad");
        assert_eq!((d.line, d.col), (2, 8));
        assert_eq!(d.to_string(), "den.toml:2:8: bad\n  |\n2 | node = 22\n  |        ^^");
    }

    #[test]
    fn multi_line_span_is_cut_at_the_line_end_and_tabs_are_kept() {
        let src = "a = 1\n\tb = [\n1]\n";
        let d = Diagnostic::new(Path::new("f"), src, 11..17, "m");
        assert_eq!(d.to_string(), "f:2:6: m\n  |\n2 | \tb = [\n  | \t    ^");
    }

    #[test]
    fn span_at_end_of_file_points_past_the_last_character() {
        let src = "a = ";
        let d = Diagnostic::new(Path::new("f"), src, 4..4, "m");
        assert_eq!((d.line, d.col), (1, 5));
        assert!(d.snippet.ends_with("|     ^"), "{}", d.snippet);
    }

    #[test]
    fn suggestions_only_for_near_misses() {
        let keys = ["tools", "env", "services", "enter", "ide"];
        assert_eq!(suggest("tool", keys), Some("tools"));
        assert_eq!(suggest("service", keys), Some("services"));
        assert_eq!(suggest("Tools", keys), Some("tools"));
        assert_eq!(suggest("zzzz", keys), None);
        assert_eq!(suggest("serv", keys), Some("services"));
        assert_eq!(suggest("bd", ["db", "api"]), Some("db"));
        assert_eq!(suggest("x", ["db", "api"]), None);
    }
}
