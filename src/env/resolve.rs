//! Resolution of every definition (`[env]` entries, then dotenv entries) to its value:
//! lazy, over the whole list, with cycle detection, so forward references work.
//!
//! `${NAME}` in definition `i` means, in this order:
//! 1. the latest definition of NAME *before* `i` (so `PATH = "${PATH}:x"` and
//!    `prepend`/`append` build on the value before this entry);
//! 2. the final definition of NAME after `i` (a forward reference), unless NAME is the
//!    variable being defined;
//! 3. den's own values, then the outer environment.
//!
//! A variable that den unsets counts as not set. Never renders or writes anything; secrets
//! are read through `secret` only when their definition is resolved.
//!
//! Cost is linear in the definitions: names are looked up in an index, each definition is
//! resolved once. Resolution recurses along references, so their nesting is bounded
//! (`MAX_DEPTH`): a deeper chain is an error, never a stack overflow.

use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};

use indexmap::IndexMap;

use crate::project::Location;

use super::secret::{self, For};
use super::template::{Part, Template};
use super::{Error, Outer, Secret};

/// How many `${...}` references may lead from one definition to the next before den gives
/// up: far beyond any real chain, and far below what overflows the stack.
pub const MAX_DEPTH: usize = 100;

/// One definition of a variable, from `[env]` or a dotenv file.
#[derive(Debug, Clone)]
pub struct Def {
    pub name: String,
    pub kind: Kind,
    /// Location relative to the project root, as shown to the user.
    pub at: Location,
    /// Whether it comes from a dotenv file (else from `[env]`).
    pub dotenv: bool,
}

/// What a definition does, with its values already parsed as templates.
#[derive(Debug, Clone)]
pub enum Kind {
    Set(Template),
    Prepend(Vec<Template>),
    Append(Vec<Template>),
    /// A secret file: the path as a template, and as written (for `den explain`).
    File(Template, String),
    Command(String),
    Unset,
}

/// What resolution needs besides the definitions.
pub struct Context<'a> {
    pub root: &'a Path,
    pub outer: &'a Outer,
    /// den's own variables (`DEN_ROOT`, ...).
    pub den: &'a IndexMap<String, String>,
    /// Which of `den` are secret (a service's URL with its password, the password): a
    /// value using one is marked secret too.
    pub den_secrets: &'a std::collections::HashSet<String>,
    pub trusted: bool,
}

/// A resolved definition: its value (`None` = unset) and how it is secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Value {
    pub text: Option<String>,
    pub secret: Option<Secret>,
}

/// Resolves every definition, in order; the first error stops.
pub fn resolve_all(defs: &[Def], cx: &Context) -> Result<Vec<Value>, Error> {
    let mut by_name: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, def) in defs.iter().enumerate() {
        by_name.entry(&def.name).or_default().push(i);
    }
    let mut r = Resolver { defs, cx, by_name, state: vec![State::Todo; defs.len()], stack: Vec::new() };
    (0..defs.len()).map(|i| r.resolve(i)).collect()
}

#[derive(Debug, Clone)]
enum State {
    Todo,
    Busy,
    Done(Value),
}

struct Resolver<'a> {
    defs: &'a [Def],
    cx: &'a Context<'a>,
    by_name: HashMap<&'a str, Vec<usize>>,
    state: Vec<State>,
    stack: Vec<usize>,
}

impl Resolver<'_> {
    fn resolve(&mut self, i: usize) -> Result<Value, Error> {
        match &self.state[i] {
            State::Done(v) => return Ok(v.clone()),
            State::Busy => {
                let pos = self.stack.iter().position(|&j| j == i).unwrap_or(0);
                let chain =
                    self.stack[pos..].iter().map(|&j| (self.defs[j].name.clone(), self.defs[j].at.clone()));
                return Err(Error::Cycle { chain: chain.collect() });
            }
            State::Todo => {}
        }
        if self.stack.len() >= MAX_DEPTH {
            let first = &self.defs[self.stack[0]];
            return Err(Error::TooDeep { name: first.name.clone(), at: first.at.clone(), limit: MAX_DEPTH });
        }
        self.state[i] = State::Busy;
        self.stack.push(i);
        let value = self.compute(i)?;
        self.stack.pop();
        self.state[i] = State::Done(value.clone());
        Ok(value)
    }

    fn compute(&mut self, i: usize) -> Result<Value, Error> {
        let (defs, cx) = (self.defs, self.cx);
        let def = &defs[i];
        let var = For { name: &def.name, at: &def.at };
        let home = cx.outer.get(crate::env_vars::HOME);
        let (text, secret) = match &def.kind {
            Kind::Set(t) => {
                let (text, secret) = self.expand(i, t)?;
                (Some(text), secret)
            }
            Kind::Prepend(list) | Kind::Append(list) => {
                let current = self.lookup(i, &def.name)?.map(|(v, _)| v).unwrap_or_default();
                let mut entries = Vec::new();
                for t in list {
                    let (entry, _) = self.expand(i, t)?;
                    if !entry.is_empty() {
                        entries
                            .push(path_text(&normalize(&secret::expand_path(&entry, cx.root, home, &var)?)));
                    }
                }
                (Some(merge_path(&current, &entries, matches!(def.kind, Kind::Prepend(_)))), None)
            }
            Kind::File(t, raw) => {
                let (path, _) = self.expand(i, t)?;
                let path = secret::expand_path(&path, cx.root, home, &var)?;
                (Some(secret::read_file(&path, &var)?), Some(Secret::File(raw.clone())))
            }
            Kind::Command(command) => {
                if !cx.trusted {
                    let (name, at, command) = (def.name.clone(), def.at.clone(), command.clone());
                    return Err(Error::Untrusted { name, at, command });
                }
                (Some(secret::run_command(command, cx.root, &var)?), Some(Secret::Command(command.clone())))
            }
            Kind::Unset => (None, None),
        };
        Ok(Value { text, secret })
    }

    /// The value `${name}` has inside definition `from`; `None` when not set.
    fn lookup(&mut self, from: usize, name: &str) -> Result<Option<(String, Option<Secret>)>, Error> {
        let own = self.defs[from].name == name;
        let list = self.by_name.get(name);
        let earlier = list.and_then(|l| l.iter().rev().find(|&&j| j < from).copied());
        let later = if own { None } else { list.and_then(|l| l.last().copied()) };
        if let Some(j) = earlier.or(later) {
            let value = self.resolve(j)?;
            return Ok(value.text.map(|t| (t, value.secret.map(|_| Secret::Via(name.to_string())))));
        }
        if let Some(v) = self.cx.den.get(name) {
            let secret = self.cx.den_secrets.contains(name).then(|| Secret::Via(name.to_string()));
            return Ok(Some((v.to_string(), secret)));
        }
        Ok(self.cx.outer.get(name).map(|v| (v.to_string(), None)))
    }

    /// The template's text, and the secret it interpolates if any.
    fn expand(&mut self, from: usize, t: &Template) -> Result<(String, Option<Secret>), Error> {
        let mut out = String::new();
        let mut taint = None;
        for part in &t.parts {
            match part {
                Part::Lit(s) => out.push_str(s),
                Part::Var { name, default } => match (self.lookup(from, name)?, default) {
                    (Some((v, secret)), d) if d.is_none() || !v.is_empty() => {
                        out.push_str(&v);
                        taint = taint.or(secret);
                    }
                    (_, Some(d)) => {
                        let (v, secret) = self.expand(from, d)?;
                        out.push_str(&v);
                        taint = taint.or(secret);
                    }
                    (_, None) => {
                        let def = &self.defs[from];
                        let (name_, at) = (def.name.clone(), def.at.clone());
                        return Err(Error::Undefined { name: name_, at, var: name.clone() });
                    }
                },
            }
        }
        Ok((out, taint))
    }
}

/// `a/./b/` → `a/b` (without touching the filesystem; `..` is kept).
fn normalize(path: &Path) -> PathBuf {
    path.components().filter(|c| !matches!(c, Component::CurDir)).collect()
}

fn path_text(path: &Path) -> String {
    path.to_string_lossy().into_owned()
}

/// Puts `entries` in front of (or after) the `:`-separated `current`. Prepended entries
/// already present move to the front; appended ones already present stay where they are.
pub fn merge_path(current: &str, entries: &[String], prepend: bool) -> String {
    let mut new: Vec<&str> = Vec::new();
    for e in entries {
        if !new.contains(&e.as_str()) {
            new.push(e);
        }
    }
    let existing: Vec<&str> = if current.is_empty() { Vec::new() } else { current.split(':').collect() };
    let joined: Vec<&str> = if prepend {
        new.iter().copied().chain(existing.into_iter().filter(|e| !new.contains(e))).collect()
    } else {
        let added: Vec<&str> = new.into_iter().filter(|e| !existing.contains(e)).collect();
        existing.into_iter().chain(added).collect()
    };
    joined.join(":")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn prepend_moves_existing_entries_to_the_front() {
        assert_eq!(
            merge_path("/usr/bin:/p/bin:/bin", &s(&["/p/bin", "/p/x"]), true),
            "/p/bin:/p/x:/usr/bin:/bin"
        );
        assert_eq!(merge_path("", &s(&["/a", "/a"]), true), "/a");
    }

    #[test]
    fn append_skips_entries_already_present() {
        assert_eq!(merge_path("/usr/bin:/bin", &s(&["/bin", "/p/x"]), false), "/usr/bin:/bin:/p/x");
        assert_eq!(merge_path("", &s(&["/a"]), false), "/a");
    }

    #[test]
    fn normalize_drops_dot_components() {
        assert_eq!(normalize(Path::new("/p/./bin/")), Path::new("/p/bin"));
        assert_eq!(normalize(Path::new("/p/../bin")), Path::new("/p/../bin"));
    }
}
