//! The computed environment: every variable den sets or unsets, in order, with its final
//! value and where it came from. Holds values only; it never renders or reads anything.

use indexmap::IndexMap;

use crate::project::Location;

/// Where a variable's final value came from, for `den explain`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// An `[env]` entry (location relative to the project root).
    Manifest(Location),
    /// A line of a dotenv file (path as written in `dotenv = [...]`).
    Dotenv(Location),
    /// One of den's own variables (`DEN_ROOT`, `DEN_PROJECT`, `DEN_STATE_DIR`).
    Den,
    /// The installed tools' binary directories, in front of PATH.
    Tools,
    /// Set by the definition of this installed tool (a runtime's home: `JAVA_HOME`).
    Home(String),
    /// Exported by the preset service of this name (`[services.<name>]`).
    Service(String),
    /// The project's Python venv (den.toml's `venv`, at this place): `VIRTUAL_ENV`.
    Venv(Location),
    /// PATH with the venv's `bin` in front of the tools' directories.
    VenvPath(Location),
    /// Not set by den: the environment den was started in.
    Outer,
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Origin::Manifest(at) | Origin::Dotenv(at) => write!(f, "{at}"),
            Origin::Den => f.write_str("den"),
            Origin::Tools => f.write_str("tools in den.lock"),
            Origin::Home(tool) => write!(f, "{tool} in den.lock (den's definition of it)"),
            Origin::Service(name) => write!(f, "[services.{name}]"),
            Origin::Venv(at) => write!(f, "venv, {at}"),
            Origin::VenvPath(at) => write!(f, "venv, {at}, then tools in den.lock"),
            Origin::Outer => f.write_str("outer environment"),
        }
    }
}

/// How a value is secret, so that `den explain` shows the source instead of the value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Secret {
    /// Read from this file (as written in den.toml).
    File(String),
    /// Printed by this command.
    Command(String),
    /// Interpolates the secret variable of this name.
    Via(String),
}

impl std::fmt::Display for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Secret::File(path) => write!(f, "<secret from file {path}>"),
            Secret::Command(cmd) => write!(f, "<secret from command `{cmd}`>"),
            Secret::Via(name) => write!(f, "<derived from secret {name}>"),
        }
    }
}

/// One variable of the target environment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Var {
    pub name: String,
    /// The final value; `None` means den unsets the variable.
    pub value: Option<String>,
    pub origin: Origin,
    pub secret: Option<Secret>,
}

/// The variables den sets or unsets, in order (den's own first, then `[env]` in file
/// order, then the dotenv files); a name defined twice keeps its first position and its
/// last value. The values a later layer replaced are kept too, in order, so that
/// `den explain VAR` can show every layer that set it (any layer that inserts gets this).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Target {
    vars: IndexMap<String, Var>,
    replaced: IndexMap<String, Vec<Var>>,
    /// Secret values no variable holds whole (a service's generated password, which only
    /// its URL holds), for renderers that hide secrets (GitHub Actions' masks).
    hidden: Vec<String>,
}

impl Target {
    /// Notes a secret value that no variable holds whole.
    pub fn add_hidden(&mut self, value: String) {
        self.hidden.push(value);
    }

    /// The secret values no variable holds whole, in the order noted.
    pub fn hidden(&self) -> &[String] {
        &self.hidden
    }

    /// Sets (or replaces) a variable; a replaced one keeps its position, and its value is
    /// kept as an earlier layer.
    pub fn insert(&mut self, var: Var) {
        if let Some(old) = self.vars.insert(var.name.clone(), var) {
            self.replaced.entry(old.name.clone()).or_default().push(old);
        }
    }

    /// Every layer that set or unset `name`, in the order they applied: the replaced ones,
    /// then the one that won (last). Empty when den does not touch `name`.
    pub fn layers(&self, name: &str) -> Vec<&Var> {
        let earlier = self.replaced.get(name).into_iter().flatten();
        earlier.chain(self.vars.get(name)).collect()
    }

    /// The variable of that name, if den sets or unsets it.
    pub fn get(&self, name: &str) -> Option<&Var> {
        self.vars.get(name)
    }

    /// Every variable, in order.
    pub fn iter(&self) -> impl Iterator<Item = &Var> {
        self.vars.values()
    }
}
