//! Coverage as planners read it: what to compute for a request, and the
//! GeoJSON features and summary of the result, shared by `reach coverage`
//! and the HTTP API.

use std::fmt::Write as _;

use chrono::NaiveDateTime;
use geojson::{Feature, Geometry, GeometryValue, JsonObject};
use reach_engine::coverage::{Coverage, StudyArea, coverage};
use reach_engine::isochrone::Contours;
use reach_engine::opening::{OpenCheck, UnknownHours, open_at};
use reach_engine::{Amenities, Engine, FacilityId, Layer, RoadId};
use serde_json::{Value, json};

/// What a coverage request asks for.
#[derive(Debug, Clone)]
pub struct CoverageAsk {
    /// The layers whose facilities count.
    pub layers: Vec<Layer>,
    /// Amenity names every counted facility must offer.
    pub amenities: Vec<String>,
    /// The contours.
    pub contours: Contours,
    /// Count only facilities open at this local time.
    pub at: Option<NaiveDateTime>,
    /// How to count facilities whose hours cannot be evaluated.
    pub unknown_hours: UnknownHours,
}

/// A computed coverage and, with a time, which facilities were open.
#[derive(Debug, Clone)]
pub struct CoverageReport {
    /// The coverage.
    pub result: Coverage,
    /// The opening-hours check, when a time was asked for.
    pub hours: Option<OpenCheck>,
}

impl CoverageAsk {
    /// Selects the facilities (by layer, amenities and opening hours) and
    /// computes their coverage, within `area` if given. Unknown amenity
    /// names are an error listing the known ones.
    pub fn compute(&self, engine: &Engine, area: Option<&StudyArea>) -> Result<CoverageReport, String> {
        let amenities = Amenities::parse_list(&self.amenities.join(";"))?;
        let mut selection: Vec<FacilityId> = Vec::new();
        for &layer in &self.layers {
            selection.extend(engine.select_facilities(Some(layer), amenities, &[])?);
        }
        let hours = self.at.map(|at| open_at(&engine.facilities, &selection, at, self.unknown_hours));
        if let Some(check) = &hours {
            selection.clone_from(&check.open);
        }
        Ok(CoverageReport { result: coverage(engine, &selection, &self.contours, area), hours })
    }
}

/// The key of a per-contour property: `10min`, `7.5min`.
fn contour_key(minutes: f64) -> String {
    format!("{minutes}min")
}

fn feature(geometry: GeometryValue, properties: Value) -> Feature {
    let properties = match properties {
        Value::Object(map) => map,
        _ => JsonObject::new(),
    };
    Feature { geometry: Some(Geometry::new(geometry)), properties: Some(properties), ..Feature::default() }
}

pub(crate) fn facility_id(engine: &Engine, label: u32) -> &str {
    &engine.facilities.get(label).id
}

/// A road as a LineString: times to the nearest facility and the covered
/// share per contour.
pub(crate) fn road_feature(engine: &Engine, result: &Coverage, road: RoadId) -> Feature {
    let graph = &engine.graph;
    let r = result.roads.road(road);
    let mid = r.at(0.5);
    let mut properties = json!({
        "road": road,
        "osm_way": graph.road_way_id(road),
        "highway": graph.road_highway(road),
        "name": graph.road_name(road),
        "length_m": (graph.road_length_m(road) * 100.0).round() / 100.0,
        "time_s": mid.map(|(t, _)| t / 10.0),
        "best_s": r.best().map(|t| t / 10.0),
        "worst_s": r.worst().map(|(t, _)| t / 10.0),
        "facility": mid.map(|(_, f)| facility_id(engine, f)),
    });
    for c in &result.contours {
        let limit = f64::from(Contours::limit(c.minutes));
        let share = r.covered_share(limit);
        properties[format!("covered_{}", contour_key(c.minutes))] = json!((share * 1e4).round() / 1e4);
    }
    let line = engine.road_part(road, 0.0, 1.0);
    feature(GeometryValue::from(&line), properties)
}

/// One feature per gap and contour, ranked: the stretches as a
/// MultiLineString, or (`areas`) the area around them as a MultiPolygon.
pub(crate) fn gap_features(result: &Coverage, areas: bool) -> Vec<Feature> {
    let mut features = Vec::new();
    for c in &result.contours {
        for (rank, gap) in c.gaps.iter().enumerate() {
            let properties = json!({
                "minutes": c.minutes,
                "rank": rank + 1,
                "road_km": (gap.road_km * 1e4).round() / 1e4,
                "demand": gap.demand,
                "worst_s": gap.worst_s,
                "median_s": gap.median_s,
                "centroid_lon": gap.centroid[0],
                "centroid_lat": gap.centroid[1],
            });
            if !areas {
                features.push(feature(GeometryValue::from(&gap.lines), properties));
            } else if let Some((area, km2)) = &gap.area {
                let mut properties = properties;
                properties["area_km2"] = json!((km2 * 1e6).round() / 1e6);
                features.push(feature(GeometryValue::from(area), properties));
            }
        }
    }
    features
}

/// One feature per facility with the road km, area and demand it is the
/// nearest to: at the facility (a Point), or (`areas`) the area itself.
pub(crate) fn catchment_features(engine: &Engine, result: &Coverage, areas: bool) -> Vec<Feature> {
    result
        .catchments
        .iter()
        .filter(|c| !areas || c.area.is_some())
        .map(|c| {
            let f = engine.facilities.get(c.facility);
            let mut properties = json!({
                "facility": f.id, "layer": f.layer, "name": f.name,
                "road_km": (c.road_km * 1e4).round() / 1e4,
                "demand": c.demand,
                "area_km2": c.area.as_ref().map(|(_, km2)| (km2 * 1e6).round() / 1e6),
            });
            for (km, contour) in c.within_km.iter().zip(&result.contours) {
                properties[format!("within_{}_km", contour_key(contour.minutes))] = json!((km * 1e4).round() / 1e4);
            }
            match (&c.area, areas) {
                (Some((area, _)), true) => feature(GeometryValue::from(area), properties),
                _ => feature(GeometryValue::new_point([f.lon, f.lat]), properties),
            }
        })
        .collect()
}

/// The figures of `summary.json` (keys documented in the README).
pub(crate) fn summary(
    engine: &Engine,
    file: &str,
    ask: &CoverageAsk,
    report: &CoverageReport,
    area: Option<&str>,
) -> Value {
    let result = &report.result;
    let contours: Vec<Value> = result
        .contours
        .iter()
        .map(|c| {
            let top: Vec<Value> = c
                .gaps
                .iter()
                .take(10)
                .enumerate()
                .map(|(rank, g)| {
                    json!({"rank": rank + 1, "road_km": (g.road_km * 1e4).round() / 1e4, "demand": g.demand,
                           "worst_s": g.worst_s, "median_s": g.median_s, "centroid": g.centroid})
                })
                .collect();
            json!({
                "minutes": c.minutes,
                "full_coverage": c.full_coverage,
                "covered_km": (c.covered_km * 1e4).round() / 1e4,
                "uncovered_km": (c.uncovered_km * 1e4).round() / 1e4,
                "covered_demand": c.covered_demand,
                "uncovered_demand": c.uncovered_demand,
                "covered_share": if result.road_km > 0.0 { (c.covered_km / result.road_km * 1e4).round() / 1e4 } else { 0.0 },
                "gaps": c.gaps.len(),
                "top_gaps": top,
            })
        })
        .collect();
    let mut summary = json!({
        "file": file,
        "area": area,
        "profile": engine.profile.name,
        "direction": "to",
        "layers": ask.layers,
        "amenities": ask.amenities,
        "facilities": result.facilities.len(),
        "unsnapped": result.unsnapped.iter().map(|&f| facility_id(engine, f)).collect::<Vec<_>>(),
        "road_km": (result.road_km * 1e4).round() / 1e4,
        "demand": result.demand,
        "unsnapped_demand": result.unsnapped_demand,
        "worst": result.worst.map(|(s, [lon, lat])| json!({"seconds": s, "lon": lon, "lat": lat})),
        "contours": contours,
    });
    if let (Some(at), Some(check)) = (ask.at, &report.hours) {
        summary["at"] = json!(at.format("%Y-%m-%dT%H:%M").to_string());
        summary["closed"] = json!(check.closed.iter().map(|&f| facility_id(engine, f)).collect::<Vec<_>>());
        summary["unknown_hours"] =
            json!(check.unknown.iter().map(|(f, _)| facility_id(engine, *f)).collect::<Vec<_>>());
    }
    summary
}

/// The summary as a Markdown report a planner reads.
pub(crate) fn summary_markdown(summary: &Value) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# Coverage of {}\n", summary["file"].as_str().unwrap_or_default());
    if let Some(at) = summary["at"].as_str() {
        let closed = summary["closed"].as_array().map_or(0, Vec::len);
        let _ = writeln!(out, "Open at {at} ({closed} closed facilities left out).\n");
    }
    let _ = writeln!(
        out,
        "{} facilities of {} ({} not on the road network), profile {}, riders travelling to the facility; {} km of road.\n",
        summary["facilities"],
        summary["layers"]
            .as_array()
            .map(|l| l.iter().filter_map(Value::as_str).collect::<Vec<_>>().join(", "))
            .unwrap_or_default(),
        summary["unsnapped"].as_array().map_or(0, Vec::len),
        summary["profile"].as_str().unwrap_or_default(),
        summary["road_km"],
    );
    let _ = writeln!(out, "| contour | verdict | covered km | uncovered km | covered | uncovered demand | gaps |");
    let _ = writeln!(out, "|---|---|---|---|---|---|---|");
    for c in summary["contours"].as_array().into_iter().flatten() {
        let verdict = if c["full_coverage"].as_bool() == Some(true) { "full coverage" } else { "GAPS" };
        let share = c["covered_share"].as_f64().unwrap_or(0.0) * 100.0;
        let _ = writeln!(
            out,
            "| {} min | {verdict} | {} | {} | {share:.1} % | {} of {} | {} |",
            c["minutes"].as_f64().unwrap_or(0.0),
            c["covered_km"],
            c["uncovered_km"],
            c["uncovered_demand"],
            summary["demand"],
            c["gaps"]
        );
    }
    if let Some(worst) = summary["worst"].as_object() {
        let _ = writeln!(
            out,
            "\nWorst time to the nearest facility: {:.0} s at {:.5},{:.5}.",
            worst["seconds"].as_f64().unwrap_or(0.0),
            worst["lon"].as_f64().unwrap_or(0.0),
            worst["lat"].as_f64().unwrap_or(0.0)
        );
    }
    for c in summary["contours"].as_array().into_iter().flatten() {
        let gaps = c["top_gaps"].as_array().cloned().unwrap_or_default();
        if gaps.is_empty() {
            continue;
        }
        let _ = writeln!(out, "\n## Largest gaps at {} min\n", c["minutes"].as_f64().unwrap_or(0.0));
        let _ = writeln!(out, "| rank | demand | road km | worst s | median s | centre (lon,lat) |");
        let _ = writeln!(out, "|---|---|---|---|---|---|");
        for g in gaps.iter().take(5) {
            let centre = &g["centroid"];
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {:.5},{:.5} |",
                g["rank"],
                g["demand"],
                g["road_km"],
                g["worst_s"].as_f64().map_or("unreachable".into(), |s| format!("{s:.0}")),
                g["median_s"].as_f64().map_or("unreachable".into(), |s| format!("{s:.0}")),
                centre[0].as_f64().unwrap_or(0.0),
                centre[1].as_f64().unwrap_or(0.0)
            );
        }
    }
    out
}
