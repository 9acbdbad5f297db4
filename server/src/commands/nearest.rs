//! `reach nearest`: the facilities a rider reaches soonest, open now, and
//! the route; or the nearest facility for every rider of a file.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::Args;
use reach_engine::crs::convert_json;
use reach_engine::layer_file::{NamedPoint, read_point_file};
use reach_engine::nearest::{DEFAULT_MAX_MINUTES, Nearest, Table, Targets, nearest};
use reach_engine::search::SearchSpace;
use reach_engine::{Engine, Progress, SnapError};

use crate::cli::{LoadArgs, parse_lon_lat};
use crate::loading;
use crate::nearest_report::{NearestAsk, answer_all, batch_rows, collection, write_csv};
use crate::output::{print, write_atomically, write_feature_collection_par};
use crate::progress::TerminalProgress;

/// Arguments of `reach nearest`.
#[derive(Debug, Args)]
pub struct NearestArgs {
    /// Where to read from, and how.
    #[command(flatten)]
    pub load: LoadArgs,
    /// The rider's position.
    #[arg(long, value_name = "LON,LAT", value_parser = parse_lon_lat, allow_hyphen_values = true,
          required_unless_present = "batch", conflicts_with = "batch")]
    pub from: Option<[f64; 2]>,
    /// A file of rider positions (CSV with `lon`, `lat` and an optional `id`
    /// column, or GeoJSON points): answer every rider, in parallel.
    #[arg(long, value_name = "FILE")]
    pub batch: Option<PathBuf>,
    /// How many facilities per rider (1 to 50).
    #[arg(long, default_value_t = 3)]
    pub k: usize,
    /// Only facilities of this layer; repeat for several (default: every layer).
    #[arg(long, value_name = "LAYER")]
    pub layer: Vec<String>,
    /// Only facilities that offer this amenity; repeat to require several.
    #[arg(long, value_name = "AMENITY")]
    pub amenity: Vec<String>,
    /// Only facilities open at this local time (`2026-11-25T02:00`, or `now`
    /// for this computer's clock).
    #[arg(long, value_name = "TIME")]
    pub open_at: Option<String>,
    /// With `--open-at`: count facilities whose hours cannot be evaluated as
    /// `open` or `closed`.
    #[arg(long, value_name = "open|closed", default_value = "open")]
    pub unknown_hours: String,
    /// Only facilities with a recorded capacity of at least this.
    #[arg(long, value_name = "N")]
    pub min_capacity: Option<u32>,
    /// Look no farther than this many minutes of travel (up to 120).
    #[arg(long, default_value_t = DEFAULT_MAX_MINUTES, allow_hyphen_values = true)]
    pub max_minutes: f64,
    /// The travel profile.
    #[arg(long, default_value = "ebike")]
    pub profile: String,
    /// Print a GeoJSON FeatureCollection (one route per answer) instead of
    /// a table.
    #[arg(long)]
    pub json: bool,
    /// With `--batch`: the file to write, CSV (`.csv`) or GeoJSON
    /// (`.geojson`, `.json`); CSV on standard output if not given.
    #[arg(long, value_name = "FILE", requires = "batch")]
    pub out: Option<PathBuf>,
    /// With `--batch` and a GeoJSON output: draw each answer as its route
    /// instead of the rider's point.
    #[arg(long, requires = "batch")]
    pub routes: bool,
}

/// Runs `reach nearest`.
pub fn run(args: &NearestArgs) -> anyhow::Result<ExitCode> {
    let ask = NearestAsk {
        k: args.k,
        layers: args.layer.clone(),
        amenities: args.amenity.clone(),
        open_at: args.open_at.clone(),
        unknown_hours: args.unknown_hours.clone(),
        min_capacity: args.min_capacity,
        max_minutes: args.max_minutes,
    };
    let query = ask.query().map_err(anyhow::Error::msg)?;
    let filter = ask.filter().map_err(anyhow::Error::msg)?;
    let crs = args.load.crs;
    let riders = match &args.batch {
        Some(path) => Some(
            read_point_file(path)?
                .into_iter()
                .map(|mut rider| {
                    [rider.lon, rider.lat] = crs.to_wgs84([rider.lon, rider.lat]);
                    rider
                })
                .collect::<Vec<NamedPoint>>(),
        ),
        None => None,
    };
    let profiles = loading::profiles(&args.load)?;
    let profile = profiles.get(&args.profile)?;
    let progress = TerminalProgress::new(args.load.quiet);
    let extract = loading::extract(&args.load, &progress)?;
    let engine = loading::engine(&args.load, &extract, profile, &progress)?;
    let targets = Targets::new(&engine, &filter);
    for (facility, reason) in &targets.unknown_hours {
        eprintln!("warning: facility {}: {reason}", engine.facilities.get(*facility).id);
    }
    match (riders, args.from) {
        (Some(riders), _) => {
            progress.update(Progress::Step("precomputing the nearest facilities of every road node"));
            let table = Table::new(&engine, &targets, &query);
            let answers = answer_all(&engine, &table, &riders, &|done, total| progress.count("riders", done, total));
            progress.finish();
            write_batch(args, &engine, &riders, &answers)?;
        }
        (None, Some(point)) => {
            progress.finish();
            let wgs84 = crs.to_wgs84(point);
            let start = engine.snap(wgs84).with_context(|| format!("the point {},{}", point[0], point[1]))?;
            let mut space = SearchSpace::new(engine.graph.node_count());
            let result = nearest(&engine, &targets, &start, &query, &mut space);
            if args.json {
                let mut json = serde_json::to_value(collection(&engine, wgs84, &result))?;
                convert_json(&mut json, crs);
                print(&json.to_string())?;
            } else {
                print(&table(&engine, point, &result))?;
            }
        }
        (None, None) => bail!("give a rider's position with --from LON,LAT, or a file of riders with --batch FILE"),
    }
    Ok(ExitCode::SUCCESS)
}

/// A readable table of one query's answers.
fn table(engine: &Engine, from: [f64; 2], result: &Nearest) -> String {
    let mut text = format!(
        "From {},{} (on the road {:.0} m away), by {}:\n",
        from[0], from[1], result.start.distance_m, engine.profile.name
    );
    if !result.answers.is_empty() {
        let _ = writeln!(text, "{:>3}  {:>7}  {:>9}  {:<9}  {:<24}  name", "#", "minutes", "distance", "layer", "id");
    }
    for (rank, answer) in result.answers.iter().enumerate() {
        let facility = engine.facilities.get(answer.facility);
        let name = facility.name.as_deref().or(facility.name_zh.as_deref()).unwrap_or("");
        let _ = writeln!(
            text,
            "{:>3}  {:>7.1}  {:>7.0} m  {:<9}  {:<24}  {name}",
            rank + 1,
            answer.seconds() / 60.0,
            answer.route.length_m,
            facility.layer.name(),
            facility.id,
        );
    }
    if let Some(reason) = &result.shortfall {
        let _ = writeln!(text, "{reason}");
    }
    text
}

/// Writes the batch answers as CSV or GeoJSON, by the output's extension.
fn write_batch(
    args: &NearestArgs,
    engine: &Engine,
    riders: &[NamedPoint],
    answers: &[Result<Nearest, SnapError>],
) -> anyhow::Result<()> {
    let rows = batch_rows(riders, answers);
    let geojson = args.out.as_deref().and_then(Path::extension).is_some_and(|e| e == "geojson" || e == "json");
    match &args.out {
        Some(path) if geojson => {
            let count =
                write_feature_collection_par(path, &rows, |row| row.feature(engine, args.routes), args.load.crs)?;
            eprintln!("wrote {} ({count} features for {} riders)", path.display(), riders.len());
        }
        Some(path) => {
            write_atomically(path, |file| write_csv(file, engine, &rows, args.load.crs))?;
            eprintln!("wrote {} ({} rows for {} riders)", path.display(), rows.len(), riders.len());
        }
        None => write_csv(std::io::stdout().lock(), engine, &rows, args.load.crs).map(|_| ())?,
    }
    Ok(())
}
