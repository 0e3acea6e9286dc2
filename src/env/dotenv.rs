//! The dotenv file format, parsed into templates with the line each entry starts on.
//! Parses only: reading the file and resolving `${...}` belong to the caller.
//!
//! The rules:
//! - `KEY=value`, optionally preceded by `export `; spaces and tabs around `=` are ignored;
//!   CRLF line endings are read as LF.
//! - `#` starts a comment on an empty line, and after an unquoted value when preceded by
//!   a space or tab (`KEY=a#b` keeps the `#`).
//! - Unquoted values run to the end of the line (trailing blanks trimmed) and interpolate
//!   `${VAR}` and `$$` like `den.toml` values.
//! - Single quotes are literal and may span lines.
//! - Double quotes may span lines, interpolate, and know the escapes `\n`, `\t`, `\r`,
//!   `\\`, `\"` and `\$`; any other backslash is kept as it is.
//! - After a closing quote only blanks and a comment may follow.

use super::template::{Template, TemplateError, is_valid_name};
use crate::hint::Hint;

/// One `KEY=value` of a dotenv file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub name: String,
    pub value: Template,
    /// 1-based line where the entry starts.
    pub line: usize,
}

/// A syntax error, with the 1-based line where it was found.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ParseError {
    pub line: usize,
    pub message: String,
}

/// Parses a whole dotenv file.
pub fn parse(text: &str) -> Result<Vec<Entry>, ParseError> {
    let text = text.replace("\r\n", "\n");
    let mut p = Parser { chars: text.chars().collect(), i: 0, line: 1 };
    let mut entries = Vec::new();
    loop {
        p.skip_blanks();
        match p.peek() {
            None => return Ok(entries),
            Some('\n') => p.bump(),
            Some('#') => p.skip_to_eol(),
            Some(_) => {
                entries.push(p.entry()?);
                p.end_of_entry()?;
            }
        }
    }
}

struct Parser {
    chars: Vec<char>,
    i: usize,
    line: usize,
}

impl Parser {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.i).copied()
    }

    fn bump(&mut self) {
        if self.peek() == Some('\n') {
            self.line += 1;
        }
        self.i += 1;
    }

    fn skip_blanks(&mut self) -> bool {
        let start = self.i;
        while matches!(self.peek(), Some(' ' | '\t')) {
            self.bump();
        }
        self.i > start
    }

    fn skip_to_eol(&mut self) {
        while self.peek().is_some_and(|c| c != '\n') {
            self.bump();
        }
    }

    fn err(&self, line: usize, message: impl Into<String>) -> ParseError {
        // The message quotes the file: its control characters are shown escaped.
        ParseError { line, message: crate::diag::printable(&message.into()).into_owned() }
    }

    fn word(&mut self) -> String {
        let start = self.i;
        while self.peek().is_some_and(|c| c == '_' || c.is_ascii_alphanumeric()) {
            self.bump();
        }
        self.chars[start..self.i].iter().collect()
    }

    fn entry(&mut self) -> Result<Entry, ParseError> {
        let line = self.line;
        let mut name = self.word();
        if name == "export" && matches!(self.peek(), Some(' ' | '\t')) {
            self.skip_blanks();
            name = self.word();
        }
        if !is_valid_name(&name) {
            let rest: String = self.chars[self.i..].iter().take_while(|&&c| c != '\n').collect();
            let found = crate::diag::excerpt(format!("{name}{rest}").trim_end(), 60);
            return Err(self.err(line, format!("expected `NAME=value`, found `{found}`")));
        }
        self.skip_blanks();
        if self.peek() != Some('=') {
            return Err(self.err(line, format!("expected `=` after `{name}`")));
        }
        self.bump();
        let spaced = self.skip_blanks();
        let value = match self.peek() {
            Some('\'') => self.single_quoted()?,
            Some('"') => self.double_quoted()?,
            Some('#') if spaced => Template::default(),
            _ => self.unquoted()?,
        };
        Ok(Entry { name, value, line })
    }

    fn template(&self, line: usize, text: &str) -> Result<Template, ParseError> {
        Template::parse(text)
            .map_err(|e: TemplateError| self.err(line, format!("{e}; {}", e.hint().unwrap_or_default())))
    }

    fn unquoted(&mut self) -> Result<Template, ParseError> {
        let line = self.line;
        let mut text = String::new();
        while let Some(c) = self.peek() {
            if c == '\n' || (c == '#' && text.ends_with([' ', '\t'])) {
                break;
            }
            text.push(c);
            self.bump();
        }
        self.template(line, text.trim_end_matches([' ', '\t']))
    }

    fn single_quoted(&mut self) -> Result<Template, ParseError> {
        let line = self.line;
        self.bump();
        let mut text = String::new();
        loop {
            match self.peek() {
                None => return Err(self.err(line, "single-quoted value without a closing `'`")),
                Some('\'') => break,
                Some(c) => text.push(c),
            }
            self.bump();
        }
        self.bump();
        Ok(Template::literal(&text))
    }

    /// Escapes are turned into the template syntax (`\$` → `$$`) before parsing.
    fn double_quoted(&mut self) -> Result<Template, ParseError> {
        let line = self.line;
        self.bump();
        let mut text = String::new();
        loop {
            let Some(c) = self.peek() else {
                return Err(self.err(line, "double-quoted value without a closing `\"`"));
            };
            self.bump();
            match c {
                '"' => break,
                '\\' => {
                    let escaped = match self.peek() {
                        Some('n') => "\n",
                        Some('t') => "\t",
                        Some('r') => "\r",
                        Some('\\') => "\\",
                        Some('"') => "\"",
                        Some('$') => "$$",
                        _ => {
                            text.push('\\');
                            continue;
                        }
                    };
                    text.push_str(escaped);
                    self.bump();
                }
                c => text.push(c),
            }
        }
        self.template(line, &text)
    }

    /// After a value: blanks, an optional comment, then the end of the line.
    fn end_of_entry(&mut self) -> Result<(), ParseError> {
        self.skip_blanks();
        match self.peek() {
            None | Some('\n') => Ok(()),
            Some('#') => {
                self.skip_to_eol();
                Ok(())
            }
            Some(c) => Err(self.err(self.line, format!("unexpected `{c}` after the closing quote"))),
        }
    }
}

#[cfg(test)]
mod fuzz_tests;

#[cfg(test)]
mod tests {
    use super::*;

    /// Entries with their values flattened (no references in these inputs).
    fn values(text: &str) -> Vec<(String, String, usize)> {
        parse(text)
            .unwrap()
            .into_iter()
            .map(|e| {
                let v = e
                    .value
                    .parts
                    .iter()
                    .map(|p| match p {
                        crate::env::template::Part::Lit(s) => s.clone(),
                        crate::env::template::Part::Var { name, .. } => format!("<{name}>"),
                    })
                    .collect();
                (e.name, v, e.line)
            })
            .collect()
    }

    fn one(text: &str) -> String {
        let mut v = values(text);
        assert_eq!(v.len(), 1, "{text:?}");
        v.remove(0).1
    }

    fn error(text: &str) -> (usize, String) {
        let e = parse(text).unwrap_err();
        (e.line, e.message)
    }

    #[test]
    fn plain_assignments_with_lines() {
        let v = values("A=1\n\nB=two words\n");
        assert_eq!(v, vec![("A".into(), "1".into(), 1), ("B".into(), "two words".into(), 3)]);
    }

    #[test]
    fn export_prefix_and_blanks_around_equals() {
        assert_eq!(
            values("export A=1\n  export\tB = 2 \nexportC=3"),
            vec![("A".into(), "1".into(), 1), ("B".into(), "2".into(), 2), ("exportC".into(), "3".into(), 3)]
        );
        assert_eq!(one("export=1"), "1");
    }

    #[test]
    fn comments() {
        assert_eq!(
            values("# a comment\n  # indented\nA=1 # trailing\nB=a#b\nC=x\t# tab"),
            vec![("A".into(), "1".into(), 3), ("B".into(), "a#b".into(), 4), ("C".into(), "x".into(), 5)]
        );
        assert_eq!(one("A= # only a comment"), "");
        assert_eq!(one("A=#not a comment"), "#not a comment");
        assert_eq!(one("A='v' # c"), "v");
        assert_eq!(one("A=\"v\"# c"), "v");
    }

    #[test]
    fn empty_values() {
        assert_eq!(
            values("A=\nB=''\nC=\"\"\nD= "),
            vec![
                ("A".into(), "".into(), 1),
                ("B".into(), "".into(), 2),
                ("C".into(), "".into(), 3),
                ("D".into(), "".into(), 4)
            ]
        );
    }

    #[test]
    fn single_quotes_keep_everything() {
        assert_eq!(one("A='a ${B} $$ \\n \" # x'"), "a ${B} $$ \\n \" # x");
    }

    #[test]
    fn double_quotes_know_escapes() {
        assert_eq!(one(r#"A="1\n2\t3\r4\\5\"6\$7\q""#), "1\n2\t3\r4\\5\"6$7\\q");
        assert_eq!(one(r#"A="\${B}""#), "${B}");
    }

    #[test]
    fn double_quotes_and_unquoted_interpolate() {
        assert_eq!(one(r#"A="x${B}y""#), "x<B>y");
        assert_eq!(one("A=x${B}y"), "x<B>y");
        assert_eq!(one("A=$$B"), "$B");
    }

    #[test]
    fn multi_line_quoted_values_start_at_their_first_line() {
        let v = values("A=\"line 1\nline 2\"\nB='x\n\ny'\nC=3");
        assert_eq!(
            v,
            vec![
                ("A".into(), "line 1\nline 2".into(), 1),
                ("B".into(), "x\n\ny".into(), 3),
                ("C".into(), "3".into(), 6)
            ]
        );
    }

    #[test]
    fn crlf_is_read_as_lf() {
        let v = values("A=1\r\nB=\"x\r\ny\"\r\n# c\r\nC='z'\r\n");
        assert_eq!(
            v,
            vec![("A".into(), "1".into(), 1), ("B".into(), "x\ny".into(), 2), ("C".into(), "z".into(), 5)]
        );
    }

    #[test]
    fn non_ascii_values() {
        assert_eq!(one("A=héllo wörld ✓"), "héllo wörld ✓");
    }

    #[test]
    fn bad_inputs_name_the_line() {
        assert_eq!(error("A=1\nnot an assignment"), (2, "expected `=` after `not`".into()));
        assert_eq!(error("A=1\n\n=3"), (3, "expected `NAME=value`, found `=3`".into()));
        assert_eq!(error("1A=3"), (1, "expected `NAME=value`, found `1A=3`".into()));
        assert_eq!(error("A-B=3"), (1, "expected `=` after `A`".into()));
        assert_eq!(error("A"), (1, "expected `=` after `A`".into()));
        assert_eq!(error("A=1\nB='abc\nC=2"), (2, "single-quoted value without a closing `'`".into()));
        assert_eq!(error("B=\"abc\\\""), (1, "double-quoted value without a closing `\"`".into()));
        assert_eq!(error("A='x'y"), (1, "unexpected `y` after the closing quote".into()));
        assert_eq!(error("A=\"x\"\"y\""), (1, "unexpected `\"` after the closing quote".into()));
        let (line, message) = error("X=1\nA=\"${B\"");
        assert_eq!(line, 2);
        assert!(message.starts_with("`${` without a closing `}`; write `${NAME}`"), "{message}");
        assert_eq!(error("A=${-}").1.split(';').next().unwrap(), "`${-}` is not a variable reference");
    }
}
