//! The prefiltered environment on the GPU: one equirect RGBA16F texture whose mip k holds the
//! GGX-prefiltered radiance for roughness k / (levels − 1), plus SH irradiance for diffuse.

use crate::env::{f32_to_f16_bits, PrefilteredEnv};

pub struct GpuEnvironment {
    pub texture: wgpu::Texture,
    pub view: wgpu::TextureView,
    /// The highest mip index: roughness 1 maps to it.
    pub max_lod: f32,
    pub sh9: [[f32; 3]; 9],
}

impl GpuEnvironment {
    pub fn upload(device: &wgpu::Device, queue: &wgpu::Queue, env: &PrefilteredEnv) -> Self {
        let base = &env.levels[0];
        // Mips must halve exactly; stop at the first level that does not (never happens for
        // the power-of-two sizes `env::prefilter` makes, but the texture must stay valid).
        let mut level_count = 1;
        while level_count < env.levels.len() {
            let (w, h) = (base.width >> level_count, base.height >> level_count);
            let l = &env.levels[level_count];
            if l.width != w.max(1) || l.height != h.max(1) {
                break;
            }
            level_count += 1;
        }
        let texture = device.create_texture(&wgpu::TextureDescriptor {
            label: Some("environment"),
            size: wgpu::Extent3d {
                width: base.width,
                height: base.height,
                depth_or_array_layers: 1,
            },
            mip_level_count: level_count as u32,
            sample_count: 1,
            dimension: wgpu::TextureDimension::D2,
            format: wgpu::TextureFormat::Rgba16Float,
            usage: wgpu::TextureUsages::TEXTURE_BINDING | wgpu::TextureUsages::COPY_DST,
            view_formats: &[],
        });
        for (mip, level) in env.levels.iter().take(level_count).enumerate() {
            let mut halfs: Vec<u16> = Vec::with_capacity(level.rgb.len() * 4);
            for px in &level.rgb {
                halfs.extend([px[0], px[1], px[2], 1.0].map(f32_to_f16_bits));
            }
            queue.write_texture(
                wgpu::TexelCopyTextureInfo {
                    texture: &texture,
                    mip_level: mip as u32,
                    origin: wgpu::Origin3d::ZERO,
                    aspect: wgpu::TextureAspect::All,
                },
                bytemuck::cast_slice(&halfs),
                wgpu::TexelCopyBufferLayout {
                    offset: 0,
                    bytes_per_row: Some(level.width * 8),
                    rows_per_image: Some(level.height),
                },
                wgpu::Extent3d {
                    width: level.width,
                    height: level.height,
                    depth_or_array_layers: 1,
                },
            );
        }
        let view = texture.create_view(&Default::default());
        Self {
            texture,
            view,
            max_lod: (level_count - 1) as f32,
            sh9: env.sh9_irradiance,
        }
    }
}

/// The built-in studio environment, prefiltered; `base_width` is the sharpest mip's width.
pub fn default_environment(base_width: u32) -> PrefilteredEnv {
    let studio = crate::env::studio_environment(base_width * 2, base_width);
    crate::env::prefilter(&studio, base_width, 6)
}
