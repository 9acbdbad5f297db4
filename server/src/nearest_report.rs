//! Nearest-facility answers as riders and GIS tools read them: the request's
//! filters, batches of riders, and their GeoJSON and CSV rows, shared by
//! `reach nearest` and the HTTP API.

use std::sync::atomic::{AtomicUsize, Ordering};

use chrono::NaiveDateTime;
use geojson::{FeatureCollection, JsonObject};
use rayon::prelude::*;
use reach_engine::crs::convert_json;
use reach_engine::layer_file::NamedPoint;
use reach_engine::nearest::{Filter, Nearest, Query, Table};
use reach_engine::opening::{UnknownHours, parse_local_time};
use reach_engine::to_geojson::{answer_feature, answer_properties};
use reach_engine::{Amenities, Crs, Engine, Layer, SnapError};
use serde_json::{Value, json};

/// The filters and limits of a nearest-facility request, as text from a
/// command line or an HTTP request.
#[derive(Debug, Clone, Default)]
pub struct NearestAsk {
    /// How many answers.
    pub k: usize,
    /// Layer names; every layer when empty.
    pub layers: Vec<String>,
    /// Amenity names every answer must offer.
    pub amenities: Vec<String>,
    /// A local time (or `now`) the answers must be open at.
    pub open_at: Option<String>,
    /// `open` or `closed`: how to count hours that cannot be evaluated.
    pub unknown_hours: String,
    /// Minimum recorded capacity.
    pub min_capacity: Option<u32>,
    /// The travel-time limit in minutes.
    pub max_minutes: f64,
}

impl NearestAsk {
    /// The filter asked for; unknown names list the known ones.
    pub fn filter(&self) -> Result<Filter, String> {
        let layers = self.layers.iter().map(|l| l.parse::<Layer>()).collect::<Result<_, _>>()?;
        Ok(Filter {
            layers,
            amenities: Amenities::parse_list(&self.amenities.join(";"))?,
            min_capacity: self.min_capacity,
            open_at: self.open_at.as_deref().map(local_time).transpose()?,
            unknown_hours: self.unknown_hours.parse::<UnknownHours>()?,
        })
    }

    /// The query asked for, checked against the limits.
    pub fn query(&self) -> Result<Query, String> {
        Query::new(self.k, self.max_minutes).map_err(|e| e.to_string())
    }
}

/// A local time, or `now` on this computer's clock.
fn local_time(text: &str) -> Result<NaiveDateTime, String> {
    if text.trim().eq_ignore_ascii_case("now") {
        return Ok(chrono::Local::now().naive_local());
    }
    parse_local_time(text)
}

/// Every rider's answers from a precomputed [`Table`], in parallel, in the
/// riders' order: each rider costs a snap and a few lookups.
pub fn answer_all(
    engine: &Engine,
    table: &Table,
    riders: &[NamedPoint],
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Vec<Result<Nearest, SnapError>> {
    let done = AtomicUsize::new(0);
    riders
        .par_iter()
        .map(|rider| {
            let result = engine.snap([rider.lon, rider.lat]).map(|start| table.nearest(engine, &start));
            let finished = done.fetch_add(1, Ordering::Relaxed) + 1;
            if finished.is_multiple_of(1024) || finished == riders.len() {
                progress(finished, riders.len());
            }
            result
        })
        .collect()
}

/// The GeoJSON of one query: a route per answer, with the start and any
/// shortfall as members of the collection.
pub fn collection(engine: &Engine, from: [f64; 2], result: &Nearest) -> FeatureCollection {
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

/// One output row: a rider and one of its answers, or why it has none.
pub struct BatchRow<'a> {
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
pub fn batch_rows<'a>(riders: &'a [NamedPoint], answers: &'a [Result<Nearest, SnapError>]) -> Vec<BatchRow<'a>> {
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
    pub fn feature(&self, engine: &Engine, routes: bool) -> geojson::Feature {
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
pub fn write_csv(writer: impl std::io::Write, engine: &Engine, rows: &[BatchRow], crs: Crs) -> anyhow::Result<usize> {
    let mut csv = csv::Writer::from_writer(writer);
    csv.write_record(CSV_COLUMNS)?;
    for row in rows {
        let mut properties = Value::Object(row.properties(engine));
        convert_json(&mut properties, crs);
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
