//! Precomputed nearest facilities of every graph node, for batches: one
//! multi-source search from all targets at once, after which each rider
//! costs a snap and a few lookups instead of a search.
//!
//! The search runs on the reverse graph (times *to* the facilities) and
//! keeps, per node, the `k` nearest distinct facilities: a node is settled
//! up to `k` times, once per facility, in order of (time, facility id). If a
//! facility is among the `k` nearest of a node, it is among the `k` nearest
//! of the next node on the way to it, so a rider's `k` nearest are among the
//! lists of the ends of the rider's road (plus facilities straight along it).

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use super::route::{Ride, assemble};
use super::{Answer, Candidates, Found, Nearest, Query, Targets, Via, explained};
use crate::engine::Engine;
use crate::facility::FacilityId;
use crate::graph::{EdgeId, NodeId};
use crate::search::{Direction, snap_ends};
use crate::snap::Snap;

/// The `k` nearest eligible facilities of every node within a limit, with
/// their times: answers [`Query`]s of at most that `k` and limit.
#[derive(Debug, Clone)]
pub struct Table {
    targets: Targets,
    query: Query,
    /// The eligible facilities sorted by id: a facility's rank orders ties.
    by_rank: Vec<FacilityId>,
    /// Per node, `k` slots of `(deciseconds to the facility, rank)`.
    slots: Vec<(u32, u32)>,
    /// How many slots of each node are filled.
    filled: Vec<u8>,
}

impl Table {
    /// Precomputes the answers to `query` for every node, for the
    /// facilities of `targets`.
    ///
    /// Complexity: O(k (V + E) log(k V)) over the part of the graph within
    /// the query's limit of some facility.
    pub fn new(engine: &Engine, targets: &Targets, query: &Query) -> Table {
        let graph = &engine.graph;
        let k = query.k();
        let mut by_rank: Vec<FacilityId> =
            (0..engine.facilities.all().len() as FacilityId).filter(|&f| targets.contains(f)).collect();
        by_rank.sort_by(|&a, &b| engine.facilities.get(a).id.cmp(&engine.facilities.get(b).id));
        let mut table = Table {
            targets: targets.clone(),
            query: *query,
            by_rank,
            slots: vec![(0, 0); graph.node_count() * k],
            filled: vec![0; graph.node_count()],
        };
        // Entries `(time << 32 | rank, node)`: ties go to the lowest id.
        let mut heap: BinaryHeap<Reverse<(u64, NodeId)>> = BinaryHeap::new();
        let entry = |time: u32, rank: u32| (u64::from(time) << 32) | u64::from(rank);
        for (rank, &facility) in table.by_rank.iter().enumerate() {
            let Ok(snap) = &engine.snaps[facility as usize] else { continue };
            for end in snap_ends(graph, snap, Direction::Reverse) {
                if end.time <= query.limit() {
                    heap.push(Reverse((entry(end.time, rank as u32), end.node)));
                }
            }
        }
        while let Some(Reverse((packed, node))) = heap.pop() {
            let (time, rank) = ((packed >> 32) as u32, packed as u32);
            if !table.settle(node, time, rank) {
                continue;
            }
            for (tail, edge) in graph.in_edges(node) {
                let next = time.saturating_add(graph.time(edge));
                if next <= query.limit() && table.has_room_for(tail, rank) {
                    heap.push(Reverse((entry(next, rank), tail)));
                }
            }
        }
        table
    }

    /// The filled slots of `node`, nearest first.
    fn list(&self, node: NodeId) -> &[(u32, u32)] {
        let k = self.query.k();
        let start = node as usize * k;
        &self.slots[start..start + usize::from(self.filled[node as usize])]
    }

    /// Whether `node` can still take facility `rank`.
    fn has_room_for(&self, node: NodeId, rank: u32) -> bool {
        usize::from(self.filled[node as usize]) < self.query.k() && self.list(node).iter().all(|&(_, r)| r != rank)
    }

    /// Records `rank` at `node` if there is room; returns whether it did.
    fn settle(&mut self, node: NodeId, time: u32, rank: u32) -> bool {
        if !self.has_room_for(node, rank) {
            return false;
        }
        let filled = usize::from(self.filled[node as usize]);
        self.slots[node as usize * self.query.k() + filled] = (time, rank);
        self.filled[node as usize] += 1;
        true
    }

    /// The time from `node` to facility `rank`, if it is in the node's list.
    fn time_to(&self, node: NodeId, rank: u32) -> Option<u32> {
        self.list(node).iter().find(|&&(_, r)| r == rank).map(|&(t, _)| t)
    }

    /// The query this table answers.
    pub fn query(&self) -> &Query {
        &self.query
    }

    /// The nearest facilities from `start`, as [`super::find`] would find
    /// them, fastest first (ties by facility id).
    pub fn find(&self, engine: &Engine, start: &Snap) -> Vec<Found> {
        let limit = self.query.limit();
        let mut candidates = Candidates::new(engine, self.query.k());
        candidates.offer_own_road(&self.targets, start, limit);
        for end in snap_ends(&engine.graph, start, Direction::Forward) {
            for &(time, rank) in self.list(end.node) {
                let total = end.time.saturating_add(time);
                if total <= limit {
                    let facility = self.by_rank[rank as usize];
                    candidates.offer(Found { facility, time: total, via: Via::LeavesAt(end.node) });
                }
            }
        }
        candidates.best
    }

    /// [`Table::find`] with the route to every answer.
    pub fn nearest(&self, engine: &Engine, start: &Snap) -> Nearest {
        let answers = self
            .find(engine, start)
            .iter()
            .map(|found| Answer { facility: found.facility, time: found.time, route: self.route(engine, start, found) })
            .collect();
        explained(&self.targets, start, &self.query, answers)
    }

    /// The route to a facility found by [`Table::find`]: from the node where
    /// it leaves the start's road, down the times to the facility.
    fn route(&self, engine: &Engine, start: &Snap, found: &Found) -> super::Route {
        let Via::LeavesAt(first) = found.via else { return assemble(engine, start, found, None) };
        let graph = &engine.graph;
        let rank =
            self.by_rank.partition_point(|&f| engine.facilities.get(f).id < engine.facilities.get(found.facility).id);
        let rank = rank as u32;
        let mut node = first;
        let mut to_go = self.time_to(node, rank).unwrap_or(0);
        let lead_in = found.time.saturating_sub(to_go);
        let mut edges: Vec<EdgeId> = Vec::new();
        loop {
            let arrives = engine.arrivals.at(node).iter().any(|&(f, rest)| f == found.facility && rest == to_go);
            if arrives {
                break;
            }
            let next = graph
                .out_edges(node)
                .filter(|&e| self.time_to(graph.head(e), rank).is_some_and(|t| t + graph.time(e) == to_go))
                .min();
            let Some(edge) = next else { break };
            edges.push(edge);
            node = graph.head(edge);
            to_go -= graph.time(edge);
        }
        let ride = Ride { lead_in, first, edges, arrival: node, lead_out: to_go };
        assemble(engine, start, found, Some(ride))
    }
}
