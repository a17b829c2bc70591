//! The lighting environment, CPU side: reading and writing Radiance `.hdr` files, the procedural
//! studio, and GGX prefiltering plus SH9 irradiance for split-sum image-based lighting.
//!
//! Equirectangular convention used everywhere here and in the shaders (see [`studio`]):
//! `u = 0.5 + atan2(d.x, −d.z) / 2π`, `v = acos(d.y) / π`, so `v = 0` is straight up (+Y) and
//! `u = 0.5` looks towards −Z.

pub mod camera_light;
pub mod half;
pub mod prefilter;
pub mod rgbe;
pub mod studio;

pub use half::{f16_bits_to_f32, f32_to_f16_bits, rgba16f_texels};
pub use prefilter::{eval_sh9, irradiance_sh9, prefilter, PrefilteredEnv};
pub use rgbe::{decode_hdr, encode_hdr, HdrImage};
pub use studio::{dir_to_equirect_uv, equirect_uv_to_dir, studio_environment};

/// Errors from reading environment maps.
#[derive(Debug, thiserror::Error)]
pub enum EnvError {
    /// The file ended before the named part was complete.
    #[error("Radiance HDR is truncated: {0}")]
    Truncated(&'static str),
    /// The header is not a Radiance header.
    #[error("not a Radiance HDR file: {0}")]
    BadHeader(String),
    /// A pixel format other than 32-bit RLE RGBE (e.g. XYZE).
    #[error("unsupported HDR pixel format {0:?}; only 32-bit_rle_rgbe is supported")]
    UnsupportedFormat(String),
    /// A resolution line other than `-Y h +X w`.
    #[error("unsupported HDR orientation {0:?}; only \"-Y height +X width\" is supported")]
    UnsupportedOrientation(String),
    /// Zero or larger than the cap on either side.
    #[error("HDR size {width}x{height} is outside 1..={max} per side")]
    BadSize {
        /// Width in pixels.
        width: u64,
        /// Height in pixels.
        height: u64,
        /// The largest accepted side.
        max: u32,
    },
    /// A run-length encoded scanline that does not add up.
    #[error("corrupt run-length data in scanline {row}: {reason}")]
    BadRle {
        /// Scanline index from the top.
        row: u32,
        /// What was wrong.
        reason: &'static str,
    },
}
