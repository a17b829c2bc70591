//! Model textures decoded by the browser (`createImageBitmap`) and copied straight to the GPU.

use crate::asset::Scene;
use crate::render::{fit_within, ImageTexture};
use js_sys::{Array, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

async fn bitmap(
    blob: &web_sys::Blob,
    resize: Option<(u32, u32)>,
) -> Result<web_sys::ImageBitmap, JsValue> {
    let window = web_sys::window().ok_or_else(|| JsValue::from_str("no window"))?;
    let promise = match resize {
        None => window.create_image_bitmap_with_blob(blob)?,
        Some((w, h)) => {
            let opts = web_sys::ImageBitmapOptions::new();
            opts.set_resize_width(w);
            opts.set_resize_height(h);
            opts.set_resize_quality(web_sys::ResizeQuality::High);
            window.create_image_bitmap_with_blob_and_image_bitmap_options(blob, &opts)?
        }
    };
    Ok(JsFuture::from(promise).await?.unchecked_into())
}

/// Decodes every scene image; one that fails becomes a white texel and a warning.
pub async fn decode_all(
    scene: &Scene,
    max_side: u32,
    warnings: &mut Vec<String>,
) -> Vec<Option<web_sys::ImageBitmap>> {
    let mut out = Vec::with_capacity(scene.images.len());
    for (i, img) in scene.images.iter().enumerate() {
        let parts = Array::of1(&Uint8Array::from(img.bytes.as_slice()));
        let props = web_sys::BlobPropertyBag::new();
        if let Some(m) = &img.mime_type {
            props.set_type(m);
        }
        let decoded = match web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &props) {
            Ok(blob) => match bitmap(&blob, None).await {
                Ok(b) if b.width().max(b.height()) > max_side => {
                    let (w, h) = fit_within(b.width(), b.height(), max_side);
                    warnings.push(format!(
                        "image {i} is {}×{}, larger than this GPU allows ({max_side}); downscaled to {w}×{h}",
                        b.width(),
                        b.height()
                    ));
                    b.close();
                    bitmap(&blob, Some((w, h))).await.ok()
                }
                Ok(b) => Some(b),
                Err(_) => None,
            },
            Err(_) => None,
        };
        if decoded.is_none() {
            warnings.push(format!("image {i} could not be decoded; drawn white"));
        }
        out.push(decoded);
    }
    out
}

pub fn copy_external(
    queue: &wgpu::Queue,
    source: wgpu::ExternalImageSource,
    texture: &wgpu::Texture,
    width: u32,
    height: u32,
) {
    queue.copy_external_image_to_texture(
        &wgpu::CopyExternalImageSourceInfo {
            source,
            origin: wgpu::Origin2d::ZERO,
            flip_y: false,
        },
        wgpu::CopyExternalImageDestInfo {
            texture,
            mip_level: 0,
            origin: wgpu::Origin3d::ZERO,
            aspect: wgpu::TextureAspect::All,
            color_space: wgpu::PredefinedColorSpace::Srgb,
            premultiplied_alpha: false,
        },
        wgpu::Extent3d {
            width,
            height,
            depth_or_array_layers: 1,
        },
    );
}

pub fn upload(
    device: &wgpu::Device,
    queue: &wgpu::Queue,
    bitmaps: Vec<Option<web_sys::ImageBitmap>>,
) -> Vec<ImageTexture> {
    bitmaps
        .into_iter()
        .map(|b| match b {
            Some(b) => {
                let t = ImageTexture::empty_rgba8(
                    device,
                    b.width().max(1),
                    b.height().max(1),
                    "model image",
                );
                copy_external(
                    queue,
                    wgpu::ExternalImageSource::ImageBitmap(b),
                    &t.texture,
                    t.width,
                    t.height,
                );
                t
            }
            None => ImageTexture::from_rgba8(device, queue, 1, 1, &[255; 4], "missing image"),
        })
        .collect()
}
