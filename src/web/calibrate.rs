//! Scale tools for the element, on RGBA frames it grabs itself (frames stay on the device): card
//! detection and finger measurement, answering the same JSON as `loupe detect-card` and
//! `loupe measure-finger`.

use glam::Vec2;
use wasm_bindgen::prelude::*;

use crate::calibrate::finger::measure_json;
use crate::calibrate::{detect_card, GrayImage, NO_CARD_JSON};

/// Looks for an ID-1 card in an RGBA frame (`width × height`, 4 bytes per pixel). Answers
/// `{"found": true, "corners_px", "px_per_mm", "focal_px", "confidence"}` or `{"found": false}`;
/// a bad size throws.
#[wasm_bindgen(js_name = detectCard)]
pub fn detect_card_rgba(rgba: &[u8], width: u32, height: u32) -> Result<String, JsError> {
    let gray = GrayImage::from_rgba8(width, height, rgba)?;
    Ok(match detect_card(&gray)? {
        Some(card) => card.to_json(),
        None => NO_CARD_JSON.to_owned(),
    })
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
