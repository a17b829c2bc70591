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
        if w < 3 || h < 3 {
            let zeros = vec![0.0f32; w * h];
            return Gradients {
                width: w,
                height: h,
                gx: zeros.clone(),
                gy: zeros.clone(),
                magnitude: zeros,
            };
        }
        // The first plane's rows are appended as they are made, rather than written over frames
        // zeroed first, which would write each frame twice. Later planes replace them where they
        // are stronger. The border rows are zero: the top one first, the bottom one last (later
        // planes only reach the rows between).
        let zeros = vec![0.0f32; w];
        let mut gx = Vec::with_capacity(w * h);
        let mut gy = Vec::with_capacity(w * h);
        let mut magnitude = Vec::with_capacity(w * h);
        for out in [&mut gx, &mut gy, &mut magnitude] {
            out.extend_from_slice(&zeros);
        }
        let mut blur = StreamingBlur::new(w, h);
        let mut sobel = SobelRow::new(w);
        let last = planes.len() - 1;
        for (k, plane) in planes.iter().enumerate() {
            blur.start(&plane.pixels);
            for y in 1..h - 1 {
                sobel.compute(blur.rows_around(y));
                let (dx, dy, m2) = (&sobel.dx[..w], &sobel.dy[..w], &mut sobel.m2[..w]);
                // Squared until the last plane: one square root per pixel, not one per plane.
                if k == 0 {
                    if k == last {
                        m2.iter_mut().for_each(|m| *m = m.sqrt());
                    }
                    gx.extend_from_slice(dx);
                    gy.extend_from_slice(dy);
                    magnitude.extend_from_slice(m2);
                    continue;
                }
                let row = y * w..(y + 1) * w;
                let (gx_row, gy_row) = (&mut gx[row.clone()], &mut gy[row.clone()]);
                let m_row = &mut magnitude[row];
                keep_stronger([gx_row, gy_row, m_row], [dx, dy, m2]);
                if k == last {
                    m_row.iter_mut().for_each(|m| *m = m.sqrt());
                }
            }
        }
        for out in [&mut gx, &mut gy, &mut magnitude] {
            out.extend_from_slice(&zeros);
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
        if w < 5 || h < 5 {
            return out;
        }
        // x runs over 2..w − 2; index i of a row's slices is x = i + 2.
        let n = w - 4;
        let mut kept = [0u8; SPAN];
        for y in 2..h - 2 {
            let slices = |plane, row| shifted_rows(plane, w, row);
            let rows = Neighbourhood {
                above: slices(&self.magnitude, y - 1),
                row: slices(&self.magnitude, y),
                below: slices(&self.magnitude, y + 1),
                gx: slices(&self.gx, y).1,
                gy: slices(&self.gy, y).1,
            };
            // Most of a frame is under the threshold: a span of it is passed over with one test
            // that vectorises.
            for start in (0..n).step_by(SPAN) {
                let span = start..(start + SPAN).min(n);
                let centre = &rows.row.1[span.clone()];
                if !centre.iter().fold(false, |any, &m| any | (m >= threshold)) {
                    continue;
                }
                let kept = &mut kept[..span.len()];
                rows.maxima(span, threshold, kept);
                for (i, _) in kept.iter().enumerate().filter(|(_, &k)| k != 0) {
                    out.push(EdgePixel {
                        x: (start + i + 2) as u32,
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

/// One row of Sobel gradients (unnormalised, see [`Gradients`]) from three blurred rows.
struct SobelRow {
    /// The vertical [1 2 1] sums and the vertical differences, so that each output is three
    /// loads from two rows rather than eight from three.
    column_sum: Vec<f32>,
    column_diff: Vec<f32>,
    /// The row's gradients and squared magnitudes; the first and last stay zero.
    dx: Vec<f32>,
    dy: Vec<f32>,
    m2: Vec<f32>,
}

impl SobelRow {
    fn new(w: usize) -> SobelRow {
        SobelRow {
            column_sum: vec![0.0; w],
            column_diff: vec![0.0; w],
            dx: vec![0.0; w],
            dy: vec![0.0; w],
            m2: vec![0.0; w],
        }
    }

    fn compute(&mut self, rows: [&[f32]; 3]) {
        sobel_row(
            rows,
            [&mut self.column_sum, &mut self.column_diff],
            [&mut self.dx, &mut self.dy, &mut self.m2],
        );
    }
}

/// [`SobelRow::compute`]'s work, in a function of its own (as are the other per-pixel loops here)
/// so that the compiler knows its rows do not overlap, without which its loops do not vectorise.
fn sobel_row(
    [above, middle, below]: [&[f32]; 3],
    [column_sum, column_diff]: [&mut [f32]; 2],
    [dx, dy, m2]: [&mut [f32]; 3],
) {
    for (((s, d), (t, m)), b) in column_sum
        .iter_mut()
        .zip(column_diff.iter_mut())
        .zip(above.iter().zip(middle))
        .zip(below)
    {
        *s = t + 2.0 * m + b;
        *d = b - t;
    }
    let n = dx.len() - 2;
    let (sum, diff) = (&column_sum[..n + 2], &column_diff[..n + 2]);
    let (dx, dy, m2) = (&mut dx[1..n + 1], &mut dy[1..n + 1], &mut m2[1..n + 1]);
    // Indices into slices whose lengths the compiler sees: no bounds checks.
    for x in 0..n {
        dx[x] = sum[x + 2] - sum[x];
        dy[x] = diff[x] + 2.0 * diff[x + 1] + diff[x + 2];
        m2[x] = dx[x] * dx[x] + dy[x] * dy[x];
    }
}

/// Where the new gradient (x, y and squared magnitude) is stronger than the kept one, it replaces
/// it (a function of its own: see [`sobel_row`]).
fn keep_stronger([kept_x, kept_y, kept_m]: [&mut [f32]; 3], [new_x, new_y, new_m]: [&[f32]; 3]) {
    for (((old_x, old_y), old_m), ((&x, &y), &m)) in kept_x
        .iter_mut()
        .zip(kept_y.iter_mut())
        .zip(kept_m.iter_mut())
        .zip(new_x.iter().zip(new_y).zip(new_m))
    {
        // Selects rather than branches, so that the loop vectorises.
        let stronger = m > *old_m;
        *old_x = if stronger { x } else { *old_x };
        *old_y = if stronger { y } else { *old_y };
        *old_m = if stronger { m } else { *old_m };
    }
}

/// Pixels of a row that [`Gradients::thin_edges`] tests at once.
const SPAN: usize = 16;

/// A row's magnitudes with those of the rows above and below, each as left neighbours, pixels
/// and right neighbours (see [`shifted_rows`]), and the row's gradients.
struct Neighbourhood<'a> {
    above: (&'a [f32], &'a [f32], &'a [f32]),
    row: (&'a [f32], &'a [f32], &'a [f32]),
    below: (&'a [f32], &'a [f32], &'a [f32]),
    gx: &'a [f32],
    gy: &'a [f32],
}

impl<'a> Neighbourhood<'a> {
    /// Into `kept` (one per index of `span`), 1 where the magnitude is at least `threshold` and a
    /// local maximum across the edge (the gradient direction quantised to 4 neighbourhoods).
    fn maxima(&self, span: std::ops::Range<usize>, threshold: f32, kept: &mut [u8]) {
        let part = |s: &'a [f32]| -> &'a [f32] { &s[span.clone()] };
        let [up_l, up_c, up_r] = [part(self.above.0), part(self.above.1), part(self.above.2)];
        let [left, centre, right] = [part(self.row.0), part(self.row.1), part(self.row.2)];
        let [down_l, down_c, down_r] = [part(self.below.0), part(self.below.1), part(self.below.2)];
        let (gx, gy) = (part(self.gx), part(self.gy));
        let n = kept.len().min(span.len());
        for i in 0..n {
            let m = centre[i];
            let (dx, dy) = (gx[i], gy[i]);
            // tan(22.5°) ≈ 0.414 splits the four directions. Every neighbour is loaded and one
            // selected, rather than branched to, so that the loop vectorises.
            let across = dy.abs() <= 0.414 * dx.abs();
            let along_y = dx.abs() <= 0.414 * dy.abs();
            let falling = (dx > 0.0) == (dy > 0.0);
            let (before_diagonal, after_diagonal) = if falling {
                (up_l[i], down_r[i])
            } else {
                (up_r[i], down_l[i])
            };
            let before = if across {
                left[i]
            } else if along_y {
                up_c[i]
            } else {
                before_diagonal
            };
            let after = if across {
                right[i]
            } else if along_y {
                down_c[i]
            } else {
                after_diagonal
            };
            // Strict on one side only, so a plateau two pixels wide keeps one pixel.
            kept[i] = u8::from((m >= threshold) & (m > before) & (m >= after));
        }
    }
}

/// Row `row` of a `w`-wide plane as three slices of length w − 4 starting at x = 1, 2 and 3: the
/// left neighbours, the pixels themselves and the right neighbours of x in 2..w − 2, of one
/// length so that loops over them have no bounds checks and vectorise.
fn shifted_rows(plane: &[f32], w: usize, row: usize) -> (&[f32], &[f32], &[f32]) {
    let r = &plane[row * w..(row + 1) * w];
    let n = w - 4;
    (&r[1..n + 1], &r[2..n + 2], &r[3..n + 3])
}

/// A 5×5 binomial blur ([1 4 6 4 1]/16 twice, separable, edges clamped), produced a row at a time
/// for the Sobel filter that follows it: sensor noise and JPEG blocking would otherwise break a
/// card's sides into short pieces of random direction.
///
/// It works on rings of a few rows, which stay in cache, rather than on whole blurred frames,
/// and in u16: the horizontal pass is at most 16 × 255 and the vertical one 256 × 255, both
/// exact, so the rows it hands out (converted to floats over 256) are the exact blur.
struct StreamingBlur<'p> {
    pixels: &'p [u8],
    w: usize,
    h: usize,
    /// Horizontal blurs × 16 of image rows y − 2 ..= y + 2, row r in slot r mod 5.
    across: [Vec<u16>; 5],
    /// Full blurs of rows y − 1 ..= y + 1, row r in slot r mod 3.
    smooth: [Vec<f32>; 3],
    /// Rows [`Self::across`] and [`Self::smooth`] hold up to, exclusive.
    across_done: usize,
    smooth_done: usize,
}

impl<'p> StreamingBlur<'p> {
    fn new(w: usize, h: usize) -> StreamingBlur<'p> {
        StreamingBlur {
            pixels: &[],
            w,
            h,
            across: std::array::from_fn(|_| vec![0; w]),
            smooth: std::array::from_fn(|_| vec![0.0; w]),
            across_done: 0,
            smooth_done: 0,
        }
    }

    /// Starts on a plane of the size given to [`Self::new`].
    fn start(&mut self, pixels: &'p [u8]) {
        debug_assert_eq!(pixels.len(), self.w * self.h);
        self.pixels = pixels;
        self.across_done = 0;
        self.smooth_done = 0;
    }

    /// The blurred rows y − 1, y and y + 1, for y rising from 1 to h − 2 by one.
    fn rows_around(&mut self, y: usize) -> [&[f32]; 3] {
        while self.smooth_done <= y + 1 {
            self.blur_row(self.smooth_done);
            self.smooth_done += 1;
        }
        let [a, b, c] = [(y - 1) % 3, y % 3, (y + 1) % 3];
        [&self.smooth[a], &self.smooth[b], &self.smooth[c]]
    }

    /// The full blur of row `y` into its slot; the rows before it were blurred already.
    fn blur_row(&mut self, y: usize) {
        let last = self.h - 1;
        while self.across_done <= (y + 2).min(last) {
            self.blur_across(self.across_done);
            self.across_done += 1;
        }
        let row = |k: isize| &self.across[((y as isize + k).clamp(0, last as isize) as usize) % 5];
        vertical_blur(
            [row(-2), row(-1), row(0), row(1), row(2)],
            &mut self.smooth[y % 3],
        );
    }

    /// The horizontal blur × 16 of image row `y` into its slot.
    fn blur_across(&mut self, y: usize) {
        let w = self.w;
        horizontal_blur(&self.pixels[y * w..(y + 1) * w], &mut self.across[y % 5]);
    }
}

/// The horizontal blur × 16 of a row, edges clamped (a function of its own: see [`sobel_row`]).
fn horizontal_blur(row: &[u8], out: &mut [u16]) {
    let w = row.len();
    if w >= 5 {
        let n = w - 4;
        let taps = row[..n]
            .iter()
            .zip(&row[1..n + 1])
            .zip(&row[2..n + 2])
            .zip(&row[3..n + 3])
            .zip(&row[4..]);
        for (d, ((((&a, &b), &c), &e), &f)) in out[2..w - 2].iter_mut().zip(taps) {
            *d = binomial5(a.into(), b.into(), c.into(), e.into(), f.into());
        }
    }
    let at = |x: isize| u16::from(row[x.clamp(0, w as isize - 1) as usize]);
    for x in (0..w.min(2)).chain(w.saturating_sub(2).max(2)..w) {
        let x = x as isize;
        out[x as usize] = binomial5(at(x - 2), at(x - 1), at(x), at(x + 1), at(x + 2));
    }
}

/// The vertical blur of five horizontally blurred rows, over 256: the full blur, exact.
fn vertical_blur([r0, r1, r2, r3, r4]: [&[u16]; 5], out: &mut [f32]) {
    for (((((d, &a), &b), &c), &e), &f) in out.iter_mut().zip(r0).zip(r1).zip(r2).zip(r3).zip(r4) {
        *d = f32::from(binomial5(a, b, c, e, f)) * (1.0 / 256.0);
    }
}

/// 1 4 6 4 1 times five consecutive values: [`StreamingBlur`]'s taps, both ways (the sums are
/// kept × 16 per pass).
#[inline(always)]
fn binomial5(a: u16, b: u16, c: u16, d: u16, e: u16) -> u16 {
    a + e + 4 * (b + d) + 6 * c
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A plane of pseudo-random grey levels with a few steps, so that it has edges of every
    /// direction and flat stretches between them.
    fn plane(w: usize, h: usize, seed: u32) -> GrayImage {
        let mut state = seed;
        let pixels = (0..w * h)
            .map(|i| {
                state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                let (x, y) = (i % w, i / w);
                let step = if (x / 7 + y / 5) % 3 == 0 { 160 } else { 40 };
                (step + (state >> 26) as usize) as u8
            })
            .collect();
        // Built directly: the search's planes may be smaller than a frame may be.
        GrayImage {
            width: w as u32,
            height: h as u32,
            pixels,
        }
    }

    /// The 5×5 binomial blur and Sobel gradient written out plainly, with clamped edges:
    /// (gx, gy, squared magnitude) at an interior pixel.
    fn plain_sobel(image: &GrayImage, x: usize, y: usize) -> (f32, f32, f32) {
        let (w, h) = (image.width as usize, image.height as usize);
        const K: [f32; 5] = [1.0, 4.0, 6.0, 4.0, 1.0];
        let blurred = |x: usize, y: usize| {
            let mut sum = 0.0;
            for (j, kj) in K.iter().enumerate() {
                for (i, ki) in K.iter().enumerate() {
                    let xx = (x as isize + i as isize - 2).clamp(0, w as isize - 1) as usize;
                    let yy = (y as isize + j as isize - 2).clamp(0, h as isize - 1) as usize;
                    sum += ki * kj * f32::from(image.pixels[yy * w + xx]);
                }
            }
            sum / 256.0
        };
        let s =
            |dx: isize, dy: isize| blurred((x as isize + dx) as usize, (y as isize + dy) as usize);
        let gx = (s(1, -1) + 2.0 * s(1, 0) + s(1, 1)) - (s(-1, -1) + 2.0 * s(-1, 0) + s(-1, 1));
        let gy = (s(-1, 1) + 2.0 * s(0, 1) + s(1, 1)) - (s(-1, -1) + 2.0 * s(0, -1) + s(1, -1));
        (gx, gy, gx * gx + gy * gy)
    }

    #[test]
    fn streamed_gradients_equal_the_plain_filters() {
        // Widths and heights round the blur's and the suppression's special cases.
        for (w, h) in [(3, 3), (4, 6), (5, 5), (7, 4), (19, 11), (37, 23)] {
            let planes = [plane(w, h, 1), plane(w, h, 2)];
            let one = Gradients::strongest(&planes[..1]);
            let both = Gradients::strongest(&planes);
            for y in 0..h {
                for x in 0..w {
                    let i = y * w + x;
                    if x == 0 || y == 0 || x == w - 1 || y == h - 1 {
                        assert_eq!((one.gx[i], one.gy[i], one.magnitude[i]), (0.0, 0.0, 0.0));
                        assert_eq!(both.magnitude[i], 0.0);
                        continue;
                    }
                    // Exact: every sum is of small integers over powers of two.
                    let (gx, gy, m2) = plain_sobel(&planes[0], x, y);
                    assert_eq!((one.gx[i], one.gy[i]), (gx, gy), "{w}×{h} at ({x}, {y})");
                    assert_eq!(one.magnitude[i], m2.sqrt());
                    let (gx2, gy2, m22) = plain_sobel(&planes[1], x, y);
                    let expect = if m22 > m2 {
                        (gx2, gy2, m22)
                    } else {
                        (gx, gy, m2)
                    };
                    assert_eq!(
                        (both.gx[i], both.gy[i], both.magnitude[i]),
                        (expect.0, expect.1, expect.2.sqrt()),
                        "{w}×{h} at ({x}, {y}), two planes"
                    );
                }
            }
        }
    }

    #[test]
    fn a_clean_step_keeps_one_pixel_of_its_two_equal_maxima() {
        let (w, h) = (40, 20);
        let pixels = (0..w * h)
            .map(|i| if i % w < 20 { 50 } else { 200 })
            .collect();
        let step = GrayImage {
            width: w as u32,
            height: h as u32,
            pixels,
        };
        let gradients = Gradients::strongest(&[step]);
        // The blurred step is symmetric about x = 19.5: equal maxima at 19 and 20.
        assert_eq!(
            gradients.magnitude[5 * w + 19],
            gradients.magnitude[5 * w + 20]
        );
        let kept: Vec<(u32, u32)> = gradients
            .thin_edges(10.0)
            .iter()
            .map(|e| (e.x, e.y))
            .collect();
        let expect: Vec<(u32, u32)> = (2..h as u32 - 2).map(|y| (19, y)).collect();
        assert_eq!(kept, expect);
    }

    #[test]
    fn suppression_keeps_exactly_the_local_maxima() {
        for (w, h) in [(5, 5), (16, 9), (21, 17), (37, 23), (70, 12)] {
            let gradients = Gradients::strongest(&[plane(w, h, 3)]);
            for threshold in [0.0, 20.0, 60.0] {
                let kept: Vec<(u32, u32)> = gradients
                    .thin_edges(threshold)
                    .iter()
                    .map(|e| (e.x, e.y))
                    .collect();
                let mut expect = Vec::new();
                let m = |x: isize, y: isize| gradients.magnitude[y as usize * w + x as usize];
                for y in 2..h as isize - 2 {
                    for x in 2..w as isize - 2 {
                        let i = y as usize * w + x as usize;
                        let (dx, dy) = (gradients.gx[i], gradients.gy[i]);
                        let angle = dy.atan2(dx).to_degrees().rem_euclid(180.0);
                        // The neighbour along the gradient, by the nearest of four directions.
                        let (sx, sy) = if !(22.5..157.5).contains(&angle) {
                            (1, 0)
                        } else if (67.5..112.5).contains(&angle) {
                            (0, 1)
                        } else if angle < 90.0 {
                            (1, 1)
                        } else {
                            (-1, 1)
                        };
                        let centre = m(x, y);
                        if centre >= threshold
                            && centre > m(x - sx, y - sy)
                            && centre >= m(x + sx, y + sy)
                        {
                            expect.push((x as u32, y as u32));
                        }
                    }
                }
                if w * h >= 100 && threshold < 60.0 {
                    assert!(!expect.is_empty(), "{w}×{h}: the test image has edges");
                }
                assert_eq!(kept, expect, "{w}×{h}, threshold {threshold}");
            }
        }
    }
}
