//! The route to a found facility, recovered from a finished search or a
//! [`super::Table`].

use geo::{Coord, LineString};

use super::{Found, Via};
use crate::engine::Engine;
use crate::graph::{EdgeId, NodeId, RoadId};
use crate::search::{Direction, SearchSpace, SnapEnd, snap_ends};
use crate::snap::Snap;

/// The part of one road ridden, from fraction `from` to fraction `to`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Piece {
    /// The road.
    pub road: RoadId,
    /// Where the ride enters the road, as a fraction of its length.
    pub from: f64,
    /// Where the ride leaves it.
    pub to: f64,
}

impl Piece {
    /// Its length in metres, the road's share.
    fn length_m(&self, engine: &Engine) -> f64 {
        engine.graph.road_length_m(self.road) * (self.to - self.from).abs()
    }

    /// Its points in the order ridden, cut at the exact fractions.
    fn coords(&self, engine: &Engine) -> Vec<Coord<f64>> {
        let mut coords = engine.road_part(self.road, self.from.min(self.to), self.from.max(self.to)).0;
        if self.from > self.to {
            coords.reverse();
        }
        coords
    }
}

/// How to ride from a snapped point to a facility: a part of the start's
/// road, whole edges, and a part of the facility's road. The line itself is
/// drawn on demand ([`Route::geometry`]), so batches that need only times
/// and distances do not pay for it.
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
    /// The part of the start's road ridden (the whole ride when `nodes` is
    /// `None`).
    pub first: Piece,
    /// The part of the facility's road ridden, when the ride goes through
    /// the graph.
    pub last: Option<Piece>,
    /// Length in metres: the pieces' shares of their roads' lengths plus
    /// the whole edges' lengths.
    pub length_m: f64,
}

/// A ride through the graph: leave the start's road at `first` after
/// `lead_in` deciseconds, ride `edges`, join the facility's road at
/// `arrival` with `lead_out` deciseconds to go.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Ride {
    pub(super) lead_in: u32,
    pub(super) first: NodeId,
    pub(super) edges: Vec<EdgeId>,
    pub(super) arrival: NodeId,
    pub(super) lead_out: u32,
}

/// The route to `found`, from the search [`super::find`] left in `space`.
pub fn route(engine: &Engine, space: &SearchSpace, start: &Snap, found: &Found) -> Route {
    let graph = &engine.graph;
    let ride = match found.via {
        Via::OwnRoad | Via::LeavesAt(_) => None,
        Via::JoinsAt(arrival) => {
            let mut edges = Vec::new();
            let mut node = arrival;
            while let Some(edge) = space.predecessor(graph, node, Direction::Forward) {
                edges.push(edge);
                node = graph.tail(edge);
            }
            edges.reverse();
            let lead_in = space.time(node).unwrap_or(0);
            let lead_out = found.time.saturating_sub(space.time(arrival).unwrap_or(0));
            Some(Ride { lead_in, first: node, edges, arrival, lead_out })
        }
    };
    assemble(engine, start, found, ride)
}

/// The route of `found` by `ride` (straight along the start's road if
/// `None`).
pub(super) fn assemble(engine: &Engine, start: &Snap, found: &Found, ride: Option<Ride>) -> Route {
    let graph = &engine.graph;
    // Only snapped facilities are ever found; an unsnapped one would stay put.
    let target = engine.snaps[found.facility as usize].as_ref().unwrap_or(start);
    let Some(Ride { lead_in, first, edges, arrival, lead_out }) = ride else {
        let piece = Piece { road: start.road, from: start.fraction, to: target.fraction };
        let length_m = piece.length_m(engine);
        return Route {
            lead_in: found.time,
            nodes: None,
            edges: Vec::new(),
            lead_out: 0,
            first: piece,
            last: None,
            length_m,
        };
    };
    let leave = matching_end(snap_ends(graph, start, Direction::Forward), first, lead_in);
    let join = matching_end(snap_ends(graph, target, Direction::Reverse), arrival, lead_out);
    let first_piece = Piece { road: start.road, from: start.fraction, to: leave };
    let last_piece = Piece { road: target.road, from: join, to: target.fraction };
    let length_m = first_piece.length_m(engine)
        + edges.iter().map(|&e| graph.edge_length_m(e)).sum::<f64>()
        + last_piece.length_m(engine);
    Route {
        lead_in,
        nodes: Some([first, arrival]),
        edges,
        lead_out,
        first: first_piece,
        last: Some(last_piece),
        length_m,
    }
}

/// The fraction of the road end at `node` reached in `time`; the first end
/// at `node` if none matches exactly (which a finished search rules out).
fn matching_end(ends: Vec<SnapEnd>, node: NodeId, time: u32) -> f64 {
    let at_node = || ends.iter().filter(|end| end.node == node);
    at_node().find(|end| end.time == time).or_else(|| at_node().next()).map_or(0.0, |end| end.fraction)
}

impl Route {
    /// The line from the snapped start to the facility's snapped point,
    /// `[lon, lat]`, along the roads, partial first and last roads cut at
    /// the exact points, without repeated points. A single coordinate when
    /// the two points coincide.
    pub fn geometry(&self, engine: &Engine) -> LineString<f64> {
        let graph = &engine.graph;
        let mut coords = self.first.coords(engine);
        for &edge in &self.edges {
            let (road, reversed) = graph.edge_road(edge);
            let points = graph.road_geometry(road).iter().map(|&[x, y]| Coord { x, y });
            if reversed { coords.extend(points.rev()) } else { coords.extend(points) }
        }
        if let Some(last) = &self.last {
            coords.extend(last.coords(engine));
        }
        coords.dedup();
        LineString::new(coords)
    }
}
