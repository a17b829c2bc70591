//! wgpu renderer shared by the browser element and the native `loupe` command.
//! `Renderer { new, resize, load, set_*, render }`: CPU types come in, GPU resources stay inside.

mod bloom;
mod environment;
mod frame;
mod gem;
mod model;
mod overlay;
pub mod shaders;
mod texture;

#[cfg(not(target_arch = "wasm32"))]
pub mod offscreen;

pub use environment::{default_environment, GpuEnvironment};
pub use frame::{Background, CameraMatrices, GemQuality, Lighting, RoomLight};
pub use model::GpuModel;
pub use overlay::{model_from_cylinder, unit_cylinder, ContactShadow};
pub use texture::{fit_within, ImageTexture};

use crate::asset::{AlphaMode, Scene, Vertex};
use crate::env::PrefilteredEnv;
use frame::FrameUniform;
use glam::Mat4;
use std::collections::HashMap;

/// 4× MSAA: supported for RGBA8/BGRA8 by WebGPU, WebGL2 and every native backend.
pub const SAMPLE_COUNT: u32 = 4;
pub const DEPTH_FORMAT: wgpu::TextureFormat = wgpu::TextureFormat::Depth24Plus;
/// Per-draw uniforms live in one buffer at this stride (WebGL2's and WebGPU's offset alignment).
const DRAW_STRIDE: u64 = 256;

#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("no GPU adapter is available: {0}")]
    NoAdapter(String),
    #[error("the GPU device could not be created: {0}")]
    NoDevice(String),
    #[error("the GPU device was lost: {0}")]
    DeviceLost(String),
    #[error("texture {index}: {reason}")]
    Texture { index: usize, reason: String },
    #[error("reading the picture back failed: {0}")]
    Readback(String),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
struct PipelineKey {
    blend: bool,
    cull: Option<wgpu::Face>,
}

struct Targets {
    width: u32,
    height: u32,
    msaa: wgpu::TextureView,
    depth: wgpu::TextureView,
}

pub struct Renderer {
    pub device: wgpu::Device,
    pub queue: wgpu::Queue,
    color_format: wgpu::TextureFormat,
    frame_layout: wgpu::BindGroupLayout,
    material_layout: wgpu::BindGroupLayout,
    draw_layout: wgpu::BindGroupLayout,
    mesh_layout: wgpu::PipelineLayout,
    mesh_module: wgpu::ShaderModule,
    mesh_pipelines: HashMap<PipelineKey, wgpu::RenderPipeline>,
    background_pipeline: wgpu::RenderPipeline,
    overlay: overlay::Overlay,
    gem_pass: gem::GemPass,
    bloom: bloom::Bloom,
    frame_buffer: wgpu::Buffer,
    frame_bind_group: wgpu::BindGroup,
    env: GpuEnvironment,
    linear_clamp: wgpu::Sampler,
    env_sampler: wgpu::Sampler,
    background_texture: Option<ImageTexture>,
    placeholder_background: ImageTexture,
    pub(crate) defaults: texture::Defaults,
    model: Option<GpuModel>,
    targets: Option<Targets>,
    pub background: Background,
    pub lighting: Lighting,
    /// Gem pass effort; the browser lowers it on WebGL2.
    pub gem_quality: GemQuality,
}

impl Renderer {
    /// `color_format` must be a non-sRGB 8-bit format: shaders encode sRGB themselves so that
    /// WebGPU (BGRA8) and WebGL2 (RGBA8) canvases and the offscreen PNG path all agree.
    pub fn new(
        device: wgpu::Device,
        queue: wgpu::Queue,
        color_format: wgpu::TextureFormat,
        env: &PrefilteredEnv,
    ) -> Self {
        let frame_layout = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("frame"),
            entries: &[
                uniform_entry(0, wgpu::ShaderStages::VERTEX_FRAGMENT, false),
                texture_entry(1),
                sampler_entry(2),
                texture_entry(3),
                sampler_entry(4),
            ],
        });
        let mut material_entries = vec![uniform_entry(0, wgpu::ShaderStages::FRAGMENT, false)];
        for slot in 0..5 {
            material_entries.push(texture_entry(1 + slot * 2));
            material_entries.push(sampler_entry(2 + slot * 2));
        }
        let material_layout = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("material"),
            entries: &material_entries,
        });
        let draw_layout = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("draw"),
            // The gem pass reads the inverse placement in its fragment shader.
            entries: &[uniform_entry(0, wgpu::ShaderStages::VERTEX_FRAGMENT, true)],
        });
        let mesh_layout = device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
            label: Some("mesh"),
            bind_group_layouts: &[
                Some(&frame_layout),
                Some(&material_layout),
                Some(&draw_layout),
            ],
            immediate_size: 0,
        });
        let background_layout = device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
            label: Some("background"),
            bind_group_layouts: &[Some(&frame_layout)],
            immediate_size: 0,
        });
        let gem_pass = gem::GemPass::new(&device, &frame_layout, &draw_layout, color_format);
        let bloom = bloom::Bloom::new(&device, &frame_layout, color_format);
        let [(_, background_src), (_, mesh_src), _, _, _] = shaders::passes();
        let background_module = device.create_shader_module(wgpu::ShaderModuleDescriptor {
            label: Some("background.wgsl"),
            source: wgpu::ShaderSource::Wgsl(background_src.into()),
        });
        let mesh_module = device.create_shader_module(wgpu::ShaderModuleDescriptor {
            label: Some("mesh.wgsl"),
            source: wgpu::ShaderSource::Wgsl(mesh_src.into()),
        });
        let background_pipeline = make_background_pipeline(
            &device,
            &background_layout,
            &background_module,
            color_format,
            None,
        );
        let overlay = overlay::Overlay::new(
            &device,
            &frame_layout,
            color_format,
            make_background_pipeline(
                &device,
                &background_layout,
                &background_module,
                color_format,
                Some(overlay::FADE_BLEND),
            ),
        );
        let frame_buffer = device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("frame"),
            size: std::mem::size_of::<FrameUniform>() as u64,
            usage: wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        let linear_clamp = device.create_sampler(&wgpu::SamplerDescriptor {
            label: Some("linear clamp"),
            mag_filter: wgpu::FilterMode::Linear,
            min_filter: wgpu::FilterMode::Linear,
            ..Default::default()
        });
        // The equirect wraps around horizontally; mips are chosen explicitly by roughness.
        let env_sampler = device.create_sampler(&wgpu::SamplerDescriptor {
            label: Some("environment"),
            address_mode_u: wgpu::AddressMode::Repeat,
            mag_filter: wgpu::FilterMode::Linear,
            min_filter: wgpu::FilterMode::Linear,
            mipmap_filter: wgpu::MipmapFilterMode::Linear,
            ..Default::default()
        });
        let defaults = texture::Defaults::new(&device, &queue);
        let placeholder_background =
            ImageTexture::from_rgba8(&device, &queue, 1, 1, &[0, 0, 0, 255], "background");
        let env = GpuEnvironment::upload(&device, &queue, env);
        let frame_bind_group = make_frame_bind_group(
            &device,
            &frame_layout,
            &frame_buffer,
            &env,
            &env_sampler,
            &placeholder_background,
            &linear_clamp,
        );
        Self {
            device,
            queue,
            color_format,
            frame_layout,
            material_layout,
            draw_layout,
            mesh_layout,
            mesh_module,
            mesh_pipelines: HashMap::new(),
            background_pipeline,
            overlay,
            gem_pass,
            bloom,
            frame_buffer,
            frame_bind_group,
            env,
            linear_clamp,
            env_sampler,
            background_texture: None,
            placeholder_background,
            defaults,
            model: None,
            targets: None,
            background: Background::Neutral,
            lighting: Lighting::default(),
            gem_quality: GemQuality::default(),
        }
    }

    pub fn color_format(&self) -> wgpu::TextureFormat {
        self.color_format
    }

    /// The largest texture side this device accepts; larger images are downscaled before upload.
    pub fn max_texture_side(&self) -> u32 {
        self.device.limits().max_texture_dimension_2d
    }

    /// Lights the jewel with the room the camera sees (`None`: the studio alone): the frame's
    /// diffuse light, and the studio's reflections in the room's white balance, brightened or
    /// dimmed to match it.
    pub fn set_camera_light(&mut self, light: Option<&crate::env::camera_light::CameraLight>) {
        use crate::env::camera_light;
        self.lighting.room = light.map(|light| {
            let gain = camera_light::environment_gain(light.mean_linear, &self.env.sh9);
            let balance = camera_light::white_balance(
                light.mean_linear,
                camera_light::WHITE_BALANCE_STRENGTH,
            );
            RoomLight {
                sh9_irradiance: light.sh9_irradiance,
                reflection_gain: balance.map(|b| b * gain),
            }
        });
    }

    pub fn set_environment(&mut self, env: &PrefilteredEnv) {
        self.env = GpuEnvironment::upload(&self.device, &self.queue, env);
        self.rebuild_frame_bind_group();
    }

    /// Replaces the drawn model. `images` holds one uploaded texture per `scene.images` entry.
    pub fn load(&mut self, scene: &Scene, images: Vec<ImageTexture>) {
        let model = GpuModel::upload(self, scene, images);
        for key in model.pipeline_keys() {
            self.ensure_pipeline(key);
        }
        for (mirrored, needed) in [false, true].into_iter().zip(model.gem_placements()) {
            if needed {
                self.gem_pass.ensure(&self.device, mirrored);
            }
        }
        self.model = Some(model);
    }

    /// Shows the loaded model's material variant `variant` (index into its scene's
    /// `variants`), or its default look for `None`.
    pub fn set_variant(&mut self, variant: Option<usize>) {
        if let Some(model) = &mut self.model {
            model.set_variant(variant);
        }
    }

    pub fn has_model(&self) -> bool {
        self.model.is_some()
    }

    /// The texture the background is read from, (re)created at `width`×`height`; the caller fills
    /// it (camera frames via `copy_external_image_to_texture`, photos via `write_texture`).
    pub fn background_texture(&mut self, width: u32, height: u32) -> &wgpu::Texture {
        let width = width.max(1);
        let height = height.max(1);
        let stale = self
            .background_texture
            .as_ref()
            .is_none_or(|t| t.width != width || t.height != height);
        if stale {
            self.background_texture = Some(ImageTexture::empty_rgba8(
                &self.device,
                width,
                height,
                "background",
            ));
            self.rebuild_frame_bind_group();
        }
        &self
            .background_texture
            .as_ref()
            .expect("created above")
            .texture
    }

    pub fn set_background_rgba8(&mut self, width: u32, height: u32, rgba: &[u8]) {
        let texture = self.background_texture(width, height).clone();
        texture::write_rgba8(&self.queue, &texture, width, height, rgba);
    }

    fn rebuild_frame_bind_group(&mut self) {
        let bg = self
            .background_texture
            .as_ref()
            .unwrap_or(&self.placeholder_background);
        self.frame_bind_group = make_frame_bind_group(
            &self.device,
            &self.frame_layout,
            &self.frame_buffer,
            &self.env,
            &self.env_sampler,
            bg,
            &self.linear_clamp,
        );
    }

    fn ensure_pipeline(&mut self, key: PipelineKey) {
        if self.mesh_pipelines.contains_key(&key) {
            return;
        }
        let pipeline = self.device.create_render_pipeline(&wgpu::RenderPipelineDescriptor {
            label: Some("mesh"),
            layout: Some(&self.mesh_layout),
            vertex: wgpu::VertexState {
                module: &self.mesh_module,
                entry_point: Some("vs_main"),
                compilation_options: Default::default(),
                buffers: &[Some(wgpu::VertexBufferLayout {
                    array_stride: std::mem::size_of::<Vertex>() as u64,
                    step_mode: wgpu::VertexStepMode::Vertex,
                    attributes: &wgpu::vertex_attr_array![
                        0 => Float32x3, 1 => Float32x3, 2 => Float32x4, 3 => Float32x2, 4 => Float32x2
                    ],
                })],
            },
            primitive: wgpu::PrimitiveState {
                front_face: wgpu::FrontFace::Ccw,
                cull_mode: key.cull,
                ..Default::default()
            },
            depth_stencil: Some(wgpu::DepthStencilState {
                format: DEPTH_FORMAT,
                depth_write_enabled: Some(!key.blend),
                depth_compare: Some(wgpu::CompareFunction::LessEqual),
                stencil: Default::default(),
                bias: Default::default(),
            }),
            multisample: wgpu::MultisampleState { count: SAMPLE_COUNT, ..Default::default() },
            fragment: Some(wgpu::FragmentState {
                module: &self.mesh_module,
                entry_point: Some("fs_main"),
                compilation_options: Default::default(),
                targets: &[Some(wgpu::ColorTargetState {
                    format: self.color_format,
                    blend: key.blend.then_some(wgpu::BlendState::PREMULTIPLIED_ALPHA_BLENDING),
                    write_mask: wgpu::ColorWrites::ALL,
                })],
            }),
            multiview_mask: None,
            cache: None,
        });
        self.mesh_pipelines.insert(key, pipeline);
    }

    fn ensure_targets(&mut self, width: u32, height: u32) {
        if self
            .targets
            .as_ref()
            .is_some_and(|t| t.width == width && t.height == height)
        {
            return;
        }
        let make = |format, label| {
            self.device
                .create_texture(&wgpu::TextureDescriptor {
                    label: Some(label),
                    size: wgpu::Extent3d {
                        width,
                        height,
                        depth_or_array_layers: 1,
                    },
                    mip_level_count: 1,
                    sample_count: SAMPLE_COUNT,
                    dimension: wgpu::TextureDimension::D2,
                    format,
                    usage: wgpu::TextureUsages::RENDER_ATTACHMENT,
                    view_formats: &[],
                })
                .create_view(&Default::default())
        };
        self.targets = Some(Targets {
            width,
            height,
            msaa: make(self.color_format, "msaa colour"),
            depth: make(DEPTH_FORMAT, "depth"),
        });
    }

    /// Draws the background and one copy of the model per instance into `target`
    /// (single-sampled, `color_format`, width×height); with no instance, the background alone.
    /// Each instance is drawn in its own pass (its own draw uniforms), over what the ones
    /// before it left.
    pub fn render(
        &mut self,
        target: &wgpu::TextureView,
        width: u32,
        height: u32,
        camera: &CameraMatrices,
        instances: &[Instance],
    ) {
        if width == 0 || height == 0 {
            return;
        }
        self.ensure_targets(width, height);
        let uniform = FrameUniform::new(
            camera,
            &self.lighting,
            &self.gem_quality,
            &self.background,
            self.env.max_lod,
            &self.env.sh9,
        );
        self.queue
            .write_buffer(&self.frame_buffer, 0, bytemuck::bytes_of(&uniform));
        let clear = match self.background {
            Background::Clear([r, g, b, a]) => wgpu::Color {
                r: r.into(),
                g: g.into(),
                b: b.into(),
                a: a.into(),
            },
            _ => wgpu::Color::BLACK,
        };
        let passes = instances.len().max(1);
        let sparkle = self.gem_quality.traced
            && self.gem_quality.sparkle > 0.0
            && self.model.as_ref().is_some_and(GpuModel::has_traced_stones);
        if sparkle {
            self.bloom.ensure_targets(&self.device, width, height);
        }
        let mut glints_drawn = false;
        for k in 0..passes {
            let instance = instances.get(k).filter(|i| i.opacity() > 0.0);
            let model = self.model.as_ref().filter(|_| instance.is_some());
            if let (Some(model), Some(instance)) = (model, instance) {
                model.write_draw_uniforms(&self.queue, instance.world_from_scene);
                if let Some(model_from_occluder) = instance.occluder {
                    self.overlay.write_occluder(
                        &self.queue,
                        instance.world_from_scene * model_from_occluder,
                        instance.contact_shadow.as_ref(),
                    );
                }
            }
            let targets = self.targets.as_ref().expect("ensured above");
            let mut encoder = self.device.create_command_encoder(&Default::default());
            {
                let mut pass = encoder.begin_render_pass(&wgpu::RenderPassDescriptor {
                    label: Some("main"),
                    color_attachments: &[Some(wgpu::RenderPassColorAttachment {
                        view: &targets.msaa,
                        depth_slice: None,
                        resolve_target: Some(target),
                        ops: wgpu::Operations {
                            load: if k == 0 {
                                wgpu::LoadOp::Clear(clear)
                            } else {
                                wgpu::LoadOp::Load
                            },
                            store: if k + 1 < passes {
                                wgpu::StoreOp::Store
                            } else {
                                wgpu::StoreOp::Discard
                            },
                        },
                    })],
                    depth_stencil_attachment: Some(wgpu::RenderPassDepthStencilAttachment {
                        view: &targets.depth,
                        depth_ops: Some(wgpu::Operations {
                            load: wgpu::LoadOp::Clear(1.0),
                            // The glint pass tests stones against this pass's depth.
                            store: if sparkle {
                                wgpu::StoreOp::Store
                            } else {
                                wgpu::StoreOp::Discard
                            },
                        }),
                        stencil_ops: None,
                    }),
                    timestamp_writes: None,
                    occlusion_query_set: None,
                    multiview_mask: None,
                });
                pass.set_bind_group(0, &self.frame_bind_group, &[]);
                if k == 0 && !matches!(self.background, Background::Clear(_)) {
                    pass.set_pipeline(&self.background_pipeline);
                    pass.draw(0..3, 0..1);
                }
                if let (Some(model), Some(instance)) = (model, instance) {
                    if instance.occluder.is_some() {
                        self.overlay.draw_occluder(&mut pass);
                        if instance.contact_shadow.is_some() {
                            self.overlay.draw_contact_shadow(&mut pass);
                        }
                    }
                    model.draw(
                        &mut pass,
                        &self.mesh_pipelines,
                        self.gem_quality.traced.then_some(&self.gem_pass),
                        instance.world_from_scene,
                        camera,
                    );
                    let opacity = instance.opacity();
                    if opacity < 1.0 && !matches!(self.background, Background::Clear(_)) {
                        pass.set_bind_group(0, &self.frame_bind_group, &[]);
                        // Depth-tested: only this pass's jewel (and proxy) fades, not the
                        // instances drawn before it.
                        self.overlay.draw_fade(&mut pass, 1.0 - opacity);
                    }
                }
            }
            if let (true, Some(model), Some(instance)) = (sparkle, model, instance) {
                // A fading jewel (lost tracking) does not sparkle.
                if instance.opacity() >= 1.0 {
                    let mut pass =
                        self.bloom
                            .glint_pass(&mut encoder, &targets.depth, !glints_drawn);
                    pass.set_bind_group(0, &self.frame_bind_group, &[]);
                    model.draw_glints(&mut pass, &self.gem_pass);
                    glints_drawn = true;
                }
            }
            if glints_drawn && k + 1 == passes {
                self.bloom
                    .spread_and_add(&mut encoder, &self.frame_bind_group, target);
            }
            self.queue.submit([encoder.finish()]);
        }
    }
}

/// One copy of the model in a frame.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Instance {
    /// Places the whole glTF scene (placement, turntable, tracked pose) in world space.
    pub world_from_scene: Mat4,
    /// 1 draws the jewel as is; below 1 it fades into the background (tracking lost, an ear
    /// turned away); 0 hides it.
    pub opacity: f32,
    /// A depth-only cylinder in the model's space (see [`model_from_cylinder`]) standing for the
    /// body part the jewel is worn on: what lies behind it is hidden.
    pub occluder: Option<Mat4>,
    /// With an occluder: the skin next to the jewel darkened.
    pub contact_shadow: Option<ContactShadow>,
}

impl Instance {
    /// The model as placed, fully drawn, nothing hiding it.
    pub fn opaque(world_from_scene: Mat4) -> Self {
        Self {
            world_from_scene,
            opacity: 1.0,
            occluder: None,
            contact_shadow: None,
        }
    }

    fn opacity(&self) -> f32 {
        if self.opacity.is_finite() {
            self.opacity.clamp(0.0, 1.0)
        } else {
            1.0
        }
    }
}

/// The background's full-screen pipeline; with `blend`, the fade drawn over the jewel.
fn make_background_pipeline(
    device: &wgpu::Device,
    layout: &wgpu::PipelineLayout,
    module: &wgpu::ShaderModule,
    color_format: wgpu::TextureFormat,
    blend: Option<wgpu::BlendState>,
) -> wgpu::RenderPipeline {
    device.create_render_pipeline(&wgpu::RenderPipelineDescriptor {
        label: Some(if blend.is_some() {
            "fade"
        } else {
            "background"
        }),
        layout: Some(layout),
        vertex: wgpu::VertexState {
            module,
            entry_point: Some("vs_main"),
            compilation_options: Default::default(),
            buffers: &[],
        },
        primitive: wgpu::PrimitiveState::default(),
        depth_stencil: Some(wgpu::DepthStencilState {
            format: DEPTH_FORMAT,
            depth_write_enabled: Some(false),
            // The fade (drawn at the far plane) covers only what this pass drew in front of it.
            depth_compare: Some(if blend.is_some() {
                wgpu::CompareFunction::Greater
            } else {
                wgpu::CompareFunction::Always
            }),
            stencil: Default::default(),
            bias: Default::default(),
        }),
        multisample: wgpu::MultisampleState {
            count: SAMPLE_COUNT,
            ..Default::default()
        },
        fragment: Some(wgpu::FragmentState {
            module,
            entry_point: Some("fs_main"),
            compilation_options: Default::default(),
            targets: &[Some(wgpu::ColorTargetState {
                format: color_format,
                blend,
                write_mask: wgpu::ColorWrites::ALL,
            })],
        }),
        multiview_mask: None,
        cache: None,
    })
}

fn pipeline_key(alpha_mode: AlphaMode, double_sided: bool, mirrored: bool) -> PipelineKey {
    let cull = if double_sided {
        None
    } else if mirrored {
        // A negative-determinant node flips winding; cull the other face instead of rebuilding.
        Some(wgpu::Face::Front)
    } else {
        Some(wgpu::Face::Back)
    };
    PipelineKey {
        blend: alpha_mode == AlphaMode::Blend,
        cull,
    }
}

pub(super) fn uniform_entry(
    binding: u32,
    visibility: wgpu::ShaderStages,
    dynamic: bool,
) -> wgpu::BindGroupLayoutEntry {
    wgpu::BindGroupLayoutEntry {
        binding,
        visibility,
        ty: wgpu::BindingType::Buffer {
            ty: wgpu::BufferBindingType::Uniform,
            has_dynamic_offset: dynamic,
            min_binding_size: None,
        },
        count: None,
    }
}

pub(super) fn texture_entry(binding: u32) -> wgpu::BindGroupLayoutEntry {
    wgpu::BindGroupLayoutEntry {
        binding,
        visibility: wgpu::ShaderStages::FRAGMENT,
        ty: wgpu::BindingType::Texture {
            sample_type: wgpu::TextureSampleType::Float { filterable: true },
            view_dimension: wgpu::TextureViewDimension::D2,
            multisampled: false,
        },
        count: None,
    }
}

pub(super) fn sampler_entry(binding: u32) -> wgpu::BindGroupLayoutEntry {
    wgpu::BindGroupLayoutEntry {
        binding,
        visibility: wgpu::ShaderStages::FRAGMENT,
        ty: wgpu::BindingType::Sampler(wgpu::SamplerBindingType::Filtering),
        count: None,
    }
}

fn make_frame_bind_group(
    device: &wgpu::Device,
    layout: &wgpu::BindGroupLayout,
    buffer: &wgpu::Buffer,
    env: &GpuEnvironment,
    env_sampler: &wgpu::Sampler,
    background: &ImageTexture,
    background_sampler: &wgpu::Sampler,
) -> wgpu::BindGroup {
    device.create_bind_group(&wgpu::BindGroupDescriptor {
        label: Some("frame"),
        layout,
        entries: &[
            wgpu::BindGroupEntry {
                binding: 0,
                resource: buffer.as_entire_binding(),
            },
            wgpu::BindGroupEntry {
                binding: 1,
                resource: wgpu::BindingResource::TextureView(&env.view),
            },
            wgpu::BindGroupEntry {
                binding: 2,
                resource: wgpu::BindingResource::Sampler(env_sampler),
            },
            wgpu::BindGroupEntry {
                binding: 3,
                resource: wgpu::BindingResource::TextureView(&background.view),
            },
            wgpu::BindGroupEntry {
                binding: 4,
                resource: wgpu::BindingResource::Sampler(background_sampler),
            },
        ],
    })
}
