//! The gem pass (`shaders/gem.wgsl`): every stone the asset layer found traceable is drawn with
//! its facet planes and optics in one uniform slot, after the opaque metal so prongs hide it.

use super::{uniform_entry, SAMPLE_COUNT};
use crate::asset::{Material, Vertex, MAX_TRACED_FACETS};
use crate::jewelry::gem::FacetPlane;
use crate::optics::fresnel::diffuse_escape_probability;
use crate::optics::stone::extinction_per_m;

/// One stone's slot in the gem buffer, at this stride (a multiple of 256 for dynamic offsets).
pub(super) const GEM_STRIDE: u64 = 2304;

#[repr(C)]
#[derive(Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)]
pub(super) struct GemUniform {
    planes: [[f32; 4]; MAX_TRACED_FACETS],
    extinction: [f32; 4],
    optics: [f32; 4],
    tint: [f32; 4],
}

impl GemUniform {
    pub(super) fn new(facets: &[FacetPlane], material: &Material) -> Self {
        let mut planes = [[0.0; 4]; MAX_TRACED_FACETS];
        for (slot, f) in planes.iter_mut().zip(facets) {
            *slot = [f.normal[0], f.normal[1], f.normal[2], f.offset_m];
        }
        let e = extinction_per_m(material.attenuation_color, material.attenuation_distance_m);
        let [r, g, b, _] = material.base_color_factor;
        Self {
            planes,
            extinction: [
                e.x as f32,
                e.y as f32,
                e.z as f32,
                facets.len().min(MAX_TRACED_FACETS) as f32,
            ],
            optics: [
                material.ior,
                material.dispersion,
                diffuse_escape_probability(f64::from(material.ior)) as f32,
                0.0,
            ],
            tint: [r, g, b, 1.0],
        }
    }
}

/// Layout and pipelines of the gem pass. The shader is large (software rasterisers take seconds
/// to compile it), so pipelines are built only when a model with traced stones is loaded.
pub(super) struct GemPass {
    pub(super) layout: wgpu::BindGroupLayout,
    pipeline_layout: wgpu::PipelineLayout,
    color_format: wgpu::TextureFormat,
    module: Option<wgpu::ShaderModule>,
    /// Culling back faces, and front faces for mirrored nodes.
    pipelines: [Option<wgpu::RenderPipeline>; 2],
    /// The same, drawing sparkle glints (`fs_glint`) for the bloom.
    glint_pipelines: [Option<wgpu::RenderPipeline>; 2],
}

impl GemPass {
    pub(super) fn new(
        device: &wgpu::Device,
        frame_layout: &wgpu::BindGroupLayout,
        draw_layout: &wgpu::BindGroupLayout,
        color_format: wgpu::TextureFormat,
    ) -> Self {
        let layout = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("gem"),
            entries: &[uniform_entry(0, wgpu::ShaderStages::FRAGMENT, true)],
        });
        let pipeline_layout = device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
            label: Some("gem"),
            bind_group_layouts: &[Some(frame_layout), Some(&layout), Some(draw_layout)],
            immediate_size: 0,
        });
        Self {
            layout,
            pipeline_layout,
            color_format,
            module: None,
            pipelines: [None, None],
            glint_pipelines: [None, None],
        }
    }

    /// Builds the pipeline for stones placed `mirrored` (or not) if it does not exist yet.
    pub(super) fn ensure(&mut self, device: &wgpu::Device, mirrored: bool) {
        if self.pipelines[usize::from(mirrored)].is_some() {
            return;
        }
        let module = self.module.get_or_insert_with(|| {
            let [_, _, (_, src), _, _] = super::shaders::passes();
            device.create_shader_module(wgpu::ShaderModuleDescriptor {
                label: Some("gem.wgsl"),
                source: wgpu::ShaderSource::Wgsl(src.into()),
            })
        });
        let cull = if mirrored {
            wgpu::Face::Front
        } else {
            wgpu::Face::Back
        };
        let pipeline = |entry: &str, format, depth| {
            device.create_render_pipeline(&wgpu::RenderPipelineDescriptor {
                label: Some(entry),
                layout: Some(&self.pipeline_layout),
                vertex: wgpu::VertexState {
                    module,
                    entry_point: Some("vs_main"),
                    compilation_options: Default::default(),
                    buffers: &[Some(wgpu::VertexBufferLayout {
                        array_stride: std::mem::size_of::<Vertex>() as u64,
                        step_mode: wgpu::VertexStepMode::Vertex,
                        attributes: &wgpu::vertex_attr_array![0 => Float32x3],
                    })],
                },
                primitive: wgpu::PrimitiveState {
                    front_face: wgpu::FrontFace::Ccw,
                    cull_mode: Some(cull),
                    ..Default::default()
                },
                depth_stencil: Some(depth),
                multisample: wgpu::MultisampleState {
                    count: SAMPLE_COUNT,
                    ..Default::default()
                },
                fragment: Some(wgpu::FragmentState {
                    module,
                    entry_point: Some(entry),
                    compilation_options: Default::default(),
                    targets: &[Some(wgpu::ColorTargetState {
                        format,
                        blend: None,
                        write_mask: wgpu::ColorWrites::ALL,
                    })],
                }),
                multiview_mask: None,
                cache: None,
            })
        };
        let frame_depth = wgpu::DepthStencilState {
            format: super::DEPTH_FORMAT,
            depth_write_enabled: Some(true),
            depth_compare: Some(wgpu::CompareFunction::LessEqual),
            stencil: Default::default(),
            bias: Default::default(),
        };
        let slot = usize::from(mirrored);
        self.pipelines[slot] = Some(pipeline("fs_main", self.color_format, frame_depth));
        self.glint_pipelines[slot] = Some(pipeline(
            "fs_glint",
            super::bloom::GLINT_FORMAT,
            super::bloom::glint_depth_state(),
        ));
    }

    pub(super) fn pipeline(&self, mirrored: bool) -> Option<&wgpu::RenderPipeline> {
        self.pipelines[usize::from(mirrored)].as_ref()
    }

    pub(super) fn glint_pipeline(&self, mirrored: bool) -> Option<&wgpu::RenderPipeline> {
        self.glint_pipelines[usize::from(mirrored)].as_ref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uniform_fits_its_stride_and_matches_wgsl() {
        // 128 planes + 3 vec4, as WGSL lays out `Gem`.
        let size = std::mem::size_of::<GemUniform>() as u64;
        assert_eq!(size, (MAX_TRACED_FACETS as u64 + 3) * 16);
        assert!(size <= GEM_STRIDE && GEM_STRIDE.is_multiple_of(256));
    }

    #[test]
    fn uniform_carries_planes_optics_and_absorption() {
        let facets = [FacetPlane {
            normal: [0.0, 1.0, 0.0],
            offset_m: 0.001,
        }; 3];
        let ruby = Material {
            ior: 1.768,
            dispersion: 0.277,
            transmission: 1.0,
            attenuation_color: [0.9, 0.1, 0.1],
            attenuation_distance_m: 0.002,
            ..Material::default()
        };
        let u = GemUniform::new(&facets, &ruby);
        assert_eq!(u.planes[2], [0.0, 1.0, 0.0, 0.001]);
        assert_eq!(u.planes[3], [0.0; 4]);
        assert_eq!(u.extinction[3], 3.0);
        assert!(u.extinction[1] > u.extinction[0] && u.extinction[0] > 0.0);
        assert_eq!(u.optics[..2], [1.768, 0.277]);
    }
}
