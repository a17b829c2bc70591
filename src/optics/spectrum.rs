//! Refractive index by colour channel and by wavelength, from glTF's IOR and
//! KHR_materials_dispersion, and the weights that turn a spectrum back into linear sRGB.

/// Fraunhofer lines the Abbe number is defined with, nm.
const LAMBDA_D_NM: f64 = 587.56;
const LAMBDA_F_NM: f64 = 486.13;
const LAMBDA_C_NM: f64 = 656.27;

/// The real-time pass's three indices (red, green, blue), as KHR_materials_dispersion's sample
/// implementation spreads them: `ior ∓ (ior − 1) · 0.025 · dispersion`, red bending least.
pub fn channel_iors(ior: f64, dispersion: f64) -> [f64; 3] {
    let half_spread = (ior - 1.0) * 0.025 * dispersion.max(0.0);
    [ior - half_spread, ior, ior + half_spread]
}

/// Cauchy's `n(λ) = A + B / λ²` through `n_d = ior` with the Abbe number the extension defines,
/// `V_d = 20 / dispersion`, so `n_F − n_C = (n_d − 1) / V_d`.
pub fn ior_at_nm(ior: f64, dispersion: f64, lambda_nm: f64) -> f64 {
    let dispersion = dispersion.max(0.0);
    let n_f_minus_c = (ior - 1.0) * dispersion / 20.0;
    let b = n_f_minus_c / (LAMBDA_F_NM.powi(-2) - LAMBDA_C_NM.powi(-2));
    let a = ior - b / (LAMBDA_D_NM * LAMBDA_D_NM);
    a + b / (lambda_nm * lambda_nm)
}

/// Equal-width wavelength bins across the visible range, their centres in nm.
pub fn wavelengths_nm(count: usize) -> Vec<f64> {
    let (lo, hi) = (400.0, 700.0);
    let step = (hi - lo) / count as f64;
    (0..count).map(|i| lo + step * (i as f64 + 0.5)).collect()
}

/// Per wavelength, how much of each linear sRGB channel it carries: the CIE 1931 observer
/// (Wyman, Sloan & Shirley 2013's multi-lobe fit) taken to linear sRGB, negative lobes clipped,
/// and each channel normalised to sum to 1 over `lambdas_nm`. A path that does not depend on
/// wavelength therefore returns exactly the environment's RGB; dispersion spreads it.
pub fn rgb_weights(lambdas_nm: &[f64]) -> Vec<[f64; 3]> {
    let mut weights: Vec<[f64; 3]> = lambdas_nm.iter().map(|&l| cie_rgb(l)).collect();
    for c in 0..3 {
        let sum: f64 = weights.iter().map(|w| w[c]).sum();
        for w in &mut weights {
            w[c] /= sum;
        }
    }
    weights
}

/// The CIE 1931 observer at `lambda_nm` (Wyman, Sloan & Shirley 2013's fit) in linear sRGB,
/// negative lobes clipped; not normalised.
pub fn cie_rgb(lambda_nm: f64) -> [f64; 3] {
    let [x, y, z] = cie_xyz(lambda_nm);
    [
        (3.2406 * x - 1.5372 * y - 0.4986 * z).max(0.0),
        (-0.9689 * x + 1.8758 * y + 0.0415 * z).max(0.0),
        (0.0557 * x - 0.2040 * y + 1.0570 * z).max(0.0),
    ]
}

fn lobe(lambda_nm: f64, mean: f64, sigma_below: f64, sigma_above: f64) -> f64 {
    let sigma = if lambda_nm < mean {
        sigma_below
    } else {
        sigma_above
    };
    let t = (lambda_nm - mean) / sigma;
    (-0.5 * t * t).exp()
}

fn cie_xyz(l: f64) -> [f64; 3] {
    let x = 1.056 * lobe(l, 599.8, 37.9, 31.0) + 0.362 * lobe(l, 442.0, 16.0, 26.7)
        - 0.065 * lobe(l, 501.1, 20.4, 26.2);
    let y = 0.821 * lobe(l, 568.8, 46.9, 40.5) + 0.286 * lobe(l, 530.9, 16.3, 31.1);
    let z = 1.217 * lobe(l, 437.0, 11.8, 36.0) + 0.681 * lobe(l, 459.0, 26.0, 13.8);
    [x, y, z]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cauchy_fit_reproduces_n_d_and_the_abbe_number() {
        // Diamond: n_d 2.4175, V_d 55.3 → dispersion 20 / 55.3.
        let dispersion = 20.0 / 55.3;
        let n = |l| ior_at_nm(2.4175, dispersion, l);
        assert!((n(LAMBDA_D_NM) - 2.4175).abs() < 1e-12);
        let abbe = (n(LAMBDA_D_NM) - 1.0) / (n(LAMBDA_F_NM) - n(LAMBDA_C_NM));
        assert!((abbe - 55.3).abs() < 1e-9, "{abbe}");
        // Blue bends more than red; no dispersion, one index.
        assert!(n(450.0) > n(650.0));
        assert_eq!(ior_at_nm(1.5, 0.0, 450.0), 1.5);
    }

    #[test]
    fn channel_iors_spread_as_the_extension_says() {
        let [r, g, b] = channel_iors(2.4175, 0.362);
        assert_eq!(g, 2.4175);
        let half = 1.4175 * 0.025 * 0.362;
        assert!((g - r - half).abs() < 1e-12 && (b - g - half).abs() < 1e-12);
        // The channel spread matches the Cauchy fit's F–C spread.
        let fc = ior_at_nm(2.4175, 0.362, LAMBDA_F_NM) - ior_at_nm(2.4175, 0.362, LAMBDA_C_NM);
        assert!(((b - r) - fc).abs() < 1e-9, "{} vs {fc}", b - r);
    }

    #[test]
    fn weights_sum_to_white_and_order_the_channels_by_wavelength() {
        let lambdas = wavelengths_nm(24);
        let w = rgb_weights(&lambdas);
        for c in 0..3 {
            let sum: f64 = w.iter().map(|w| w[c]).sum();
            assert!((sum - 1.0).abs() < 1e-12);
        }
        let centroid = |c: usize| -> f64 { lambdas.iter().zip(&w).map(|(l, w)| l * w[c]).sum() };
        let (r, g, b) = (centroid(0), centroid(1), centroid(2));
        assert!(r > g && g > b, "{r} {g} {b}");
        assert!(
            (590.0..640.0).contains(&r)
                && (520.0..560.0).contains(&g)
                && (440.0..480.0).contains(&b)
        );
    }
}
