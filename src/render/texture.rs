//! Plain 2D RGBA8 textures: model images, the background frame, and 1×1 defaults.

pub struct ImageTexture {
    pub texture: wgpu::Texture,
    pub view: wgpu::TextureView,
    pub width: u32,
    pub height: u32,
}

/// Every sampled image is RGBA8 UNORM holding the file's bytes; colour slots decode sRGB in the
/// shader. One format keeps the browser's `copy_external_image_to_texture` path identical.
pub const IMAGE_FORMAT: wgpu::TextureFormat = wgpu::TextureFormat::Rgba8Unorm;

impl ImageTexture {
    /// A texture that can also receive `copy_external_image_to_texture` (needs RENDER_ATTACHMENT).
    pub fn empty_rgba8(device: &wgpu::Device, width: u32, height: u32, label: &str) -> Self {
        let texture = device.create_texture(&wgpu::TextureDescriptor {
            label: Some(label),
            size: wgpu::Extent3d {
                width,
                height,
                depth_or_array_layers: 1,
            },
            mip_level_count: 1,
            sample_count: 1,
            dimension: wgpu::TextureDimension::D2,
            format: IMAGE_FORMAT,
            usage: wgpu::TextureUsages::TEXTURE_BINDING
                | wgpu::TextureUsages::COPY_DST
                | wgpu::TextureUsages::RENDER_ATTACHMENT,
            view_formats: &[],
        });
        let view = texture.create_view(&Default::default());
        Self {
            texture,
            view,
            width,
            height,
        }
    }

    pub fn from_rgba8(
        device: &wgpu::Device,
        queue: &wgpu::Queue,
        width: u32,
        height: u32,
        rgba: &[u8],
        label: &str,
    ) -> Self {
        let t = Self::empty_rgba8(device, width, height, label);
        write_rgba8(queue, &t.texture, width, height, rgba);
        t
    }
}

pub fn write_rgba8(
    queue: &wgpu::Queue,
    texture: &wgpu::Texture,
    width: u32,
    height: u32,
    rgba: &[u8],
) {
    debug_assert_eq!(rgba.len(), (width * height * 4) as usize);
    queue.write_texture(
        texture.as_image_copy(),
        rgba,
        wgpu::TexelCopyBufferLayout {
            offset: 0,
            bytes_per_row: Some(width * 4),
            rows_per_image: Some(height),
        },
        wgpu::Extent3d {
            width,
            height,
            depth_or_array_layers: 1,
        },
    );
}

/// The size an image is scaled to so that neither side exceeds `max_side`, keeping its aspect.
pub fn fit_within(width: u32, height: u32, max_side: u32) -> (u32, u32) {
    let longest = width.max(height);
    if longest <= max_side || longest == 0 {
        return (width.max(1), height.max(1));
    }
    let scale = max_side as f64 / longest as f64;
    (
        ((width as f64 * scale).round() as u32).clamp(1, max_side),
        ((height as f64 * scale).round() as u32).clamp(1, max_side),
    )
}

/// Stand-ins for absent material textures, so every material binds the same layout.
pub struct Defaults {
    pub white: ImageTexture,
    pub flat_normal: ImageTexture,
}

impl Defaults {
    pub fn new(device: &wgpu::Device, queue: &wgpu::Queue) -> Self {
        Self {
            white: ImageTexture::from_rgba8(device, queue, 1, 1, &[255; 4], "white"),
            flat_normal: ImageTexture::from_rgba8(
                device,
                queue,
                1,
                1,
                &[128, 128, 255, 255],
                "flat normal",
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::fit_within;

    #[test]
    fn oversized_images_shrink_to_the_limit_keeping_aspect() {
        assert_eq!(fit_within(8192, 4096, 2048), (2048, 1024));
        assert_eq!(fit_within(1000, 3000, 2048), (683, 2048));
        assert_eq!(fit_within(512, 256, 2048), (512, 256));
        assert_eq!(fit_within(0, 0, 2048), (1, 1));
    }
}
