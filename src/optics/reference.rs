//! The CPU reference for the gem pass: the same stones and environment traced spectrally
//! (one refractive index per wavelength bin), deep (32 internal hits by default) and with many
//! jittered rays per pixel. Slow by design; it is the ruler, not the product.

use glam::{DVec2, DVec3, DVec4, Mat4};

use super::display::display_encode;
use super::spectrum::{channel_iors, ior_at_nm, rgb_weights, wavelengths_nm};
use super::stone::Stone;
use crate::env::HdrImage;

/// Which refractive indices light is traced with.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Spectrum {
    /// Equal bins between 400 and 700 nm, each with its Cauchy index: the physical reference.
    Wavelengths(usize),
    /// The real-time pass's three channel indices: the same algorithm as the GPU, for checking
    /// the shader against this code.
    Channels,
}

/// How hard the reference works.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ReferenceSettings {
    /// Rays per pixel side: `n × n` stratified rays per pixel.
    pub rays_per_side: u32,
    pub spectrum: Spectrum,
    /// Internal hits followed per ray.
    pub max_bounces: u32,
}

impl Default for ReferenceSettings {
    fn default() -> Self {
        Self {
            rays_per_side: 4,
            spectrum: Spectrum::Wavelengths(16),
            max_bounces: 32,
        }
    }
}

/// An equirectangular environment looked up as the GPU does: bilinear between texel centres,
/// wrapping around horizontally, turned by `yaw_rad`, scaled by `intensity`.
pub struct EnvironmentLookup<'a> {
    pub image: &'a HdrImage,
    pub intensity: f64,
    pub yaw_rad: f64,
}

impl EnvironmentLookup<'_> {
    pub fn radiance(&self, d: DVec3) -> DVec3 {
        let d = d.normalize();
        let (s, c) = self.yaw_rad.sin_cos();
        let r = DVec3::new(c * d.x + s * d.z, d.y, -s * d.x + c * d.z);
        let u = 0.5 + r.x.atan2(-r.z) / std::f64::consts::TAU;
        let v = r.y.clamp(-1.0, 1.0).acos() / std::f64::consts::PI;
        self.bilinear(DVec2::new(u, v)) * self.intensity
    }

    fn bilinear(&self, uv: DVec2) -> DVec3 {
        let (w, h) = (self.image.width as i64, self.image.height as i64);
        let x = uv.x * w as f64 - 0.5;
        let y = (uv.y * h as f64 - 0.5).clamp(0.0, (h - 1) as f64);
        let (x0, y0) = (x.floor(), y.floor());
        let (fx, fy) = (x - x0, y - y0);
        let texel = |xi: i64, yi: i64| {
            let p = self
                .image
                .pixel(xi.rem_euclid(w) as u32, yi.clamp(0, h - 1) as u32);
            DVec3::new(p[0] as f64, p[1] as f64, p[2] as f64)
        };
        let (x0, y0) = (x0 as i64, y0 as i64);
        let top = texel(x0, y0).lerp(texel(x0 + 1, y0), fx);
        let bottom = texel(x0, y0 + 1).lerp(texel(x0 + 1, y0 + 1), fx);
        top.lerp(bottom, fy)
    }
}

/// A rendered reference: linear radiance, and per pixel the share of its rays that hit a stone.
pub struct ReferenceImage {
    pub width: u32,
    pub height: u32,
    pub radiance: Vec<DVec3>,
    pub coverage: Vec<f64>,
}

impl ReferenceImage {
    /// Display values 0..255 as the GPU writes them (premultiplied over opaque black where no
    /// stone is), RGBA rows from the top.
    pub fn to_rgba8(&self, exposure: f64) -> Vec<u8> {
        self.radiance
            .iter()
            .flat_map(|&c| {
                let d = display_encode(c, exposure);
                [d.x, d.y, d.z, 1.0].map(|v| (v.clamp(0.0, 1.0) * 255.0).round() as u8)
            })
            .collect()
    }

    /// Premultiplied RGBA8 of an image traced without the environment behind: each pixel's
    /// stone colour covers `background` (premultiplied display values 0..1) by its coverage,
    /// as the GPU's multisample resolve does.
    pub fn to_rgba8_over(&self, exposure: f64, background: [f64; 4]) -> Vec<u8> {
        self.radiance
            .iter()
            .zip(&self.coverage)
            .flat_map(|(&c, &cover)| {
                let stone = if cover > 0.0 {
                    display_encode(c / cover, exposure).extend(1.0) * cover
                } else {
                    glam::DVec4::ZERO
                };
                let out = stone + DVec4::from(background) * (1.0 - cover);
                out.to_array()
                    .map(|v| (v.clamp(0.0, 1.0) * 255.0).round() as u8)
            })
            .collect()
    }
}

/// Traces every pixel of a `width × height` view (`clip_from_world` as the renderer builds it,
/// from `eye_world`) through `stones`. Rays that miss every stone see the environment when
/// `environment_behind`, and nothing otherwise (see [`ReferenceImage::to_rgba8_over`]).
#[allow(clippy::too_many_arguments)]
pub fn render(
    stones: &[Stone],
    clip_from_world: Mat4,
    eye_world: DVec3,
    width: u32,
    height: u32,
    environment: &EnvironmentLookup,
    settings: ReferenceSettings,
    environment_behind: bool,
) -> ReferenceImage {
    let world_from_clip = clip_from_world.as_dmat4().inverse();
    // Per stone: (refractive index, RGB weight) pairs whose weights sum to white.
    let bands: Vec<Vec<(f64, DVec3)>> = stones
        .iter()
        .map(|stone| match settings.spectrum {
            Spectrum::Wavelengths(count) => {
                let lambdas = wavelengths_nm(count.max(1));
                lambdas
                    .iter()
                    .zip(rgb_weights(&lambdas))
                    .map(|(&l, w)| (ior_at_nm(stone.ior, stone.dispersion, l), DVec3::from(w)))
                    .collect()
            }
            Spectrum::Channels => channel_iors(stone.ior, stone.dispersion)
                .into_iter()
                .zip([DVec3::X, DVec3::Y, DVec3::Z])
                .collect(),
        })
        .collect();
    let n = settings.rays_per_side.max(1);
    let env = |d: DVec3| environment.radiance(d);
    let mut radiance = Vec::with_capacity((width * height) as usize);
    let mut coverage = Vec::with_capacity((width * height) as usize);
    for y in 0..height {
        for x in 0..width {
            let mut sum = DVec3::ZERO;
            let mut hits = 0u32;
            for s in 0..n * n {
                let (sx, sy) = (s % n, s / n);
                // Stratified with a fixed per-cell jitter: deterministic, no visible grid. A
                // single ray goes through the pixel centre, as the GPU's does.
                let jitter = if n == 1 {
                    DVec2::splat(0.5)
                } else {
                    hash2(x, y, s)
                };
                let px = x as f64 + (sx as f64 + jitter.x) / n as f64;
                let py = y as f64 + (sy as f64 + jitter.y) / n as f64;
                let ndc = DVec4::new(
                    px / width as f64 * 2.0 - 1.0,
                    1.0 - py / height as f64 * 2.0,
                    0.5,
                    1.0,
                );
                let on_ray = world_from_clip * ndc;
                let d = (on_ray.truncate() / on_ray.w - eye_world).normalize();
                let nearest = stones
                    .iter()
                    .enumerate()
                    .filter_map(|(i, st)| st.entry(eye_world, d).map(|(t, _)| (t, i)))
                    .min_by(|a, b| a.0.total_cmp(&b.0));
                match nearest {
                    Some((_, i)) => {
                        hits += 1;
                        for &(ior, weight) in &bands[i] {
                            if let Some(t) =
                                stones[i].trace(eye_world, d, ior, settings.max_bounces, &env)
                            {
                                sum += t.radiance * weight;
                            }
                        }
                    }
                    None if environment_behind => sum += env(d),
                    None => {}
                }
            }
            radiance.push(sum / (n * n) as f64);
            coverage.push(hits as f64 / (n * n) as f64);
        }
    }
    ReferenceImage {
        width,
        height,
        radiance,
        coverage,
    }
}

/// Two numbers in [0, 1) from a pixel and sample index (a small integer hash).
fn hash2(x: u32, y: u32, s: u32) -> DVec2 {
    let mut h = x
        .wrapping_mul(0x8da6_b343)
        .wrapping_add(y.wrapping_mul(0xd816_3841))
        .wrapping_add(s.wrapping_mul(0xcb1a_b31f));
    let mut next = || {
        h ^= h >> 16;
        h = h.wrapping_mul(0x7feb_352d);
        h ^= h >> 15;
        h = h.wrapping_mul(0x846c_a68b);
        h ^= h >> 16;
        h as f64 / 4_294_967_296.0
    };
    DVec2::new(next(), next())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookup_matches_the_equirect_convention() {
        // Bright texel column at u = 0.5 (towards −Z), dark elsewhere.
        let mut image = HdrImage::filled(64, 32, [0.0; 3]);
        for y in 0..32 {
            image.rgb[y * 64 + 31] = [1.0; 3];
            image.rgb[y * 64 + 32] = [1.0; 3];
        }
        let env = EnvironmentLookup {
            image: &image,
            intensity: 2.0,
            yaw_rad: 0.0,
        };
        assert!((env.radiance(-DVec3::Z).x - 2.0).abs() < 1e-9);
        assert!(env.radiance(DVec3::Z).x < 1e-9);
        // Turning the lights by half a turn puts the column behind.
        let turned = EnvironmentLookup {
            yaw_rad: std::f64::consts::PI,
            ..env
        };
        assert!(turned.radiance(-DVec3::Z).x < 1e-9 && turned.radiance(DVec3::Z).x > 1.9);
    }
}
