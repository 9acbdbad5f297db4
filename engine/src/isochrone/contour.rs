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
//! Rings are followed cell to cell from each crossing; the cells a boundary
//! passes through are found eight at a time, one word per row.

use geo::{Coord, LineString, MultiPolygon, Polygon};

/// Which grid points are inside a contour, on a lattice in the local metric
/// projection. The points on the grid's edge must be outside.
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
    /// 1 for a point inside, 0 outside, row by row.
    pub flags: Vec<u8>,
}

/// A ring in doubled grid units (so edge midpoints are integers).
type Ring = Vec<[i64; 2]>;

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
    let mut rings = trace_rings(grid);
    if vertices == Vertices::Corners {
        rings = rings.into_iter().map(drop_collinear).filter(|r| r.len() >= 3).collect();
    }
    let mut outers: Vec<(Ring, i64)> = Vec::new();
    let mut holes: Vec<Ring> = Vec::new();
    for ring in rings {
        match doubled_area(&ring) {
            area if area > 0 => outers.push((ring, area)),
            _ => holes.push(ring),
        }
    }
    outers.sort_by_key(|(_, area)| *area);
    let mut polygon_holes: Vec<Vec<Ring>> = vec![Vec::new(); outers.len()];
    let boxes: Vec<[i64; 4]> = outers.iter().map(|(ring, _)| bounding_box(ring)).collect();
    for hole in holes {
        let probe = hole[0];
        let candidates: Vec<usize> = (0..outers.len())
            .filter(|&k| {
                let [x0, y0, x1, y1] = boxes[k];
                (x0..=x1).contains(&probe[0]) && (y0..=y1).contains(&probe[1])
            })
            .collect();
        // Every hole lies inside some outer ring; the smallest one that holds
        // it owns it, and with a single candidate no test is needed.
        let owner = match candidates.as_slice() {
            [only] => Some(*only),
            _ => candidates.iter().copied().find(|&k| contains(&outers[k].0, probe)),
        };
        if let Some(owner) = owner {
            polygon_holes[owner].push(hole);
        }
    }
    let half = grid.spacing / 2.0;
    let placed = |p: [i64; 2]| {
        let [x, y] = place([(2 * grid.origin[0] + p[0]) as f64 * half, (2 * grid.origin[1] + p[1]) as f64 * half]);
        Coord { x, y }
    };
    let ring_string = |ring: &Ring| {
        let mut coords = Vec::with_capacity(ring.len() + 1);
        coords.extend(ring.iter().map(|&p| placed(p)));
        coords.push(coords[0]);
        LineString::new(coords)
    };
    let mut area_doubled = 0i64;
    let mut polygons = Vec::with_capacity(outers.len());
    for ((outer, area), holes) in outers.iter().zip(&polygon_holes) {
        area_doubled += area + holes.iter().map(doubled_area).sum::<i64>();
        polygons.push(Polygon::new(ring_string(outer), holes.iter().map(ring_string).collect()));
    }
    // Doubled units: a unit square has doubled area 2 * 4 = 8.
    let area_m2 = area_doubled as f64 / 8.0 * grid.spacing * grid.spacing;
    (MultiPolygon::new(polygons), area_m2)
}

/// The case of cell (i, j) (between grid points (i, j) and (i + 1, j + 1)):
/// bit `k` is set when its corner `k` is inside, corners counted
/// counter-clockwise from the bottom left. Its edge `k` runs from corner `k`
/// to corner `k + 1` (bottom, right, top, left).
fn case(grid: &Inside, i: usize, j: usize) -> usize {
    let (below, above) = (j * grid.nx + i, (j + 1) * grid.nx + i);
    let f = &grid.flags;
    usize::from(f[below] | f[below + 1] << 1 | f[above + 1] << 2 | f[above] << 3)
}

/// No segment starts at this edge.
const NO_EXIT: u8 = 4;

/// For every cell case and edge `k`, the edge where the boundary segment
/// that starts at `k` ends, or [`NO_EXIT`]. A segment starts at an edge whose
/// first corner is inside and second is not (the inside on its left), and
/// ends at the next edge counter-clockwise where the inside begins again; a
/// saddle cell thus joins its inside corners through the cell.
const EXITS: [[u8; 4]; 16] = exits();

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

/// The crossing at the middle of edge `k` of cell (i, j): its index among all
/// grid edges, `2 * point + 0` for the horizontal edge to the right of a point
/// and `+ 1` for the vertical edge above it, and its position in doubled grid
/// units.
fn crossing(nx: usize, i: usize, j: usize, k: usize) -> (usize, [i64; 2]) {
    let (x, y) = (2 * i as i64, 2 * j as i64);
    match k {
        0 => (2 * (j * nx + i), [x + 1, y]),
        1 => (2 * (j * nx + i + 1) + 1, [x + 2, y + 1]),
        2 => (2 * ((j + 1) * nx + i), [x + 1, y + 2]),
        _ => (2 * (j * nx + i) + 1, [x, y + 1]),
    }
}

/// Every boundary ring, each vertex a crossing, with the inside on the left:
/// outer rings counter-clockwise, holes clockwise. Every crossing stays a
/// vertex except in the middle of horizontal and vertical runs (see
/// [`Vertices::Nesting`]): then a boundary shared by two contours (or by a
/// facility's isochrone and its service circle) is made of the very same
/// vertices in both, and nesting survives floating-point conversion exactly.
/// Rings never cross or touch: every crossing belongs to exactly one ring.
fn trace_rings(grid: &Inside) -> Vec<Ring> {
    let nx = grid.nx;
    let mut used = vec![0u64; (2 * nx * grid.ny).div_ceil(64)];
    let mut rings = Vec::new();
    // Rings start at their first segment in cell order, so the output does
    // not depend on anything but the flags.
    for j in 0..grid.ny.saturating_sub(1) {
        let (row, above) = (&grid.flags[j * nx..(j + 1) * nx], &grid.flags[(j + 1) * nx..(j + 2) * nx]);
        for i0 in (0..nx - 1).step_by(8) {
            let mut mixed = mixed_cells(row, above, i0);
            while mixed != 0 {
                let i = i0 + mixed.trailing_zeros() as usize / 8;
                mixed &= mixed - 1;
                for (k, &exit) in EXITS[case(grid, i, j)].iter().enumerate() {
                    let (first, _) = crossing(nx, i, j, k);
                    if exit != NO_EXIT && used[first / 64] & (1 << (first % 64)) == 0 {
                        rings.push(trace(grid, &mut used, [i, j], k));
                    }
                }
            }
        }
    }
    rings
}

/// The cells from column `i` to `i + 7` between two rows of flags with a
/// boundary through them (corners not all alike), as one byte each (1 or 0)
/// of a word, lowest byte first; cells past the row's end are left out.
fn mixed_cells(row: &[u8], above: &[u8], i: usize) -> u64 {
    let (low, low_next, high, high_next) = (word(row, i), word(row, i + 1), word(above, i), word(above, i + 1));
    let mixed = (low ^ low_next) | (low ^ high) | (low ^ high_next);
    match row.len() - 1 - i {
        cells if cells >= 8 => mixed,
        cells => mixed & ((1u64 << (8 * cells)) - 1),
    }
}

/// Eight flags from `from` as a word, lowest byte first (zero, outside,
/// past the end).
fn word(flags: &[u8], from: usize) -> u64 {
    match flags.get(from..from + 8).map(<[u8; 8]>::try_from) {
        Some(Ok(bytes)) => u64::from_le_bytes(bytes),
        _ => {
            let mut bytes = [0u8; 8];
            let tail = &flags[from.min(flags.len())..];
            bytes[..tail.len()].copy_from_slice(tail);
            u64::from_le_bytes(bytes)
        }
    }
}

/// Follows the ring whose segment starts at edge `k` of `cell` until it
/// closes, marking its crossings used.
fn trace(grid: &Inside, used: &mut [u64], cell: [usize; 2], k: usize) -> Ring {
    let ([mut i, mut j], mut k) = (cell, k);
    let mut ring = Ring::new();
    loop {
        let (index, position) = crossing(grid.nx, i, j, k);
        if used[index / 64] & (1 << (index % 64)) != 0 {
            break;
        }
        used[index / 64] |= 1 << (index % 64);
        push_vertex(&mut ring, position);
        // The segment leaves through edge m into the neighbouring cell, where
        // the next one starts at the same crossing. The edge has an inside
        // corner, so it is never the grid's border.
        let m = EXITS[case(grid, i, j)][k];
        match m {
            0 => j -= 1,
            1 => i += 1,
            2 => j += 1,
            3 => i -= 1,
            _ => break,
        }
        k = usize::from(m + 2) % 4;
    }
    // The run through the ring's start may continue on both sides of it.
    while ring.len() > 3 && on_axis_run(ring[ring.len() - 2], ring[ring.len() - 1], ring[0]) {
        ring.pop();
    }
    if ring.len() > 3 && on_axis_run(ring[ring.len() - 1], ring[0], ring[1]) {
        ring.remove(0);
    }
    ring
}

/// Appends `p` to a ring being traced, or, when the last vertex sits in the
/// middle of a horizontal or vertical run that `p` continues, replaces it.
fn push_vertex(ring: &mut Ring, p: [i64; 2]) {
    match ring.as_mut_slice() {
        [.., a, b] if on_axis_run(*a, *b, p) => *b = p,
        _ => ring.push(p),
    }
}

/// Whether `b` lies in the middle of a horizontal or vertical run from `a`
/// to `c`.
fn on_axis_run(a: [i64; 2], b: [i64; 2], c: [i64; 2]) -> bool {
    (a[0] == b[0] && b[0] == c[0]) || (a[1] == b[1] && b[1] == c[1])
}

/// Removes points that lie on the straight line between their neighbours
/// (exact: rings are in integer units).
fn drop_collinear(ring: Ring) -> Ring {
    let n = ring.len();
    (0..n)
        .filter(|&k| {
            let (prev, here, next) = (ring[(k + n - 1) % n], ring[k], ring[(k + 1) % n]);
            (here[0] - prev[0]) * (next[1] - here[1]) != (here[1] - prev[1]) * (next[0] - here[0])
        })
        .map(|k| ring[k])
        .collect()
}

/// `[min x, min y, max x, max y]` of a ring.
fn bounding_box(ring: &Ring) -> [i64; 4] {
    ring.iter().fold([i64::MAX, i64::MAX, i64::MIN, i64::MIN], |[x0, y0, x1, y1], p| {
        [x0.min(p[0]), y0.min(p[1]), x1.max(p[0]), y1.max(p[1])]
    })
}

/// Twice the signed area (positive counter-clockwise) in doubled units.
fn doubled_area(ring: &Ring) -> i64 {
    let n = ring.len();
    (0..n).map(|k| ring[k][0] * ring[(k + 1) % n][1] - ring[(k + 1) % n][0] * ring[k][1]).sum()
}

/// Whether `p` lies inside `ring` (even-odd rule; `p` is never on it).
fn contains(ring: &Ring, p: [i64; 2]) -> bool {
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
    use geo::{Area, Validation, Winding};

    fn polygons_all(grid: &Inside) -> (MultiPolygon<f64>, f64) {
        polygons(grid, Vertices::Nesting, |p| p)
    }

    /// A grid from rows of '#' (inside) and '.' (outside), top row last.
    fn grid(rows: &[&str]) -> Inside {
        let ny = rows.len();
        let nx = rows[0].len();
        let mut flags = vec![0; nx * ny];
        for (j, row) in rows.iter().rev().enumerate() {
            for (i, c) in row.chars().enumerate() {
                flags[j * nx + i] = u8::from(c == '#');
            }
        }
        Inside { origin: [0, 0], spacing: 1.0, nx, ny, flags }
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
    use geo::{Contains, Intersects, Point};

    /// Larger limits contain smaller ones on random smooth fields with noise
    /// (many saddles, holes and islands).
    #[test]
    fn larger_limits_contain_smaller_ones_on_random_fields() {
        let mut seed = 12345u64;
        let mut rnd = || {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (seed >> 33) as f32 / (1u64 << 31) as f32
        };
        for case in 0..200 {
            let (nx, ny) = (80, 80);
            let mut time = vec![f32::INFINITY; nx * ny];
            let (fx, fy, ph) = (rnd() * 0.5, rnd() * 0.5, rnd() * 6.0);
            for j in 1..ny - 1 {
                for i in 1..nx - 1 {
                    time[j * nx + i] = 0.5 + 0.3 * ((i as f32 * fx + ph).sin() * (j as f32 * fy).cos()) + 0.2 * rnd();
                }
            }
            let within = |limit: f32| Inside {
                origin: [0, 0],
                spacing: 1.0,
                nx,
                ny,
                flags: time.iter().map(|&t| u8::from(t <= limit)).collect(),
            };
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
