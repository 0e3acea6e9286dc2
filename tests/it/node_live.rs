//! Node with its own npm, against the REAL registries of this machine (found from its npm
//! configuration; no host is written here): `den run node@22 -- npm --version` and `npx`
//! run the npm den installed with node (from nodejs.org, or bundled in from the registry
//! when node comes from its npm package), never the machine's. Follows `live.rs`: fails
//! naming the prerequisite when the registry is out of reach, `DEN_TEST_SKIP_LIVE=1` skips.

use crate::live::{den_in, live};
use crate::prereq;
use crate::support::run;

#[test]
fn live_node_runs_its_own_npm_and_npx() {
    let Some(env) = live() else { return };
    let dir = env.project();
    let where_ = run(
        den_in(&env, &dir),
        &["run", "node@22", "--", "sh", "-c", "for c in node npm npx corepack; do command -v $c; done"],
    );
    if where_.code != 0
        && ["cannot reach", "timed out", "sent nothing for", "TLS error", "answered HTTP 5"]
            .iter()
            .any(|w| where_.stderr.contains(w))
    {
        prereq::missing(
            prereq::SKIP_LIVE,
            &format!("a reachable npm registry; den said:\n{}", where_.stderr),
        );
    }
    assert_eq!(where_.code, 0, "{}", where_.stderr);
    let store = env.home().join(".local/share/den");
    let paths: Vec<&str> = where_.stdout.lines().collect();
    assert_eq!(paths.len(), 4, "node, npm, npx and corepack: {}", where_.stdout);
    let dir_of = |p: &str| std::path::Path::new(p).parent().unwrap().to_path_buf();
    for path in &paths {
        assert!(path.starts_with(store.to_str().unwrap()), "{path} is not den's");
        assert_eq!(dir_of(path), dir_of(paths[0]), "{path} is not beside den's node");
    }
    for tool in ["npm", "npx"] {
        let out = run(den_in(&env, &dir), &["run", "node@22", "--", tool, "--version"]);
        assert_eq!(out.code, 0, "{tool}: {}", out.stderr);
        let version = out.stdout.trim();
        assert!(version.starts_with("10."), "node 22 ships npm 10, {tool} said {version}");
    }
    // npm runs on den's node, not on the machine's.
    let out =
        run(den_in(&env, &dir), &["run", "node@22", "--", "npm", "exec", "--yes", "--", "node", "--version"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.trim().starts_with("v22."), "{}", out.stdout);
}
