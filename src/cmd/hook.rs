//! `den hook <shell>`: prints the init script (`hook::script`) on stdout; `den __forget
//! <pid>`, which that script runs as its shell exits.

use std::process::ExitCode;

use crate::cli::{ForgetArgs, HookArgs};
use crate::error::Result;
use crate::hook;
use crate::io_error::IoError;

/// Prints the hook for `args.shell` on stdout.
pub fn run(args: HookArgs) -> Result<ExitCode> {
    let exe = std::env::current_exe().map_err(|e| IoError::named("find", "den's own executable", e))?;
    print!("{}", hook::script(args.shell, &exe));
    Ok(ExitCode::SUCCESS)
}

/// The hook's exit handler: removes the file of previous values the exiting shell `pid`
/// owns (and those of owners that are gone). Silent and never an error: the shell is
/// leaving, perhaps with its terminal closed.
pub fn forget(args: &ForgetArgs) -> Result<ExitCode> {
    crate::env::forget_shell(args.pid);
    Ok(ExitCode::SUCCESS)
}
