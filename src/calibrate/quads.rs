//! Quadrilateral hypotheses from segments: two segments make a corner when their lines cross near
//! an end of each; a side with corners at both ends plus a fourth side roughly opposite it, joined
//! to at least one of the other two, makes a quad. Requiring only three of the four corners lets a
//! finger hide one.

use glam::Vec2;

use super::segments::Segment;
use super::shape::{inside, intersect, is_convex, plausible_angles};

/// The most segments considered, longest first; beyond this the count of quads explodes while a
/// card's sides are almost always among the longest straight edges.
const MAX_SEGMENTS: usize = 600;
/// Lines meeting at less than 30° (|sin| < 0.5) are not a card's corner, even at 40° of tilt.
const MIN_CORNER_SIN: f32 = 0.5;
/// A corner may lie this fraction of a segment's length beyond (or inside) its end, plus
/// [`CORNER_SLACK_PX`]: rounded corners and fingers cut the sides short.
const CORNER_GAP_FRACTION: f32 = 0.5;
const CORNER_SLACK_PX: f32 = 4.0;
/// A bound on hypotheses, so a frame full of straight edges cannot take unbounded time. Only
/// convex quads with plausible angles inside the frame count: most line quadruples are not.
const MAX_QUADS: usize = 6000;
/// A bound on the hypotheses one side starts: a wall of tiles gives its long edges hundreds of
/// quads each, which would use up [`MAX_QUADS`] before a small card's sides had their turn.
const MAX_QUADS_PER_SIDE: usize = 60;

/// A corner between segments: the other segment and which end of this one (0 or 1) it is at.
#[derive(Clone, Copy)]
struct Corner {
    other: usize,
    end: usize,
}

/// Four lines' crossings, in order around the quad (not yet clockwise-normalised).
pub(crate) type Quad = [Vec2; 4];

/// Builds quad hypotheses from segments (sorted here by length, longest first): convex, with
/// plausible angles, and with corners within a pixel of the `size_px` frame.
pub(crate) fn hypotheses(segments: &mut Vec<Segment>, size_px: Vec2) -> Vec<Quad> {
    segments.sort_by(|a, b| b.length.total_cmp(&a.length));
    segments.truncate(MAX_SEGMENTS);
    let n = segments.len();
    let mut corners: Vec<Vec<Corner>> = vec![Vec::new(); n];
    for i in 0..n {
        for j in i + 1..n {
            let (a, b) = (&segments[i], &segments[j]);
            if a.direction.perp_dot(b.direction).abs() < MIN_CORNER_SIN {
                continue;
            }
            let Some(x) = intersect(a.ends[0], a.direction, b.ends[0], b.direction) else {
                continue;
            };
            let (Some(end_a), Some(end_b)) = (near_end(a, x), near_end(b, x)) else {
                continue;
            };
            corners[i].push(Corner {
                other: j,
                end: end_a,
            });
            corners[j].push(Corner {
                other: i,
                end: end_b,
            });
        }
    }
    let end_of =
        |s: usize, other: usize| corners[s].iter().find(|c| c.other == other).map(|c| c.end);
    let mut quads = Vec::new();
    let mut seen = std::collections::HashSet::new();
    'sides: for (a, at_a) in corners.iter().enumerate() {
        let first_of_a = quads.len();
        for cb in at_a.iter().filter(|c| c.end == 0) {
            for cc in at_a.iter().filter(|c| c.end == 1) {
                let (b, c) = (cb.other, cc.other);
                if b == c {
                    continue;
                }
                // b and c leave a's two ends; their far ends should meet the fourth side.
                let (Some(b_at_a), Some(c_at_a)) = (end_of(b, a), end_of(c, a)) else {
                    continue;
                };
                // The fourth side makes a corner with b or c, so it is among their corners.
                let fourths = corners[b].iter().chain(&corners[c]).map(|k| k.other);
                for d in fourths {
                    if d == a || d == b || d == c {
                        continue;
                    }
                    let joins_b = end_of(b, d).is_some_and(|e| e != b_at_a);
                    let joins_c = end_of(c, d).is_some_and(|e| e != c_at_a);
                    if !(joins_b || joins_c) {
                        continue;
                    }
                    let mut key = [a, b, c, d];
                    key.sort_unstable();
                    if !seen.insert(key) {
                        continue;
                    }
                    let quad = quad_from_lines([a, c, d, b].map(|i| &segments[i]));
                    if let Some(q) = quad.filter(|q| plausible(q, size_px)) {
                        quads.push(q);
                        if quads.len() >= MAX_QUADS {
                            return quads;
                        }
                        if quads.len() - first_of_a >= MAX_QUADS_PER_SIDE {
                            continue 'sides;
                        }
                    }
                }
            }
        }
    }
    quads
}

/// Convex, with plausible angles, and inside the frame (a pixel of slack).
fn plausible(quad: &Quad, size_px: Vec2) -> bool {
    is_convex(quad) && plausible_angles(quad) && quad.iter().all(|p| inside(*p, size_px, 1.0))
}

/// Which end of `s` the point `x` is near, if any.
fn near_end(s: &Segment, x: Vec2) -> Option<usize> {
    let allowed = CORNER_GAP_FRACTION * s.length + CORNER_SLACK_PX;
    let d0 = s.ends[0].distance(x);
    let d1 = s.ends[1].distance(x);
    if d0.min(d1) > allowed {
        return None;
    }
    Some(if d0 <= d1 { 0 } else { 1 })
}

/// Crossings of consecutive lines around the quad.
fn quad_from_lines(lines: [&Segment; 4]) -> Option<Quad> {
    let mut q = [Vec2::ZERO; 4];
    for i in 0..4 {
        let (s, t) = (lines[i], lines[(i + 1) % 4]);
        q[i] = intersect(s.ends[0], s.direction, t.ends[0], t.direction)?;
    }
    Some(q)
}
