//! `den explain [VAR]`: each variable den sets or unsets, with its final value and where
//! it came from (`den.toml:12`, `.env:3`, `den`, `outer environment`), one per line on
//! stdout. Secrets are shown by their source, never by their value.

use std::process::ExitCode;

use crate::cli::ExplainArgs;
use crate::env::{self, Origin, Var};
use crate::error::Result;

use super::Ctx;
use super::export::{load, print};

/// Prints every variable, or the one asked for (which may come from the outer environment).
pub fn run(ctx: &Ctx, args: ExplainArgs) -> Result<ExitCode> {
    let loaded = load(ctx)?;
    let text = match args.var {
        None => loaded.target.iter().map(line).collect(),
        Some(name) => match (loaded.target.get(&name), loaded.outer.get(&name)) {
            (Some(var), _) => line(var),
            (None, Some(value)) => {
                line(&Var { name, value: Some(value.into()), origin: Origin::Outer, secret: None })
            }
            (None, None) => {
                let mut outer: Vec<&str> = loaded.outer.names().collect();
                outer.sort_unstable();
                let candidates = loaded.target.iter().map(|v| v.name.as_str()).chain(outer);
                let suggestion = nearest(&name, candidates).map(str::to_string);
                return Err(env::Error::NotSet { name, suggestion }.into());
            }
        },
    };
    print(&text)?;
    Ok(ExitCode::SUCCESS)
}

/// `NAME=value  (origin)` and a newline.
fn line(var: &Var) -> String {
    let value = match (&var.secret, &var.value) {
        (Some(secret), _) => secret.to_string(),
        (None, Some(value)) => escape(value),
        (None, None) => "<unset>".into(),
    };
    format!("{}={value}  ({})\n", var.name, var.origin)
}

/// Control characters (newlines, tabs, ...) as escapes, so each variable stays one line.
fn escape(value: &str) -> String {
    value
        .chars()
        .map(|c| if c.is_control() { c.escape_default().to_string() } else { c.to_string() })
        .collect()
}

/// The candidate closest to `name` (ignoring case), if close enough to be a likely typo.
fn nearest<'a>(name: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let upper = name.to_uppercase();
    let limit = (name.len() / 3).max(2);
    candidates
        .map(|c| (strsim::levenshtein(&upper, &c.to_uppercase()), c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::env::Secret;

    #[test]
    fn lines_show_origin_and_hide_secrets() {
        let var = |value: Option<&str>, secret| Var {
            name: "A".into(),
            value: value.map(str::to_string),
            origin: Origin::Den,
            secret,
        };
        assert_eq!(line(&var(Some("x\ny\tz\u{1}"), None)), "A=x\\ny\\tz\\u{1}  (den)\n");
        assert_eq!(line(&var(None, None)), "A=<unset>  (den)\n");
        let secret = var(Some("s3cr3t"), Some(Secret::File("~/t".into())));
        assert_eq!(line(&secret), "A=<secret from file ~/t>  (den)\n");
    }

    #[test]
    fn nearest_ignores_case_and_far_names() {
        let names = ["PATH", "DATABASE_URL", "HOME"];
        assert_eq!(nearest("path", names.into_iter()), Some("PATH"));
        assert_eq!(nearest("DATABSE_URL", names.into_iter()), Some("DATABASE_URL"));
        assert_eq!(nearest("XYZZY", names.into_iter()), None);
    }
}
