//! The web map at `/`: the page, its script and style (built into the
//! binary), and MapLibre GL JS from the npm install in `server/web`
//! (`bash scripts/install-web.sh`), all served by this server.

use std::path::PathBuf;

use axum::Router;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use tower_http::services::ServeDir;

use super::error::ApiError;

/// Where MapLibre GL JS is installed by default: the npm install beside the
/// sources.
pub fn default_vendor_dir() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/web/node_modules/maplibre-gl/dist"))
}

/// The routes of the web map; MapLibre's files come from `vendor_dir`.
pub fn routes<S: Clone + Send + Sync + 'static>(vendor_dir: PathBuf) -> Router<S> {
    let vendor = ServeDir::new(vendor_dir).not_found_service(get(missing_vendor));
    Router::new()
        .route("/", get(|| page("text/html; charset=utf-8", include_str!("../../web/index.html"))))
        .route("/app.js", get(|| page("text/javascript; charset=utf-8", include_str!("../../web/app.js"))))
        .route("/app.css", get(|| page("text/css; charset=utf-8", include_str!("../../web/app.css"))))
        .route("/favicon.ico", get(|| page("image/svg+xml", include_str!("../../web/favicon.svg"))))
        .nest_service("/vendor/maplibre-gl", vendor)
}

async fn page(content_type: &'static str, text: &'static str) -> impl IntoResponse {
    ([(header::CONTENT_TYPE, content_type)], text)
}

async fn missing_vendor() -> ApiError {
    ApiError::not_found("this file of MapLibre GL JS is not installed: run bash scripts/install-web.sh")
}
