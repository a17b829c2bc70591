//! Placeholder models, shipped until real catalogue models exist. Each is a plain GLB that any
//! glTF viewer opens, so renderer bugs can be told apart from model bugs.

use glam::{Mat4, Quat, Vec3};

use super::glb::{write_glb, Anisotropy, Clearcoat, GlbPart, PartMaterial, Specular};
use super::mesh::MeshData;
use super::shapes::{box_mesh, prong, ring_band, round_stone, stone_profile_mm, uv_sphere};
use crate::math::mm_to_m;

/// Platinum F0, linear sRGB (RTR4 Table 9.2).
pub const PLATINUM_F0: [f32; 3] = [0.673, 0.637, 0.585];
/// Gold F0, linear sRGB (RTR4 Table 9.2).
pub const GOLD_F0: [f32; 3] = [1.0, 0.782, 0.344];
/// Diamond refractive index at the sodium D line.
pub const DIAMOND_IOR: f32 = 2.4175;

/// US size 7 inner diameter, mm (11.63 + 0.8128 · 7, rounded as sizing tables do).
pub const US7_INNER_DIAMETER_MM: f32 = 17.35;
/// Solitaire band width, mm.
pub const BAND_WIDTH_MM: f32 = 2.0;
/// Solitaire band thickness, mm.
pub const BAND_THICKNESS_MM: f32 = 1.6;
/// A 1 ct round brilliant is about 6.5 mm across.
pub const STONE_DIAMETER_MM: f32 = 6.5;
/// Gap between the band's top and the culet, mm.
const CULET_CLEARANCE_MM: f32 = 0.5;

/// A polished or brushed metal: base colour = F0 (linear), metallic 1.
pub fn metal(name: &str, f0: [f32; 3], roughness: f32) -> PartMaterial {
    PartMaterial {
        name: name.into(),
        base_color_linear: [f0[0], f0[1], f0[2], 1.0],
        metallic: 1.0,
        roughness,
        emissive: [0.0; 3],
        ..Default::default()
    }
}

fn paint(name: &str, rgb: [f32; 3]) -> PartMaterial {
    PartMaterial {
        name: name.into(),
        base_color_linear: [rgb[0], rgb[1], rgb[2], 1.0],
        metallic: 0.0,
        roughness: 0.6,
        emissive: [0.0; 3],
        ..Default::default()
    }
}

fn part(name: &str, mesh: MeshData, material: PartMaterial, translation_m: Vec3) -> GlbPart {
    GlbPart {
        name: name.into(),
        mesh,
        material,
        translation_m: translation_m.to_array(),
        ..Default::default()
    }
}

/// Height of the stone's girdle centre above the finger axis, mm.
fn stone_girdle_y_mm() -> f32 {
    let band_top_mm = US7_INNER_DIAMETER_MM * 0.5 + BAND_THICKNESS_MM;
    let profile = stone_profile_mm(STONE_DIAMETER_MM);
    band_top_mm + CULET_CLEARANCE_MM - profile.culet_mm
}

/// Four prongs leaning out from the band's crown to just over the girdle, 90° apart, at 45° to
/// the axes so the view along the finger shows the stone between them.
fn prongs() -> MeshData {
    let band_top_mm = US7_INNER_DIAMETER_MM * 0.5 + BAND_THICKNESS_MM;
    let profile = stone_profile_mm(STONE_DIAMETER_MM);
    let girdle_y_mm = stone_girdle_y_mm();
    let radius_mm = 0.45;
    let mut all = MeshData::default();
    for (sx, sz) in [(1.0, 1.0), (-1.0, 1.0), (-1.0, -1.0), (1.0, -1.0)] {
        // Base sunk into the band, inside its 2 mm width; tip overlapping the girdle edge.
        let base_mm = Vec3::new(sx * 1.0, band_top_mm - 0.5, sz * 0.55);
        let tip_radius_mm = STONE_DIAMETER_MM * 0.5 + 0.15;
        let tip_mm = Vec3::new(
            sx * tip_radius_mm * std::f32::consts::FRAC_1_SQRT_2,
            girdle_y_mm + profile.girdle_top_mm + 0.35,
            sz * tip_radius_mm * std::f32::consts::FRAC_1_SQRT_2,
        );
        let along = tip_mm - base_mm;
        let wire = prong(radius_mm, along.length(), 12);
        let place = Mat4::from_translation(base_mm * mm_to_m(1.0))
            * Mat4::from_quat(Quat::from_rotation_arc(Vec3::Y, along.normalize()));
        all.append(&wire.transformed(&place));
    }
    all
}

/// A solitaire placeholder: a US 7 platinum comfort-fit band (17.35 mm inner diameter, 2.0 mm
/// wide, 1.6 mm thick; finger axis +Z), a 6.5 mm round diamond on top (+Y, table up) and four
/// platinum prongs. Three nodes (band, stone, prongs), two materials.
pub fn sample_ring_glb() -> Vec<u8> {
    let platinum = metal("platinum", PLATINUM_F0, 0.12);
    let diamond = PartMaterial {
        name: "diamond".into(),
        base_color_linear: [1.0; 4],
        metallic: 0.0,
        roughness: 0.02,
        emissive: [0.0; 3],
        transmission: Some(1.0),
        ior: Some(DIAMOND_IOR),
        ..Default::default()
    };
    write_glb(&[
        part(
            "band",
            ring_band(US7_INNER_DIAMETER_MM, BAND_WIDTH_MM, BAND_THICKNESS_MM, 128),
            platinum.clone(),
            Vec3::ZERO,
        ),
        part(
            "stone",
            round_stone(STONE_DIAMETER_MM, 16),
            diamond,
            Vec3::new(0.0, mm_to_m(stone_girdle_y_mm()), 0.0),
        ),
        part("prongs", prongs(), platinum, Vec3::ZERO),
    ])
}

/// Five 20 mm gold spheres in a row along X, 25 mm apart and centred on the origin, roughness
/// 0, 0.25, 0.5, 0.75, 1 from −X to +X: the standard roughness sweep.
pub fn metal_spheres_glb() -> Vec<u8> {
    spheres_by_roughness_glb("gold", GOLD_F0)
}

/// The same roughness sweep in a metal of reflectance `f0` (linear RGB), parts and materials
/// named `{name}_r0.25` and so on. With `f0` = 1 it is the white furnace's test piece.
pub fn spheres_by_roughness_glb(name: &str, f0: [f32; 3]) -> Vec<u8> {
    let sphere = uv_sphere(mm_to_m(10.0), 64, 32);
    let parts: Vec<GlbPart> = (0..5)
        .map(|i| {
            let roughness = i as f32 * 0.25;
            part(
                &format!("{name}_sphere_r{roughness:.2}"),
                sphere.clone(),
                metal(&format!("{name}_r{roughness:.2}"), f0, roughness),
                Vec3::new(mm_to_m(25.0 * (i as f32 - 2.0)), 0.0, 0.0),
            )
        })
        .collect();
    write_glb(&parts)
}

/// A clear 1 ct round brilliant diamond with its index of refraction and KHR_materials_dispersion
/// set to `ior` and `dispersion`: the stone for tests of what each extension does (a stone of
/// index 1 must vanish; dispersion must spread white light into colour).
pub fn clear_brilliant_glb(ior: f32, dispersion: f32) -> Vec<u8> {
    use super::cut::{Gem, Shape};
    let stone = Shape::RoundBrilliant
        .polyhedron_for_carat(1.0, Gem::Diamond.density_g_cm3())
        .expect("the default brilliant has a 1 ct size");
    let (min, max) = stone.bounds_mm();
    let material = PartMaterial {
        name: format!("clear_ior{ior}_dispersion{dispersion}"),
        ior: Some(ior),
        dispersion: Some(dispersion),
        ..Gem::Diamond.part_material(max.y - min.y)
    };
    write_glb(&[part("stone", stone.mesh(), material, Vec3::ZERO)])
}

/// Spacing of the spheres in [`material_layers_glb`] along X, mm.
pub const LAYER_SPHERE_SPACING_MM: f32 = 25.0;

/// The layered-material extensions side by side, each next to the same sphere without it, left to
/// right (20 mm spheres, [`LAYER_SPHERE_SPACING_MM`] apart, centred on the origin):
/// 0 polished silver at roughness 0.3; 1 the same brushed (KHR_materials_anisotropy 0.75, strokes
/// around +Y so the highlight stretches along the meridians); 2 satin red enamel (roughness 0.6);
/// 3 the same under a glossy clear coat (KHR_materials_clearcoat); 4 glossy red (roughness 0.15);
/// 5 the same with KHR_materials_specular's factor 0 (no reflection at all).
pub fn material_layers_glb() -> Vec<u8> {
    let sphere = uv_sphere(mm_to_m(10.0), 96, 48);
    let silver = metal("silver", [0.962, 0.949, 0.922], 0.3);
    let enamel = |name: &str, roughness: f32| PartMaterial {
        roughness,
        ..paint(name, [0.6, 0.04, 0.03])
    };
    let materials = [
        silver.clone(),
        PartMaterial {
            name: "silver-brushed".into(),
            anisotropy: Some(Anisotropy {
                strength: 0.75,
                rotation_rad: std::f32::consts::FRAC_PI_2,
                brush_axis: [0.0, 1.0, 0.0],
            }),
            ..silver
        },
        enamel("enamel-satin", 0.6),
        PartMaterial {
            clearcoat: Some(Clearcoat {
                factor: 1.0,
                roughness: 0.05,
            }),
            ..enamel("enamel-lacquered", 0.6)
        },
        enamel("enamel-glossy", 0.15),
        PartMaterial {
            specular: Some(Specular {
                factor: 0.0,
                color: [1.0; 3],
            }),
            ..enamel("enamel-no-specular", 0.15)
        },
    ];
    let parts: Vec<GlbPart> = materials
        .into_iter()
        .enumerate()
        .map(|(i, m)| {
            let x_mm = LAYER_SPHERE_SPACING_MM * (i as f32 - 2.5);
            part(
                &format!("sphere_{}", m.name),
                sphere.clone(),
                m,
                Vec3::new(mm_to_m(x_mm), 0.0, 0.0),
            )
        })
        .collect();
    write_glb(&parts)
}

/// An orientation test piece: a 10 mm white cube at the origin and 30 mm long, 6 mm thick red,
/// green and blue bars sticking out of it along +X, +Y and +Z. A render shows at once whether an
/// axis or the handedness is flipped.
pub fn orientation_glb() -> Vec<u8> {
    let bar_half = [15.0, 3.0, 3.0];
    let bar = |axis: usize| {
        // Long along `axis`, starting at the cube's face (5 mm) and ending at 35 mm.
        let mut half = [bar_half[1]; 3];
        half[axis] = bar_half[0];
        let mut centre = Vec3::ZERO;
        centre[axis] = mm_to_m(5.0 + bar_half[0]);
        (box_mesh(half.map(mm_to_m)), centre)
    };
    let (x_bar, x_at) = bar(0);
    let (y_bar, y_at) = bar(1);
    let (z_bar, z_at) = bar(2);
    write_glb(&[
        part(
            "cube",
            box_mesh([mm_to_m(5.0); 3]),
            paint("white", [0.9, 0.9, 0.9]),
            Vec3::ZERO,
        ),
        part("x_axis", x_bar, paint("red", [0.8, 0.03, 0.03]), x_at),
        part("y_axis", y_bar, paint("green", [0.03, 0.8, 0.03]), y_at),
        part("z_axis", z_bar, paint("blue", [0.03, 0.03, 0.8]), z_at),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jewelry::shapes::tests::{
        is_closed, max_outside_m, normals_are_unit, winds_outward,
    };

    /// Reads every mesh back as (node name, node translation, MeshData in the mesh's space).
    fn read_back(bytes: &[u8]) -> (gltf::Gltf, Vec<(String, Vec3, MeshData)>) {
        let gltf = gltf::Gltf::from_slice(bytes).expect("valid GLB");
        let blob = gltf.blob.clone().expect("BIN chunk");
        let mut parts = Vec::new();
        for node in gltf.document.nodes() {
            let Some(mesh) = node.mesh() else { continue };
            let prim = mesh.primitives().next().unwrap();
            let reader = prim.reader(|_| Some(&blob[..]));
            let data = MeshData {
                positions_m: reader.read_positions().unwrap().collect(),
                normals: reader.read_normals().unwrap().collect(),
                indices: reader.read_indices().unwrap().into_u32().collect(),
            };
            // Accessor bounds agree with the data.
            let bb = prim.bounding_box();
            let b = data.bounds();
            assert_eq!((Vec3::from(bb.min), Vec3::from(bb.max)), (b.min, b.max));
            let t = Vec3::from(node.transform().decomposed().0);
            parts.push((node.name().unwrap().to_owned(), t, data));
        }
        (gltf, parts)
    }

    #[test]
    fn ring_parts_have_true_dimensions() {
        let (gltf, parts) = read_back(&sample_ring_glb());
        assert_eq!(gltf.document.nodes().count(), 3);
        assert_eq!(gltf.document.meshes().count(), 3);
        assert_eq!(gltf.document.materials().count(), 2);
        let used: Vec<&str> = gltf.document.extensions_used().collect();
        assert!(
            used.contains(&"KHR_materials_transmission") && used.contains(&"KHR_materials_ior")
        );
        let platinum = gltf
            .document
            .materials()
            .find(|m| m.name() == Some("platinum"))
            .unwrap();
        let pbr = platinum.pbr_metallic_roughness();
        assert_eq!(pbr.base_color_factor(), [0.673, 0.637, 0.585, 1.0]);
        assert_eq!((pbr.metallic_factor(), pbr.roughness_factor()), (1.0, 0.12));

        let (_, _, band) = &parts[0];
        let band_b = band.bounds();
        let inner_min_mm = band
            .positions_m
            .iter()
            .map(|p| Vec3::from(*p).truncate().length())
            .fold(f32::INFINITY, f32::min)
            * 2000.0;
        assert!((inner_min_mm - 17.35).abs() < 0.05, "{inner_min_mm}");
        assert!((band_b.size().z * 1000.0 - 2.0).abs() < 1e-3);
        let band_top_mm = band_b.max.y * 1000.0;
        assert!((band_top_mm - (8.675 + 1.6)).abs() < 0.01, "{band_top_mm}");

        let (_, stone_t, stone) = &parts[1];
        assert!(is_closed(stone));
        assert!(max_outside_m(stone) < 1e-6);
        assert!(normals_are_unit(stone));
        assert!(winds_outward(stone, Vec3::ZERO));
        let sb = stone.bounds();
        assert!((sb.size().x * 1000.0 - 6.5).abs() < 0.01);
        let culet_mm = (stone_t.y + sb.min.y) * 1000.0;
        let table_mm = (stone_t.y + sb.max.y) * 1000.0;
        assert!(
            culet_mm > band_top_mm,
            "stone clears the band: {culet_mm} vs {band_top_mm}"
        );
        assert!(
            table_mm > band_top_mm + 3.5 && table_mm < band_top_mm + 6.0,
            "{table_mm}"
        );

        let (_, _, prongs) = &parts[2];
        let pb = prongs.bounds();
        assert!(normals_are_unit(prongs));
        assert!(
            pb.min.y * 1000.0 < band_top_mm,
            "prongs are anchored in the band"
        );
        assert!(pb.max.y > stone_t.y, "prongs reach past the girdle");
        assert!(pb.max.y * 1000.0 < table_mm, "prongs stay below the table");
    }

    #[test]
    fn spheres_are_in_a_row_with_a_roughness_sweep() {
        let (gltf, parts) = read_back(&metal_spheres_glb());
        assert_eq!(parts.len(), 5);
        assert_eq!(gltf.document.meshes().count(), 5);
        assert_eq!(gltf.document.materials().count(), 5);
        for (i, (_, t, mesh)) in parts.iter().enumerate() {
            assert!((t.x * 1000.0 - (25.0 * i as f32 - 50.0)).abs() < 1e-3);
            assert!(
                (mesh.bounds().size() * 1000.0 - Vec3::splat(20.0))
                    .abs()
                    .max_element()
                    < 1e-3
            );
            assert!(is_closed(mesh) && normals_are_unit(mesh) && winds_outward(mesh, Vec3::ZERO));
        }
        let roughness: Vec<f32> = gltf
            .document
            .materials()
            .map(|m| m.pbr_metallic_roughness().roughness_factor())
            .collect();
        assert_eq!(roughness, vec![0.0, 0.25, 0.5, 0.75, 1.0]);
        let gold = gltf.document.materials().next().unwrap();
        assert_eq!(
            gold.pbr_metallic_roughness().base_color_factor(),
            [1.0, 0.782, 0.344, 1.0]
        );
    }

    #[test]
    fn orientation_bars_point_along_their_axes() {
        let (gltf, parts) = read_back(&orientation_glb());
        assert_eq!(gltf.document.nodes().count(), 4);
        assert_eq!(gltf.document.materials().count(), 4);
        let cube = &parts[0].2;
        assert!(
            (cube.bounds().size() * 1000.0 - Vec3::splat(10.0))
                .abs()
                .max_element()
                < 1e-3
        );
        let colours: Vec<[f32; 4]> = gltf
            .document
            .materials()
            .map(|m| m.pbr_metallic_roughness().base_color_factor())
            .collect();
        for (axis, (name, t, mesh)) in parts[1..].iter().enumerate() {
            let b = mesh.bounds();
            let world_max = (t + b.max) * 1000.0;
            let world_min = (t + b.min) * 1000.0;
            assert!((world_max[axis] - 35.0).abs() < 1e-3, "{name}");
            assert!((world_min[axis] - 5.0).abs() < 1e-3, "{name}");
            let other = (axis + 1) % 3;
            assert!((b.size()[other] * 1000.0 - 6.0).abs() < 1e-3);
            // Red, green, blue in axis order: the dominant channel matches the axis.
            let c = colours[axis + 1];
            assert!(c[axis] > 0.5 && c[(axis + 1) % 3] < 0.1);
            assert!(winds_outward(mesh, Vec3::ZERO));
        }
    }
}
