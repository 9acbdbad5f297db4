//! Isochrones of many facilities in parallel, one search space per rayon
//! worker, and the service circle of a whole selection.

use std::sync::atomic::{AtomicUsize, Ordering};

use rayon::prelude::*;

use super::{IsochroneError, Reached};
use crate::engine::Engine;
use crate::facility::FacilityId;
use crate::search::{Direction, SearchSpace};
use crate::snap::Snap;

/// The snap of a facility, or why it has none.
fn facility_snap(engine: &Engine, facility: FacilityId) -> Result<Snap, IsochroneError> {
    engine.snaps[facility as usize].clone().map_err(|e| IsochroneError::Unsnapped {
        facility: engine.facilities.get(facility).id.clone(),
        reason: e.to_string(),
    })
}

/// Runs one search per facility in parallel (from the facility in
/// `direction`, up to `limit` deciseconds) and turns each reached network
/// into a result with `shape(facility, reached)`. Results come in the order of `facilities`;
/// `progress(done, total)` is called from the workers.
pub fn per_facility<T: Send>(
    engine: &Engine,
    facilities: &[FacilityId],
    direction: Direction,
    limit: u32,
    progress: &(dyn Fn(usize, usize) + Sync),
    shape: impl Fn(FacilityId, &Reached) -> Result<T, IsochroneError> + Sync,
) -> Vec<Result<T, IsochroneError>> {
    let done = AtomicUsize::new(0);
    let total = facilities.len();
    facilities
        .par_iter()
        .map_init(
            || SearchSpace::new(engine.graph.node_count()),
            |space, &facility| {
                let result = facility_snap(engine, facility)
                    .and_then(|snap| Reached::search(engine, &[snap], direction, limit, space))
                    .and_then(|reached| shape(facility, &reached));
                progress(done.fetch_add(1, Ordering::Relaxed) + 1, total);
                result
            },
        )
        .collect()
}

/// The reached network of all `facilities` at once (a multi-source search):
/// every road point's time is the time to (or from) its nearest facility, so
/// each contour of it is the union of the facilities' isochrones, the
/// layer's service circle. Unsnapped facilities are left out.
pub fn service_circle(
    engine: &Engine,
    facilities: &[FacilityId],
    direction: Direction,
    limit: u32,
) -> Result<Reached, IsochroneError> {
    let starts: Vec<Snap> = facilities.iter().filter_map(|&f| engine.snaps[f as usize].clone().ok()).collect();
    let mut space = SearchSpace::new(engine.graph.node_count());
    Reached::search(engine, &starts, direction, limit, &mut space)
}
