//! The reached network: which stretches of which roads a search reached,
//! with the travel time at each end, partly reached edges cut at the exact
//! point.

use super::road_cells::{CellSpan, RoadCells};
use crate::graph::{EdgeId, Graph, NodeId, RoadId};
use crate::search::{Direction, SearchSpace};
use crate::snap::Snap;

/// A stretch of one road between two fractions of its length, along which
/// the travel time changes linearly from `time[0]` to `time[1]` (in
/// deciseconds; `from` may be greater than `to`).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
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

/// A road the search reached, and the time at each of its ends from which
/// a stretch of it was reached: forward, an end the search reached with an
/// edge of the road leaving it; reverse, one with an edge entering it. The
/// stretches follow from these times, the edges' times and the search's
/// limit, so they need not be stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RoadTimes {
    /// The road.
    pub road: RoadId,
    /// The time at the road's first and last end, deciseconds, or
    /// [`NO_TIME`] where no stretch starts.
    pub at: [u32; 2],
    /// When each stretch runs the whole of its edge within the search's
    /// limit (the road is then reached whole, without a gap), the latest
    /// time at an edge's far end; otherwise [`NO_TIME`].
    pub latest: u32,
}

impl RoadTimes {
    /// Whether the road's stretches span it from end to end (perhaps with a
    /// gap in the middle), known from the times alone: it is reached from
    /// both ends, or each stretch runs the whole of its edge. Its cells then
    /// span what the whole road's do.
    fn spans_whole_road(&self) -> bool {
        (self.at[0] != NO_TIME && self.at[1] != NO_TIME) || self.latest != NO_TIME
    }

    /// The road with the times `at` of its ends and `far`, the time at the
    /// far end of the edge from each end that has one, for a search up to
    /// `limit` deciseconds.
    fn new(road: RoadId, at: [u32; 2], far: [Option<u32>; 2], limit: u32) -> RoadTimes {
        let mut latest = 0;
        for (&t_end, far) in at.iter().zip(far) {
            match far {
                _ if t_end == NO_TIME => {}
                Some(far) if far <= limit => latest = latest.max(far),
                _ => latest = NO_TIME,
            }
        }
        RoadTimes { road, at, latest }
    }
}

/// The time of a road end from which no stretch starts.
pub const NO_TIME: u32 = u32::MAX;

/// The roads one search reached: the start points' own roads with their
/// stretches listed, every other road by its ends' times.
#[derive(Debug, Clone)]
pub struct ReachedRoads {
    /// The reached roads but the start roads, in about the order of their
    /// nodes.
    ends: Vec<RoadTimes>,
    /// The stretches of the start roads, grouped by road, roads in id order.
    listed: Vec<Stretch>,
    /// The direction of the search.
    direction: Direction,
    /// The limit of the search, deciseconds.
    limit: f64,
    /// The span of the cells of the engine's cached lattice the stretches
    /// pass through, when the gather worked it out.
    span: Option<CellSpan>,
}

/// One reached road as [`ReachedRoads`] holds it.
#[derive(Debug, Clone, Copy)]
pub enum RoadEntry<'a> {
    /// A road known by its ends' times.
    Ends(RoadTimes),
    /// A road with its stretches listed (a start road, or any road of a
    /// given list of stretches).
    Listed(&'a [Stretch]),
}

impl RoadEntry<'_> {
    /// The road.
    pub fn road(&self) -> RoadId {
        match self {
            RoadEntry::Ends(times) => times.road,
            RoadEntry::Listed(stretches) => stretches[0].road,
        }
    }
}

/// A search that reached at least one node in this many has its roads
/// gathered road by road: looking at every road once then costs less than
/// looking at each reached node's roads (once from each end).
const BY_ROADS_SHARE: usize = 3;

/// How [`ReachedRoads::gather`] finds the reached roads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gather {
    /// Every road, once, in id order (ids follow the roads' lower end node).
    ByRoads,
    /// The roads of each reached node, the nodes in id order, each road
    /// when its first reached end comes up.
    ByNodes,
}

impl Gather {
    /// The way that costs less for the search just run in `space`: road
    /// by road when it reached a good share of the graph
    /// ([`BY_ROADS_SHARE`]), node by node otherwise.
    pub fn suited(graph: &Graph, space: &SearchSpace) -> Gather {
        if space.reached().len() * BY_ROADS_SHARE >= graph.node_count() { Gather::ByRoads } else { Gather::ByNodes }
    }
}

impl ReachedRoads {
    /// Every road reached within `limit` by the search just run in `space`
    /// from `starts` in `direction`, with the span of the cells of `cells`
    /// its stretches pass through: the roads around each start point, and
    /// every road with an edge leaving (forward) or entering (reverse) a
    /// reached node. The roads come in about the order of their nodes (so
    /// near roads are near in the list; the exact order depends on how they
    /// were gathered, the set does not), the start roads last.
    ///
    /// The roads come road by road or node by node, as `gather` says
    /// ([`Gather::suited`] says which costs less).
    pub fn gather(
        graph: &Graph,
        space: &SearchSpace,
        starts: &[Snap],
        direction: Direction,
        limit: u32,
        cells: &RoadCells,
        gather: Gather,
    ) -> ReachedRoads {
        let mut reached =
            ReachedRoads { ends: Vec::new(), listed: Vec::new(), direction, limit: f64::from(limit), span: None };
        let mut start_roads: Vec<RoadId> = starts.iter().map(|s| s.road).collect();
        start_roads.sort_unstable();
        start_roads.dedup();
        for snap in starts {
            start_stretches(graph, snap, direction, reached.limit, &mut reached.listed);
        }
        let mut ends = Vec::with_capacity(match gather {
            Gather::ByRoads => graph.road_count(),
            Gather::ByNodes => 2 * space.reached().len(),
        });
        // The span of the roads reached whole is taken as they come; the
        // others (at the reach's edge) have their stretches worked out after.
        let (mut span, mut partly, mut on_start_roads) = (CellSpan::EMPTY, Vec::new(), Vec::new());
        let mut push = |times: RoadTimes| {
            if start_roads.binary_search(&times.road).is_ok() {
                on_start_roads.push(times);
                return;
            }
            if times.spans_whole_road() {
                span = span.union(cells.span(times.road));
            } else {
                partly.push(ends.len());
            }
            ends.push(times);
        };
        match gather {
            Gather::ByRoads => roads_by_roads(graph, space, direction, limit, &mut push),
            Gather::ByNodes => roads_by_nodes(graph, space, direction, limit, &mut push),
        }
        reached.ends = ends;
        for times in on_start_roads {
            let (derived, n) = reached.stretches_from_ends(graph, times, reached.limit);
            reached.listed.extend_from_slice(&derived[..n]);
        }
        reached.listed.sort_by_key(|s| s.road);
        let partly = partly.into_iter().map(|k| RoadEntry::Ends(reached.ends[k]));
        let listed = reached.listed.chunk_by(|a, b| a.road == b.road).map(RoadEntry::Listed);
        for entry in partly.chain(listed) {
            let group = reached.group(graph, entry, reached.limit);
            span = span.union(cells.reach_span(group.road, &group.reach));
        }
        reached.span = Some(span);
        reached
    }

    /// The span of the cells of the engine's cached lattice that the
    /// stretches within `limit` pass through, when the gather worked it
    /// out: for limits from the search's own up.
    pub fn span(&self, limit: f64) -> Option<CellSpan> {
        self.span.filter(|_| limit >= self.limit)
    }

    /// The roads of `stretches` (grouped by road), listed as they are, for
    /// a search in `direction` up to `limit` deciseconds.
    pub fn listed(stretches: Vec<Stretch>, direction: Direction, limit: f64) -> ReachedRoads {
        debug_assert!(grouped_by_road(&stretches), "stretches are grouped by road");
        ReachedRoads { ends: Vec::new(), listed: stretches, direction, limit, span: None }
    }

    /// The reached roads known by their ends' times: every one but the
    /// start roads, in the order of the gather.
    pub fn ends(&self) -> &[RoadTimes] {
        &self.ends
    }

    /// Every reached road, in the order of the gather.
    pub fn entries(&self) -> impl Iterator<Item = RoadEntry<'_>> {
        let listed = self.listed.chunk_by(|a, b| a.road == b.road).map(RoadEntry::Listed);
        self.ends.iter().map(|&times| RoadEntry::Ends(times)).chain(listed)
    }

    /// Whether the stretches of `entry` within `limit` span its road from
    /// end to end, known without working them out: within the search's own
    /// limit, a road reached from both ends or edge to edge; within a
    /// smaller one, a road reached edge to edge within that.
    pub fn spans_whole_road(&self, entry: &RoadEntry, limit: f64) -> bool {
        match entry {
            RoadEntry::Ends(times) => {
                (times.spans_whole_road() && limit >= self.limit) || ReachedRoads::edge_to_edge(*times, limit).is_some()
            }
            RoadEntry::Listed(_) => false,
        }
    }

    /// What the stretches of `entry` (cut) within `limit` reach, with the
    /// means to work them out. (Inlined: it runs once per reached road in
    /// the passes of a polygon. Each way builds the group in place, so that
    /// it is never copied from one place on the stack to another.)
    #[inline(always)]
    pub fn group<'a>(&'a self, graph: &'a Graph, entry: RoadEntry<'a>, limit: f64) -> RoadGroup<'a> {
        match entry {
            RoadEntry::Ends(times) => match ReachedRoads::edge_to_edge(times, limit) {
                Some(reach) => {
                    RoadGroup { road: times.road, reach, source: Source::Ends(times), limit, roads: self, graph }
                }
                None => self.group_of_ends(graph, times, limit),
            },
            RoadEntry::Listed(listed) => self.group_of_listed(graph, listed, limit),
        }
    }

    /// [`ReachedRoads::group`] of a road known by its ends' times, worked
    /// out from its stretches.
    #[inline(never)]
    fn group_of_ends<'a>(&'a self, graph: &'a Graph, times: RoadTimes, limit: f64) -> RoadGroup<'a> {
        let (few, n) = self.stretches_from_ends(graph, times, limit);
        let reach = RoadReach::of(&few[..n]);
        RoadGroup { road: times.road, reach, source: Source::Ends(times), limit, roads: self, graph }
    }

    /// [`ReachedRoads::group`] of a road with its stretches listed.
    #[inline(never)]
    fn group_of_listed<'a>(&'a self, graph: &'a Graph, listed: &'a [Stretch], limit: f64) -> RoadGroup<'a> {
        let (reach, source) = if limit >= self.limit {
            (RoadReach::of(listed), Source::Listed(listed))
        } else {
            let cut: Vec<Stretch> = listed.iter().filter_map(|s| s.within(limit)).collect();
            (RoadReach::of(&cut), Source::Cut(cut))
        };
        RoadGroup { road: listed[0].road, reach, source, limit, roads: self, graph }
    }

    /// Every reached road's stretches within `limit`, with what they reach,
    /// one group per entry (with no stretch where none is within it).
    pub fn groups<'a>(&'a self, graph: &'a Graph, limit: f64) -> impl Iterator<Item = RoadGroup<'a>> {
        self.entries().map(move |entry| self.group(graph, entry, limit))
    }

    /// Calls `take(k, entry)` with every reached road, `k` counting them in
    /// the order of the gather: [`ReachedRoads::entries`] as two plain
    /// loops, which the passes of a polygon run fastest.
    #[inline(always)]
    pub fn for_each_entry<'a>(&'a self, take: impl FnMut(usize, RoadEntry<'a>)) {
        self.for_each_entry_among(0..self.ends.len(), take);
    }

    /// [`ReachedRoads::for_each_entry`] for the roads of
    /// [`ReachedRoads::ends`] at places `ends` (in that order), then the
    /// start roads.
    #[inline(always)]
    pub fn for_each_entry_among<'a>(
        &'a self,
        ends: impl IntoIterator<Item = usize>,
        mut take: impl FnMut(usize, RoadEntry<'a>),
    ) {
        for k in ends {
            take(k, RoadEntry::Ends(self.ends[k]));
        }
        for (k, listed) in self.listed.chunk_by(|a, b| a.road == b.road).enumerate() {
            take(self.ends.len() + k, RoadEntry::Listed(listed));
        }
    }

    /// What a road known by its ends' times reaches when each of its
    /// stretches runs the whole of its edge within `limit` (and the
    /// search's limit): the whole road without a gap, from the earliest
    /// time at an end to the latest at an edge's far end. Worked out in
    /// whole deciseconds, with none of the stretches' fractions:
    /// [`RoadReach::of`] those stretches says the same. `None` when a
    /// stretch stops short.
    #[inline(always)]
    pub fn edge_to_edge(times: RoadTimes, limit: f64) -> Option<RoadReach> {
        let earliest = times.at[0].min(times.at[1]);
        (times.latest != NO_TIME && f64::from(times.latest) <= limit).then(|| RoadReach {
            span: [0.0, 1.0],
            times: [f64::from(earliest), f64::from(times.latest)],
            gapless: true,
        })
    }

    /// The stretches of a road known by its ends' times (at most two, the
    /// first `n` of the array), cut within `limit`.
    #[inline]
    fn stretches_from_ends(&self, graph: &Graph, times: RoadTimes, limit: f64) -> ([Stretch; 2], usize) {
        let edge_times = graph.road_edge_times(times.road);
        let mut few = [Stretch::default(); 2];
        let mut n = 0;
        for (end, &t_end) in times.at.iter().enumerate() {
            let which = edge_of_end(end, self.direction);
            if let (Some(edge_time), true) = (edge_times[which], t_end != NO_TIME) {
                let stretch = edge_stretch(times.road, which == 1, edge_time, t_end, self.limit, self.direction);
                if let Some(within) = stretch.within(limit) {
                    few[n] = within;
                    n += 1;
                }
            }
        }
        (few, n)
    }
}

/// The stretch along an edge of `road` (against its geometry when
/// `reversed`) taking `time`, from its end reached at `t_node` (the edge's
/// tail, forward; its head, reverse), cut where `limit` runs out.
#[inline]
fn edge_stretch(road: RoadId, reversed: bool, time: u32, t_node: u32, limit: f64, direction: Direction) -> Stretch {
    let (budget, time, t_node) = (limit - f64::from(t_node), f64::from(time), f64::from(t_node));
    // The share of the edge within the budget (most edges are wholly
    // reached: no division), and its fractions from the edge's tail.
    let (share, far_time) = if budget >= time { (1.0, t_node + time) } else { (budget / time, t_node + budget) };
    let (from, to, times) = match direction {
        Direction::Reverse => (1.0 - share, 1.0, [far_time, t_node]),
        Direction::Forward => (0.0, share, [t_node, far_time]),
    };
    let road_fraction = |g: f64| if reversed { 1.0 - g } else { g };
    Stretch { road, from: road_fraction(from), to: road_fraction(to), time: times }
}

/// Which edge of a road (0 along its geometry, 1 against it) a stretch
/// from its end `end` (0 its first, 1 its last) runs along: forward, the
/// edge leaving that end; reverse, the edge entering it. The mapping is its
/// own inverse: given an edge, it names the end the edge's stretch starts
/// from.
fn edge_of_end(end: usize, direction: Direction) -> usize {
    if direction == Direction::Forward { end } else { 1 - end }
}

/// Calls `push` with every road the search in `space` (up to `limit`)
/// reached, road by road in id order.
fn roads_by_roads(
    graph: &Graph,
    space: &SearchSpace,
    direction: Direction,
    limit: u32,
    push: &mut impl FnMut(RoadTimes),
) {
    for road in 0..graph.road_count() as RoadId {
        let ends = graph.road_ends(road);
        let (mut at, mut far) = ([NO_TIME; 2], [None; 2]);
        for (which, edge_time) in graph.road_edge_times(road).into_iter().enumerate() {
            let end = edge_of_end(which, direction);
            if let (Some(edge_time), Some(t_end)) = (edge_time, space.time(ends[end])) {
                (at[end], far[end]) = (t_end, t_end.checked_add(edge_time));
            }
        }
        if at != [NO_TIME; 2] {
            push(RoadTimes::new(road, at, far, limit));
        }
    }
}

/// The calls of [`roads_by_roads`], reached node by reached node in id
/// order, each road when its first reached end comes up.
fn roads_by_nodes(
    graph: &Graph,
    space: &SearchSpace,
    direction: Direction,
    limit: u32,
    push: &mut impl FnMut(RoadTimes),
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
                let end = edge_of_end(usize::from(reversed), direction);
                let (mut at, mut far) = ([NO_TIME; 2], [None; 2]);
                (at[end], far[end]) = (t_node, t_node.checked_add(time));
                if let (Some((_, twin_time)), Some(t_other)) = (twin, t_other) {
                    (at[1 - end], far[1 - end]) = (t_other, t_other.checked_add(twin_time));
                }
                push(RoadTimes::new(road, at, far, limit));
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
    #[inline]
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
    #[inline]
    fn one(s: &Stretch) -> RoadReach {
        RoadReach {
            span: s.interval(),
            times: [lesser(s.time[0], s.time[1]), greater(s.time[0], s.time[1])],
            gapless: true,
        }
    }

    /// What both reach, taken as leaving a gap.
    #[inline]
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

/// What the stretches of one road reach, and the means to work them out.
#[derive(Debug, Clone)]
pub struct RoadGroup<'a> {
    /// The road.
    pub road: RoadId,
    /// What its stretches reach.
    pub reach: RoadReach,
    /// Where the stretches come from.
    source: Source<'a>,
    /// The limit the stretches are cut at, deciseconds.
    limit: f64,
    /// The roads the group is one of.
    roads: &'a ReachedRoads,
    /// Their graph.
    graph: &'a Graph,
}

/// Where a group's stretches come from.
#[derive(Debug, Clone)]
enum Source<'a> {
    /// The road's ends' times: the stretches are worked out when asked for.
    Ends(RoadTimes),
    /// Listed by the search.
    Listed(&'a [Stretch]),
    /// Listed by the search, then cut at a smaller limit.
    Cut(Vec<Stretch>),
}

/// The stretches of a group: worked out (the first `n` of an array), or
/// listed.
#[derive(Debug, Clone)]
pub enum Stretches<'a> {
    /// Worked out from a road's ends' times.
    Few([Stretch; 2], usize),
    /// Listed.
    Listed(&'a [Stretch]),
}

impl std::ops::Deref for Stretches<'_> {
    type Target = [Stretch];

    fn deref(&self) -> &[Stretch] {
        match self {
            Stretches::Few(few, n) => &few[..*n],
            Stretches::Listed(listed) => listed,
        }
    }
}

impl RoadGroup<'_> {
    /// The road's stretches (none when the search reached nothing of it
    /// within the limit asked for).
    #[inline]
    pub fn stretches(&self) -> Stretches<'_> {
        match &self.source {
            Source::Ends(times) => {
                let (few, n) = self.roads.stretches_from_ends(self.graph, *times, self.limit);
                Stretches::Few(few, n)
            }
            Source::Listed(listed) => Stretches::Listed(listed),
            Source::Cut(cut) => Stretches::Listed(cut),
        }
    }
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

    /// Both ways of gathering give the same stretches and the same span of
    /// cells, on street grids with one-way streets, from small searches and
    /// from searches that reach the whole graph, in both directions; and
    /// what each road's group reaches, worked out from its ends' times where
    /// its stretches run whole edges, is what its stretches reach.
    #[test]
    fn gathering_by_roads_and_by_nodes_agree() {
        let key = |s: &Stretch| (s.road, s.from.to_bits(), s.to.to_bits(), s.time.map(f64::to_bits));
        let mut fraction = crate::test_random::random_fractions(11);
        let (mut sizes, mut edge_to_edge) = (Vec::new(), 0);
        for seed in [4, 5] {
            let graph = crate::hierarchy::tests::street_grid(12, seed);
            let [min_lon, min_lat, max_lon, max_lat] = graph.bounds();
            let projection = crate::LocalProjection::new((min_lon + max_lon) / 2.0, (min_lat + max_lat) / 2.0);
            let cells = RoadCells::for_buffer(&graph, &crate::RoadIndex::new(&graph, projection), 50.0);
            let mut space = SearchSpace::new(graph.node_count());
            for k in 0..12 {
                let road = (fraction() * graph.road_count() as f32) as RoadId % graph.road_count() as RoadId;
                let starts = [Snap { road, fraction: f64::from(fraction()), distance_m: 0.0, lon_lat: [0.0, 0.0] }];
                let direction = if k % 2 == 0 { Direction::Forward } else { Direction::Reverse };
                let limit = [400, 1500, u32::MAX - 1][k % 3];
                let sources: Vec<(NodeId, u32)> =
                    starts.iter().flat_map(|s| crate::search::snap_sources(&graph, s, direction)).collect();
                space.run(&graph, &sources, direction, limit);
                let mut gathered = |gather| {
                    let reached = ReachedRoads::gather(&graph, &space, &starts, direction, limit, &cells, gather);
                    let (mut keys, mut span) = (Vec::new(), CellSpan::EMPTY);
                    for group in reached.groups(&graph, f64::from(limit)) {
                        let stretches = group.stretches();
                        assert_eq!(group.reach, RoadReach::of(&stretches), "{gather:?}: road {}", group.road);
                        keys.extend(stretches.iter().map(key));
                        span = span.union(cells.reach_span(group.road, &group.reach));
                    }
                    assert_eq!(reached.span(f64::from(limit)), Some(span), "{gather:?}: the span of the cells");
                    edge_to_edge += reached.ends.iter().filter(|times| times.latest != NO_TIME).count();
                    keys.sort_unstable();
                    (keys, span)
                };
                let (by_roads, by_nodes) = (gathered(Gather::ByRoads), gathered(Gather::ByNodes));
                assert_eq!(by_roads, by_nodes, "grid {seed}, search {k}");
                sizes.push(by_roads.0.len() as f64 / graph.edge_count() as f64);
            }
        }
        assert!(sizes.iter().any(|&share| share < 0.2), "some small searches: {sizes:?}");
        assert!(sizes.iter().any(|&share| share >= 1.0), "some whole-graph searches: {sizes:?}");
        assert!(edge_to_edge > 0, "some roads reached edge to edge");
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
