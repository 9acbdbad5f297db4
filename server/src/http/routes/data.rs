//! What is loaded: `/meta`, the facility layers (read and replace) and the
//! roads.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use flatgeobuf::GeometryType;
use reach_engine::layer_file::{parse_csv, parse_geojson};
use reach_engine::to_geojson::{edge_feature, facility_feature};
use reach_engine::{Amenity, Engine, Layer};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::{IntoParams, ToSchema};

use crate::http::error::ApiError;
use crate::http::params::{Params, RequestCrs};
use crate::http::respond::{Content, JSON, Reuse, answer, blocking, body_response, collection_bytes, to_bytes};
use crate::http::state::AppState;

/// The layer named in a path, or a 404 listing the layers.
fn layer(name: &str) -> Result<Layer, ApiError> {
    name.parse::<Layer>().map_err(ApiError::not_found)
}

/// The extract, its bounding box, profile, layers with counts, the limits
/// and the data attribution.
#[utoipa::path(get, path = "/api/v1/meta", tag = "data",
    responses((status = 200, description = "What is loaded", content_type = "application/json")))]
pub async fn meta(
    State(app): State<Arc<AppState>>,
    RequestCrs(crs): RequestCrs,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let snapshot = app.snapshot()?;
    let limits = app.limits;
    let writes = app.admin_token.is_some();
    answer(snapshot, &headers, ("meta".into(), crs), Content::Json, Reuse::Etag, move |s| {
        let engine = &s.engine;
        let size = engine.graph.size();
        to_bytes(&json!({
            "extract": s.extract.file,
            "bbox": engine.graph.bounds(),
            "profile": engine.profile.name,
            "graph": size,
            "layers": engine.report.layers,
            "amenities": Amenity::ALL.iter().map(|a| a.name()).collect::<Vec<_>>(),
            "version": s.version,
            "writes": writes,
            "limits": {
                "contours": reach_engine::isochrone::MAX_CONTOURS,
                "minutes": reach_engine::isochrone::MAX_MINUTES,
                "k": reach_engine::nearest::MAX_K,
                "batch_points": limits.batch_points,
                "body_bytes": limits.body_bytes,
                "request_seconds": limits.request_seconds,
                "concurrent_requests": limits.concurrent_requests,
                "roads": limits.roads,
            },
            "attribution": "© OpenStreetMap contributors, ODbL 1.0 (https://www.openstreetmap.org/copyright)",
        }))
    })
    .await
}

/// The facilities of one layer as Point features.
#[utoipa::path(get, path = "/api/v1/layers/{layer}", tag = "data",
    params(("layer" = String, Path, description = "stations, merchants or parking")),
    responses((status = 200, description = "The layer's facilities", content_type = "application/geo+json"),
              (status = 404, description = "Unknown layer")))]
pub async fn get_layer(
    State(app): State<Arc<AppState>>,
    RequestCrs(crs): RequestCrs,
    Path(name): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let layer = layer(&name)?;
    let snapshot = app.snapshot()?;
    answer(snapshot, &headers, (format!("layer {layer}"), crs), Content::GeoJson, Reuse::Etag, move |s| {
        let features = s
            .engine
            .facilities
            .all()
            .iter()
            .zip(&s.engine.snaps)
            .filter(|(f, _)| f.layer == layer)
            .map(|(f, snap)| facility_feature(f, snap))
            .collect();
        collection_bytes(features)
    })
    .await
}

/// Replaces a layer with a CSV (`text/csv`) or GeoJSON body, checked whole
/// first; needs the admin token. Requests in flight keep the old layer; a
/// bad upload leaves it serving.
#[utoipa::path(put, path = "/api/v1/layers/{layer}", tag = "data",
    params(("layer" = String, Path, description = "stations, merchants or parking")),
    request_body(content = String, description = "A layer file: CSV with id, layer, lon, lat, ... or a GeoJSON FeatureCollection of points", content_type = "text/csv"),
    responses((status = 200, description = "The new layer's counts", content_type = "application/json"),
              (status = 400, description = "Bad rows, all listed"), (status = 401, description = "No or wrong token"),
              (status = 403, description = "Writes are off")))]
pub async fn put_layer(
    State(app): State<Arc<AppState>>,
    RequestCrs(crs): RequestCrs,
    Path(name): Path<String>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let layer = layer(&name)?;
    let token =
        headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer "));
    match (&app.admin_token, token) {
        (Some(expected), Some(given)) if expected == given => {}
        (expected, _) => return Err(ApiError::unauthorized(expected.is_some())),
    }
    let body = body.map_err(|e| match e.status() {
        StatusCode::PAYLOAD_TOO_LARGE => ApiError::body_too_large(),
        _ => ApiError::bad_request(format!("the body: {}", e.body_text())),
    })?;
    let content_type =
        headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("text/csv").to_string();
    let _one_at_a_time = app.reloading.lock().await;
    let old = app.snapshot()?;
    let (extract, engine) = blocking(move || {
        let file = format!("upload of layer {layer}");
        let parsed = if content_type.contains("json") { parse_geojson(&body, &file) } else { parse_csv(&body, &file) };
        let mut uploaded = parsed.map_err(|e| ApiError::bad_request(e.to_string()))?;
        for facility in &mut uploaded {
            [facility.lon, facility.lat] = crs.to_wgs84([facility.lon, facility.lat]);
        }
        let strays: Vec<String> =
            uploaded.iter().filter(|f| f.layer != layer).map(|f| format!("{} is in layer {}", f.id, f.layer)).collect();
        if !strays.is_empty() {
            return Err(ApiError::bad_request(format!(
                "{file}: every row must be in layer {layer}: {}",
                strays.join("; ")
            )));
        }
        let mut extract = old.extract.clone();
        extract.facilities.retain(|f| f.layer != layer);
        extract.facilities.extend(uploaded);
        let engine = Engine::build(&extract, &old.engine.profile, old.engine.report.max_snap_m, &|_| {})
            .map_err(|e| ApiError::bad_request(e.to_string()))?;
        // Facilities changed, roads did not: the hierarchy carries over
        // (publishing prepares one otherwise).
        engine.graph.adopt_hierarchy(&old.engine.graph);
        Ok((extract, engine))
    })
    .await?;
    let counts = json!({"layer": layer, "counts": engine.report.layers.get(layer.name())});
    let snapshot = app.publish(extract, engine);
    tracing::info!(%layer, version = snapshot.version, "layer replaced");
    let mut body = counts;
    body["version"] = json!(snapshot.version);
    Ok(body_response(JSON, to_bytes(&body)?))
}

/// Parameters of `/roads`.
#[derive(Debug, Clone, Serialize, Deserialize, IntoParams, ToSchema)]
#[into_params(parameter_in = Query)]
pub struct RoadsParams {
    /// `min_lon,min_lat,max_lon,max_lat`.
    #[param(example = "24.94,60.165,24.95,60.17")]
    pub bbox: String,
    /// `geojson` (default) or `fgb` (FlatGeobuf).
    pub format: Option<String>,
}

/// The road edges (one per direction of travel) with a segment in the box,
/// with their travel times.
#[utoipa::path(method(get, post), path = "/api/v1/roads", tag = "data", params(RoadsParams),
    request_body(content = RoadsParams, description = "The same parameters as JSON (POST)"),
    responses((status = 200, description = "Directed edges as LineStrings", content_type = "application/geo+json"),
              (status = 400, description = "Bad box, or too many roads")))]
pub async fn roads(
    State(app): State<Arc<AppState>>,
    RequestCrs(crs): RequestCrs,
    headers: HeaderMap,
    Params(params): Params<RoadsParams>,
) -> Result<Response, ApiError> {
    let numbers: Vec<f64> =
        params.bbox.split(',').map(|v| v.trim().parse::<f64>()).collect::<Result<_, _>>().map_err(|_| {
            ApiError::bad_request(format!("bbox {:?} is not min_lon,min_lat,max_lon,max_lat", params.bbox))
        })?;
    let [min_lon, min_lat, max_lon, max_lat] = numbers[..] else {
        return Err(ApiError::bad_request(format!("bbox {:?} needs 4 numbers", params.bbox)));
    };
    for (lon, lat) in [(min_lon, min_lat), (max_lon, max_lat)] {
        reach_engine::check_lon_lat(lon, lat).map_err(|e| ApiError::bad_request(format!("bbox: {e}")))?;
    }
    if min_lon > max_lon || min_lat > max_lat {
        return Err(ApiError::bad_request("bbox: the minimum is above the maximum"));
    }
    let snapshot = app.snapshot()?;
    let limit = app.limits.roads;
    let request = format!("roads {min_lon},{min_lat},{max_lon},{max_lat}");
    let corners = [crs.to_wgs84([min_lon, min_lat]), crs.to_wgs84([max_lon, max_lat])];
    let bbox = [corners[0][0], corners[0][1], corners[1][0], corners[1][1]];
    let content = match params.format.as_deref().unwrap_or("geojson") {
        "geojson" => Content::GeoJson,
        "fgb" => Content::FlatGeobuf("roads", GeometryType::LineString),
        other => return Err(ApiError::bad_request(format!("format {other:?} is not geojson or fgb"))),
    };
    answer(snapshot, &headers, (request, crs), content, Reuse::Etag, move |s| {
        let roads = s.engine.roads.roads_in_box(bbox);
        if roads.len() > limit {
            return Err(ApiError::limit(format!(
                "the box holds {} roads; the limit is {limit}: ask for a smaller box",
                roads.len()
            )));
        }
        let graph = &s.engine.graph;
        let features = roads
            .iter()
            .flat_map(|&r| graph.road_edges(r).into_iter().flatten())
            .map(|e| edge_feature(graph, e))
            .collect();
        collection_bytes(features)
    })
    .await
}
