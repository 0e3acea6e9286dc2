//! `den hook <shell>`: prints the init script (`hook::script`) on stdout.

use std::process::ExitCode;

use crate::cli::HookArgs;
use crate::error::{Error, Result};
use crate::hook;

/// Prints the hook for `args.shell` on stdout.
pub fn run(args: HookArgs) -> Result<ExitCode> {
    let exe = std::env::current_exe().map_err(|e| Error::io("cannot find den's own path", e))?;
    print!("{}", hook::script(args.shell, &exe));
    Ok(ExitCode::SUCCESS)
}
