//! Shared inputs of the benchmarks: the shared extracts and reproducible
//! random points on their roads.

use std::path::PathBuf;

use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use reach_engine::{Engine, Extract, ExtractOptions, Facility, Layer, Profiles, Snap, Source};

/// The path of a shared extract.
pub fn extract_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/data").join(format!("{name}.osm.pbf"))
}

/// Reads a shared extract and builds its e-bike engine, with the graph's
/// contraction hierarchy prepared as the server prepares it.
pub fn ebike_extract_and_engine(name: &str) -> (Extract, Engine) {
    let extract = read(name);
    let engine = served(ebike_engine(&extract));
    (extract, engine)
}

/// Reads a shared extract with the default facility mapping.
fn read(name: &str) -> Extract {
    Extract::read(&extract_path(name), &ExtractOptions::default(), &|_| {}).expect("extract loads")
}

/// Builds the e-bike engine of an extract.
fn ebike_engine(extract: &Extract) -> Engine {
    Engine::build(extract, ebike(), 300.0, &|_| {}).expect("engine builds")
}

/// The engine with its graph's contraction hierarchy prepared.
fn served(engine: Engine) -> Engine {
    engine.graph.prepare_hierarchy();
    engine
}

/// The built-in e-bike profile.
fn ebike() -> &'static reach_engine::Profile {
    static PROFILES: std::sync::LazyLock<Profiles> = std::sync::LazyLock::new(Profiles::default);
    PROFILES.get("ebike").expect("built-in profile")
}

/// Reads a shared extract and builds its e-bike engine (hierarchy
/// prepared), with `stations` random points on its roads added as the
/// stations layer (ids `p0`, `p1`...).
pub fn ebike_engine_with_random_stations(name: &str, stations: usize, seed: u64) -> Engine {
    let mut extract = read(name);
    let plain = ebike_engine(&extract);
    if stations == 0 {
        return served(plain);
    }
    for (i, snap) in random_road_points(&plain, stations, seed).into_iter().enumerate() {
        let source = Source::File { file: "benchmark".into(), position: format!("point {i}") };
        extract.facilities.push(Facility::new(format!("p{i}"), Layer::Stations, snap.lon_lat, source));
    }
    served(ebike_engine(&extract))
}

/// `count` reproducible random points on the engine's roads, snapped.
pub fn random_road_points(engine: &Engine, count: usize, seed: u64) -> Vec<Snap> {
    let mut rng = SmallRng::seed_from_u64(seed);
    let mut points = Vec::with_capacity(count);
    while points.len() < count {
        let road = rng.random_range(0..engine.graph.road_count() as u32);
        let geometry = engine.graph.road_geometry(road);
        let k = rng.random_range(0..geometry.len() - 1);
        let t: f64 = rng.random();
        let (a, b) = (geometry[k], geometry[k + 1]);
        let point = [a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])];
        if let Ok(snap) = engine.snap(point) {
            points.push(snap);
        }
    }
    points
}

/// The extract names among command-line `args`: everything that is not a
/// flag of `flags` or its value; `porto` and `heidelberg` when none is given.
pub fn extract_names(args: &[String], flags: &[&str]) -> Vec<String> {
    let mut names = Vec::new();
    let mut skip = false;
    for a in args {
        if skip {
            skip = false;
        } else if flags.contains(&a.as_str()) {
            skip = true;
        } else {
            names.push(a.clone());
        }
    }
    if names.is_empty() {
        names = vec!["porto".to_string(), "heidelberg".to_string()];
    }
    names
}

/// Median and 99th percentile of a set of durations in microseconds.
pub fn median_p99(mut micros: Vec<f64>) -> (f64, f64) {
    micros.sort_by(f64::total_cmp);
    let at = |q: f64| micros[((micros.len() - 1) as f64 * q).round() as usize];
    (at(0.5), at(0.99))
}
