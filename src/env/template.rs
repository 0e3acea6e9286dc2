//! Value templates: the `${NAME}` / `${NAME:-default}` / `$$` syntax shared by `[env]`
//! values and dotenv files. Parses only; looking names up is the resolver's job.
//!
//! Only the braced form interpolates: a bare `$NAME` (and any `$` not followed by `{` or
//! `$`) is literal text, so values such as `pa$$word` → `pa$word` and `cost: $5` need no
//! escaping beyond `$$`. Never runs anything and never reads the environment.

/// A parsed value: literal text and variable references, in order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Template {
    pub parts: Vec<Part>,
}

/// One piece of a template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Part {
    Lit(String),
    /// `${name}`, or `${name:-default}` where the default (itself a template) is used when
    /// the variable is not set or empty, as in POSIX shells.
    Var {
        name: String,
        default: Option<Template>,
    },
}

/// Why a value is not a valid template.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    #[error("`${{` without a closing `}}`")]
    Unterminated,
    #[error("`${{{found}` is not a variable reference")]
    Invalid { found: String },
    #[error("`${{...:-...}}` defaults nested more than {MAX_DEPTH} deep")]
    TooDeep,
}

/// How deep `${A:-${B:-...}}` defaults may nest: far past any real value, and low enough
/// that parsing (and whatever walks the tree) never runs out of stack on a hostile file.
pub const MAX_DEPTH: usize = 64;

impl crate::hint::Hint for TemplateError {
    /// What the user should write instead.
    fn hint(&self) -> Option<String> {
        Some(if *self == TemplateError::TooDeep {
            "flatten the defaults: set an intermediate variable and refer to it".into()
        } else {
            "write `${NAME}` or `${NAME:-default}` to interpolate, and `$$` for a literal `$`".into()
        })
    }
}

impl Template {
    /// Parses `${...}` references and `$$` escapes.
    pub fn parse(text: &str) -> Result<Template, TemplateError> {
        let chars: Vec<char> = text.chars().collect();
        let mut i = 0;
        parse_until(&chars, &mut i, None)
    }

    /// A template that is only this text (single-quoted dotenv values).
    pub fn literal(text: &str) -> Template {
        let parts = if text.is_empty() { vec![] } else { vec![Part::Lit(text.to_string())] };
        Template { parts }
    }
}

/// Whether `name` is a valid environment variable name for den: `[A-Za-z_][A-Za-z0-9_]*`.
pub fn is_valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c == '_' || c.is_ascii_alphabetic())
        && chars.all(|c| c == '_' || c.is_ascii_alphanumeric())
}

/// Parses up to the end, or, inside a default at `depth` (`Some`), up to its closing `}`.
fn parse_until(chars: &[char], i: &mut usize, depth: Option<usize>) -> Result<Template, TemplateError> {
    let nested = depth.is_some();
    let mut parts = Vec::new();
    let mut lit = String::new();
    while *i < chars.len() {
        let c = chars[*i];
        if nested && c == '}' {
            *i += 1;
            flush(&mut parts, &mut lit);
            return Ok(Template { parts });
        }
        if c != '$' {
            lit.push(c);
            *i += 1;
            continue;
        }
        match chars.get(*i + 1) {
            Some('$') => {
                lit.push('$');
                *i += 2;
            }
            Some('{') => {
                *i += 2;
                flush(&mut parts, &mut lit);
                parts.push(parse_reference(chars, i, depth.map_or(1, |d| d + 1))?);
            }
            _ => {
                lit.push('$');
                *i += 1;
            }
        }
    }
    if nested {
        return Err(TemplateError::Unterminated);
    }
    flush(&mut parts, &mut lit);
    Ok(Template { parts })
}

/// After `${` at nesting `depth` (1 outside any default): a name, then `}` or `:-default}`.
fn parse_reference(chars: &[char], i: &mut usize, depth: usize) -> Result<Part, TemplateError> {
    let start = *i;
    while *i < chars.len() && (chars[*i] == '_' || chars[*i].is_ascii_alphanumeric()) {
        *i += 1;
    }
    // `${services.<name>.<field>}`: a service's value (service names may hold `.` and `-`).
    if chars[start..*i].iter().collect::<String>() == "services" && chars.get(*i) == Some(&'.') {
        while *i < chars.len()
            && (chars[*i] == '_' || chars[*i] == '.' || chars[*i] == '-' || chars[*i].is_ascii_alphanumeric())
        {
            *i += 1;
        }
        let name: String = chars[start..*i].iter().collect();
        let parts = name.split('.').count();
        if parts >= 3 && !name.ends_with('.') && chars.get(*i) == Some(&'}') {
            *i += 1;
            return Ok(Part::Var { name, default: None });
        }
    }
    let name: String = chars[start..*i].iter().collect();
    let invalid = |i: usize| {
        let end =
            chars[i.min(chars.len())..].iter().position(|&c| c == '}').map_or(chars.len(), |p| i + p + 1);
        let found: String = chars[start..end.min(start + 61)].iter().collect();
        // Quoted in messages: cut, control characters shown escaped, so it stays one line.
        TemplateError::Invalid { found: crate::diag::excerpt(&found, 60) }
    };
    if !is_valid_name(&name) {
        return Err(if *i >= chars.len() { TemplateError::Unterminated } else { invalid(*i) });
    }
    match chars.get(*i) {
        Some('}') => {
            *i += 1;
            Ok(Part::Var { name, default: None })
        }
        Some(':') if chars.get(*i + 1) == Some(&'-') => {
            *i += 2;
            if depth > MAX_DEPTH {
                return Err(TemplateError::TooDeep);
            }
            let default = parse_until(chars, i, Some(depth))?;
            Ok(Part::Var { name, default: Some(default) })
        }
        Some(_) => Err(invalid(*i)),
        None => Err(TemplateError::Unterminated),
    }
}

fn flush(parts: &mut Vec<Part>, lit: &mut String) {
    if !lit.is_empty() {
        parts.push(Part::Lit(std::mem::take(lit)));
    }
}

#[cfg(test)]
mod fuzz_tests;

#[cfg(test)]
mod tests {
    use super::*;

    fn lit(s: &str) -> Part {
        Part::Lit(s.into())
    }
    fn var(n: &str) -> Part {
        Part::Var { name: n.into(), default: None }
    }

    #[test]
    fn plain_text_is_one_literal() {
        assert_eq!(Template::parse("hello world").unwrap().parts, vec![lit("hello world")]);
        assert_eq!(Template::parse("").unwrap().parts, vec![]);
    }

    #[test]
    fn braced_references_interpolate() {
        let t = Template::parse("postgres://localhost:${PGPORT}/${DB_1}").unwrap();
        assert_eq!(t.parts, vec![lit("postgres://localhost:"), var("PGPORT"), lit("/"), var("DB_1")]);
    }

    #[test]
    fn double_dollar_is_a_literal_dollar_and_bare_dollar_is_text() {
        assert_eq!(Template::parse("pa$$word").unwrap().parts, vec![lit("pa$word")]);
        assert_eq!(Template::parse("$HOME and $ and $").unwrap().parts, vec![lit("$HOME and $ and $")]);
        assert_eq!(Template::parse("$${X}").unwrap().parts, vec![lit("${X}")]);
    }

    #[test]
    fn defaults_are_templates_themselves() {
        let t = Template::parse("${A:-x${B}y}").unwrap();
        let default = Template { parts: vec![lit("x"), var("B"), lit("y")] };
        assert_eq!(t.parts, vec![Part::Var { name: "A".into(), default: Some(default) }]);
        let empty = Template::parse("${A:-}").unwrap();
        assert_eq!(empty.parts, vec![Part::Var { name: "A".into(), default: Some(Template::default()) }]);
    }

    #[test]
    fn service_references_take_dotted_names() {
        let t = Template::parse("http://${services.my-api.port}/").unwrap();
        assert_eq!(t.parts[1], Part::Var { name: "services.my-api.port".into(), default: None });
        assert!(Template::parse("${services.}").is_err());
        assert!(Template::parse("${services.a}").is_err());
        assert!(Template::parse("${other.a.b}").is_err());
    }

    #[test]
    fn bad_references_are_errors() {
        assert_eq!(Template::parse("${A").unwrap_err(), TemplateError::Unterminated);
        assert_eq!(Template::parse("${").unwrap_err(), TemplateError::Unterminated);
        assert_eq!(Template::parse("${A:-x").unwrap_err(), TemplateError::Unterminated);
        assert_eq!(Template::parse("${1A}").unwrap_err(), TemplateError::Invalid { found: "1A}".into() });
        assert_eq!(Template::parse("${A-b} x").unwrap_err(), TemplateError::Invalid { found: "A-b}".into() });
        assert_eq!(Template::parse("${}").unwrap_err(), TemplateError::Invalid { found: "}".into() });
        assert_eq!(
            Template::parse("${A B}").unwrap_err().to_string(),
            "`${A B}` is not a variable reference"
        );
    }

    #[test]
    fn names_are_checked() {
        assert!(is_valid_name("_A1"));
        assert!(is_valid_name("path"));
        assert!(!is_valid_name("1A"));
        assert!(!is_valid_name("A-B"));
        assert!(!is_valid_name(""));
    }
}
