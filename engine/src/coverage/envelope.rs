//! The travel time from every point of one road to its nearest facility: the
//! lower envelope of a few linear functions of the position along the road.
//!
//! A rider at fraction `x` of a road rides along one of the road's edges to
//! its head node and on from there (`time = (1 − x)·t + T(end)` along,
//! `x·t + T(start)` against), or reaches a facility on this very road
//! directly. The minimum of these is piecewise linear; between two
//! consecutive breakpoints one function is the minimum, so the envelope is a
//! short list of linear pieces with the facility each leads to.

use crate::graph::{Graph, RoadId};
use crate::search::SearchSpace;

/// One linear piece of an envelope: on fractions `[from, to]` the time is
/// `time_at_0 + slope · x` deciseconds, towards facility `label`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Piece {
    /// Start fraction.
    pub from: f64,
    /// End fraction.
    pub to: f64,
    /// Time extrapolated to fraction 0, deciseconds.
    pub time_at_0: f64,
    /// Change of time per unit of fraction.
    pub slope: f64,
    /// The nearest facility's label.
    pub label: u32,
}

impl Piece {
    /// The time at fraction `x`.
    pub fn time(&self, x: f64) -> f64 {
        self.time_at_0 + self.slope * x
    }

    /// The sub-interval where the time is at most `limit`, if any.
    pub fn within(&self, limit: f64) -> Option<[f64; 2]> {
        let (t0, t1) = (self.time(self.from), self.time(self.to));
        match (t0 <= limit, t1 <= limit) {
            (true, true) => Some([self.from, self.to]),
            (false, false) => None,
            _ => {
                let cut = ((limit - self.time_at_0) / self.slope).clamp(self.from, self.to);
                Some(if t0 <= limit { [self.from, cut] } else { [cut, self.to] })
            }
        }
    }
}

/// A linear candidate over an interval of the road.
#[derive(Debug, Clone, Copy)]
struct Line {
    from: f64,
    to: f64,
    time_at_0: f64,
    slope: f64,
    label: u32,
}

/// A facility's point on a road, for the facilities' own roads.
#[derive(Debug, Clone, Copy)]
pub struct OnRoad {
    /// Fraction of the road.
    pub fraction: f64,
    /// The facility's label.
    pub label: u32,
}

/// Working memory reused from road to road.
#[derive(Debug, Default)]
pub struct Scratch {
    lines: Vec<Line>,
    cuts: Vec<f64>,
}

/// The envelope of `road` after a labelled reverse search in `space` (times
/// *to* the nearest source), with the facilities lying on the road itself.
/// Empty if no point of the road reaches any facility.
pub fn envelope(
    graph: &Graph,
    space: &SearchSpace,
    road: RoadId,
    on_road: &[OnRoad],
    scratch: &mut Scratch,
) -> Vec<Piece> {
    let [start, end] = graph.road_ends(road);
    let [along, against] = graph.road_edges(road);
    let Scratch { lines, cuts } = scratch;
    lines.clear();
    cuts.clear();
    if let (Some(e), Some(t), Some(label)) = (along, space.time(end), space.label(end)) {
        let te = f64::from(graph.time(e));
        lines.push(Line { from: 0.0, to: 1.0, time_at_0: te + f64::from(t), slope: -te, label });
    }
    if let (Some(e), Some(t), Some(label)) = (against, space.time(start), space.label(start)) {
        let te = f64::from(graph.time(e));
        lines.push(Line { from: 0.0, to: 1.0, time_at_0: f64::from(t), slope: te, label });
    }
    for f in on_road {
        if let Some(e) = along {
            let te = f64::from(graph.time(e));
            lines.push(Line { from: 0.0, to: f.fraction, time_at_0: f.fraction * te, slope: -te, label: f.label });
        }
        if let Some(e) = against {
            let te = f64::from(graph.time(e));
            lines.push(Line { from: f.fraction, to: 1.0, time_at_0: -f.fraction * te, slope: te, label: f.label });
        }
    }
    if lines.is_empty() {
        return Vec::new();
    }
    // Breakpoints: interval ends and pairwise crossings inside [0, 1].
    cuts.extend([0.0, 1.0]);
    for (k, a) in lines.iter().enumerate() {
        cuts.extend([a.from, a.to]);
        for b in &lines[k + 1..] {
            if a.slope != b.slope {
                let x = (b.time_at_0 - a.time_at_0) / (a.slope - b.slope);
                if x > 0.0 && x < 1.0 {
                    cuts.push(x);
                }
            }
        }
    }
    cuts.sort_by(f64::total_cmp);
    cuts.dedup();
    let mut pieces: Vec<Piece> = Vec::with_capacity(2);
    for w in cuts.windows(2) {
        let (x0, x1) = (w[0], w[1]);
        let mid = (x0 + x1) / 2.0;
        let best = lines.iter().filter(|l| l.from <= mid && mid <= l.to).min_by(|a, b| {
            (a.time_at_0 + a.slope * mid).total_cmp(&(b.time_at_0 + b.slope * mid)).then(a.label.cmp(&b.label))
        });
        if let Some(l) = best {
            match pieces.last_mut() {
                Some(p) if p.label == l.label && p.time_at_0 == l.time_at_0 && p.slope == l.slope && p.to == x0 => {
                    p.to = x1
                }
                _ => pieces.push(Piece { from: x0, to: x1, time_at_0: l.time_at_0, slope: l.slope, label: l.label }),
            }
        }
    }
    pieces
}
