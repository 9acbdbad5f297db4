//! A contraction hierarchy of the road graph, for one-to-all searches that
//! reach much of it: travel times from (or to) a start to every node by one
//! sweep over the nodes in a fixed order (PHAST, after Delling, Goldberg,
//! Nowatzyk and Werneck), with no priority queue for all but a few nodes.
//!
//! Contraction ([`contract`]) ranks the nodes and adds shortcuts, so that
//! every travel time is the time of a path that first climbs in rank, then
//! descends. A search then has two phases:
//! 1. **Up**: Dijkstra from the sources over the arcs that climb: a few
//!    hundred nodes.
//! 2. **Down**: every node, from the highest rank to the lowest, takes the
//!    best of its own time and its higher neighbours' times plus the arc
//!    between them. A higher neighbour is final by then, so each node is
//!    final when it has been visited: the sweep reads the arcs once, in
//!    order.
//!
//! Times are the exact integer times of Dijkstra on the same graph.

mod contract;

use crate::graph::{Graph, NodeId};
use crate::search::Direction;
use crate::time_queue::TimeQueue;

/// Arcs grouped by node rank, compressed: those of rank `r` are
/// `arcs[first[r]..first[r + 1]]`, as `(other end's rank, time)`.
#[derive(Debug, Clone, Default)]
struct RankArcs {
    first: Vec<u32>,
    arcs: Vec<(u32, u32)>,
}

impl RankArcs {
    /// The lists of the nodes of `node_at` (the node of each rank), by rank.
    fn of(node_at: &[u32], rank: &[u32], lists: &[Vec<(u32, u32)>]) -> RankArcs {
        let mut first = Vec::with_capacity(node_at.len() + 1);
        let mut arcs = Vec::new();
        for &node in node_at {
            first.push(arcs.len() as u32);
            arcs.extend(lists[node as usize].iter().map(|&(other, time)| (rank[other as usize], time)));
        }
        first.push(arcs.len() as u32);
        RankArcs { first, arcs }
    }

    fn of_rank(&self, rank: usize) -> &[(u32, u32)] {
        &self.arcs[self.first[rank] as usize..self.first[rank + 1] as usize]
    }
}

/// The contraction hierarchy of one graph.
#[derive(Debug, Clone)]
pub struct Hierarchy {
    /// The rank of each graph node: by level in the hierarchy, then by node.
    rank: Vec<u32>,
    /// The graph node of each rank.
    node_at: Vec<NodeId>,
    /// Per rank, the arcs to higher ranks.
    up: RankArcs,
    /// Per rank, the arcs from higher ranks.
    down: RankArcs,
}

/// Working memory of sweeps, reused from one to the next.
#[derive(Debug, Clone, Default)]
pub struct SweepMemory {
    /// Tentative times by rank.
    times: Vec<u32>,
    queue: TimeQueue,
}

impl Hierarchy {
    /// Contracts `graph` (tens of milliseconds for a small city, a few
    /// tenths of a second for Heidelberg's 27,000 nodes).
    pub fn new(graph: &Graph) -> Hierarchy {
        let contraction = contract::contract(graph);
        let n = graph.node_count();
        // A node's level is above those of the neighbours contracted before
        // it. Ranking by level, then by node (the graph's Hilbert order),
        // keeps every arc climbing from a lower rank to a higher one, and
        // puts the nodes a sweep visits one after the other near each other
        // on the map, so the times they read are near in memory.
        let mut level = vec![0u32; n];
        for &v in &contraction.order {
            let above = level[v as usize] + 1;
            let (heads, tails) = (&contraction.later_heads[v as usize], &contraction.later_tails[v as usize]);
            for &(x, _) in heads.iter().chain(tails) {
                level[x as usize] = level[x as usize].max(above);
            }
        }
        let mut node_at: Vec<NodeId> = (0..n as NodeId).collect();
        node_at.sort_unstable_by_key(|&v| (level[v as usize], v));
        let mut rank = vec![0; n];
        for (r, &node) in node_at.iter().enumerate() {
            rank[node as usize] = r as u32;
        }
        let up = RankArcs::of(&node_at, &rank, &contraction.later_heads);
        let down = RankArcs::of(&node_at, &rank, &contraction.later_tails);
        Hierarchy { rank, node_at, up, down }
    }

    /// Arcs in the hierarchy: the graph's edges (one per ordered pair of
    /// nodes, at the shortest time; loops dropped) and the shortcuts.
    pub fn arc_count(&self) -> usize {
        self.up.arcs.len() + self.down.arcs.len()
    }

    /// Nodes in the hierarchy (those of its graph).
    pub fn node_count(&self) -> usize {
        self.node_at.len()
    }

    /// The time from (forward) or to (reverse) the nearest of `sources`
    /// (`(node, initial time)`) of every node within `limit` deciseconds,
    /// passed to `found(node, time)` in no particular order. A time of
    /// u32::MAX (a saturated sum) counts as never reached, as in Dijkstra.
    pub fn sweep(
        &self,
        sources: &[(NodeId, u32)],
        direction: Direction,
        limit: u32,
        memory: &mut SweepMemory,
        mut found: impl FnMut(NodeId, u32),
    ) {
        // Forward, paths climb along the arcs to higher ranks and descend
        // along the arcs from them; reverse, the other way round.
        let (climb, descend) = match direction {
            Direction::Forward => (&self.up, &self.down),
            Direction::Reverse => (&self.down, &self.up),
        };
        let limit = limit.min(u32::MAX - 1);
        let times = &mut memory.times;
        times.clear();
        times.resize(self.node_at.len(), u32::MAX);
        let queue = &mut memory.queue;
        queue.clear();
        for &(node, time) in sources.iter().filter(|&&(_, time)| time <= limit) {
            let r = self.rank[node as usize];
            if time < times[r as usize] {
                times[r as usize] = time;
                queue.push(u64::from(time) << 32 | u64::from(r));
            }
        }
        while let Some(key) = queue.pop() {
            let (time, r) = ((key >> 32) as u32, key as u32);
            if time > times[r as usize] {
                continue;
            }
            for &(higher, arc) in climb.of_rank(r as usize) {
                let candidate = time.saturating_add(arc);
                if candidate <= limit && candidate < times[higher as usize] {
                    times[higher as usize] = candidate;
                    queue.push(u64::from(candidate) << 32 | u64::from(higher));
                }
            }
        }
        for r in (0..times.len()).rev() {
            let mut time = times[r];
            for &(higher, arc) in descend.of_rank(r) {
                time = time.min(times[higher as usize].saturating_add(arc));
            }
            times[r] = time;
            if time <= limit {
                found(self.node_at[r], time);
            }
        }
    }
}

#[cfg(test)]
pub(crate) mod tests;
