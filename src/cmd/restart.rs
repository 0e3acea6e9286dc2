//! `den restart name`: the supervisor stops the service (its stop signal, then SIGKILL)
//! and starts it again, returning once it is ready. Needs a running supervisor.

use std::process::ExitCode;

use crate::cli::RestartArgs;
use crate::error::Result;
use crate::services::control::{self, Request};
use crate::services::{self, Dirs};
use crate::trust;

use super::Ctx;

pub fn run(ctx: &Ctx, args: RestartArgs) -> Result<ExitCode> {
    let project = super::up::find(ctx)?;
    trust::gate(&project, trust::How::Ask { action: "restart its services" })?;
    super::up::check_names(&project, std::slice::from_ref(&args.service))?;
    let dirs = Dirs::of(&project.root);
    super::up::swept(&dirs);
    if services::supervisor(&dirs).is_none() {
        return Err(services::Error::Remote {
            message: format!(
                "service `{}` is not running: no supervisor runs for this project",
                args.service
            ),
            help: Some(format!("start it with `den up -d {}`", args.service)),
        }
        .into());
    }
    control::request(&dirs, &Request::Restart { name: args.service })?;
    Ok(ExitCode::SUCCESS)
}
