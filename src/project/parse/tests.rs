//! Every rule of the den.toml schema, with the good and the bad inputs.

use std::path::Path;
use std::time::Duration;

use super::manifest;
use crate::project::{EnvValue, Manifest, Probe, Restart};

pub(super) fn ok(src: &str) -> Manifest {
    manifest(Path::new("den.toml"), src).unwrap_or_else(|e| panic!("{e}\nhelp: {:?}", e.help))
}

/// The whole rendered error, `help:` included, as the user sees it after `den: `.
pub(super) fn err(src: &str) -> String {
    let d = manifest(Path::new("den.toml"), src).expect_err("should fail");
    match &d.help {
        Some(help) => format!("{d}\nhelp: {help}"),
        None => d.to_string(),
    }
}

/// Checks `(source, first line of the error)` pairs, reporting every mismatch at once.
pub(super) fn check(cases: &[(&str, &str)]) {
    let bad: Vec<_> = cases
        .iter()
        .filter(|(src, want)| msg(src) != *want)
        .map(|(src, want)| format!("{src:?}\n  got:  {}\n  want: {want}", msg(src)))
        .collect();
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

/// Only the first line (`file:line:col: message`).
pub(super) fn msg(src: &str) -> String {
    err(src).lines().next().unwrap().to_string()
}

#[test]
fn the_spec_example_parses() {
    let m = ok(r#"
[tools]
node = "22"
go = { version = "1.23" }
jq = { version = "1.7.1", source = "github:jqlang/jq" }
biome = { version = "2", source = "npm:@biomejs/cli-{os}-{arch}" }
uv = { version = "0.4", source = "pypi:uv" }
mytool = { version = "2.1.0", url = "https://example.com/mytool-{version}-{os}-{arch}.tar.gz", sha256 = "ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef0123456789", bin = "bin/mytool" }

[env]
RUST_LOG = "debug"
PATH = { prepend = ["bin", "node_modules/.bin"] }
API_TOKEN = { file = "~/.config/myapp/token" }
GH_TOKEN = { command = "pass show gh" }
OLD_VAR = { unset = true }
MANPATH = { append = ["man"] }
dotenv = [".env", ".env.local"]

[services.postgres]
preset = "postgres"
version = "16"
port = 5432

[services.api]
run = "node server.js"
ready = { http = "http://127.0.0.1:3000/health", timeout = "30s" }
depends_on = ["postgres"]
env = { PORT = "3000" }
restart = "on-failure"

[enter]
services = ["postgres"]

[ide]
editor = "code"
"#);
    assert_eq!(m.tools.keys().collect::<Vec<_>>(), ["node", "go", "jq", "biome", "uv", "mytool"]);
    assert_eq!(m.tools["node"].version, "22");
    assert_eq!(m.tools["node"].at.line, 3);
    assert_eq!(m.tools["jq"].source.as_deref(), Some("github:jqlang/jq"));
    assert_eq!(m.tools["biome"].source.as_deref(), Some("npm:@biomejs/cli-{os}-{arch}"));
    let my = &m.tools["mytool"];
    assert_eq!(
        my.sha256.as_deref(),
        Some("abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789")
    );
    assert_eq!(my.bin, ["bin/mytool"]);
    let env: Vec<_> = m.env.iter().map(|e| (e.name.as_str(), e.value.clone(), e.at.line)).collect();
    assert_eq!(
        env,
        [
            ("RUST_LOG", EnvValue::Set("debug".into()), 11),
            ("PATH", EnvValue::Prepend(vec!["bin".into(), "node_modules/.bin".into()]), 12),
            ("API_TOKEN", EnvValue::File("~/.config/myapp/token".into()), 13),
            ("GH_TOKEN", EnvValue::Command("pass show gh".into()), 14),
            ("OLD_VAR", EnvValue::Unset, 15),
            ("MANPATH", EnvValue::Append(vec!["man".into()]), 16),
        ]
    );
    let dotenv: Vec<_> = m.dotenv.iter().map(|d| (d.path.as_str(), d.at.line)).collect();
    assert_eq!(dotenv, [(".env", 17), (".env.local", 17)]);
    let pg = &m.services["postgres"];
    assert_eq!(
        (pg.preset, pg.version.as_deref(), pg.port),
        (Some(crate::project::Preset::Postgres), Some("16"), Some(5432))
    );
    assert_eq!(pg.at.line, 19);
    assert_eq!(
        (pg.stop_signal, pg.stop_with(), pg.stop_timeout, pg.restart),
        (None, nix::sys::signal::Signal::SIGINT, Duration::from_secs(10), Restart::Never)
    );
    let api = &m.services["api"];
    assert_eq!(api.at.line, 24);
    assert_eq!(api.run, Some(crate::project::Run::Shell("node server.js".into())));
    let ready = api.ready.as_ref().unwrap();
    assert_eq!(ready.probe, Probe::Http("http://127.0.0.1:3000/health".into()));
    assert_eq!(ready.timeout, Duration::from_secs(30));
    assert_eq!(api.depends_on, ["postgres"]);
    assert_eq!(api.env["PORT"], "3000");
    assert_eq!(api.restart, Restart::OnFailure);
    assert_eq!(m.enter.services, ["postgres"]);
    assert_eq!(m.ide.editor.as_deref(), Some("code"));
}

#[test]
fn empty_file_is_an_empty_manifest() {
    let m = ok("# nothing yet\n");
    assert!(m.tools.is_empty() && m.env.is_empty() && m.services.is_empty());
}

#[test]
fn unknown_top_level_key_is_shown_with_caret_and_suggestion() {
    assert_eq!(
        err("[tool]\nnode = \"22\"\n"),
        "den.toml:1:2: unknown key `tool` in den.toml; did you mean `tools`?\n  |\n1 | [tool]\n  |  ^^^^\n\
         help: the keys allowed there are `tools`, `env`, `services`, `enter`, `ide`, `cache`"
    );
}

#[test]
fn cache_urls_are_checked_and_never_insecure() {
    let m = ok("[cache]\nurls = [\"oci://reg.example/team/den\", \"https://b.example/den\"]\n");
    assert_eq!(m.cache.len(), 2);
    assert!(m.cache.iter().all(|r| !r.insecure));
    assert!(
        err("[cache]\nurls = [{ url = \"http://nas/den\", insecure = true }]\n")
            .contains("`urls` must be a cache URL")
    );
    assert!(err("[cache]\nurls = [\"s3://b/x\"]\n").contains("is not a cache den knows"));
    assert!(err("[cache]\noffline_ok = true\n").contains("unknown key `offline_ok` in [cache]"));
}

#[test]
fn toml_syntax_errors_are_rendered_the_same_way() {
    let e = err("[tools]\nnode = \"22\nruff = \"0.6\"\n");
    assert!(e.starts_with("den.toml:2:"), "{e}");
    assert!(e.contains("invalid TOML: "), "{e}");
    assert!(e.contains("\n2 | node = \"22\n"), "{e}");
    let e = err("[tools]\nnode = \"22\"\nnode = \"20\"\n");
    assert!(e.starts_with("den.toml:3:1: invalid TOML: duplicate key"), "{e}");
}

// ---- [tools] ----

#[test]
fn tool_table_keys_are_checked_with_suggestion() {
    assert_eq!(
        err("[tools]\njq = { verison = \"1.7\" }\n"),
        "den.toml:2:8: unknown key `verison` in tool `jq`; did you mean `version`?\n  |\n2 | jq = { verison = \"1.7\" }\n  |        ^^^^^^^\n\
         help: the keys allowed there are `version`, `source`, `url`, `sha256`, `bin`, `venv`"
    );
}

#[test]
fn tool_errors() {
    let cases = [
        (
            "[tools]\nnode = 22\n",
            "den.toml:2:8: tool `node` must be a version string or a table, not an integer",
        ),
        ("[tools]\nnode = \"\"\n", "den.toml:2:8: `version` must not be empty"),
        ("[tools]\nnode = \"  \"\n", "den.toml:2:8: `version` must not be blank"),
        ("[tools]\njq = { source = \"github:jqlang/jq\" }\n", "den.toml:2:6: tool `jq` needs a `version`"),
        ("[tools]\n\"a/b\" = \"1\"\n", "den.toml:2:1: invalid tool name `a/b`"),
        ("[tools]\n\".x\" = \"1\"\n", "den.toml:2:1: invalid tool name `.x`"),
        (
            "[tools]\njq = { version = \"1\", source = \"gitlab:a/b\" }\n",
            "den.toml:2:32: invalid source `gitlab:a/b`",
        ),
        (
            "[tools]\njq = { version = \"1\", source = \"github:jq\" }\n",
            "den.toml:2:32: invalid source `github:jq`",
        ),
        (
            "[tools]\njq = { version = \"1\", source = \"github:a/b/c\" }\n",
            "den.toml:2:32: invalid source `github:a/b/c`",
        ),
        (
            "[tools]\nx = { version = \"1\", source = \"npm:@scope\" }\n",
            "den.toml:2:31: invalid source `npm:@scope`",
        ),
        ("[tools]\nx = { version = \"1\", source = \"pypi:\" }\n", "den.toml:2:31: invalid source `pypi:`"),
        (
            "[tools]\nx = { version = \"1\", url = \"ftp://h/x\" }\n",
            "den.toml:2:28: `url` must be an http:// or https:// URL, not `ftp://h/x`",
        ),
        (
            "[tools]\nx = { version = \"1\", url = \"https://h/x\", sha256 = \"abc\" }\n",
            "den.toml:2:52: `sha256` must be 64 hexadecimal characters",
        ),
        (
            "[tools]\nx = { version = \"1\", source = \"pypi:x\", url = \"https://h/x\" }\n",
            "den.toml:2:22: tool `x` has both `source` and `url`",
        ),
        (
            &format!("[tools]\nx = {{ version = \"1\", sha256 = \"{}\" }}\n", "a".repeat(64)),
            "den.toml:2:22: `sha256` of tool `x` applies to `url` tools only",
        ),
        (
            "[tools]\nx = { version = \"1\", bin = 3 }\n",
            "den.toml:2:28: `bin` must be a string or an array of strings, not an integer",
        ),
        (
            "[tools]\nx = { version = \"1\", bin = [\"../x\"] }\n",
            "den.toml:2:29: `bin` entry `../x` must be a relative path inside the tool",
        ),
        (
            "[tools]\nx = { version = \"1\", bin = [\"/x\"] }\n",
            "den.toml:2:29: `bin` entry `/x` must be a relative path inside the tool",
        ),
        ("tools = [\"node\"]\n", "den.toml:1:9: `tools` must be a table, not an array"),
    ];
    check(&cases);
}

#[test]
fn tool_forms() {
    let m = ok(
        "[tools]\n\"x.y\" = { version = \"1\", source = \"pypi:x.y\" }\nb = { version = \"2\", bin = [\"bin/a\", \"b\"], url = \"http://h/b-{version}\" }\n\
                n = { version = \"1\", source = \"npm:prettier\" }\n",
    );
    assert_eq!(m.tools["x.y"].version, "1");
    assert_eq!(m.tools["b"].bin, ["bin/a", "b"]);
    assert_eq!(m.tools["b"].url.as_deref(), Some("http://h/b-{version}"));
    assert_eq!(m.tools["n"].source.as_deref(), Some("npm:prettier"));
}

#[test]
fn tools_and_specs_den_cannot_know_are_refused_where_they_are_written() {
    check(&[
        ("[tools]\nnodee = \"22\"\n", "den.toml:2:1: den has no tool `nodee`"),
        (
            "[tools]\nnode = \"^22 || 20\"\n",
            "den.toml:2:8: `node`: invalid version spec `^22 || 20`: den takes one range, not alternatives joined with `||`",
        ),
        (
            "[tools]\njq = { version = \"^^\" }\n",
            "den.toml:2:18: `jq`: invalid version spec `^^`: `^` is not a version: it has no digits",
        ),
        ("[tools]\njq = \">=3, <2\"\n", "den.toml:2:6: `jq`: no version is >=3 and <2"),
        ("[tools]\njq = \">2.0, <=2.0\"\n", "den.toml:2:6: `jq`: no version is >2.0 and <=2.0"),
        ("[tools]\nnode = \"lst\"\n", "den.toml:2:8: `node` has no version named `lst`"),
        ("[tools]\njq = \"stable\"\n", "den.toml:2:6: `jq` has no version named `stable`"),
        (
            "[tools]\nx = { version = \"latest\", url = \"https://h/x-{version}\" }\n",
            "den.toml:2:17: `x` downloads one `url`, so its version must be exact, not `latest`",
        ),
    ]);
    assert!(err("[tools]\nnodee = \"22\"\n").ends_with("help: did you mean `node`? Otherwise give `nodee` a `source` (github:owner/repo, npm:<package>, pypi:<package>) or a `url`"));
    assert!(
        err("[tools]\nnode = \"^22 || 20\"\n").ends_with("help: write the one range you mean, e.g. `^22`")
    );
    assert!(err("[tools]\nnode = \"lst\"\n").ends_with("help: did you mean `lts`?"));
    // Readable specs that may match nothing today are the resolver's to judge; so are a
    // tool's own names under `lts/`, and anything of a tool with its own source.
    let m = ok("[tools]\njq = \">=99\"\nnode = \"lts/hydrogen\"\nruff = \">=0.6.9, <=0.6\"\n\
                my = { version = \"next\", source = \"npm:my\" }\nx = { version = \"1\", url = \"https://h/x\" }\n");
    assert_eq!(m.tools.len(), 5);
}

// ---- [env] ----

#[test]
fn env_numbers_and_booleans_become_strings() {
    let m = ok("[env]\nPORT = 3000\nHEX = 0x10\nRATIO = 1.50\nDEBUG = true\n");
    let values: Vec<_> = m.env.iter().map(|e| e.value.clone()).collect();
    let set = |s: &str| EnvValue::Set(s.into());
    assert_eq!(values, [set("3000"), set("16"), set("1.50"), set("true")]);
}

#[test]
fn env_errors() {
    let cases = [
        ("[env]\n\"1X\" = \"a\"\n", "den.toml:2:1: invalid variable name `1X`"),
        ("[env]\n\"A-B\" = \"a\"\n", "den.toml:2:1: invalid variable name `A-B`"),
        ("[env]\nX = {}\n", "den.toml:2:5: `X` is an empty table"),
        (
            "[env]\nX = { prepend = [\"a\"], append = [\"b\"] }\n",
            "den.toml:2:5: `X` has 2 actions; it takes exactly one",
        ),
        (
            "[env]\nX = { prepnd = [\"a\"] }\n",
            "den.toml:2:7: unknown key `prepnd` in `X`; did you mean `prepend`?",
        ),
        (
            "[env]\nX = { prepend = \"a\" }\n",
            "den.toml:2:17: `prepend` must be an array of strings, not a string",
        ),
        (
            "[env]\nX = { prepend = [1] }\n",
            "den.toml:2:18: `prepend` must be an array of strings, not an integer",
        ),
        ("[env]\nX = { prepend = [\"\"] }\n", "den.toml:2:18: `prepend` entries must not be empty"),
        ("[env]\nX = { file = 3 }\n", "den.toml:2:14: `file` must be a string, not an integer"),
        ("[env]\nX = { command = \"\" }\n", "den.toml:2:17: `command` must not be empty"),
        (
            "[env]\nX = { unset = \"yes\" }\n",
            "den.toml:2:15: `unset` must be `true` or `false`, not a string",
        ),
        ("[env]\nX = { unset = false }\n", "den.toml:2:15: `unset = false` does nothing"),
        ("[env]\nX = [\"a\"]\n", "den.toml:2:5: `X` must be a string or a table, not an array"),
        ("[env]\nX = 1979-05-27\n", "den.toml:2:5: `X` must be a string, not a datetime"),
        ("[env]\ndotenv = \".env\"\n", "den.toml:2:10: `dotenv` must be an array of strings, not a string"),
        ("[env]\ndotenv = [\"\"]\n", "den.toml:2:11: `dotenv` entries must not be empty"),
        ("env = 1\n", "den.toml:1:7: `env` must be a table, not an integer"),
    ];
    check(&cases);
}

#[test]
fn env_two_actions_full_error() {
    assert_eq!(
        err("[env]\nPATH = { prepend = [\"bin\"], append = [\"x\"] }\n"),
        "den.toml:2:8: `PATH` has 2 actions; it takes exactly one\n  |\n\
         2 | PATH = { prepend = [\"bin\"], append = [\"x\"] }\n  |        ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n\
         help: use exactly one of `prepend = [..]`, `append = [..]`, `file = \"..\"`, `command = \"..\"`, `unset = true`"
    );
}

#[test]
fn venv_and_the_system_source() {
    let m = ok(r#"
[tools]
uv = "0.4"
python = { version = "3.12", venv = "./.venv/" }
jq = { version = "1.7", source = "system" }
"#);
    let venv = m.venv.expect("a venv");
    assert_eq!((venv.tool.as_str(), venv.path.as_str(), venv.at.line), ("python", ".venv", 4));
    assert_eq!(m.tools["jq"].source.as_deref(), Some("system"));
    assert!(ok("[tools]\npython = { version = \"3\", venv = \"envs/py\" }").venv.is_some());
    assert!(ok("[tools]\npython = \"3\"").venv.is_none());
    check(&[
        (
            "[tools]\npython = { version = \"3\", venv = \"/tmp/v\" }",
            "den.toml:2:34: `venv` path `/tmp/v` is an absolute path",
        ),
        (
            "[tools]\npython = { version = \"3\", venv = \"a/../../v\" }",
            "den.toml:2:34: `venv` path `a/../../v` climbs out of the project with `..`",
        ),
        (
            "[tools]\npython = { version = \"3\", venv = \".\" }",
            "den.toml:2:34: `venv` path `.` names the project's root",
        ),
        (
            "[tools]\npython = { version = \"3\", venv = \"a//b\" }",
            "den.toml:2:34: `venv` path `a//b` has an empty or `.` component",
        ),
        (
            "[tools]\npython = { version = \"3\", venv = \".den\" }",
            "den.toml:2:34: `venv` path `.den` is a directory den or git keeps",
        ),
        (
            "[tools]\npython = { version = \"3\", venv = 1 }",
            "den.toml:2:34: `venv` must be a string, not an integer",
        ),
        (
            "[tools]\npython = { version = \"3\", venv = \"a\" }\nuv = { version = \"0.4\", venv = \"b\" }",
            "den.toml:3:32: tool `uv` names a `venv`, and so does `python`",
        ),
    ]);
    assert!(
        err("[tools]\npython = { version = \"3\", venv = \"/v\" }").contains("help: name a directory inside")
    );
}

#[test]
fn the_user_config_has_no_venv() {
    let doc = super::walk::Doc::new(
        Path::new("config.toml"),
        "[tools]\npython = { version = \"3\", venv = \".v\" }",
    );
    let root = doc.parse().unwrap();
    let err = super::tools(&doc, &root["tools"]).unwrap_err();
    assert!(err.to_string().contains("venv"), "{err}");
}
