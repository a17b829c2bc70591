//! The screen ring sizer: calibrate CSS px per mm against a real card held to the screen, then read
//! a ring's inner diameter from a circle the user fits inside it.
//!
//! CSS px are not physical: the browser's 96 px per inch is only nominal, and phones differ widely.
//! So the user drags an on-screen rectangle until it is exactly as wide as an ID-1 card.

use super::homography::CARD_WIDTH_MM;

/// Fewest CSS px per mm accepted: below this a card would be under 86 px wide, too coarse to match
/// by eye (and no real screen is that sparse).
pub const MIN_CSS_PX_PER_MM: f32 = 1.0;
/// Most CSS px per mm accepted: above this a card would be over 3400 CSS px wide, wider than any
/// screen it could be held against, so the value is a mistake.
pub const MAX_CSS_PX_PER_MM: f32 = 40.0;

/// Why a screen-sizer value was rejected.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum ScreenError {
    /// A length in CSS px that is NaN, infinite, zero or negative.
    #[error("{what} of {value} CSS px is not a finite positive length")]
    BadLength {
        /// Which length it was.
        what: &'static str,
        /// The offending value.
        value: f32,
    },
    /// A calibration outside 1–40 CSS px per mm.
    #[error("{0} CSS px per mm is outside the plausible range 1–40; recalibrate against the card")]
    ScaleOutOfRange(f32),
}

/// CSS px per mm from the on-screen width (CSS px) the user matched to a real card's 85.60 mm.
pub fn css_px_per_mm_from_card(card_width_css_px: f32) -> Result<f32, ScreenError> {
    if !(card_width_css_px.is_finite() && card_width_css_px > 0.0) {
        return Err(ScreenError::BadLength {
            what: "card width",
            value: card_width_css_px,
        });
    }
    check_scale(card_width_css_px / CARD_WIDTH_MM)
}

/// A ring's inner diameter in mm from the diameter (CSS px) of the circle fitted to its inner edge.
pub fn inner_diameter_mm_from_circle(
    circle_diameter_css_px: f32,
    css_px_per_mm: f32,
) -> Result<f32, ScreenError> {
    let scale = check_scale(css_px_per_mm)?;
    if !(circle_diameter_css_px.is_finite() && circle_diameter_css_px > 0.0) {
        return Err(ScreenError::BadLength {
            what: "circle diameter",
            value: circle_diameter_css_px,
        });
    }
    Ok(circle_diameter_css_px / scale)
}

/// The circle diameter in CSS px that shows `inner_diameter_mm` at true size, e.g. to draw a chosen
/// ring size. Returns 0 for a non-finite or non-positive diameter or an implausible scale, so a UI
/// simply draws nothing.
pub fn circle_css_px_for(inner_diameter_mm: f32, css_px_per_mm: f32) -> f32 {
    match check_scale(css_px_per_mm) {
        Ok(scale) if inner_diameter_mm.is_finite() && inner_diameter_mm > 0.0 => {
            inner_diameter_mm * scale
        }
        _ => 0.0,
    }
}

/// How far, CSS px, a user's match of an edge by eye is taken to be off (one standard deviation).
pub const PLACEMENT_CSS_PX: f32 = 1.0;

/// The standard deviation, mm, of a ring's inner diameter read from a circle: one
/// [`PLACEMENT_CSS_PX`] on the circle's diameter and one on the card rectangle's width, which
/// scales the whole reading.
pub fn circle_sigma_mm(inner_diameter_mm: f32, css_px_per_mm: f32) -> f32 {
    let circle = PLACEMENT_CSS_PX / css_px_per_mm;
    let card = inner_diameter_mm * PLACEMENT_CSS_PX / (CARD_WIDTH_MM * css_px_per_mm);
    circle.hypot(card)
}

fn check_scale(css_px_per_mm: f32) -> Result<f32, ScreenError> {
    if css_px_per_mm.is_finite() && (MIN_CSS_PX_PER_MM..=MAX_CSS_PX_PER_MM).contains(&css_px_per_mm)
    {
        Ok(css_px_per_mm)
    } else {
        Err(ScreenError::ScaleOutOfRange(css_px_per_mm))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nominal_css_inch() {
        // CSS defines 96 px per inch: 96 / 25.4 = 3.7795 px per mm, so a card is 323.53 CSS px.
        let scale = css_px_per_mm_from_card(85.60 * 96.0 / 25.4).unwrap();
        assert!((scale - 3.779_527_6).abs() < 1e-4, "{scale}");
    }

    #[test]
    fn us7_on_a_6_3_px_per_mm_screen() {
        // A card matched at 539.28 CSS px → 6.3 px/mm. US 7 is 11.63 + 7 × 0.8128 = 17.3196 mm,
        // so its circle is 17.3196 × 6.3 = 109.113 CSS px.
        let scale = css_px_per_mm_from_card(539.28).unwrap();
        assert!((scale - 6.3).abs() < 1e-5, "{scale}");
        let circle = circle_css_px_for(17.3196, scale);
        assert!((circle - 109.113_48).abs() < 1e-3, "{circle}");
        let diameter = inner_diameter_mm_from_circle(circle, scale).unwrap();
        assert!((diameter - 17.3196).abs() < 1e-4);
        // The user's circle is whole CSS px: 109 px reads as 17.30 mm, still nearest to US 7.
        let read = inner_diameter_mm_from_circle(109.0, scale).unwrap();
        assert!((read - 17.301_588).abs() < 1e-4, "{read}");
    }

    #[test]
    fn uncertainty_follows_the_screen_density() {
        // At 3.78 CSS px per mm a pixel is 0.26 mm: 2σ ≈ 0.54 mm, under one US size (0.81 mm)
        // and so ± 0.75 after rounding up to quarters; at 11 px per mm, ± 0.25.
        let coarse = circle_sigma_mm(17.32, 3.78);
        assert!((coarse - 0.2694).abs() < 1e-3, "{coarse}");
        assert_eq!(
            crate::math::ring_size::SizeSystem::Us.uncertainty_sizes(coarse),
            0.75
        );
        let fine = circle_sigma_mm(17.32, 11.0);
        assert_eq!(
            crate::math::ring_size::SizeSystem::Us.uncertainty_sizes(fine),
            0.25
        );
        // Two σ of 0.0926 mm is 0.58 mm of circumference: one EU size.
        assert_eq!(
            crate::math::ring_size::SizeSystem::Eu.uncertainty_sizes(fine),
            1.0
        );
    }

    #[test]
    fn round_trips_across_scales_and_sizes() {
        for scale in [1.0, 2.5, 3.78, 6.3, 11.0, 40.0] {
            for mm in [11.63, 14.0, 17.3196, 20.5, 24.63] {
                let px = circle_css_px_for(mm, scale);
                assert!((px - mm * scale).abs() < 1e-4 * px);
                let back = inner_diameter_mm_from_circle(px, scale).unwrap();
                assert!(
                    (back - mm).abs() < 1e-4 * mm,
                    "{scale} px/mm, {mm} mm: {back}"
                );
            }
            let card = scale * 85.60;
            assert!((css_px_per_mm_from_card(card).unwrap() - scale).abs() < 1e-5 * scale);
        }
    }

    #[test]
    fn bad_values_are_errors() {
        for width in [f32::NAN, f32::INFINITY, 0.0, -300.0] {
            assert!(matches!(
                css_px_per_mm_from_card(width),
                Err(ScreenError::BadLength { .. })
            ));
        }
        // 50 px for a card is 0.58 px/mm; 4000 px is 46.7 px/mm.
        assert_eq!(
            css_px_per_mm_from_card(50.0),
            Err(ScreenError::ScaleOutOfRange(50.0 / 85.6))
        );
        assert!(matches!(
            css_px_per_mm_from_card(4000.0),
            Err(ScreenError::ScaleOutOfRange(_))
        ));
        for scale in [f32::NAN, 0.5, 41.0, -6.3] {
            assert!(matches!(
                inner_diameter_mm_from_circle(100.0, scale),
                Err(ScreenError::ScaleOutOfRange(_))
            ));
            assert_eq!(circle_css_px_for(17.0, scale), 0.0);
        }
        for circle in [f32::NAN, 0.0, -5.0, f32::NEG_INFINITY] {
            assert!(matches!(
                inner_diameter_mm_from_circle(circle, 6.3),
                Err(ScreenError::BadLength { .. })
            ));
            assert_eq!(circle_css_px_for(circle, 6.3), 0.0);
        }
    }
}
