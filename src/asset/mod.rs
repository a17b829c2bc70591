//! GLB / glTF bytes → a CPU [`Scene`]: meshes flattened with their node transforms, materials,
//! and still-encoded images. No GPU here; `render::upload` turns a `Scene` into GPU resources.

mod load;
mod tangents;

pub use load::{parse, parse_glb, ExternalResolver};

use crate::math::Aabb;
use glam::Mat4;

/// Extensions a file may *require* and still be drawn correctly.
pub const SUPPORTED_REQUIRED_EXTENSIONS: &[&str] =
    &["KHR_texture_transform", "KHR_materials_emissive_strength"];

#[derive(Debug, thiserror::Error)]
pub enum AssetError {
    #[error("not a valid glTF/GLB file: {0}")]
    Parse(String),
    #[error("the model requires the extension {0}, which Loupe does not support")]
    UnsupportedExtension(String),
    #[error("buffer {index} is missing: {reason}")]
    MissingBuffer { index: usize, reason: String },
    #[error("image {index} is missing: {reason}")]
    MissingImage { index: usize, reason: String },
    #[error("mesh {mesh} primitive {primitive}: {reason}")]
    BadPrimitive {
        mesh: usize,
        primitive: usize,
        reason: String,
    },
    #[error("the model has nothing to draw (no triangle meshes in its scene)")]
    Empty,
}

/// One interleaved vertex as the mesh shader reads it.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, bytemuck::Pod, bytemuck::Zeroable)]
pub struct Vertex {
    pub position_m: [f32; 3],
    pub normal: [f32; 3],
    /// xyz tangent, w handedness (glTF convention).
    pub tangent: [f32; 4],
    pub uv0: [f32; 2],
    pub uv1: [f32; 2],
}

/// A triangle list in its own (mesh) space.
#[derive(Clone, Debug, Default)]
pub struct Mesh {
    pub vertices: Vec<Vertex>,
    pub indices: Vec<u32>,
    /// Facet planes in mesh space when the mesh is drawn with a transmissive material and is a
    /// closed convex solid: a faceted stone the gem pass can trace exactly. Recovered from the
    /// triangles, so any convex stone in any GLB qualifies, not only Loupe's own.
    pub facets: Option<Vec<crate::jewelry::gem::FacetPlane>>,
}

/// One mesh drawn with one material at one place.
#[derive(Clone, Debug)]
pub struct Draw {
    pub mesh: usize,
    /// Index into [`Scene::materials`]; `None` = glTF's default material.
    pub material: Option<usize>,
    pub world_from_mesh: Mat4,
    /// KHR_materials_variants: the material in each of [`Scene::variants`], `None` where the
    /// primitive keeps `material`. Empty when the file has no variants.
    pub variant_materials: Vec<Option<usize>>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AlphaMode {
    Opaque,
    Mask,
    Blend,
}

/// KHR_texture_transform, applied as uv' = T · R · S · uv.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct UvTransform {
    pub offset: [f32; 2],
    pub rotation_rad: f32,
    pub scale: [f32; 2],
}

impl Default for UvTransform {
    fn default() -> Self {
        Self {
            offset: [0.0, 0.0],
            rotation_rad: 0.0,
            scale: [1.0, 1.0],
        }
    }
}

impl UvTransform {
    /// The 2×3 affine matrix (column-major columns c0, c1, c2) glTF's extension defines.
    pub fn matrix(&self) -> [[f32; 2]; 3] {
        let (s, c) = self.rotation_rad.sin_cos();
        let [sx, sy] = self.scale;
        [[c * sx, -s * sx], [s * sy, c * sy], self.offset]
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TextureRef {
    /// Index into [`Scene::textures`].
    pub texture: usize,
    pub tex_coord: u32,
    pub transform: UvTransform,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Material {
    pub name: Option<String>,
    /// Linear RGBA.
    pub base_color_factor: [f32; 4],
    pub base_color_texture: Option<TextureRef>,
    pub metallic_factor: f32,
    pub roughness_factor: f32,
    pub metallic_roughness_texture: Option<TextureRef>,
    pub normal_texture: Option<TextureRef>,
    pub normal_scale: f32,
    pub occlusion_texture: Option<TextureRef>,
    pub occlusion_strength: f32,
    /// Linear RGB, already multiplied by KHR_materials_emissive_strength.
    pub emissive: [f32; 3],
    pub emissive_texture: Option<TextureRef>,
    pub alpha_mode: AlphaMode,
    pub alpha_cutoff: f32,
    pub double_sided: bool,
    /// KHR_materials_transmission factor (gems); 0 for opaque surfaces.
    pub transmission: f32,
    /// KHR_materials_ior; glTF's default 1.5.
    pub ior: f32,
    /// KHR_materials_dispersion (20 / Abbe number); 0 without it.
    pub dispersion: f32,
    /// KHR_materials_volume thickness in mesh space, metres; 0 for thin-walled surfaces.
    pub thickness_m: f32,
    /// KHR_materials_volume attenuation distance, metres; infinite when nothing is absorbed.
    pub attenuation_distance_m: f32,
    /// KHR_materials_volume attenuation colour, linear.
    pub attenuation_color: [f32; 3],
    /// KHR_materials_specular: strength of the dielectric specular lobe (1 = plain glTF).
    pub specular_factor: f32,
    /// KHR_materials_specular: tint of the dielectric reflectance at normal incidence, linear.
    pub specular_color: [f32; 3],
    /// KHR_materials_clearcoat: weight of the clear lacquer layer over the base (0 = none).
    pub clearcoat_factor: f32,
    /// KHR_materials_clearcoat: perceptual roughness of the lacquer.
    pub clearcoat_roughness: f32,
    /// KHR_materials_anisotropy: 0 isotropic, 1 fully stretched along the brush direction.
    pub anisotropy_strength: f32,
    /// KHR_materials_anisotropy: brush direction from the tangent, radians, counter-clockwise
    /// towards the bitangent.
    pub anisotropy_rotation_rad: f32,
}

impl Material {
    /// A material light passes through (KHR_materials_transmission above 0).
    pub fn is_transmissive(&self) -> bool {
        self.transmission > 0.0
    }
}

impl Default for Material {
    /// glTF 2.0's default material.
    fn default() -> Self {
        Self {
            name: None,
            base_color_factor: [1.0; 4],
            base_color_texture: None,
            metallic_factor: 1.0,
            roughness_factor: 1.0,
            metallic_roughness_texture: None,
            normal_texture: None,
            normal_scale: 1.0,
            occlusion_texture: None,
            occlusion_strength: 1.0,
            emissive: [0.0; 3],
            emissive_texture: None,
            alpha_mode: AlphaMode::Opaque,
            alpha_cutoff: 0.5,
            double_sided: false,
            transmission: 0.0,
            ior: 1.5,
            dispersion: 0.0,
            thickness_m: 0.0,
            attenuation_distance_m: f32::INFINITY,
            attenuation_color: [1.0; 3],
            specular_factor: 1.0,
            specular_color: [1.0; 3],
            clearcoat_factor: 0.0,
            clearcoat_roughness: 0.0,
            anisotropy_strength: 0.0,
            anisotropy_rotation_rad: 0.0,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Wrap {
    Repeat,
    MirroredRepeat,
    ClampToEdge,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SamplerDesc {
    pub wrap_u: Wrap,
    pub wrap_v: Wrap,
    /// Linear unless the file asks for nearest magnification.
    pub mag_linear: bool,
    pub min_linear: bool,
}

impl Default for SamplerDesc {
    fn default() -> Self {
        Self {
            wrap_u: Wrap::Repeat,
            wrap_v: Wrap::Repeat,
            mag_linear: true,
            min_linear: true,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Texture {
    pub image: usize,
    pub sampler: SamplerDesc,
}

/// Whether an image holds colour (decoded as sRGB) or data (linear). Known from the material
/// slot that uses it; a texture used in both ways is rare and gets the colour interpretation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ImageUse {
    Color,
    Data,
}

/// An image still encoded (PNG/JPEG/…): the browser or the `image` crate decodes it at upload.
#[derive(Clone, Debug)]
pub struct ImageData {
    pub bytes: Vec<u8>,
    pub mime_type: Option<String>,
    pub usage: ImageUse,
}

#[derive(Clone, Debug)]
pub struct Scene {
    /// KHR_materials_variants names, in file order (e.g. `platinum`, `yellow-gold`).
    pub variants: Vec<String>,
    pub meshes: Vec<Mesh>,
    pub draws: Vec<Draw>,
    pub materials: Vec<Material>,
    pub textures: Vec<Texture>,
    pub images: Vec<ImageData>,
    /// Bounds of every drawn vertex in world (scene) space, metres.
    pub bounds_m: Aabb,
    /// Things that were accepted but not drawn exactly, for the console.
    pub warnings: Vec<String>,
    /// What the piece says about itself in the scene's `extras.loupe`.
    pub piece: PieceInfo,
}

/// A piece's self-description from the scene's `extras.loupe` (see models/README.md): which body
/// part it is worn on and, for rings, the finger it fits. Absent fields are `None`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PieceInfo {
    /// `ring`, `bracelet`, `earrings` or `pendant` (a `bangle`/`watch` is a bracelet).
    pub kind: Option<String>,
    /// A ring's inner diameter: the finger's width where it sits.
    pub inner_diameter_mm: Option<f32>,
    /// Turns a model that does not follow Loupe's axes (see models/README.md) so that it does:
    /// from `extras.loupe.axes = {"z": "+X", "y": "-Z"}`, the model's axes that play Loupe's +Z
    /// (along the finger or forearm; an earring's or pendant's front) and +Y (the top: a ring's
    /// stone; up for what hangs). `None` when the model follows the convention.
    pub loupe_from_model: Option<glam::Quat>,
    /// What in `extras.loupe` was not understood (ignored), for the console.
    pub warnings: Vec<String>,
}

/// `"+X"`, `"-y"`, …: a signed model axis.
fn signed_axis(name: &str) -> Option<glam::Vec3> {
    let name = name.trim().to_ascii_uppercase();
    let (sign, axis) = match name.as_bytes() {
        [b'+', a] => (1.0, *a),
        [b'-', a] => (-1.0, *a),
        [a] => (1.0, *a),
        _ => return None,
    };
    let unit = match axis {
        b'X' => glam::Vec3::X,
        b'Y' => glam::Vec3::Y,
        b'Z' => glam::Vec3::Z,
        _ => return None,
    };
    Some(unit * sign)
}

/// The rotation taking the model's `z` and `y` axes onto Loupe's +Z and +Y.
fn loupe_from_model(axes: &serde_json::Value) -> Result<glam::Quat, String> {
    let read = |k: &str| {
        axes[k]
            .as_str()
            .and_then(signed_axis)
            .ok_or_else(|| format!("extras.loupe.axes.{k} must be one of +X, -X, +Y, -Y, +Z, -Z"))
    };
    let (z, y) = (read("z")?, read("y")?);
    if z.dot(y).abs() > 0.5 {
        return Err(format!(
            "extras.loupe.axes: z and y must be different axes (got {z} and {y})"
        ));
    }
    let model_from_loupe = glam::Mat3::from_cols(y.cross(z), y, z);
    Ok(glam::Quat::from_mat3(&model_from_loupe).inverse())
}

impl PieceInfo {
    /// Reads `{"loupe": {"kind": …, "inner_diameter_mm": …, "axes": …}}`; anything else is
    /// ignored.
    pub fn from_extras(extras: &serde_json::Value) -> PieceInfo {
        let loupe = &extras["loupe"];
        let kind = loupe["kind"].as_str().map(|k| match k {
            "bangle" | "watch" => "bracelet".to_string(),
            "earring" => "earrings".to_string(),
            other => other.to_string(),
        });
        let inner_diameter_mm = loupe["inner_diameter_mm"]
            .as_f64()
            .map(|v| v as f32)
            .filter(|v| v.is_finite() && *v > 1.0 && *v < 200.0);
        let mut warnings = Vec::new();
        let loupe_from_model = match &loupe["axes"] {
            serde_json::Value::Null => None,
            axes => match loupe_from_model(axes) {
                Ok(q) if q.angle_between(glam::Quat::IDENTITY) < 1e-4 => None,
                Ok(q) => Some(q),
                Err(e) => {
                    warnings.push(format!("{e}; the model is worn as it is"));
                    None
                }
            },
        };
        PieceInfo {
            kind,
            inner_diameter_mm,
            loupe_from_model,
            warnings,
        }
    }
}

impl Default for Scene {
    fn default() -> Self {
        Self {
            variants: Vec::new(),
            meshes: Vec::new(),
            draws: Vec::new(),
            materials: Vec::new(),
            textures: Vec::new(),
            images: Vec::new(),
            bounds_m: Aabb::EMPTY,
            warnings: Vec::new(),
            piece: PieceInfo::default(),
        }
    }
}

/// The gem pass holds a stone's planes in a uniform array of this size; real cuts have 57–100
/// facets. A stone with more is drawn with the single-refraction approximation.
pub const MAX_TRACED_FACETS: usize = 128;

/// The facet planes the gem pass traces for `mesh` drawn with `material`: a transmissive
/// material with an index of refraction of at least 1 on a closed convex mesh of at most
/// [`MAX_TRACED_FACETS`] facets. `None` means the ordinary (single-refraction) shading.
pub fn traced_facets<'a>(
    mesh: &'a Mesh,
    material: &Material,
) -> Option<&'a [crate::jewelry::gem::FacetPlane]> {
    let facets = mesh.facets.as_deref()?;
    (material.is_transmissive() && material.ior >= 1.0 && facets.len() <= MAX_TRACED_FACETS)
        .then_some(facets)
}

impl Scene {
    /// Indices of the draws the gem pass traces in their default look (see [`traced_facets`]).
    pub fn gems(&self) -> impl Iterator<Item = usize> + '_ {
        self.draws.iter().enumerate().filter_map(|(i, d)| {
            let material = d.material.and_then(|m| self.materials.get(m))?;
            traced_facets(&self.meshes[d.mesh], material).map(|_| i)
        })
    }

    /// Where a ring touches the finger: the span along its axis (+Z, or its `axes`' after
    /// `loupe_from_model`), m, of the geometry within 15 % of `inner_radius_m` of the axis (the
    /// band's inside, not the head or stones above it). `None` when nothing is that close.
    pub fn contact_span_m(
        &self,
        inner_radius_m: f32,
        loupe_from_model: Option<glam::Quat>,
    ) -> Option<(f32, f32)> {
        let turn = Mat4::from_quat(loupe_from_model.unwrap_or(glam::Quat::IDENTITY));
        let reach = inner_radius_m * 1.15;
        let mut span: Option<(f32, f32)> = None;
        for d in &self.draws {
            let m = turn * d.world_from_mesh;
            for v in &self.meshes[d.mesh].vertices {
                let p = m.transform_point3(glam::Vec3::from(v.position_m));
                if p.truncate().length() <= reach {
                    let (lo, hi) = span.unwrap_or((p.z, p.z));
                    span = Some((lo.min(p.z), hi.max(p.z)));
                }
            }
        }
        span
    }

    pub fn triangle_count(&self) -> usize {
        self.draws
            .iter()
            .map(|d| self.meshes[d.mesh].indices.len() / 3)
            .sum()
    }
}
