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
/// Bounds on the hypotheses with a fourth side placed where the other three end (see
/// [`three_sided`]), over the frame and per side.
const MAX_THREE_SIDED: usize = 600;
const MAX_THREE_SIDED_PER_SIDE: usize = 6;

/// A corner between segments: the other segment and which end of this one (0 or 1) it is at.
#[derive(Clone, Copy)]
struct Corner {
    other: usize,
    end: usize,
    /// How far the crossing lies from the two segments' nearer ends, px: a card's corner is
    /// near both, a stripe ending on a card's side is near only its own.
    gap_px: f32,
}

/// Four lines' crossings, in order around the quad (not yet clockwise-normalised).
pub(crate) type Quad = [Vec2; 4];

/// A quad hypothesis and how it was made.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Hypothesis {
    pub corners: Quad,
    /// Its fourth side (from corner 1 to corner 2) was placed where three sides end (see
    /// [`three_sided`]), not found as a segment, so it has yet to show an edge along it.
    pub three_sided: bool,
}

/// Builds quad hypotheses from segments (sorted here by length, longest first): convex, with
/// plausible angles, and with corners within a pixel of the `size_px` frame.
pub(crate) fn hypotheses(segments: &mut Vec<Segment>, size_px: Vec2) -> Vec<Hypothesis> {
    segments.sort_by(|a, b| b.length.total_cmp(&a.length));
    segments.truncate(MAX_SEGMENTS);
    let n = segments.len();
    let mut corners: Vec<Vec<Corner>> = vec![Vec::new(); n];
    // Where each segment's corners can lie: its ends' box, grown by the gap allowed (and a pixel,
    // for rounding). Most pairs of a frame's segments are far apart, and this rules them out
    // before their lines are crossed.
    let reach: Vec<(Vec2, Vec2)> = segments
        .iter()
        .map(|s| {
            let allowed = Vec2::splat(CORNER_GAP_FRACTION * s.length + CORNER_SLACK_PX + 1.0);
            (
                s.ends[0].min(s.ends[1]) - allowed,
                s.ends[0].max(s.ends[1]) + allowed,
            )
        })
        .collect();
    for i in 0..n {
        for j in i + 1..n {
            let ((low_i, high_i), (low_j, high_j)) = (reach[i], reach[j]);
            if low_i.cmpgt(high_j).any() || low_j.cmpgt(high_i).any() {
                continue;
            }
            let (a, b) = (&segments[i], &segments[j]);
            if a.direction.perp_dot(b.direction).abs() < MIN_CORNER_SIN {
                continue;
            }
            let Some(x) = intersect(a.ends[0], a.direction, b.ends[0], b.direction) else {
                continue;
            };
            let (Some((end_a, gap_a)), Some((end_b, gap_b))) = (near_end(a, x), near_end(b, x))
            else {
                continue;
            };
            let gap_px = gap_a + gap_b;
            corners[i].push(Corner {
                other: j,
                end: end_a,
                gap_px,
            });
            corners[j].push(Corner {
                other: i,
                end: end_b,
                gap_px,
            });
        }
    }
    // Closest corners first, so a side's budget of quads goes to its likeliest corners: a card's
    // side crossed by a dozen stripes would otherwise spend it on them.
    for at in &mut corners {
        at.sort_by(|p, q| p.gap_px.total_cmp(&q.gap_px));
    }
    let end_of = |s: usize, other: usize| end_at(&corners, s, other);
    let mut quads = Vec::new();
    let mut seen = std::collections::HashSet::new();
    'sides: for a in 0..n {
        let first_of_a = quads.len();
        for ((b, b_at_a), (c, c_at_a)) in arms(&corners, a) {
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
                    quads.push(Hypothesis {
                        corners: q,
                        three_sided: false,
                    });
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
    let budget = quads.len() + MAX_THREE_SIDED;
    'bases: for a in 0..n {
        let mut started = 0;
        for ((b, b_at_a), (c, c_at_a)) in arms(&corners, a) {
            let Some(q) = three_sided(&segments[a], (&segments[b], b_at_a), (&segments[c], c_at_a))
                .filter(|q| plausible(q, size_px))
            else {
                continue;
            };
            quads.push(Hypothesis {
                corners: q,
                three_sided: true,
            });
            started += 1;
            if quads.len() >= budget.min(MAX_QUADS) {
                break 'bases;
            }
            if started >= MAX_THREE_SIDED_PER_SIDE {
                continue 'bases;
            }
        }
    }
    quads
}

/// Which end of segment `s` its corner with `other` is at, if they make one.
fn end_at(corners: &[Vec<Corner>], s: usize, other: usize) -> Option<usize> {
    corners[s].iter().find(|c| c.other == other).map(|c| c.end)
}

/// The arms of the U's that side `a` is the base of, closest corners first: each pair of sides
/// `b` and `c` that leave its two ends (with the end of each that is at `a`), whose far ends
/// should meet a fourth side.
fn arms(
    corners: &[Vec<Corner>],
    a: usize,
) -> impl Iterator<Item = ((usize, usize), (usize, usize))> + '_ {
    let at_a = &corners[a];
    at_a.iter().filter(|k| k.end == 0).flat_map(move |cb| {
        at_a.iter()
            .filter(|k| k.end == 1)
            .filter(move |cc| cc.other != cb.other)
            .filter_map(move |cc| {
                let (b, c) = (cb.other, cc.other);
                Some(((b, end_at(corners, b, a)?), (c, end_at(corners, c, a)?)))
            })
    })
}

/// The quad that sides `b` and `c`, leaving the ends of `a` (each with the end of it that is at
/// `a`), bound when their far ends stop a corner's radius short of a fourth side that left no
/// segment: too faint, or merged with a background edge along it. Refinement finds that side's
/// edge if it is there.
fn three_sided(
    a: &Segment,
    (b, b_at_a): (&Segment, usize),
    (c, c_at_a): (&Segment, usize),
) -> Option<Quad> {
    let at_b = intersect(a.ends[0], a.direction, b.ends[0], b.direction)?;
    let at_c = intersect(a.ends[0], a.direction, c.ends[0], c.direction)?;
    let far_b = b.ends[1 - b_at_a];
    let far_c = c.ends[1 - c_at_a];
    let (along_b, along_c) = (
        (far_b - at_b).normalize_or_zero(),
        (far_c - at_c).normalize_or_zero(),
    );
    let reach = at_b.distance(far_b).max(at_c.distance(far_c));
    let base = at_b.distance(at_c);
    // The straight part of a side stops the corner radius short of the corner: 3.18 mm of the
    // card's 85.60 × 53.98, judged from whichever of base and reach is the long side.
    let px_per_mm = if base >= reach {
        base / 85.6
    } else {
        base / 53.98
    };
    let length = reach + 3.18 * px_per_mm;
    Some([at_c, at_c + along_c * length, at_b + along_b * length, at_b])
}

/// Convex, with plausible angles, and inside the frame (a pixel of slack).
fn plausible(quad: &Quad, size_px: Vec2) -> bool {
    is_convex(quad) && plausible_angles(quad) && quad.iter().all(|p| inside(*p, size_px, 1.0))
}

/// Which end of `s` the point `x` is near, if any, and how far from it it is.
fn near_end(s: &Segment, x: Vec2) -> Option<(usize, f32)> {
    let allowed = CORNER_GAP_FRACTION * s.length + CORNER_SLACK_PX;
    let d0 = s.ends[0].distance(x);
    let d1 = s.ends[1].distance(x);
    if d0.min(d1) > allowed {
        return None;
    }
    Some(if d0 <= d1 { (0, d0) } else { (1, d1) })
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calibrate::segments::Moments;

    fn segment(from: [f32; 2], to: [f32; 2]) -> Segment {
        let ends = [Vec2::from_array(from), Vec2::from_array(to)];
        Segment {
            ends,
            direction: (ends[1] - ends[0]).normalize(),
            length: ends[0].distance(ends[1]),
            moments: Moments::of(&ends),
        }
    }

    #[test]
    fn three_sides_in_a_u_place_the_fourth_a_corner_radius_past_their_ends() {
        // A card 200 px wide (2.336 px/mm, corner radius 7.4 px) whose bottom side left no
        // segment: the other three stop a corner radius short of each corner.
        let radius = 3.18 * 200.0 / 85.6;
        let mut segments = vec![
            segment([200.0 + radius, 150.0], [400.0 - radius, 150.0]),
            segment([200.0, 150.0 + radius], [200.0, 276.0 - radius]),
            segment([400.0, 276.0 - radius], [400.0, 150.0 + radius]),
        ];
        let found = hypotheses(&mut segments, Vec2::new(640.0, 480.0));
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].three_sided);
        let expected = [
            [200.0, 150.0],
            [400.0, 150.0],
            [400.0, 276.0],
            [200.0, 276.0],
        ];
        for corner in expected.map(Vec2::from_array) {
            let nearest = found[0]
                .corners
                .iter()
                .map(|c| c.distance(corner))
                .fold(f32::MAX, f32::min);
            assert!(nearest < 0.5, "{corner}: {:?}", found[0].corners);
        }
        // With the bottom side found as well, the quad is made from four sides first.
        segments.push(segment([200.0 + radius, 276.0], [400.0 - radius, 276.0]));
        let found = hypotheses(&mut segments, Vec2::new(640.0, 480.0));
        assert!(!found[0].three_sided, "{found:?}");
    }
}
