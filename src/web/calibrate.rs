//! Scale tools for the element, on RGBA frames it grabs itself (frames stay on the device): card
//! detection and finger measurement, answering the same JSON as `loupe detect-card` and
//! `loupe measure-finger`.

use glam::Vec2;
use wasm_bindgen::prelude::*;

use crate::calibrate::finger::measure_json;
use crate::calibrate::{
    detect_live_card_rgba8, fit_manual_corners, track_card_rgba8, GrayImage, NO_CARD_JSON,
};
use crate::math::ring_size::{self, json_string, SizeSystem};
use crate::math::screen;

/// Looks for an ID-1 card in an RGBA frame of the camera feed (`width × height`, 4 bytes per
/// pixel), by brightness and hue together, at the live view's detail (see
/// [`detect_live_card_rgba8`]: frames of 960 px or more at half size). Answers
/// `{"found": true, "corners_px", "px_per_mm", "focal_px", "confidence"}` or `{"found": false}`;
/// a bad size throws.
#[wasm_bindgen(js_name = detectCard)]
pub fn detect_card_rgba(rgba: &[u8], width: u32, height: u32) -> Result<String, JsError> {
    Ok(match detect_live_card_rgba8(width, height, rgba)? {
        Some(card) => card.to_json(),
        None => NO_CARD_JSON.to_owned(),
    })
}

/// Follows a card found in an earlier frame of the same size into this one (see
/// [`track_card_rgba8`]): `previous_corners` are its `corners_px` from `detectCard` or
/// `trackCard`, flattened (`[x0, y0, x1, y1, …]`). Answers the `detectCard` object, or
/// `{"found": false}` when the card has moved too far or is gone (search the frame afresh then);
/// a bad size or a corner count other than four throws.
#[wasm_bindgen(js_name = trackCard)]
pub fn track_card_rgba(
    rgba: &[u8],
    width: u32,
    height: u32,
    previous_corners: &[f32],
) -> Result<String, JsError> {
    let previous = corners_from_flat(previous_corners)?;
    Ok(match track_card_rgba8(width, height, rgba, previous)? {
        Some(card) => card.to_json(),
        None => NO_CARD_JSON.to_owned(),
    })
}

/// Four corners from `[x0, y0, x1, y1, …]`.
fn corners_from_flat(corners_px: &[f32]) -> Result<[Vec2; 4], JsError> {
    if corners_px.len() != 8 {
        return Err(JsError::new(&format!(
            "four corners need 8 numbers, got {}",
            corners_px.len()
        )));
    }
    Ok([0, 1, 2, 3].map(|i| Vec2::new(corners_px[2 * i], corners_px[2 * i + 1])))
}

/// Measures a finger along the segment (x1, y1)–(x2, y2) in an RGBA frame at `px_per_mm`.
/// Answers the `loupe measure-finger` object, or `{"found": false}` when no edges are found;
/// bad arguments throw.
#[wasm_bindgen(js_name = measureFinger)]
#[allow(clippy::too_many_arguments)]
pub fn measure_finger_rgba(
    rgba: &[u8],
    width: u32,
    height: u32,
    x1: f32,
    y1: f32,
    x2: f32,
    y2: f32,
    px_per_mm: f32,
) -> Result<String, JsError> {
    let gray = GrayImage::from_rgba8(width, height, rgba)?;
    let found = measure_json(&gray, Vec2::new(x1, y1), Vec2::new(x2, y2), px_per_mm, 0.0)?;
    Ok(found.unwrap_or_else(|| "{\"found\": false}".to_owned()))
}

/// Fits a card to four corners placed by hand (`[x0, y0, x1, y1, …]` in frame px, any order) in a
/// `width × height` frame. Answers the `detectCard` object, with the corners put in order and a
/// confidence for how card-shaped they are; a degenerate placement throws a message for the user.
#[wasm_bindgen(js_name = fitCardCorners)]
pub fn fit_card_corners(corners_px: &[f32], width: u32, height: u32) -> Result<String, JsError> {
    let corners = corners_from_flat(corners_px)?;
    let size = Vec2::new(width as f32, height as f32);
    Ok(fit_manual_corners(corners, size)?.to_json())
}

/// The screen ring sizer: CSS px per mm from the on-screen width (CSS px) matched to a real card.
/// Throws for an implausible width.
#[wasm_bindgen(js_name = screenPxPerMm)]
pub fn screen_px_per_mm(card_width_css_px: f32) -> Result<f32, JsError> {
    Ok(screen::css_px_per_mm_from_card(card_width_css_px)?)
}

/// The screen ring sizer's reading: a circle `circle_css_px` across at `css_px_per_mm`, as
/// [`size_reading`] says. Bad values throw.
#[wasm_bindgen(js_name = ringFromCircle)]
pub fn ring_from_circle(
    circle_css_px: f32,
    css_px_per_mm: f32,
    system: &str,
) -> Result<String, JsError> {
    let system: SizeSystem = system.parse()?;
    let diameter_mm = screen::inner_diameter_mm_from_circle(circle_css_px, css_px_per_mm)?;
    let sigma_mm = screen::circle_sigma_mm(diameter_mm, css_px_per_mm);
    size_reading(system, diameter_mm, sigma_mm)
}

/// The ring size for a finger measured in several frames (`measureFinger`'s `width_mm` and
/// `sigma_mm` of each): their median, with an uncertainty that is the larger of the frames' own
/// (averaged down) and their spread, as [`size_reading`] says. No frames or a width outside the
/// size tables throws.
#[wasm_bindgen(js_name = fingerSize)]
pub fn finger_size(widths_mm: &[f32], sigmas_mm: &[f32], system: &str) -> Result<String, JsError> {
    use crate::calibrate::finger::{combine, FingerWidth};
    let system: SizeSystem = system.parse()?;
    let frames: Vec<FingerWidth> = widths_mm
        .iter()
        .zip(sigmas_mm)
        .filter(|(w, s)| w.is_finite() && s.is_finite())
        .map(|(&width_mm, &sigma_mm)| FingerWidth { width_mm, sigma_mm })
        .collect();
    let width = combine(&frames).ok_or_else(|| JsError::new("no finger measurements"))?;
    size_reading(system, width.width_mm, width.sigma_mm)
}

/// `{"system", "size", "uncertainty", "diameter_mm", "sigma_mm", "sizes": {system: label, …}}`:
/// the ring size of an inner diameter in `system` (`us`, `uk`, `eu`, `iso`, `jp`, `ch`, `in`),
/// with two standard deviations in that system's sizes.
fn size_reading(system: SizeSystem, diameter_mm: f32, sigma_mm: f32) -> Result<String, JsError> {
    let sizes = ring_size::all_systems(diameter_mm)?;
    let label = sizes
        .iter()
        .find(|(k, _)| *k == system)
        .map_or("", |(_, n)| n.label.as_str());
    Ok(format!(
        "{{\"system\": {}, \"size\": {}, \"uncertainty\": {}, \"diameter_mm\": {:.2}, \"sigma_mm\": {:.3}, \"sizes\": {}}}",
        json_string(system.key()),
        json_string(label),
        system.uncertainty_sizes(sigma_mm),
        diameter_mm,
        sigma_mm,
        ring_size::labels_json(&sizes)
    ))
}

/// Inner diameter, mm, of a ring size given as `system:label` (`us:7`, `uk:N½`, `eu:54`); an
/// unknown system or size throws.
#[wasm_bindgen(js_name = ringInnerDiameterMm)]
pub fn ring_inner_diameter_mm(spec: &str) -> Result<f32, JsError> {
    let (system, label) = ring_size::parse_spec(spec)?;
    Ok(ring_size::inner_diameter_mm(system, &label)?)
}
