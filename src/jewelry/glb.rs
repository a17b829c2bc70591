//! A small GLB (binary glTF 2.0) writer for procedural parts, built on gltf-json.
//!
//! Output: one node per part (named, with its translation), one mesh per non-empty part with
//! POSITION (with min/max), NORMAL and u32 indices, materials shared between parts whose
//! [`PartMaterial`]s are equal, one buffer in the BIN chunk, every view 4-byte aligned, metres,
//! +Y up. The bytes depend only on the input.

use std::collections::BTreeMap;

use gltf_json as json;
use json::validation::{Checked::Valid, USize64};

use super::mesh::MeshData;
use super::JewelryError;

/// Physically based material of one part (glTF metallic-roughness).
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
}

/// One named part of a model: a mesh, its material and where it sits.
#[derive(Clone, Debug, PartialEq)]
pub struct GlbPart {
    /// Node and mesh name.
    pub name: String,
    /// Geometry in the part's own space, metres.
    pub mesh: MeshData,
    /// Surface.
    pub material: PartMaterial,
    /// Node translation, metres.
    pub translation_m: [f32; 3],
}

const KHR_TRANSMISSION: &str = "KHR_materials_transmission";
const KHR_IOR: &str = "KHR_materials_ior";

/// Like [`write_glb`], but rejects invalid meshes instead of repairing them.
pub fn try_write_glb(parts: &[GlbPart]) -> Result<Vec<u8>, JewelryError> {
    for part in parts {
        part.mesh.validate(&part.name)?;
    }
    Ok(write_glb(parts))
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

/// Appends `bytes` (already a multiple of 4 long) as a buffer view.
fn push_view(
    root: &mut json::Root,
    bin: &mut Vec<u8>,
    bytes: &[u8],
    target: json::buffer::Target,
) -> json::Index<json::buffer::View> {
    let offset = bin.len();
    bin.extend_from_slice(bytes);
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

fn material_json(m: &PartMaterial, used: &mut Vec<&'static str>) -> json::Material {
    let unit = |v: f32, fallback: f32| finite_or(v, fallback).clamp(0.0, 1.0);
    let mut extensions = json::extensions::material::Material::default();
    let mut any_extension = false;
    if let Some(t) = m.transmission {
        extensions.transmission = Some(json::extensions::material::Transmission {
            transmission_factor: json::extensions::material::TransmissionFactor(unit(t, 0.0)),
            ..Default::default()
        });
        used.push(KHR_TRANSMISSION);
        any_extension = true;
    }
    if let Some(ior) = m.ior {
        extensions.ior = Some(json::extensions::material::Ior {
            ior: json::extensions::material::IndexOfRefraction(finite_or(ior, 1.5).max(1.0)),
            ..Default::default()
        });
        used.push(KHR_IOR);
        any_extension = true;
    }
    json::Material {
        name: Some(m.name.clone()),
        pbr_metallic_roughness: json::material::PbrMetallicRoughness {
            base_color_factor: json::material::PbrBaseColorFactor(
                m.base_color_linear.map(|c| unit(c, 1.0)),
            ),
            metallic_factor: json::material::StrengthFactor(unit(m.metallic, 0.0)),
            roughness_factor: json::material::StrengthFactor(unit(m.roughness, 0.5)),
            ..Default::default()
        },
        emissive_factor: json::material::EmissiveFactor(m.emissive.map(|c| unit(c, 0.0))),
        extensions: any_extension.then_some(extensions),
        ..Default::default()
    }
}

/// Writes the parts as a GLB. Invalid mesh data is repaired (see [`try_write_glb`] to reject it
/// instead); a part with no triangles becomes a node without a mesh.
pub fn write_glb(parts: &[GlbPart]) -> Vec<u8> {
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
    let mut materials: Vec<(&PartMaterial, json::Index<json::Material>)> = Vec::new();
    let mut used_extensions: Vec<&'static str> = Vec::new();
    let mut nodes = Vec::new();

    for part in parts {
        let mesh = sanitized(&part.mesh);
        let mesh_index = if mesh.is_empty() {
            None
        } else {
            let material = match materials.iter().find(|(m, _)| *m == &part.material) {
                Some((_, index)) => *index,
                None => {
                    let index = root.push(material_json(&part.material, &mut used_extensions));
                    materials.push((&part.material, index));
                    index
                }
            };
            let bounds = mesh.bounds();
            let positions = push_view(
                &mut root,
                &mut bin,
                bytemuck::cast_slice(&mesh.positions_m),
                json::buffer::Target::ArrayBuffer,
            );
            let positions = root.push(accessor(
                positions,
                mesh.positions_m.len(),
                json::accessor::ComponentType::F32,
                json::accessor::Type::Vec3,
                Some((bounds.min.to_array(), bounds.max.to_array())),
            ));
            let mut attributes = BTreeMap::new();
            attributes.insert(Valid(json::mesh::Semantic::Positions), positions);
            if !mesh.normals.is_empty() {
                let normals = push_view(
                    &mut root,
                    &mut bin,
                    bytemuck::cast_slice(&mesh.normals),
                    json::buffer::Target::ArrayBuffer,
                );
                let normals = root.push(accessor(
                    normals,
                    mesh.normals.len(),
                    json::accessor::ComponentType::F32,
                    json::accessor::Type::Vec3,
                    None,
                ));
                attributes.insert(Valid(json::mesh::Semantic::Normals), normals);
            }
            let indices = push_view(
                &mut root,
                &mut bin,
                bytemuck::cast_slice(&mesh.indices),
                json::buffer::Target::ElementArrayBuffer,
            );
            let indices = root.push(accessor(
                indices,
                mesh.indices.len(),
                json::accessor::ComponentType::U32,
                json::accessor::Type::Scalar,
                None,
            ));
            Some(root.push(json::Mesh {
                extensions: None,
                extras: Default::default(),
                name: Some(part.name.clone()),
                primitives: vec![json::mesh::Primitive {
                    attributes,
                    extensions: None,
                    extras: Default::default(),
                    indices: Some(indices),
                    material: Some(material),
                    mode: Valid(json::mesh::Mode::Triangles),
                    targets: None,
                }],
                weights: None,
            }))
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
    used_extensions.sort_unstable();
    used_extensions.dedup();
    root.extensions_used = used_extensions.iter().map(|s| s.to_string()).collect();
    // gltf-json needs `nodes` in a scene, so a model without parts has no scene at all.
    if !nodes.is_empty() {
        let scene = root.push(json::Scene {
            extensions: None,
            extras: Default::default(),
            name: Some("Loupe".into()),
            nodes,
        });
        root.scene = Some(scene);
    }

    // Serialising our own document cannot fail: plain structs, string keys, finite numbers.
    let json_bytes = json::serialize::to_vec(&root).unwrap_or_default();
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
            base_color_linear: [0.5, 0.5, 0.5, 1.0],
            metallic: 0.0,
            roughness: 0.5,
            emissive: [0.0; 3],
            transmission: None,
            ior: None,
        }
    }

    #[test]
    fn container_is_aligned_and_parses() {
        let parts = [GlbPart {
            name: "cube".into(),
            mesh: box_mesh([0.01; 3]),
            material: plain("grey"),
            translation_m: [0.0, 0.02, 0.0],
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
            },
            GlbPart {
                name: "empty".into(),
                mesh: MeshData::default(),
                material: plain("grey"),
                translation_m: [0.0; 3],
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
}
