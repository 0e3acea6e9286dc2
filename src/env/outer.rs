//! A snapshot of the environment den was started in ("outer"), the last place `${NAME}`
//! looks. Values are `String`: a variable whose name or value is not UTF-8 is left out of
//! the snapshot (den cannot interpolate or render it faithfully), which only means
//! `${NAME}` treats it as not set. Never modifies the process environment.

use std::collections::HashMap;

/// The outer environment, name → value.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outer {
    vars: HashMap<String, String>,
}

impl Outer {
    /// The environment of this process (tests; den itself takes [`super::snapshot`] once
    /// and builds on `env::Base`).
    #[cfg(test)]
    pub fn from_process() -> Outer {
        super::snapshot().into_iter().collect()
    }

    /// The value of `name`, if set.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.vars.get(name).map(String::as_str)
    }

    /// A copy with `name` set to `value`.
    pub fn with(&self, name: &str, value: &str) -> Outer {
        let mut vars = self.vars.clone();
        vars.insert(name.to_string(), value.to_string());
        Outer { vars }
    }

    /// Every variable name (in no particular order).
    #[cfg(test)]
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.vars.keys().map(String::as_str)
    }
}

impl<K: Into<String>, V: Into<String>> FromIterator<(K, V)> for Outer {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        Outer { vars: iter.into_iter().map(|(k, v)| (k.into(), v.into())).collect() }
    }
}
