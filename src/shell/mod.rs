//! Per-shell quoting and rendering: assignments that a shell's `eval` (or `source`) turns
//! back into the exact bytes of each value, and the machine formats (JSON, dotenv, GitHub
//! Actions). Renders what it is given and nothing else: it never computes values, reads
//! the environment or decides what changed.

mod dotenv;
mod fish;
mod github;
mod json;
mod posix;

use crate::cli::{ExportFormat, Shell};
use crate::env::Target;

/// `target` as text for `format`: one statement (or entry) per variable, in order,
/// ending with a newline when not empty.
pub fn render(target: &Target, format: ExportFormat) -> String {
    match format {
        ExportFormat::Bash | ExportFormat::Zsh => posix::render(target),
        ExportFormat::Fish => fish::render(target),
        ExportFormat::Dotenv => dotenv::render(target),
        ExportFormat::Json => json::render(target),
        ExportFormat::GithubActions => github::render(target),
    }
}

/// A word `shell` reads back as exactly `value`.
pub fn quote(shell: Shell, value: &str) -> String {
    match shell {
        Shell::Bash | Shell::Zsh => posix::quote(value),
        Shell::Fish => fish::quote(value),
    }
}

/// Statements that set (`Some`) or unset (`None`) exported variables, one per line.
pub fn assignments(shell: Shell, changes: &[(String, Option<String>)]) -> String {
    let mut target = Target::default();
    for (name, value) in changes {
        target.insert(crate::env::Var {
            name: name.clone(),
            value: value.clone(),
            origin: crate::env::Origin::Den,
            secret: None,
        });
    }
    match shell {
        Shell::Bash | Shell::Zsh => posix::render(&target),
        Shell::Fish => fish::render(&target),
    }
}

/// A statement setting the shell-local (not exported) variable `name` to `value`.
pub fn set_local(shell: Shell, name: &str, value: &str) -> String {
    match shell {
        Shell::Bash | Shell::Zsh => format!("{name}={};\n", posix::quote(value)),
        Shell::Fish => format!("set -g {name} {};\n", fish::quote(value)),
    }
}

/// A statement setting the shell-local (not exported) list variable `name` to `items`.
pub fn set_local_list(shell: Shell, name: &str, items: &[String]) -> String {
    match shell {
        Shell::Bash | Shell::Zsh => {
            let words: Vec<String> = items.iter().map(|i| posix::quote(i)).collect();
            format!("{name}=({});\n", words.join(" "))
        }
        Shell::Fish => {
            let words: Vec<String> = items.iter().map(|i| fish::quote(i)).collect();
            format!("set -g {name} {};\n", words.join(" "))
        }
    }
}

#[cfg(test)]
mod tests;
