//! npm packages that are applications (JavaScript with dependencies), against the REAL
//! registry of this machine (found from its npm configuration; no host is written here):
//! the whole tree installed and locked tarball by tarball, the `bin` commands run on the
//! project's node (or den's newest), a second home installing from den.lock alone, `--offline` after install,
//! a changed checksum of one dependency refused. Follows `live.rs`: fails naming the
//! prerequisite when the registry is out of reach, `DEN_TEST_SKIP_LIVE=1` skips.

use std::path::Path;

use crate::live::{den_in, install, live, project_in};
use crate::support::{Env, run};

/// cowsay 1: several commands (`cowsay`, `cowthink`), a dozen dependencies, `.js` entries.
const COWSAY: &str = "[tools]\nnode = \"22\"\ncowsay = { version = \"1.6\", source = \"npm:cowsay\" }\n";

/// Every `package` step of `tool` in `dir`'s den.lock: (name, url, checksum, into).
fn locked_packages(dir: &Path, tool: &str) -> Vec<(String, String, String, String)> {
    let lock: toml::Table = std::fs::read_to_string(dir.join("den.lock")).unwrap().parse().unwrap();
    let platforms = lock["tools"][tool]["platforms"].as_table().unwrap();
    let artifact = platforms.values().next().unwrap();
    let steps = artifact["post_install"].as_array().unwrap();
    let s = |v: &toml::Value, k: &str| v[k].as_str().unwrap().to_string();
    steps
        .iter()
        .filter_map(|step| step.get("package"))
        .map(|p| (s(p, "name"), s(p, "url"), s(p, "checksum"), s(p, "into")))
        .collect()
}

/// The files under `dir` (none when it does not exist).
fn entries(dir: &Path) -> usize {
    std::fs::read_dir(dir).map(|r| r.count()).unwrap_or(0)
}

#[test]
fn live_npm_application_with_dependencies_and_several_commands() {
    let Some(env) = live() else { return };
    let dir = env.project();
    project_in(&env, &dir, COWSAY);
    install(&env, &dir);
    for (command, says) in [("cowsay", "< moo >"), ("cowthink", "( moo )")] {
        let out = run(den_in(&env, &dir), &["run", "--", command, "moo"]);
        assert_eq!(out.code, 0, "{command}: {}", out.stderr);
        assert!(out.stdout.contains(says), "{command}: {}", out.stdout);
    }
    // Every dependency is locked with the registry's sha512, in the package's node_modules.
    let packages = locked_packages(&dir, "cowsay");
    let names: Vec<&str> = packages.iter().map(|p| p.0.as_str()).collect();
    for needed in ["yargs", "get-stdin", "string-width", "strip-final-newline"] {
        assert!(names.contains(&needed), "{needed} is not locked: {names:?}");
    }
    for (name, url, checksum, into) in &packages {
        assert!(checksum.starts_with("sha512-"), "{name}: {checksum}");
        assert!(url.contains(&format!("/{name}/-/")), "{name}: {url}");
        assert!(into.starts_with("package/node_modules/") && into.ends_with(name.as_str()), "{into}");
    }

    // `den x` with the other command named after `--`.
    let out = run(den_in(&env, &dir), &["x", "npm:cowsay@1.6", "--", "cowthink", "hmm"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains("( hmm )"), "{}", out.stdout);

    // Offline after install.
    let out = run(den_in(&env, &dir), &["--offline", "run", "--", "cowsay", "offline"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains("< offline >"), "{}", out.stdout);

    // A teammate: den.lock alone, no package document fetched.
    let mate = Env::new();
    let theirs = mate.project();
    project_in(&mate, &theirs, COWSAY);
    std::fs::copy(dir.join("den.lock"), theirs.join("den.lock")).unwrap();
    install(&mate, &theirs);
    let http_cache = mate.home().join(".cache/den/http-v1");
    assert_eq!(entries(&http_cache), 0, "the teammate's den resolved something");
    let out = run(den_in(&mate, &theirs), &["run", "--", "cowsay", "mate"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains("< mate >"), "{}", out.stdout);
    assert_eq!(std::fs::read(dir.join("den.lock")).unwrap(), std::fs::read(theirs.join("den.lock")).unwrap());

    // One dependency whose bytes are not the ones locked is refused, naming it.
    let third = Env::new();
    let tampered = third.project();
    project_in(&third, &tampered, COWSAY);
    let (name, _, checksum, _) = packages.iter().find(|p| p.0 == "yargs").unwrap().clone();
    let mut flipped: Vec<char> = checksum.chars().collect();
    let at = "sha512-".len() + 4;
    flipped[at] = if flipped[at] == 'A' { 'B' } else { 'A' };
    let flipped: String = flipped.into_iter().collect();
    let lock = std::fs::read_to_string(dir.join("den.lock")).unwrap().replace(&checksum, &flipped);
    std::fs::write(tampered.join("den.lock"), lock).unwrap();
    let out = run(den_in(&third, &tampered), &["install"]);
    assert_ne!(out.code, 0, "a changed dependency was installed:\n{}", out.stderr);
    assert!(out.stderr.contains(&name), "{}", out.stderr);
    assert!(out.stderr.contains("checksum") || out.stderr.contains("integrity"), "{}", out.stderr);
    assert!(!run(den_in(&third, &tampered), &["run", "--", "cowsay", "x"]).stdout.contains("< x >"));
}

/// prettier 3: a `.cjs` command, through `den x` on den's node.
#[test]
fn live_npm_application_with_a_cjs_command_through_den_x() {
    let Some(env) = live() else { return };
    let out = run(
        den_in(&env, &env.home()),
        &["run", "node@22", "npm:prettier@3.3.3", "--", "prettier", "--version"],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.stdout.trim(), "3.3.3");
    let out = run(den_in(&env, &env.home()), &["x", "npm:prettier@3.3.3", "--version"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.stdout.trim(), "3.3.3");
    // Without a node named, it runs on den's newest node, not the machine's.
    let out =
        run(den_in(&env, &env.home()), &["run", "npm:prettier@3.3.3", "--", "sh", "-c", "command -v node"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let store = env.home().join(".local/share/den");
    assert!(out.stdout.trim().starts_with(store.to_str().unwrap()), "not den's node: {}", out.stdout);
}
