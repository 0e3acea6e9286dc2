//! `den export` and `den explain` on real projects: each shell format evaluated by the
//! real bash, zsh and fish (a missing shell fails; see `prereq`), the machine formats
//! byte for byte, and the errors a user meets.

use std::collections::HashMap;
use std::os::unix::fs::PermissionsExt;

use crate::support::{Env, run};

/// A den.toml whose values break naive quoting; `expected` lists what each becomes.
const TRICKY_TOML: &str = r#"[env]
T_QUOTES = "it's \"quoted\" 'twice'"
T_DOLLAR = "$HOME $$ ${DEN_PROJECT} $(echo no) `echo no` $"
T_BACKSLASH = 'back\slash\\ \n \'
T_NEWLINE = "line1\nline2\n"
T_TAB = "tab\there"
T_CR = "cr\r\nlf"
T_CONTROL = "ctrl\u0001\u001b[0m\u007f end"
T_UNICODE = "héllo ✓ 日本"
T_EMPTY = ""
T_GLOB = "*?[glob]{a,b} ~/x"
T_SEMI = "a; echo hacked & | > < #"
T_LIST_PATH = { prepend = ["bin", "/a b", "/c's"] }
OLD = { unset = true }
"#;

fn expected(env: &Env) -> Vec<(&'static str, String)> {
    let root = env.project().display().to_string();
    vec![
        ("DEN_ROOT", root.clone()),
        ("DEN_PROJECT", "project".into()),
        ("DEN_STATE_DIR", format!("{root}/.den/state")),
        ("T_QUOTES", "it's \"quoted\" 'twice'".into()),
        ("T_DOLLAR", "$HOME $ project $(echo no) `echo no` $".into()),
        ("T_BACKSLASH", "back\\slash\\\\ \\n \\".into()),
        ("T_NEWLINE", "line1\nline2\n".into()),
        ("T_TAB", "tab\there".into()),
        ("T_CR", "cr\r\nlf".into()),
        ("T_CONTROL", "ctrl\u{1}\u{1b}[0m\u{7f} end".into()),
        ("T_UNICODE", "héllo ✓ 日本".into()),
        ("T_EMPTY", "".into()),
        ("T_GLOB", "*?[glob]{a,b} ~/x".into()),
        ("T_SEMI", "a; echo hacked & | > < #".into()),
        ("T_LIST_PATH", format!("{root}/bin:/a b:/c's:/outer:")),
    ]
}

/// Runs `script` in `shell` in the project directory with den's pinned environment, plus
/// `OLD` and `T_LIST_PATH` set as an outer shell would have them; returns its exported
/// environment, or `None` when the shell is not installed and the user opted out of such
/// tests (`crate::prereq`).
fn shell_env(env: &Env, shell: &str, args: &[&str], script: &str) -> Option<HashMap<String, String>> {
    let path = crate::prereq::program(shell)?;
    let den = env!("CARGO_BIN_EXE_den");
    let script = format!("{}\n/usr/bin/env -0\n", script.replace("DEN", &format!("'{den}'")));
    let out = env
        .command(path)
        .args(args)
        .arg(script)
        .env("PATH", "/usr/bin:/bin")
        .env("OLD", "outer value")
        .env("T_LIST_PATH", "/outer:")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success() && stderr.is_empty(), "{shell}: {stderr}");
    let text = String::from_utf8(out.stdout).unwrap();
    Some(text.split('\0').filter_map(|e| e.split_once('=')).map(|(k, v)| (k.into(), v.into())).collect())
}

fn assert_round_trip(env: &Env, shell: &str, got: Option<HashMap<String, String>>) {
    let Some(got) = got else { return };
    for (name, value) in expected(env) {
        assert_eq!(got.get(name), Some(&value), "{shell}: {name}");
    }
    assert!(!got.contains_key("OLD"), "{shell}: OLD was not unset");
}

fn tricky() -> Env {
    let env = Env::new();
    env.write("den.toml", TRICKY_TOML);
    env.trust();
    env
}

#[test]
fn bash_eval_reproduces_every_byte() {
    let env = tricky();
    let got = shell_env(&env, "bash", &["--norc", "--noprofile", "-c"], r#"eval "$(DEN export bash)""#);
    assert_round_trip(&env, "bash", got);
}

#[test]
fn zsh_eval_reproduces_every_byte() {
    let env = tricky();
    let got = shell_env(&env, "zsh", &["-f", "-c"], r#"eval "$(DEN export zsh)""#);
    assert_round_trip(&env, "zsh", got);
}

#[test]
fn fish_source_reproduces_every_byte() {
    let env = tricky();
    let got = shell_env(&env, "fish", &["--no-config", "-c"], "DEN export fish | source");
    assert_round_trip(&env, "fish", got);
}

/// A small project for the machine formats: den's values, a forward reference, a
/// multi-line value, an unset, and a dotenv file.
fn small() -> (Env, String) {
    let env = Env::new();
    env.write(
        "den.toml",
        "[env]\nURL = \"db://${USER_NAME}@localhost\"\nMSG = \"a \\\"b\\\"\\nc\"\nOLD = { unset = true }\n\
         dotenv = [\".env\"]\n",
    );
    env.trust();
    env.write(".env", "# local\nUSER_NAME=alice\nexport PRICE='$5'\n");
    let root = env.project().display().to_string();
    (env, root)
}

#[test]
fn json_is_the_default_format() {
    let (env, root) = small();
    let want = format!(
        "{{\n  \"DEN_ROOT\": \"{root}\",\n  \"DEN_PROJECT\": \"project\",\n  \"DEN_STATE_DIR\": \"{root}/.den/state\",\n  \
         \"URL\": \"db://alice@localhost\",\n  \"MSG\": \"a \\\"b\\\"\\nc\",\n  \"OLD\": null,\n  \
         \"USER_NAME\": \"alice\",\n  \"PRICE\": \"$5\"\n}}\n"
    );
    for args in [&["export"][..], &["export", "--format", "json"], &["export", "json"]] {
        let out = run(env.den(), args);
        assert_eq!((out.code, out.stderr.as_str()), (0, ""));
        assert_eq!(out.stdout, want, "{args:?}");
    }
}

#[test]
fn dotenv_format_exact() {
    let (env, root) = small();
    let out = run(env.den(), &["export", "--format", "dotenv"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(
        out.stdout,
        format!(
            "DEN_ROOT=\"{root}\"\nDEN_PROJECT=\"project\"\nDEN_STATE_DIR=\"{root}/.den/state\"\n\
             URL=\"db://alice@localhost\"\nMSG=\"a \\\"b\\\"\\nc\"\nUSER_NAME=\"alice\"\nPRICE=\"\\$5\"\n"
        )
    );
}

#[test]
fn github_actions_format_exact() {
    let (env, root) = small();
    let out = run(env.den(), &["export", "-f", "github-actions"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let lines: Vec<&str> = out.stdout.lines().collect();
    let delimiter = lines[4].strip_prefix("MSG<<").expect("heredoc form for MSG");
    assert!(delimiter.starts_with("DEN_EOF_"), "{delimiter}");
    let want = [
        format!("DEN_ROOT={root}"),
        "DEN_PROJECT=project".into(),
        format!("DEN_STATE_DIR={root}/.den/state"),
        "URL=db://alice@localhost".into(),
        format!("MSG<<{delimiter}"),
        "a \"b\"".into(),
        "c".into(),
        delimiter.into(),
        "OLD=".into(),
        "USER_NAME=alice".into(),
        "PRICE=$5".into(),
    ];
    assert_eq!(lines, want);
}

/// Every secret value is masked, line by line, before `$GITHUB_ENV` gets it: on stderr,
/// which the runner reads for workflow commands, so that `>> "$GITHUB_ENV"` stays valid.
#[test]
fn github_actions_masks_every_secret_line_on_stderr() {
    let env = Env::new();
    env.write(
        "den.toml",
        "[env]\nKEY = { file = \"key\" }\nTOKEN = { command = \"printf 't%%0Aok'\" }\n\
         AUTH = \"Bearer ${TOKEN}\"\nPLAIN = \"not secret\"\n",
    );
    env.trust();
    let key = env.write("key", "-----BEGIN-----\nab cd\n\n   \n-----END-----\n");
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).unwrap();
    let out = run(env.den(), &["export", "--format", "github-actions"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(
        out.stderr,
        "::add-mask::-----BEGIN-----\n::add-mask::ab cd\n::add-mask::-----END-----\n\
         ::add-mask::t%250Aok\n::add-mask::Bearer t%250Aok\n"
    );
    let root = env.project().display().to_string();
    let lines: Vec<&str> = out.stdout.lines().collect();
    let delimiter = lines[3].strip_prefix("KEY<<").expect("heredoc form for KEY");
    let want = [
        format!("DEN_ROOT={root}"),
        "DEN_PROJECT=project".into(),
        format!("DEN_STATE_DIR={root}/.den/state"),
        format!("KEY<<{delimiter}"),
        "-----BEGIN-----".into(),
        "ab cd".into(),
        "".into(),
        "   ".into(),
        "-----END-----".into(),
        delimiter.into(),
        "TOKEN=t%0Aok".into(),
        "AUTH=Bearer t%0Aok".into(),
        "PLAIN=not secret".into(),
    ];
    assert_eq!(lines, want);
}

#[test]
fn explain_shows_values_and_origins() {
    let (env, root) = small();
    std::fs::write(env.home().join("token"), "s3cr3t\n").unwrap();
    std::fs::set_permissions(env.home().join("token"), std::fs::Permissions::from_mode(0o600)).unwrap();
    let toml = std::fs::read_to_string(env.project().join("den.toml")).unwrap();
    env.write(
        "den.toml",
        &toml.replace("[env]\n", "[env]\nTOKEN = { file = \"~/token\" }\nAUTH = \"Bearer ${TOKEN}\"\n"),
    );
    env.trust();
    let out = run(env.den(), &["explain"]);
    assert_eq!((out.code, out.stderr.as_str()), (0, ""));
    assert_eq!(
        out.stdout,
        format!(
            "DEN_ROOT={root}  (den)\nDEN_PROJECT=project  (den)\nDEN_STATE_DIR={root}/.den/state  (den)\n\
             TOKEN=<secret from file ~/token>  (den.toml:2)\nAUTH=<derived from secret TOKEN>  (den.toml:3)\n\
             URL=db://alice@localhost  (den.toml:4)\nMSG=a \"b\"\\nc  (den.toml:5)\nOLD=<unset>  (den.toml:6)\n\
             USER_NAME=alice  (.env:2)\nPRICE=$5  (.env:3)\n"
        )
    );
    let export = run(env.den(), &["export", "bash"]);
    assert!(
        export.stdout.contains("export TOKEN=s3cr3t;\n")
            && export.stdout.contains("export AUTH='Bearer s3cr3t';\n"),
        "{}",
        export.stdout
    );

    let one = run(env.den(), &["explain", "URL"]);
    assert_eq!((one.code, one.stdout.as_str()), (0, "URL=db://alice@localhost  (den.toml:4)\n"));
    let outer = run(env.den(), &["explain", "LANG"]);
    assert_eq!((outer.code, outer.stdout.as_str()), (0, "LANG=C.UTF-8  (outer environment)\n"));
    let typo = run(env.den(), &["explain", "user_nme"]);
    assert_eq!((typo.code, typo.stdout.as_str()), (1, ""));
    assert_eq!(
        typo.stderr,
        "den: `user_nme` is not set by this project nor in the environment\nhelp: did you mean `USER_NAME`?\n"
    );
}

#[test]
fn readable_secret_file_warns() {
    let env = Env::new();
    env.write("den.toml", "[env]\nTOKEN = { file = \"token\" }\n");
    env.trust();
    let path = env.write("token", "t\n");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    let out = run(env.den(), &["export", "json"]);
    assert_eq!(out.code, 0);
    assert!(out.stdout.contains("\"TOKEN\": \"t\""), "{}", out.stdout);
    assert_eq!(
        out.stderr,
        format!(
            "den: warning: secret file {p} for `TOKEN` can be read by other users; run `chmod 600 {p}`\n",
            p = path.display()
        )
    );
}

/// Runs `den export --format json` on `toml` (trusted) and returns (exit code, stdout, stderr).
fn export_error(toml: &str) -> (i32, String, String) {
    let env = Env::new();
    env.write("den.toml", toml);
    env.trust();
    let out = run(env.den(), &["export", "--format", "json"]);
    (out.code, out.stdout, out.stderr)
}

#[test]
fn undefined_variable_is_an_error() {
    let (code, stdout, stderr) = export_error("[env]\nA = \"1\"\nB = \"${NOPE}/x\"\n");
    assert_eq!((code, stdout.as_str()), (1, ""));
    assert_eq!(
        stderr,
        "den: `B` (den.toml:3) refers to `${NOPE}`, which is not set\n\
         help: define `NOPE` in [env] or in the environment, or give a default: `${NOPE:-default}`\n"
    );
}

#[test]
fn cycle_is_an_error() {
    let (code, _, stderr) = export_error("[env]\nA = \"${B}\"\nB = \"x${A}\"\n");
    assert_eq!(code, 1);
    assert_eq!(
        stderr,
        "den: variables refer to each other in a cycle: `A` (den.toml:2) → `B` (den.toml:3) → `A`\n\
         help: make one of these values not depend on the others\n"
    );
}

#[test]
fn missing_secret_file_is_an_error() {
    let env = Env::new();
    env.write("den.toml", "[env]\nTOKEN = { file = \"~/.config/app/token\" }\n");
    env.trust();
    let out = run(env.den(), &["export", "--format", "json"]);
    let path = env.home().join(".config/app/token");
    assert_eq!((out.code, out.stdout.as_str()), (1, ""));
    assert_eq!(
        out.stderr,
        format!(
            "den: secret file {p} for `TOKEN` (den.toml:2) does not exist\n\
             help: create {p} (mode 600) holding the secret, or remove the entry\n",
            p = path.display()
        )
    );
}

#[test]
fn failing_secret_command_names_the_command_and_its_code() {
    let (code, stdout, stderr) = export_error("[env]\nGH = { command = \"echo oops >&2; exit 3\" }\n");
    assert_eq!((code, stdout.as_str()), (1, ""));
    assert_eq!(
        stderr,
        "oops\nden: `echo oops >&2; exit 3` for `GH` (den.toml:2) exited with code 3\n\
         help: run `echo oops >&2; exit 3` in the project directory to see what fails\n"
    );
}

#[test]
fn an_untrusted_project_is_not_exported() {
    let env = Env::new();
    env.write("den.toml", "[env]\nGH = { command = \"touch ran\" }\n");
    let out = run(env.den(), &["export", "--format", "json"]);
    assert_eq!((out.code, out.stdout.as_str()), (1, ""));
    let file = env.project().canonicalize().unwrap().join("den.toml");
    assert_eq!(
        out.stderr,
        format!("den: {} is not trusted\nhelp: review it, then run `den trust`\n", file.display())
    );
    assert!(!env.project().join("ran").exists(), "the command ran");
    env.trust();
    env.write("den.toml", "[env]\nGH = { command = \"echo changed\" }\n");
    let out = run(env.den(), &["export", "--format", "json"]);
    assert_eq!(
        out.stderr,
        format!(
            "den: {} is not trusted (it changed since you trusted it)\n\
             help: run `den trust` to see what changed and trust it\n",
            file.display()
        )
    );
}

#[test]
fn missing_dotenv_file_is_an_error() {
    let (code, _, stderr) = export_error("[env]\ndotenv = [\".env.local\"]\n");
    assert_eq!(code, 1);
    assert_eq!(
        stderr,
        "den: dotenv file .env.local does not exist (listed at den.toml:2)\n\
         help: create the file, or remove it from `dotenv` in den.toml\n"
    );
}

#[test]
fn dotenv_syntax_error_names_file_and_line() {
    let env = Env::new();
    env.write("den.toml", "[env]\ndotenv = [\".env\"]\n");
    env.trust();
    env.write(".env", "A=1\nB=\"open\n");
    let out = run(env.den(), &["export"]);
    assert_eq!(out.code, 1);
    assert_eq!(out.stderr.lines().next(), Some("den: .env:2: double-quoted value without a closing `\"`"));
}

#[test]
fn no_project_is_an_error() {
    let env = Env::new();
    for cmd in ["export", "explain"] {
        let out = run(env.den(), &[cmd]);
        assert_eq!((out.code, out.stdout.as_str()), (1, ""), "{cmd}");
        assert_eq!(
            out.stderr,
            format!(
                "den: no den.toml in {} or any parent directory\nhelp: run `den init` to create one\n",
                env.project().display()
            )
        );
    }
}

/// A preset service's URL holds its generated password: it is masked, and so is every value
/// made from it (`${REDIS_URL}`, `${services.<name>.password}`) and the password alone, but
/// not its port.
#[test]
fn github_actions_masks_values_made_from_a_service_password() {
    let env = Env::new();
    env.write(
        "den.toml",
        "[services.cache]\npreset = \"redis\"\n[env]\nR = \"${REDIS_URL}\"\nP = \"x${services.cache.password}\"\n\
         Q = \"${services.cache.port}\"\n",
    );
    env.trust();
    let out = run(env.den(), &["export", "--format", "github-actions"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let value = |name: &str| {
        let line = out.stdout.lines().find_map(|l| l.strip_prefix(&format!("{name}=")));
        line.unwrap_or_else(|| panic!("no {name} in {}", out.stdout)).to_string()
    };
    let url = value("REDIS_URL");
    let password = url.strip_prefix("redis://:").and_then(|r| r.split_once('@')).unwrap().0;
    assert_eq!(
        out.stderr,
        format!("::add-mask::{url}\n::add-mask::{url}\n::add-mask::x{password}\n::add-mask::{password}\n"),
        "Q={}",
        value("Q")
    );
    let explain = run(env.den(), &["explain", "P"]);
    assert_eq!(explain.stdout, "P=<derived from secret services.cache.password>  (den.toml:5)\n");
}
