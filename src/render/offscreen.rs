//! Native offscreen rendering (the `loupe render` command and golden-image tests): the same
//! `Renderer` drawing into a texture that is read back to RGBA8.

use super::{CameraMatrices, Instance, RenderError, Renderer};
use crate::env::PrefilteredEnv;
use glam::Mat4;

pub const OFFSCREEN_FORMAT: wgpu::TextureFormat = wgpu::TextureFormat::Rgba8Unorm;

pub struct Offscreen {
    pub renderer: Renderer,
    pub adapter: wgpu::AdapterInfo,
}

impl Offscreen {
    /// Any Vulkan or GL adapter; on a machine without a GPU that is Mesa's lavapipe / llvmpipe.
    pub fn new(env: &PrefilteredEnv) -> Result<Self, RenderError> {
        let instance = wgpu::Instance::new(wgpu::InstanceDescriptor {
            backends: wgpu::Backends::VULKAN | wgpu::Backends::GL,
            ..wgpu::InstanceDescriptor::new_without_display_handle()
        });
        let adapter =
            pollster::block_on(instance.request_adapter(&wgpu::RequestAdapterOptions::default()))
                .map_err(|e| {
                RenderError::NoAdapter(format!(
                    "{e} (install Mesa's mesa-vulkan-drivers for a software adapter)"
                ))
            })?;
        let (device, queue) = pollster::block_on(adapter.request_device(&wgpu::DeviceDescriptor {
            label: Some("loupe offscreen"),
            required_limits:
                wgpu::Limits::downlevel_webgl2_defaults().using_resolution(adapter.limits()),
            ..Default::default()
        }))
        .map_err(|e| RenderError::NoDevice(e.to_string()))?;
        Ok(Self {
            renderer: Renderer::new(device, queue, OFFSCREEN_FORMAT, env),
            adapter: adapter.get_info(),
        })
    }

    /// Renders one frame and returns premultiplied RGBA8 rows, top row first.
    pub fn render_rgba(
        &mut self,
        width: u32,
        height: u32,
        camera: &CameraMatrices,
        world_from_scene: Mat4,
    ) -> Result<Vec<u8>, RenderError> {
        self.render_instances_rgba(width, height, camera, &[Instance::opaque(world_from_scene)])
    }

    /// Renders one frame with a copy of the model per instance (see [`Renderer::render`]).
    pub fn render_instances_rgba(
        &mut self,
        width: u32,
        height: u32,
        camera: &CameraMatrices,
        instances: &[Instance],
    ) -> Result<Vec<u8>, RenderError> {
        let device = self.renderer.device.clone();
        let target = device.create_texture(&wgpu::TextureDescriptor {
            label: Some("offscreen"),
            size: wgpu::Extent3d {
                width,
                height,
                depth_or_array_layers: 1,
            },
            mip_level_count: 1,
            sample_count: 1,
            dimension: wgpu::TextureDimension::D2,
            format: OFFSCREEN_FORMAT,
            usage: wgpu::TextureUsages::RENDER_ATTACHMENT | wgpu::TextureUsages::COPY_SRC,
            view_formats: &[],
        });
        let view = target.create_view(&Default::default());
        self.renderer
            .render(&view, width, height, camera, instances);
        read_texture(&device, &self.renderer.queue, &target, width, height)
    }
}

pub fn read_texture(
    device: &wgpu::Device,
    queue: &wgpu::Queue,
    texture: &wgpu::Texture,
    width: u32,
    height: u32,
) -> Result<Vec<u8>, RenderError> {
    let row_bytes = width * 4;
    let padded =
        row_bytes.div_ceil(wgpu::COPY_BYTES_PER_ROW_ALIGNMENT) * wgpu::COPY_BYTES_PER_ROW_ALIGNMENT;
    let buffer = device.create_buffer(&wgpu::BufferDescriptor {
        label: Some("readback"),
        size: (padded * height) as u64,
        usage: wgpu::BufferUsages::COPY_DST | wgpu::BufferUsages::MAP_READ,
        mapped_at_creation: false,
    });
    let mut encoder = device.create_command_encoder(&Default::default());
    encoder.copy_texture_to_buffer(
        texture.as_image_copy(),
        wgpu::TexelCopyBufferInfo {
            buffer: &buffer,
            layout: wgpu::TexelCopyBufferLayout {
                offset: 0,
                bytes_per_row: Some(padded),
                rows_per_image: Some(height),
            },
        },
        wgpu::Extent3d {
            width,
            height,
            depth_or_array_layers: 1,
        },
    );
    queue.submit([encoder.finish()]);
    let slice = buffer.slice(..);
    let (tx, rx) = std::sync::mpsc::channel();
    slice.map_async(wgpu::MapMode::Read, move |r| {
        let _ = tx.send(r);
    });
    device
        .poll(wgpu::PollType::wait_indefinitely())
        .map_err(|e| RenderError::Readback(e.to_string()))?;
    rx.recv()
        .map_err(|e| RenderError::Readback(e.to_string()))?
        .map_err(|e| RenderError::Readback(e.to_string()))?;
    let data = slice
        .get_mapped_range()
        .map_err(|e| RenderError::Readback(format!("{e:?}")))?;
    let mut out = Vec::with_capacity((row_bytes * height) as usize);
    for row in data.chunks_exact(padded as usize) {
        out.extend_from_slice(&row[..row_bytes as usize]);
    }
    Ok(out)
}
