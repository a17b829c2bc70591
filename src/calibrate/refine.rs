//! Sub-pixel corners at full resolution: along each side, the edge's position is found on many
//! short profiles across it (the peak of the grey-level derivative, interpolated by a parabola),
//! a line is fitted to those points by total least squares with outliers trimmed (a finger over a
//! corner, a pattern near the edge), and neighbouring lines are intersected.

use glam::Vec2;

use super::gray::GrayImage;
use super::segments::Moments;
use super::shape::intersect;

/// The ends of each side left out, as in scoring: the rounded corners are not straight.
const SKIP_FRACTION: f32 = 0.08;
/// Profiles per side at most.
const MAX_PROFILES: usize = 60;
/// Profile step along the normal, px: half a pixel, so that the samples a derivative is taken
/// between, half a px either side of a step, are those of its neighbouring steps.
const STEP_PX: f32 = 0.5;
const _: () = assert!(STEP_PX == 0.5);

/// The two passes that refine a coarse quad (full-resolution px) found at a working size `scale`
/// times smaller than the planes: the first reaches the coarse corners' error (1.5 working px,
/// and 1.5 px of blur), the second 1.5 px from where the first ended. Both are returned: when the
/// second locks onto a background edge beside a blurred side, the first is the better estimate.
pub(crate) fn refine_coarse(planes: &[GrayImage], coarse: [Vec2; 4], scale: f32) -> [[Vec2; 4]; 2] {
    let first = refine_corners(planes, coarse, 1.5 * scale + 1.5);
    let second = refine_corners(planes, first, 1.5);
    [first, second]
}

/// Refines a quad (full-resolution coordinates, in order around it). `search_px` is how far the
/// true edge may be from the current side. Each side is fitted in the plane where its edge is
/// strongest; sides with too few edge points keep their old line.
pub(crate) fn refine_corners(planes: &[GrayImage], quad: [Vec2; 4], search_px: f32) -> [Vec2; 4] {
    let centre = quad.iter().copied().sum::<Vec2>() / 4.0;
    let mut lines: [(Vec2, Vec2); 4] = [(Vec2::ZERO, Vec2::X); 4];
    for (i, line) in lines.iter_mut().enumerate() {
        let (p, q) = (quad[i], quad[(i + 1) % 4]);
        *line = (p, (q - p).normalize_or(Vec2::X));
        let strongest = planes
            .iter()
            .filter_map(|image| fit_side(image, p, q, centre, search_px))
            .max_by(|a, b| a.strength.total_cmp(&b.strength));
        if let Some(fitted) = strongest {
            *line = (fitted.point, fitted.direction);
        }
    }
    let mut out = quad;
    for (i, corner) in out.iter_mut().enumerate() {
        // Corner i joins side i − 1 (ending there) and side i (starting there).
        let (a, b) = (lines[(i + 3) % 4], lines[i]);
        if let Some(x) = intersect(a.0, a.1, b.0, b.1) {
            // A refinement that moves a corner far is a wrong lock, not a refinement.
            if x.distance(*corner) <= 3.0 * search_px {
                *corner = x;
            }
        }
    }
    out
}

/// A side's fitted line.
struct FittedSide {
    point: Vec2,
    /// Unit.
    direction: Vec2,
    /// The median edge strength along the side, grey levels per px.
    strength: f32,
}

/// Edge points along one side and their robust line.
fn fit_side(
    image: &GrayImage,
    p: Vec2,
    q: Vec2,
    centre: Vec2,
    search_px: f32,
) -> Option<FittedSide> {
    let length = p.distance(q);
    let direction = (q - p).try_normalize()?;
    let mut normal = direction.perp();
    if normal.dot(p - centre) < 0.0 {
        normal = -normal;
    }
    let profiles = ((length * (1.0 - 2.0 * SKIP_FRACTION)) as usize).clamp(4, MAX_PROFILES);
    let steps = (search_px / STEP_PX).ceil() as i32;
    // Derivative along the outward normal at each step, then its strongest extremum.
    let mut points: Vec<(Vec2, f32)> = Vec::with_capacity(profiles);
    let mut profile = Vec::with_capacity(2 * steps as usize + 1);
    let mut samples = Vec::with_capacity(2 * steps as usize + 3);
    for k in 0..profiles {
        let t = SKIP_FRACTION + (1.0 - 2.0 * SKIP_FRACTION) * (k as f32 + 0.5) / profiles as f32;
        let base = p + (q - p) * t;
        // The derivative at each step is the difference of the samples half a px either side,
        // which are the samples one step before and after it: each sample serves two steps.
        samples.clear();
        samples.extend(
            (-steps - 1..=steps + 1).map(|j| image.sample(base + normal * (j as f32 * STEP_PX))),
        );
        profile.clear();
        profile.extend(samples.windows(3).map(|w| w[2] - w[0]));
        let Some((best, _)) = profile
            .iter()
            .enumerate()
            .skip(1)
            .take(profile.len().saturating_sub(2))
            .max_by(|a, b| a.1.abs().total_cmp(&b.1.abs()))
        else {
            continue;
        };
        let (a, b, c) = (
            profile[best - 1].abs(),
            profile[best].abs(),
            profile[best + 1].abs(),
        );
        let curvature = a - 2.0 * b + c;
        // Parabola through three samples: the vertex is within half a step of the middle one.
        let shift = if curvature < 0.0 {
            (0.5 * (a - c) / curvature).clamp(-0.5, 0.5)
        } else {
            0.0
        };
        let offset = (best as f32 - steps as f32 + shift) * STEP_PX;
        points.push((base + normal * offset, b));
    }
    if points.len() < 4 {
        return None;
    }
    // Weak peaks are noise or a covered stretch of the side.
    let mut strengths: Vec<f32> = points.iter().map(|x| x.1).collect();
    strengths.sort_by(f32::total_cmp);
    let median = strengths[strengths.len() / 2];
    let mut kept: Vec<Vec2> = points
        .iter()
        .filter(|x| x.1 >= 0.4 * median && x.1 >= 2.0)
        .map(|x| x.0)
        .collect();
    let mut line = None;
    for _ in 0..3 {
        if kept.len() < 4 {
            break;
        }
        // The line minimising perpendicular distances: the centroid and the major axis.
        let (point, dir, _) = Moments::of(&kept).principal_axis();
        if !(point.is_finite() && dir.is_finite()) {
            return None;
        }
        let normal = dir.perp();
        let mut residuals: Vec<f32> = kept
            .iter()
            .map(|x| (*x - point).dot(normal).abs())
            .collect();
        residuals.sort_by(f32::total_cmp);
        let limit = (2.5 * residuals[residuals.len() / 2]).max(0.25);
        line = Some(FittedSide {
            point,
            direction: dir,
            strength: median,
        });
        kept.retain(|x| (*x - point).dot(normal).abs() <= limit);
    }
    line
}
