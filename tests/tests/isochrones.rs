//! Isochrone guarantees on every shared extract: valid polygons with
//! counter-clockwise outer rings, nested contours, every reached road point
//! inside, nothing farther than the buffer from a reached road inside; the
//! reached network against petgraph; service circles as exact unions.

mod common;

use common::to_petgraph;
use geo::{Contains, Intersects, Point, Validation, Winding};
use petgraph::algo::dijkstra;
use petgraph::graph::NodeIndex;
use petgraph::visit::{EdgeRef, Reversed};
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use reach_engine::isochrone::{ContourPolygons, Contours, DEFAULT_BUFFER_M, Reached, per_facility, service_circle};
use reach_engine::search::{Direction, SearchSpace};
use reach_engine::{Engine, NodeId, RoadId, Snap};

const EXTRACTS: [&str; 7] = ["monaco", "chengdu", "beijing-haidian", "helsinki", "porto", "andorra", "heidelberg"];

/// Distance in projected metres from `p` to the nearest segment of `lines`.
fn distance_to_lines(engine: &Engine, p: [f64; 2], lines: &geo::MultiLineString<f64>) -> f64 {
    let projection = engine.roads.projection();
    let p = projection.project(p);
    let mut best = f64::INFINITY;
    for line in lines {
        for seg in line.lines() {
            let a = projection.project([seg.start.x, seg.start.y]);
            let b = projection.project([seg.end.x, seg.end.y]);
            let (dx, dy) = (b[0] - a[0], b[1] - a[1]);
            let len2 = dx * dx + dy * dy;
            let t = if len2 > 0.0 { (((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / len2).clamp(0.0, 1.0) } else { 0.0 };
            best = best.min((p[0] - a[0] - t * dx).hypot(p[1] - a[1] - t * dy));
        }
    }
    best
}

fn check_guarantees(engine: &Engine, reached: &Reached, contours: &Contours, rng: &mut SmallRng, what: &str) {
    let shapes: Vec<ContourPolygons> = reached.polygons(engine, contours, DEFAULT_BUFFER_M).expect("polygons");
    let networks = reached.network(engine, contours);
    for (shape, network) in shapes.iter().zip(&networks) {
        let what = format!("{what}, {} min", shape.minutes);
        assert!(shape.polygons.is_valid(), "{what}: {:?}", shape.polygons.validation_errors());
        for polygon in &shape.polygons {
            assert!(polygon.exterior().is_ccw(), "{what}: outer ring not counter-clockwise");
            assert!(polygon.interiors().iter().all(|r| r.is_cw()), "{what}: hole not clockwise");
            let lon = polygon.exterior().0[0].x;
            assert!((-180.0..=180.0).contains(&lon) && lon.abs() > 0.5, "{what}: longitude first");
        }
        assert!((shape.road_km - network.road_km).abs() < 1e-9);
        // Every reached road point (every vertex and cut end of the network) is inside.
        for line in &network.lines {
            for c in line.coords() {
                assert!(shape.polygons.intersects(&Point::from(*c)), "{what}: reached point {c:?} outside");
            }
        }
        // Nothing inside is farther than the buffer from the reached network.
        let rect = geo::BoundingRect::bounding_rect(&shape.polygons).expect("non-empty");
        let mut inside = 0;
        for _ in 0..200 {
            let p = [rng.random_range(rect.min().x..=rect.max().x), rng.random_range(rect.min().y..=rect.max().y)];
            if shape.polygons.contains(&Point::new(p[0], p[1])) {
                inside += 1;
                let d = distance_to_lines(engine, p, &network.lines);
                assert!(d <= DEFAULT_BUFFER_M + 1e-6, "{what}: {p:?} is inside but {d} m from the reached roads");
            }
        }
        assert!(inside > 0, "{what}: the sample found no inside point");
    }
    for pair in shapes.windows(2) {
        assert!(
            pair[1].polygons.contains(&pair[0].polygons),
            "{what}: {} min not inside {} min",
            pair[0].minutes,
            pair[1].minutes
        );
    }
}

#[test]
fn isochrone_guarantees_hold_on_every_extract() {
    let mut rng = SmallRng::seed_from_u64(1015);
    let contours = Contours::from_minutes(&[3.0, 6.0, 10.0]).unwrap();
    for name in EXTRACTS {
        let engine = common::engine(&common::read(name), "ebike");
        let mut space = SearchSpace::new(engine.graph.node_count());
        for (i, start) in reach_benches::random_road_points(&engine, 2, rng.random()).into_iter().enumerate() {
            let direction = if i % 2 == 0 { Direction::Reverse } else { Direction::Forward };
            let reached = Reached::search(&engine, &[start], direction, contours.max_limit(), &mut space).unwrap();
            check_guarantees(&engine, &reached, &contours, &mut rng, &format!("{name} start {i} {direction:?}"));
        }
        // A station of the layer, when the extract has one on the network.
        if let Some(f) = (0..engine.facilities.all().len()).find(|&f| engine.snaps[f].is_ok()) {
            let snap = engine.snaps[f].clone().unwrap();
            let reached =
                Reached::search(&engine, &[snap], Direction::Reverse, contours.max_limit(), &mut space).unwrap();
            check_guarantees(&engine, &reached, &contours, &mut rng, &format!("{name} facility {f}"));
        }
    }
}

#[test]
fn the_reached_network_covers_exactly_the_nodes_within_the_limit() {
    let mut rng = SmallRng::seed_from_u64(77);
    for name in ["porto", "heidelberg", "chengdu"] {
        let engine = common::engine(&common::read(name), "ebike");
        let graph = &engine.graph;
        // As in the server: searches that reach much of the graph (most of
        // Porto's) sweep the hierarchy, the others stay Dijkstra.
        graph.prepare_hierarchy();
        let pg = to_petgraph(graph);
        let mut space = SearchSpace::new(graph.node_count());
        for _ in 0..6 {
            // Start exactly at a node: the start of one of its roads.
            let road = rng.random_range(0..graph.road_count() as RoadId);
            let node = graph.road_ends(road)[0];
            let start = Snap { road, fraction: 0.0, distance_m: 0.0, lon_lat: graph.node_lon_lat(node) };
            let limit = rng.random_range(600..6000);
            for direction in [Direction::Forward, Direction::Reverse] {
                let reached = Reached::search(&engine, &[start], direction, limit, &mut space).unwrap();
                let stretches = reached.stretches(&engine);
                // Nodes the network reaches: road ends touched by a stretch in time.
                let mut covered = vec![false; graph.node_count()];
                for s in &stretches {
                    for (fraction, time) in [(s.from, s.time[0]), (s.to, s.time[1])] {
                        if time <= f64::from(limit) && (fraction == 0.0 || fraction == 1.0) {
                            covered[graph.road_ends(s.road)[usize::from(fraction == 1.0)] as usize] = true;
                        }
                    }
                }
                let oracle = match direction {
                    Direction::Forward => dijkstra(&pg, NodeIndex::new(node as usize), None, |e| *e.weight()),
                    Direction::Reverse => dijkstra(Reversed(&pg), NodeIndex::new(node as usize), None, |e| *e.weight()),
                };
                // Off the start road, one stretch per edge leaving (entering) a
                // node within the limit.
                let mut anchored = 0;
                for n in 0..graph.node_count() as NodeId {
                    let within = oracle.get(&NodeIndex::new(n as usize)).is_some_and(|&t| t <= limit);
                    assert_eq!(
                        covered[n as usize], within,
                        "{name} {direction:?} from {node} within {limit}: node {n}"
                    );
                    let edges: Vec<u32> = match direction {
                        Direction::Forward => graph.out_edges(n).collect(),
                        Direction::Reverse => graph.in_edges(n).map(|(_, e)| e).collect(),
                    };
                    if within {
                        anchored += edges.iter().filter(|&&e| graph.edge_road(e).0 != road).count();
                    }
                }
                assert_eq!(stretches.iter().filter(|s| s.road != road).count(), anchored, "{name} {direction:?}");
                let runs: Vec<RoadId> = stretches.chunk_by(|a, b| a.road == b.road).map(|g| g[0].road).collect();
                let mut roads = runs.clone();
                roads.sort_unstable();
                roads.dedup();
                assert_eq!(roads.len(), runs.len(), "{name} {direction:?}: each road's stretches come together");
            }
        }
    }
}

#[test]
fn service_circles_are_the_exact_union_of_the_facility_isochrones() {
    let engine = common::engine(&common::read("porto"), "ebike");
    let graph = &engine.graph;
    let stations: Vec<u32> = engine.facilities.in_layer(reach_engine::Layer::Stations).take(25).collect();
    let contours = Contours::from_minutes(&[5.0, 10.0]).unwrap();
    let limit = contours.max_limit();
    // Node times of the multi-source search equal the minimum over single searches.
    let union = service_circle(&engine, &stations, Direction::Reverse, limit).unwrap();
    let mut multi = SearchSpace::new(graph.node_count());
    let starts: Vec<Snap> = stations.iter().filter_map(|&s| engine.snaps[s as usize].clone().ok()).collect();
    Reached::search(&engine, &starts, Direction::Reverse, limit, &mut multi).unwrap();
    let mut best = vec![None::<u32>; graph.node_count()];
    let mut single = SearchSpace::new(graph.node_count());
    for start in &starts {
        Reached::search(&engine, &[*start], Direction::Reverse, limit, &mut single).unwrap();
        for &n in single.reached() {
            let t = single.time(n).unwrap();
            best[n as usize] = Some(best[n as usize].map_or(t, |b| b.min(t)));
        }
    }
    for n in 0..graph.node_count() as NodeId {
        assert_eq!(multi.time(n), best[n as usize], "node {n}");
    }
    // Its polygons contain every facility's polygons, contour by contour.
    let circle = union.polygons(&engine, &contours, DEFAULT_BUFFER_M).unwrap();
    let each = per_facility(&engine, &stations, Direction::Reverse, limit, &|_, _| {}, |_, r| {
        r.polygons(&engine, &contours, DEFAULT_BUFFER_M)
    });
    for shapes in each.into_iter().flatten() {
        for (one, all) in shapes.iter().zip(&circle) {
            assert!(all.polygons.contains(&one.polygons), "{} min", one.minutes);
            assert!(all.road_km + 1e-9 >= one.road_km);
        }
    }
}

/// A contour's polygon does not depend on which other contours are asked
/// for: alone, a road reached within it is drawn without working out each
/// of its cells' times, beside smaller contours every cell is timed.
#[test]
fn a_contour_is_the_same_alone_and_beside_smaller_ones() {
    let mut rng = SmallRng::seed_from_u64(5);
    let alone = Contours::from_minutes(&[12.0]).unwrap();
    let beside = Contours::from_minutes(&[3.0, 7.5, 12.0]).unwrap();
    for name in ["porto", "heidelberg"] {
        let engine = common::engine(&common::read(name), "ebike");
        let mut space = SearchSpace::new(engine.graph.node_count());
        for _ in 0..8 {
            let road = rng.random_range(0..engine.graph.road_count() as RoadId);
            let start = Snap { road, fraction: rng.random(), distance_m: 0.0, lon_lat: [0.0, 0.0] };
            for direction in [Direction::Forward, Direction::Reverse] {
                let reached = Reached::search(&engine, &[start], direction, alone.max_limit(), &mut space).unwrap();
                let one = reached.polygons(&engine, &alone, DEFAULT_BUFFER_M).unwrap();
                let three = reached.polygons(&engine, &beside, DEFAULT_BUFFER_M).unwrap();
                let (a, b) = (&one[0], &three[2]);
                assert!(a == b, "{name} {direction:?} from road {road}: {} vs {} km²", a.area_km2, b.area_km2);
            }
        }
    }
}

/// A search that went further than the contours asked for draws them as a
/// search that stopped at the largest: its roads are cut at that limit and
/// the grid's extent is worked out again for it. Half-minute contours cut
/// the start roads too; longer ones cut many roads.
#[test]
fn a_longer_search_draws_the_same_contours() {
    let mut rng = SmallRng::seed_from_u64(6);
    let further = Contours::limit(12.0);
    for name in ["porto", "heidelberg"] {
        let engine = common::engine(&common::read(name), "ebike");
        let mut space = SearchSpace::new(engine.graph.node_count());
        for (k, minutes) in [[0.25, 0.5], [4.0, 7.5]].iter().cycle().take(16).enumerate() {
            let contours = Contours::from_minutes(minutes).unwrap();
            let road = rng.random_range(0..engine.graph.road_count() as RoadId);
            let start = Snap { road, fraction: rng.random(), distance_m: 0.0, lon_lat: [0.0, 0.0] };
            let direction = if k % 4 < 2 { Direction::Forward } else { Direction::Reverse };
            let mut draw = |limit| {
                let reached = Reached::search(&engine, &[start], direction, limit, &mut space).unwrap();
                reached.polygons(&engine, &contours, DEFAULT_BUFFER_M).unwrap()
            };
            let (long, short) = (draw(further), draw(contours.max_limit()));
            for (a, b) in long.iter().zip(&short) {
                let at = format!("{name} {direction:?} from road {road}, {} min", a.minutes);
                assert_eq!(a.polygons, b.polygons, "{at}");
                assert!((a.road_km - b.road_km).abs() < 1e-9 && a.area_km2 == b.area_km2, "{at}");
                assert!(a.road_km > 0.0, "{at}: something reached");
            }
        }
    }
}
