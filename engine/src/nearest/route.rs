//! The route to a found facility, recovered from a finished search.

use geo::{Coord, LineString};

use super::{Found, Via};
use crate::engine::Engine;
use crate::geo_math::haversine_m;
use crate::graph::{EdgeId, NodeId, RoadId};
use crate::search::{Direction, SearchSpace, SnapEnd, snap_ends};
use crate::snap::Snap;

/// How to ride from a snapped point to a facility: a part of the start's
/// road, whole edges, and a part of the facility's road.
#[derive(Debug, Clone, PartialEq)]
pub struct Route {
    /// Time from the start point to the first node (or, for a ride along
    /// the start's own road, to the facility), deciseconds.
    pub lead_in: u32,
    /// The graph nodes where the ride leaves the start's road and where it
    /// joins the facility's road (equal when no whole edge is ridden);
    /// `None` when the ride goes straight along the start's road.
    pub nodes: Option<[NodeId; 2]>,
    /// The whole edges ridden, in order.
    pub edges: Vec<EdgeId>,
    /// Time from the last node to the facility, deciseconds.
    pub lead_out: u32,
    /// The line from the snapped start to the facility's snapped point,
    /// `[lon, lat]`, partial first and last edges cut at the exact points.
    /// A single coordinate when the two points coincide.
    pub geometry: LineString<f64>,
    /// Length of the line in metres.
    pub length_m: f64,
}

/// The route to `found`, from the search [`super::find`] left in `space`.
pub fn route(engine: &Engine, space: &SearchSpace, start: &Snap, found: &Found) -> Route {
    let graph = &engine.graph;
    let target = match &engine.snaps[found.facility as usize] {
        Ok(snap) => *snap,
        // `find` only returns snapped facilities.
        Err(_) => return Route::empty(start.lon_lat),
    };
    let Via::Node(arrival) = found.via else {
        let coords = piece(engine, start.road, start.fraction, target.fraction);
        return Route::new(found.time, None, Vec::new(), 0, coords);
    };
    let mut edges = Vec::new();
    let mut node = arrival;
    while let Some(edge) = space.predecessor(graph, node, Direction::Forward) {
        edges.push(edge);
        node = graph.tail(edge);
    }
    edges.reverse();
    let arrival_time = space.time(arrival).unwrap_or(0);
    let first_time = space.time(node).unwrap_or(0);
    let lead_out = found.time.saturating_sub(arrival_time);
    let first = matching_end(snap_ends(graph, start, Direction::Forward), node, first_time);
    let last = matching_end(snap_ends(graph, &target, Direction::Reverse), arrival, lead_out);
    let mut coords = piece(engine, start.road, start.fraction, first);
    for &edge in &edges {
        coords.extend(graph.edge_geometry(edge).into_iter().map(|[x, y]| Coord { x, y }));
    }
    coords.extend(piece(engine, target.road, last, target.fraction));
    Route::new(first_time, Some([node, arrival]), edges, lead_out, coords)
}

/// The fraction of the road end at `node` reached in `time`; the first end
/// at `node` if none matches exactly (which a finished search rules out).
fn matching_end(ends: Vec<SnapEnd>, node: NodeId, time: u32) -> f64 {
    let at_node = || ends.iter().filter(|end| end.node == node);
    at_node().find(|end| end.time == time).or_else(|| at_node().next()).map_or(0.0, |end| end.fraction)
}

/// The part of `road` from fraction `from` to fraction `to`, in that order.
fn piece(engine: &Engine, road: RoadId, from: f64, to: f64) -> Vec<Coord<f64>> {
    let mut coords = engine.road_part(road, from.min(to), from.max(to)).0;
    if from > to {
        coords.reverse();
    }
    coords
}

impl Route {
    /// A route from its parts, with repeated points removed and its length
    /// measured.
    fn new(
        lead_in: u32,
        nodes: Option<[NodeId; 2]>,
        edges: Vec<EdgeId>,
        lead_out: u32,
        mut coords: Vec<Coord<f64>>,
    ) -> Route {
        coords.dedup();
        let length_m = coords.windows(2).map(|w| haversine_m([w[0].x, w[0].y], [w[1].x, w[1].y])).sum();
        Route { lead_in, nodes, edges, lead_out, geometry: LineString::new(coords), length_m }
    }

    /// A route that does not move.
    fn empty(at: [f64; 2]) -> Route {
        Route::new(0, None, Vec::new(), 0, vec![Coord { x: at[0], y: at[1] }])
    }
}
