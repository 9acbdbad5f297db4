//! Hand-made graphs with answers checked by hand, shared by the engine's
//! unit tests.

use super::*;
use crate::osm::OsmData;
use crate::profile::Profiles;

/// Metres per 0.001° of latitude on geo's sphere (radius 6,371,008.8 m).
pub(crate) const M_PER_MILLIDEGREE: f64 = 111.195_080_233_532_92;

/// A small town on the equator, 0.001° ≈ 111.2 m between grid points:
///
/// ```text
///   3 ──(4)── 4            node 1..=6, way ids in brackets
///   │         │            [1] 1─2─3 two-way residential, via shape node 2
///  [1]       [2]           [2] 4─5─6 oneway=yes residential: 4 → 5 → 6
///   2         5            [3] 6─1 two-way residential
///   │         │            [4] 3─4 two-way residential
///   1 ──[3]── 6            [5] 7─8 an island, cut off from the rest
///                          [6] 1─99: node 99 is missing (clipped)
/// ```
pub(crate) fn town() -> OsmData {
    let d = 0.001;
    let nodes = [
        (1, [0.0, 0.0]),
        (2, [0.0, d]),
        (3, [0.0, 2.0 * d]),
        (4, [d, 2.0 * d]),
        (5, [d, d]),
        (6, [d, 0.0]),
        (7, [0.01, 0.01]),
        (8, [0.01, 0.011]),
    ];
    let residential: &[(&str, &str)] = &[("highway", "residential")];
    let oneway: &[(&str, &str)] = &[("highway", "residential"), ("oneway", "yes")];
    OsmData::from_elements(
        &nodes,
        &[
            (1, residential, &[1, 2, 3]),
            (2, oneway, &[4, 5, 6]),
            (3, residential, &[6, 1]),
            (4, residential, &[3, 4]),
            (5, residential, &[7, 8]),
            (6, residential, &[1, 99]),
            (7, &[("building", "yes")], &[1, 6, 5, 1]),
        ],
    )
}

pub(crate) fn ebike_town() -> Graph {
    Graph::build(&town(), Profiles::default().get("ebike").unwrap()).unwrap().0
}

/// Finds the graph node of OSM node `osm_id`.
pub(crate) fn node(graph: &Graph, osm_id: i64) -> NodeId {
    (0..graph.node_count() as NodeId).find(|&n| graph.node_osm_id(n) == osm_id).unwrap()
}

/// The edge from OSM node `a` to OSM node `b`.
pub(crate) fn edge(graph: &Graph, a: i64, b: i64) -> Option<EdgeId> {
    let (a, b) = (node(graph, a), node(graph, b));
    graph.out_edges(a).find(|&e| graph.head(e) == b)
}

#[test]
fn town_has_the_expected_nodes_roads_and_edges() {
    let osm = town();
    assert_eq!(osm.report.missing_node_refs, 1);
    assert_eq!(osm.report.highway_missing_node_refs, 1);
    assert_eq!(osm.report.highway_ways_with_missing_nodes, 1);
    let (graph, report) = Graph::build(&osm, Profiles::default().get("ebike").unwrap()).unwrap();
    // Node 2 and 5 are shape points; 7-8 is an island; way 6 has one node left.
    let mut osm_ids: Vec<i64> = (0..graph.node_count() as NodeId).map(|n| graph.node_osm_id(n)).collect();
    osm_ids.sort();
    assert_eq!(osm_ids, [1, 3, 4, 6]);
    assert_eq!(graph.road_count(), 4);
    assert_eq!(graph.edge_count(), 7);
    assert_eq!(report.usable_ways, 6);
    assert_eq!(report.component_filter.components, 2);
    assert_eq!(report.component_filter.before.nodes, 6);
    assert_eq!(report.component_filter.before.edges, 9);
    assert!((report.component_filter.nodes_share - 4.0 / 6.0).abs() < 1e-12);
    assert!(edge(&graph, 4, 6).is_some());
    assert!(edge(&graph, 6, 4).is_none(), "way 2 is one-way");
}

#[test]
fn edge_times_and_geometry_follow_the_polyline() {
    let graph = ebike_town();
    let e = edge(&graph, 1, 3).unwrap();
    let length = 2.0 * M_PER_MILLIDEGREE;
    assert!((graph.edge_length_m(e) - length).abs() < 1e-6);
    // 222.39 m at 16 km/h = 50.04 s = 500 ds.
    assert_eq!(graph.time(e), 500);
    assert_eq!(graph.edge_geometry(e), vec![[0.0, 0.0], [0.0, 0.001], [0.0, 0.002]]);
    let back = edge(&graph, 3, 1).unwrap();
    assert_eq!(graph.edge_geometry(back), vec![[0.0, 0.002], [0.0, 0.001], [0.0, 0.0]]);
    assert_eq!(graph.tail(back), node(&graph, 3));
    let (road, reversed) = graph.edge_road(back);
    assert!(reversed);
    assert_eq!(graph.road_edges(road), [Some(e), Some(back)]);
    assert_eq!([graph.twin(e), graph.twin(back)], [Some((back, graph.time(back))), Some((e, 500))]);
    assert_eq!(graph.road_way_id(road), 1);
    assert_eq!(graph.road_highway(road), "residential");
}

#[test]
fn reverse_csr_is_the_transpose_of_forward() {
    let graph = ebike_town();
    let mut forward: Vec<(NodeId, NodeId, EdgeId)> = Vec::new();
    for n in 0..graph.node_count() as NodeId {
        for e in graph.out_edges(n) {
            assert_eq!(graph.tail(e), n);
            forward.push((n, graph.head(e), e));
        }
    }
    let mut backward: Vec<(NodeId, NodeId, EdgeId)> = Vec::new();
    for n in 0..graph.node_count() as NodeId {
        backward.extend(graph.in_edges(n).map(|(t, e)| (t, n, e)));
    }
    forward.sort();
    backward.sort();
    assert_eq!(forward, backward);
    // Twins are the road's other direction, both ways, where it exists.
    for e in 0..graph.edge_count() as EdgeId {
        let (road, reversed) = graph.edge_road(e);
        let other = graph.road_edges(road)[usize::from(!reversed)];
        assert_eq!(graph.twin(e).map(|(twin, _)| twin), other);
        if let Some((twin, time)) = graph.twin(e) {
            assert_eq!((time, graph.twin(twin).map(|(back, _)| back)), (graph.time(twin), Some(e)));
        }
    }
}

#[test]
fn a_profile_with_no_usable_road_is_an_error() {
    let osm =
        OsmData::from_elements(&[(1, [0.0, 0.0]), (2, [0.0, 0.001])], &[(1, &[("highway", "motorway")], &[1, 2])]);
    let err = Graph::build(&osm, Profiles::default().get("ebike").unwrap()).unwrap_err();
    assert_eq!(err.to_string(), "no road in the extract is usable by the ebike profile (1 highway ways read)");
    // A car may use it, but only one way: no strongly connected network remains.
    assert!(Graph::build(&osm, Profiles::default().get("car").unwrap()).is_err());
    let osm = OsmData::from_elements(&[(1, [0.0, 0.0]), (2, [0.0, 0.001])], &[(1, &[("highway", "trunk")], &[1, 2])]);
    assert!(Graph::build(&osm, Profiles::default().get("walk").unwrap()).is_ok());
}
