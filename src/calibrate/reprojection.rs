//! How far a quadrilateral is from being a card: the corners of the best-fitting ID-1 card seen
//! through a pinhole camera (focal length, rotation and translation all free, within plausible
//! bounds) compared with the quad's, in pixels.
//!
//! A card seen by a camera with an unknown focal length has 7 degrees of freedom and its four
//! corners give 8 numbers, so one number is left over: how card-shaped the quad is. Measured in
//! pixels it can be compared with corner noise directly, which an algebraic error (see
//! [`super::shape::card_shape_error`]) cannot: half a pixel of noise moves that by 0.05 on a small
//! or strongly tilted card and by 0.002 on a large frontal one.
//!
//! The fit is Levenberg–Marquardt from the best of a grid of focal lengths, with numeric
//! derivatives (7 parameters, 8 residuals: cheap), and two soft bounds as extra residuals: the
//! focal length within 0.5–3 image diagonals, and the tilt within 42° (with a free tilt and focal
//! length, any small rectangle, a square included, can pass for a card seen obliquely).

use glam::{DMat3, DVec2, DVec3, Vec2};

use crate::math::homography::{pose_from_homography, CardFit, CARD_HEIGHT_MM, CARD_WIDTH_MM};

/// Plausible focal lengths, image diagonals (phone and laptop cameras lie in 0.6–2.5).
const FOCAL_MIN_DIAGONALS: f64 = 0.5;
const FOCAL_MAX_DIAGONALS: f64 = 3.0;
/// Starting focal lengths tried.
const FOCAL_STARTS: usize = 12;
/// Largest tilt of the card from square to the camera, degrees: the 40° a hand holds a card at,
/// and a little for the noise in a small card's corners.
const MAX_TILT_DEG: f64 = 42.0;
/// Largest tilt of the card from the line of sight to its centre, degrees: [`MAX_TILT_DEG`] plus
/// most of the half field of view of a wide phone camera. It refuses some real cards: one tilted
/// 35–40° near the frame's edge in a wide lens is seen at up to 66° (1.8 % of the synthetic
/// positives are past 50°, 0.2 % past 60°). Allowing 55° or 60° for every quad found them, but
/// claimed as many more of the square-ish distractors of the negatives (1.6 % → 2.0 % and 2.2 %
/// false cards on 3000 fresh frames): the same trade as a lower claim threshold. Up to
/// [`MAX_WIDE_SIGHT_TILT_DEG`] a quad must instead fit a card far more closely (see
/// [`card_distance_wide_px`]).
const MAX_SIGHT_TILT_DEG: f64 = 50.0;
/// The bound of [`card_distance_wide_px`], degrees: [`MAX_TILT_DEG`] and the 23° between the
/// axis and a card's centre near the edge of a wide phone camera's frame (the synthetic
/// positives reach 66°).
const MAX_WIDE_SIGHT_TILT_DEG: f64 = 65.0;
/// Penalty weights: px per unit of ln f beyond its bounds, and px per degree of tilt beyond the
/// limit. Steep, so a fit can only lean on them by a pixel or so.
const FOCAL_PENALTY_PX: f64 = 20.0;
const TILT_PENALTY_PX_PER_DEG: f64 = 1.0;
/// A weak pull of ln f towards one diagonal, px per unit: a card square to the camera says nothing
/// about the focal length, and without it the fit would wander.
const FOCAL_PRIOR_PX: f64 = 0.05;
const ITERATIONS: usize = 20;

/// The card's half size, mm: the fit places the card's centre at the origin of its plane.
const HALF_CARD_MM: DVec2 = DVec2::new(CARD_WIDTH_MM as f64 / 2.0, CARD_HEIGHT_MM as f64 / 2.0);
const CORNERS_MM: [DVec2; 4] = [
    DVec2::new(-HALF_CARD_MM.x, -HALF_CARD_MM.y),
    DVec2::new(HALF_CARD_MM.x, -HALF_CARD_MM.y),
    DVec2::new(HALF_CARD_MM.x, HALF_CARD_MM.y),
    DVec2::new(-HALF_CARD_MM.x, HALF_CARD_MM.y),
];

/// A camera and card: ln f, then a rotation vector applied before `base`, then the translation of
/// the card's centre (mm).
#[derive(Clone, Copy)]
struct Params {
    ln_focal: f64,
    rotation: DVec3,
    translation_mm: DVec3,
}

const RESIDUALS: usize = 11;

/// The largest distance, px, between a quad's corners and those of the best-fitting card, with
/// the soft bounds' penalties included. `corners_px` go clockwise from the end of a long side, as
/// [`super::shape::order_corners`] returns them, and `fit` is their
/// [`card_from_corners`](crate::math::homography::card_from_corners), whose homography seeds the
/// fit. `None` when no start pose exists.
pub(crate) fn card_distance_px(
    fit: &CardFit,
    corners_px: [Vec2; 4],
    image_size_px: Vec2,
) -> Option<f32> {
    distance_within_sight_tilt_px(fit, corners_px, image_size_px, MAX_SIGHT_TILT_DEG)
}

/// [`card_distance_px`] with the tilt from the line of sight bounded at
/// [`MAX_WIDE_SIGHT_TILT_DEG`], not [`MAX_SIGHT_TILT_DEG`]. A square-ish rectangle seen off the
/// frame's centre can pass for a card that steeply seen only to within half a pixel or so (on
/// exact corners, 6 of the 301 distractors of sets 200 to 209 came within 1 px, at 51–56°),
/// where a real card's corners fit exactly; so callers hold a quad past the narrower bound to a
/// far smaller distance.
pub(crate) fn card_distance_wide_px(
    fit: &CardFit,
    corners_px: [Vec2; 4],
    image_size_px: Vec2,
) -> Option<f32> {
    distance_within_sight_tilt_px(fit, corners_px, image_size_px, MAX_WIDE_SIGHT_TILT_DEG)
}

fn distance_within_sight_tilt_px(
    fit: &CardFit,
    corners_px: [Vec2; 4],
    image_size_px: Vec2,
    max_sight_tilt_deg: f64,
) -> Option<f32> {
    let size = image_size_px.as_dvec2();
    let principal = size / 2.0;
    let diagonal = size.length();
    let observed = corners_px.map(|c| c.as_dvec2() - principal);
    let problem = Problem {
        observed,
        diagonal,
        base: DMat3::IDENTITY,
        max_sight_tilt_deg,
    };
    // The best start from a grid of focal lengths, each with the pose the homography gives.
    let mut best: Option<(f64, Problem, Params)> = None;
    for k in 0..FOCAL_STARTS {
        let t = k as f64 / (FOCAL_STARTS - 1) as f64;
        let f =
            diagonal * FOCAL_MIN_DIAGONALS * (FOCAL_MAX_DIAGONALS / FOCAL_MIN_DIAGONALS).powf(t);
        let Ok(pose) = pose_from_homography(&fit.image_from_card, f as f32, image_size_px / 2.0)
        else {
            continue;
        };
        let rotation = pose.rotation.as_dmat3();
        let start = Problem {
            base: rotation,
            ..problem
        };
        let params = Params {
            ln_focal: f.ln(),
            rotation: DVec3::ZERO,
            translation_mm: pose.centre_mm().as_dvec3(),
        };
        let cost = start.cost(&params);
        if cost.is_finite() && best.as_ref().is_none_or(|b| cost < b.0) {
            best = Some((cost, start, params));
        }
    }
    let (_, problem, params) = best?;
    let params = problem.levenberg_marquardt(params);
    let r = problem.residuals(&params);
    let worst_corner = (0..4)
        .map(|i| DVec2::new(r[2 * i], r[2 * i + 1]).length())
        .fold(0.0f64, f64::max);
    let penalty = r[8].abs() + r[9].abs();
    let distance = worst_corner + penalty;
    distance.is_finite().then_some(distance as f32)
}

#[derive(Clone, Copy)]
struct Problem {
    /// Corners relative to the principal point, px.
    observed: [DVec2; 4],
    diagonal: f64,
    /// The rotation the parameters' rotation vector is applied to.
    base: DMat3,
    /// The bound on the tilt from the line of sight, degrees.
    max_sight_tilt_deg: f64,
}

impl Problem {
    fn residuals(&self, p: &Params) -> [f64; RESIDUALS] {
        let mut r = [0.0; RESIDUALS];
        let f = p.ln_focal.exp();
        let rotation = rotation_from_vector(p.rotation) * self.base;
        for (i, corner) in CORNERS_MM.iter().enumerate() {
            let q = rotation * corner.extend(0.0) + p.translation_mm;
            if q.z <= 1e-6 {
                // Behind the camera: as far off as anything can be.
                r[2 * i] = 1e6;
                r[2 * i + 1] = 1e6;
                continue;
            }
            let projected = DVec2::new(q.x, q.y) * (f / q.z);
            r[2 * i] = projected.x - self.observed[i].x;
            r[2 * i + 1] = projected.y - self.observed[i].y;
        }
        let (low, high) = (
            (self.diagonal * FOCAL_MIN_DIAGONALS).ln(),
            (self.diagonal * FOCAL_MAX_DIAGONALS).ln(),
        );
        r[8] = FOCAL_PENALTY_PX * ((low - p.ln_focal).max(0.0) + (p.ln_focal - high).max(0.0));
        // Tilt is bounded twice. From the camera's axis it is at most what a hand holds a card at.
        // From the line of sight to the card's centre it may be more, by up to the angle between
        // that line and the axis (a card held square to the camera near the frame's edge); this
        // angle sets how foreshortened the card looks, so bounding it keeps squares and long
        // strips from passing for cards.
        let normal = rotation.z_axis;
        let sight = p.translation_mm.normalize_or_zero();
        let axis_tilt_deg = normal.z.abs().clamp(0.0, 1.0).acos().to_degrees();
        let sight_tilt_deg = normal.dot(sight).abs().clamp(0.0, 1.0).acos().to_degrees();
        let excess_deg = (axis_tilt_deg - MAX_TILT_DEG)
            .max(sight_tilt_deg - self.max_sight_tilt_deg)
            .max(0.0);
        r[9] = TILT_PENALTY_PX_PER_DEG * excess_deg;
        r[10] = FOCAL_PRIOR_PX * (p.ln_focal - self.diagonal.ln());
        r
    }

    fn cost(&self, p: &Params) -> f64 {
        self.residuals(p).iter().map(|r| r * r).sum()
    }

    fn levenberg_marquardt(&self, mut p: Params) -> Params {
        let mut cost = self.cost(&p);
        let mut damping = 1e-3;
        for _ in 0..ITERATIONS {
            let r = self.residuals(&p);
            let jacobian = self.jacobian(&p, &r);
            let mut normal = [[0.0f64; 7]; 7];
            let mut rhs = [0.0f64; 7];
            for row in 0..RESIDUALS {
                for a in 0..7 {
                    rhs[a] -= jacobian[row][a] * r[row];
                    for b in 0..7 {
                        normal[a][b] += jacobian[row][a] * jacobian[row][b];
                    }
                }
            }
            let mut improved = false;
            for _ in 0..6 {
                let mut damped = normal;
                for (a, row) in damped.iter_mut().enumerate() {
                    row[a] += damping * (normal[a][a] + 1e-9);
                }
                let Some(step) = solve7(damped, rhs) else {
                    damping *= 10.0;
                    continue;
                };
                let candidate = add(&p, &step);
                let new_cost = self.cost(&candidate);
                if new_cost.is_finite() && new_cost < cost {
                    let gain = cost - new_cost;
                    p = candidate;
                    cost = new_cost;
                    damping = (damping * 0.3).max(1e-9);
                    improved = gain > 1e-10 * (1.0 + cost);
                    break;
                }
                damping *= 10.0;
            }
            if !improved {
                break;
            }
        }
        p
    }

    fn jacobian(&self, p: &Params, r: &[f64; RESIDUALS]) -> [[f64; 7]; RESIDUALS] {
        let mut j = [[0.0f64; 7]; RESIDUALS];
        let depth = p.translation_mm.length().max(1.0);
        for k in 0..7 {
            let step = match k {
                0 => 1e-5,
                1..=3 => 1e-6,
                _ => 1e-6 * depth,
            };
            let mut delta = [0.0f64; 7];
            delta[k] = step;
            let shifted = self.residuals(&add(p, &delta));
            for row in 0..RESIDUALS {
                j[row][k] = (shifted[row] - r[row]) / step;
            }
        }
        j
    }
}

fn add(p: &Params, d: &[f64; 7]) -> Params {
    Params {
        ln_focal: p.ln_focal + d[0],
        rotation: p.rotation + DVec3::new(d[1], d[2], d[3]),
        translation_mm: p.translation_mm + DVec3::new(d[4], d[5], d[6]),
    }
}

fn rotation_from_vector(v: DVec3) -> DMat3 {
    let angle = v.length();
    if angle < 1e-12 {
        DMat3::IDENTITY
    } else {
        DMat3::from_axis_angle(v / angle, angle)
    }
}

/// Gaussian elimination with partial pivoting; `None` when singular.
fn solve7(mut a: [[f64; 7]; 7], mut b: [f64; 7]) -> Option<[f64; 7]> {
    for col in 0..7 {
        let pivot = (col..7).max_by(|&i, &j| a[i][col].abs().total_cmp(&a[j][col].abs()))?;
        if a[pivot][col].abs() < 1e-300 || !a[pivot][col].is_finite() {
            return None;
        }
        a.swap(col, pivot);
        b.swap(col, pivot);
        let pivot_row = a[col];
        for row in col + 1..7 {
            let factor = a[row][col] / pivot_row[col];
            for (x, p) in a[row].iter_mut().zip(pivot_row).skip(col) {
                *x -= factor * p;
            }
            b[row] -= factor * b[col];
        }
    }
    let mut x = [0.0f64; 7];
    for row in (0..7).rev() {
        let sum: f64 = (row + 1..7).map(|k| a[row][k] * x[k]).sum();
        x[row] = (b[row] - sum) / a[row][row];
    }
    x.iter().all(|v| v.is_finite()).then_some(x)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn project(f: f64, rotation: DMat3, centre_mm: DVec3, size: Vec2) -> [Vec2; 4] {
        CORNERS_MM.map(|c| {
            let q = rotation * c.extend(0.0) + centre_mm;
            (DVec2::new(q.x, q.y) * (f / q.z)).as_vec2() + size / 2.0
        })
    }

    fn distance(corners_px: [Vec2; 4], size: Vec2) -> Option<f32> {
        let fit = crate::math::homography::card_from_corners(corners_px, size).ok()?;
        card_distance_px(&fit, corners_px, size)
    }

    #[test]
    fn a_tilted_card_fits_exactly_and_a_square_does_not() {
        let size = Vec2::new(800.0, 600.0);
        let rotation =
            DMat3::from_axis_angle(DVec3::new(0.6, 0.8, 0.0), 0.6) * DMat3::from_rotation_z(0.4);
        let card = project(900.0, rotation, DVec3::new(30.0, -20.0, 500.0), size);
        let d = distance(card, size).unwrap();
        assert!(d < 0.05, "{d}");
        // A corner moved by a pixel: the fit absorbs most of it (7 of the 8 numbers are free),
        // and never reports more than the move.
        let mut nudged = card;
        nudged[2] += Vec2::new(1.0, 0.0);
        let d = distance(nudged, size).unwrap();
        assert!(d < 1.0, "{d}");
        let square = [
            Vec2::new(300.0, 200.0),
            Vec2::new(400.0, 200.0),
            Vec2::new(400.0, 300.0),
            Vec2::new(300.0, 300.0),
        ];
        let d = distance(square, size).unwrap();
        assert!(d > 3.0, "{d}");
        // A frontal rectangle of aspect 1.3 could only be a card tilted 35° about its short axis,
        // which would make the near short side visibly longer than the far one: by a few px at
        // this size, even for the longest focal length allowed.
        let rectangle = [
            Vec2::new(200.0, 200.0),
            Vec2::new(460.0, 200.0),
            Vec2::new(460.0, 400.0),
            Vec2::new(200.0, 400.0),
        ];
        let d = distance(rectangle, size).unwrap();
        assert!(d > 2.0, "{d}");
    }

    /// A card tilted 34° from the camera's axis, near the frame's corner of a wide lens (0.65
    /// image diagonals), tilted away from the line of sight to it: seen 58° from that line.
    #[test]
    fn a_card_seen_steeply_fits_only_the_wide_bound_and_a_squarer_rectangle_fits_it_roughly() {
        let size = Vec2::new(800.0, 600.0);
        let (f, depth_mm) = (650.0, 420.0);
        let offset_px = DVec2::new(240.0, 160.0);
        let centre_mm = (offset_px * depth_mm / f).extend(depth_mm);
        let away = offset_px.normalize();
        let axis = DVec3::new(away.y, -away.x, 0.0);
        let seen = |tilt_deg: f64, half_mm: DVec2| {
            let rotation =
                DMat3::from_axis_angle(axis, tilt_deg.to_radians()) * DMat3::from_rotation_z(0.3);
            let sight_deg = rotation
                .z_axis
                .dot(centre_mm.normalize())
                .abs()
                .acos()
                .to_degrees();
            let corners = [(-1.0, -1.0), (1.0, -1.0), (1.0, 1.0), (-1.0, 1.0)].map(|(x, y)| {
                let q = rotation * DVec3::new(x * half_mm.x, y * half_mm.y, 0.0) + centre_mm;
                (DVec2::new(q.x, q.y) * (f / q.z)).as_vec2() + size / 2.0
            });
            let (ordered, _) = crate::calibrate::shape::order_corners(corners, size).unwrap();
            let fit = crate::math::homography::card_from_corners(ordered, size).unwrap();
            let narrow = card_distance_px(&fit, ordered, size).unwrap();
            let wide = card_distance_wide_px(&fit, ordered, size).unwrap();
            (sight_deg, narrow, wide)
        };
        let (sight_deg, narrow, wide) = seen(34.0, HALF_CARD_MM);
        assert!((55.0..60.0).contains(&sight_deg), "{sight_deg}");
        assert!(narrow > 3.0, "{narrow}");
        assert!(wide < 0.01, "{wide}");
        // A rectangle of aspect 1.15, tilted 15° in the same place, passes for a card seen at
        // 50–65° only to within half a pixel or more: it must not come within a tenth.
        let (_, narrow, wide) = seen(
            15.0,
            DVec2::new(30.0 * 1.15f64.sqrt(), 30.0 / 1.15f64.sqrt()),
        );
        assert!(narrow > 1.0, "{narrow}");
        assert!((0.3..1.0).contains(&wide), "{wide}");
    }
}
