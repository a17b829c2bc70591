//! Native image decoding for model textures and background photos (the browser decodes its own).

use crate::asset::Scene;
use crate::render::{fit_within, ImageTexture, Renderer};

#[derive(Debug)]
pub struct Rgba8 {
    pub width: u32,
    pub height: u32,
    pub pixels: Vec<u8>,
}

/// Decodes PNG/JPEG bytes, shrinking to `max_side` if needed (the note says so).
pub fn decode(
    bytes: &[u8],
    max_side: u32,
    notes: &mut Vec<String>,
    what: &str,
) -> Result<Rgba8, String> {
    let img = image::load_from_memory(bytes).map_err(|e| format!("cannot decode {what}: {e}"))?;
    let (w, h) = (img.width(), img.height());
    let (fw, fh) = fit_within(w, h, max_side);
    let img = if (fw, fh) != (w, h) {
        notes.push(format!("{what} is {w}×{h}, larger than the device allows ({max_side}); downscaled to {fw}×{fh}"));
        img.resize_exact(fw, fh, image::imageops::FilterType::Triangle)
    } else {
        img
    };
    let rgba = img.to_rgba8();
    Ok(Rgba8 {
        width: rgba.width(),
        height: rgba.height(),
        pixels: rgba.into_raw(),
    })
}

/// One GPU texture per scene image, in order. An undecodable image is replaced by a white
/// texel and reported, so the model still shows.
pub fn upload_scene_images(
    renderer: &Renderer,
    scene: &Scene,
    notes: &mut Vec<String>,
) -> Vec<ImageTexture> {
    let max = renderer.max_texture_side();
    scene
        .images
        .iter()
        .enumerate()
        .map(
            |(i, img)| match decode(&img.bytes, max, notes, &format!("image {i}")) {
                Ok(d) => ImageTexture::from_rgba8(
                    &renderer.device,
                    &renderer.queue,
                    d.width,
                    d.height,
                    &d.pixels,
                    "model image",
                ),
                Err(e) => {
                    notes.push(e);
                    ImageTexture::from_rgba8(
                        &renderer.device,
                        &renderer.queue,
                        1,
                        1,
                        &[255; 4],
                        "missing image",
                    )
                }
            },
        )
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(width: u32, height: u32) -> Vec<u8> {
        let img =
            image::RgbaImage::from_fn(width, height, |x, _| image::Rgba([x as u8, 0, 0, 255]));
        let mut bytes = std::io::Cursor::new(Vec::new());
        img.write_to(&mut bytes, image::ImageFormat::Png).unwrap();
        bytes.into_inner()
    }

    #[test]
    fn images_over_the_device_limit_are_downscaled_and_reported() {
        let mut notes = Vec::new();
        let d = decode(&png(64, 32), 16, &mut notes, "image 0").unwrap();
        assert_eq!((d.width, d.height), (16, 8));
        assert_eq!(d.pixels.len(), 16 * 8 * 4);
        assert_eq!(notes.len(), 1);
        assert!(
            notes[0].contains("64×32") && notes[0].contains("16×8"),
            "{}",
            notes[0]
        );
    }

    #[test]
    fn images_within_the_limit_are_untouched_and_garbage_is_an_error() {
        let mut notes = Vec::new();
        let d = decode(&png(8, 4), 16, &mut notes, "image 0").unwrap();
        assert_eq!((d.width, d.height, d.pixels[4]), (8, 4, 1));
        assert!(notes.is_empty());
        assert!(decode(b"not an image", 16, &mut notes, "image 1")
            .unwrap_err()
            .contains("image 1"));
    }
}
