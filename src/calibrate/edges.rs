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
        // Per row: the vertical [1 2 1] sum and the vertical difference, so that each Sobel
        // output is three loads from two rows rather than eight from three.
        let mut column_sum = vec![0.0f32; w];
        let mut column_diff = vec![0.0f32; w];
        for (k, plane) in planes.iter().enumerate() {
            binomial_blur(&plane.pixels, w, h, &mut across, &mut smooth);
            for y in 1..h.saturating_sub(1) {
                let above = &smooth[(y - 1) * w..y * w];
                let middle = &smooth[y * w..(y + 1) * w];
                let below = &smooth[(y + 1) * w..(y + 2) * w];
                for (((s, d), (t, m)), b) in column_sum
                    .iter_mut()
                    .zip(column_diff.iter_mut())
                    .zip(above.iter().zip(middle))
                    .zip(below)
                {
                    *s = t + 2.0 * m + b;
                    *d = b - t;
                }
                let n = w - 2;
                let out = (y * w + 1)..(y * w + 1 + n);
                let (sum, diff) = (&column_sum[..n + 2], &column_diff[..n + 2]);
                let (gx_row, gy_row) = (&mut gx[out.clone()], &mut gy[out.clone()]);
                let m_row = &mut magnitude[out];
                // Indices into slices whose lengths the compiler sees: no bounds checks, so the
                // loop vectorises.
                for x in 0..n {
                    let dx = sum[x + 2] - sum[x];
                    let dy = diff[x] + 2.0 * diff[x + 1] + diff[x + 2];
                    let m2 = dx * dx + dy * dy;
                    // Selects rather than a branch, so that the loop vectorises.
                    let stronger = k == 0 || m2 > m_row[x];
                    gx_row[x] = if stronger { dx } else { gx_row[x] };
                    gy_row[x] = if stronger { dy } else { gy_row[x] };
                    m_row[x] = if stronger { m2 } else { m_row[x] };
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
        const RUN: usize = 8;
        for y in 2..h.saturating_sub(2) {
            let row = &self.magnitude[y * w..(y + 1) * w];
            let mut run_start = 2;
            while run_start < w - 2 {
                let run_end = (run_start + RUN).min(w - 2);
                let run = run_start..run_end;
                run_start = run_end;
                // Most of a frame is below the threshold: a run of it is passed over with one
                // test that vectorises.
                if row[run.clone()].iter().fold(0.0f32, |a, &b| a.max(b)) < threshold {
                    continue;
                }
                for x in run {
                    let i = y * w + x;
                    let m = row[x];
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
        }
        out
    }

    /// A magnitude threshold that adapts to the frame: a multiple of the median of the non-zero
    /// magnitudes, with a floor so a flat frame yields no edges from sensor noise.
    pub fn adaptive_threshold(&self) -> f32 {
        // A histogram, since a sort of a full frame would dominate the run time.
        let mut histogram = [0u32; 256];
        let mut count = 0u32;
        // Every third pixel: the median of a third of a frame's gradients is the median of all
        // of them to within a bin, at a third of the cost (this ran longer than the blur).
        for &m in self.magnitude.iter().step_by(3) {
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
    let clamped = |i: isize, n: usize| i.clamp(0, n as isize - 1) as usize;
    let mut floats = vec![0.0f32; w];
    for (row, dst) in pixels.chunks_exact(w).zip(across.chunks_exact_mut(w)) {
        // The row as floats first, so the interior below is arithmetic on offset slices, which
        // vectorises.
        for (f, &p) in floats.iter_mut().zip(row) {
            *f = f32::from(p);
        }
        if w >= 5 {
            let n = w - 4;
            let taps = floats[..n]
                .iter()
                .zip(&floats[1..n + 1])
                .zip(&floats[2..n + 2])
                .zip(&floats[3..n + 3])
                .zip(&floats[4..]);
            for (d, ((((a, b), c), e), f)) in dst[2..w - 2].iter_mut().zip(taps) {
                *d = binomial5(*a, *b, *c, *e, *f);
            }
        }
        for x in (0..w.min(2)).chain(w.saturating_sub(2).max(2)..w) {
            dst[x] = K
                .iter()
                .enumerate()
                .map(|(k, weight)| weight * floats[clamped(x as isize + k as isize - 2, w)])
                .sum();
        }
    }
    for (y, dst) in out.chunks_exact_mut(w).enumerate().take(h) {
        let row = |k: isize| {
            let yy = clamped(y as isize + k, h);
            &across[yy * w..(yy + 1) * w]
        };
        let (r0, r1, r2, r3, r4) = (row(-2), row(-1), row(0), row(1), row(2));
        for (((((d, a), b), c), e), f) in dst.iter_mut().zip(r0).zip(r1).zip(r2).zip(r3).zip(r4) {
            *d = binomial5(*a, *b, *c, *e, *f);
        }
    }
}

/// [1 4 6 4 1]/16 of five consecutive values: [`binomial_blur`]'s interior, both ways.
#[inline(always)]
fn binomial5(a: f32, b: f32, c: f32, d: f32, e: f32) -> f32 {
    (a + e + 4.0 * (b + d) + 6.0 * c) / 16.0
}
