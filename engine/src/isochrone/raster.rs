//! A grid over the reached area, in the local metric projection, holding at
//! every grid point the earliest travel time of any reached road point
//! within the core radius of it.
//!
//! With grid spacing `h` and core radius `c = buffer − h·√2`, a grid point
//! with time ≤ T lies within `c` of a road point reached within T, so every
//! point of a cell that has such a corner lies within `c + h·√2 = buffer` of
//! one; and every road point reached within T has all four corners of its
//! cell within `h·√2 < c` of itself, so that whole cell is inside. The
//! contour tracer relies on exactly these two facts.

use super::IsochroneError;
use super::reached::Stretch;
use crate::snap::RoadIndex;

/// Grid points at most (144 MB of times).
pub const MAX_GRID_POINTS: usize = 36_000_000;

/// A piece of road polyline in projected metres with the travel time at
/// each end (time is linear along it).
#[derive(Debug, Clone, Copy)]
struct Piece {
    a: [f64; 2],
    b: [f64; 2],
    time: [f64; 2],
}

/// The earliest-time grid of one search.
#[derive(Debug, Clone)]
pub struct TimeGrid {
    /// Projected position of grid point (0, 0).
    pub origin: [f64; 2],
    /// Distance between neighbouring grid points, metres.
    pub spacing: f64,
    /// Grid points along x.
    pub nx: usize,
    /// Grid points along y.
    pub ny: usize,
    /// Earliest time per grid point (`f32::INFINITY` where none), row by row.
    pub time: Vec<f32>,
}

impl TimeGrid {
    /// Rasterizes `stretches` for a buffer of `buffer_m` metres.
    pub fn build(roads: &RoadIndex, stretches: &[Stretch], buffer_m: f64) -> Result<TimeGrid, IsochroneError> {
        let spacing = buffer_m / 4.0;
        let core = buffer_m - spacing * std::f64::consts::SQRT_2;
        let pieces = pieces(roads, stretches);
        let (mut min, mut max) = ([f64::MAX; 2], [f64::MIN; 2]);
        for p in &pieces {
            for q in [p.a, p.b] {
                min = [min[0].min(q[0]), min[1].min(q[1])];
                max = [max[0].max(q[0]), max[1].max(q[1])];
            }
        }
        if pieces.is_empty() {
            min = [0.0; 2];
            max = [0.0; 2];
        }
        // One spacing of margin beyond the core radius keeps the border outside.
        let margin = core + spacing;
        let origin = [min[0] - margin, min[1] - margin];
        let nx = ((max[0] + margin - origin[0]) / spacing).ceil() as usize + 1;
        let ny = ((max[1] + margin - origin[1]) / spacing).ceil() as usize + 1;
        let points = nx.saturating_mul(ny);
        if points > MAX_GRID_POINTS {
            return Err(IsochroneError::GridTooLarge { points, limit: MAX_GRID_POINTS, buffer_m });
        }
        let mut grid = TimeGrid { origin, spacing, nx, ny, time: vec![f32::INFINITY; points] };
        for piece in &pieces {
            grid.rasterize(piece, core);
        }
        Ok(grid)
    }

    /// Lowers the time of every grid point within `core` of the piece to the
    /// earliest time of the piece's points within `core` of it.
    fn rasterize(&mut self, piece: &Piece, core: f64) {
        let Piece { a, b, time: [ta, tb] } = *piece;
        let d = [b[0] - a[0], b[1] - a[1]];
        let length = d[0].hypot(d[1]);
        let cell = |v: f64, o: f64| (v - o) / self.spacing;
        let i0 = cell(a[0].min(b[0]) - core, self.origin[0]).floor().max(0.0) as usize;
        let i1 = (cell(a[0].max(b[0]) + core, self.origin[0]).ceil() as usize).min(self.nx - 1);
        let j0 = cell(a[1].min(b[1]) - core, self.origin[1]).floor().max(0.0) as usize;
        let j1 = (cell(a[1].max(b[1]) + core, self.origin[1]).ceil() as usize).min(self.ny - 1);
        let core2 = core * core;
        for j in j0..=j1 {
            let y = self.origin[1] + j as f64 * self.spacing;
            for i in i0..=i1 {
                let x = self.origin[0] + i as f64 * self.spacing;
                let w = [x - a[0], y - a[1]];
                let w2 = w[0] * w[0] + w[1] * w[1];
                let earliest = if length > 0.0 {
                    // Position of the grid point's foot along the piece, and the
                    // half-chord of the core circle on the piece's line.
                    let s = (w[0] * d[0] + w[1] * d[1]) / length;
                    let perpendicular2 = (w2 - s * s).max(0.0);
                    if perpendicular2 > core2 {
                        continue;
                    }
                    let half = (core2 - perpendicular2).sqrt();
                    let (lo, hi) = ((s - half).max(0.0), (s + half).min(length));
                    if lo > hi {
                        continue;
                    }
                    let at = if tb >= ta { lo } else { hi };
                    ta + (tb - ta) * at / length
                } else if w2 <= core2 {
                    ta.min(tb)
                } else {
                    continue;
                };
                let slot = &mut self.time[j * self.nx + i];
                *slot = slot.min(earliest as f32);
            }
        }
    }
}

/// Cuts every stretch into straight pieces of its road's projected polyline.
fn pieces(roads: &RoadIndex, stretches: &[Stretch]) -> Vec<Piece> {
    let mut pieces = Vec::with_capacity(stretches.len() * 2);
    for s in stretches {
        let (points, fractions) = roads.projected_road(s.road);
        let [lo, hi] = s.interval();
        let time_at = |f: f64| {
            if s.to == s.from {
                s.time[0].min(s.time[1])
            } else {
                s.time[0] + (s.time[1] - s.time[0]) * (f - s.from) / (s.to - s.from)
            }
        };
        for k in 0..points.len() - 1 {
            let (f0, f1) = (fractions[k], fractions[k + 1]);
            if f1 < lo || f0 > hi {
                continue;
            }
            let point_at = |f: f64| {
                let t = if f1 > f0 { (f - f0) / (f1 - f0) } else { 0.0 };
                [
                    points[k][0] + t * (points[k + 1][0] - points[k][0]),
                    points[k][1] + t * (points[k + 1][1] - points[k][1]),
                ]
            };
            let (from, to) = (f0.max(lo), f1.min(hi));
            pieces.push(Piece { a: point_at(from), b: point_at(to), time: [time_at(from), time_at(to)] });
        }
    }
    pieces
}
