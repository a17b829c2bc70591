use super::{
    tangents, AlphaMode, AssetError, Draw, ImageData, ImageUse, Material, Mesh, SamplerDesc, Scene,
    Texture, TextureRef, UvTransform, Vertex, Wrap, SUPPORTED_REQUIRED_EXTENSIONS,
};
use crate::math::Aabb;
use base64::Engine as _;
use glam::{Mat4, Vec3};
use gltf::mesh::Mode;
use std::collections::HashMap;

/// Fetches a file a `.gltf` names by relative URI. GLB files and data: URIs need none.
pub type ExternalResolver<'a> = dyn Fn(&str) -> Result<Vec<u8>, String> + 'a;

/// Parses a self-contained GLB (or a `.gltf` whose resources are all data: URIs).
pub fn parse_glb(bytes: &[u8]) -> Result<Scene, AssetError> {
    parse(bytes, &|uri: &str| {
        Err(format!(
            "external file {uri:?} cannot be fetched here; embed it in a GLB"
        ))
    })
}

/// Parses GLB or glTF JSON bytes; `resolve` supplies external buffers and images.
pub fn parse(bytes: &[u8], resolve: &ExternalResolver<'_>) -> Result<Scene, AssetError> {
    // Required extensions are checked before gltf's validation so the message names the extension
    // in Loupe's words rather than as a generic validation failure.
    if let Ok(unvalidated) = gltf::Gltf::from_slice_without_validation(bytes) {
        if let Some(ext) = unvalidated
            .extensions_required()
            .find(|e| !SUPPORTED_REQUIRED_EXTENSIONS.contains(e))
        {
            return Err(AssetError::UnsupportedExtension(ext.to_string()));
        }
    }
    let gltf = gltf::Gltf::from_slice(bytes)
        .map_err(|e| AssetError::Parse(describe_gltf_error(&e, bytes)))?;
    let buffers = load_buffers(&gltf, resolve)?;
    let mut scene = Scene::default();
    let mut image_usage: HashMap<usize, ImageUse> = HashMap::new();
    scene.textures = gltf
        .textures()
        .map(|t| Texture {
            image: t.source().index(),
            sampler: sampler_desc(&t.sampler()),
        })
        .collect();
    scene.materials = gltf
        .materials()
        .map(|m| convert_material(&m, &scene.textures, &mut image_usage))
        .collect();
    scene
        .warnings
        .extend(gltf.materials().flat_map(|m| ignored_texture_warnings(&m)));
    scene.images = load_images(&gltf, &buffers, resolve, &image_usage)?;

    let mut mesh_slots: HashMap<(usize, usize), Option<usize>> = HashMap::new();
    let root_scene = gltf.default_scene().or_else(|| gltf.scenes().next());
    if let Some(extras) = root_scene.as_ref().and_then(|s| s.extras().as_ref()) {
        if let Ok(value) = serde_json::from_str::<serde_json::Value>(extras.get()) {
            scene.piece = super::PieceInfo::from_extras(&value);
            scene.warnings.extend(scene.piece.warnings.iter().cloned());
        }
    }
    let roots: Vec<gltf::Node> = match root_scene {
        Some(s) => s.nodes().collect(),
        None => root_nodes(&gltf),
    };
    scene.variants = variant_names(&gltf);
    let variant_count = scene.variants.len();
    let material_count = gltf.materials().count();
    let mut stack: Vec<(gltf::Node, Mat4)> =
        roots.into_iter().map(|n| (n, Mat4::IDENTITY)).collect();
    let mut visited = 0usize;
    while let Some((node, parent_from_world)) = stack.pop() {
        visited += 1;
        if visited > 100_000 {
            return Err(AssetError::Parse(
                "node hierarchy is too deep or cyclic".into(),
            ));
        }
        let world_from_node =
            parent_from_world * Mat4::from_cols_array_2d(&node.transform().matrix());
        if let Some(mesh) = node.mesh() {
            for prim in mesh.primitives() {
                let key = (mesh.index(), prim.index());
                let slot = match mesh_slots.get(&key) {
                    Some(slot) => *slot,
                    None => {
                        let built = build_primitive(&prim, &buffers).map_err(|reason| {
                            AssetError::BadPrimitive {
                                mesh: key.0,
                                primitive: key.1,
                                reason,
                            }
                        })?;
                        let slot = match built {
                            Some(mut m) => {
                                let transmissive = prim
                                    .material()
                                    .transmission()
                                    .is_some_and(|t| t.transmission_factor() > 0.0);
                                if transmissive {
                                    let positions: Vec<[f32; 3]> =
                                        m.vertices.iter().map(|v| v.position_m).collect();
                                    m.facets =
                                        crate::jewelry::gem::facet_planes(&positions, &m.indices);
                                    let ior = prim.material().ior().unwrap_or(1.5);
                                    let why_not_traced = match &m.facets {
                                        None => Some("not a closed convex solid".to_string()),
                                        Some(f) if f.len() > super::MAX_TRACED_FACETS => {
                                            Some(format!(
                                                "{} facets, more than the gem pass's {}",
                                                f.len(),
                                                super::MAX_TRACED_FACETS
                                            ))
                                        }
                                        Some(_) if ior < 1.0 => {
                                            Some(format!("index of refraction {ior} is below 1"))
                                        }
                                        Some(_) => None,
                                    };
                                    if let Some(why) = why_not_traced {
                                        scene.warnings.push(format!(
                                            "mesh {} primitive {}: transmissive but {why}, \
                                             so it is drawn with the single-refraction approximation",
                                            key.0, key.1
                                        ));
                                    }
                                }
                                scene.meshes.push(m);
                                Some(scene.meshes.len() - 1)
                            }
                            None => {
                                scene.warnings.push(format!(
                                    "mesh {} primitive {}: {:?} primitives are not drawn",
                                    key.0,
                                    key.1,
                                    prim.mode()
                                ));
                                None
                            }
                        };
                        mesh_slots.insert(key, slot);
                        slot
                    }
                };
                if let Some(mesh_index) = slot {
                    let bounds = Aabb::from_points(
                        scene.meshes[mesh_index]
                            .vertices
                            .iter()
                            .map(|v| Vec3::from(v.position_m)),
                    )
                    .transformed(&world_from_node);
                    scene.bounds_m = scene.bounds_m.union(&bounds);
                    scene.draws.push(Draw {
                        mesh: mesh_index,
                        material: prim.material().index(),
                        world_from_mesh: world_from_node,
                        variant_materials: variant_mappings(&prim, variant_count, material_count),
                    });
                }
            }
        }
        for child in node.children() {
            stack.push((child, world_from_node));
        }
    }
    if scene.draws.is_empty() {
        return Err(AssetError::Empty);
    }
    for (i, t) in scene.textures.iter().enumerate() {
        if t.image >= scene.images.len() {
            return Err(AssetError::MissingImage {
                index: t.image,
                reason: format!("texture {i} names it"),
            });
        }
    }
    Ok(scene)
}

/// KHR_materials_variants names from the root extension (empty without it).
fn variant_names(gltf: &gltf::Gltf) -> Vec<String> {
    gltf.extension_value("KHR_materials_variants")
        .and_then(|v| v.get("variants"))
        .and_then(|v| v.as_array())
        .map(|list| {
            list.iter()
                .enumerate()
                .map(|(i, v)| {
                    v.get("name")
                        .and_then(|n| n.as_str())
                        .map_or_else(|| format!("variant {i}"), str::to_owned)
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The primitive's material per variant. Mappings naming a variant or material that does not
/// exist are ignored, so a bad mapping keeps the default look rather than failing the load.
fn variant_mappings(
    prim: &gltf::Primitive,
    variant_count: usize,
    material_count: usize,
) -> Vec<Option<usize>> {
    let mut out = vec![None; variant_count];
    let mappings = prim
        .extension_value("KHR_materials_variants")
        .and_then(|v| v.get("mappings"))
        .and_then(|v| v.as_array());
    for m in mappings.into_iter().flatten() {
        let Some(material) = m
            .get("material")
            .and_then(|v| v.as_u64())
            .map(|v| v as usize)
            .filter(|&v| v < material_count)
        else {
            continue;
        };
        let variants = m.get("variants").and_then(|v| v.as_array());
        for v in variants.into_iter().flatten().filter_map(|v| v.as_u64()) {
            if let Some(slot) = out.get_mut(v as usize) {
                *slot = Some(material);
            }
        }
    }
    out
}

fn describe_gltf_error(e: &gltf::Error, bytes: &[u8]) -> String {
    if bytes.starts_with(b"glTF") && bytes.len() >= 12 {
        let declared = u32::from_le_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]) as usize;
        if declared > bytes.len() {
            return format!(
                "the GLB is truncated: its header says {declared} bytes but only {} arrived",
                bytes.len()
            );
        }
    }
    if bytes.is_empty() {
        return "the file is empty".into();
    }
    e.to_string()
}

fn root_nodes<'a>(gltf: &'a gltf::Gltf) -> Vec<gltf::Node<'a>> {
    let mut is_child = vec![false; gltf.nodes().len()];
    for n in gltf.nodes() {
        for c in n.children() {
            is_child[c.index()] = true;
        }
    }
    gltf.nodes().filter(|n| !is_child[n.index()]).collect()
}

fn decode_data_uri(uri: &str) -> Option<Result<Vec<u8>, String>> {
    let rest = uri.strip_prefix("data:")?;
    let Some((meta, payload)) = rest.split_once(',') else {
        return Some(Err("malformed data: URI".into()));
    };
    if !meta.ends_with(";base64") {
        return Some(Err("only base64 data: URIs are supported".into()));
    }
    Some(
        base64::engine::general_purpose::STANDARD
            .decode(payload)
            .map_err(|e| format!("bad base64: {e}")),
    )
}

fn load_buffers(
    gltf: &gltf::Gltf,
    resolve: &ExternalResolver<'_>,
) -> Result<Vec<Vec<u8>>, AssetError> {
    gltf.buffers()
        .map(|b| {
            let index = b.index();
            let data = match b.source() {
                gltf::buffer::Source::Bin => {
                    gltf.blob.clone().ok_or_else(|| AssetError::MissingBuffer {
                        index,
                        reason: "the GLB has no BIN chunk".into(),
                    })?
                }
                gltf::buffer::Source::Uri(uri) => match decode_data_uri(uri) {
                    Some(r) => r,
                    None => resolve(uri),
                }
                .map_err(|reason| AssetError::MissingBuffer { index, reason })?,
            };
            if data.len() < b.length() {
                return Err(AssetError::MissingBuffer {
                    index,
                    reason: format!("it declares {} bytes but holds {}", b.length(), data.len()),
                });
            }
            Ok(data)
        })
        .collect()
}

fn load_images(
    gltf: &gltf::Gltf,
    buffers: &[Vec<u8>],
    resolve: &ExternalResolver<'_>,
    usage: &HashMap<usize, ImageUse>,
) -> Result<Vec<ImageData>, AssetError> {
    gltf.images()
        .map(|img| {
            let index = img.index();
            let (bytes, mime_type) = match img.source() {
                gltf::image::Source::View { view, mime_type } => {
                    let buf = &buffers[view.buffer().index()];
                    let range = view.offset()..view.offset() + view.length();
                    let bytes = buf
                        .get(range)
                        .ok_or_else(|| AssetError::MissingImage {
                            index,
                            reason: "buffer view out of range".into(),
                        })?
                        .to_vec();
                    (bytes, Some(mime_type.to_string()))
                }
                gltf::image::Source::Uri { uri, mime_type } => {
                    let bytes = match decode_data_uri(uri) {
                        Some(r) => r,
                        None => resolve(uri),
                    }
                    .map_err(|reason| AssetError::MissingImage { index, reason })?;
                    (bytes, mime_type.map(str::to_string))
                }
            };
            Ok(ImageData {
                bytes,
                mime_type,
                usage: usage.get(&index).copied().unwrap_or(ImageUse::Data),
            })
        })
        .collect()
}

fn wrap(mode: gltf::texture::WrappingMode) -> Wrap {
    match mode {
        gltf::texture::WrappingMode::Repeat => Wrap::Repeat,
        gltf::texture::WrappingMode::MirroredRepeat => Wrap::MirroredRepeat,
        gltf::texture::WrappingMode::ClampToEdge => Wrap::ClampToEdge,
    }
}

fn sampler_desc(s: &gltf::texture::Sampler) -> SamplerDesc {
    use gltf::texture::{MagFilter, MinFilter};
    SamplerDesc {
        wrap_u: wrap(s.wrap_s()),
        wrap_v: wrap(s.wrap_t()),
        mag_linear: !matches!(s.mag_filter(), Some(MagFilter::Nearest)),
        min_linear: !matches!(
            s.min_filter(),
            Some(
                MinFilter::Nearest
                    | MinFilter::NearestMipmapNearest
                    | MinFilter::NearestMipmapLinear
            )
        ),
    }
}

/// KHR_texture_transform on normal and occlusion textures, which gltf 1.4 exposes only as JSON.
fn json_texture_transform(ext: Option<&gltf::json::Value>) -> Option<(Option<u32>, UvTransform)> {
    let ext = ext?;
    let pair = |key: &str, default: [f32; 2]| -> [f32; 2] {
        match ext.get(key).and_then(|v| v.as_array()) {
            Some(a) if a.len() == 2 => {
                [0, 1].map(|i| a[i].as_f64().map_or(default[i], |f| f as f32))
            }
            _ => default,
        }
    };
    let transform = UvTransform {
        offset: pair("offset", [0.0, 0.0]),
        rotation_rad: ext.get("rotation").and_then(|v| v.as_f64()).unwrap_or(0.0) as f32,
        scale: pair("scale", [1.0, 1.0]),
    };
    let tex_coord = ext
        .get("texCoord")
        .and_then(|v| v.as_u64())
        .map(|v| v as u32);
    Some((tex_coord, transform))
}

fn texture_ref(
    texture: gltf::Texture,
    tex_coord: u32,
    transform: Option<(Option<u32>, UvTransform)>,
    textures: &[Texture],
    usage: &mut HashMap<usize, ImageUse>,
    as_color: bool,
) -> TextureRef {
    let (tex_coord, transform) = match transform {
        Some((coord, t)) => (coord.unwrap_or(tex_coord), t),
        None => (tex_coord, UvTransform::default()),
    };
    if let Some(t) = textures.get(texture.index()) {
        let entry = usage.entry(t.image).or_insert(ImageUse::Data);
        if as_color {
            *entry = ImageUse::Color;
        }
    }
    TextureRef {
        texture: texture.index(),
        tex_coord,
        transform,
    }
}

fn convert_material(
    m: &gltf::Material,
    textures: &[Texture],
    usage: &mut HashMap<usize, ImageUse>,
) -> Material {
    let pbr = m.pbr_metallic_roughness();
    let info = |i: gltf::texture::Info, usage: &mut HashMap<usize, ImageUse>, color: bool| {
        texture_ref(
            i.texture(),
            i.tex_coord(),
            i.texture_transform().map(|t| {
                let uv = UvTransform {
                    offset: t.offset(),
                    rotation_rad: t.rotation(),
                    scale: t.scale(),
                };
                (t.tex_coord(), uv)
            }),
            textures,
            usage,
            color,
        )
    };
    let emissive_strength = m.emissive_strength().unwrap_or(1.0);
    let [er, eg, eb] = m.emissive_factor();
    Material {
        name: m.name().map(str::to_string),
        base_color_factor: pbr.base_color_factor(),
        base_color_texture: pbr.base_color_texture().map(|i| info(i, usage, true)),
        metallic_factor: pbr.metallic_factor(),
        roughness_factor: pbr.roughness_factor(),
        metallic_roughness_texture: pbr
            .metallic_roughness_texture()
            .map(|i| info(i, usage, false)),
        normal_texture: m.normal_texture().map(|n| {
            let t = json_texture_transform(n.extension_value("KHR_texture_transform"));
            texture_ref(n.texture(), n.tex_coord(), t, textures, usage, false)
        }),
        normal_scale: m.normal_texture().map_or(1.0, |n| n.scale()),
        occlusion_texture: m.occlusion_texture().map(|o| {
            let t = json_texture_transform(o.extension_value("KHR_texture_transform"));
            texture_ref(o.texture(), o.tex_coord(), t, textures, usage, false)
        }),
        occlusion_strength: m.occlusion_texture().map_or(1.0, |o| o.strength()),
        emissive: [
            er * emissive_strength,
            eg * emissive_strength,
            eb * emissive_strength,
        ],
        emissive_texture: m.emissive_texture().map(|i| info(i, usage, true)),
        alpha_mode: match m.alpha_mode() {
            gltf::material::AlphaMode::Opaque => AlphaMode::Opaque,
            gltf::material::AlphaMode::Mask => AlphaMode::Mask,
            gltf::material::AlphaMode::Blend => AlphaMode::Blend,
        },
        alpha_cutoff: m.alpha_cutoff().unwrap_or(0.5),
        double_sided: m.double_sided(),
        transmission: m.transmission().map_or(0.0, |t| t.transmission_factor()),
        ior: m.ior().unwrap_or(1.5),
        dispersion: m
            .extension_value("KHR_materials_dispersion")
            .and_then(|d| d.get("dispersion"))
            .and_then(|d| d.as_f64())
            .map_or(0.0, |d| d.max(0.0) as f32),
        thickness_m: m.volume().map_or(0.0, |v| v.thickness_factor()),
        attenuation_distance_m: m
            .volume()
            .map_or(f32::INFINITY, |v| v.attenuation_distance()),
        attenuation_color: m.volume().map_or([1.0; 3], |v| v.attenuation_color()),
        specular_factor: ext_number(m, KHR_SPECULAR, "specularFactor", 1.0).clamp(0.0, 1.0),
        specular_color: ext_rgb(m, KHR_SPECULAR, "specularColorFactor", [1.0; 3]),
        clearcoat_factor: ext_number(m, KHR_CLEARCOAT, "clearcoatFactor", 0.0).clamp(0.0, 1.0),
        clearcoat_roughness: ext_number(m, KHR_CLEARCOAT, "clearcoatRoughnessFactor", 0.0)
            .clamp(0.0, 1.0),
        anisotropy_strength: ext_number(m, KHR_ANISOTROPY, "anisotropyStrength", 0.0)
            .clamp(0.0, 1.0),
        anisotropy_rotation_rad: ext_number(m, KHR_ANISOTROPY, "anisotropyRotation", 0.0),
    }
}

const KHR_SPECULAR: &str = "KHR_materials_specular";
const KHR_CLEARCOAT: &str = "KHR_materials_clearcoat";
const KHR_ANISOTROPY: &str = "KHR_materials_anisotropy";

/// The layered-material extensions are shaded from their factors; their textures are not read
/// yet, so a model that relies on one is told so rather than silently drawn flat.
const IGNORED_LAYER_TEXTURES: &[(&str, &str)] = &[
    (KHR_SPECULAR, "specularTexture"),
    (KHR_SPECULAR, "specularColorTexture"),
    (KHR_CLEARCOAT, "clearcoatTexture"),
    (KHR_CLEARCOAT, "clearcoatRoughnessTexture"),
    (KHR_CLEARCOAT, "clearcoatNormalTexture"),
    (KHR_ANISOTROPY, "anisotropyTexture"),
];

/// One warning per extension texture that [`convert_material`] leaves unread.
fn ignored_texture_warnings(m: &gltf::Material) -> Vec<String> {
    IGNORED_LAYER_TEXTURES
        .iter()
        .filter(|(ext, key)| m.extension_value(ext).is_some_and(|v| v.get(key).is_some()))
        .map(|(ext, key)| {
            format!(
                "material {}: {ext}.{key} is not supported yet; its factor is used alone",
                m.name()
                    .map_or_else(|| format!("#{}", m.index().unwrap_or(0)), str::to_string)
            )
        })
        .collect()
}

/// A finite number from a material extension, or `default` when absent or malformed.
fn ext_number(m: &gltf::Material, ext: &str, key: &str, default: f32) -> f32 {
    m.extension_value(ext)
        .and_then(|v| v.get(key))
        .and_then(|v| v.as_f64())
        .map(|v| v as f32)
        .filter(|v| v.is_finite())
        .unwrap_or(default)
}

/// A linear RGB triple from a material extension, each channel ≥ 0, or `default`.
fn ext_rgb(m: &gltf::Material, ext: &str, key: &str, default: [f32; 3]) -> [f32; 3] {
    let Some(values) = m
        .extension_value(ext)
        .and_then(|v| v.get(key))
        .and_then(|v| v.as_array())
    else {
        return default;
    };
    let rgb: Vec<f32> = values
        .iter()
        .filter_map(|c| c.as_f64())
        .map(|c| c as f32)
        .filter(|c| c.is_finite())
        .collect();
    match rgb[..] {
        [r, g, b] => [r.max(0.0), g.max(0.0), b.max(0.0)],
        _ => default,
    }
}

/// Builds one primitive's triangle list; `Ok(None)` for points and lines, which a jewel never needs.
fn build_primitive(prim: &gltf::Primitive, buffers: &[Vec<u8>]) -> Result<Option<Mesh>, String> {
    let mode = prim.mode();
    if matches!(
        mode,
        Mode::Points | Mode::Lines | Mode::LineLoop | Mode::LineStrip
    ) {
        return Ok(None);
    }
    let reader = prim.reader(|b| buffers.get(b.index()).map(Vec::as_slice));
    let positions: Vec<[f32; 3]> = reader
        .read_positions()
        .ok_or("it has no POSITION attribute")?
        .collect();
    let vertex_count = positions.len();
    let attr = |name: &str, len: usize| -> Result<(), String> {
        if len != vertex_count {
            return Err(format!(
                "{name} has {len} entries for {vertex_count} positions"
            ));
        }
        Ok(())
    };
    let normals: Option<Vec<[f32; 3]>> = reader.read_normals().map(Iterator::collect);
    let tangents: Option<Vec<[f32; 4]>> = reader.read_tangents().map(Iterator::collect);
    let uv0: Option<Vec<[f32; 2]>> = reader.read_tex_coords(0).map(|t| t.into_f32().collect());
    let uv1: Option<Vec<[f32; 2]>> = reader.read_tex_coords(1).map(|t| t.into_f32().collect());
    for (name, len) in [
        ("NORMAL", normals.as_ref().map(Vec::len)),
        ("TANGENT", tangents.as_ref().map(Vec::len)),
        ("TEXCOORD_0", uv0.as_ref().map(Vec::len)),
        ("TEXCOORD_1", uv1.as_ref().map(Vec::len)),
    ] {
        if let Some(len) = len {
            attr(name, len)?;
        }
    }
    let raw_indices: Vec<u32> = match reader.read_indices() {
        Some(i) => i.into_u32().collect(),
        None => (0..vertex_count as u32).collect(),
    };
    if let Some(bad) = raw_indices.iter().find(|&&i| i as usize >= vertex_count) {
        return Err(format!(
            "index {bad} is out of range for {vertex_count} vertices"
        ));
    }
    let mut indices = triangle_list(mode, &raw_indices);
    let mut vertices: Vec<Vertex> = (0..vertex_count)
        .map(|i| Vertex {
            position_m: positions[i],
            normal: normals.as_ref().map_or([0.0; 3], |n| n[i]),
            tangent: tangents.as_ref().map_or([1.0, 0.0, 0.0, 1.0], |t| t[i]),
            uv0: uv0.as_ref().map_or([0.0; 2], |t| t[i]),
            uv1: uv1.as_ref().map_or([0.0; 2], |t| t[i]),
        })
        .collect();
    if normals.is_none() {
        // glTF asks for flat normals when none are given: unweld so each triangle owns its corners.
        let (v, i) = tangents::flat_shaded(&vertices, &indices);
        vertices = v;
        indices = i;
    }
    if tangents.is_none() {
        tangents::generate(&mut vertices, &indices);
    }
    Ok(Some(Mesh {
        vertices,
        indices,
        facets: None,
    }))
}

fn triangle_list(mode: Mode, idx: &[u32]) -> Vec<u32> {
    match mode {
        Mode::TriangleStrip => (2..idx.len())
            .flat_map(|i| {
                if i % 2 == 0 {
                    [idx[i - 2], idx[i - 1], idx[i]]
                } else {
                    [idx[i - 1], idx[i - 2], idx[i]]
                }
            })
            .collect(),
        Mode::TriangleFan => (2..idx.len())
            .flat_map(|i| [idx[0], idx[i - 1], idx[i]])
            .collect(),
        _ => idx[..idx.len() / 3 * 3].to_vec(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_and_fans_become_lists() {
        assert_eq!(
            triangle_list(Mode::TriangleStrip, &[0, 1, 2, 3]),
            vec![0, 1, 2, 2, 1, 3]
        );
        assert_eq!(
            triangle_list(Mode::TriangleFan, &[0, 1, 2, 3]),
            vec![0, 1, 2, 0, 2, 3]
        );
        assert_eq!(triangle_list(Mode::Triangles, &[0, 1, 2, 3]), vec![0, 1, 2]);
    }

    #[test]
    fn data_uris_decode() {
        assert_eq!(
            decode_data_uri("data:application/octet-stream;base64,AQID"),
            Some(Ok(vec![1, 2, 3]))
        );
        assert!(decode_data_uri("models/a.bin").is_none());
        assert!(matches!(
            decode_data_uri("data:text/plain,abc"),
            Some(Err(_))
        ));
    }
}
