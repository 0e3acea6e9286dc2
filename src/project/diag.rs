//! One rendering for every problem found in a TOML file den reads (den.toml, mise.toml,
//! the user config): `file:line:col: message`, then the offending line with a caret under
//! the span, like a compiler. Only formats; never decides what is wrong. The file is
//! hostile input like any other: its line, the path and the message are shown escaped
//! (`ui::escaped`, tabs kept so the caret lines up), so a control character in it cannot
//! drive the terminal.

use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

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
        let text = shown(raw);
        let line = source[..start].matches('\n').count() + 1;
        let before = shown(&source[line_start..start]);
        let col = source[line_start..start].chars().count() + 1;
        let end = span.end.clamp(start, line_start + raw.len());
        let width = shown(&source[start..end]).chars().count().max(1);
        // Keep tabs in the padding so the caret lines up however the terminal shows them.
        let pad: String = before.chars().map(|c| if c == '\t' { '\t' } else { ' ' }).collect();
        let gutter = " ".repeat(line.to_string().len());
        let snippet = format!("{gutter} |\n{line} | {text}\n{gutter} | {pad}{}", "^".repeat(width));
        Diagnostic { file: file.to_path_buf(), line, col, message: message.into(), snippet, help: None }
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
        let (file, message) = (crate::ui::shown_path(&self.file), crate::ui::escaped(&self.message));
        write!(f, "{file}:{}:{}: {message}\n{}", self.line, self.col, self.snippet)
    }
}

/// `text` escaped for the terminal, its tabs kept (they lay out the caret line).
fn shown(text: &str) -> String {
    text.split('\t').map(crate::ui::escaped).collect::<Vec<_>>().join("\t")
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
    fn control_characters_are_escaped_and_the_caret_still_lines_up() {
        let src = "a = \"\u{1b}[2J\" x\n";
        let d = Diagnostic::new(Path::new("f\u{1b}"), src, 11..12, "bad \u{1b}");
        assert_eq!((d.line, d.col), (1, 12));
        assert_eq!(d.to_string(), "f\\e:1:12: bad \\e\n  |\n1 | a = \"\\e[2J\" x\n  |             ^");
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
