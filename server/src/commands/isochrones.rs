//! `reach isochrones`: 10- and 15-minute isochrones of facilities or of a
//! point, and the service circle of a layer, as GeoJSON.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::{Args, ValueEnum};
use reach_engine::isochrone::{BUFFER_RANGE_M, Contours, DEFAULT_BUFFER_M, Reached, per_facility, service_circle};
use reach_engine::search::{Direction, SearchSpace};
use reach_engine::to_geojson::Origin;
use reach_engine::{Amenities, Layer};

use crate::cli::{LoadArgs, parse_lon_lat};
use crate::drawing::Drawing;
use crate::loading;
use crate::output::{write_feature_collection, write_features};
use crate::progress::TerminalProgress;

/// Which way riders travel relative to the start.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DirectionArg {
    /// The time a rider needs to reach the start (reverse graph).
    To,
    /// The time from the start outwards (forward graph).
    From,
}

impl DirectionArg {
    fn search(self) -> Direction {
        match self {
            DirectionArg::To => Direction::Reverse,
            DirectionArg::From => Direction::Forward,
        }
    }
}

/// Arguments of `reach isochrones`.
#[derive(Debug, Args)]
pub struct IsochronesArgs {
    /// Where to read from, and how.
    #[command(flatten)]
    pub load: LoadArgs,
    /// The layer whose facilities' isochrones and service circle are drawn.
    #[arg(long, default_value = "stations")]
    pub layer: String,
    /// Only facilities that offer this amenity; repeat to require several.
    #[arg(long, value_name = "AMENITY")]
    pub amenity: Vec<String>,
    /// Only the facility with this id; repeat for several (no service circle).
    #[arg(long = "facility", value_name = "ID")]
    pub facilities: Vec<String>,
    /// One isochrone around this point instead of facilities.
    #[arg(long, value_name = "LON,LAT", value_parser = parse_lon_lat, allow_hyphen_values = true)]
    pub at: Option<[f64; 2]>,
    /// Contours in minutes, comma-separated (at most 16, each up to 120).
    #[arg(long, value_delimiter = ',', default_value = "10,15", allow_hyphen_values = true)]
    pub minutes: Vec<f64>,
    /// `to`: the time riders need to reach the start; `from`: outwards from it.
    #[arg(long, value_enum, default_value = "to")]
    pub direction: DirectionArg,
    /// The travel profile.
    #[arg(long, default_value = "ebike")]
    pub profile: String,
    /// Polygons cover reached roads and everything within this many metres
    /// of them (10 to 500).
    #[arg(long, value_name = "METRES", default_value_t = DEFAULT_BUFFER_M)]
    pub buffer_m: f64,
    /// Write the reached road network (MultiLineStrings) instead of polygons.
    #[arg(long)]
    pub network: bool,
    /// The GeoJSON file to write; standard output if not given.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

/// Runs `reach isochrones`.
pub fn run(args: &IsochronesArgs) -> anyhow::Result<ExitCode> {
    let contours = Contours::from_minutes(&args.minutes)?;
    if !BUFFER_RANGE_M.contains(&args.buffer_m) {
        bail!("buffer {} m is outside 10..=500 m", args.buffer_m);
    }
    let layer: Layer = args.layer.parse().map_err(anyhow::Error::msg)?;
    let amenities = Amenities::parse_list(&args.amenity.join(";")).map_err(anyhow::Error::msg)?;
    let profiles = loading::profiles(&args.load)?;
    let profile = profiles.get(&args.profile)?;
    let progress = TerminalProgress::new(args.load.quiet);
    let extract = loading::extract(&args.load, &progress)?;
    let engine = loading::engine(&args.load, &extract, profile, &progress)?;
    let direction = args.direction.search();
    let drawing = Drawing { engine: &engine, contours, direction, buffer_m: args.buffer_m, network: args.network };
    let limit = drawing.contours.max_limit();

    let mut features = Vec::new();
    if let Some(point) = args.at {
        let wgs84 = args.load.crs.to_wgs84(point);
        let snap = engine.snap(wgs84).with_context(|| format!("the point {},{}", point[0], point[1]))?;
        let mut space = SearchSpace::new(engine.graph.node_count());
        let reached = Reached::search(&engine, &[snap], direction, limit, &mut space)?;
        features = drawing.features(Origin::Point(wgs84), &reached)?;
    } else {
        let selected =
            engine.select_facilities(Some(layer), amenities, &args.facilities).map_err(anyhow::Error::msg)?;
        if selected.is_empty() {
            bail!("layer {layer} has no facilities{}", describe_filter(&args.amenity));
        }
        let results = per_facility(
            &engine,
            &selected,
            direction,
            limit,
            &|done, total| progress.count("isochrones", done, total),
            |facility, reached| drawing.features(Origin::Facility(engine.facilities.get(facility)), reached),
        );
        for result in results {
            match result {
                Ok(drawn) => features.extend(drawn),
                Err(error) if args.facilities.is_empty() => eprintln!("skipped: {error}"),
                Err(error) => return Err(error.into()),
            }
        }
        if args.facilities.is_empty() {
            progress.count("service circle", 0, 1);
            let reached = service_circle(&engine, &selected, direction, limit)?;
            let origin = Origin::ServiceCircle { layer: Some(layer), facilities: selected.len() };
            features.extend(drawing.features(origin, &reached)?);
        }
    }
    progress.finish();
    match &args.out {
        Some(path) => {
            let count = write_feature_collection(path, features.into_iter(), args.load.crs)?;
            eprintln!("wrote {} ({count} features)", path.display());
        }
        None => {
            write_features(std::io::stdout().lock(), features.into_iter(), args.load.crs)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn describe_filter(amenities: &[String]) -> String {
    if amenities.is_empty() { String::new() } else { format!(" offering {}", amenities.join(" and ")) }
}
