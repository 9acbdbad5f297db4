//! The reached network: which stretches of which roads a search reached,
//! with the travel time at each end, partly reached edges cut at the exact
//! point.

use crate::graph::{EdgeId, Graph, NodeId, RoadId};
use crate::search::{Direction, SearchSpace};
use crate::snap::Snap;

/// A stretch of one road between two fractions of its length, along which
/// the travel time changes linearly from `time[0]` to `time[1]` (in
/// deciseconds; `from` may be greater than `to`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Stretch {
    /// The road.
    pub road: RoadId,
    /// Fraction of the road where the stretch begins.
    pub from: f64,
    /// Fraction of the road where the stretch ends.
    pub to: f64,
    /// Travel time at `from` and at `to`, deciseconds.
    pub time: [f64; 2],
}

impl Stretch {
    /// The part of the stretch reached within `limit` deciseconds, if any.
    pub fn within(&self, limit: f64) -> Option<Stretch> {
        let [t0, t1] = self.time;
        match (t0 <= limit, t1 <= limit) {
            (true, true) => Some(*self),
            (false, false) => None,
            (near_start, _) => {
                let cut = (limit - t0) / (t1 - t0);
                let at = self.from + cut * (self.to - self.from);
                Some(if near_start {
                    Stretch { to: at, time: [t0, limit], ..*self }
                } else {
                    Stretch { from: at, time: [limit, t1], ..*self }
                })
            }
        }
    }

    /// The stretch's fractions in increasing order.
    pub fn interval(&self) -> [f64; 2] {
        [self.from.min(self.to), self.from.max(self.to)]
    }
}

/// A search that reached at least one node in this many has its stretches
/// gathered road by road: looking at every road once then costs less than
/// looking at each reached node's roads (once from each end).
const BY_ROADS_SHARE: usize = 3;

/// How [`reached_stretches`] finds the reached edges.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Gather {
    /// Every road, once, in id order (ids follow the roads' lower end node).
    ByRoads,
    /// The edges of each reached node, the nodes in id order.
    ByNodes,
}

/// Every stretch reached within `limit` by the search just run in `space`
/// from `starts` in `direction`: the roads around each start point, and
/// every edge leaving (forward) or entering (reverse) a reached node, cut
/// where the limit runs out. The stretches come grouped by road, roads in
/// about the order of their nodes (so near roads are near in the list; the
/// exact order depends on how they were gathered, the set does not).
///
/// Grouping needs no sort: the edges come road by road when the search
/// reached a good share of the graph ([`BY_ROADS_SHARE`]), and otherwise
/// node by node, each road's edges (at most one from each end) when its
/// first reached end comes up. Start roads, which have more, go last.
pub fn reached_stretches(
    graph: &Graph,
    space: &SearchSpace,
    starts: &[Snap],
    direction: Direction,
    limit: u32,
) -> Vec<Stretch> {
    let gather =
        if space.reached().len() * BY_ROADS_SHARE >= graph.node_count() { Gather::ByRoads } else { Gather::ByNodes };
    gathered_stretches(graph, space, starts, direction, limit, gather)
}

/// [`reached_stretches`], gathered as `gather` says.
fn gathered_stretches(
    graph: &Graph,
    space: &SearchSpace,
    starts: &[Snap],
    direction: Direction,
    limit: u32,
    gather: Gather,
) -> Vec<Stretch> {
    let limit = f64::from(limit);
    let mut start_roads: Vec<RoadId> = starts.iter().map(|s| s.road).collect();
    start_roads.sort_unstable();
    start_roads.dedup();
    let mut on_start_roads = Vec::new();
    for snap in starts {
        start_stretches(graph, snap, direction, limit, &mut on_start_roads);
    }
    // The stretch along an edge of `road` (against its geometry when
    // `reversed`) taking `time`, from its end reached at `t_node`: from the
    // edge's tail (forward) or to its head (reverse).
    let toward_node = direction == Direction::Reverse;
    let stretch = |road: RoadId, reversed: bool, time: u32, t_node: u32| {
        let (budget, time, t_node) = (limit - f64::from(t_node), f64::from(time), f64::from(t_node));
        // The share of the edge within the budget (most edges are wholly
        // reached: no division), and its fractions from the edge's tail.
        let (share, far_time) = if budget >= time { (1.0, t_node + time) } else { (budget / time, t_node + budget) };
        let (from, to, times) =
            if toward_node { (1.0 - share, 1.0, [far_time, t_node]) } else { (0.0, share, [t_node, far_time]) };
        let road_fraction = |g: f64| if reversed { 1.0 - g } else { g };
        Stretch { road, from: road_fraction(from), to: road_fraction(to), time: times }
    };
    // One stretch per edge leaving (entering) a reached node.
    let capacity: usize = match direction {
        Direction::Forward => space.reached().iter().map(|&n| graph.out_edges(n).len()).sum(),
        Direction::Reverse => space.reached().iter().map(|&n| graph.in_arcs(n).len()).sum(),
    };
    // (Room for the start roads' stretches too: they are appended last.)
    let mut stretches = Vec::with_capacity(capacity + on_start_roads.len());
    let push = |road: RoadId, reversed: bool, time: u32, t_node: u32| {
        let out = if start_roads.binary_search(&road).is_ok() { &mut on_start_roads } else { &mut stretches };
        out.push(stretch(road, reversed, time, t_node));
    };
    match gather {
        Gather::ByRoads => edges_by_roads(graph, space, direction, push),
        Gather::ByNodes => edges_by_nodes(graph, space, direction, push),
    }
    on_start_roads.sort_by_key(|s| s.road);
    stretches.append(&mut on_start_roads);
    stretches
}

/// Calls `push(road, reversed, time, t_end)` for every edge (of `road`,
/// against its geometry when `reversed`, taking `time`) whose tail
/// (forward) or head (reverse) the search reached at `t_end`, road by road.
fn edges_by_roads(
    graph: &Graph,
    space: &SearchSpace,
    direction: Direction,
    mut push: impl FnMut(RoadId, bool, u32, u32),
) {
    for road in 0..graph.road_count() as RoadId {
        let [first, last] = graph.road_ends(road);
        let [along, against] = graph.road_edges(road);
        let (along_end, against_end) = match direction {
            Direction::Forward => (first, last),
            Direction::Reverse => (last, first),
        };
        for (edge, end, reversed) in [(along, along_end, false), (against, against_end, true)] {
            if let (Some(edge), Some(t_end)) = (edge, space.time(end)) {
                push(road, reversed, graph.time(edge), t_end);
            }
        }
    }
}

/// The calls of [`edges_by_roads`], reached node by reached node in id
/// order, a road's edges together when its first reached end comes up.
fn edges_by_nodes(
    graph: &Graph,
    space: &SearchSpace,
    direction: Direction,
    mut push: impl FnMut(RoadId, bool, u32, u32),
) {
    let mut in_order = vec![0u64; graph.node_count().div_ceil(64)];
    for &node in space.reached() {
        in_order[node as usize / 64] |= 1 << (node % 64);
    }
    for (w, &word) in in_order.iter().enumerate() {
        let mut bits = word;
        while bits != 0 {
            let node = (64 * w) as NodeId + bits.trailing_zeros();
            bits &= bits - 1;
            let Some(t_node) = space.time(node) else { continue };
            // Each edge the search left (or entered) `node` by, with the
            // road's other end.
            let mut visit = |edge: EdgeId, time: u32, other_end: NodeId| {
                let (road, reversed) = graph.edge_road(edge);
                // The road's edge the other way has its stretch from the other end.
                let twin = graph.twin(edge);
                let t_other = twin.and_then(|_| space.time(other_end));
                if let (Some((twin, _)), Some(_)) = (twin, t_other)
                    && (other_end < node || (other_end == node && twin < edge))
                {
                    return; // pushed with the road's first reached end
                }
                push(road, reversed, time, t_node);
                if let (Some((_, twin_time)), Some(t_other)) = (twin, t_other) {
                    push(road, !reversed, twin_time, t_other);
                }
            };
            match direction {
                Direction::Forward => {
                    graph.out_edges(node).zip(graph.out_arcs(node)).for_each(|(e, &(head, time))| visit(e, time, head));
                }
                Direction::Reverse => {
                    graph
                        .in_edges(node)
                        .zip(graph.in_arcs(node))
                        .for_each(|((tail, e), &(_, time))| visit(e, time, tail));
                }
            }
        }
    }
}

/// What the stretches of one road reach: the fractions they span, their
/// earliest and latest times, and whether they leave no gap.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RoadReach {
    /// The lowest and highest road fractions reached.
    pub span: [f64; 2],
    /// The earliest and latest times of the stretches, deciseconds.
    pub times: [f64; 2],
    /// Whether the stretches cover `span` without a gap (never taken so for
    /// more than two stretches).
    pub gapless: bool,
}

impl RoadReach {
    /// The reach of a road's stretches (one or two, but for start roads).
    /// Roads with more than two are never taken as gapless.
    pub fn of(stretches: &[Stretch]) -> RoadReach {
        match stretches {
            [a] => RoadReach::one(a),
            // Two stretches meet when each starts before the other ends.
            [a, b] => {
                let (a, b) = (RoadReach::one(a), RoadReach::one(b));
                let gapless = greater(a.span[0], b.span[0]) <= lesser(a.span[1], b.span[1]);
                RoadReach { gapless, ..a.union(b) }
            }
            [a, rest @ ..] => rest.iter().fold(RoadReach::one(a), |reach, s| reach.union(RoadReach::one(s))),
            [] => RoadReach { span: [f64::MAX, f64::MIN], times: [f64::INFINITY, f64::NEG_INFINITY], gapless: false },
        }
    }

    /// The reach of one stretch.
    fn one(s: &Stretch) -> RoadReach {
        RoadReach {
            span: s.interval(),
            times: [lesser(s.time[0], s.time[1]), greater(s.time[0], s.time[1])],
            gapless: true,
        }
    }

    /// What both reach, taken as leaving a gap.
    fn union(self, other: RoadReach) -> RoadReach {
        RoadReach {
            span: [lesser(self.span[0], other.span[0]), greater(self.span[1], other.span[1])],
            times: [lesser(self.times[0], other.times[0]), greater(self.times[1], other.times[1])],
            gapless: false,
        }
    }

    /// Whether every point of `span` is reached within `limit` (then the
    /// stretches within it merge into `span` alone).
    pub fn wholly_within(&self, limit: f64) -> bool {
        self.gapless && self.times[1] <= limit
    }

    /// Whether the road is reached from one end to the other.
    pub fn end_to_end(&self) -> bool {
        self.span[0] <= 0.0 && self.span[1] >= 1.0
    }
}

/// The smaller of two numbers (neither is NaN here; plain comparisons keep
/// the hot loops short).
pub fn lesser(a: f64, b: f64) -> f64 {
    if a < b { a } else { b }
}

/// The larger of two numbers (neither is NaN here).
pub fn greater(a: f64, b: f64) -> f64 {
    if a > b { a } else { b }
}

/// The stretches of one road, with what they reach.
#[derive(Debug, Clone, Copy)]
pub struct RoadGroup<'a> {
    /// The road (kept here too: the passes that need only the road and its
    /// reach then never read the stretches).
    pub road: RoadId,
    /// The road's stretches (at least one).
    pub stretches: &'a [Stretch],
    /// What they reach.
    pub reach: RoadReach,
}

/// Stretches grouped by road (as they come), each group with its reach:
/// worked out once for the several passes of a polygon.
pub fn road_groups(stretches: &[Stretch]) -> Vec<RoadGroup<'_>> {
    debug_assert!(grouped_by_road(stretches), "stretches are grouped by road");
    // Counted first, so that the list is not copied as it grows.
    let count = 1 + stretches.windows(2).filter(|pair| pair[0].road != pair[1].road).count();
    let mut groups = Vec::with_capacity(count);
    groups.extend(stretches.chunk_by(|a, b| a.road == b.road).map(|group| RoadGroup {
        road: group[0].road,
        stretches: group,
        reach: RoadReach::of(group),
    }));
    groups
}

/// Whether the stretches of each road are next to each other.
pub fn grouped_by_road(stretches: &[Stretch]) -> bool {
    let mut roads: Vec<RoadId> = stretches.chunk_by(|a, b| a.road == b.road).map(|group| group[0].road).collect();
    roads.sort_unstable();
    roads.windows(2).all(|pair| pair[0] != pair[1])
}

/// The stretches of a start point's own road: from the point along each
/// allowed direction (forward), or to the point from each side (reverse).
fn start_stretches(graph: &Graph, snap: &Snap, direction: Direction, limit: f64, out: &mut Vec<Stretch>) {
    let [along, against] = graph.road_edges(snap.road);
    let f = snap.fraction;
    // `along` runs towards fraction 1, `against` towards fraction 0.
    for (edge, sign) in [(along, 1.0), (against, -1.0)] {
        let Some(edge) = edge else { continue };
        let time = f64::from(graph.time(edge));
        // How far along the road the limit reaches from the point.
        let room = if sign > 0.0 { 1.0 - f } else { f };
        let reach = (limit / time).min(room);
        let far = f + sign * reach;
        let far_time = reach * time;
        out.push(match direction {
            // Leaving the point in the edge's direction.
            Direction::Forward => Stretch { road: snap.road, from: f, to: far, time: [0.0, far_time] },
            // Arriving at the point in the edge's direction: from the other side.
            Direction::Reverse => {
                let near = f - sign * (limit / time).min(1.0 - room);
                Stretch { road: snap.road, from: near, to: f, time: [(f - near).abs() * time, 0.0] }
            }
        });
    }
}

/// Merges the fraction intervals of the parts of stretches reached within
/// `limit` on the same road; the input is grouped by road, the result is
/// sorted by fraction within each road, with no overlaps.
pub fn merged_intervals(stretches: &[Stretch], limit: f64) -> Vec<(RoadId, [f64; 2])> {
    let mut merged = Vec::with_capacity(stretches.len());
    for_each_merged(stretches, limit, |road, interval| merged.push((road, interval)));
    merged
}

/// Calls `visit(road, [lo, hi])` with each interval of [`merged_intervals`],
/// in the same order, without collecting them.
pub fn for_each_merged(stretches: &[Stretch], limit: f64, mut visit: impl FnMut(RoadId, [f64; 2])) {
    debug_assert!(grouped_by_road(stretches), "stretches are grouped by road");
    let mut merger = Merger::default();
    for group in stretches.chunk_by(|a, b| a.road == b.road) {
        merger.merge(group, limit, &mut visit);
    }
}

/// Working memory to merge the stretches of one road at a time.
#[derive(Debug, Default)]
pub struct Merger {
    /// The intervals of a road with more than two stretches.
    many: Vec<[f64; 2]>,
}

impl Merger {
    /// Calls `visit(road, [lo, hi])` with the merged intervals of the parts
    /// of one road's stretches (`group`) reached within `limit`, in order.
    pub fn merge(&mut self, group: &[Stretch], limit: f64, mut visit: impl FnMut(RoadId, [f64; 2])) {
        let mut few = [[0.0; 2]; 2];
        let parts = group.iter().filter_map(|s| s.within(limit)).map(|s| s.interval());
        // Most roads have one or two stretches: those stay on the stack.
        let intervals = if group.len() <= few.len() {
            let mut n = 0;
            for part in parts {
                few[n] = part;
                n += 1;
            }
            &mut few[..n]
        } else {
            self.many.clear();
            self.many.extend(parts);
            &mut self.many[..]
        };
        match intervals.len() {
            0 => return,
            1 => {}
            // The common case, a road reached from both ends, needs no sort.
            2 => {
                if intervals[1][0] < intervals[0][0] {
                    intervals.swap(0, 1);
                }
            }
            _ => intervals.sort_unstable_by(|a, b| a[0].total_cmp(&b[0])),
        }
        let road = group[0].road;
        let mut current = intervals[0];
        for &[lo, hi] in &intervals[1..] {
            if lo <= current[1] {
                current[1] = current[1].max(hi);
            } else {
                visit(road, current);
                current = [lo, hi];
            }
        }
        visit(road, current);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Both ways of gathering give the same stretches, on street grids with
    /// one-way streets, from small searches and from searches that reach
    /// the whole graph, in both directions.
    #[test]
    fn gathering_by_roads_and_by_nodes_agree() {
        let key = |s: &Stretch| (s.road, s.from.to_bits(), s.to.to_bits(), s.time.map(f64::to_bits));
        let mut fraction = crate::test_random::random_fractions(11);
        let mut sizes = Vec::new();
        for seed in [4, 5] {
            let graph = crate::hierarchy::tests::street_grid(12, seed);
            let mut space = SearchSpace::new(graph.node_count());
            for k in 0..12 {
                let road = (fraction() * graph.road_count() as f32) as RoadId % graph.road_count() as RoadId;
                let starts = [Snap { road, fraction: f64::from(fraction()), distance_m: 0.0, lon_lat: [0.0, 0.0] }];
                let direction = if k % 2 == 0 { Direction::Forward } else { Direction::Reverse };
                let limit = [400, 1500, u32::MAX - 1][k % 3];
                let sources: Vec<(NodeId, u32)> =
                    starts.iter().flat_map(|s| crate::search::snap_sources(&graph, s, direction)).collect();
                space.run(&graph, &sources, direction, limit);
                let gathered = |gather| {
                    let stretches = gathered_stretches(&graph, &space, &starts, direction, limit, gather);
                    assert!(grouped_by_road(&stretches), "{gather:?}: grouped by road");
                    let mut keys: Vec<_> = stretches.iter().map(key).collect();
                    keys.sort_unstable();
                    keys
                };
                let by_roads = gathered(Gather::ByRoads);
                assert_eq!(by_roads, gathered(Gather::ByNodes), "grid {seed}, search {k}");
                sizes.push(by_roads.len() as f64 / graph.edge_count() as f64);
            }
        }
        assert!(sizes.iter().any(|&share| share < 0.2), "some small searches: {sizes:?}");
        assert!(sizes.iter().any(|&share| share >= 1.0), "some whole-graph searches: {sizes:?}");
    }

    #[test]
    fn stretches_are_cut_where_the_limit_runs_out() {
        let s = Stretch { road: 3, from: 0.2, to: 1.0, time: [100.0, 300.0] };
        assert_eq!(s.within(400.0), Some(s));
        assert_eq!(s.within(50.0), None);
        let cut = s.within(200.0).unwrap();
        assert!((cut.to - 0.6).abs() < 1e-12 && cut.from == 0.2 && cut.time == [100.0, 200.0]);
        let down = Stretch { road: 3, from: 1.0, to: 0.5, time: [300.0, 100.0] };
        let cut = down.within(200.0).unwrap();
        assert!((cut.from - 0.75).abs() < 1e-12 && cut.to == 0.5 && cut.time == [200.0, 100.0]);
    }

    #[test]
    fn intervals_merge_per_road() {
        let s = |road, from, to| Stretch { road, from, to, time: [0.0, 0.0] };
        let merged = merged_intervals(&[s(1, 0.0, 0.3), s(1, 0.7, 0.4), s(2, 0.5, 1.0), s(2, 0.0, 0.6)], 0.0);
        assert_eq!(merged, vec![(1, [0.0, 0.3]), (1, [0.4, 0.7]), (2, [0.0, 1.0])]);
        let timed = |road, from, to, time| Stretch { road, from, to, time };
        let three =
            [timed(4, 0.0, 0.5, [0.0, 50.0]), timed(4, 1.0, 0.6, [10.0, 50.0]), timed(4, 0.2, 0.8, [0.0, 60.0])];
        let expected = vec![(4, [0.0, 0.5]), (4, [0.8, 1.0])];
        let merged = merged_intervals(&three, 30.0);
        assert_eq!(merged.len(), 2);
        for ((road, [lo, hi]), (e_road, [e_lo, e_hi])) in merged.into_iter().zip(expected) {
            assert!(road == e_road && (lo - e_lo).abs() < 1e-12 && (hi - e_hi).abs() < 1e-12, "{lo} {hi}");
        }
    }
}
