//! The OpenAPI 3.1 document, generated from the route and parameter
//! definitions by utoipa.

use axum::Json;
use utoipa::OpenApi;

use super::routes::{coverage, data, isochrones, nearest};

/// The API's OpenAPI description.
#[derive(OpenApi)]
#[openapi(
    info(title = "reach", description = "Travel-time reach of rider service stations: isochrones, service circles, coverage and gaps, nearest facilities. Every geometry answer is a GeoJSON FeatureCollection (RFC 7946); every failure is a JSON body { \"error\": code, \"message\": text }."),
    paths(
        data::meta, data::get_layer, data::put_layer, data::roads,
        isochrones::isochrones, isochrones::service_circles,
        coverage::coverage, coverage::gaps, coverage::catchments, coverage::coverage_roads, coverage::tile,
        nearest::nearest_one, nearest::nearest_batch,
    ),
    tags(
        (name = "data", description = "What is loaded"),
        (name = "isochrones", description = "Isochrones and service circles"),
        (name = "coverage", description = "Coverage, gaps and catchments"),
        (name = "riders", description = "Nearest facilities"),
    )
)]
pub struct ApiDoc;

/// `GET /api/v1/openapi.json`.
pub async fn document() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
