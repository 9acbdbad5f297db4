//! Serving the roads with their coverage (Heidelberg, stations, 10 and 15
//! minutes) as GeoJSON, as FlatGeobuf and as the vector tiles of one zoom
//! level, through the HTTP router itself (no network): time and payload.
//!
//! Run: `cargo run --release -p reach-benches --bin formats_latency -- [EXTRACT] [--zoom 14]`.

use std::sync::Arc;
use std::time::Instant;

use axum::body::Body;
use axum::http::{Request, header};
use http_body_util::BodyExt;
use reach_benches::{ebike_extract_and_engine, median_p99};
use reach_server::http::{AppState, Limits, app};
use tower::ServiceExt;

/// Time in milliseconds and body size of one request; `gzip` asks for it.
async fn fetch(router: &axum::Router, uri: &str, gzip: bool) -> (f64, usize) {
    let mut request = Request::get(uri);
    if gzip {
        request = request.header(header::ACCEPT_ENCODING, "gzip");
    }
    let clock = Instant::now();
    let response = router.clone().oneshot(request.body(Body::empty()).expect("request")).await.expect("answer");
    assert!(response.status().is_success(), "{uri}: {}", response.status());
    let body = response.into_body().collect().await.expect("body").to_bytes();
    (clock.elapsed().as_secs_f64() * 1e3, body.len())
}

/// The XYZ tile holding `[lon, lat]` at zoom `z`.
fn tile_of([lon, lat]: [f64; 2], z: u32) -> (u32, u32) {
    let n = f64::from(1u32 << z);
    let lat = lat.to_radians();
    let x = ((lon + 180.0) / 360.0 * n).floor();
    let y = ((1.0 - (lat.tan() + 1.0 / lat.cos()).ln() / std::f64::consts::PI) / 2.0 * n).floor();
    (x as u32, y as u32)
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let name =
        args.iter().find(|a| !a.starts_with("--") && a.parse::<u32>().is_err()).cloned().unwrap_or("heidelberg".into());
    let zoom: u32 = args.iter().position(|a| a == "--zoom").and_then(|i| args.get(i + 1)?.parse().ok()).unwrap_or(14);
    let (extract, engine) = ebike_extract_and_engine(&name);
    let state = Arc::new(AppState::new(Limits::default(), None));
    state.publish(extract, engine);
    let router = app(state.clone());
    let (coverage_ms, _) = fetch(&router, "/api/v1/coverage", false).await;
    println!("{name}: coverage (stations, 10 and 15 min) computed once in {coverage_ms:.0} ms, then shared");
    for (label, uri) in [
        ("GeoJSON", "/api/v1/coverage/roads"),
        ("GeoJSON (cached), gzip", "/api/v1/coverage/roads"),
        ("FlatGeobuf", "/api/v1/coverage/roads?format=fgb"),
        ("FlatGeobuf (cached), gzip", "/api/v1/coverage/roads?format=fgb"),
    ] {
        let (ms, bytes) = fetch(&router, uri, label.ends_with("gzip")).await;
        println!("roads with coverage as {label:<26} {ms:>8.1} ms  {:>8.1} MB", bytes as f64 / 1e6);
    }
    let snapshot = state.snapshot().expect("loaded");
    let graph = &snapshot.engine.graph;
    let (mut min, mut max) = ((u32::MAX, u32::MAX), (0, 0));
    for node in 0..graph.node_count() as u32 {
        let (x, y) = tile_of(graph.node_lon_lat(node), zoom);
        min = (min.0.min(x), min.1.min(y));
        max = (max.0.max(x), max.1.max(y));
    }
    let mut micros = Vec::new();
    let (mut bytes, mut with_roads, mut largest) = (0usize, 0usize, 0usize);
    for x in min.0..=max.0 {
        for y in min.1..=max.1 {
            let (ms, size) = fetch(&router, &format!("/api/v1/tiles/{zoom}/{x}/{y}.mvt"), false).await;
            micros.push(ms * 1e3);
            bytes += size;
            largest = largest.max(size);
            with_roads += usize::from(size > 20);
        }
    }
    let tiles = micros.len();
    let total_ms: f64 = micros.iter().sum::<f64>() / 1e3;
    let (median, p99) = median_p99(micros.clone());
    let worst = micros.iter().copied().fold(0.0, f64::max);
    println!(
        "zoom {zoom}: {tiles} tiles ({with_roads} with roads), median {:.2} ms, p99 {:.2} ms, max {:.2} ms, all {total_ms:.0} ms on one thread; {:.1} MB in all, largest {:.0} kB",
        median / 1e3,
        p99 / 1e3,
        worst / 1e3,
        bytes as f64 / 1e6,
        largest as f64 / 1e3
    );
}
