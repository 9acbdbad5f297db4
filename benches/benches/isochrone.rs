//! Isochrones: one 15-minute e-bike isochrone with its polygon from random
//! road points, and the 10- and 15-minute service circle of 1,000 points,
//! on the shared Porto and Heidelberg extracts.
//!
//! Run: `cargo bench -p reach-benches --bench isochrone`; for one core,
//! `RAYON_NUM_THREADS=1 cargo bench -p reach-benches --bench isochrone`.
//! Median and p99 per isochrone: `cargo run --release -p reach-benches --bin isochrone_latency`.

use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use reach_benches::{ebike_engine_with_random_stations, random_road_points};
use reach_engine::isochrone::{Contours, DEFAULT_BUFFER_M, Reached, per_facility, service_circle};
use reach_engine::search::{Direction, SearchSpace};

fn single(c: &mut Criterion) {
    let mut group = c.benchmark_group("isochrone");
    group.sample_size(50).measurement_time(Duration::from_secs(8));
    let fifteen = Contours::from_minutes(&[15.0]).expect("valid");
    for name in ["porto", "heidelberg"] {
        let engine = ebike_engine_with_random_stations(name, 0, 0);
        let starts = random_road_points(&engine, 64, 42);
        let mut space = SearchSpace::new(engine.graph.node_count());
        let mut k = 0;
        group.bench_function(format!("{name}/ebike_15min_polygon"), |b| {
            b.iter(|| {
                k = (k + 1) % starts.len();
                let reached =
                    Reached::search(&engine, &starts[k..=k], Direction::Reverse, fifteen.max_limit(), &mut space)
                        .expect("search");
                reached.polygons(&engine, &fifteen, DEFAULT_BUFFER_M).expect("polygons")
            })
        });
    }
    group.finish();
}

fn service_circles(c: &mut Criterion) {
    let mut group = c.benchmark_group("service_circle");
    group.sample_size(10).measurement_time(Duration::from_secs(20));
    let contours = Contours::from_minutes(&[10.0, 15.0]).expect("valid");
    // 1,000 random road points stand in for the stations layer.
    let engine = ebike_engine_with_random_stations("heidelberg", 1000, 7);
    let ids: Vec<u32> =
        (0..engine.facilities.all().len() as u32).filter(|&i| engine.facilities.get(i).id.starts_with('p')).collect();
    group.bench_function("heidelberg/1000_points_10_15min_isochrones_and_union", |b| {
        b.iter(|| {
            let each = per_facility(&engine, &ids, Direction::Reverse, contours.max_limit(), &|_, _| {}, |_, r| {
                r.polygons(&engine, &contours, DEFAULT_BUFFER_M)
            });
            let union = service_circle(&engine, &ids, Direction::Reverse, contours.max_limit())
                .and_then(|r| r.polygons(&engine, &contours, DEFAULT_BUFFER_M))
                .expect("service circle");
            (each.len(), union.len())
        })
    });
    group.finish();
}

criterion_group!(benches, single, service_circles);
criterion_main!(benches);
