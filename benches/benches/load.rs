//! Load time from `.osm.pbf` to a ready engine (graph, layers, R-trees),
//! and its stages, on the shared Porto and Heidelberg extracts.
//!
//! Run: `cargo bench -p reach-benches --bench load`; for one core,
//! `RAYON_NUM_THREADS=1 cargo bench -p reach-benches --bench load`.
//! Peak memory is measured by `benches/load_memory.sh`.

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use reach_benches::extract_path;
use reach_engine::osm::read_pbf;
use reach_engine::{Engine, Extract, ExtractOptions, Graph, Profiles, TagMapping};

fn load(c: &mut Criterion) {
    let profiles = Profiles::default();
    let ebike = profiles.get("ebike").expect("built-in profile");
    let mapping = TagMapping::default();
    let mut group = c.benchmark_group("load");
    group.sample_size(20).measurement_time(Duration::from_secs(10));
    for name in ["porto", "heidelberg"] {
        let path = extract_path(name);
        group.bench_function(format!("{name}/ready_engine_ebike"), |b| {
            b.iter(|| Engine::load(&path, &ExtractOptions::default(), ebike, 300.0, &|_| {}).expect("loads"))
        });
        group.bench_function(format!("{name}/decode_pbf"), |b| {
            b.iter(|| read_pbf(&path, &|tags| mapping.selects(tags), &|_, _| {}).expect("decodes"))
        });
        let extract = Extract::read(&path, &ExtractOptions::default(), &|_| {}).expect("loads");
        group.bench_function(format!("{name}/build_graph_ebike"), |b| {
            b.iter(|| Graph::build(black_box(&extract.osm), ebike).expect("builds"))
        });
        group.bench_function(format!("{name}/graph_indexes_snaps_ebike"), |b| {
            b.iter(|| Engine::build(black_box(&extract), ebike, 300.0, &|_| {}).expect("builds"))
        });
    }
    group.finish();
}

criterion_group!(benches, load);
criterion_main!(benches);
