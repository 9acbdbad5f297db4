//! Answers: GeoJSON or JSON bodies with an ETag and Cache-Control when they
//! depend only on the loaded data and the request, from the result cache
//! when they are expensive, computed off the async workers.

use std::sync::Arc;

use axum::body::Bytes;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use flatgeobuf::GeometryType;
use reach_engine::Crs;
use reach_engine::crs::convert_json;

use super::error::ApiError;
use super::state::Snapshot;
use crate::formats::{FLATGEOBUF, MVT, flatgeobuf};

/// The media type of GeoJSON (RFC 7946).
pub const GEOJSON: &str = "application/geo+json";
/// The media type of plain JSON.
pub const JSON: &str = "application/json";

/// What an answer is, and how its computed JSON becomes the body.
#[derive(Debug, Clone, Copy)]
pub enum Content {
    /// JSON, coordinates converted to the request's system.
    Json,
    /// GeoJSON, coordinates converted to the request's system.
    GeoJson,
    /// A FlatGeobuf file of the GeoJSON: layer name and geometry type.
    FlatGeobuf(&'static str, GeometryType),
    /// A vector tile, computed as such (WGS84 Web Mercator).
    Mvt,
}

impl Content {
    /// The media type.
    fn media_type(self) -> &'static str {
        match self {
            Content::Json => JSON,
            Content::GeoJson => GEOJSON,
            Content::FlatGeobuf(..) => FLATGEOBUF,
            Content::Mvt => MVT,
        }
    }

    /// The body from the computed bytes, in `crs`.
    fn finish(self, computed: Vec<u8>, crs: Crs) -> Result<Vec<u8>, ApiError> {
        match self {
            Content::Json | Content::GeoJson => in_crs(computed, crs),
            Content::FlatGeobuf(name, kind) => {
                flatgeobuf(name, kind, &in_crs(computed, crs)?).map_err(ApiError::internal)
            }
            Content::Mvt => Ok(computed),
        }
    }
}
/// How long clients may reuse a data answer without asking again, seconds.
const MAX_AGE_S: u32 = 60;

/// How an answer may be reused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reuse {
    /// ETag and Cache-Control only (cheap to recompute).
    Etag,
    /// ETag, Cache-Control and the server's result cache (expensive).
    Cached,
}

/// Answers `request` (a canonical text of the route and its parameters)
/// from `snapshot`: 304 when the client's `If-None-Match` holds the ETag,
/// the cached body when there is one, or `compute` run on the blocking pool
/// and finished as `content` says.
pub async fn answer(
    snapshot: Arc<Snapshot>,
    headers: &HeaderMap,
    (request, crs): (String, Crs),
    content: Content,
    reuse: Reuse,
    compute: impl FnOnce(&Snapshot) -> Result<Vec<u8>, ApiError> + Send + 'static,
) -> Result<Response, ApiError> {
    let request = format!("{request} crs={crs} as {}", content.media_type());
    let etag = snapshot.etag(&request);
    let client_has_it = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|tags| tags.split(',').any(|t| t.trim() == etag || t.trim() == "*"));
    if client_has_it {
        return Ok((StatusCode::NOT_MODIFIED, data_headers(&etag)).into_response());
    }
    let body = match (reuse, snapshot.cache.get(&request)) {
        (Reuse::Cached, Some(body)) => body,
        _ => {
            let computing = snapshot.clone();
            let body = Arc::new(Bytes::from(blocking(move || content.finish(compute(&computing)?, crs)).await?));
            if reuse == Reuse::Cached {
                snapshot.cache.put(request, body.clone());
            }
            body
        }
    };
    // Bytes share their buffer: a cached answer is not copied per request.
    let mut response = body_response(content.media_type(), Bytes::clone(&body));
    response.headers_mut().extend(data_headers(&etag));
    Ok(response)
}

/// Runs CPU-heavy work on the blocking pool, so that the async workers keep
/// answering.
pub async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(work).await.map_err(|e| ApiError::internal(format!("the computation failed: {e}")))?
}

/// A 200 answer with a body of `content_type`.
pub fn body_response(content_type: &'static str, body: impl Into<Bytes>) -> Response {
    let body: Bytes = body.into();
    ([(header::CONTENT_TYPE, HeaderValue::from_static(content_type))], body).into_response()
}

/// A JSON answer with its WGS84 coordinates converted to `crs`.
pub fn in_crs(body: Vec<u8>, crs: Crs) -> Result<Vec<u8>, ApiError> {
    if crs == Crs::Wgs84 {
        return Ok(body);
    }
    let mut value: serde_json::Value =
        serde_json::from_slice(&body).map_err(|e| ApiError::internal(format!("cannot convert the answer: {e}")))?;
    convert_json(&mut value, crs);
    to_bytes(&value)
}

/// A FeatureCollection of `features` as JSON bytes.
pub fn collection_bytes(features: Vec<geojson::Feature>) -> Result<Vec<u8>, ApiError> {
    to_bytes(&geojson::FeatureCollection { bbox: None, features, foreign_members: None })
}

/// Serializes a value as JSON bytes.
pub fn to_bytes(value: &impl serde::Serialize) -> Result<Vec<u8>, ApiError> {
    crate::json::to_vec(value).map_err(|e| ApiError::internal(format!("cannot serialize the answer: {e}")))
}

/// ETag and Cache-Control of a data answer.
fn data_headers(etag: &str) -> HeaderMap {
    let mut headers = HeaderMap::new();
    if let Ok(value) = HeaderValue::from_str(etag) {
        headers.insert(header::ETAG, value);
    }
    if let Ok(value) = HeaderValue::from_str(&format!("public, max-age={MAX_AGE_S}")) {
        headers.insert(header::CACHE_CONTROL, value);
    }
    headers
}
