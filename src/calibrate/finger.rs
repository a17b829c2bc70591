//! Finger width along a segment across the finger, with sub-pixel edges, and the ring size it
//! implies (issue 4, "Finger measurement"; DESIGN.md, "Scale").
//!
//! The segment comes from the tracker's landmarks (across the proximal phalanx) or from the
//! command line. Along it, a profile is sampled every quarter pixel and averaged over a band of
//! parallel lines (noise falls with the band's width), lightly smoothed, and differentiated. The
//! finger's two silhouettes are the strongest pair of opposite-signed gradient peaks on either side
//! of the segment's midpoint (so the midpoint must lie on the finger), each refined to a fraction
//! of a sample by a parabola through the peak. Width in mm follows from px-per-mm in the finger's
//! plane; the ring size is the one whose inner diameter equals that width (a ring sits where the
//! finger is that wide, as the scale issue's "ring size as the ruler" also assumes).

use glam::Vec2;

use super::{CardError, GrayImage};
use crate::math::ring_size::{self, Nearest, SizeError, SizeSystem};

/// Spacing of profile samples along the segment, px.
const STEP_PX: f32 = 0.25;
/// Parallel lines averaged on each side of the segment, 1 px apart.
const BAND_HALF_LINES: i32 = 3;
/// Gaussian smoothing of the profile, px.
const SMOOTH_SIGMA_PX: f32 = 0.35;
/// Shortest segment accepted, px.
pub const MIN_SEGMENT_PX: f32 = 8.0;
/// Narrowest finger accepted, px.
const MIN_FINGER_PX: f32 = 4.0;
/// A silhouette must be at least this steep, grey levels per px, and this many times the
/// profile's gradient noise.
const MIN_EDGE_GRADIENT: f32 = 4.0;
const MIN_EDGE_SNR: f32 = 5.0;
/// Localisation error never claimed to be below this, px (model error: shading near the limb).
const EDGE_SIGMA_FLOOR_PX: f32 = 0.15;

/// Why a finger could not be measured.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum FingerError {
    /// The image itself is unusable.
    #[error(transparent)]
    Image(#[from] CardError),
    /// A segment end outside the image, or not a number.
    #[error("segment end ({x}, {y}) is outside the {width}×{height} image")]
    OutsideImage {
        /// End x, px.
        x: f32,
        /// End y, px.
        y: f32,
        /// Image width, px.
        width: u32,
        /// Image height, px.
        height: u32,
    },
    /// The segment is too short to hold a finger and background on both sides.
    #[error("the segment across the finger is {length_px:.1} px long; it must be at least 8 px and start and end off the finger")]
    SegmentTooShort {
        /// Its length, px.
        length_px: f32,
    },
    /// No pair of silhouettes stands out along the segment.
    #[error("no finger edges along the segment: both ends must be off the finger, its midpoint on it, with visible contrast at the edges")]
    NoEdges,
    /// A scale that is not a positive number.
    #[error("px_per_mm = {0} must be a positive number")]
    BadScale(f32),
    /// The width maps to no ring size.
    #[error(transparent)]
    Size(#[from] SizeError),
}

/// The finger's two silhouettes along a segment.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FingerEdges {
    /// The silhouette nearer the segment's start, px.
    pub first_px: Vec2,
    /// The silhouette nearer its end, px.
    pub second_px: Vec2,
    /// Distance between them, px.
    pub width_px: f32,
    /// Estimated standard deviation of `width_px` from image noise and edge sharpness, px.
    pub width_sigma_px: f32,
}

/// Samples the band-averaged profile from `from` to `to`, every [`STEP_PX`].
fn profile(image: &GrayImage, from: Vec2, to: Vec2) -> Vec<f32> {
    let length = from.distance(to);
    let along = (to - from) / length;
    let across = along.perp();
    let n = (length / STEP_PX).floor() as usize + 1;
    (0..n)
        .map(|k| {
            let p = from + along * (k as f32 * STEP_PX);
            let sum: f32 = (-BAND_HALF_LINES..=BAND_HALF_LINES)
                .map(|j| image.sample(p + across * j as f32))
                .sum();
            sum / (2 * BAND_HALF_LINES + 1) as f32
        })
        .collect()
}

fn smoothed(values: &[f32], sigma_samples: f32) -> Vec<f32> {
    let radius = (3.0 * sigma_samples).ceil() as isize;
    let kernel: Vec<f32> = (-radius..=radius)
        .map(|i| (-(i * i) as f32 / (2.0 * sigma_samples * sigma_samples)).exp())
        .collect();
    let total: f32 = kernel.iter().sum();
    let n = values.len() as isize;
    (0..n)
        .map(|k| {
            kernel
                .iter()
                .enumerate()
                .map(|(i, w)| w * values[(k + i as isize - radius).clamp(0, n - 1) as usize])
                .sum::<f32>()
                / total
        })
        .collect()
}

fn median(mut v: Vec<f32>) -> f32 {
    if v.is_empty() {
        return 0.0;
    }
    v.sort_by(f32::total_cmp);
    v[v.len() / 2]
}

/// Sub-sample offset of a peak of `|g|` at `k` (parabola through its neighbours), in samples.
fn peak_offset(g: &[f32], k: usize) -> f32 {
    if k == 0 || k + 1 >= g.len() {
        return 0.0;
    }
    let (a, b, c) = (g[k - 1].abs(), g[k].abs(), g[k + 1].abs());
    let denom = a - 2.0 * b + c;
    if denom.abs() < 1e-6 {
        0.0
    } else {
        (0.5 * (a - c) / denom).clamp(-0.5, 0.5)
    }
}

/// Finds the finger's silhouettes along the segment `from_px` → `to_px` (continuous pixel
/// coordinates, as in [`GrayImage`]). Both ends must be off the finger and its midpoint on it.
pub fn finger_edges(
    image: &GrayImage,
    from_px: Vec2,
    to_px: Vec2,
) -> Result<FingerEdges, FingerError> {
    image.validate()?;
    for p in [from_px, to_px] {
        let inside = p.is_finite()
            && (0.0..=image.width as f32).contains(&p.x)
            && (0.0..=image.height as f32).contains(&p.y);
        if !inside {
            return Err(FingerError::OutsideImage {
                x: p.x,
                y: p.y,
                width: image.width,
                height: image.height,
            });
        }
    }
    let length_px = from_px.distance(to_px);
    if length_px < MIN_SEGMENT_PX {
        return Err(FingerError::SegmentTooShort { length_px });
    }
    let raw = profile(image, from_px, to_px);
    let p = smoothed(&raw, SMOOTH_SIGMA_PX / STEP_PX);
    let n = p.len();
    // Gradient in grey levels per px.
    let g: Vec<f32> = (0..n)
        .map(|k| {
            let (a, b) = (k.saturating_sub(1), (k + 1).min(n - 1));
            (p[b] - p[a]) / ((b - a).max(1) as f32 * STEP_PX)
        })
        .collect();
    // Noise: the median absolute gradient is dominated by flat stretches (skin, background).
    let noise = 1.4826 * median(g.iter().map(|v| v.abs()).collect());
    let threshold = MIN_EDGE_GRADIENT.max(MIN_EDGE_SNR * noise);
    let peaks: Vec<usize> = (1..n - 1)
        .filter(|&k| {
            let m = g[k].abs();
            m >= threshold && m >= g[k - 1].abs() && m > g[k + 1].abs()
        })
        .collect();
    let mid = (n - 1) as f32 * 0.5;
    let min_gap = (MIN_FINGER_PX / STEP_PX) as usize;
    let mut best: Option<(f32, usize, usize)> = None;
    for &i in peaks.iter().filter(|&&i| (i as f32) < mid) {
        for &j in peaks
            .iter()
            .filter(|&&j| (j as f32) > mid && j >= i + min_gap)
        {
            if g[i].signum() == g[j].signum() {
                continue;
            }
            let score = g[i].abs().min(g[j].abs());
            if best.is_none_or(|(s, _, _)| score > s) {
                best = Some((score, i, j));
            }
        }
    }
    let (_, i, j) = best.ok_or(FingerError::NoEdges)?;
    let t_i = (i as f32 + peak_offset(&g, i)) * STEP_PX;
    let t_j = (j as f32 + peak_offset(&g, j)) * STEP_PX;
    let along = (to_px - from_px) / length_px;
    // A step of height h blurred to slope s moves by noise / s under noise of that gradient size.
    let sigma = |k: usize| {
        let noise_levels = noise * STEP_PX * (SMOOTH_SIGMA_PX / STEP_PX).sqrt();
        (noise_levels / g[k].abs()).max(EDGE_SIGMA_FLOOR_PX)
    };
    Ok(FingerEdges {
        first_px: from_px + along * t_i,
        second_px: from_px + along * t_j,
        width_px: t_j - t_i,
        width_sigma_px: sigma(i).hypot(sigma(j)),
    })
}

/// A finger width in mm with its standard deviation.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FingerWidth {
    /// Width, mm.
    pub width_mm: f32,
    /// Standard deviation, mm.
    pub sigma_mm: f32,
}

/// The width in mm at `px_per_mm` (in the finger's plane), whose own relative uncertainty is
/// `px_per_mm_rel_sigma` (e.g. 0.005 for a card fit good to 0.5 %).
pub fn width_mm(
    edges: &FingerEdges,
    px_per_mm: f32,
    px_per_mm_rel_sigma: f32,
) -> Result<FingerWidth, FingerError> {
    if !(px_per_mm.is_finite() && px_per_mm > 0.0) {
        return Err(FingerError::BadScale(px_per_mm));
    }
    let width_mm = edges.width_px / px_per_mm;
    let from_edges = edges.width_sigma_px / px_per_mm;
    let from_scale = width_mm * px_per_mm_rel_sigma.abs();
    Ok(FingerWidth {
        width_mm,
        sigma_mm: from_edges.hypot(from_scale),
    })
}

/// Combines several frames' widths: the median, and an uncertainty that is the larger of the
/// frames' own (averaged down by √n) and their spread. `None` for no frames.
pub fn combine(frames: &[FingerWidth]) -> Option<FingerWidth> {
    if frames.is_empty() {
        return None;
    }
    let n = frames.len() as f32;
    let width_mm = median(frames.iter().map(|f| f.width_mm).collect());
    let own = median(frames.iter().map(|f| f.sigma_mm).collect()) / n.sqrt();
    let spread = if frames.len() >= 3 {
        1.4826
            * median(
                frames
                    .iter()
                    .map(|f| (f.width_mm - width_mm).abs())
                    .collect(),
            )
            / n.sqrt()
    } else {
        0.0
    };
    Some(FingerWidth {
        width_mm,
        sigma_mm: own.max(spread),
    })
}

/// The ring size a finger of this width wears, in every system, with an uncertainty in US sizes.
#[derive(Clone, Debug, PartialEq)]
pub struct SizeRecommendation {
    /// Inner diameter the ring needs, mm (the finger's width).
    pub inner_diameter_mm: f32,
    /// The nearest defined size in each system.
    pub sizes: Vec<(SizeSystem, Nearest)>,
    /// Two standard deviations, in US sizes, rounded up to a quarter size (at least ¼).
    pub uncertainty_us: f32,
}

impl SizeRecommendation {
    /// The nearest size in `system`.
    pub fn size(&self, system: SizeSystem) -> Option<&Nearest> {
        self.sizes
            .iter()
            .find(|(s, _)| *s == system)
            .map(|(_, n)| n)
    }

    /// "US 6½ ± 0.5".
    pub fn summary(&self) -> String {
        let us = self.size(SizeSystem::Us).map_or("?", |n| n.label.as_str());
        format!("US {us} ± {}", self.uncertainty_us)
    }
}

/// Recommends a ring size for a measured finger width.
pub fn recommend(width: FingerWidth) -> Result<SizeRecommendation, FingerError> {
    let sizes = ring_size::all_systems(width.width_mm)?;
    Ok(SizeRecommendation {
        inner_diameter_mm: width.width_mm,
        sizes,
        uncertainty_us: SizeSystem::Us.uncertainty_sizes(width.sigma_mm),
    })
}

/// Measures a finger in one call, as `loupe measure-finger` and the element do, and answers the
/// stable JSON object: `{"found": true, "width_mm", "sigma_mm", "width_px", "px_per_mm",
/// "edges_px", "ring_size": {system: label, …}, "uncertainty_us"}`, or `Ok(None)` when no edges
/// are found. `px_per_mm_rel_sigma` is the scale's own relative uncertainty.
pub fn measure_json(
    image: &GrayImage,
    from_px: Vec2,
    to_px: Vec2,
    px_per_mm: f32,
    px_per_mm_rel_sigma: f32,
) -> Result<Option<String>, FingerError> {
    let edges = match finger_edges(image, from_px, to_px) {
        Ok(e) => e,
        Err(FingerError::NoEdges) => return Ok(None),
        Err(e) => return Err(e),
    };
    let width = width_mm(&edges, px_per_mm, px_per_mm_rel_sigma)?;
    let rec = recommend(width)?;
    Ok(Some(format!(
        "{{\"found\": true, \"width_mm\": {:.2}, \"sigma_mm\": {:.3}, \"width_px\": {:.2}, \"px_per_mm\": {:.4}, \"edges_px\": [[{:.2}, {:.2}], [{:.2}, {:.2}]], \"ring_size\": {}, \"uncertainty_us\": {}}}",
        width.width_mm,
        width.sigma_mm,
        edges.width_px,
        px_per_mm,
        edges.first_px.x,
        edges.first_px.y,
        edges.second_px.x,
        edges.second_px.y,
        ring_size::labels_json(&rec.sizes),
        rec.uncertainty_us
    )))
}

/// "Ring size as the ruler": with a known ring size, the finger's width in px where the ring sits
/// is the ring's inner diameter, which gives px-per-mm in the finger's plane.
pub fn px_per_mm_from_ring(width_px: f32, inner_diameter_mm: f32) -> Result<f32, FingerError> {
    let scale = width_px / inner_diameter_mm;
    if scale.is_finite() && scale > 0.0 {
        Ok(scale)
    } else {
        Err(FingerError::BadScale(scale))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Deterministic noise in −1..1.
    fn hash(x: u32, y: u32, seed: u32) -> f32 {
        let mut h = x.wrapping_mul(374_761_393)
            ^ y.wrapping_mul(668_265_263)
            ^ seed.wrapping_mul(2_246_822_519);
        h = (h ^ (h >> 13)).wrapping_mul(1_274_126_177);
        h ^= h >> 16;
        (h as f32 / u32::MAX as f32) * 2.0 - 1.0
    }

    /// A shaded cylinder (Lambert, light from the viewer) `width_px` wide whose axis passes through
    /// `centre` at `angle_rad` from vertical, on a skin-like background (mid-tone with a slow
    /// gradient and blotches), 4×4 supersampled, then blurred (σ ≈ 1 px) and noised (σ `noise`).
    fn finger_image(
        size: (u32, u32),
        centre: Vec2,
        angle_rad: f32,
        width_px: f32,
        noise: f32,
        seed: u32,
    ) -> GrayImage {
        let (w, h) = size;
        let axis = Vec2::new(angle_rad.sin(), angle_rad.cos());
        let r = 0.5 * width_px;
        let shade = |p: Vec2| {
            let off = (p - centre).perp_dot(axis);
            if off.abs() < r {
                let cos = (1.0 - (off / r).powi(2)).sqrt();
                70.0 + 130.0 * cos
            } else {
                150.0 + 0.05 * p.x - 0.03 * p.y + 12.0 * ((p.x * 0.05).sin() * (p.y * 0.07).cos())
            }
        };
        let mut sharp = vec![0f32; (w * h) as usize];
        for y in 0..h {
            for x in 0..w {
                let mut s = 0.0;
                for sy in 0..4 {
                    for sx in 0..4 {
                        s += shade(Vec2::new(
                            x as f32 + (sx as f32 + 0.5) / 4.0,
                            y as f32 + (sy as f32 + 0.5) / 4.0,
                        ));
                    }
                }
                sharp[(y * w + x) as usize] = s / 16.0;
            }
        }
        // Blur: [1 2 1]/4 twice in each direction ≈ Gaussian σ = 1 px.
        let mut img = sharp;
        for _ in 0..2 {
            for horizontal in [true, false] {
                let src = img.clone();
                for y in 0..h as i64 {
                    for x in 0..w as i64 {
                        let at = |dx: i64, dy: i64| {
                            let (xx, yy) = (
                                (x + dx).clamp(0, w as i64 - 1),
                                (y + dy).clamp(0, h as i64 - 1),
                            );
                            src[(yy * w as i64 + xx) as usize]
                        };
                        let (a, b) = if horizontal {
                            (at(-1, 0), at(1, 0))
                        } else {
                            (at(0, -1), at(0, 1))
                        };
                        img[(y * w as i64 + x) as usize] = 0.25 * a + 0.5 * at(0, 0) + 0.25 * b;
                    }
                }
            }
        }
        let pixels = img
            .iter()
            .enumerate()
            .map(|(i, v)| {
                let (x, y) = (i as u32 % w, i as u32 / w);
                (v + noise * 1.7 * hash(x, y, seed))
                    .round()
                    .clamp(0.0, 255.0) as u8
            })
            .collect();
        GrayImage::new(w, h, pixels).unwrap()
    }

    #[test]
    fn width_within_a_tenth_of_a_millimetre_at_8_px_per_mm() {
        let px_per_mm = 8.0;
        let mut worst: f32 = 0.0;
        for (case, (true_mm, angle_deg, dx)) in [
            (14.0, 0.0, 0.0),
            (16.5, 0.0, 0.37),
            (17.32, 12.0, 0.5),
            (18.9, -25.0, 0.81),
            (20.2, 40.0, 0.13),
            (22.0, 90.0, 0.66),
        ]
        .into_iter()
        .enumerate()
        {
            let angle = (angle_deg as f32).to_radians();
            let centre = Vec2::new(240.0 + dx, 210.0 + 0.3 * dx);
            let img = finger_image(
                (480, 420),
                centre,
                angle,
                true_mm * px_per_mm,
                3.0,
                case as u32,
            );
            // A segment across the finger, 2.2× its width, through its axis.
            let across = Vec2::new(angle.cos(), -angle.sin());
            let half = 1.1 * true_mm * px_per_mm;
            let edges = finger_edges(&img, centre - across * half, centre + across * half).unwrap();
            let w = width_mm(&edges, px_per_mm, 0.0).unwrap();
            let err = (w.width_mm - true_mm).abs();
            worst = worst.max(err);
            assert!(
                err <= 0.1,
                "{true_mm} mm at {angle_deg}°: measured {:.3} mm",
                w.width_mm
            );
            assert!(
                w.sigma_mm > 0.0 && w.sigma_mm < 0.2,
                "sigma {:.3}",
                w.sigma_mm
            );
        }
        eprintln!("finger width: worst error {worst:.3} mm over 6 synthetic fingers at 8 px/mm");
    }

    #[test]
    fn frames_combine_and_sizes_are_recommended() {
        let frames: Vec<FingerWidth> = [17.2, 17.35, 17.3, 17.4, 17.28]
            .iter()
            .map(|&width_mm| FingerWidth {
                width_mm,
                sigma_mm: 0.1,
            })
            .collect();
        let c = combine(&frames).unwrap();
        assert_eq!(c.width_mm, 17.3);
        assert!(c.sigma_mm < 0.1);
        let r = recommend(c).unwrap();
        assert_eq!(r.size(SizeSystem::Us).unwrap().label, "7");
        assert_eq!(r.uncertainty_us, 0.25);
        assert_eq!(r.summary(), "US 7 ± 0.25");
        // A poorer measurement widens the range in quarter sizes.
        let wide = recommend(FingerWidth {
            width_mm: 17.3,
            sigma_mm: 0.3,
        })
        .unwrap();
        assert_eq!(wide.uncertainty_us, 0.75);
        assert!(combine(&[]).is_none());
    }

    #[test]
    fn ring_size_is_a_ruler() {
        let d = ring_size::inner_diameter_mm(SizeSystem::Us, "7").unwrap();
        let scale = px_per_mm_from_ring(8.0 * d, d).unwrap();
        assert!((scale - 8.0).abs() < 1e-5);
        assert!(px_per_mm_from_ring(10.0, 0.0).is_err());
    }

    #[test]
    fn bad_input_is_an_error() {
        let flat = GrayImage::new(64, 64, vec![128; 64 * 64]).unwrap();
        let (a, b) = (Vec2::new(5.0, 30.0), Vec2::new(60.0, 30.0));
        assert_eq!(finger_edges(&flat, a, b), Err(FingerError::NoEdges));
        assert!(matches!(
            finger_edges(&flat, a, Vec2::new(70.0, 30.0)),
            Err(FingerError::OutsideImage { .. })
        ));
        assert!(matches!(
            finger_edges(&flat, a, a + Vec2::X),
            Err(FingerError::SegmentTooShort { .. })
        ));
        assert!(matches!(
            finger_edges(&flat, Vec2::NAN, b),
            Err(FingerError::OutsideImage { .. })
        ));
        let edges = FingerEdges {
            first_px: a,
            second_px: b,
            width_px: 55.0,
            width_sigma_px: 0.2,
        };
        assert_eq!(width_mm(&edges, 0.0, 0.0), Err(FingerError::BadScale(0.0)));
    }
}
