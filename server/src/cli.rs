//! Command-line arguments and dispatch.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use reach_engine::Crs;

use crate::commands;

/// Does every rider reach a rest station within 10 or 15 minutes?
///
/// reach loads an OpenStreetMap extract (.osm.pbf) into a road graph for a
/// travel profile, with rider facility layers from OSM tags and from the
/// city's own CSV or GeoJSON lists.
#[derive(Debug, Parser)]
#[command(name = "reach", version, propagate_version = true)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Load an extract and report, per profile, the road graph and the
    /// facility layers.
    Inspect(commands::inspect::InspectArgs),
    /// Write what the engine sees as GeoJSON layers for GIS checks.
    Export(commands::export::ExportArgs),
    /// Isochrones of facilities or of a point, and a layer's service circle,
    /// as GeoJSON polygons or reached road networks.
    Isochrones(commands::isochrones::IsochronesArgs),
    /// Does a layer's service circle cover every road? Times to the nearest
    /// facility on every road, the verdict per contour, gaps and catchments.
    Coverage(commands::coverage::CoverageArgs),
    /// The facilities a rider reaches soonest (open now, with filters) and
    /// the route to each; or the nearest facility of every rider in a file.
    Nearest(commands::nearest::NearestArgs),
    /// Serve the HTTP API (GeoJSON) and the web map.
    Serve(commands::serve::ServeArgs),
    /// Print the built-in travel profiles (TOML), to copy and edit.
    Profiles,
}

/// Options shared by every command that loads an extract.
#[derive(Debug, Clone, Args)]
pub struct LoadArgs {
    /// The OpenStreetMap extract (.osm.pbf).
    pub pbf: PathBuf,
    /// A city layer file (CSV or GeoJSON) to add; repeat for several.
    #[arg(long = "layer-file", value_name = "FILE")]
    pub layer_files: Vec<PathBuf>,
    /// Take no facilities from OSM tags, only from layer files.
    #[arg(long)]
    pub no_osm_facilities: bool,
    /// A TOML file of profiles that replace or add to the built-in ones.
    #[arg(long, value_name = "FILE")]
    pub profiles: Option<PathBuf>,
    /// A TOML file that replaces the built-in OSM tag mapping for facilities.
    #[arg(long, value_name = "FILE")]
    pub tag_mapping: Option<PathBuf>,
    /// Facilities and points farther than this from every routable road are
    /// reported as unsnapped.
    #[arg(long, value_name = "METRES", default_value_t = reach_engine::DEFAULT_MAX_SNAP_M, value_parser = snap_limit)]
    pub max_snap_m: f64,
    /// The coordinate system of every input and output position: `wgs84`,
    /// `gcj02` (AMap, Tencent) or `bd09` (Baidu). OSM data is WGS84.
    #[arg(long, default_value = "wgs84", value_parser = parse_crs)]
    pub crs: Crs,
    /// No progress bar, even on a terminal.
    #[arg(long, short)]
    pub quiet: bool,
}

/// Parses a coordinate system name.
fn parse_crs(text: &str) -> Result<Crs, String> {
    text.parse()
}

/// Parses `LON,LAT` as a checked WGS84 position.
pub fn parse_lon_lat(text: &str) -> Result<[f64; 2], String> {
    let parts: Vec<&str> = text.split(',').map(str::trim).collect();
    let [lon, lat] = parts.as_slice() else {
        return Err(format!("{text:?} is not LON,LAT"));
    };
    let number = |s: &str| s.parse::<f64>().map_err(|_| format!("{s:?} is not a number"));
    let point = [number(lon)?, number(lat)?];
    reach_engine::check_lon_lat(point[0], point[1])?;
    Ok(point)
}

/// Parses a snap limit in metres, refusing what the engine would refuse.
fn snap_limit(text: &str) -> Result<f64, String> {
    let limit: f64 = text.parse().map_err(|_| format!("{text:?} is not a number of metres"))?;
    if limit.is_finite() && limit > 0.0 && limit <= reach_engine::MAX_SNAP_LIMIT_M {
        Ok(limit)
    } else {
        Err(format!("snap limit {limit} m is outside (0, {}] m", reach_engine::MAX_SNAP_LIMIT_M))
    }
}

/// Runs a parsed command line; the exit code on success, an error to print
/// otherwise.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Inspect(args) => commands::inspect::run(&args),
        Command::Export(args) => commands::export::run(&args),
        Command::Isochrones(args) => commands::isochrones::run(&args),
        Command::Coverage(args) => commands::coverage::run(&args),
        Command::Nearest(args) => commands::nearest::run(&args),
        Command::Serve(args) => commands::serve::run(&args),
        Command::Profiles => {
            print!("{}", reach_engine::BUILT_IN_PROFILES);
            Ok(ExitCode::SUCCESS)
        }
    }
}
