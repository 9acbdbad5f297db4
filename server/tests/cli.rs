//! The `reach` binary end to end: the bundled sample, GeoJSON export, and
//! every kind of bad input named in the README, each with its message.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

const SAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../data/helsinki.osm.pbf");
const SAMPLE_CSV: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../data/helsinki-stations.csv");
const NO_ROADS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/helsinki-amenities-only.osm.pbf");

fn reach(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_reach")).args(args).output().expect("the reach binary runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Runs `reach` expecting failure, and returns its error message.
fn failure(args: &[&str]) -> String {
    let output = reach(args);
    assert_eq!(output.status.code(), Some(1), "expected exit 1 for {args:?}; stdout: {}", stdout(&output));
    let message = stderr(&output);
    assert!(message.starts_with("error: "), "{message}");
    assert!(!message.contains("panicked"), "{message}");
    message
}

/// A fresh scratch folder for one test.
fn scratch(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("reach-cli-{}-{test}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> String {
    let path = dir.join(name);
    std::fs::write(&path, bytes).expect("write scratch file");
    path.display().to_string()
}

fn read_json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).expect("output exists")).expect("output is JSON")
}

#[test]
fn every_subcommand_has_help() {
    for args in [
        &["--help"][..],
        &["inspect", "--help"],
        &["export", "--help"],
        &["profiles", "--help"],
        &["nearest", "--help"],
    ] {
        let output = reach(args);
        assert!(output.status.success(), "{args:?}");
        assert!(stdout(&output).contains("Usage: reach"), "{args:?}");
    }
}

#[test]
fn profiles_prints_the_built_in_toml() {
    let output = reach(&["profiles"]);
    assert!(output.status.success());
    let text = stdout(&output);
    for table in ["[ebike]", "[bicycle]", "[walk]", "[car]"] {
        assert!(text.contains(table), "{table}");
    }
}

#[test]
fn inspect_reports_every_profile_of_the_sample() {
    let output = reach(&["inspect", SAMPLE]);
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    for expected in ["ebike", "bicycle", "walk", "car", "4,525 references to nodes not in the file"] {
        assert!(text.contains(expected), "{expected:?} missing from:\n{text}");
    }
    assert!(stderr(&output).is_empty(), "no progress bar when stderr is not a terminal");
}

#[test]
fn inspect_json_has_the_documented_keys() {
    let output = reach(&["inspect", SAMPLE, "--json", "--profile", "ebike", "--layer-file", SAMPLE_CSV]);
    assert!(output.status.success(), "{}", stderr(&output));
    let report: Value = serde_json::from_str(&stdout(&output)).expect("one JSON object");
    assert_eq!(report["osm"]["missing_node_refs"], 4525);
    assert_eq!(report["layer_files"][0], SAMPLE_CSV);
    let ebike = &report["profiles"]["ebike"];
    assert!(ebike["nodes"].as_u64().unwrap() > 1000);
    assert!(ebike["edges"].as_u64().unwrap() > ebike["nodes"].as_u64().unwrap());
    assert!(ebike["road_km"].as_f64().unwrap() > 10.0);
    let share = ebike["component_filter"]["road_km_share"].as_f64().unwrap();
    assert!(share > 0.5 && share <= 1.0);
    let stations = &ebike["layers"]["stations"];
    assert_eq!(
        stations["facilities"].as_u64().unwrap(),
        stations["snapped"].as_u64().unwrap() + stations["unsnapped"].as_u64().unwrap()
    );
    // The city's four stations join the OSM ones.
    assert_eq!(report["facilities"]["stations"].as_u64().unwrap(), 39 + 4);
    assert!(report["profiles"].get("car").is_none());
}

#[test]
fn export_writes_geojson_layers_and_roads() {
    let dir = scratch("export");
    let out = dir.display().to_string();
    let output = reach(&["export", "--layers", "--roads", SAMPLE, "--layer-file", SAMPLE_CSV, "--out", &out]);
    assert!(output.status.success(), "{}", stderr(&output));

    let inspect: Value =
        serde_json::from_str(&stdout(&reach(&["inspect", SAMPLE, "--json", "--profile", "ebike"]))).unwrap();
    let roads = read_json(&dir.join("roads.geojson"));
    assert_eq!(roads["type"], "FeatureCollection");
    let features = roads["features"].as_array().unwrap();
    assert_eq!(features.len() as u64, inspect["profiles"]["ebike"]["edges"].as_u64().unwrap());
    for feature in features {
        assert_eq!(feature["geometry"]["type"], "LineString");
        let coordinates = feature["geometry"]["coordinates"].as_array().unwrap();
        assert!(coordinates.len() >= 2);
        let (lon, lat) = (coordinates[0][0].as_f64().unwrap(), coordinates[0][1].as_f64().unwrap());
        assert!((24.9..25.0).contains(&lon) && (60.1..60.2).contains(&lat), "longitude first: {lon}, {lat}");
        let p = &feature["properties"];
        assert!(p["from"].is_u64() && p["to"].is_u64());
        assert!(p["length_m"].as_f64().unwrap() >= 0.0 && p["time_s"].as_f64().unwrap() > 0.0);
    }

    let stations = read_json(&dir.join("stations.geojson"));
    let city = stations["features"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["properties"]["id"] == "hel-st-01")
        .expect("the city's station is exported");
    assert_eq!(city["geometry"]["coordinates"], serde_json::json!([24.9442, 60.1712]));
    assert_eq!(city["properties"]["name_zh"], "火车站广场骑手驿站");
    assert_eq!(city["properties"]["snapped"], true);
    assert_eq!(city["properties"]["amenities"][0], "water");
    for layer in ["merchants", "parking"] {
        assert!(!read_json(&dir.join(format!("{layer}.geojson")))["features"].as_array().unwrap().is_empty());
    }
    assert!(!dir.join("roads.geojson.partial").exists());
}

#[test]
fn broken_extracts_are_named_with_their_position() {
    let dir = scratch("broken");
    let empty = write(&dir, "empty.osm.pbf", b"");
    assert!(failure(&["inspect", &empty]).contains("empty.osm.pbf is empty"));

    let sample = std::fs::read(SAMPLE).unwrap();
    let truncated = write(&dir, "truncated.osm.pbf", &sample[..sample.len() / 2]);
    let message = failure(&["inspect", &truncated]);
    assert!(message.contains("truncated.osm.pbf: at byte ") && message.contains("truncated"), "{message}");

    let noise: Vec<u8> = (0..4096u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
    let random = write(&dir, "random.osm.pbf", &noise);
    let message = failure(&["inspect", &random]);
    assert!(message.contains("random.osm.pbf: at byte 0") && message.contains("not an OSM PBF"), "{message}");

    let message = failure(&["inspect", NO_ROADS]);
    assert!(message.contains("helsinki-amenities-only.osm.pbf has no highway=* ways"), "{message}");

    let message = failure(&["inspect", "/nonexistent/city.osm.pbf"]);
    assert!(message.contains("cannot read /nonexistent/city.osm.pbf"), "{message}");
}

#[test]
fn bad_layer_files_are_refused_whole_with_every_bad_row() {
    let dir = scratch("layers");
    let csv = write(
        &dir,
        "stations.csv",
        concat!(
            "id,name,layer,lon,lat,amenities,opening_hours,capacity\n",
            "a,Good,stations,24.944,60.171,water,,\n",
            "b,Bad latitude,stations,24.944,91,,,\n",
            "c,Not a number,stations,NaN,60.17,,,\n",
            "d,Unknown layer,depots,24.944,60.171,,,\n",
            "a,Duplicate,stations,24.945,60.172,,,\n",
            "e,Bad coordinate,stations,24.9x,60.171,,,\n",
        )
        .as_bytes(),
    );
    let message = failure(&["inspect", SAMPLE, "--layer-file", &csv]);
    for expected in [
        "stations.csv: 5 bad row(s), nothing loaded",
        "line 3: latitude 91 is not a number in [-90, 90]",
        "line 4: longitude NaN is not a number in [-180, 180]",
        "line 5: unknown layer \"depots\"; known layers: stations, merchants, parking",
        "line 6: duplicate id \"a\" (first at line 2)",
        "line 7: longitude \"24.9x\" is not a number",
    ] {
        assert!(message.contains(expected), "{expected:?} missing from:\n{message}");
    }

    let lines = write(
        &dir,
        "lines.geojson",
        br#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"id":"x","layer":"parking"},
            "geometry":{"type":"LineString","coordinates":[[24.94,60.17],[24.95,60.17]]}}]}"#,
    );
    let message = failure(&["inspect", SAMPLE, "--layer-file", &lines]);
    assert!(message.contains("lines.geojson: 1 bad row(s)"), "{message}");
    assert!(message.contains("feature 1: geometry is a LineString, not a Point"), "{message}");

    let clash = write(&dir, "clash.csv", b"id,layer,lon,lat\nnode/92556620,stations,24.944,60.171\n");
    let message = failure(&["inspect", SAMPLE, "--layer-file", &clash, "--profile", "walk"]);
    assert!(message.contains("duplicate facility id \"node/92556620\""), "{message}");
}

#[test]
fn bad_options_are_refused() {
    let message = failure(&["inspect", SAMPLE, "--profile", "horse"]);
    assert!(message.contains("unknown profile \"horse\"; known profiles: bicycle, car, ebike, walk"), "{message}");
    for limit in ["NaN", "-1", "1e9", "far"] {
        let output = reach(&["inspect", SAMPLE, &format!("--max-snap-m={limit}")]);
        assert_eq!(output.status.code(), Some(2), "--max-snap-m {limit}");
        let message = stderr(&output);
        assert!(message.contains("--max-snap-m"), "{message}");
        assert!(message.contains("outside (0, 5000] m") || message.contains("not a number"), "{message}");
    }
    let output = reach(&["inspect"]);
    assert_eq!(output.status.code(), Some(2), "a usage error");
}

/// `ogrinfo`'s summary of a file: geometry type and feature count.
fn ogrinfo_summary(path: &Path) -> (String, usize) {
    let output = Command::new("ogrinfo")
        .args(["-ro", "-so", "-al"])
        .arg(path)
        .output()
        .expect("ogrinfo runs (bash scripts/install-test-tools.sh installs it)");
    let text = String::from_utf8_lossy(&output.stdout);
    let errors = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success() && errors.trim().is_empty(), "ogrinfo {}: {errors}", path.display());
    let field =
        |name: &str| text.lines().find_map(|l| l.strip_prefix(name)).map(|v| v.trim().to_string()).unwrap_or_default();
    let count = field("Feature Count:").parse().expect("ogrinfo prints a feature count");
    (field("Geometry:"), count)
}

#[test]
fn gdal_reads_every_exported_layer() {
    let dir = scratch("gdal");
    let output = reach(&["export", SAMPLE, "--layer-file", SAMPLE_CSV, "--out", &dir.display().to_string()]);
    assert!(output.status.success(), "{}", stderr(&output));
    let inspect: Value = serde_json::from_str(&stdout(&reach(&[
        "inspect",
        SAMPLE,
        "--json",
        "--profile",
        "ebike",
        "--layer-file",
        SAMPLE_CSV,
    ])))
    .unwrap();
    let ebike = &inspect["profiles"]["ebike"];
    let (geometry, count) = ogrinfo_summary(&dir.join("roads.geojson"));
    assert_eq!((geometry.as_str(), count as u64), ("Line String", ebike["edges"].as_u64().unwrap()));
    for layer in ["stations", "merchants", "parking"] {
        let (geometry, count) = ogrinfo_summary(&dir.join(format!("{layer}.geojson")));
        assert_eq!(geometry, "Point", "{layer}");
        assert_eq!(count as u64, ebike["layers"][layer]["facilities"].as_u64().unwrap(), "{layer}");
    }
}

#[test]
fn isochrones_of_a_layer_come_with_its_service_circle() {
    let dir = scratch("isochrones");
    let out = dir.join("stations.geojson");
    let output = reach(&[
        "isochrones",
        SAMPLE,
        "--layer-file",
        SAMPLE_CSV,
        "--no-osm-facilities",
        "--layer",
        "stations",
        "--minutes",
        "2,4",
        "--out",
        &out.display().to_string(),
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let collection = read_json(&out);
    let features = collection["features"].as_array().unwrap();
    // Four city stations and the service circle, two contours each.
    assert_eq!(features.len(), 5 * 2);
    let circles: Vec<&Value> = features.iter().filter(|f| f["properties"]["kind"] == "service_circle").collect();
    assert_eq!(circles.len(), 2);
    assert_eq!(circles[0]["properties"]["facilities"], 4);
    for feature in features {
        let p = &feature["properties"];
        assert_eq!(feature["geometry"]["type"], "MultiPolygon");
        assert_eq!((p["direction"].as_str(), p["profile"].as_str()), (Some("to"), Some("ebike")));
        assert!(p["area_km2"].as_f64().unwrap() > 0.0 && p["road_km"].as_f64().unwrap() > 0.0);
        assert!([2.0, 4.0].contains(&p["minutes"].as_f64().unwrap()));
    }
    let station = features.iter().find(|f| f["properties"]["facility"] == "hel-st-01").unwrap();
    assert_eq!(station["properties"]["layer"], "stations");
    let (geometry, count) = ogrinfo_summary(&out);
    assert_eq!((geometry.as_str(), count), ("Multi Polygon", 10));
}

#[test]
fn isochrones_around_a_point_as_a_reached_network() {
    let output =
        reach(&["isochrones", SAMPLE, "--at", "24.9442,60.1712", "--minutes", "3", "--direction", "from", "--network"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let collection: Value = serde_json::from_str(&stdout(&output)).expect("GeoJSON on standard output");
    let features = collection["features"].as_array().unwrap();
    assert_eq!(features.len(), 1);
    assert_eq!(features[0]["geometry"]["type"], "MultiLineString");
    let p = &features[0]["properties"];
    assert_eq!(
        (p["kind"].as_str(), p["lon"].as_f64(), p["lat"].as_f64()),
        (Some("isochrone"), Some(24.9442), Some(60.1712))
    );
    assert_eq!(p["direction"], "from");
    assert!(p["road_km"].as_f64().unwrap() > 1.0);
}

#[test]
fn bad_isochrone_requests_name_the_value_and_the_limit() {
    let cases: [(&[&str], &str); 9] = [
        (&["--minutes", "0"], "contour 0 is not a number of minutes in (0, 120]"),
        (&["--minutes", "-5"], "contour -5 is not a number of minutes"),
        (&["--minutes", "NaN"], "contour NaN is not a number of minutes"),
        (&["--minutes", "121"], "contour 121 is not a number of minutes in (0, 120]"),
        (&["--minutes", "1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17"], "17 contours asked for; the limit is 16"),
        (&["--buffer-m", "5"], "buffer 5 m is outside 10..=500 m"),
        (&["--facility", "no-such-station"], "no facility has the id \"no-such-station\""),
        (&["--at", "25.5,60.17"], "the nearest routable road is"),
        (&["--layer", "parking", "--amenity", "microwave"], "layer parking has no facilities offering microwave"),
    ];
    for (extra, expected) in cases {
        let mut args = vec!["isochrones", SAMPLE];
        args.extend_from_slice(extra);
        let message = failure(&args);
        assert!(message.contains(expected), "{extra:?}: {message}");
    }
    let output = reach(&["isochrones", SAMPLE, "--at", "24.9,91"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("latitude 91 is not a number in [-90, 90]"));
    let message = failure(&["isochrones", SAMPLE, "--layer", "depots"]);
    assert!(message.contains("unknown layer \"depots\""), "{message}");
}

#[test]
fn coverage_writes_the_layers_and_the_verdict() {
    let dir = scratch("coverage");
    let out = dir.display().to_string();
    let args = ["coverage", SAMPLE, "--layer-file", SAMPLE_CSV, "--no-osm-facilities", "--out", &out];
    let gappy = reach(&[&args[..], &["--minutes", "2,4"]].concat());
    assert!(gappy.status.success(), "{}", stderr(&gappy));
    assert!(stdout(&gappy).contains("| 2 min | GAPS |"), "{}", stdout(&gappy));
    let summary = read_json(&dir.join("summary.json"));
    assert_eq!(summary["facilities"], 4);
    assert_eq!(summary["direction"], "to");
    let contours = summary["contours"].as_array().unwrap();
    assert_eq!(contours.len(), 2);
    for c in contours {
        let (covered, uncovered) = (c["covered_km"].as_f64().unwrap(), c["uncovered_km"].as_f64().unwrap());
        assert!((covered + uncovered - summary["road_km"].as_f64().unwrap()).abs() < 1e-3);
        assert_eq!(c["full_coverage"], false);
        assert!(c["gaps"].as_u64().unwrap() >= 1 && c["top_gaps"][0]["rank"] == 1);
    }
    assert!(contours[1]["covered_km"].as_f64().unwrap() > contours[0]["covered_km"].as_f64().unwrap());
    for (file, geometry) in [
        ("roads", "Line String"),
        ("gaps", "Multi Line String"),
        ("gap_areas", "Multi Polygon"),
        ("catchments", "Point"),
    ] {
        let (actual, count) = ogrinfo_summary(&dir.join(format!("{file}.geojson")));
        assert_eq!(actual, geometry, "{file}");
        assert!(count > 0, "{file}");
    }
    let roads = read_json(&dir.join("roads.geojson"));
    let first = &roads["features"][0]["properties"];
    assert!(first["time_s"].is_number() && first["covered_2min"].is_number() && first["facility"].is_string());
    assert!(std::fs::read_to_string(dir.join("summary.md")).unwrap().contains("Largest gaps at 2 min"));

    // A gap fails a scripted audit only when asked to; full coverage passes it.
    let audit = reach(&[&args[..], &["--minutes", "2", "--fail-on-gap"]].concat());
    assert_eq!(audit.status.code(), Some(3));
    let full = reach(&[&args[..], &["--minutes", "15", "--fail-on-gap"]].concat());
    assert_eq!(full.status.code(), Some(0), "{}", stdout(&full));
    assert!(stdout(&full).contains("| 15 min | full coverage |"));
}

#[test]
fn coverage_writes_flatgeobuf_layers_that_gdal_reads() {
    let dir = scratch("coverage-fgb");
    let output = reach(&[
        "coverage",
        SAMPLE,
        "--layer-file",
        SAMPLE_CSV,
        "--no-osm-facilities",
        "--minutes",
        "2,4",
        "--fgb",
        "-q",
        "--out",
        &dir.display().to_string(),
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    for (name, geometry) in [("roads", "Line String"), ("gaps", "Multi Line String"), ("gap_areas", "Multi Polygon")] {
        let (_, geojson_count) = ogrinfo_summary(&dir.join(format!("{name}.geojson")));
        assert_eq!(ogrinfo_summary(&dir.join(format!("{name}.fgb"))), (geometry.to_string(), geojson_count), "{name}");
    }
}

#[test]
fn coverage_of_an_empty_selection_is_zero_not_an_error() {
    let dir = scratch("coverage-empty");
    let output = reach(&[
        "coverage",
        SAMPLE,
        "--layer",
        "parking",
        "--amenity",
        "microwave",
        "--minutes",
        "10",
        "--out",
        &dir.display().to_string(),
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let summary = read_json(&dir.join("summary.json"));
    assert_eq!(summary["facilities"], 0);
    assert_eq!(summary["contours"][0]["covered_km"], 0.0);
    assert!(summary["worst"].is_null());
    let message = failure(&["coverage", SAMPLE, "--layer", "depots", "--out", &dir.display().to_string()]);
    assert!(message.contains("unknown layer \"depots\""), "{message}");
    let message = failure(&["coverage", SAMPLE, "--minutes", "0", "--out", &dir.display().to_string()]);
    assert!(message.contains("contour 0 is not a number of minutes"), "{message}");
}

#[test]
fn coverage_at_night_keeps_only_the_24_hour_stations() {
    let dir = scratch("coverage-night");
    let out = dir.display().to_string();
    let base = ["coverage", SAMPLE, "--layer-file", SAMPLE_CSV, "--no-osm-facilities", "--minutes", "4", "--out", &out];
    let night = reach(&[&base[..], &["--at", "2026-11-23T02:00"]].concat());
    assert!(night.status.success(), "{}", stderr(&night));
    let summary = read_json(&dir.join("summary.json"));
    assert_eq!(summary["facilities"], 1, "only hel-st-01 is open 24/7");
    assert_eq!(summary["closed"], serde_json::json!(["hel-st-02", "hel-st-03", "hel-st-04"]));
    let night_km = summary["contours"][0]["covered_km"].as_f64().unwrap();
    let day = reach(&[&base[..], &["--at", "2026-11-23T12:00"]].concat());
    assert!(day.status.success());
    let summary = read_json(&dir.join("summary.json"));
    assert_eq!(summary["facilities"], 4);
    assert!(summary["contours"][0]["covered_km"].as_f64().unwrap() > night_km + 1.0);
    let message = failure(&[&base[..], &["--at", "tonight"]].concat());
    assert!(message.contains("time \"tonight\" does not parse"), "{message}");
}

#[test]
fn coverage_weighs_gaps_by_the_city_demand_file() {
    let dir = scratch("coverage-demand");
    let out = dir.display().to_string();
    // Orders at the 24/7 station (covered) and far in the north-west corner.
    let demand =
        write(&dir, "orders.csv", b"lon,lat,weight,kind\n24.9442,60.1712,50,orders\n24.9365,60.1785,20,orders\n");
    let output = reach(&[
        "coverage",
        SAMPLE,
        "--layer-file",
        SAMPLE_CSV,
        "--no-osm-facilities",
        "--minutes",
        "1",
        "--demand",
        &demand,
        "--out",
        &out,
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let summary = read_json(&dir.join("summary.json"));
    assert_eq!(summary["demand"], 70.0);
    let one = &summary["contours"][0];
    assert_eq!((one["covered_demand"].as_f64(), one["uncovered_demand"].as_f64()), (Some(50.0), Some(20.0)));
    assert_eq!(one["top_gaps"][0]["demand"], 20.0, "the gap holding the far orders ranks first");
    let bad = write(&dir, "bad.csv", b"lon,lat,weight\n24.94,60.17,-1\n");
    let message = failure(&["coverage", SAMPLE, "--demand", &bad, "--out", &out]);
    assert!(
        message.contains("bad.csv: 1 bad row(s)") && message.contains("line 2: weight -1 is not a positive number"),
        "{message}"
    );
}

#[test]
fn coverage_of_a_study_area_and_bad_areas() {
    let dir = scratch("coverage-area");
    let out = dir.display().to_string();
    // The southern half of the sample.
    let south = write(
        &dir,
        "south.geojson",
        br#"{"type":"Feature","properties":{"name":"south"},"geometry":{"type":"Polygon","coordinates":
            [[[24.930,60.160],[24.960,60.160],[24.960,60.171],[24.930,60.171],[24.930,60.160]]]}}"#,
    );
    let base = ["coverage", SAMPLE, "--layer-file", SAMPLE_CSV, "--no-osm-facilities", "--minutes", "4", "--out", &out];
    let whole = reach(&base);
    assert!(whole.status.success());
    let whole_km = read_json(&dir.join("summary.json"))["road_km"].as_f64().unwrap();
    let part = reach(&[&base[..], &["--area", &south]].concat());
    assert!(part.status.success(), "{}", stderr(&part));
    let summary = read_json(&dir.join("summary.json"));
    let part_km = summary["road_km"].as_f64().unwrap();
    assert!(part_km > 0.2 * whole_km && part_km < 0.8 * whole_km, "{part_km} of {whole_km}");
    assert_eq!(summary["area"].as_str(), Some(south.as_str()));

    let far = write(
        &dir,
        "far.geojson",
        br#"{"type":"Polygon","coordinates":[[[100,30],[101,30],[101,31],[100,31],[100,30]]]}"#,
    );
    let message = failure(&[&base[..], &["--area", &far]].concat());
    assert!(message.contains("holds no road") && message.contains("outside the extract"), "{message}");
    let line = write(&dir, "line.geojson", br#"{"type":"LineString","coordinates":[[24.93,60.16],[24.96,60.17]]}"#);
    let message = failure(&[&base[..], &["--area", &line]].concat());
    assert!(message.contains("a LineString, not a Polygon"), "{message}");
}

#[test]
fn inspect_lists_administrative_areas_and_coverage_uses_them_by_name() {
    let monaco = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/data/monaco.osm.pbf");
    let output = reach(&["inspect", monaco, "--json", "--profile", "ebike"]);
    assert!(output.status.success());
    let report: Value = serde_json::from_str(&stdout(&output)).unwrap();
    let areas = report["areas"].as_array().unwrap();
    let monte_carlo = areas.iter().find(|a| a["name"] == "Monte-Carlo").expect("Monte-Carlo is listed");
    assert_eq!((monte_carlo["complete"].as_bool(), monte_carlo["admin_level"].as_str()), (Some(true), Some("10")));
    let dir = scratch("coverage-admin");
    let output =
        reach(&["coverage", monaco, "--area", "monte-carlo", "--minutes", "5", "--out", &dir.display().to_string()]);
    assert!(output.status.success(), "{}", stderr(&output));
    let summary = read_json(&dir.join("summary.json"));
    assert!(summary["area"].as_str().unwrap().starts_with("Monte-Carlo (relation/"));
    let message = failure(&["coverage", monaco, "--area", "Atlantis", "--out", &dir.display().to_string()]);
    assert!(message.contains("no study area file or administrative area called \"Atlantis\""), "{message}");
}

/// `reach nearest` on the sample with only the city's list.
fn nearest(extra: &[&str]) -> Output {
    let mut args = vec!["nearest", SAMPLE, "--layer-file", SAMPLE_CSV, "--no-osm-facilities"];
    args.extend_from_slice(extra);
    reach(&args)
}

#[test]
fn nearest_prints_a_table_or_geojson_routes() {
    let output = nearest(&["--from", "24.9400,60.1690"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    let rows: Vec<&str> = text.lines().filter(|l| l.trim_start().starts_with(char::is_numeric)).collect();
    assert_eq!(rows.len(), 3, "{text}");
    assert!(rows[0].contains("hel-st-02") && rows[0].contains("Kamppi rider station"), "{text}");

    let dir = scratch("nearest-json");
    let output = nearest(&["--from", "24.9400,60.1690", "--k", "2", "--layer", "stations", "--json"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let path = dir.join("nearest.geojson");
    std::fs::write(&path, &output.stdout).unwrap();
    let collection = read_json(&path);
    assert_eq!(collection["from"], serde_json::json!([24.94, 60.169]));
    assert!(collection["snap_distance_m"].as_f64().unwrap() < 20.0);
    assert_eq!(collection["shortfall"], Value::Null);
    let features = collection["features"].as_array().unwrap();
    assert_eq!(features.len(), 2);
    let ranks: Vec<(i64, &str)> = features
        .iter()
        .map(|f| (f["properties"]["rank"].as_i64().unwrap(), f["properties"]["facility"].as_str().unwrap()))
        .collect();
    assert_eq!(ranks, [(1, "hel-st-02"), (2, "hel-st-01")]);
    for feature in features {
        assert_eq!(feature["geometry"]["type"], "LineString");
        let p = &feature["properties"];
        assert_eq!((p["layer"].as_str(), p["profile"].as_str()), (Some("stations"), Some("ebike")));
        assert!(p["seconds"].as_f64().unwrap() > 0.0 && p["distance_m"].as_f64().unwrap() > 0.0);
    }
    assert_eq!(ogrinfo_summary(&path), ("Line String".to_string(), 2));
}

#[test]
fn nearest_open_at_night_keeps_the_24_hour_station_and_says_what_is_missing() {
    let output = nearest(&["--from", "24.9400,60.1690", "--layer", "stations", "--open-at", "2026-11-25T02:00"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(text.contains("hel-st-01") && !text.contains("hel-st-02"), "{text}");
    assert!(text.contains("only 1 matching facilities within 60 minutes"), "{text}");
    let output = nearest(&["--from", "24.9400,60.1690", "--amenity", "battery_swap", "--min-capacity", "100"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(stdout(&output).contains("no facility on the road network matches the filters"));
}

#[test]
fn nearest_for_a_file_of_riders_as_csv_and_geojson() {
    let dir = scratch("nearest-batch");
    let riders =
        write(&dir, "riders.csv", b"id,lon,lat\nnear-kamppi,24.9400,60.1690\nat-sea,24.90,60.10\n,24.9442,60.1712\n");
    let out = dir.join("answers.csv");
    let output = nearest(&["--batch", &riders, "--k", "2", "--out", &out.display().to_string()]);
    assert!(output.status.success(), "{}", stderr(&output));
    let text = std::fs::read_to_string(&out).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        "rider,rider_lon,rider_lat,snap_distance_m,rank,facility,layer,name,seconds,distance_m,reason"
    );
    assert_eq!(lines.len(), 1 + 2 + 1 + 2, "two answers, one reason, two answers:\n{text}");
    assert!(lines[1].starts_with("near-kamppi,24.94,60.169,") && lines[1].contains(",1,hel-st-02,stations,"), "{text}");
    assert!(
        lines[3].starts_with("at-sea,") && lines[3].contains("not snapped: the nearest routable road is"),
        "{text}"
    );
    assert!(
        lines[4].starts_with("line 4,") && lines[4].contains(",1,hel-st-01,"),
        "a rider without id is named by its line"
    );

    let out = dir.join("answers.geojson");
    let output = nearest(&["--batch", &riders, "--k", "1", "--out", &out.display().to_string()]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(ogrinfo_summary(&out), ("Point".to_string(), 3));
    let routes = dir.join("routes.geojson");
    let output = nearest(&["--batch", &riders, "--k", "1", "--routes", "--out", &routes.display().to_string()]);
    assert!(output.status.success(), "{}", stderr(&output));
    let collection = read_json(&routes);
    let kinds: Vec<&str> =
        collection["features"].as_array().unwrap().iter().map(|f| f["geometry"]["type"].as_str().unwrap()).collect();
    // The rider at sea has no answer; the third stands at station hel-st-01,
    // a route of length zero.
    assert_eq!(kinds, ["LineString", "Point", "Point"]);
}

#[test]
fn bad_nearest_requests_say_what_and_where() {
    let dir = scratch("nearest-bad");
    let bad_riders = write(&dir, "bad.csv", b"id,lon,lat\nok,24.94,60.169\nlost,24.94,\nfar,200,60\n");
    let cases: [(&[&str], &str); 10] = [
        (&["--from", "24.94,60.169", "--k", "0"], "k = 0 is outside 1..=50"),
        (&["--from", "24.94,60.169", "--k", "51"], "k = 51 is outside 1..=50"),
        (&["--from", "24.94,60.169", "--max-minutes", "0"], "maximum minutes 0 is not a number in (0, 120]"),
        (&["--from", "24.94,60.169", "--max-minutes", "NaN"], "maximum minutes NaN is not a number"),
        (&["--from", "24.94,60.169", "--max-minutes", "500"], "maximum minutes 500 is not a number in (0, 120]"),
        (&["--from", "24.94,60.169", "--amenity", "teleport"], "unknown amenity \"teleport\"; known amenities: water"),
        (&["--from", "24.94,60.169", "--layer", "depots"], "unknown layer \"depots\"; known layers: stations"),
        (&["--from", "24.94,60.169", "--open-at", "tonight"], "time \"tonight\" does not parse"),
        (&["--from", "25.5,60.17"], "the nearest routable road is"),
        (&["--batch", &bad_riders], "2 bad row(s), nothing loaded"),
    ];
    for (extra, expected) in cases {
        let mut args = vec!["nearest", SAMPLE];
        args.extend_from_slice(extra);
        let message = failure(&args);
        assert!(message.contains(expected), "{extra:?}: {message}");
    }
    let message = failure(&["nearest", SAMPLE, "--batch", &bad_riders]);
    assert!(message.contains("line 3: latitude is missing") && message.contains("line 4: longitude 200"), "{message}");
    for extra in [&[][..], &["--from", "24.94,60.169", "--batch", &bad_riders], &["--from", "24.9,91"]] {
        let mut args = vec!["nearest", SAMPLE];
        args.extend_from_slice(extra);
        assert_eq!(reach(&args).status.code(), Some(2), "{extra:?}: a usage error");
    }
}

const CHENGDU: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/data/chengdu.osm.pbf");

/// A position of a GeoJSON value.
fn position(value: &Value) -> [f64; 2] {
    [value[0].as_f64().unwrap(), value[1].as_f64().unwrap()]
}

#[test]
fn chinese_map_coordinates_in_and_out() {
    // A rider near Tianfu Square, as GPS (WGS84) and as AMap shows it (GCJ-02).
    let wgs84 = [104.0657, 30.6570];
    let gcj02 = reach_engine::Crs::Gcj02.from_wgs84(wgs84);
    let ask = |point: [f64; 2], crs: &str| {
        let from = format!("{},{}", point[0], point[1]);
        let output = reach(&["nearest", CHENGDU, "--from", &from, "--k", "2", "--json", "--crs", crs]);
        assert!(output.status.success(), "{}", stderr(&output));
        serde_json::from_str::<Value>(&stdout(&output)).expect("GeoJSON")
    };
    let (plain, amap) = (ask(wgs84, "wgs84"), ask(gcj02, "gcj02"));
    let answers = |v: &Value| -> Vec<(String, f64)> {
        v["features"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                (
                    f["properties"]["facility"].as_str().unwrap().to_string(),
                    f["properties"]["seconds"].as_f64().unwrap(),
                )
            })
            .collect()
    };
    assert_eq!(answers(&plain), answers(&amap), "the same rider gets the same answers");
    assert_eq!(answers(&plain).len(), 2);
    let expected = reach_engine::Crs::Gcj02.from_wgs84(position(&plain["snapped"]));
    let got = position(&amap["snapped"]);
    assert!((got[0] - expected[0]).abs() < 1e-9 && (got[1] - expected[1]).abs() < 1e-9, "{got:?} vs {expected:?}");
    let first = |v: &Value| position(&v["features"][0]["geometry"]["coordinates"][0]);
    let shift = reach_engine::haversine_m(first(&plain), first(&amap));
    assert!((100.0..1000.0).contains(&shift), "GCJ-02 routes are drawn hundreds of metres off WGS84: {shift} m");

    // A city list in GCJ-02 comes back where the city put it, and joins the
    // network where it really is.
    let dir = scratch("crs");
    let csv = format!("id,layer,lon,lat\namap-1,stations,{},{}\n", gcj02[0], gcj02[1]);
    let layer = write(&dir, "amap.csv", csv.as_bytes());
    let out = dir.join("export");
    let output = reach(&[
        "export",
        CHENGDU,
        "--layer-file",
        &layer,
        "--no-osm-facilities",
        "--crs",
        "gcj02",
        "--out",
        &out.display().to_string(),
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let stations = read_json(&out.join("stations.geojson"));
    let back = position(&stations["features"][0]["geometry"]["coordinates"]);
    assert!((back[0] - gcj02[0]).abs() < 1e-7 && (back[1] - gcj02[1]).abs() < 1e-7, "{back:?} vs {gcj02:?}");
    assert!(stations["features"][0]["properties"]["snap_distance_m"].as_f64().unwrap() < 50.0);
    let output = reach(&["nearest", SAMPLE, "--from", "24.94,60.169", "--crs", "mars"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("known coordinate systems: wgs84, gcj02, bd09"), "{}", stderr(&output));
}
