//! Radiance `.hdr` (RGBE) reading and writing.
//!
//! Supported: a `#?RADIANCE` / `#?RGBE` header, `FORMAT=32-bit_rle_rgbe`, the standard
//! `-Y height +X width` orientation, new-style (per-channel) RLE scanlines, flat scanlines and
//! old-style run pixels. Header variables other than FORMAT (EXPOSURE, GAMMA, …) are ignored, as
//! most readers do: the pixels are taken as linear radiance.

use super::EnvError;

/// Largest accepted width or height, so a hostile header cannot ask for gigabytes.
pub const MAX_SIDE: u32 = 16384;

/// A linear RGB float image.
#[derive(Clone, Debug, PartialEq)]
pub struct HdrImage {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Linear RGB, row-major, top row first; `width * height` entries.
    pub rgb: Vec<[f32; 3]>,
}

impl HdrImage {
    /// A `width × height` image filled with one colour.
    pub fn filled(width: u32, height: u32, rgb: [f32; 3]) -> HdrImage {
        HdrImage {
            width,
            height,
            rgb: vec![rgb; width as usize * height as usize],
        }
    }

    /// The pixel at (x, y), black outside the image or past the end of `rgb`.
    pub fn pixel(&self, x: u32, y: u32) -> [f32; 3] {
        if x >= self.width || y >= self.height {
            return [0.0; 3];
        }
        self.rgb
            .get(y as usize * self.width as usize + x as usize)
            .copied()
            .unwrap_or([0.0; 3])
    }
}

/// A forward-only reader that turns running out of bytes into [`EnvError::Truncated`].
struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn line(&mut self, what: &'static str) -> Result<&'a [u8], EnvError> {
        let rest = &self.bytes[self.pos..];
        let end = rest
            .iter()
            .position(|&b| b == b'\n')
            .ok_or(EnvError::Truncated(what))?;
        self.pos += end + 1;
        Ok(&rest[..end])
    }

    fn take(&mut self, n: usize, what: &'static str) -> Result<&'a [u8], EnvError> {
        let rest = &self.bytes[self.pos..];
        if rest.len() < n {
            return Err(EnvError::Truncated(what));
        }
        self.pos += n;
        Ok(&rest[..n])
    }

    fn byte(&mut self, what: &'static str) -> Result<u8, EnvError> {
        Ok(self.take(1, what)?[0])
    }
}

/// Decodes a Radiance `.hdr` file into linear RGB.
pub fn decode_hdr(bytes: &[u8]) -> Result<HdrImage, EnvError> {
    let mut r = Reader { bytes, pos: 0 };
    let magic = r.line("magic line")?;
    if !magic.starts_with(b"#?") {
        return Err(EnvError::BadHeader(
            "missing \"#?RADIANCE\" magic line".into(),
        ));
    }
    loop {
        let line = r.line("header")?;
        if line.is_empty() {
            break;
        }
        if let Some(format) = line.strip_prefix(b"FORMAT=") {
            let format = String::from_utf8_lossy(format).trim().to_owned();
            if format != "32-bit_rle_rgbe" {
                return Err(EnvError::UnsupportedFormat(format));
            }
        }
    }
    let res_line = r.line("resolution line")?;
    let res = String::from_utf8_lossy(res_line).trim().to_owned();
    let parts: Vec<&str> = res.split_whitespace().collect();
    let (height, width) = match parts.as_slice() {
        ["-Y", h, "+X", w] => (
            h.parse::<u64>()
                .map_err(|_| EnvError::BadHeader(format!("bad height in {res:?}")))?,
            w.parse::<u64>()
                .map_err(|_| EnvError::BadHeader(format!("bad width in {res:?}")))?,
        ),
        [a, _, b, _]
            if ["-Y", "+Y", "-X", "+X"].contains(a) && ["-Y", "+Y", "-X", "+X"].contains(b) =>
        {
            return Err(EnvError::UnsupportedOrientation(res))
        }
        _ => return Err(EnvError::BadHeader(format!("bad resolution line {res:?}"))),
    };
    if width == 0 || height == 0 || width > MAX_SIDE as u64 || height > MAX_SIDE as u64 {
        return Err(EnvError::BadSize {
            width,
            height,
            max: MAX_SIDE,
        });
    }
    let (width, height) = (width as u32, height as u32);

    let mut rgb = Vec::with_capacity(width as usize * height as usize);
    let mut scanline = vec![[0u8; 4]; width as usize];
    for row in 0..height {
        read_scanline(&mut r, &mut scanline, row)?;
        rgb.extend(scanline.iter().map(|&p| rgbe_to_rgb(p)));
    }
    Ok(HdrImage { width, height, rgb })
}

fn read_scanline(r: &mut Reader, out: &mut [[u8; 4]], row: u32) -> Result<(), EnvError> {
    let width = out.len();
    let first = r.take(4, "scanline")?;
    let first = [first[0], first[1], first[2], first[3]];
    // New-style RLE only exists for widths 8..=0x7fff and starts with 2, 2, width (big-endian).
    let is_new_rle =
        (8..=0x7fff).contains(&width) && first[0] == 2 && first[1] == 2 && first[2] & 0x80 == 0;
    if is_new_rle {
        if ((first[2] as usize) << 8 | first[3] as usize) != width {
            return Err(EnvError::BadRle {
                row,
                reason: "scanline width does not match the image width",
            });
        }
        for channel in 0..4 {
            let mut x = 0;
            while x < width {
                let count = r.byte("run-length data")?;
                if count > 128 {
                    let n = (count - 128) as usize;
                    if x + n > width {
                        return Err(EnvError::BadRle {
                            row,
                            reason: "run overruns the scanline",
                        });
                    }
                    let value = r.byte("run-length data")?;
                    out[x..x + n].iter_mut().for_each(|p| p[channel] = value);
                    x += n;
                } else {
                    let n = count as usize;
                    if n == 0 || x + n > width {
                        return Err(EnvError::BadRle {
                            row,
                            reason: "literal of zero length or overrunning the scanline",
                        });
                    }
                    let values = r.take(n, "run-length data")?;
                    for (p, &v) in out[x..x + n].iter_mut().zip(values) {
                        p[channel] = v;
                    }
                    x += n;
                }
            }
        }
        return Ok(());
    }

    // Flat pixels, possibly with old-style runs: (1, 1, 1, n) repeats the previous pixel
    // n << shift times, where shift grows by 8 for each consecutive run marker.
    let mut x = 0;
    let mut shift = 0u32;
    let mut pixel = first;
    loop {
        if pixel[0] == 1 && pixel[1] == 1 && pixel[2] == 1 {
            if x == 0 || shift > 16 {
                return Err(EnvError::BadRle {
                    row,
                    reason: "old-style run without a previous pixel",
                });
            }
            let n = (pixel[3] as usize) << shift;
            if x + n > width {
                return Err(EnvError::BadRle {
                    row,
                    reason: "old-style run overruns the scanline",
                });
            }
            let prev = out[x - 1];
            out[x..x + n].iter_mut().for_each(|p| *p = prev);
            x += n;
            shift += 8;
        } else {
            out[x] = pixel;
            x += 1;
            shift = 0;
        }
        if x >= width {
            return Ok(());
        }
        let b = r.take(4, "scanline")?;
        pixel = [b[0], b[1], b[2], b[3]];
    }
}

/// RGBE to linear RGB, as Ward's `rgbe.c`: `mantissa · 2^(e − 136)`.
fn rgbe_to_rgb(p: [u8; 4]) -> [f32; 3] {
    if p[3] == 0 {
        return [0.0; 3];
    }
    let f = (2.0f64).powi(p[3] as i32 - 136) as f32;
    [p[0] as f32 * f, p[1] as f32 * f, p[2] as f32 * f]
}

/// Linear RGB to RGBE with rounding to nearest. Negative and NaN channels become 0; values too
/// large for RGBE saturate.
fn rgb_to_rgbe(c: [f32; 3]) -> [u8; 4] {
    let c = c.map(|v| if v.is_nan() || v < 0.0 { 0.0 } else { v as f64 });
    let max = c[0].max(c[1]).max(c[2]);
    if !max.is_finite() {
        return [255; 4];
    }
    if max < 1e-38 {
        return [0; 4];
    }
    // max = m · 2^e with m in [0.5, 1).
    let mut e = max.log2().floor() as i32 + 1;
    let mut scale = 256.0 / 2f64.powi(e);
    if (max * scale).round() >= 256.0 {
        e += 1;
        scale *= 0.5;
    }
    if e + 128 > 255 {
        return [255, 255, 255, 255];
    }
    if e + 128 < 1 {
        return [0; 4];
    }
    let m = c.map(|v| (v * scale).round().min(255.0) as u8);
    [m[0], m[1], m[2], (e + 128) as u8]
}

/// Encodes as a Radiance `.hdr` with new-style RLE scanlines (flat scanlines where the spec does
/// not allow RLE: widths below 8 or above 32767). Missing pixels are written black.
pub fn encode_hdr(img: &HdrImage) -> Vec<u8> {
    let (w, h) = (img.width as usize, img.height as usize);
    let mut out = Vec::with_capacity(w * h * 4 + 128);
    out.extend_from_slice(b"#?RADIANCE\n# written by Loupe\nFORMAT=32-bit_rle_rgbe\n\n");
    out.extend_from_slice(format!("-Y {h} +X {w}\n").as_bytes());
    let mut channel = vec![0u8; w];
    let mut row_rgbe = vec![[0u8; 4]; w];
    for y in 0..h {
        for (x, p) in row_rgbe.iter_mut().enumerate() {
            *p = rgb_to_rgbe(img.pixel(x as u32, y as u32));
        }
        if !(8..=0x7fff).contains(&w) {
            row_rgbe.iter().for_each(|p| out.extend_from_slice(p));
            continue;
        }
        out.extend_from_slice(&[2, 2, (w >> 8) as u8, (w & 0xff) as u8]);
        for c in 0..4 {
            for (dst, p) in channel.iter_mut().zip(&row_rgbe) {
                *dst = p[c];
            }
            rle_channel(&channel, &mut out);
        }
    }
    out
}

/// Runs of at least 4 equal bytes become (128 + n, value), n ≤ 127; the rest are literals of up
/// to 128 bytes: the same split as Ward's reference encoder.
fn rle_channel(data: &[u8], out: &mut Vec<u8>) {
    let run_len = |at: usize, cap: usize| {
        let mut n = 1;
        while at + n < data.len() && n < cap && data[at + n] == data[at] {
            n += 1;
        }
        n
    };
    let mut i = 0;
    while i < data.len() {
        let run = run_len(i, 127);
        if run >= 4 {
            out.push(128 + run as u8);
            out.push(data[i]);
            i += run;
            continue;
        }
        let start = i;
        while i < data.len() && i - start < 128 && run_len(i, 4) < 4 {
            i += 1;
        }
        out.push((i - start) as u8);
        out.extend_from_slice(&data[start..i]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn test_image(width: u32, height: u32) -> HdrImage {
        let mut rgb = Vec::new();
        for y in 0..height {
            for x in 0..width {
                // Flat areas (runs) next to varied ones (literals), and a wide dynamic range.
                let v = if x < width / 3 {
                    [0.25, 0.25, 0.25]
                } else {
                    let t = (x * 7 + y * 13) as f32;
                    [
                        t * 0.37 + 0.01,
                        (t * 0.11).sin().abs() * 150.0,
                        1e-3 * (y + 1) as f32,
                    ]
                };
                rgb.push(v);
            }
        }
        HdrImage { width, height, rgb }
    }

    fn assert_close(a: &HdrImage, b: &HdrImage) {
        assert_eq!((a.width, a.height), (b.width, b.height));
        for (p, q) in a.rgb.iter().zip(&b.rgb) {
            let max = p[0].max(p[1]).max(p[2]);
            for c in 0..3 {
                // RGBE keeps 8 bits of mantissa relative to the brightest channel.
                assert!((p[c] - q[c]).abs() <= max / 256.0 + 1e-30, "{p:?} vs {q:?}");
            }
        }
    }

    #[test]
    fn round_trip_rle_and_flat_widths() {
        for (w, h) in [(64, 5), (300, 3), (7, 4), (1, 1)] {
            let img = test_image(w, h);
            let bytes = encode_hdr(&img);
            let back = decode_hdr(&bytes).unwrap();
            assert_close(&img, &back);
        }
    }

    #[test]
    fn rle_compresses_flat_rows() {
        let img = HdrImage::filled(512, 4, [1.0, 0.5, 0.25]);
        let bytes = encode_hdr(&img);
        assert!(bytes.len() < 512 * 4 * 4 / 20, "{} bytes", bytes.len());
        let back = decode_hdr(&bytes).unwrap();
        assert_eq!(back.rgb[1000], [1.0, 0.5, 0.25]);
    }

    #[test]
    fn decodes_hand_made_flat_file_with_old_runs() {
        let mut bytes = b"#?RGBE\nEXPOSURE=1.0\n\n-Y 2 +X 3\n".to_vec();
        // Row 0: three flat pixels. 128,128,128,129 = 1.0; 128,64,0,130 = (2, 1, 0).
        bytes.extend_from_slice(&[128, 128, 128, 129, 128, 64, 0, 130, 0, 0, 0, 0]);
        // Row 1: one pixel, then an old-style run repeating it twice.
        bytes.extend_from_slice(&[128, 0, 0, 128, 1, 1, 1, 2]);
        let img = decode_hdr(&bytes).unwrap();
        assert_eq!((img.width, img.height), (3, 2));
        assert_eq!(img.rgb[0], [1.0, 1.0, 1.0]);
        assert_eq!(img.rgb[1], [2.0, 1.0, 0.0]);
        assert_eq!(img.rgb[2], [0.0, 0.0, 0.0]);
        assert_eq!(&img.rgb[3..6], &[[0.5, 0.0, 0.0]; 3]);
    }

    #[test]
    fn truncated_input_is_an_error() {
        let bytes = encode_hdr(&test_image(40, 6));
        for cut in [0, 5, 20, bytes.len() / 2, bytes.len() - 1] {
            let err = decode_hdr(&bytes[..cut]).unwrap_err();
            assert!(matches!(err, EnvError::Truncated(_)), "cut {cut}: {err}");
        }
    }

    #[test]
    fn header_errors_are_specific() {
        assert!(matches!(
            decode_hdr(b"P6\n1 1\n"),
            Err(EnvError::BadHeader(_))
        ));
        assert!(matches!(
            decode_hdr(b"#?RADIANCE\nFORMAT=32-bit_rle_xyze\n\n-Y 1 +X 1\n\0\0\0\0"),
            Err(EnvError::UnsupportedFormat(_))
        ));
        assert!(matches!(
            decode_hdr(b"#?RADIANCE\n\n+Y 1 +X 1\n\0\0\0\0"),
            Err(EnvError::UnsupportedOrientation(_))
        ));
        assert!(matches!(
            decode_hdr(b"#?RADIANCE\n\n-Y 100000 +X 100000\n"),
            Err(EnvError::BadSize { .. })
        ));
        assert!(matches!(
            decode_hdr(b"#?RADIANCE\n\n-Y 0 +X 4\n"),
            Err(EnvError::BadSize { .. })
        ));
        // An RLE run longer than the scanline.
        let mut bad = b"#?RADIANCE\n\n-Y 1 +X 8\n".to_vec();
        bad.extend_from_slice(&[2, 2, 0, 8, 128 + 9, 7]);
        assert!(matches!(decode_hdr(&bad), Err(EnvError::BadRle { .. })));
    }

    #[test]
    fn rgbe_extremes() {
        assert_eq!(rgb_to_rgbe([0.0, -1.0, f32::NAN]), [0; 4]);
        assert_eq!(rgb_to_rgbe([f32::INFINITY, 0.0, 0.0]), [255; 4]);
        // 255.9 rounds past the mantissa range and must bump the exponent, not wrap.
        let p = rgb_to_rgbe([255.9, 1.0, 0.0]);
        let back = rgbe_to_rgb(p);
        assert!((back[0] - 255.9).abs() < 1.0, "{p:?} {back:?}");
    }
}
