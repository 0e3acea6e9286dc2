//! The dependency tree of an npm application, placed as npm 7+ places it: every
//! dependency, non-optional peer dependency and fitting optional dependency, chosen by its
//! semver range from the registry's documents, and put in the shallowest `node_modules`
//! where node's upward lookup finds it without shadowing what another package already
//! found (npm's hoisting); a second version goes under the package that needs it.
//!
//! Pure: the documents come from the caller. Never chooses a version a range does not
//! allow, never keeps a package that runs an install script (den runs none), and never
//! grows past `MAX_PACKAGES`.

use std::collections::HashMap;
use std::rc::Rc;

use super::npm::Package;
use crate::resolve::error::Error;
use crate::version::{Prereleases, Version, VersionSpec};

/// The most packages one application may bring (the largest real ones bring ~1,500).
const MAX_PACKAGES: usize = 5000;

/// One package of the tree, where it goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placed {
    pub name: String,
    pub version: String,
    pub tarball: String,
    /// The registry's `dist.integrity` (`sha512-<base64>`).
    pub integrity: String,
    /// Its directory relative to the application's (`node_modules/a/node_modules/b`).
    pub dir: String,
}

struct Node {
    name: String,
    version: String,
    parent: Option<usize>,
}

/// Places every package `root@version` needs, parents before what is nested in them.
/// `doc` gives a package's document; `platform` is npm's `(os, cpu)` words.
pub fn resolve(
    root: &str,
    version: &str,
    platform: (&str, &str),
    doc: &mut dyn FnMut(&str) -> Result<Rc<Package>, Error>,
) -> Result<Vec<Placed>, Error> {
    let mut nodes = vec![Node { name: root.to_string(), version: version.to_string(), parent: None }];
    // (level, name) → the node in that level's node_modules.
    let mut children: HashMap<(usize, String), usize> = HashMap::new();
    // Every lookup made: (from, name, level it was found in).
    let mut edges: Vec<(usize, String, usize)> = Vec::new();
    let mut placed: Vec<Placed> = Vec::new();
    let mut queue = std::collections::VecDeque::from([0usize]);
    while let Some(at) = queue.pop_front() {
        let package = doc(&nodes[at].name)?;
        let mut deps = package.dependencies(&nodes[at].version);
        deps.sort_by(|a, b| a.name.cmp(&b.name));
        for dep in deps {
            let chain = chain(&nodes, at);
            let found = chain.iter().position(|l| children.contains_key(&(*l, dep.name.clone())));
            let dep_doc = doc(&dep.name)?;
            if let Some(i) = found {
                let node = children[&(chain[i], dep.name.clone())];
                if range_allows(&dep_doc, &dep.range, &nodes[node].version) {
                    edges.push((at, dep.name.clone(), chain[i]));
                    continue;
                }
            }
            let refuse = |reason: String, hint: &str| Error::AppTree {
                package: format!("{} {}", nodes[0].name, nodes[0].version),
                reason,
                hint: hint.into(),
            };
            let requirer = format!("{}@{}", nodes[at].name, nodes[at].version);
            let Some(chosen) = choose(&dep_doc, &dep.range) else {
                if dep.optional {
                    continue;
                }
                return Err(refuse(
                    format!(
                        "no version of its dependency `{}` matches `{}` (needed by {requirer})",
                        dep.name, dep.range
                    ),
                    "the registry may lag behind: try again later, or pin an older version of the package",
                ));
            };
            let fits = dep_doc.fits(&chosen, platform.0, platform.1);
            let script = dep_doc.has_install_script(&chosen);
            if dep.optional && (!fits || script) {
                continue;
            }
            if !fits {
                return Err(refuse(
                    format!(
                        "its dependency `{}@{chosen}` does not run on {}-{}",
                        dep.name, platform.0, platform.1
                    ),
                    "pick a version of the package that supports this platform",
                ));
            }
            if script {
                return Err(refuse(
                    format!(
                        "its dependency `{}@{chosen}` needs an install script, and den runs none",
                        dep.name
                    ),
                    "den installs npm packages whose dependencies need no install script; run this one with npm itself",
                ));
            }
            let dist = dep_doc.dist(&chosen).ok_or_else(|| {
                refuse(format!("`{}@{chosen}` has no tarball in the registry", dep.name), "try again later")
            })?;
            let integrity = dist.integrity.filter(|i| i.starts_with("sha512-")).ok_or_else(|| {
                refuse(
                    format!("`{}@{chosen}` has no sha512 integrity in the registry", dep.name),
                    "den locks every tarball by its sha512; this package predates them",
                )
            })?;
            // The shallowest level above the one found (or any) that shadows nobody.
            let limit = found.unwrap_or(chain.len());
            let level = chain[..limit]
                .iter()
                .rev()
                .copied()
                .find(|&l| !shadows(&nodes, &edges, l, &dep.name))
                .unwrap_or(at);
            if placed.len() >= MAX_PACKAGES {
                return Err(refuse(
                    format!("it needs more than {MAX_PACKAGES} packages"),
                    "den installs applications of a reasonable size",
                ));
            }
            let node = nodes.len();
            nodes.push(Node { name: dep.name.clone(), version: chosen.clone(), parent: Some(level) });
            children.insert((level, dep.name.clone()), node);
            edges.push((at, dep.name.clone(), level));
            placed.push(Placed {
                name: dep.name.clone(),
                version: chosen,
                tarball: dist.tarball,
                integrity,
                dir: dir_of(&nodes, node),
            });
            queue.push_back(node);
        }
    }
    Ok(placed)
}

/// `at` and the levels above it, `at` first, the root last.
fn chain(nodes: &[Node], at: usize) -> Vec<usize> {
    let mut out = vec![at];
    let mut cur = at;
    while let Some(p) = nodes[cur].parent {
        out.push(p);
        cur = p;
    }
    out
}

/// Whether `name` placed in `level`'s node_modules would hide, from a package beneath it,
/// the `name` it already found above `level`.
fn shadows(nodes: &[Node], edges: &[(usize, String, usize)], level: usize, name: &str) -> bool {
    edges.iter().filter(|(_, n, _)| n == name).any(|(from, _, found)| {
        let from_chain = chain(nodes, *from);
        let below = from_chain.iter().position(|l| *l == level);
        let above = from_chain.iter().position(|l| l == found);
        matches!((below, above), (Some(b), Some(a)) if a > b)
    })
}

fn dir_of(nodes: &[Node], node: usize) -> String {
    let mut names = Vec::new();
    let mut cur = node;
    while nodes[cur].parent.is_some() {
        names.push(format!("node_modules/{}", nodes[cur].name));
        cur = nodes[cur].parent.unwrap_or(0);
    }
    names.reverse();
    names.join("/")
}

/// The newest version `range` allows (a dist-tag names its version).
fn choose(doc: &Package, range: &str) -> Option<String> {
    let versions: Vec<Version> = doc.versions().into_iter().map(|e| e.version).collect();
    if let Some(tagged) = doc.tag(range.trim()) {
        return Some(tagged.to_string());
    }
    let latest = doc.tag("latest");
    // npm prefers `latest` when the range allows it.
    if let Some(latest) = latest
        && let Ok(v) = Version::parse(latest)
        && matches(range, &v)
    {
        return Some(latest.to_string());
    }
    versions.iter().filter(|v| matches(range, v)).max().map(|v| v.as_str().to_string())
}

fn range_allows(doc: &Package, range: &str, version: &str) -> bool {
    if doc.tag(range.trim()) == Some(version) {
        return true;
    }
    Version::parse(version).is_ok_and(|v| matches(range, &v))
}

/// Whether npm's `range` (alternatives `||`, hyphen ranges, `x` wildcards, `^`, `~`,
/// comparators) allows `version`; a range den cannot read allows nothing.
pub fn matches(range: &str, version: &Version) -> bool {
    range.split("||").any(|alt| {
        let alt = alt.trim();
        if alt.is_empty() || alt == "*" || alt == "x" || alt == "X" || alt == "latest" {
            return !version.is_prerelease();
        }
        let alt = match alt.split_once(" - ") {
            Some((low, high)) => format!(">={} <={}", low.trim(), high.trim()),
            None => alt.to_string(),
        };
        // `>= 1.2` → `>=1.2`; `1.2.x`/`1.*` → `1.2`/`1`.
        let mut text = String::new();
        for word in alt.split_whitespace() {
            let wild = |w: &str| {
                w.split('.').take_while(|p| !matches!(*p, "x" | "X" | "*")).collect::<Vec<_>>().join(".")
            };
            if matches!(word, "<" | "<=" | ">" | ">=" | "=") {
                text.push(' ');
                text.push_str(word);
            } else {
                if !text.ends_with(['<', '=', '>']) {
                    text.push(' ');
                }
                let w = wild(word.trim_start_matches('v'));
                if w.is_empty() || w.chars().all(|c| "<>=^~".contains(c)) {
                    continue;
                }
                text.push_str(&w);
            }
        }
        let text = text.trim();
        if text.is_empty() {
            return !version.is_prerelease();
        }
        let joined = text.split_whitespace().collect::<Vec<_>>().join(", ");
        let spec = if text.split_whitespace().count() > 1 { joined } else { text.to_string() };
        VersionSpec::parse(&spec).is_ok_and(|s| s.matches_with(version, Prereleases::OnlyWhenNamed))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Version {
        Version::parse(s).unwrap()
    }

    #[test]
    fn npm_ranges() {
        assert!(matches("^1.2.0", &v("1.9.0")));
        assert!(!matches("^1.2.0", &v("2.0.0")));
        assert!(matches("~1.2.3", &v("1.2.9")));
        assert!(!matches("~1.2.3", &v("1.3.0")));
        assert!(matches(">= 2.1.2 < 3", &v("2.5.0")));
        assert!(!matches(">= 2.1.2 < 3", &v("3.0.0")));
        assert!(matches("1.x || >=3", &v("1.4.0")));
        assert!(matches("1.x || >=3", &v("3.1.0")));
        assert!(!matches("1.x || >=3", &v("2.0.0")));
        assert!(matches("1.2.3 - 1.4", &v("1.4.0")));
        assert!(matches("*", &v("0.0.1")));
        assert!(matches("", &v("5.0.0")));
        assert!(matches("2.0.1", &v("2.0.1")));
        assert!(!matches("^2", &v("3.0.0-beta.1")));
        assert!(!matches("git+https://example.invalid/x.git", &v("1.0.0")));
    }

    fn doc(name: &str, versions: &[(&str, serde_json::Value)]) -> Rc<Package> {
        let mut map = serde_json::Map::new();
        for (version, deps) in versions {
            map.insert(
                version.to_string(),
                serde_json::json!({
                    "dependencies": deps,
                    "dist": {"tarball": format!("http://r/{name}/-/{name}-{version}.tgz"), "integrity": "sha512-AA=="},
                }),
            );
        }
        Rc::new(Package { doc: serde_json::json!({ "name": name, "versions": map }) })
    }

    #[test]
    fn hoists_and_nests_a_second_version_under_its_user() {
        let docs: HashMap<&str, Rc<Package>> = HashMap::from([
            ("app", doc("app", &[("1.0.0", serde_json::json!({"a": "^1", "b": "^1"}))])),
            ("a", doc("a", &[("1.0.0", serde_json::json!({"c": "^1"}))])),
            ("b", doc("b", &[("1.0.0", serde_json::json!({"c": "^2"}))])),
            ("c", doc("c", &[("1.0.0", serde_json::json!({})), ("2.0.0", serde_json::json!({}))])),
        ]);
        let mut get = |n: &str| Ok(docs[n].clone());
        let placed = resolve("app", "1.0.0", ("linux", "x64"), &mut get).unwrap();
        let got: Vec<(&str, &str)> = placed.iter().map(|p| (p.dir.as_str(), p.version.as_str())).collect();
        assert_eq!(
            got,
            [
                ("node_modules/a", "1.0.0"),
                ("node_modules/b", "1.0.0"),
                ("node_modules/c", "1.0.0"),
                ("node_modules/b/node_modules/c", "2.0.0"),
            ]
        );
    }

    fn version(deps: serde_json::Value, extra: serde_json::Value) -> serde_json::Value {
        let mut v = serde_json::json!({
            "dependencies": deps,
            "dist": {"tarball": "http://r/x.tgz", "integrity": "sha512-AA=="},
        });
        for (k, x) in extra.as_object().unwrap() {
            v[k] = x.clone();
        }
        v
    }

    fn one(name: &str, v: serde_json::Value) -> Rc<Package> {
        Rc::new(Package { doc: serde_json::json!({ "name": name, "versions": { "1.0.0": v } }) })
    }

    #[test]
    fn optional_platform_packages_are_filtered_and_install_scripts_refused() {
        let docs: HashMap<&str, Rc<Package>> = HashMap::from([
            (
                "app",
                one(
                    "app",
                    version(
                        serde_json::json!({"lib": "1"}),
                        serde_json::json!({"optionalDependencies": {"mac-only": "1", "linux-only": "1", "scripted": "1"},
                            "peerDependencies": {"peer": "1", "maybe": "1"},
                            "peerDependenciesMeta": {"maybe": {"optional": true}}}),
                    ),
                ),
            ),
            ("lib", one("lib", version(serde_json::json!({}), serde_json::json!({})))),
            ("peer", one("peer", version(serde_json::json!({}), serde_json::json!({})))),
            (
                "mac-only",
                one("mac-only", version(serde_json::json!({}), serde_json::json!({"os": ["darwin"]}))),
            ),
            (
                "linux-only",
                one(
                    "linux-only",
                    version(serde_json::json!({}), serde_json::json!({"os": ["!win32"], "cpu": ["x64"]})),
                ),
            ),
            (
                "scripted",
                one(
                    "scripted",
                    version(serde_json::json!({}), serde_json::json!({"hasInstallScript": true})),
                ),
            ),
            (
                "needs-build",
                one(
                    "needs-build",
                    version(serde_json::json!({}), serde_json::json!({"hasInstallScript": true})),
                ),
            ),
            ("bad", one("bad", version(serde_json::json!({"needs-build": "1"}), serde_json::json!({})))),
        ]);
        let mut get = |n: &str| Ok(docs[n].clone());
        let placed = resolve("app", "1.0.0", ("linux", "x64"), &mut get).unwrap();
        let names: Vec<&str> = placed.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["lib", "linux-only", "peer"]);
        let err = resolve("bad", "1.0.0", ("linux", "x64"), &mut get).unwrap_err().to_string();
        assert!(err.contains("`needs-build@1.0.0` needs an install script"), "{err}");
    }
}
