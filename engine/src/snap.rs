//! Snapping points to the road network: an R-tree over every segment of
//! every routable road, in a local metric projection.
//!
//! A snap is a point *on a road* (road, fraction along its polyline), not a
//! node, so a search can start part-way along an edge. Points farther than
//! the limit from every routable road are refused with the distance to the
//! nearest one, never attached far away; roads of dropped components are not
//! in the index at all.

use rstar::primitives::{GeomWithData, Line};
use rstar::{PointDistance, RTree};
use serde::Serialize;

use crate::geo_math::{LocalProjection, check_lon_lat};
use crate::graph::{Graph, RoadId};

/// Default maximum snapping distance in metres.
pub const DEFAULT_MAX_SNAP_M: f64 = 300.0;

/// A segment of a road's polyline in projected metres, with the road and the
/// segment's position in the polyline.
type Segment = GeomWithData<Line<[f64; 2]>, (RoadId, u32)>;

/// Where a point joins the road network.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Snap {
    /// The road.
    pub road: RoadId,
    /// Position along the road's polyline from its first end, 0 to 1, by length.
    pub fraction: f64,
    /// Straight-line distance from the point to the road in metres.
    pub distance_m: f64,
    /// The snapped point on the road, `[lon, lat]`.
    pub lon_lat: [f64; 2],
}

/// Why a point could not be snapped.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SnapError {
    /// The coordinate is not a valid WGS84 position.
    #[error("invalid coordinate: {0}")]
    InvalidCoordinate(String),
    /// The nearest routable road is beyond the limit.
    #[error("the nearest routable road is {distance_m:.0} m away, beyond the snap limit of {limit_m:.0} m")]
    TooFar {
        /// Distance to the nearest routable road in metres.
        distance_m: f64,
        /// The limit in metres.
        limit_m: f64,
    },
}

/// An R-tree over the segments of every road of a graph, with every road's
/// polyline in projected metres and the fraction of the road's length at
/// each of its points.
#[derive(Debug, Clone)]
pub struct RoadIndex {
    tree: RTree<Segment>,
    projection: LocalProjection,
    /// Projected points of every road, in graph order.
    points: Vec<[f64; 2]>,
    /// Fraction of the road's projected length at each point, 0 to 1.
    fractions: Vec<f64>,
    /// Where each road's points start in `points`; one more entry than roads.
    starts: Vec<u32>,
}

impl RoadIndex {
    /// Indexes every segment of every road of `graph`.
    pub fn new(graph: &Graph, projection: LocalProjection) -> RoadIndex {
        let mut segments = Vec::new();
        let mut points = Vec::new();
        let mut fractions = Vec::new();
        let mut starts = Vec::with_capacity(graph.road_count() + 1);
        for road in 0..graph.road_count() as RoadId {
            let start = points.len();
            starts.push(start as u32);
            points.extend(graph.road_geometry(road).iter().map(|&p| projection.project(p)));
            let road_points = &points[start..];
            let mut offset = 0.0;
            fractions.push(0.0);
            for (i, pair) in road_points.windows(2).enumerate() {
                offset += pair[0].distance_2(&pair[1]).sqrt();
                fractions.push(offset);
                segments.push(Segment::new(Line::new(pair[0], pair[1]), (road, i as u32)));
            }
            let total = offset;
            for f in &mut fractions[start..] {
                *f = if total > 0.0 { *f / total } else { 0.0 };
            }
        }
        starts.push(points.len() as u32);
        RoadIndex { tree: RTree::bulk_load(segments), projection, points, fractions, starts }
    }

    /// A road's polyline in projected metres, and the fraction of the road's
    /// length at each point (0 at the first, 1 at the last).
    pub fn projected_road(&self, road: RoadId) -> (&[[f64; 2]], &[f64]) {
        let range = self.starts[road as usize] as usize..self.starts[road as usize + 1] as usize;
        (&self.points[range.clone()], &self.fractions[range])
    }

    /// Every road with a segment inside or crossing the box
    /// `[min_lon, min_lat, max_lon, max_lat]`, each once, in road order.
    pub fn roads_in_box(&self, bbox: [f64; 4]) -> Vec<RoadId> {
        let corners = [self.projection.project([bbox[0], bbox[1]]), self.projection.project([bbox[2], bbox[3]])];
        let envelope = rstar::AABB::from_corners(corners[0], corners[1]);
        let mut roads: Vec<RoadId> =
            self.tree.locate_in_envelope_intersecting(&envelope).map(|segment| segment.data.0).collect();
        roads.sort_unstable();
        roads.dedup();
        roads
    }

    /// How many roads the index holds (every road of the graph).
    pub fn road_count(&self) -> usize {
        self.starts.len() - 1
    }

    /// The projection the index works in.
    pub fn projection(&self) -> LocalProjection {
        self.projection
    }

    /// Snaps `[lon, lat]` to the nearest road within `max_distance_m`.
    /// Equally near roads are resolved to the lowest road id, so results are
    /// reproducible.
    pub fn snap(&self, lon_lat: [f64; 2], max_distance_m: f64) -> Result<Snap, SnapError> {
        check_lon_lat(lon_lat[0], lon_lat[1]).map_err(SnapError::InvalidCoordinate)?;
        let query = self.projection.project(lon_lat);
        let mut nearest = self.tree.nearest_neighbor_iter_with_distance_2(&query);
        let Some((first, best_d2)) = nearest.next() else {
            return Err(SnapError::TooFar { distance_m: f64::INFINITY, limit_m: max_distance_m });
        };
        let distance_m = best_d2.sqrt();
        if distance_m > max_distance_m {
            return Err(SnapError::TooFar { distance_m, limit_m: max_distance_m });
        }
        let tolerance = best_d2 * 1e-12 + 1e-18;
        let chosen = std::iter::once(first)
            .chain(nearest.take_while(|(_, d2)| *d2 <= best_d2 + tolerance).map(|(s, _)| s))
            .min_by_key(|s| s.data)
            .unwrap_or(first);
        Ok(self.locate(chosen, query, distance_m))
    }

    /// The snap on segment `segment` nearest to the projected `query`.
    fn locate(&self, segment: &Segment, query: [f64; 2], distance_m: f64) -> Snap {
        let (road, index) = segment.data;
        let i = index as usize;
        let on_line = segment.geom().nearest_point(&query);
        let (points, fractions) = self.projected_road(road);
        let segment_length = points[i].distance_2(&points[i + 1]).sqrt();
        let along = if segment_length > 0.0 { points[i].distance_2(&on_line).sqrt() / segment_length } else { 0.0 };
        let fraction = (fractions[i] + along * (fractions[i + 1] - fractions[i])).clamp(0.0, 1.0);
        Snap { road, fraction, distance_m, lon_lat: self.projection.unproject(on_line) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::tests::{M_PER_MILLIDEGREE, ebike_town, node};

    fn town_index() -> (Graph, RoadIndex) {
        let graph = ebike_town();
        let index = RoadIndex::new(&graph, LocalProjection::new(0.0005, 0.001));
        (graph, index)
    }

    #[test]
    fn a_point_beside_a_road_snaps_to_its_foot() {
        let (graph, index) = town_index();
        // 0.0002° east of road 1-2-3, a quarter of the way up from node 1.
        let snap = index.snap([0.0002, 0.0005], DEFAULT_MAX_SNAP_M).unwrap();
        let [a, b] = graph.road_ends(snap.road);
        let ends = [graph.node_osm_id(a), graph.node_osm_id(b)];
        assert!(ends == [1, 3] || ends == [3, 1], "{ends:?}");
        let expected = if ends == [1, 3] { 0.25 } else { 0.75 };
        assert!((snap.fraction - expected).abs() < 1e-9, "{}", snap.fraction);
        assert!((snap.distance_m - 0.2 * M_PER_MILLIDEGREE).abs() < 0.01, "{}", snap.distance_m);
        assert!(snap.lon_lat[0].abs() < 1e-12 && (snap.lon_lat[1] - 0.0005).abs() < 1e-12);
    }

    #[test]
    fn a_point_at_a_node_snaps_to_the_lowest_road_there() {
        let (graph, index) = town_index();
        let snap = index.snap([0.0, 0.0], DEFAULT_MAX_SNAP_M).unwrap();
        let one = node(&graph, 1);
        let touching: Vec<RoadId> =
            (0..graph.road_count() as RoadId).filter(|&r| graph.road_ends(r).contains(&one)).collect();
        assert_eq!(snap.road, *touching.iter().min().unwrap());
        assert_eq!(snap.distance_m, 0.0);
        let at_start = graph.road_ends(snap.road)[0] == one;
        assert_eq!(snap.fraction, if at_start { 0.0 } else { 1.0 });
    }

    #[test]
    fn far_points_and_dropped_islands_are_refused_with_the_distance() {
        let (_, index) = town_index();
        // The island 7-8 at (0.01, 0.01) was dropped: its roads are not indexed.
        let err = index.snap([0.01, 0.0105], DEFAULT_MAX_SNAP_M).unwrap_err();
        let SnapError::TooFar { distance_m, limit_m } = err else { panic!("{err:?}") };
        assert_eq!(limit_m, 300.0);
        assert!(distance_m > 900.0, "{distance_m}");
        assert!(err.to_string().contains("beyond the snap limit of 300 m"));
        // The same point with a large enough limit snaps to the main network.
        assert!(index.snap([0.01, 0.0105], 2000.0).is_ok());
    }

    #[test]
    fn invalid_coordinates_are_refused() {
        let (_, index) = town_index();
        assert!(matches!(index.snap([f64::NAN, 0.0], 300.0), Err(SnapError::InvalidCoordinate(_))));
        assert!(matches!(index.snap([0.0, 91.0], 300.0), Err(SnapError::InvalidCoordinate(_))));
    }
}
