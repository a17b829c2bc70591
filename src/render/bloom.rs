//! Sparkle bloom (`shaders/bloom.wgsl`): stones are traced a second time, one ray a pixel, into a
//! glint image holding only light beyond near-white (`fs_glint` in `gem.wgsl`), depth-tested
//! against the frame so prongs and the finger still hide them. The glints are blurred at half
//! resolution and added over the finished frame. Only stones glow.

use super::{sampler_entry, texture_entry, DEPTH_FORMAT, SAMPLE_COUNT};

/// The glint image: 8 bits are enough for a soft glow, and every backend renders, resolves and
/// filters this format (a float target would need an extension on WebGL2).
pub(super) const GLINT_FORMAT: wgpu::TextureFormat = wgpu::TextureFormat::Rgba8Unorm;

struct Targets {
    width: u32,
    height: u32,
    /// Multisampled like the frame, so the frame's depth can test it.
    glint_msaa: wgpu::TextureView,
    /// Resolved glints, full resolution.
    glint: wgpu::TextureView,
    /// Blurred across, then down, at half resolution.
    across: wgpu::TextureView,
    down: wgpu::TextureView,
    glint_group: wgpu::BindGroup,
    across_group: wgpu::BindGroup,
    down_group: wgpu::BindGroup,
}

pub(super) struct Bloom {
    layout: wgpu::BindGroupLayout,
    blur_across: wgpu::RenderPipeline,
    blur_down: wgpu::RenderPipeline,
    add: wgpu::RenderPipeline,
    sampler: wgpu::Sampler,
    targets: Option<Targets>,
}

impl Bloom {
    pub(super) fn new(
        device: &wgpu::Device,
        frame_layout: &wgpu::BindGroupLayout,
        color_format: wgpu::TextureFormat,
    ) -> Self {
        let layout = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("bloom"),
            entries: &[texture_entry(0), sampler_entry(1)],
        });
        let pipeline_layout = device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
            label: Some("bloom"),
            bind_group_layouts: &[Some(frame_layout), Some(&layout)],
            immediate_size: 0,
        });
        let module = device.create_shader_module(wgpu::ShaderModuleDescriptor {
            label: Some("bloom.wgsl"),
            source: wgpu::ShaderSource::Wgsl(
                super::shaders::compose(super::shaders::BLOOM_WGSL).into(),
            ),
        });
        let pipeline = |entry: &str, format, blend| {
            device.create_render_pipeline(&wgpu::RenderPipelineDescriptor {
                label: Some(entry),
                layout: Some(&pipeline_layout),
                vertex: wgpu::VertexState {
                    module: &module,
                    entry_point: Some("vs_fullscreen"),
                    compilation_options: Default::default(),
                    buffers: &[],
                },
                primitive: wgpu::PrimitiveState::default(),
                depth_stencil: None,
                multisample: Default::default(),
                fragment: Some(wgpu::FragmentState {
                    module: &module,
                    entry_point: Some(entry),
                    compilation_options: Default::default(),
                    targets: &[Some(wgpu::ColorTargetState {
                        format,
                        blend,
                        write_mask: wgpu::ColorWrites::ALL,
                    })],
                }),
                multiview_mask: None,
                cache: None,
            })
        };
        let add_blend = wgpu::BlendState {
            color: wgpu::BlendComponent {
                src_factor: wgpu::BlendFactor::One,
                dst_factor: wgpu::BlendFactor::One,
                operation: wgpu::BlendOperation::Add,
            },
            alpha: wgpu::BlendComponent {
                src_factor: wgpu::BlendFactor::One,
                dst_factor: wgpu::BlendFactor::One,
                operation: wgpu::BlendOperation::Add,
            },
        };
        Self {
            blur_across: pipeline("fs_blur_across", GLINT_FORMAT, None),
            blur_down: pipeline("fs_blur_down", GLINT_FORMAT, None),
            add: pipeline("fs_add", color_format, Some(add_blend)),
            sampler: device.create_sampler(&wgpu::SamplerDescriptor {
                label: Some("bloom"),
                mag_filter: wgpu::FilterMode::Linear,
                min_filter: wgpu::FilterMode::Linear,
                ..Default::default()
            }),
            layout,
            targets: None,
        }
    }

    /// Sizes the glint and blur images to a width×height frame.
    pub(super) fn ensure_targets(&mut self, device: &wgpu::Device, width: u32, height: u32) {
        if self
            .targets
            .as_ref()
            .is_some_and(|t| t.width == width && t.height == height)
        {
            return;
        }
        let make = |label, (w, h): (u32, u32), samples| {
            device
                .create_texture(&wgpu::TextureDescriptor {
                    label: Some(label),
                    size: wgpu::Extent3d {
                        width: w,
                        height: h,
                        depth_or_array_layers: 1,
                    },
                    mip_level_count: 1,
                    sample_count: samples,
                    dimension: wgpu::TextureDimension::D2,
                    format: GLINT_FORMAT,
                    usage: if samples > 1 {
                        wgpu::TextureUsages::RENDER_ATTACHMENT
                    } else {
                        wgpu::TextureUsages::RENDER_ATTACHMENT
                            | wgpu::TextureUsages::TEXTURE_BINDING
                    },
                    view_formats: &[],
                })
                .create_view(&Default::default())
        };
        let half = (width.div_ceil(2), height.div_ceil(2));
        let glint = make("glints", (width, height), 1);
        let across = make("glints blurred across", half, 1);
        let down = make("glints blurred down", half, 1);
        let group = |view: &wgpu::TextureView| {
            device.create_bind_group(&wgpu::BindGroupDescriptor {
                label: Some("bloom"),
                layout: &self.layout,
                entries: &[
                    wgpu::BindGroupEntry {
                        binding: 0,
                        resource: wgpu::BindingResource::TextureView(view),
                    },
                    wgpu::BindGroupEntry {
                        binding: 1,
                        resource: wgpu::BindingResource::Sampler(&self.sampler),
                    },
                ],
            })
        };
        self.targets = Some(Targets {
            width,
            height,
            glint_msaa: make("glints msaa", (width, height), SAMPLE_COUNT),
            glint_group: group(&glint),
            across_group: group(&across),
            down_group: group(&down),
            glint,
            across,
            down,
        });
    }

    /// A pass that draws glints, depth-tested against the frame's `depth` (which the frame's
    /// pass must have stored). `first` clears the glint image; every pass resolves it.
    pub(super) fn glint_pass<'e>(
        &self,
        encoder: &'e mut wgpu::CommandEncoder,
        depth: &wgpu::TextureView,
        first: bool,
    ) -> wgpu::RenderPass<'e> {
        let t = self.targets.as_ref().expect("ensure_targets first");
        encoder.begin_render_pass(&wgpu::RenderPassDescriptor {
            label: Some("glints"),
            color_attachments: &[Some(wgpu::RenderPassColorAttachment {
                view: &t.glint_msaa,
                depth_slice: None,
                resolve_target: Some(&t.glint),
                ops: wgpu::Operations {
                    load: if first {
                        wgpu::LoadOp::Clear(wgpu::Color::TRANSPARENT)
                    } else {
                        wgpu::LoadOp::Load
                    },
                    store: wgpu::StoreOp::Store,
                },
            })],
            depth_stencil_attachment: Some(wgpu::RenderPassDepthStencilAttachment {
                view: depth,
                depth_ops: Some(wgpu::Operations {
                    load: wgpu::LoadOp::Load,
                    store: wgpu::StoreOp::Discard,
                }),
                stencil_ops: None,
            }),
            timestamp_writes: None,
            occlusion_query_set: None,
            multiview_mask: None,
        })
    }

    /// Blurs the resolved glints and adds them over `target` (the finished, single-sampled
    /// frame).
    pub(super) fn spread_and_add(
        &self,
        encoder: &mut wgpu::CommandEncoder,
        frame_group: &wgpu::BindGroup,
        target: &wgpu::TextureView,
    ) {
        let t = self.targets.as_ref().expect("ensure_targets first");
        let steps = [
            (&self.blur_across, &t.glint_group, &t.across, true),
            (&self.blur_down, &t.across_group, &t.down, true),
            (&self.add, &t.down_group, target, false),
        ];
        for (pipeline, source, view, clear) in steps {
            let mut pass = encoder.begin_render_pass(&wgpu::RenderPassDescriptor {
                label: Some("bloom"),
                color_attachments: &[Some(wgpu::RenderPassColorAttachment {
                    view,
                    depth_slice: None,
                    resolve_target: None,
                    ops: wgpu::Operations {
                        load: if clear {
                            wgpu::LoadOp::Clear(wgpu::Color::TRANSPARENT)
                        } else {
                            wgpu::LoadOp::Load
                        },
                        store: wgpu::StoreOp::Store,
                    },
                })],
                depth_stencil_attachment: None,
                timestamp_writes: None,
                occlusion_query_set: None,
                multiview_mask: None,
            });
            pass.set_pipeline(pipeline);
            pass.set_bind_group(0, frame_group, &[]);
            pass.set_bind_group(1, source, &[]);
            pass.draw(0..3, 0..1);
        }
    }
}

/// The depth state of the glint pipelines: the stone's own depth from the frame's pass passes,
/// anything in front of it (metal, the finger) hides it.
pub(super) fn glint_depth_state() -> wgpu::DepthStencilState {
    wgpu::DepthStencilState {
        format: DEPTH_FORMAT,
        depth_write_enabled: Some(false),
        depth_compare: Some(wgpu::CompareFunction::LessEqual),
        stencil: Default::default(),
        bias: Default::default(),
    }
}
