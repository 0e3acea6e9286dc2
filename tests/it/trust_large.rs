//! `den trust` on a large den.toml edited in many places (issue 8): the diff shown before
//! re-trusting must come back promptly, whatever the size of the edit, and still show
//! every changed line.

use crate::support::{Env, run};

/// A den.toml of `lines` lines: one `[env]` table of plain variables.
fn big_toml(lines: usize, edited: bool) -> String {
    let mut out = String::from("[env]\n");
    for i in 1..lines {
        // Every other line changes in the edited copy, and every 97th is new there.
        let value = if edited && i % 2 == 0 { format!("changed-{i}") } else { format!("value-{i}") };
        out.push_str(&format!("V{i} = \"{value}\"\n"));
        if edited && i % 97 == 0 {
            out.push_str(&format!("ADDED{i} = \"new\"\n"));
        }
    }
    out
}

#[test]
fn a_large_den_toml_edited_everywhere_is_trusted_with_its_diff() {
    let env = Env::new();
    env.write("den.toml", &big_toml(10_000, false));
    let out = run(env.den(), &["trust"]);
    assert_eq!(out.code, 0, "{}", out.stderr);

    env.write("den.toml", &big_toml(10_000, true));
    let out = run(env.den(), &["trust"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stderr.contains(" (trusted)\n") && out.stderr.contains(" (current)\n"), "no diff header");
    for (i, line) in [(2, "V2"), (9_998, "V9998")] {
        assert!(out.stderr.contains(&format!("-{line} = \"value-{i}\"\n")), "old {line} not shown");
        assert!(out.stderr.contains(&format!("+{line} = \"changed-{i}\"\n")), "new {line} not shown");
    }
    assert!(out.stderr.contains("+ADDED9991 = \"new\"\n"), "an added line is not shown");
    assert!(
        out.stderr.ends_with("den: trusted ") || out.stderr.contains("\nden: trusted "),
        "{}",
        &out.stderr[..200]
    );

    let out = run(env.den(), &["trust", "--list"]);
    assert!(out.stdout.ends_with("\ttrusted\n"), "{}", out.stdout);
}
