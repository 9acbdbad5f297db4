//! A digest of many isochrone polygons, for changes that must not change
//! them (speed-ups of the search, the raster or the tracer): run it before
//! and after, and the digests must be equal.
//!
//! Per extract: 150 seeded random road points, every other one forward
//! (from the point) and the others reverse, at three contour sets (15 min;
//! 5, 10 and 15 min; 3 and 7 min with a 120 m buffer, which walks its road
//! cells per request). Hashed: every vertex's coordinates bit for bit, each
//! contour's area bit for bit, and its road km to the millimetre (the order
//! of summing roads may change with the order stretches are gathered in).
//!
//! Run: `cargo run --release -p reach-benches --bin polygon_digest -- [EXTRACT ...]`
//! (default: porto heidelberg helsinki monaco).

use std::hash::{DefaultHasher, Hash, Hasher};

use reach_benches::{ebike_engine_with_random_stations, random_road_points};
use reach_engine::isochrone::{Contours, Reached};
use reach_engine::search::{Direction, SearchSpace};

/// The contour sets (minutes) and buffers (metres) digested.
const CONTOUR_SETS: [(&[f64], f64); 3] = [(&[15.0], 50.0), (&[5.0, 10.0, 15.0], 50.0), (&[3.0, 7.0], 120.0)];

fn main() {
    let mut names: Vec<String> = std::env::args().skip(1).collect();
    if names.is_empty() {
        names = ["porto", "heidelberg", "helsinki", "monaco"].map(String::from).to_vec();
    }
    for name in &names {
        let engine = ebike_engine_with_random_stations(name, 0, 0);
        let mut space = SearchSpace::new(engine.graph.node_count());
        let mut digest = DefaultHasher::new();
        for (minutes, buffer_m) in CONTOUR_SETS {
            let contours = Contours::from_minutes(minutes).expect("valid contours");
            for (k, start) in random_road_points(&engine, 150, 9).iter().enumerate() {
                let direction = if k % 2 == 0 { Direction::Forward } else { Direction::Reverse };
                let reached =
                    Reached::search(&engine, &[*start], direction, contours.max_limit(), &mut space).expect("search");
                for contour in reached.polygons(&engine, &contours, buffer_m).expect("polygons") {
                    contour.area_km2.to_bits().hash(&mut digest);
                    ((contour.road_km * 1e6).round() as i64).hash(&mut digest);
                    for polygon in &contour.polygons {
                        for ring in std::iter::once(polygon.exterior()).chain(polygon.interiors()) {
                            ring.0.iter().for_each(|c| [c.x.to_bits(), c.y.to_bits()].hash(&mut digest));
                        }
                    }
                }
            }
        }
        println!("{name} {:016x}", digest.finish());
    }
}
