//! A grid over the reached area, in the local metric projection, holding at
//! every grid point the earliest travel time of any reached road point
//! within the core radius of it.
//!
//! With grid spacing `h = buffer / 3` and core radius `c = buffer − h·√2`,
//! a grid point with time ≤ T lies within `c` of a road point reached within
//! T, so every point of a cell that has such a corner lies within
//! `c + h·√2 = buffer` of one; and every road point reached within T has all
//! four corners of its cell within `h·√2 < c` of itself, so that whole cell
//! is inside. The contour tracer relies on exactly these two facts.
//!
//! Each road is rasterized once, segment by segment, visiting only the grid
//! points in the rectangle around the segment's core band; at each point
//! the earliest time over all of that road's stretches is taken.

use super::IsochroneError;
use super::reached::Stretch;
use crate::snap::RoadIndex;

/// Grid points at most (144 MB of times).
pub const MAX_GRID_POINTS: usize = 36_000_000;

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

/// Part of a stretch on one straight segment: positions along the segment
/// in metres from its start, the time at `from`, and how the time changes
/// per metre towards `to`.
#[derive(Debug, Clone, Copy)]
struct Part {
    from: f64,
    to: f64,
    time: f64,
    slope: f64,
}

impl TimeGrid {
    /// Rasterizes `stretches` for a buffer of `buffer_m` metres.
    pub fn build(roads: &RoadIndex, stretches: &[Stretch], buffer_m: f64) -> Result<TimeGrid, IsochroneError> {
        let spacing = buffer_m / 3.0;
        let core = buffer_m - spacing * std::f64::consts::SQRT_2;
        let mut by_road: Vec<&Stretch> = stretches.iter().collect();
        by_road.sort_unstable_by_key(|s| s.road);
        let groups: Vec<&[&Stretch]> = by_road.chunk_by(|a, b| a.road == b.road).collect();

        let (mut min, mut max) = ([f64::MAX; 2], [f64::MIN; 2]);
        for group in &groups {
            for_each_part(roads, group, |a, b, _| {
                for q in [a, b] {
                    min = [min[0].min(q[0]), min[1].min(q[1])];
                    max = [max[0].max(q[0]), max[1].max(q[1])];
                }
            });
        }
        if min[0] > max[0] {
            return Err(IsochroneError::NoStart);
        }
        // One spacing of margin beyond the core radius keeps the border outside.
        // Grid points sit on one lattice for every search with this buffer, so
        // that the grids of different searches (a facility's, its layer's
        // service circle) can be compared point by point.
        let margin = core + spacing;
        let lattice = |v: f64| (v / spacing).floor() as i64;
        let origin = [lattice(min[0] - margin), lattice(min[1] - margin)];
        let nx = ((max[0] + margin) / spacing).ceil() as i64 - origin[0] + 1;
        let ny = ((max[1] + margin) / spacing).ceil() as i64 - origin[1] + 1;
        let (nx, ny) = (nx.max(2) as usize, ny.max(2) as usize);
        let points = nx.saturating_mul(ny);
        if points > MAX_GRID_POINTS {
            return Err(IsochroneError::GridTooLarge { points, limit: MAX_GRID_POINTS, buffer_m });
        }
        let mut grid = TimeGrid { origin, spacing, nx, ny, time: vec![f32::INFINITY; points] };
        for group in &groups {
            for_each_part(roads, group, |a, b, parts| grid.rasterize(a, b, parts, core));
        }
        Ok(grid)
    }

    /// Lowers the time of every grid point within `core` of the segment
    /// `a`–`b` to the earliest time of the parts' points within `core` of it.
    fn rasterize(&mut self, a: [f64; 2], b: [f64; 2], parts: &[Part], core: f64) {
        let d = [b[0] - a[0], b[1] - a[1]];
        let length = (d[0] * d[0] + d[1] * d[1]).sqrt();
        // Unit direction and normal; a point segment gets an arbitrary frame.
        let u = if length > 0.0 { [d[0] / length, d[1] / length] } else { [1.0, 0.0] };
        let n = [-u[1], u[0]];
        let reach_from = parts.iter().map(|p| p.from).fold(f64::MAX, f64::min) - core;
        let reach_to = parts.iter().map(|p| p.to).fold(f64::MIN, f64::max) + core;
        let (y_lo, y_hi) = (a[1].min(b[1]) - core, a[1].max(b[1]) + core);
        let offset = [self.origin[0] as f64, self.origin[1] as f64];
        let j0 = (y_lo / self.spacing - offset[1]).ceil().max(0.0) as usize;
        let j1 = ((y_hi / self.spacing - offset[1]).floor() as usize).min(self.ny - 1);
        let core2 = core * core;
        for j in j0..=j1 {
            let y = (self.origin[1] + j as i64) as f64 * self.spacing;
            // Grid x where the point lies in the rectangle around the band:
            // |normal offset| <= core and along-offset within reach.
            let Some((x_lo, x_hi)) = linear_range((y - a[1]) * n[1] - a[0] * n[0], n[0], -core, core)
                .and_then(|r| intersect(r, linear_range((y - a[1]) * u[1] - a[0] * u[0], u[0], reach_from, reach_to)?))
            else {
                continue;
            };
            let i0 = (x_lo / self.spacing - offset[0]).ceil().max(0.0) as usize;
            let i1 = (x_hi / self.spacing - offset[0]).floor();
            if i1 < 0.0 {
                continue;
            }
            let i1 = (i1 as usize).min(self.nx - 1);
            let row = j * self.nx;
            for i in i0..=i1 {
                let x = (self.origin[0] + i as i64) as f64 * self.spacing;
                let w = [x - a[0], y - a[1]];
                let along = w[0] * u[0] + w[1] * u[1];
                let across = w[0] * n[0] + w[1] * n[1];
                let across2 = across * across;
                if across2 > core2 {
                    continue;
                }
                // The part of the segment's line within `core` of the point.
                let half = (core2 - across2).sqrt();
                let (chord_lo, chord_hi) = (along - half, along + half);
                let mut earliest = f64::INFINITY;
                for part in parts {
                    let (lo, hi) = (chord_lo.max(part.from), chord_hi.min(part.to));
                    if lo > hi {
                        continue;
                    }
                    // Time is linear along the part: its earliest point is an end.
                    let at = if part.slope >= 0.0 { lo } else { hi };
                    earliest = earliest.min(part.time + part.slope * (at - part.from));
                }
                let slot = &mut self.time[row + i];
                *slot = slot.min(earliest as f32);
            }
        }
    }
}

/// The x for which `lo <= c0 + slope * x <= hi`, if any (all x when the
/// slope is zero and `c0` is in range).
fn linear_range(c0: f64, slope: f64, lo: f64, hi: f64) -> Option<(f64, f64)> {
    if slope.abs() < 1e-12 {
        return (lo <= c0 && c0 <= hi).then_some((f64::MIN, f64::MAX));
    }
    let (x1, x2) = ((lo - c0) / slope, (hi - c0) / slope);
    Some((x1.min(x2), x1.max(x2)))
}

fn intersect(a: (f64, f64), b: (f64, f64)) -> Option<(f64, f64)> {
    let (lo, hi) = (a.0.max(b.0), a.1.min(b.1));
    (lo <= hi).then_some((lo, hi))
}

/// Calls `visit(a, b, parts)` for every straight segment of a road that one
/// of its stretches (`group`, all on that road) covers, with the parts of the
/// stretches on it.
fn for_each_part(roads: &RoadIndex, group: &[&Stretch], mut visit: impl FnMut([f64; 2], [f64; 2], &[Part])) {
    let (points, fractions) = roads.projected_road(group[0].road);
    let (lo, hi) =
        group.iter().map(|s| s.interval()).fold((f64::MAX, f64::MIN), |(lo, hi), [a, b]| (lo.min(a), hi.max(b)));
    let mut parts = Vec::with_capacity(group.len());
    for k in 0..points.len() - 1 {
        let (f0, f1) = (fractions[k], fractions[k + 1]);
        if f1 < lo || f0 > hi {
            continue;
        }
        let (a, b) = (points[k], points[k + 1]);
        let length = ((b[0] - a[0]).powi(2) + (b[1] - a[1]).powi(2)).sqrt();
        // Metres along this segment of a road fraction.
        let metres = |f: f64| if f1 > f0 { (f - f0) / (f1 - f0) * length } else { 0.0 };
        parts.clear();
        for s in group {
            let [s_lo, s_hi] = s.interval();
            let (from, to) = (s_lo.max(f0), s_hi.min(f1));
            if from > to {
                continue;
            }
            let time_at = |f: f64| {
                if s.to == s.from {
                    s.time[0].min(s.time[1])
                } else {
                    s.time[0] + (s.time[1] - s.time[0]) * (f - s.from) / (s.to - s.from)
                }
            };
            let (m_from, m_to) = (metres(from), metres(to));
            let (t_from, t_to) = (time_at(from), time_at(to));
            let slope = if m_to > m_from { (t_to - t_from) / (m_to - m_from) } else { 0.0 };
            parts.push(Part {
                from: m_from,
                to: m_to,
                time: t_from.min(if slope == 0.0 { t_to } else { t_from }),
                slope,
            });
        }
        if !parts.is_empty() {
            let from = parts.iter().map(|p| p.from).fold(f64::MAX, f64::min);
            let to = parts.iter().map(|p| p.to).fold(f64::MIN, f64::max);
            let point = |m: f64| {
                let t = if length > 0.0 { m / length } else { 0.0 };
                [a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])]
            };
            // Re-base the parts on the covered sub-segment so bounds stay tight.
            for part in &mut parts {
                part.from -= from;
                part.to -= from;
            }
            visit(point(from), point(to), &parts);
        }
    }
}
