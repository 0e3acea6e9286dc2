//! Per-shell quoting and rendering: assignments that a shell's `eval` (or `source`) turns
//! back into the exact bytes of each value, and the machine formats (JSON, dotenv, GitHub
//! Actions). Renders what it is given and nothing else: it never computes values, reads
//! the environment or decides what changed.

mod dotenv;
mod fish;
mod github;
mod json;
mod posix;

use crate::cli::ExportFormat;
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

#[cfg(test)]
mod tests;
