//! Median and p99 latency of one 15-minute e-bike isochrone with its
//! polygon (reverse search: riders travelling to the point) from 400 random
//! road points on Porto and Heidelberg.
//!
//! Run: `cargo run --release -p reach-benches --bin isochrone_latency`.

use std::time::Instant;

use reach_benches::{ebike_engine_with_random_stations, median_p99, random_road_points};
use reach_engine::isochrone::{Contours, DEFAULT_BUFFER_M, Reached};
use reach_engine::search::{Direction, SearchSpace};

fn main() {
    let contours = Contours::from_minutes(&[15.0]).expect("valid contours");
    println!("extract      queries  median_us  p99_us  (search + reached network + 50 m polygon, 15 min e-bike)");
    for name in ["porto", "heidelberg"] {
        let engine = ebike_engine_with_random_stations(name, 0, 0);
        let starts = random_road_points(&engine, 400, 42);
        let mut space = SearchSpace::new(engine.graph.node_count());
        let mut micros = Vec::with_capacity(starts.len());
        for round in 0..2 {
            micros.clear();
            for start in &starts {
                let clock = Instant::now();
                let reached = Reached::search(&engine, &[*start], Direction::Reverse, contours.max_limit(), &mut space)
                    .expect("search");
                let polygons = reached.polygons(&engine, &contours, DEFAULT_BUFFER_M).expect("polygons");
                std::hint::black_box(polygons);
                micros.push(clock.elapsed().as_secs_f64() * 1e6);
            }
            if round == 0 {
                continue; // warm-up round
            }
            let (median, p99) = median_p99(micros.clone());
            println!("{name:<12} {:>7}  {median:>9.0}  {p99:>6.0}", starts.len());
        }
    }
}
