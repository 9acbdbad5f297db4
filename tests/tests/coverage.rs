//! Coverage on every shared extract: the multi-facility times along every
//! road equal the minimum over single-facility coverage, and the figures add
//! up.

mod common;

use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use reach_engine::coverage::coverage;
use reach_engine::isochrone::Contours;

const EXTRACTS: [&str; 7] = ["monaco", "chengdu", "beijing-haidian", "helsinki", "porto", "andorra", "heidelberg"];

#[test]
fn multi_facility_times_are_the_minimum_over_single_facilities() {
    let mut rng = SmallRng::seed_from_u64(404);
    let contours = Contours::from_minutes(&[10.0, 15.0]).unwrap();
    for name in EXTRACTS {
        let engine = common::engine(&common::read(name), "ebike");
        let snapped: Vec<u32> =
            (0..engine.facilities.all().len() as u32).filter(|&f| engine.snaps[f as usize].is_ok()).collect();
        let chosen: Vec<u32> = (0..6.min(snapped.len())).map(|_| snapped[rng.random_range(0..snapped.len())]).collect();
        let all = coverage(&engine, &chosen, &contours, None);
        let singles: Vec<_> = chosen.iter().map(|&f| coverage(&engine, &[f], &contours, None)).collect();
        for _ in 0..300 {
            let road = rng.random_range(0..engine.graph.road_count());
            let x: f64 = rng.random();
            let expected =
                singles.iter().filter_map(|c| c.roads.road(road as u32).at(x).map(|(t, _)| t)).min_by(f64::total_cmp);
            let actual = all.roads.road(road as u32).at(x).map(|(t, _)| t);
            match (actual, expected) {
                (Some(a), Some(e)) => assert!((a - e).abs() < 1e-6, "{name} road {road} at {x}: {a} vs {e}"),
                (a, e) => assert_eq!(a, e, "{name} road {road} at {x}"),
            }
        }
        for c in &all.contours {
            assert!((c.covered_km + c.uncovered_km - all.road_km).abs() < 1e-6, "{name}: km add up");
            assert_eq!(c.full_coverage, c.gaps.is_empty());
            assert!(c.gaps.windows(2).all(|w| w[0].road_km >= w[1].road_km), "{name}: gaps ranked");
        }
        let catchment_km: f64 = all.catchments.iter().map(|c| c.road_km).sum();
        assert!((catchment_km - all.road_km).abs() < 1e-6, "{name}: catchments split the network");
        // A larger contour covers at least as much.
        assert!(all.contours[1].covered_km >= all.contours[0].covered_km);
    }
}

#[test]
fn administrative_areas_of_complete_extracts_are_study_areas() {
    use geo::Validation;
    use reach_engine::coverage::StudyArea;

    let extract = common::read("monaco");
    let complete: Vec<_> = extract.osm.boundaries.iter().filter(|b| b.area.is_ok()).collect();
    assert!(complete.len() >= 5, "Monaco's districts close: {}", complete.len());
    for b in &complete {
        let area = b.area.as_ref().unwrap();
        assert!(area.is_valid(), "{:?}: {:?}", b.name, area.validation_errors());
    }
    let engine = common::engine(&extract, "ebike");
    let stations: Vec<u32> = engine.facilities.in_layer(reach_engine::Layer::Stations).collect();
    let contours = Contours::from_minutes(&[5.0]).unwrap();
    let whole = coverage(&engine, &stations, &contours, None);
    let mut parts = 0.0;
    for b in &complete {
        let area = StudyArea::from_boundary(&extract.osm.boundaries, &format!("relation/{}", b.id)).unwrap();
        let part = coverage(&engine, &stations, &contours, Some(&area));
        assert!(part.road_km > 0.0 && part.road_km < whole.road_km, "{:?}", b.name);
        parts += part.road_km;
    }
    assert!(parts <= whole.road_km + 1e-6, "districts do not overlap");
    let err = StudyArea::from_boundary(&extract.osm.boundaries, "Atlantis").unwrap_err();
    assert!(err.contains("\"Atlantis\"") && err.contains("Monte-Carlo"), "{err}");
    let clipped = common::read("helsinki");
    let err = StudyArea::from_boundary(&clipped.osm.boundaries, "Kruununhaka").unwrap_err();
    assert!(err.contains("cannot be used") && err.contains("clipped"), "{err}");
}
