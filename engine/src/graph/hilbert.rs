//! Ordering nodes along a Hilbert curve, so that nodes near each other on
//! the map sit near each other in memory and searches touch fewer cache
//! lines.

/// Cells per side of the grid the curve runs through (2¹⁶).
const GRID: u32 = 1 << 16;

/// The permutation that sorts `points` (`[lon, lat]`) along a Hilbert curve
/// over their bounding box: `order[new] = old`. Ties keep input order.
pub(super) fn hilbert_order(points: &[[f64; 2]]) -> Vec<u32> {
    let (mut min, mut max) = ([f64::MAX; 2], [f64::MIN; 2]);
    for p in points {
        for axis in 0..2 {
            min[axis] = min[axis].min(p[axis]);
            max[axis] = max[axis].max(p[axis]);
        }
    }
    let cell = |v: f64, axis: usize| {
        let span = (max[axis] - min[axis]).max(f64::MIN_POSITIVE);
        (((v - min[axis]) / span) * f64::from(GRID - 1)).round() as u32
    };
    let mut keyed: Vec<(u64, u32)> =
        points.iter().enumerate().map(|(i, p)| (hilbert_index(cell(p[0], 0), cell(p[1], 1)), i as u32)).collect();
    keyed.sort_unstable();
    keyed.into_iter().map(|(_, i)| i).collect()
}

/// Position of cell `(x, y)` along the Hilbert curve over the grid.
fn hilbert_index(mut x: u32, mut y: u32) -> u64 {
    let mut d = 0u64;
    let mut s = GRID / 2;
    while s > 0 {
        let rx = u32::from(x & s > 0);
        let ry = u32::from(y & s > 0);
        d += u64::from(s) * u64::from(s) * u64::from((3 * rx) ^ ry);
        if ry == 0 {
            if rx == 1 {
                x = GRID - 1 - x;
                y = GRID - 1 - y;
            }
            std::mem::swap(&mut x, &mut y);
        }
        s /= 2;
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_curve_visits_neighbouring_cells_in_turn() {
        // The first 16 positions cover the 4x4 corner, each a grid step from the last.
        let mut cells: Vec<(u64, (i64, i64))> = Vec::new();
        for x in 0..4 {
            for y in 0..4 {
                cells.push((hilbert_index(x, y), (i64::from(x), i64::from(y))));
            }
        }
        cells.sort();
        assert_eq!(cells.iter().map(|c| c.0).collect::<Vec<_>>(), (0..16).collect::<Vec<_>>());
        for pair in cells.windows(2) {
            let ((x0, y0), (x1, y1)) = (pair[0].1, pair[1].1);
            assert_eq!((x0 - x1).abs() + (y0 - y1).abs(), 1, "{cells:?}");
        }
    }

    #[test]
    fn order_is_a_permutation() {
        let points = [[0.0, 0.0], [1.0, 1.0], [0.0, 1.0], [1.0, 0.0], [0.5, 0.5]];
        let mut order = hilbert_order(&points);
        assert_eq!(order[0], 0);
        order.sort();
        assert_eq!(order, [0, 1, 2, 3, 4]);
    }
}
