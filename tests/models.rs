//! The shipped catalogue: `models/` is exactly what `loupe assets` generates, and every model
//! reads back through the loader with its stones recognised as gems.

#![cfg(not(target_arch = "wasm32"))]

use std::path::Path;

use loupe::cli::assets::asset_files;

fn models_dir() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/models"))
}

#[test]
fn models_folder_is_regenerated_byte_for_byte() {
    let first = asset_files().unwrap();
    let second = asset_files().unwrap();
    assert_eq!(first, second, "generation is deterministic");
    for (name, bytes) in &first {
        let on_disk = std::fs::read(models_dir().join(name))
            .unwrap_or_else(|e| panic!("models/{name}: {e}; run ./x assets"));
        assert!(
            on_disk == *bytes,
            "models/{name} differs from what `loupe assets` generates; run ./x assets and commit"
        );
    }
    let glbs = std::fs::read_dir(models_dir())
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .path()
                .extension()
                .is_some_and(|x| x == "glb")
        })
        .count();
    assert!(glbs >= 11, "the catalogue has at least 10 pieces: {glbs}");
}

/// `[nx, ny, nz, d]` rows from a stone's `extras.loupe.facet_planes_m`.
fn extras_planes(doc: &serde_json::Value, mesh: usize) -> Vec<[f64; 4]> {
    doc["meshes"][mesh]["extras"]["loupe"]["facet_planes_m"]
        .as_array()
        .map(|rows| {
            rows.iter()
                .map(|r| {
                    let v: Vec<f64> = r
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|x| x.as_f64().unwrap())
                        .collect();
                    [v[0], v[1], v[2], v[3]]
                })
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn every_catalogue_stone_reads_back_as_a_gem_with_its_facet_planes() {
    let mut stones = 0;
    for (name, bytes) in asset_files().unwrap() {
        if !name.ends_with(".glb") || name == "sample-ring.glb" {
            continue;
        }
        let scene = loupe::asset::parse_glb(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(scene.warnings.is_empty(), "{name}: {:?}", scene.warnings);
        let doc: serde_json::Value =
            serde_json::from_slice(&gltf::Glb::from_slice(&bytes).unwrap().json).unwrap();
        let kind = doc["scenes"][0]["extras"]["loupe"]["kind"]
            .as_str()
            .unwrap();
        assert!(
            ["ring", "earrings", "pendant", "bracelet"].contains(&kind),
            "{name}: {kind}"
        );
        let declared = doc["scenes"][0]["extras"]["loupe"]["stones"]
            .as_u64()
            .unwrap() as usize;
        let gems: Vec<usize> = scene.gems().collect();
        assert_eq!(gems.len(), declared, "{name}: gems recognised");
        stones += gems.len();
        // Each recovered stone matches exactly one stone's declared planes.
        let mut declared: Vec<Vec<[f64; 4]>> = (0..doc["meshes"].as_array().unwrap().len())
            .map(|m| extras_planes(&doc, m))
            .filter(|p| !p.is_empty())
            .collect();
        assert_eq!(declared.len(), gems.len(), "{name}: stones with extras");
        for &g in &gems {
            let draw = &scene.draws[g];
            let material = &scene.materials[draw.material.unwrap()];
            assert!(
                material.ior > 1.5 && material.dispersion > 0.0,
                "{name}: {material:?}"
            );
            let recovered = scene.meshes[draw.mesh].facets.as_ref().unwrap();
            // Draws carry their node transform; our stones sit at the node origin.
            assert_eq!(draw.world_from_mesh, glam::Mat4::IDENTITY);
            let same = |planes: &Vec<[f64; 4]>| {
                planes.len() == recovered.len()
                    && planes.iter().all(|d| {
                        recovered.iter().any(|r| {
                            let n = r.normal;
                            let dot = n[0] as f64 * d[0] + n[1] as f64 * d[1] + n[2] as f64 * d[2];
                            dot > 1.0 - 1e-5 && (r.offset_m as f64 - d[3]).abs() < 2e-7
                        })
                    })
            };
            let found = declared.iter().position(same);
            assert!(
                found.is_some(),
                "{name}: a stone's facets do not match any declared stone"
            );
            declared.remove(found.unwrap());
        }
    }
    assert!(stones >= 50, "the catalogue's stones: {stones}");
}

#[test]
fn variants_read_back_with_their_materials() {
    let bytes = std::fs::read(models_dir().join("solitaire-us7-1ct.glb")).unwrap();
    let scene = loupe::asset::parse_glb(&bytes).unwrap();
    assert_eq!(scene.variants, ["platinum", "yellow-gold"]);
    let name = |i: Option<usize>| i.and_then(|i| scene.materials[i].name.clone());
    let gem_draws: Vec<usize> = scene.gems().collect();
    for (i, d) in scene.draws.iter().enumerate() {
        assert_eq!(d.variant_materials.len(), 2);
        if gem_draws.contains(&i) {
            // The stone is diamond in both looks.
            assert_eq!(name(d.variant_materials[1]).as_deref(), Some("diamond"));
        } else {
            assert_eq!(name(d.material).as_deref(), Some("platinum"));
            assert_eq!(name(d.variant_materials[0]).as_deref(), Some("platinum"));
            assert_eq!(name(d.variant_materials[1]).as_deref(), Some("yellow-gold"));
        }
    }
    // A file without variants has none, and no per-draw mappings.
    let plain = loupe::asset::parse_glb(&loupe::jewelry::sample_ring_glb()).unwrap();
    assert!(plain.variants.is_empty());
    assert!(plain.draws.iter().all(|d| d.variant_materials.is_empty()));
}
