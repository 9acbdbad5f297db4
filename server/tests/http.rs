//! The HTTP API on the bundled sample, through the router itself: every
//! route, every limit and every error path (status, content type, body),
//! ETags, layer reload, and GDAL reading every GeoJSON answer.

use std::path::Path;
use std::process::Command;
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use http_body_util::BodyExt;
use reach_engine::{Engine, Extract, ExtractOptions, Profiles};
use reach_server::http::{AppState, Limits, app};
use serde_json::{Value, json};
use tower::ServiceExt;

const SAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../data/helsinki.osm.pbf");
const SAMPLE_CSV: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../data/helsinki-stations.csv");
const TOKEN: &str = "s3cret";

/// The sample with the city's stations only, served with `limits`.
fn server(limits: Limits, token: Option<&str>) -> Router {
    let options = ExtractOptions { osm_facilities: false, layer_files: vec![SAMPLE_CSV.into()], ..Default::default() };
    let extract = Extract::read(Path::new(SAMPLE), &options, &|_| {}).expect("the sample loads");
    let profiles = Profiles::default();
    let engine = Engine::build(&extract, profiles.get("ebike").unwrap(), 300.0, &|_| {}).expect("engine");
    let state = Arc::new(AppState::new(limits, token.map(str::to_string)));
    state.publish(extract, engine);
    app(state)
}

/// One answer: status, content type, headers and body.
struct Reply {
    status: StatusCode,
    content_type: String,
    headers: axum::http::HeaderMap,
    body: Vec<u8>,
}

impl Reply {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }

    /// Asserts a JSON error with this status and code, and returns its message.
    fn error(&self, status: StatusCode, code: &str) -> String {
        assert_eq!(self.status, status, "{}", String::from_utf8_lossy(&self.body));
        assert_eq!(self.content_type, "application/json");
        let body = self.json();
        assert_eq!(body["error"], code, "{body}");
        body["message"].as_str().expect("a message").to_string()
    }

    /// Asserts a GeoJSON FeatureCollection and returns its features.
    fn features(&self) -> Vec<Value> {
        assert_eq!(self.status, StatusCode::OK, "{}", String::from_utf8_lossy(&self.body));
        assert_eq!(self.content_type, "application/geo+json");
        let body = self.json();
        assert_eq!(body["type"], "FeatureCollection");
        body["features"].as_array().expect("features").clone()
    }
}

async fn send(router: &Router, request: Request<Body>) -> Reply {
    let response = router.clone().oneshot(request).await.expect("the router answers");
    let status = response.status();
    let headers = response.headers().clone();
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    let body = response.into_body().collect().await.expect("a body").to_bytes().to_vec();
    Reply { status, content_type, headers, body }
}

async fn get(router: &Router, uri: &str) -> Reply {
    send(router, Request::get(uri).body(Body::empty()).unwrap()).await
}

async fn post(router: &Router, uri: &str, body: Value) -> Reply {
    let request =
        Request::post(uri).header(header::CONTENT_TYPE, "application/json").body(Body::from(body.to_string()));
    send(router, request.unwrap()).await
}

async fn put(router: &Router, uri: &str, token: Option<&str>, content_type: &str, body: &str) -> Reply {
    let mut request = Request::put(uri).header(header::CONTENT_TYPE, content_type);
    if let Some(token) = token {
        request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
    }
    send(router, request.body(Body::from(body.to_string())).unwrap()).await
}

#[tokio::test]
async fn health_ready_and_loading() {
    let state = Arc::new(AppState::new(Limits::default(), None));
    let router = app(state);
    assert_eq!(get(&router, "/health").await.json()["status"], "ok");
    get(&router, "/ready").await.error(StatusCode::SERVICE_UNAVAILABLE, "loading");
    get(&router, "/api/v1/nearest?lon=24.94&lat=60.169").await.error(StatusCode::SERVICE_UNAVAILABLE, "loading");
    let router = server(Limits::default(), None);
    let ready = get(&router, "/ready").await;
    assert_eq!((ready.status, ready.json()["status"].as_str()), (StatusCode::OK, Some("ready")));
    assert!(ready.headers.contains_key("x-request-id"));
}

#[tokio::test]
async fn meta_describes_the_extract_the_layers_and_the_limits() {
    let router = server(Limits::default(), None);
    let reply = get(&router, "/api/v1/meta").await;
    assert_eq!((reply.status, reply.content_type.as_str()), (StatusCode::OK, "application/json"));
    let meta = reply.json();
    assert!(meta["extract"].as_str().unwrap().ends_with("helsinki.osm.pbf"));
    assert_eq!(meta["profile"], "ebike");
    assert_eq!(meta["layers"]["stations"]["facilities"], 4);
    let bbox: Vec<f64> = meta["bbox"].as_array().unwrap().iter().map(|v| v.as_f64().unwrap()).collect();
    assert!(bbox[0] > 24.9 && bbox[2] < 25.0 && bbox[1] > 60.1 && bbox[3] < 60.2, "{bbox:?}");
    assert_eq!(meta["limits"]["k"], 50);
    assert_eq!(meta["limits"]["contours"], 16);
    assert_eq!(meta["writes"], false);
    assert!(meta["attribution"].as_str().unwrap().contains("OpenStreetMap contributors"));
}

#[tokio::test]
async fn layers_and_roads() {
    let router = server(Limits { roads: 50, ..Limits::default() }, None);
    let stations = get(&router, "/api/v1/layers/stations").await.features();
    assert_eq!(stations.len(), 4);
    assert_eq!(stations[0]["geometry"]["type"], "Point");
    assert!(get(&router, "/api/v1/layers/parking").await.features().len() == 2);
    let message = get(&router, "/api/v1/layers/depots").await.error(StatusCode::NOT_FOUND, "not_found");
    assert!(message.contains("known layers: stations, merchants, parking"), "{message}");

    let roads = get(&router, "/api/v1/roads?bbox=24.9440,60.1710,24.9450,60.1715").await.features();
    assert!(!roads.is_empty());
    let by_post = post(&router, "/api/v1/roads", json!({"bbox": "24.9440,60.1710,24.9450,60.1715"})).await.features();
    assert_eq!(by_post, roads);
    for road in &roads {
        assert_eq!(road["geometry"]["type"], "LineString");
        assert!(road["properties"]["time_s"].as_f64().unwrap() > 0.0);
    }
    let message =
        get(&router, "/api/v1/roads?bbox=24.90,60.10,25.0,60.2").await.error(StatusCode::BAD_REQUEST, "limit_exceeded");
    assert!(message.contains("the limit is 50"), "{message}");
    for bad in ["1,2,3", "a,b,c,d", "24.95,60.17,24.94,60.16", "24.9,91,25,92"] {
        get(&router, &format!("/api/v1/roads?bbox={bad}")).await.error(StatusCode::BAD_REQUEST, "bad_request");
    }
    get(&router, "/api/v1/roads").await.error(StatusCode::BAD_REQUEST, "bad_request");
}

#[tokio::test]
async fn isochrones_of_a_facility_or_a_point_by_get_or_post() {
    let router = server(Limits::default(), None);
    let features = get(&router, "/api/v1/isochrones?facility=hel-st-01&minutes=2,4").await.features();
    let minutes: Vec<f64> = features.iter().map(|f| f["properties"]["minutes"].as_f64().unwrap()).collect();
    assert_eq!(minutes, [4.0, 2.0], "largest contour first");
    assert!(features.iter().all(|f| f["geometry"]["type"] == "MultiPolygon"));
    assert_eq!(features[0]["properties"]["facility"], "hel-st-01");
    let by_post =
        post(&router, "/api/v1/isochrones", json!({"facility": "hel-st-01", "minutes": [2, 4]})).await.features();
    assert_eq!(by_post, features, "GET and POST answer alike");
    let network = get(&router, "/api/v1/isochrones?lon=24.94&lat=60.169&minutes=3&network=true&direction=from").await;
    let network = network.features();
    assert_eq!(network.len(), 1);
    assert_eq!(network[0]["geometry"]["type"], "MultiLineString");
    assert_eq!(network[0]["properties"]["direction"], "from");

    let cases = [
        ("facility=nope", StatusCode::NOT_FOUND, "not_found", "no facility has the id \"nope\""),
        ("lon=25.5&lat=60.17", StatusCode::UNPROCESSABLE_ENTITY, "not_on_network", "the nearest routable road is"),
        ("lon=24.94", StatusCode::BAD_REQUEST, "bad_request", "give either facility=ID or both lon and lat"),
        ("facility=hel-st-01&minutes=0", StatusCode::BAD_REQUEST, "bad_request", "contour 0 is not a number"),
        ("facility=hel-st-01&minutes=121", StatusCode::BAD_REQUEST, "bad_request", "(0, 120]"),
        (
            "facility=hel-st-01&minutes=1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17",
            StatusCode::BAD_REQUEST,
            "limit_exceeded",
            "17 contours asked for; the limit is 16",
        ),
        ("facility=hel-st-01&buffer_m=5", StatusCode::BAD_REQUEST, "bad_request", "buffer 5 m is outside"),
        ("facility=hel-st-01&direction=sideways", StatusCode::BAD_REQUEST, "bad_request", "the query string"),
        ("lon=24.94&lat=91", StatusCode::UNPROCESSABLE_ENTITY, "not_on_network", "latitude 91"),
    ];
    for (query, status, code, expected) in cases {
        let message = get(&router, &format!("/api/v1/isochrones?{query}")).await.error(status, code);
        assert!(message.contains(expected), "{query}: {message}");
    }
    let message = post(&router, "/api/v1/isochrones", json!({"minutes": "ten"}))
        .await
        .error(StatusCode::BAD_REQUEST, "bad_request");
    assert!(message.contains("the JSON body"), "{message}");
}

#[tokio::test]
async fn service_circles_coverage_gaps_and_catchments() {
    let router = server(Limits::default(), None);
    let circles = get(&router, "/api/v1/service-circles?minutes=2,4").await.features();
    assert_eq!(circles.len(), 2);
    assert!(circles.iter().all(|c| c["properties"]["kind"] == "service_circle" && c["properties"]["facilities"] == 4));
    let message =
        get(&router, "/api/v1/service-circles?layer=depots").await.error(StatusCode::BAD_REQUEST, "bad_request");
    assert!(message.contains("unknown layer"), "{message}");

    let reply = get(&router, "/api/v1/coverage?minutes=2,4").await;
    assert_eq!((reply.status, reply.content_type.as_str()), (StatusCode::OK, "application/json"));
    let summary = reply.json();
    assert_eq!(summary["facilities"], 4);
    let contours = summary["contours"].as_array().unwrap();
    assert_eq!(contours.len(), 2);
    assert_eq!(contours[0]["full_coverage"], false, "2 minutes leave gaps on the sample");
    let gaps = get(&router, "/api/v1/gaps?minutes=2,4").await.features();
    assert_eq!(gaps.len() as u64, contours.iter().map(|c| c["gaps"].as_u64().unwrap()).sum::<u64>());
    assert!(gaps.iter().all(|g| g["geometry"]["type"] == "MultiLineString"));
    let areas = get(&router, "/api/v1/gaps?minutes=2,4&areas=true").await.features();
    assert!(areas.iter().all(|g| g["geometry"]["type"] == "MultiPolygon"));
    let catchments = get(&router, "/api/v1/catchments?minutes=2,4").await.features();
    assert_eq!(catchments.len(), 4);
    let night = get(&router, "/api/v1/coverage?at=2026-11-25T02:00").await.json();
    assert_eq!(night["facilities"], 1, "only the 24/7 station is open at 2 am");
    let by_post = post(&router, "/api/v1/coverage", json!({"minutes": [2, 4]})).await.json();
    assert_eq!(by_post, summary);

    for (query, expected) in [
        ("layer=depots", "unknown layer"),
        ("amenity=teleport", "unknown amenity"),
        ("at=tonight", "does not parse"),
        ("area=Atlantis", "Atlantis"),
        ("unknown_hours=maybe", "use open or closed"),
    ] {
        let message =
            get(&router, &format!("/api/v1/coverage?{query}")).await.error(StatusCode::BAD_REQUEST, "bad_request");
        assert!(message.contains(expected), "{query}: {message}");
    }
}

#[tokio::test]
async fn nearest_for_one_rider_and_for_a_batch() {
    let router = server(Limits { batch_points: 3, ..Limits::default() }, None);
    let reply = get(&router, "/api/v1/nearest?lon=24.94&lat=60.169&k=2&layer=stations").await;
    let features = reply.features();
    let ids: Vec<&str> = features.iter().map(|f| f["properties"]["facility"].as_str().unwrap()).collect();
    assert_eq!(ids, ["hel-st-02", "hel-st-01"]);
    assert!(features.iter().all(|f| f["geometry"]["type"] == "LineString"));
    let body = reply.json();
    assert_eq!(body["shortfall"], Value::Null);
    assert_eq!(body["from"], json!([24.94, 60.169]));
    let night = post(
        &router,
        "/api/v1/nearest",
        json!({"lon": 24.94, "lat": 60.169, "layer": ["stations"], "open_at": "2026-11-25T02:00"}),
    )
    .await;
    assert_eq!(night.features().len(), 1);
    assert_eq!(night.json()["shortfall"], "only 1 matching facilities within 60 minutes");

    let cases = [
        ("lon=24.94&lat=60.169&k=0", StatusCode::BAD_REQUEST, "limit_exceeded", "k = 0 is outside 1..=50"),
        ("lon=24.94&lat=60.169&k=51", StatusCode::BAD_REQUEST, "limit_exceeded", "k = 51"),
        ("lon=24.94&lat=60.169&max_minutes=500", StatusCode::BAD_REQUEST, "limit_exceeded", "(0, 120]"),
        ("lon=24.94&lat=60.169&amenity=teleport", StatusCode::BAD_REQUEST, "bad_request", "known amenities"),
        ("lon=24.94&lat=60.169&layer=depots", StatusCode::BAD_REQUEST, "bad_request", "known layers"),
        ("lon=24.94&lat=60.169&open_at=tonight", StatusCode::BAD_REQUEST, "bad_request", "does not parse"),
        ("lon=25.5&lat=60.17", StatusCode::UNPROCESSABLE_ENTITY, "not_on_network", "m away"),
        ("lon=24.94", StatusCode::BAD_REQUEST, "bad_request", "lon and lat"),
        ("lon=east&lat=60", StatusCode::BAD_REQUEST, "bad_request", "the query string"),
    ];
    for (query, status, code, expected) in cases {
        let message = get(&router, &format!("/api/v1/nearest?{query}")).await.error(status, code);
        assert!(message.contains(expected), "{query}: {message}");
    }

    let riders = json!({"riders": [{"id": "a", "lon": 24.94, "lat": 60.169}, {"lon": 24.90, "lat": 60.10}], "k": 1, "layer": "stations"});
    let rows = post(&router, "/api/v1/nearest/batch", riders).await.features();
    assert_eq!(rows.len(), 2);
    assert_eq!(
        (rows[0]["properties"]["rider"].as_str(), rows[0]["properties"]["facility"].as_str()),
        (Some("a"), Some("hel-st-02"))
    );
    assert_eq!(rows[1]["properties"]["rider"], "2");
    assert!(rows[1]["properties"]["reason"].as_str().unwrap().contains("not snapped"));
    let too_many = json!({"riders": [{"lon": 24.94, "lat": 60.169}, {"lon": 24.94, "lat": 60.169}, {"lon": 24.94, "lat": 60.169}, {"lon": 24.94, "lat": 60.169}]});
    let message =
        post(&router, "/api/v1/nearest/batch", too_many).await.error(StatusCode::BAD_REQUEST, "limit_exceeded");
    assert!(message.contains("4 riders in one batch; the limit is 3"), "{message}");
    let bad = json!({"riders": [{"lon": 24.94, "lat": 91.0}]});
    let message = post(&router, "/api/v1/nearest/batch", bad).await.error(StatusCode::BAD_REQUEST, "bad_request");
    assert!(message.contains("rider 1: latitude 91"), "{message}");
    get(&router, "/api/v1/nearest/batch").await.error(StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed");
}

#[tokio::test]
async fn etags_answer_304_until_the_data_changes() {
    let router = server(Limits::default(), Some(TOKEN));
    let first = get(&router, "/api/v1/service-circles?minutes=3").await;
    let etag = first.headers.get(header::ETAG).expect("an ETag").to_str().unwrap().to_string();
    assert_eq!(first.headers.get(header::CACHE_CONTROL).unwrap(), "public, max-age=60");
    let again =
        Request::get("/api/v1/service-circles?minutes=3").header(header::IF_NONE_MATCH, &etag).body(Body::empty());
    let again = send(&router, again.unwrap()).await;
    assert_eq!(again.status, StatusCode::NOT_MODIFIED);
    assert!(again.body.is_empty());
    let csv = "id,layer,lon,lat\nnew-1,stations,24.9442,60.1712\n";
    assert_eq!(put(&router, "/api/v1/layers/stations", Some(TOKEN), "text/csv", csv).await.status, StatusCode::OK);
    let after =
        Request::get("/api/v1/service-circles?minutes=3").header(header::IF_NONE_MATCH, &etag).body(Body::empty());
    let after = send(&router, after.unwrap()).await;
    assert_eq!(after.status, StatusCode::OK, "a reload changes every ETag");
    assert_eq!(after.json()["features"][0]["properties"]["facilities"], 1);
}

#[tokio::test]
async fn layer_uploads_need_the_token_and_are_checked_whole() {
    let closed = server(Limits::default(), None);
    let csv = "id,layer,lon,lat\nn1,merchants,24.94,60.169\n";
    put(&closed, "/api/v1/layers/merchants", Some(TOKEN), "text/csv", csv)
        .await
        .error(StatusCode::FORBIDDEN, "writes_disabled");

    let router = server(Limits::default(), Some(TOKEN));
    put(&router, "/api/v1/layers/merchants", None, "text/csv", csv)
        .await
        .error(StatusCode::UNAUTHORIZED, "unauthorized");
    put(&router, "/api/v1/layers/merchants", Some("guess"), "text/csv", csv)
        .await
        .error(StatusCode::UNAUTHORIZED, "unauthorized");
    let bad = "id,layer,lon,lat\nn1,merchants,24.94,91\nn2,merchants,east,60\n";
    let message = put(&router, "/api/v1/layers/merchants", Some(TOKEN), "text/csv", bad)
        .await
        .error(StatusCode::BAD_REQUEST, "bad_request");
    assert!(message.contains("2 bad row(s)") && message.contains("line 2: latitude 91"), "{message}");
    let stray = "id,layer,lon,lat\nn1,stations,24.94,60.169\n";
    let message = put(&router, "/api/v1/layers/merchants", Some(TOKEN), "text/csv", stray)
        .await
        .error(StatusCode::BAD_REQUEST, "bad_request");
    assert!(message.contains("every row must be in layer merchants"), "{message}");
    let kept = get(&router, "/api/v1/layers/merchants").await.features();
    assert_eq!(kept.len(), 1, "a bad upload leaves the old layer serving");
    assert_eq!(kept[0]["properties"]["id"], "hel-mc-01");

    let reply = put(&router, "/api/v1/layers/merchants", Some(TOKEN), "text/csv", csv).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", String::from_utf8_lossy(&reply.body));
    assert_eq!(reply.json()["counts"]["facilities"], 1);
    let geojson = json!({"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [24.945, 60.17]}, "properties": {"id": "g1", "layer": "merchants"}},
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [24.946, 60.17]}, "properties": {"id": "g2", "layer": "merchants"}}]});
    let reply =
        put(&router, "/api/v1/layers/merchants", Some(TOKEN), "application/geo+json", &geojson.to_string()).await;
    assert_eq!(reply.status, StatusCode::OK);
    let now: Vec<String> = get(&router, "/api/v1/layers/merchants")
        .await
        .features()
        .iter()
        .map(|f| f["properties"]["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(now, ["g1", "g2"]);
    assert_eq!(get(&router, "/api/v1/layers/stations").await.features().len(), 4, "other layers stay");
}

#[tokio::test]
async fn limits_overload_timeouts_and_protocol_details() {
    let small = server(Limits { body_bytes: 64, ..Limits::default() }, Some(TOKEN));
    let big =
        json!({"lon": 24.94, "lat": 60.169, "layer": ["stations", "stations", "stations", "stations", "stations"]});
    post(&small, "/api/v1/nearest", big).await.error(StatusCode::PAYLOAD_TOO_LARGE, "limit_exceeded");
    let csv = format!("id,layer,lon,lat\n{}", "x,stations,24.94,60.169\n".repeat(10));
    put(&small, "/api/v1/layers/stations", Some(TOKEN), "text/csv", &csv)
        .await
        .error(StatusCode::PAYLOAD_TOO_LARGE, "limit_exceeded");

    let shut = server(Limits { concurrent_requests: 0, ..Limits::default() }, None);
    let message = get(&shut, "/api/v1/meta").await;
    assert_eq!(message.headers.get(header::RETRY_AFTER).unwrap(), "1");
    let message = message.error(StatusCode::TOO_MANY_REQUESTS, "overloaded");
    assert!(message.contains("concurrent_requests"), "{message}");
    let hasty = server(Limits { request_seconds: 0, ..Limits::default() }, None);
    // The limit is checked when the runtime next wakes, so on a busy machine
    // a quick answer may still come first: the slowest request, a few times.
    let slow = "/api/v1/service-circles?minutes=30,60,90,120&buffer_m=10";
    let mut timed_out = None;
    for _ in 0..10 {
        let reply = get(&hasty, slow).await;
        if reply.status != StatusCode::OK {
            timed_out = Some(reply);
            break;
        }
    }
    let message = timed_out.expect("a 408 in ten tries").error(StatusCode::REQUEST_TIMEOUT, "timeout");
    assert!(message.contains("request_seconds"), "{message}");

    let router = server(Limits::default(), None);
    get(&router, "/nowhere").await.error(StatusCode::NOT_FOUND, "not_found");
    let delete = send(&router, Request::delete("/api/v1/meta").body(Body::empty()).unwrap()).await;
    delete.error(StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed");
    let preflight = Request::builder()
        .method(Method::OPTIONS)
        .uri("/api/v1/nearest")
        .header(header::ORIGIN, "https://map.example")
        .header(header::ACCESS_CONTROL_REQUEST_METHOD, "GET")
        .body(Body::empty())
        .unwrap();
    let preflight = send(&router, preflight).await;
    assert_eq!(preflight.headers.get(header::ACCESS_CONTROL_ALLOW_ORIGIN).unwrap(), "*");
    let zipped = Request::get("/api/v1/layers/stations").header(header::ACCEPT_ENCODING, "gzip").body(Body::empty());
    let zipped = send(&router, zipped.unwrap()).await;
    assert_eq!(zipped.headers.get(header::CONTENT_ENCODING).unwrap(), "gzip");
}

#[tokio::test]
async fn requests_and_answers_in_chinese_map_coordinates() {
    let extract = Extract::read(
        Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/data/chengdu.osm.pbf")),
        &ExtractOptions::default(),
        &|_| {},
    )
    .expect("Chengdu loads");
    let engine = Engine::build(&extract, Profiles::default().get("ebike").unwrap(), 300.0, &|_| {}).expect("engine");
    let state = Arc::new(AppState::new(Limits::default(), None));
    state.publish(extract, engine);
    let router = app(state);
    let wgs84 = [104.0657, 30.6570];
    for crs in [reach_engine::Crs::Gcj02, reach_engine::Crs::Bd09] {
        let p = crs.from_wgs84(wgs84);
        let plain = get(&router, &format!("/api/v1/nearest?lon={}&lat={}&k=1", wgs84[0], wgs84[1])).await.json();
        let local = get(&router, &format!("/api/v1/nearest?lon={}&lat={}&k=1&crs={crs}", p[0], p[1])).await;
        let local = local.json();
        assert_eq!(local["features"][0]["properties"]["facility"], plain["features"][0]["properties"]["facility"]);
        let at = |v: &Value| [v[0].as_f64().unwrap(), v[1].as_f64().unwrap()];
        let expected = crs.from_wgs84(at(&plain["snapped"]));
        let got = at(&local["snapped"]);
        assert!((got[0] - expected[0]).abs() < 1e-9 && (got[1] - expected[1]).abs() < 1e-9, "{crs}: {got:?}");
        let iso = get(&router, &format!("/api/v1/isochrones?lon={}&lat={}&minutes=3&crs={crs}", p[0], p[1])).await;
        let iso_plain = get(&router, &format!("/api/v1/isochrones?lon={}&lat={}&minutes=3", wgs84[0], wgs84[1])).await;
        let (iso, iso_plain) = (iso.features(), iso_plain.features());
        assert_eq!(iso[0]["properties"]["road_km"], iso_plain[0]["properties"]["road_km"], "{crs}: the same isochrone");
        let corner = at(&iso[0]["geometry"]["coordinates"][0][0][0]);
        let plain_corner = crs.from_wgs84(at(&iso_plain[0]["geometry"]["coordinates"][0][0][0]));
        assert!((corner[0] - plain_corner[0]).abs() < 1e-6 && (corner[1] - plain_corner[1]).abs() < 1e-6, "{crs}");
    }
    get(&router, "/api/v1/meta?crs=mars").await.error(StatusCode::BAD_REQUEST, "bad_request");
    let helsinki = server(Limits::default(), None);
    let same = get(&helsinki, "/api/v1/layers/stations?crs=gcj02").await.features();
    assert_eq!(same, get(&helsinki, "/api/v1/layers/stations").await.features(), "nothing moves outside China");
}

#[tokio::test]
async fn flatgeobuf_layers_and_vector_tiles_open_in_gdal() {
    let router = server(Limits::default(), None);
    let dir = std::env::temp_dir().join(format!("reach-http-formats-{}", std::process::id()));
    let geojson_count = |uri: &str| {
        let router = router.clone();
        let uri = uri.to_string();
        async move { get(&router, &uri).await.features().len() }
    };
    for (uri, geometry) in [
        ("/api/v1/coverage/roads?minutes=2,4", "Line String"),
        ("/api/v1/gaps?minutes=2,4", "Multi Line String"),
        ("/api/v1/gaps?minutes=2,4&areas=true", "Multi Polygon"),
        ("/api/v1/roads?bbox=24.9440,60.1710,24.9450,60.1715", "Line String"),
        ("/api/v1/gaps?minutes=10,15", "Multi Line String"),
    ] {
        let expected = geojson_count(uri).await;
        let reply = get(&router, &format!("{uri}&format=fgb")).await;
        assert_eq!((reply.status, reply.content_type.as_str()), (StatusCode::OK, "application/flatgeobuf"), "{uri}");
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("layer.fgb");
        std::fs::write(&path, &reply.body).unwrap();
        assert_eq!(ogrinfo(&path), (geometry.to_string(), expected), "{uri}");
    }
    let message = get(&router, "/api/v1/coverage/roads?format=shp").await.error(StatusCode::BAD_REQUEST, "bad_request");
    assert!(message.contains("format \"shp\" is not geojson or fgb"), "{message}");

    // Zoom 16 over Rautatientori; GDAL's MVT driver takes the tile
    // coordinates from the path.
    let reply = get(&router, "/api/v1/tiles/16/37308/18969.mvt?minutes=2,4").await;
    assert_eq!((reply.status, reply.content_type.as_str()), (StatusCode::OK, "application/vnd.mapbox-vector-tile"));
    let tile = dir.join("16/37308/18969.pbf");
    std::fs::create_dir_all(tile.parent().unwrap()).unwrap();
    std::fs::write(&tile, &reply.body).unwrap();
    let (geometry, count) = ogrinfo(&tile);
    assert_eq!(geometry, "Line String");
    assert!(count > 100, "{count} roads in the tile");
    let fields = Command::new("ogrinfo").args(["-ro", "-so", "-al"]).arg(&tile).output().unwrap();
    let fields = String::from_utf8_lossy(&fields.stdout);
    for field in ["time_s", "covered_2min", "facility", "highway"] {
        assert!(fields.contains(&format!("{field}: ")), "{field} missing from the tile's fields:\n{fields}");
    }
    let far = get(&router, "/api/v1/tiles/16/0/0.mvt").await;
    assert_eq!(far.status, StatusCode::OK, "a tile without roads is an empty tile");
    for (uri, status) in [
        ("/api/v1/tiles/23/0/0.mvt", StatusCode::BAD_REQUEST),
        ("/api/v1/tiles/2/4/0.mvt", StatusCode::BAD_REQUEST),
        ("/api/v1/tiles/2/1/1.png", StatusCode::NOT_FOUND),
        ("/api/v1/tiles/16/37308/18969.mvt?crs=gcj02", StatusCode::BAD_REQUEST),
    ] {
        let reply = get(&router, uri).await;
        assert_eq!(reply.status, status, "{uri}: {}", String::from_utf8_lossy(&reply.body));
        assert!(reply.json()["error"].as_str().is_some(), "{uri}");
    }
}

#[tokio::test]
async fn openapi_lists_every_route() {
    let router = server(Limits::default(), None);
    let document = get(&router, "/api/v1/openapi.json").await.json();
    assert!(document["openapi"].as_str().unwrap().starts_with("3.1"), "{}", document["openapi"]);
    let paths = document["paths"].as_object().unwrap();
    for path in [
        "/api/v1/meta",
        "/api/v1/layers/{layer}",
        "/api/v1/roads",
        "/api/v1/isochrones",
        "/api/v1/service-circles",
        "/api/v1/coverage",
        "/api/v1/gaps",
        "/api/v1/catchments",
        "/api/v1/nearest",
        "/api/v1/nearest/batch",
        "/api/v1/coverage/roads",
        "/api/v1/tiles/{z}/{x}/{y}.mvt",
    ] {
        assert!(paths.contains_key(path), "{path} missing from the OpenAPI document");
    }
    assert!(paths["/api/v1/layers/{layer}"].get("put").is_some());
    assert!(paths["/api/v1/nearest"].get("post").is_some());
}

/// `ogrinfo`'s geometry type and feature count of a file.
fn ogrinfo(path: &Path) -> (String, usize) {
    let output = Command::new("ogrinfo").args(["-ro", "-so", "-al"]).arg(path).output().expect("ogrinfo runs");
    let text = String::from_utf8_lossy(&output.stdout);
    let errors = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success() && errors.trim().is_empty(), "ogrinfo {}: {errors}", path.display());
    let field =
        |name: &str| text.lines().find_map(|l| l.strip_prefix(name)).map(|v| v.trim().to_string()).unwrap_or_default();
    (field("Geometry:"), field("Feature Count:").parse().expect("a count"))
}

#[tokio::test]
async fn gdal_reads_every_geojson_answer() {
    let router = server(Limits::default(), None);
    let dir = std::env::temp_dir().join(format!("reach-http-gdal-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let answers = [
        ("/api/v1/layers/stations", "Point"),
        ("/api/v1/roads?bbox=24.9440,60.1710,24.9450,60.1715", "Line String"),
        ("/api/v1/isochrones?facility=hel-st-01&minutes=2,4", "Multi Polygon"),
        ("/api/v1/isochrones?lon=24.94&lat=60.169&minutes=2&network=true", "Multi Line String"),
        ("/api/v1/service-circles?minutes=2,4", "Multi Polygon"),
        ("/api/v1/gaps?minutes=2,4", "Multi Line String"),
        ("/api/v1/gaps?minutes=2,4&areas=true", "Multi Polygon"),
        ("/api/v1/catchments?minutes=2,4", "Point"),
        ("/api/v1/catchments?minutes=2,4&areas=true", "Multi Polygon"),
        ("/api/v1/nearest?lon=24.94&lat=60.169&k=3", "Line String"),
    ];
    for (k, (uri, geometry)) in answers.iter().enumerate() {
        let reply = get(&router, uri).await;
        let count = reply.features().len();
        let path = dir.join(format!("answer-{k}.geojson"));
        std::fs::write(&path, &reply.body).unwrap();
        assert_eq!(ogrinfo(&path), (geometry.to_string(), count), "{uri}");
    }
    let riders = json!({"riders": [{"lon": 24.94, "lat": 60.169}, {"lon": 24.945, "lat": 60.17}], "k": 2});
    let reply = post(&router, "/api/v1/nearest/batch", riders).await;
    assert_eq!(reply.features().len(), 4);
    let path = dir.join("batch.geojson");
    std::fs::write(&path, &reply.body).unwrap();
    assert_eq!(ogrinfo(&path), ("Point".to_string(), 4));
}
