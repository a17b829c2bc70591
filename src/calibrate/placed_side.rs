//! A placed fourth side slid along its U's arms onto the edge it missed. [`quads`] places the
//! fourth side of three sides in a U a corner radius past where the arms end; when a print cuts the
//! arms short (a ringed card whose outer ring matches the background, a merged side), that place
//! is short of the card's side, and the edge is further along. The arms' length is known only as
//! far as they were found, so the side is tried at every px along them up to the longest a card
//! allows, and kept where most of it lies on an edge.
//!
//! [`quads`]: super::quads

use super::edges::Gradients;
use super::quads::Quad;
use super::score;
use crate::math::homography::{CARD_HEIGHT_MM, CARD_WIDTH_MM};

/// The cosine of the most tilt a card is found at (40°): the most a side is foreshortened.
const MAX_TILT_COS: f32 = 0.766;
/// The longest arm, over the base, when the base is a card's long side: the card's short side over
/// its long side, with the base foreshortened by the full tilt (0.82).
const MAX_ARM_OVER_LONG_BASE: f32 = CARD_HEIGHT_MM / CARD_WIDTH_MM / MAX_TILT_COS;
/// The same when the base is the short side: long over short, foreshortened (2.07).
const MAX_ARM_OVER_SHORT_BASE: f32 = CARD_WIDTH_MM / CARD_HEIGHT_MM / MAX_TILT_COS;
/// Points sampled along the side at each place in the first, cheap pass: one pixel each,
/// bits of a word.
const SAMPLES: usize = 32;
/// The edge support a slid side needs (see [`score::side_support`]). Above the 0.6 a side
/// placed once needs: of the dozens of places tried, the best lies on a background edge by
/// chance more often. Chosen on an earlier form of the slide (every place checked in full): on
/// the validation sets 200 to 209, 0.6 and 0.75 found the same cards; 0.6 gave 4 more false
/// cards than no slide in 3000 fresh negatives and 0.75 gave 2, and on 300 to 309 0.6 gave
/// 1.85 % false positives and 0.75 1.69 % (as without the slide).
const MIN_SLID_SIDE_SUPPORT: f32 = 0.75;
/// How far under [`MIN_SLID_SIDE_SUPPORT`] the cheap pass's count may be and still be checked
/// in full: it samples each point on one pixel, not the three across the side that the full
/// check takes the best of.
const CHEAP_PASS_SLACK: f32 = 0.1;

/// `quad` (working px; corners 0 and 3 the base's, 1 and 2 the placed side's, as
/// [`quads`](super::quads) makes it) with its placed side moved further along the arms to where
/// most of it lies on an edge, if such a place gives it [`MIN_SLID_SIDE_SUPPORT`].
pub(crate) fn slide(quad: &Quad, gradients: &Gradients, edge_threshold: f32) -> Option<Quad> {
    let (arm_c, arm_b) = (quad[1] - quad[0], quad[2] - quad[3]);
    let (along_c, along_b) = (arm_c.try_normalize()?, arm_b.try_normalize()?);
    let placed_at = arm_c.length().max(arm_b.length());
    let base = quad[0].distance(quad[3]);
    // Arms already longer than a long base allows mean that the base is a short side.
    let longest = if placed_at > MAX_ARM_OVER_LONG_BASE * base {
        MAX_ARM_OVER_SHORT_BASE * base
    } else {
        MAX_ARM_OVER_LONG_BASE * base
    };
    let first = placed_at.ceil() as usize + 1;
    let last = longest.floor() as usize;
    if last < first + 2 {
        return None;
    }
    let side_at = |length: f32| {
        [
            quad[0],
            quad[0] + along_c * length,
            quad[3] + along_b * length,
            quad[3],
        ]
    };
    // Which sample points lie on an edge along the side, one word per place.
    let hits: Vec<u32> = (first..=last)
        .map(|length| {
            let q = side_at(length as f32);
            let normal = (q[2] - q[1]).normalize_or_zero().perp();
            score::side_points_n(q[1], q[2], SAMPLES)
                .enumerate()
                .fold(0, |word, (k, point)| {
                    let on = score::edge_pixel_along(point, normal, gradients, edge_threshold);
                    word | (u32::from(on) << k)
                })
        })
        .collect();
    // A point counts when it is on an edge at the place or at one either side, as the full
    // check looks a pixel either side of the line. A blurred edge is on edge pixels over several
    // places: the middle of the first run of the most is kept.
    let (mut best_count, mut best_run) = (0, None);
    for n in 0..hits.len() {
        let near = hits[n.saturating_sub(1)] | hits[n] | hits[(n + 1).min(hits.len() - 1)];
        let count = near.count_ones();
        match best_run {
            Some((_, end)) if count == best_count && end + 1 == n => {
                best_run = best_run.map(|(start, _)| (start, n))
            }
            _ if count > best_count => (best_count, best_run) = (count, Some((n, n))),
            _ => {}
        }
    }
    let (start, end) = best_run?;
    let needed = (MIN_SLID_SIDE_SUPPORT - CHEAP_PASS_SLACK) * SAMPLES as f32;
    let quad = side_at((first + start) as f32 + (end - start) as f32 / 2.0);
    (best_count as f32 >= needed
        && score::side_support(quad[1], quad[2], gradients, edge_threshold)
            >= MIN_SLID_SIDE_SUPPORT)
        .then_some(quad)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calibrate::gray::GrayImage;
    use glam::Vec2;

    /// Gradients of a light rectangle 200 px wide and `height_px` high at (100, 100) on a dark
    /// 400 × 400 frame.
    fn rectangle(height_px: usize) -> Gradients {
        let size = 400usize;
        let pixels = (0..size * size)
            .map(|i| {
                let (x, y) = (i % size, i / size);
                if (100..300).contains(&x) && (100..100 + height_px).contains(&y) {
                    200
                } else {
                    40
                }
            })
            .collect();
        Gradients::strongest(&[GrayImage::new(size as u32, size as u32, pixels).unwrap()])
    }

    /// The U of the rectangle's top and two sides, its arms found only 60 px down (a print
    /// that cuts them short), with the fourth side placed where they stop.
    fn short_u() -> Quad {
        [
            (100.0, 100.0),
            (100.0, 160.0),
            (300.0, 160.0),
            (300.0, 100.0),
        ]
        .map(|(x, y)| Vec2::new(x, y))
    }

    #[test]
    fn a_side_placed_short_slides_onto_the_edge_further_along() {
        // A card's aspect: 126 px high, its bottom edge between rows 225 and 226.
        let gradients = rectangle(126);
        let threshold = 20.0;
        let placed = short_u();
        assert!(score::side_support(placed[1], placed[2], &gradients, threshold) < 0.1);
        let slid = slide(&placed, &gradients, threshold).expect("slid onto the bottom edge");
        // The base's corners stay; the placed side's reach the bottom edge, within the pixel
        // that the support looks either side.
        assert_eq!((slid[0], slid[3]), (placed[0], placed[3]));
        for corner in [slid[1], slid[2]] {
            assert!((corner.y - 225.5).abs() <= 1.5, "{slid:?}");
        }
        assert!(score::side_support(slid[1], slid[2], &gradients, threshold) >= 0.75);
    }

    #[test]
    fn a_side_is_slid_only_onto_an_edge_within_a_card_s_reach() {
        let threshold = 20.0;
        // No edge further along: the rectangle runs on past the frame's bottom.
        assert!(slide(&short_u(), &rectangle(400), threshold).is_none());
        // A square's bottom edge is 200 px down, past the 164 px that a 200 px long side's
        // arms reach at 40° of tilt.
        assert!(slide(&short_u(), &rectangle(200), threshold).is_none());
        // The same square seen tilted (150 px high) is within reach.
        assert!(slide(&short_u(), &rectangle(150), threshold).is_some());
    }
}
