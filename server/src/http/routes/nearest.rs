//! `/nearest` for one rider and `/nearest/batch` for many.

use std::sync::Arc;

use axum::extract::State;
use axum::response::Response;
use reach_engine::layer_file::NamedPoint;
use reach_engine::nearest::{DEFAULT_MAX_MINUTES, Filter, Query, Table, Targets};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::http::error::ApiError;
use crate::http::params::{Params, RequestCrs, list};
use crate::http::respond::{GEOJSON, blocking, body_response, collection_bytes, in_crs, to_bytes};
use crate::http::state::{AppState, Snapshot};
use crate::nearest_report::{NearestAsk, answer_all, batch_rows, collection};

/// Parameters of `/nearest` (and the filters of `/nearest/batch`).
#[derive(Debug, Clone, Default, Serialize, Deserialize, IntoParams, ToSchema)]
#[into_params(parameter_in = Query)]
pub struct NearestParams {
    /// The rider's longitude (WGS84).
    pub lon: Option<f64>,
    /// The rider's latitude (WGS84).
    pub lat: Option<f64>,
    /// How many facilities, 1 to 50 (default 3).
    pub k: Option<usize>,
    /// Only these layers (default: every layer).
    #[serde(default, deserialize_with = "list")]
    #[param(value_type = String, example = "stations")]
    #[schema(value_type = String)]
    pub layer: Vec<String>,
    /// Only facilities offering all of these amenities.
    #[serde(default, deserialize_with = "list")]
    #[param(value_type = String, example = "charging")]
    #[schema(value_type = String)]
    pub amenity: Vec<String>,
    /// Only facilities open at this local time (`2026-11-25T02:00`, or `now`).
    pub open_at: Option<String>,
    /// `open` (default) or `closed`: how to count hours that cannot be evaluated.
    pub unknown_hours: Option<String>,
    /// Only facilities with a recorded capacity of at least this.
    pub min_capacity: Option<u32>,
    /// Look no farther than this many minutes (default 60, at most 120).
    pub max_minutes: Option<f64>,
}

impl NearestParams {
    /// The request as the shared nearest-facility ask.
    fn ask(&self) -> NearestAsk {
        NearestAsk {
            k: self.k.unwrap_or(3),
            layers: self.layer.clone(),
            amenities: self.amenity.clone(),
            open_at: self.open_at.clone(),
            unknown_hours: self.unknown_hours.clone().unwrap_or_else(|| "open".into()),
            min_capacity: self.min_capacity,
            max_minutes: self.max_minutes.unwrap_or(DEFAULT_MAX_MINUTES),
        }
    }
}

/// The nearest-facility table of `filter` and `query`, built once per
/// snapshot (a few milliseconds on a city) and kept.
fn table(s: &Snapshot, filter: &Filter, query: &Query) -> Arc<Table> {
    let key = format!("{filter:?} {query:?}");
    if let Some(table) = s.tables.get(&key) {
        return table;
    }
    let table = Arc::new(Table::new(&s.engine, &Targets::new(&s.engine, filter), query));
    s.tables.put(key, table.clone());
    table
}

/// The `k` facilities a rider reaches soonest, with the route to each.
#[utoipa::path(method(get, post), path = "/api/v1/nearest", tag = "riders", params(NearestParams),
    request_body(content = NearestParams, description = "The same parameters as JSON (POST)"),
    responses((status = 200, description = "One route per answer, fastest first; `shortfall` says why there are fewer than k", content_type = "application/geo+json"),
              (status = 400, description = "Bad parameter or limit"),
              (status = 422, description = "The point is not near the road network")))]
pub async fn nearest_one(
    State(app): State<Arc<AppState>>,
    RequestCrs(crs): RequestCrs,
    Params(params): Params<NearestParams>,
) -> Result<Response, ApiError> {
    let (Some(lon), Some(lat)) = (params.lon, params.lat) else {
        return Err(ApiError::bad_request("give the rider's position as lon and lat"));
    };
    let ask = params.ask();
    let query = ask.query().map_err(ApiError::limit)?;
    let filter = ask.filter().map_err(ApiError::bad_request)?;
    let snapshot = app.snapshot()?;
    let engine = &snapshot.engine;
    let wgs84 = crs.to_wgs84([lon, lat]);
    let start = engine.snap(wgs84).map_err(|e| ApiError::not_on_network(format!("the point {lon},{lat}: {e}")))?;
    let result = table(&snapshot, &filter, &query).nearest(engine, &start);
    Ok(body_response(GEOJSON, in_crs(to_bytes(&collection(engine, wgs84, &result))?, crs)?))
}

/// A rider of a batch.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Rider {
    /// The rider's id (default: its position in the list, from 1).
    pub id: Option<String>,
    /// Longitude (WGS84).
    pub lon: f64,
    /// Latitude (WGS84).
    pub lat: f64,
}

/// The body of `/nearest/batch`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct BatchParams {
    /// The riders (at most the `batch_points` limit of `/meta`).
    pub riders: Vec<Rider>,
    /// Draw each answer as its route instead of the rider's point.
    #[serde(default)]
    pub routes: bool,
    /// The filters, as for `/nearest` (`lon` and `lat` are not used).
    #[serde(flatten)]
    pub filters: NearestParams,
}

/// The nearest facilities of many riders at once: one feature per rider
/// and answer (a rider without answer gets one, with the `reason`).
#[utoipa::path(post, path = "/api/v1/nearest/batch", tag = "riders", request_body = BatchParams,
    responses((status = 200, description = "One feature per rider and answer", content_type = "application/geo+json"),
              (status = 400, description = "Bad parameter, bad rider, or too many riders")))]
pub async fn nearest_batch(
    State(app): State<Arc<AppState>>,
    RequestCrs(crs): RequestCrs,
    Params(params): Params<BatchParams>,
) -> Result<Response, ApiError> {
    let limit = app.limits.batch_points;
    if params.riders.len() > limit {
        return Err(ApiError::limit(format!("{} riders in one batch; the limit is {limit}", params.riders.len())));
    }
    let bad: Vec<String> = params
        .riders
        .iter()
        .enumerate()
        .filter_map(|(i, r)| reach_engine::check_lon_lat(r.lon, r.lat).err().map(|e| format!("rider {}: {e}", i + 1)))
        .collect();
    if !bad.is_empty() {
        return Err(ApiError::bad_request(format!("{} bad rider(s), nothing answered: {}", bad.len(), bad.join("; "))));
    }
    let ask = params.filters.ask();
    let query = ask.query().map_err(ApiError::limit)?;
    let filter = ask.filter().map_err(ApiError::bad_request)?;
    let snapshot = app.snapshot()?;
    let body = blocking(move || {
        let engine = &snapshot.engine;
        let riders: Vec<NamedPoint> = params
            .riders
            .iter()
            .enumerate()
            .map(|(i, r)| NamedPoint {
                id: r.id.clone().unwrap_or_else(|| (i + 1).to_string()),
                lon: r.lon,
                lat: r.lat,
            })
            .collect();
        let table = table(&snapshot, &filter, &query);
        let answers = answer_all(engine, &table, &riders, &|_, _| {});
        let features = batch_rows(&riders, &answers).iter().map(|row| row.feature(engine, params.routes)).collect();
        in_crs(collection_bytes(features)?, crs)
    })
    .await?;
    Ok(body_response(GEOJSON, body))
}
