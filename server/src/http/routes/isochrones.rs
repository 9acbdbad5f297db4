//! `/isochrones` of a facility or a point, and `/service-circles` of a layer.

use std::sync::Arc;

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use reach_engine::isochrone::{BUFFER_RANGE_M, Contours, DEFAULT_BUFFER_M, Reached, service_circle};
use reach_engine::search::SearchSpace;
use reach_engine::to_geojson::Origin;
use reach_engine::{Amenities, Layer};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::drawing::Drawing;
use crate::http::error::ApiError;
use crate::http::params::{DirectionParam, Params, RequestCrs, default_minutes, list};
use crate::http::respond::{Content, Reuse, answer, collection_bytes};
use crate::http::state::AppState;

/// Parameters of `/isochrones`: a facility id, or a point.
#[derive(Debug, Clone, Serialize, Deserialize, IntoParams, ToSchema)]
#[into_params(parameter_in = Query)]
pub struct IsochroneParams {
    /// The facility's id (or give `lon` and `lat`).
    pub facility: Option<String>,
    /// Longitude of a point (WGS84).
    pub lon: Option<f64>,
    /// Latitude of a point (WGS84).
    pub lat: Option<f64>,
    /// Contours in minutes: at most 16, each in (0, 120].
    #[serde(default = "default_minutes", deserialize_with = "list")]
    #[param(value_type = String, example = "10,15")]
    #[schema(value_type = String, example = "10,15")]
    pub minutes: Vec<f64>,
    /// `to` (riders travel to the start; default) or `from`.
    #[serde(default)]
    pub direction: DirectionParam,
    /// The reached road network (MultiLineStrings) instead of polygons.
    #[serde(default)]
    pub network: bool,
    /// Polygons cover reached roads and at most this far around them, 10 to 500 m.
    pub buffer_m: Option<f64>,
}

/// Parameters of `/service-circles`.
#[derive(Debug, Clone, Serialize, Deserialize, IntoParams, ToSchema)]
#[into_params(parameter_in = Query)]
pub struct ServiceCircleParams {
    /// The layer (default `stations`).
    pub layer: Option<String>,
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
    /// `to` (default) or `from`.
    #[serde(default)]
    pub direction: DirectionParam,
    /// The reached road network instead of polygons.
    #[serde(default)]
    pub network: bool,
    /// Buffer around reached roads, 10 to 500 m.
    pub buffer_m: Option<f64>,
}

/// The buffer asked for, checked.
fn buffer(buffer_m: Option<f64>) -> Result<f64, ApiError> {
    let buffer = buffer_m.unwrap_or(DEFAULT_BUFFER_M);
    if BUFFER_RANGE_M.contains(&buffer) {
        Ok(buffer)
    } else {
        Err(ApiError::bad_request(format!("buffer {buffer} m is outside 10..=500 m")))
    }
}

/// A canonical text of a request, for the cache and the ETag.
fn key(route: &str, params: &impl Serialize) -> String {
    format!("{route} {}", serde_json::to_string(params).unwrap_or_default())
}

/// The isochrone of a facility or a point: one feature per contour, largest
/// first (MultiPolygons, or MultiLineStrings with `network=true`).
#[utoipa::path(method(get, post), path = "/api/v1/isochrones", tag = "isochrones", params(IsochroneParams),
    request_body(content = IsochroneParams, description = "The same parameters as JSON (POST)"),
    responses((status = 200, description = "One feature per contour", content_type = "application/geo+json"),
              (status = 400, description = "Bad parameter or limit"), (status = 404, description = "Unknown facility"),
              (status = 422, description = "Point or facility not on the road network")))]
pub async fn isochrones(
    State(app): State<Arc<AppState>>,
    RequestCrs(crs): RequestCrs,
    headers: HeaderMap,
    Params(params): Params<IsochroneParams>,
) -> Result<Response, ApiError> {
    let contours = Contours::from_minutes(&params.minutes)?;
    let buffer_m = buffer(params.buffer_m)?;
    let snapshot = app.snapshot()?;
    let request = key("isochrones", &params);
    answer(snapshot, &headers, (request, crs), Content::GeoJson, Reuse::Cached, move |s| {
        let engine = &s.engine;
        let direction = params.direction.search();
        let (snap, facility) = match (&params.facility, params.lon, params.lat) {
            (Some(id), None, None) => {
                let f = engine
                    .facilities
                    .find(id)
                    .ok_or_else(|| ApiError::not_found(format!("no facility has the id {id:?}")))?;
                let snap = engine.snaps[f as usize]
                    .clone()
                    .map_err(|e| ApiError::not_on_network(format!("facility {id:?}: {e}")))?;
                (snap, Some(f))
            }
            (None, Some(lon), Some(lat)) => {
                let snap = engine
                    .snap(crs.to_wgs84([lon, lat]))
                    .map_err(|e| ApiError::not_on_network(format!("the point {lon},{lat}: {e}")))?;
                (snap, None)
            }
            _ => return Err(ApiError::bad_request("give either facility=ID or both lon and lat")),
        };
        let drawing = Drawing { engine, contours, direction, buffer_m, network: params.network };
        let reached = SearchSpace::with_kept(engine.graph.node_count(), |space| {
            Reached::search(engine, &[snap], direction, drawing.contours.max_limit(), space)
        })?;
        let origin = match facility {
            Some(f) => Origin::Facility(engine.facilities.get(f)),
            None => Origin::Point(crs.to_wgs84([params.lon.unwrap_or_default(), params.lat.unwrap_or_default()])),
        };
        let features = drawing.features(origin, &reached)?;
        collection_bytes(features)
    })
    .await
}

/// The service circle of a layer: the union of its facilities' isochrones,
/// one feature per contour, largest first.
#[utoipa::path(method(get, post), path = "/api/v1/service-circles", tag = "isochrones", params(ServiceCircleParams),
    request_body(content = ServiceCircleParams, description = "The same parameters as JSON (POST)"),
    responses((status = 200, description = "One feature per contour", content_type = "application/geo+json"),
              (status = 400, description = "Bad parameter, limit, or empty selection")))]
pub async fn service_circles(
    State(app): State<Arc<AppState>>,
    RequestCrs(crs): RequestCrs,
    headers: HeaderMap,
    Params(params): Params<ServiceCircleParams>,
) -> Result<Response, ApiError> {
    let contours = Contours::from_minutes(&params.minutes)?;
    let buffer_m = buffer(params.buffer_m)?;
    let layer: Layer = params.layer.as_deref().unwrap_or("stations").parse().map_err(ApiError::bad_request)?;
    let amenities = Amenities::parse_list(&params.amenity.join(";")).map_err(ApiError::bad_request)?;
    let snapshot = app.snapshot()?;
    let request = key("service-circles", &params);
    answer(snapshot, &headers, (request, crs), Content::GeoJson, Reuse::Cached, move |s| {
        let engine = &s.engine;
        let selected = engine.select_facilities(Some(layer), amenities, &[]).map_err(ApiError::bad_request)?;
        let direction = params.direction.search();
        let drawing = Drawing { engine, contours, direction, buffer_m, network: params.network };
        let reached = service_circle(engine, &selected, direction, drawing.contours.max_limit())?;
        let origin = Origin::ServiceCircle { layer: Some(layer), facilities: selected.len() };
        let features = drawing.features(origin, &reached)?;
        collection_bytes(features)
    })
    .await
}
