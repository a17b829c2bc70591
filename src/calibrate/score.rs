//! How well a quad is supported by the image: the fraction of each side (rounded corners left out)
//! that lies on a strong edge running along it, and the grey-level contrast between just inside
//! and just outside the sides.

use glam::Vec2;

use super::edges::Gradients;
use super::gray::GrayImage;
use super::segments::clip_to_range;

/// The ends of each side skipped when scoring: the 3.18 mm corner radius is 3.7 % of the long
/// side, and a little more allows for corner error.
const SKIP_FRACTION: f32 = 0.07;
/// |cos| between the gradient and the side's normal for a sample to count (about 25°).
const MIN_NORMAL_COS: f32 = 0.9;

/// How far along each side from a corner [`corner_support`] looks, as a fraction of the side.
const CORNER_STRETCH: f32 = 0.25;

/// How far beyond each corner [`extensions`] looks, as a fraction of the side.
const EXTENSION_FRACTION: f32 = 0.3;
/// A side runs on only along an edge at least this fraction of the side's own strength. At 0.3,
/// the skin or cloth shading beyond a low-contrast card's corners ran on and sank its
/// confidence (set 810: three clean cards at 0.06–0.30, their corners 0.1–0.7 px off). Chosen
/// on the validation sets 200 to 209 (0.3: 84.7 % found, 1.3 % false positives; 0.4: 85.4 %
/// and 1.3 %; 0.45: 85.5 % and 1.3 %, but one set's px/mm p95 over 1.5 %; 0.5: 85.6 % and
/// 1.8 %); at 0.4, 300 to 309 went from 83.7 % and 0.5 % to 84.1 % and 0.7 %, the sets read
/// once, 700 to 709, from 81.9 % to 82.75 % (false positives 1.68 % both), and 3000 fresh
/// negatives from 51 false cards to 55.
const RUN_ON_STRENGTH_FRACTION: f32 = 0.4;

/// Support for one quad.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Support {
    /// Fraction of each side on an edge along it, 0–1.
    pub sides: [f32; 4],
    /// |mean inside − mean outside| along the sides, grey levels, in the plane where it is
    /// largest.
    pub contrast: f32,
    /// Each side's mean inside − outside in that plane, grey levels, signed.
    pub side_contrasts: [f32; 4],
}

impl Support {
    /// Sides sorted weakest first.
    pub fn sorted(&self) -> [f32; 4] {
        let mut s = self.sides;
        s.sort_by(f32::total_cmp);
        s
    }
}

/// Scores `quad` (working coordinates, in order around the quad) against `gradients` of `planes`.
pub(crate) fn support(
    quad: &[Vec2; 4],
    planes: &[GrayImage],
    gradients: &Gradients,
    edge_threshold: f32,
) -> Support {
    let centre = quad.iter().copied().sum::<Vec2>() / 4.0;
    let mut sides = [0.0f32; 4];
    let mut difference = vec![0.0f32; planes.len()];
    let mut side_differences = vec![[0.0f32; 4]; planes.len()];
    let mut count = 0.0f32;
    for (i, side) in sides.iter_mut().enumerate() {
        let (p, q) = (quad[i], quad[(i + 1) % 4]);
        let length = p.distance(q);
        let direction = (q - p) / length.max(1e-6);
        let mut normal = direction.perp();
        // Point the normal outwards, away from the quad's centre.
        if normal.dot(p - centre) < 0.0 {
            normal = -normal;
        }
        let points = side_points(p, q);
        let samples = points.len();
        let mut hits = 0;
        for point in points {
            // The best of three pixels across the side tolerates a coarse corner estimate.
            hits += usize::from(on_edge(point, normal, gradients, edge_threshold));
            for ((d, sd), plane) in difference
                .iter_mut()
                .zip(side_differences.iter_mut())
                .zip(planes)
            {
                let step = plane.sample(point - normal * 2.5) - plane.sample(point + normal * 2.5);
                *d += step;
                sd[i] += step / samples as f32;
            }
            count += 1.0;
        }
        *side = hits as f32 / samples as f32;
    }
    let (strongest, contrast) = difference
        .iter()
        .map(|d| (d / count.max(1.0)).abs())
        .enumerate()
        .fold(
            (0, 0.0),
            |best, (k, c)| if c > best.1 { (k, c) } else { best },
        );
    Support {
        sides,
        contrast,
        side_contrasts: side_differences.get(strongest).copied().unwrap_or_default(),
    }
}

/// The fraction of the side from `p` to `q` (rounded corners left out) on an edge along it: one
/// side's share of [`support`], for a cheap first look at a single side.
pub(crate) fn side_support(p: Vec2, q: Vec2, gradients: &Gradients, edge_threshold: f32) -> f32 {
    let normal = ((q - p) / p.distance(q).max(1e-6)).perp();
    let points = side_points(p, q);
    let samples = points.len();
    let hits = points
        .filter(|&point| on_edge(point, normal, gradients, edge_threshold))
        .count();
    hits as f32 / samples as f32
}

/// The points at which a side from `p` to `q` is sampled: about one per px, rounded corners
/// left out.
fn side_points(p: Vec2, q: Vec2) -> impl ExactSizeIterator<Item = Vec2> {
    let samples = (p.distance(q) * (1.0 - 2.0 * SKIP_FRACTION)).clamp(4.0, 200.0) as usize;
    side_points_n(p, q, samples)
}

/// `samples` points evenly along the side from `p` to `q`, rounded corners left out as in
/// [`side_points`].
pub(crate) fn side_points_n(
    p: Vec2,
    q: Vec2,
    samples: usize,
) -> impl ExactSizeIterator<Item = Vec2> {
    (0..samples).map(move |k| {
        let t = SKIP_FRACTION + (1.0 - 2.0 * SKIP_FRACTION) * (k as f32 + 0.5) / samples as f32;
        p + (q - p) * t
    })
}

/// The index of the gradients' pixel under `point`, if it is inside.
pub(crate) fn pixel(gradients: &Gradients, point: Vec2) -> Option<usize> {
    pixel_of(gradients.width, gradients.height, point)
}

/// The index of the pixel under `point` in a `width` × `height` image, if it is inside.
pub(crate) fn pixel_of(width: usize, height: usize, point: Vec2) -> Option<usize> {
    let (x, y) = (point.x, point.y);
    // Truncation is the floor from 0 up, and a point left of or above 0 (or NaN) is outside. So
    // no floorf call, which x86-64's baseline has no instruction for: the coarse checks look up
    // hundreds of thousands of pixels per frame.
    (x >= 0.0 && y >= 0.0 && x < width as f32 && y < height as f32)
        .then(|| y as usize * width + x as usize)
}

/// For each corner, how much of the two sides' stretches next to it (from just past the rounded
/// corner to [`CORNER_STRETCH`] of each side) lies on an edge, 0–1. A card's sides run right up to
/// its rounded corners; a quad that borrows a background line for one side (a square distractor
/// stretched to a card's shape) leaves both corners of that side unreached by its other sides.
/// A finger hides one corner, and a card that matches its background there may hide another.
pub(crate) fn corner_support(
    quad: &[Vec2; 4],
    gradients: &Gradients,
    edge_threshold: f32,
) -> [f32; 4] {
    let mut hits = [0usize; 4];
    let mut samples = [0usize; 4];
    for i in 0..4 {
        let (p, q) = (quad[i], quad[(i + 1) % 4]);
        let length = p.distance(q);
        let normal = (q - p).normalize_or_zero().perp();
        let count = (length * (CORNER_STRETCH - SKIP_FRACTION)).clamp(3.0, 40.0) as usize;
        for k in 0..count {
            let t =
                SKIP_FRACTION + (CORNER_STRETCH - SKIP_FRACTION) * (k as f32 + 0.5) / count as f32;
            // Side i runs from corner i to corner i + 1.
            for (corner, point) in [(i, p + (q - p) * t), ((i + 1) % 4, q + (p - q) * t)] {
                hits[corner] += usize::from(on_edge(point, normal, gradients, edge_threshold));
                samples[corner] += 1;
            }
        }
    }
    [0, 1, 2, 3].map(|c| hits[c] as f32 / samples[c].max(1) as f32)
}

/// For each side, how much of its line continues as one edge (of one polarity) beyond each of its
/// two corners (from just past the rounded corner to [`EXTENSION_FRACTION`] of the side beyond
/// it, or to the frame's edge if that is nearer). A card lies on its background, so its sides
/// stop at its corners. A cell of a grid (tiles, windows, a table's squares) has sides that run
/// on past both; a part of a card cut off by a line of its design (a row of digits, a stripe)
/// has two sides that run on past one. Only an edge of at least [`RUN_ON_STRENGTH_FRACTION`] of
/// the side's median strength counts.
pub(crate) fn extensions(
    quad: &[Vec2; 4],
    gradients: &Gradients,
    edge_threshold: f32,
) -> [[f32; 2]; 4] {
    [0, 1, 2, 3].map(|i| {
        let (p, q) = (quad[i], quad[(i + 1) % 4]);
        let threshold = run_on_threshold(p, q, gradients, edge_threshold);
        [
            run_on(p, q, gradients, threshold),
            run_on(q, p, gradients, threshold),
        ]
    })
}

/// Whether the side from `p` to `q` runs on past both its corners by at least `min_fraction`
/// (see [`extensions`]): the same answer as reading [`extensions`], but with the side's strength
/// measured only for the few sides that might. Run-on only falls as its threshold rises (a
/// higher one keeps the same strongest pixel or none), so an end that falls short at the edge
/// threshold falls short at the side's own.
pub(crate) fn runs_on_past_both_corners(
    p: Vec2,
    q: Vec2,
    gradients: &Gradients,
    edge_threshold: f32,
    min_fraction: f32,
) -> bool {
    let both = |threshold: f32| {
        run_on(p, q, gradients, threshold) >= min_fraction
            && run_on(q, p, gradients, threshold) >= min_fraction
    };
    both(edge_threshold) && {
        let threshold = run_on_threshold(p, q, gradients, edge_threshold);
        threshold == edge_threshold || both(threshold)
    }
}

/// The threshold an edge must reach to continue the side from `p` to `q`: the side's own edge,
/// continued, is about as strong as the side, and a faint background shading that happens to
/// line up with a high-contrast card's side is not it.
fn run_on_threshold(p: Vec2, q: Vec2, gradients: &Gradients, edge_threshold: f32) -> f32 {
    edge_threshold.max(RUN_ON_STRENGTH_FRACTION * side_strength(p, q, gradients))
}

/// How far the side from `from` to `other` runs on past `from` (see [`extensions`]), along edges
/// of at least `threshold`.
fn run_on(from: Vec2, other: Vec2, gradients: &Gradients, threshold: f32) -> f32 {
    let length = from.distance(other);
    let samples = (length * EXTENSION_FRACTION).clamp(3.0, 60.0) as usize;
    let direction = (from - other).normalize_or_zero();
    let (start, end) = (
        from + direction * (SKIP_FRACTION * length),
        from + direction * ((SKIP_FRACTION + EXTENSION_FRACTION) * length),
    );
    // Beyond the frame nothing is known: a side that runs on to the frame's edge runs on,
    // however long the stretch past it would be.
    match clip_to_frame(start, end, gradients) {
        Some((start, end)) if start.distance(end) >= MIN_INSIDE_EXTENSION_PX => {
            let inside = start.distance(end) / (EXTENSION_FRACTION * length).max(1e-3);
            let samples = ((samples as f32 * inside).ceil() as usize).max(3);
            fraction_on_edge(start, end, samples, gradients, threshold)
        }
        _ => 0.0,
    }
}

/// The shortest part of an extension inside the frame that is measured, px.
const MIN_INSIDE_EXTENSION_PX: f32 = 4.0;

/// The part of the segment `from`–`to` within the frame's gradients (their zero border rows and
/// columns left out), if any.
fn clip_to_frame(from: Vec2, to: Vec2, gradients: &Gradients) -> Option<(Vec2, Vec2)> {
    let high = Vec2::new(gradients.width as f32 - 1.0, gradients.height as f32 - 1.0);
    let (x_in, x_out) = clip_to_range(from.x, to.x, 1.0, high.x);
    let (y_in, y_out) = clip_to_range(from.y, to.y, 1.0, high.y);
    let (t_in, t_out) = (x_in.max(y_in), x_out.min(y_out));
    (t_in < t_out).then(|| (from.lerp(to, t_in), from.lerp(to, t_out)))
}

/// The median over a side (rounded corners left out) of the strongest gradient magnitude within
/// a pixel across it.
fn side_strength(p: Vec2, q: Vec2, gradients: &Gradients) -> f32 {
    let normal = (q - p).normalize_or_zero().perp();
    let mut strengths: Vec<f32> = side_points(p, q)
        .map(|point| {
            [-1.0f32, 0.0, 1.0]
                .iter()
                .filter_map(|offset| pixel(gradients, point + normal * *offset))
                .map(|j| gradients.magnitude[j])
                .fold(0.0, f32::max)
        })
        .collect();
    let middle = strengths.len() / 2;
    *strengths.select_nth_unstable_by(middle, f32::total_cmp).1
}

/// The fraction of the stretch from `from` to `to` (working px), which continues the side from
/// `near` to `from`, that lies on an edge running along it, leaving out [`SKIP_FRACTION`] of
/// `side_length_px` at the `to` end (a rounded corner); `None` when less than a pixel is left to
/// look at. As in [`extensions`], only an edge of at least [`RUN_ON_STRENGTH_FRACTION`] of the
/// side's own strength continues it.
pub(crate) fn stretch_support(
    near: Vec2,
    from: Vec2,
    to: Vec2,
    side_length_px: f32,
    gradients: &Gradients,
    edge_threshold: f32,
) -> Option<f32> {
    let length = from.distance(to) - SKIP_FRACTION * side_length_px;
    if length < 1.0 {
        return None;
    }
    let direction = (to - from).normalize_or_zero();
    Some(fraction_on_edge(
        from,
        from + direction * length,
        (length as usize).clamp(3, 200),
        gradients,
        run_on_threshold(near, from, gradients, edge_threshold),
    ))
}

/// The fraction of `samples` points, evenly spread from `from` to `to`, that lie on an edge
/// running along that line.
fn fraction_on_edge(
    from: Vec2,
    to: Vec2,
    samples: usize,
    gradients: &Gradients,
    edge_threshold: f32,
) -> f32 {
    let normal = (to - from).normalize_or_zero().perp();
    // One edge has one polarity along its length (the same side of it is the lighter one);
    // texture that a line crosses gives edges along it too, but of either polarity, half and
    // half: a patterned tie below a card's corner is no side running on.
    let (mut rising, mut falling) = (0usize, 0usize);
    for k in 0..samples {
        let point = from.lerp(to, (k as f32 + 0.5) / samples as f32);
        match edge_polarity(point, normal, gradients, edge_threshold) {
            Some(true) => rising += 1,
            Some(false) => falling += 1,
            None => {}
        }
    }
    rising.max(falling) as f32 / samples.max(1) as f32
}

/// The polarity (whether the gradient points along `normal`) of the strongest edge running
/// along a line with this normal within a pixel of `point`; `None` when there is none.
fn edge_polarity(
    point: Vec2,
    normal: Vec2,
    gradients: &Gradients,
    edge_threshold: f32,
) -> Option<bool> {
    let mut strongest: Option<(f32, bool)> = None;
    for offset in [-1.0f32, 0.0, 1.0] {
        let Some((m, cos)) =
            edge_across(point + normal * offset, normal, gradients, edge_threshold)
        else {
            continue;
        };
        if strongest.is_none_or(|(best, _)| m > best) {
            strongest = Some((m, cos > 0.0));
        }
    }
    strongest.map(|(_, rising)| rising)
}

/// The gradient's magnitude and its cosine with `normal` at the pixel under `point`, if that
/// pixel is on a strong edge running along a line with this normal.
fn edge_across(
    point: Vec2,
    normal: Vec2,
    gradients: &Gradients,
    edge_threshold: f32,
) -> Option<(f32, f32)> {
    let j = pixel(gradients, point)?;
    let m = gradients.magnitude[j];
    if m < edge_threshold {
        return None;
    }
    let cos = Vec2::new(gradients.gx[j], gradients.gy[j]).dot(normal) / m;
    (cos.abs() >= MIN_NORMAL_COS).then_some((m, cos))
}

/// Is the pixel under `point` on a strong edge along a line with this normal? The one-pixel
/// look of [`on_edge`], for a first pass over many places (see [`placed_side`]).
///
/// [`placed_side`]: super::placed_side
pub(crate) fn edge_pixel_along(
    point: Vec2,
    normal: Vec2,
    gradients: &Gradients,
    edge_threshold: f32,
) -> bool {
    edge_across(point, normal, gradients, edge_threshold).is_some()
}

/// Is there a strong edge along a line with this normal within a pixel of `point`?
fn on_edge(point: Vec2, normal: Vec2, gradients: &Gradients, edge_threshold: f32) -> bool {
    edge_polarity(point, normal, gradients, edge_threshold).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_side_whose_edge_runs_on_to_the_frame_s_edge_runs_on() {
        // A step across the whole 200 px frame at y = 50, and a quad whose top side lies on it
        // from x = 30 to 170: past each corner the step runs on to the frame's edge, 20 px away,
        // which is about half of the 42 px stretch that a side that long is judged over.
        let (w, h) = (200usize, 100usize);
        let pixels = (0..w * h)
            .map(|i| if i / w < 50 { 60 } else { 190 })
            .collect();
        let gradients =
            Gradients::strongest(&[GrayImage::new(w as u32, h as u32, pixels).unwrap()]);
        let quad = [(30.0, 50.0), (170.0, 50.0), (170.0, 90.0), (30.0, 90.0)]
            .map(|(x, y)| Vec2::new(x, y));
        let extensions = extensions(&quad, &gradients, 10.0);
        assert!(extensions[0].iter().all(|&e| e > 0.9), "{extensions:?}");
        // The bottom side lies on no edge, and nothing runs on past it.
        assert_eq!(extensions[2], [0.0, 0.0]);
    }
}
