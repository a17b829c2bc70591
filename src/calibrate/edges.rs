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
    /// Sobel gradients of the blurred planes: at each pixel, those of whichever plane changes
    /// most there, since a card's side may show in luma along one stretch and only in hue along
    /// another (where the background matches the card's brightness). Border pixels get zero
    /// (they cannot hold a card's side that is also seen from its other side). `planes` is not
    /// empty and its images share one size.
    pub fn strongest(planes: &[GrayImage]) -> Gradients {
        let first = planes.first().expect("at least one plane");
        let (w, h) = (first.width as usize, first.height as usize);
        let mut gx = vec![0.0f32; w * h];
        let mut gy = vec![0.0f32; w * h];
        // Squared until the end: one square root per pixel, not one per plane.
        let mut magnitude = vec![0.0f32; w * h];
        let mut across = vec![0.0f32; w * h];
        let mut smooth = vec![0.0f32; w * h];
        for (k, plane) in planes.iter().enumerate() {
            binomial_blur(&plane.pixels, w, h, &mut across, &mut smooth);
            for y in 1..h.saturating_sub(1) {
                let above = &smooth[(y - 1) * w..y * w];
                let middle = &smooth[y * w..(y + 1) * w];
                let below = &smooth[(y + 1) * w..(y + 2) * w];
                let out = (y * w + 1)..((y + 1) * w - 1);
                let (gx_row, gy_row) = (&mut gx[out.clone()], &mut gy[out.clone()]);
                let m_row = &mut magnitude[out];
                // Row windows rather than indices: no bounds checks, so the loop vectorises.
                let windows = above
                    .windows(3)
                    .zip(middle.windows(3))
                    .zip(below.windows(3));
                for ((((t, m), b), (gx, gy)), mag) in windows
                    .zip(gx_row.iter_mut().zip(gy_row.iter_mut()))
                    .zip(m_row.iter_mut())
                {
                    let dx = (t[2] + 2.0 * m[2] + b[2]) - (t[0] + 2.0 * m[0] + b[0]);
                    let dy = (b[0] + 2.0 * b[1] + b[2]) - (t[0] + 2.0 * t[1] + t[2]);
                    let m2 = dx * dx + dy * dy;
                    // Selects rather than a branch, so that the loop vectorises.
                    let stronger = k == 0 || m2 > *mag;
                    *gx = if stronger { dx } else { *gx };
                    *gy = if stronger { dy } else { *gy };
                    *mag = if stronger { m2 } else { *mag };
                }
            }
        }
        for m in &mut magnitude {
            *m = m.sqrt();
        }
        Gradients {
            width: w,
            height: h,
            gx,
            gy,
            magnitude,
        }
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

/// A 5×5 binomial blur ([1 4 6 4 1]/16 twice, separable, edges clamped) into `out`, with
/// `across` as scratch: sensor noise and JPEG blocking would otherwise break a card's sides into
/// short pieces of random direction.
fn binomial_blur(pixels: &[u8], w: usize, h: usize, across: &mut [f32], out: &mut [f32]) {
    const K: [f32; 5] = [1.0 / 16.0, 4.0 / 16.0, 6.0 / 16.0, 4.0 / 16.0, 1.0 / 16.0];
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
    out.fill(0.0);
    for y in 0..h {
        for (k, weight) in K.iter().enumerate() {
            let yy = (y + k).saturating_sub(2).min(h - 1);
            let (src, dst) = (&across[yy * w..(yy + 1) * w], &mut out[y * w..(y + 1) * w]);
            for (d, s) in dst.iter_mut().zip(src) {
                *d += weight * s;
            }
        }
    }
}
