//! `reach coverage`: does the service circle cover every road, and where are
//! the gaps? Writes GeoJSON layers and a summary for planners.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Args;
use geojson::{Feature, Geometry, GeometryValue, JsonObject};
use reach_engine::coverage::{Coverage, StudyArea, coverage};
use reach_engine::demand::DemandMapping;
use reach_engine::isochrone::Contours;
use reach_engine::opening::{UnknownHours, open_at, parse_local_time};
use reach_engine::{Amenities, DemandSource, Engine, FacilityId, Layer, RoadId};
use serde_json::{Value, json};

use crate::cli::LoadArgs;
use crate::loading;
use crate::output::{print, write_feature_collection_par, write_features_par};
use crate::progress::TerminalProgress;

/// Arguments of `reach coverage`.
#[derive(Debug, Args)]
pub struct CoverageArgs {
    /// Where to read from, and how.
    #[command(flatten)]
    pub load: LoadArgs,
    /// A layer whose facilities count; repeat for several (default: stations).
    #[arg(long, value_name = "LAYER")]
    pub layer: Vec<String>,
    /// Only facilities that offer this amenity; repeat to require several.
    #[arg(long, value_name = "AMENITY")]
    pub amenity: Vec<String>,
    /// Contours in minutes, comma-separated (at most 16, each up to 120).
    #[arg(long, value_delimiter = ',', default_value = "10,15", allow_hyphen_values = true)]
    pub minutes: Vec<f64>,
    /// The travel profile.
    #[arg(long, default_value = "ebike")]
    pub profile: String,
    /// The folder to write roads, gaps, gap_areas, catchments and
    /// catchment_areas (.geojson), summary.json and summary.md into (created
    /// if missing).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Only the roads and demand inside this study area: a GeoJSON file of
    /// Polygons or MultiPolygons, or the name (or relation id) of an
    /// administrative area of the extract (`reach inspect` lists them).
    #[arg(long, value_name = "FILE|NAME")]
    pub area: Option<String>,
    /// Demand points from this CSV or GeoJSON file (columns or properties
    /// `lon`, `lat`, optional `weight`, `id`, `kind`) instead of from OSM.
    #[arg(long, value_name = "FILE")]
    pub demand: Option<PathBuf>,
    /// Count only facilities open at this local time (`2026-11-23T02:00`).
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,
    /// With `--at`: count facilities whose hours cannot be evaluated as
    /// `open` or `closed`.
    #[arg(long, value_name = "open|closed", default_value = "open")]
    pub unknown_hours: String,
    /// Exit with code 3 when a contour leaves a gap (for scripted audits).
    #[arg(long)]
    pub fail_on_gap: bool,
}

/// Runs `reach coverage`.
pub fn run(args: &CoverageArgs) -> anyhow::Result<ExitCode> {
    let contours = Contours::from_minutes(&args.minutes)?;
    let layer_names = if args.layer.is_empty() { vec!["stations".to_string()] } else { args.layer.clone() };
    let layers: Vec<Layer> =
        layer_names.iter().map(|l| l.parse().map_err(anyhow::Error::msg)).collect::<anyhow::Result<_>>()?;
    let amenities = Amenities::parse_list(&args.amenity.join(";")).map_err(anyhow::Error::msg)?;
    let at = args.at.as_deref().map(parse_local_time).transpose().map_err(anyhow::Error::msg)?;
    let unknown_hours: UnknownHours = args.unknown_hours.parse().map_err(anyhow::Error::msg)?;
    let profiles = loading::profiles(&args.load)?;
    let profile = profiles.get(&args.profile)?;
    let progress = TerminalProgress::new(args.load.quiet);
    let demand = match &args.demand {
        Some(path) => DemandSource::File(path.clone()),
        None => DemandSource::Osm(DemandMapping::default()),
    };
    let extract = loading::extract_with_demand(&args.load, demand, &progress)?;
    let area = match args.area.as_deref() {
        None => None,
        Some(file) if std::path::Path::new(file).is_file() => Some(StudyArea::from_geojson_file(file.as_ref())),
        Some(name) => Some(StudyArea::from_boundary(&extract.osm.boundaries, name)),
    }
    .transpose()
    .map_err(anyhow::Error::msg)?;
    let engine = loading::engine(&args.load, &extract, profile, &progress)?;
    let mut selection: Vec<FacilityId> = Vec::new();
    for &layer in &layers {
        selection.extend(engine.select_facilities(Some(layer), amenities, &[]).map_err(anyhow::Error::msg)?);
    }
    let hours = at.map(|at| open_at(&engine.facilities, &selection, at, unknown_hours));
    if let Some(check) = &hours {
        selection.clone_from(&check.open);
        for (f, reason) in &check.unknown {
            eprintln!("hours of {}: {reason}; counted {}", facility_id(&engine, *f), args.unknown_hours);
        }
    }
    progress.update(reach_engine::Progress::Step("computing coverage"));
    let result = coverage(&engine, &selection, &contours, area.as_ref());
    if let Some(area) = &area
        && result.road_km == 0.0
    {
        anyhow::bail!("the study area {} holds no road of {}: is it outside the extract?", area.name, extract.file);
    }
    progress.finish();

    std::fs::create_dir_all(&args.out).with_context(|| format!("cannot create {}", args.out.display()))?;
    let roads: Vec<RoadId> = (0..result.roads.len() as RoadId).collect();
    write_feature_collection_par(&args.out.join("roads.geojson"), &roads, |&r| road_feature(&engine, &result, r))?;
    let files = [
        ("gaps.geojson", gap_features(&result, false)),
        ("gap_areas.geojson", gap_features(&result, true)),
        ("catchments.geojson", catchment_features(&engine, &result, false)),
        ("catchment_areas.geojson", catchment_features(&engine, &result, true)),
    ];
    for (name, features) in &files {
        write_features_par(&args.out.join(name), features)?;
    }
    let mut summary = summary(&engine, &extract.file, &layers, &args.amenity, &result);
    summary["area"] = json!(area.as_ref().map(|a| a.name.clone()));
    if let (Some(at), Some(check)) = (at, &hours) {
        summary["at"] = json!(at.format("%Y-%m-%dT%H:%M").to_string());
        summary["closed"] = json!(check.closed.iter().map(|&f| facility_id(&engine, f)).collect::<Vec<_>>());
        summary["unknown_hours"] =
            json!(check.unknown.iter().map(|(f, _)| facility_id(&engine, *f)).collect::<Vec<_>>());
    }
    std::fs::write(args.out.join("summary.json"), serde_json::to_string_pretty(&summary)? + "\n")
        .context("writing summary.json")?;
    let markdown = summary_markdown(&summary);
    std::fs::write(args.out.join("summary.md"), &markdown).context("writing summary.md")?;
    print(&markdown)?;

    let gap = result.contours.iter().any(|c| !c.full_coverage);
    Ok(if gap && args.fail_on_gap { ExitCode::from(3) } else { ExitCode::SUCCESS })
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

fn facility_id(engine: &Engine, label: u32) -> &str {
    &engine.facilities.get(label).id
}

/// A road as a LineString: times to the nearest facility and the covered
/// share per contour.
fn road_feature(engine: &Engine, result: &Coverage, road: RoadId) -> Feature {
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
fn gap_features(result: &Coverage, areas: bool) -> Vec<Feature> {
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
fn catchment_features(engine: &Engine, result: &Coverage, areas: bool) -> Vec<Feature> {
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
fn summary(engine: &Engine, file: &str, layers: &[Layer], amenities: &[String], result: &Coverage) -> Value {
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
    json!({
        "file": file,
        "profile": engine.profile.name,
        "direction": "to",
        "layers": layers,
        "amenities": amenities,
        "facilities": result.facilities.len(),
        "unsnapped": result.unsnapped.iter().map(|&f| facility_id(engine, f)).collect::<Vec<_>>(),
        "road_km": (result.road_km * 1e4).round() / 1e4,
        "demand": result.demand,
        "unsnapped_demand": result.unsnapped_demand,
        "worst": result.worst.map(|(s, [lon, lat])| json!({"seconds": s, "lon": lon, "lat": lat})),
        "contours": contours,
    })
}

/// The summary as a Markdown report a planner reads.
fn summary_markdown(summary: &Value) -> String {
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
