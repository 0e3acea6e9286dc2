//! The activation state carried between prompts in `__DEN_STATE`: which variables den
//! changed, how to know what they held before, and a digest of what den put there. It lets
//! leaving a project restore the previous environment exactly, and lets a value the user
//! changed by hand inside the project survive a reload unless `den.toml` itself changed it.
//!
//! `__DEN_STATE` is exported to every child, so it must never hold a value den unset or
//! replaced (an unset `AWS_SECRET_ACCESS_KEY` would be readable by any child). It holds
//! only names, digests of den's own values, den's own `:`-list entries and the name of
//! the 0600 file (`saved`) that keeps the previous values out of the environment. A
//! previous `:`-list that is den's value minus den's entries is not kept anywhere: it can
//! be derived again.
//!
//! Pure functions over maps: no I/O, no process environment.

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
    /// The project root whose environment is applied (any bytes: a path need not be UTF-8).
    #[serde(with = "path_bytes")]
    pub root: PathBuf,
    /// Per changed variable, what it was and what den made it.
    pub vars: BTreeMap<String, Change>,
    /// The name of the file keeping the previous values of the `Was::Saved` variables.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub saved: Option<String>,
}

/// One variable den changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    /// How the value before den touched it is known.
    #[serde(default, skip_serializing_if = "Was::is_unset")]
    pub was: Was,
    /// The value before den touched it (`None` when it was unset, or when it was saved and
    /// the saved file is gone). Never serialized: it lives in memory and in the saved file.
    #[serde(skip)]
    pub old: Option<String>,
    /// The previous value as states written by older versions of den carried it: read so
    /// that a shell entered before an upgrade still restores it, never written.
    #[serde(default, rename = "old", skip_serializing)]
    legacy: Option<String>,
    /// Digest of the value den set; `None` when den unset it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub set: Option<String>,
    /// Entries den added to a `:`-separated list, removed again on leave even when the
    /// user has since added entries of their own.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub added: Vec<String>,
}

/// Where the value a variable had before den changed it is kept.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Was {
    /// It was not set.
    #[default]
    Unset,
    /// In the saved file, out of the environment.
    Saved,
    /// Nowhere: it is den's value without the entries den added (`added`).
    Derived,
}

impl Was {
    fn is_unset(&self) -> bool {
        *self == Was::Unset
    }
}

impl State {
    /// Reads the state from `__DEN_STATE`; a missing or unreadable state is no state (a
    /// damaged variable must never make the prompt fail). The saved previous values are
    /// not in it: `with_saved` adds them.
    pub fn decode(text: Option<&str>) -> Option<State> {
        let mut state: State = serde_json::from_str(text?).ok()?;
        for change in state.vars.values_mut() {
            if let Some(old) = change.legacy.take() {
                (change.was, change.old) = (Was::Saved, Some(old));
            }
        }
        Some(state)
    }

    /// The compact one-line form put in `__DEN_STATE`: no previous value is in it.
    pub fn encode(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// The previous values to keep out of the environment: those neither unset nor
    /// derivable, name → value.
    pub fn saved_values(&self) -> BTreeMap<String, String> {
        self.vars
            .iter()
            .filter(|(_, c)| c.was == Was::Saved)
            .filter_map(|(name, c)| Some((name.clone(), c.old.clone()?)))
            .collect()
    }

    /// Puts the saved previous values back in (from the saved file; `None` when it is
    /// gone, so that leaving unsets what den set rather than keep the project's values).
    pub fn with_saved(mut self, saved: Option<&BTreeMap<String, String>>) -> State {
        for (name, change) in &mut self.vars {
            if change.was == Was::Saved {
                // An old state's own value (see `legacy`) stands when there is no file.
                change.old = saved.and_then(|s| s.get(name).cloned()).or(change.old.take());
            }
        }
        self
    }

    /// Whether some previous value is missing (its saved file is gone).
    pub fn lost(&self) -> bool {
        self.vars.values().any(|c| c.was == Was::Saved && c.old.is_none())
    }
}

/// `PathBuf` as a JSON string when it is UTF-8, else as its bytes, so that any directory
/// can be a project root and the state still says exactly which.
mod path_bytes {
    use std::ffi::OsString;
    use std::os::unix::ffi::OsStringExt;
    use std::path::{Path, PathBuf};

    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    #[derive(Serialize, Deserialize)]
    #[serde(untagged)]
    enum Repr {
        Text(String),
        Bytes(Vec<u8>),
    }

    pub fn serialize<S: Serializer>(path: &Path, s: S) -> Result<S::Ok, S::Error> {
        match path.to_str() {
            Some(text) => Repr::Text(text.to_string()),
            None => Repr::Bytes(path.as_os_str().to_os_string().into_vec()),
        }
        .serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<PathBuf, D::Error> {
        Ok(match Repr::deserialize(d)? {
            Repr::Text(text) => PathBuf::from(text),
            Repr::Bytes(bytes) => PathBuf::from(OsString::from_vec(bytes)),
        })
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
        let without_added = || now.map(|v| remove_entries(v, &change.added));
        let restored = if set_by_den(change, now) {
            match change.was {
                Was::Unset => None,
                Was::Derived => without_added(),
                Was::Saved if change.old.is_some() => change.old.clone(),
                // The saved value is gone: take off what den added, or what den set.
                Was::Saved if !change.added.is_empty() => without_added(),
                Was::Saved => None,
            }
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
    let mut state = State { root, vars: BTreeMap::new(), saved: None };
    for (name, value) in target {
        let old = baseline.get(name).cloned();
        let before = previous.and_then(|p| p.vars.get(name));
        let unchanged_in_project =
            before.is_some_and(|c| c.set.as_deref() == value.as_deref().map(digest).as_deref());
        let hand_edited = before.is_some_and(|c| !set_by_den(c, current.get(name)));
        if let Some(change) = before.filter(|_| unchanged_in_project && hand_edited) {
            // The user's value stays, and so does den's record of its own value and of what
            // was there before: a later reload must still see the edit as the user's.
            state.vars.insert(name.clone(), change.clone());
            next.insert_or_remove(name, current.get(name).cloned());
            continue;
        }
        let value = value.clone();
        if value == old {
            next.insert_or_remove(name, value);
            continue;
        }
        let added = match (&value, &old) {
            (Some(new), Some(old)) if is_list(name) => added_entries(new, old),
            _ => Vec::new(),
        };
        let was = match (&old, &value) {
            (None, _) => Was::Unset,
            (Some(old), Some(new)) if !added.is_empty() && remove_entries(new, &added) == *old => {
                Was::Derived
            }
            (Some(_), _) => Was::Saved,
        };
        state.vars.insert(
            name.clone(),
            Change { was, old, legacy: None, set: value.as_deref().map(digest), added },
        );
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
        let saved = state.saved_values();
        let state = State::decode(Some(&state.encode())).unwrap().with_saved(Some(&saved));
        assert_eq!(revert(&inside, &state), outer);
    }

    #[test]
    fn the_encoded_state_holds_no_previous_value() {
        let outer = vars(&[("PATH", "/usr/bin"), ("SECRET", "hunter2-unset"), ("TOKEN", "hunter2-old")]);
        let t = target(&[("PATH", Some("/p/bin:/usr/bin")), ("SECRET", None), ("TOKEN", Some("new"))]);
        let (inside, state) = enter(&outer, &t);
        let text = state.encode();
        assert!(!text.contains("hunter2"), "{text}");
        // Only what cannot be derived is kept aside; PATH is den's value minus den's entry.
        let saved = state.saved_values();
        assert_eq!(saved, vars(&[("SECRET", "hunter2-unset"), ("TOKEN", "hunter2-old")]));
        let decoded = State::decode(Some(&text)).unwrap();
        assert!(decoded.lost());
        let decoded = decoded.with_saved(Some(&saved));
        assert!(!decoded.lost());
        assert_eq!(revert(&inside, &decoded), outer);
    }

    #[test]
    fn a_lost_saved_file_unsets_what_den_set_and_still_restores_lists() {
        let outer = vars(&[("PATH", "/usr/bin"), ("TOKEN", "old"), ("GONE", "x")]);
        let t = target(&[("PATH", Some("/p/bin:/usr/bin")), ("TOKEN", Some("project")), ("GONE", None)]);
        let (inside, state) = enter(&outer, &t);
        let state = State::decode(Some(&state.encode())).unwrap().with_saved(None);
        assert_eq!(revert(&inside, &state), vars(&[("PATH", "/usr/bin")]));
    }

    #[test]
    fn a_root_that_is_not_utf8_survives_encoding() {
        use std::os::unix::ffi::OsStringExt;
        let root = PathBuf::from(std::ffi::OsString::from_vec(b"/tmp/proj\xff".to_vec()));
        let (_, state) = apply(&Vars::new(), &Vars::new(), &target(&[("A", Some("1"))]), None, root.clone());
        assert_eq!(State::decode(Some(&state.encode())).unwrap().root, root);
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
    fn a_hand_edit_survives_any_number_of_reloads_until_the_project_changes_it() {
        let t = target(&[("A", Some("1"))]);
        let (mut inside, mut state) = enter(&vars(&[]), &t);
        inside.insert("A".into(), "mine".into());
        // Reloads that change nothing (a stamp in the same tick as an edit) keep it, and
        // keep knowing it is the user's.
        for _ in 0..3 {
            let baseline = revert(&inside, &state);
            (inside, state) = apply(&inside, &baseline, &t, Some(&state), "/p".into());
            assert_eq!(inside["A"], "mine");
        }
        let baseline = revert(&inside, &state);
        let (next, state) =
            apply(&inside, &baseline, &target(&[("A", Some("2"))]), Some(&state), "/p".into());
        assert_eq!(next["A"], "2", "the project's change wins");
        assert_eq!(revert(&next, &state).get("A").map(String::as_str), Some("mine"));
    }

    #[test]
    fn diff_sets_and_unsets() {
        let d = diff(&vars(&[("A", "1"), ("B", "2")]), &vars(&[("A", "1"), ("C", "3")]));
        assert_eq!(d, vec![("B".into(), None), ("C".into(), Some("3".into()))]);
    }

    #[test]
    fn a_state_written_by_an_older_den_still_restores_and_is_rewritten_without_values() {
        let current = vars(&[("TOKEN", "project")]);
        let old =
            format!(r#"{{"root":"/p","vars":{{"TOKEN":{{"old":"mine","set":"{}"}}}}}}"#, digest("project"));
        let state = State::decode(Some(&old)).unwrap().with_saved(None);
        assert!(!state.lost());
        assert_eq!(revert(&current, &state), vars(&[("TOKEN", "mine")]));
        assert!(!state.encode().contains("mine"));
    }

    #[test]
    fn a_damaged_state_is_ignored() {
        assert_eq!(State::decode(Some("{not json")), None);
        assert_eq!(State::decode(None), None);
    }
}
