//! Per-shell quoting and rendering: assignments that a shell's `eval` (or `source`) turns
//! back into the exact bytes of each value, and the machine formats (JSON, dotenv, GitHub
//! Actions). Renders what it is given and nothing else: it never computes values, reads
//! the environment or decides what changed.
//!
//! Everything den knows per shell is here, each a `match` on [`Shell`] the compiler makes
//! a new shell complete: quoting, rendering, the hook script (`shells/den.<shell>`), the
//! completion script (`shells/complete.<shell>` after clap_complete's), the line that
//! loads the hook. Only `doctor::shell_hook`'s startup files are elsewhere (they are read).

mod dotenv;
mod fish;
mod github;
mod json;
mod posix;

use std::ffi::OsStr;
use std::path::{Path, PathBuf};

use clap::ValueEnum;

use crate::env::Target;

/// The shells den can activate in.
/// A domain type: `cli` names it in its arguments, it does not define it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Shell {
    Bash,
    Zsh,
    Fish,
}

/// Where an exported environment is going.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    Json,
    Dotenv,
    Bash,
    Zsh,
    Fish,
    GithubActions,
}

impl ExportFormat {
    /// The shell whose hook assignments this format is (`den export bash`); `None` for the
    /// machine formats.
    pub fn shell(self) -> Option<Shell> {
        match self {
            ExportFormat::Bash => Some(Shell::Bash),
            ExportFormat::Zsh => Some(Shell::Zsh),
            ExportFormat::Fish => Some(Shell::Fish),
            ExportFormat::Json | ExportFormat::Dotenv | ExportFormat::GithubActions => None,
        }
    }
}

impl Shell {
    /// The shell's name as the command line spells it (`bash`).
    pub fn name(self) -> &'static str {
        match self {
            Shell::Bash => "bash",
            Shell::Zsh => "zsh",
            Shell::Fish => "fish",
        }
    }

    /// The hook script (`den hook <shell>`) with `@DEN@` where den's path goes: for bash
    /// and zsh the part they share, `den.sh`, then the shell's own.
    pub fn hook_script(self) -> String {
        const COMMON: &str = include_str!("../../shells/den.sh");
        match self {
            Shell::Bash => format!("{COMMON}\n{}", include_str!("../../shells/den.bash")),
            Shell::Zsh => format!("{COMMON}\n{}", include_str!("../../shells/den.zsh")),
            Shell::Fish => include_str!("../../shells/den.fish").to_string(),
        }
    }

    /// clap_complete's generator for the shell, and den's dynamic completion part (with
    /// `@DEN@` where den's path goes) that follows its script.
    pub fn completion(self) -> (clap_complete::Shell, &'static str) {
        match self {
            Shell::Bash => (clap_complete::Shell::Bash, include_str!("../../shells/complete.bash")),
            Shell::Zsh => (clap_complete::Shell::Zsh, include_str!("../../shells/complete.zsh")),
            Shell::Fish => (clap_complete::Shell::Fish, include_str!("../../shells/complete.fish")),
        }
    }

    /// The line a startup file needs to load the hook.
    pub fn hook_line(self) -> String {
        match self {
            Shell::Bash | Shell::Zsh => format!("eval \"$(den hook {})\"", self.name()),
            Shell::Fish => "den hook fish | source".into(),
        }
    }
}

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

/// The workflow commands that go before `target` rendered for `format`: for GitHub Actions
/// an `::add-mask::` for each line of every secret value (empty for the other formats).
pub fn workflow_commands(target: &Target, format: ExportFormat) -> String {
    match format {
        ExportFormat::GithubActions => github::masks(target),
        _ => String::new(),
    }
}

/// A word `shell` reads back as exactly the bytes of `value` (a path, which need not be
/// UTF-8: the hook must test the very files den read, and call den where it is).
pub fn quote_os(shell: Shell, value: &OsStr) -> String {
    let bytes = value.as_encoded_bytes();
    match shell {
        Shell::Bash | Shell::Zsh => posix::quote_bytes(bytes),
        Shell::Fish => fish::quote_bytes(bytes),
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

/// A statement setting the shell-local (not exported) variable `name` to `value`'s bytes.
pub fn set_local(shell: Shell, name: &str, value: &OsStr) -> String {
    match shell {
        Shell::Bash | Shell::Zsh => format!("{name}={};\n", quote_os(shell, value)),
        Shell::Fish => format!("set -g {name} {};\n", quote_os(shell, value)),
    }
}

/// For bash and zsh, `files` as the array `__den_watch`, on one line: what direnv's `use
/// den` (integrations/direnv/den.sh) hands to `watch_file`. fish has no use for it.
pub fn watch_array(shell: Shell, files: &[PathBuf]) -> String {
    match shell {
        Shell::Bash | Shell::Zsh => {
            let quoted: Vec<String> = files.iter().map(|f| quote_os(shell, f.as_os_str())).collect();
            format!("__den_watch=({});\n", quoted.join(" "))
        }
        Shell::Fish => String::new(),
    }
}

/// The definition of the hook's `__den_changed` test: whether any of `watch` is newer than
/// `stamp`, or any of `exists` is gone. Generated per load so that the prompt runs one
/// compound test of literal paths, with no loop over a list.
pub fn changed_function(shell: Shell, watch: &[PathBuf], exists: &[PathBuf], stamp: &Path) -> String {
    let q = |p: &Path| quote_os(shell, p.as_os_str());
    let stamp = q(stamp);
    let newer = watch.iter().map(|f| format!("{} -nt {stamp}", q(f)));
    let gone = exists.iter().map(|f| format!("! -e {}", q(f)));
    let tests: Vec<String> = newer.chain(gone).collect();
    match shell {
        Shell::Bash | Shell::Zsh if tests.is_empty() => "__den_changed() { return 1; };\n".into(),
        Shell::Bash | Shell::Zsh => format!("__den_changed() {{ [[ {} ]]; }};\n", tests.join(" || ")),
        Shell::Fish if tests.is_empty() => "function __den_changed; return 1; end;\n".into(),
        Shell::Fish => {
            let tests: Vec<String> = tests.iter().map(|t| format!("test {t}")).collect();
            format!("function __den_changed; {}; end;\n", tests.join("; or "))
        }
    }
}

#[cfg(test)]
mod dotenv_fuzz_tests;
#[cfg(test)]
mod tests;
