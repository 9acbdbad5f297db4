//! The `reach` command line (and, later, the HTTP server and web map).
//!
//! The engine crate does the work; this crate owns everything with a
//! terminal, a file to write, a clock or a socket.

#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod cli;
mod commands;
mod coverage_report;
mod drawing;
mod formats;
pub mod http;
mod json;
mod loading;
mod nearest_report;
mod output;
mod progress;
