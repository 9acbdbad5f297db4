//! A grid over the reached area, in the local metric projection, holding at
//! every grid point the earliest travel time of the reached road within a
//! fixed neighbourhood of cells around it.
//!
//! 1. **Cells**: the cells each road passes through, with the part of the
//!    road inside each, come from [`RoadCells`] (worked out once per engine
//!    for the default buffer). Time is linear along every reached stretch, so
//!    the earliest time of a stretch inside a cell is at one end of its part
//!    there: each cell's time is exact.
//! 2. **Grid points**: each grid point takes the earliest time of the twelve
//!    cells of its *stencil*: the cells whose every point lies within
//!    `buffer − h·√2` of it, four of its own and two beyond each side. The
//!    stencil is the union of a 4×2 and a 2×4 block of cells, so it is taken
//!    as two separable minimum filters, row by row.
//!
//! With spacing `h = buffer / 4`: a grid point with time ≤ T has a road
//! point reached within T at most `buffer − h·√2` away, so every point of a
//! marching-squares cell with such a corner lies within `buffer` of one;
//! and every road point reached within T makes all four corners of its cell
//! inside, so that whole cell is inside. The contour tracer relies on
//! exactly these two facts.

use std::cell::Cell;
use std::ops::Range;

use super::IsochroneError;
use super::contour::Inside;
use super::reached::Stretch;
use super::road_cells::{CellSpan, RoadCells, Visit, visits_of};
use crate::snap::RoadIndex;

/// Grid points at most (144 MB of times).
pub const MAX_GRID_POINTS: usize = 36_000_000;

/// Grid spacing as a share of the buffer (the stencil below is drawn for it).
const SPACING_PER_BUFFER: f64 = 1.0 / 4.0;

/// The grid spacing for a buffer of `buffer_m` metres.
pub fn spacing_for(buffer_m: f64) -> f64 {
    buffer_m * SPACING_PER_BUFFER
}

/// Cells of empty border around the reached ones: room for the stencil,
/// plus grid points on the grid's edge that stay outside.
const MARGIN: i64 = 4;

/// Largest cell buffer kept for reuse by each thread (16 MB).
const SPARE_LIMIT: usize = 4_000_000;

thread_local! {
    /// The cell buffer of the last grid dropped on this thread, every slot
    /// back to infinity, so the next grid needs neither an allocation nor a
    /// fill of its whole area.
    static SPARE_CELLS: Cell<Vec<f32>> = const { Cell::new(Vec::new()) };
}

/// The earliest-time grid of one search.
#[derive(Debug, Clone)]
pub struct TimeGrid {
    /// Lattice index of grid point (0, 0) (see [`Inside::origin`]).
    origin: [i64; 2],
    /// Distance between neighbouring grid points, metres.
    spacing: f64,
    /// Grid points along x.
    nx: usize,
    /// Grid points along y.
    ny: usize,
    /// Earliest time per grid point (`f32::INFINITY` where none), row by row.
    time: Vec<f32>,
}

/// A stretch as a linear function of the road fraction: reached from `lo`
/// to `hi`, at time `time + slope · (f − lo)`.
#[derive(Debug, Clone, Copy)]
struct Line {
    lo: f64,
    hi: f64,
    time: f64,
    slope: f64,
}

impl Line {
    fn of(s: &Stretch) -> Line {
        let [lo, hi] = s.interval();
        if s.to == s.from {
            return Line { lo, hi, time: lesser(s.time[0], s.time[1]), slope: 0.0 };
        }
        let slope = (s.time[1] - s.time[0]) / (s.to - s.from);
        Line { lo, hi, time: s.time[0] + slope * (lo - s.from), slope }
    }
}

/// The earliest time of `lines` between road fractions `from` and `to`
/// (infinite where none of them reaches).
fn earliest(lines: &[Line], from: f64, to: f64) -> f64 {
    let mut best = f64::INFINITY;
    for line in lines {
        let (lo, hi) = (greater(from, line.lo), lesser(to, line.hi));
        if lo <= hi {
            best = lesser(best, line.time + line.slope * (if line.slope >= 0.0 { lo } else { hi } - line.lo));
        }
    }
    best
}

/// The smaller of two numbers (neither is NaN here; plain comparisons keep
/// the hot loops short).
fn lesser(a: f64, b: f64) -> f64 {
    if a < b { a } else { b }
}

/// The larger of two numbers (neither is NaN here).
fn greater(a: f64, b: f64) -> f64 {
    if a > b { a } else { b }
}

/// The stretches of one road: their lines, and the road's visits when they
/// were worked out for this grid (ranges into the build's vectors).
struct RoadGroup {
    road: crate::graph::RoadId,
    lines: Range<usize>,
    computed: Option<Range<usize>>,
}

/// The visits of one road that its stretches may reach, the cells they
/// span, and the stretches as lines.
struct RoadReach<'a> {
    visits: &'a [Visit],
    span: CellSpan,
    lines: &'a [Line],
}

impl TimeGrid {
    /// Rasterizes `stretches` (grouped by road) for a buffer of `buffer_m`
    /// metres, with the road visits of `known` when their spacing is the
    /// one needed.
    pub fn build(
        roads: &RoadIndex,
        known: &RoadCells,
        stretches: &[Stretch],
        buffer_m: f64,
    ) -> Result<TimeGrid, IsochroneError> {
        let spacing = spacing_for(buffer_m);
        debug_assert!(stretches.is_sorted_by_key(|s| s.road), "stretches are grouped by road");
        let cached = known.spacing() == spacing;
        let lines: Vec<Line> = stretches.iter().map(Line::of).collect();
        // Visits worked out here when the cached ones do not fit the spacing.
        let mut computed = Vec::new();
        let mut groups = Vec::new();
        let mut start = 0;
        for group in stretches.chunk_by(|a, b| a.road == b.road) {
            let road = group[0].road;
            let computed = (!cached).then(|| {
                let first = computed.len();
                visits_of(roads, road, spacing, &mut computed);
                first..computed.len()
            });
            groups.push(RoadGroup { road, lines: start..start + group.len(), computed });
            start += group.len();
        }
        let reach_of = |group: &RoadGroup| {
            let lines = &lines[group.lines.clone()];
            let (lo, hi) =
                lines.iter().fold((f64::MAX, f64::MIN), |(l, h), line| (lesser(l, line.lo), greater(h, line.hi)));
            let all = match &group.computed {
                Some(range) => &computed[range.clone()],
                // A wholly reached road, the common case, needs no search
                // and its span is known.
                None if lo <= 0.0 && hi >= 1.0 => {
                    return RoadReach { visits: known.of(group.road), span: known.span(group.road), lines };
                }
                None => known.of(group.road),
            };
            // Visits are in order along the road: those that end before `lo`
            // or start after `hi` are out of reach.
            let first = all.partition_point(|v| v.to < lo);
            let last = first + all[first..].partition_point(|v| v.from <= hi);
            let visits = &all[first..last];
            RoadReach { visits, span: CellSpan::of(visits), lines }
        };
        let reaches: Vec<RoadReach> = groups.iter().map(reach_of).collect();
        let span = reaches.iter().fold(CellSpan::EMPTY, |span, reach| span.union(reach.span));
        if span.min[0] > span.max[0] {
            return Err(IsochroneError::NoStart);
        }
        let (min, max) = (span.min.map(i64::from), span.max.map(i64::from));
        let origin = [min[0] - MARGIN, min[1] - MARGIN];
        let nx = (max[0] + MARGIN - origin[0] + 1) as usize;
        let ny = (max[1] + MARGIN - origin[1] + 1) as usize;
        let points = nx.saturating_mul(ny);
        if points > MAX_GRID_POINTS {
            return Err(IsochroneError::GridTooLarge { points, limit: MAX_GRID_POINTS, buffer_m });
        }
        let mut time = SPARE_CELLS.take();
        if time.len() < points {
            time.resize(points, f32::INFINITY);
        }
        let mut cells = Cells { nx, ny, origin, time };
        for RoadReach { visits, lines, .. } in reaches {
            for v in visits {
                let t = earliest(lines, v.from, v.to);
                if t.is_finite() {
                    cells.mark(v.cell, t);
                }
            }
        }
        let time = cells.stencil_minimum();
        Ok(TimeGrid { origin, spacing, nx, ny, time })
    }

    /// The grid points inside the contour of `limit`: those whose time is
    /// within it.
    pub fn inside(&self, limit: f32) -> Inside {
        Inside::within(self.origin, self.spacing, [self.nx, self.ny], &self.time, limit)
    }
}

/// Earliest time per cell (cell (i, j) lies between grid points (i, j) and
/// (i + 1, j + 1)), row by row (the buffer may be longer than the grid).
#[derive(Debug)]
struct Cells {
    nx: usize,
    ny: usize,
    origin: [i64; 2],
    time: Vec<f32>,
}

impl Drop for Cells {
    /// Puts the buffer back, every slot infinite again, for the next grid.
    fn drop(&mut self) {
        let mut time = std::mem::take(&mut self.time);
        if time.len() <= SPARE_LIMIT {
            time[..self.nx * self.ny].fill(f32::INFINITY);
            SPARE_CELLS.set(time);
        }
    }
}

impl Cells {
    /// Lowers the time of lattice cell `cell` to `t`.
    fn mark(&mut self, cell: [i32; 2], t: f64) {
        let (i, j) = (i64::from(cell[0]), i64::from(cell[1]));
        let index = (j - self.origin[1]) as usize * self.nx + (i - self.origin[0]) as usize;
        let slot = &mut self.time[index];
        *slot = least(*slot, t as f32);
    }

    /// The time of every grid point: the earliest
    /// of the cells in its stencil. Grid point (i, j) sees cells (i + a,
    /// j + b) for a in −2..=1 with b in −1..=0 (box A), and for a in −1..=0
    /// with b in −2..=1 (box B).
    fn stencil_minimum(&self) -> Vec<f32> {
        let (nx, ny) = (self.nx, self.ny);
        let mut time = Vec::with_capacity(nx * ny);
        let row = |j: usize| &self.time[j * nx..(j + 1) * nx];
        let pair_minimum = |out: &mut Vec<f32>, a: &[f32], b: &[f32]| {
            out.clear();
            out.extend(a.iter().zip(b).map(|(&x, &y)| least(x, y)));
        };
        // `two[k]`: per column, the earliest of cell rows j − 2 + k and
        // j − 1 + k; `four`: of cell rows j − 2 to j + 1.
        let mut two = [Vec::with_capacity(nx), Vec::with_capacity(nx), Vec::with_capacity(nx)];
        let mut four = Vec::with_capacity(nx);
        pair_minimum(&mut two[1], row(0), row(1));
        pair_minimum(&mut two[2], row(1), row(2));
        // Points within two of the grid's edge would see cells beyond it: they
        // stay outside (the margin keeps reached cells away from them).
        let n = nx - 3;
        time.resize(2 * nx, f32::INFINITY);
        for j in 2..ny - 1 {
            two.rotate_left(1);
            let [below, current, above] = &mut two;
            pair_minimum(above, row(j), row(j + 1));
            pair_minimum(&mut four, below, above);
            let (a0, a1, a2, a3) = (&current[..n], &current[1..n + 1], &current[2..n + 2], &current[3..n + 3]);
            let (b0, b1) = (&four[1..n + 1], &four[2..n + 2]);
            time.extend_from_slice(&[f32::INFINITY; 2]);
            time.extend((0..n).map(|k| {
                let box_a = least(least(a0[k], a1[k]), least(a2[k], a3[k]));
                least(box_a, least(b0[k], b1[k]))
            }));
            time.push(f32::INFINITY);
        }
        time.resize(nx * ny, f32::INFINITY);
        time
    }
}

/// The smaller of two times (never NaN), in a form that vectorizes.
fn least(a: f32, b: f32) -> f32 {
    if a < b { a } else { b }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Whether every point of the cell at offset `(a, b)` from a grid point
    /// (its lower-left corner, in cells) lies within `buffer − h·√2` of it.
    fn wholly_near(a: i64, b: i64) -> bool {
        let far = |o: i64| o.abs().max((o + 1).abs()) as f64;
        far(a).hypot(far(b)) <= 4.0 - std::f64::consts::SQRT_2
    }

    #[test]
    fn each_point_sees_exactly_the_cells_wholly_within_the_core_radius() {
        let (nx, ny) = (12, 12);
        let cell = [5, 6];
        let mut cells = Cells { nx, ny, origin: [0, 0], time: vec![f32::INFINITY; nx * ny] };
        cells.mark(cell, 7.0);
        let time = cells.stencil_minimum();
        let mut seen = 0;
        for j in 0..ny as i64 {
            for i in 0..nx as i64 {
                let t = time[(j * nx as i64 + i) as usize];
                let expected = wholly_near(cell[0] as i64 - i, cell[1] as i64 - j);
                assert_eq!(t == 7.0, expected, "point ({i}, {j})");
                assert!(t == 7.0 || t.is_infinite());
                seen += usize::from(expected);
            }
        }
        assert_eq!(seen, 12, "four own cells and two beyond each side");
    }

    #[test]
    fn a_point_takes_the_earliest_cell_it_sees() {
        let (nx, ny) = (12, 12);
        let mut cells = Cells { nx, ny, origin: [0, 0], time: vec![f32::INFINITY; nx * ny] };
        cells.mark([5, 5], 9.0);
        cells.mark([6, 5], 4.0);
        cells.mark([6, 5], 6.0);
        let time = cells.stencil_minimum();
        assert_eq!(time[5 * nx + 6], 4.0, "sees both, keeps the earlier of the second cell's times");
        assert_eq!(time[5 * nx + 4], 9.0, "sees only the first (offset +1), not the second (+2)");
    }
}
