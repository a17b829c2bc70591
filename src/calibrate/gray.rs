//! Greyscale frames: validation, luma from RGBA, box downscaling and bilinear sampling.
//!
//! Coordinates are continuous pixels: pixel (x, y) covers [x, x + 1) × [y, y + 1), so its centre is
//! at (x + 0.5, y + 0.5). Corners reported by the detector use the same convention.

use glam::Vec2;

use super::CardError;

/// Smallest accepted side, px: below this there is no room for a 40 px card and its surround.
pub const MIN_SIDE_PX: u32 = 32;
/// Largest accepted side, px (8k); beyond this a frame is almost surely a mistake, and the buffers
/// would be hundreds of MB.
pub const MAX_SIDE_PX: u32 = 8192;

/// An 8-bit greyscale image, row-major, one byte per pixel.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GrayImage {
    /// Width in px.
    pub width: u32,
    /// Height in px.
    pub height: u32,
    /// `width * height` luma values, row by row from the top.
    pub pixels: Vec<u8>,
}

impl GrayImage {
    /// Wraps grey pixels, checking the size.
    pub fn new(width: u32, height: u32, pixels: Vec<u8>) -> Result<GrayImage, CardError> {
        check_size(width, height, pixels.len(), 1)?;
        Ok(GrayImage {
            width,
            height,
            pixels,
        })
    }

    /// Luma (BT.601 weights, in integers) from RGBA bytes; alpha is ignored because camera frames
    /// are opaque.
    pub fn from_rgba8(width: u32, height: u32, rgba: &[u8]) -> Result<GrayImage, CardError> {
        check_size(width, height, rgba.len(), 4)?;
        Ok(GrayImage {
            width,
            height,
            pixels: map_rgba8(rgba, luma_of),
        })
    }

    /// Checks that the size is within limits and matches the buffer (the fields are public, so a
    /// value built by hand may not).
    pub fn validate(&self) -> Result<(), CardError> {
        check_size(self.width, self.height, self.pixels.len(), 1)
    }

    /// Size as a vector, px.
    pub fn size_px(&self) -> Vec2 {
        Vec2::new(self.width as f32, self.height as f32)
    }

    /// Bilinear sample at a continuous point (see the module doc); clamps at the border, so every
    /// finite point gives a value.
    pub(crate) fn sample(&self, p: Vec2) -> f32 {
        let (w, h) = (self.width as usize, self.height as usize);
        let x = (p.x - 0.5).clamp(0.0, (w - 1) as f32);
        let y = (p.y - 0.5).clamp(0.0, (h - 1) as f32);
        if !(x.is_finite() && y.is_finite()) {
            return 0.0;
        }
        let (x0, y0) = (x as usize, y as usize);
        let (x1, y1) = ((x0 + 1).min(w - 1), (y0 + 1).min(h - 1));
        let (fx, fy) = (x - x0 as f32, y - y0 as f32);
        let at = |x: usize, y: usize| f32::from(self.pixels[y * w + x]);
        let top = at(x0, y0) * (1.0 - fx) + at(x1, y0) * fx;
        let bottom = at(x0, y1) * (1.0 - fx) + at(x1, y1) * fx;
        top * (1.0 - fy) + bottom * fy
    }

    /// Averages `factor` × `factor` blocks (the area filter, which keeps edges where they were:
    /// working pixel (x, y) covers full-resolution [x·f, x·f + f)). Partial blocks at the right
    /// and bottom are dropped.
    pub(crate) fn downscale(&self, factor: u32) -> GrayImage {
        // A constant factor lets the compiler unroll each block's sum and turn the division into
        // a multiplication: the generic loop cost as much as the whole frame's gradients.
        match factor {
            0 | 1 => self.clone(),
            2 => self.downscale_by::<2>(),
            3 => self.downscale_by::<3>(),
            4 => self.downscale_by::<4>(),
            _ => self.downscale_by_any(factor as usize),
        }
    }

    fn downscale_by<const F: usize>(&self) -> GrayImage {
        self.block_means(F, |column_sums, out| {
            out.extend(column_sums.chunks_exact(F).map(|block| {
                ((block.iter().sum::<u32>() + (F * F / 2) as u32) / (F * F) as u32) as u8
            }))
        })
    }

    fn downscale_by_any(&self, f: usize) -> GrayImage {
        let area = (f * f) as u32;
        self.block_means(f, |column_sums, out| {
            out.extend(
                column_sums
                    .chunks_exact(f)
                    .map(|block| ((block.iter().sum::<u32>() + area / 2) / area) as u8),
            )
        })
    }

    /// Each block's rows are summed down the columns first (a loop that vectorises), then
    /// `means` appends a block row's means, from its column sums, to the output.
    fn block_means(&self, f: usize, means: impl Fn(&[u32], &mut Vec<u8>)) -> GrayImage {
        let (w, h) = (self.width as usize / f, self.height as usize / f);
        let full_width = self.width as usize;
        let mut column_sums = vec![0u32; w * f];
        let mut pixels = Vec::with_capacity(w * h);
        for block_row in self.pixels.chunks_exact(f * full_width).take(h) {
            column_sums.iter_mut().for_each(|s| *s = 0);
            for line in block_row.chunks_exact(full_width) {
                for (s, &v) in column_sums.iter_mut().zip(line) {
                    *s += u32::from(v);
                }
            }
            means(&column_sums, &mut pixels);
        }
        GrayImage {
            width: w as u32,
            height: h as u32,
            pixels,
        }
    }
}

/// BT.601 luma in integers (weights 77, 150, 29 of 256).
fn luma_of(r: i32, g: i32, b: i32) -> u8 {
    ((77 * r + 150 * g + 29 * b) >> 8) as u8
}

/// `f(r, g, b)` of each pixel of RGBA bytes. Each pixel is read as one little-endian word and
/// split by shifts, and written into a buffer of known size: the loop vectorises, where
/// byte-by-byte reads of interleaved channels did not (this runs on every pixel of every frame).
pub(crate) fn map_rgba8(rgba: &[u8], f: impl Fn(i32, i32, i32) -> u8) -> Vec<u8> {
    let mut out = vec![0u8; rgba.len() / 4];
    for (v, p) in out.iter_mut().zip(rgba.chunks_exact(4)) {
        let word = u32::from_le_bytes([p[0], p[1], p[2], p[3]]);
        let channel = |shift: u32| ((word >> shift) & 0xff) as i32;
        *v = f(channel(0), channel(8), channel(16));
    }
    out
}

pub(crate) fn check_size(
    width: u32,
    height: u32,
    len: usize,
    channels: usize,
) -> Result<(), CardError> {
    if width < MIN_SIDE_PX || height < MIN_SIDE_PX {
        return Err(CardError::TooSmall { width, height });
    }
    if width > MAX_SIDE_PX || height > MAX_SIDE_PX {
        return Err(CardError::TooLarge { width, height });
    }
    let expected = width as usize * height as usize * channels;
    if len != expected {
        return Err(CardError::SizeMismatch {
            expected,
            actual: len,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_are_validated() {
        assert!(matches!(
            GrayImage::from_rgba8(0, 0, &[]),
            Err(CardError::TooSmall { .. })
        ));
        assert!(matches!(
            GrayImage::from_rgba8(31, 100, &[0; 31 * 100 * 4]),
            Err(CardError::TooSmall { .. })
        ));
        assert!(matches!(
            GrayImage::from_rgba8(9000, 40, &[]),
            Err(CardError::TooLarge { .. })
        ));
        assert!(matches!(
            GrayImage::from_rgba8(40, 40, &[0; 40 * 40 * 3]),
            Err(CardError::SizeMismatch { .. })
        ));
        assert!(GrayImage::new(40, 40, vec![0; 1600]).is_ok());
    }

    #[test]
    fn downscale_averages_each_block_and_luma_weighs_each_channel() {
        let (w, h) = (47u32, 35u32);
        let rgba: Vec<u8> = (0..w * h)
            .flat_map(|i| {
                let v = i.wrapping_mul(2_654_435_761);
                [(v >> 8) as u8, (v >> 16) as u8, (v >> 24) as u8, v as u8]
            })
            .collect();
        let image = GrayImage::from_rgba8(w, h, &rgba).unwrap();
        for (luma, p) in image.pixels.iter().zip(rgba.chunks_exact(4)) {
            let [r, g, b] = [p[0], p[1], p[2]].map(u32::from);
            assert_eq!(u32::from(*luma), (77 * r + 150 * g + 29 * b) >> 8, "{p:?}");
        }
        for factor in [2u32, 3, 4, 5] {
            let small = image.downscale(factor);
            assert_eq!((small.width, small.height), (w / factor, h / factor));
            for y in 0..small.height {
                for x in 0..small.width {
                    let mut sum = 0;
                    for yy in y * factor..(y + 1) * factor {
                        for xx in x * factor..(x + 1) * factor {
                            sum += u32::from(image.pixels[(yy * w + xx) as usize]);
                        }
                    }
                    let area = factor * factor;
                    let got = small.pixels[(y * small.width + x) as usize];
                    assert_eq!(
                        u32::from(got),
                        (sum + area / 2) / area,
                        "×{factor} at ({x}, {y})"
                    );
                }
            }
        }
    }

    #[test]
    fn luma_and_downscale() {
        let rgba: Vec<u8> = (0..64 * 32).flat_map(|_| [255, 255, 255, 0]).collect();
        let image = GrayImage::from_rgba8(64, 32, &rgba).unwrap();
        assert!(image.pixels.iter().all(|&v| v == 255));
        let small = image.downscale(3);
        assert_eq!((small.width, small.height), (21, 10));
        assert!(small.pixels.iter().all(|&v| v == 255));
        assert_eq!(image.sample(Vec2::new(-5.0, f32::NAN)), 0.0);
    }
}
