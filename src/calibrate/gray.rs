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
        // Written into a buffer of known size rather than collected, so the loop vectorises.
        let mut pixels = vec![0u8; rgba.len() / 4];
        for (luma, p) in pixels.iter_mut().zip(rgba.chunks_exact(4)) {
            *luma = luma_of(p[0], p[1], p[2]);
        }
        Ok(GrayImage {
            width,
            height,
            pixels,
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
        if factor <= 1 {
            return self.clone();
        }
        let (w, h) = (self.width / factor, self.height / factor);
        let f = factor as usize;
        let mut sums = vec![0u32; w as usize];
        let mut pixels = Vec::with_capacity((w * h) as usize);
        for row in 0..h as usize {
            sums.iter_mut().for_each(|s| *s = 0);
            for dy in 0..f {
                let line = &self.pixels[(row * f + dy) * self.width as usize..];
                for (x, s) in sums.iter_mut().enumerate() {
                    *s += line[x * f..x * f + f]
                        .iter()
                        .map(|&v| u32::from(v))
                        .sum::<u32>();
                }
            }
            let area = (f * f) as u32;
            pixels.extend(sums.iter().map(|s| ((s + area / 2) / area) as u8));
        }
        GrayImage {
            width: w,
            height: h,
            pixels,
        }
    }
}

/// BT.601 luma in integers (weights 77, 150, 29 of 256).
fn luma_of(r: u8, g: u8, b: u8) -> u8 {
    ((77 * u32::from(r) + 150 * u32::from(g) + 29 * u32::from(b)) >> 8) as u8
}

fn check_size(width: u32, height: u32, len: usize, channels: usize) -> Result<(), CardError> {
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
