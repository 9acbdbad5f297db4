//! Nearest facilities by travel time: the `k` facilities a rider reaches
//! soonest from where they are, with filters, and the route to each.
//!
//! ## Method
//! One forward Dijkstra from the rider's snapped point (the direction is
//! always *from the rider to the facility*). Every facility is attached to
//! the graph nodes from which a rider can ride on to it along its own road,
//! with that partial time ([`Arrivals`]). When the search settles a node,
//! each eligible facility attached there becomes a candidate at the node's
//! time plus the partial time; a facility on the rider's own road is also a
//! candidate by riding straight to it, where the road's direction allows.
//! The search stops as soon as the queue holds nothing faster than the k-th
//! candidate, since every facility found later would be slower.
//!
//! Answers are ordered by time, then by facility id in text order, so equal
//! times always come out in the same order. A facility's time is exact in
//! deciseconds: the partial times at both ends are rounded once each, as for
//! every other search. The route is recovered by walking back from the
//! arrival node along edges whose times add up exactly (`route`).

mod arrivals;
mod route;
mod table;
#[cfg(test)]
mod tests;

use std::cmp::Ordering;

use chrono::NaiveDateTime;

pub use arrivals::Arrivals;
pub use route::Route;
pub use table::Table;

use crate::amenity::Amenities;
use crate::engine::Engine;
use crate::facility::{FacilityId, Layer};
use crate::graph::{Graph, NodeId};
use crate::opening::{UnknownHours, open_at};
use crate::search::{Direction, SearchSpace, snap_sources};
use crate::snap::Snap;

/// Most answers one query may ask for.
pub const MAX_K: usize = 50;
/// Largest travel-time limit, in minutes.
pub const MAX_MINUTES: f64 = 120.0;
/// The travel-time limit when none is given, in minutes.
pub const DEFAULT_MAX_MINUTES: f64 = 60.0;

/// Which facilities count as answers.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Filter {
    /// Only these layers; every layer when empty.
    pub layers: Vec<Layer>,
    /// Only facilities offering all of these.
    pub amenities: Amenities,
    /// Only facilities with a recorded capacity of at least this.
    pub min_capacity: Option<u32>,
    /// Only facilities open at this local time (see [`crate::opening`]).
    pub open_at: Option<NaiveDateTime>,
    /// How to count facilities whose hours cannot be evaluated.
    pub unknown_hours: UnknownHours,
}

/// The facilities that pass a [`Filter`], ready for many queries: prepare
/// once per filter (opening hours are evaluated here), then query often.
#[derive(Debug, Clone)]
pub struct Targets {
    eligible: Vec<bool>,
    count: usize,
    /// Facilities whose opening hours could not be evaluated, with why.
    pub unknown_hours: Vec<(FacilityId, String)>,
}

impl Targets {
    /// The snapped facilities of `engine` that pass `filter`.
    pub fn new(engine: &Engine, filter: &Filter) -> Targets {
        let passes = |f: FacilityId| {
            let facility = engine.facilities.get(f);
            engine.snaps[f as usize].is_ok()
                && (filter.layers.is_empty() || filter.layers.contains(&facility.layer))
                && facility.amenities.contains_all(filter.amenities)
                && filter.min_capacity.is_none_or(|min| facility.capacity.is_some_and(|c| c >= min))
        };
        let mut selection: Vec<FacilityId> =
            (0..engine.facilities.all().len() as FacilityId).filter(|&f| passes(f)).collect();
        let mut unknown_hours = Vec::new();
        if let Some(at) = filter.open_at {
            let check = open_at(&engine.facilities, &selection, at, filter.unknown_hours);
            selection = check.open;
            unknown_hours = check.unknown;
        }
        let mut eligible = vec![false; engine.facilities.all().len()];
        for &f in &selection {
            eligible[f as usize] = true;
        }
        Targets { eligible, count: selection.len(), unknown_hours }
    }

    /// Whether `facility` passes the filter.
    pub fn contains(&self, facility: FacilityId) -> bool {
        self.eligible[facility as usize]
    }

    /// How many facilities pass the filter.
    pub fn len(&self) -> usize {
        self.count
    }

    /// Whether no facility passes the filter.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }
}

/// Why a query was refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum NearestError {
    /// `k` is out of range.
    #[error("k = {0} is outside 1..={MAX_K}")]
    BadK(usize),
    /// The time limit is out of range.
    #[error("maximum minutes {0} is not a number in (0, {MAX_MINUTES}]")]
    BadMinutes(f64),
}

/// How many answers, and how far to look.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Query {
    k: usize,
    limit: u32,
}

impl Query {
    /// Up to `k` answers within `max_minutes`; both are checked against
    /// [`MAX_K`] and [`MAX_MINUTES`].
    pub fn new(k: usize, max_minutes: f64) -> Result<Query, NearestError> {
        if !(1..=MAX_K).contains(&k) {
            return Err(NearestError::BadK(k));
        }
        if !(max_minutes.is_finite() && max_minutes > 0.0 && max_minutes <= MAX_MINUTES) {
            return Err(NearestError::BadMinutes(max_minutes));
        }
        let limit = (max_minutes * 60.0 * f64::from(crate::TIME_UNITS_PER_SECOND)).round() as u32;
        Ok(Query { k, limit })
    }

    /// How many answers are asked for.
    pub fn k(&self) -> usize {
        self.k
    }

    /// The time limit in deciseconds.
    pub fn limit(&self) -> u32 {
        self.limit
    }
}

/// How a found facility is reached from the rider's point.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    /// Straight along the rider's own road.
    OwnRoad,
    /// Through the graph, joining the facility's road at this node (as a
    /// search finds it).
    JoinsAt(NodeId),
    /// Through the graph, leaving the rider's road at this node (as a
    /// [`Table`] finds it).
    LeavesAt(NodeId),
}

/// A facility found by [`find`]: its travel time and how it is reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Found {
    /// The facility.
    pub facility: FacilityId,
    /// Travel time from the rider's point, deciseconds.
    pub time: u32,
    /// How it is reached.
    pub via: Via,
}

/// The travel time straight along a road from one point on it to another,
/// if the road's direction allows the ride (deciseconds, rounded once).
pub fn along_road_time(graph: &Graph, from: &Snap, to: &Snap) -> Option<u32> {
    if from.road != to.road {
        return None;
    }
    let [along, against] = graph.road_edges(from.road);
    let share = (to.fraction - from.fraction).abs();
    let edge = if to.fraction >= from.fraction { along } else { against };
    let edge = edge.or(if share == 0.0 { along.or(against) } else { None })?;
    Some((f64::from(graph.time(edge)) * share).round() as u32)
}

/// The best candidates so far, at most `k`, sorted by time then id.
struct Candidates<'a> {
    engine: &'a Engine,
    k: usize,
    best: Vec<Found>,
}

impl<'a> Candidates<'a> {
    /// No candidates yet.
    fn new(engine: &'a Engine, k: usize) -> Candidates<'a> {
        Candidates { engine, k, best: Vec::with_capacity(k + 1) }
    }

    /// Offers the eligible facilities on the start's own road that can be
    /// reached straight along it within `limit`.
    fn offer_own_road(&mut self, targets: &Targets, start: &Snap, limit: u32) {
        for facility in self.engine.arrivals.on_road(start.road).filter(|&f| targets.contains(f)) {
            let Ok(at) = &self.engine.snaps[facility as usize] else { continue };
            if let Some(time) = along_road_time(&self.engine.graph, start, at).filter(|&t| t <= limit) {
                self.offer(Found { facility, time, via: Via::OwnRoad });
            }
        }
    }

    /// Orders two answers: by time, then by facility id text.
    fn order(&self, a: &Found, b: &Found) -> Ordering {
        let id = |f: &Found| &self.engine.facilities.get(f.facility).id;
        a.time.cmp(&b.time).then_with(|| id(a).cmp(id(b)))
    }

    /// Keeps `found` if it is among the `k` best, replacing a slower
    /// candidate for the same facility.
    fn offer(&mut self, found: Found) {
        if let Some(i) = self.best.iter().position(|b| b.facility == found.facility) {
            if found.time >= self.best[i].time {
                return;
            }
            self.best.remove(i);
        }
        let at = self.best.partition_point(|b| self.order(b, &found) == Ordering::Less);
        if at < self.k {
            self.best.insert(at, found);
            self.best.truncate(self.k);
        }
    }

    /// The time beyond which nothing can enter the k best.
    fn bound(&self) -> u32 {
        if self.best.len() == self.k { self.best[self.k - 1].time } else { u32::MAX }
    }
}

/// The `k` eligible facilities nearest to `start` by travel time, within
/// the query's limit, fastest first (ties by facility id). `space` is left
/// holding the search, from which `route` recovers the routes.
pub fn find(engine: &Engine, targets: &Targets, start: &Snap, query: &Query, space: &mut SearchSpace) -> Vec<Found> {
    let graph = &engine.graph;
    let limit = query.limit;
    let mut candidates = Candidates::new(engine, query.k);
    candidates.offer_own_road(targets, start, limit);
    let sources = snap_sources(graph, start, Direction::Forward);
    let sources = sources.iter().map(|&(node, time)| (node, time, 0));
    space.run_until(graph, sources, Direction::Forward, limit.min(candidates.bound()), |node, time| {
        for &(facility, rest) in engine.arrivals.at(node) {
            let total = time.saturating_add(rest);
            if total <= limit && targets.contains(facility) {
                candidates.offer(Found { facility, time: total, via: Via::JoinsAt(node) });
            }
        }
        candidates.bound()
    });
    candidates.best
}

/// A facility answer: the facility, its travel time and the route to it.
#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    /// The facility.
    pub facility: FacilityId,
    /// Travel time from the rider's point, deciseconds.
    pub time: u32,
    /// How to get there.
    pub route: Route,
}

impl Answer {
    /// Travel time in seconds.
    pub fn seconds(&self) -> f64 {
        f64::from(self.time) / f64::from(crate::TIME_UNITS_PER_SECOND)
    }
}

/// The answers to one query, and why there are fewer than asked when there
/// are.
#[derive(Debug, Clone, PartialEq)]
pub struct Nearest {
    /// Where the rider joins the road network.
    pub start: Snap,
    /// Fastest first.
    pub answers: Vec<Answer>,
    /// Set when fewer than `k` answers were found: why.
    pub shortfall: Option<String>,
}

/// [`find`] with the route to every answer, and the reason for any
/// shortfall.
pub fn nearest(engine: &Engine, targets: &Targets, start: &Snap, query: &Query, space: &mut SearchSpace) -> Nearest {
    let found = find(engine, targets, start, query, space);
    let answers = found
        .iter()
        .map(|f| Answer { facility: f.facility, time: f.time, route: route::route(engine, space, start, f) })
        .collect();
    explained(targets, start, query, answers)
}

/// The answers with the reason for any shortfall.
fn explained(targets: &Targets, start: &Snap, query: &Query, answers: Vec<Answer>) -> Nearest {
    let minutes = f64::from(query.limit) / 600.0;
    let shortfall = match answers.len() {
        n if n == query.k => None,
        _ if targets.is_empty() => Some("no facility on the road network matches the filters".to_string()),
        0 => Some(format!("no matching facility within {minutes} minutes ({} match the filters)", targets.len())),
        n => Some(format!("only {n} matching facilities within {minutes} minutes")),
    };
    Nearest { start: *start, answers, shortfall }
}
