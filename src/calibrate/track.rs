//! Following a card from one frame to the next. Once a card has been found, the next frame need
//! not be searched whole: its sides are looked for near where they were, in a window around
//! them, which skips the segments and hypotheses that take most of a fresh search's time. The
//! quad found there then passes the same checks as any fresh one, and its confidence is weighed
//! knowing the card was there a frame ago (see [`MIN_TRACKED_CONFIDENCE`]). On the synthetic sets
//! it follows about as many cards as a fresh search finds, mostly the same ones: what it gains is
//! time, a fraction of a fresh search's, so the card can be followed at the camera's rate.

use glam::Vec2;

use super::colour::planes_of_rgba8;
use super::edges::Gradients;
use super::gray::check_size;
use super::quads::Hypothesis;
use super::shape::intersect;
use super::{refine, score, working_factor, CardDetection, CardError, Detail, GrayImage, Search};

/// How far a side may have moved since the previous frame, full-resolution px: a card held in a
/// hand moves a few px between frames a tenth of a second apart. Beyond this (or when the card
/// is gone) tracking answers `None` and a fresh search is due.
pub const MAX_MOTION_PX: f32 = 8.0;
/// The least confidence of a followed card, below a fresh claim's 0.55 ([`super::MIN_CONFIDENCE`]):
/// the card was claimed in the last frame, within [`MAX_MOTION_PX`] of here, which the model's odds
/// (fitted to quads from whole frames) do not know. At 0.3, the floor of a fresh search's partner
/// quads, one synthetic set kept 75.0 % of its cards against 71.2 % at 0.5 (another the same), and
/// none of 400 card-shaped quads over frames without a card was claimed at 0.5, 0.3 or 0.15.
const MIN_TRACKED_CONFIDENCE: f32 = 0.3;
/// The window's margin around the previous corners, as a fraction of their larger extent (at
/// least a side's length), plus [`MAX_MOTION_PX`], and at least [`MIN_MARGIN_PX`]: room for the
/// checks that look past a card's corners. How far a side runs on is judged up to 0.37 of its
/// length beyond each corner (see `score::extensions`); a window that cut this short would judge
/// a tile of a grid less strictly than a fresh search does. (A margin of 0.25 tracked the same
/// cards on two synthetic sets, 20 % faster.)
const MARGIN_FRACTION: f32 = 0.4;
const MIN_MARGIN_PX: f32 = 24.0;
/// The most a side may turn between frames, radians (3°), in steps each way.
const MAX_TURN: f32 = 0.052;
const TURN_STEPS: i32 = 6;
/// Points per side at which the shift's edge response is summed.
const SHIFT_PROBES: usize = 24;
/// How far a side's edge is searched for after the shift, px: what turning and zooming move a
/// corner.
const TURN_PX: f32 = 5.0;
/// The search for a side's edge reaches at most this fraction of the shortest side.
const SIDE_FRACTION: f32 = 0.2;

/// A window of the frame, whole px.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Window {
    x: u32,
    y: u32,
    width: u32,
    height: u32,
}

impl Window {
    /// The window's pixels out of a frame `frame_width` px wide, `bytes_per_px` bytes each, row
    /// by row (the window lies inside the frame).
    fn cut(&self, pixels: &[u8], frame_width: u32, bytes_per_px: usize) -> Vec<u8> {
        let row_bytes = bytes_per_px * self.width as usize;
        let mut out = Vec::with_capacity(row_bytes * self.height as usize);
        for row in self.y..self.y + self.height {
            let start = bytes_per_px * (row as usize * frame_width as usize + self.x as usize);
            out.extend_from_slice(&pixels[start..start + row_bytes]);
        }
        out
    }
}

/// Follows a card found in an earlier frame (`previous_px`, its corners in frame px, as
/// [`CardDetection::corners_px`] gives them) into an RGBA frame. `Ok(None)` when it is not
/// within [`MAX_MOTION_PX`] of where it was, or no longer a confident card; a bad frame is an
/// error, as for [`super::detect_card_rgba8`]. The frame is read at the live view's detail
/// ([`super::Detail::Live`]), as [`super::detect_live_card_rgba8`] reads it.
pub fn track_card_rgba8(
    width: u32,
    height: u32,
    rgba: &[u8],
    previous_px: [Vec2; 4],
) -> Result<Option<CardDetection>, CardError> {
    check_size(width, height, rgba.len(), 4)?;
    let Some(window) = window_around(previous_px, width, height) else {
        return Ok(None);
    };
    let cropped = window.cut(rgba, width, 4);
    let planes = planes_of_rgba8(window.width, window.height, &cropped)?;
    Ok(track_in_window(&planes, window, width, height, previous_px))
}

/// [`track_card_rgba8`] for a grey frame.
pub fn track_card(
    image: &GrayImage,
    previous_px: [Vec2; 4],
) -> Result<Option<CardDetection>, CardError> {
    image.validate()?;
    let Some(window) = window_around(previous_px, image.width, image.height) else {
        return Ok(None);
    };
    let plane = GrayImage::new(
        window.width,
        window.height,
        window.cut(&image.pixels, image.width, 1),
    )?;
    Ok(track_in_window(
        std::slice::from_ref(&plane),
        window,
        image.width,
        image.height,
        previous_px,
    ))
}

/// The previous corners' bounding box with its margin, inside the frame; `None` for corners that
/// are not finite, or that leave no window of the smallest searchable size inside the frame.
fn window_around(previous_px: [Vec2; 4], width: u32, height: u32) -> Option<Window> {
    if !previous_px.iter().all(|p| p.is_finite()) {
        return None;
    }
    let low = previous_px.iter().copied().fold(Vec2::MAX, Vec2::min);
    let high = previous_px.iter().copied().fold(Vec2::MIN, Vec2::max);
    let margin = (MARGIN_FRACTION * (high - low).max_element() + MAX_MOTION_PX).max(MIN_MARGIN_PX);
    let frame = Vec2::new(width as f32, height as f32);
    let low = (low - margin).clamp(Vec2::ZERO, frame).floor();
    let high = (high + margin).clamp(Vec2::ZERO, frame).ceil();
    let size = high - low;
    (size.min_element() >= super::MIN_SIDE_PX as f32).then_some(Window {
        x: low.x as u32,
        y: low.y as u32,
        width: size.x as u32,
        height: size.y as u32,
    })
}

/// The card near `previous_px` in the window's planes, if it is still a confident one.
fn track_in_window(
    planes: &[GrayImage],
    window: Window,
    width: u32,
    height: u32,
    previous_px: [Vec2; 4],
) -> Option<CardDetection> {
    let frame_size_px = Vec2::new(width as f32, height as f32);
    let origin_px = Vec2::new(window.x as f32, window.y as f32);
    // At the scale a fresh live search of the frame works at (the element's `detectCard`), so
    // that the evidence weighs the same.
    let search = Search::window(
        planes,
        working_factor(frame_size_px, Detail::Live),
        origin_px,
        frame_size_px,
    );
    let scale = search.scale;
    let previous = previous_px.map(|p| (p - origin_px) / scale);
    // First the whole quad is shifted to where its outline lies on the most edge: most of a
    // hand's motion between frames is a shift, and the edge summed over four sides is not fooled
    // by a stronger edge beside one of them. Then each side is moved and turned over what
    // turning and zooming left, again by the edge summed along it: a side refined point by point
    // (see `refine`) locks onto a card's print or background edges when it starts pixels away.
    let shift = best_shift(previous, &search.gradients, MAX_MOTION_PX / scale);
    let shifted = previous.map(|p| p + shift);
    let shortest_side = (0..4)
        .map(|i| shifted[i].distance(shifted[(i + 1) % 4]))
        .fold(f32::MAX, f32::min);
    let reach = (TURN_PX / scale).min(SIDE_FRACTION * shortest_side);
    let lines =
        [0, 1, 2, 3].map(|i| best_side(shifted[i], shifted[(i + 1) % 4], &search.gradients, reach));
    let mut moved = shifted;
    for (i, corner) in moved.iter_mut().enumerate() {
        let (a, b) = (lines[(i + 3) % 4], lines[i]);
        if let Some(x) = intersect(a.0, a.1, b.0, b.1) {
            *corner = x;
        }
    }
    // Sub-pixel, as a fresh search's coarse quads are before their checks.
    let refined = refine::refine_corners(planes, moved.map(|p| p * scale), 1.5 * scale + 1.5);
    let hypothesis = Hypothesis {
        corners: refined.map(|p| p / scale),
        three_sided: false,
    };
    let candidate = search.coarse(hypothesis).ok()?;
    let (detection, _) = search.finish(&candidate).ok()?;
    (detection.confidence >= MIN_TRACKED_CONFIDENCE).then_some(detection)
}

/// The shift of `quad` (working px), in whole px up to `reach_px` each way, that puts the most
/// gradient across its sides (each side's ends left out: a corner is rounded, or under a finger).
fn best_shift(quad: [Vec2; 4], gradients: &Gradients, reach_px: f32) -> Vec2 {
    let mut probes: Vec<(Vec2, Vec2)> = Vec::with_capacity(4 * SHIFT_PROBES);
    for i in 0..4 {
        let (p, q) = (quad[i], quad[(i + 1) % 4]);
        let normal = (q - p).normalize_or_zero().perp();
        probes.extend(side_probes(p, q).map(|at| (at, normal)));
    }
    let reach = reach_px.floor() as i32;
    let mut best = (f32::MIN, Vec2::ZERO);
    for dy in -reach..=reach {
        for dx in -reach..=reach {
            let shift = Vec2::new(dx as f32, dy as f32);
            let total: f32 = probes
                .iter()
                .filter_map(|(at, normal)| gradient_across(gradients, *at + shift, *normal))
                .sum();
            if total > best.0 {
                best = (total, shift);
            }
        }
    }
    best.1
}

/// The line near side `p`–`q` (working px) that has the most gradient across it: shifted up to
/// `reach_px` along its normal and turned up to [`MAX_TURN`] radians about its middle, summed at
/// [`SHIFT_PROBES`] points (the ends left out). A point and a unit direction.
fn best_side(p: Vec2, q: Vec2, gradients: &Gradients, reach_px: f32) -> (Vec2, Vec2) {
    let middle = (p + q) / 2.0;
    let steps = (reach_px / 0.5).ceil() as i32;
    let mut best = (f32::MIN, middle, (q - p).normalize_or(Vec2::X));
    for turn in -TURN_STEPS..=TURN_STEPS {
        let rotation = Vec2::from_angle(MAX_TURN * turn as f32 / TURN_STEPS as f32);
        let half = rotation.rotate((q - p) / 2.0);
        let direction = half.normalize_or(Vec2::X);
        let normal = direction.perp();
        for step in -steps..=steps {
            let centre = middle + normal * (0.5 * step as f32);
            let total: f32 = side_probes(centre - half, centre + half)
                .filter_map(|at| gradient_across(gradients, at, normal))
                .sum();
            if total > best.0 {
                best = (total, centre, direction);
            }
        }
    }
    (best.1, best.2)
}

/// The [`SHIFT_PROBES`] points along side `p`–`q` at which its edge is summed, its ends (a tenth
/// of it each) left out.
fn side_probes(p: Vec2, q: Vec2) -> impl Iterator<Item = Vec2> {
    (0..SHIFT_PROBES).map(move |k| {
        let t = 0.1 + 0.8 * (k as f32 + 0.5) / SHIFT_PROBES as f32;
        p + (q - p) * t
    })
}

/// The gradient across `normal` (unit) at the pixel holding `at` (working px), either sign;
/// `None` outside the gradients.
fn gradient_across(gradients: &Gradients, at: Vec2, normal: Vec2) -> Option<f32> {
    let j = score::pixel(gradients, at)?;
    Some((gradients.gx[j] * normal.x + gradients.gy[j] * normal.y).abs())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A light 300 px card with its top-left corner at (170, 140) on a dark, textured 640×480
    /// floor.
    fn card_frame() -> GrayImage {
        let (w, h) = (640u32, 480u32);
        let (x0, y0, cw) = (170.0f32, 140.0f32, 300.0f32);
        let ch = cw * 53.98 / 85.60;
        let pixels = (0..w * h)
            .map(|i| {
                let (x, y) = (i % w, i / w);
                let (fx, fy) = (x as f32 + 0.5, y as f32 + 0.5);
                if fx > x0 && fx < x0 + cw && fy > y0 && fy < y0 + ch {
                    225
                } else {
                    40 + ((x * 7 + y * 13) % 9) as u8
                }
            })
            .collect();
        GrayImage::new(w, h, pixels).unwrap()
    }

    fn card_corners(offset: Vec2) -> [Vec2; 4] {
        let ch = 300.0 * 53.98 / 85.60;
        [(0.0, 0.0), (300.0, 0.0), (300.0, ch), (0.0, ch)]
            .map(|(x, y)| Vec2::new(170.0 + x, 140.0 + y) + offset)
    }

    #[test]
    fn a_card_that_moved_is_followed_and_a_gone_one_is_not() {
        let frame = card_frame();
        let truth = card_corners(Vec2::ZERO);
        for offset in [Vec2::new(-4.0, -3.0), Vec2::new(6.0, 2.0), Vec2::ZERO] {
            let found = track_card(&frame, card_corners(offset)).unwrap().unwrap();
            for (c, t) in found.corners_px.iter().zip(truth) {
                assert!(c.distance(t) < 0.5, "{offset}: {:?}", found.corners_px);
            }
            assert!((found.fit.px_per_mm - 300.0 / 85.6).abs() < 0.02);
        }
        // Too far from where it was: a fresh search's job.
        assert!(track_card(&frame, card_corners(Vec2::new(40.0, 0.0)))
            .unwrap()
            .is_none());
        let blank = GrayImage::new(640, 480, vec![90; 640 * 480]).unwrap();
        assert!(track_card(&blank, truth).unwrap().is_none());
        assert!(track_card(&frame, [Vec2::NAN; 4]).unwrap().is_none());
        let short = vec![0u8; 100];
        assert!(matches!(
            track_card_rgba8(640, 480, &short, truth),
            Err(CardError::SizeMismatch { .. })
        ));
    }

    #[test]
    fn the_window_holds_the_card_and_its_margin_inside_the_frame() {
        let corners = [
            Vec2::new(100.0, 100.0),
            Vec2::new(300.0, 110.0),
            Vec2::new(290.0, 230.0),
            Vec2::new(95.0, 220.0),
        ];
        // Extent 205 px: a margin of 0.4 × 205 + 8 = 90 px.
        let window = window_around(corners, 640, 480).unwrap();
        assert_eq!(
            window,
            Window {
                x: 5,
                y: 10,
                width: 385,
                height: 310
            }
        );
        // Cut at the frame's edges.
        let window = window_around(corners.map(|p| p - Vec2::splat(90.0)), 640, 480).unwrap();
        assert_eq!((window.x, window.y), (0, 0));
        assert!(window_around([Vec2::NAN; 4], 640, 480).is_none());
        // Wholly outside the frame: nothing to search.
        assert!(window_around(corners.map(|p| p + Vec2::splat(1000.0)), 640, 480).is_none());
    }
}
