//! Edge pixels: Sobel gradients and non-maximum suppression, so that each edge is one pixel thick
//! and carries its direction (the card's sides are found from chains of these).

use super::gray::GrayImage;

/// Gradients of a working image. Sobel values are in grey levels per pixel × 4 (the kernel's
/// weight), kept unnormalised because only ratios and thresholds scaled alike are used.
pub(crate) struct Gradients {
    pub width: usize,
    pub height: usize,
    pub gx: Vec<f32>,
    pub gy: Vec<f32>,
    pub magnitude: Vec<f32>,
}

/// One edge pixel that survived non-maximum suppression.
#[derive(Clone, Copy, Debug)]
pub(crate) struct EdgePixel {
    pub x: u32,
    pub y: u32,
}

impl Gradients {
    /// Sobel gradients; border pixels get zero (they cannot hold a card's side that is also
    /// seen from its other side).
    pub fn sobel(image: &GrayImage) -> Gradients {
        let (w, h) = (image.width as usize, image.height as usize);
        let smooth = binomial_blur(&image.pixels, w, h);
        let mut gx = vec![0.0f32; w * h];
        let mut gy = vec![0.0f32; w * h];
        let mut magnitude = vec![0.0f32; w * h];
        let p = &smooth;
        for y in 1..h - 1 {
            for x in 1..w - 1 {
                let i = y * w + x;
                let v = |j: usize| p[j];
                let (a, b, c) = (v(i - w - 1), v(i - w), v(i - w + 1));
                let (d, f) = (v(i - 1), v(i + 1));
                let (g, hh, k) = (v(i + w - 1), v(i + w), v(i + w + 1));
                let dx = (c + 2.0 * f + k) - (a + 2.0 * d + g);
                let dy = (g + 2.0 * hh + k) - (a + 2.0 * b + c);
                gx[i] = dx;
                gy[i] = dy;
                magnitude[i] = (dx * dx + dy * dy).sqrt();
            }
        }
        Gradients {
            width: w,
            height: h,
            gx,
            gy,
            magnitude,
        }
    }

    /// At each pixel, the gradient of whichever plane changes most there: a card's side may show
    /// in luma along one stretch and only in hue along another (where the background matches
    /// the card's brightness). `planes` is not empty and its images share one size.
    pub fn strongest(planes: &[GrayImage]) -> Gradients {
        let mut all = planes.iter().map(Gradients::sobel);
        let mut best = all.next().expect("at least one plane");
        for other in all {
            for i in 0..best.magnitude.len() {
                if other.magnitude[i] > best.magnitude[i] {
                    best.gx[i] = other.gx[i];
                    best.gy[i] = other.gy[i];
                    best.magnitude[i] = other.magnitude[i];
                }
            }
        }
        best
    }

    /// Pixels whose magnitude is at least `threshold` and a local maximum across the edge (the
    /// gradient direction quantised to 4 neighbourhoods).
    pub fn thin_edges(&self, threshold: f32) -> Vec<EdgePixel> {
        let (w, h) = (self.width, self.height);
        let mut out = Vec::new();
        for y in 2..h.saturating_sub(2) {
            for x in 2..w - 2 {
                let i = y * w + x;
                let m = self.magnitude[i];
                if m < threshold {
                    continue;
                }
                let (dx, dy) = (self.gx[i], self.gy[i]);
                // tan(22.5°) ≈ 0.414 splits the four directions.
                let step = if dy.abs() <= 0.414 * dx.abs() {
                    1isize
                } else if dx.abs() <= 0.414 * dy.abs() {
                    w as isize
                } else if (dx > 0.0) == (dy > 0.0) {
                    w as isize + 1
                } else {
                    w as isize - 1
                };
                let before = self.magnitude[(i as isize - step) as usize];
                let after = self.magnitude[(i as isize + step) as usize];
                // Strict on one side only, so a plateau two pixels wide keeps one pixel.
                if m > before && m >= after {
                    out.push(EdgePixel {
                        x: x as u32,
                        y: y as u32,
                    });
                }
            }
        }
        out
    }

    /// A magnitude threshold that adapts to the frame: a multiple of the median of the non-zero
    /// magnitudes, with a floor so a flat frame yields no edges from sensor noise.
    pub fn adaptive_threshold(&self) -> f32 {
        // A histogram, since a sort of a full frame would dominate the run time.
        let mut histogram = [0u32; 256];
        let mut count = 0u32;
        for &m in &self.magnitude {
            if m > 0.0 {
                histogram[(m as usize / 4).min(255)] += 1;
                count += 1;
            }
        }
        let mut seen = 0u32;
        let mut median = 0.0;
        for (bin, &n) in histogram.iter().enumerate() {
            seen += n;
            if seen * 2 >= count {
                median = bin as f32 * 4.0 + 2.0;
                break;
            }
        }
        (1.5 * median).clamp(24.0, 160.0)
    }
}

/// A 5×5 binomial blur ([1 4 6 4 1]/16 twice, separable, edges clamped): sensor noise and JPEG
/// blocking would otherwise break a card's sides into short pieces of random direction.
fn binomial_blur(pixels: &[u8], w: usize, h: usize) -> Vec<f32> {
    const K: [f32; 5] = [1.0 / 16.0, 4.0 / 16.0, 6.0 / 16.0, 4.0 / 16.0, 1.0 / 16.0];
    let mut across = vec![0.0f32; w * h];
    let clamped = |x: usize, k: usize| (x + k).saturating_sub(2).min(w - 1);
    for y in 0..h {
        let row = &pixels[y * w..(y + 1) * w];
        let out = &mut across[y * w..(y + 1) * w];
        for (x, o) in out.iter_mut().enumerate() {
            *o = if x >= 2 && x + 2 < w {
                // The interior, without clamping: most of the frame.
                let v = |i: usize| f32::from(row[i]);
                (v(x - 2) + v(x + 2) + 4.0 * (v(x - 1) + v(x + 1)) + 6.0 * v(x)) / 16.0
            } else {
                K.iter()
                    .enumerate()
                    .map(|(k, weight)| weight * f32::from(row[clamped(x, k)]))
                    .sum()
            };
        }
    }
    let mut out = vec![0.0f32; w * h];
    for y in 0..h {
        for (k, weight) in K.iter().enumerate() {
            let yy = (y + k).saturating_sub(2).min(h - 1);
            let (src, dst) = (&across[yy * w..(yy + 1) * w], &mut out[y * w..(y + 1) * w]);
            for (d, s) in dst.iter_mut().zip(src) {
                *d += weight * s;
            }
        }
    }
    out
}
