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
//! The grid is one bit per point. A ring is followed crossing to crossing
//! like a turtle: knowing the heading and which of the two points behind
//! is inside, each step reads only the two points of the cell ahead. Rings
//! are looked for where the bits change along a row, 64 points at a time,
//! and all of them go into one buffer.

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

    /// Puts inside the points of `bits` in word `word`: bit `b` is the
    /// point of index `64 * word + b`.
    pub fn include_word(&mut self, word: usize, bits: u64) {
        self.bits[word] |= bits;
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
    /// The crossings of the ring being traced, walked backward.
    back: Vec<Point>,
}

impl Tracing {
    /// Bytes of tracing memory a thread keeps at most (a few large
    /// isochrones must not hold on to their buffers for ever).
    const KEPT_AT_MOST: usize = 16 << 20;

    /// Keeps this memory for the thread's next grid, unless it grew past
    /// [`Tracing::KEPT_AT_MOST`].
    fn keep(self) {
        let bytes = 8 * self.pending.capacity()
            + size_of::<Point>() * (self.rings.points.capacity() + self.back.capacity())
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
    let Tracing { pending, rings, back } = memory;
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
    let turns = [Turns::new(stride, Side::Left), Turns::new(stride, Side::Right)];
    for word in 0..pending.len() {
        while pending[word] != 0 {
            let point = 64 * word + pending[word].trailing_zeros() as usize;
            trace(grid, pending, point, &turns, back, rings);
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

/// A heading along a ring, as a unit step on the grid: east, north, west,
/// south (counter-clockwise).
const HEADINGS: [[i64; 2]; 4] = [[1, 0], [0, 1], [-1, 0], [0, -1]];

/// The heading north, into the cell above a horizontal edge.
const NORTH: usize = 1;

/// The heading south, into the cell below a horizontal edge.
const SOUTH: usize = 3;

/// The side of a walk its inside points are on: a ring followed forward
/// (counter-clockwise round the inside) has them on its left, followed
/// backward on its right.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Side {
    Left,
    Right,
}

/// One step of a walk along a ring, from a crossing to the next one round
/// the cell ahead, for the heading the walk comes with and which of the
/// cell's two points ahead are inside.
#[derive(Debug, Clone, Copy, Default)]
struct Turn {
    /// The heading after the step.
    heading: usize,
    /// How far the index of the walk's inside point moves.
    inside_moves: isize,
    /// How far the crossing moves, in doubled grid units.
    vertex_moves: Point,
    /// The index offsets, from the new inside point, of the two points of
    /// the next cell ahead: on the inside's side, and on the other side.
    ahead: [isize; 2],
    /// Whether the walk goes straight on (and keeps its heading).
    straight: bool,
    /// 1 when the new crossing is on a horizontal edge (heading north or
    /// south), 0 otherwise.
    horizontal: u64,
    /// The index offset, from the new inside point, of the left point of
    /// the new crossing's edge when that is horizontal: where the crossing
    /// is pending.
    left_point: isize,
}

/// The steps of a walk with its inside on one side, in a grid of some
/// stride, at `[4 * heading + ahead]`: bit 0 of `ahead` is set when the
/// point ahead on the inside's side is inside, bit 1 when the other one is.
struct Turns([Turn; 16]);

impl Turns {
    /// The steps of a walk with its inside on `side`, in a grid of `stride`
    /// indices per row.
    fn new(stride: usize, side: Side) -> Turns {
        let stride = stride as isize;
        let offset = [1, stride, -1, -stride];
        // The inside's side and the other side of each heading, as headings.
        let sides = |h: usize| match side {
            Side::Left => ((h + 1) % 4, (h + 3) % 4),
            Side::Right => ((h + 3) % 4, (h + 1) % 4),
        };
        let ahead = |h: usize| [offset[h], offset[h] + offset[sides(h).1]];
        let mut turns = [Turn::default(); 16];
        for h in 0..4 {
            let (near, far) = sides(h);
            let [u, n, f] = [h, near, far].map(|k| HEADINGS[k]);
            // Both points ahead outside: round the inside point.
            let round = (near, 0, [u[0] + n[0], u[1] + n[1]]);
            // The one on the inside's side inside, the other not: straight on.
            let straight = (h, offset[h], [2 * u[0], 2 * u[1]]);
            // The other one inside (a saddle too, whose inside corners are
            // joined through the cell): onto it.
            let onto = (far, ahead(h)[1], [u[0] + f[0], u[1] + f[1]]);
            for (code, (heading, inside_moves, vertex_moves)) in [round, straight, onto, onto].into_iter().enumerate() {
                // Across a horizontal edge, the inside point is the edge's
                // right one for a walk with the inside on its left heading
                // south, or on its right heading north.
                let inside_is_right = (side == Side::Left) == (heading == SOUTH);
                turns[4 * h + code] = Turn {
                    heading,
                    inside_moves,
                    vertex_moves,
                    ahead: ahead(heading),
                    straight: code == 1,
                    horizontal: u64::from(heading == NORTH || heading == SOUTH),
                    left_point: -isize::from(inside_is_right),
                };
            }
        }
        Turns(turns)
    }
}

/// A walk along a ring: at a crossing, heading across its edge, with the
/// edge's inside point on the walk's side.
#[derive(Debug, Clone, Copy)]
struct Walk {
    /// The index of the edge's inside point.
    inside: usize,
    /// Where the walk heads.
    heading: usize,
    /// The index offsets from `inside` of the two points of the cell ahead
    /// ([`Turn::ahead`]).
    ahead: [isize; 2],
    /// The crossing, in doubled grid units.
    vertex: Point,
}

impl Walk {
    /// A walk at crossing `vertex` of the edge whose inside point is
    /// `inside`, heading `heading`, taking the steps of `turns`.
    fn new(inside: usize, heading: usize, vertex: Point, turns: &Turns) -> Walk {
        // A straight step comes with the heading it keeps.
        Walk { inside, heading, ahead: turns.0[4 * heading + 1].ahead, vertex }
    }

    /// Steps to the next crossing, round the cell ahead in `grid` (the
    /// words of an [`Inside`]), and takes it off `pending` when it is on a
    /// horizontal edge; returns whether the step went straight on.
    #[inline]
    fn step(&mut self, grid: &[u64], turns: &Turns, pending: &mut [u64]) -> bool {
        let bit = |index: usize| (grid[index / 64] >> (index % 64)) as usize & 1;
        let [near, far] = self.ahead.map(|offset| bit(self.inside.wrapping_add_signed(offset)));
        let turn = &turns.0[4 * self.heading + (near | far << 1)];
        self.inside = self.inside.wrapping_add_signed(turn.inside_moves);
        self.heading = turn.heading;
        self.ahead = turn.ahead;
        self.vertex = [self.vertex[0] + turn.vertex_moves[0], self.vertex[1] + turn.vertex_moves[1]];
        // Without a branch: the boundary's turns are foreseen by no predictor.
        let point = self.inside.wrapping_add_signed(turn.left_point);
        pending[point / 64] &= !(turn.horizontal << (point % 64));
        turn.straight
    }
}

/// One of the two walks along a ring, with the crossings it keeps.
struct Tracer<'a> {
    walk: Walk,
    turns: &'a Turns,
    /// The crossings kept so far, the walk's last one (`walk.vertex`) last.
    kept: &'a mut Vec<Point>,
    /// Whether the step to the last crossing went straight on.
    straight: bool,
}

impl Tracer<'_> {
    /// Steps to the next crossing and keeps it, unless it is the other
    /// walk's last one: then the walks have met, and it returns false.
    fn advance(&mut self, grid: &[u64], pending: &mut [u64], other: &mut Tracer) -> bool {
        let straight = self.walk.step(grid, self.turns, pending);
        self.drop_last_if_straight_on(straight);
        self.straight = straight;
        if self.walk.vertex == other.walk.vertex {
            // This step joins the two walks' last crossings.
            other.drop_last_if_straight_on(straight);
            return false;
        }
        self.kept.push(self.walk.vertex);
        true
    }

    /// Drops the last crossing when the step out of it, `straight` or
    /// not, continues a straight step into it: it is in the middle of a run.
    fn drop_last_if_straight_on(&mut self, straight: bool) {
        // Without a branch: runs end where the boundary turns, which no
        // predictor foresees.
        self.kept.truncate(self.kept.len() - usize::from(self.straight & straight));
    }
}

/// Follows the ring through the horizontal crossing to the right of grid
/// point `point` with the inside on its left, taking its crossings off the
/// `pending` ones, and adds it to `rings`, from that crossing on.
///
/// The ring is followed both ways from there at once, forward and
/// backward, until the two walks meet: each step waits on the reads of the
/// step before, and two walks that do not wait on each other overlap. The
/// backward walk's crossings go to `back`, then reversed after the forward
/// walk's.
///
/// A crossing is in the middle of a horizontal or vertical run exactly when
/// the steps into it and out of it both go straight on (a straight step
/// keeps its heading), so each walk drops its last crossing as soon as its
/// next step shows it to be one. The first crossing never is: it lies on
/// the lowest row of the ring's horizontal crossings (rows are scanned
/// upwards), so no straight step leads down from it.
fn trace(
    grid: &Inside,
    pending: &mut [u64],
    point: usize,
    turns: &[Turns; 2],
    back: &mut Vec<Point>,
    rings: &mut Rings,
) {
    let stride = grid.stride;
    let (i, j) = (point % stride, point / stride);
    // With the inside on its left, the ring heads north across the edge
    // when the edge's left point is inside, south otherwise.
    let (inside, heading) = if grid.at(point) { (point, NORTH) } else { (point + 1, SOUTH) };
    let start = [2 * i as i64 + 1, 2 * j as i64];
    pending[point / 64] &= !(1 << (point % 64));
    let points = &mut rings.points;
    let first = points.len();
    points.push(start);
    // `back` holds the start too, as the crossing its walk comes from.
    back.clear();
    back.push(start);
    let [forward, backward] = turns;
    // No step into the start went straight on (it is judged apart).
    let mut ahead =
        Tracer { walk: Walk::new(inside, heading, start, forward), turns: forward, kept: points, straight: false };
    let mut behind = Tracer {
        walk: Walk::new(inside, (heading + 2) % 4, start, backward),
        turns: backward,
        kept: back,
        straight: false,
    };
    while ahead.advance(&grid.bits, pending, &mut behind) && behind.advance(&grid.bits, pending, &mut ahead) {}
    points.extend(back[1..].iter().rev());
    debug_assert!(
        points[first + 1][0] != start[0] || points[points.len() - 1][0] != start[0],
        "a ring's first crossing is not in the middle of a vertical run"
    );
    rings.ends.push(points.len());
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

    /// Every step of both walks against the marching-squares rule, in every
    /// cell case: a boundary segment starts at an edge whose first corner
    /// (counter-clockwise) is inside and second is not, and ends at the
    /// next edge counter-clockwise where the inside begins again; the
    /// forward walk follows it, the backward walk follows it back.
    #[test]
    fn each_step_follows_the_segment_of_its_cell() {
        // Corners counter-clockwise from the bottom left, edge k from corner
        // k to corner k + 1, and the middle of each edge in doubled units.
        let corners = [[0, 0], [1, 0], [1, 1], [0, 1]];
        let middles: [Point; 4] = [[1, 0], [2, 1], [1, 2], [0, 1]];
        // The heading that enters the cell through each edge.
        let entering = [NORTH, 2, SOUTH, 0];
        let inside = |case: usize, corner: usize| case >> (corner % 4) & 1 == 1;
        let segment_end = |case: usize, k: usize| (k + 1..k + 4).find(|&m| !inside(case, m) && inside(case, m + 1));
        for case in 0..16 {
            let mut grid = Inside::empty([0, 0], 1.0, [6, 6]);
            let stride = grid.stride();
            let index = |corner: usize| (2 + corners[corner][1]) * stride + 2 + corners[corner][0];
            for corner in 0..4 {
                grid.include(index(corner), inside(case, corner));
            }
            for k in (0..4).filter(|&k| inside(case, k) && !inside(case, k + 1)) {
                let m = segment_end(case, k).expect("a segment starting at k ends somewhere") % 4;
                let mut pending = vec![u64::MAX; grid.bits.len()];
                // Forward, in through edge k with its inside corner k on the
                // left: out through edge m, whose inside corner is m + 1.
                let turns = Turns::new(stride, Side::Left);
                let mut walk = Walk::new(index(k), entering[k], middles[k], &turns);
                walk.step(&grid.bits, &turns, &mut pending);
                assert_eq!(walk.vertex, middles[m], "case {case:04b}, forward from edge {k}");
                assert_eq!(walk.inside, index((m + 1) % 4), "case {case:04b}, forward from edge {k}");
                // Backward, in through edge m with its inside corner on the
                // right: out through edge k, whose inside corner is k.
                let turns = Turns::new(stride, Side::Right);
                let mut walk = Walk::new(index((m + 1) % 4), entering[m], middles[m], &turns);
                walk.step(&grid.bits, &turns, &mut pending);
                assert_eq!(walk.vertex, middles[k], "case {case:04b}, backward from edge {m}");
                assert_eq!(walk.inside, index(k), "case {case:04b}, backward from edge {m}");
            }
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
