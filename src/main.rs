//! den: parse the command line, dispatch, render the error, exit. Nothing else lives here.

mod activate;
mod catalog;
mod cli;
mod cmd;
mod config;
mod env;
mod env_vars;
mod error;
mod fs_util;
#[cfg(test)]
mod fuzz;
mod hint;
mod io_error;
mod oneoff;
mod paths;
mod project;
mod resolve;
mod session;
mod shell;
mod store;
mod tools;
mod trust;
mod ui;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    match cmd::dispatch(cli) {
        Ok(code) => code,
        Err(err) => {
            let report = error::Report::of(&err);
            ui::report(&report.message, &report.causes, &report.hints);
            err.exit_code()
        }
    }
}
