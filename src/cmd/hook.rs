//! `den hook <shell>`: prints the init script (`hook::script`) on stdout.

use std::process::ExitCode;

use crate::cli::HookArgs;
use crate::error::Result;
use crate::hook;
use crate::io_error::IoError;

/// Prints the hook for `args.shell` on stdout.
pub fn run(args: HookArgs) -> Result<ExitCode> {
    let exe = std::env::current_exe().map_err(|e| IoError::named("find", "den's own executable", e))?;
    print!("{}", hook::script(args.shell, &exe));
    Ok(ExitCode::SUCCESS)
}
