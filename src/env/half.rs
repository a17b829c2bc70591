//! f32 → IEEE 754 binary16 conversion, for Rgba16Float texture uploads (no `half` crate).

use super::rgbe::HdrImage;

/// Converts to half-precision bits with round-to-nearest-even. Overflow gives ±infinity, tiny
/// values become subnormals or ±0, NaN stays a (quiet) NaN.
pub fn f32_to_f16_bits(x: f32) -> u16 {
    let bits = x.to_bits();
    let sign = ((bits >> 16) & 0x8000) as u16;
    let exp = ((bits >> 23) & 0xff) as i32;
    let man = bits & 0x7f_ffff;

    if exp == 0xff {
        // Keep NaN a NaN even when its payload sits in the low bits that are dropped.
        return if man == 0 {
            sign | 0x7c00
        } else {
            sign | 0x7e00 | (man >> 13) as u16
        };
    }
    // Re-bias the exponent from 127 to 15.
    let e = exp - 127 + 15;
    if e >= 0x1f {
        return sign | 0x7c00;
    }
    if e <= 0 {
        // Subnormal half (or zero): value = m · 2^(exp − 150), half unit is 2^−24.
        if e < -10 {
            return sign;
        }
        let m = man | 0x80_0000;
        let shift = (14 - e) as u32;
        let mut h = m >> shift;
        let rem = m & ((1 << shift) - 1);
        let halfway = 1 << (shift - 1);
        if rem > halfway || (rem == halfway && h & 1 == 1) {
            // May carry into the smallest normal, which is the right encoding.
            h += 1;
        }
        return sign | h as u16;
    }
    let mut h = ((e as u32) << 10) | (man >> 13);
    let rem = man & 0x1fff;
    if rem > 0x1000 || (rem == 0x1000 && h & 1 == 1) {
        // A carry out of the mantissa bumps the exponent; at the top that is infinity, correctly.
        h += 1;
    }
    sign | h as u16
}

/// Converts half-precision bits back to f32 (exact).
pub fn f16_bits_to_f32(h: u16) -> f32 {
    let sign = if h & 0x8000 != 0 { -1.0 } else { 1.0 };
    let exp = ((h >> 10) & 0x1f) as i32;
    let man = (h & 0x3ff) as f32;
    match exp {
        0 => sign * man * (2.0f32).powi(-24),
        0x1f if man == 0.0 => sign * f32::INFINITY,
        0x1f => f32::NAN,
        _ => sign * (1.0 + man / 1024.0) * (2.0f32).powi(exp - 15),
    }
}

/// RGBA half-float texels (alpha 1) for an `Rgba16Float` upload, row-major, top row first.
pub fn rgba16f_texels(img: &HdrImage) -> Vec<[u16; 4]> {
    let one = f32_to_f16_bits(1.0);
    img.rgb
        .iter()
        .map(|c| {
            [
                f32_to_f16_bits(c[0]),
                f32_to_f16_bits(c[1]),
                f32_to_f16_bits(c[2]),
                one,
            ]
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_values() {
        let cases: [(f32, u16); 16] = [
            (0.0, 0x0000),
            (-0.0, 0x8000),
            (1.0, 0x3c00),
            (-2.0, 0xc000),
            (0.5, 0x3800),
            (0.1, 0x2e66),
            (1.0 / 3.0, 0x3555),
            (65504.0, 0x7bff),
            (65519.0, 0x7bff),
            (65520.0, 0x7c00),
            (1e10, 0x7c00),
            (f32::NEG_INFINITY, 0xfc00),
            (6.103_515_6e-5, 0x0400), // smallest normal, 2^-14
            (5.960_464_5e-8, 0x0001), // smallest subnormal, 2^-24
            (2.980_232_2e-8, 0x0000), // 2^-25: tie rounds to even (zero)
            (1e-10, 0x0000),
        ];
        for (x, want) in cases {
            assert_eq!(f32_to_f16_bits(x), want, "{x}");
        }
        // Just above 2^-25 rounds up to the smallest subnormal.
        assert_eq!(f32_to_f16_bits(3.0e-8), 0x0001);
        // 1 + 2^-11 is a tie between 1 and 1 + 2^-10: even wins.
        assert_eq!(f32_to_f16_bits(1.0 + 2f32.powi(-11)), 0x3c00);
        assert_eq!(f32_to_f16_bits(1.0 + 3.0 * 2f32.powi(-11)), 0x3c02);
        // Subnormal rounding carries into the smallest normal.
        assert_eq!(f32_to_f16_bits(6.102e-5), 0x0400);
        assert_eq!(f32_to_f16_bits(6.1e-5), 0x03ff);
        let nan = f32_to_f16_bits(f32::NAN);
        assert_eq!(nan & 0x7c00, 0x7c00);
        assert_ne!(nan & 0x3ff, 0);
    }

    #[test]
    fn round_trips_every_finite_half() {
        for h in 0..=u16::MAX {
            let x = f16_bits_to_f32(h);
            if x.is_nan() {
                continue;
            }
            assert_eq!(f32_to_f16_bits(x), h, "{h:#06x} -> {x}");
        }
    }

    #[test]
    fn texels_carry_alpha_one() {
        let img = HdrImage {
            width: 1,
            height: 1,
            rgb: vec![[2.0, 0.5, 0.0]],
        };
        assert_eq!(rgba16f_texels(&img), vec![[0x4000, 0x3800, 0, 0x3c00]]);
    }
}
