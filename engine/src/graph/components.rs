//! The largest strongly connected component, found with petgraph.
//!
//! Only inside one strongly connected component can every node reach every
//! other, so pieces cut off by a clipped extract, private islands and
//! one-way traps are dropped before any search runs.

use petgraph::algo::kosaraju_scc;
use petgraph::graph::DiGraph;

/// Marks the nodes of the largest strongly connected component of the graph
/// with `node_count` nodes and these `(tail, head)` arcs, and counts the
/// components. Ties go to the component with the smallest node number.
pub(super) fn largest_strong_component(node_count: usize, arcs: &[(u32, u32)]) -> (Vec<bool>, usize) {
    let mut graph = DiGraph::<(), (), u32>::with_capacity(node_count, arcs.len());
    for _ in 0..node_count {
        graph.add_node(());
    }
    graph.extend_with_edges(arcs);
    let components = kosaraju_scc(&graph);
    let mut keep = vec![false; node_count];
    let largest = components.iter().max_by_key(|c| {
        let smallest = c.iter().map(|n| n.index()).min().unwrap_or(usize::MAX);
        (c.len(), std::cmp::Reverse(smallest))
    });
    for node in largest.into_iter().flatten() {
        keep[node.index()] = true;
    }
    (keep, components.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_largest_cycle_and_drops_one_way_traps() {
        // 0 <-> 1 <-> 2 is a component of three; 2 -> 3 is a trap; 4 <-> 5 is an island.
        let arcs = [(0, 1), (1, 0), (1, 2), (2, 1), (2, 3), (4, 5), (5, 4)];
        let (keep, count) = largest_strong_component(6, &arcs);
        assert_eq!(keep, [true, true, true, false, false, false]);
        assert_eq!(count, 3);
    }

    #[test]
    fn ties_go_to_the_smallest_node() {
        let (keep, _) = largest_strong_component(4, &[(2, 3), (3, 2), (0, 1), (1, 0)]);
        assert_eq!(keep, [true, true, false, false]);
    }
}
