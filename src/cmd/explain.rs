//! `den explain [VAR] [--json]`: each variable den sets or unsets, with its final value and
//! where it came from (`den.toml:12`, `.env:3`, `den`, `[services.db]`, `outer
//! environment`), one per line on stdout. For one variable, every layer that set it is
//! listed in the order they applied (the outer environment first), and the one that won
//! is marked. Secrets are shown by their source, never by their value, in JSON too.
//!
//! An unknown variable gets a suggestion only among the project's own variables: the
//! outer environment is not something the user meant to ask den about ("did you mean
//! `HOME`?" helps nobody).

use std::process::ExitCode;

use serde::Serialize;

use crate::cli::ExplainArgs;
use crate::env::{self, Origin, Var};
use crate::error::Result;

use super::Ctx;
use super::{Loaded, load, print};

/// Prints every variable, or the one asked for (which may come from the outer environment).
pub fn run(ctx: &Ctx, args: ExplainArgs) -> Result<ExitCode> {
    let loaded = load(ctx)?;
    let vars = match &args.var {
        None => loaded.target.iter().map(|v| Explained::of(&loaded, &v.name)).collect(),
        Some(name) if loaded.target.get(name).is_some() || loaded.outer.get(name).is_some() => {
            vec![Explained::of(&loaded, name)]
        }
        Some(name) => {
            let candidates = loaded.target.iter().map(|v| v.name.as_str());
            let suggestion = nearest(name, candidates).map(str::to_string);
            return Err(env::Error::NotSet { name: name.clone(), suggestion }.into());
        }
    };
    let vars: Vec<Explained> = vars.into_iter().flatten().collect();
    let text = match (args.json, &args.var) {
        (true, _) => {
            let json = Json { variables: vars.iter().map(Explained::json).collect() };
            format!("{}\n", serde_json::to_string_pretty(&json).expect("plain data serializes"))
        }
        (false, None) => vars.iter().map(|v| line(v.winner())).collect(),
        (false, Some(_)) => vars.iter().map(Explained::text).collect(),
    };
    print(&text)?;
    Ok(ExitCode::SUCCESS)
}

/// One variable and every layer that set it, in order; the last one won.
struct Explained {
    layers: Vec<Var>,
}

impl Explained {
    /// `name` as the project and the outer environment set it; `None` when neither does.
    fn of(loaded: &Loaded, name: &str) -> Option<Explained> {
        let outer = loaded.outer.get(name).map(|value| Var {
            name: name.to_string(),
            value: Some(value.to_string()),
            origin: Origin::Outer,
            secret: None,
        });
        let layers: Vec<Var> =
            outer.into_iter().chain(loaded.target.layers(name).into_iter().cloned()).collect();
        (!layers.is_empty()).then_some(Explained { layers })
    }

    fn winner(&self) -> &Var {
        self.layers.last().expect("at least one layer")
    }

    /// The winner's line, then (when more than one layer set it) each layer in order.
    fn text(&self) -> String {
        let mut out = line(self.winner());
        if self.layers.len() > 1 {
            let last = self.layers.len() - 1;
            for (i, var) in self.layers.iter().enumerate() {
                let mark = if i == last { "  (wins)" } else { "  (overridden)" };
                out.push_str(&format!("  {}. {}: {}{mark}\n", i + 1, var.origin, shown(var)));
            }
        }
        out
    }

    fn json(&self) -> JsonVar {
        let winner = self.winner();
        JsonVar {
            name: winner.name.clone(),
            value: json_value(winner),
            secret: winner.secret.as_ref().map(ToString::to_string),
            origin: JsonOrigin::of(&winner.origin),
            layers: self
                .layers
                .iter()
                .map(|v| JsonLayer {
                    origin: JsonOrigin::of(&v.origin),
                    value: json_value(v),
                    secret: v.secret.as_ref().map(ToString::to_string),
                })
                .collect(),
        }
    }
}

/// `den explain --json`: `{"variables": [...]}`, in den's order (one entry for `VAR`).
#[derive(Serialize)]
struct Json {
    variables: Vec<JsonVar>,
}

/// One variable: its final value (`null` when den unsets it or it is secret), the
/// description of its secret (`null` when not secret), the layer that won, and every
/// layer that set it, in order (the winner last).
#[derive(Serialize)]
struct JsonVar {
    name: String,
    value: Option<String>,
    secret: Option<String>,
    origin: JsonOrigin,
    layers: Vec<JsonLayer>,
}

#[derive(Serialize)]
struct JsonLayer {
    origin: JsonOrigin,
    value: Option<String>,
    secret: Option<String>,
}

/// Where a value came from: `kind` is one of `den`, `service`, `venv`, `tools`, `tool` (a
/// runtime's home its definition sets), `manifest` (den.toml's `[env]`), `dotenv`, `outer`;
/// `file`/`line` for `manifest`, `dotenv` and `venv` (den.toml's `venv` key),
/// `service` for `service`, `tool` for `tool`; `text` is what the text output shows.
#[derive(Serialize)]
struct JsonOrigin {
    kind: &'static str,
    text: String,
    file: Option<String>,
    line: Option<usize>,
    service: Option<String>,
    tool: Option<String>,
}

impl JsonOrigin {
    fn of(origin: &Origin) -> JsonOrigin {
        let (kind, at, service) = match origin {
            Origin::Manifest(at) => ("manifest", Some(at), None),
            Origin::Dotenv(at) => ("dotenv", Some(at), None),
            Origin::Den => ("den", None, None),
            Origin::Tools => ("tools", None, None),
            Origin::Service(name) => ("service", None, Some(name.clone())),
            Origin::Venv(at) | Origin::VenvPath(at) => ("venv", Some(at), None),
            Origin::Outer => ("outer", None, None),
            Origin::Home(_) => ("tool", None, None),
        };
        let tool = match origin {
            Origin::Home(tool) => Some(tool.clone()),
            _ => None,
        };
        JsonOrigin {
            kind,
            text: origin.to_string(),
            file: at.map(|at| at.file.to_string_lossy().into_owned()),
            line: at.map(|at| at.line),
            service,
            tool,
        }
    }
}

/// The value for JSON: never a secret's.
fn json_value(var: &Var) -> Option<String> {
    var.secret.is_none().then(|| var.value.clone()).flatten()
}

/// `NAME=value  (origin)` and a newline.
fn line(var: &Var) -> String {
    format!("{}={}  ({})\n", var.name, shown(var), var.origin)
}

/// The value as the text output shows it: a secret by its source, `<unset>`, or escaped.
fn shown(var: &Var) -> String {
    match (&var.secret, &var.value) {
        (Some(secret), _) => secret.to_string(),
        (None, Some(value)) => crate::ui::escaped(value),
        (None, None) => "<unset>".into(),
    }
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
        assert_eq!(line(&var(Some("x\ny\tz\u{1}"), None)), "A=x\\ny\\tz\\x01  (den)\n");
        assert_eq!(line(&var(None, None)), "A=<unset>  (den)\n");
        let secret = var(Some("s3cr3t"), Some(Secret::File("~/t".into())));
        assert_eq!(line(&secret), "A=<secret from file ~/t>  (den)\n");
        assert_eq!(json_value(&secret), None);
    }

    #[test]
    fn nearest_ignores_case_and_far_names() {
        let names = ["PATH", "DATABASE_URL", "HOME"];
        assert_eq!(nearest("path", names.into_iter()), Some("PATH"));
        assert_eq!(nearest("DATABSE_URL", names.into_iter()), Some("DATABASE_URL"));
        assert_eq!(nearest("XYZZY", names.into_iter()), None);
    }
}
