//! `den completions bash|zsh|fish`: the shell completion script on stdout. The static part
//! (commands, options, values) is clap_complete's, generated from the `cli` types, so it
//! never falls behind the command line; the dynamic part, `shells/complete.<shell>`, asks
//! `den __complete` for tool names and the project's variables at the positions that take
//! them, calling den at its own path like the hook does. Only prints; the hook's prompt
//! path is untouched (completion runs only when TAB is pressed).

use std::process::ExitCode;

use clap::CommandFactory;

use crate::cli::{Cli, HookArgs};
use crate::error::Result;
use crate::io_error::IoError;
use crate::shell::{self, Shell};

use super::print;

/// Prints the completion script for `args.shell`.
pub fn run(args: HookArgs) -> Result<ExitCode> {
    let exe = std::env::current_exe().map_err(|e| IoError::named("find", "den's own path", e))?;
    print(&script(args.shell, &exe))?;
    Ok(ExitCode::SUCCESS)
}

/// clap_complete's script for `shell`, then den's dynamic part calling den at `exe`.
fn script(shell: Shell, exe: &std::path::Path) -> String {
    let (generator, dynamic) = shell.completion();
    let mut out = Vec::new();
    clap_complete::generate(generator, &mut Cli::command(), "den", &mut out);
    let mut text = String::from_utf8(out).expect("clap_complete writes UTF-8");
    text.push('\n');
    text.push_str(&dynamic.replace("@DEN@", &shell::quote_os(shell, exe.as_os_str())));
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_name_every_command_and_call_den_at_its_path() {
        for &shell in <Shell as clap::ValueEnum>::value_variants() {
            let text = script(shell, std::path::Path::new("/opt/my den/den"));
            for word in ["explain", "export", "doctor", "completions", "cache"] {
                assert!(text.contains(word), "{shell:?} lacks {word}");
            }
            assert!(text.contains("'/opt/my den/den' __complete"), "{shell:?}");
            assert!(!text.contains("@DEN@"), "{shell:?}");
        }
    }
}
