//! Sweeps of the hierarchy against Dijkstra on hand-made graphs.

use super::*;
use crate::graph::tests::ebike_town;
use crate::osm::OsmData;
use crate::profile::Profiles;
use crate::search::SearchSpace;

/// OSM tags of a test way.
type Tags<'a> = &'a [(&'a str, &'a str)];

/// Checks that the sweep finds exactly Dijkstra's nodes and times from
/// every node of `graph`, both ways, within each of `limits`.
fn assert_sweeps_equal_dijkstra(graph: &Graph, limits: &[u32]) {
    let hierarchy = Hierarchy::new(graph);
    let (mut dijkstra, mut sweep) = (SearchSpace::new(graph.node_count()), SearchSpace::new(graph.node_count()));
    for source in 0..graph.node_count() as NodeId {
        for direction in [Direction::Forward, Direction::Reverse] {
            for &limit in limits {
                let sources = [(source, 7)];
                dijkstra.run_labelled(graph, sources.map(|(n, t)| (n, t, 0)), direction, limit);
                sweep.sweep(&hierarchy, &sources, direction, limit);
                for node in 0..graph.node_count() as NodeId {
                    let what = format!("{direction:?} from {source} to {node} within {limit}");
                    assert_eq!(sweep.time(node), dijkstra.time(node), "{what}");
                }
                let (mut a, mut b) = (sweep.reached().to_vec(), dijkstra.reached().to_vec());
                a.sort_unstable();
                b.sort_unstable();
                assert_eq!(a, b, "{direction:?} from {source} within {limit}: the same nodes");
            }
        }
    }
}

#[test]
fn sweeps_of_the_town_equal_dijkstra() {
    // The one-way street 4 -> 6 makes the directions differ.
    assert_sweeps_equal_dijkstra(&ebike_town(), &[u32::MAX, 300, 757, 0]);
}

/// A `side × side` street grid with jittered corners, some one-way streets
/// and some streets missing: a graph where many shortcuts are needed and
/// many are not.
pub(crate) fn street_grid(side: i64, seed: u64) -> Graph {
    Graph::build(&street_grid_osm(side, seed), Profiles::default().get("ebike").unwrap()).unwrap().0
}

/// The OSM data of [`street_grid`]: corners 0.001° apart from (0°, 0°).
pub(crate) fn street_grid_osm(side: i64, seed: u64) -> OsmData {
    let mut state = crate::test_random::random_states(seed);
    let mut next = move || state() >> 11;
    let id = |i: i64, j: i64| 1 + i * side + j;
    let mut nodes = Vec::new();
    for i in 0..side {
        for j in 0..side {
            let jitter = |r: u64| (r % 300) as f64 * 1e-6;
            nodes.push((id(i, j), [i as f64 * 0.001 + jitter(next()), j as f64 * 0.001 + jitter(next())]));
        }
    }
    let two_way: Tags = &[("highway", "residential")];
    let one_way: Tags = &[("highway", "residential"), ("oneway", "yes")];
    let primary: Tags = &[("highway", "primary")];
    let mut ways: Vec<(i64, Tags, Vec<i64>)> = Vec::new();
    for i in 0..side {
        for j in 0..side {
            for (di, dj) in [(1, 0), (0, 1)] {
                let (a, b) = (i + di, j + dj);
                if a >= side || b >= side || next() % 9 == 0 {
                    continue;
                }
                let tags = match next() % 6 {
                    0 => one_way,
                    1 => primary,
                    _ => two_way,
                };
                ways.push((ways.len() as i64 + 1, tags, vec![id(i, j), id(a, b)]));
            }
        }
    }
    let ways: Vec<(i64, Tags, &[i64])> = ways.iter().map(|(w, t, n)| (*w, *t, n.as_slice())).collect();
    OsmData::from_elements(&nodes, &ways)
}

#[test]
fn sweeps_of_street_grids_equal_dijkstra() {
    for seed in [1, 2, 3] {
        let graph = street_grid(9, seed);
        assert!(graph.node_count() > 40, "the grid keeps most of its corners");
        assert_sweeps_equal_dijkstra(&graph, &[u32::MAX, 900]);
    }
}

#[test]
fn several_sources_with_their_own_start_times() {
    let graph = street_grid(10, 9);
    let hierarchy = Hierarchy::new(&graph);
    let n = graph.node_count() as NodeId;
    let (mut dijkstra, mut sweep) = (SearchSpace::new(graph.node_count()), SearchSpace::new(graph.node_count()));
    let sources = [(0, 40), (n / 2, 0), (n - 1, 300), (n / 2, 10)];
    for direction in [Direction::Forward, Direction::Reverse] {
        dijkstra.run_labelled(&graph, sources.map(|(s, t)| (s, t, 0)), direction, 2000);
        sweep.sweep(&hierarchy, &sources, direction, 2000);
        for node in 0..n {
            assert_eq!(sweep.time(node), dijkstra.time(node), "{direction:?}: node {node}");
        }
    }
}

#[test]
fn a_triangle_needs_no_shortcut() {
    // Whichever corner goes first, the straight road between the other two
    // is faster than the way round it: a witness for every pair.
    let road: Tags = &[("highway", "residential")];
    let nodes = [(1, [0.0, 0.0]), (2, [0.001, 0.0015]), (3, [0.002, 0.0])];
    let ways: [(i64, Tags, &[i64]); 3] = [(1, road, &[1, 2]), (2, road, &[2, 3]), (3, road, &[3, 1])];
    let triangle =
        Graph::build(&OsmData::from_elements(&nodes, &ways), Profiles::default().get("ebike").unwrap()).unwrap().0;
    assert_eq!(triangle.edge_count(), 6);
    assert_eq!(Hierarchy::new(&triangle).arc_count(), 6, "the edges and no shortcut");
    assert_sweeps_equal_dijkstra(&triangle, &[u32::MAX, 100]);
}

#[test]
fn a_rebuilt_graph_adopts_the_hierarchy_of_the_same_roads_only() {
    let (first, again, other) = (street_grid(8, 4), street_grid(8, 4), street_grid(8, 5));
    assert!(!again.adopt_hierarchy(&first), "nothing to adopt before it is prepared");
    first.prepare_hierarchy();
    assert!(!other.adopt_hierarchy(&first), "other roads");
    assert!(other.hierarchy().is_none());
    assert!(again.adopt_hierarchy(&first), "the same roads");
    let adopted = again.hierarchy().expect("adopted");
    assert_eq!(adopted.arc_count(), first.prepare_hierarchy().arc_count());
    let (mut dijkstra, mut sweep) = (SearchSpace::new(again.node_count()), SearchSpace::new(again.node_count()));
    dijkstra.run_labelled(&again, [(3, 0, 0)], Direction::Forward, u32::MAX);
    sweep.sweep(adopted, &[(3, 0)], Direction::Forward, u32::MAX);
    for node in 0..again.node_count() as NodeId {
        assert_eq!(sweep.time(node), dijkstra.time(node), "node {node}");
    }
}

#[test]
fn a_search_on_a_prepared_graph_finds_what_dijkstra_finds_whether_it_sweeps_or_not() {
    let graph = street_grid(12, 6);
    graph.prepare_hierarchy();
    let n = graph.node_count() as NodeId;
    let (mut dijkstra, mut run) = (SearchSpace::new(graph.node_count()), SearchSpace::new(graph.node_count()));
    // Short limits stay Dijkstra, long ones sweep; none reaches nothing.
    for limit in [0, 150, 400, 1500, 6000, u32::MAX] {
        for sources in [vec![(n / 3, 0)], vec![(0, 20), (n - 1, 0)], vec![]] {
            for direction in [Direction::Forward, Direction::Reverse] {
                dijkstra.run_labelled(&graph, sources.iter().map(|&(s, t)| (s, t, 0)), direction, limit);
                run.run(&graph, &sources, direction, limit);
                for node in 0..n {
                    let what = format!("{direction:?} from {sources:?} within {limit}: node {node}");
                    assert_eq!(run.time(node), dijkstra.time(node), "{what}");
                }
                assert_eq!(run.reached().len(), dijkstra.reached().len(), "{direction:?} within {limit}");
            }
        }
    }
    let mut empty = SearchSpace::new(graph.node_count());
    empty.sweep(graph.prepare_hierarchy(), &[], Direction::Forward, u32::MAX);
    assert!(empty.reached().is_empty(), "no source, nothing reached");
}
