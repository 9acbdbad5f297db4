//! The `reach` command line.

use std::process::ExitCode;

use clap::Parser;

/// mimalloc: searches and polygons allocate and free megabytes per request,
/// which the system allocator hands back to the kernel and faults in again.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
