//! Cards that differ from their background in hue more than in brightness: a blue card on skin
//! can have the skin's luma, and vanish from a grey frame, or only one of its sides can (a purple
//! card with one side against a red curtain). The frame is searched as three planes at once, its
//! luma and two opponent-colour planes (red against green, yellow against blue); each edge pixel
//! takes its gradient from the plane where it is strongest, and each side is refined in the plane
//! where it shows best.

use super::gray::{map_rgba8, GrayImage};
use super::{detect_in_planes, CardDetection, CardError, Detail};

/// A plane whose values spread less than this (standard deviation, grey levels) carries no hue
/// worth searching: a grey frame, or one under a single coloured light.
const MIN_PLANE_SPREAD: f32 = 6.0;

/// Scale of the opponent planes against luma. Below 1, so that the chroma noise of JPEG frames
/// (coarse 2×2 blocks) makes fewer edges than true hue boundaries do.
const CHROMA_GAIN: f32 = 0.75;

/// Looks for a card in an RGBA still, by brightness and hue together (see [`Detail::Still`]).
pub fn detect_card_rgba8(
    width: u32,
    height: u32,
    rgba: &[u8],
) -> Result<Option<CardDetection>, CardError> {
    detect_in_planes(&planes_of_rgba8(width, height, rgba)?, Detail::Still)
}

/// Looks for a card in an RGBA frame of a camera feed, searched at the live view's detail (see
/// [`Detail::Live`]), as [`track_card_rgba8`](super::track_card_rgba8) follows it.
pub fn detect_live_card_rgba8(
    width: u32,
    height: u32,
    rgba: &[u8],
) -> Result<Option<CardDetection>, CardError> {
    detect_in_planes(&planes_of_rgba8(width, height, rgba)?, Detail::Live)
}

/// The planes searched: luma, then the opponent-colour planes that carry some hue.
pub(crate) fn planes_of_rgba8(
    width: u32,
    height: u32,
    rgba: &[u8],
) -> Result<Vec<GrayImage>, CardError> {
    let luma = GrayImage::from_rgba8(width, height, rgba)?;
    let mut planes = vec![luma];
    // Each judged from a subsample before its plane is built: most planes of most frames would
    // be built for nothing otherwise.
    let [red_green_spread, yellow_blue_spread] = spreads(rgba, [red_green, yellow_blue]);
    if red_green_spread >= MIN_PLANE_SPREAD {
        planes.push(opponent_plane(width, height, rgba, red_green));
    }
    if yellow_blue_spread >= MIN_PLANE_SPREAD {
        planes.push(opponent_plane(width, height, rgba, yellow_blue));
    }
    Ok(planes)
}

/// ⌊128 + ¾(r − g) + ½⌋ ([`CHROMA_GAIN`] is ¾), in quarters, clamped. Integer arithmetic: this
/// runs on every pixel of every frame, in wasm too.
fn red_green(r: i32, g: i32, _b: i32) -> u8 {
    ((512 + 3 * (r - g) + 2) >> 2).clamp(0, 255) as u8
}

/// ⌊128 + ¾((r + g)/2 − b) + ½⌋, in eighths, clamped.
fn yellow_blue(r: i32, g: i32, b: i32) -> u8 {
    ((1024 + 3 * (r + g) - 6 * b + 4) >> 3).clamp(0, 255) as u8
}

/// The plane of `opponent`'s values. The frame's size is checked by the luma conversion before
/// this runs.
fn opponent_plane(
    width: u32,
    height: u32,
    rgba: &[u8],
    opponent: impl Fn(i32, i32, i32) -> u8,
) -> GrayImage {
    debug_assert_eq!(CHROMA_GAIN, 0.75, "the integer weights are ¾");
    GrayImage {
        width,
        height,
        pixels: map_rgba8(rgba, opponent),
    }
}

/// Pixels the spreads are judged from, about (an 800 × 600 frame's seventh): enough for a
/// standard deviation to within a grey level, and a bound on the work on big frames.
const SPREAD_SAMPLES: usize = 69_000;

/// Standard deviation of each opponent's values over a subsample of the pixels: every seventh,
/// or sparser on frames over 800 × 600 (histograms: no buffers).
fn spreads(rgba: &[u8], opponents: [fn(i32, i32, i32) -> u8; 2]) -> [f32; 2] {
    let pixels = rgba.len() / 4;
    // Odd, so that the samples do not fall into the same columns on every row of an even width.
    let step = (pixels / SPREAD_SAMPLES).max(7) | 1;
    let mut histograms = [[0u32; 256]; 2];
    for p in rgba.chunks_exact(4).step_by(step) {
        let (r, g, b) = (i32::from(p[0]), i32::from(p[1]), i32::from(p[2]));
        for (histogram, opponent) in histograms.iter_mut().zip(opponents) {
            histogram[usize::from(opponent(r, g, b))] += 1;
        }
    }
    histograms.map(|h| standard_deviation(&h))
}

/// Of the grey levels counted in a histogram.
fn standard_deviation(histogram: &[u32; 256]) -> f32 {
    let n = histogram.iter().sum::<u32>().max(1) as f64;
    let levels = || {
        histogram
            .iter()
            .enumerate()
            .map(|(v, &c)| (v as f64, c as f64))
    };
    let mean = levels().map(|(v, c)| v * c).sum::<f64>() / n;
    (levels().map(|(v, c)| (v - mean).powi(2) * c).sum::<f64>() / n).sqrt() as f32
}

#[cfg(test)]
mod tests {
    use super::super::detect_card;
    use super::*;

    #[test]
    fn integer_opponent_planes_match_their_definition() {
        let mut rgba = Vec::new();
        for r in (0..=255u8).step_by(5) {
            for g in (0..=255u8).step_by(3) {
                for b in [0u8, 1, 77, 128, 200, 255] {
                    rgba.extend_from_slice(&[r, g, b, 255]);
                }
            }
        }
        let n = (rgba.len() / 4) as u32;
        let rg = opponent_plane(n, 1, &rgba, red_green);
        let yb = opponent_plane(n, 1, &rgba, yellow_blue);
        for (i, p) in rgba.chunks_exact(4).enumerate() {
            let (r, g, b) = (f32::from(p[0]), f32::from(p[1]), f32::from(p[2]));
            let expect = |v: f32| (128.0 + CHROMA_GAIN * v).round().clamp(0.0, 255.0) as u8;
            assert_eq!(rg.pixels[i], expect(r - g), "{p:?}");
            assert_eq!(yb.pixels[i], expect(0.5 * (r + g) - b), "{p:?}");
        }
    }

    #[test]
    fn subsampled_spreads_match_the_whole_frames() {
        // Stripes of hue 10 px wide on a frame big enough to be sampled sparsely: every
        // sample falls on some stripe, whatever the step.
        for (w, h) in [(640usize, 480usize), (1920, 1080)] {
            let rgba: Vec<u8> = (0..w * h)
                .flat_map(|i| {
                    let stripe = (i % w / 10 + i / w / 10) % 3;
                    [[200, 60, 90, 255], [60, 200, 90, 255], [120, 120, 30, 255]][stripe]
                })
                .collect();
            let sampled = spreads(&rgba, [red_green, yellow_blue]);
            let every = |opponent: fn(i32, i32, i32) -> u8| {
                let values: Vec<f64> = rgba
                    .chunks_exact(4)
                    .map(|p| f64::from(opponent(p[0].into(), p[1].into(), p[2].into())))
                    .collect();
                let mean = values.iter().sum::<f64>() / values.len() as f64;
                let var = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>();
                (var / values.len() as f64).sqrt() as f32
            };
            let whole = [every(red_green), every(yellow_blue)];
            for (s, a) in sampled.iter().zip(whole) {
                assert!(
                    a > 10.0 && (s - a).abs() < 0.02 * a,
                    "{w}×{h}: {sampled:?} vs {whole:?}"
                );
            }
        }
        let grey: Vec<u8> = (0..1920 * 1080)
            .flat_map(|i| [(i % 251) as u8; 3].into_iter().chain([255]))
            .collect();
        assert_eq!(spreads(&grey, [red_green, yellow_blue]), [0.0, 0.0]);
    }

    #[test]
    fn a_card_of_the_backgrounds_luma_is_found_by_its_hue() {
        // A blue card on an orange background, both of luma ≈ 120: invisible in grey.
        let (w, h) = (640usize, 480usize);
        let (x0, y0, x1, y1) = (200usize, 150usize, 400usize, 276usize);
        let (background, card) = ([200u8, 96, 40], [66u8, 122, 250]);
        let luma =
            |c: [u8; 3]| (77 * u32::from(c[0]) + 150 * u32::from(c[1]) + 29 * u32::from(c[2])) >> 8;
        assert!(
            luma(background).abs_diff(luma(card)) <= 2,
            "{} {}",
            luma(background),
            luma(card)
        );
        let mut rgba = Vec::with_capacity(w * h * 4);
        for y in 0..h {
            for x in 0..w {
                let inside = (x0..x1).contains(&x) && (y0..y1).contains(&y);
                let c = if inside { card } else { background };
                rgba.extend_from_slice(&[c[0], c[1], c[2], 255]);
            }
        }
        let gray = GrayImage::from_rgba8(w as u32, h as u32, &rgba).unwrap();
        assert_eq!(detect_card(&gray), Ok(None), "luma alone cannot see it");
        let found = detect_card_rgba8(w as u32, h as u32, &rgba)
            .unwrap()
            .expect("found by its hue");
        assert!(
            (found.fit.px_per_mm - 200.0 / 85.6).abs() < 0.02,
            "{}",
            found.fit.px_per_mm
        );
        // A grey frame gives no hue planes to search, and no card.
        let flat = vec![128u8; w * h * 4];
        assert_eq!(detect_card_rgba8(w as u32, h as u32, &flat), Ok(None));
        assert!(detect_card_rgba8(10, 10, &[0; 400]).is_err());
    }
}
