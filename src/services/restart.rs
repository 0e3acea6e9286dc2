//! `den restart`: the supervisor stops the service (its stop signal, then SIGKILL) and
//! starts it again, returning once it is ready. Needs a running supervisor; never starts
//! one.

use super::control::{self, Request};
use super::{Context, Dirs, Error, declared};
use crate::trust;

/// Restarts service `name` of the project.
pub fn restart(ctx: &Context, name: &str) -> Result<(), Error> {
    let project = declared::find(ctx.cwd)?;
    trust::gate(&project, trust::How::Ask { action: "restart its services" })?;
    declared::check_names(&project, &[name.to_string()])?;
    let dirs = Dirs::of(&project.root);
    declared::swept(&dirs);
    if super::supervisor(&dirs).is_none() {
        return Err(Error::NotRunning { service: name.to_string() });
    }
    control::request(&dirs, &Request::Restart { name: name.to_string() })
}
