//! Coverage on synthetic city grids from 10 thousand to 4 million nodes:
//! does the time grow as n log n, and do 4 million nodes finish in 5 s?
//!
//! Each city is a square grid of streets with 100 m by 80 m blocks near
//! Xuzhou's latitude; every fifth street is a secondary road, a fifth of the
//! streets are one-way (alternating directions), and one station stands at a
//! random intersection per 500 nodes (about one per 3.2 km²).
//!
//! Run: `cargo run --release -p reach-benches --bin coverage_scaling [SIZES...]`
//! (default sizes: 10000 100000 1000000 4000000).

use std::time::Instant;

use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use reach_engine::coverage::coverage;
use reach_engine::isochrone::Contours;
use reach_engine::osm::{HandWay, OsmData};
use reach_engine::{Amenities, Engine, Extract, Facility, Layer, Profiles, Source};

/// Metres per degree of latitude, and of longitude at 34.2° N.
const M_PER_DEG_LAT: f64 = 111_195.0;
const M_PER_DEG_LON: f64 = 111_195.0 * 0.8271;

/// A street: its tags and node ids.
type Street = (Vec<(&'static str, &'static str)>, Vec<i64>);

fn synthetic_city(nodes: usize, seed: u64) -> Extract {
    let side = (nodes as f64).sqrt().round() as i64;
    let mut rng = SmallRng::seed_from_u64(seed);
    let id = |i: i64, j: i64| j * side + i + 1;
    let position = |i: i64, j: i64| [117.0 + i as f64 * 100.0 / M_PER_DEG_LON, 34.2 + j as f64 * 80.0 / M_PER_DEG_LAT];
    let points: Vec<(i64, [f64; 2])> =
        (0..side).flat_map(|j| (0..side).map(move |i| (id(i, j), position(i, j)))).collect();
    let mut streets: Vec<Street> = Vec::new();
    for k in 0..side {
        for horizontal in [true, false] {
            let class = if k % 5 == 0 { "secondary" } else { "residential" };
            let mut tags = vec![("highway", class)];
            if k % 5 == 2 {
                tags.push(("oneway", if k % 10 == 2 { "yes" } else { "-1" }));
            }
            let refs = (0..side).map(|m| if horizontal { id(m, k) } else { id(k, m) }).collect();
            streets.push((tags, refs));
        }
    }
    let ways: Vec<HandWay> =
        streets.iter().enumerate().map(|(w, (tags, refs))| (w as i64 + 1, tags.as_slice(), refs.as_slice())).collect();
    let osm = OsmData::from_elements(&points, &ways);
    let facilities = (0..(nodes / 500).max(1))
        .map(|s| {
            let at = position(rng.random_range(0..side), rng.random_range(0..side));
            let source = Source::File { file: "synthetic".into(), position: format!("station {s}") };
            Facility::new(format!("s{s}"), Layer::Stations, at, source)
        })
        .collect();
    Extract { file: format!("synthetic grid of {nodes} nodes"), osm, facilities, demand: Vec::new() }
}

fn main() {
    let sizes: Vec<usize> = std::env::args().skip(1).filter_map(|a| a.parse().ok()).collect();
    let sizes = if sizes.is_empty() { vec![10_000, 100_000, 1_000_000, 4_000_000] } else { sizes };
    let profiles = Profiles::default();
    let ebike = profiles.get("ebike").expect("built-in profile");
    let contours = Contours::from_minutes(&[10.0, 15.0]).expect("valid contours");
    println!("nodes      edges       stations  build_s  coverage_s  coverage_us_per_(n·log2 n)");
    for n in sizes {
        let extract = synthetic_city(n, 7);
        let clock = Instant::now();
        let engine = Engine::build(&extract, ebike, 300.0, &|_| {}).expect("engine builds");
        let build = clock.elapsed().as_secs_f64();
        let stations = engine.select_facilities(Some(Layer::Stations), Amenities::default(), &[]).expect("layer");
        let clock = Instant::now();
        let result = coverage(&engine, &stations, &contours, None);
        let seconds = clock.elapsed().as_secs_f64();
        let nodes = engine.graph.node_count() as f64;
        println!(
            "{:<10} {:<11} {:<9} {:>7.2}  {:>10.3}  {:>10.4}   (15 min covers {:.1} %)",
            engine.graph.node_count(),
            engine.graph.edge_count(),
            stations.len(),
            build,
            seconds,
            seconds * 1e6 / (nodes * nodes.log2()),
            100.0 * result.contours[1].covered_km / result.road_km
        );
    }
}
