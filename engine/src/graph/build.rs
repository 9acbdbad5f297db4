//! Building a [`Graph`] from OSM highway ways for one profile.
//!
//! 1. The profile decides which ways are usable and in which directions.
//! 2. Ways are cut where the extract lacks a node (clipped extracts), and a
//!    node becomes a graph node where it ends a way piece or is shared by
//!    pieces (an intersection); other nodes are shape points.
//! 3. Pieces are split into roads at graph nodes; a road's length is the
//!    great-circle length of its polyline and each allowed direction becomes
//!    an edge with time `length / speed`, in whole deciseconds, at least 1.
//! 4. Only the largest strongly connected component is kept
//!    ([`super::components`]), nodes are renumbered in Hilbert order and the
//!    forward and reverse CSR arrays are filled.

use super::components::largest_strong_component;
use super::hilbert::hilbert_order;
use super::{ComponentReport, Graph, GraphReport, GraphSize, NO_EDGE, NO_TIME, NodeId, WayInfo};
use crate::geo_math::haversine_m;
use crate::osm::{MISSING_NODE, OsmData, TagSource};
use crate::profile::{Profile, Travel};

/// Why no graph could be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GraphError {
    /// The extract has no way the profile may use.
    #[error("no road in the extract is usable by the {profile} profile ({highway_ways} highway ways read)")]
    NoRoads {
        /// The profile.
        profile: String,
        /// Highway ways in the extract.
        highway_ways: usize,
    },
}

/// A road before the component filter, in provisional node numbers.
struct RawRoad {
    ends: [u32; 2],
    geometry: std::ops::Range<usize>,
    length_m: f64,
    way: u32,
    travel: Travel,
}

impl Graph {
    /// Builds the graph of `profile` from an extract.
    pub fn build(osm: &OsmData, profile: &Profile) -> Result<(Graph, GraphReport), GraphError> {
        let usable: Vec<(usize, Travel)> =
            osm.highways.iter().enumerate().filter_map(|(i, way)| profile.travel(&way.tags).map(|t| (i, t))).collect();
        let graph_node = mark_graph_nodes(osm, &usable);
        let (provisional, roads, geometry, ways) = split_into_roads(osm, &usable, &graph_node);

        let before = raw_size(provisional.len(), &roads);
        let arcs: Vec<(u32, u32)> = roads.iter().flat_map(raw_arcs).collect();
        let (kept, components) = largest_strong_component(provisional.len(), &arcs);

        let kept_nodes: Vec<u32> = (0..provisional.len() as u32).filter(|&n| kept[n as usize]).collect();
        let lon_lat: Vec<[f64; 2]> = kept_nodes.iter().map(|&n| osm.lon_lat(provisional[n as usize])).collect();
        let order = hilbert_order(&lon_lat);
        let mut new_id = vec![NodeId::MAX; provisional.len()];
        for (new, &old) in order.iter().enumerate() {
            new_id[kept_nodes[old as usize] as usize] = new as NodeId;
        }
        let mut roads: Vec<RawRoad> = roads
            .into_iter()
            .filter(|r| kept[r.ends[0] as usize] && kept[r.ends[1] as usize])
            .map(|r| RawRoad { ends: r.ends.map(|n| new_id[n as usize]), ..r })
            .collect();
        // Roads numbered in the order of their first node along the curve, so
        // that roads near in space are near in every per-road table too.
        roads.sort_by_key(|r| r.ends[0].min(r.ends[1]));
        if roads.is_empty() {
            return Err(GraphError::NoRoads { profile: profile.name.clone(), highway_ways: osm.highways.len() });
        }
        let node_osm: Vec<u32> = order.iter().map(|&old| provisional[kept_nodes[old as usize] as usize]).collect();

        let graph = assemble(osm, &node_osm, roads, &geometry, ways);
        let size = graph.size();
        let share = |kept: f64, all: f64| if all > 0.0 { kept / all } else { 0.0 };
        let report = GraphReport {
            profile: profile.name.clone(),
            usable_ways: usable.len(),
            size,
            component_filter: ComponentReport {
                components,
                before,
                nodes_share: share(size.nodes as f64, before.nodes as f64),
                edges_share: share(size.edges as f64, before.edges as f64),
                road_km_share: share(size.road_km, before.road_km),
            },
        };
        Ok((graph, report))
    }
}

/// The present pieces of a way: runs of nodes the extract has, at least two
/// long, with repeated consecutive nodes removed.
fn pieces(nodes: &[u32]) -> impl Iterator<Item = Vec<u32>> + '_ {
    nodes.split(|&n| n == MISSING_NODE).filter_map(|run| {
        let mut piece = run.to_vec();
        piece.dedup();
        (piece.len() >= 2).then_some(piece)
    })
}

/// For every OSM node index, whether it is a graph node: it ends a piece or
/// is used more than once.
fn mark_graph_nodes(osm: &OsmData, usable: &[(usize, Travel)]) -> Vec<bool> {
    let mut uses = vec![0u8; osm.node_count()];
    for &(way, _) in usable {
        for piece in pieces(&osm.highways[way].nodes) {
            for &n in &piece {
                uses[n as usize] = uses[n as usize].saturating_add(1);
            }
            for end in [piece[0], piece[piece.len() - 1]] {
                uses[end as usize] = uses[end as usize].saturating_add(2);
            }
        }
    }
    uses.into_iter().map(|u| u >= 2).collect()
}

/// Splits usable ways into roads between graph nodes. Returns the OSM node
/// index of each provisional graph node, the roads, the shared geometry
/// buffer and the way table.
fn split_into_roads(
    osm: &OsmData,
    usable: &[(usize, Travel)],
    graph_node: &[bool],
) -> (Vec<u32>, Vec<RawRoad>, Vec<[f64; 2]>, Vec<WayInfo>) {
    let mut provisional_of = vec![u32::MAX; osm.node_count()];
    let mut provisional = Vec::new();
    let mut node = |osm_index: u32| {
        let slot = &mut provisional_of[osm_index as usize];
        if *slot == u32::MAX {
            *slot = provisional.len() as u32;
            provisional.push(osm_index);
        }
        *slot
    };
    let mut roads = Vec::new();
    let mut geometry: Vec<[f64; 2]> = Vec::new();
    let mut ways = Vec::with_capacity(usable.len());
    for &(way_index, travel) in usable {
        let way = &osm.highways[way_index];
        let way_id = ways.len() as u32;
        ways.push(WayInfo {
            id: way.id,
            highway: way.tags.tag("highway").unwrap_or_default().to_string(),
            name: way.tags.tag("name").map(str::to_string),
        });
        for piece in pieces(&way.nodes) {
            let mut start = piece[0];
            let mut first_point = geometry.len();
            geometry.push(osm.lon_lat(start));
            let mut length_m = 0.0;
            for &n in &piece[1..] {
                let p = osm.lon_lat(n);
                length_m += haversine_m(geometry[geometry.len() - 1], p);
                geometry.push(p);
                if !graph_node[n as usize] {
                    continue;
                }
                let ends = [node(start), node(n)];
                let closed_loop_of_nothing = ends[0] == ends[1] && length_m == 0.0;
                if closed_loop_of_nothing {
                    geometry.truncate(first_point + 1);
                } else {
                    roads.push(RawRoad { ends, geometry: first_point..geometry.len(), length_m, way: way_id, travel });
                    first_point = geometry.len();
                    geometry.push(p);
                }
                start = n;
                length_m = 0.0;
            }
            geometry.truncate(first_point);
        }
    }
    (provisional, roads, geometry, ways)
}

/// Travel time in deciseconds for `length_m` at `kmh`, at least 1.
fn time_ds(length_m: f64, kmh: f64) -> u32 {
    ((length_m * 36.0 / kmh).round() as u32).max(1)
}

/// The directed arcs (tail, head) a road contributes.
fn raw_arcs(road: &RawRoad) -> impl Iterator<Item = (u32, u32)> {
    let [a, b] = road.ends;
    let forward = road.travel.forward_kmh.map(|_| (a, b));
    let backward = road.travel.backward_kmh.map(|_| (b, a));
    forward.into_iter().chain(backward)
}

fn raw_size(nodes: usize, roads: &[RawRoad]) -> GraphSize {
    GraphSize {
        nodes,
        edges: roads.iter().map(|r| raw_arcs(r).count()).sum(),
        roads: roads.len(),
        road_km: roads.iter().map(|r| r.length_m).sum::<f64>() / 1000.0,
    }
}

/// Fills the CSR arrays from the kept roads (already in final node ids).
fn assemble(osm: &OsmData, node_osm: &[u32], roads: Vec<RawRoad>, geometry: &[[f64; 2]], ways: Vec<WayInfo>) -> Graph {
    let n = node_osm.len();
    // Directed arcs as (tail, head, time, road << 1 | reversed).
    let mut arcs: Vec<(NodeId, NodeId, u32, u32)> = Vec::with_capacity(roads.len() * 2);
    for (r, road) in roads.iter().enumerate() {
        let [a, b] = road.ends;
        let packed = (r as u32) << 1;
        if let Some(kmh) = road.travel.forward_kmh {
            arcs.push((a, b, time_ds(road.length_m, kmh), packed));
        }
        if let Some(kmh) = road.travel.backward_kmh {
            arcs.push((b, a, time_ds(road.length_m, kmh), packed | 1));
        }
    }
    arcs.sort_unstable_by_key(|&(tail, head, _, packed)| (tail, head, packed));

    let first_out = offsets(n, arcs.iter().map(|a| a.0));
    let out_arc: Vec<(NodeId, u32)> = arcs.iter().map(|a| (a.1, a.2)).collect();
    let edge_road: Vec<u32> = arcs.iter().map(|a| a.3).collect();

    let mut road_edges = vec![[NO_EDGE; 2]; roads.len()];
    for (e, &packed) in edge_road.iter().enumerate() {
        road_edges[(packed >> 1) as usize][(packed & 1) as usize] = e as u32;
    }
    let road_edge_times = road_edges
        .iter()
        .map(|edges| edges.map(|e| if e == NO_EDGE { NO_TIME } else { out_arc[e as usize].1 }))
        .collect();
    let twin = edge_road
        .iter()
        .map(|&packed| match road_edges[(packed >> 1) as usize][usize::from(packed & 1 == 0)] {
            NO_EDGE => (NO_EDGE, 0),
            other => (other, out_arc[other as usize].1),
        })
        .collect();

    let mut incoming: Vec<u32> = (0..arcs.len() as u32).collect();
    incoming.sort_by_key(|&e| arcs[e as usize].1);
    let first_in = offsets(n, incoming.iter().map(|&e| arcs[e as usize].1));
    let in_arc: Vec<(NodeId, u32)> = incoming.iter().map(|&e| (arcs[e as usize].0, arcs[e as usize].2)).collect();

    let mut geometry_start = Vec::with_capacity(roads.len() + 1);
    let mut points = Vec::new();
    geometry_start.push(0);
    for road in &roads {
        points.extend_from_slice(&geometry[road.geometry.clone()]);
        geometry_start.push(points.len() as u32);
    }

    Graph {
        node_lon_lat: node_osm.iter().map(|&i| osm.lon_lat(i)).collect(),
        node_osm_id: node_osm.iter().map(|&i| osm.node_id(i)).collect(),
        first_out,
        out_arc,
        edge_road,
        first_in,
        in_arc,
        in_edge: incoming,
        road_ends: roads.iter().map(|r| r.ends).collect(),
        road_length_m: roads.iter().map(|r| r.length_m).collect(),
        road_way: roads.iter().map(|r| r.way).collect(),
        road_edges,
        road_edge_times,
        twin,
        geometry_start,
        geometry: points,
        ways,
        hierarchy: std::sync::OnceLock::new(),
    }
}

/// CSR offsets for `n` nodes from the (sorted) owner node of each entry.
fn offsets(n: usize, owners: impl Iterator<Item = NodeId>) -> Vec<u32> {
    let mut first = vec![0u32; n + 1];
    for owner in owners {
        first[owner as usize + 1] += 1;
    }
    for i in 0..n {
        first[i + 1] += first[i];
    }
    first
}
