//! `den explain VAR`: every layer that set a variable, in order, and which won; no
//! suggestion from the outer environment for an unknown name; `--json`.

use crate::support::{Env, run};
use crate::upstream::Upstream;

fn project() -> Env {
    let env = Env::new();
    env.write("den.toml", "[env]\nURL = \"db://table\"\nMODE = \"dev\"\ndotenv = [\".env\"]\n");
    env.write(".env", "# local\nURL=db://dotenv\n");
    env.trust();
    env
}

#[test]
fn one_variable_lists_every_layer_in_order_and_the_winner() {
    let env = project();
    let mut cmd = env.den();
    cmd.env("URL", "db://outer");
    let out = run(cmd, &["explain", "URL"]);
    assert_eq!((out.code, out.stderr.as_str()), (0, ""));
    assert_eq!(
        out.stdout,
        "URL=db://dotenv  (.env:2)\n  1. outer environment: db://outer  (overridden)\n  \
         2. den.toml:2: db://table  (overridden)\n  3. .env:2: db://dotenv  (wins)\n"
    );
    // One layer: one line, as before.
    let out = run(env.den(), &["explain", "MODE"]);
    assert_eq!(out.stdout, "MODE=dev  (den.toml:3)\n");
}

#[test]
fn an_unknown_variable_is_suggested_only_among_the_projects() {
    let env = project();
    let out = run(env.den(), &["explain", "HOM"]);
    assert_eq!(out.code, 1);
    assert_eq!(
        out.stderr,
        "den: `HOM` is not set by this project nor in the environment\n\
         help: run `den explain` to list every variable\n"
    );
    let out = run(env.den(), &["explain", "MDOE"]);
    assert!(out.stderr.ends_with("help: did you mean `MODE`?\n"), "{}", out.stderr);
}

#[test]
fn json_gives_every_layer_with_its_origin() {
    let env = project();
    let home = env.home().join("token");
    std::fs::write(&home, "s3cr3t\n").unwrap();
    std::fs::set_permissions(&home, std::os::unix::fs::PermissionsExt::from_mode(0o600)).unwrap();
    env.write(
        "den.toml",
        "[env]\nURL = \"db://table\"\nTOKEN = { file = \"~/token\" }\ndotenv = [\".env\"]\n",
    );
    env.trust();
    let mut cmd = env.den();
    cmd.env("URL", "db://outer");
    let out = run(cmd, &["explain", "URL", "--json"]);
    assert_eq!((out.code, out.stderr.as_str()), (0, ""));
    let json: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let var = &json["variables"][0];
    assert_eq!(json["variables"].as_array().unwrap().len(), 1);
    assert_eq!((var["name"].as_str(), var["value"].as_str()), (Some("URL"), Some("db://dotenv")));
    assert_eq!(var["origin"]["kind"], "dotenv");
    assert_eq!((var["origin"]["file"].as_str(), var["origin"]["line"].as_u64()), (Some(".env"), Some(2)));
    let kinds: Vec<&str> =
        var["layers"].as_array().unwrap().iter().map(|l| l["origin"]["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["outer", "manifest", "dotenv"]);
    assert_eq!(var["layers"][0]["value"], "db://outer");
    assert_eq!(var["layers"][1]["origin"]["text"], "den.toml:2");

    // Every variable, and a secret never by its value.
    let out = run(env.den(), &["explain", "--json"]);
    assert!(!out.stdout.contains("s3cr3t"), "{}", out.stdout);
    let json: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let token = json["variables"].as_array().unwrap().iter().find(|v| v["name"] == "TOKEN").unwrap();
    assert_eq!(token["value"], serde_json::Value::Null);
    assert_eq!(token["secret"], "<secret from file ~/token>");
    let names: Vec<&str> =
        json["variables"].as_array().unwrap().iter().map(|v| v["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["DEN_ROOT", "DEN_PROJECT", "DEN_STATE_DIR", "URL", "TOKEN"]);
}

#[test]
fn path_shows_the_outer_value_the_tools_and_den_toml_in_order() {
    let up = Upstream::start();
    up.catalog_tool("jq", "1.7.1");
    let env = Env::new();
    up.write_config(&env);
    env.write("den.toml", "[tools]\njq = \"1.7\"\n\n[env]\nPATH = { prepend = [\"bin\"] }\n");
    env.trust();
    assert_eq!(run(env.den(), &["install"]).code, 0);
    let out = run(env.den(), &["explain", "PATH"]);
    assert_eq!((out.code, out.stderr.as_str()), (0, ""));
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(lines.len(), 4, "{}", out.stdout);
    let outer = format!("{}:/usr/bin:/bin", env.tmp.path().join("bin").display());
    assert_eq!(lines[1], format!("  1. outer environment: {outer}  (overridden)"));
    assert!(
        lines[2].starts_with("  2. tools in den.lock: ")
            && lines[2].ends_with(&format!(":{outer}  (overridden)"))
    );
    let bin = env.project().join("bin").display().to_string();
    assert!(
        lines[3].starts_with(&format!("  3. den.toml:5: {bin}:")) && lines[3].ends_with("  (wins)"),
        "{}",
        lines[3]
    );
    assert!(
        lines[0].starts_with(&format!("PATH={bin}:")) && lines[0].ends_with("  (den.toml:5)"),
        "{}",
        lines[0]
    );
}
