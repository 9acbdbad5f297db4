//! Shortest travel times over the CSR graph.
//!
//! A [`SearchSpace`] holds one search's tentative times in flat arrays and
//! is reused: each new search bumps a generation counter instead of clearing
//! the arrays, so starting a search costs O(1) however large the graph.
//! Keep one per thread.

use crate::graph::{EdgeId, Graph, NodeId};
use crate::hierarchy::{Hierarchy, SweepMemory};
use crate::snap::Snap;
use crate::time_queue::TimeQueue;

/// Which way a search follows the edges.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Along the edges: times *from* the sources.
    Forward,
    /// Against the edges (reverse graph): times *to* the sources.
    Reverse,
}

/// One end of a snapped point's road as a search source: the node, the
/// partial travel time between the point and the node (rounded to the
/// decisecond), and the node's fraction along the road (0 or 1).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SnapEnd {
    /// The road end's node.
    pub node: NodeId,
    /// Travel time between the point and the node, deciseconds.
    pub time: u32,
    /// Where the node is on the road: 0 at its first end, 1 at its last.
    pub fraction: f64,
}

/// The ends of a snapped point's road that the direction of travel allows,
/// with the partial travel time between the point and each end. On a
/// one-way road only one end qualifies, unless the point is exactly at the
/// other end.
pub fn snap_ends(graph: &Graph, snap: &Snap, direction: Direction) -> Vec<SnapEnd> {
    let [start, end] = graph.road_ends(snap.road);
    let [along, against] = graph.road_edges(snap.road);
    let part = |edge: Option<u32>, share: f64| edge.map(|e| (f64::from(graph.time(e)) * share).round() as u32);
    let f = snap.fraction;
    let ends = match direction {
        // Leave the point along the road to its end, or against it to its start.
        Direction::Forward => [(end, part(along, 1.0 - f), 1.0), (start, part(against, f), 0.0)],
        // Arrive at the point from the start (riding along) or from the end (against).
        Direction::Reverse => [(start, part(along, f), 0.0), (end, part(against, 1.0 - f), 1.0)],
    };
    let mut sources: Vec<SnapEnd> = ends
        .into_iter()
        .filter_map(|(node, time, fraction)| time.map(|time| SnapEnd { node, time, fraction }))
        .collect();
    // A point exactly at a road end is at that node, whatever the road's direction.
    for (node, fraction) in [(start, 0.0), (end, 1.0)] {
        let at_node = SnapEnd { node, time: 0, fraction };
        if f == fraction && !sources.contains(&at_node) {
            sources.push(at_node);
        }
    }
    sources
}

/// The search sources for a snapped point, `(node, partial time)`: see
/// [`snap_ends`].
pub fn snap_sources(graph: &Graph, snap: &Snap, direction: Direction) -> Vec<(NodeId, u32)> {
    snap_ends(graph, snap, direction).into_iter().map(|end| (end.node, end.time)).collect()
}

/// A search expected to settle more than one node in `SWEEP_SHARE` of the
/// graph is done by a sweep of the contraction hierarchy instead.
pub const SWEEP_SHARE: usize = 6;

/// The share of the graph (one node in `PROBE_SHARE`) Dijkstra settles
/// before it foresees how far the search will go.
const PROBE_SHARE: usize = 16;

/// A queue entry ordered by time, then node.
fn entry(time: u32, node: NodeId) -> u64 {
    (u64::from(time) << 32) | u64::from(node)
}

/// What a search knows of one node; valid only when `stamp` is the
/// search's generation. Kept together: a search touches all three at once.
#[derive(Debug, Clone, Copy, Default)]
struct NodeState {
    time: u32,
    label: u32,
    stamp: u32,
}

thread_local! {
    /// The search space last lent out on this thread (see
    /// [`SearchSpace::with_kept`]).
    static KEPT: std::cell::Cell<Option<SearchSpace>> = const { std::cell::Cell::new(None) };
}

/// Reusable working memory for Dijkstra searches on one graph.
#[derive(Debug, Clone)]
pub struct SearchSpace {
    node: Vec<NodeState>,
    generation: u32,
    /// Queue entries `time << 32 | node`, popped by time, then node.
    heap: TimeQueue,
    reached: Vec<NodeId>,
    /// Working memory of hierarchy sweeps, empty until the first.
    sweep_memory: SweepMemory,
}

impl SearchSpace {
    /// Working memory for a graph of `node_count` nodes.
    pub fn new(node_count: usize) -> SearchSpace {
        SearchSpace {
            node: vec![NodeState::default(); node_count],
            // Stamps start below the generation: nothing is reached yet.
            generation: 1,
            heap: TimeQueue::default(),
            reached: Vec::new(),
            sweep_memory: SweepMemory::default(),
        }
    }

    /// Runs `work` with this thread's kept search space for a graph of
    /// `node_count` nodes, made on the thread's first use (or when the graph
    /// size changes) and kept for the next call: a server answering one
    /// search per request on a pool of threads allocates no graph-sized
    /// memory per request.
    pub fn with_kept<T>(node_count: usize, work: impl FnOnce(&mut SearchSpace) -> T) -> T {
        let kept = KEPT.take().filter(|space| space.node.len() == node_count);
        let mut space = kept.unwrap_or_else(|| SearchSpace::new(node_count));
        let result = work(&mut space);
        KEPT.set(Some(space));
        result
    }

    /// The label of the source nearest to `node` in the last search (see
    /// [`SearchSpace::run_labelled`]), if it was reached.
    pub fn label(&self, node: NodeId) -> Option<u32> {
        let state = self.node[node as usize];
        (state.stamp == self.generation).then_some(state.label)
    }

    /// Every node the last search reached within its limit, in no
    /// particular order.
    pub fn reached(&self) -> &[NodeId] {
        &self.reached
    }

    /// The settled travel time to (or from) `node` in deciseconds from the
    /// last search, if it was reached within its limit.
    pub fn time(&self, node: NodeId) -> Option<u32> {
        let state = self.node[node as usize];
        (state.stamp == self.generation).then_some(state.time)
    }

    /// Finds every node whose time from (forward) or to (reverse) the
    /// nearest of `sources` (`(node, initial time)`) is at most `limit`
    /// deciseconds.
    ///
    /// Dijkstra settles the nodes in order of time. When the graph has a
    /// prepared contraction hierarchy ([`Graph::prepare_hierarchy`]), a
    /// search that will settle more than a share of the graph
    /// ([`SWEEP_SHARE`]) starts again as a sweep of it
    /// ([`Hierarchy::sweep`]), which costs a few nanoseconds per node of the
    /// whole graph instead of tens per node reached. Both give the same
    /// exact times; only the speed depends on the choice. The search
    /// foresees its end from the nodes settled so far: on a road network
    /// they grow at least in proportion to the time (about as its square in
    /// open country, slower where water or the map's edge is near), so `k`
    /// nodes by time `t` point to at least `k · limit / t` by the limit
    /// (checked from a small share of the graph on, [`PROBE_SHARE`]; a
    /// search that grows faster than foreseen switches when it gets there).
    ///
    /// Complexity: O(V + E + T / 8) over the nodes and edges within the
    /// limit and the T deciseconds it spans (plus sorting the few nodes that
    /// fall in each 0.8 s bucket of the queue); where it sweeps, that of
    /// Dijkstra over at most a sixth of the graph plus O(n + arcs) for the
    /// whole hierarchy.
    pub fn run(&mut self, graph: &Graph, sources: &[(NodeId, u32)], direction: Direction, limit: u32) {
        let labelled = sources.iter().map(|&(node, time)| (node, time, 0));
        let Some(hierarchy) = graph.hierarchy() else {
            return self.run_until(graph, labelled, direction, limit, |_, _| limit);
        };
        let n = graph.node_count();
        let (probe, budget) = (n / PROBE_SHARE, n / SWEEP_SHARE);
        let mut settled = 0;
        let mut switch = false;
        self.run_until(graph, labelled, direction, limit, |_, time| {
            settled += 1;
            // `settled · limit / time > budget`, without a division.
            let foreseen = || settled as f64 * f64::from(limit) > budget as f64 * f64::from(time.max(1));
            switch |= settled > budget || (settled > probe && foreseen());
            // A limit of 0 stops Dijkstra: the sweep starts afresh.
            if switch { 0 } else { limit }
        });
        if switch {
            self.sweep(hierarchy, sources, direction, limit);
        }
    }

    /// Finds the same nodes and times as [`SearchSpace::run`] by a sweep of
    /// `hierarchy`, which must be that of this space's graph; every label
    /// is 0.
    pub(crate) fn sweep(&mut self, hierarchy: &Hierarchy, sources: &[(NodeId, u32)], direction: Direction, limit: u32) {
        assert_eq!(hierarchy.node_count(), self.node.len(), "a hierarchy of another graph");
        self.next_generation();
        self.reached.clear();
        let generation = self.generation;
        let (node, reached) = (&mut self.node, &mut self.reached);
        hierarchy.sweep(sources, direction, limit, &mut self.sweep_memory, |found, time| {
            node[found as usize] = NodeState { time, label: 0, stamp: generation };
            reached.push(found);
        });
    }

    /// Runs Dijkstra from `sources` (`(node, initial time, label)`) and
    /// settles every node whose time is at most `limit` deciseconds: the
    /// times of [`SearchSpace::run`], and every node also learns the label
    /// of its nearest source ([`SearchSpace::label`]); equally near sources
    /// resolve to the lowest label, so the result does not depend on the
    /// order of sources.
    ///
    /// Complexity: that of Dijkstra in [`SearchSpace::run`].
    pub fn run_labelled(
        &mut self,
        graph: &Graph,
        sources: impl IntoIterator<Item = (NodeId, u32, u32)>,
        direction: Direction,
        limit: u32,
    ) {
        self.run_until(graph, sources, direction, limit, |_, _| limit);
    }

    /// Like [`SearchSpace::run_labelled`], calling `settle(node, time)` as
    /// each node is settled, in order of time. `settle` returns the limit
    /// for the rest of the search: lowering it stops the search early once
    /// the queue holds nothing within it (nearest-facility searches stop as
    /// soon as their k-th answer is certain).
    pub fn run_until(
        &mut self,
        graph: &Graph,
        sources: impl IntoIterator<Item = (NodeId, u32, u32)>,
        direction: Direction,
        limit: u32,
        mut settle: impl FnMut(NodeId, u32) -> u32,
    ) {
        // A time of u32::MAX (a saturated sum) counts as never reached.
        let mut limit = limit.min(u32::MAX - 1);
        self.next_generation();
        self.heap.clear();
        self.reached.clear();
        for (node, time, label) in sources {
            if time <= limit && self.improve(node, time, label) {
                self.heap.push(entry(time, node));
            }
        }
        while let Some(packed) = self.heap.pop() {
            let (time, node) = ((packed >> 32) as u32, packed as u32);
            if time > self.node[node as usize].time {
                continue;
            }
            if time > limit {
                break;
            }
            limit = limit.min(settle(node, time));
            let label = self.node[node as usize].label;
            let mut relax = |next: NodeId, edge_time: u32| {
                let candidate = time.saturating_add(edge_time);
                if candidate <= limit && self.improve(next, candidate, label) {
                    self.heap.push(entry(candidate, next));
                }
            };
            match direction {
                Direction::Forward => graph.out_arcs(node).iter().for_each(|&(head, time)| relax(head, time)),
                Direction::Reverse => graph.in_arcs(node).iter().for_each(|&(tail, time)| relax(tail, time)),
            }
        }
    }

    /// The edge by which the last search reached `node` on a shortest path:
    /// an edge from (forward) or to (reverse) a reached node whose time plus
    /// the edge's time is exactly `node`'s time, the lowest such edge id.
    /// `None` for a node reached only as a source, and for unreached nodes.
    ///
    /// Times are exact integers, so walking these edges back from any
    /// settled node retraces a shortest path without storing parents.
    pub fn predecessor(&self, graph: &Graph, node: NodeId, direction: Direction) -> Option<EdgeId> {
        let time = self.time(node)?;
        let leads_here = |other: NodeId, edge: EdgeId| {
            self.time(other).is_some_and(|t| t.checked_add(graph.time(edge)) == Some(time))
        };
        match direction {
            Direction::Forward => graph.in_edges(node).filter(|&(tail, e)| leads_here(tail, e)).map(|(_, e)| e).min(),
            Direction::Reverse => graph.out_edges(node).filter(|&e| leads_here(graph.head(e), e)).min(),
        }
    }

    /// Lowers the tentative time of `node` if `time` is better, or its label
    /// if the time ties and `label` is lower. Returns whether the node must
    /// be (re)queued: a label alone changes no queue order, and every tie
    /// arrives before the node is settled (edge times are at least 1).
    fn improve(&mut self, node: NodeId, time: u32, label: u32) -> bool {
        let state = &mut self.node[node as usize];
        let new = state.stamp != self.generation;
        if new || time < state.time {
            *state = NodeState { time, label, stamp: self.generation };
            if new {
                self.reached.push(node);
            }
            true
        } else {
            if time == state.time && label < state.label {
                state.label = label;
            }
            false
        }
    }

    /// Invalidates every stored time in O(1) (O(n) once every 2³² searches).
    fn next_generation(&mut self) {
        self.generation = self.generation.wrapping_add(1);
        if self.generation == 0 {
            self.node.fill(NodeState::default());
            self.generation = 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::tests::{ebike_town, node};

    #[test]
    fn one_way_streets_make_the_two_directions_differ() {
        let graph = ebike_town();
        let mut space = SearchSpace::new(graph.node_count());
        let (n4, n6) = (node(&graph, 4), node(&graph, 6));
        // 4 -> 6 along the one-way street: 222.39 m at 16 km/h.
        space.run(&graph, &[(n4, 0)], Direction::Forward, u32::MAX);
        assert_eq!(space.time(n6), Some(500));
        // 6 -> 4 must go round: 6-1 (250), 1-3 (500), 3-4 (250).
        space.run(&graph, &[(n6, 0)], Direction::Forward, u32::MAX);
        assert_eq!(space.time(n4), Some(1000));
        // Times *to* 4 from 6 on the reverse graph equal times from 6 forward.
        space.run(&graph, &[(n4, 0)], Direction::Reverse, u32::MAX);
        assert_eq!(space.time(n6), Some(1000));
    }

    #[test]
    fn a_kept_space_serves_the_next_search_of_the_same_graph_size() {
        let graph = ebike_town();
        let (n4, n6) = (node(&graph, 4), node(&graph, 6));
        let n = graph.node_count();
        // Dijkstra alone: one generation per search.
        let search = |space: &mut SearchSpace, from| {
            space.run_labelled(&graph, [(from, 0, 0)], Direction::Forward, u32::MAX);
            (space.generation, space.time(n4), space.time(n6))
        };
        let first = SearchSpace::with_kept(n, |space| search(space, n4));
        let second = SearchSpace::with_kept(n, |space| search(space, n6));
        assert_eq!((first.1, first.2), (Some(0), Some(500)));
        assert_eq!(
            (second.0, second.1, second.2),
            (first.0 + 1, Some(1000), Some(0)),
            "the same space, searched again"
        );
        let other = SearchSpace::with_kept(n + 1, |space| (space.node.len(), space.generation));
        assert_eq!(other, (n + 1, 1), "a fresh space for another graph size");
    }

    #[test]
    fn a_point_on_a_one_way_street_has_one_source_per_direction() {
        let graph = ebike_town();
        let (n4, n6) = (node(&graph, 4), node(&graph, 6));
        let road = (0..graph.road_count() as u32).find(|&r| graph.road_ends(r) == [n4, n6]).unwrap();
        let snap = Snap { road, fraction: 0.25, distance_m: 0.0, lon_lat: [0.001, 0.0015] };
        // 500 ds for the whole one-way edge 4 -> 6.
        assert_eq!(snap_sources(&graph, &snap, Direction::Forward), vec![(n6, 375)]);
        assert_eq!(snap_sources(&graph, &snap, Direction::Reverse), vec![(n4, 125)]);
    }

    #[test]
    fn a_point_on_a_two_way_street_reaches_both_ends() {
        let graph = ebike_town();
        let (n1, n3) = (node(&graph, 1), node(&graph, 3));
        let road = (0..graph.road_count() as u32).find(|&r| graph.road_ends(r) == [n1, n3]).unwrap();
        let snap = Snap { road, fraction: 0.5, distance_m: 0.0, lon_lat: [0.0, 0.001] };
        let mut sources = snap_sources(&graph, &snap, Direction::Forward);
        sources.sort();
        let mut expected = vec![(n3, 250), (n1, 250)];
        expected.sort();
        assert_eq!(sources, expected);
    }

    #[test]
    fn labels_name_the_nearest_source_and_ties_go_to_the_lowest() {
        let graph = ebike_town();
        let mut space = SearchSpace::new(graph.node_count());
        let (n1, n3, n4, n6) = (node(&graph, 1), node(&graph, 3), node(&graph, 4), node(&graph, 6));
        // Sources at 3 (label 7) and 6 (label 2): node 4 is 250 from 3 and 1000 from 6 (reverse: to the source).
        space.run_labelled(&graph, [(n3, 0, 7), (n6, 0, 2)], Direction::Forward, u32::MAX);
        assert_eq!((space.time(n4), space.label(n4)), (Some(250), Some(7)));
        // Node 1: 250 from 6, 500 from 3.
        assert_eq!((space.time(n1), space.label(n1)), (Some(250), Some(2)));
        // A tie: two sources at the same node, in either order.
        space.run_labelled(&graph, [(n3, 0, 9), (n3, 0, 4)], Direction::Forward, u32::MAX);
        assert_eq!(space.label(n4), Some(4));
        space.run_labelled(&graph, [(n3, 0, 4), (n3, 0, 9)], Direction::Forward, u32::MAX);
        assert_eq!(space.label(n4), Some(4));
    }

    #[test]
    fn limits_and_reuse() {
        let graph = ebike_town();
        let mut space = SearchSpace::new(graph.node_count());
        assert_eq!(space.time(0), None, "nothing is reached before the first search");
        let (n1, n3, n6) = (node(&graph, 1), node(&graph, 3), node(&graph, 6));
        space.run(&graph, &[(n1, 0)], Direction::Forward, 499);
        assert_eq!(space.time(n6), Some(250));
        assert_eq!(space.time(n3), None, "500 ds is over the limit");
        space.run(&graph, &[(n3, 0), (n6, 100)], Direction::Forward, 1000);
        assert_eq!(space.time(n1), Some(350));
        assert_eq!(space.time(n3), Some(0));
    }
}
