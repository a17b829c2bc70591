//! Straight segments from edge pixels: 8-connected region growing that only accepts pixels whose
//! gradient direction stays within a tolerance of the region's mean (a light form of LSD), then a
//! principal-axis line fit. Curved outlines (fingers, faces) break into short or wide regions and
//! are dropped; a card's sides come out as long thin ones, even when a finger cuts them in two.

use glam::Vec2;

use super::edges::{EdgePixel, Gradients};

/// Largest angle between a pixel's gradient and the region's mean direction, radians (22.5°).
const ANGLE_TOLERANCE_RAD: f32 = std::f32::consts::FRAC_PI_8;
/// Largest RMS distance of a region's pixels from its fitted line, px.
const MAX_RMS_PX: f32 = 0.9;

/// A fitted straight segment in working-image coordinates.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Segment {
    /// The two ends, px (continuous coordinates).
    pub ends: [Vec2; 2],
    /// Unit direction from `ends[0]` to `ends[1]`.
    pub direction: Vec2,
    /// Length, px.
    pub length: f32,
}

/// Grows and fits segments at least `min_length_px` long.
pub(crate) fn find_segments(
    gradients: &Gradients,
    edges: &[EdgePixel],
    min_length_px: f32,
) -> Vec<Segment> {
    let (w, h) = (gradients.width, gradients.height);
    // 0: not an edge; 1: unvisited edge; 2: taken.
    let mut state = vec![0u8; w * h];
    for e in edges {
        state[e.y as usize * w + e.x as usize] = 1;
    }
    // Doubled-angle unit vectors make θ and θ + 180° the same orientation: a card's side may be
    // lighter than the background at one end and darker at the other.
    let doubled = |i: usize| {
        let (gx, gy) = (gradients.gx[i], gradients.gy[i]);
        let m2 = gx * gx + gy * gy;
        if m2 > 0.0 {
            Vec2::new((gx * gx - gy * gy) / m2, 2.0 * gx * gy / m2)
        } else {
            Vec2::ZERO
        }
    };
    let cos_tolerance = (2.0 * ANGLE_TOLERANCE_RAD).cos();
    let mut segments = Vec::new();
    let mut region: Vec<usize> = Vec::new();
    let mut stack: Vec<usize> = Vec::new();
    // Strongest pixels seed first (as in LSD): they lie mid-side, where the direction is clean,
    // rather than at a rounded corner where it is halfway between two sides.
    let mut seeds: Vec<usize> = edges
        .iter()
        .map(|e| e.y as usize * w + e.x as usize)
        .collect();
    seeds.sort_unstable_by(|&a, &b| gradients.magnitude[b].total_cmp(&gradients.magnitude[a]));
    for start in seeds {
        if state[start] != 1 {
            continue;
        }
        state[start] = 2;
        region.clear();
        stack.clear();
        stack.push(start);
        let mut sum = Vec2::ZERO;
        let seed_direction = doubled(start);
        while let Some(i) = stack.pop() {
            region.push(i);
            sum += doubled(i);
            let mean = sum.normalize_or_zero();
            let (x, y) = (i % w, i / w);
            for (dx, dy) in [
                (-1, -1),
                (0, -1),
                (1, -1),
                (-1, 0),
                (1, 0),
                (-1, 1),
                (0, 1),
                (1, 1),
            ] {
                let (nx, ny) = (x as isize + dx, y as isize + dy);
                if nx < 0 || ny < 0 || nx >= w as isize || ny >= h as isize {
                    continue;
                }
                let j = ny as usize * w + nx as usize;
                // Against the seed as well as the mean: the mean alone drifts round a rounded
                // corner and swallows a small card's whole outline.
                let d = doubled(j);
                if state[j] == 1
                    && d.dot(mean) >= cos_tolerance
                    && d.dot(seed_direction) >= cos_tolerance
                {
                    state[j] = 2;
                    stack.push(j);
                }
            }
        }
        if region.len() as f32 >= min_length_px * 0.7 {
            if let Some(segment) = fit(&region, w, min_length_px) {
                segments.push(segment);
            }
        }
    }
    segments
}

/// Joins segments on one line (a side cut in two by a finger, a low-contrast stretch or a stripe):
/// directions within 2°, the shorter's ends within 1.5 px of the longer's line, and a gap no longer
/// than the longer segment. The joined segment keeps the longer one's line and spans both.
pub(crate) fn merge_collinear(mut segments: Vec<Segment>) -> Vec<Segment> {
    segments.sort_by(|a, b| b.length.total_cmp(&a.length));
    let mut merged: Vec<Segment> = Vec::with_capacity(segments.len());
    let mut used = vec![false; segments.len()];
    for i in 0..segments.len() {
        if used[i] {
            continue;
        }
        let mut s = segments[i];
        let normal = s.direction.perp();
        for j in i + 1..segments.len() {
            if used[j] {
                continue;
            }
            let t = &segments[j];
            if s.direction.dot(t.direction).abs() < 0.9994 {
                continue;
            }
            if t.ends
                .iter()
                .any(|e| (*e - s.ends[0]).dot(normal).abs() > 1.5)
            {
                continue;
            }
            let along = |p: Vec2| (p - s.ends[0]).dot(s.direction);
            let (t0, t1) = (along(t.ends[0]), along(t.ends[1]));
            let (lo, hi) = (t0.min(t1), t0.max(t1));
            let gap = (lo - s.length).max(-hi).max(0.0);
            if gap > segments[i].length {
                continue;
            }
            let (new_lo, new_hi) = (lo.min(0.0), hi.max(s.length));
            let start = s.ends[0];
            s.ends = [start + s.direction * new_lo, start + s.direction * new_hi];
            s.length = new_hi - new_lo;
            used[j] = true;
        }
        merged.push(s);
    }
    merged
}

/// Principal-axis fit of a region's pixel centres.
fn fit(region: &[usize], w: usize, min_length_px: f32) -> Option<Segment> {
    let n = region.len() as f32;
    let point = |i: usize| Vec2::new((i % w) as f32 + 0.5, (i / w) as f32 + 0.5);
    let centroid = region.iter().map(|&i| point(i)).sum::<Vec2>() / n;
    let (mut sxx, mut sxy, mut syy) = (0.0f32, 0.0f32, 0.0f32);
    for &i in region {
        let d = point(i) - centroid;
        sxx += d.x * d.x;
        sxy += d.x * d.y;
        syy += d.y * d.y;
    }
    // Orientation of the major axis of the 2×2 covariance.
    let angle = 0.5 * (2.0 * sxy).atan2(sxx - syy);
    let direction = Vec2::new(angle.cos(), angle.sin());
    let normal = direction.perp();
    let (mut low, mut high, mut across) = (f32::MAX, f32::MIN, 0.0f32);
    for &i in region {
        let d = point(i) - centroid;
        let t = d.dot(direction);
        low = low.min(t);
        high = high.max(t);
        across += d.dot(normal).powi(2);
    }
    let length = high - low;
    if length < min_length_px || (across / n).sqrt() > MAX_RMS_PX {
        return None;
    }
    Some(Segment {
        ends: [centroid + direction * low, centroid + direction * high],
        direction,
        length,
    })
}
