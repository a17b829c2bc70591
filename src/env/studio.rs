//! A procedural jewellery studio environment, and the equirectangular mapping shared with the
//! shaders.
//!
//! Equirect convention: `u = 0.5 + atan2(d.x, −d.z) / 2π`, `v = acos(d.y) / π`. So `v = 0` is
//! straight up (+Y), `v = 1` straight down, `u = 0.5` looks towards −Z, `u = 0.75` towards +X,
//! and `u = 0` / `u = 1` towards +Z: the seam sits behind the viewer of a camera looking down −Z.

use std::f32::consts::{PI, TAU};

use glam::{Vec2, Vec3};

use super::rgbe::HdrImage;

/// Equirect uv (0..1, v = 0 up) of a direction. The zero vector maps to the horizon at u = 0.5.
pub fn dir_to_equirect_uv(d: Vec3) -> Vec2 {
    let d = d.normalize_or(Vec3::NEG_Z);
    Vec2::new(
        0.5 + d.x.atan2(-d.z) / TAU,
        d.y.clamp(-1.0, 1.0).acos() / PI,
    )
}

/// Unit direction of an equirect uv; the inverse of [`dir_to_equirect_uv`].
pub fn equirect_uv_to_dir(uv: Vec2) -> Vec3 {
    let azimuth = (uv.x - 0.5) * TAU;
    let polar = uv.y * PI;
    let (sin_p, cos_p) = polar.sin_cos();
    let (sin_a, cos_a) = azimuth.sin_cos();
    Vec3::new(sin_p * sin_a, cos_p, -sin_p * cos_a)
}

/// A large rectangular soft box, seen from the centre of the studio.
struct SoftBox {
    /// Direction from the jewel to the box centre.
    dir: Vec3,
    /// Half extents in tangent-plane units (tan of the half angle).
    half_size: Vec2,
    radiance: f32,
}

/// A small, very bright source: what puts sparkle into facets and edges of polished metal.
struct Spark {
    dir: Vec3,
    radius_rad: f32,
    radiance: [f32; 3],
}

fn smoothstep(e0: f32, e1: f32, x: f32) -> f32 {
    let t = ((x - e0) / (e1 - e0)).clamp(0.0, 1.0);
    t * t * (3.0 - 2.0 * t)
}

fn soft_boxes() -> [SoftBox; 3] {
    [
        // Key: above the viewer's left shoulder, where a photographer puts the main light.
        SoftBox {
            dir: Vec3::new(-0.6, 0.7, 0.8).normalize(),
            half_size: Vec2::new(0.6, 0.45),
            radiance: 6.0,
        },
        // Fill: a tall strip to the right.
        SoftBox {
            dir: Vec3::new(0.9, 0.25, 0.3).normalize(),
            half_size: Vec2::new(0.3, 0.8),
            radiance: 3.0,
        },
        // Overhead strip, slightly behind the jewel: outlines the top edges of bands.
        SoftBox {
            dir: Vec3::new(0.0, 1.0, -0.35).normalize(),
            half_size: Vec2::new(0.9, 0.25),
            radiance: 4.0,
        },
    ]
}

fn sparks() -> [Spark; 8] {
    let spark = |x: f32, y: f32, z: f32, r: f32, radiance: [f32; 3]| Spark {
        dir: Vec3::new(x, y, z).normalize(),
        radius_rad: r.to_radians(),
        radiance,
    };
    [
        spark(-0.3, 0.8, 0.5, 0.8, [200.0, 200.0, 200.0]),
        spark(0.5, 0.6, 0.6, 0.7, [160.0, 160.0, 170.0]),
        spark(0.8, 0.2, -0.5, 0.6, [120.0, 115.0, 110.0]),
        spark(-0.9, 0.3, -0.2, 0.7, [150.0, 150.0, 150.0]),
        spark(0.1, 0.9, -0.4, 0.5, [180.0, 180.0, 190.0]),
        spark(-0.5, 0.1, -0.85, 0.6, [90.0, 90.0, 95.0]),
        spark(0.3, 0.35, 0.9, 0.6, [70.0, 70.0, 70.0]),
        spark(-0.2, 0.55, -0.8, 0.5, [50.0, 52.0, 55.0]),
    ]
}

/// Radiance seen in direction `d` (unit), with point sources at least `min_radius_rad` wide so
/// that they are not lost between texels.
fn studio_radiance(d: Vec3, min_radius_rad: f32) -> [f32; 3] {
    // Floor dark (0.02), ceiling mid grey (0.35): a gradient so metal shows form, not a mirror
    // of a flat colour.
    let t = smoothstep(-1.0, 1.0, d.y);
    let grey = 0.02 + 0.33 * t;
    let mut c = Vec3::splat(grey);

    for b in soft_boxes() {
        let facing = d.dot(b.dir);
        if facing <= 0.0 {
            continue;
        }
        let right = b.dir.cross(Vec3::Y).try_normalize().unwrap_or(Vec3::X);
        let up = right.cross(b.dir);
        let local = Vec2::new(d.dot(right), d.dot(up)) / facing;
        // Soft edges over ±15 % of each half size: diffusion fabric, not a hard cut-out.
        let edge = |a: f32, h: f32| 1.0 - smoothstep(h * 0.85, h * 1.15, a.abs());
        c += Vec3::splat(b.radiance * edge(local.x, b.half_size.x) * edge(local.y, b.half_size.y));
    }

    for s in sparks() {
        let r = s.radius_rad.max(min_radius_rad);
        let angle = d.dot(s.dir).clamp(-1.0, 1.0).acos();
        if angle < r * 1.3 {
            c += Vec3::from(s.radiance) * (1.0 - smoothstep(r * 0.7, r * 1.3, angle));
        }
    }
    c.to_array()
}

/// A deterministic equirectangular studio: grey gradient surroundings (floor darker than
/// ceiling), three large soft boxes (radiance 3–6) and eight point-like sources (radiance
/// 50–200). Zero sizes give an empty image.
pub fn studio_environment(width: u32, height: u32) -> HdrImage {
    let (w, h) = (width.min(16384), height.min(16384));
    // Point sources at least ~1.2 texels wide, so low resolutions still show them.
    let min_radius_rad = if w > 0 { 1.2 * TAU / w as f32 } else { 0.0 };
    let mut rgb = Vec::with_capacity(w as usize * h as usize);
    for y in 0..h {
        for x in 0..w {
            let uv = Vec2::new((x as f32 + 0.5) / w as f32, (y as f32 + 0.5) / h as f32);
            rgb.push(studio_radiance(equirect_uv_to_dir(uv), min_radius_rad));
        }
    }
    HdrImage {
        width: w,
        height: h,
        rgb,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uv_convention_matches_the_docs() {
        let near = |a: Vec2, b: Vec2| (a - b).length() < 1e-6;
        assert!(near(dir_to_equirect_uv(Vec3::NEG_Z), Vec2::new(0.5, 0.5)));
        assert!(near(dir_to_equirect_uv(Vec3::X), Vec2::new(0.75, 0.5)));
        assert!(near(dir_to_equirect_uv(Vec3::NEG_X), Vec2::new(0.25, 0.5)));
        assert!(dir_to_equirect_uv(Vec3::Y).y.abs() < 1e-6);
        assert!((dir_to_equirect_uv(Vec3::NEG_Y).y - 1.0).abs() < 1e-6);
        assert!(dir_to_equirect_uv(Vec3::ZERO).is_finite());
    }

    #[test]
    fn uv_dir_round_trip() {
        for i in 0..200 {
            let uv = Vec2::new(
                (i as f32 * 0.618_034).fract() * 0.998 + 0.001,
                (i as f32 * 0.414_213).fract() * 0.98 + 0.01,
            );
            let d = equirect_uv_to_dir(uv);
            assert!((d.length() - 1.0).abs() < 1e-5);
            let back = dir_to_equirect_uv(d);
            assert!((back - uv).length() < 1e-4, "{uv} -> {d} -> {back}");
            assert!((equirect_uv_to_dir(back) - d).length() < 1e-5);
        }
    }

    #[test]
    fn studio_has_gradient_boxes_and_sparks() {
        let env = studio_environment(512, 256);
        assert_eq!(env.rgb.len(), 512 * 256);
        assert_eq!(env, studio_environment(512, 256), "deterministic");
        let at = |d: Vec3| {
            let uv = dir_to_equirect_uv(d);
            env.pixel((uv.x * 512.0) as u32, ((uv.y * 256.0) as u32).min(255))[0]
        };
        assert!(at(Vec3::NEG_Y) < 0.05, "dark floor");
        assert!(at(Vec3::NEG_Y) < at(Vec3::new(0.0, 0.5, -1.0).normalize()));
        assert!(
            at(Vec3::new(-0.6, 0.7, 0.8).normalize()) > 5.0,
            "key soft box"
        );
        let bright = env.rgb.iter().filter(|p| p[0] >= 45.0).count();
        assert!(bright >= 6, "point sources present: {bright} texels");
        let peak = env.rgb.iter().map(|p| p[0]).fold(0.0f32, f32::max);
        assert!((100.0..=210.0).contains(&peak), "peak {peak}");
        // Every spark shows up as a local peak above 45.
        for s in sparks() {
            assert!(at(s.dir) > 45.0, "spark at {:?}", s.dir);
        }
        assert!(env.rgb.iter().flatten().all(|v| v.is_finite() && *v >= 0.0));
    }

    #[test]
    fn zero_size_is_empty() {
        assert!(studio_environment(0, 10).rgb.is_empty());
    }
}
