//! Isochrones: where a rider gets within each travel-time contour, as the
//! reached road network and as polygons.
//!
//! ## Method
//! 1. **Search**: one bounded Dijkstra from the snapped start points (any
//!    number: a service circle is the search from every facility of a layer
//!    at once) up to the largest contour, forward (*from* the start) or on
//!    the reverse graph (*to* the start, the time a rider needs to get
//!    there).
//! 2. **Reached network** (`reached`): every edge leaving (or entering) a
//!    reached node, cut at the exact point where the time runs out, plus the
//!    start points' own roads; travel time is linear along each stretch.
//! 3. **Time grid** (`raster`): a grid with spacing `buffer / 4` in the
//!    local metric projection holds in each cell the earliest time of the
//!    reached road inside it (the cells each road passes through are worked
//!    out once per engine, `road_cells`); a grid point takes the earliest
//!    time of the twelve cells lying wholly within `buffer − spacing·√2` of
//!    it, and is inside a contour when that time is within it.
//! 4. **Polygons** (`contour`): marching squares over the grid points inside
//!    each contour (one bit per point), crossings at cell-edge midpoints.
//!
//! This gives, for every contour and with `buffer` (default 50 m) measured
//! in the local projection: every reached road point lies inside the
//! polygon; no point farther than `buffer` from a road point reached within
//! the contour lies inside; unreached areas farther than `buffer` from every
//! reached road (parks, rivers, blocks behind walls) are holes; each
//! contour's polygon contains the polygons of the smaller contours; the
//! geometry is valid (OGC) with counter-clockwise outer rings.

mod batch;
mod contour;
mod raster;
mod reached;
mod road_cells;
mod road_tiles;

use geo::{MultiLineString, MultiPolygon};

use crate::engine::Engine;
use crate::graph::RoadId;
use crate::search::{Direction, SearchSpace, snap_sources};
use crate::snap::Snap;
pub use batch::{per_facility, service_circle};
use contour::Vertices;
pub use raster::MAX_GRID_POINTS;
use raster::TimeGrid;
pub use reached::Stretch;
use reached::{Gather, ReachedRoads, RoadGroup};
pub use road_cells::RoadCells;

/// Most contours in one request.
pub const MAX_CONTOURS: usize = 16;
/// Largest contour, in minutes.
pub const MAX_MINUTES: f64 = 120.0;
/// Default buffer around reached roads, in metres.
pub const DEFAULT_BUFFER_M: f64 = 50.0;
/// Accepted buffers, in metres.
pub const BUFFER_RANGE_M: std::ops::RangeInclusive<f64> = 10.0..=500.0;

/// Why an isochrone could not be computed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum IsochroneError {
    /// A contour is not a number of minutes in range.
    #[error("contour {0} is not a number of minutes in (0, {MAX_MINUTES}]")]
    BadMinutes(f64),
    /// No contour was given.
    #[error("no contour given: ask for at least one, e.g. 10,15")]
    NoContours,
    /// More contours than allowed.
    #[error("{given} contours asked for; the limit is {MAX_CONTOURS}")]
    TooManyContours {
        /// How many were given.
        given: usize,
    },
    /// The buffer is out of range.
    #[error("buffer {0} m is outside 10..=500 m")]
    BadBuffer(f64),
    /// The polygon grid would be too large.
    #[error(
        "the polygon grid would have {points} points, over the limit of {limit}: use a larger buffer than {buffer_m} m or fewer minutes"
    )]
    GridTooLarge {
        /// Grid points needed.
        points: usize,
        /// The limit.
        limit: usize,
        /// The buffer asked for.
        buffer_m: f64,
    },
    /// There is nothing to start from.
    #[error("no start point: the layer or selection is empty, or none of its facilities is on the road network")]
    NoStart,
    /// A facility is not on the road network.
    #[error("facility {facility} is not on the road network: {reason}")]
    Unsnapped {
        /// The facility's id.
        facility: String,
        /// Why it was not snapped.
        reason: String,
    },
}

/// Travel-time contours, validated: ascending, distinct, in deciseconds.
#[derive(Debug, Clone, PartialEq)]
pub struct Contours {
    minutes: Vec<f64>,
}

impl Contours {
    /// Contours from minutes (any order, duplicates dropped): each finite, in
    /// (0, 120], at most 16 of them.
    pub fn from_minutes(minutes: &[f64]) -> Result<Contours, IsochroneError> {
        if let Some(&bad) = minutes.iter().find(|m| !(m.is_finite() && **m > 0.0 && **m <= MAX_MINUTES)) {
            return Err(IsochroneError::BadMinutes(bad));
        }
        let mut sorted = minutes.to_vec();
        sorted.sort_by(f64::total_cmp);
        sorted.dedup();
        match sorted.len() {
            0 => Err(IsochroneError::NoContours),
            n if n > MAX_CONTOURS => Err(IsochroneError::TooManyContours { given: n }),
            _ => Ok(Contours { minutes: sorted }),
        }
    }

    /// The contours in minutes, ascending.
    pub fn minutes(&self) -> &[f64] {
        &self.minutes
    }

    /// A contour in deciseconds.
    pub fn limit(minutes: f64) -> u32 {
        (minutes * 600.0).round() as u32
    }

    /// Every contour in deciseconds, ascending.
    pub fn limits(&self) -> Vec<u32> {
        self.minutes.iter().map(|&m| Contours::limit(m)).collect()
    }

    /// The largest contour in deciseconds.
    pub fn max_limit(&self) -> u32 {
        self.minutes.last().map_or(0, |&m| Contours::limit(m))
    }
}

/// One contour's polygons.
#[derive(Debug, Clone, PartialEq)]
pub struct ContourPolygons {
    /// The contour in minutes.
    pub minutes: f64,
    /// The area reached, `[lon, lat]`, outer rings counter-clockwise.
    pub polygons: MultiPolygon<f64>,
    /// Area of the polygons in km².
    pub area_km2: f64,
    /// Length of road reached, each road counted once, km.
    pub road_km: f64,
}

/// One contour's reached network.
#[derive(Debug, Clone, PartialEq)]
pub struct ContourNetwork {
    /// The contour in minutes.
    pub minutes: f64,
    /// Every reached stretch of road, `[lon, lat]`, partly reached roads cut
    /// at the exact point.
    pub lines: MultiLineString<f64>,
    /// Length of road reached, km.
    pub road_km: f64,
}

/// The roads one search reached within its largest contour.
#[derive(Debug, Clone)]
pub struct Reached {
    /// The reached roads, most by their ends' times.
    roads: ReachedRoads,
}

impl Reached {
    /// Searches from `starts` (all at once) in `direction` up to `limit`
    /// deciseconds, using `space` as working memory.
    pub fn search(
        engine: &Engine,
        starts: &[Snap],
        direction: Direction,
        limit: u32,
        space: &mut SearchSpace,
    ) -> Result<Reached, IsochroneError> {
        if starts.is_empty() {
            return Err(IsochroneError::NoStart);
        }
        let graph = &engine.graph;
        let sources: Vec<(u32, u32)> = starts.iter().flat_map(|s| snap_sources(graph, s, direction)).collect();
        space.run(graph, &sources, direction, limit);
        let gather = Gather::suited(graph, space);
        let roads = ReachedRoads::gather(graph, space, starts, direction, limit, &engine.road_cells, gather);
        Ok(Reached { roads })
    }

    /// Every reached stretch with its travel times, grouped by road.
    pub fn stretches(&self, engine: &Engine) -> Vec<Stretch> {
        let mut all = Vec::new();
        for group in self.roads.groups(&engine.graph, f64::INFINITY) {
            all.extend_from_slice(&group.stretches());
        }
        all
    }

    /// Road km reached within `limit` deciseconds, each road counted once.
    pub fn road_km(&self, engine: &Engine, limit: u32) -> f64 {
        let limits = [limit];
        let mut road_km = RoadKm::new(engine, &limits);
        self.roads.groups(&engine.graph, f64::from(limit)).for_each(|group| road_km.add(&group));
        road_km.km()[0]
    }

    /// The reached network for each contour.
    pub fn network(&self, engine: &Engine, contours: &Contours) -> Vec<ContourNetwork> {
        let stretches = self.stretches(engine);
        contours
            .minutes()
            .iter()
            .zip(contours.limits())
            .map(|(&minutes, limit)| {
                let merged = reached::merged_intervals(&stretches, f64::from(limit));
                // The road km of the same merged stretches, summed road by
                // road as `RoadKm` sums them.
                let length = |&(road, [lo, hi]): &(RoadId, [f64; 2])| (hi - lo) * engine.graph.road_length_m(road);
                let sum: u64 = merged.iter().map(|part| micrometres(length(part))).sum();
                let lines = merged.iter().map(|&(road, [lo, hi])| engine.road_part(road, lo, hi)).collect();
                ContourNetwork { minutes, lines: MultiLineString::new(lines), road_km: sum as f64 / 1e9 }
            })
            .collect()
    }

    /// The polygons for each contour with a buffer of `buffer_m` metres.
    pub fn polygons(
        &self,
        engine: &Engine,
        contours: &Contours,
        buffer_m: f64,
    ) -> Result<Vec<ContourPolygons>, IsochroneError> {
        if !BUFFER_RANGE_M.contains(&buffer_m) {
            return Err(IsochroneError::BadBuffer(buffer_m));
        }
        let limits = contours.limits();
        let grid_limits: Vec<f64> = limits.iter().map(|&limit| f64::from(limit)).collect();
        // The road km are summed as the grid takes in each road.
        let mut road_km = RoadKm::new(engine, &limits);
        let grid = TimeGrid::build(engine, &self.roads, buffer_m, &grid_limits, &mut road_km)?;
        let projection = engine.roads.projection();
        Ok(contours
            .minutes()
            .iter()
            .zip(road_km.km())
            .enumerate()
            .map(|(k, (&minutes, road_km))| {
                let (polygons, area_m2) =
                    contour::polygons(&grid.inside(k), Vertices::Nesting, |p| projection.unproject(p));
                ContourPolygons { minutes, polygons, area_km2: area_m2 / 1e6, road_km }
            })
            .collect())
    }
}

/// Road km of road groups (one per road) reached within some limits
/// (deciseconds), each road counted once, summed group by group. A road
/// wholly reached within a limit adds the length of its span; the others
/// have their stretches within it merged. Each part is rounded to whole
/// micrometres and summed as an integer, so that the sum is the same
/// whichever order the parts come in (road by road, or some of them tile
/// by tile).
struct RoadKm<'a> {
    engine: &'a Engine,
    limits: &'a [u32],
    micrometres: Vec<u64>,
    merger: reached::Merger,
}

/// `metres` in whole micrometres, rounded.
fn micrometres(metres: f64) -> u64 {
    (metres * 1e6).round() as u64
}

impl<'a> RoadKm<'a> {
    /// Nothing reached yet, within each of `limits`.
    fn new(engine: &'a Engine, limits: &'a [u32]) -> RoadKm<'a> {
        RoadKm { engine, limits, micrometres: vec![0; limits.len()], merger: reached::Merger::default() }
    }

    /// Adds the road of `group`. (Inlined into the grid's pass over the
    /// roads, which calls it once per road it takes in one by one.)
    #[inline(always)]
    fn add(&mut self, group: &RoadGroup) {
        let length = self.engine.graph.road_length_m(group.road);
        for (sum, &limit) in self.micrometres.iter_mut().zip(self.limits) {
            let limit = f64::from(limit);
            if group.reach.wholly_within(limit) {
                *sum += micrometres((group.reach.span[1] - group.reach.span[0]) * length);
            } else if group.reach.times[0] <= limit {
                // (A road first reached after the limit adds nothing.)
                *sum += Self::merged(&mut self.merger, group, limit, length);
            }
        }
    }

    /// The micrometres of `group`'s road (`length` metres long) its
    /// stretches within `limit` cover. (Not inlined: few roads need it, and
    /// the pass that adds the others runs faster without it.)
    #[inline(never)]
    fn merged(merger: &mut reached::Merger, group: &RoadGroup, limit: f64, length: f64) -> u64 {
        let mut sum = 0;
        merger.merge(&group.stretches(), limit, |_, [lo, hi]| sum += micrometres((hi - lo) * length));
        sum
    }

    /// Adds roads of `length` micrometres in all (each rounded as
    /// [`RoadKm::add`] rounds it) wholly within the limits from the
    /// `first` on, and reached within none below it.
    fn add_whole(&mut self, length: u64, first: usize) {
        self.micrometres[first..].iter_mut().for_each(|sum| *sum += length);
    }

    /// The km within each limit.
    fn km(&self) -> Vec<f64> {
        self.micrometres.iter().map(|&m| m as f64 / 1e9).collect()
    }
}

/// The area within `buffer_m` of some road stretches (road, fraction
/// interval), by the same method and with the same guarantees as isochrone
/// polygons, and its size in km².
pub fn area_around(
    engine: &Engine,
    stretches: &[(RoadId, [f64; 2])],
    buffer_m: f64,
) -> Result<(MultiPolygon<f64>, f64), IsochroneError> {
    if !BUFFER_RANGE_M.contains(&buffer_m) {
        return Err(IsochroneError::BadBuffer(buffer_m));
    }
    let mut all: Vec<Stretch> =
        stretches.iter().map(|&(road, [from, to])| Stretch { road, from, to, time: [0.0, 0.0] }).collect();
    all.sort_by_key(|s| s.road);
    let roads = ReachedRoads::listed(all, Direction::Forward, 0.0);
    let grid = TimeGrid::build(engine, &roads, buffer_m, &[0.0], &mut RoadKm::new(engine, &[0]))?;
    let projection = engine.roads.projection();
    let (polygons, area_m2) = contour::polygons(&grid.inside(0), Vertices::Corners, |p| projection.unproject(p));
    Ok((polygons, area_m2 / 1e6))
}

#[cfg(test)]
mod tests;
