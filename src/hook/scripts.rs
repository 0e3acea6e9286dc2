//! The init script of `den hook <shell>`: the shell's script (`Shell::hook_script`, from
//! `shells/`) with den's own path filled in. The script decides at each prompt, with
//! builtins only, whether to run `den export <shell>`.

use crate::shell::{self, Shell};

/// The hook script for `shell`, calling den at `exe` (whatever bytes its path has).
pub fn script(shell: Shell, exe: &std::path::Path) -> String {
    shell.hook_script().replace("@DEN@", &shell::quote_os(shell, exe.as_os_str()))
}
