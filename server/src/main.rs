//! The `reach` command line.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = reach_server::cli::Cli::parse();
    match reach_server::cli::run(cli) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}
