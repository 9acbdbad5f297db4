//! Node contraction: the order in which nodes leave the graph, and the
//! shortcuts that keep every travel time between the nodes that remain.
//!
//! Nodes are taken in order of a priority: twice the shortcuts contracting
//! the node would add minus the arcs it removes, plus how many of its
//! neighbours are already gone (which spreads contraction evenly over the
//! map). Priorities are kept lazily: a node's priority is worked out again
//! when it comes to the front of the queue, and it goes back in if it has
//! risen above the next one (contracting a neighbour mostly raises it).
//! Working out the neighbours' priorities after each contraction as well
//! gave 6 % fewer arcs for 2–3 times the contraction time.
//!
//! A shortcut `u → w` through `v` is needed unless a *witness* path from `u`
//! to `w` avoiding `v` is at most as fast. Witness searches are bounded (in
//! settled nodes); a search that gives up only adds a shortcut that was not
//! needed, never loses a travel time.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use rayon::prelude::*;

use crate::graph::Graph;

/// Nodes a witness search settles at most.
const WITNESS_SETTLE_LIMIT: usize = 40;

/// What contraction leaves: per node, its arcs to and from the nodes
/// contracted after it, and the order of contraction.
pub struct Contraction {
    /// The nodes in the order they were contracted.
    pub order: Vec<u32>,
    /// Per node, `(head, time)` of its arcs to later nodes.
    pub later_heads: Vec<Arcs>,
    /// Per node, `(tail, time)` of the arcs from later nodes to it.
    pub later_tails: Vec<Arcs>,
}

/// `(other end, time)` of a node's arcs one way.
type Arcs = Vec<(u32, u32)>;

/// The graph while it is being contracted: the arcs between the nodes still
/// in it, original or shortcuts, at most one per ordered pair.
struct Remaining {
    outs: Vec<Arcs>,
    ins: Vec<Arcs>,
    /// Per node, how many of its neighbours were contracted.
    gone_neighbours: Vec<u32>,
}

/// Adds arc `(to, time)` to `list`, or lowers the time of the one there.
fn add_or_lower(list: &mut Vec<(u32, u32)>, to: u32, time: u32) {
    match list.iter_mut().find(|(other, _)| *other == to) {
        Some(arc) => arc.1 = arc.1.min(time),
        None => list.push((to, time)),
    }
}

impl Remaining {
    fn of(graph: &Graph) -> Remaining {
        let n = graph.node_count();
        let (mut outs, mut ins) = (vec![Vec::new(); n], vec![Vec::new(); n]);
        for tail in 0..n as u32 {
            for &(head, time) in graph.out_arcs(tail) {
                if head != tail {
                    add_or_lower(&mut outs[tail as usize], head, time);
                    add_or_lower(&mut ins[head as usize], tail, time);
                }
            }
        }
        Remaining { outs, ins, gone_neighbours: vec![0; n] }
    }

    /// The shortcuts contracting `v` needs, `(tail, head, time)`.
    fn shortcuts(&self, v: u32, witness: &mut Witness) -> Vec<(u32, u32, u32)> {
        let mut shortcuts = Vec::new();
        let outs = &self.outs[v as usize];
        for &(u, to_v) in &self.ins[v as usize] {
            let Some(farthest) = outs.iter().filter(|&&(w, _)| w != u).map(|&(_, t)| to_v.saturating_add(t)).max()
            else {
                continue;
            };
            witness.run(self, u, v, farthest);
            for &(w, from_v) in outs {
                let through_v = to_v.saturating_add(from_v);
                if w != u && witness.time(w) > through_v {
                    shortcuts.push((u, w, through_v));
                }
            }
        }
        shortcuts
    }

    /// The priority of contracting `v` now: lower goes first.
    fn priority(&self, v: u32, witness: &mut Witness) -> i64 {
        self.priority_with(v, self.shortcuts(v, witness).len())
    }

    /// The priority of `v` when contracting it needs `shortcuts` shortcuts.
    fn priority_with(&self, v: u32, shortcuts: usize) -> i64 {
        let removed = self.outs[v as usize].len() + self.ins[v as usize].len();
        2 * (shortcuts as i64 - removed as i64) + i64::from(self.gone_neighbours[v as usize])
    }

    /// Takes `v` out with its shortcuts; returns its arcs to and from the
    /// nodes that remain, `[heads, tails]`.
    fn contract(&mut self, v: u32, shortcuts: &[(u32, u32, u32)]) -> [Arcs; 2] {
        let mut neighbours: Vec<u32> =
            self.outs[v as usize].iter().chain(&self.ins[v as usize]).map(|&(x, _)| x).collect();
        for &(w, _) in &self.outs[v as usize] {
            self.ins[w as usize].retain(|&(x, _)| x != v);
        }
        for &(u, _) in &self.ins[v as usize] {
            self.outs[u as usize].retain(|&(x, _)| x != v);
        }
        for &(u, w, time) in shortcuts {
            add_or_lower(&mut self.outs[u as usize], w, time);
            add_or_lower(&mut self.ins[w as usize], u, time);
        }
        neighbours.sort_unstable();
        neighbours.dedup();
        for &x in &neighbours {
            self.gone_neighbours[x as usize] += 1;
        }
        [std::mem::take(&mut self.outs[v as usize]), std::mem::take(&mut self.ins[v as usize])]
    }
}

/// A bounded Dijkstra among the remaining nodes, with its own reusable
/// memory (stamped, so each run starts in O(1)).
struct Witness {
    time: Vec<u32>,
    stamp: Vec<u32>,
    /// The nodes to settle in the current run are marked with its
    /// generation.
    target: Vec<u32>,
    generation: u32,
    heap: BinaryHeap<Reverse<(u32, u32)>>,
}

impl Witness {
    fn new(n: usize) -> Witness {
        Witness { time: vec![0; n], stamp: vec![0; n], target: vec![0; n], generation: 0, heap: BinaryHeap::new() }
    }

    /// Times from `from` to the remaining nodes without passing `avoid`,
    /// up to `limit` and a bounded number of settled nodes, or until every
    /// node `avoid` leads to (other than `from`) is settled.
    fn run(&mut self, graph: &Remaining, from: u32, avoid: u32, limit: u32) {
        self.generation = self.generation.wrapping_add(1);
        if self.generation == 0 {
            // Once every 2³² runs: no stamp may look current.
            self.stamp.fill(0);
            self.target.fill(0);
            self.generation = 1;
        }
        let mut targets = 0;
        for &(w, _) in &graph.outs[avoid as usize] {
            if w != from {
                self.target[w as usize] = self.generation;
                targets += 1;
            }
        }
        self.heap.clear();
        self.set(from, 0);
        self.heap.push(Reverse((0, from)));
        let mut settled = 0;
        while let Some(Reverse((time, node))) = self.heap.pop() {
            if time > self.time(node) {
                continue;
            }
            settled += 1;
            if time > limit || settled > WITNESS_SETTLE_LIMIT {
                break;
            }
            if self.target[node as usize] == self.generation {
                targets -= 1;
                if targets == 0 {
                    break;
                }
            }
            for &(next, arc) in &graph.outs[node as usize] {
                let candidate = time.saturating_add(arc);
                if next != avoid && candidate <= limit && candidate < self.time(next) {
                    self.set(next, candidate);
                    self.heap.push(Reverse((candidate, next)));
                }
            }
        }
    }

    /// The time found to `node` (infinite when none was).
    fn time(&self, node: u32) -> u32 {
        if self.stamp[node as usize] == self.generation { self.time[node as usize] } else { u32::MAX }
    }

    fn set(&mut self, node: u32, time: u32) {
        self.time[node as usize] = time;
        self.stamp[node as usize] = self.generation;
    }
}

/// Contracts every node of `graph`.
pub fn contract(graph: &Graph) -> Contraction {
    let n = graph.node_count();
    let mut remaining = Remaining::of(graph);
    // Each node is in the queue once, until it is contracted.
    let mut queue: BinaryHeap<Reverse<(i64, u32)>> = (0..n as u32)
        .into_par_iter()
        .with_min_len(1024)
        .map_init(|| Witness::new(n), |witness, v| Reverse((remaining.priority(v, witness), v)))
        .collect::<Vec<_>>()
        .into();
    let mut witness = Witness::new(n);
    let mut order = Vec::with_capacity(n);
    let (mut later_heads, mut later_tails) = (vec![Vec::new(); n], vec![Vec::new(); n]);
    while let Some(Reverse((_, v))) = queue.pop() {
        let shortcuts = remaining.shortcuts(v, &mut witness);
        let now = remaining.priority_with(v, shortcuts.len());
        if queue.peek().is_some_and(|&Reverse((next, _))| now > next) {
            queue.push(Reverse((now, v)));
            continue;
        }
        [later_heads[v as usize], later_tails[v as usize]] = remaining.contract(v, &shortcuts);
        order.push(v);
    }
    Contraction { order, later_heads, later_tails }
}
