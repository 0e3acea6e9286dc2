//! `compute` on projects built in memory: interpolation, cycles, PATH lists, secrets and
//! dotenv files.

use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;

use crate::project::{Dotenv, EnvEntry, EnvValue, Location, Manifest, Origin as ProjectOrigin, Project};

use super::*;

struct Fixture {
    dir: tempfile::TempDir,
    env: Vec<EnvEntry>,
    dotenv: Vec<Dotenv>,
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("app")).unwrap();
    Fixture { dir, env: Vec::new(), dotenv: Vec::new() }
}

impl Fixture {
    fn root(&self) -> PathBuf {
        self.dir.path().join("app")
    }

    fn at(&self, line: usize) -> Location {
        Location { file: self.root().join("den.toml"), line }
    }

    /// Adds an `[env]` entry declared on the next line of den.toml.
    fn entry(mut self, name: &str, value: EnvValue) -> Self {
        let at = self.at(self.env.len() + 2);
        self.env.push(EnvEntry { name: name.into(), value, at });
        self
    }

    fn set(self, name: &str, value: &str) -> Self {
        self.entry(name, EnvValue::Set(value.into()))
    }

    fn dotenv(mut self, rel: &str, content: Option<&str>) -> Self {
        if let Some(content) = content {
            std::fs::write(self.root().join(rel), content).unwrap();
        }
        let at = self.at(20);
        self.dotenv.push(Dotenv { path: rel.into(), at });
        self
    }

    fn project(&self) -> Project {
        let manifest = Manifest { env: self.env.clone(), dotenv: self.dotenv.clone(), ..Manifest::default() };
        let origin = ProjectOrigin::DenToml(self.root().join("den.toml"));
        Project { root: self.root(), origin, manifest, notes: Vec::new(), den_toml: None }
    }

    fn compute_with(&self, outer: &[(&str, &str)], trusted: bool) -> Result<Target, Error> {
        compute(&self.project(), &outer.iter().copied().collect(), &Layers { trusted, ..Layers::default() })
    }

    /// Name → value of what den sets besides its own variables.
    fn values(&self, outer: &[(&str, &str)]) -> Vec<(String, Option<String>)> {
        let target = self.compute_with(outer, false).unwrap();
        target.iter().filter(|v| v.origin != Origin::Den).map(|v| (v.name.clone(), v.value.clone())).collect()
    }

    fn error(&self, outer: &[(&str, &str)], trusted: bool) -> String {
        self.compute_with(outer, trusted).unwrap_err().to_string()
    }
}

fn pairs(v: &[(&str, Option<&str>)]) -> Vec<(String, Option<String>)> {
    v.iter().map(|(n, v)| (n.to_string(), v.map(str::to_string))).collect()
}

fn toml_at(line: usize) -> Origin {
    Origin::Manifest(Location { file: "den.toml".into(), line })
}

#[test]
fn den_values_come_first() {
    let f = fixture();
    let target = f.compute_with(&[], false).unwrap();
    let root = f.root().display().to_string();
    let got: Vec<_> = target.iter().map(|v| (v.name.as_str(), v.value.clone().unwrap(), &v.origin)).collect();
    assert_eq!(
        got,
        vec![
            ("DEN_ROOT", root.clone(), &Origin::Den),
            ("DEN_PROJECT", "app".to_string(), &Origin::Den),
            ("DEN_STATE_DIR", format!("{root}/.den/state"), &Origin::Den),
        ]
    );
}

#[test]
fn references_see_earlier_entries_den_values_then_outer() {
    let f = fixture().set("A", "a").set("B", "${A}-${DEN_PROJECT}-${USER}").set("USER", "shadow");
    assert_eq!(
        f.values(&[("USER", "me")]),
        pairs(&[("A", Some("a")), ("B", Some("a-app-shadow")), ("USER", Some("shadow"))])
    );
}

#[test]
fn forward_references_resolve_lazily() {
    let f = fixture().set("URL", "postgres://localhost:${PORT}/db").set("PORT", "5432");
    assert_eq!(
        f.values(&[]),
        pairs(&[("URL", Some("postgres://localhost:5432/db")), ("PORT", Some("5432"))])
    );
}

#[test]
fn self_reference_is_the_outer_value() {
    let f = fixture().set("PATH", "${PATH}:/x").set("NEW", "${NEW:-none}");
    assert_eq!(f.values(&[("PATH", "/bin")]), pairs(&[("PATH", Some("/bin:/x")), ("NEW", Some("none"))]));
}

#[test]
fn defaults_dollars_and_bare_names() {
    let f = fixture()
        .set("EMPTY", "")
        .set("A", "${EMPTY:-d1} ${MISSING:-${EMPTY:-nested}} ${SET:-unused}")
        .set("B", "pa$$word $HOME ${A:-}");
    assert_eq!(
        f.values(&[("SET", "s"), ("HOME", "/h")]),
        pairs(&[("EMPTY", Some("")), ("A", Some("d1 nested s")), ("B", Some("pa$word $HOME d1 nested s")),])
    );
}

#[test]
fn undefined_reference_names_the_variable_and_line() {
    let f = fixture().set("A", "ok").set("B", "x${NOPE}");
    assert_eq!(f.error(&[], false), "`B` (den.toml:3) refers to `${NOPE}`, which is not set");
    let unset = fixture().entry("A", EnvValue::Unset).set("B", "${A}");
    assert_eq!(unset.error(&[("A", "outer")], false), "`B` (den.toml:3) refers to `${A}`, which is not set");
}

#[test]
fn cycles_name_every_variable_and_line() {
    let f = fixture().set("A", "${B}").set("B", "${A}");
    assert_eq!(
        f.error(&[], false),
        "variables refer to each other in a cycle: `A` (den.toml:2) → `B` (den.toml:3) → `A`"
    );
    let three = fixture().set("X", "1").set("A", "${B}").set("B", "${C}").set("C", "x${A}");
    assert_eq!(
        three.error(&[], false),
        "variables refer to each other in a cycle: `A` (den.toml:3) → `B` (den.toml:4) → `C` (den.toml:5) → `A`"
    );
}

#[test]
fn template_errors_name_the_entry() {
    let f = fixture().set("A", "${oops");
    assert_eq!(f.error(&[], false), "invalid value of `A` (den.toml:2): `${` without a closing `}`");
    let bad = fixture().set("A-B", "x");
    assert_eq!(bad.error(&[], false), "`A-B` (den.toml:2) is not a valid variable name");
}

#[test]
fn prepend_and_append_resolve_against_the_root() {
    let f = fixture()
        .set("TOOLS", "/opt/tools")
        .entry(
            "PATH",
            EnvValue::Prepend(vec!["bin".into(), "./node_modules/.bin".into(), "${TOOLS}/bin".into()]),
        )
        .entry("PATH", EnvValue::Append(vec!["/bin".into(), "~/.local/bin".into()]));
    let root = f.root().display().to_string();
    let values = f.values(&[("PATH", "/usr/bin:/bin"), ("HOME", "/h")]);
    let want = format!("{root}/bin:{root}/node_modules/.bin:/opt/tools/bin:/usr/bin:/bin:/h/.local/bin");
    assert_eq!(values, pairs(&[("TOOLS", Some("/opt/tools")), ("PATH", Some(&want))]));
    let no_outer = fixture().entry("MANPATH", EnvValue::Append(vec!["/m".into()]));
    assert_eq!(no_outer.values(&[]), pairs(&[("MANPATH", Some("/m"))]));
}

#[test]
fn unset_removes() {
    let f = fixture().entry("OLD", EnvValue::Unset);
    assert_eq!(f.values(&[("OLD", "x")]), pairs(&[("OLD", None)]));
}

#[test]
fn file_secrets_are_read_and_marked() {
    let f = fixture()
        .entry("TOKEN", EnvValue::File("~/token".into()))
        .entry("LOCAL", EnvValue::File("secrets/key".into()))
        .set("AUTH", "Bearer ${TOKEN}");
    let home = f.dir.path().join("home");
    std::fs::create_dir_all(&home).unwrap();
    std::fs::write(home.join("token"), "t0k\r\n").unwrap();
    std::fs::set_permissions(home.join("token"), std::fs::Permissions::from_mode(0o600)).unwrap();
    std::fs::create_dir_all(f.root().join("secrets")).unwrap();
    std::fs::write(f.root().join("secrets/key"), "line1\nline2\n\n").unwrap();
    let target = f.compute_with(&[("HOME", home.to_str().unwrap())], false).unwrap();
    let token = target.get("TOKEN").unwrap();
    assert_eq!(token.value.as_deref(), Some("t0k"));
    assert_eq!(token.secret, Some(Secret::File("~/token".into())));
    assert_eq!(target.get("LOCAL").unwrap().value.as_deref(), Some("line1\nline2\n"));
    let auth = target.get("AUTH").unwrap();
    assert_eq!(
        (auth.value.as_deref(), &auth.secret),
        (Some("Bearer t0k"), &Some(Secret::Via("TOKEN".into())))
    );
    assert_eq!(auth.secret.as_ref().unwrap().to_string(), "<derived from secret TOKEN>");
    assert_eq!(token.secret.as_ref().unwrap().to_string(), "<secret from file ~/token>");
}

#[test]
fn missing_secret_file_names_the_path() {
    let f = fixture().entry("TOKEN", EnvValue::File("nope/token".into()));
    let path = f.root().join("nope/token");
    assert_eq!(
        f.error(&[], false),
        format!("secret file {} for `TOKEN` (den.toml:2) does not exist", path.display())
    );
}

#[test]
fn command_secrets_need_trust() {
    let f = fixture().entry("GH", EnvValue::Command("echo secret; pwd >&2".into()));
    assert_eq!(
        f.error(&[], false),
        "`GH` (den.toml:2) runs `echo secret; pwd >&2`, and commands run only in trusted projects"
    );
    let target = f.compute_with(&[], true).unwrap();
    let gh = target.get("GH").unwrap();
    assert_eq!(
        (gh.value.as_deref(), &gh.secret),
        (Some("secret"), &Some(Secret::Command("echo secret; pwd >&2".into())))
    );
    assert_eq!(gh.secret.as_ref().unwrap().to_string(), "<secret from command `echo secret; pwd >&2`>");
    let failing = fixture().entry("GH", EnvValue::Command("exit 7".into()));
    assert_eq!(failing.error(&[], true), "`exit 7` for `GH` (den.toml:2) exited with code 7");
}

#[test]
fn dotenv_files_load_after_the_table() {
    let f = fixture()
        .set("URL", "db://${DB_USER}@host")
        .set("MODE", "table")
        .dotenv(".env", Some("# users\nDB_USER=alice\nMODE=\"dotenv ${MODE}\"\n"))
        .dotenv(".env.local", Some("export DB_USER=bob\nEXTRA='${literal}'\n"));
    let target = f.compute_with(&[], false).unwrap();
    let got: Vec<_> = target
        .iter()
        .filter(|v| v.origin != Origin::Den)
        .map(|v| (v.name.as_str(), v.value.as_deref().unwrap(), v.origin.to_string()))
        .collect();
    assert_eq!(
        got,
        vec![
            ("URL", "db://bob@host", "den.toml:2".to_string()),
            ("MODE", "dotenv table", ".env:3".to_string()),
            ("DB_USER", "bob", ".env.local:1".to_string()),
            ("EXTRA", "${literal}", ".env.local:2".to_string()),
        ]
    );
    assert_eq!(target.get("URL").unwrap().origin, toml_at(2));
}

#[test]
fn every_layer_that_set_a_variable_is_kept_in_order() {
    let f = fixture()
        .set("MODE", "table")
        .dotenv(".env", Some("MODE=first\n"))
        .dotenv(".env.local", Some("MODE=second\n"));
    let target = f.compute_with(&[("MODE", "outer")], false).unwrap();
    let layers: Vec<_> =
        target.layers("MODE").iter().map(|v| (v.value.clone().unwrap(), v.origin.to_string())).collect();
    let want = [("table", "den.toml:2"), ("first", ".env:1"), ("second", ".env.local:1")];
    assert_eq!(layers, want.map(|(v, o)| (v.to_string(), o.to_string())));
    assert_eq!(target.get("MODE").unwrap().value.as_deref(), Some("second"));
    assert_eq!(target.layers("DEN_ROOT").len(), 1);
    assert!(target.layers("NOPE").is_empty());
}

#[test]
fn dotenv_problems_name_the_file() {
    let missing = fixture().dotenv(".env", None);
    assert_eq!(missing.error(&[], false), "dotenv file .env does not exist (listed at den.toml:20)");
    let bad = fixture().dotenv(".env", Some("A=1\nB='open\n"));
    assert_eq!(bad.error(&[], false), ".env:2: single-quoted value without a closing `'`");
    let undefined = fixture().dotenv(".env", Some("A=1\nB=${NOPE}\n"));
    assert_eq!(undefined.error(&[], false), "`B` (.env:2) refers to `${NOPE}`, which is not set");
}

#[test]
fn outer_skips_nothing_it_can_read() {
    let outer: Outer = [("A", "1")].into_iter().collect();
    assert_eq!(outer.get("A"), Some("1"));
    assert!(Outer::from_process().names().count() > 0);
}

#[test]
fn long_reference_chains_resolve_in_order_and_deep_nesting_is_an_error() {
    // 10,000 links, each referring to the one before: resolved in file order, never deep.
    let mut forward = fixture().set("A0", "x");
    for i in 1..=10_000 {
        forward = forward.set(&format!("A{i}"), &format!("${{A{}}}", i - 1));
    }
    let values = forward.values(&[]);
    assert_eq!(values.len(), 10_001);
    assert!(values.iter().all(|(_, v)| v.as_deref() == Some("x")));

    // The same chain written backwards: each link is a forward reference, so resolving
    // the first one nests 10,000 deep. That is an error, not a stack overflow.
    let mut backward = fixture();
    for i in 0..10_000 {
        backward = backward.set(&format!("A{i}"), &format!("${{A{}}}", i + 1));
    }
    let backward = backward.set("A10000", "x");
    assert_eq!(
        backward.error(&[], false),
        "`${...}` references nest deeper than 100, starting from `A0` (den.toml:2)"
    );

    // Within the limit, backward chains are fine; a cycle stays a cycle.
    let mut short = fixture();
    for i in 0..50 {
        short = short.set(&format!("A{i}"), &format!("${{A{}}}", i + 1));
    }
    assert!(short.set("A50", "y").values(&[]).iter().all(|(_, v)| v.as_deref() == Some("y")));
    let cycle = fixture().set("A", "${B}").set("B", "${A}");
    assert!(cycle.error(&[], false).starts_with("variables refer to each other in a cycle"));
}

#[test]
fn forty_thousand_keys_resolve_each_to_its_value() {
    let mut many = fixture();
    for i in 0..40_000 {
        many = many.set(&format!("K{i}"), &format!("v{i}${{K{}:-}}", i / 2));
    }
    let values = many.values(&[]);
    assert_eq!(values.len(), 40_000);
    assert_eq!(values[0], ("K0".to_string(), Some("v0".to_string())));
    // K3 = v3 + K1 (= v1 + K0 (= v0)).
    assert_eq!(values[3], ("K3".to_string(), Some("v3v1v0".to_string())));
}
