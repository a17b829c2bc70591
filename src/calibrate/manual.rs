//! Card corners placed by hand (the element's four handles, when detection fails or on request):
//! in any order, put clockwise with the long side first, checked, and fitted like a detection.
//!
//! Confidence says how card-shaped the handles are: 1 when they are within 2 px of a card seen
//! through a plausible camera, falling to 0 at 20 px. A badly placed handle still gives a fit
//! (the user decided), but the element shows the low confidence and the event carries it.

use glam::Vec2;

use super::{reprojection, shape, CardDetection};
use crate::math::homography::{card_from_corners, HomographyError};

/// Distance from a card's shape (see [`reprojection::card_distance_px`]) with full confidence, and
/// with none.
const FULL_CONFIDENCE_PX: f32 = 2.0;
const NO_CONFIDENCE_PX: f32 = 20.0;

/// Fits a card to four hand-placed corners (image px, any order around the card, either
/// direction). A degenerate quad (two handles on one spot, three on a line, crossed sides) is an
/// error whose message tells the user what to fix.
pub fn fit_manual_corners(
    corners_px: [Vec2; 4],
    image_size_px: Vec2,
) -> Result<CardDetection, HomographyError> {
    // Put the handles in angular order around their centroid, so a user who placed them in any
    // order gets a simple quad; crossing is then only possible for a non-convex placement.
    let centre = corners_px.iter().copied().sum::<Vec2>() / 4.0;
    if !centre.is_finite() {
        let index = corners_px.iter().position(|c| !c.is_finite()).unwrap_or(0);
        return Err(HomographyError::NonFinite { index });
    }
    let mut around = corners_px;
    around.sort_by(|a, b| {
        let angle = |p: &Vec2| (p.y - centre.y).atan2(p.x - centre.x);
        angle(a).total_cmp(&angle(b))
    });
    // Checks the quad (separation, collinearity, convexity) with the precise message.
    card_from_corners(around, image_size_px)?;
    let (ordered, _) =
        shape::order_corners(around, image_size_px).ok_or(HomographyError::Singular)?;
    let fit = card_from_corners(ordered, image_size_px)?;
    let distance_px =
        reprojection::card_distance_px(&fit, ordered, image_size_px).unwrap_or(f32::INFINITY);
    let confidence = 1.0
        - ((distance_px - FULL_CONFIDENCE_PX) / (NO_CONFIDENCE_PX - FULL_CONFIDENCE_PX))
            .clamp(0.0, 1.0);
    Ok(CardDetection {
        corners_px: ordered,
        confidence,
        fit,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::math::homography::CARD_WIDTH_MM;

    const SIZE: Vec2 = Vec2::new(640.0, 480.0);

    #[test]
    fn handles_in_any_order_give_the_card() {
        // A frontal card 171.2 px wide: exactly 2 px per mm.
        let card = [
            Vec2::new(100.0, 100.0),
            Vec2::new(271.2, 100.0),
            Vec2::new(271.2, 207.96),
            Vec2::new(100.0, 207.96),
        ];
        for order in [[0, 1, 2, 3], [2, 0, 3, 1], [3, 2, 1, 0], [1, 3, 0, 2]] {
            let found = fit_manual_corners(order.map(|i| card[i]), SIZE).unwrap();
            assert_eq!(found.corners_px, card, "{order:?}");
            assert!((found.fit.px_per_mm - 171.2 / CARD_WIDTH_MM).abs() < 1e-4);
            assert!(found.confidence > 0.99, "{}", found.confidence);
        }
    }

    #[test]
    fn a_square_is_fitted_with_low_confidence() {
        let square = [
            Vec2::new(100.0, 100.0),
            Vec2::new(300.0, 100.0),
            Vec2::new(300.0, 300.0),
            Vec2::new(100.0, 300.0),
        ];
        let found = fit_manual_corners(square, SIZE).unwrap();
        assert!(found.confidence < 0.5, "{}", found.confidence);
    }

    #[test]
    fn degenerate_handles_are_rejected_with_a_message() {
        let collinear = [
            Vec2::new(100.0, 100.0),
            Vec2::new(200.0, 100.0),
            Vec2::new(300.0, 100.0),
            Vec2::new(200.0, 300.0),
        ];
        let e = fit_manual_corners(collinear, SIZE).unwrap_err();
        assert!(
            e.to_string().contains("line") || e.to_string().contains("convex"),
            "{e}"
        );
        let stacked = [
            Vec2::new(100.0, 100.0),
            Vec2::new(100.0, 100.0),
            Vec2::new(300.0, 200.0),
            Vec2::new(100.0, 300.0),
        ];
        let e = fit_manual_corners(stacked, SIZE).unwrap_err();
        assert!(e.to_string().contains("same place"), "{e}");
        let e = fit_manual_corners([Vec2::NAN; 4], SIZE).unwrap_err();
        assert!(e.to_string().contains("finite"), "{e}");
    }
}
