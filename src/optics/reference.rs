//! The CPU reference for the gem pass: the same stones and environment traced spectrally
//! (one refractive index per wavelength bin), deep (32 internal hits by default) and with many
//! jittered rays per pixel. Slow by design; it is the ruler, not the product.

use glam::{DVec2, DVec3, DVec4, Mat4};

use super::display::display_encode;
use super::spectrum::{channel_iors, ior_at_nm, rgb_weights, wavelengths_nm};
use super::stone::Stone;
use crate::env::prefilter::row_solid_angle;
use crate::env::HdrImage;

#[derive(Clone, Copy)]
enum Band {
    Nm(f64),
    Channel(usize),
}

/// Which refractive indices light is traced with.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Spectrum {
    /// Equal bins between 400 and 700 nm, each with its Cauchy index: the physical reference.
    Wavelengths(usize),
    /// Red, green and blue each at KHR_materials_dispersion's channel index,
    /// `ior ∓ (ior − 1)·0.025·dispersion`: the gem pass's algorithm, for checking the shader
    /// against this code.
    Channels,
}

/// Where in each pixel rays go.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum PixelRays {
    /// `n × n` stratified, jittered rays (one ray: the pixel centre).
    Stratified(u32),
    /// The gem pass's own rotated-grid offsets for this many rays (1–4), to compare shading with
    /// the same sampling.
    GemPass(u32),
}

/// The gem pass's ray offsets from the pixel centre, in pixels (`ray_offset` in gem.wgsl).
pub fn gem_pass_offsets(count: u32) -> Vec<DVec2> {
    let grid = [
        DVec2::new(-0.125, -0.375),
        DVec2::new(0.375, -0.125),
        DVec2::new(0.125, 0.375),
        DVec2::new(-0.375, 0.125),
    ];
    match count.clamp(1, 4) {
        1 => vec![DVec2::ZERO],
        2 => vec![grid[0], grid[2]],
        n => grid[..n as usize].to_vec(),
    }
}

/// How hard the reference works.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ReferenceSettings {
    pub rays: PixelRays,
    pub spectrum: Spectrum,
    /// Internal hits followed per ray.
    pub max_bounces: u32,
}

impl Default for ReferenceSettings {
    fn default() -> Self {
        Self {
            rays: PixelRays::Stratified(4),
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

    /// Radiance averaged over the sphere (each texel by its solid angle), scaled by `intensity`:
    /// what the gem pass reads from its irradiance's first spherical-harmonic band.
    pub fn mean_radiance(&self) -> DVec3 {
        let (w, h) = (self.image.width, self.image.height);
        let (mut sum, mut solid_angle) = (DVec3::ZERO, 0.0);
        for y in 0..h {
            let texel_sr = row_solid_angle(y as usize, h as usize, w as usize);
            for x in 0..w {
                let p = self.image.pixel(x, y);
                sum += DVec3::new(p[0] as f64, p[1] as f64, p[2] as f64) * texel_sr;
                solid_angle += texel_sr;
            }
        }
        sum / solid_angle.max(f64::MIN_POSITIVE) * self.intensity
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
    // The (wavelength or channel, RGB weight) pairs each ray traces; a pixel's colour is its
    // weighted sum over rays divided by the summed weights.
    let bands: Vec<(Band, DVec3)> = match settings.spectrum {
        Spectrum::Wavelengths(count) => {
            let lambdas = wavelengths_nm(count.max(1));
            let weights = rgb_weights(&lambdas);
            lambdas
                .into_iter()
                .zip(weights)
                .map(|(l, w)| (Band::Nm(l), DVec3::from(w)))
                .collect()
        }
        Spectrum::Channels => (0..3).map(|c| (Band::Channel(c), DVec3::AXES[c])).collect(),
    };
    let ior_of = |stone: &Stone, band: Band| match band {
        Band::Nm(l) => ior_at_nm(stone.ior, stone.dispersion, l),
        Band::Channel(c) => channel_iors(stone.ior, stone.dispersion)[c],
    };
    // Offsets from the pixel's top-left corner, per pixel (stratified jitter differs by pixel).
    let offsets = |x: u32, y: u32| -> Vec<DVec2> {
        match settings.rays {
            PixelRays::GemPass(count) => gem_pass_offsets(count)
                .into_iter()
                .map(|o| o + DVec2::splat(0.5))
                .collect(),
            PixelRays::Stratified(n) if n <= 1 => vec![DVec2::splat(0.5)],
            PixelRays::Stratified(n) => (0..n * n)
                .map(|s| {
                    // Stratified with a fixed per-cell jitter: deterministic, no visible grid.
                    let cell = DVec2::new((s % n) as f64, (s / n) as f64);
                    (cell + hash2(x, y, s)) / n as f64
                })
                .collect(),
        }
    };
    let env = |d: DVec3| environment.radiance(d);
    let mean = environment.mean_radiance();
    let mut radiance = Vec::with_capacity((width * height) as usize);
    let mut coverage = Vec::with_capacity((width * height) as usize);
    for y in 0..height {
        for x in 0..width {
            let (mut stone_sum, mut stone_weight, mut behind) =
                (DVec3::ZERO, DVec3::ZERO, DVec3::ZERO);
            let mut hits = 0u32;
            let rays = offsets(x, y);
            for offset in &rays {
                let px = x as f64 + offset.x;
                let py = y as f64 + offset.y;
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
                    .filter_map(|st| st.entry(eye_world, d).map(|(t, _)| (t, st)))
                    .min_by(|a, b| a.0.total_cmp(&b.0));
                match nearest {
                    Some((_, stone)) => {
                        hits += 1;
                        for &(band, weight) in &bands {
                            let ior = ior_of(stone, band);
                            if let Some(t) =
                                stone.trace(eye_world, d, ior, settings.max_bounces, &env, mean)
                            {
                                stone_sum += t.radiance * weight;
                                stone_weight += weight;
                            }
                        }
                    }
                    None if environment_behind => behind += env(d),
                    None => {}
                }
            }
            let ray_count = rays.len() as f64;
            let stones_seen = if hits > 0 {
                stone_sum / stone_weight.max(DVec3::splat(1e-12)) * (hits as f64 / ray_count)
            } else {
                DVec3::ZERO
            };
            radiance.push(stones_seen + behind / ray_count);
            coverage.push(hits as f64 / ray_count);
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
    fn mean_radiance_weighs_texels_by_solid_angle() {
        // The upper hemisphere lit: half the sphere, whatever the rows' count.
        let mut image = HdrImage::filled(16, 7, [0.0; 3]);
        for x in 0..16 {
            for y in 0..3 {
                image.rgb[y * 16 + x] = [1.0, 2.0, 4.0];
            }
            // The middle row straddles the horizon: half its solid angle lies above it.
            image.rgb[3 * 16 + x] = [0.5, 1.0, 2.0];
        }
        let env = EnvironmentLookup {
            image: &image,
            intensity: 2.0,
            yaw_rad: 1.0,
        };
        let mean = env.mean_radiance();
        assert!(
            (mean - DVec3::new(1.0, 2.0, 4.0)).abs().max_element() < 1e-12,
            "{mean}"
        );
        // A plain average of texels would count the poles' rows as much as the horizon's.
        let mut cap = HdrImage::filled(16, 8, [0.0; 3]);
        cap.rgb[..16].fill([1.0; 3]);
        let polar = EnvironmentLookup {
            image: &cap,
            intensity: 1.0,
            yaw_rad: 0.0,
        }
        .mean_radiance();
        let expected = (1.0 - (std::f64::consts::PI / 8.0).cos()) / 2.0;
        assert!((polar.x - expected).abs() < 1e-12, "{polar} vs {expected}");
    }

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
