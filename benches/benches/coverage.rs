//! Coverage of Heidelberg by every facility of a layer: the search and
//! envelopes alone, and with the gaps.
//!
//! Run: `cargo bench -p reach-benches --bench coverage`.

use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use reach_benches::ebike_engine_with_random_stations;
use reach_engine::coverage::coverage;
use reach_engine::isochrone::Contours;
use reach_engine::{Amenities, Layer};

fn heidelberg(c: &mut Criterion) {
    let mut group = c.benchmark_group("coverage");
    group.sample_size(20).measurement_time(Duration::from_secs(10));
    let engine = ebike_engine_with_random_stations("heidelberg", 0, 0);
    let stations = engine.select_facilities(Some(Layer::Stations), Amenities::default(), &[]).expect("layer");
    let parking = engine.select_facilities(Some(Layer::Parking), Amenities::default(), &[]).expect("layer");
    let contours = Contours::from_minutes(&[10.0, 15.0]).expect("valid");
    group.bench_function(format!("heidelberg/stations_{}_10_15min_with_gaps", stations.len()), |b| {
        b.iter(|| coverage(&engine, &stations, &contours, None))
    });
    group.bench_function(format!("heidelberg/parking_{}_10_15min_with_gaps", parking.len()), |b| {
        b.iter(|| coverage(&engine, &parking, &contours, None))
    });
    group.finish();
}

criterion_group!(benches, heidelberg);
criterion_main!(benches);
