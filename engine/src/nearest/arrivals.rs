//! Where facilities sit on the graph, for searches that arrive at them.

use crate::facility::FacilityId;
use crate::graph::{Graph, NodeId, RoadId};
use crate::search::{Direction, snap_ends};
use crate::snap::{Snap, SnapError};

/// For every graph node, the facilities a rider reaches by riding on from
/// that node along the facility's own road, with the partial time; and for
/// every road, the facilities snapped onto it. Built once per engine from
/// the facilities' snaps.
#[derive(Debug, Clone, Default)]
pub struct Arrivals {
    /// Where each node's entries start in `items`; one more entry than nodes.
    first: Vec<u32>,
    /// `(facility, deciseconds from the node to the facility)`, by node.
    items: Vec<(FacilityId, u32)>,
    /// `(road, facility)` for every snapped facility, sorted.
    on_road: Vec<(RoadId, FacilityId)>,
}

impl Arrivals {
    /// Indexes every snapped facility; `snaps` is parallel to the facilities.
    pub fn new(graph: &Graph, snaps: &[Result<Snap, SnapError>]) -> Arrivals {
        let mut by_node: Vec<(NodeId, FacilityId, u32)> = Vec::new();
        let mut on_road = Vec::new();
        for (facility, snap) in snaps.iter().enumerate() {
            let Ok(snap) = snap else { continue };
            let facility = facility as FacilityId;
            on_road.push((snap.road, facility));
            // The reverse direction gives the time from each end to the point.
            by_node.extend(snap_ends(graph, snap, Direction::Reverse).iter().map(|end| (end.node, facility, end.time)));
        }
        by_node.sort_unstable();
        on_road.sort_unstable();
        let mut first = vec![0u32; graph.node_count() + 1];
        for &(node, ..) in &by_node {
            first[node as usize + 1] += 1;
        }
        for i in 1..first.len() {
            first[i] += first[i - 1];
        }
        let items = by_node.into_iter().map(|(_, facility, time)| (facility, time)).collect();
        Arrivals { first, items, on_road }
    }

    /// The facilities reached from `node` along their own road, with the
    /// time from the node, in deciseconds.
    pub fn at(&self, node: NodeId) -> &[(FacilityId, u32)] {
        &self.items[self.first[node as usize] as usize..self.first[node as usize + 1] as usize]
    }

    /// The facilities snapped onto `road`.
    pub fn on_road(&self, road: RoadId) -> impl Iterator<Item = FacilityId> + '_ {
        let from = self.on_road.partition_point(|&(r, _)| r < road);
        self.on_road[from..].iter().take_while(move |&&(r, _)| r == road).map(|&(_, facility)| facility)
    }
}
