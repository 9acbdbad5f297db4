//! `/coverage` (the verdict and figures), `/gaps` and `/catchments` of a
//! layer's service circle; the three share one computed coverage.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use flatgeobuf::GeometryType;
use reach_engine::coverage::StudyArea;
use reach_engine::isochrone::Contours;
use reach_engine::opening::{UnknownHours, parse_local_time};
use reach_engine::{Amenities, Crs, Layer, RoadId};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::coverage_report::{CoverageAsk, CoverageReport, catchment_features, gap_features, road_feature, summary};
use crate::formats::{TileId, roads_tile};
use crate::http::error::ApiError;
use crate::http::params::{Params, RequestCrs, default_minutes, list};
use crate::http::respond::{Content, Reuse, answer, collection_bytes, to_bytes};
use crate::http::state::{AppState, Snapshot};

/// Parameters of `/coverage`, `/gaps` and `/catchments`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, IntoParams, ToSchema)]
#[into_params(parameter_in = Query)]
pub struct CoverageParams {
    /// Layers whose facilities count (default `stations`).
    #[serde(default, deserialize_with = "list")]
    #[param(value_type = String, example = "stations")]
    #[schema(value_type = String)]
    pub layer: Vec<String>,
    /// Only facilities offering all of these amenities.
    #[serde(default, deserialize_with = "list")]
    #[param(value_type = String, example = "charging")]
    #[schema(value_type = String)]
    pub amenity: Vec<String>,
    /// Contours in minutes: at most 16, each in (0, 120].
    #[serde(default = "default_minutes", deserialize_with = "list")]
    #[param(value_type = String, example = "10,15")]
    #[schema(value_type = String, example = "10,15")]
    pub minutes: Vec<f64>,
    /// Only roads inside this administrative area (its name, `name:zh` or relation id).
    pub area: Option<String>,
    /// Count only facilities open at this local time, e.g. `2026-11-25T02:00`.
    pub at: Option<String>,
    /// `open` (default) or `closed`: how to count hours that cannot be evaluated.
    pub unknown_hours: Option<String>,
    /// `/gaps` and `/catchments`: areas (MultiPolygons) instead of stretches or points.
    #[serde(default)]
    pub areas: bool,
    /// `/gaps` and `/coverage/roads`: `geojson` (default) or `fgb` (FlatGeobuf).
    pub format: Option<String>,
}

/// The answer format asked for: GeoJSON, or FlatGeobuf of `name` and `kind`.
fn format(params: &CoverageParams, name: &'static str, kind: GeometryType) -> Result<Content, ApiError> {
    match params.format.as_deref().unwrap_or("geojson") {
        "geojson" => Ok(Content::GeoJson),
        "fgb" => Ok(Content::FlatGeobuf(name, kind)),
        other => Err(ApiError::bad_request(format!("format {other:?} is not geojson or fgb"))),
    }
}

impl CoverageParams {
    /// The coverage these parameters ask for, checked.
    pub fn ask(&self) -> Result<CoverageAsk, ApiError> {
        let layers = if self.layer.is_empty() { vec!["stations".to_string()] } else { self.layer.clone() };
        let layers: Vec<Layer> =
            layers.iter().map(|l| l.parse().map_err(ApiError::bad_request)).collect::<Result<_, _>>()?;
        Amenities::parse_list(&self.amenity.join(";")).map_err(ApiError::bad_request)?;
        Ok(CoverageAsk {
            layers,
            amenities: self.amenity.clone(),
            contours: Contours::from_minutes(&self.minutes)?,
            at: self.at.as_deref().map(parse_local_time).transpose().map_err(ApiError::bad_request)?,
            unknown_hours: self
                .unknown_hours
                .as_deref()
                .unwrap_or("open")
                .parse::<UnknownHours>()
                .map_err(ApiError::bad_request)?,
        })
    }

    /// The canonical text of the coverage asked for (not of how it is drawn).
    fn key(&self) -> String {
        let drawn_alike = CoverageParams { areas: false, format: None, ..self.clone() };
        format!("coverage {}", serde_json::to_string(&drawn_alike).unwrap_or_default())
    }
}

/// The coverage of `params` from the snapshot's cache, or computed and kept.
pub fn compute(s: &Snapshot, params: &CoverageParams, ask: &CoverageAsk) -> Result<Arc<CoverageReport>, ApiError> {
    let key = params.key();
    if let Some(report) = s.coverage.get(&key) {
        return Ok(report);
    }
    let area = match &params.area {
        Some(name) => Some(StudyArea::from_boundary(&s.extract.osm.boundaries, name).map_err(ApiError::bad_request)?),
        None => None,
    };
    let report = Arc::new(ask.compute(&s.engine, area.as_ref()).map_err(ApiError::bad_request)?);
    s.coverage.put(key, report.clone());
    Ok(report)
}

/// Which answer a coverage route gives.
#[derive(Debug, Clone, Copy)]
enum Part {
    Summary,
    Gaps,
    Catchments,
    Roads,
}

/// Answers one part of a coverage.
async fn part(
    app: Arc<AppState>,
    headers: HeaderMap,
    params: CoverageParams,
    part: Part,
    crs: Crs,
) -> Result<Response, ApiError> {
    let ask = params.ask()?;
    let snapshot = app.snapshot()?;
    let request = format!("{part:?} {} areas={}", params.key(), params.areas);
    let content = match part {
        Part::Summary => Content::Json,
        Part::Catchments => Content::GeoJson,
        Part::Gaps if params.areas => format(&params, "gap_areas", GeometryType::MultiPolygon)?,
        Part::Gaps => format(&params, "gaps", GeometryType::MultiLineString)?,
        Part::Roads => format(&params, "roads", GeometryType::LineString)?,
    };
    answer(snapshot, &headers, (request, crs), content, Reuse::Cached, move |s| {
        let report = compute(s, &params, &ask)?;
        let features = match part {
            Part::Summary => {
                return to_bytes(&summary(&s.engine, &s.extract.file, &ask, &report, params.area.as_deref()));
            }
            Part::Gaps => gap_features(&report.result, params.areas),
            Part::Catchments => catchment_features(&s.engine, &report.result, params.areas),
            Part::Roads => {
                let roads = 0..report.result.roads.len() as RoadId;
                roads.map(|r| road_feature(&s.engine, &report.result, r)).collect()
            }
        };
        collection_bytes(features)
    })
    .await
}

/// The verdict and figures: does the service circle cover every road, per
/// contour, with the largest gaps (the keys of `summary.json`).
#[utoipa::path(method(get, post), path = "/api/v1/coverage", tag = "coverage", params(CoverageParams),
    request_body(content = CoverageParams, description = "The same parameters as JSON (POST)"),
    responses((status = 200, description = "The verdict and figures", content_type = "application/json"),
              (status = 400, description = "Bad parameter or limit")))]
pub async fn coverage(
    State(app): State<Arc<AppState>>,
    RequestCrs(crs): RequestCrs,
    headers: HeaderMap,
    Params(params): Params<CoverageParams>,
) -> Result<Response, ApiError> {
    part(app, headers, params, Part::Summary, crs).await
}

/// The gaps per contour, ranked by demand then length: MultiLineStrings, or
/// their areas with `areas=true`.
#[utoipa::path(method(get, post), path = "/api/v1/gaps", tag = "coverage", params(CoverageParams),
    request_body(content = CoverageParams, description = "The same parameters as JSON (POST)"),
    responses((status = 200, description = "One feature per gap and contour", content_type = "application/geo+json"),
              (status = 400, description = "Bad parameter or limit")))]
pub async fn gaps(
    State(app): State<Arc<AppState>>,
    RequestCrs(crs): RequestCrs,
    headers: HeaderMap,
    Params(params): Params<CoverageParams>,
) -> Result<Response, ApiError> {
    part(app, headers, params, Part::Gaps, crs).await
}

/// Each facility's catchment (roads and demand it is the nearest to): at the
/// facility, or its area with `areas=true`.
#[utoipa::path(method(get, post), path = "/api/v1/catchments", tag = "coverage", params(CoverageParams),
    request_body(content = CoverageParams, description = "The same parameters as JSON (POST)"),
    responses((status = 200, description = "One feature per facility", content_type = "application/geo+json"),
              (status = 400, description = "Bad parameter or limit")))]
pub async fn catchments(
    State(app): State<Arc<AppState>>,
    RequestCrs(crs): RequestCrs,
    headers: HeaderMap,
    Params(params): Params<CoverageParams>,
) -> Result<Response, ApiError> {
    part(app, headers, params, Part::Catchments, crs).await
}

/// Every road with its time to the nearest facility and the covered share
/// per contour (the `roads.geojson` layer of `reach coverage`), as GeoJSON or
/// FlatGeobuf (`format=fgb`).
#[utoipa::path(method(get, post), path = "/api/v1/coverage/roads", tag = "coverage", params(CoverageParams),
    request_body(content = CoverageParams, description = "The same parameters as JSON (POST)"),
    responses((status = 200, description = "One LineString per road", content_type = "application/geo+json"),
              (status = 400, description = "Bad parameter or limit")))]
pub async fn coverage_roads(
    State(app): State<Arc<AppState>>,
    RequestCrs(crs): RequestCrs,
    headers: HeaderMap,
    Params(params): Params<CoverageParams>,
) -> Result<Response, ApiError> {
    part(app, headers, params, Part::Roads, crs).await
}

/// The roads with their coverage as a Mapbox Vector Tile (layer `roads`,
/// Web Mercator XYZ tiles, the properties of `/coverage/roads`); the
/// coverage parameters as for `/coverage`.
#[utoipa::path(get, path = "/api/v1/tiles/{z}/{x}/{y}.mvt", tag = "coverage",
    params(("z" = u32, Path, description = "Zoom, 0 to 22"), ("x" = u32, Path, description = "Column"),
           ("y" = u32, Path, description = "Row, from the north"), CoverageParams),
    responses((status = 200, description = "A vector tile", content_type = "application/vnd.mapbox-vector-tile"),
              (status = 400, description = "Bad tile or parameter"), (status = 404, description = "Not a tile path")))]
pub async fn tile(
    State(app): State<Arc<AppState>>,
    RequestCrs(crs): RequestCrs,
    Path((z, x, name)): Path<(u32, u32, String)>,
    headers: HeaderMap,
    Params(params): Params<CoverageParams>,
) -> Result<Response, ApiError> {
    let y = name
        .strip_suffix(".mvt")
        .and_then(|y| y.parse::<u32>().ok())
        .ok_or_else(|| ApiError::not_found(format!("{name:?} is not a tile: ask for /tiles/Z/X/Y.mvt")))?;
    let id = TileId::new(z, x, y).map_err(ApiError::bad_request)?;
    if crs != Crs::Wgs84 {
        return Err(ApiError::bad_request("vector tiles are Web Mercator tiles of WGS84; ask without crs"));
    }
    let ask = params.ask()?;
    let snapshot = app.snapshot()?;
    let request = format!("tile {z}/{x}/{y} {}", params.key());
    answer(snapshot, &headers, (request, crs), Content::Mvt, Reuse::Etag, move |s| {
        let report = compute(s, &params, &ask)?;
        roads_tile(&s.engine, &report.result, id).map_err(ApiError::internal)
    })
    .await
}
