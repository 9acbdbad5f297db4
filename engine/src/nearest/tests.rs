//! Nearest facilities on the hand-made town of `graph::tests`, worked out
//! by hand.
//!
//! Edge times (deciseconds): 1-3 500 each way, 3-4 250 each way, 6-1 250
//! each way, and the one-way 4 -> 6 500. Facilities: `a` in the middle of
//! 1-3 (a station with charging), `b` at node 4 (a station open 08-20),
//! `c` and `cc` in the middle of the one-way 4 -> 6 (merchants with water,
//! capacity 5 and none), `d` at node 6 (parking).

use chrono::NaiveDateTime;

use super::*;
use crate::amenity::Amenity;
use crate::engine::Extract;
use crate::facility::{Facility, Source};
use crate::graph::tests::{M_PER_MILLIDEGREE, edge, town};
use crate::opening::parse_local_time;
use crate::profile::Profiles;

fn facility(id: &str, layer: Layer, lon_lat: [f64; 2]) -> Facility {
    Facility::new(id.into(), layer, lon_lat, Source::File { file: "test".into(), position: id.into() })
}

fn town_with_facilities() -> Engine {
    let mut a = facility("a", Layer::Stations, [0.0, 0.001]);
    a.amenities.insert(Amenity::Charging);
    let mut b = facility("b", Layer::Stations, [0.001, 0.002]);
    b.opening_hours = Some("Mo-Su 08:00-20:00".into());
    let mut c = facility("c", Layer::Merchants, [0.001, 0.001]);
    c.amenities.insert(Amenity::Water);
    c.capacity = Some(5);
    let mut cc = facility("cc", Layer::Merchants, [0.001, 0.001]);
    cc.amenities.insert(Amenity::Water);
    let d = facility("d", Layer::Parking, [0.001, 0.0]);
    let extract = Extract { file: "town".into(), osm: town(), facilities: vec![cc, a, b, c, d], demand: Vec::new() };
    Engine::build(&extract, Profiles::default().get("ebike").unwrap(), 300.0, &|_| {}).unwrap()
}

/// Ids and times of the answers from `lon_lat`.
fn ask(engine: &Engine, lon_lat: [f64; 2], filter: &Filter, k: usize, minutes: f64) -> Vec<(String, u32)> {
    let start = engine.snap(lon_lat).unwrap();
    let targets = Targets::new(engine, filter);
    let mut space = SearchSpace::new(engine.graph.node_count());
    let query = Query::new(k, minutes).unwrap();
    let ids = |found: Vec<Found>| -> Vec<(String, u32)> {
        found.iter().map(|f| (engine.facilities.get(f.facility).id.clone(), f.time)).collect()
    };
    let searched = ids(find(engine, &targets, &start, &query, &mut space));
    let looked_up = ids(Table::new(engine, &targets, &query).find(engine, &start));
    assert_eq!(searched, looked_up, "a table answers as a search does");
    searched
}

fn answers(list: &[(&str, u32)]) -> Vec<(String, u32)> {
    list.iter().map(|&(id, t)| (id.to_string(), t)).collect()
}

/// A quarter of the way along the one-way street 4 -> 6.
const ON_ONE_WAY: [f64; 2] = [0.001, 0.0015];

#[test]
fn answers_come_by_travel_time_with_ties_by_id() {
    let engine = town_with_facilities();
    let all = Filter::default();
    // c and cc straight down the one-way road (125), d at node 6 (375),
    // a via 6 -> 1 and half of 1-3 (875), b all the way round (1375).
    let expected = answers(&[("c", 125), ("cc", 125), ("d", 375), ("a", 875), ("b", 1375)]);
    assert_eq!(ask(&engine, ON_ONE_WAY, &all, 5, 60.0), expected);
    assert_eq!(ask(&engine, ON_ONE_WAY, &all, 1, 60.0), expected[..1]);
    assert_eq!(ask(&engine, ON_ONE_WAY, &all, 3, 60.0), expected[..3]);
    // Past c on the one-way street, c is behind the rider: round the block.
    let past = ask(&engine, [0.001, 0.0005], &all, 5, 60.0);
    assert_eq!(past, answers(&[("d", 125), ("a", 625), ("b", 1125), ("c", 1375), ("cc", 1375)]));
}

#[test]
fn filters_and_limits_narrow_the_answers() {
    let engine = town_with_facilities();
    let stations = Filter { layers: vec![Layer::Stations], ..Filter::default() };
    assert_eq!(ask(&engine, ON_ONE_WAY, &stations, 3, 60.0), answers(&[("a", 875), ("b", 1375)]));
    let night: NaiveDateTime = parse_local_time("2026-11-25T02:00").unwrap();
    let open_stations = Filter { open_at: Some(night), ..stations.clone() };
    assert_eq!(ask(&engine, ON_ONE_WAY, &open_stations, 3, 60.0), answers(&[("a", 875)]));
    let noon = Filter { open_at: parse_local_time("2026-11-25T12:00").ok(), ..stations };
    assert_eq!(ask(&engine, ON_ONE_WAY, &noon, 3, 60.0).len(), 2);
    let water = Filter { amenities: [Amenity::Water].into_iter().collect(), ..Filter::default() };
    assert_eq!(ask(&engine, ON_ONE_WAY, &water, 3, 60.0), answers(&[("c", 125), ("cc", 125)]));
    let big = Filter { min_capacity: Some(3), ..Filter::default() };
    assert_eq!(ask(&engine, ON_ONE_WAY, &big, 3, 60.0), answers(&[("c", 125)]));
    // 1.5 minutes = 900 ds: b (1375) is out of reach.
    assert_eq!(ask(&engine, ON_ONE_WAY, &Filter::default(), 5, 1.5).len(), 4);
}

#[test]
fn shortfalls_say_why() {
    let engine = town_with_facilities();
    let start = engine.snap(ON_ONE_WAY).unwrap();
    let mut space = SearchSpace::new(engine.graph.node_count());
    let query = Query::new(3, 1.0).unwrap();
    let none = Targets::new(&engine, &Filter { min_capacity: Some(100), ..Filter::default() });
    let result = nearest(&engine, &none, &start, &query, &mut space);
    assert!(result.answers.is_empty());
    assert_eq!(result.shortfall.as_deref(), Some("no facility on the road network matches the filters"));
    let stations = Targets::new(&engine, &Filter { layers: vec![Layer::Stations], ..Filter::default() });
    let result = nearest(&engine, &stations, &start, &query, &mut space);
    assert_eq!(result.shortfall.as_deref(), Some("no matching facility within 1 minutes (2 match the filters)"));
    assert_eq!(Query::new(0, 10.0), Err(NearestError::BadK(0)));
    assert_eq!(Query::new(MAX_K + 1, 10.0), Err(NearestError::BadK(MAX_K + 1)));
    assert!(Query::new(3, f64::NAN).is_err());
    assert!(Query::new(3, 121.0).is_err());
}

#[test]
fn routes_follow_the_roads_and_add_up() {
    let engine = town_with_facilities();
    let start = engine.snap(ON_ONE_WAY).unwrap();
    let targets = Targets::new(&engine, &Filter { layers: vec![Layer::Stations], ..Filter::default() });
    let mut space = SearchSpace::new(engine.graph.node_count());
    let query = Query::new(1, 60.0).unwrap();
    let result = nearest(&engine, &targets, &start, &query, &mut space);
    assert_eq!(result, Table::new(&engine, &targets, &query).nearest(&engine, &start));
    let route = &result.answers[0].route;
    // To 6 (375), along 6 -> 1 (250), then half of 1-3 (250).
    assert_eq!((route.lead_in, route.lead_out), (375, 250));
    assert_eq!(route.edges, [edge(&engine.graph, 6, 1).unwrap()]);
    let expected = [[0.001, 0.0015], [0.001, 0.001], [0.001, 0.0], [0.0, 0.0], [0.0, 0.001]];
    let coords: Vec<[f64; 2]> = route.geometry(&engine).coords().map(|c| [c.x, c.y]).collect();
    assert_eq!(coords.len(), expected.len());
    for (got, want) in coords.iter().zip(expected) {
        assert!((got[0] - want[0]).abs() < 1e-9 && (got[1] - want[1]).abs() < 1e-9, "{coords:?}");
    }
    assert!((route.length_m - 3.5 * M_PER_MILLIDEGREE).abs() < 0.01, "{}", route.length_m);

    // Straight along the rider's road: no whole edge.
    let water = Targets::new(&engine, &Filter { min_capacity: Some(1), ..Filter::default() });
    let result = nearest(&engine, &water, &start, &Query::new(1, 60.0).unwrap(), &mut space);
    let route = &result.answers[0].route;
    assert_eq!((route.lead_in, route.edges.len(), route.lead_out), (125, 0, 0));
    assert!((route.length_m - 0.5 * M_PER_MILLIDEGREE).abs() < 0.01, "{}", route.length_m);
    assert_eq!(result.answers[0].seconds(), 12.5);
}
