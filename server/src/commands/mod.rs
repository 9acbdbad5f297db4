//! One module per subcommand.

pub mod coverage;
pub mod export;
pub mod inspect;
pub mod isochrones;
pub mod nearest;
pub mod serve;
