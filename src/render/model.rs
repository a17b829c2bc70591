//! A `Scene` uploaded: vertex/index buffers, one bind group per material, one dynamic-offset
//! uniform slot per draw.

use super::gem::{GemPass, GemUniform, GEM_STRIDE};
use super::texture::{Defaults, ImageTexture};
use super::{pipeline_key, CameraMatrices, PipelineKey, Renderer, DRAW_STRIDE};
use crate::asset::{traced_facets, AlphaMode, Material, SamplerDesc, Scene, TextureRef, Wrap};
use glam::{Mat4, Vec3};
use std::collections::HashMap;
use wgpu::util::DeviceExt;

struct GpuMesh {
    vertices: wgpu::Buffer,
    indices: wgpu::Buffer,
    index_count: u32,
}

struct GpuDraw {
    mesh: usize,
    bind_group: usize,
    key: PipelineKey,
    /// Bind group and pipeline for the default look (index 0) and each material variant (1..).
    looks: Vec<(usize, PipelineKey)>,
    /// Per look, the stone's slot offset in the gem buffer when the gem pass traces it.
    gem_looks: Vec<Option<u32>>,
    gem: Option<u32>,
    mirrored: bool,
    world_from_mesh: Mat4,
    centre_mesh: Vec3,
}

pub struct GpuModel {
    meshes: Vec<GpuMesh>,
    material_groups: Vec<wgpu::BindGroup>,
    draws: Vec<GpuDraw>,
    draw_buffer: wgpu::Buffer,
    draw_group: wgpu::BindGroup,
    gem_group: wgpu::BindGroup,
    _gem_buffer: wgpu::Buffer,
    _textures: Vec<ImageTexture>,
}

#[repr(C)]
#[derive(Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)]
struct MaterialUniform {
    base_color: [f32; 4],
    emissive: [f32; 4],
    surface: [f32; 4],
    optics: [f32; 4],
    specular: [f32; 4],
    layers: [f32; 4],
    uv_transform: [[f32; 4]; 10],
}

#[repr(C)]
#[derive(Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)]
struct DrawUniform {
    world_from_model: [[f32; 4]; 4],
    normal_from_model: [[f32; 4]; 4],
}

impl MaterialUniform {
    fn new(m: &Material) -> Self {
        let mut uv_transform = [[0.0; 4]; 10];
        let slots = [
            m.base_color_texture,
            m.metallic_roughness_texture,
            m.normal_texture,
            m.occlusion_texture,
            m.emissive_texture,
        ];
        for (slot, tex) in slots.iter().enumerate() {
            let t = tex.map(|t| t.transform).unwrap_or_default();
            let [c0, c1, c2] = t.matrix();
            uv_transform[slot * 2] = [c0[0], c0[1], c1[0], c1[1]];
            uv_transform[slot * 2 + 1] = [
                c2[0],
                c2[1],
                tex.map_or(0.0, |t| t.tex_coord.min(1) as f32),
                if tex.is_some() { 1.0 } else { 0.0 },
            ];
        }
        let alpha_mode = match m.alpha_mode {
            AlphaMode::Opaque => 0.0,
            AlphaMode::Mask => 1.0,
            AlphaMode::Blend => 2.0,
        };
        Self {
            base_color: m.base_color_factor,
            emissive: [m.emissive[0], m.emissive[1], m.emissive[2], m.alpha_cutoff],
            surface: [
                m.metallic_factor,
                m.roughness_factor,
                m.normal_scale,
                m.occlusion_strength,
            ],
            optics: [m.transmission, m.ior, alpha_mode, 0.0],
            specular: [
                m.specular_color[0],
                m.specular_color[1],
                m.specular_color[2],
                m.specular_factor,
            ],
            layers: [
                m.clearcoat_factor,
                m.clearcoat_roughness,
                m.anisotropy_strength,
                m.anisotropy_rotation_rad,
            ],
            uv_transform,
        }
    }
}

/// `items` laid out one per `stride` bytes (dynamic-offset uniform slots).
fn strided_bytes<T: bytemuck::Pod>(items: &[T], stride: u64) -> Vec<u8> {
    let mut bytes = vec![0u8; stride as usize * items.len()];
    for (slot, item) in bytes.chunks_exact_mut(stride as usize).zip(items) {
        slot[..std::mem::size_of::<T>()].copy_from_slice(bytemuck::bytes_of(item));
    }
    bytes
}

/// A bind group showing one `T`-sized slot of `buffer`, chosen by dynamic offset at draw time.
fn slot_bind_group<T>(
    device: &wgpu::Device,
    layout: &wgpu::BindGroupLayout,
    buffer: &wgpu::Buffer,
    label: &str,
) -> wgpu::BindGroup {
    device.create_bind_group(&wgpu::BindGroupDescriptor {
        label: Some(label),
        layout,
        entries: &[wgpu::BindGroupEntry {
            binding: 0,
            resource: wgpu::BindingResource::Buffer(wgpu::BufferBinding {
                buffer,
                offset: 0,
                size: wgpu::BufferSize::new(std::mem::size_of::<T>() as u64),
            }),
        }],
    })
}

fn address_mode(w: Wrap) -> wgpu::AddressMode {
    match w {
        Wrap::Repeat => wgpu::AddressMode::Repeat,
        Wrap::MirroredRepeat => wgpu::AddressMode::MirrorRepeat,
        Wrap::ClampToEdge => wgpu::AddressMode::ClampToEdge,
    }
}

fn filter(linear: bool) -> wgpu::FilterMode {
    if linear {
        wgpu::FilterMode::Linear
    } else {
        wgpu::FilterMode::Nearest
    }
}

impl GpuModel {
    pub(super) fn upload(r: &Renderer, scene: &Scene, images: Vec<ImageTexture>) -> Self {
        let device = &r.device;
        let meshes = scene
            .meshes
            .iter()
            .map(|m| GpuMesh {
                vertices: device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
                    label: Some("vertices"),
                    contents: bytemuck::cast_slice(&m.vertices),
                    usage: wgpu::BufferUsages::VERTEX,
                }),
                indices: device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
                    label: Some("indices"),
                    contents: bytemuck::cast_slice(&m.indices),
                    usage: wgpu::BufferUsages::INDEX,
                }),
                index_count: m.indices.len() as u32,
            })
            .collect();

        let mut samplers: HashMap<SamplerDesc, wgpu::Sampler> = HashMap::new();
        let mut sampler_for = |desc: SamplerDesc| {
            samplers
                .entry(desc)
                .or_insert_with(|| {
                    device.create_sampler(&wgpu::SamplerDescriptor {
                        label: Some("material"),
                        address_mode_u: address_mode(desc.wrap_u),
                        address_mode_v: address_mode(desc.wrap_v),
                        mag_filter: filter(desc.mag_linear),
                        min_filter: filter(desc.min_linear),
                        ..Default::default()
                    })
                })
                .clone()
        };
        let default_material = Material::default();
        let materials: Vec<&Material> = scene.materials.iter().chain([&default_material]).collect();
        let material_groups = materials
            .iter()
            .map(|m| {
                let uniform = device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
                    label: Some("material"),
                    contents: bytemuck::bytes_of(&MaterialUniform::new(m)),
                    usage: wgpu::BufferUsages::UNIFORM,
                });
                let mut slot = |t: Option<TextureRef>,
                                fallback: &ImageTexture|
                 -> (wgpu::TextureView, wgpu::Sampler) {
                    match t
                        .and_then(|t| scene.textures.get(t.texture))
                        .and_then(|t| images.get(t.image).map(|i| (i, t.sampler)))
                    {
                        Some((image, desc)) => (image.view.clone(), sampler_for(desc)),
                        None => (fallback.view.clone(), sampler_for(SamplerDesc::default())),
                    }
                };
                let d: &Defaults = &r.defaults;
                let slots = [
                    slot(m.base_color_texture, &d.white),
                    slot(m.metallic_roughness_texture, &d.white),
                    slot(m.normal_texture, &d.flat_normal),
                    slot(m.occlusion_texture, &d.white),
                    slot(m.emissive_texture, &d.white),
                ];
                let mut entries = vec![wgpu::BindGroupEntry {
                    binding: 0,
                    resource: uniform.as_entire_binding(),
                }];
                for (i, (view, sampler)) in slots.iter().enumerate() {
                    entries.push(wgpu::BindGroupEntry {
                        binding: 1 + 2 * i as u32,
                        resource: wgpu::BindingResource::TextureView(view),
                    });
                    entries.push(wgpu::BindGroupEntry {
                        binding: 2 + 2 * i as u32,
                        resource: wgpu::BindingResource::Sampler(sampler),
                    });
                }
                device.create_bind_group(&wgpu::BindGroupDescriptor {
                    label: Some("material"),
                    layout: &r.material_layout,
                    entries: &entries,
                })
            })
            .collect();

        let default_index = materials.len() - 1;
        let mut gem_slots: Vec<GemUniform> = Vec::new();
        let draws: Vec<GpuDraw> = scene
            .draws
            .iter()
            .map(|d| {
                let index = d
                    .material
                    .filter(|&i| i < scene.materials.len())
                    .unwrap_or(default_index);
                let mirrored = d.world_from_mesh.determinant() < 0.0;
                let look = |i: usize| {
                    let m = materials[i];
                    (i, pipeline_key(m.alpha_mode, m.double_sided, mirrored))
                };
                let looks: Vec<(usize, PipelineKey)> =
                    std::iter::once(look(index))
                        .chain(d.variant_materials.iter().map(|v| {
                            look(v.filter(|&i| i < scene.materials.len()).unwrap_or(index))
                        }))
                        .collect();
                let mesh = &scene.meshes[d.mesh];
                let gem_looks: Vec<Option<u32>> = looks
                    .iter()
                    .map(|&(i, _)| {
                        traced_facets(mesh, materials[i]).map(|facets| {
                            gem_slots.push(GemUniform::new(facets, materials[i]));
                            ((gem_slots.len() - 1) as u64 * GEM_STRIDE) as u32
                        })
                    })
                    .collect();
                let centre_mesh = crate::math::Aabb::from_points(
                    mesh.vertices.iter().map(|v| Vec3::from(v.position_m)),
                )
                .center();
                GpuDraw {
                    mesh: d.mesh,
                    bind_group: index,
                    key: looks[0].1,
                    looks,
                    gem: gem_looks[0],
                    gem_looks,
                    mirrored,
                    world_from_mesh: d.world_from_mesh,
                    centre_mesh,
                }
            })
            .collect();
        let draw_buffer = device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("draws"),
            size: DRAW_STRIDE * draws.len().max(1) as u64,
            usage: wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        let draw_group =
            slot_bind_group::<DrawUniform>(device, &r.draw_layout, &draw_buffer, "draw");
        // At least one slot, so the bind group has something to point at.
        let mut gem_bytes = strided_bytes(&gem_slots, GEM_STRIDE);
        gem_bytes.resize(gem_bytes.len().max(GEM_STRIDE as usize), 0);
        let gem_buffer = device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
            label: Some("gems"),
            contents: &gem_bytes,
            usage: wgpu::BufferUsages::UNIFORM,
        });
        let gem_group =
            slot_bind_group::<GemUniform>(device, &r.gem_pass.layout, &gem_buffer, "gem");
        Self {
            meshes,
            material_groups,
            draws,
            draw_buffer,
            draw_group,
            gem_group,
            _gem_buffer: gem_buffer,
            _textures: images,
        }
    }

    /// Whether each placement (plain, mirrored) has a stone the gem pass traces in some look.
    pub(super) fn gem_placements(&self) -> [bool; 2] {
        let traced = |mirrored: bool| {
            self.draws
                .iter()
                .any(|d| d.mirrored == mirrored && d.gem_looks.iter().any(Option::is_some))
        };
        [traced(false), traced(true)]
    }

    /// Every pipeline any look of any draw needs, so switching variants never compiles one.
    pub(super) fn pipeline_keys(&self) -> impl Iterator<Item = PipelineKey> + '_ {
        self.draws.iter().flat_map(|d| d.looks.iter().map(|l| l.1))
    }

    /// Shows material variant `variant` (an index into the scene's variants), or the default look
    /// for `None`. An index past the variants shows the default look.
    pub(super) fn set_variant(&mut self, variant: Option<usize>) {
        for d in &mut self.draws {
            let look = variant
                .filter(|&v| v + 1 < d.looks.len())
                .map_or(0, |v| v + 1);
            (d.bind_group, d.key) = d.looks[look];
            d.gem = d.gem_looks[look];
        }
    }

    pub(super) fn write_draw_uniforms(&self, queue: &wgpu::Queue, world_from_scene: Mat4) {
        let uniforms: Vec<DrawUniform> = self
            .draws
            .iter()
            .map(|d| {
                let world_from_model = world_from_scene * d.world_from_mesh;
                DrawUniform {
                    world_from_model: world_from_model.to_cols_array_2d(),
                    normal_from_model: world_from_model.inverse().transpose().to_cols_array_2d(),
                }
            })
            .collect();
        let bytes = strided_bytes(&uniforms, DRAW_STRIDE);
        if !bytes.is_empty() {
            queue.write_buffer(&self.draw_buffer, 0, &bytes);
        }
    }

    /// Opaque draws first, then traced stones (hidden where metal is in front), then blended
    /// draws back to front. Without a gem pass, stones are drawn as ordinary transmissive
    /// meshes.
    pub(super) fn draw(
        &self,
        pass: &mut wgpu::RenderPass<'_>,
        pipelines: &HashMap<PipelineKey, wgpu::RenderPipeline>,
        gem_pass: Option<&GemPass>,
        world_from_scene: Mat4,
        camera: &CameraMatrices,
    ) {
        let mut order: Vec<(usize, f32)> = self
            .draws
            .iter()
            .enumerate()
            .map(|(i, d)| {
                let centre_world =
                    (world_from_scene * d.world_from_mesh).transform_point3(d.centre_mesh);
                let depth = -camera.view_from_world.transform_point3(centre_world).z;
                (i, depth)
            })
            .collect();
        order.sort_by(|a, b| {
            let (da, db) = (&self.draws[a.0], &self.draws[b.0]);
            da.key.blend.cmp(&db.key.blend).then(if da.key.blend {
                b.1.total_cmp(&a.1)
            } else {
                std::cmp::Ordering::Equal
            })
        });
        let mut gems_drawn = false;
        for (i, _) in order {
            let d = &self.draws[i];
            if let Some(gem_pass) = gem_pass {
                if d.key.blend && !gems_drawn {
                    self.draw_gems(pass, gem_pass);
                    gems_drawn = true;
                }
                if d.gem.is_some() {
                    continue;
                }
            }
            let Some(pipeline) = pipelines.get(&d.key) else {
                continue;
            };
            self.draw_one(
                pass,
                i,
                pipeline,
                (&self.material_groups[d.bind_group], &[]),
            );
        }
        if let (Some(gem_pass), false) = (gem_pass, gems_drawn) {
            self.draw_gems(pass, gem_pass);
        }
    }

    fn draw_gems(&self, pass: &mut wgpu::RenderPass<'_>, gem_pass: &GemPass) {
        self.draw_stones(pass, |mirrored| gem_pass.pipeline(mirrored));
    }

    /// Traced stones again, as sparkle glints for the bloom (a glint pass).
    pub(super) fn draw_glints(&self, pass: &mut wgpu::RenderPass<'_>, gem_pass: &GemPass) {
        self.draw_stones(pass, |mirrored| gem_pass.glint_pipeline(mirrored));
    }

    /// Whether the current look has a stone the gem pass traces.
    pub(super) fn has_traced_stones(&self) -> bool {
        self.draws.iter().any(|d| d.gem.is_some())
    }

    fn draw_stones<'p>(
        &self,
        pass: &mut wgpu::RenderPass<'_>,
        pipeline_for: impl Fn(bool) -> Option<&'p wgpu::RenderPipeline>,
    ) {
        for (i, d) in self.draws.iter().enumerate() {
            let Some(gem_offset) = d.gem else {
                continue;
            };
            let Some(pipeline) = pipeline_for(d.mirrored) else {
                continue;
            };
            self.draw_one(pass, i, pipeline, (&self.gem_group, &[gem_offset]));
        }
    }

    /// Draw `i` with `pipeline` and its group 1 (material, or a stone's slot by offset).
    fn draw_one(
        &self,
        pass: &mut wgpu::RenderPass<'_>,
        i: usize,
        pipeline: &wgpu::RenderPipeline,
        (group, offsets): (&wgpu::BindGroup, &[u32]),
    ) {
        let mesh = &self.meshes[self.draws[i].mesh];
        pass.set_pipeline(pipeline);
        pass.set_bind_group(1, group, offsets);
        pass.set_bind_group(2, &self.draw_group, &[(i as u64 * DRAW_STRIDE) as u32]);
        pass.set_vertex_buffer(0, mesh.vertices.slice(..));
        pass.set_index_buffer(mesh.indices.slice(..), wgpu::IndexFormat::Uint32);
        pass.draw_indexed(0..mesh.index_count, 0, 0..1);
    }
}
