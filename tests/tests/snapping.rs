//! Snapping on real extracts against a brute-force oracle over every road
//! segment, and the facility R-tree against a linear scan.

mod common;

use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use reach_engine::{Engine, RoadId, SnapError, haversine_m};

/// Distance in projected metres from `p` to the segment `a`–`b`.
fn point_segment_m(p: [f64; 2], a: [f64; 2], b: [f64; 2]) -> f64 {
    let (dx, dy) = (b[0] - a[0], b[1] - a[1]);
    let len2 = dx * dx + dy * dy;
    let t = if len2 > 0.0 { (((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / len2).clamp(0.0, 1.0) } else { 0.0 };
    let (x, y) = (a[0] + t * dx, a[1] + t * dy);
    (p[0] - x).hypot(p[1] - y)
}

/// The distance from `lon_lat` to the nearest road of the engine, by
/// looking at every segment.
fn brute_force_nearest_m(engine: &Engine, lon_lat: [f64; 2]) -> f64 {
    let projection = engine.roads.projection();
    let p = projection.project(lon_lat);
    let mut best = f64::INFINITY;
    for road in 0..engine.graph.road_count() as RoadId {
        for pair in engine.graph.road_geometry(road).windows(2) {
            let d = point_segment_m(p, projection.project(pair[0]), projection.project(pair[1]));
            best = best.min(d);
        }
    }
    best
}

fn bbox(engine: &Engine) -> [f64; 4] {
    let mut b = [f64::MAX, f64::MAX, f64::MIN, f64::MIN];
    for n in 0..engine.graph.node_count() as u32 {
        let [lon, lat] = engine.graph.node_lon_lat(n);
        b = [b[0].min(lon), b[1].min(lat), b[2].max(lon), b[3].max(lat)];
    }
    b
}

#[test]
fn snaps_equal_a_brute_force_search_over_every_segment() {
    let mut rng = SmallRng::seed_from_u64(300);
    for (name, profile) in [("helsinki", "ebike"), ("monaco", "walk"), ("beijing-haidian", "car")] {
        let engine = common::engine(&common::read(name), profile);
        let [west, south, east, north] = bbox(&engine);
        // Points up to ~1 km outside the network's box, so some are refused.
        let margin = 0.01;
        let (mut snapped, mut refused) = (0, 0);
        for _ in 0..150 {
            let point =
                [rng.random_range(west - margin..east + margin), rng.random_range(south - margin..north + margin)];
            let expected = brute_force_nearest_m(&engine, point);
            match engine.snap(point) {
                Ok(snap) => {
                    snapped += 1;
                    assert!(
                        (snap.distance_m - expected).abs() < 1e-6,
                        "{name} {point:?}: {} vs {expected}",
                        snap.distance_m
                    );
                    assert!(snap.distance_m <= 300.0);
                    // The snapped point lies on the chosen road.
                    let on_road = brute_force_nearest_m(&engine, snap.lon_lat);
                    assert!(on_road < 1e-6, "{name}: snapped point is {on_road} m off the network");
                    let straight = haversine_m(point, snap.lon_lat);
                    assert!((straight - snap.distance_m).abs() <= 0.01 * snap.distance_m + 0.01);
                }
                Err(SnapError::TooFar { distance_m, limit_m }) => {
                    refused += 1;
                    assert_eq!(limit_m, 300.0);
                    assert!(expected > 300.0, "{name} {point:?}: refused but a road is {expected} m away");
                    assert!((distance_m - expected).abs() < 1e-6, "the refusal reports the nearest road");
                }
                Err(other) => panic!("{name} {point:?}: {other}"),
            }
        }
        assert!(snapped > 20 && refused > 0, "{name}: {snapped} snapped, {refused} refused: the sample is not telling");
    }
}

#[test]
fn facility_rtree_finds_what_a_linear_scan_finds() {
    let engine = common::engine(&common::read("porto"), "ebike");
    let mut rng = SmallRng::seed_from_u64(7);
    let [west, south, east, north] = bbox(&engine);
    let projection = engine.roads.projection();
    for _ in 0..50 {
        let centre = [rng.random_range(west..east), rng.random_range(south..north)];
        let radius = rng.random_range(50.0..800.0);
        let found = engine.facilities.within(centre, radius);
        let c = projection.project(centre);
        let mut expected: Vec<(f64, u32)> = engine
            .facilities
            .all()
            .iter()
            .enumerate()
            .filter_map(|(i, f)| {
                let p = projection.project([f.lon, f.lat]);
                let d = (p[0] - c[0]).hypot(p[1] - c[1]);
                (d <= radius).then_some((d, i as u32))
            })
            .collect();
        expected.sort_by(|a, b| a.0.total_cmp(&b.0));
        let mut found_sorted = found.clone();
        found_sorted.sort();
        let mut expected_ids: Vec<u32> = expected.iter().map(|e| e.1).collect();
        expected_ids.sort();
        assert_eq!(found_sorted, expected_ids);
        if let (Some(&first), Some(nearest)) = (found.first(), expected.first()) {
            let f = engine.facilities.get(first);
            let p = projection.project([f.lon, f.lat]);
            assert!(((p[0] - c[0]).hypot(p[1] - c[1]) - nearest.0).abs() < 1e-9, "nearest first");
        }
    }
    let first = &engine.facilities.all()[0];
    assert_eq!(engine.facilities.find(&first.id), Some(0));
    assert_eq!(engine.facilities.find("no/such"), None);
}
