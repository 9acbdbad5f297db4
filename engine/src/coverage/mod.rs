//! Coverage: the travel time from every point of every road to its nearest
//! facility, the full-coverage verdict per contour, the gaps, and each
//! facility's catchment.
//!
//! One labelled multi-source search on the reverse graph (riders travel *to*
//! the facilities) gives every node its time to the nearest facility and
//! which facility that is; `envelope` turns those into exact piecewise
//! linear times along every road, partly covered roads included. The result
//! equals the minimum over single-facility searches (tested).
//!
//! A **gap** of a contour is a connected set of road stretches whose time to
//! the nearest facility exceeds the contour; stretches connect through road
//! ends (nodes) that are themselves farther than the contour. Gaps are ranked
//! by the demand on them, then by road length. A demand point counts at the
//! time of its snapped road position (the walk to the road is not timed).

mod area;
mod envelope;

use geo::{MultiLineString, MultiPolygon};
use rayon::prelude::*;

pub use area::StudyArea;
pub use envelope::Piece;
use envelope::{OnRoad, Scratch, envelope};

use crate::engine::Engine;
use crate::facility::FacilityId;
use crate::graph::RoadId;
use crate::isochrone::{Contours, DEFAULT_BUFFER_M, area_around};
use crate::search::{Direction, SearchSpace, snap_sources};

/// The time envelopes of every road, stored flat (one allocation for the
/// whole network, not one per road).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RoadTable {
    pieces: Vec<Piece>,
    starts: Vec<u32>,
    masks: Option<(Vec<[f64; 2]>, Vec<u32>)>,
}

impl RoadTable {
    /// Number of roads.
    pub fn len(&self) -> usize {
        self.starts.len().saturating_sub(1)
    }

    /// Whether there is no road.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The times along one road.
    pub fn road(&self, road: RoadId) -> RoadTimes<'_> {
        let r = road as usize;
        let pieces = &self.pieces[self.starts[r] as usize..self.starts[r + 1] as usize];
        let mask = self.masks.as_ref().map(|(m, s)| &m[s[r] as usize..s[r + 1] as usize]);
        RoadTimes { road, pieces, mask }
    }

    /// The times along every road, in road order.
    pub fn iter(&self) -> impl Iterator<Item = RoadTimes<'_>> {
        (0..self.len() as RoadId).map(|r| self.road(r))
    }
}

/// The time to the nearest facility along one road.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RoadTimes<'a> {
    /// The road.
    pub road: RoadId,
    /// The envelope over the road's part in the study area; empty if no
    /// facility can be reached from the road.
    pub pieces: &'a [Piece],
    /// The fraction intervals of the road in the study area; `None` for the
    /// whole road.
    pub mask: Option<&'a [[f64; 2]]>,
}

impl RoadTimes<'_> {
    /// The time and nearest facility at fraction `x`, if reachable.
    pub fn at(&self, x: f64) -> Option<(f64, u32)> {
        let piece = self.pieces.iter().find(|p| p.from <= x && x <= p.to)?;
        Some((piece.time(x), piece.label))
    }

    /// The largest time along the road and where (fraction).
    pub fn worst(&self) -> Option<(f64, f64)> {
        self.pieces
            .iter()
            .flat_map(|p| [(p.time(p.from), p.from), (p.time(p.to), p.to)])
            .max_by(|a, b| a.0.total_cmp(&b.0))
    }

    /// The smallest time along the road.
    pub fn best(&self) -> Option<f64> {
        self.pieces.iter().flat_map(|p| [p.time(p.from), p.time(p.to)]).min_by(f64::total_cmp)
    }

    /// The fraction intervals within `limit` deciseconds, merged.
    pub fn covered(&self, limit: f64) -> Vec<[f64; 2]> {
        let mut out: Vec<[f64; 2]> = Vec::new();
        for [lo, hi] in self.pieces.iter().filter_map(|p| p.within(limit)) {
            match out.last_mut() {
                Some(last) if lo <= last[1] + 1e-12 => last[1] = last[1].max(hi),
                _ => out.push([lo, hi]),
            }
        }
        out
    }

    /// The fraction intervals in the area beyond `limit` (the rest of the
    /// mask once `covered` is taken out).
    pub fn uncovered(&self, limit: f64) -> Vec<[f64; 2]> {
        let covered = self.covered(limit);
        let mut out = Vec::new();
        for &[m_lo, m_hi] in self.mask_intervals() {
            let mut at = m_lo;
            for &[lo, hi] in covered.iter().filter(|[lo, hi]| *hi > m_lo && *lo < m_hi) {
                if lo > at + 1e-12 {
                    out.push([at, lo.min(m_hi)]);
                }
                at = at.max(hi);
            }
            if at < m_hi - 1e-12 {
                out.push([at, m_hi]);
            }
        }
        out
    }

    /// The length of the road in the area, as a share of the road.
    pub fn share_in_area(&self) -> f64 {
        self.mask_intervals().iter().map(|[lo, hi]| hi - lo).sum()
    }

    /// The fraction intervals in the area.
    pub fn mask_intervals(&self) -> &[[f64; 2]] {
        self.mask.unwrap_or(&[[0.0, 1.0]])
    }

    /// The share of the road (in the area) within `limit` deciseconds.
    pub fn covered_share(&self, limit: f64) -> f64 {
        self.pieces.iter().filter_map(|p| p.within(limit)).map(|[lo, hi]| hi - lo).sum()
    }

    /// Whether some point of the road (in the area) is beyond `limit`.
    fn has_uncovered(&self, limit: f64) -> bool {
        self.pieces.is_empty() || self.pieces.iter().any(|p| p.time(p.from).max(p.time(p.to)) > limit)
    }
}

/// A connected stretch of uncovered road.
#[derive(Debug, Clone, PartialEq)]
pub struct Gap {
    /// Road length in the gap, km.
    pub road_km: f64,
    /// Demand weight on the gap's stretches.
    pub demand: f64,
    /// The largest time to the nearest facility in the gap, seconds
    /// (`None` where no facility can be reached at all).
    pub worst_s: Option<f64>,
    /// The length-weighted median time in the gap, seconds.
    pub median_s: Option<f64>,
    /// Length-weighted centre, `[lon, lat]`.
    pub centroid: [f64; 2],
    /// The uncovered stretches, `[lon, lat]`.
    pub lines: MultiLineString<f64>,
    /// The uncovered stretches as road fraction intervals.
    pub stretches: Vec<(RoadId, [f64; 2])>,
    /// The area within the default buffer (50 m) of the stretches, and its
    /// size in km², as for isochrone polygons; `None` if its grid would be
    /// too large.
    pub area: Option<(MultiPolygon<f64>, f64)>,
}

/// Coverage at one contour.
#[derive(Debug, Clone, PartialEq)]
pub struct ContourCoverage {
    /// The contour, minutes.
    pub minutes: f64,
    /// Every road point reaches a facility within the contour.
    pub full_coverage: bool,
    /// Road length covered, km.
    pub covered_km: f64,
    /// Road length not covered, km.
    pub uncovered_km: f64,
    /// Demand weight within the contour (of the points on the network).
    pub covered_demand: f64,
    /// Demand weight beyond it.
    pub uncovered_demand: f64,
    /// The gaps, most demand first, then longest.
    pub gaps: Vec<Gap>,
}

/// The road length for which a facility is the nearest.
#[derive(Debug, Clone, PartialEq)]
pub struct Catchment {
    /// The facility.
    pub facility: FacilityId,
    /// Road km for which it is the nearest, at any time.
    pub road_km: f64,
    /// Road km for which it is the nearest and within each contour.
    pub within_km: Vec<f64>,
    /// Demand weight for which it is the nearest.
    pub demand: f64,
    /// The area within the default buffer (50 m) of the roads for which it is
    /// the nearest, and its size in km²; `None` if its grid would be too large.
    pub area: Option<(MultiPolygon<f64>, f64)>,
}

/// Coverage of the road network by a set of facilities.
#[derive(Debug, Clone, PartialEq)]
pub struct Coverage {
    /// The facilities that took part (snapped to the network).
    pub facilities: Vec<FacilityId>,
    /// The selected facilities that are not on the network (left out).
    pub unsnapped: Vec<FacilityId>,
    /// Total road length, km.
    pub road_km: f64,
    /// Time to the nearest facility along every road.
    pub roads: RoadTable,
    /// Per contour, ascending.
    pub contours: Vec<ContourCoverage>,
    /// Per facility taking part.
    pub catchments: Vec<Catchment>,
    /// The largest time to the nearest facility anywhere (seconds) and where,
    /// `None` if no facility took part.
    pub worst: Option<(f64, [f64; 2])>,
    /// Total demand weight on the network.
    pub demand: f64,
    /// Demand points not on the network (left out).
    pub unsnapped_demand: usize,
}

/// A demand point on the network: its road position, weight, and time to
/// the nearest facility with that facility (`None` if none is reachable).
#[derive(Debug, Clone, Copy)]
struct DemandOnRoad {
    road: RoadId,
    fraction: f64,
    weight: f64,
    nearest: Option<(f64, u32)>,
}

/// Computes coverage of `engine`'s roads (those in `area`, if given) by
/// `selection` at each contour. An empty selection is not an error: nothing
/// is covered.
pub fn coverage(engine: &Engine, selection: &[FacilityId], contours: &Contours, area: Option<&StudyArea>) -> Coverage {
    let graph = &engine.graph;
    let mut selection = selection.to_vec();
    selection.sort_unstable();
    selection.dedup();
    let (facilities, unsnapped): (Vec<FacilityId>, Vec<FacilityId>) =
        selection.into_iter().partition(|&f| engine.snaps[f as usize].is_ok());
    // Facilities on their roads, sorted by road.
    let mut on_road: Vec<(RoadId, OnRoad)> = Vec::new();
    let mut sources = Vec::new();
    for &f in &facilities {
        if let Ok(snap) = &engine.snaps[f as usize] {
            on_road.push((snap.road, OnRoad { fraction: snap.fraction, label: f }));
            sources.extend(snap_sources(graph, snap, Direction::Reverse).into_iter().map(|(n, t)| (n, t, f)));
        }
    }
    let mut space = SearchSpace::new(graph.node_count());
    space.run_labelled(graph, sources, Direction::Reverse, u32::MAX);
    on_road.sort_by_key(|(road, _)| *road);

    // Demand points (inside the area) sorted by road; their times are read
    // from their road's whole envelope below, even where the road leaves the
    // area. The walk from the point to its road (the snap distance) is not
    // timed.
    let mut demand: Vec<DemandOnRoad> = engine
        .demand
        .iter()
        .zip(&engine.demand_snaps)
        .filter(|(d, _)| area.is_none_or(|a| a.contains([d.lon, d.lat])))
        .filter_map(|(d, snap)| snap.as_ref().ok().map(|s| (d, s)))
        .map(|(d, s)| DemandOnRoad { road: s.road, fraction: s.fraction, weight: d.weight, nearest: None })
        .collect();
    demand.sort_by_key(|d| d.road);

    let mut scratch = Scratch::default();
    let mut here: Vec<OnRoad> = Vec::new();
    let mut table = RoadTable {
        pieces: Vec::with_capacity(graph.road_count() * 2),
        starts: Vec::with_capacity(graph.road_count() + 1),
        masks: area.map(|_| (Vec::new(), vec![0])),
    };
    table.starts.push(0);
    for road in 0..graph.road_count() as RoadId {
        let first = on_road.partition_point(|(r, _)| *r < road);
        here.clear();
        here.extend(on_road[first..].iter().take_while(|(r, _)| *r == road).map(|(_, o)| *o));
        let pieces = envelope(graph, &space, road, &here, &mut scratch);
        let whole = RoadTimes { road, pieces: &pieces, mask: None };
        let first = demand.partition_point(|d| d.road < road);
        for d in demand[first..].iter_mut().take_while(|d| d.road == road) {
            d.nearest = whole.at(d.fraction);
        }
        match (area, &mut table.masks) {
            (Some(area), Some((masks, mask_starts))) => {
                let mask = area.mask(engine, road);
                table.pieces.extend(clip(&pieces, &mask));
                masks.extend(mask);
                mask_starts.push(masks.len() as u32);
            }
            _ => table.pieces.extend(pieces),
        }
        table.starts.push(table.pieces.len() as u32);
    }
    let roads = table;

    // (`+ 0.0` turns the empty sum's -0.0 into 0.0 for reports.)
    let demand_total: f64 = demand.iter().map(|d| d.weight).sum::<f64>() + 0.0;
    let unsnapped_demand = engine.demand_snaps.iter().filter(|s| s.is_err()).count();

    let road_km = roads.iter().map(|r| r.share_in_area() * graph.road_length_m(r.road)).sum::<f64>() / 1000.0;
    let contour_coverage = contours
        .minutes()
        .iter()
        .map(|&minutes| {
            let limit = f64::from(Contours::limit(minutes));
            let covered_km: f64 =
                roads.iter().map(|r| r.covered_share(limit) * graph.road_length_m(r.road)).sum::<f64>() / 1000.0 + 0.0;
            let gaps = gaps(engine, &space, &roads, &demand, limit);
            let uncovered_km: f64 = gaps.iter().map(|g| g.road_km).sum::<f64>() + 0.0;
            let covered_demand: f64 =
                demand.iter().filter(|d| d.nearest.is_some_and(|(t, _)| t <= limit)).map(|d| d.weight).sum::<f64>()
                    + 0.0;
            ContourCoverage {
                minutes,
                full_coverage: gaps.is_empty(),
                covered_km,
                uncovered_km,
                covered_demand,
                uncovered_demand: demand_total - covered_demand,
                gaps,
            }
        })
        .collect();

    let mut catchments: Vec<Catchment> = facilities
        .iter()
        .map(|&facility| Catchment {
            facility,
            road_km: 0.0,
            within_km: vec![0.0; contours.minutes().len()],
            demand: 0.0,
            area: None,
        })
        .collect();
    let slot_of = |label: u32| facilities.binary_search(&label).ok();
    let mut catchment_roads: Vec<Vec<(RoadId, [f64; 2])>> = vec![Vec::new(); facilities.len()];
    for r in roads.iter() {
        let length_km = graph.road_length_m(r.road) / 1000.0;
        for piece in r.pieces {
            if let Some(k) = slot_of(piece.label) {
                catchment_roads[k].push((r.road, [piece.from, piece.to]));
                catchments[k].road_km += (piece.to - piece.from) * length_km;
                for (c, &minutes) in contours.minutes().iter().enumerate() {
                    if let Some([lo, hi]) = piece.within(f64::from(Contours::limit(minutes))) {
                        catchments[k].within_km[c] += (hi - lo) * length_km;
                    }
                }
            }
        }
    }
    for d in &demand {
        if let Some(k) = d.nearest.and_then(|(_, label)| slot_of(label)) {
            catchments[k].demand += d.weight;
        }
    }
    catchments.par_iter_mut().zip(catchment_roads.par_iter()).for_each(|(catchment, stretches)| {
        if !stretches.is_empty() {
            catchment.area = area_around(engine, stretches, DEFAULT_BUFFER_M).ok();
        }
    });
    let worst = roads
        .iter()
        .filter_map(|r| r.worst().map(|(t, x)| (t, r.road, x)))
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(t, road, x)| (t / 10.0, point_at(engine, road, x)));
    Coverage {
        facilities,
        unsnapped,
        road_km,
        roads,
        contours: contour_coverage,
        catchments,
        worst,
        demand: demand_total,
        unsnapped_demand,
    }
}

/// The uncovered stretches at `limit`, joined into gaps through uncovered
/// nodes, most demand first, then longest.
fn gaps(engine: &Engine, space: &SearchSpace, roads: &RoadTable, demand: &[DemandOnRoad], limit: f64) -> Vec<Gap> {
    let graph = &engine.graph;
    let node_uncovered = |n: u32| space.time(n).is_none_or(|t| f64::from(t) > limit);
    let mut stretches: Vec<(RoadId, [f64; 2])> = Vec::new();
    for r in roads.iter().filter(|r| r.share_in_area() > 0.0 && r.has_uncovered(limit)) {
        let intervals = if r.pieces.is_empty() { r.mask_intervals().to_vec() } else { r.uncovered(limit) };
        stretches.extend(intervals.into_iter().map(|i| (r.road, i)));
    }
    // Union-find over stretches, joined through shared uncovered nodes.
    let mut parent: Vec<usize> = (0..stretches.len()).collect();
    fn find(parent: &mut [usize], mut i: usize) -> usize {
        while parent[i] != i {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        i
    }
    let mut at_node: Vec<Option<usize>> = vec![None; graph.node_count()];
    for (k, &(road, [lo, hi])) in stretches.iter().enumerate() {
        let [start, end] = graph.road_ends(road);
        for (node, touches) in [(start, lo <= 1e-12), (end, hi >= 1.0 - 1e-12)] {
            if touches && node_uncovered(node) {
                match at_node[node as usize] {
                    Some(other) => {
                        let (a, b) = (find(&mut parent, k), find(&mut parent, other));
                        parent[a] = b;
                    }
                    None => at_node[node as usize] = Some(k),
                }
            }
        }
    }
    let mut clusters: std::collections::BTreeMap<usize, Vec<usize>> = std::collections::BTreeMap::new();
    for k in 0..stretches.len() {
        let root = find(&mut parent, k);
        clusters.entry(root).or_default().push(k);
    }
    let clusters: Vec<Vec<usize>> = clusters.into_values().collect();
    let mut gaps: Vec<Gap> = clusters
        .into_par_iter()
        .map(|members| {
            let parts: Vec<(RoadId, [f64; 2])> = members.iter().map(|&k| stretches[k]).collect();
            gap(engine, roads, demand, limit, parts)
        })
        .filter(|g| g.road_km > 0.0)
        .collect();
    gaps.sort_by(|a, b| b.demand.total_cmp(&a.demand).then(b.road_km.total_cmp(&a.road_km)));
    gaps
}

/// Figures and geometry of one gap.
fn gap(
    engine: &Engine,
    roads: &RoadTable,
    demand: &[DemandOnRoad],
    limit: f64,
    stretches: Vec<(RoadId, [f64; 2])>,
) -> Gap {
    let graph = &engine.graph;
    let mut road_m = 0.0;
    let mut gap_demand = 0.0;
    let mut centre = [0.0, 0.0];
    let mut samples: Vec<(f64, f64)> = Vec::new(); // (time, metres)
    let mut worst: Option<f64> = None;
    let mut lines = Vec::with_capacity(stretches.len());
    for &(road, [lo, hi]) in &stretches {
        let metres = (hi - lo) * graph.road_length_m(road);
        road_m += metres;
        let mid = point_at(engine, road, (lo + hi) / 2.0);
        centre = [centre[0] + mid[0] * metres, centre[1] + mid[1] * metres];
        let first = demand.partition_point(|d| d.road < road);
        gap_demand += demand[first..]
            .iter()
            .take_while(|d| d.road == road)
            .filter(|d| lo <= d.fraction && d.fraction <= hi && d.nearest.is_none_or(|(t, _)| t > limit))
            .map(|d| d.weight)
            .sum::<f64>();
        let times = roads.road(road);
        for x in [lo, (lo + hi) / 2.0, hi] {
            if let Some((t, _)) = times.at(x) {
                worst = Some(worst.map_or(t, |w: f64| w.max(t)));
            }
        }
        if let Some((t, _)) = times.at((lo + hi) / 2.0) {
            samples.push((t, metres));
        }
        lines.push(engine.road_part(road, lo, hi));
    }
    samples.sort_by(|a, b| a.0.total_cmp(&b.0));
    let half = samples.iter().map(|s| s.1).sum::<f64>() / 2.0;
    let mut running = 0.0;
    let median = samples.iter().find(|s| {
        running += s.1;
        running >= half
    });
    let centroid = if road_m > 0.0 { [centre[0] / road_m, centre[1] / road_m] } else { [0.0, 0.0] };
    let area = area_around(engine, &stretches, DEFAULT_BUFFER_M).ok();
    Gap {
        area,
        road_km: road_m / 1000.0,
        demand: gap_demand,
        worst_s: worst.map(|w| w / 10.0),
        median_s: median.map(|m| m.0 / 10.0),
        centroid,
        lines: MultiLineString::new(lines),
        stretches,
    }
}

/// The envelope pieces clipped to the mask intervals.
fn clip(pieces: &[Piece], mask: &[[f64; 2]]) -> Vec<Piece> {
    let mut out = Vec::new();
    for p in pieces {
        for &[lo, hi] in mask {
            let (from, to) = (p.from.max(lo), p.to.min(hi));
            if from < to {
                out.push(Piece { from, to, ..*p });
            }
        }
    }
    out.sort_by(|a, b| a.from.total_cmp(&b.from));
    out
}

/// The point at fraction `x` of a road, `[lon, lat]`.
fn point_at(engine: &Engine, road: RoadId, x: f64) -> [f64; 2] {
    let c = engine.road_part(road, x, x).0[0];
    [c.x, c.y]
}

#[cfg(test)]
mod tests;
