//! den: parse the command line, dispatch, render the error, exit. Nothing else lives here.

mod artifact;
mod cache;
mod catalog;
mod cli;
mod cmd;
mod config;
mod diag;
mod doctor;
mod env;
mod env_vars;
mod error;
mod fs_util;
#[cfg(test)]
mod fuzz;
mod helper_env;
mod hint;
mod hook;
mod http;
mod ide;
mod io_error;
mod launch;
mod paths;
mod proc;
mod project;
mod resolve;
mod services;
mod shell;
mod store;
mod tools;
mod trust;
mod ui;
mod version;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    ui::set_verbose(cli.verbose);
    match cmd::dispatch(cli) {
        Ok(code) => code,
        Err(err) => {
            let report = error::Report::of(&err);
            ui::report(&report.message, &report.causes, &report.hints);
            err.exit_code()
        }
    }
}
