//! `den search [TERM]`: every tool den installs by name, one line each (name, where it
//! comes from, a short description), filtered by TERM. The aqua registry is read as
//! `aqua:` sources read it (cached, offline after first use); without it, the catalog and
//! the short names are listed with a warning saying why.

use std::process::ExitCode;

use crate::cli::SearchArgs;
use crate::error::Result;
use crate::http::Client;
use crate::resolve::{Resolver, search};
use crate::ui;

use super::{Ctx, print};

pub fn run(ctx: &Ctx, args: SearchArgs) -> Result<ExitCode> {
    let resolver = Resolver::new(Client::new(ctx.config.http_settings(ctx.offline)), &ctx.config, None);
    let registry = match resolver.aqua_registry() {
        Ok(registry) => Some(registry),
        Err(e) => {
            ui::warn(&format!("the aqua registry's packages are not listed: {e}"));
            None
        }
    };
    let found = search::find(registry.as_deref(), args.term.as_deref());
    let rows: Vec<Vec<String>> = found.into_iter().map(|f| vec![f.name, f.from, f.description]).collect();
    if rows.is_empty() {
        let term = crate::diag::printable(args.term.as_deref().unwrap_or_default()).into_owned();
        ui::warn(&format!("no tool den installs by name matches `{term}`"));
    }
    print(&ui::table::render(&rows))?;
    Ok(ExitCode::SUCCESS)
}
