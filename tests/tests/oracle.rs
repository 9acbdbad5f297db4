//! The CSR search against petgraph's Dijkstra on the same edges of real
//! extracts: every travel time must be equal, in both directions, whether
//! the search is Dijkstra or a sweep of the contraction hierarchy (as every
//! unbounded search is once the hierarchy is prepared).

mod common;

use common::to_petgraph;
use petgraph::algo::dijkstra;
use petgraph::graph::NodeIndex;
use petgraph::visit::{EdgeRef, Reversed};
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use reach_engine::search::{Direction, SearchSpace};
use reach_engine::{Graph, NodeId};

fn assert_equal_times(space: &SearchSpace, oracle: impl Fn(NodeIndex) -> Option<u32>, graph: &Graph, what: &str) {
    for node in 0..graph.node_count() as NodeId {
        let expected = oracle(NodeIndex::new(node as usize));
        assert_eq!(space.time(node), expected, "{what}: node {node}");
    }
}

#[test]
fn csr_dijkstra_equals_petgraph_on_real_extracts() {
    let mut rng = SmallRng::seed_from_u64(2026);
    for (name, profile) in [("porto", "ebike"), ("heidelberg", "car"), ("helsinki", "walk"), ("chengdu", "ebike")] {
        let engine = common::engine(&common::read(name), profile);
        let graph = &engine.graph;
        graph.prepare_hierarchy();
        let pg = to_petgraph(graph);
        let mut space = SearchSpace::new(graph.node_count());
        // 10 sources per extract, each compared at every node: thousands of pairs.
        for _ in 0..10 {
            let source = rng.random_range(0..graph.node_count() as NodeId);
            let start = NodeIndex::new(source as usize);
            space.run(graph, &[(source, 0)], Direction::Forward, u32::MAX);
            let oracle = dijkstra(&pg, start, None, |e| *e.weight());
            assert_eq!(oracle.len(), graph.node_count(), "{name}: the graph is one strongly connected component");
            let forward = |n| oracle.get(&n).copied();
            assert_equal_times(&space, forward, graph, &format!("{name}/{profile} forward from {source}"));
            space.run_labelled(graph, [(source, 0, 0)], Direction::Forward, u32::MAX);
            assert_equal_times(&space, forward, graph, &format!("{name}/{profile} Dijkstra alone from {source}"));

            space.run(graph, &[(source, 0)], Direction::Reverse, u32::MAX);
            let oracle = dijkstra(Reversed(&pg), start, None, |e| *e.weight());
            let reverse = |n| oracle.get(&n).copied();
            assert_equal_times(&space, reverse, graph, &format!("{name}/{profile} reverse to {source}"));
        }
    }
}

#[test]
fn bounded_search_settles_exactly_the_nodes_within_the_limit() {
    let mut rng = SmallRng::seed_from_u64(15);
    let engine = common::engine(&common::read("monaco"), "ebike");
    let graph = &engine.graph;
    let pg = to_petgraph(graph);
    let mut space = SearchSpace::new(graph.node_count());
    for round in 0..40 {
        if round == 20 {
            // The same, where long searches sweep the hierarchy.
            graph.prepare_hierarchy();
        }
        let source = rng.random_range(0..graph.node_count() as NodeId);
        let limit = rng.random_range(100..9000);
        space.run(graph, &[(source, 0)], Direction::Forward, limit);
        let oracle = dijkstra(&pg, NodeIndex::new(source as usize), None, |e| *e.weight());
        let within = |n| oracle.get(&n).copied().filter(|&t| t <= limit);
        assert_equal_times(&space, within, graph, &format!("monaco from {source} within {limit}"));
    }
}
