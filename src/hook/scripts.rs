//! The init scripts of `shells/`, embedded, with den's own path filled in (for bash and
//! zsh: the part they share, `den.sh`, then the shell's own). The script decides at each
//! prompt, with builtins only, whether to run `den export <shell>`.

use crate::shell::{self, Shell};

const COMMON: &str = include_str!("../../shells/den.sh");
const BASH: &str = include_str!("../../shells/den.bash");
const ZSH: &str = include_str!("../../shells/den.zsh");
const FISH: &str = include_str!("../../shells/den.fish");

/// The hook script for `shell`, calling den at `exe` (whatever bytes its path has).
pub fn script(shell: Shell, exe: &std::path::Path) -> String {
    let text = match shell {
        Shell::Bash => format!("{COMMON}\n{BASH}"),
        Shell::Zsh => format!("{COMMON}\n{ZSH}"),
        Shell::Fish => FISH.to_string(),
    };
    text.replace("@DEN@", &shell::quote_os(shell, exe.as_os_str()))
}
