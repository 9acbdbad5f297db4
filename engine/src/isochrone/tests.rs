//! Isochrones on hand-made graphs, with answers worked out by hand.

use geo::{Contains, Point, Validation, Winding};

use super::*;
use crate::engine::{Engine, Extract};
use crate::graph::tests::{M_PER_MILLIDEGREE, town};
use crate::profile::Profiles;
use crate::search::{Direction, SearchSpace};

/// The town of `graph::tests` as an ebike engine (no facilities).
fn town_engine() -> Engine {
    let extract = Extract { file: "town".into(), osm: town(), facilities: Vec::new(), demand: Vec::new() };
    Engine::build(&extract, Profiles::default().get("ebike").unwrap(), 300.0, &|_| {}).unwrap()
}

fn road_between(engine: &Engine, a: i64, b: i64) -> u32 {
    (0..engine.graph.road_count() as u32)
        .find(|&r| engine.graph.road_ends(r).map(|n| engine.graph.node_osm_id(n)) == [a, b])
        .unwrap()
}

fn snap_on(engine: &Engine, a: i64, b: i64, fraction: f64) -> Snap {
    let road = road_between(engine, a, b);
    let [p, q] = [engine.graph.road_geometry(road)[0], *engine.graph.road_geometry(road).last().unwrap()];
    let lon_lat = [p[0] + fraction * (q[0] - p[0]), p[1] + fraction * (q[1] - p[1])];
    Snap { road, fraction, distance_m: 0.0, lon_lat }
}

fn road_m(engine: &Engine, start: Snap, direction: Direction, limit: u32) -> f64 {
    let mut space = SearchSpace::new(engine.graph.node_count());
    Reached::search(engine, &[start], direction, limit, &mut space).unwrap().road_km(engine, limit) * 1000.0
}

#[test]
fn reached_network_from_a_corner_is_exact_and_depends_on_direction() {
    let engine = town_engine();
    // From node 1 within 30 s: 300 of the 500 ds of road 1-3 (0.6 of 222.39 m)
    // and all of road 6-1 (250 ds); the one-way 4 -> 6 cannot be entered at 6.
    let start = snap_on(&engine, 1, 3, 0.0);
    let expected = 0.6 * 2.0 * M_PER_MILLIDEGREE + M_PER_MILLIDEGREE;
    assert!((road_m(&engine, start, Direction::Forward, 300) - expected).abs() < 1e-6);
    // To node 1 within 30 s: the same, plus the last 50 ds of the one-way
    // 4 -> 6 (riders on it reach 6, then 1).
    let expected = expected + 0.1 * 2.0 * M_PER_MILLIDEGREE;
    assert!((road_m(&engine, start, Direction::Reverse, 300) - expected).abs() < 1e-6);
}

#[test]
fn a_point_in_the_middle_of_a_long_edge_reaches_both_ways() {
    let engine = town_engine();
    // Road 1-3 is 500 ds each way; 100 ds from its middle covers 0.3..0.7.
    let start = snap_on(&engine, 1, 3, 0.5);
    let expected = 0.4 * 2.0 * M_PER_MILLIDEGREE;
    for direction in [Direction::Forward, Direction::Reverse] {
        assert!((road_m(&engine, start, direction, 100) - expected).abs() < 1e-6);
    }
    let mut space = SearchSpace::new(engine.graph.node_count());
    let reached = Reached::search(&engine, &[start], Direction::Forward, 100, &mut space).unwrap();
    assert!(space.reached().is_empty(), "no node is within 100 ds");
    let contours = Contours::from_minutes(&[100.0 / 600.0]).unwrap();
    let polygons = &reached.polygons(&engine, &contours, DEFAULT_BUFFER_M).unwrap()[0].polygons;
    assert!(polygons.contains(&Point::new(start.lon_lat[0], start.lon_lat[1])));
    assert!(!polygons.contains(&Point::new(0.0, 0.0)), "node 1 is 111 m away, beyond the 50 m buffer");
}

#[test]
fn a_point_on_a_one_way_street_reaches_only_downstream() {
    let engine = town_engine();
    // The one-way 4 -> 6 is 500 ds long; 100 ds from its middle.
    let start = snap_on(&engine, 4, 6, 0.5);
    let mut space = SearchSpace::new(engine.graph.node_count());
    let forward = Reached::search(&engine, &[start], Direction::Forward, 100, &mut space).unwrap();
    let intervals = reached::merged_intervals(&forward.stretches(&engine), 100.0);
    assert_eq!(intervals.len(), 1);
    let (_, [lo, hi]) = intervals[0];
    assert!((lo - 0.5).abs() < 1e-12 && (hi - 0.7).abs() < 1e-12, "{lo}..{hi}");
    let reverse = Reached::search(&engine, &[start], Direction::Reverse, 100, &mut space).unwrap();
    let (_, [lo, hi]) = reached::merged_intervals(&reverse.stretches(&engine), 100.0)[0];
    assert!((lo - 0.3).abs() < 1e-12 && (hi - 0.5).abs() < 1e-12, "{lo}..{hi}");
}

/// A 600 m square of roads around a park, on the equator.
fn park_engine() -> Engine {
    let d = 0.0054;
    let nodes = [(1, [0.0, 0.0]), (2, [d, 0.0]), (3, [d, d]), (4, [0.0, d])];
    let road: &[(&str, &str)] = &[("highway", "residential")];
    let osm = crate::osm::OsmData::from_elements(
        &nodes,
        &[(1, road, &[1, 2]), (2, road, &[2, 3]), (3, road, &[3, 4]), (4, road, &[4, 1])],
    );
    let extract = Extract { file: "park".into(), osm, facilities: Vec::new(), demand: Vec::new() };
    Engine::build(&extract, Profiles::default().get("ebike").unwrap(), 300.0, &|_| {}).unwrap()
}

#[test]
fn a_park_enclosed_by_reached_roads_stays_a_hole_and_contours_nest() {
    let engine = park_engine();
    let start = snap_on(&engine, 1, 2, 0.0);
    let contours = Contours::from_minutes(&[1.0, 3.0, 10.0]).unwrap();
    let mut space = SearchSpace::new(engine.graph.node_count());
    let reached = Reached::search(&engine, &[start], Direction::Forward, contours.max_limit(), &mut space).unwrap();
    let shapes = reached.polygons(&engine, &contours, DEFAULT_BUFFER_M).unwrap();
    let ten = &shapes[2];
    assert_eq!(ten.polygons.0.len(), 1);
    assert_eq!(ten.polygons.0[0].interiors().len(), 1, "the park is a hole");
    assert!(!ten.polygons.contains(&Point::new(0.0027, 0.0027)), "the park's centre is 300 m from any road");
    assert!((ten.road_km - 4.0 * 0.6004).abs() < 0.002, "{}", ten.road_km);
    // Outer ring about 600 m + 2 x 50 m wide, hole about 600 m - 2 x 50 m.
    assert!(ten.area_km2 > 0.6 * 0.6 - 0.5 * 0.5 && ten.area_km2 < 0.7 * 0.7 - 0.4 * 0.4, "{}", ten.area_km2);
    for shape in &shapes {
        assert!(shape.polygons.is_valid(), "{:?}", shape.polygons.validation_errors());
        for polygon in &shape.polygons {
            assert!(polygon.exterior().is_ccw());
            assert!(polygon.interiors().iter().all(|r| r.is_cw()));
        }
    }
    for pair in shapes.windows(2) {
        assert!(pair[1].polygons.contains(&pair[0].polygons), "{} min inside {} min", pair[0].minutes, pair[1].minutes);
        assert!(pair[1].area_km2 >= pair[0].area_km2 && pair[1].road_km >= pair[0].road_km);
    }
}

#[test]
fn contours_and_buffers_are_validated() {
    assert_eq!(Contours::from_minutes(&[15.0, 10.0, 15.0]).unwrap().minutes(), [10.0, 15.0]);
    assert_eq!(Contours::from_minutes(&[0.0]), Err(IsochroneError::BadMinutes(0.0)));
    assert!(matches!(Contours::from_minutes(&[f64::NAN]), Err(IsochroneError::BadMinutes(m)) if m.is_nan()));
    assert_eq!(Contours::from_minutes(&[121.0]), Err(IsochroneError::BadMinutes(121.0)));
    assert_eq!(Contours::from_minutes(&[]), Err(IsochroneError::NoContours));
    let many: Vec<f64> = (1..=17).map(f64::from).collect();
    assert_eq!(Contours::from_minutes(&many), Err(IsochroneError::TooManyContours { given: 17 }));
    assert!(Contours::from_minutes(&many[..16]).is_ok());
    let engine = town_engine();
    let mut space = SearchSpace::new(engine.graph.node_count());
    let reached =
        Reached::search(&engine, &[snap_on(&engine, 1, 3, 0.5)], Direction::Forward, 600, &mut space).unwrap();
    let contours = Contours::from_minutes(&[1.0]).unwrap();
    assert_eq!(reached.polygons(&engine, &contours, 5.0).unwrap_err(), IsochroneError::BadBuffer(5.0));
    assert_eq!(
        Reached::search(&engine, &[], Direction::Forward, 600, &mut space).unwrap_err(),
        IsochroneError::NoStart
    );
}

/// Tiles that go into the grid whole give the grid and the road km of
/// their roads taken in one by one: on street grids, from small searches
/// to ones that reach every road, with one to three contours, both ways.
#[test]
fn whole_tiles_give_the_grid_of_their_roads() {
    use raster::{Tiles, TimeGrid};
    let mut fraction = crate::test_random::random_fractions(5);
    for seed in [1, 2] {
        let osm = crate::hierarchy::tests::street_grid_osm(24, seed);
        let extract = Extract { file: "grid".into(), osm, facilities: Vec::new(), demand: Vec::new() };
        let engine = Engine::build(&extract, Profiles::default().get("ebike").unwrap(), 300.0, &|_| {}).unwrap();
        assert!(engine.road_cells.tiles().count() > 50, "a grid of 2.6 km has tiles of 200 m");
        let mut space = SearchSpace::new(engine.graph.node_count());
        for k in 0..9 {
            let road = (fraction() * engine.graph.road_count() as f32) as u32 % engine.graph.road_count() as u32;
            let start = Snap { road, fraction: f64::from(fraction()), distance_m: 0.0, lon_lat: [0.0, 0.0] };
            let direction = if k % 2 == 0 { Direction::Forward } else { Direction::Reverse };
            let limits: &[u32] = [&[900][..], &[600, 1800], &[300, 2000, 20_000]][k % 3];
            let largest = *limits.last().unwrap();
            let reached = Reached::search(&engine, &[start], direction, largest, &mut space).unwrap();
            let grid_limits: Vec<f64> = limits.iter().map(|&l| f64::from(l)).collect();
            let grid = |tiles| {
                let mut km = RoadKm::new(&engine, limits);
                let grid =
                    TimeGrid::build_with(&engine, &reached.roads, DEFAULT_BUFFER_M, &grid_limits, &mut km, tiles);
                (grid.unwrap(), km.km())
            };
            let ((whole, whole_km), (one_by_one, one_by_one_km)) = (grid(Tiles::Whole), grid(Tiles::RoadByRoad));
            for (contour, (a, b)) in whole_km.iter().zip(&one_by_one_km).enumerate() {
                assert!(whole.same_inside(&one_by_one, contour), "grid {seed}, search {k}, contour {contour}");
                assert_eq!(a, b, "grid {seed}, search {k}");
                assert_eq!(*b, reached.road_km(&engine, limits[contour]), "grid {seed}, search {k}");
            }
        }
    }
}
