//! `loupe measure-finger IMAGE --across "X1,Y1 X2,Y2" [--px-per-mm F | --card]`: the finger's
//! width along a segment across it and the ring size it wears, as one JSON object.
//!
//! Exit 0 with the measurement; 1 with `{"found": false, "reason": …}` when the finger's edges
//! (or, with `--card`, the card) are not found; 2 with a message for bad arguments or an
//! unreadable image.

use glam::Vec2;

use super::args::Args;
use super::{CliError, Outcome};
use crate::calibrate::finger::{measure_json, FingerError};
use crate::calibrate::{detect_card_rgba8, GrayImage};
use crate::math::ring_size::json_string;
use std::path::PathBuf;

/// Relative uncertainty of px-per-mm from a detected card (the synthetic set's p95 error).
const CARD_SCALE_REL_SIGMA: f32 = 0.005;

fn point(s: &str) -> Option<Vec2> {
    let (x, y) = s.split_once(',')?;
    let p = Vec2::new(x.trim().parse().ok()?, y.trim().parse().ok()?);
    p.is_finite().then_some(p)
}

fn not_found(reason: &str) -> Outcome {
    Outcome {
        stdout: format!("{{\"found\": false, \"reason\": {}}}", json_string(reason)),
        exit_code: 1,
    }
}

pub fn run(argv: &[String]) -> Result<Outcome, CliError> {
    let a = Args::parse(argv, &["across", "px-per-mm", "card"])?;
    let path = match a.positional.as_slice() {
        [p] => PathBuf::from(p),
        _ => {
            return Err(CliError::Usage(
                "measure-finger takes one IMAGE and --across \"X1,Y1 X2,Y2\"".into(),
            ))
        }
    };
    let across = a
        .get("across")
        .ok_or_else(|| CliError::Usage("measure-finger needs --across \"X1,Y1 X2,Y2\"".into()))?;
    let ends: Vec<Vec2> = across.split_whitespace().filter_map(point).collect();
    let [from, to] = ends[..] else {
        return Err(CliError::Usage(format!(
            "--across {across:?} must be two points \"X1,Y1 X2,Y2\" in pixels"
        )));
    };
    let use_card = match a.get("card") {
        None => false,
        Some("yes" | "true" | "1") => true,
        Some(other) => {
            return Err(CliError::Usage(format!(
                "--card takes no value other than yes, got {other:?}"
            )))
        }
    };
    if use_card == a.get("px-per-mm").is_some() {
        return Err(CliError::Usage(
            "measure-finger needs exactly one of --px-per-mm F or --card yes".into(),
        ));
    }
    let bytes = std::fs::read(&path).map_err(|source| CliError::Read {
        path: path.clone(),
        source,
    })?;
    let image_error = |reason: String| CliError::Image {
        path: path.clone(),
        reason,
    };
    let rgba = image::load_from_memory(&bytes)
        .map_err(|e| image_error(format!("cannot decode: {e}")))?
        .to_rgba8();
    let gray = GrayImage::from_rgba8(rgba.width(), rgba.height(), rgba.as_raw())
        .map_err(|e| image_error(e.to_string()))?;
    let (px_per_mm, scale_sigma) = if use_card {
        match detect_card_rgba8(rgba.width(), rgba.height(), rgba.as_raw())
            .map_err(|e| image_error(e.to_string()))?
        {
            Some(card) => (card.fit.px_per_mm, CARD_SCALE_REL_SIGMA),
            None => return Ok(not_found("no card in the image")),
        }
    } else {
        (a.number("px-per-mm", 0.0)?, 0.0)
    };
    match measure_json(&gray, from, to, px_per_mm, scale_sigma) {
        Ok(Some(json)) => Ok(Outcome {
            stdout: json,
            exit_code: 0,
        }),
        Ok(None) => Ok(not_found(&FingerError::NoEdges.to_string())),
        Err(e) => Err(CliError::Usage(e.to_string())),
    }
}
