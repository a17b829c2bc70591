//! `display_encode` of common.wgsl in Rust, so CPU references land in the same display values
//! as the GPU: exposure, ACES (Hill's fit) and the sRGB transfer curve.

use glam::{DMat3, DVec3};

/// Linear scene radiance → display value in 0..1, exactly as `display_encode` in common.wgsl.
pub fn display_encode(color_linear: DVec3, exposure: f64) -> DVec3 {
    let c = aces_fitted(color_linear * exposure / 0.6);
    DVec3::new(to_srgb(c.x), to_srgb(c.y), to_srgb(c.z))
}

fn aces_fitted(color: DVec3) -> DVec3 {
    let aces_in = DMat3::from_cols(
        DVec3::new(0.59719, 0.07600, 0.02840),
        DVec3::new(0.35458, 0.90834, 0.13383),
        DVec3::new(0.04823, 0.01566, 0.83777),
    );
    let aces_out = DMat3::from_cols(
        DVec3::new(1.60475, -0.10208, -0.00327),
        DVec3::new(-0.53108, 1.10813, -0.07276),
        DVec3::new(-0.07367, -0.00605, 1.07602),
    );
    let v = aces_in * color;
    let a = v * (v + 0.0245786) - 0.000090537;
    let b = v * (0.983729 * v + 0.4329510) + 0.238081;
    (aces_out * (a / b)).clamp(DVec3::ZERO, DVec3::ONE)
}

/// The sRGB transfer curve undone: a display value 0..1 to linear light.
pub fn srgb_to_linear(c: f64) -> f64 {
    if c <= 0.04045 {
        c / 12.92
    } else {
        ((c + 0.055) / 1.055).powf(2.4)
    }
}

fn to_srgb(c: f64) -> f64 {
    if c <= 0.0031308 {
        c * 12.92
    } else {
        1.055 * c.powf(1.0 / 2.4) - 0.055
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn black_stays_black_and_bright_saturates() {
        assert!(display_encode(DVec3::ZERO, 1.0).max_element() < 0.01);
        assert!(display_encode(DVec3::splat(100.0), 1.0).min_element() > 0.99);
        let mid = display_encode(DVec3::splat(0.18), 1.0);
        assert!(mid.x > 0.3 && mid.x < 0.7 && (mid.x - mid.z).abs() < 0.01);
    }

    #[test]
    fn srgb_decoding_inverts_the_encoding() {
        for v in [0.0, 0.002, 0.04, 0.2, 0.5, 1.0] {
            assert!((srgb_to_linear(to_srgb(v)) - v).abs() < 1e-12, "{v}");
        }
    }
}
