//! The activation state carried between prompts in `__DEN_STATE`: which variables den
//! changed, what they held before, and a digest of what den put there. It lets leaving a
//! project restore the previous environment exactly, and lets a value the user changed by
//! hand inside the project survive a reload unless `den.toml` itself changed it.
//!
//! Pure functions over maps: no I/O, no process environment. The digest (not the value)
//! is kept so that secrets never travel in the state.

use std::collections::BTreeMap;
use std::path::PathBuf;

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// A snapshot of variables: name → value. Absent means unset.
pub type Vars = BTreeMap<String, String>;

/// What one activation changed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct State {
    /// The project root whose environment is applied.
    pub root: PathBuf,
    /// Per changed variable, what it was and what den made it.
    pub vars: BTreeMap<String, Change>,
}

/// One variable den changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    /// The value before den touched it; `None` when it was unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub old: Option<String>,
    /// Digest of the value den set; `None` when den unset it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub set: Option<String>,
    /// Entries den added to a `:`-separated list, removed again on leave even when the
    /// user has since added entries of their own.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub added: Vec<String>,
}

impl State {
    /// Reads the state from `__DEN_STATE`; a missing or unreadable state is no state (a
    /// damaged variable must never make the prompt fail).
    pub fn decode(text: Option<&str>) -> Option<State> {
        serde_json::from_str(text?).ok()
    }

    /// The compact one-line form put in `__DEN_STATE`.
    pub fn encode(&self) -> String {
        serde_json::to_string(self).expect("state serializes")
    }
}

/// The environment as it is outside any project: the project applied in `current` (by the
/// hook or an outer `den enter`, named by `__DEN_STATE`) is taken off, so that nested
/// sessions and one-off runs never stack on it.
pub fn outside(current: &Vars) -> Vars {
    match State::decode(current.get(crate::env_vars::DEN_STATE_VAR).map(String::as_str)) {
        Some(previous) => revert(current, &previous),
        None => current.clone(),
    }
}

/// Short digest of a value: enough to notice a hand edit, useless to recover a secret.
pub fn digest(value: &str) -> String {
    let hash = Sha256::digest(value.as_bytes());
    hash[..12].iter().map(|b| format!("{b:02x}")).collect()
}

fn set_by_den(change: &Change, current: Option<&String>) -> bool {
    change.set.as_deref() == current.map(|v| digest(v)).as_deref()
}

/// The environment without den's changes: what the user would have outside the project.
/// Variables still holding den's value get their old value back; a `:`-list den extended
/// and the user edited loses only den's entries; any other hand edit is kept.
pub fn revert(current: &Vars, state: &State) -> Vars {
    let mut out = current.clone();
    for (name, change) in &state.vars {
        let now = current.get(name);
        let restored = if set_by_den(change, now) {
            change.old.clone()
        } else if !change.added.is_empty() {
            now.map(|v| remove_entries(v, &change.added))
        } else {
            now.cloned()
        };
        match restored {
            Some(v) => out.insert(name.clone(), v),
            None => out.remove(name),
        };
    }
    out
}

/// The environment to move to: `target` (what the project sets, computed on top of
/// `baseline`) applied over `baseline`, except that a variable the user changed by hand
/// keeps the user's value when the project's value for it did not change since the last
/// load. Returns the new environment and the state that records it.
pub fn apply(
    current: &Vars,
    baseline: &Vars,
    target: &IndexMap<String, Option<String>>,
    previous: Option<&State>,
    root: PathBuf,
) -> (Vars, State) {
    let mut next = baseline.clone();
    let mut state = State { root, vars: BTreeMap::new() };
    for (name, value) in target {
        let old = baseline.get(name).cloned();
        let unchanged_in_project = previous
            .and_then(|p| p.vars.get(name))
            .is_some_and(|c| c.set.as_deref() == value.as_deref().map(digest).as_deref());
        let hand_edited =
            previous.and_then(|p| p.vars.get(name)).is_some_and(|c| !set_by_den(c, current.get(name)));
        let value =
            if unchanged_in_project && hand_edited { current.get(name).cloned() } else { value.clone() };
        if value == old {
            next.insert_or_remove(name, value);
            continue;
        }
        let added = match (&value, &old) {
            (Some(new), Some(old)) if is_list(name) => added_entries(new, old),
            _ => Vec::new(),
        };
        state.vars.insert(name.clone(), Change { old, set: value.as_deref().map(digest), added });
        next.insert_or_remove(name, value);
    }
    (next, state)
}

/// The assignments that turn `from` into `to`, sorted by name: `Some` sets, `None` unsets.
pub fn diff(from: &Vars, to: &Vars) -> Vec<(String, Option<String>)> {
    let mut out: Vec<_> = to
        .iter()
        .filter(|(k, v)| from.get(*k) != Some(*v))
        .map(|(k, v)| (k.clone(), Some(v.clone())))
        .collect();
    out.extend(from.keys().filter(|k| !to.contains_key(*k)).map(|k| (k.clone(), None)));
    out.sort();
    out
}

trait InsertOrRemove {
    fn insert_or_remove(&mut self, name: &str, value: Option<String>);
}

impl InsertOrRemove for Vars {
    fn insert_or_remove(&mut self, name: &str, value: Option<String>) {
        match value {
            Some(v) => self.insert(name.to_string(), v),
            None => self.remove(name),
        };
    }
}

/// Variables whose value is a `:`-separated list of directories.
fn is_list(name: &str) -> bool {
    name == "PATH" || name.ends_with("PATH") || name.ends_with("_DIRS")
}

fn added_entries(new: &str, old: &str) -> Vec<String> {
    let mut before: Vec<&str> = old.split(':').collect();
    let mut added = Vec::new();
    for entry in new.split(':') {
        match before.iter().position(|e| *e == entry) {
            Some(i) => {
                before.remove(i);
            }
            None => added.push(entry.to_string()),
        }
    }
    added
}

fn remove_entries(value: &str, remove: &[String]) -> String {
    let mut remove: Vec<&str> = remove.iter().map(String::as_str).collect();
    value
        .split(':')
        .filter(|entry| match remove.iter().position(|r| r == entry) {
            Some(i) => {
                remove.remove(i);
                false
            }
            None => true,
        })
        .collect::<Vec<_>>()
        .join(":")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> Vars {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    fn target(pairs: &[(&str, Option<&str>)]) -> IndexMap<String, Option<String>> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.map(str::to_string))).collect()
    }

    fn enter(outer: &Vars, t: &IndexMap<String, Option<String>>) -> (Vars, State) {
        apply(outer, outer, t, None, "/p".into())
    }

    #[test]
    fn leaving_restores_exactly() {
        let outer = vars(&[("PATH", "/usr/bin:/bin"), ("KEEP", "x"), ("GONE", "old")]);
        let t = target(&[("PATH", Some("/p/bin:/usr/bin:/bin")), ("NEW", Some("1")), ("GONE", None)]);
        let (inside, state) = enter(&outer, &t);
        assert_eq!(inside, vars(&[("PATH", "/p/bin:/usr/bin:/bin"), ("KEEP", "x"), ("NEW", "1")]));
        let state = State::decode(Some(&state.encode())).unwrap();
        assert_eq!(revert(&inside, &state), outer);
    }

    #[test]
    fn a_value_equal_to_the_outer_one_is_not_recorded() {
        let outer = vars(&[("A", "1")]);
        let (_, state) = enter(&outer, &target(&[("A", Some("1"))]));
        assert!(state.vars.is_empty());
    }

    #[test]
    fn path_entries_added_by_hand_survive_leaving() {
        let outer = vars(&[("PATH", "/usr/bin")]);
        let (mut inside, state) = enter(&outer, &target(&[("PATH", Some("/p/bin:/usr/bin"))]));
        inside.insert("PATH".into(), "/p/bin:/usr/bin:/opt/mine".into());
        assert_eq!(revert(&inside, &state)["PATH"], "/usr/bin:/opt/mine");
    }

    #[test]
    fn hand_edits_survive_a_reload_unless_the_project_changed_the_variable() {
        let outer = vars(&[]);
        let t = target(&[("A", Some("1")), ("B", Some("2"))]);
        let (mut inside, state) = enter(&outer, &t);
        inside.insert("A".into(), "mine".into());
        inside.insert("B".into(), "mine".into());
        let baseline = revert(&inside, &state);
        let t2 = target(&[("A", Some("1")), ("B", Some("3"))]);
        let (next, state2) = apply(&inside, &baseline, &t2, Some(&state), "/p".into());
        assert_eq!(next["A"], "mine");
        assert_eq!(next["B"], "3");
        // Leaving after that gives back what the user had before each of den's changes.
        let out = revert(&next, &state2);
        assert_eq!((out["A"].as_str(), out["B"].as_str()), ("mine", "mine"));
    }

    #[test]
    fn diff_sets_and_unsets() {
        let d = diff(&vars(&[("A", "1"), ("B", "2")]), &vars(&[("A", "1"), ("C", "3")]));
        assert_eq!(d, vec![("B".into(), None), ("C".into(), Some("3".into()))]);
    }

    #[test]
    fn a_damaged_state_is_ignored() {
        assert_eq!(State::decode(Some("{not json")), None);
        assert_eq!(State::decode(None), None);
    }
}
