//! Marching squares over a [`TimeGrid`]: the polygons of the grid points
//! reached within a limit, with holes, valid by construction.
//!
//! A grid point is *inside* when its time is within the limit. Each cell's
//! boundary crossings sit at the midpoints of its edges; segments join them
//! with the inside on their left, so outer rings run counter-clockwise and
//! holes clockwise. A saddle cell (two opposite corners inside) joins its
//! inside corners through the cell, the same way at every limit, so larger
//! limits give polygons that contain those of smaller ones. Rings never
//! cross or touch: every crossing point belongs to exactly one ring.
//! Crossings sit on one lattice shared by all grids of the same spacing
//! (see [`TimeGrid::origin`]), so equal crossings have equal coordinates.

use geo::{Coord, LineString, MultiPolygon, Polygon};

use super::raster::TimeGrid;

/// A crossing point: a grid edge, as `2 * (j * nx + i) + kind` where kind 0
/// is the horizontal edge from (i, j) to (i + 1, j) and kind 1 the vertical
/// edge from (i, j) to (i, j + 1).
type Crossing = u64;

/// A ring in doubled grid units (so edge midpoints are integers).
type Ring = Vec<[i64; 2]>;

/// How much of a ring to keep.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Vertices {
    /// Every crossing, so that boundaries shared with polygons of other
    /// contours or grids are made of the very same vertices (nesting).
    EveryCrossing,
    /// Only the corners: points in the middle of straight runs are dropped
    /// (smaller output, for polygons compared with nothing else).
    Corners,
}

/// The polygons (in projected metres) of the grid points within `limit`,
/// and their total area in square metres.
pub fn polygons(grid: &TimeGrid, limit: f32, vertices: Vertices) -> (MultiPolygon<f64>, f64) {
    let segments = segments(grid, limit);
    let mut rings = trace_rings(grid, segments);
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
    let to_metres = |p: [i64; 2]| Coord {
        x: (2 * grid.origin[0] + p[0]) as f64 * grid.spacing / 2.0,
        y: (2 * grid.origin[1] + p[1]) as f64 * grid.spacing / 2.0,
    };
    let ring_string = |ring: &Ring| {
        let mut coords: Vec<Coord<f64>> = ring.iter().map(|&p| to_metres(p)).collect();
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

/// Every boundary segment, from one crossing to the next with the inside on
/// the left.
fn segments(grid: &TimeGrid, limit: f32) -> Vec<(Crossing, Crossing)> {
    let (nx, ny) = (grid.nx, grid.ny);
    let flags: Vec<bool> = grid.time.iter().map(|&t| t <= limit).collect();
    let inside = |i: usize, j: usize| flags[j * nx + i];
    let horizontal = |i: usize, j: usize| 2 * (j * nx + i) as Crossing;
    let vertical = |i: usize, j: usize| 2 * (j * nx + i) as Crossing + 1;
    let mut out = Vec::new();
    for j in 0..ny - 1 {
        for i in 0..nx - 1 {
            // Corners and edges counter-clockwise from the bottom left.
            let corners = [inside(i, j), inside(i + 1, j), inside(i + 1, j + 1), inside(i, j + 1)];
            if corners.iter().all(|&c| c == corners[0]) {
                continue;
            }
            let edges = [horizontal(i, j), vertical(i + 1, j), horizontal(i, j + 1), vertical(i, j)];
            // Each edge where the inside ends starts a segment, which ends at the
            // next edge (counter-clockwise) where the inside begins again.
            for k in 0..4 {
                if corners[k] && !corners[(k + 1) % 4] {
                    let end = (1..4).map(|step| (k + step) % 4).find(|&m| !corners[m] && corners[(m + 1) % 4]);
                    if let Some(m) = end {
                        out.push((edges[k], edges[m]));
                    }
                }
            }
        }
    }
    out
}

/// Links segments into closed rings of doubled grid coordinates. Every
/// crossing stays a vertex, even in the middle of a straight run: then a
/// boundary shared by two contours (or by a facility's isochrone and its
/// service circle) is made of the very same vertices in both, and nesting
/// survives floating-point conversion exactly.
fn trace_rings(grid: &TimeGrid, segments: Vec<(Crossing, Crossing)>) -> Vec<Ring> {
    let nx = grid.nx as u64;
    let position = |c: Crossing| -> [i64; 2] {
        let (cell, kind) = (c / 2, c % 2);
        let (i, j) = ((cell % nx) as i64, (cell / nx) as i64);
        if kind == 0 { [2 * i + 1, 2 * j] } else { [2 * i, 2 * j + 1] }
    };
    // Every crossing starts at most one segment: index them by crossing, so
    // that following a ring is one lookup per vertex.
    const NONE: u32 = u32::MAX;
    let mut starting_at = vec![NONE; 2 * grid.nx * grid.ny];
    for (k, &(start, _)) in segments.iter().enumerate() {
        starting_at[start as usize] = k as u32;
    }
    let mut rings = Vec::new();
    // Rings start at their lowest crossing, in crossing order, so the output
    // does not depend on the order in which segments were found.
    for first in 0..starting_at.len() {
        if starting_at[first] == NONE {
            continue;
        }
        let mut ring: Ring = Vec::new();
        let mut at = first;
        loop {
            let k = starting_at[at];
            if k == NONE {
                break;
            }
            starting_at[at] = NONE;
            ring.push(position(at as Crossing));
            at = segments[k as usize].1 as usize;
        }
        if ring.len() >= 3 {
            rings.push(ring);
        }
    }
    rings
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

    fn polygons_all(grid: &TimeGrid, limit: f32) -> (MultiPolygon<f64>, f64) {
        polygons(grid, limit, Vertices::EveryCrossing)
    }

    /// A grid from rows of '#' (inside, time 0) and '.' (outside), top row last.
    fn grid(rows: &[&str]) -> TimeGrid {
        let ny = rows.len();
        let nx = rows[0].len();
        let mut time = vec![f32::INFINITY; nx * ny];
        for (j, row) in rows.iter().rev().enumerate() {
            for (i, c) in row.chars().enumerate() {
                if c == '#' {
                    time[j * nx + i] = 0.0;
                }
            }
        }
        TimeGrid { origin: [0, 0], spacing: 1.0, nx, ny, time }
    }

    #[test]
    fn a_single_point_is_a_diamond() {
        let (mp, area) = polygons_all(&grid(&["...", ".#.", "..."]), 0.0);
        assert_eq!(mp.0.len(), 1);
        assert_eq!(area, 0.5);
        assert!((mp.unsigned_area() - 0.5).abs() < 1e-12 && mp.signed_area() > 0.0);
        assert!(mp.is_valid());
    }

    #[test]
    fn a_ring_of_points_has_a_hole() {
        let g = grid(&[".......", ".#####.", ".#...#.", ".#...#.", ".#...#.", ".#####.", "......."]);
        let (mp, area) = polygons_all(&g, 0.0);
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
        let (mp, _) = polygons_all(&g, 0.0);
        assert_eq!(mp.0.len(), 1, "diagonal neighbours are joined");
        assert!(mp.is_valid());
    }

    #[test]
    fn corners_only_drops_the_middles_of_straight_runs() {
        let g = grid(&[".......", ".#####.", ".#####.", ".#####.", "......."]);
        let (all, area_all) = polygons_all(&g, 0.0);
        let (corners, area) = polygons(&g, 0.0, Vertices::Corners);
        assert_eq!(area, area_all);
        assert_eq!(corners.0[0].exterior().0.len(), 8 + 1, "an octagon, closed");
        assert!(all.0[0].exterior().0.len() > corners.0[0].exterior().0.len());
        assert!(corners.is_valid());
    }

    #[test]
    fn an_island_inside_a_hole_is_its_own_polygon() {
        let g = grid(&[".........", ".#######.", ".#.....#.", ".#..#..#.", ".#.....#.", ".#######.", "........."]);
        let (mp, _) = polygons_all(&g, 0.0);
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
            let g = TimeGrid { origin: [0, 0], spacing: 1.0, nx, ny, time };
            let (small, _) = polygons(&g, 0.45, Vertices::EveryCrossing);
            let (big, _) = polygons(&g, 0.55, Vertices::EveryCrossing);
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
                                let t = g.time[j * nx + i];
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
