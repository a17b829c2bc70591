//! LDR-FLIP (Andersson et al., "FLIP: A Difference Evaluator for Alternating Images", HPG 2020),
//! following NVIDIA's reference implementation (flip.py): a per-pixel perceptual difference in
//! 0..1 between a reference and a test picture as seen at `pixels_per_degree`. Colour is compared
//! after contrast-sensitivity filtering in YCxCz, with the Hunt effect and HyAB distance; edges and
//! points found on the achromatic channel amplify the colour error where features differ.

use super::display::srgb_to_linear;

/// The reference implementation's default viewing: 0.7 m from a 0.7 m wide, 3840 px monitor.
pub const DEFAULT_PIXELS_PER_DEGREE: f64 = 67.0206;

const QC: f64 = 0.7;
const QF: f64 = 0.5;
const PC: f64 = 0.4;
const PT: f64 = 0.95;
/// D65 reference white.
const WHITE: [f64; 3] = [0.950428545, 1.0, 1.088900371];

/// A picture as displayed: sRGB-encoded 8-bit values.
pub struct SrgbImage<'a> {
    pub width: usize,
    pub height: usize,
    /// RGBA8 rows from the top (alpha ignored).
    pub rgba8: &'a [u8],
}

/// The FLIP error of every pixel of `test` against `reference` (same size), 0 = identical.
pub fn flip(reference: &SrgbImage, test: &SrgbImage, pixels_per_degree: f64) -> Vec<f64> {
    assert_eq!(
        (reference.width, reference.height),
        (test.width, test.height)
    );
    let (w, h) = (reference.width, reference.height);
    let ref_ycxcz = to_ycxcz(reference);
    let test_ycxcz = to_ycxcz(test);

    // Colour: contrast-sensitivity filtering per opponent channel, then Hunt-adjusted Lab.
    let csf = csf_kernels(pixels_per_degree);
    let ref_lab = hunt_lab(&filter_ycxcz(&ref_ycxcz, w, h, &csf));
    let test_lab = hunt_lab(&filter_ycxcz(&test_ycxcz, w, h, &csf));
    let c_max = hyab(
        hunt(lab_from_linear([0.0, 1.0, 0.0])),
        hunt(lab_from_linear([0.0, 0.0, 1.0])),
    )
    .powf(QC);
    let pcc_max = PC * c_max;

    // Features on the achromatic channel, normalised to 0..1.
    let gray =
        |img: &[[f64; 3]]| -> Vec<f64> { img.iter().map(|p| (p[0] + 16.0) / 116.0).collect() };
    let (ref_gray, test_gray) = (gray(&ref_ycxcz), gray(&test_ycxcz));
    let edge = feature_kernel(pixels_per_degree, Feature::Edge);
    let point = feature_kernel(pixels_per_degree, Feature::Point);
    let magnitude = |img: &[f64], k: &Kernel| -> Vec<f64> {
        let x = convolve(img, w, h, k, false);
        let y = convolve(img, w, h, k, true);
        x.iter().zip(&y).map(|(a, b)| a.hypot(*b)).collect()
    };
    let (ref_edges, test_edges) = (magnitude(&ref_gray, &edge), magnitude(&test_gray, &edge));
    let (ref_points, test_points) = (magnitude(&ref_gray, &point), magnitude(&test_gray, &point));

    (0..w * h)
        .map(|i| {
            let de_hyab = hyab(ref_lab[i], test_lab[i]).powf(QC);
            let de_c = if de_hyab < pcc_max {
                PT / pcc_max * de_hyab
            } else {
                PT + (de_hyab - pcc_max) / (c_max - pcc_max) * (1.0 - PT)
            };
            let de_f = (ref_edges[i] - test_edges[i])
                .abs()
                .max((ref_points[i] - test_points[i]).abs());
            let de_f = (std::f64::consts::FRAC_1_SQRT_2 * de_f).powf(QF);
            de_c.powf(1.0 - de_f).clamp(0.0, 1.0)
        })
        .collect()
}

/// The mean of `errors` over `pixels` (indices), or over all of them when `pixels` is empty.
pub fn mean(errors: &[f64], pixels: &[usize]) -> f64 {
    if pixels.is_empty() {
        return errors.iter().sum::<f64>() / errors.len().max(1) as f64;
    }
    pixels.iter().map(|&i| errors[i]).sum::<f64>() / pixels.len() as f64
}

fn xyz_from_linear(c: [f64; 3]) -> [f64; 3] {
    [
        0.4124564 * c[0] + 0.3575761 * c[1] + 0.1804375 * c[2],
        0.2126729 * c[0] + 0.7151522 * c[1] + 0.0721750 * c[2],
        0.0193339 * c[0] + 0.1191920 * c[1] + 0.9503041 * c[2],
    ]
}

fn linear_from_xyz(c: [f64; 3]) -> [f64; 3] {
    [
        3.2404542 * c[0] - 1.5371385 * c[1] - 0.4985314 * c[2],
        -0.9692660 * c[0] + 1.8760108 * c[1] + 0.0415560 * c[2],
        0.0556434 * c[0] - 0.2040259 * c[1] + 1.0572252 * c[2],
    ]
}

fn to_ycxcz(img: &SrgbImage) -> Vec<[f64; 3]> {
    img.rgba8
        .chunks_exact(4)
        .take(img.width * img.height)
        .map(|p| {
            let lin = [0, 1, 2].map(|c| srgb_to_linear(p[c] as f64 / 255.0));
            let [x, y, z] = xyz_from_linear(lin);
            let (xn, yn, zn) = (x / WHITE[0], y / WHITE[1], z / WHITE[2]);
            [116.0 * yn - 16.0, 500.0 * (xn - yn), 200.0 * (yn - zn)]
        })
        .collect()
}

fn linear_from_ycxcz(p: [f64; 3]) -> [f64; 3] {
    let yy = (p[0] + 16.0) / 116.0;
    let xyz = [
        WHITE[0] * (p[1] / 500.0 + yy),
        WHITE[1] * yy,
        WHITE[2] * (yy - p[2] / 200.0),
    ];
    linear_from_xyz(xyz).map(|c| c.clamp(0.0, 1.0))
}

fn lab_from_linear(c: [f64; 3]) -> [f64; 3] {
    let [x, y, z] = xyz_from_linear(c);
    let f = |t: f64| {
        let delta: f64 = 6.0 / 29.0;
        if t > delta.powi(3) {
            t.cbrt()
        } else {
            t / (3.0 * delta * delta) + 4.0 / 29.0
        }
    };
    let (fx, fy, fz) = (f(x / WHITE[0]), f(y / WHITE[1]), f(z / WHITE[2]));
    [116.0 * fy - 16.0, 500.0 * (fx - fy), 200.0 * (fy - fz)]
}

/// The Hunt effect: chroma is seen weaker in the dark.
fn hunt(lab: [f64; 3]) -> [f64; 3] {
    [lab[0], 0.01 * lab[0] * lab[1], 0.01 * lab[0] * lab[2]]
}

fn hunt_lab(linear: &[[f64; 3]]) -> Vec<[f64; 3]> {
    linear.iter().map(|&c| hunt(lab_from_linear(c))).collect()
}

fn hyab(a: [f64; 3], b: [f64; 3]) -> f64 {
    (a[0] - b[0]).abs() + (a[1] - b[1]).hypot(a[2] - b[2])
}

/// A square kernel of odd side, row-major.
struct Kernel {
    radius: usize,
    weights: Vec<f64>,
}

/// The three contrast-sensitivity kernels (achromatic, red–green, blue–yellow), each summing to 1.
fn csf_kernels(ppd: f64) -> [Kernel; 3] {
    // (a1, b1, a2, b2) per channel, from the paper.
    let params = [
        (1.0, 0.0047, 0.0, 1e-5),
        (1.0, 0.0053, 0.0, 1e-5),
        (34.1, 0.04, 13.5, 0.025),
    ];
    let max_b: f64 = 0.04;
    let radius =
        (3.0 * (max_b / (2.0 * std::f64::consts::PI.powi(2))).sqrt() * ppd).ceil() as usize;
    let pi = std::f64::consts::PI;
    params.map(|(a1, b1, a2, b2)| {
        let side = 2 * radius + 1;
        let mut weights = Vec::with_capacity(side * side);
        for y in 0..side {
            for x in 0..side {
                let dx = (x as f64 - radius as f64) / ppd;
                let dy = (y as f64 - radius as f64) / ppd;
                let z = dx * dx + dy * dy;
                weights.push(
                    a1 * (pi / b1).sqrt() * (-pi * pi * z / b1).exp()
                        + a2 * (pi / b2).sqrt() * (-pi * pi * z / b2).exp(),
                );
            }
        }
        let sum: f64 = weights.iter().sum();
        weights.iter_mut().for_each(|w| *w /= sum);
        Kernel { radius, weights }
    })
}

fn filter_ycxcz(img: &[[f64; 3]], w: usize, h: usize, csf: &[Kernel; 3]) -> Vec<[f64; 3]> {
    let channel = |c: usize| -> Vec<f64> {
        let plane: Vec<f64> = img.iter().map(|p| p[c]).collect();
        convolve(&plane, w, h, &csf[c], false)
    };
    let (y, cx, cz) = (channel(0), channel(1), channel(2));
    (0..w * h)
        .map(|i| linear_from_ycxcz([y[i], cx[i], cz[i]]))
        .collect()
}

enum Feature {
    Edge,
    Point,
}

/// First (edges) or second (points) derivative of a Gaussian along x, its positive and negative
/// lobes normalised to +1 and −1.
fn feature_kernel(ppd: f64, feature: Feature) -> Kernel {
    let sd = 0.5 * 0.082 * ppd;
    let radius = (3.0 * sd).ceil() as usize;
    let side = 2 * radius + 1;
    let mut weights = Vec::with_capacity(side * side);
    for y in 0..side {
        for x in 0..side {
            let (fx, fy) = (x as f64 - radius as f64, y as f64 - radius as f64);
            let g = (-(fx * fx + fy * fy) / (2.0 * sd * sd)).exp();
            weights.push(match feature {
                Feature::Edge => -fx * g,
                Feature::Point => (fx * fx / (sd * sd) - 1.0) * g,
            });
        }
    }
    let negative: f64 = -weights.iter().filter(|w| **w < 0.0).sum::<f64>();
    let positive: f64 = weights.iter().filter(|w| **w > 0.0).sum();
    for w in &mut weights {
        *w /= if *w < 0.0 { negative } else { positive };
    }
    Kernel { radius, weights }
}

/// `img` convolved with `k` (or its transpose), mirroring at the borders as the reference does.
fn convolve(img: &[f64], w: usize, h: usize, k: &Kernel, transpose: bool) -> Vec<f64> {
    let r = k.radius as isize;
    let side = 2 * k.radius + 1;
    let mirror = |i: isize, n: usize| -> usize {
        let n = n as isize;
        let mut i = i;
        while i < 0 || i >= n {
            i = if i < 0 { -i - 1 } else { 2 * n - i - 1 };
        }
        i as usize
    };
    let mut out = vec![0.0; w * h];
    for y in 0..h {
        for x in 0..w {
            let mut sum = 0.0;
            for ky in 0..side {
                for kx in 0..side {
                    let (ox, oy) = (kx as isize - r, ky as isize - r);
                    let weight = if transpose {
                        k.weights[kx * side + ky]
                    } else {
                        k.weights[ky * side + kx]
                    };
                    // Convolution flips the kernel.
                    let sx = mirror(x as isize - ox, w);
                    let sy = mirror(y as isize - oy, h);
                    sum += weight * img[sy * w + sx];
                }
            }
            out[y * w + x] = sum;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn solid(w: usize, h: usize, rgb: [u8; 3]) -> Vec<u8> {
        (0..w * h)
            .flat_map(|_| [rgb[0], rgb[1], rgb[2], 255])
            .collect()
    }

    fn image(w: usize, h: usize, px: &[u8]) -> SrgbImage<'_> {
        SrgbImage {
            width: w,
            height: h,
            rgba8: px,
        }
    }

    #[test]
    fn identical_pictures_have_no_error() {
        let mut px = solid(24, 24, [40, 90, 200]);
        px[4 * 100] = 255;
        let e = flip(
            &image(24, 24, &px),
            &image(24, 24, &px),
            DEFAULT_PIXELS_PER_DEGREE,
        );
        assert!(e.iter().all(|&v| v.abs() < 1e-9));
    }

    #[test]
    fn black_against_white_is_near_the_maximum() {
        let (b, w) = (solid(24, 24, [0; 3]), solid(24, 24, [255; 3]));
        let e = flip(
            &image(24, 24, &b),
            &image(24, 24, &w),
            DEFAULT_PIXELS_PER_DEGREE,
        );
        let m = mean(&e, &[]);
        assert!(m > 0.9, "{m}");
    }

    #[test]
    fn error_grows_with_the_difference() {
        let base = solid(24, 24, [120, 120, 120]);
        let err = |v: u8| {
            let t = solid(24, 24, [v, v, v]);
            mean(
                &flip(
                    &image(24, 24, &base),
                    &image(24, 24, &t),
                    DEFAULT_PIXELS_PER_DEGREE,
                ),
                &[],
            )
        };
        let (small, large) = (err(124), err(170));
        assert!(
            small > 0.0 && small < 0.1 && large > small * 3.0,
            "{small} {large}"
        );
    }

    #[test]
    fn a_missing_edge_counts_more_than_its_colour_alone() {
        // A thin bright line missing from the test: features amplify the error on it.
        let w = 32;
        let reference: Vec<u8> = (0..w * w)
            .flat_map(|i| {
                if i % w == 16 {
                    [230, 230, 230, 255]
                } else {
                    [60, 60, 60, 255]
                }
            })
            .collect();
        let test = solid(w, w, [60, 60, 60]);
        let e = flip(
            &image(w, w, &reference),
            &image(w, w, &test),
            DEFAULT_PIXELS_PER_DEGREE,
        );
        let on_line = e[10 * w + 16];
        let away = e[10 * w + 2];
        assert!(on_line > 0.3 && away < on_line / 3.0, "{on_line} {away}");
    }
}
