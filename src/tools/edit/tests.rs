use crate::hint::Hint;
use std::path::Path;

use super::*;

fn add(text: &str, args: &[&str]) -> String {
    let args: Vec<ToolArg> = args.iter().map(|a| parse_arg(a).unwrap()).collect();
    add_to_text(Path::new("den.toml"), text, &args).unwrap()
}

fn remove(text: &str, names: &[&str]) -> Result<String, Error> {
    let names: Vec<String> = names.iter().map(|n| n.to_string()).collect();
    remove_from_text(Path::new("den.toml"), text, &names)
}

const FILE: &str = "\
# My project's environment.
# Keep versions in sync with CI.

[tools]
# runtime
node = \"20\"     # LTS, see ci.yml
ruff = { version = \"0.5\", bin = [\"ruff\"] }  # linter

[tools.jq]
version = \"1.6\" # old
source = \"github:jqlang/jq\"

# Variables
[env]
A = \"1\"
";

#[test]
fn replacing_keeps_the_form_and_the_comments() {
    let out = add(FILE, &["node@22", "ruff@0.6", "jq@1.7.1"]);
    assert_eq!(
        out,
        FILE.replace("node = \"20\"     # LTS", "node = \"22\"     # LTS")
            .replace("version = \"0.5\", bin", "version = \"0.6\", bin")
            .replace("version = \"1.6\" # old", "version = \"1.7.1\" # old")
    );
}

#[test]
fn adding_appends_to_the_tools_table() {
    let text = "[tools]\nnode = \"22\" # runtime\n\n# Variables\n[env]\nA = \"1\"\n";
    let out = add(text, &["go@1.23", "npm:@biomejs/biome@1.9"]);
    assert_eq!(
        out,
        "[tools]\nnode = \"22\" # runtime\ngo = \"1.23\"\nbiome = { version = \"1.9\", source = \"npm:@biomejs/biome\" }\n\n# Variables\n[env]\nA = \"1\"\n"
    );
}

#[test]
fn a_string_entry_becomes_a_table_when_a_source_is_given() {
    let out = add("[tools]\nbiome = \"1\"  # formatter\n", &["npm:@biomejs/biome@2"]);
    assert_eq!(out, "[tools]\nbiome = { version = \"2\", source = \"npm:@biomejs/biome\" }  # formatter\n");
    let out = add(
        "[tools]\njq = { version = \"1\", url = \"https://example.test/jq\" }\n",
        &["github:jqlang/jq@1.7"],
    );
    assert_eq!(out, "[tools]\njq = { version = \"1.7\", source = \"github:jqlang/jq\" }\n");
}

#[test]
fn the_table_is_created_after_the_leading_comment_block() {
    let text = "# My project.\n# Notes.\n\n# Variables\n[env]\nA = \"1\"\n";
    assert_eq!(
        add(text, &["node"]),
        "# My project.\n# Notes.\n\n[tools]\nnode = \"latest\"\n\n# Variables\n[env]\nA = \"1\"\n"
    );
    let text = "[env]\nA = \"1\"\n";
    assert_eq!(add(text, &["node@22"]), "[tools]\nnode = \"22\"\n\n[env]\nA = \"1\"\n");
}

#[test]
fn the_table_is_created_in_empty_and_comment_only_files() {
    assert_eq!(add("", &["node@22"]), "[tools]\nnode = \"22\"\n");
    assert_eq!(add("\n\n", &["node@22"]), "[tools]\nnode = \"22\"\n");
    assert_eq!(add("# just a comment\n", &["node@22"]), "# just a comment\n\n[tools]\nnode = \"22\"\n");
    assert_eq!(add("# no newline", &["node@22"]), "# no newline\n\n[tools]\nnode = \"22\"\n");
}

#[test]
fn an_inline_tools_table_is_edited_in_place() {
    assert_eq!(
        add("tools = { node = \"20\" }\n", &["node@22", "go@1"]),
        "tools = { node = \"22\", go = \"1\" }\n"
    );
}

#[test]
fn removing_takes_the_entry_and_its_comment_lines() {
    let out = remove(FILE, &["node", "jq"]).unwrap();
    assert_eq!(
        out,
        "# My project's environment.\n# Keep versions in sync with CI.\n\n[tools]\nruff = { version = \"0.5\", bin = [\"ruff\"] }  # linter\n\n# Variables\n[env]\nA = \"1\"\n"
    );
}

#[test]
fn removing_an_absent_tool_suggests_the_nearest() {
    let err = remove(FILE, &["nod"]).unwrap_err();
    assert_eq!(err.to_string(), "den.toml has no tool `nod`");
    assert_eq!(err.hint().unwrap(), "did you mean `node`?");
    let err = remove(FILE, &["python"]).unwrap_err();
    assert_eq!(err.hint().unwrap(), "`den ls` lists the project's tools");
    assert!(matches!(remove("[env]\n", &["node"]), Err(Error::Absent { .. })));
}

#[test]
fn an_invalid_file_is_reported_at_its_own_line() {
    let args = [parse_arg("node@22").unwrap()];
    let err = add_to_text(Path::new("den.toml"), "[tool]\nnode = \"22\"\n", &args).unwrap_err();
    assert!(err.to_string().starts_with("den.toml:1:2: unknown key `tool`"), "{err}");
    let err = add_to_text(Path::new("den.toml"), "[tools\n", &args).unwrap_err();
    assert!(err.to_string().starts_with("den.toml:1:"), "{err}");
}

#[test]
fn an_edit_that_would_be_invalid_is_refused() {
    // The entry already has a `url`; a plain version keeps it, which stays valid.
    let text = "[tools]\nmy = { version = \"1\", url = \"https://example.test/{version}\" }\n";
    assert_eq!(add(text, &["my@2"]), text.replace("\"1\"", "\"2\""));
    // A `[tools]` that is not a table cannot take an entry.
    let args = [parse_arg("node@22").unwrap()];
    let err = add_to_text(Path::new("den.toml"), "tools = 3\n", &args).unwrap_err();
    assert!(matches!(err, Error::Invalid(_)), "{err}");
}

#[test]
fn an_unversioned_add_pins_the_major_line_installed() {
    use super::pin_of;
    assert_eq!(pin_of("2.6.1").as_deref(), Some("2"));
    assert_eq!(pin_of("22.11.0").as_deref(), Some("22"));
    assert_eq!(pin_of("0.6.9").as_deref(), Some("0.6"));
    assert_eq!(pin_of("0.0.3").as_deref(), Some("0.0.3"));
    assert_eq!(pin_of("1.25rc1").as_deref(), Some("1.25rc1"));
    assert_eq!(pin_of("2024.10.1").as_deref(), Some("2024"));
}
