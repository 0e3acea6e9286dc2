//! `den ps`: each declared service with what the project's supervisor reports of it
//! (`status`), `stopped` when none runs. Stops first what a dead supervisor left running;
//! reads only otherwise.

use super::{Context, Dirs, Error, declared, status};

/// One entry per declared service, in den.toml's order.
pub fn ps(ctx: &Context) -> Result<Vec<status::Entry>, Error> {
    let project = declared::find(ctx.cwd)?;
    let dirs = Dirs::of(&project.root);
    declared::swept(&dirs);
    let reported = if super::supervisor(&dirs).is_some() { status::read(&dirs.run) } else { Vec::new() };
    Ok(declared::names(&project)
        .into_iter()
        .map(|name| {
            reported.iter().find(|e| e.name == name).cloned().unwrap_or(status::Entry {
                name,
                state: "stopped".into(),
                pid: None,
                port: None,
                since: None,
                restarts: 0,
                command: Vec::new(),
                check: None,
            })
        })
        .collect())
}
