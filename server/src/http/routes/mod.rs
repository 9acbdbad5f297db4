//! One module per group of routes.

pub mod coverage;
pub mod data;
pub mod isochrones;
pub mod nearest;
