//! The routable road graph of one profile, in compressed sparse row form.
//!
//! Nodes are intersections and dead ends, numbered `0..n` in Hilbert-curve
//! order so that neighbours in space are neighbours in memory. Each **road**
//! is a stretch of OSM way between two nodes with its full polyline; each
//! direction of a road the profile allows is a directed **edge**. Edges are
//! numbered in forward CSR order (grouped by tail node); a reverse CSR lists
//! the same edges grouped by head node. Travel times are integer
//! deciseconds, never zero.

mod build;
mod components;
mod hilbert;

use std::ops::Range;
use std::sync::OnceLock;

use serde::Serialize;

pub use build::GraphError;

use crate::hierarchy::Hierarchy;

/// Index of a graph node.
pub type NodeId = u32;
/// Index of a directed edge, in forward CSR order.
pub type EdgeId = u32;
/// Index of a road (an undirected stretch between two nodes).
pub type RoadId = u32;

/// Marks a road direction that has no edge.
const NO_EDGE: EdgeId = EdgeId::MAX;

/// Marks the travel time of a road direction that has no edge.
const NO_TIME: u32 = u32::MAX;

/// The OSM way a road comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
struct WayInfo {
    id: i64,
    highway: String,
    name: Option<String>,
}

/// Node, edge and road counts and lengths of one graph.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct GraphSize {
    /// Graph nodes.
    pub nodes: usize,
    /// Directed edges.
    pub edges: usize,
    /// Roads (each counted once whatever its directions).
    pub roads: usize,
    /// Total road length in kilometres (each road counted once).
    pub road_km: f64,
}

/// What the largest strongly connected component kept.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ComponentReport {
    /// Strongly connected components before filtering.
    pub components: usize,
    /// The graph before filtering.
    pub before: GraphSize,
    /// Share of nodes kept, 0 to 1.
    pub nodes_share: f64,
    /// Share of edges kept, 0 to 1.
    pub edges_share: f64,
    /// Share of road length kept, 0 to 1.
    pub road_km_share: f64,
}

/// How a graph was built from an extract for a profile.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GraphReport {
    /// The profile's name.
    pub profile: String,
    /// Highway ways the profile may use.
    pub usable_ways: usize,
    /// The routable graph that was kept.
    #[serde(flatten)]
    pub size: GraphSize,
    /// What the component filter kept and dropped.
    pub component_filter: ComponentReport,
}

/// A routable graph for one profile.
#[derive(Debug, Clone)]
pub struct Graph {
    node_lon_lat: Vec<[f64; 2]>,
    node_osm_id: Vec<i64>,
    first_out: Vec<u32>,
    /// Head and travel time of each edge, side by side for the forward
    /// search.
    out_arc: Vec<(NodeId, u32)>,
    edge_road: Vec<u32>,
    first_in: Vec<u32>,
    /// Tail and travel time of each incoming edge, side by side for the
    /// reverse search.
    in_arc: Vec<(NodeId, u32)>,
    in_edge: Vec<EdgeId>,
    road_ends: Vec<[NodeId; 2]>,
    road_length_m: Vec<f64>,
    road_way: Vec<u32>,
    road_edges: Vec<[EdgeId; 2]>,
    /// Per road, the travel times of its two edges (`NO_TIME` where the
    /// profile forbids that direction), next to each other for the passes
    /// over every road.
    road_edge_times: Vec<[u32; 2]>,
    /// Per edge, the edge of the same road the other way and its travel
    /// time (`NO_EDGE` on a one-way road), read where the road's two
    /// directions are handled together.
    twin: Vec<(EdgeId, u32)>,
    geometry_start: Vec<u32>,
    geometry: Vec<[f64; 2]>,
    ways: Vec<WayInfo>,
    /// The contraction hierarchy, once prepared (see
    /// [`Graph::prepare_hierarchy`]).
    hierarchy: OnceLock<Hierarchy>,
}

impl Graph {
    /// Number of nodes.
    pub fn node_count(&self) -> usize {
        self.node_lon_lat.len()
    }

    /// Number of directed edges.
    pub fn edge_count(&self) -> usize {
        self.out_arc.len()
    }

    /// Number of roads.
    pub fn road_count(&self) -> usize {
        self.road_ends.len()
    }

    /// Counts and total length.
    pub fn size(&self) -> GraphSize {
        GraphSize {
            nodes: self.node_count(),
            edges: self.edge_count(),
            roads: self.road_count(),
            road_km: self.road_length_m.iter().sum::<f64>() / 1000.0,
        }
    }

    /// The bounding box of every node, `[min_lon, min_lat, max_lon, max_lat]`.
    pub fn bounds(&self) -> [f64; 4] {
        let mut b = [f64::MAX, f64::MAX, f64::MIN, f64::MIN];
        for node in 0..self.node_count() as NodeId {
            let [lon, lat] = self.node_lon_lat(node);
            b = [b[0].min(lon), b[1].min(lat), b[2].max(lon), b[3].max(lat)];
        }
        b
    }

    /// `[lon, lat]` of a node.
    pub fn node_lon_lat(&self, node: NodeId) -> [f64; 2] {
        self.node_lon_lat[node as usize]
    }

    /// The OSM node id of a node.
    pub fn node_osm_id(&self, node: NodeId) -> i64 {
        self.node_osm_id[node as usize]
    }

    /// The edges leaving `node`.
    pub fn out_edges(&self, node: NodeId) -> Range<EdgeId> {
        self.first_out[node as usize]..self.first_out[node as usize + 1]
    }

    /// The edges leaving `node`, as `(head, travel time in deciseconds)`.
    pub fn out_arcs(&self, node: NodeId) -> &[(NodeId, u32)] {
        &self.out_arc[self.first_out[node as usize] as usize..self.first_out[node as usize + 1] as usize]
    }

    /// The edges entering `node`, as `(tail, edge)`.
    pub fn in_edges(&self, node: NodeId) -> impl Iterator<Item = (NodeId, EdgeId)> + '_ {
        let range = self.first_in[node as usize] as usize..self.first_in[node as usize + 1] as usize;
        self.in_arc[range.clone()].iter().map(|&(tail, _)| tail).zip(self.in_edge[range].iter().copied())
    }

    /// The edges entering `node`, as `(tail, travel time in deciseconds)`.
    pub fn in_arcs(&self, node: NodeId) -> &[(NodeId, u32)] {
        &self.in_arc[self.first_in[node as usize] as usize..self.first_in[node as usize + 1] as usize]
    }

    /// The node an edge leads to.
    pub fn head(&self, edge: EdgeId) -> NodeId {
        self.out_arc[edge as usize].0
    }

    /// The node an edge leaves.
    pub fn tail(&self, edge: EdgeId) -> NodeId {
        let (road, reversed) = self.edge_road(edge);
        self.road_ends[road as usize][usize::from(reversed)]
    }

    /// Travel time of an edge in deciseconds (at least 1).
    pub fn time(&self, edge: EdgeId) -> u32 {
        self.out_arc[edge as usize].1
    }

    /// The road an edge runs along, and whether it runs against the road's
    /// geometry order.
    pub fn edge_road(&self, edge: EdgeId) -> (RoadId, bool) {
        let packed = self.edge_road[edge as usize];
        (packed >> 1, packed & 1 == 1)
    }

    /// Length of an edge in metres (its road's length).
    pub fn edge_length_m(&self, edge: EdgeId) -> f64 {
        self.road_length_m[self.edge_road(edge).0 as usize]
    }

    /// The polyline of an edge in its direction of travel, from tail to head.
    pub fn edge_geometry(&self, edge: EdgeId) -> Vec<[f64; 2]> {
        let (road, reversed) = self.edge_road(edge);
        let mut points = self.road_geometry(road).to_vec();
        if reversed {
            points.reverse();
        }
        points
    }

    /// The two end nodes of a road, in geometry order.
    pub fn road_ends(&self, road: RoadId) -> [NodeId; 2] {
        self.road_ends[road as usize]
    }

    /// The road's length in metres (great-circle, summed over its polyline).
    pub fn road_length_m(&self, road: RoadId) -> f64 {
        self.road_length_m[road as usize]
    }

    /// The road's polyline as `[lon, lat]` points, from its first end to its
    /// second.
    pub fn road_geometry(&self, road: RoadId) -> &[[f64; 2]] {
        let start = self.geometry_start[road as usize] as usize;
        let end = self.geometry_start[road as usize + 1] as usize;
        &self.geometry[start..end]
    }

    /// The edge along the road's geometry order and the edge against it,
    /// where the profile allows that direction.
    pub fn road_edges(&self, road: RoadId) -> [Option<EdgeId>; 2] {
        self.road_edges[road as usize].map(|e| (e != NO_EDGE).then_some(e))
    }

    /// The travel times in deciseconds of the road's edge along its
    /// geometry order and of its edge against it, where the profile allows
    /// that direction: those of [`Graph::road_edges`], read from one place.
    pub fn road_edge_times(&self, road: RoadId) -> [Option<u32>; 2] {
        self.road_edge_times[road as usize].map(|t| (t != NO_TIME).then_some(t))
    }

    /// The edge of the same road in the other direction, with its travel
    /// time in deciseconds, if the profile allows that direction.
    pub fn twin(&self, edge: EdgeId) -> Option<(EdgeId, u32)> {
        let twin = self.twin[edge as usize];
        (twin.0 != NO_EDGE).then_some(twin)
    }

    /// The OSM way id of a road.
    pub fn road_way_id(&self, road: RoadId) -> i64 {
        self.ways[self.road_way[road as usize] as usize].id
    }

    /// The `highway=*` class of a road.
    pub fn road_highway(&self, road: RoadId) -> &str {
        &self.ways[self.road_way[road as usize] as usize].highway
    }

    /// Contracts the graph into a hierarchy (tens of milliseconds for a
    /// small city, about a second for a large one) unless that was done
    /// before, and returns it. From then on, searches that reach much of the
    /// graph sweep it instead of running Dijkstra ([`SearchSpace::run`]).
    /// Worth it where many searches follow, as in the server; a one-off
    /// command does without.
    ///
    /// [`SearchSpace::run`]: crate::search::SearchSpace::run
    pub fn prepare_hierarchy(&self) -> &Hierarchy {
        self.hierarchy.get_or_init(|| Hierarchy::new(self))
    }

    /// Takes over the prepared hierarchy of `other` when it has one and the
    /// two graphs have the same edges and travel times (as when the same
    /// extract is built again for the same profile), so that it need not be
    /// contracted again. Returns whether it did.
    pub fn adopt_hierarchy(&self, other: &Graph) -> bool {
        let same_arcs = self.first_out == other.first_out && self.out_arc == other.out_arc;
        match other.hierarchy() {
            Some(hierarchy) if same_arcs => {
                self.hierarchy.get_or_init(|| hierarchy.clone());
                true
            }
            _ => false,
        }
    }

    /// The hierarchy, if [`Graph::prepare_hierarchy`] made it.
    pub fn hierarchy(&self) -> Option<&Hierarchy> {
        self.hierarchy.get()
    }

    /// The `name` of a road, if it has one.
    pub fn road_name(&self, road: RoadId) -> Option<&str> {
        self.ways[self.road_way[road as usize] as usize].name.as_deref()
    }
}

#[cfg(test)]
pub(crate) mod tests;
