//! Median and p99 latency of one 15-minute e-bike isochrone answered over
//! HTTP, through the router itself (no network): the search and polygon,
//! the GeoJSON features and their serialization, from random road points
//! (each a new request, so the result cache does not answer).
//!
//! Run: `cargo run --release -p reach-benches --bin isochrone_http_latency -- [EXTRACT ...]`.

use std::sync::Arc;
use std::time::Instant;

use axum::body::Body;
use axum::http::Request;
use http_body_util::BodyExt;
use reach_benches::{ebike_extract_and_engine, extract_names, median_p99, random_road_points};
use reach_server::http::{AppState, Limits, app};
use tower::ServiceExt;

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    println!("extract      queries  median_ms  p99_ms  body_kB  (GET /api/v1/isochrones?lon&lat&minutes=15)");
    for name in extract_names(&args, &[]) {
        let (extract, engine) = ebike_extract_and_engine(&name);
        let points = random_road_points(&engine, 200, 42);
        let state = Arc::new(AppState::new(Limits::default(), None));
        state.publish(extract, engine);
        let router = app(state);
        let mut millis = Vec::with_capacity(points.len());
        let mut bytes = 0;
        for p in &points {
            let uri = format!("/api/v1/isochrones?lon={:.7}&lat={:.7}&minutes=15", p.lon_lat[0], p.lon_lat[1]);
            let clock = Instant::now();
            let request = Request::get(&uri).body(Body::empty()).expect("request");
            let response = router.clone().oneshot(request).await.expect("answer");
            assert!(response.status().is_success(), "{uri}: {}", response.status());
            let body = response.into_body().collect().await.expect("body").to_bytes();
            millis.push(clock.elapsed().as_secs_f64() * 1e3);
            bytes += body.len();
        }
        let (median, p99) = median_p99(millis);
        println!("{name:<12} {:>7}  {median:>9.2}  {p99:>6.2}  {:>7}", points.len(), bytes / points.len() / 1000);
    }
}
