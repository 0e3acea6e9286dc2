//! Reading a parsed TOML tree (`toml::de::DeTable`, which keeps spans and order) with
//! errors that point at the offending key or value. Knows nothing of den's schema: the
//! callers (den.toml's parser, mise.toml's, the user config's) say which keys and types
//! they accept.

use std::ops::Range;
use std::path::Path;

use toml::Spanned;
use toml::de::{DeString, DeTable, DeValue};

use super::{Diagnostic, Location, suggest};

/// A value of the tree with its span.
pub type Value<'i> = Spanned<DeValue<'i>>;
/// A key of the tree with its span.
pub type Key<'i> = Spanned<DeString<'i>>;
/// Errors of the walk: boxed, since a diagnostic carries its snippet.
pub type Res<T> = Result<T, Box<Diagnostic>>;

/// One file being read: its path (for messages and locations) and its text (for spans).
#[derive(Clone)]
pub struct Doc<'s> {
    pub file: &'s Path,
    pub source: &'s str,
    /// Byte offset of each line's start, so that locating a key is a binary search and
    /// reading a den.toml with many keys stays linear.
    line_starts: Vec<usize>,
}

impl<'s> Doc<'s> {
    pub fn new(file: &'s Path, source: &'s str) -> Self {
        let line_starts = std::iter::once(0).chain(source.match_indices('\n').map(|(i, _)| i + 1)).collect();
        Doc { file, source, line_starts }
    }

    /// Parses the text into a spanned tree; TOML syntax errors are rendered like den's own.
    pub fn parse(&self) -> Res<DeTable<'s>> {
        DeTable::parse(self.source)
            .map(Spanned::into_inner)
            .map_err(|e| Box::new(Diagnostic::from_toml(self.file, self.source, &e)))
    }

    /// An error at `span`.
    pub fn err(&self, span: Range<usize>, message: impl Into<String>) -> Box<Diagnostic> {
        Box::new(Diagnostic::new(self.file, self.source, span, message))
    }

    /// An error at `span` with a `help:` line.
    pub fn err_help(
        &self,
        span: Range<usize>,
        message: impl Into<String>,
        help: impl Into<String>,
    ) -> Box<Diagnostic> {
        Box::new(Diagnostic::new(self.file, self.source, span, message).with_help(help))
    }

    /// Where the item starting at `span` was declared.
    pub fn at(&self, span: Range<usize>) -> Location {
        let start = span.start.min(self.source.len());
        Location { file: self.file.to_path_buf(), line: self.line_starts.partition_point(|&s| s <= start) }
    }

    /// Fails on the first key of `table` not in `valid`, suggesting the nearest valid one.
    /// `context` completes "unknown key `x` in ...".
    pub fn check_keys(&self, table: &DeTable<'_>, valid: &[&str], context: &str) -> Res<()> {
        for key in table.keys() {
            let name: &str = key.get_ref();
            if valid.contains(&name) {
                continue;
            }
            let listed = valid.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", ");
            let message = match suggest(name, valid.iter().copied()) {
                Some(near) => format!("unknown key `{name}` in {context}; did you mean `{near}`?"),
                None => format!("unknown key `{name}` in {context}"),
            };
            return Err(self.err_help(key.span(), message, format!("the keys allowed there are {listed}")));
        }
        Ok(())
    }

    /// The value as a table, or "`what` must be a table".
    pub fn table<'a>(&self, value: &'a Value<'s>, what: &str) -> Res<&'a DeTable<'s>> {
        value.get_ref().as_table().ok_or_else(|| self.wrong(value, what, "a table"))
    }

    /// The value as a string, or "`what` must be a string".
    pub fn string<'a>(&self, value: &'a Value<'s>, what: &str) -> Res<&'a str> {
        value.get_ref().as_str().ok_or_else(|| self.wrong(value, what, "a string"))
    }

    /// A non-empty string.
    pub fn nonempty<'a>(&self, value: &'a Value<'s>, what: &str) -> Res<&'a str> {
        match self.string(value, what)? {
            "" => Err(self.err(value.span(), format!("`{what}` must not be empty"))),
            s => Ok(s),
        }
    }

    /// The value as a boolean.
    pub fn boolean(&self, value: &Value<'s>, what: &str) -> Res<bool> {
        value.get_ref().as_bool().ok_or_else(|| self.wrong(value, what, "`true` or `false`"))
    }

    /// An array of strings, each with its span.
    pub fn strings(&self, value: &Value<'s>, what: &str) -> Res<Vec<(String, Range<usize>)>> {
        let array =
            value.get_ref().as_array().ok_or_else(|| self.wrong(value, what, "an array of strings"))?;
        array
            .iter()
            .map(|item| match item.get_ref().as_str() {
                Some(s) => Ok((s.to_string(), item.span())),
                None => Err(self.wrong(item, what, "an array of strings")),
            })
            .collect()
    }

    /// "`what` must be <expected>, not <found>" at the value.
    pub fn wrong(&self, value: &Value<'s>, what: &str, expected: &str) -> Box<Diagnostic> {
        let found = article(value.get_ref());
        self.err(value.span(), format!("`{what}` must be {expected}, not {found}"))
    }
}

/// An integer value, if it is one and fits in an i64.
pub fn integer(value: &Value<'_>) -> Option<i64> {
    let int = value.get_ref().as_integer()?;
    i64::from_str_radix(int.as_str(), int.radix()).ok()
}

/// "a string", "an integer", ... for messages.
pub fn article(value: &DeValue<'_>) -> String {
    let kind = value.type_str();
    if kind.starts_with(['a', 'e', 'i', 'o', 'u']) { format!("an {kind}") } else { format!("a {kind}") }
}

/// A name made of letters, digits, `.`, `_`, `-`, starting with a letter or digit: safe as a
/// file name and a store key. Used for tools and services.
pub fn is_plain_name(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_alphanumeric())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn first<'a>(t: &'a DeTable<'a>) -> &'a Value<'a> {
        t.values().next().unwrap()
    }

    #[test]
    fn wrong_type_names_what_was_expected_and_found() {
        let doc = Doc::new(Path::new("f.toml"), "x = \"a\"\n");
        let t = doc.parse().unwrap();
        let e = doc.boolean(first(&t), "x").unwrap_err();
        assert_eq!(e.message, "`x` must be `true` or `false`, not a string");
        assert_eq!((e.line, e.col), (1, 5));
    }

    #[test]
    fn integers_in_every_radix() {
        let doc = Doc::new(Path::new("f"), "a = 0x1F\nb = 1_000\nc = -3\n");
        let t = doc.parse().unwrap();
        let got: Vec<_> = t.values().map(|v| integer(v).unwrap()).collect();
        assert_eq!(got, [31, 1000, -3]);
    }

    #[test]
    fn plain_names() {
        assert!(is_plain_name("node") && is_plain_name("Foo.bar_2-x"));
        assert!(
            !is_plain_name("") && !is_plain_name(".hidden") && !is_plain_name("a/b") && !is_plain_name("a b")
        );
    }

    #[test]
    fn unknown_key_without_near_miss_lists_the_allowed_keys() {
        let doc = Doc::new(Path::new("f"), "zzz = 1\n");
        let t = doc.parse().unwrap();
        let e = doc.check_keys(&t, &["tools", "env"], "f").unwrap_err();
        assert_eq!(e.message, "unknown key `zzz` in f");
        assert_eq!(e.help.as_deref(), Some("the keys allowed there are `tools`, `env`"));
    }
}
