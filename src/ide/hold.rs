//! The editor's process session holding the project's `[enter].services` (it leads that
//! session: `ide::launch` starts it with setsid), so they run for as long as any process of
//! it does. Never starts or stops a service itself.

use std::path::Path;

use crate::services;

/// Makes the session led by `pid` hold the project's session services; the warning to show
/// when it cannot.
pub fn hold(root: &Path, pid: u32) -> Option<String> {
    let dirs = services::Dirs::of(root);
    let Some(lease) = services::lease::Lease::of(pid as i32) else {
        return Some("the editor ended at once: the project's [enter].services stop again".into());
    };
    match services::control::hold_for_session(&dirs, lease) {
        Ok(_) => None,
        Err(e) => Some(format!(
            "the project's [enter].services stop again: cannot record the editor's session in {}: {e}",
            dirs.den.sessions().display()
        )),
    }
}
