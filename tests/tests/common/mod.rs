//! Shared helpers of the end-to-end tests: where the real extracts are,
//! loading them, and the petgraph oracle graph.
//! (Each test file uses only some of them.)
#![allow(dead_code)]

use std::path::PathBuf;

use petgraph::graph::{DiGraph, NodeIndex};
use reach_engine::{EdgeId, Engine, Extract, ExtractOptions, Graph, Profiles};

/// The path of a shared extract; panics with a clear message when the shared
/// data folder is not beside the checkout.
pub fn extract_path(name: &str) -> PathBuf {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/data").join(format!("{name}.osm.pbf"));
    assert!(path.exists(), "{} is missing: the tests need ../shared/data beside the checkout", path.display());
    path
}

/// Reads a shared extract with the default facility mapping.
pub fn read(name: &str) -> Extract {
    Extract::read(&extract_path(name), &ExtractOptions::default(), &|_| {}).expect("shared extracts load")
}

/// The engine of one profile on a shared extract.
pub fn engine(extract: &Extract, profile: &str) -> Engine {
    let profiles = Profiles::default();
    Engine::build(extract, profiles.get(profile).expect("built-in profile"), 300.0, &|_| {}).expect("engine builds")
}

/// The same edges as a petgraph graph, weighted by travel time.
pub fn to_petgraph(graph: &Graph) -> DiGraph<(), u32> {
    let mut pg = DiGraph::with_capacity(graph.node_count(), graph.edge_count());
    for _ in 0..graph.node_count() {
        pg.add_node(());
    }
    for e in 0..graph.edge_count() as EdgeId {
        pg.add_edge(NodeIndex::new(graph.tail(e) as usize), NodeIndex::new(graph.head(e) as usize), graph.time(e));
    }
    pg
}
