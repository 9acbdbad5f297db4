//! `reach nearest`: the facilities a rider reaches soonest, open now, and
//! the route; or the nearest facility for every rider of a file.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};

use anyhow::{Context, bail};
use chrono::NaiveDateTime;
use clap::Args;
use geojson::{FeatureCollection, JsonObject};
use rayon::prelude::*;
use reach_engine::layer_file::{NamedPoint, read_point_file};
use reach_engine::nearest::{DEFAULT_MAX_MINUTES, Filter, Nearest, Query, Table, Targets, nearest};
use reach_engine::opening::{UnknownHours, parse_local_time};
use reach_engine::search::SearchSpace;
use reach_engine::to_geojson::{answer_feature, answer_properties};
use reach_engine::{Amenities, Engine, Layer, Progress, SnapError};
use serde_json::{Value, json};

use crate::cli::{LoadArgs, parse_lon_lat};
use crate::loading;
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
    let query = Query::new(args.k, args.max_minutes)?;
    let filter = filter(args)?;
    let riders = match &args.batch {
        Some(path) => Some(read_point_file(path)?),
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
            let answers = answer_all(&engine, &targets, &query, &riders, &progress);
            progress.finish();
            write_batch(args, &engine, &riders, &answers)?;
        }
        (None, Some(point)) => {
            progress.finish();
            let start = engine.snap(point).with_context(|| format!("the point {},{}", point[0], point[1]))?;
            let mut space = SearchSpace::new(engine.graph.node_count());
            let result = nearest(&engine, &targets, &start, &query, &mut space);
            if args.json {
                print(&collection(&engine, point, &result).to_string())?;
            } else {
                print(&table(&engine, point, &result))?;
            }
        }
        (None, None) => bail!("give a rider's position with --from LON,LAT, or a file of riders with --batch FILE"),
    }
    Ok(ExitCode::SUCCESS)
}

/// The filter the arguments ask for; unknown names list the known ones.
fn filter(args: &NearestArgs) -> anyhow::Result<Filter> {
    let layers = args.layer.iter().map(|l| l.parse::<Layer>().map_err(anyhow::Error::msg)).collect::<Result<_, _>>()?;
    Ok(Filter {
        layers,
        amenities: Amenities::parse_list(&args.amenity.join(";")).map_err(anyhow::Error::msg)?,
        min_capacity: args.min_capacity,
        open_at: args.open_at.as_deref().map(local_time).transpose()?,
        unknown_hours: args.unknown_hours.parse::<UnknownHours>().map_err(anyhow::Error::msg)?,
    })
}

/// A local time, or `now` on this computer's clock.
fn local_time(text: &str) -> anyhow::Result<NaiveDateTime> {
    if text.trim().eq_ignore_ascii_case("now") {
        return Ok(chrono::Local::now().naive_local());
    }
    parse_local_time(text).map_err(anyhow::Error::msg)
}

/// Every rider's answers, in parallel, in the riders' order: the nearest
/// facilities of every road node are precomputed once ([`Table`]), then
/// each rider costs a snap and a few lookups.
fn answer_all(
    engine: &Engine,
    targets: &Targets,
    query: &Query,
    riders: &[NamedPoint],
    progress: &TerminalProgress,
) -> Vec<Result<Nearest, SnapError>> {
    progress.update(Progress::Step("precomputing the nearest facilities of every road node"));
    let table = Table::new(engine, targets, query);
    let done = AtomicUsize::new(0);
    riders
        .par_iter()
        .map(|rider| {
            let result = engine.snap([rider.lon, rider.lat]).map(|start| table.nearest(engine, &start));
            let finished = done.fetch_add(1, Ordering::Relaxed) + 1;
            if finished.is_multiple_of(1024) || finished == riders.len() {
                progress.count("riders", finished, riders.len());
            }
            result
        })
        .collect()
}

/// The GeoJSON of one query: a route per answer, with the start and any
/// shortfall as members of the collection.
fn collection(engine: &Engine, from: [f64; 2], result: &Nearest) -> FeatureCollection {
    let features =
        result.answers.iter().enumerate().map(|(rank, answer)| answer_feature(engine, result, rank, answer)).collect();
    let mut members = JsonObject::new();
    members.insert("from".into(), json!(from));
    members.insert("snapped".into(), json!(result.start.lon_lat));
    members.insert("snap_distance_m".into(), json!((result.start.distance_m * 100.0).round() / 100.0));
    members.insert("profile".into(), json!(engine.profile.name));
    members.insert("shortfall".into(), json!(result.shortfall));
    FeatureCollection { bbox: None, features, foreign_members: Some(members) }
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
            let count = write_feature_collection_par(path, &rows, |row| row.feature(engine, args.routes))?;
            eprintln!("wrote {} ({count} features for {} riders)", path.display(), riders.len());
        }
        Some(path) => {
            write_atomically(path, |file| write_csv(file, engine, &rows))?;
            eprintln!("wrote {} ({} rows for {} riders)", path.display(), rows.len(), riders.len());
        }
        None => write_csv(std::io::stdout().lock(), engine, &rows).map(|_| ())?,
    }
    Ok(())
}

/// One output row: a rider and one of its answers, or why it has none.
struct BatchRow<'a> {
    rider: &'a NamedPoint,
    outcome: Outcome<'a>,
}

/// What a row says about its rider.
enum Outcome<'a> {
    /// The answer of this rank (from 0).
    Answer(&'a Nearest, usize),
    /// No answer, and why.
    Nothing(String),
}

/// One row per rider and answer; a rider without answers gets one row with
/// the reason.
fn batch_rows<'a>(riders: &'a [NamedPoint], answers: &'a [Result<Nearest, SnapError>]) -> Vec<BatchRow<'a>> {
    let mut rows = Vec::with_capacity(riders.len());
    for (rider, result) in riders.iter().zip(answers) {
        match result {
            Ok(found) if !found.answers.is_empty() => {
                rows.extend(
                    (0..found.answers.len()).map(|rank| BatchRow { rider, outcome: Outcome::Answer(found, rank) }),
                );
            }
            Ok(found) => {
                rows.push(BatchRow { rider, outcome: Outcome::Nothing(found.shortfall.clone().unwrap_or_default()) })
            }
            Err(error) => rows.push(BatchRow { rider, outcome: Outcome::Nothing(format!("not snapped: {error}")) }),
        }
    }
    rows
}

impl BatchRow<'_> {
    /// The row's properties: the rider, then the answer's (or the reason).
    fn properties(&self, engine: &Engine) -> JsonObject {
        let mut properties = JsonObject::new();
        properties.insert("rider".into(), json!(self.rider.id));
        properties.insert("rider_lon".into(), json!(self.rider.lon));
        properties.insert("rider_lat".into(), json!(self.rider.lat));
        match &self.outcome {
            Outcome::Answer(found, rank) => {
                properties.extend(answer_properties(engine, found, *rank, &found.answers[*rank]))
            }
            Outcome::Nothing(reason) => {
                properties.insert("reason".into(), json!(reason));
            }
        }
        properties
    }

    /// The row as a feature: the rider's point, or the route with `routes`.
    fn feature(&self, engine: &Engine, routes: bool) -> geojson::Feature {
        let mut feature = match (&self.outcome, routes) {
            (Outcome::Answer(found, rank), true) => answer_feature(engine, found, *rank, &found.answers[*rank]),
            _ => geojson::Feature::from(geojson::Geometry::new(geojson::GeometryValue::new_point([
                self.rider.lon,
                self.rider.lat,
            ]))),
        };
        feature.properties = Some(self.properties(engine));
        feature
    }
}

/// The CSV columns of a batch, in order.
const CSV_COLUMNS: [&str; 11] = [
    "rider",
    "rider_lon",
    "rider_lat",
    "snap_distance_m",
    "rank",
    "facility",
    "layer",
    "name",
    "seconds",
    "distance_m",
    "reason",
];

/// Writes the rows as CSV with [`CSV_COLUMNS`]; returns the row count.
fn write_csv(writer: impl std::io::Write, engine: &Engine, rows: &[BatchRow]) -> anyhow::Result<usize> {
    let mut csv = csv::Writer::from_writer(writer);
    csv.write_record(CSV_COLUMNS)?;
    for row in rows {
        let properties = row.properties(engine);
        csv.write_record(CSV_COLUMNS.iter().map(|c| cell(properties.get(*c))))?;
    }
    csv.flush()?;
    Ok(rows.len())
}

/// A JSON value as a CSV cell: text without quotes, nothing for null.
fn cell(value: Option<&Value>) -> String {
    match value {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(text)) => text.clone(),
        Some(other) => other.to_string(),
    }
}
