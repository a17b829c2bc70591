//! The GLB/glTF loader on hand-made files: node hierarchy, missing data, required extensions.
#![cfg(not(target_arch = "wasm32"))]

use base64::Engine as _;
use glam::Vec3;
use loupe::asset::{parse, parse_glb, AlphaMode, AssetError};

/// One triangle (0,0,0) (1,0,0) (0,1,0) as a data: URI buffer.
fn triangle_buffer() -> String {
    let mut bytes = Vec::new();
    for v in [[0f32, 0., 0.], [1., 0., 0.], [0., 1., 0.]] {
        for c in v {
            bytes.extend(c.to_le_bytes());
        }
    }
    format!(
        "data:application/octet-stream;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(bytes)
    )
}

fn gltf(nodes: &str, scene_nodes: &str, extra: &str) -> String {
    format!(
        r#"{{
  "asset": {{"version": "2.0"}},
  "buffers": [{{"byteLength": 36, "uri": "{uri}"}}],
  "bufferViews": [{{"buffer": 0, "byteLength": 36}}],
  "accessors": [{{"bufferView": 0, "componentType": 5126, "count": 3, "type": "VEC3",
                  "min": [0, 0, 0], "max": [1, 1, 0]}}],
  "meshes": [{{"primitives": [{{"attributes": {{"POSITION": 0}}, "material": 0}}]}}],
  "materials": [{{"alphaMode": "MASK", "alphaCutoff": 0.3, "doubleSided": true,
                  "pbrMetallicRoughness": {{"metallicFactor": 0.25}},
                  "emissiveFactor": [1, 0.5, 0],
                  "extensions": {{"KHR_materials_emissive_strength": {{"emissiveStrength": 4}}}}}}],
  "nodes": {nodes},
  "scenes": [{{"nodes": {scene_nodes}}}],
  "scene": 0
  {extra}
}}"#,
        uri = triangle_buffer()
    )
}

#[test]
fn node_transforms_compose_parent_first() {
    // Parent moves +1 m in X, child scales by 2 and carries the mesh.
    let doc = gltf(
        r#"[{"translation": [1, 0, 0], "children": [1]}, {"scale": [2, 2, 2], "mesh": 0}]"#,
        "[0]",
        "",
    );
    let scene = parse_glb(doc.as_bytes()).unwrap();
    assert_eq!(scene.draws.len(), 1);
    let m = scene.draws[0].world_from_mesh;
    assert!(
        (m.transform_point3(Vec3::new(1.0, 0.0, 0.0)) - Vec3::new(3.0, 0.0, 0.0)).length() < 1e-6
    );
    assert!((scene.bounds_m.min - Vec3::new(1.0, 0.0, 0.0)).length() < 1e-6);
    assert!((scene.bounds_m.max - Vec3::new(3.0, 2.0, 0.0)).length() < 1e-6);
}

#[test]
fn an_instanced_mesh_is_uploaded_once_and_drawn_twice() {
    let doc = gltf(
        r#"[{"mesh": 0}, {"mesh": 0, "translation": [0, 0, 5]}]"#,
        "[0, 1]",
        "",
    );
    let scene = parse_glb(doc.as_bytes()).unwrap();
    assert_eq!(scene.meshes.len(), 1);
    assert_eq!(scene.draws.len(), 2);
    assert!((scene.bounds_m.max.z - 5.0).abs() < 1e-6);
}

#[test]
fn materials_keep_gltf_semantics() {
    let scene = parse_glb(gltf(r#"[{"mesh": 0}]"#, "[0]", "").as_bytes()).unwrap();
    let m = &scene.materials[0];
    assert_eq!(m.alpha_mode, AlphaMode::Mask);
    assert_eq!(m.alpha_cutoff, 0.3);
    assert!(m.double_sided);
    assert_eq!(m.metallic_factor, 0.25);
    assert_eq!(m.roughness_factor, 1.0, "glTF default");
    assert_eq!(
        m.emissive,
        [4.0, 2.0, 0.0],
        "emissive strength multiplies the factor"
    );
}

#[test]
fn layered_material_extensions_are_read_and_unread_textures_are_named() {
    let layered = r#""KHR_materials_emissive_strength": {"emissiveStrength": 4},
        "KHR_materials_clearcoat": {"clearcoatFactor": 0.8, "clearcoatRoughnessFactor": 0.05,
                                    "clearcoatTexture": {"index": 0}},
        "KHR_materials_specular": {"specularFactor": 0.5, "specularColorFactor": [1, 0.5, 2]},
        "KHR_materials_anisotropy": {"anisotropyStrength": 1.7, "anisotropyRotation": 1.5}"#;
    let doc = gltf(r#"[{"mesh": 0}]"#, "[0]", "").replace(
        r#""KHR_materials_emissive_strength": {"emissiveStrength": 4}"#,
        layered,
    );
    let scene = parse_glb(doc.as_bytes()).unwrap();
    let m = &scene.materials[0];
    assert_eq!((m.clearcoat_factor, m.clearcoat_roughness), (0.8, 0.05));
    assert_eq!(m.specular_factor, 0.5);
    assert_eq!(m.specular_color, [1.0, 0.5, 2.0]);
    assert_eq!(m.anisotropy_strength, 1.0, "strength is clamped to 0..1");
    assert_eq!(m.anisotropy_rotation_rad, 1.5);
    assert_eq!(scene.warnings.len(), 1, "{:?}", scene.warnings);
    assert!(
        scene.warnings[0].contains("KHR_materials_clearcoat.clearcoatTexture"),
        "{:?}",
        scene.warnings
    );

    // Without the extensions, plain glTF: full specular, no coat, isotropic.
    let plain = parse_glb(gltf(r#"[{"mesh": 0}]"#, "[0]", "").as_bytes()).unwrap();
    let m = &plain.materials[0];
    assert_eq!((m.specular_factor, m.specular_color), (1.0, [1.0; 3]));
    assert_eq!((m.clearcoat_factor, m.anisotropy_strength), (0.0, 0.0));
    assert!(plain.warnings.is_empty());
}

#[test]
fn missing_normals_become_flat_and_tangents_are_generated() {
    let scene = parse_glb(gltf(r#"[{"mesh": 0}]"#, "[0]", "").as_bytes()).unwrap();
    for v in &scene.meshes[0].vertices {
        assert_eq!(v.normal, [0.0, 0.0, 1.0]);
        let t = Vec3::from_slice(&v.tangent[..3]);
        assert!((t.length() - 1.0).abs() < 1e-5 && t.dot(Vec3::Z).abs() < 1e-5);
    }
}

#[test]
fn an_unsupported_required_extension_is_named() {
    let doc = gltf(
        r#"[{"mesh": 0}]"#,
        "[0]",
        r#", "extensionsUsed": ["KHR_draco_mesh_compression"], "extensionsRequired": ["KHR_draco_mesh_compression"]"#,
    );
    let err = parse_glb(doc.as_bytes()).unwrap_err();
    assert!(
        matches!(err, AssetError::UnsupportedExtension(ref e) if e == "KHR_draco_mesh_compression"),
        "{err}"
    );
    assert!(err.to_string().contains("KHR_draco_mesh_compression"));
}

#[test]
fn external_buffers_go_through_the_resolver() {
    let doc = gltf(r#"[{"mesh": 0}]"#, "[0]", "").replace(&triangle_buffer(), "ring.bin");
    let err = parse_glb(doc.as_bytes()).unwrap_err();
    assert!(
        matches!(err, AssetError::MissingBuffer { index: 0, .. }),
        "{err}"
    );
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(triangle_buffer().split_once(',').unwrap().1)
        .unwrap();
    let scene = parse(doc.as_bytes(), &|uri: &str| {
        assert_eq!(uri, "ring.bin");
        Ok(bytes.clone())
    })
    .unwrap();
    assert_eq!(scene.triangle_count(), 1);
}

#[test]
fn short_buffers_out_of_range_indices_and_empty_scenes_are_errors() {
    let short = gltf(r#"[{"mesh": 0}]"#, "[0]", "")
        .replace(r#""byteLength": 36, "uri""#, r#""byteLength": 48, "uri""#);
    assert!(matches!(
        parse_glb(short.as_bytes()),
        Err(AssetError::MissingBuffer { .. }) | Err(AssetError::Parse(_))
    ));
    let empty = gltf(r#"[{}]"#, "[0]", "");
    assert!(matches!(
        parse_glb(empty.as_bytes()),
        Err(AssetError::Empty)
    ));
    assert!(matches!(parse_glb(b""), Err(AssetError::Parse(_))));
}

#[test]
fn truncated_glb_says_so() {
    let glb = loupe::jewelry::samples::sample_ring_glb();
    let err = parse_glb(&glb[..glb.len() / 2]).unwrap_err();
    assert!(err.to_string().contains("truncated"), "{err}");
}

#[test]
fn the_sample_ring_is_ring_sized() {
    let scene = parse_glb(
        &std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/models/sample-ring.glb"
        ))
        .unwrap(),
    )
    .unwrap();
    let size_mm = scene.bounds_m.size() * loupe::math::MM_PER_M;
    // US 7: 17.35 mm inner diameter, 1.6 mm thick band, so about 20.5 mm across the band.
    assert!((20.0..21.5).contains(&size_mm.x), "{size_mm}");
    assert!(
        size_mm.y > size_mm.x,
        "the stone sits above the band: {size_mm}"
    );
}

#[test]
fn texture_transforms_apply_to_every_slot() {
    // A 1×1 PNG is enough: the loader keeps images encoded.
    let png = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==";
    let tt = r#""extensions": {"KHR_texture_transform": {"offset": [0.5, 0.25], "rotation": 1.5, "scale": [2, 3], "texCoord": 1}}"#;
    let extra = format!(
        r#", "images": [{{"uri": "data:image/png;base64,{png}"}}], "textures": [{{"source": 0}}],
        "extensionsUsed": ["KHR_texture_transform"]"#
    );
    let doc = gltf(r#"[{"mesh": 0}]"#, "[0]", &extra).replace(
        r#""pbrMetallicRoughness": {"metallicFactor": 0.25}"#,
        &format!(
            r#""pbrMetallicRoughness": {{"metallicFactor": 0.25, "baseColorTexture": {{"index": 0, {tt}}}}},
               "normalTexture": {{"index": 0, "scale": 0.5, {tt}}}, "occlusionTexture": {{"index": 0, {tt}}}"#
        ),
    );
    let scene = parse_glb(doc.as_bytes()).unwrap();
    let m = &scene.materials[0];
    assert_eq!(m.normal_scale, 0.5);
    for t in [m.base_color_texture, m.normal_texture, m.occlusion_texture] {
        let t = t.expect("texture present");
        assert_eq!(t.tex_coord, 1, "texCoord override");
        assert_eq!(t.transform.offset, [0.5, 0.25]);
        assert_eq!(t.transform.rotation_rad, 1.5);
        assert_eq!(t.transform.scale, [2.0, 3.0]);
    }
    assert_eq!(scene.images.len(), 1);
    assert_eq!(
        scene.images[0].usage,
        loupe::asset::ImageUse::Color,
        "used as base colour"
    );
}

/// A loose stone GLB: `sides`-sided prism (mm), transmissive with index `ior`.
fn prism_stone_glb(sides: usize, ior: f32) -> Vec<u8> {
    use glam::DVec3;
    use loupe::jewelry::cut::polyhedron::{ConvexPolyhedron, HalfSpace};
    use loupe::jewelry::glb::{write_glb, GlbPart, PartMaterial};
    let mut planes: Vec<HalfSpace> = (0..sides)
        .map(|i| {
            let a = std::f64::consts::TAU * i as f64 / sides as f64;
            let n = DVec3::new(a.cos(), 0.0, a.sin());
            HalfSpace::through(n * 3.0, n)
        })
        .collect();
    planes.push(HalfSpace::through(DVec3::Y, DVec3::Y));
    planes.push(HalfSpace::through(-DVec3::Y, -DVec3::Y));
    let mesh = ConvexPolyhedron::from_half_spaces(&planes, 10.0).mesh();
    let material = PartMaterial {
        name: "stone".into(),
        transmission: Some(1.0),
        ior: Some(ior),
        metallic: 0.0,
        roughness: 0.0,
        ..Default::default()
    };
    write_glb(&[GlbPart::new("stone", mesh, material)])
}

#[test]
fn stones_the_gem_pass_cannot_trace_fall_back_with_a_warning() {
    let traced = parse_glb(&prism_stone_glb(16, 2.4)).unwrap();
    assert_eq!(traced.gems().count(), 1, "{:?}", traced.warnings);
    assert!(traced.warnings.is_empty(), "{:?}", traced.warnings);

    let many = parse_glb(&prism_stone_glb(200, 2.4)).unwrap();
    assert_eq!(many.gems().count(), 0);
    assert!(
        many.warnings
            .iter()
            .any(|w| w.contains("202 facets") && w.contains("single-refraction")),
        "{:?}",
        many.warnings
    );

    // Our writer keeps IOR valid (≥ 1), so write 1.0 and patch the JSON to a retailer's 0.8.
    let mut bytes = prism_stone_glb(16, 1.0);
    let at = bytes
        .windows(9)
        .position(|w| w == b"\"ior\":1.0")
        .expect("the IOR in the JSON chunk");
    bytes[at + 6..at + 9].copy_from_slice(b"0.8");
    let low_ior = parse_glb(&bytes).unwrap();
    assert_eq!(low_ior.gems().count(), 0);
    assert!(
        low_ior.warnings.iter().any(|w| w.contains("below 1")),
        "{:?}",
        low_ior.warnings
    );
}

#[test]
fn catalogue_pieces_say_what_they_are_and_the_finger_they_fit() {
    let models = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("models");
    let read = |name: &str| {
        loupe::asset::parse_glb(&std::fs::read(models.join(name)).unwrap())
            .unwrap()
            .piece
    };
    let ring = read("solitaire-us7-1ct.glb");
    assert_eq!(ring.kind.as_deref(), Some("ring"));
    let d = ring.inner_diameter_mm.unwrap();
    assert!((d - 17.32).abs() < 0.01, "{d}");
    assert_eq!(read("bangle-160mm.glb").kind.as_deref(), Some("bracelet"));
    // Extras are optional: a model without them says nothing.
    let bare = loupe::asset::PieceInfo::from_extras(&serde_json::json!({"other": 1}));
    assert_eq!(bare, loupe::asset::PieceInfo::default());
    let odd = loupe::asset::PieceInfo::from_extras(
        &serde_json::json!({"loupe": {"kind": "earring", "inner_diameter_mm": -3}}),
    );
    assert_eq!(odd.kind.as_deref(), Some("earrings"));
    assert_eq!(
        odd.inner_diameter_mm, None,
        "a negative diameter is ignored"
    );
}

#[test]
fn a_model_with_its_own_axes_is_turned_onto_loupes() {
    use glam::Vec3;
    let info = |axes: serde_json::Value| {
        loupe::asset::PieceInfo::from_extras(
            &serde_json::json!({"loupe": {"kind": "ring", "axes": axes}}),
        )
    };
    // A ring modelled lying down: the finger along +Y, the stone towards -Z.
    let lying = info(serde_json::json!({"z": "+Y", "y": "-Z"}));
    let q = lying.loupe_from_model.expect("a turn");
    assert!(
        (q * Vec3::Y).distance(Vec3::Z) < 1e-5,
        "the finger axis goes along +Z"
    );
    assert!(
        (q * -Vec3::Z).distance(Vec3::Y) < 1e-5,
        "the stone goes to +Y"
    );
    assert!(lying.warnings.is_empty());
    // The convention itself needs no turn.
    assert_eq!(
        info(serde_json::json!({"z": "+Z", "y": "+Y"})).loupe_from_model,
        None
    );
    // Nonsense is ignored with a warning.
    for bad in [
        serde_json::json!({"z": "+Y", "y": "-Y"}),
        serde_json::json!({"z": "up", "y": "+Y"}),
        serde_json::json!("+Z"),
    ] {
        let p = info(bad.clone());
        assert_eq!(p.loupe_from_model, None, "{bad}");
        assert_eq!(p.warnings.len(), 1, "{bad}: {:?}", p.warnings);
    }
}

#[test]
fn a_ring_touches_the_finger_along_its_band_not_its_head() {
    let models = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("models");
    let scene =
        loupe::asset::parse_glb(&std::fs::read(models.join("solitaire-us7-1ct.glb")).unwrap())
            .unwrap();
    let r = 0.5 * scene.piece.inner_diameter_mm.unwrap() / 1000.0;
    let (lo, hi) = scene.contact_span_m(r, None).unwrap();
    // The band is 2.0 mm wide; the 6.5 mm stone above it does not count.
    let width_mm = (hi - lo) * 1000.0;
    assert!((width_mm - 2.0).abs() < 0.3, "{width_mm} mm");
    assert!((lo + hi).abs() < 2e-4, "centred on the origin: {lo} {hi}");
    // Spun about its own axis it touches the same span.
    let spun = scene
        .contact_span_m(r, Some(glam::Quat::from_rotation_z(1.0)))
        .unwrap();
    assert!((spun.0 - lo).abs() < 1e-5 && (spun.1 - hi).abs() < 1e-5);
    assert!(
        scene.contact_span_m(0.001, None).is_none(),
        "nothing lies 1 mm from the axis"
    );
}
