//! Nearest facilities on every real extract against a brute-force oracle:
//! petgraph's Dijkstra from the rider's point to every node, every matching
//! facility's time from it, sorted by time then id. Routes must add up.

mod common;

use common::to_petgraph;
use petgraph::algo::dijkstra;
use petgraph::graph::NodeIndex;
use reach_benches::{ebike_engine_with_random_stations, random_road_points};
use reach_engine::nearest::{Filter, Found, Query, Table, Targets, Via, find, nearest};
use reach_engine::opening::parse_local_time;
use reach_engine::search::{Direction, SearchSpace, snap_ends};
use reach_engine::{Amenities, Amenity, Engine, FacilityId, Layer, Snap, haversine_m};

const EXTRACTS: [&str; 7] = ["monaco", "andorra", "porto", "helsinki", "heidelberg", "chengdu", "beijing-haidian"];

/// Every node's time from `start` by petgraph, through a virtual source
/// node joined to the start's road ends by their partial times.
fn node_times(pg: &mut petgraph::graph::DiGraph<(), u32>, engine: &Engine, start: &Snap) -> Vec<Option<u32>> {
    let source = pg.add_node(());
    for end in snap_ends(&engine.graph, start, Direction::Forward) {
        pg.add_edge(source, NodeIndex::new(end.node as usize), end.time);
    }
    let times = dijkstra(&*pg, source, None, |e| *petgraph::visit::EdgeRef::weight(&e));
    pg.remove_node(source);
    let mut by_node = vec![None; engine.graph.node_count()];
    for (node, time) in times {
        if let Some(slot) = by_node.get_mut(node.index()) {
            *slot = Some(time);
        }
    }
    by_node
}

/// The time to a facility on the start's own road, riding straight to it,
/// worked out again here: the road's edge in the direction of travel.
fn straight_along(engine: &Engine, start: &Snap, at: &Snap) -> Option<u32> {
    if start.road != at.road {
        return None;
    }
    let [along, against] = engine.graph.road_edges(start.road);
    let edge = match at.fraction.partial_cmp(&start.fraction)? {
        std::cmp::Ordering::Greater => along,
        std::cmp::Ordering::Less => against,
        std::cmp::Ordering::Equal => along.or(against),
    }?;
    Some((f64::from(engine.graph.time(edge)) * (at.fraction - start.fraction).abs()).round() as u32)
}

/// The oracle's answers: every facility of `targets`, timed from the node
/// times, within the limit, sorted by time then id, the first `k`.
fn oracle(
    engine: &Engine,
    times: &[Option<u32>],
    start: &Snap,
    targets: &Targets,
    query: &Query,
) -> Vec<(String, u32)> {
    let mut all: Vec<(String, u32)> = (0..engine.facilities.all().len() as FacilityId)
        .filter(|&f| targets.contains(f))
        .filter_map(|f| {
            let at = engine.snaps[f as usize].as_ref().ok()?;
            let via_nodes = snap_ends(&engine.graph, at, Direction::Reverse)
                .into_iter()
                .filter_map(|end| times[end.node as usize].map(|t| t + end.time));
            let best = via_nodes.chain(straight_along(engine, start, at)).min()?;
            (best <= query.limit()).then(|| (engine.facilities.get(f).id.clone(), best))
        })
        .collect();
    all.sort_by(|a, b| a.1.cmp(&b.1).then_with(|| a.0.cmp(&b.0)));
    all.truncate(query.k());
    all
}

/// The filters every extract is checked with.
fn filters() -> Vec<(&'static str, Filter)> {
    let layer = |l: Layer| Filter { layers: vec![l], ..Filter::default() };
    let charging: Amenities = [Amenity::Charging].into_iter().collect();
    vec![
        ("every layer", Filter::default()),
        ("stations", layer(Layer::Stations)),
        ("merchants", layer(Layer::Merchants)),
        ("parking", layer(Layer::Parking)),
        ("charging", Filter { amenities: charging, ..Filter::default() }),
        ("open at 3 am", Filter { open_at: parse_local_time("2026-11-22T03:00").ok(), ..Filter::default() }),
    ]
}

#[test]
fn answers_equal_the_brute_force_oracle_on_every_extract() {
    for name in EXTRACTS {
        let engine = ebike_engine_with_random_stations(name, 40, 7);
        let mut pg = to_petgraph(&engine.graph);
        let mut space = SearchSpace::new(engine.graph.node_count());
        let filters: Vec<(&str, Targets)> =
            filters().into_iter().map(|(n, f)| (n, Targets::new(&engine, &f))).collect();
        let queries = [Query::new(1, 60.0).unwrap(), Query::new(3, 60.0).unwrap(), Query::new(5, 4.0).unwrap()];
        let tables: Vec<Vec<Table>> = filters
            .iter()
            .map(|(_, targets)| queries.iter().map(|query| Table::new(&engine, targets, query)).collect())
            .collect();
        let mut answered = 0;
        for start in random_road_points(&engine, 12, 99) {
            let times = node_times(&mut pg, &engine, &start);
            for ((what, targets), tables) in filters.iter().zip(&tables) {
                for (query, table) in queries.iter().zip(tables) {
                    let expected = oracle(&engine, &times, &start, targets, query);
                    let ids = |found: Vec<Found>| -> Vec<(String, u32)> {
                        found.iter().map(|f| (engine.facilities.get(f.facility).id.clone(), f.time)).collect()
                    };
                    let searched = ids(find(&engine, targets, &start, query, &mut space));
                    assert_eq!(searched, expected, "{name}, {what}, k {}, from {:?}", query.k(), start.lon_lat);
                    let looked_up = ids(table.find(&engine, &start));
                    assert_eq!(looked_up, expected, "{name}, {what}, k {}, table, from {:?}", query.k(), start.lon_lat);
                    answered += searched.len();
                }
            }
        }
        assert!(answered > 100, "{name}: only {answered} answers; the test would prove little");
    }
}

/// The time of a route recounted from its parts.
fn recount(engine: &Engine, route: &reach_engine::nearest::Route) -> u32 {
    route.lead_in + route.edges.iter().map(|&e| engine.graph.time(e)).sum::<u32>() + route.lead_out
}

#[test]
fn routes_add_up_and_join_the_snapped_points() {
    for name in ["porto", "heidelberg", "chengdu"] {
        let engine = ebike_engine_with_random_stations(name, 40, 3);
        let targets = Targets::new(&engine, &Filter::default());
        let query = Query::new(3, 60.0).unwrap();
        let mut space = SearchSpace::new(engine.graph.node_count());
        let table = Table::new(&engine, &targets, &query);
        let mut routes = 0;
        for start in random_road_points(&engine, 30, 5) {
            let searched = nearest(&engine, &targets, &start, &query, &mut space);
            let looked_up = table.nearest(&engine, &start);
            for answer in searched.answers.iter().chain(&looked_up.answers) {
                let at = engine.snaps[answer.facility as usize].as_ref().unwrap();
                let route = &answer.route;
                assert_eq!(recount(&engine, route), answer.time, "{name}: the parts add up to the time");
                for pair in route.edges.windows(2) {
                    assert_eq!(engine.graph.head(pair[0]), engine.graph.tail(pair[1]), "{name}: edges join");
                }
                let coords: Vec<[f64; 2]> = route.geometry(&engine).coords().map(|c| [c.x, c.y]).collect();
                // The length counts road shares by projected length; the line is measured on the sphere.
                let drawn_m: f64 = coords.windows(2).map(|w| haversine_m(w[0], w[1])).sum();
                let slack = 0.01 * drawn_m + 1.0;
                assert!((route.length_m - drawn_m).abs() < slack, "{name}: {} m vs {drawn_m} m drawn", route.length_m);
                let (first, last) = (coords[0], coords[coords.len() - 1]);
                assert!(haversine_m(first, start.lon_lat) < 0.05, "{name}: the route starts at the rider's snap");
                assert!(haversine_m(last, at.lon_lat) < 0.05, "{name}: the route ends at the facility's snap");
                if let [_, _, ..] = coords.as_slice() {
                    routes += 1;
                }
            }
        }
        assert!(routes > 100, "{name}: {routes} routes");
    }
}

#[test]
fn a_rider_on_a_one_way_street_goes_with_the_traffic() {
    // Stations a quarter of a one-way road ahead of the rider and a quarter
    // behind: the one ahead is reached straight along the road, the one
    // behind only the long way round.
    let mut extract = common::read("heidelberg");
    let plain = common::engine(&extract, "ebike");
    let graph = &plain.graph;
    let road = (0..graph.road_count() as u32)
        .find(|&r| {
            let [along, against] = graph.road_edges(r);
            along.is_some() && against.is_none() && graph.road_length_m(r) > 200.0
        })
        .expect("Heidelberg has one-way roads");
    let at = |fraction: f64| {
        let part = plain.road_part(road, 0.0, fraction);
        let end = part.0[part.0.len() - 1];
        [end.x, end.y]
    };
    for (id, fraction) in [("ahead", 0.75), ("behind", 0.25)] {
        let source = reach_engine::Source::File { file: "test".into(), position: id.into() };
        extract.facilities.push(reach_engine::Facility::new(id.into(), Layer::Stations, at(fraction), source));
    }
    let engine = common::engine(&extract, "ebike");
    let rider = engine.snap(at(0.5)).unwrap();
    assert_eq!(rider.road, road);
    let targets: Vec<FacilityId> = ["ahead", "behind"].map(|id| engine.facilities.find(id).unwrap()).to_vec();
    let only_these = Targets::new(&engine, &Filter::default());
    let mut space = SearchSpace::new(engine.graph.node_count());
    let found = find(&engine, &only_these, &rider, &Query::new(50, 120.0).unwrap(), &mut space);
    let of = |f: FacilityId| found.iter().find(|x| x.facility == f).copied().unwrap();
    let (ahead, behind) = (of(targets[0]), of(targets[1]));
    let edge_time = f64::from(engine.graph.time(engine.graph.road_edges(road)[0].unwrap()));
    assert_eq!(ahead.via, Via::OwnRoad);
    assert!((f64::from(ahead.time) - edge_time * 0.25).abs() <= 1.0, "{} vs {edge_time}", ahead.time);
    assert!(matches!(behind.via, Via::JoinsAt(_)));
    assert!(f64::from(behind.time) >= edge_time * 0.5, "behind must go round: {} ds", behind.time);
    let times = node_times(&mut to_petgraph(&engine.graph), &engine, &rider);
    let query = Query::new(50, 120.0).unwrap();
    assert_eq!(
        found.iter().map(|f| (engine.facilities.get(f.facility).id.clone(), f.time)).collect::<Vec<_>>(),
        oracle(&engine, &times, &rider, &only_these, &query)
    );
}
