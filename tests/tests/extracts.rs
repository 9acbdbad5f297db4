//! Every shared extract loads for every profile, with sane counts and the
//! graph invariants the searches rely on.

mod common;

use common::{engine, read};
use reach_engine::{EdgeId, Engine, Graph, Layer, NodeId, Profiles, RoadId, haversine_m};

/// Every extract in `../shared/data`.
const EXTRACTS: [&str; 7] = ["monaco", "chengdu", "beijing-haidian", "helsinki", "porto", "andorra", "heidelberg"];

/// Road kilometres of the ebike graph seen on 2026-11-23, ±25 % allowed:
/// wide enough for profile tuning, narrow enough to catch a broken loader.
/// (Helsinki rose from 63.6 to 86.9 km when sidewalks tagged `bicycle=no`
/// became pushable instead of closed.)
const EBIKE_ROAD_KM: [(&str, f64); 7] = [
    ("monaco", 105.6),
    ("chengdu", 721.3),
    ("beijing-haidian", 44.7),
    ("helsinki", 86.9),
    ("porto", 299.0),
    ("andorra", 1605.2),
    ("heidelberg", 3300.1),
];

fn check_csr(graph: &Graph) {
    let n = graph.node_count() as NodeId;
    let mut next_start = 0;
    for node in 0..n {
        let range = graph.out_edges(node);
        assert_eq!(range.start, next_start, "forward offsets of node {node} are not contiguous");
        next_start = range.end;
    }
    assert_eq!(next_start as usize, graph.edge_count(), "forward offsets do not cover every edge");

    let mut forward: Vec<(NodeId, NodeId, EdgeId)> = Vec::with_capacity(graph.edge_count());
    let mut reverse: Vec<(NodeId, NodeId, EdgeId)> = Vec::with_capacity(graph.edge_count());
    for node in 0..n {
        forward.extend(graph.out_edges(node).map(|e| (node, graph.head(e), e)));
        reverse.extend(graph.in_edges(node).map(|(tail, e)| (tail, node, e)));
    }
    forward.sort_unstable();
    reverse.sort_unstable();
    assert_eq!(forward, reverse, "the reverse graph is not the transpose of the forward graph");
}

fn check_edges(graph: &Graph, max_kmh: f64) {
    for e in 0..graph.edge_count() as EdgeId {
        let (tail, head) = (graph.tail(e), graph.head(e));
        assert!(graph.out_edges(tail).contains(&e), "edge {e} is not listed under its tail");
        assert!(graph.time(e) > 0, "edge {e} takes no time");
        let geometry = graph.edge_geometry(e);
        assert!(geometry.len() >= 2, "edge {e} has {} points", geometry.len());
        assert_eq!(geometry[0], graph.node_lon_lat(tail), "edge {e} does not start at its tail");
        assert_eq!(geometry[geometry.len() - 1], graph.node_lon_lat(head), "edge {e} does not end at its head");
        let polyline: f64 = geometry.windows(2).map(|w| haversine_m(w[0], w[1])).sum();
        assert!((polyline - graph.edge_length_m(e)).abs() < 1e-6, "edge {e} length differs from its polyline");
        // No edge is faster than the profile's cap (half a decisecond of rounding).
        let fastest_ds = graph.edge_length_m(e) * 36.0 / max_kmh;
        assert!(f64::from(graph.time(e)) + 0.5 >= fastest_ds, "edge {e} is faster than {max_kmh} km/h");
    }
    for r in 0..graph.road_count() as RoadId {
        let [forward, backward] = graph.road_edges(r);
        assert!(forward.is_some() || backward.is_some(), "road {r} has no edge");
        for (edge, reversed) in [(forward, false), (backward, true)] {
            if let Some(e) = edge {
                assert_eq!(graph.edge_road(e), (r, reversed));
            }
        }
    }
}

fn check_facility_snaps(engine: &Engine) {
    for (facility, snap) in engine.facilities.all().iter().zip(&engine.snaps) {
        match snap {
            Ok(snap) => {
                assert!(snap.distance_m <= 300.0, "{} snapped {} m away", facility.id, snap.distance_m);
                assert!((0.0..=1.0).contains(&snap.fraction));
                let straight = haversine_m([facility.lon, facility.lat], snap.lon_lat);
                assert!(
                    (straight - snap.distance_m).abs() <= 0.01 * snap.distance_m + 0.05,
                    "{}: snap distance {} m but the snapped point is {straight} m away",
                    facility.id,
                    snap.distance_m
                );
            }
            Err(e) => {
                assert!(e.to_string().contains("beyond the snap limit of 300 m"), "{}: {e}", facility.id)
            }
        }
    }
    let unsnapped = engine.snaps.iter().filter(|s| s.is_err()).count();
    assert_eq!(engine.report.unsnapped.len(), unsnapped);
}

#[test]
fn every_extract_loads_for_every_profile_with_sound_graphs() {
    let profiles = Profiles::default();
    for name in EXTRACTS {
        let extract = read(name);
        assert!(extract.osm.report.highway_ways > 100, "{name}: too few highway ways");
        for profile in profiles.iter() {
            let engine = engine(&extract, &profile.name);
            let graph = &engine.graph;
            let report = &engine.report.graph;
            assert!(graph.node_count() > 200, "{name}/{}: {} nodes", profile.name, graph.node_count());
            assert!(graph.edge_count() >= graph.node_count(), "{name}/{}: fewer edges than nodes", profile.name);
            let filter = &report.component_filter;
            assert!(
                filter.road_km_share > 0.5 && filter.road_km_share <= 1.0,
                "{name}/{}: the largest component keeps only {:.0} % of the roads",
                profile.name,
                filter.road_km_share * 100.0
            );
            assert!(filter.before.nodes >= graph.node_count() && filter.components >= 1);
            check_csr(graph);
            check_edges(graph, profile.max_speed_kmh);
            check_facility_snaps(&engine);
        }
    }
}

#[test]
fn ebike_road_lengths_are_in_the_expected_range() {
    for (name, km) in EBIKE_ROAD_KM {
        let engine = engine(&read(name), "ebike");
        let actual = engine.report.graph.size.road_km;
        assert!((actual - km).abs() <= 0.25 * km, "{name}: {actual:.1} road km, expected about {km}");
    }
}

#[test]
fn ebikes_keep_off_motorways_and_trunks_that_cars_use() {
    let extract = read("heidelberg");
    let classes = |engine: &Engine| -> std::collections::BTreeSet<String> {
        (0..engine.graph.road_count() as RoadId).map(|r| engine.graph.road_highway(r).to_string()).collect()
    };
    let (ebike, car) = (classes(&engine(&extract, "ebike")), classes(&engine(&extract, "car")));
    assert!(car.contains("motorway") && car.contains("trunk"), "{car:?}");
    assert!(!ebike.contains("motorway") && !ebike.contains("trunk"), "{ebike:?}");
    assert!(ebike.contains("cycleway") && !car.contains("cycleway"));
}

#[test]
fn the_clipped_helsinki_extract_reports_its_missing_nodes() {
    let extract = read("helsinki");
    let osm = &extract.osm.report;
    // The shared data's README counts 4,525 way references to absent nodes.
    assert_eq!(osm.missing_node_refs, 4525);
    assert!(osm.highway_missing_node_refs > 0 && osm.highway_missing_node_refs < osm.missing_node_refs);
    assert!(osm.highway_ways_with_missing_nodes > 0);
}

#[test]
fn facility_layers_come_from_osm_tags() {
    let extract = read("porto");
    let count = |layer: Layer| extract.facilities.iter().filter(|f| f.layer == layer).count();
    assert!(count(Layer::Merchants) > 500, "Porto has hundreds of cafes and restaurants");
    assert!(count(Layer::Stations) > 50);
    assert!(count(Layer::Parking) > 5);
    let chengdu = read("chengdu");
    assert!(chengdu.facilities.iter().any(|f| f.name_zh.is_some()), "Chengdu's name:zh tags are kept");
}
