//! Marching squares over the grid points inside a contour: their polygons,
//! with holes, valid by construction.
//!
//! Each cell's
//! boundary crossings sit at the midpoints of its edges; segments join them
//! with the inside on their left, so outer rings run counter-clockwise and
//! holes clockwise. A saddle cell (two opposite corners inside) joins its
//! inside corners through the cell, the same way at every limit, so larger
//! limits give polygons that contain those of smaller ones. Rings never
//! cross or touch: every crossing point belongs to exactly one ring.
//! Crossings sit on one lattice shared by all grids of the same spacing
//! (see [`Inside::origin`]), so equal crossings have equal coordinates.
//!
//! The grid is one bit per point, so a ring is followed cell to cell within
//! a few kilobytes; rings are looked for where the bits change along a row,
//! 64 points at a time, and all of them go into one buffer.

use geo::{Coord, LineString, MultiPolygon, Polygon};

/// Which grid points are inside a contour, on a lattice in the local metric
/// projection, one bit per point. The points on the grid's edge must be
/// outside.
#[derive(Debug, Clone)]
pub struct Inside {
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
    /// Bits per row: a whole number of words, more than `nx`. Point (i, j)
    /// has index `j * stride + i`.
    stride: usize,
    /// Bit `index % 64` of word `index / 64` is set for a point inside, plus
    /// one spare word at the end.
    bits: Vec<u64>,
}

impl Inside {
    /// A grid of `nx × ny` points, none of them inside.
    pub fn empty(origin: [i64; 2], spacing: f64, [nx, ny]: [usize; 2]) -> Inside {
        let words_per_row = (nx + 1).div_ceil(64);
        Inside { origin, spacing, nx, ny, stride: 64 * words_per_row, bits: vec![0; words_per_row * ny + 1] }
    }

    /// Puts the point of index `point` (see [`Inside::stride`]) inside when
    /// `yes` (without a branch: callers decide point by point).
    pub fn include(&mut self, point: usize, yes: bool) {
        self.bits[point / 64] |= u64::from(yes) << (point % 64);
    }

    /// Index distance between rows: point (i, j) has index
    /// `j * stride + i`.
    pub fn stride(&self) -> usize {
        self.stride
    }

    /// Puts inside every point of index in `points`.
    pub fn include_all(&mut self, points: impl IntoIterator<Item = usize>) {
        let bits = &mut self.bits[..];
        for point in points {
            bits[point / 64] |= 1 << (point % 64);
        }
    }

    /// Puts inside every point that is inside `other`, a grid of the same
    /// shape.
    pub fn union_with(&mut self, other: &Inside) {
        debug_assert_eq!((self.origin, self.nx, self.ny), (other.origin, other.nx, other.ny), "same shape");
        for (word, &theirs) in self.bits.iter_mut().zip(&other.bits) {
            *word |= theirs;
        }
    }

    /// The grid of `nx × ny` points whose time (`times`, row by row) is
    /// within `limit`.
    #[cfg(test)]
    pub fn within(origin: [i64; 2], spacing: f64, [nx, ny]: [usize; 2], times: &[f32], limit: f32) -> Inside {
        let mut grid = Inside::empty(origin, spacing, [nx, ny]);
        for (k, &time) in times[..nx * ny].iter().enumerate() {
            grid.include(k / nx * grid.stride + k % nx, time <= limit);
        }
        grid
    }

    /// The words of row `j`: point (i, j) is bit `i % 64` of word `i / 64`;
    /// the bits past `nx` are clear.
    pub fn row(&self, j: usize) -> &[u64] {
        let words = self.stride / 64;
        &self.bits[j * words..(j + 1) * words]
    }

    /// A grid of the same shape, filled row by row: `fill(j, words)` writes
    /// row `j` (given cleared), keeping the bits past `nx` and the points on
    /// the grid's edge clear.
    pub fn with_rows(&self, mut fill: impl FnMut(usize, &mut [u64])) -> Inside {
        let mut bits = vec![0; self.bits.len()];
        for (j, row) in bits.chunks_exact_mut(self.stride / 64).take(self.ny).enumerate() {
            fill(j, row);
        }
        Inside { bits, ..*self }
    }

    /// Whether grid point (i, j) is inside.
    #[cfg(test)]
    pub fn contains_point(&self, i: usize, j: usize) -> bool {
        self.at(j * self.stride + i)
    }

    /// Whether the point of index `point` is inside.
    fn at(&self, point: usize) -> bool {
        self.bits[point / 64] >> (point % 64) & 1 == 1
    }

    /// Bit 0: whether the point of index `point` is inside; bit 1: whether
    /// the point to its right is.
    fn pair(&self, point: usize) -> usize {
        let (word, shift) = (point / 64, point % 64);
        let two_words = u128::from(self.bits[word]) | u128::from(self.bits[word + 1]) << 64;
        (two_words >> shift) as usize & 3
    }
}

/// A vertex in doubled grid units (so edge midpoints are integers).
type Point = [i64; 2];

/// Traced rings, one after another in one buffer.
#[derive(Debug, Default)]
struct Rings {
    /// The vertices of every ring.
    points: Vec<Point>,
    /// Where each ring ends in `points`; it starts where the previous ends.
    ends: Vec<usize>,
}

impl Rings {
    /// Each ring's vertices, the closing vertex not repeated.
    fn iter(&self) -> impl Iterator<Item = &[Point]> {
        let starts = std::iter::once(0).chain(self.ends.iter().copied());
        starts.zip(&self.ends).map(|(start, &end)| &self.points[start..end])
    }
}

/// How much of a ring to keep.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Vertices {
    /// Every crossing except those in the middle of a horizontal or vertical
    /// run, so that boundaries shared with polygons of other contours or
    /// grids are made of the very same vertices (nesting). Dropping those
    /// middles is exact: the local projection maps each lattice row to one
    /// latitude and each column to one longitude, in order, so a dropped
    /// vertex of one polygon still lies exactly on the other's edge.
    Nesting,
    /// Only the corners: points in the middle of straight runs are dropped
    /// (smaller output, for polygons compared with nothing else).
    Corners,
}

/// The polygons of the grid points inside, each vertex in projected metres
/// put through `place` (to bring it back to `[lon, lat]`, say), and their
/// total area in square metres.
pub fn polygons(grid: &Inside, vertices: Vertices, place: impl Fn([f64; 2]) -> [f64; 2]) -> (MultiPolygon<f64>, f64) {
    let mut memory = TRACING.take().unwrap_or_default();
    trace_rings(grid, &mut memory);
    let corners;
    let rings = match vertices {
        Vertices::Nesting => &memory.rings,
        Vertices::Corners => {
            corners = drop_collinear(&memory.rings);
            &corners
        }
    };
    let mut outers: Vec<(&[Point], i64)> = Vec::new();
    let mut holes: Vec<(&[Point], i64)> = Vec::new();
    for ring in rings.iter() {
        match doubled_area(ring) {
            area if area > 0 => outers.push((ring, area)),
            area => holes.push((ring, area)),
        }
    }
    outers.sort_by_key(|(_, area)| *area);
    let mut polygon_holes: Vec<Vec<(&[Point], i64)>> = vec![Vec::new(); outers.len()];
    let boxes: Vec<[i64; 4]> = outers.iter().map(|(ring, _)| bounding_box(ring)).collect();
    for (hole, area) in holes {
        let probe = hole[0];
        let mut candidates = (0..outers.len()).filter(|&k| {
            let [x0, y0, x1, y1] = boxes[k];
            (x0..=x1).contains(&probe[0]) && (y0..=y1).contains(&probe[1])
        });
        // Every hole lies inside some outer ring; the smallest one that holds
        // it owns it, and with a single candidate no test is needed.
        let owner = match (candidates.next(), candidates.next()) {
            (Some(only), None) => Some(only),
            (first, second) => {
                first.into_iter().chain(second).chain(candidates).find(|&k| contains(outers[k].0, probe))
            }
        };
        if let Some(owner) = owner {
            polygon_holes[owner].push((hole, area));
        }
    }
    let half = grid.spacing / 2.0;
    let placed = |p: Point| {
        let [x, y] = place([(2 * grid.origin[0] + p[0]) as f64 * half, (2 * grid.origin[1] + p[1]) as f64 * half]);
        Coord { x, y }
    };
    let ring_string = |ring: &[Point]| {
        let mut coords = Vec::with_capacity(ring.len() + 1);
        coords.extend(ring.iter().map(|&p| placed(p)));
        coords.push(coords[0]);
        LineString::new(coords)
    };
    let mut area_doubled = 0i64;
    let mut polygons = Vec::with_capacity(outers.len());
    for ((outer, area), holes) in outers.iter().zip(&polygon_holes) {
        area_doubled += area + holes.iter().map(|(_, area)| area).sum::<i64>();
        polygons.push(Polygon::new(ring_string(outer), holes.iter().map(|(hole, _)| ring_string(hole)).collect()));
    }
    // Doubled units: a unit square has doubled area 2 * 4 = 8.
    let area_m2 = area_doubled as f64 / 8.0 * grid.spacing * grid.spacing;
    let polygons = MultiPolygon::new(polygons);
    memory.keep();
    (polygons, area_m2)
}

/// The case of the cell whose lower-left point has index `cell` (the cell
/// lies between grid points (i, j) and (i + 1, j + 1)): bit `k` is set when
/// its corner `k` is inside, corners counted counter-clockwise from the
/// bottom left. Its edge `k` runs from corner `k` to corner `k + 1` (bottom,
/// right, top, left).
fn case(grid: &Inside, cell: usize) -> usize {
    let (below, above) = (grid.pair(cell), grid.pair(cell + grid.stride));
    below | (above & 2) << 1 | (above & 1) << 3
}

/// No segment starts at this edge.
const NO_EXIT: u8 = 4;

/// For every cell case and edge `k`, the edge where the boundary segment
/// that starts at `k` ends, or [`NO_EXIT`]. A segment starts at an edge whose
/// first corner is inside and second is not (the inside on its left), and
/// ends at the next edge counter-clockwise where the inside begins again; a
/// saddle cell thus joins its inside corners through the cell.
const EXITS: [[u8; 4]; 16] = exits();

/// For every cell case and edge `m`, the edge where the boundary segment
/// that ends at `m` starts ([`EXITS`] backwards), or [`NO_EXIT`].
const ENTRIES: [[u8; 4]; 16] = entries();

const fn entries() -> [[u8; 4]; 16] {
    let mut table = [[NO_EXIT; 4]; 16];
    let mut case = 0;
    while case < 16 {
        let mut k = 0;
        while k < 4 {
            let m = EXITS[case][k];
            if m != NO_EXIT {
                table[case][m as usize] = k as u8;
            }
            k += 1;
        }
        case += 1;
    }
    table
}

const fn exits() -> [[u8; 4]; 16] {
    const fn inside(case: usize, corner: usize) -> bool {
        (case >> (corner % 4)) & 1 == 1
    }
    let mut table = [[NO_EXIT; 4]; 16];
    let mut case = 0;
    while case < 16 {
        let mut k = 0;
        while k < 4 {
            if inside(case, k) && !inside(case, k + 1) {
                let mut m = k + 1;
                while m < k + 4 {
                    if !inside(case, m) && inside(case, m + 1) {
                        table[case][k] = (m % 4) as u8;
                        break;
                    }
                    m += 1;
                }
            }
            k += 1;
        }
        case += 1;
    }
    table
}

/// The crossing at the middle of edge `k` of the cell with lower-left point
/// `cell`, in a grid of `stride` point indices per row: its index among all
/// grid edges, `2 * point` for the horizontal edge to the right of a point
/// and `2 * point + 1` for the vertical edge above it.
fn crossing(stride: usize, cell: usize, k: usize) -> usize {
    2 * cell + [0, 3, 2 * stride, 1][k]
}

/// Takes crossing `index` off the `pending` ones (a crossing on a vertical
/// edge never is: only the row scan looks for them).
fn take(pending: &mut [u64], index: usize) {
    let point = index / 2;
    pending[point / 64] &= !(u64::from(index.is_multiple_of(2)) << (point % 64));
}

/// The middle of edge `k` of a cell, from its lower-left point, in doubled
/// grid units.
const EDGE_MIDDLE: [Point; 4] = [[1, 0], [2, 1], [1, 2], [0, 1]];

/// The tracer's working memory, kept on each thread from one grid to the
/// next (as search spaces are, [`crate::search::SearchSpace::with_kept`]):
/// a service circle traces thousands of grids, and buffers of this size
/// freshly allocated would be fresh pages each time, zeroed by the kernel.
#[derive(Debug, Default)]
struct Tracing {
    /// One bit per horizontal crossing not yet on a traced ring.
    pending: Vec<u64>,
    /// The rings traced.
    rings: Rings,
    /// The crossings of the ring being traced, walked forward and backward.
    walked: [Vec<Point>; 2],
}

impl Tracing {
    /// Bytes of tracing memory a thread keeps at most (a few large
    /// isochrones must not hold on to their buffers for ever).
    const KEPT_AT_MOST: usize = 16 << 20;

    /// Keeps this memory for the thread's next grid, unless it grew past
    /// [`Tracing::KEPT_AT_MOST`].
    fn keep(self) {
        let bytes = 8 * self.pending.capacity()
            + size_of::<Point>()
                * (self.rings.points.capacity() + self.walked.iter().map(Vec::capacity).sum::<usize>())
            + size_of::<usize>() * self.rings.ends.capacity();
        if bytes <= Tracing::KEPT_AT_MOST {
            TRACING.set(Some(self));
        }
    }
}

thread_local! {
    /// The tracing memory last used on this thread.
    static TRACING: std::cell::Cell<Option<Tracing>> = const { std::cell::Cell::new(None) };
}

/// Every boundary ring, each vertex a crossing, with the inside on the left:
/// outer rings counter-clockwise, holes clockwise. Every crossing stays a
/// vertex except in the middle of horizontal and vertical runs (see
/// [`Vertices::Nesting`]): then a boundary shared by two contours (or by a
/// facility's isochrone and its service circle) is made of the very same
/// vertices in both, and nesting survives floating-point conversion exactly.
/// Rings never cross or touch: every crossing belongs to exactly one ring.
/// The rings go to `memory.rings`.
fn trace_rings(grid: &Inside, memory: &mut Tracing) {
    let (nx, stride) = (grid.nx, grid.stride);
    let words = stride / 64;
    let Tracing { pending, rings, walked } = memory;
    // Every ring goes round some grid point, so the grid row through that
    // point meets it, and only at crossings on the row's edges: where the
    // bits change along the row. Those crossings not yet on a traced ring
    // are pending, one bit each; rows are scanned in order, so the output
    // depends on nothing but the bits. The grid's edge rows are outside.
    pending.clear();
    pending.resize(words * grid.ny, 0);
    for j in 1..grid.ny.saturating_sub(1) {
        for w in 0..(nx - 1).div_ceil(64) {
            pending[j * words + w] = row_changes(grid, j * stride + 64 * w) & edges_from(nx, 64 * w);
        }
    }
    rings.points.clear();
    rings.ends.clear();
    for word in 0..pending.len() {
        while pending[word] != 0 {
            let point = 64 * word + pending[word].trailing_zeros() as usize;
            // With the inside on its left, the ring goes up into the cell
            // above when the left point is inside, down into the cell below
            // otherwise.
            let (i, j) = (point % stride, point / stride);
            let (cell, k) = if grid.at(point) { ([i, j], 0) } else { ([i, j - 1], 2) };
            trace(grid, pending, cell, k, walked, rings);
        }
    }
}

/// The 64 points from index `first` (a whole word) whose bit differs from
/// the next point's, as the bits of a word.
fn row_changes(grid: &Inside, first: usize) -> u64 {
    let (here, next) = (grid.bits[first / 64], grid.bits[first / 64 + 1]);
    here ^ (here >> 1 | next << 63)
}

/// The mask of the 64 points from column `i` (a multiple of 64) that have a
/// right neighbour in a row of `nx` points.
fn edges_from(nx: usize, i: usize) -> u64 {
    match nx - 1 - i {
        edges if edges >= 64 => u64::MAX,
        edges => (1u64 << edges) - 1,
    }
}

/// Follows the ring whose segment starts at edge `k` of `cell` until it
/// closes, taking its crossings off the `pending` ones, and adds it to
/// `rings`.
///
/// The ring is followed both ways from its first crossing at once, forward
/// and backward, until the two walks meet: each step waits on the grid
/// reads of the step before, and two walks that do not wait on each other
/// overlap (a quarter less time for the tracing, measured).
fn trace(
    grid: &Inside,
    pending: &mut [u64],
    [i, j]: [usize; 2],
    k: usize,
    walked: &mut [Vec<Point>; 2],
    rings: &mut Rings,
) {
    let stride = grid.stride;
    let first = j * stride + i;
    let mut ahead = Walk { cell: first, edge: k, corner: [2 * i as i64, 2 * j as i64] };
    // Backward, the first crossing closes the segment of the cell across it.
    let mut behind = ahead.across(stride, k);
    let [ahead_points, back_points] = walked;
    ahead_points.clear();
    back_points.clear();
    // The last crossing each way, from the first one; the walks meet when
    // one comes to the other's.
    let (mut last_ahead, mut last_behind) = (crossing(stride, first, k), crossing(stride, first, k));
    take(pending, last_ahead);
    ahead_points.push(ahead.vertex());
    // Forward: the segment from `ahead.edge`, then the crossing where it
    // ends.
    while let Some(exit) = step(&EXITS, grid, ahead.cell, ahead.edge) {
        ahead = ahead.across(stride, exit);
        let index = crossing(stride, ahead.cell, ahead.edge);
        // (A ring has an even number of crossings, each step going to a
        // neighbouring cell, so the walks meet at the backward check below;
        // this one keeps an odd ring from going round twice.)
        if index == last_behind {
            break;
        }
        last_ahead = index;
        take(pending, index);
        ahead_points.push(ahead.vertex());
        // Backward: the segment ending at `behind.edge`, then the crossing
        // where it starts.
        let Some(entry) = step(&ENTRIES, grid, behind.cell, behind.edge) else { break };
        let index = crossing(stride, behind.cell, entry);
        if index == last_ahead {
            break;
        }
        (last_behind, behind.edge) = (index, entry);
        take(pending, index);
        back_points.push(behind.vertex());
        behind = behind.across(stride, entry);
    }
    let points = &mut rings.points;
    let start = points.len();
    ahead_points.extend(back_points.iter().rev());
    push_crossings(points, ahead_points);
    // The run through the ring's start may continue on both sides of it.
    while points.len() - start > 3 && on_axis_run(points[points.len() - 2], points[points.len() - 1], points[start]) {
        points.pop();
    }
    if points.len() - start > 3 && on_axis_run(points[points.len() - 1], points[start], points[start + 1]) {
        points.remove(start);
    }
    rings.ends.push(points.len());
}

/// A place on a ring: edge `edge` of the cell with lower-left point index
/// `cell`, which is at `corner` (doubled grid units).
#[derive(Debug, Clone, Copy)]
struct Walk {
    cell: usize,
    edge: usize,
    corner: Point,
}

impl Walk {
    /// The crossing at the middle of the edge, in doubled grid units.
    fn vertex(&self) -> Point {
        [self.corner[0] + EDGE_MIDDLE[self.edge][0], self.corner[1] + EDGE_MIDDLE[self.edge][1]]
    }

    /// The same crossing, at edge `edge` of this cell, seen from the cell
    /// across that edge (a grid of `stride` indices per row). The edge has
    /// an inside corner, so it is never the grid's border.
    fn across(&self, stride: usize, edge: usize) -> Walk {
        const NEXT_CELL: [[i64; 2]; 4] = [[0, -1], [1, 0], [0, 1], [-1, 0]];
        let [di, dj] = NEXT_CELL[edge];
        let cell = self.cell.wrapping_add((dj as isize * stride as isize + di as isize) as usize);
        Walk { cell, edge: (edge + 2) % 4, corner: [self.corner[0] + 2 * di, self.corner[1] + 2 * dj] }
    }
}

/// The other edge of the segment at edge `edge` of cell `cell`, from
/// `table` ([`EXITS`] forward, [`ENTRIES`] backward), if there is one.
fn step(table: &[[u8; 4]; 16], grid: &Inside, cell: usize, edge: usize) -> Option<usize> {
    let other = usize::from(table[case(grid, cell)][edge]);
    (other != usize::from(NO_EXIT)).then_some(other)
}

/// Appends the crossings of a ring, in order, to `points`, but for those
/// in the middle of a horizontal or vertical run (the run through the
/// ring's start is left to the caller).
///
/// Whether a crossing is in the middle of a run depends on its two raw
/// neighbours alone. Dropping crossings one by one (is the last kept
/// crossing, between the one kept before it and the next, in the middle of
/// a run?) gives the same answer: when a crossing's raw predecessor was
/// dropped, the crossing kept before it lies on the same row or column as
/// that predecessor and the crossing itself, so either test asks whether
/// the next one lies there too. The crossings are thus judged
/// independently, and kept without a branch: runs follow the boundary's
/// turns, which no predictor foresees.
fn push_crossings(points: &mut Vec<Point>, crossings: &[Point]) {
    if crossings.len() < 3 {
        points.extend_from_slice(crossings);
        return;
    }
    let (first, last) = (crossings[0], crossings[crossings.len() - 1]);
    let start = points.len();
    points.resize(start + crossings.len(), first);
    let out = &mut points[start..];
    let mut kept = 1;
    for three in crossings.windows(3) {
        out[kept] = three[1];
        kept += usize::from(!on_axis_run(three[0], three[1], three[2]));
    }
    out[kept] = last;
    points.truncate(start + kept + 1);
}

/// Whether `b` lies in the middle of a horizontal or vertical run from `a`
/// to `c`.
fn on_axis_run(a: Point, b: Point, c: Point) -> bool {
    // `&` and `|`, not `&&` and `||`: no branches.
    ((a[0] == b[0]) & (b[0] == c[0])) | ((a[1] == b[1]) & (b[1] == c[1]))
}

/// The rings without the points that lie on the straight line between
/// their neighbours (exact: rings are in integer units), and without rings
/// left with fewer than three points.
fn drop_collinear(rings: &Rings) -> Rings {
    let mut kept = Rings::default();
    for ring in rings.iter() {
        let start = kept.points.len();
        let n = ring.len();
        kept.points.extend((0..n).map(|k| (ring[(k + n - 1) % n], ring[k], ring[(k + 1) % n])).filter_map(
            |(prev, here, next)| {
                let turns = (here[0] - prev[0]) * (next[1] - here[1]) != (here[1] - prev[1]) * (next[0] - here[0]);
                turns.then_some(here)
            },
        ));
        if kept.points.len() - start >= 3 {
            kept.ends.push(kept.points.len());
        } else {
            kept.points.truncate(start);
        }
    }
    kept
}

/// `[min x, min y, max x, max y]` of a ring.
fn bounding_box(ring: &[Point]) -> [i64; 4] {
    ring.iter().fold([i64::MAX, i64::MAX, i64::MIN, i64::MIN], |[x0, y0, x1, y1], p| {
        [x0.min(p[0]), y0.min(p[1]), x1.max(p[0]), y1.max(p[1])]
    })
}

/// Twice the signed area (positive counter-clockwise) in doubled units.
fn doubled_area(ring: &[Point]) -> i64 {
    let cross = |a: Point, b: Point| a[0] * b[1] - b[0] * a[1];
    let closing = match ring {
        [first, .., last] => cross(*last, *first),
        _ => 0,
    };
    ring.windows(2).map(|pair| cross(pair[0], pair[1])).sum::<i64>() + closing
}

/// Whether `p` lies inside `ring` (even-odd rule; `p` is never on it).
fn contains(ring: &[Point], p: Point) -> bool {
    let n = ring.len();
    let mut inside = false;
    for k in 0..n {
        let (a, b) = (ring[k], ring[(k + 1) % n]);
        if (a[1] > p[1]) != (b[1] > p[1]) {
            // x of the edge at height p.y, compared exactly: p.x < a.x + (p.y - a.y)(b.x - a.x)/(b.y - a.y)
            let lhs = (p[0] - a[0]) * (b[1] - a[1]);
            let rhs = (p[1] - a[1]) * (b[0] - a[0]);
            if (b[1] > a[1] && lhs < rhs) || (b[1] < a[1] && lhs > rhs) {
                inside = !inside;
            }
        }
    }
    inside
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_random::random_fractions;
    use geo::{Area, Validation, Winding};

    fn polygons_all(grid: &Inside) -> (MultiPolygon<f64>, f64) {
        polygons(grid, Vertices::Nesting, |p| p)
    }

    /// A grid from rows of '#' (inside) and '.' (outside), top row last.
    fn grid(rows: &[&str]) -> Inside {
        let (nx, ny) = (rows[0].len(), rows.len());
        let times: Vec<f32> =
            rows.iter().rev().flat_map(|row| row.chars()).map(|c| if c == '#' { 0.0 } else { 1.0 }).collect();
        Inside::within([0, 0], 1.0, [nx, ny], &times, 0.0)
    }

    #[test]
    fn a_single_point_is_a_diamond() {
        let (mp, area) = polygons_all(&grid(&["...", ".#.", "..."]));
        assert_eq!(mp.0.len(), 1);
        assert_eq!(area, 0.5);
        assert!((mp.unsigned_area() - 0.5).abs() < 1e-12 && mp.signed_area() > 0.0);
        assert!(mp.is_valid());
    }

    #[test]
    fn a_ring_of_points_has_a_hole() {
        let g = grid(&[".......", ".#####.", ".#...#.", ".#...#.", ".#...#.", ".#####.", "......."]);
        let (mp, area) = polygons_all(&g);
        assert_eq!(mp.0.len(), 1);
        assert_eq!(mp.0[0].interiors().len(), 1, "the unreached middle stays a hole");
        // Outer: the 5x5 square through the edge midpoints less four corner
        // triangles of 1/8: 24.5. Hole: the 3x3 square less four corner
        // triangles: 8.5.
        assert!((area - (24.5 - 8.5)).abs() < 1e-9, "{area}");
        assert!(mp.is_valid(), "{:?}", mp.validation_errors());
        assert!(mp.0[0].exterior().is_ccw() && mp.0[0].interiors()[0].is_cw());
    }

    #[test]
    fn saddles_join_and_stay_valid() {
        let g = grid(&["....", ".#..", "..#.", "...."]);
        let (mp, _) = polygons_all(&g);
        assert_eq!(mp.0.len(), 1, "diagonal neighbours are joined");
        assert!(mp.is_valid());
    }

    #[test]
    fn horizontal_and_vertical_runs_keep_only_their_ends() {
        let g = grid(&[".......", ".#####.", ".#####.", ".#####.", "......."]);
        let (nesting, area_nesting) = polygons_all(&g);
        let (corners, area) = polygons(&g, Vertices::Corners, |p| p);
        assert_eq!(area, area_nesting);
        assert_eq!(nesting.0[0].exterior().0.len(), 8 + 1, "an octagon, closed");
        assert_eq!(corners, nesting);
    }

    #[test]
    fn only_corners_drops_the_middles_of_diagonal_runs() {
        let g = grid(&["......", "....#.", "...#..", "..#...", ".#....", "......"]);
        let (nesting, area_nesting) = polygons_all(&g);
        let (corners, area) = polygons(&g, Vertices::Corners, |p| p);
        assert_eq!(area, area_nesting);
        // Four diamonds joined through saddles: two long diagonal sides.
        assert_eq!(corners.0[0].exterior().0.len(), 4 + 1, "{:?}", corners.0[0].exterior());
        assert!(nesting.0[0].exterior().0.len() > 12, "every crossing of the diagonals stays");
        assert!(corners.is_valid() && nesting.is_valid());
    }

    /// The memory a thread keeps from one grid to the next leaves nothing
    /// behind: a small grid traced after a larger one has the polygons it
    /// has on a fresh thread.
    #[test]
    fn polygons_do_not_depend_on_the_grids_traced_before() {
        let small = grid(&[".......", ".#####.", ".#...#.", ".#####.", "......."]);
        let fresh = std::thread::spawn({
            let small = small.clone();
            move || polygons_all(&small)
        })
        .join()
        .unwrap();
        let mut rnd = random_fractions(5);
        let (nx, ny) = (200, 40);
        let edge = |k: usize| k.is_multiple_of(nx) || k % nx == nx - 1 || k / nx == 0 || k / nx == ny - 1;
        let times: Vec<f32> = (0..nx * ny).map(|k| if edge(k) { 2.0 } else { 2.0 * rnd() }).collect();
        let (large, _) = polygons_all(&Inside::within([0, 0], 1.0, [nx, ny], &times, 1.0));
        assert!(large.0.len() > 10, "many rings traced before");
        assert_eq!(polygons_all(&small), fresh);
    }

    /// Random grids wider than a word (so rings cross word boundaries of
    /// the bit rows), against two oracles: every grid point is inside the
    /// polygons exactly when its bit is set, and the area is the sum over
    /// cells of the area their case cuts off (one corner 1/8, two adjacent
    /// 1/2, a joined saddle 3/4, three 7/8, four 1).
    #[test]
    fn random_grids_wider_than_a_word_match_their_bits_and_cell_areas() {
        use geo::{Intersects, Point};
        let mut rnd = random_fractions(99);
        let (nx, ny) = (150, 23);
        for round in 0..20 {
            let share = 0.3 + 0.02 * round as f32;
            let mut times = vec![2.0f32; nx * ny];
            for j in 1..ny - 1 {
                for i in 1..nx - 1 {
                    times[j * nx + i] = rnd() / share;
                }
            }
            let grid = Inside::within([0, 0], 1.0, [nx, ny], &times, 1.0);
            let (mp, area) = polygons_all(&grid);
            assert!(mp.is_valid(), "round {round}: {:?}", mp.validation_errors());
            let inside = |i: usize, j: usize| times[j * nx + i] <= 1.0;
            for j in 0..ny {
                for i in 0..nx {
                    let point = Point::new(i as f64, j as f64);
                    assert_eq!(mp.intersects(&point), inside(i, j), "round {round}: point ({i}, {j})");
                }
            }
            let mut cells = 0.0;
            for j in 0..ny - 1 {
                for i in 0..nx - 1 {
                    let corners = [inside(i, j), inside(i + 1, j), inside(i + 1, j + 1), inside(i, j + 1)];
                    let count = corners.iter().filter(|&&c| c).count();
                    let adjacent = (0..4).any(|k| corners[k] && corners[(k + 1) % 4]);
                    cells += match count {
                        0 => 0.0,
                        1 => 0.125,
                        2 if adjacent => 0.5,
                        2 => 0.75,
                        3 => 0.875,
                        _ => 1.0,
                    };
                }
            }
            assert_eq!(area, cells, "round {round}");
            assert!((mp.unsigned_area() - cells).abs() < 1e-6, "round {round}");
        }
    }

    #[test]
    fn an_island_inside_a_hole_is_its_own_polygon() {
        let g = grid(&[".........", ".#######.", ".#.....#.", ".#..#..#.", ".#.....#.", ".#######.", "........."]);
        let (mp, _) = polygons_all(&g);
        assert_eq!(mp.0.len(), 2);
        let with_hole = mp.0.iter().filter(|p| p.interiors().len() == 1).count();
        assert_eq!(with_hole, 1);
        assert!(mp.is_valid(), "{:?}", mp.validation_errors());
    }
}

#[cfg(test)]
mod nesting {
    use super::*;
    use crate::test_random::random_fractions;
    use geo::{Contains, Intersects, Point};

    /// Larger limits contain smaller ones on random smooth fields with noise
    /// (many saddles, holes and islands).
    #[test]
    fn larger_limits_contain_smaller_ones_on_random_fields() {
        let mut rnd = random_fractions(12345);
        for case in 0..200 {
            let (nx, ny) = (80, 80);
            let mut time = vec![f32::INFINITY; nx * ny];
            let (fx, fy, ph) = (rnd() * 0.5, rnd() * 0.5, rnd() * 6.0);
            for j in 1..ny - 1 {
                for i in 1..nx - 1 {
                    time[j * nx + i] = 0.5 + 0.3 * ((i as f32 * fx + ph).sin() * (j as f32 * fy).cos()) + 0.2 * rnd();
                }
            }
            let within = |limit: f32| Inside::within([0, 0], 1.0, [nx, ny], &time, limit);
            let (small, _) = polygons(&within(0.45), Vertices::Nesting, |p| p);
            let (big, _) = polygons(&within(0.55), Vertices::Nesting, |p| p);
            if !small.0.is_empty() && !big.contains(&small) {
                let bad: Vec<_> = small
                    .0
                    .iter()
                    .flat_map(|p| p.exterior().coords().copied())
                    .filter(|c| !big.intersects(&Point::from(*c)))
                    .collect();
                let rows: Vec<String> = (0..ny)
                    .rev()
                    .map(|j| {
                        (0..nx)
                            .map(|i| {
                                let t = time[j * nx + i];
                                if t <= 0.45 {
                                    '#'
                                } else if t <= 0.55 {
                                    '+'
                                } else {
                                    '.'
                                }
                            })
                            .collect()
                    })
                    .collect();
                panic!("case {case}: {bad:?}\n{}", rows.join("\n"));
            }
        }
    }
}
