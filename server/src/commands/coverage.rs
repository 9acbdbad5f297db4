//! `reach coverage`: does the service circle cover every road, and where are
//! the gaps? Writes GeoJSON layers and a summary for planners.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Args;
use flatgeobuf::GeometryType;
use geojson::Feature;
use reach_engine::coverage::StudyArea;
use reach_engine::crs::convert_json;
use reach_engine::demand::DemandMapping;
use reach_engine::isochrone::Contours;
use reach_engine::opening::{UnknownHours, parse_local_time};
use reach_engine::{Amenities, DemandSource, Layer, RoadId};

use crate::cli::LoadArgs;
use crate::coverage_report::{
    CoverageAsk, catchment_features, facility_id, gap_features, road_feature, summary, summary_markdown,
};
use crate::loading;
use crate::output::{print, write_feature_collection_par, write_features_par, write_flatgeobuf_par};
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
    /// Also write the large layers as FlatGeobuf: roads.fgb, gaps.fgb and
    /// gap_areas.fgb.
    #[arg(long)]
    pub fgb: bool,
}

/// Runs `reach coverage`.
pub fn run(args: &CoverageArgs) -> anyhow::Result<ExitCode> {
    let contours = Contours::from_minutes(&args.minutes)?;
    let layer_names = if args.layer.is_empty() { vec!["stations".to_string()] } else { args.layer.clone() };
    let layers: Vec<Layer> =
        layer_names.iter().map(|l| l.parse().map_err(anyhow::Error::msg)).collect::<anyhow::Result<_>>()?;
    Amenities::parse_list(&args.amenity.join(";")).map_err(anyhow::Error::msg)?;
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
        Some(file) if std::path::Path::new(file).is_file() => {
            Some(StudyArea::from_geojson_file(file.as_ref()).and_then(|area| area.in_crs_to_wgs84(args.load.crs)))
        }
        Some(name) => Some(StudyArea::from_boundary(&extract.osm.boundaries, name)),
    }
    .transpose()
    .map_err(anyhow::Error::msg)?;
    let engine = loading::engine(&args.load, &extract, profile, &progress)?;
    let ask = CoverageAsk { layers, amenities: args.amenity.clone(), contours, at, unknown_hours };
    progress.update(reach_engine::Progress::Step("computing coverage"));
    let report = ask.compute(&engine, area.as_ref()).map_err(anyhow::Error::msg)?;
    if let Some(check) = &report.hours {
        for (f, reason) in &check.unknown {
            eprintln!("hours of {}: {reason}; counted {}", facility_id(&engine, *f), args.unknown_hours);
        }
    }
    if let Some(area) = &area
        && report.result.road_km == 0.0
    {
        anyhow::bail!("the study area {} holds no road of {}: is it outside the extract?", area.name, extract.file);
    }
    progress.finish();
    let result = &report.result;

    let crs = args.load.crs;
    std::fs::create_dir_all(&args.out).with_context(|| format!("cannot create {}", args.out.display()))?;
    let roads: Vec<RoadId> = (0..result.roads.len() as RoadId).collect();
    write_feature_collection_par(&args.out.join("roads.geojson"), &roads, |&r| road_feature(&engine, result, r), crs)?;
    let files = [
        ("gaps.geojson", gap_features(result, false)),
        ("gap_areas.geojson", gap_features(result, true)),
        ("catchments.geojson", catchment_features(&engine, result, false)),
        ("catchment_areas.geojson", catchment_features(&engine, result, true)),
    ];
    for (name, features) in &files {
        write_features_par(&args.out.join(name), features, crs)?;
    }
    if args.fgb {
        let road_feature = |&r: &RoadId| road_feature(&engine, result, r);
        write_flatgeobuf_par(
            &args.out.join("roads.fgb"),
            ("roads", GeometryType::LineString),
            &roads,
            road_feature,
            crs,
        )?;
        let layers = [
            ("gaps", GeometryType::MultiLineString, &files[0].1),
            ("gap_areas", GeometryType::MultiPolygon, &files[1].1),
        ];
        for (name, kind, features) in layers {
            write_flatgeobuf_par(&args.out.join(format!("{name}.fgb")), (name, kind), features, Feature::clone, crs)?;
        }
    }
    let area_name = area.as_ref().map(|a| a.name.as_str());
    let mut summary = summary(&engine, &extract.file, &ask, &report, area_name);
    convert_json(&mut summary, crs);
    std::fs::write(args.out.join("summary.json"), serde_json::to_string_pretty(&summary)? + "\n")
        .context("writing summary.json")?;
    let markdown = summary_markdown(&summary);
    std::fs::write(args.out.join("summary.md"), &markdown).context("writing summary.md")?;
    print(&markdown)?;

    let gap = result.contours.iter().any(|c| !c.full_coverage);
    Ok(if gap && args.fail_on_gap { ExitCode::from(3) } else { ExitCode::SUCCESS })
}
