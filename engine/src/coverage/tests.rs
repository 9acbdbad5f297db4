//! Coverage on the hand-made town of `graph::tests`, worked out by hand.
//!
//! Times to a station at node 1 (reverse graph, deciseconds): node 6 250,
//! node 3 500, node 4 750. Along the roads: 1-3 is `500x`, 6-1 is
//! `250 - 250x`, 3-4 is `500 + 250x`, the one-way 4 -> 6 is `750 - 500x`.

use super::*;
use crate::demand::DemandPoint;
use crate::engine::Extract;
use crate::facility::{Facility, Layer, Source};
use crate::graph::tests::{M_PER_MILLIDEGREE, town};
use crate::profile::Profiles;

fn station(id: &str, lon_lat: [f64; 2]) -> Facility {
    Facility::new(id.into(), Layer::Stations, lon_lat, Source::File { file: "test".into(), position: id.into() })
}

/// The town with stations at node 1 (id "one") and node 4 (id "four"), and
/// demand: 2 at node 3, 5 in the middle of road 3-4, 1 at node 6.
fn town_with_stations() -> Engine {
    let facilities = vec![station("one", [0.0, 0.0]), station("four", [0.001, 0.002])];
    let demand = [("at3", [0.0, 0.002], 2.0), ("mid34", [0.0005, 0.002], 5.0), ("at6", [0.001, 0.0], 1.0)]
        .map(|(id, [lon, lat], weight)| DemandPoint { id: id.into(), kind: "test".into(), weight, lon, lat })
        .to_vec();
    let extract = Extract { file: "town".into(), osm: town(), facilities, demand };
    Engine::build(&extract, Profiles::default().get("ebike").unwrap(), 300.0, &|_| {}).unwrap()
}

/// Metres of the 0.001° east-west roads at latitudes 0 and 0.002°.
fn east_west_m(lat_millidegrees: f64) -> f64 {
    crate::haversine_m([0.0, lat_millidegrees * 0.001], [0.001, lat_millidegrees * 0.001])
}

#[test]
fn one_station_covers_exactly_what_the_times_say() {
    let engine = town_with_stations();
    let contours = Contours::from_minutes(&[40.0 / 60.0, 80.0 / 60.0]).unwrap();
    let result = coverage(&engine, &[engine.facilities.find("one").unwrap()], &contours, None);
    let long = 2.0 * M_PER_MILLIDEGREE; // roads 1-3 and 4 -> 6
    let (top, bottom) = (east_west_m(2.0), east_west_m(0.0)); // roads 3-4 and 6-1
    assert!((result.road_km * 1000.0 - (2.0 * long + top + bottom)).abs() < 1e-6);

    let forty = &result.contours[0];
    assert!(!forty.full_coverage);
    let covered = 0.8 * long + bottom + 0.3 * long;
    assert!((forty.covered_km * 1000.0 - covered).abs() < 1e-6, "{}", forty.covered_km);
    assert_eq!(forty.gaps.len(), 1, "the uncovered stretches meet at nodes 3 and 4");
    let gap = &forty.gaps[0];
    assert!((gap.road_km * 1000.0 - (0.2 * long + top + 0.7 * long)).abs() < 1e-6, "{}", gap.road_km);
    assert_eq!(gap.worst_s, Some(75.0), "node 4 is 750 ds from the station");
    // Node 3 (500 ds) and the middle of 3-4 (625 ds) are in the gap; node 6 (250 ds) is not.
    assert_eq!((gap.demand, forty.uncovered_demand, forty.covered_demand), (7.0, 7.0, 1.0));
    let (area, km2) = gap.area.as_ref().unwrap();
    assert!(geo::Validation::is_valid(area));
    assert!(geo::Contains::contains(area, &geo::Point::new(0.0005, 0.002)), "the middle of road 3-4");
    assert!(!geo::Contains::contains(area, &geo::Point::new(0.0, 0.0)), "node 1 is covered and far away");
    assert!(*km2 > 0.01 && *km2 < 0.1, "{km2}");
    assert_eq!(result.contours[1].covered_demand, 8.0);
    assert!((forty.covered_km + forty.uncovered_km - result.road_km).abs() < 1e-9);

    let eighty = &result.contours[1];
    assert!(eighty.full_coverage && eighty.gaps.is_empty());
    assert!((eighty.covered_km - result.road_km).abs() < 1e-9);
    let (worst_s, _) = result.worst.unwrap();
    assert_eq!(worst_s, 75.0);
    assert_eq!(result.catchments.len(), 1);
    assert!((result.catchments[0].road_km - result.road_km).abs() < 1e-9);
    assert!((result.catchments[0].within_km[0] - forty.covered_km).abs() < 1e-9);
}

#[test]
fn removing_a_station_opens_the_expected_gap() {
    let engine = town_with_stations();
    let contours = Contours::from_minutes(&[40.0 / 60.0]).unwrap();
    let both = [engine.facilities.find("one").unwrap(), engine.facilities.find("four").unwrap()];
    let with_both = coverage(&engine, &both, &contours, None);
    let long = 2.0 * M_PER_MILLIDEGREE;
    // Only the start of the one-way 4 -> 6 stays beyond 40 s: 750 - 500x > 400 for x < 0.7.
    let gaps = &with_both.contours[0].gaps;
    assert_eq!(gaps.len(), 1);
    assert!((gaps[0].road_km * 1000.0 - 0.7 * long).abs() < 1e-6, "{}", gaps[0].road_km);
    assert_eq!(gaps[0].worst_s, Some(75.0));
    assert_eq!(with_both.catchments.len(), 2);
    for c in &with_both.catchments {
        let (area, km2) = c.area.as_ref().expect("a catchment area");
        assert!(geo::Validation::is_valid(area) && *km2 > 0.0);
    }
    let station_one = &with_both.catchments[0];
    let (area, _) = station_one.area.as_ref().unwrap();
    assert!(geo::Contains::contains(area, &geo::Point::new(0.0, 0.0)), "station one's own corner");
    let total: f64 = with_both.catchments.iter().map(|c| c.road_km).sum();
    assert!((total - with_both.road_km).abs() < 1e-9, "catchments split the network");

    let without_four = coverage(&engine, &both[..1], &contours, None);
    assert!(without_four.contours[0].uncovered_km > with_both.contours[0].uncovered_km + 0.1);
}

#[test]
fn no_station_means_nothing_is_covered() {
    let engine = town_with_stations();
    let contours = Contours::from_minutes(&[15.0]).unwrap();
    let result = coverage(&engine, &[], &contours, None);
    let fifteen = &result.contours[0];
    assert!(!fifteen.full_coverage);
    assert_eq!(fifteen.covered_km, 0.0);
    assert!((fifteen.uncovered_km - result.road_km).abs() < 1e-9);
    assert_eq!(fifteen.gaps.len(), 1);
    assert_eq!(fifteen.gaps[0].worst_s, None);
    assert!(result.worst.is_none() && result.catchments.is_empty());
}

#[test]
fn a_study_area_keeps_only_its_roads_and_demand() {
    let engine = town_with_stations();
    let contours = Contours::from_minutes(&[40.0 / 60.0]).unwrap();
    // A box around road 1-3 only (x = 0): the other roads' segment midpoints are at x >= 0.0005.
    let west = geo::Rect::new(geo::coord! { x: -0.0001, y: -0.0001 }, geo::coord! { x: 0.0004, y: 0.0021 });
    let area = StudyArea::new("west".into(), geo::MultiPolygon::new(vec![west.to_polygon()])).unwrap();
    let result = coverage(&engine, &[engine.facilities.find("one").unwrap()], &contours, Some(&area));
    let long = 2.0 * M_PER_MILLIDEGREE;
    assert!((result.road_km * 1000.0 - long).abs() < 1e-6, "{}", result.road_km);
    let forty = &result.contours[0];
    assert!((forty.covered_km * 1000.0 - 0.8 * long).abs() < 1e-6);
    assert_eq!(forty.gaps.len(), 1);
    assert!((forty.gaps[0].road_km * 1000.0 - 0.2 * long).abs() < 1e-6);
    // Only the demand at node 3 lies in the area, and it is in the gap.
    assert_eq!((result.demand, forty.gaps[0].demand), (2.0, 2.0));
    assert_eq!(result.worst.map(|w| w.0), Some(50.0), "node 3, 500 ds, is the worst point in the area");
}

#[test]
fn demand_inside_the_area_on_a_road_outside_it_keeps_its_time() {
    // A point inside the west box that snaps to road 3-4, mostly outside it:
    // 0.3 along from node 3, so 500 + 75 = 575 ds from station one.
    let demand = vec![DemandPoint { id: "d".into(), kind: "test".into(), weight: 4.0, lon: 0.0003, lat: 0.002 }];
    let extract = Extract { file: "town".into(), osm: town(), facilities: vec![station("one", [0.0, 0.0])], demand };
    let engine = Engine::build(&extract, Profiles::default().get("ebike").unwrap(), 300.0, &|_| {}).unwrap();
    let west = geo::Rect::new(geo::coord! { x: -0.0001, y: -0.0001 }, geo::coord! { x: 0.0004, y: 0.0021 });
    let area = StudyArea::new("west".into(), geo::MultiPolygon::new(vec![west.to_polygon()])).unwrap();
    let contours = Contours::from_minutes(&[57.0 / 60.0, 58.0 / 60.0]).unwrap();
    let result = coverage(&engine, &[0], &contours, Some(&area));
    assert_eq!(result.demand, 4.0);
    assert_eq!((result.contours[0].covered_demand, result.contours[1].covered_demand), (0.0, 4.0));
}

#[test]
fn a_study_area_drawn_on_a_chinese_map_is_moved_to_wgs84() {
    use crate::crs::Crs;
    // A 100 m square around a WGS84 point in Chengdu, drawn in GCJ-02
    // (AMap), which puts it about 500 m off.
    let wgs84 = [104.0657, 30.657];
    let [x, y] = Crs::Gcj02.from_wgs84(wgs84);
    let d = 0.0005;
    let ring: Vec<(f64, f64)> = vec![(x - d, y - d), (x + d, y - d), (x + d, y + d), (x - d, y + d), (x - d, y - d)];
    let square = geo::Polygon::new(geo::LineString::from(ring), vec![]);
    let drawn = StudyArea::new("district".into(), geo::MultiPolygon::new(vec![square])).unwrap();
    assert!(!drawn.contains(wgs84), "read as WGS84, the square misses the point");
    let moved = drawn.in_crs_to_wgs84(Crs::Gcj02).unwrap();
    assert!(moved.contains(wgs84));
    assert_eq!(moved.name, "district");
}
