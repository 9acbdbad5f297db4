//! The HTTP API: every route under `/api/v1`, answering GeoJSON or JSON,
//! with CORS, compression, request ids, limits and JSON errors; the web map
//! at `/`.
//!
//! [`app`] builds the router from a shared [`AppState`]; `reach serve` binds
//! it to an address, and the tests call it directly.

mod error;
mod openapi;
mod params;
mod respond;
mod routes;
mod state;
mod web;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use axum::error_handling::HandleErrorLayer;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderName, HeaderValue, Method, Request, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{BoxError, Json, Router};
use serde_json::json;
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::cors::{Any, CorsLayer};
use tower_http::request_id::{MakeRequestId, PropagateRequestIdLayer, RequestId, SetRequestIdLayer};
use tower_http::trace::TraceLayer;

pub use error::ApiError;
pub use routes::coverage::{CoverageParams, compute as compute_coverage};
pub use state::{AppState, Limits, Snapshot};
pub use web::default_vendor_dir;

/// The header that carries each request's id.
const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The router of the whole server.
pub fn app(state: Arc<AppState>) -> Router {
    let limits = state.limits;
    let api = Router::new()
        .route("/meta", get(routes::data::meta))
        .route("/layers/{layer}", get(routes::data::get_layer).put(routes::data::put_layer))
        .route("/roads", get(routes::data::roads).post(routes::data::roads))
        .route("/isochrones", get(routes::isochrones::isochrones).post(routes::isochrones::isochrones))
        .route("/service-circles", get(routes::isochrones::service_circles).post(routes::isochrones::service_circles))
        .route("/coverage", get(routes::coverage::coverage).post(routes::coverage::coverage))
        .route("/gaps", get(routes::coverage::gaps).post(routes::coverage::gaps))
        .route("/catchments", get(routes::coverage::catchments).post(routes::coverage::catchments))
        .route("/coverage/roads", get(routes::coverage::coverage_roads).post(routes::coverage::coverage_roads))
        .route("/tiles/{z}/{x}/{y}", get(routes::coverage::tile))
        .route("/nearest", get(routes::nearest::nearest_one).post(routes::nearest::nearest_one))
        .route("/nearest/batch", post(routes::nearest::nearest_batch))
        .route("/openapi.json", get(openapi::document));
    let guarded = ServiceBuilder::new()
        .layer(HandleErrorLayer::new(overload_or_timeout))
        .load_shed()
        .concurrency_limit(limits.concurrent_requests)
        .timeout(Duration::from_secs(limits.request_seconds));
    Router::new()
        .nest("/api/v1", api)
        .route("/health", get(health))
        .route("/ready", get(ready))
        .merge(web::routes(state.vendor_dir.clone()))
        .fallback(no_such_route)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(limits.body_bytes))
        .layer(guarded)
        .layer(CompressionLayer::new())
        .layer(
            CorsLayer::new()
                .allow_origin(Any)
                .allow_methods([Method::GET, Method::POST, Method::PUT])
                .allow_headers(Any)
                .expose_headers([header::ETAG, REQUEST_ID]),
        )
        .layer(CatchPanicLayer::custom(|_| ApiError::internal("the request failed unexpectedly").into_response()))
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(TraceLayer::new_for_http().make_span_with(|request: &Request<_>| {
            let id = request.headers().get(REQUEST_ID).and_then(|v| v.to_str().ok()).unwrap_or("-");
            tracing::info_span!("request", id = %id, method = %request.method(), uri = %request.uri())
        }))
        .layer(SetRequestIdLayer::new(REQUEST_ID, Counter::default()))
        .with_state(state)
}

/// Request ids: a counter, unique within a run.
#[derive(Debug, Clone, Default)]
struct Counter(Arc<AtomicU64>);

impl MakeRequestId for Counter {
    fn make_request_id<B>(&mut self, _: &Request<B>) -> Option<RequestId> {
        let id = self.0.fetch_add(1, Ordering::Relaxed) + 1;
        HeaderValue::from_str(&id.to_string()).ok().map(RequestId::new)
    }
}

/// The JSON error for a request refused by the limits: 408 when it took
/// longer than the request time limit, 429 (with `Retry-After`) when too
/// many requests run at once.
async fn overload_or_timeout(error: BoxError) -> Response {
    if error.is::<tower::timeout::error::Elapsed>() {
        let message = "the request took longer than the request_seconds limit (see /api/v1/meta)";
        return ApiError { status: StatusCode::REQUEST_TIMEOUT, code: "timeout", message: message.into() }
            .into_response();
    }
    if error.is::<tower::load_shed::error::Overloaded>() {
        let message = "too many requests at once (the concurrent_requests limit, see /api/v1/meta); retry shortly";
        let refusal = ApiError { status: StatusCode::TOO_MANY_REQUESTS, code: "overloaded", message: message.into() };
        return ([(header::RETRY_AFTER, "1")], refusal).into_response();
    }
    ApiError::internal(error.to_string()).into_response()
}

/// Liveness: the process answers.
async fn health() -> Json<serde_json::Value> {
    Json(json!({ "status": "ok" }))
}

/// Readiness: the data is loaded and the API answers.
async fn ready(State(app): State<Arc<AppState>>) -> Response {
    match app.snapshot() {
        Ok(s) => Json(json!({ "status": "ready", "version": s.version })).into_response(),
        Err(error) => error.into_response(),
    }
}

async fn no_such_route() -> ApiError {
    ApiError::not_found("no such route; the API is under /api/v1 (see /api/v1/openapi.json)")
}

async fn method_not_allowed() -> ApiError {
    ApiError {
        status: StatusCode::METHOD_NOT_ALLOWED,
        code: "method_not_allowed",
        message: "this route does not take that method (see /api/v1/openapi.json)".into(),
    }
}
