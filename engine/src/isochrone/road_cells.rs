//! The cells of the polygon lattice that each road passes through, with the
//! stretch of the road inside each: the half of the raster that depends
//! only on the road geometry and the grid spacing. It is worked out once per
//! engine for the default buffer, and road by road for other buffers.
//!
//! Cells are numbered on a lattice fixed in the local projection: cell
//! `[i, j]` spans `i·h ≤ x ≤ (i + 1)·h` and `j·h ≤ y ≤ (j + 1)·h` for spacing
//! `h`, whatever the grid that later holds it.

use std::ops::Range;

use rayon::prelude::*;

use super::reached::RoadReach;
use super::road_tiles::RoadTiles;
use crate::graph::{Graph, RoadId};
use crate::snap::RoadIndex;

/// Passes of roads through cells, as two lists side by side: the `k`-th
/// pass is through cell `cells[k]`, the road inside it from fraction
/// `parts[k][0]` to `parts[k][1]` of its length. (Apart, because settling
/// a road's cells reads only the cells: a third of the bytes.)
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Visits {
    /// The lattice cell of each pass.
    pub cells: Vec<[i32; 2]>,
    /// The fractions of the road where each pass enters and leaves its
    /// cell (the first at most the second).
    pub parts: Vec<[f64; 2]>,
}

impl Visits {
    /// Passes.
    pub fn len(&self) -> usize {
        self.cells.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.cells.is_empty()
    }

    /// Appends the passes of `other`.
    fn append(&mut self, other: &Visits) {
        self.cells.extend_from_slice(&other.cells);
        self.parts.extend_from_slice(&other.parts);
    }
}

/// The visits of every road, for one grid spacing.
#[derive(Debug, Clone)]
pub struct RoadCells {
    spacing: f64,
    /// Where each road's visits start in `visits`; one more entry than roads.
    starts: Vec<u32>,
    /// Every road's visits in order along the road.
    visits: Visits,
    /// The cells each road's visits span.
    spans: Vec<CellSpan>,
    /// The roads in tiles of the lattice.
    tiles: RoadTiles,
}

/// The lattice cells from `min` to `max` (inclusive) on both axes; empty
/// when `min` exceeds `max`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CellSpan {
    /// The lowest cell index on each axis.
    pub min: [i32; 2],
    /// The highest cell index on each axis.
    pub max: [i32; 2],
}

impl CellSpan {
    /// No cell.
    pub const EMPTY: CellSpan = CellSpan { min: [i32::MAX; 2], max: [i32::MIN; 2] };

    /// The span of `cells`.
    pub fn of(cells: &[[i32; 2]]) -> CellSpan {
        cells.iter().fold(CellSpan::EMPTY, |span, &cell| span.union(CellSpan { min: cell, max: cell }))
    }

    /// The span of both.
    pub fn union(self, other: CellSpan) -> CellSpan {
        CellSpan {
            min: [self.min[0].min(other.min[0]), self.min[1].min(other.min[1])],
            max: [self.max[0].max(other.max[0]), self.max[1].max(other.max[1])],
        }
    }
}

impl RoadCells {
    /// The visits of every road of `roads` (those of `graph`) on the
    /// lattice of the polygons of a `buffer_m` metre buffer.
    pub fn for_buffer(graph: &Graph, roads: &RoadIndex, buffer_m: f64) -> RoadCells {
        RoadCells::new(graph, roads, super::raster::spacing_for(buffer_m))
    }

    /// The visits of every road of `roads` (those of `graph`) on the
    /// lattice of `spacing` metres (computed in parallel), and the roads'
    /// tiles.
    pub fn new(graph: &Graph, roads: &RoadIndex, spacing: f64) -> RoadCells {
        let per_road: Vec<Visits> = (0..roads.road_count() as RoadId)
            .into_par_iter()
            .map(|road| {
                let mut visits = Visits::default();
                visits_of(roads, road, spacing, &mut visits);
                visits
            })
            .collect();
        let mut starts = Vec::with_capacity(per_road.len() + 1);
        let total = per_road.iter().map(Visits::len).sum();
        let mut visits = Visits { cells: Vec::with_capacity(total), parts: Vec::with_capacity(total) };
        for road in &per_road {
            starts.push(visits.len() as u32);
            visits.append(road);
        }
        starts.push(visits.len() as u32);
        let spans = starts.windows(2).map(|w| CellSpan::of(&visits.cells[w[0] as usize..w[1] as usize])).collect();
        let mut cells = RoadCells { spacing, starts, visits, spans, tiles: RoadTiles::default() };
        cells.tiles =
            RoadTiles::new(per_road.len(), &cells.visits, |road| cells.range(road), |road| graph.road_length_m(road));
        cells
    }

    /// The grid spacing in metres.
    pub fn spacing(&self) -> f64 {
        self.spacing
    }

    /// The roads in tiles of the lattice.
    pub fn tiles(&self) -> &RoadTiles {
        &self.tiles
    }

    /// Every road's visits, road after road in id order.
    pub fn visits(&self) -> &Visits {
        &self.visits
    }

    /// Where the visits of `road` (in order along it) are in
    /// [`RoadCells::visits`].
    pub fn range(&self, road: RoadId) -> Range<usize> {
        self.starts[road as usize] as usize..self.starts[road as usize + 1] as usize
    }

    /// The cells `road` passes through span.
    pub fn span(&self, road: RoadId) -> CellSpan {
        self.spans[road as usize]
    }

    /// The cells the stretches of `road` with `reach` pass through span.
    pub fn reach_span(&self, road: RoadId, reach: &RoadReach) -> CellSpan {
        if reach.end_to_end() {
            return self.span(road);
        }
        CellSpan::of(&self.visits.cells[within_reach(&self.visits.parts, self.range(road), reach)])
    }
}

/// The part of `range` (a road's visits, whose fractions in order along it
/// are `parts[range]`) that a road's stretches of `reach` may reach: all of
/// it for a road reached end to end, the common case.
#[inline]
pub fn within_reach(parts: &[[f64; 2]], range: Range<usize>, reach: &RoadReach) -> Range<usize> {
    if reach.end_to_end() {
        return range;
    }
    let [lo, hi] = reach.span;
    let road = &parts[range.clone()];
    // Those that end before `lo` or start after `hi` are out of reach.
    let first = road.partition_point(|&[_, to]| to < lo);
    let last = first + road[first..].partition_point(|&[from, _]| from <= hi);
    range.start + first..range.start + last
}

/// Appends the visits of `road` on the lattice of `spacing` metres to
/// `out`, in order along the road; consecutive passes through one cell are
/// merged.
pub fn visits_of(roads: &RoadIndex, road: RoadId, spacing: f64, out: &mut Visits) {
    let (points, fractions) = roads.projected_road(road);
    let first = out.len();
    let per_metre = 1.0 / spacing;
    let mut push = |cell: [i64; 2], from: f64, to: f64| {
        let cell = [cell[0] as i32, cell[1] as i32];
        match (out.cells[first..].last(), out.parts[first..].last_mut()) {
            (Some(&last), Some(part)) if last == cell => part[1] = to,
            _ => {
                out.cells.push(cell);
                out.parts.push([from, to]);
            }
        }
    };
    for k in 0..points.len().saturating_sub(1) {
        let (p, q) = (points[k], points[k + 1]);
        let (f0, f1) = (fractions[k], fractions[k + 1]);
        let a = [p[0] * per_metre, p[1] * per_metre];
        let b = [q[0] * per_metre, q[1] * per_metre];
        cells_along(a, b, |cell, t0, t1| push(cell, f0 + t0 * (f1 - f0), f0 + t1 * (f1 - f0)));
    }
}

/// Calls `visit(cell, t0, t1)` for every cell the segment from `a` to `b`
/// (in grid units) passes through, in order, with the segment parameters
/// (0 at `a`, 1 at `b`) where it enters and leaves the cell: a grid
/// traversal in the manner of Amanatides and Woo.
fn cells_along(a: [f64; 2], b: [f64; 2], mut visit: impl FnMut([i64; 2], f64, f64)) {
    let (mut i, mut j) = (cell_of(a[0]), cell_of(a[1]));
    let end = [cell_of(b[0]), cell_of(b[1])];
    if [i, j] == end {
        visit(end, 0.0, 1.0);
        return;
    }
    let d = [b[0] - a[0], b[1] - a[1]];
    let step = [d[0].signum() as i64, d[1].signum() as i64];
    // Parameter at which the segment crosses the next vertical (x) and
    // horizontal (y) grid line, and how far apart such crossings are.
    let delta = [1.0 / d[0].abs(), 1.0 / d[1].abs()];
    let first = |p: f64, cell: i64, dp: f64, delta: f64| {
        if dp > 0.0 {
            (cell as f64 + 1.0 - p) * delta
        } else if dp < 0.0 {
            (p - cell as f64) * delta
        } else {
            f64::INFINITY
        }
    };
    let mut next = [first(a[0], i, d[0], delta[0]), first(a[1], j, d[1], delta[1])];
    let mut enter = 0.0;
    loop {
        let exit = next[0].min(next[1]).min(1.0);
        visit([i, j], enter, exit);
        if [i, j] == end {
            return;
        }
        if exit >= 1.0 {
            // Rounding left the walk one step short of the end cell.
            visit(end, 1.0, 1.0);
            return;
        }
        if next[0] < next[1] {
            i += step[0];
            enter = next[0];
            next[0] += delta[0];
        } else {
            j += step[1];
            enter = next[1];
            next[1] += delta[1];
        }
    }
}

/// The cell of a coordinate in grid units: its floor, without a libm call.
pub fn cell_of(x: f64) -> i64 {
    let truncated = x as i64;
    truncated - i64::from(truncated as f64 > x)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_segment_visits_each_crossed_cell_with_its_parameters() {
        // From (0.5, 0.5) to (3.5, 1.5): crosses x = 1 at t = 1/6, x = 2 and
        // y = 1 together at t = 1/2 (through the corner (2, 1)), x = 3 at 5/6.
        let mut seen = Vec::new();
        cells_along([0.5, 0.5], [3.5, 1.5], |cell, t0, t1| seen.push((cell, t0, t1)));
        let expected = [
            ([0, 0], 0.0, 1.0 / 6.0),
            ([1, 0], 1.0 / 6.0, 0.5),
            ([1, 1], 0.5, 0.5),
            ([2, 1], 0.5, 5.0 / 6.0),
            ([3, 1], 5.0 / 6.0, 1.0),
        ];
        assert_eq!(seen.len(), expected.len(), "{seen:?}");
        for ((cell, t0, t1), (e_cell, e0, e1)) in seen.iter().zip(expected) {
            assert_eq!(*cell, e_cell);
            assert!((t0 - e0).abs() < 1e-12 && (t1 - e1).abs() < 1e-12, "{cell:?}: {t0} {t1}");
        }
    }

    #[test]
    fn floors_of_negative_and_whole_coordinates() {
        assert_eq!([cell_of(-0.5), cell_of(-1.0), cell_of(0.0), cell_of(2.999), cell_of(3.0)], [-1, -1, 0, 2, 3]);
    }
}
