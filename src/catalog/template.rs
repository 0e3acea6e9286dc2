//! URL, asset and path templates (`{version}`, `{tag}`, `{build}`, `{os}`, `{arch}`,
//! `{asset}`, `{url}`) and the tiny JSON path language of version indexes. Plain string
//! substitution only: no logic, no escapes, nothing that runs.

use serde_json::Value;

/// The placeholders a template may use.
pub const PLACEHOLDERS: &[&str] = &["version", "tag", "build", "os", "arch", "asset", "url"];

/// The values placeholders render to, for one version on one platform.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Vars {
    /// The version without prefix (`1.7.1`; `3.12.7+20241016` for python-build-standalone).
    pub version: String,
    /// The upstream tag (`jq-1.7.1`, `v22.12.0`).
    pub tag: String,
    /// The build metadata after `+` (`20241016`), empty when there is none.
    pub build: String,
    /// The upstream's spelling of the os and arch (`unknown-linux-musl`, `amd64`).
    pub os: String,
    pub arch: String,
    /// The artifact's file name and URL, once known (for checksum templates).
    pub asset: String,
    pub url: String,
}

/// A string with `{placeholder}`s, checked when the catalog is loaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template(String);

impl Template {
    /// Checks that every `{...}` is a known placeholder.
    pub fn new(text: &str) -> Result<Template, String> {
        let mut rest = text;
        while let Some(open) = rest.find('{') {
            let close = rest[open..].find('}').ok_or_else(|| format!("`{text}` has a `{{` without `}}`"))?;
            let name = &rest[open + 1..open + close];
            if !PLACEHOLDERS.contains(&name) {
                return Err(format!(
                    "`{text}` uses `{{{name}}}`; templates know {}",
                    PLACEHOLDERS.iter().map(|p| format!("{{{p}}}")).collect::<Vec<_>>().join(", ")
                ));
            }
            rest = &rest[open + close + 1..];
        }
        Ok(Template(text.to_string()))
    }

    /// The template as written.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Substitutes every placeholder.
    pub fn render(&self, vars: &Vars) -> String {
        let mut out = self.0.clone();
        for (name, value) in [
            ("version", &vars.version),
            ("tag", &vars.tag),
            ("build", &vars.build),
            ("os", &vars.os),
            ("arch", &vars.arch),
            ("asset", &vars.asset),
            ("url", &vars.url),
        ] {
            out = out.replace(&format!("{{{name}}}"), value);
        }
        out
    }

    /// The `{version}` part of `text` when `text` is this template rendered with `vars`
    /// for some version (`jq-1.7.1` against `jq-{version}` gives `1.7.1`).
    pub fn capture_version(&self, text: &str, vars: &Vars) -> Option<String> {
        let (before, after) = self.0.split_once("{version}")?;
        let before = Template(before.to_string()).render(vars);
        let after = Template(after.to_string()).render(vars);
        let middle = text.strip_prefix(&before)?.strip_suffix(&after)?;
        (!middle.is_empty()).then(|| middle.to_string())
    }
}

/// Where the version strings sit in a JSON document, as `/`-separated steps: a key,
/// `[]` (every element of an array) or `{}` (every key of an object). Examples:
/// `[]/version` (nodejs.org, go.dev), `{}` (ziglang.org), `versions/{}` (HashiCorp),
/// `cli/[]` (deno). Steps may contain placeholders (`{version}/{arch}-{os}/shasum`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonPath(Template);

impl JsonPath {
    /// Checks the placeholders (the steps themselves cannot be wrong).
    pub fn new(text: &str) -> Result<JsonPath, String> {
        let steps = text.replace("{}", "");
        Template::new(&steps)?;
        Ok(JsonPath(Template(text.to_string())))
    }

    /// The path as written.
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }

    /// Every string the path reaches, each with the object holding it (for alias flags
    /// such as node's `lts`); keys reached with `{}` come with the object they name.
    pub fn select<'a>(&self, doc: &'a Value, vars: &Vars) -> Vec<(String, &'a Value)> {
        let rendered = self.0.as_str().split('/').map(|step| match step {
            "[]" | "{}" => step.to_string(),
            _ => Template(step.to_string()).render(vars),
        });
        let mut current: Vec<(Option<String>, &Value, &Value)> = vec![(None, doc, doc)];
        for step in rendered {
            let mut next = Vec::new();
            for (_, value, _) in current {
                match (step.as_str(), value) {
                    ("[]", Value::Array(items)) => next.extend(items.iter().map(|v| (None, v, value))),
                    ("{}", Value::Object(map)) => {
                        next.extend(map.iter().map(|(k, v)| (Some(k.clone()), v, v)))
                    }
                    (key, Value::Object(map)) => next.extend(map.get(key).map(|v| (None, v, value))),
                    _ => {}
                }
            }
            current = next;
        }
        current
            .into_iter()
            .filter_map(|(key, value, holder)| match (key, value) {
                (Some(key), _) => Some((key, holder)),
                (None, Value::String(s)) => Some((s.clone(), holder)),
                _ => None,
            })
            .collect()
    }
}
