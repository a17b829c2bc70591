//! `loupe detect-card IMAGE`: one JSON object on stdout. Exit 0 when a card is found, 1 with
//! `{"found": false}` when none is, 2 with a message on stderr for an unreadable file.

use super::{CliError, Outcome};
use crate::calibrate::{detect_card_rgba8, NO_CARD_JSON};
use std::path::PathBuf;

pub fn run(argv: &[String]) -> Result<Outcome, CliError> {
    let path = match argv {
        [p] if !p.starts_with("--") => PathBuf::from(p),
        _ => return Err(CliError::Usage("detect-card takes one IMAGE".into())),
    };
    let bytes = std::fs::read(&path).map_err(|source| CliError::Read {
        path: path.clone(),
        source,
    })?;
    let rgba = image::load_from_memory(&bytes)
        .map_err(|e| CliError::Image {
            path: path.clone(),
            reason: format!("cannot decode: {e}"),
        })?
        .to_rgba8();
    let found = detect_card_rgba8(rgba.width(), rgba.height(), rgba.as_raw()).map_err(|e| {
        CliError::Image {
            path: path.clone(),
            reason: e.to_string(),
        }
    })?;
    Ok(match found {
        None => Outcome {
            stdout: NO_CARD_JSON.into(),
            exit_code: 1,
        },
        Some(d) => Outcome {
            stdout: d.to_json(),
            exit_code: 0,
        },
    })
}
