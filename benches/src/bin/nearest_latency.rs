//! Median and p99 latency of nearest-facility queries (k = 1 and 3, with
//! routes) from random road points, per facility layer of a shared extract,
//! answered by a search each and by a precomputed [`Table`] (with its build
//! time), and the throughput of a batch of riders on 1 and 2 threads.
//!
//! Run: `cargo run --release -p reach-benches --bin nearest_latency -- [EXTRACT ...]
//! [--queries 1000] [--batch 100000] [--write-points PREFIX]`.
//! `--write-points` saves, per extract, the start points
//! (`PREFIX.EXTRACT.json`) and each layer's snapped facilities
//! (`PREFIX.EXTRACT.LAYER.json`) as JSON arrays of `[lon, lat]`, so that
//! another engine can answer the same questions.

use std::time::Instant;

use rayon::prelude::*;
use reach_benches::{ebike_engine_with_random_stations, extract_names, median_p99, random_road_points};
use reach_engine::nearest::{Filter, Nearest, Query, Table, Targets, nearest};
use reach_engine::search::SearchSpace;
use reach_engine::{Engine, Layer, Snap};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let option = |name: &str| args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).cloned();
    let queries: usize = option("--queries").and_then(|q| q.parse().ok()).unwrap_or(1000);
    let batch: usize = option("--batch").and_then(|q| q.parse().ok()).unwrap_or(100_000);
    let names = extract_names(&args, &["--queries", "--batch", "--write-points"]);
    println!(
        "extract      layer       facilities  k  queries  answered  search: median_us  p99_us  | table: build_ms  median_us  p99_us  (e-bike, 60 min limit, with routes)"
    );
    for name in &names {
        let engine = ebike_engine_with_random_stations(name, 0, 0);
        let starts = random_road_points(&engine, queries, 42);
        let prefix = option("--write-points");
        if let Some(prefix) = &prefix {
            let points: Vec<[f64; 2]> = starts.iter().map(|s| s.lon_lat).collect();
            write_points(&format!("{prefix}.{name}.json"), &points);
        }
        let mut space = SearchSpace::new(engine.graph.node_count());
        for (label, layers) in layer_choices() {
            let targets = Targets::new(&engine, &Filter { layers: layers.clone(), ..Filter::default() });
            if let Some(prefix) = &prefix {
                write_points(&format!("{prefix}.{name}.{label}.json"), &target_points(&engine, &layers));
            }
            for k in [1, 3] {
                let query = Query::new(k, 60.0).expect("valid query");
                let (micros, answered) =
                    time_queries(&starts, |start| nearest(&engine, &targets, start, &query, &mut space));
                let (median, p99) = median_p99(micros);
                let clock = Instant::now();
                let table = Table::new(&engine, &targets, &query);
                let build_ms = clock.elapsed().as_secs_f64() * 1e3;
                let (micros, _) = time_queries(&starts, |start| table.nearest(&engine, start));
                let (table_median, table_p99) = median_p99(micros);
                println!(
                    "{name:<12} {label:<11} {:>10}  {k}  {:>7}  {answered:>8}  {median:>17.1}  {p99:>6.1}  | {build_ms:>15.1}  {table_median:>9.1}  {table_p99:>6.1}",
                    targets.len(),
                    starts.len()
                );
            }
        }
        if name == "heidelberg" && batch > 0 {
            batch_throughput(&engine, batch);
        }
    }
}

/// The layer selections timed: each layer, then every layer together.
fn layer_choices() -> Vec<(&'static str, Vec<Layer>)> {
    let mut choices: Vec<(&'static str, Vec<Layer>)> = Layer::ALL.iter().map(|&l| (l.name(), vec![l])).collect();
    choices.push(("all", Vec::new()));
    choices
}

/// Times one full answer (with routes) per start, after a warm-up round;
/// returns the microseconds and how many starts had an answer.
fn time_queries(starts: &[Snap], mut answer: impl FnMut(&Snap) -> Nearest) -> (Vec<f64>, usize) {
    let mut micros = Vec::with_capacity(starts.len());
    let mut answered = 0;
    // The first round warms the caches up; the second is timed.
    for _ in 0..2 {
        micros.clear();
        answered = 0;
        for start in starts {
            let clock = Instant::now();
            let result = answer(start);
            micros.push(clock.elapsed().as_secs_f64() * 1e6);
            answered += usize::from(!result.answers.is_empty());
            std::hint::black_box(result);
        }
    }
    (micros, answered)
}

/// Answers `count` random riders (snapping included) for the stations
/// layer, k = 1, on 1 and 2 threads, one search per rider and by a
/// precomputed table, and prints the queries per second.
fn batch_throughput(engine: &Engine, count: usize) {
    let riders: Vec<[f64; 2]> = random_road_points(engine, count, 7).iter().map(|s| s.lon_lat).collect();
    let targets = Targets::new(engine, &Filter { layers: vec![Layer::Stations], ..Filter::default() });
    let query = Query::new(1, 60.0).expect("valid query");
    let answered = |result: Nearest| usize::from(!result.answers.is_empty());
    for threads in [1, 2] {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().expect("thread pool");
        let clock = Instant::now();
        let searched: usize = pool.install(|| {
            riders
                .par_iter()
                .with_min_len(256)
                .map_init(
                    || SearchSpace::new(engine.graph.node_count()),
                    |space, &rider| {
                        let start = engine.snap(rider).expect("riders are on roads");
                        answered(nearest(engine, &targets, &start, &query, space))
                    },
                )
                .sum()
        });
        report(count, threads, "one search each", clock.elapsed().as_secs_f64(), searched);
        let clock = Instant::now();
        let looked_up: usize = pool.install(|| {
            let table = Table::new(engine, &targets, &query);
            riders
                .par_iter()
                .map(|&rider| answered(table.nearest(engine, &engine.snap(rider).expect("on roads"))))
                .sum()
        });
        report(count, threads, "table, build included", clock.elapsed().as_secs_f64(), looked_up);
    }
    let clock = Instant::now();
    std::hint::black_box(Table::new(engine, &targets, &query));
    println!("table build alone (stations, k = 1): {:.1} ms", clock.elapsed().as_secs_f64() * 1e3);
}

/// Prints one batch figure.
fn report(count: usize, threads: usize, how: &str, seconds: f64, answered: usize) {
    println!(
        "batch: {count} riders, stations (k = 1, with routes), {threads} thread(s), {how}: {seconds:.2} s, {:.0} queries/s, {answered} answered",
        count as f64 / seconds
    );
}

/// The snapped positions of the facilities of `layers` (every layer if empty).
fn target_points(engine: &Engine, layers: &[Layer]) -> Vec<[f64; 2]> {
    engine
        .facilities
        .all()
        .iter()
        .zip(&engine.snaps)
        .filter(|(f, snap)| snap.is_ok() && (layers.is_empty() || layers.contains(&f.layer)))
        .map(|(f, _)| [f.lon, f.lat])
        .collect()
}

/// Writes points as a JSON array of `[lon, lat]`.
fn write_points(path: &str, points: &[[f64; 2]]) {
    let list: Vec<String> = points.iter().map(|p| format!("[{:.7},{:.7}]", p[0], p[1])).collect();
    std::fs::write(path, format!("[{}]\n", list.join(","))).expect("write points");
}
