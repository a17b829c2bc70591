//! The per-frame uniform shared by every pass (`Frame` in common.wgsl).

use crate::math::cover::UvTransform;
use glam::{Mat4, Vec3};

/// Background modes; the numbers match `BG_*` in common.wgsl.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Background {
    /// A flat colour, display-encoded and premultiplied (alpha 0 = transparent).
    Clear([f32; 4]),
    /// The camera frame or a photo, mapped through a cover-fit transform.
    Texture(UvTransform),
    /// The environment map itself.
    Skybox,
    /// A light-grey studio backdrop for the viewer mode.
    Neutral,
}

impl Background {
    fn mode(&self) -> f32 {
        match self {
            Background::Clear(_) => 0.0,
            Background::Texture(_) => 1.0,
            Background::Skybox => 2.0,
            Background::Neutral => 3.0,
        }
    }
}

/// Where the camera is and how it projects: world space is the model's glTF space (metres).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CameraMatrices {
    pub clip_from_view: Mat4,
    pub view_from_world: Mat4,
    pub eye_world: Vec3,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Lighting {
    pub exposure: f32,
    pub env_intensity: f32,
    pub env_yaw_rad: f32,
    /// Light taken from the camera frame: it replaces the environment's diffuse light and
    /// tints and scales its reflections. `None` outside camera mode.
    pub room: Option<RoomLight>,
}

/// What the renderer takes from [`crate::env::camera_light`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RoomLight {
    /// Irradiance SH9 in world space, used for diffuse light instead of the environment's.
    pub sh9_irradiance: [[f32; 3]; 9],
    /// Multiplies the environment's radiance in reflections and refractions: white balance
    /// times exposure match.
    pub reflection_gain: [f32; 3],
}

impl Default for Lighting {
    fn default() -> Self {
        Self {
            exposure: 1.0,
            env_intensity: 1.0,
            env_yaw_rad: 0.0,
            room: None,
        }
    }
}

/// How hard the gem pass works per pixel (see `shaders/gem.wgsl`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct GemQuality {
    /// Whether stones are traced at all; off, they get the single-refraction approximation of
    /// the mesh pass (for comparisons and benchmarks).
    pub traced: bool,
    /// Internal hits followed per ray (the shader caps it at 16).
    pub max_bounces: u32,
    /// Rays per gem pixel, 1–4 (rotated-grid supersampling of facet edges).
    pub rays_per_pixel: u32,
    /// Trace red, green and blue with their own refractive index (full dispersion); otherwise
    /// one path at the stone's index.
    pub per_channel: bool,
    /// Sparkle bloom: how strongly the brightest stone pixels glow around them, 0 (off) to 1.
    pub sparkle: f32,
}

/// The sparkle bloom's default strength: a glow that reads on a 20–45 px stone without washing
/// out its facets.
pub const SPARKLE: f32 = 0.6;

impl GemQuality {
    /// WebGPU and native: 8 bounces, 4 rays, full per-channel paths.
    pub const HIGH: GemQuality = GemQuality {
        traced: true,
        max_bounces: 8,
        rays_per_pixel: 4,
        per_channel: true,
        sparkle: SPARKLE,
    };
    /// WebGL2: 6 bounces, 2 rays, still per-channel paths.
    pub const WEBGL2: GemQuality = GemQuality {
        traced: true,
        max_bounces: 6,
        rays_per_pixel: 2,
        per_channel: true,
        sparkle: SPARKLE,
    };
}

impl Default for GemQuality {
    fn default() -> Self {
        GemQuality::HIGH
    }
}

#[repr(C)]
#[derive(Clone, Copy, Debug, bytemuck::Pod, bytemuck::Zeroable)]
pub struct FrameUniform {
    clip_from_world: [[f32; 4]; 4],
    world_from_clip: [[f32; 4]; 4],
    eye_world: [f32; 4],
    params: [f32; 4],
    bg_uv: [f32; 4],
    env: [f32; 4],
    tint: [f32; 4],
    view_forward: [f32; 4],
    sh: [[f32; 4]; 9],
}

impl FrameUniform {
    pub fn new(
        camera: &CameraMatrices,
        lighting: &Lighting,
        gem: &GemQuality,
        background: &Background,
        env_max_lod: f32,
        sh9: &[[f32; 3]; 9],
    ) -> Self {
        let clip_from_world = camera.clip_from_view * camera.view_from_world;
        let gain = lighting
            .room
            .map_or([1.0; 3], |r| r.reflection_gain)
            .map(|g| g.clamp(0.0, 16.0));
        let bg_uv = match background {
            Background::Texture(t) => [t.scale[0], t.scale[1], t.offset[0], t.offset[1]],
            _ => [1.0, 1.0, 0.0, 0.0],
        };
        Self {
            clip_from_world: clip_from_world.to_cols_array_2d(),
            world_from_clip: clip_from_world.inverse().to_cols_array_2d(),
            eye_world: camera.eye_world.extend(1.0).into(),
            params: [
                lighting.exposure,
                env_max_lod,
                lighting.env_intensity,
                background.mode(),
            ],
            bg_uv,
            env: [
                lighting.env_yaw_rad,
                gem.max_bounces.min(16) as f32,
                gem.rays_per_pixel.clamp(1, 4) as f32,
                if gem.per_channel { 1.0 } else { 0.0 },
            ],
            tint: [gain[0], gain[1], gain[2], 1.0],
            view_forward: camera
                .view_from_world
                .inverse()
                .transform_vector3(Vec3::NEG_Z)
                .normalize_or(Vec3::NEG_Z)
                .extend(if gem.traced {
                    gem.sparkle.clamp(0.0, 1.0)
                } else {
                    0.0
                })
                .into(),
            sh: lighting
                .room
                .map_or(*sh9, |r| r.sh9_irradiance)
                .map(|c| [c[0], c[1], c[2], 0.0]),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uniform_layout_matches_wgsl_size() {
        // 2 mat4 + 6 vec4 + 9 vec4 as WGSL lays out `Frame`.
        assert_eq!(
            std::mem::size_of::<FrameUniform>(),
            2 * 64 + 6 * 16 + 9 * 16
        );
    }
}
