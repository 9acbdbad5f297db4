//! A grid over the reached area, in the local metric projection: which
//! cells reached roads pass through, and by when, and from those the grid
//! points inside each contour.
//!
//! 1. **Cells**: the cells each road passes through, with the part of the
//!    road inside each, come from [`RoadCells`] (worked out once per engine
//!    for the default buffer). Time is linear along every reached stretch, so
//!    the earliest time of a stretch inside a cell is at one end of its part
//!    there: each cell's time is exact. A road wholly inside a contour
//!    (nearly every road, for a single contour) only sets one bit per cell,
//!    in that contour's layer; its cells are listed with their times only
//!    when a smaller contour cuts through it.
//! 2. **Grid points**: a grid point is inside the contour of limit T when
//!    one of the twelve cells of its *stencil* has a time within T: the
//!    cells whose every point lies within `buffer − h·√2` of it, four of its
//!    own and two beyond each side. The stencil is the union of a 4×2 and a
//!    2×4 block of cells, so with the cells within T as one bit each it is a
//!    few shifts and ORs of whole words, row by row.
//!
//! With spacing `h = buffer / 4`: a grid point inside the contour of T has a
//! road point reached within T at most `buffer − h·√2` away, so every point
//! of a marching-squares cell with such a corner lies within `buffer` of
//! one; and every road point reached within T makes all four corners of its
//! cell inside, so that whole cell is inside. The contour tracer relies on
//! exactly these two facts.

use std::ops::Range;

use super::contour::Inside;
use super::reached::{ReachedRoads, RoadGroup, RoadReach, Stretch, greater, lesser};
use super::road_cells::{CellSpan, RoadCells, Visits, visits_of, within_reach};
use super::road_tiles::{RoadTiles, RowWord, WORD_CELLS};
use super::{IsochroneError, RoadKm};
use crate::engine::Engine;
use crate::graph::RoadId;
use crate::snap::RoadIndex;

/// Grid points at most (4.5 MB for each grid of one bit per point; a
/// request holds one such grid per contour, and a few more).
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

/// The reached cells of one search, and by when (cell (i, j) lies between
/// grid points (i, j) and (i + 1, j + 1)), for some contours.
#[derive(Debug)]
pub struct TimeGrid {
    /// The contours' limits, ascending, deciseconds.
    limits: Vec<f64>,
    /// Per contour, one bit for each cell of the roads wholly inside it (a
    /// layer is made when first needed; none when no road is).
    settled: Vec<Option<Inside>>,
    /// Every cell of the other reached roads (a contour cuts through them,
    /// or they are start roads or leave a gap), by its index in the layers,
    /// with the earliest time of one road there (a cell is listed once per
    /// road).
    timed: Vec<(u32, f32)>,
    /// An empty grid of the right shape.
    empty: Inside,
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
    lines.iter().fold(f64::INFINITY, |best, line| {
        let (lo, hi) = (greater(from, line.lo), lesser(to, line.hi));
        // A line is earliest at one end of the part of it in range.
        let time = line.time + lesser(line.slope * (lo - line.lo), line.slope * (hi - line.lo));
        lesser(best, if lo <= hi { time } else { f64::INFINITY })
    })
}

/// How the contours of `limits` (ascending) meet a road of `reach`: the
/// first contour the road lies wholly inside (`None` when its stretches
/// leave a gap, or when it reaches beyond every limit), and whether a
/// contour below that one cuts through it, so that its cells need their
/// times. Every cell the road passes through is inside the first contour
/// and the larger ones, whatever its own time; contours below the road's
/// earliest time miss it.
fn contours_meeting(reach: &RoadReach, limits: &[f64]) -> (Option<usize>, bool) {
    let [earliest, latest] = reach.times;
    let inside_from = limits.partition_point(|&limit| limit < latest);
    let inside_from = (reach.gapless && inside_from < limits.len()).then_some(inside_from);
    // The contours below the first one it lies inside: does the largest of
    // them reach the road? (In the precision of the cells' times.)
    let below = inside_from.unwrap_or(limits.len());
    (inside_from, below > 0 && limits[below - 1] as f32 >= earliest as f32)
}

/// The visits of each reached road, as ranges of one array road after
/// road: the engine's cached visits, or visits worked out for a spacing
/// other than the cached one.
enum RoadVisits<'a> {
    /// The engine's, for the default buffer.
    Known(&'a RoadCells),
    /// Worked out for this request: the `k`-th reached road has
    /// `visits[ends[k - 1]..ends[k]]`.
    Worked { visits: Visits, ends: Vec<usize> },
}

impl RoadVisits<'_> {
    /// The visits of `roads` at `spacing`, cached in `known` when its
    /// spacing is that.
    fn new<'a>(
        index: &RoadIndex,
        known: &'a RoadCells,
        roads: impl Iterator<Item = RoadId>,
        spacing: f64,
    ) -> RoadVisits<'a> {
        if known.spacing() == spacing {
            return RoadVisits::Known(known);
        }
        let (mut visits, mut ends) = (Visits::default(), Vec::new());
        for road in roads {
            visits_of(index, road, spacing, &mut visits);
            ends.push(visits.len());
        }
        RoadVisits::Worked { visits, ends }
    }

    /// The array the ranges index.
    fn all(&self) -> &Visits {
        match self {
            RoadVisits::Known(known) => known.visits(),
            RoadVisits::Worked { visits, .. } => visits,
        }
    }

    /// Where the visits of the `k`-th reached road, `road`, are.
    #[inline]
    fn range(&self, k: usize, road: RoadId) -> Range<usize> {
        match self {
            RoadVisits::Known(known) => known.range(road),
            RoadVisits::Worked { ends, .. } => k.checked_sub(1).map_or(0, |before| ends[before])..ends[k],
        }
    }

    /// The cells the whole of the `k`-th reached road, `road`, passes
    /// through.
    fn whole_span(&self, k: usize, road: RoadId) -> CellSpan {
        match self {
            RoadVisits::Known(known) => known.span(road),
            RoadVisits::Worked { .. } => CellSpan::of(&self.all().cells[self.range(k, road)]),
        }
    }

    /// The engine's road tiles, when the visits are its.
    fn tiles(&self) -> Option<&RoadTiles> {
        match self {
            RoadVisits::Known(known) => Some(known.tiles()),
            RoadVisits::Worked { .. } => None,
        }
    }

    /// The cells the `k`-th reached road's `group` reaches.
    fn reach_span(&self, k: usize, group: &RoadGroup) -> CellSpan {
        match self {
            RoadVisits::Known(known) => known.reach_span(group.road, &group.reach),
            RoadVisits::Worked { visits, .. } => {
                CellSpan::of(&visits.cells[within_reach(&visits.parts, self.range(k, group.road), &group.reach)])
            }
        }
    }
}

impl TimeGrid {
    /// Rasterizes the roads of one search, `reached`, for a buffer of
    /// `buffer_m` metres, with the engine's road visits when their spacing
    /// is the one needed, for the contours of `limits` (deciseconds,
    /// ascending), and adds the roads' km to `km` (of the same limits) as
    /// it takes them in.
    ///
    /// A road whose stretches leave no gap and all end within a contour is
    /// inside it wherever it goes: its cells are marked without a time (for
    /// a single contour, nearly every road). A tile of the engine's whose
    /// every road is so, in the same contour and no smaller, goes in whole
    /// (see [`WholeTiles`]). The cells of a road that a contour cuts through
    /// are listed with their exact times.
    pub fn build(
        engine: &Engine,
        reached: &ReachedRoads,
        buffer_m: f64,
        limits: &[f64],
        km: &mut RoadKm,
    ) -> Result<TimeGrid, IsochroneError> {
        TimeGrid::build_with(engine, reached, buffer_m, limits, km, Tiles::Whole)
    }

    /// [`TimeGrid::build`], with the tiles that can go in whole taken in
    /// so or road by road, as `tiles` says: the grid is the same.
    pub(super) fn build_with(
        engine: &Engine,
        reached: &ReachedRoads,
        buffer_m: f64,
        limits: &[f64],
        km: &mut RoadKm,
        tiles: Tiles,
    ) -> Result<TimeGrid, IsochroneError> {
        let (graph, spacing) = (&engine.graph, spacing_for(buffer_m));
        let largest = limits.last().copied().unwrap_or(0.0);
        let roads = reached.entries().map(|entry| entry.road());
        let visits = RoadVisits::new(&engine.roads, &engine.road_cells, roads, spacing);
        // The gather worked out the span of the cached cells the search
        // reached; other limits and other spacings need it worked out here.
        let span = match (&visits, reached.span(largest)) {
            (RoadVisits::Known(_), Some(span)) => span,
            _ => {
                // Roads spanned end to end take their whole road's cells:
                // only the others need their stretches worked out.
                let mut span = CellSpan::EMPTY;
                reached.for_each_entry(|k, entry| {
                    span = span.union(if reached.spans_whole_road(&entry, largest) {
                        visits.whole_span(k, entry.road())
                    } else {
                        visits.reach_span(k, &reached.group(graph, entry, largest))
                    })
                });
                span
            }
        };
        if span.min[0] > span.max[0] {
            return Err(IsochroneError::NoStart);
        }
        let (min, max) = (span.min.map(i64::from), span.max.map(i64::from));
        // Rows start at a whole word of the lattice, so that the tiles'
        // words are words of the grid.
        let origin = [(min[0] - MARGIN).div_euclid(WORD) * WORD, min[1] - MARGIN];
        let nx = (max[0] + MARGIN - origin[0] + 1) as usize;
        let ny = (max[1] + MARGIN - origin[1] + 1) as usize;
        let points = nx.saturating_mul(ny);
        if points > MAX_GRID_POINTS {
            return Err(IsochroneError::GridTooLarge { points, limit: MAX_GRID_POINTS, buffer_m });
        }
        let mut grid = TimeGrid::empty(Inside::empty(origin, spacing, [nx, ny]), limits);
        let whole =
            visits.tiles().filter(|_| tiles == Tiles::Whole).map(|tiles| WholeTiles::of(tiles, reached, limits));
        if let Some(whole) = &whole {
            for (tile, contour) in whole.tiles() {
                grid.settle_words(contour, whole.of.words(tile));
                km.add_whole(whole.of.length(tile), contour);
            }
        }
        let all = visits.all();
        // Roads settled in the same contour one after another in `all` (in
        // a search that reached most roads, nearly all of them) are settled
        // in one run.
        let mut run: Option<(usize, Range<usize>)> = None;
        // The roads known by their ends' times that did not go in with
        // their tile (all of them, without tiles), then the start roads.
        let ends = whole.as_ref().map_or_else(|| (0..reached.ends().len()).collect(), WholeTiles::others);
        reached.for_each_entry_among(ends, |k, entry| {
            let group = reached.group(graph, entry, largest);
            let (inside_from, timed) = contours_meeting(&group.reach, limits);
            let range = within_reach(&all.parts, visits.range(k, group.road), &group.reach);
            if let Some(contour) = inside_from {
                match &mut run {
                    Some((same, settled)) if *same == contour && settled.end == range.start => settled.end = range.end,
                    _ => {
                        if let Some((contour, settled)) = run.replace((contour, range.clone())) {
                            grid.settle(contour, &all.cells[settled]);
                        }
                    }
                }
            }
            // Roads inside wherever they go need no lines (nearly all, for
            // one contour); a road reached along one stretch or from both
            // ends has its lines unrolled, held in registers.
            if timed {
                let (cells, parts) = (&all.cells[range.clone()], &all.parts[range]);
                match &*group.stretches() {
                    [a] => {
                        let a = Line::of(a);
                        grid.list(cells, parts, |from, to| earliest(&[a], from, to));
                    }
                    [a, b] => {
                        let (a, b) = (Line::of(a), Line::of(b));
                        grid.list(cells, parts, |from, to| earliest(&[a, b], from, to));
                    }
                    stretches => {
                        let lines: Vec<Line> = stretches.iter().map(Line::of).collect();
                        grid.list(cells, parts, |from, to| earliest(&lines, from, to));
                    }
                }
            }
            km.add(&group);
        });
        if let Some((contour, settled)) = run {
            grid.settle(contour, &all.cells[settled]);
        }
        grid.take_in_smaller_contours();
        Ok(grid)
    }

    /// Whether the grid points inside contour `contour` are those of
    /// `other`'s, on a grid of the same shape.
    #[cfg(test)]
    pub(super) fn same_inside(&self, other: &TimeGrid, contour: usize) -> bool {
        let (mine, theirs) = (self.inside(contour), other.inside(contour));
        (mine.origin, mine.nx, mine.ny) == (theirs.origin, theirs.nx, theirs.ny)
            && (0..mine.ny).all(|j| mine.row(j) == theirs.row(j))
    }

    /// Adds to each contour's layer the cells of the smaller contours' (a
    /// road inside a contour is inside the larger ones).
    fn take_in_smaller_contours(&mut self) {
        for k in 1..self.settled.len() {
            let (smaller, rest) = self.settled.split_at_mut(k);
            if let Some(below) = &smaller[k - 1] {
                match &mut rest[0] {
                    Some(layer) => layer.union_with(below),
                    none => *none = Some(below.clone()),
                }
            }
        }
    }

    /// A grid of the shape of `empty` with no cell reached, for contours of
    /// `limits`.
    fn empty(empty: Inside, limits: &[f64]) -> TimeGrid {
        TimeGrid { limits: limits.to_vec(), settled: vec![None; limits.len()], timed: Vec::new(), empty }
    }

    /// The grid points inside contour `contour` (an index into the limits):
    /// those with a cell of their stencil reached within it. Grid point
    /// (i, j) sees cells (i + a, j + b) for a in −2..=1 with b in −1..=0
    /// (box A), and for a in −1..=0 with b in −2..=1 (box B).
    pub fn inside(&self, contour: usize) -> Inside {
        let limit = self.limits[contour] as f32;
        let mut cells = self.settled[contour].as_ref().unwrap_or(&self.empty).clone();
        for &(cell, time) in &self.timed {
            cells.include(cell as usize, time <= limit);
        }
        let (ny, words) = (cells.ny, cells.row(0).len());
        // Per cell row, the cells (i + a) for a in −2..=1 (`wide`) and for a
        // in −1..=0 (`narrow`), as bits at i; only the four rows a grid row
        // sees are kept, row r in slot r % 4.
        let (mut wide, mut narrow) = (vec![0u64; 4 * words], vec![0u64; 4 * words]);
        let stencil_row = |r: usize, wide: &mut [u64], narrow: &mut [u64]| {
            let (row, slot) = (cells.row(r), (r % 4) * words);
            for w in 0..words {
                let here = row[w];
                let before = if w > 0 { row[w - 1] } else { 0 };
                let after = row.get(w + 1).copied().unwrap_or(0);
                let one_left = here << 1 | before >> 63;
                narrow[slot + w] = here | one_left;
                wide[slot + w] = here | one_left | (here << 2 | before >> 62) | (here >> 1 | after << 63);
            }
        };
        stencil_row(0, &mut wide, &mut narrow);
        // Row `r` of `rows` (wide or narrow), or nothing off the grid.
        let row_of =
            |rows: &[u64], r: Option<usize>, w: usize| r.filter(|&r| r < ny).map_or(0, |r| rows[(r % 4) * words + w]);
        // The margin keeps reached cells away from the edge: no bit reaches
        // past `nx` or onto the grid's edge.
        cells.with_rows(|j, out| {
            if j + 1 < ny {
                stencil_row(j + 1, &mut wide, &mut narrow);
            }
            for (w, word) in out.iter_mut().enumerate() {
                let box_a = row_of(&wide, j.checked_sub(1), w) | row_of(&wide, Some(j), w);
                let box_b = row_of(&narrow, j.checked_sub(2), w) | row_of(&narrow, Some(j + 1), w);
                *word = box_a | box_b;
            }
        })
    }

    /// Marks each of `cells` as reached within contour `contour` and the
    /// larger ones.
    fn settle(&mut self, contour: usize, cells: &[[i32; 2]]) {
        let layer = self.settled[contour].get_or_insert_with(|| self.empty.clone());
        let at = CellIndex::of(layer);
        layer.include_all(cells.iter().map(|&cell| at.index(cell)));
    }

    /// Marks the cells of `words` as reached within contour `contour` and
    /// the larger ones.
    fn settle_words(&mut self, contour: usize, words: &[RowWord]) {
        let layer = self.settled[contour].get_or_insert_with(|| self.empty.clone());
        let at = CellIndex::of(layer);
        for &word in words {
            layer.include_word(at.word(word), word.bits);
        }
    }

    /// Lists each of `cells` with the earliest time of the stretch of road
    /// inside it, from fraction `parts[k][0]` to `parts[k][1]`:
    /// `earliest(from, to)`, where that is finite.
    fn list(&mut self, cells: &[[i32; 2]], parts: &[[f64; 2]], earliest: impl Fn(f64, f64) -> f64) {
        let at = CellIndex::of(&self.empty);
        for (&cell, &[from, to]) in cells.iter().zip(parts) {
            let t = earliest(from, to);
            if t.is_finite() {
                let index = at.index(cell) as u32;
                self.timed.push((index, t as f32));
            }
        }
    }
}

/// Where lattice cells are in a grid (copied out of it, so that a loop
/// writing to the grid need not read them again).
#[derive(Debug, Clone, Copy)]
struct CellIndex {
    origin: [i64; 2],
    stride: usize,
}

impl CellIndex {
    fn of(grid: &Inside) -> CellIndex {
        CellIndex { origin: grid.origin, stride: grid.stride() }
    }

    /// The index of lattice cell `cell`, which the grid holds.
    fn index(&self, cell: [i32; 2]) -> usize {
        let [i, j] = [0, 1].map(|axis| (i64::from(cell[axis]) - self.origin[axis]) as usize);
        j * self.stride + i
    }

    /// The index of the grid's word of `word`, which the grid holds (its
    /// rows start at a whole word of the lattice).
    fn word(&self, word: RowWord) -> usize {
        debug_assert_eq!(self.origin[0] % WORD, 0, "rows start at a whole word");
        self.index([word.word * WORD_CELLS, word.row]) / 64
    }
}

/// How [`TimeGrid::build_with`] takes in the roads of the engine's tiles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Tiles {
    /// The tiles that can go in whole, whole.
    Whole,
    /// Every road one by one (for tests: the grid is the same).
    #[cfg(test)]
    RoadByRoad,
}

/// Cells in a word of a grid row, as the lattice's origins take them.
const WORD: i64 = WORD_CELLS as i64;

/// The engine's road tiles whose every road one search reached edge to
/// edge, wholly within one contour and reached within none below it, found
/// from the roads' ends' times alone: each such tile goes into that
/// contour's layer as its words, and its roads' km as one sum.
struct WholeTiles<'a> {
    /// The engine's tiles.
    of: &'a RoadTiles,
    /// Contours.
    contours: usize,
    /// Per road of [`ReachedRoads::ends`], where its tile and contour are
    /// in `whole` (the last place, never whole, for a road that keeps its
    /// tile from going in whole).
    places: Vec<u32>,
    /// Per tile and contour, at `tile * contours + contour`: whether the
    /// tile goes whole in that contour; then one more place, false.
    whole: Vec<bool>,
}

impl<'a> WholeTiles<'a> {
    /// The tiles of `tiles` that go whole into the grid of `reached` for
    /// the contours of `limits`.
    fn of(tiles: &'a RoadTiles, reached: &ReachedRoads, limits: &[f64]) -> WholeTiles<'a> {
        let (contours, largest) = (limits.len(), limits.last().copied().unwrap_or(0.0));
        let never = tiles.count() * contours;
        let mut counts = vec![0u32; never];
        let places = reached
            .ends()
            .iter()
            .map(|&times| {
                let whole = ReachedRoads::edge_to_edge(times, largest).map(|reach| contours_meeting(&reach, limits));
                match (whole, tiles.tile_of(times.road)) {
                    (Some((Some(contour), false)), Some(tile)) => {
                        counts[tile * contours + contour] += 1;
                        (tile * contours + contour) as u32
                    }
                    _ => never as u32,
                }
            })
            .collect();
        let mut whole: Vec<bool> =
            counts.iter().enumerate().map(|(k, &n)| n == tiles.road_count(k / contours)).collect();
        whole.push(false);
        WholeTiles { of: tiles, contours, places, whole }
    }

    /// Every tile that goes in whole, with its contour.
    fn tiles(&self) -> impl Iterator<Item = (usize, usize)> + '_ {
        let places = self.whole[..self.whole.len() - 1].iter().enumerate();
        places.filter(|&(_, &whole)| whole).map(|(k, _)| (k / self.contours, k % self.contours))
    }

    /// The roads of [`ReachedRoads::ends`] (by their place there) that did
    /// not go in with their tile.
    fn others(&self) -> Vec<usize> {
        let mut others = vec![0; self.places.len()];
        let mut n = 0;
        // Without a branch: whether a road's tile is whole is hard to guess.
        for (k, &place) in self.places.iter().enumerate() {
            others[n] = k;
            n += usize::from(!self.whole[place as usize]);
        }
        others.truncate(n);
        others
    }
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

    /// A grid of `nx × ny` cells with the given times, spacing 1, for
    /// contours of `limits`.
    fn grid_of(nx: usize, ny: usize, marks: &[([i32; 2], f64)], limits: &[f64]) -> TimeGrid {
        let mut grid = TimeGrid::empty(Inside::empty([0, 0], 1.0, [nx, ny]), limits);
        for &(cell, t) in marks {
            grid.list(&[cell], &[[0.0, 1.0]], |_, _| t);
        }
        grid
    }

    #[test]
    fn each_point_sees_exactly_the_cells_wholly_within_the_core_radius() {
        // Cells on both sides of a word boundary of the bit rows too.
        let (nx, ny) = (140, 12);
        for cell in [[5, 6], [62, 5], [63, 6], [64, 5], [65, 6], [127, 4]] {
            let grid = grid_of(nx, ny, &[(cell, 7.0)], &[6.5, 7.0]);
            let (inside, before) = (grid.inside(1), grid.inside(0));
            let mut seen = 0;
            for j in 0..ny {
                for i in 0..nx {
                    let expected = wholly_near(i64::from(cell[0]) - i as i64, i64::from(cell[1]) - j as i64);
                    assert_eq!(inside.contains_point(i, j), expected, "cell {cell:?}, point ({i}, {j})");
                    assert!(!before.contains_point(i, j), "cell {cell:?}: reached after the limit");
                    seen += usize::from(expected);
                }
            }
            assert_eq!(seen, 12, "four own cells and two beyond each side");
        }
    }

    #[test]
    fn a_road_is_wholly_inside_the_contours_from_its_latest_time_and_timed_below() {
        let stretch = |from, to, time: [f64; 2]| Stretch { road: 0, from, to, time };
        // From both ends, meeting: earliest 10, latest 60.
        let met = [stretch(0.0, 0.6, [10.0, 60.0]), stretch(1.0, 0.5, [20.0, 50.0])];
        assert_eq!(contours_meeting(&RoadReach::of(&met), &[60.0]), (Some(0), false));
        assert_eq!(contours_meeting(&RoadReach::of(&met), &[59.0, 60.0]), (Some(1), true), "59 cuts through it");
        assert_eq!(contours_meeting(&RoadReach::of(&met), &[5.0, 60.0]), (Some(1), false), "5 misses it");
        assert_eq!(contours_meeting(&RoadReach::of(&met), &[10.0, 70.0]), (Some(1), true), "10 touches its start");
        assert_eq!(contours_meeting(&RoadReach::of(&met), &[5.0, 30.0]), (None, true), "beyond every limit: all timed");
        let gap = [stretch(0.0, 0.4, [10.0, 60.0]), stretch(1.0, 0.5, [20.0, 50.0])];
        assert_eq!(
            contours_meeting(&RoadReach::of(&gap), &[100.0]),
            (None, true),
            "the cells in the gap are not reached"
        );
        assert_eq!(contours_meeting(&RoadReach::of(&[stretch(0.3, 0.7, [5.0, 0.0])]), &[5.0]), (Some(0), false));
        assert_eq!(contours_meeting(&RoadReach::of(&[met[0], met[1], met[0]]), &[100.0]), (None, true), "a start road");
    }

    #[test]
    fn settled_cells_are_inside_their_contour_and_the_larger_and_listed_ones_from_their_time() {
        let limits = [0.0, 6.5, 7.0];
        let mut grid = TimeGrid::empty(Inside::empty([0, 0], 1.0, [24, 12]), &limits);
        grid.settle(0, &[[5, 5]]);
        grid.settle(1, &[[10, 5]]);
        grid.take_in_smaller_contours();
        grid.list(&[[16, 5]], &[[0.0, 1.0]], |_, _| 7.0);
        grid.list(&[[16, 6]], &[[0.0, 1.0]], |_, _| f64::INFINITY);
        assert_eq!(grid.timed.len(), 1, "an unreached cell is not listed");
        for (contour, limit) in limits.into_iter().enumerate() {
            let inside = grid.inside(contour);
            assert!(inside.contains_point(5, 5), "settled in the first: inside at {limit}");
            assert_eq!(inside.contains_point(10, 5), limit >= 6.5, "settled in the second: at {limit}");
            assert_eq!(inside.contains_point(16, 5), limit >= 7.0, "listed at 7: at {limit}");
            assert!(!inside.contains_point(16, 8), "the unreached cell adds nothing at {limit}");
        }
    }

    #[test]
    fn a_point_is_inside_when_a_cell_it_sees_is_within_the_limit() {
        let grid = grid_of(12, 12, &[([5, 5], 9.0), ([6, 5], 4.0), ([6, 5], 6.0)], &[4.0, 8.0, 9.0]);
        let (early, late) = (grid.inside(0), grid.inside(1));
        assert!(early.contains_point(6, 5), "sees the second cell, at its earlier time");
        assert!(!early.contains_point(4, 5) && !late.contains_point(4, 5), "sees only the first (offset +1)");
        assert!(grid.inside(2).contains_point(4, 5));
    }

    /// Random cells against the stencil's definition, on grids wider than
    /// two words, for several limits.
    #[test]
    fn random_cells_match_the_stencil_by_brute_force() {
        let mut fraction = crate::test_random::random_fractions(7);
        let mut rnd = move || f64::from(fraction());
        let (nx, ny) = (150, 20);
        for round in 0..10 {
            let share = 0.02 + 0.03 * f64::from(round);
            let mut marks = Vec::new();
            for j in MARGIN as i32..ny as i32 - MARGIN as i32 {
                for i in MARGIN as i32..nx as i32 - MARGIN as i32 {
                    if rnd() < share {
                        marks.push(([i, j], 10.0 * rnd()));
                    }
                }
            }
            let limits = [2.5, 5.0, 9.5];
            let grid = grid_of(nx, ny, &marks, &limits);
            for (contour, limit) in limits.into_iter().enumerate() {
                let inside = grid.inside(contour);
                for j in 0..ny {
                    for i in 0..nx {
                        let expected = marks.iter().any(|&([ci, cj], t)| {
                            t <= limit && wholly_near(i64::from(ci) - i as i64, i64::from(cj) - j as i64)
                        });
                        assert_eq!(inside.contains_point(i, j), expected, "round {round}, limit {limit}: ({i}, {j})");
                    }
                }
            }
        }
    }
}
