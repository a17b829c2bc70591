//! Split-sum image-based lighting, CPU side: GGX-prefiltered radiance levels and SH9 irradiance.
//!
//! Each level `k` is the radiance convolved with the GGX lobe of roughness `k / (levels − 1)`
//! under the split-sum assumption N = V = R (Karis 2013), with GGX `α = roughness²`. Integration
//! uses a fixed Hammersley set and filtered importance sampling (Křivánek & Colbert, GPU Gems 3
//! ch. 20): each sample reads a box-filtered mip of the source whose texels are about as large as
//! the solid angle the sample stands for, so 64 samples give smooth results.

use std::f32::consts::{PI, TAU};

use glam::{Vec2, Vec3};

use super::rgbe::HdrImage;
use super::studio::{dir_to_equirect_uv, equirect_uv_to_dir};

/// GGX samples per output texel.
pub const SAMPLES_PER_TEXEL: u32 = 64;

/// Prefiltered environment for split-sum IBL.
#[derive(Clone, Debug, PartialEq)]
pub struct PrefilteredEnv {
    /// Level 0 = the input resampled to the base size; level k is half the size of level k − 1.
    pub levels: Vec<HdrImage>,
    /// Perceptual roughness each level was filtered for: `k / (levels − 1)`.
    pub roughness_per_level: Vec<f32>,
    /// Irradiance SH coefficients, basis order as in [`eval_sh9`], cosine convolution folded in.
    pub sh9_irradiance: [[f32; 3]; 9],
}

/// A float image as glam vectors, for the inner loops.
#[derive(Clone)]
struct Plane {
    width: usize,
    height: usize,
    px: Vec<Vec3>,
}

impl Plane {
    fn from_image(img: &HdrImage) -> Plane {
        let (width, height) = (img.width as usize, img.height as usize);
        let mut px = Vec::with_capacity(width * height);
        for y in 0..img.height {
            for x in 0..img.width {
                // Negative or NaN radiance would spread through every filter; clamp it to zero.
                let c = Vec3::from(img.pixel(x, y));
                px.push(if c.is_finite() {
                    c.max(Vec3::ZERO)
                } else {
                    Vec3::ZERO
                });
            }
        }
        Plane { width, height, px }
    }

    fn to_image(&self) -> HdrImage {
        HdrImage {
            width: self.width as u32,
            height: self.height as u32,
            rgb: self.px.iter().map(|c| c.to_array()).collect(),
        }
    }

    /// Bilinear, wrapping in u (longitude), clamped in v (poles).
    fn sample(&self, uv: Vec2) -> Vec3 {
        let x = uv.x * self.width as f32 - 0.5;
        let y = (uv.y * self.height as f32 - 0.5).clamp(0.0, (self.height - 1) as f32);
        let (x0f, y0f) = (x.floor(), y.floor());
        let (fx, fy) = (x - x0f, y - y0f);
        let w = self.width as i64;
        let x0 = (x0f as i64).rem_euclid(w) as usize;
        let x1 = (x0 + 1) % self.width;
        let y0 = y0f as usize;
        let y1 = (y0 + 1).min(self.height - 1);
        let row0 = &self.px[y0 * self.width..];
        let row1 = &self.px[y1 * self.width..];
        let top = row0[x0].lerp(row0[x1], fx);
        let bottom = row1[x0].lerp(row1[x1], fx);
        top.lerp(bottom, fy)
    }

    /// Box filter to `w × h`, each source texel weighted by its solid angle (rows near the poles
    /// cover less of the sphere), so the mean radiance over the sphere is kept.
    fn downsample(&self, w: usize, h: usize) -> Plane {
        let row_weight: Vec<f32> = (0..self.height)
            .map(|y| row_solid_angle(y, self.height, 1) as f32)
            .collect();
        let mut px = Vec::with_capacity(w * h);
        for y in 0..h {
            let y0 = y * self.height / h;
            let y1 = ((y + 1) * self.height / h).max(y0 + 1);
            for x in 0..w {
                let x0 = x * self.width / w;
                let x1 = ((x + 1) * self.width / w).max(x0 + 1);
                let mut sum = Vec3::ZERO;
                let mut weight = 0.0;
                for (sy, &rw) in row_weight.iter().enumerate().take(y1).skip(y0) {
                    let row = &self.px[sy * self.width..(sy + 1) * self.width];
                    for c in &row[x0..x1] {
                        sum += *c * rw;
                    }
                    weight += rw * (x1 - x0) as f32;
                }
                px.push(if weight > 0.0 {
                    sum / weight
                } else {
                    Vec3::ZERO
                });
            }
        }
        Plane {
            width: w,
            height: h,
            px,
        }
    }
}

/// Solid angle of one texel in row `y` of an equirect image `height` rows tall and `width`
/// texels wide: `(2π / width) · (cos θ0 − cos θ1)`.
pub(crate) fn row_solid_angle(y: usize, height: usize, width: usize) -> f64 {
    use std::f64::consts::{PI, TAU};
    let theta0 = PI * y as f64 / height as f64;
    let theta1 = PI * (y + 1) as f64 / height as f64;
    TAU / width as f64 * (theta0.cos() - theta1.cos())
}

/// Halving mip chain down to 1 texel high.
fn mip_chain(base: Plane) -> Vec<Plane> {
    let mut chain = vec![base];
    loop {
        let last = chain.last().expect("chain starts non-empty");
        if last.width <= 1 && last.height <= 1 {
            break;
        }
        let next = last.downsample((last.width / 2).max(1), (last.height / 2).max(1));
        chain.push(next);
    }
    chain
}

/// Trilinear read: bilinear in the two mips around `lod`.
fn sample_lod(chain: &[Plane], uv: Vec2, lod: f32) -> Vec3 {
    let lod = lod.clamp(0.0, (chain.len() - 1) as f32);
    let l0 = lod.floor() as usize;
    let l1 = (l0 + 1).min(chain.len() - 1);
    let f = lod - l0 as f32;
    let a = chain[l0].sample(uv);
    if f <= 0.0 || l0 == l1 {
        a
    } else {
        a.lerp(chain[l1].sample(uv), f)
    }
}

/// Resamples `src` to `w × h`: exact copy at the same size, otherwise a bilinear read from the
/// smallest solid-angle box mip that is still at least as large as the target.
fn resample(src: &Plane, w: usize, h: usize) -> Plane {
    if src.width == w && src.height == h {
        return src.clone();
    }
    let mut level = src.clone();
    while level.width / 2 >= w && level.height / 2 >= h {
        level = level.downsample(level.width / 2, level.height / 2);
    }
    if level.width == w && level.height == h {
        return level;
    }
    let mut px = Vec::with_capacity(w * h);
    for y in 0..h {
        for x in 0..w {
            let uv = Vec2::new((x as f32 + 0.5) / w as f32, (y as f32 + 0.5) / h as f32);
            px.push(level.sample(uv));
        }
    }
    Plane {
        width: w,
        height: h,
        px,
    }
}

/// Point `i` of an `n`-point Hammersley set in the unit square.
fn hammersley(i: u32, n: u32) -> Vec2 {
    Vec2::new(
        (i as f32 + 0.5) / n as f32,
        i.reverse_bits() as f32 * (1.0 / 4_294_967_296.0),
    )
}

/// One GGX sample in the tangent frame of N (= V), ready to rotate and read.
struct LobeSample {
    l_tangent: Vec3,
    n_dot_l: f32,
    lod: f32,
}

/// The fixed sample set for one roughness, in tangent space (N = +Z).
fn lobe_samples(roughness: f32, base_texel_solid_angle: f32) -> Vec<LobeSample> {
    let alpha = (roughness * roughness).max(1e-4);
    let a2 = alpha * alpha;
    let n = SAMPLES_PER_TEXEL;
    (0..n)
        .filter_map(|i| {
            let xi = hammersley(i, n);
            let phi = TAU * xi.x;
            let cos_h = ((1.0 - xi.y) / (1.0 + (a2 - 1.0) * xi.y)).sqrt();
            let sin_h = (1.0 - cos_h * cos_h).max(0.0).sqrt();
            // Reflect V = N about H.
            let n_dot_l = 2.0 * cos_h * cos_h - 1.0;
            if n_dot_l <= 0.0 {
                return None;
            }
            let l_tangent = Vec3::new(
                2.0 * cos_h * sin_h * phi.cos(),
                2.0 * cos_h * sin_h * phi.sin(),
                n_dot_l,
            );
            // pdf(L) = D(H)·(N·H) / (4 V·H), and N = V makes it D / 4.
            let denom = (a2 - 1.0) * cos_h * cos_h + 1.0;
            let d = a2 / (PI * denom * denom);
            let pdf = d * 0.25;
            let sample_solid_angle = 1.0 / (n as f32 * pdf);
            // +1: a sample should blur over a little more than its own footprint (GPU Gems 3).
            let lod = 0.5 * (sample_solid_angle / base_texel_solid_angle).log2() + 1.0;
            Some(LobeSample {
                l_tangent,
                n_dot_l,
                lod,
            })
        })
        .collect()
}

fn prefilter_level(chain: &[Plane], w: usize, h: usize, roughness: f32) -> Plane {
    let base = &chain[0];
    // The equator texel: the largest in the image, so the chosen mip never under-blurs in v.
    let base_texel = (TAU / base.width as f32) * (PI / base.height as f32);
    let samples = lobe_samples(roughness, base_texel);
    let mut px = Vec::with_capacity(w * h);
    for y in 0..h {
        for x in 0..w {
            let uv = Vec2::new((x as f32 + 0.5) / w as f32, (y as f32 + 0.5) / h as f32);
            let n = equirect_uv_to_dir(uv);
            let up = if n.y.abs() < 0.999 { Vec3::Y } else { Vec3::X };
            let t = up.cross(n).normalize();
            let b = n.cross(t);
            let mut sum = Vec3::ZERO;
            let mut weight = 0.0;
            for s in &samples {
                let l = t * s.l_tangent.x + b * s.l_tangent.y + n * s.l_tangent.z;
                sum += sample_lod(chain, dir_to_equirect_uv(l), s.lod) * s.n_dot_l;
                weight += s.n_dot_l;
            }
            px.push(if weight > 0.0 {
                sum / weight
            } else {
                Vec3::ZERO
            });
        }
    }
    Plane {
        width: w,
        height: h,
        px,
    }
}

/// Builds the split-sum levels and the SH9 irradiance of an equirect radiance map.
///
/// `base_width` is rounded up to a power of two in 4..=8192; level 0 is `base_width ×
/// base_width/2`. `level_count` is clamped to 1..=log2(base_width) so the last level is at least
/// 2×1. An empty `src` counts as black.
pub fn prefilter(src: &HdrImage, base_width: u32, level_count: u32) -> PrefilteredEnv {
    let base_w = base_width.clamp(4, 8192).next_power_of_two() as usize;
    let base_h = base_w / 2;
    let max_levels = base_w.trailing_zeros();
    let level_count = level_count.clamp(1, max_levels) as usize;

    let src_plane = if src.width == 0 || src.height == 0 {
        Plane {
            width: 1,
            height: 1,
            px: vec![Vec3::ZERO],
        }
    } else {
        Plane::from_image(src)
    };
    let base = resample(&src_plane, base_w, base_h);
    let sh9_irradiance = sh9_irradiance(&base);
    let chain = mip_chain(base);

    let roughness_per_level: Vec<f32> = (0..level_count)
        .map(|k| {
            if level_count > 1 {
                k as f32 / (level_count - 1) as f32
            } else {
                0.0
            }
        })
        .collect();
    let levels = roughness_per_level
        .iter()
        .enumerate()
        .map(|(k, &roughness)| {
            if k == 0 {
                chain[0].to_image()
            } else {
                prefilter_level(&chain, base_w >> k, (base_h >> k).max(1), roughness).to_image()
            }
        })
        .collect();
    PrefilteredEnv {
        levels,
        roughness_per_level,
        sh9_irradiance,
    }
}

/// The 9 real SH basis functions at unit direction `d`, order:
/// `Y00; Y1−1 (y), Y10 (z), Y11 (x); Y2−2 (xy), Y2−1 (yz), Y20 (3z²−1), Y21 (xz), Y22 (x²−y²)`,
/// with world axes used as they are (no remapping of Y-up to Z-up).
fn sh9_basis(d: Vec3) -> [f32; 9] {
    let Vec3 { x, y, z } = d;
    [
        0.282_095,
        0.488_603 * y,
        0.488_603 * z,
        0.488_603 * x,
        1.092_548 * x * y,
        1.092_548 * y * z,
        0.315_392 * (3.0 * z * z - 1.0),
        1.092_548 * x * z,
        0.546_274 * (x * x - y * y),
    ]
}

/// Irradiance SH9 of an equirectangular radiance image (see [`eval_sh9`]).
pub fn irradiance_sh9(img: &HdrImage) -> [[f32; 3]; 9] {
    sh9_irradiance(&Plane::from_image(img))
}

/// Irradiance SH: project radiance with exact texel solid angles, then fold in the clamped
/// cosine's zonal factors (Ramamoorthi & Hanrahan 2001): π, 2π/3, π/4 for bands 0, 1, 2.
fn sh9_irradiance(img: &Plane) -> [[f32; 3]; 9] {
    const BAND_FACTOR: [f32; 9] = [
        PI,
        TAU / 3.0,
        TAU / 3.0,
        TAU / 3.0,
        PI / 4.0,
        PI / 4.0,
        PI / 4.0,
        PI / 4.0,
        PI / 4.0,
    ];
    // Accumulate in f64: hundreds of thousands of small terms.
    let mut acc = [[0.0f64; 3]; 9];
    for y in 0..img.height {
        let solid_angle = row_solid_angle(y, img.height, img.width);
        for x in 0..img.width {
            let uv = Vec2::new(
                (x as f32 + 0.5) / img.width as f32,
                (y as f32 + 0.5) / img.height as f32,
            );
            let basis = sh9_basis(equirect_uv_to_dir(uv));
            let c = img.px[y * img.width + x];
            for (a, b) in acc.iter_mut().zip(basis) {
                let w = b as f64 * solid_angle;
                a[0] += c.x as f64 * w;
                a[1] += c.y as f64 * w;
                a[2] += c.z as f64 * w;
            }
        }
    }
    let mut out = [[0.0f32; 3]; 9];
    for i in 0..9 {
        for ch in 0..3 {
            out[i][ch] = (acc[i][ch] * BAND_FACTOR[i] as f64) as f32;
        }
    }
    out
}

/// Irradiance `E(n) = Σ cᵢ·Yᵢ(n)` from [`PrefilteredEnv::sh9_irradiance`]; divide by π for
/// Lambertian outgoing radiance per unit albedo. Basis order: `Y00; Y1−1 (y), Y10 (z), Y11 (x);
/// Y2−2 (xy), Y2−1 (yz), Y20 (3z²−1), Y21 (xz), Y22 (x²−y²)` with the usual constants
/// 0.282095, 0.488603, 1.092548, 0.315392, 0.546274. `n` is normalised here.
pub fn eval_sh9(c: &[[f32; 3]; 9], n: Vec3) -> [f32; 3] {
    let basis = sh9_basis(n.normalize_or(Vec3::Y));
    let mut e = [0.0f32; 3];
    for (ci, b) in c.iter().zip(basis) {
        for ch in 0..3 {
            e[ch] += ci[ch] * b;
        }
    }
    e
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Mean radiance over the sphere, each texel weighted by its solid angle.
    fn mean_radiance(img: &HdrImage) -> Vec3 {
        let (w, h) = (img.width as usize, img.height as usize);
        let mut sum = Vec3::ZERO;
        for y in 0..h {
            let sa = row_solid_angle(y, h, w) as f32;
            for x in 0..w {
                sum += Vec3::from(img.rgb[y * w + x]) * sa;
            }
        }
        sum / (4.0 * PI)
    }

    /// Black with one bright disc of `radius_deg` around `centre`.
    fn lone_light(w: u32, h: u32, centre: Vec3, radius_deg: f32, radiance: f32) -> HdrImage {
        let centre = centre.normalize();
        let cos_r = radius_deg.to_radians().cos();
        let mut rgb = Vec::new();
        for y in 0..h {
            for x in 0..w {
                let uv = Vec2::new((x as f32 + 0.5) / w as f32, (y as f32 + 0.5) / h as f32);
                let lit = equirect_uv_to_dir(uv).dot(centre) > cos_r;
                rgb.push(if lit { [radiance; 3] } else { [0.0; 3] });
            }
        }
        HdrImage {
            width: w,
            height: h,
            rgb,
        }
    }

    #[test]
    fn constant_environment_stays_constant() {
        let l = [0.7, 1.3, 2.0];
        let env = prefilter(&HdrImage::filled(128, 64, l), 64, 4);
        assert_eq!(env.levels.len(), 4);
        assert_eq!(
            env.roughness_per_level,
            vec![0.0, 1.0 / 3.0, 2.0 / 3.0, 1.0]
        );
        for (k, level) in env.levels.iter().enumerate() {
            assert_eq!(level.width, 64 >> k);
            assert_eq!(level.height, 32 >> k);
            for p in &level.rgb {
                for ch in 0..3 {
                    assert!((p[ch] - l[ch]).abs() < 1e-4 * l[ch], "level {k}: {p:?}");
                }
            }
        }
        for i in 0..50 {
            let n = equirect_uv_to_dir(Vec2::new(
                (i as f32 * 0.618).fract(),
                (i as f32 * 0.377).fract(),
            ));
            let e = eval_sh9(&env.sh9_irradiance, n);
            for ch in 0..3 {
                assert!((e[ch] / (PI * l[ch]) - 1.0).abs() < 0.01, "{n}: {e:?}");
            }
        }
    }

    #[test]
    fn roughness_zero_level_is_the_source() {
        let src = lone_light(64, 32, Vec3::new(0.3, 0.5, -1.0), 20.0, 5.0);
        let env = prefilter(&src, 64, 3);
        assert_eq!(env.levels[0], src);
    }

    #[test]
    fn energy_is_conserved_across_levels() {
        let src = lone_light(256, 128, Vec3::new(0.4, 0.5, -0.8), 12.0, 10.0);
        let env = prefilter(&src, 256, 6);
        let m0 = mean_radiance(&env.levels[0]).x;
        assert!(m0 > 0.05);
        for (k, level) in env.levels.iter().enumerate() {
            let m = mean_radiance(level).x;
            assert!((m / m0 - 1.0).abs() < 0.04, "level {k}: mean {m} vs {m0}");
        }
        // Rougher levels spread the light: the peak must drop.
        let peak = |img: &HdrImage| img.rgb.iter().map(|p| p[0]).fold(0.0f32, f32::max);
        assert!(peak(&env.levels[5]) < 0.5 * peak(&env.levels[1]));
    }

    #[test]
    fn irradiance_faces_the_light() {
        let light = Vec3::new(0.2, 0.9, 0.3).normalize();
        let src = lone_light(128, 64, light, 10.0, 20.0);
        let env = prefilter(&src, 128, 2);
        let towards = eval_sh9(&env.sh9_irradiance, light)[0];
        let away = eval_sh9(&env.sh9_irradiance, -light)[0];
        assert!(
            towards > 0.0 && towards > 5.0 * away.max(0.0),
            "{towards} {away}"
        );
        // Energy: a small source of solid angle Ω gives E ≈ L·Ω when faced.
        let omega = TAU * (1.0 - 10f32.to_radians().cos());
        assert!((towards / (20.0 * omega) - 1.0).abs() < 0.15, "{towards}");
    }

    #[test]
    fn resamples_larger_and_empty_sources() {
        let env = prefilter(&HdrImage::filled(300, 150, [1.0; 3]), 100, 20);
        assert_eq!(env.levels[0].width, 128);
        assert_eq!(env.levels.len(), 7);
        assert!((env.levels[0].rgb[500][1] - 1.0).abs() < 1e-5);
        let black = prefilter(&HdrImage::filled(0, 0, [1.0; 3]), 16, 2);
        assert!(black
            .levels
            .iter()
            .all(|l| l.rgb.iter().all(|p| *p == [0.0; 3])));
    }
}
