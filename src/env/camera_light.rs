//! Light taken from the camera frame, so a jewel over the camera feed sits in the room: a small
//! copy of the frame (the element sends 32×24 or so, never off the device) becomes a coarse
//! environment around the viewer, from which come diffuse irradiance (SH9), the room's white
//! balance and its brightness.
//!
//! The camera sees what lies behind the jewel; what lies behind the camera, lighting the side we
//! see, is unknown. As AR frameworks do without a depth sensor, it is taken to be the frame seen in
//! a mirror, pulled towards the frame's mean colour; directions outside the frame take its
//! nearest edge.

use glam::{Mat3, Vec2, Vec3};

use super::prefilter::irradiance_sh9;
use super::rgbe::HdrImage;
use super::studio::equirect_uv_to_dir;

/// Size of the coarse environment the frame is spread over.
const ENV_WIDTH: u32 = 32;
const ENV_HEIGHT: u32 = 16;
/// Behind the camera the mirrored frame counts this much, the mean colour the rest: a guess.
const MIRRORED_WEIGHT: f32 = 0.7;
/// Frames smaller than this on a side say too little about the room.
pub const MIN_SIDE: u32 = 4;

/// What the frame says about the light, in the frame's linear values (white paper in
/// daylight ≈ 1).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CameraLight {
    /// Irradiance SH9 in world space (basis as `eval_sh9`).
    pub sh9_irradiance: [[f32; 3]; 9],
    /// Mean linear colour of the frame.
    pub mean_linear: [f32; 3],
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum CameraLightError {
    #[error(
        "a {width}×{height} frame is too small to light from (at least {MIN_SIDE}×{MIN_SIDE})"
    )]
    TooSmall { width: u32, height: u32 },
    #[error("{got} bytes for a {width}×{height} RGBA frame (expected {expected})")]
    WrongLength {
        width: u32,
        height: u32,
        got: usize,
        expected: usize,
    },
}

/// Estimates the light from `rgba` (sRGB RGBA8, `width`×`height`, as shown on screen, mirroring
/// included) seen through a camera with vertical field of view `vfov_rad`, turned by
/// `world_from_view` (a rotation; the camera looks down −Z of its view space).
pub fn estimate(
    rgba: &[u8],
    width: u32,
    height: u32,
    world_from_view: Mat3,
    vfov_rad: f32,
) -> Result<CameraLight, CameraLightError> {
    if width < MIN_SIDE || height < MIN_SIDE {
        return Err(CameraLightError::TooSmall { width, height });
    }
    let expected = width as usize * height as usize * 4;
    if rgba.len() != expected {
        return Err(CameraLightError::WrongLength {
            width,
            height,
            got: rgba.len(),
            expected,
        });
    }
    let linear: Vec<Vec3> = rgba
        .chunks_exact(4)
        .map(|p| Vec3::new(to_linear(p[0]), to_linear(p[1]), to_linear(p[2])))
        .collect();
    let mean = linear.iter().copied().sum::<Vec3>() / linear.len() as f32;
    let tan_half_v = (vfov_rad.clamp(0.1, 3.0) * 0.5).tan();
    let tan_half_h = tan_half_v * width as f32 / height as f32;
    let view_from_world = world_from_view.transpose();
    // The frame pixel a view-space direction in front of the camera falls on; directions
    // outside the frame take its nearest edge, so ceiling light at the top edge lights
    // everything above.
    let pixel = |d: Vec3| -> Vec3 {
        let depth = (-d.z).max(1e-3);
        let x = (d.x / depth / tan_half_h).clamp(-1.0, 1.0);
        let y = (d.y / depth / tan_half_v).clamp(-1.0, 1.0);
        let px = (((x + 1.0) * 0.5 * width as f32) as u32).min(width - 1);
        let py = (((1.0 - y) * 0.5 * height as f32) as u32).min(height - 1);
        linear[(py * width + px) as usize]
    };
    let mut env = HdrImage::filled(ENV_WIDTH, ENV_HEIGHT, mean.into());
    for y in 0..ENV_HEIGHT {
        for x in 0..ENV_WIDTH {
            let uv = Vec2::new(
                (x as f32 + 0.5) / ENV_WIDTH as f32,
                (y as f32 + 0.5) / ENV_HEIGHT as f32,
            );
            let d = view_from_world * equirect_uv_to_dir(uv);
            let radiance = if d.z < 0.0 {
                pixel(d)
            } else {
                pixel(Vec3::new(d.x, d.y, -d.z)) * MIRRORED_WEIGHT + mean * (1.0 - MIRRORED_WEIGHT)
            };
            env.rgb[(y * ENV_WIDTH + x) as usize] = radiance.into();
        }
    }
    Ok(CameraLight {
        sh9_irradiance: irradiance_sh9(&env),
        mean_linear: mean.into(),
    })
}

impl CameraLight {
    /// This estimate moved towards `next` as `dt_s` seconds pass: exponential smoothing with
    /// time constant [`SMOOTHING_S`], so room light follows a lamp switched on within a second
    /// but not the flicker of single frames.
    pub fn smoothed_towards(&self, next: &CameraLight, dt_s: f32) -> CameraLight {
        let k = 1.0 - (-dt_s.max(0.0) / SMOOTHING_S).exp();
        let lerp = |a: [f32; 3], b: [f32; 3]| Vec3::from(a).lerp(Vec3::from(b), k).into();
        CameraLight {
            sh9_irradiance: std::array::from_fn(|i| {
                lerp(self.sh9_irradiance[i], next.sh9_irradiance[i])
            }),
            mean_linear: lerp(self.mean_linear, next.mean_linear),
        }
    }
}

/// Time constant of [`CameraLight::smoothed_towards`], seconds.
pub const SMOOTHING_S: f32 = 0.4;

/// How much to scale the studio's reflections so their brightness follows the room's: the
/// square root of the ratio of mean luminances (a dim room dims the jewel, but less than the
/// room, as a camera's auto-exposure would), kept within 0.3–1.5.
pub fn environment_gain(room_mean_linear: [f32; 3], studio_sh9_irradiance: &[[f32; 3]; 9]) -> f32 {
    let luma = |c: [f32; 3]| Vec3::from(c).dot(Vec3::new(0.2126, 0.7152, 0.0722));
    // For a uniform radiance L, E = π L = c₀ · Y₀₀, so the mean radiance is c₀ · Y₀₀ / π.
    let studio = luma(studio_sh9_irradiance[0]) * 0.282_095 / std::f32::consts::PI;
    if studio <= 0.0 {
        return 1.0;
    }
    (luma(room_mean_linear) / studio).sqrt().clamp(0.3, 1.5)
}

fn to_linear(v: u8) -> f32 {
    crate::optics::display::srgb_to_linear(v as f64 / 255.0) as f32
}

/// How far reflections take on the room's colour cast (see [`white_balance`]).
pub const WHITE_BALANCE_STRENGTH: f32 = 0.6;

/// Per-channel gains that give the studio lighting the room's white balance: the frame's mean
/// colour normalised to unit luminance, pulled towards neutral by `strength` (0..1) and kept
/// within 0.5–2 so a red wall does not paint the metal red.
pub fn white_balance(mean_linear: [f32; 3], strength: f32) -> [f32; 3] {
    let m = Vec3::from(mean_linear).max(Vec3::splat(1e-4));
    let luminance = m.dot(Vec3::new(0.2126, 0.7152, 0.0722));
    let gains = (m / luminance).clamp(Vec3::splat(0.5), Vec3::splat(2.0));
    Vec3::ONE.lerp(gains, strength.clamp(0.0, 1.0)).into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::env::eval_sh9;

    fn frame(w: u32, h: u32, f: impl Fn(u32, u32) -> [u8; 3]) -> Vec<u8> {
        (0..h)
            .flat_map(|y| (0..w).map(move |x| (x, y)))
            .flat_map(|(x, y)| {
                let [r, g, b] = f(x, y);
                [r, g, b, 255]
            })
            .collect()
    }

    #[test]
    fn a_uniform_frame_lights_evenly_with_its_colour() {
        let rgba = frame(32, 24, |_, _| [188, 188, 188]);
        let light = estimate(&rgba, 32, 24, Mat3::IDENTITY, 1.0).unwrap();
        let l = to_linear(188);
        for n in [Vec3::X, Vec3::Y, -Vec3::Z, Vec3::new(1.0, -1.0, 1.0)] {
            let e = eval_sh9(&light.sh9_irradiance, n);
            assert!(
                (e[0] / (std::f32::consts::PI * l) - 1.0).abs() < 0.02,
                "{n}: {e:?}"
            );
        }
        assert!((light.mean_linear[1] - l).abs() < 1e-5);
    }

    #[test]
    fn a_bright_top_half_lights_surfaces_facing_up() {
        // Ceiling lights in the top half of the frame.
        let rgba = frame(32, 24, |_, y| if y < 8 { [255; 3] } else { [30; 3] });
        let light = estimate(&rgba, 32, 24, Mat3::IDENTITY, 1.0).unwrap();
        let up = eval_sh9(&light.sh9_irradiance, Vec3::Y)[1];
        let down = eval_sh9(&light.sh9_irradiance, -Vec3::Y)[1];
        assert!(up > 1.5 * down, "up {up}, down {down}");
        // Turning the camera upside down (a roll of 180°) turns the light with it.
        let rolled = estimate(
            &rgba,
            32,
            24,
            Mat3::from_rotation_z(std::f32::consts::PI),
            1.0,
        )
        .unwrap();
        let up_rolled = eval_sh9(&rolled.sh9_irradiance, Vec3::Y)[1];
        let down_rolled = eval_sh9(&rolled.sh9_irradiance, -Vec3::Y)[1];
        assert!(down_rolled > 1.5 * up_rolled);
    }

    #[test]
    fn a_warm_room_gives_warm_gains_within_bounds() {
        let g = white_balance([0.8, 0.5, 0.25], 1.0);
        assert!(g[0] > 1.0 && g[2] < 1.0 && g[2] >= 0.5);
        assert_eq!(white_balance([0.8, 0.5, 0.25], 0.0), [1.0; 3]);
        let red_wall = white_balance([1.0, 0.0, 0.0], 1.0);
        assert!(red_wall.iter().all(|g| (0.5..=2.0).contains(g)));
    }

    #[test]
    fn smoothing_follows_within_a_second_and_ignores_one_frame() {
        let dark = estimate(&frame(8, 8, |_, _| [20; 3]), 8, 8, Mat3::IDENTITY, 1.0).unwrap();
        let bright = estimate(&frame(8, 8, |_, _| [220; 3]), 8, 8, Mat3::IDENTITY, 1.0).unwrap();
        let one_frame = dark.smoothed_towards(&bright, 1.0 / 30.0);
        let gap = bright.mean_linear[0] - dark.mean_linear[0];
        assert!(one_frame.mean_linear[0] - dark.mean_linear[0] < 0.1 * gap);
        let mut s = dark;
        for _ in 0..30 {
            s = s.smoothed_towards(&bright, 1.0 / 30.0);
        }
        assert!(bright.mean_linear[0] - s.mean_linear[0] < 0.1 * gap);
    }

    #[test]
    fn reflections_follow_room_brightness_within_bounds() {
        let studio = [[1.0; 3]; 9];
        let mean_radiance = 0.282_095 / std::f32::consts::PI;
        assert!((environment_gain([mean_radiance; 3], &studio) - 1.0).abs() < 1e-4);
        assert!((environment_gain([mean_radiance / 4.0; 3], &studio) - 0.5).abs() < 1e-4);
        assert_eq!(environment_gain([0.0; 3], &studio), 0.3);
        assert_eq!(environment_gain([100.0; 3], &studio), 1.5);
    }

    #[test]
    fn bad_frames_are_errors() {
        assert!(matches!(
            estimate(&[0; 12], 3, 1, Mat3::IDENTITY, 1.0),
            Err(CameraLightError::TooSmall { .. })
        ));
        assert!(matches!(
            estimate(&[0; 10], 8, 8, Mat3::IDENTITY, 1.0),
            Err(CameraLightError::WrongLength { .. })
        ));
    }
}
