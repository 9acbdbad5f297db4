//! A grid over the reached area, in the local metric projection, holding at
//! every grid point the earliest travel time of the reached road within a
//! fixed neighbourhood of cells around it.
//!
//! 1. **Cells**: every reached stretch is walked cell by cell (a grid
//!    traversal in the manner of Amanatides and Woo); each cell keeps the
//!    earliest time of the road points inside it, exactly (time is linear
//!    along a stretch, so the earliest point is where the road enters or
//!    leaves the cell).
//! 2. **Grid points**: each grid point takes the earliest time of the cells
//!    in its *stencil*: the cells whose every point lies within
//!    `buffer − h·√2` of it, which always includes its four own cells.
//!
//! With spacing `h = buffer / 4`: a grid point with time ≤ T has a road
//! point reached within T at most `buffer − h·√2` away, so every point of a
//! marching-squares cell with such a corner lies within `buffer` of one;
//! and every road point reached within T makes all four corners of its cell
//! inside, so that whole cell is inside. The contour tracer relies on
//! exactly these two facts.

use super::IsochroneError;
use super::reached::Stretch;
use crate::snap::RoadIndex;

/// Grid points at most (144 MB of times).
pub const MAX_GRID_POINTS: usize = 36_000_000;

/// Grid spacing as a share of the buffer.
const SPACING_PER_BUFFER: f64 = 1.0 / 4.0;

/// The earliest-time grid of one search.
#[derive(Debug, Clone)]
pub struct TimeGrid {
    /// Lattice index of grid point (0, 0): grid point (i, j) sits at
    /// `((origin[0] + i) * spacing, (origin[1] + j) * spacing)` in projected
    /// metres, so the same lattice point has the same coordinates in every
    /// grid with this spacing.
    pub origin: [i64; 2],
    /// Distance between neighbouring grid points, metres.
    pub spacing: f64,
    /// Grid points along x.
    pub nx: usize,
    /// Grid points along y.
    pub ny: usize,
    /// Earliest time per grid point (`f32::INFINITY` where none), row by row.
    pub time: Vec<f32>,
}

/// A straight piece of road in grid units, covered by the parts of one or
/// more stretches (both directions of a road share its pieces).
#[derive(Debug, Clone, Copy)]
struct Piece {
    a: [f64; 2],
    b: [f64; 2],
}

/// The part of a stretch on a piece: from `from` to `to` (piece parameter,
/// 0 at `a`, 1 at `b`), the time at `from` and its change per unit of the
/// parameter.
#[derive(Debug, Clone, Copy)]
struct Part {
    from: f64,
    to: f64,
    time: f64,
    slope: f64,
}

impl Part {
    /// The earliest time of the part between parameters `s0` and `s1`, if
    /// they overlap.
    fn earliest(&self, s0: f64, s1: f64) -> Option<f64> {
        let (lo, hi) = (s0.max(self.from), s1.min(self.to));
        (lo <= hi).then_some(self.time + self.slope * (if self.slope >= 0.0 { lo } else { hi } - self.from))
    }
}

impl TimeGrid {
    /// Rasterizes `stretches` for a buffer of `buffer_m` metres.
    pub fn build(roads: &RoadIndex, stretches: &[Stretch], buffer_m: f64) -> Result<TimeGrid, IsochroneError> {
        let spacing = buffer_m * SPACING_PER_BUFFER;
        let stencil = stencil(buffer_m - spacing * std::f64::consts::SQRT_2, spacing);
        let reach = stencil.iter().map(|&(a, b)| a.abs().max(b.abs())).max().unwrap_or(0) + 1;
        debug_assert!(stretches.is_sorted_by_key(|s| s.road), "stretches are grouped by road");
        let mut pieces = Vec::with_capacity(stretches.len());
        let mut parts = Vec::with_capacity(stretches.len() * 2);
        for group in stretches.chunk_by(|a, b| a.road == b.road) {
            pieces_of(roads, group, spacing, &mut pieces, &mut parts);
        }
        let (mut min, mut max) = ([f64::MAX; 2], [f64::MIN; 2]);
        for (p, _) in &pieces {
            for q in [p.a, p.b] {
                min = [min[0].min(q[0]), min[1].min(q[1])];
                max = [max[0].max(q[0]), max[1].max(q[1])];
            }
        }
        if pieces.is_empty() {
            return Err(IsochroneError::NoStart);
        }
        // Room for the stencil, plus a border of grid points that stay outside.
        let margin = reach + 1;
        let origin = [min[0].floor() as i64 - margin, min[1].floor() as i64 - margin];
        let nx = (max[0].floor() as i64 + margin - origin[0] + 1) as usize;
        let ny = (max[1].floor() as i64 + margin - origin[1] + 1) as usize;
        let points = nx.saturating_mul(ny);
        if points > MAX_GRID_POINTS {
            return Err(IsochroneError::GridTooLarge { points, limit: MAX_GRID_POINTS, buffer_m });
        }
        let mut cells = Cells { nx, origin, time: vec![f32::INFINITY; points], marked: Vec::new() };
        for (piece, range) in &pieces {
            cells.walk(piece, &parts[range.clone()]);
        }
        // Cell (i, j) and grid point (i, j) share an index: the grid point that
        // sees a cell at stencil offset (a, b) is `a + b * nx` places before it.
        // Each row of the stencil is a run of consecutive grid points.
        let runs: Vec<(usize, usize)> = stencil_runs(&stencil)
            .into_iter()
            .map(|(b, [a0, a1])| ((a1 + b * nx as i64) as usize, (a1 - a0 + 1) as usize))
            .collect();
        let mut time = vec![f32::INFINITY; points];
        for &cell in &cells.marked {
            let t = cells.time[cell as usize];
            for &(delta, len) in &runs {
                let first = (cell as usize).wrapping_sub(delta);
                for slot in &mut time[first..first + len] {
                    *slot = slot.min(t);
                }
            }
        }
        Ok(TimeGrid { origin, spacing, nx, ny, time })
    }
}

/// The cells (offsets of their lower-left corner from a grid point, in
/// cells) whose farthest point is within `radius` metres of the grid point.
fn stencil(radius: f64, spacing: f64) -> Vec<(i64, i64)> {
    let span = (radius / spacing).ceil() as i64 + 1;
    let mut cells = Vec::new();
    for a in -span..span {
        for b in -span..span {
            let far = |o: i64| o.abs().max((o + 1).abs()) as f64;
            if (far(a).hypot(far(b))) * spacing <= radius + 1e-9 {
                cells.push((a, b));
            }
        }
    }
    cells
}

/// The stencil by rows: for each row offset `b`, the first and last column
/// offsets `a` (the stencil is a disc, so each row is one run).
fn stencil_runs(stencil: &[(i64, i64)]) -> Vec<(i64, [i64; 2])> {
    let mut runs: Vec<(i64, [i64; 2])> = Vec::new();
    for &(a, b) in stencil {
        match runs.iter_mut().find(|(row, _)| *row == b) {
            Some((_, [a0, a1])) => (*a0, *a1) = ((*a0).min(a), (*a1).max(a)),
            None => runs.push((b, [a, a])),
        }
    }
    debug_assert_eq!(runs.iter().map(|(_, [a0, a1])| a1 - a0 + 1).sum::<i64>(), stencil.len() as i64, "rows are runs");
    runs
}

/// Earliest time per cell (cell (i, j) lies between grid points (i, j) and
/// (i + 1, j + 1)), and the cells marked so far.
struct Cells {
    nx: usize,
    origin: [i64; 2],
    time: Vec<f32>,
    marked: Vec<u32>,
}

impl Cells {
    fn mark(&mut self, i: i64, j: i64, t: f64) {
        let index = (j - self.origin[1]) as usize * self.nx + (i - self.origin[0]) as usize;
        let slot = &mut self.time[index];
        if slot.is_infinite() {
            self.marked.push(index as u32);
        }
        *slot = slot.min(t as f32);
    }

    /// Marks every cell the piece passes through with the earliest time of
    /// its parts inside the cell.
    fn walk(&mut self, piece: &Piece, parts: &[Part]) {
        let Piece { a, b } = *piece;
        let d = [b[0] - a[0], b[1] - a[1]];
        let earliest = |s0: f64, s1: f64| parts.iter().filter_map(|p| p.earliest(s0, s1)).fold(f64::INFINITY, f64::min);
        let (mut i, mut j) = (a[0].floor() as i64, a[1].floor() as i64);
        let (i_end, j_end) = (b[0].floor() as i64, b[1].floor() as i64);
        if (i, j) == (i_end, j_end) {
            // Most pieces are shorter than a cell: one cell, no traversal.
            let t = earliest(0.0, 1.0);
            if t.is_finite() {
                self.mark(i, j, t);
            }
            return;
        }
        let step = [d[0].signum() as i64, d[1].signum() as i64];
        // Parameter at which the piece crosses the next vertical (x) and
        // horizontal (y) grid line, and how far apart such crossings are.
        let first = |p: f64, cell: i64, dp: f64| {
            if dp > 0.0 {
                (cell as f64 + 1.0 - p) / dp
            } else if dp < 0.0 {
                (p - cell as f64) / -dp
            } else {
                f64::INFINITY
            }
        };
        let mut next = [first(a[0], i, d[0]), first(a[1], j, d[1])];
        let delta = [1.0 / d[0].abs(), 1.0 / d[1].abs()];
        let mut enter = 0.0;
        let steps = (i_end - i).abs() + (j_end - j).abs();
        for _ in 0..=steps {
            let exit = next[0].min(next[1]).min(1.0);
            let t = earliest(enter, exit);
            if t.is_finite() {
                self.mark(i, j, t);
            }
            if (i, j) == (i_end, j_end) || exit >= 1.0 {
                break;
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
}

/// Appends the straight pieces of a road covered by its stretches
/// (`group`, all on that road), in grid units (projected metres divided by
/// `spacing`), each with the range of its parts in `parts`.
fn pieces_of(
    roads: &RoadIndex,
    group: &[Stretch],
    spacing: f64,
    pieces: &mut Vec<(Piece, std::ops::Range<usize>)>,
    parts: &mut Vec<Part>,
) {
    let (points, fractions) = roads.projected_road(group[0].road);
    let (lo, hi) = group.iter().map(|s| s.interval()).fold((f64::MAX, f64::MIN), |(l, h), [a, b]| (l.min(a), h.max(b)));
    // The first segment that ends at or after `lo`; stop after `hi`.
    let first = fractions.partition_point(|&f| f < lo).saturating_sub(1);
    for k in first..points.len() - 1 {
        let (f0, f1) = (fractions[k], fractions[k + 1]);
        if f0 > hi {
            break;
        }
        if f1 < lo {
            continue;
        }
        let (p, q) = (points[k], points[k + 1]);
        let at = |f: f64| {
            let t = if f1 > f0 { (f - f0) / (f1 - f0) } else { 0.0 };
            [(p[0] + t * (q[0] - p[0])) / spacing, (p[1] + t * (q[1] - p[1])) / spacing]
        };
        // The piece spans road fractions [start, end]; parts use its parameter.
        let (start, end) = (f0.max(lo), f1.min(hi));
        let param = |f: f64| if end > start { (f - start) / (end - start) } else { 0.0 };
        let first_part = parts.len();
        for s in group {
            let [s_lo, s_hi] = s.interval();
            let (from, to) = (s_lo.max(start), s_hi.min(end));
            if from > to {
                continue;
            }
            let per_fraction = if s.to == s.from { 0.0 } else { (s.time[1] - s.time[0]) / (s.to - s.from) };
            let time_at = |f: f64| {
                if s.to == s.from { s.time[0].min(s.time[1]) } else { s.time[0] + per_fraction * (f - s.from) }
            };
            parts.push(Part {
                from: param(from),
                to: param(to),
                time: time_at(from),
                slope: per_fraction * (end - start),
            });
        }
        if parts.len() > first_part {
            pieces.push((Piece { a: at(start), b: at(end) }, first_part..parts.len()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stencil_holds_the_four_own_cells_and_stays_within_its_radius() {
        // Buffer 50 m, spacing 12.5 m: cells wholly within 32.3 m.
        let cells = stencil(50.0 - 12.5 * std::f64::consts::SQRT_2, 12.5);
        for own in [(-1, -1), (-1, 0), (0, -1), (0, 0)] {
            assert!(cells.contains(&own));
        }
        assert_eq!(cells.len(), 12);
        assert!(cells.contains(&(1, 0)), "its far corner is 2.24 cells = 28 m away");
        assert!(!cells.contains(&(1, 1)), "its far corner is 2.83 cells = 35.4 m away");
    }

    #[test]
    fn a_walk_marks_each_crossed_cell_with_its_earliest_time() {
        let mut cells = Cells { nx: 10, origin: [0, 0], time: vec![f32::INFINITY; 100], marked: Vec::new() };
        // From (0.5, 0.5) to (3.5, 1.5), time 0 to 30: crosses cells (0,0), (1,0), (1,1), (2,1), (3,1).
        let part = Part { from: 0.0, to: 1.0, time: 0.0, slope: 30.0 };
        cells.walk(&Piece { a: [0.5, 0.5], b: [3.5, 1.5] }, &[part]);
        let mut marked: Vec<(usize, usize, f32)> =
            cells.marked.iter().map(|&c| (c as usize % 10, c as usize / 10, cells.time[c as usize])).collect();
        marked.sort_by_key(|m| (m.0, m.1));
        let expected = [(0, 0, 0.0), (1, 0, 5.0), (1, 1, 15.0 - 0.0), (2, 1, 15.0), (3, 1, 25.0)];
        assert_eq!(marked.len(), expected.len(), "{marked:?}");
        // Crossing x = 1 at s = 1/6 (t = 5), y = 1 at s = 1/2 (t = 15), x = 2 at s = 1/2, x = 3 at 5/6 (t = 25).
        for ((i, j, t), (ei, ej, et)) in marked.iter().zip(expected) {
            assert_eq!((*i, *j), (ei, ej));
            assert!((t - et).abs() < 1e-4, "cell {i},{j}: {t} vs {et}");
        }
    }
}
