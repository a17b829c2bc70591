//! The card's shape under perspective: corner ordering and how well a quadrilateral can be an
//! ID-1 card (85.60 × 53.98 mm) seen through some pinhole camera.

use glam::{DMat3, DVec3, Vec2};

use crate::math::homography::{image_from_card, Homography, CARD_HEIGHT_MM, CARD_WIDTH_MM};

/// Focal lengths tried, in image diagonals: 0.5 (a 90° diagonal field of view) times 1.1ᵏ up to
/// about 3 (a 19° telephoto); phone and laptop cameras lie in 0.6–2.5. The true focal is unknown, so a quad passes if any of them makes it a
/// card.
const FOCAL_STEPS: usize = 20;
const FOCAL_FIRST_DIAGONALS: f64 = 0.5;
const FOCAL_RATIO: f64 = 1.1;

/// cos of the largest tilt accepted (46°; a card is held within about 40° of square to the camera).
const MIN_TILT_COS: f64 = 0.695;

/// Orders four corners clockwise on screen (+y down), long side first, starting from the corner
/// that is nearest the image's top-left among the two ends of long sides going clockwise. The card
/// is symmetric under a half turn, so "the card's top-left as seen" is the corner that starts a
/// long side and lies up and to the left.
pub(crate) fn order_corners(corners: [Vec2; 4], image_size_px: Vec2) -> Option<([Vec2; 4], f32)> {
    let mut c = corners;
    let shoelace: f32 = (0..4).map(|i| c[i].perp_dot(c[(i + 1) % 4])).sum();
    if !shoelace.is_finite() || shoelace == 0.0 {
        return None;
    }
    if shoelace < 0.0 {
        c.swap(1, 3);
    }
    // Try both ways of calling a side "long" and keep the one that fits a card better.
    let mut best: Option<([Vec2; 4], f32)> = None;
    for start in 0..2 {
        let rotated = [0, 1, 2, 3].map(|i| c[(i + start) % 4]);
        let Some(error) = card_shape_error(rotated, image_size_px) else {
            continue;
        };
        if best.is_none_or(|(_, e)| error < e) {
            best = Some((rotated, error));
        }
    }
    let (corners, error) = best?;
    // Of the two half-turn equivalents, start at the one nearer the top-left.
    let other = [2, 3, 0, 1].map(|i| corners[i]);
    let key = |q: &[Vec2; 4]| q[0].x + q[0].y;
    Some((
        if key(&other) < key(&corners) {
            other
        } else {
            corners
        },
        error,
    ))
}

/// How far a quad (clockwise, corner 0 → 1 along the long side) is from an ID-1 card for the best
/// focal length: the larger of |1 − |r₁|/|r₂|| and |cos(r₁, r₂)|, where r₁, r₂ are the first two
/// columns of K⁻¹H (a rotation's columns when the quad is a card: equal length, orthogonal).
/// `None` for a degenerate quad.
pub(crate) fn card_shape_error(corners_px: [Vec2; 4], image_size_px: Vec2) -> Option<f32> {
    if !(image_size_px.is_finite() && image_size_px.x > 0.0 && image_size_px.y > 0.0) {
        return None;
    }
    // The homography alone: this runs on every quad hypothesis of a frame, hundreds of them.
    let image_from_card = image_from_card(corners_px).ok()?;
    Some(shape_error_of_homography(&image_from_card, image_size_px))
}

fn shape_error_of_homography(image_from_card: &Homography, image_size_px: Vec2) -> f32 {
    let size = image_size_px.as_dvec2();
    let shift = DMat3::from_cols(DVec3::X, DVec3::Y, (-size / 2.0).extend(1.0));
    let g = shift * image_from_card.0.as_dmat3();
    let diagonal = size.length();
    let (g1, g2) = (g.x_axis, g.y_axis);
    // Candidate focal lengths: a geometric grid, plus the exact solutions of each of the two
    // constraints and of both in least squares (the grid alone is too coarse for a strongly tilted
    // card, whose error changes fast with f).
    let mut candidates = [0.0f64; FOCAL_STEPS + 3];
    for (k, f) in candidates.iter_mut().take(FOCAL_STEPS).enumerate() {
        *f = diagonal * FOCAL_FIRST_DIAGONALS * FOCAL_RATIO.powi(k as i32);
    }
    let mut count = FOCAL_STEPS;
    let (a1, b1) = (g1.x * g2.x + g1.y * g2.y, g1.z * g2.z);
    let (a2, b2) = (
        g1.truncate().length_squared() - g2.truncate().length_squared(),
        g1.z * g1.z - g2.z * g2.z,
    );
    for f_squared in [
        -a1 / b1,
        -a2 / b2,
        -(a1 * b1 + a2 * b2) / (b1 * b1 + b2 * b2),
    ] {
        if f_squared.is_finite() && f_squared > 0.0 {
            candidates[count] = f_squared.sqrt();
            count += 1;
        }
    }
    let (low, high) = (
        diagonal * FOCAL_FIRST_DIAGONALS,
        diagonal * FOCAL_FIRST_DIAGONALS * FOCAL_RATIO.powi(FOCAL_STEPS as i32 - 1),
    );
    let mut best = f64::MAX;
    for f in candidates[..count]
        .iter()
        .copied()
        .filter(|f| (low..=high).contains(f))
    {
        // K⁻¹ up to scale: (x, y, f·z) keeps everything O(f) and finite.
        let r1 = DVec3::new(g1.x, g1.y, f * g1.z);
        let r2 = DVec3::new(g2.x, g2.y, f * g2.z);
        let (l1, l2) = (r1.length(), r2.length());
        if !(l1 > 0.0 && l2 > 0.0) {
            continue;
        }
        // Tilt is bounded: with a free tilt and focal length any small rectangle, a square
        // included, can pass for a card seen obliquely.
        let normal = (r1 / l1).cross(r2 / l2);
        if normal.z.abs() < MIN_TILT_COS * normal.length() {
            continue;
        }
        let error = (1.0 - l1 / l2).abs().max((r1.dot(r2) / (l1 * l2)).abs());
        best = best.min(error);
    }
    best as f32
}

/// How steeply a card is seen at its centre, degrees: the angle whose cosine is the ratio of the
/// smaller to the larger stretch of `image_from_card` there (the singular values of its Jacobian).
/// It needs no focal length, so it is known where the pose is not: for a quad whose sides show no
/// perspective, a square-ish rectangle seen face on looks like a card seen at 44–51°.
pub(crate) fn foreshortening_deg(image_from_card: &Homography) -> f32 {
    let j = image_from_card.jacobian(Vec2::new(CARD_WIDTH_MM, CARD_HEIGHT_MM) / 2.0);
    let (a, b, c, d) = (j.x_axis.x, j.y_axis.x, j.x_axis.y, j.y_axis.y);
    // σ₁² + σ₂² is the sum of the squares, and σ₁σ₂ the determinant's size.
    let squares = a * a + b * b + c * c + d * d;
    let determinant = (a * d - b * c).abs();
    let gap = (squares * squares - 4.0 * determinant * determinant)
        .max(0.0)
        .sqrt();
    let larger = ((squares + gap) / 2.0).sqrt();
    let smaller = ((squares - gap) / 2.0).max(0.0).sqrt();
    if larger > 0.0 {
        (smaller / larger).min(1.0).acos().to_degrees()
    } else {
        90.0
    }
}

/// Where two lines (point + direction) cross; `None` when nearly parallel.
pub(crate) fn intersect(p: Vec2, d: Vec2, q: Vec2, e: Vec2) -> Option<Vec2> {
    let denominator = d.perp_dot(e);
    if denominator.abs() < 1e-6 * d.length() * e.length() {
        return None;
    }
    let t = (q - p).perp_dot(e) / denominator;
    let x = p + d * t;
    x.is_finite().then_some(x)
}

/// Is the quad plausibly a card tilted by at most about 50°: every interior angle within 50°–130°
/// and the shortest side at least a fifth of the longest (a card's short side is 0.63 of its long
/// side, 0.4 at 50° of tilt)?
pub(crate) fn plausible_angles(c: &[Vec2; 4]) -> bool {
    let sides = [0, 1, 2, 3].map(|i| c[(i + 1) % 4] - c[i]);
    let lengths = sides.map(Vec2::length);
    let (shortest, longest) = lengths
        .iter()
        .fold((f32::MAX, 0.0f32), |(lo, hi), &l| (lo.min(l), hi.max(l)));
    if !(shortest > 0.0 && shortest >= 0.2 * longest) {
        return false;
    }
    (0..4).all(|i| {
        let (a, b) = (sides[i], sides[(i + 1) % 4]);
        (a.dot(b) / (lengths[i] * lengths[(i + 1) % 4])).abs() <= 0.643
    })
}

/// Is the quad convex (all turns the same way)?
pub(crate) fn is_convex(c: &[Vec2; 4]) -> bool {
    let turns = (0..4).map(|i| {
        let a = c[(i + 1) % 4] - c[i];
        let b = c[(i + 2) % 4] - c[(i + 1) % 4];
        a.perp_dot(b)
    });
    let signs: Vec<f32> = turns.map(f32::signum).collect();
    signs.iter().all(|&s| s > 0.0) || signs.iter().all(|&s| s < 0.0)
}

/// Is `p` within `margin` px of a frame of `size` px?
pub(crate) fn inside(p: Vec2, size: Vec2, margin: f32) -> bool {
    p.is_finite()
        && p.x >= -margin
        && p.y >= -margin
        && p.x <= size.x + margin
        && p.y <= size.y + margin
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_card_fits_and_a_square_does_not() {
        let size = Vec2::new(640.0, 480.0);
        let card = [
            Vec2::new(100.0, 100.0),
            Vec2::new(271.2, 100.0),
            Vec2::new(271.2, 207.96),
            Vec2::new(100.0, 207.96),
        ];
        let (ordered, error) = order_corners([card[2], card[1], card[0], card[3]], size).unwrap();
        assert!(error < 0.01, "{error}");
        assert_eq!(ordered[0], card[0]);
        let square = [
            Vec2::new(100.0, 100.0),
            Vec2::new(200.0, 100.0),
            Vec2::new(200.0, 200.0),
            Vec2::new(100.0, 200.0),
        ];
        assert!(order_corners(square, size).unwrap().1 > 0.3);
    }

    #[test]
    fn foreshortening_is_a_distant_cards_tilt_and_a_square_looks_steep() {
        let seen = |corners: [(f32, f32); 4]| {
            foreshortening_deg(&image_from_card(corners.map(Vec2::from)).unwrap())
        };
        let face_on = seen([(0.0, 0.0), (171.2, 0.0), (171.2, 107.96), (0.0, 107.96)]);
        assert!(face_on < 0.1, "{face_on}");
        // Seen from far off (no perspective), tilted 30° about its long axis: the short sides
        // look cos 30° as long.
        let h = 107.96 * 30f32.to_radians().cos();
        let tilted = seen([
            (50.0, 50.0),
            (221.2, 50.0),
            (221.2, 50.0 + h),
            (50.0, 50.0 + h),
        ]);
        assert!((tilted - 30.0).abs() < 0.1, "{tilted}");
        // A square face on: one way its sides are 53.98 / 85.6 of a card's, acos 0.631 = 50.9°.
        let square = seen([(0.0, 0.0), (100.0, 0.0), (100.0, 100.0), (0.0, 100.0)]);
        assert!((square - 50.9).abs() < 0.1, "{square}");
    }
}
