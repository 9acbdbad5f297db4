//! Median and p99 latency of one e-bike isochrone with its polygon, from
//! random road points (or the points of a file) on a shared extract.
//!
//! Run: `cargo run --release -p reach-benches --bin isochrone_latency -- [EXTRACT ...]
//! [--minutes 15] [--direction to|from] [--points FILE] [--write-points FILE]`.
//! Points files are JSON arrays of `[lon, lat]`; `--write-points` saves the
//! random points so that another engine can be timed on the same ones.

use std::time::Instant;

use reach_benches::{ebike_engine_with_random_stations, extract_names, median_p99, random_road_points};
use reach_engine::isochrone::{Contours, DEFAULT_BUFFER_M, Reached};
use reach_engine::search::{Direction, SearchSpace};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let option = |name: &str| args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).cloned();
    let minutes: f64 = option("--minutes").and_then(|m| m.parse().ok()).unwrap_or(15.0);
    let direction = match option("--direction").as_deref() {
        Some("from") => Direction::Forward,
        _ => Direction::Reverse,
    };
    let names = extract_names(&args, &["--minutes", "--direction", "--points", "--write-points"]);
    let contours = Contours::from_minutes(&[minutes]).expect("valid contour");
    println!(
        "extract      queries  median_us  p99_us  search_median_us  ({minutes} min e-bike, {direction:?}, search + reached network + 50 m polygon)"
    );
    for name in &names {
        let engine = ebike_engine_with_random_stations(name, 0, 0);
        let starts = match option("--points") {
            Some(file) => {
                let text = std::fs::read_to_string(format!("{file}.{name}.json")).expect("points file");
                let points: Vec<[f64; 2]> = serde_json_lite(&text);
                // Points another engine accepts may be off this profile's
                // network (another component, beyond the snap limit): skipped.
                points
                    .iter()
                    .filter_map(|&p| engine.snap(p).map_err(|e| eprintln!("{name}: skipping point {p:?}: {e}")).ok())
                    .collect()
            }
            None => random_road_points(&engine, 400, 42),
        };
        if let Some(file) = option("--write-points") {
            let list: Vec<String> =
                starts.iter().map(|s| format!("[{:.7},{:.7}]", s.lon_lat[0], s.lon_lat[1])).collect();
            std::fs::write(format!("{file}.{name}.json"), format!("[{}]\n", list.join(","))).expect("write points");
        }
        let mut space = SearchSpace::new(engine.graph.node_count());
        let mut micros = Vec::with_capacity(starts.len());
        let mut search_micros = Vec::with_capacity(starts.len());
        for round in 0..2 {
            micros.clear();
            search_micros.clear();
            for start in &starts {
                let clock = Instant::now();
                let reached =
                    Reached::search(&engine, &[*start], direction, contours.max_limit(), &mut space).expect("search");
                search_micros.push(clock.elapsed().as_secs_f64() * 1e6);
                let polygons = reached.polygons(&engine, &contours, DEFAULT_BUFFER_M).expect("polygons");
                std::hint::black_box(polygons);
                micros.push(clock.elapsed().as_secs_f64() * 1e6);
            }
            if round == 1 {
                let (median, p99) = median_p99(micros.clone());
                let (search, _) = median_p99(search_micros.clone());
                println!("{name:<12} {:>7}  {median:>9.0}  {p99:>6.0}  {search:>16.0}", starts.len());
            }
        }
    }
}

/// Reads a JSON array of `[lon, lat]` pairs (the only shape written here).
fn serde_json_lite(text: &str) -> Vec<[f64; 2]> {
    let numbers: Vec<f64> = text
        .split(|c: char| !(c.is_ascii_digit() || c == '.' || c == '-' || c == 'e' || c == 'E'))
        .filter(|t| !t.is_empty())
        .map(|t| t.parse().expect("a number"))
        .collect();
    numbers.chunks_exact(2).map(|p| [p[0], p[1]]).collect()
}
