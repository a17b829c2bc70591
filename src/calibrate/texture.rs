//! Texture energy: the local mean of the gradient magnitude, as a plane of its own. A card printed
//! with stripes or rings up to its edge is a patch of strong, dense edges whose own outline the
//! print breaks up wherever a stripe matches the background; in this plane the patch is one
//! bright region with an unbroken outline, which the search's edges and segments then find.

use glam::Vec2;

use super::edges::Gradients;
use super::gray::GrayImage;
use super::score::pixel_of;

/// The share of pixels below the plane's white point (grey level [`WHITE_LEVEL`]): the brightest
/// percent of the frame's texture saturates.
const WHITE_POINT_QUANTILE: f32 = 0.99;
const WHITE_LEVEL: f32 = 230.0;
/// Every this many pixels are read for the white point: a sort of the whole frame took longer
/// than the rest of the plane.
const WHITE_POINT_STRIDE: usize = 7;
/// Points sampled across the quad for [`textured_inside`], per side of its grid.
const GRID_STEPS: usize = 8;
/// Where the inside and the outside are sampled: the quad shrunk to this fraction about its
/// centre, and grown to this one (the outline itself, bright in this plane, lies between).
const INSIDE_FRACTION: f32 = 0.7;
const OUTSIDE_FRACTION: f32 = 1.25;

/// The mean gradient magnitude over a `(2 radius + 1)`-px square around each pixel (clipped at
/// the borders), as grey levels scaled so that the brightest percent saturates.
pub(crate) fn energy_plane(gradients: &Gradients, radius: usize) -> GrayImage {
    let (w, h) = (gradients.width, gradients.height);
    let rows = box_mean_rows(&gradients.magnitude, w, h, radius);
    let mean = box_mean_columns(&rows, w, h, radius);
    let mut sample: Vec<f32> = mean.iter().copied().step_by(WHITE_POINT_STRIDE).collect();
    let white = if sample.is_empty() {
        1.0
    } else {
        let k = ((sample.len() - 1) as f32 * WHITE_POINT_QUANTILE) as usize;
        *sample.select_nth_unstable_by(k, f32::total_cmp).1
    };
    let gain = WHITE_LEVEL / white.max(1e-3);
    GrayImage {
        width: w as u32,
        height: h as u32,
        pixels: mean.iter().map(|m| (m * gain).min(255.0) as u8).collect(),
    }
}

/// Means along each row over `2 radius + 1` px, clipped at the row's ends.
fn box_mean_rows(values: &[f32], w: usize, h: usize, radius: usize) -> Vec<f32> {
    let mut out = vec![0.0f32; w * h];
    for y in 0..h {
        let row = &values[y * w..(y + 1) * w];
        let mut sum: f32 = row[..radius.min(w)].iter().sum();
        for x in 0..w {
            if x + radius < w {
                sum += row[x + radius];
            }
            if x > radius {
                sum -= row[x - radius - 1];
            }
            let count = (x + radius).min(w - 1) + 1 - x.saturating_sub(radius);
            out[y * w + x] = sum / count as f32;
        }
    }
    out
}

/// Means down each column over `2 radius + 1` px, clipped at the top and bottom, a row at a
/// time so that the reads stay in order.
fn box_mean_columns(values: &[f32], w: usize, h: usize, radius: usize) -> Vec<f32> {
    let mut out = vec![0.0f32; w * h];
    let mut sum = vec![0.0f32; w];
    for y in 0..radius.min(h) {
        sum.iter_mut()
            .zip(&values[y * w..(y + 1) * w])
            .for_each(|(s, v)| *s += v);
    }
    for y in 0..h {
        if y + radius < h {
            let entering = &values[(y + radius) * w..(y + radius + 1) * w];
            sum.iter_mut().zip(entering).for_each(|(s, v)| *s += v);
        }
        if y > radius {
            let leaving = &values[(y - radius - 1) * w..(y - radius) * w];
            sum.iter_mut().zip(leaving).for_each(|(s, v)| *s -= v);
        }
        let count = ((y + radius).min(h - 1) + 1 - y.saturating_sub(radius)) as f32;
        out[y * w..(y + 1) * w]
            .iter_mut()
            .zip(&sum)
            .for_each(|(o, s)| *o = s / count);
    }
    out
}

/// Whether the quad (corners in order around it, `plane`'s px) is more than `min_ratio` times
/// as textured inside as just outside: a striped or ringed card is, while a plain rectangle is
/// bright in this plane only along its outline (and flat on both sides is no texture). `false`
/// when either part lies off the plane.
pub(crate) fn textured_inside(plane: &GrayImage, quad: &[Vec2; 4], min_ratio: f32) -> bool {
    let (w, h) = (plane.width as usize, plane.height as usize);
    let at = |p: Vec2| pixel_of(w, h, p).map(|i| f32::from(plane.pixels[i]));
    let centre = (quad[0] + quad[1] + quad[2] + quad[3]) / 4.0;
    let point = |u: f32, v: f32, fraction: f32| {
        let top = quad[0].lerp(quad[1], u);
        let bottom = quad[3].lerp(quad[2], u);
        centre + (top.lerp(bottom, v) - centre) * fraction
    };
    let (mut inside, mut inside_count, mut outside, mut outside_count) = (0.0, 0, 0.0, 0);
    let last = GRID_STEPS;
    for i in 0..=last {
        for j in 0..=last {
            let (u, v) = (i as f32 / last as f32, j as f32 / last as f32);
            if let Some(t) = at(point(u, v, INSIDE_FRACTION)) {
                inside += t;
                inside_count += 1;
            }
            let on_outline = i == 0 || j == 0 || i == last || j == last;
            if on_outline {
                if let Some(t) = at(point(u, v, OUTSIDE_FRACTION)) {
                    outside += t;
                    outside_count += 1;
                }
            }
        }
    }
    inside_count > 0
        && outside_count > 0
        && inside / inside_count as f32 > min_ratio * outside / outside_count as f32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn box_means_match_a_direct_sum_clipped_at_the_borders() {
        let (w, h, radius) = (9, 7, 2);
        let values: Vec<f32> = (0..w * h).map(|i| ((i * 37) % 11) as f32).collect();
        let mean = box_mean_columns(&box_mean_rows(&values, w, h, radius), w, h, radius);
        for y in 0..h {
            for x in 0..w {
                let (mut sum, mut count) = (0.0, 0);
                for yy in y.saturating_sub(radius)..(y + radius + 1).min(h) {
                    for xx in x.saturating_sub(radius)..(x + radius + 1).min(w) {
                        sum += values[yy * w + xx];
                        count += 1;
                    }
                }
                let expected = sum / count as f32;
                assert!((mean[y * w + x] - expected).abs() < 1e-4, "({x}, {y})");
            }
        }
    }

    /// A 200 × 140 frame of grey 120 with a 90 × 56 rectangle at (50, 40): striped (bands of
    /// 3 px, 40 and 200) or plain (grey 40).
    fn frame(striped: bool) -> GrayImage {
        let (w, h) = (200u32, 140u32);
        let pixels = (0..w * h)
            .map(|i| {
                let (x, y) = (i % w, i / w);
                let inside = (50..140).contains(&x) && (40..96).contains(&y);
                match (inside, striped) {
                    (false, _) => 120,
                    (true, false) => 40,
                    (true, true) if ((x + y) / 3) % 2 == 0 => 40,
                    (true, true) => 200,
                }
            })
            .collect();
        GrayImage {
            width: w,
            height: h,
            pixels,
        }
    }

    #[test]
    fn a_striped_rectangle_is_textured_inside_and_a_plain_one_is_not() {
        let quad = [(50.0, 40.0), (140.0, 40.0), (140.0, 96.0), (50.0, 96.0)].map(Vec2::from);
        let striped = energy_plane(&Gradients::strongest(&[frame(true)]), 2);
        // Inside, the stripes saturate the plane; far outside, nothing changes.
        assert!(striped.pixels[68 * 200 + 95] > 200);
        assert_eq!(striped.pixels[10 * 200 + 10], 0);
        assert!(textured_inside(&striped, &quad, 2.0));
        // A plain rectangle is bright in this plane only along its outline.
        let plain = energy_plane(&Gradients::strongest(&[frame(false)]), 2);
        assert!(plain.pixels[40 * 200 + 95] > 200);
        assert!(!textured_inside(&plain, &quad, 2.0));
        // Off the plane, no answer is made up.
        let off = quad.map(|p| p + Vec2::new(300.0, 0.0));
        assert!(!textured_inside(&striped, &off, 2.0));
    }
}
