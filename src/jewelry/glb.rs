//! A small GLB (binary glTF 2.0) writer for procedural parts, built on gltf-json.
//!
//! Output: one node per part (named, with its translation), one mesh per non-empty part with
//! POSITION (with min/max), NORMAL, TANGENT where a material is brushed, and u16 indices (u32
//! above 65 535 vertices);
//! materials shared between parts whose [`PartMaterial`]s are equal; KHR_materials_variants when
//! the model has variants; one buffer in the BIN chunk, every view 4-byte aligned, metres, +Y up.
//! The bytes depend only on the input.
//!
//! Material extensions are written as JSON by hand because gltf-json 1.4 has no types for
//! KHR_materials_volume, _dispersion, _anisotropy or _variants.

use std::collections::BTreeMap;

use glam::Vec3;
use gltf_json as json;
use json::validation::{Checked::Valid, USize64};
use serde_json::{json, Value};

use super::mesh::MeshData;
use super::JewelryError;

/// KHR_materials_volume: the stone's body, for refraction and absorption.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Volume {
    /// Thickness of the volume in mesh space, metres (the extension's thin-walled estimate).
    pub thickness_m: f32,
    /// Distance light travels before it is attenuated to `attenuation_color`, metres; `None`
    /// for a colourless stone (no absorption).
    pub attenuation_distance_m: Option<f32>,
    /// Colour white light becomes after `attenuation_distance_m`, linear.
    pub attenuation_color: [f32; 3],
}

/// KHR_materials_anisotropy for brushed metal.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Anisotropy {
    /// 0..1.
    pub strength: f32,
    /// KHR's anisotropy direction (where the highlight stretches, across the strokes) from the
    /// tangent, radians counter-clockwise towards the bitangent.
    pub rotation_rad: f32,
    /// Brush strokes run around this axis (through the part's origin): each vertex's tangent is
    /// `axis × position`, made perpendicular to the normal. The ring axis gives circumferential
    /// brushing, the way a band is brushed on a lathe.
    pub brush_axis: [f32; 3],
}

/// KHR_materials_clearcoat: a clear lacquer (IOR 1.5) over the base, e.g. over enamel.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Clearcoat {
    /// 0..1 weight of the layer.
    pub factor: f32,
    /// Perceptual roughness of the lacquer, 0..1.
    pub roughness: f32,
}

/// KHR_materials_specular: the strength and tint of a dielectric's reflection.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Specular {
    /// 0..1; 0 removes the dielectric reflection (and its Fresnel rim) entirely.
    pub factor: f32,
    /// Linear tint of the reflectance at normal incidence.
    pub color: [f32; 3],
}

/// Physically based material of one part (glTF metallic-roughness plus extensions).
#[derive(Clone, Debug, PartialEq)]
pub struct PartMaterial {
    /// Material name.
    pub name: String,
    /// Linear base colour (F0 for metals) and alpha.
    pub base_color_linear: [f32; 4],
    /// 0 dielectric, 1 metal.
    pub metallic: f32,
    /// Perceptual roughness 0..1.
    pub roughness: f32,
    /// Emitted linear radiance factor.
    pub emissive: [f32; 3],
    /// KHR_materials_transmission factor, for gems.
    pub transmission: Option<f32>,
    /// KHR_materials_ior index of refraction, for gems.
    pub ior: Option<f32>,
    /// KHR_materials_volume, for gems.
    pub volume: Option<Volume>,
    /// KHR_materials_dispersion (20 / Abbe number), for gems.
    pub dispersion: Option<f32>,
    /// KHR_materials_anisotropy, for brushed metal.
    pub anisotropy: Option<Anisotropy>,
    /// KHR_materials_clearcoat, for lacquered surfaces.
    pub clearcoat: Option<Clearcoat>,
    /// KHR_materials_specular, for dielectrics that reflect more or less than their IOR says.
    pub specular: Option<Specular>,
}

impl Default for PartMaterial {
    /// A mid-grey rough dielectric with no extensions.
    fn default() -> Self {
        PartMaterial {
            name: "material".into(),
            base_color_linear: [0.5, 0.5, 0.5, 1.0],
            metallic: 0.0,
            roughness: 0.5,
            emissive: [0.0; 3],
            transmission: None,
            ior: None,
            volume: None,
            dispersion: None,
            anisotropy: None,
            clearcoat: None,
            specular: None,
        }
    }
}

/// One named part of a model: a mesh, its material and where it sits.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct GlbPart {
    /// Node and mesh name.
    pub name: String,
    /// Geometry in the part's own space, metres.
    pub mesh: MeshData,
    /// Surface (the default variant's).
    pub material: PartMaterial,
    /// Node translation, metres.
    pub translation_m: [f32; 3],
    /// The material in each of the model's variants, in [`GlbModel::variants`] order; empty when
    /// the part looks the same in every variant.
    pub variant_materials: Vec<PartMaterial>,
    /// Written as the mesh's `extras` (e.g. a stone's cut and facet planes).
    pub extras: Option<Value>,
}

impl GlbPart {
    /// A part at the origin with no variants or extras.
    pub fn new(name: &str, mesh: MeshData, material: PartMaterial) -> GlbPart {
        GlbPart {
            name: name.into(),
            mesh,
            material,
            ..Default::default()
        }
    }
}

/// A whole model: parts, the names of its material variants, and the scene's `extras`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct GlbModel {
    /// The parts, one node each.
    pub parts: Vec<GlbPart>,
    /// KHR_materials_variants names, e.g. `["platinum", "yellow-gold"]`.
    pub variants: Vec<String>,
    /// Written as the scene's `extras` (what the piece is and its dimensions).
    pub extras: Option<Value>,
}

const KHR_TRANSMISSION: &str = "KHR_materials_transmission";
const KHR_IOR: &str = "KHR_materials_ior";
const KHR_VOLUME: &str = "KHR_materials_volume";
const KHR_DISPERSION: &str = "KHR_materials_dispersion";
const KHR_ANISOTROPY: &str = "KHR_materials_anisotropy";
const KHR_CLEARCOAT: &str = "KHR_materials_clearcoat";
const KHR_SPECULAR: &str = "KHR_materials_specular";
const KHR_VARIANTS: &str = "KHR_materials_variants";

/// Like [`write_glb`], but rejects invalid meshes instead of repairing them.
pub fn try_write_glb(parts: &[GlbPart]) -> Result<Vec<u8>, JewelryError> {
    for part in parts {
        part.mesh.validate(&part.name)?;
    }
    Ok(write_glb(parts))
}

/// Like [`write_model`], but rejects invalid meshes and variant lists of the wrong length.
pub fn try_write_model(model: &GlbModel) -> Result<Vec<u8>, JewelryError> {
    for part in &model.parts {
        part.mesh.validate(&part.name)?;
        let n = part.variant_materials.len();
        if n != 0 && n != model.variants.len() {
            return Err(JewelryError::VariantCountMismatch {
                part: part.name.clone(),
                materials: n,
                variants: model.variants.len(),
            });
        }
    }
    Ok(write_model(model))
}

fn finite_or(v: f32, fallback: f32) -> f32 {
    if v.is_finite() {
        v
    } else {
        fallback
    }
}

/// Repairs what would make an invalid glTF: non-finite values become 0, triangles with
/// out-of-range indices are dropped, normals are dropped unless there is one per position.
fn sanitized(mesh: &MeshData) -> MeshData {
    let n = mesh.positions_m.len();
    let positions_m = mesh
        .positions_m
        .iter()
        .map(|p| p.map(|v| finite_or(v, 0.0)))
        .collect();
    let normals = if mesh.normals.len() == n {
        mesh.normals
            .iter()
            .map(|v| {
                let v = glam::Vec3::from(*v);
                v.try_normalize().unwrap_or(glam::Vec3::Y).to_array()
            })
            .collect()
    } else {
        Vec::new()
    };
    let indices = mesh
        .indices
        .chunks_exact(3)
        .filter(|t| t.iter().all(|&i| (i as usize) < n))
        .flatten()
        .copied()
        .collect();
    MeshData {
        positions_m,
        normals,
        indices,
    }
}

/// Unit tangents (w = 1) running around `axis`: `axis × p` projected off the normal, or any
/// direction perpendicular to the normal where that vanishes (on the axis, or facing along it).
fn brush_tangents(mesh: &MeshData, axis: [f32; 3]) -> Vec<[f32; 4]> {
    let axis = Vec3::from(axis).try_normalize().unwrap_or(Vec3::Z);
    mesh.positions_m
        .iter()
        .zip(&mesh.normals)
        .map(|(p, n)| {
            let n = Vec3::from(*n);
            let around = axis.cross(Vec3::from(*p));
            let t = (around - n * n.dot(around))
                .try_normalize()
                .unwrap_or_else(|| n.any_orthonormal_vector());
            [t.x, t.y, t.z, 1.0]
        })
        .collect()
}

/// Appends `bytes` as a buffer view, padding the buffer so the next view starts 4-byte aligned.
fn push_view(
    root: &mut json::Root,
    bin: &mut Vec<u8>,
    bytes: &[u8],
    target: json::buffer::Target,
) -> json::Index<json::buffer::View> {
    let offset = bin.len();
    bin.extend_from_slice(bytes);
    while !bin.len().is_multiple_of(4) {
        bin.push(0);
    }
    root.push(json::buffer::View {
        buffer: json::Index::new(0),
        byte_length: USize64::from(bytes.len()),
        byte_offset: Some(USize64::from(offset)),
        byte_stride: None,
        name: None,
        target: Some(Valid(target)),
        extensions: None,
        extras: Default::default(),
    })
}

fn accessor(
    view: json::Index<json::buffer::View>,
    count: usize,
    component: json::accessor::ComponentType,
    type_: json::accessor::Type,
    min_max: Option<([f32; 3], [f32; 3])>,
) -> json::Accessor {
    json::Accessor {
        buffer_view: Some(view),
        byte_offset: None,
        count: USize64::from(count),
        component_type: Valid(json::accessor::GenericComponentType(component)),
        extensions: None,
        extras: Default::default(),
        type_: Valid(type_),
        min: min_max.map(|(min, _)| json::Value::from(min.to_vec())),
        max: min_max.map(|(_, max)| json::Value::from(max.to_vec())),
        name: None,
        normalized: false,
        sparse: None,
    }
}

/// Index of `m` in `materials`, appending it on first use (equal materials are shared).
fn material_index<'a>(m: &'a PartMaterial, materials: &mut Vec<&'a PartMaterial>) -> usize {
    materials
        .iter()
        .position(|known| *known == m)
        .unwrap_or_else(|| {
            materials.push(m);
            materials.len() - 1
        })
}

/// Pushes a float attribute (`VEC3` or `VEC4`) and returns its accessor.
fn push_attribute<T: bytemuck::Pod>(
    root: &mut json::Root,
    bin: &mut Vec<u8>,
    data: &[T],
    type_: json::accessor::Type,
    min_max: Option<([f32; 3], [f32; 3])>,
) -> json::Index<json::Accessor> {
    let view = push_view(
        root,
        bin,
        bytemuck::cast_slice(data),
        json::buffer::Target::ArrayBuffer,
    );
    root.push(accessor(
        view,
        data.len(),
        json::accessor::ComponentType::F32,
        type_,
        min_max,
    ))
}

/// The material as glTF JSON, noting the extensions it uses.
fn material_json(m: &PartMaterial, used: &mut Vec<&'static str>) -> Value {
    let unit = |v: f32, fallback: f32| finite_or(v, fallback).clamp(0.0, 1.0);
    let mut extensions = serde_json::Map::new();
    let mut add = |name: &'static str, value: Value| {
        used.push(name);
        extensions.insert(name.to_owned(), value);
    };
    if let Some(t) = m.transmission {
        add(
            KHR_TRANSMISSION,
            json!({ "transmissionFactor": unit(t, 0.0) }),
        );
    }
    if let Some(ior) = m.ior {
        add(KHR_IOR, json!({ "ior": finite_or(ior, 1.5).max(1.0) }));
    }
    if let Some(v) = m.volume {
        let mut volume = json!({ "thicknessFactor": finite_or(v.thickness_m, 0.0).max(0.0) });
        if let Some(d) = v
            .attenuation_distance_m
            .filter(|d| d.is_finite() && *d > 0.0)
        {
            volume["attenuationDistance"] = json!(d);
            volume["attenuationColor"] = json!(v.attenuation_color.map(|c| unit(c, 1.0)));
        }
        add(KHR_VOLUME, volume);
    }
    if let Some(d) = m.dispersion {
        add(
            KHR_DISPERSION,
            json!({ "dispersion": finite_or(d, 0.0).max(0.0) }),
        );
    }
    if let Some(a) = m.anisotropy {
        add(
            KHR_ANISOTROPY,
            json!({
                "anisotropyStrength": unit(a.strength, 0.0),
                "anisotropyRotation": finite_or(a.rotation_rad, 0.0),
            }),
        );
    }
    if let Some(c) = m.clearcoat {
        add(
            KHR_CLEARCOAT,
            json!({
                "clearcoatFactor": unit(c.factor, 0.0),
                "clearcoatRoughnessFactor": unit(c.roughness, 0.0),
            }),
        );
    }
    if let Some(sp) = m.specular {
        add(
            KHR_SPECULAR,
            json!({
                "specularFactor": unit(sp.factor, 1.0),
                "specularColorFactor": sp.color.map(|c| finite_or(c, 1.0).max(0.0)),
            }),
        );
    }
    let mut material = json!({
        "name": m.name,
        "pbrMetallicRoughness": {
            "baseColorFactor": m.base_color_linear.map(|c| unit(c, 1.0)),
            "metallicFactor": unit(m.metallic, 0.0),
            "roughnessFactor": unit(m.roughness, 0.5),
        },
    });
    if m.emissive.iter().any(|&c| unit(c, 0.0) > 0.0) {
        material["emissiveFactor"] = json!(m.emissive.map(|c| unit(c, 0.0)));
    }
    if !extensions.is_empty() {
        material["extensions"] = Value::Object(extensions);
    }
    material
}

/// Writes the parts as a GLB. Invalid mesh data is repaired (see [`try_write_glb`] to reject it
/// instead); a part with no triangles becomes a node without a mesh.
pub fn write_glb(parts: &[GlbPart]) -> Vec<u8> {
    write_parts(parts, &[], None)
}

/// Writes a whole model (parts, variants, scene extras) as a GLB; see [`write_glb`]. A part whose
/// variant list has the wrong length keeps its default material in every variant.
pub fn write_model(model: &GlbModel) -> Vec<u8> {
    write_parts(&model.parts, &model.variants, model.extras.as_ref())
}

fn write_parts(parts: &[GlbPart], variants: &[String], extras: Option<&Value>) -> Vec<u8> {
    let mut root = json::Root {
        asset: json::Asset {
            generator: Some("Loupe".into()),
            version: "2.0".into(),
            copyright: None,
            extensions: None,
            extras: Default::default(),
            min_version: None,
        },
        ..Default::default()
    };
    let mut bin = Vec::new();
    let mut materials: Vec<&PartMaterial> = Vec::new();
    let mut nodes = Vec::new();
    // Per mesh: extras, and KHR_materials_variants mappings (material → variant indices).
    let mut mesh_extras: Vec<(usize, &Value)> = Vec::new();
    let mut mesh_mappings: Vec<(usize, BTreeMap<usize, Vec<usize>>)> = Vec::new();

    for part in parts {
        let mesh = sanitized(&part.mesh);
        let mesh_index = if mesh.is_empty() {
            None
        } else {
            let material = material_index(&part.material, &mut materials);
            let with_variants =
                !variants.is_empty() && part.variant_materials.len() == variants.len();
            let mut mappings: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
            if with_variants {
                for (variant, m) in part.variant_materials.iter().enumerate() {
                    let index = material_index(m, &mut materials);
                    mappings.entry(index).or_default().push(variant);
                }
            }
            let brush_axis = std::iter::once(&part.material)
                .chain(if with_variants {
                    &part.variant_materials[..]
                } else {
                    &[]
                })
                .find_map(|m| m.anisotropy.map(|a| a.brush_axis));

            let bounds = mesh.bounds();
            let mut attributes = BTreeMap::new();
            let positions = push_attribute(
                &mut root,
                &mut bin,
                &mesh.positions_m,
                json::accessor::Type::Vec3,
                Some((bounds.min.to_array(), bounds.max.to_array())),
            );
            attributes.insert(Valid(json::mesh::Semantic::Positions), positions);
            if !mesh.normals.is_empty() {
                let normals = push_attribute(
                    &mut root,
                    &mut bin,
                    &mesh.normals,
                    json::accessor::Type::Vec3,
                    None,
                );
                attributes.insert(Valid(json::mesh::Semantic::Normals), normals);
                if let Some(axis) = brush_axis {
                    let tangents = push_attribute(
                        &mut root,
                        &mut bin,
                        &brush_tangents(&mesh, axis),
                        json::accessor::Type::Vec4,
                        None,
                    );
                    attributes.insert(Valid(json::mesh::Semantic::Tangents), tangents);
                }
            }
            // 16-bit indices where they fit: half the bytes for every mesh in the catalogue.
            let (index_bytes, index_type) = if mesh.positions_m.len() <= usize::from(u16::MAX) {
                let short: Vec<u16> = mesh.indices.iter().map(|&i| i as u16).collect();
                (
                    bytemuck::cast_slice::<u16, u8>(&short).to_vec(),
                    json::accessor::ComponentType::U16,
                )
            } else {
                (
                    bytemuck::cast_slice::<u32, u8>(&mesh.indices).to_vec(),
                    json::accessor::ComponentType::U32,
                )
            };
            let indices = push_view(
                &mut root,
                &mut bin,
                &index_bytes,
                json::buffer::Target::ElementArrayBuffer,
            );
            let indices = root.push(accessor(
                indices,
                mesh.indices.len(),
                index_type,
                json::accessor::Type::Scalar,
                None,
            ));
            let index = root.push(json::Mesh {
                extensions: None,
                extras: Default::default(),
                name: Some(part.name.clone()),
                primitives: vec![json::mesh::Primitive {
                    attributes,
                    extensions: None,
                    extras: Default::default(),
                    indices: Some(indices),
                    material: Some(json::Index::new(material as u32)),
                    mode: Valid(json::mesh::Mode::Triangles),
                    targets: None,
                }],
                weights: None,
            });
            if let Some(extras) = &part.extras {
                mesh_extras.push((index.value(), extras));
            }
            if with_variants {
                mesh_mappings.push((index.value(), mappings));
            }
            Some(index)
        };
        let t = part.translation_m.map(|v| finite_or(v, 0.0));
        nodes.push(root.push(json::Node {
            mesh: mesh_index,
            name: Some(part.name.clone()),
            translation: (t != [0.0; 3]).then_some(t),
            ..Default::default()
        }));
    }

    if !bin.is_empty() {
        root.push(json::Buffer {
            byte_length: USize64::from(bin.len()),
            name: None,
            uri: None,
            extensions: None,
            extras: Default::default(),
        });
    }
    // gltf-json needs `nodes` in a scene, so a model without parts has no scene at all.
    let has_scene = !nodes.is_empty();
    if has_scene {
        let scene = root.push(json::Scene {
            extensions: None,
            extras: Default::default(),
            name: Some("Loupe".into()),
            nodes,
        });
        root.scene = Some(scene);
    }

    // Serialising our own document cannot fail: plain structs, string keys, finite numbers.
    let mut doc = json::serialize::to_value(&root).unwrap_or(Value::Null);
    let mut used: Vec<&'static str> = Vec::new();
    if !materials.is_empty() {
        doc["materials"] = Value::Array(
            materials
                .iter()
                .map(|m| material_json(m, &mut used))
                .collect(),
        );
    }
    for (mesh, extras) in mesh_extras {
        doc["meshes"][mesh]["extras"] = extras.clone();
    }
    if !mesh_mappings.is_empty() {
        used.push(KHR_VARIANTS);
        for (mesh, mappings) in mesh_mappings {
            let mappings: Vec<Value> = mappings
                .into_iter()
                .map(|(material, variants)| json!({ "material": material, "variants": variants }))
                .collect();
            doc["meshes"][mesh]["primitives"][0]["extensions"] =
                json!({ KHR_VARIANTS: { "mappings": mappings } });
        }
        let names: Vec<Value> = variants.iter().map(|n| json!({ "name": n })).collect();
        doc["extensions"] = json!({ KHR_VARIANTS: { "variants": names } });
    }
    if let (true, Some(extras)) = (has_scene, extras) {
        doc["scenes"][0]["extras"] = extras.clone();
    }
    used.sort_unstable();
    used.dedup();
    if !used.is_empty() {
        doc["extensionsUsed"] = json!(used);
    }
    let json_bytes = serde_json::to_vec(&doc).unwrap_or_default();
    glb_container(json_bytes, bin)
}

/// Wraps JSON and BIN chunks in the GLB container, padding JSON with spaces and BIN with zeros.
fn glb_container(mut json_bytes: Vec<u8>, mut bin: Vec<u8>) -> Vec<u8> {
    while !json_bytes.len().is_multiple_of(4) {
        json_bytes.push(b' ');
    }
    while !bin.len().is_multiple_of(4) {
        bin.push(0);
    }
    let bin_chunk_len = if bin.is_empty() { 0 } else { 8 + bin.len() };
    let total = 12 + 8 + json_bytes.len() + bin_chunk_len;
    let mut out = Vec::with_capacity(total);
    out.extend_from_slice(b"glTF");
    out.extend_from_slice(&2u32.to_le_bytes());
    out.extend_from_slice(&(total as u32).to_le_bytes());
    out.extend_from_slice(&(json_bytes.len() as u32).to_le_bytes());
    out.extend_from_slice(b"JSON");
    out.extend_from_slice(&json_bytes);
    if !bin.is_empty() {
        out.extend_from_slice(&(bin.len() as u32).to_le_bytes());
        out.extend_from_slice(b"BIN\0");
        out.extend_from_slice(&bin);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jewelry::shapes::box_mesh;

    fn plain(name: &str) -> PartMaterial {
        PartMaterial {
            name: name.into(),
            ..Default::default()
        }
    }

    #[test]
    fn container_is_aligned_and_parses() {
        let parts = [GlbPart {
            name: "cube".into(),
            mesh: box_mesh([0.01; 3]),
            material: plain("grey"),
            translation_m: [0.0, 0.02, 0.0],
            ..Default::default()
        }];
        let bytes = write_glb(&parts);
        assert_eq!(&bytes[..4], b"glTF");
        assert_eq!(
            u32::from_le_bytes(bytes[8..12].try_into().unwrap()) as usize,
            bytes.len()
        );
        let json_len = u32::from_le_bytes(bytes[12..16].try_into().unwrap()) as usize;
        assert_eq!(json_len % 4, 0);
        assert_eq!(bytes.len() % 4, 0);
        let gltf = gltf::Gltf::from_slice(&bytes).unwrap();
        assert_eq!(
            gltf.document.as_json().asset.generator.as_deref(),
            Some("Loupe")
        );
        assert!(gltf.document.extensions_used().next().is_none());
        let node = gltf.document.nodes().next().unwrap();
        assert_eq!(node.transform().decomposed().0, [0.0, 0.02, 0.0]);
        assert_eq!(write_glb(&parts), bytes, "deterministic");
    }

    #[test]
    fn gem_material_declares_extensions() {
        let mut gem = plain("gem");
        gem.transmission = Some(1.0);
        gem.ior = Some(2.4175);
        let parts = [GlbPart {
            name: "stone".into(),
            mesh: box_mesh([0.001; 3]),
            material: gem,
            translation_m: [0.0; 3],
            ..Default::default()
        }];
        let gltf = gltf::Gltf::from_slice(&write_glb(&parts)).unwrap();
        let used: Vec<&str> = gltf.document.extensions_used().collect();
        assert_eq!(used, vec![KHR_IOR, KHR_TRANSMISSION]);
        let m = gltf.document.materials().next().unwrap();
        assert_eq!(m.ior(), Some(2.4175));
        assert_eq!(m.transmission().unwrap().transmission_factor(), 1.0);
    }

    #[test]
    fn bad_meshes_are_repaired_or_rejected() {
        let mut mesh = box_mesh([0.01; 3]);
        mesh.indices.extend([0, 1, 999]);
        mesh.positions_m[0][0] = f32::NAN;
        let parts = [
            GlbPart {
                name: "broken".into(),
                mesh,
                material: plain("grey"),
                translation_m: [f32::INFINITY, 0.0, 0.0],
                ..Default::default()
            },
            GlbPart {
                name: "empty".into(),
                mesh: MeshData::default(),
                material: plain("grey"),
                translation_m: [0.0; 3],
                ..Default::default()
            },
        ];
        assert!(try_write_glb(&parts).is_err());
        let gltf = gltf::Gltf::from_slice(&write_glb(&parts)).unwrap();
        assert_eq!(gltf.document.nodes().count(), 2);
        assert_eq!(gltf.document.meshes().count(), 1);
        let prim = gltf
            .document
            .meshes()
            .next()
            .unwrap()
            .primitives()
            .next()
            .unwrap();
        assert_eq!(prim.indices().unwrap().count(), 36);
        assert!(gltf::Gltf::from_slice(&write_glb(&[])).is_ok());
    }

    #[test]
    fn variants_extras_and_gem_extensions_round_trip() {
        let platinum = PartMaterial {
            name: "platinum".into(),
            metallic: 1.0,
            anisotropy: Some(Anisotropy {
                strength: 0.8,
                rotation_rad: 0.0,
                brush_axis: [0.0, 0.0, 1.0],
            }),
            ..Default::default()
        };
        let gold = PartMaterial {
            name: "gold".into(),
            metallic: 1.0,
            ..Default::default()
        };
        let ruby = PartMaterial {
            name: "ruby".into(),
            transmission: Some(1.0),
            ior: Some(1.768),
            dispersion: Some(0.277),
            volume: Some(Volume {
                thickness_m: 0.004,
                attenuation_distance_m: Some(0.002),
                attenuation_color: [0.9, 0.05, 0.1],
            }),
            ..Default::default()
        };
        let model = GlbModel {
            parts: vec![
                GlbPart {
                    variant_materials: vec![platinum.clone(), gold.clone()],
                    ..GlbPart::new("band", box_mesh([0.01, 0.002, 0.001]), platinum.clone())
                },
                GlbPart {
                    extras: Some(json!({ "cut": "cube" })),
                    ..GlbPart::new("stone", box_mesh([0.001; 3]), ruby)
                },
            ],
            variants: vec!["platinum".into(), "yellow-gold".into()],
            extras: Some(json!({ "loupe": { "kind": "ring" } })),
        };
        let bytes = try_write_model(&model).unwrap();
        assert_eq!(write_model(&model), bytes, "deterministic");
        let gltf = gltf::Gltf::from_slice(&bytes).unwrap();
        let doc: Value =
            serde_json::from_slice(&gltf::Glb::from_slice(&bytes).unwrap().json).unwrap();
        assert_eq!(
            doc["extensions"][KHR_VARIANTS]["variants"][1]["name"],
            "yellow-gold"
        );
        let mappings = &doc["meshes"][0]["primitives"][0]["extensions"][KHR_VARIANTS]["mappings"];
        assert_eq!(
            mappings,
            &json!([{ "material": 0, "variants": [0] }, { "material": 1, "variants": [1] }])
        );
        assert_eq!(doc["meshes"][1]["extras"]["cut"], "cube");
        assert_eq!(doc["scenes"][0]["extras"]["loupe"]["kind"], "ring");
        let ruby = &doc["materials"][2]["extensions"];
        assert_eq!(
            ruby[KHR_VOLUME]["attenuationDistance"].as_f64().unwrap() as f32,
            0.002
        );
        assert_eq!(
            ruby[KHR_DISPERSION]["dispersion"].as_f64().unwrap() as f32,
            0.277
        );
        let used: Vec<&str> = gltf.document.extensions_used().collect();
        assert_eq!(
            used,
            vec![
                KHR_ANISOTROPY,
                KHR_DISPERSION,
                KHR_IOR,
                KHR_TRANSMISSION,
                KHR_VARIANTS,
                KHR_VOLUME
            ]
        );
        // The brushed band carries tangents that run around the ring axis (+Z).
        let band = gltf
            .document
            .meshes()
            .next()
            .unwrap()
            .primitives()
            .next()
            .unwrap();
        let reader = band.reader(|_| gltf.blob.as_deref());
        let positions: Vec<[f32; 3]> = reader.read_positions().unwrap().collect();
        let tangents: Vec<[f32; 4]> = reader.read_tangents().unwrap().collect();
        for (p, t) in positions.iter().zip(&tangents) {
            let around = Vec3::Z.cross(Vec3::from(*p));
            let t3 = Vec3::new(t[0], t[1], t[2]);
            assert!((t3.length() - 1.0).abs() < 1e-5 && t[3] == 1.0);
            if around.length() > 1e-4 {
                assert!(t3.dot(around) >= 0.0, "tangent {t:?} at {p:?}");
            }
        }
        let mut wrong = model.clone();
        wrong.parts[0].variant_materials.pop();
        assert!(matches!(
            try_write_model(&wrong),
            Err(JewelryError::VariantCountMismatch { .. })
        ));
    }
}
