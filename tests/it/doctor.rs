//! `den doctor` through the real binary: the hook in a HOME's .bashrc or not, and active
//! or not; an untrusted edited project; a program on PATH shadowing a tool; a broken store
//! entry; stale `den enter` records; registries on 127.0.0.1 that answer and one that
//! does not; `--offline`; `--json`'s shape; the exit code.

use std::net::TcpListener;
use std::os::unix::fs::PermissionsExt;
use std::process::Command;

use serde_json::Value;

use crate::support::{Env, run};
use crate::upstream::Upstream;

/// Registries that are never probed (the tests that use them run `--offline`), so that
/// discovery never asks the machine's npm or pip.
const QUIET_SOURCES: &str =
    "[sources]\nnpm = \"http://127.0.0.1:9/npm/\"\npypi = \"http://127.0.0.1:9/simple/\"\n";

fn config(env: &Env, text: &str) {
    let dir = env.home().join(".config/den");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("config.toml"), text).unwrap();
}

/// `den doctor --json` (plus `args`) through `cmd`: its exit code and its JSON.
fn doctor(mut cmd: Command, args: &[&str]) -> (i32, Value) {
    cmd.env("SHELL", "/bin/bash");
    let mut all = vec!["doctor", "--json"];
    all.extend_from_slice(args);
    let out = run(cmd, &all);
    let json: Value =
        serde_json::from_str(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}\n{}", out.stdout, out.stderr));
    (out.code, json)
}

/// The findings of one check, as `status: message — fix` lines.
fn of(json: &Value, check: &str) -> Vec<String> {
    json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["check"] == check)
        .map(|f| {
            let fix = f["fix"].as_str().map(|x| format!(" — {x}")).unwrap_or_default();
            format!("{}: {}{fix}", f["status"].as_str().unwrap(), f["message"].as_str().unwrap())
        })
        .collect()
}

#[test]
fn json_has_a_stable_shape_and_every_check_reports() {
    let env = Env::new();
    config(&env, QUIET_SOURCES);
    let (code, json) = doctor(env.den(), &["--offline"]);
    assert_eq!(code, 1, "{json}");
    assert_eq!(json["ok"], false);
    let keys: Vec<&String> = json.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["ok", "findings"]);
    let checks: Vec<&str> =
        json["findings"].as_array().unwrap().iter().map(|f| f["check"].as_str().unwrap()).collect();
    assert_eq!(checks, ["hook", "project", "hook-active", "store", "registry", "registry", "stamps"]);
    for f in json["findings"].as_array().unwrap() {
        let keys: Vec<&String> = f.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["check", "status", "message", "fix"]);
        assert!(["ok", "fail", "note"].contains(&f["status"].as_str().unwrap()), "{f}");
        assert_eq!(f["fix"].is_null(), f["status"] != "fail", "{f}");
    }
    // Offline: nothing probed, and each registry says so.
    assert_eq!(
        of(&json, "registry"),
        [
            "note: npm registry http://127.0.0.1:9/npm/ (from [sources] npm in den's config): not probed (offline)",
            "note: PyPI index http://127.0.0.1:9/simple/ (from [sources] pypi in den's config): not probed (offline)",
        ]
    );
}

#[test]
fn the_hook_line_in_bashrc_is_found_and_its_absence_has_a_fix() {
    let env = Env::new();
    config(&env, QUIET_SOURCES);
    let (_, json) = doctor(env.den(), &["--offline"]);
    assert_eq!(
        of(&json, "hook"),
        ["fail: the bash hook is in none of bash's startup files, so projects are not applied on cd — \
          add `eval \"$(den hook bash)\"` at the end of ~/.bashrc, then open a new terminal"]
    );
    // A commented-out line does not count.
    std::fs::write(env.home().join(".bashrc"), "# eval \"$(den hook bash)\"\n").unwrap();
    let (_, json) = doctor(env.den(), &["--offline"]);
    assert!(of(&json, "hook")[0].starts_with("fail: "), "{json}");
    std::fs::write(env.home().join(".bashrc"), "export EDITOR=vi\neval \"$(den hook bash)\"\n").unwrap();
    let (_, json) = doctor(env.den(), &["--offline"]);
    assert_eq!(of(&json, "hook"), ["ok: `den hook bash` is in ~/.bashrc"]);
}

#[test]
fn all_well_exits_zero_and_the_text_report_is_one_line_per_finding() {
    let env = Env::new();
    config(&env, QUIET_SOURCES);
    std::fs::write(env.home().join(".bashrc"), "eval \"$(den hook bash)\"\n").unwrap();
    env.write("den.toml", "[env]\nGREETING = \"hi\"\n");
    env.trust();
    // Not applied in this shell: the hook is not active here.
    let (code, json) = doctor(env.den(), &["--offline"]);
    assert_eq!(code, 1);
    assert!(of(&json, "hook-active")[0].starts_with("fail: den's environment of "), "{json}");
    // Inside the project's environment (as the hook would apply it), all is well.
    let den = env!("CARGO_BIN_EXE_den");
    let mut cmd = env.den();
    cmd.env("SHELL", "/bin/bash");
    let out = run(cmd, &["run", "--", den, "--offline", "doctor"]);
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    assert_eq!(out.stderr, "");
    let root = env.project().display().to_string();
    assert!(
        out.stdout.contains(&format!("ok    hook-active: this shell has {root} applied\n")),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains(&format!("ok    trust: {root}/den.toml is trusted\n")), "{}", out.stdout);
    assert!(out.stdout.lines().all(|l| l.starts_with("ok    ") || l.starts_with("note  ")), "{}", out.stdout);
}

#[test]
fn an_untrusted_edit_is_summarised_with_its_fix() {
    let env = Env::new();
    config(&env, QUIET_SOURCES);
    env.write("den.toml", "[env]\nA = \"1\"\nB = \"2\"\n");
    env.trust();
    env.write("den.toml", "[env]\nA = \"1\"\nB = \"3\"\nC = \"4\"\n");
    let (code, json) = doctor(env.den(), &["--offline"]);
    assert_eq!(code, 1);
    let file = env.project().join("den.toml");
    assert_eq!(
        of(&json, "trust"),
        [format!(
            "fail: {} changed since you trusted it (+2 -1 lines, now at lines 3, 4) — \
             run `den trust`: it shows the whole diff, then trusts the file",
            file.display()
        )]
    );
    // Never trusted at all.
    let fresh = Env::new();
    config(&fresh, QUIET_SOURCES);
    fresh.write("den.toml", "[env]\nA = \"1\"\n");
    let (_, json) = doctor(fresh.den(), &["--offline"]);
    assert_eq!(
        of(&json, "trust"),
        [format!(
            "fail: {} is not trusted, so nothing of it is applied — read it, then run `den trust`",
            fresh.project().join("den.toml").display()
        )]
    );
    // An untrusted project is not said to lack the hook.
    assert!(of(&json, "hook-active")[0].starts_with("note: "), "{json}");
}

#[test]
fn a_program_ahead_of_a_tool_on_path_is_named() {
    let up = Upstream::start();
    up.catalog_tool("jq", "1.7.1");
    let env = Env::new();
    up.write_config(&env);
    // A secret command in [env]: a diagnosis never runs it.
    let ran = env.tmp.path().join("ran");
    env.write(
        "den.toml",
        &format!(
            "[tools]\njq = \"1.7\"\n\n[env]\nPATH = {{ prepend = [\"shadow\"] }}\nTOKEN = {{ command = \"touch {}\" }}\n",
            ran.display()
        ),
    );
    env.trust();
    let out = run(env.den(), &["install"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let (_, json) = doctor(env.den(), &["--offline"]);
    assert_eq!(of(&json, "tools"), ["ok: 1 tool installed"]);
    assert!(!ran.exists(), "doctor ran a secret command");
    assert_eq!(
        of(&json, "shadow"),
        ["ok: nothing shadows the project's 1 program on the PATH den gives the project"]
    );

    let shadow = env.write("shadow/jq", "#!/bin/sh\necho not jq\n");
    std::fs::set_permissions(&shadow, std::fs::Permissions::from_mode(0o755)).unwrap();
    let (code, json) = doctor(env.den(), &["--offline"]);
    assert_eq!(code, 1);
    let found = of(&json, "shadow");
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].starts_with(&format!(
            "fail: `jq` on the PATH den gives the project is {}, not jq 1.7.1 from den (",
            shadow.display()
        )),
        "{found:?}"
    );
    assert!(
        found[0].ends_with(&format!(
            " — take {} out of PATH ahead of den's tools (den.toml's [env] PATH, or a line of your shell rc that runs after den's hook)",
            shadow.parent().unwrap().display()
        )),
        "{found:?}"
    );

    // In a shell where the project is applied and something put itself in front afterwards
    // (a version manager's shims, say): this shell's PATH is what is checked.
    std::fs::remove_file(&shadow).unwrap();
    let shims = env.tmp.path().join("bin");
    let jq = shims.join("jq");
    std::fs::write(&jq, "#!/bin/sh\n").unwrap();
    std::fs::set_permissions(&jq, std::fs::Permissions::from_mode(0o755)).unwrap();
    let den = env!("CARGO_BIN_EXE_den");
    let script = format!("PATH={}:$PATH exec {den} --offline doctor --json", shims.display());
    let out = run(env.den(), &["run", "--", "sh", "-c", &script]);
    let json: Value = serde_json::from_str(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", out.stderr));
    let found = of(&json, "shadow");
    assert!(
        found[0].starts_with(&format!("fail: `jq` on this shell's PATH is {}, not jq 1.7.1", jq.display())),
        "{found:?}"
    );
}

#[test]
fn a_broken_store_entry_and_stale_records_are_reported() {
    let env = Env::new();
    config(&env, QUIET_SOURCES);
    let tools = env.home().join(".local/share/den/tools-v1");
    let key = format!("sha256-{}", "a".repeat(32));
    std::fs::create_dir_all(tools.join(&key).join("bin")).unwrap();
    std::fs::write(tools.join(&key).join("bin/jq"), "jq").unwrap();
    std::fs::write(
        tools.join(format!("{key}.toml")),
        format!(
            "name = \"jq\"\nversion = \"1.7.1\"\nurl = \"https://example.test/jq\"\nchecksum = \"sha256:{}\"\n\
             installed_at = 2026-01-02T03:04:05Z\n",
            "a".repeat(64)
        ),
    )
    .unwrap();
    std::fs::write(
        tools.join(format!("{key}.files.json")),
        r#"{"files": {"bin/jq": "00", "share/man/jq.1": "00"}, "links": {}}"#,
    )
    .unwrap();
    // A den enter whose process is gone (pid 2^22+1 exceeds pid_max's default), and the
    // hook's stamp of a shell gone for a month.
    env.write("den.toml", "[env]\nA = \"1\"\n");
    env.trust();
    env.write(".den/sessions/4194305", "4194305 12345\n");
    let stamps = env.home().join(".cache/den/stamps-v1");
    std::fs::create_dir_all(&stamps).unwrap();
    let stamp = stamps.join("123-456");
    std::fs::write(&stamp, "").unwrap();
    let month = std::time::SystemTime::now() - std::time::Duration::from_secs(30 * 86_400);
    std::fs::File::open(&stamp).unwrap().set_modified(month).unwrap();

    let (code, json) = doctor(env.den(), &["--offline"]);
    assert_eq!(code, 1);
    assert_eq!(
        of(&json, "store"),
        ["fail: jq 1.7.1: 1 file is missing (first: share/man/jq.1) — \
          run `den cache verify --repair` (it installs the tool again or removes it)"]
    );
    let den = env.project().join(".den");
    assert_eq!(
        of(&json, "sessions"),
        [format!(
            "fail: 1 `den enter` record in {0}/sessions whose process is gone (4194305) — \
             rm -rf {0}/sessions/4194305 {0}/tmp/4194305",
            den.display()
        )]
    );
    assert_eq!(
        of(&json, "stamps"),
        [format!(
            "fail: 1 hook stamp file in {0} not touched for over a week (their shells are gone) — \
             find {0} -type f -mtime +7 -delete (a new shell's hook also removes them)",
            stamps.display()
        )]
    );
}

/// A TCP port on 127.0.0.1 that accepts connections and never answers, for as long as
/// the returned listener lives.
fn silent() -> (TcpListener, String) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/simple/", listener.local_addr().unwrap());
    (listener, url)
}

#[test]
fn registries_are_probed_and_one_that_does_not_answer_fails() {
    let up = Upstream::start();
    up.pypi_sdist("pip", "24.0");
    let env = Env::new();
    let (_listener, dead) = silent();
    config(
        &env,
        &format!(
            "[sources]\nnpm = \"{0}/npm/\"\npypi = \"{dead}\"\n\n[mirrors]\n\"https://nodejs.org/dist/\" = \"{0}/nodejs.org/dist/\"\n",
            up.base()
        ),
    );
    let mut cmd = env.den();
    cmd.env("DEN_HTTP_TIMEOUT", "0.5");
    let (code, json) = doctor(cmd, &[]);
    assert_eq!(code, 1);
    let base = up.base();
    let registry = of(&json, "registry");
    assert_eq!(
        registry[0],
        format!("ok: npm registry {base}/npm/ (from [sources] npm in den's config) answers")
    );
    assert!(
        registry[1].starts_with(&format!(
            "fail: PyPI index {dead} (from [sources] pypi in den's config) does not answer: "
        )),
        "{registry:?}"
    );
    assert!(
        registry[1].ends_with(
            "— check the network and proxy settings, or the URL in [sources] pypi in den's config"
        ),
        "{registry:?}"
    );
    assert_eq!(
        of(&json, "mirror"),
        [format!(
            "ok: mirror {base}/nodejs.org/dist/ (for https://nodejs.org/dist/) (from [mirrors] in den's config.toml) answers (HTTP 404)"
        )]
    );
    assert_eq!(up.requests("/npm/-/ping"), 1);

    // Both answer.
    config(&env, &format!("[sources]\nnpm = \"{base}/npm/\"\npypi = \"{base}/simple/\"\n"));
    let (_, json) = doctor(env.den(), &[]);
    assert_eq!(
        of(&json, "registry")[1],
        format!("ok: PyPI index {base}/simple/ (from [sources] pypi in den's config) answers")
    );
    // Offline: not one request.
    let before = up.log().len();
    let (_, json) = doctor(env.den(), &["--offline"]);
    assert!(of(&json, "registry").iter().all(|l| l.ends_with("not probed (offline)")), "{json}");
    assert_eq!(up.log().len(), before);
}

#[test]
fn a_den_toml_that_does_not_parse_is_one_failure_naming_the_place() {
    let env = Env::new();
    config(&env, QUIET_SOURCES);
    env.write("den.toml", "[tool]\nnode = \"22\"\n");
    let (code, json) = doctor(env.den(), &["--offline"]);
    assert_eq!(code, 1);
    let found = of(&json, "project");
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].starts_with(&format!("fail: {}:1:", env.project().join("den.toml").display())),
        "{found:?}"
    );
    // The other checks still ran.
    assert_eq!(of(&json, "store").len(), 1);
}

/// A trusted project whose path is not UTF-8 cannot be applied: `hook-active` says why,
/// naming the path escaped, instead of blaming the hook.
#[test]
fn a_project_path_that_is_not_utf8_is_the_cause_not_the_hook() {
    use std::os::unix::ffi::OsStrExt;
    let env = Env::new();
    config(&env, QUIET_SOURCES);
    let dir = env.project().join(std::ffi::OsStr::from_bytes(b"caf\xe9"));
    std::fs::create_dir(&dir).unwrap();
    std::fs::write(dir.join("den.toml"), "[env]\nA = \"1\"\n").unwrap();
    assert_eq!(run(env.den_in(&dir), &["trust"]).code, 0);
    let (code, json) = doctor(env.den_in(&dir), &["--offline"]);
    assert_eq!(code, 1);
    assert_eq!(
        of(&json, "hook-active"),
        [format!(
            "fail: den cannot apply {}/caf\\xe9 in any shell: its path is not UTF-8, and den's variables hold text \
             — rename it (or the directory above it with such a name) to a UTF-8 name",
            env.project().display()
        )]
    );
}
