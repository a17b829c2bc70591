//! What is drawn around the jewel for tracking: a depth-only occluder (the finger or wrist it is
//! worn on) before it, and a fade (the background drawn again over everything at a constant
//! alpha) after it, so a jewel whose tracking is lost dissolves into the picture.

use glam::{Mat4, Vec3};

use super::{uniform_entry, DEPTH_FORMAT, SAMPLE_COUNT};

/// Sides of the occluder cylinder: a 17 mm finger's outline is off by under 0.1 mm.
const CYLINDER_SEGMENTS: usize = 32;

/// A unit cylinder (radius 1 around +Z, z in −1..1) with flat caps, as a triangle list.
pub fn unit_cylinder() -> Vec<Vec3> {
    let ring = |i: usize, z: f32| {
        let a = i as f32 / CYLINDER_SEGMENTS as f32 * std::f32::consts::TAU;
        Vec3::new(a.cos(), a.sin(), z)
    };
    let mut v = Vec::with_capacity(CYLINDER_SEGMENTS * 12);
    for i in 0..CYLINDER_SEGMENTS {
        let j = (i + 1) % CYLINDER_SEGMENTS;
        let (a0, a1, b0, b1) = (ring(i, -1.0), ring(j, -1.0), ring(i, 1.0), ring(j, 1.0));
        v.extend([a0, a1, b1, a0, b1, b0]);
        v.extend([Vec3::new(0.0, 0.0, -1.0), a1, a0]);
        v.extend([Vec3::new(0.0, 0.0, 1.0), b0, b1]);
    }
    v
}

/// Maps the unit cylinder onto a body-part cylinder in the model's space: `radius_m` around the
/// model's +Z axis, from `z_min_m` to `z_max_m`.
pub fn model_from_cylinder(radius_m: f32, z_min_m: f32, z_max_m: f32) -> Mat4 {
    Mat4::from_translation(Vec3::new(0.0, 0.0, 0.5 * (z_min_m + z_max_m)))
        * Mat4::from_scale(Vec3::new(radius_m, radius_m, 0.5 * (z_max_m - z_min_m)))
}

/// A soft shadow on the body part next to where the jewel touches it, in the occluder cylinder's
/// own z (−1 at its start, 1 at its end; see [`model_from_cylinder`]).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ContactShadow {
    /// The jewel touches the body from here to there.
    pub touch_unit_z: (f32, f32),
    /// Beyond, the shadow falls off as exp(−distance / this).
    pub falloff_unit_z: f32,
    /// 0 none … 1 black, where it touches.
    pub strength: f32,
}

/// The occluder's uniform: its placement and its contact shadow.
#[repr(C)]
#[derive(Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)]
struct OccluderUniform {
    world_from_occluder: [f32; 16],
    shadow: [f32; 4],
}

pub(super) struct Overlay {
    occluder_pipeline: wgpu::RenderPipeline,
    shadow_pipeline: wgpu::RenderPipeline,
    occluder_vertices: wgpu::Buffer,
    occluder_vertex_count: u32,
    occluder_uniform: wgpu::Buffer,
    occluder_bind_group: wgpu::BindGroup,
    fade_pipeline: wgpu::RenderPipeline,
}

impl Overlay {
    /// `fade_pipeline` is the background pipeline built with constant-alpha blending.
    pub fn new(
        device: &wgpu::Device,
        frame_layout: &wgpu::BindGroupLayout,
        color_format: wgpu::TextureFormat,
        fade_pipeline: wgpu::RenderPipeline,
    ) -> Self {
        let layout = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("occluder"),
            entries: &[uniform_entry(0, wgpu::ShaderStages::VERTEX_FRAGMENT, false)],
        });
        let pipeline_layout = device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
            label: Some("occluder"),
            bind_group_layouts: &[Some(frame_layout), Some(&layout)],
            immediate_size: 0,
        });
        let [_, _, _, (_, src), _] = super::shaders::passes();
        let module = device.create_shader_module(wgpu::ShaderModuleDescriptor {
            label: Some("occluder.wgsl"),
            source: wgpu::ShaderSource::Wgsl(src.into()),
        });
        let cylinder_pipeline = |label: &str,
                                 fragment: &str,
                                 depth: (bool, wgpu::CompareFunction),
                                 target: wgpu::ColorTargetState| {
            device.create_render_pipeline(&wgpu::RenderPipelineDescriptor {
                label: Some(label),
                layout: Some(&pipeline_layout),
                vertex: wgpu::VertexState {
                    module: &module,
                    entry_point: Some("vs_main"),
                    compilation_options: Default::default(),
                    buffers: &[Some(wgpu::VertexBufferLayout {
                        array_stride: 12,
                        step_mode: wgpu::VertexStepMode::Vertex,
                        attributes: &wgpu::vertex_attr_array![0 => Float32x3],
                    })],
                },
                // Both faces: the cylinder must hide the jewel from any side, even when the
                // camera ends up inside a cap.
                primitive: wgpu::PrimitiveState::default(),
                depth_stencil: Some(wgpu::DepthStencilState {
                    format: DEPTH_FORMAT,
                    depth_write_enabled: Some(depth.0),
                    depth_compare: Some(depth.1),
                    stencil: Default::default(),
                    bias: Default::default(),
                }),
                multisample: wgpu::MultisampleState {
                    count: SAMPLE_COUNT,
                    ..Default::default()
                },
                fragment: Some(wgpu::FragmentState {
                    module: &module,
                    entry_point: Some(fragment),
                    compilation_options: Default::default(),
                    targets: &[Some(target)],
                }),
                multiview_mask: None,
                cache: None,
            })
        };
        let occluder_pipeline = cylinder_pipeline(
            "occluder",
            "fs_main",
            (true, wgpu::CompareFunction::Less),
            wgpu::ColorTargetState {
                format: color_format,
                blend: None,
                write_mask: wgpu::ColorWrites::empty(),
            },
        );
        // Drawn after the occluder: only its nearest surface matches the depth it left.
        let shadow_pipeline = cylinder_pipeline(
            "contact shadow",
            "fs_shadow",
            (false, wgpu::CompareFunction::LessEqual),
            wgpu::ColorTargetState {
                format: color_format,
                blend: Some(MULTIPLY_BLEND),
                write_mask: wgpu::ColorWrites::COLOR,
            },
        );
        let vertices = unit_cylinder();
        let occluder_vertices = wgpu::util::DeviceExt::create_buffer_init(
            device,
            &wgpu::util::BufferInitDescriptor {
                label: Some("occluder cylinder"),
                contents: bytemuck::cast_slice(&vertices),
                usage: wgpu::BufferUsages::VERTEX,
            },
        );
        let occluder_uniform = device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("occluder"),
            size: std::mem::size_of::<OccluderUniform>() as u64,
            usage: wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        let occluder_bind_group = device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some("occluder"),
            layout: &layout,
            entries: &[wgpu::BindGroupEntry {
                binding: 0,
                resource: occluder_uniform.as_entire_binding(),
            }],
        });
        Self {
            occluder_pipeline,
            shadow_pipeline,
            occluder_vertices,
            occluder_vertex_count: vertices.len() as u32,
            occluder_uniform,
            occluder_bind_group,
            fade_pipeline,
        }
    }

    pub fn write_occluder(
        &self,
        queue: &wgpu::Queue,
        world_from_occluder: Mat4,
        shadow: Option<&ContactShadow>,
    ) {
        let shadow = shadow.map_or([0.0; 4], |s| {
            [
                s.touch_unit_z.0,
                s.touch_unit_z.1,
                s.falloff_unit_z,
                s.strength,
            ]
        });
        let uniform = OccluderUniform {
            world_from_occluder: world_from_occluder.to_cols_array(),
            shadow,
        };
        queue.write_buffer(&self.occluder_uniform, 0, bytemuck::bytes_of(&uniform));
    }

    /// Darkens the picture next to the jewel; after [`Overlay::draw_occluder`], before the jewel.
    pub fn draw_contact_shadow(&self, pass: &mut wgpu::RenderPass<'_>) {
        pass.set_pipeline(&self.shadow_pipeline);
        pass.set_bind_group(1, &self.occluder_bind_group, &[]);
        pass.set_vertex_buffer(0, self.occluder_vertices.slice(..));
        pass.draw(0..self.occluder_vertex_count, 0..1);
    }

    /// Draws the occluder into depth; the frame bind group must be set.
    pub fn draw_occluder(&self, pass: &mut wgpu::RenderPass<'_>) {
        pass.set_pipeline(&self.occluder_pipeline);
        pass.set_bind_group(1, &self.occluder_bind_group, &[]);
        pass.set_vertex_buffer(0, self.occluder_vertices.slice(..));
        pass.draw(0..self.occluder_vertex_count, 0..1);
    }

    /// Draws the background over everything with weight `background_weight` (0..1).
    pub fn draw_fade(&self, pass: &mut wgpu::RenderPass<'_>, background_weight: f32) {
        let w = f64::from(background_weight.clamp(0.0, 1.0));
        pass.set_pipeline(&self.fade_pipeline);
        pass.set_blend_constant(wgpu::Color {
            r: w,
            g: w,
            b: w,
            a: w,
        });
        pass.draw(0..3, 0..1);
    }
}

/// Blend for the contact shadow: what is there × the shadow's colour.
const MULTIPLY_BLEND: wgpu::BlendState = wgpu::BlendState {
    color: wgpu::BlendComponent {
        src_factor: wgpu::BlendFactor::Zero,
        dst_factor: wgpu::BlendFactor::Src,
        operation: wgpu::BlendOperation::Add,
    },
    alpha: wgpu::BlendComponent {
        src_factor: wgpu::BlendFactor::Zero,
        dst_factor: wgpu::BlendFactor::One,
        operation: wgpu::BlendOperation::Add,
    },
};

/// Blend for the fade: background × constant + what is there × (1 − constant).
pub(super) const FADE_BLEND: wgpu::BlendState = wgpu::BlendState {
    color: wgpu::BlendComponent {
        src_factor: wgpu::BlendFactor::Constant,
        dst_factor: wgpu::BlendFactor::OneMinusConstant,
        operation: wgpu::BlendOperation::Add,
    },
    alpha: wgpu::BlendComponent::REPLACE,
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cylinder_spans_the_requested_body_part() {
        let m = model_from_cylinder(0.0085, -0.02, 0.03);
        let points: Vec<Vec3> = unit_cylinder()
            .iter()
            .map(|p| m.transform_point3(*p))
            .collect();
        let max_r = points
            .iter()
            .map(|p| p.truncate().length())
            .fold(0.0f32, f32::max);
        let (min_z, max_z) = points
            .iter()
            .fold((f32::MAX, f32::MIN), |(a, b), p| (a.min(p.z), b.max(p.z)));
        assert!((max_r - 0.0085).abs() < 1e-6, "{max_r}");
        assert!((min_z + 0.02).abs() < 1e-6 && (max_z - 0.03).abs() < 1e-6);
        assert_eq!(points.len() % 3, 0);
    }
}
