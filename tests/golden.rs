//! Golden images: `loupe render`'s code path on Mesa's software Vulkan (lavapipe), compared with
//! stored PNGs in tests/golden/. On a mismatch the actual and difference images are written to
//! target/golden/. `LOUPE_UPDATE_GOLDEN=1 cargo test --test golden` rewrites the stored images
//! (look at every one before committing it).
//!
//! Tolerance: lavapipe is bit-exact run to run on one Mesa version, but LLVM code generation and
//! rasterisation rounding differ between Mesa releases. A pixel counts as different when a channel
//! differs by more than 12/255, and at most 0.5 % of pixels may differ, with a mean absolute
//! difference under 1.5/255. A flipped axis, a wrong material or a missing part changes far more.
//! Each image also has semantic checks that do not depend on the stored file.
#![cfg(not(target_arch = "wasm32"))]

use loupe::cli::images::Rgba8;
use loupe::cli::render::{render_image, RenderSpec};
use std::path::{Path, PathBuf};

const CHANNEL_TOLERANCE: u8 = 12;
const MAX_DIFFERENT_FRACTION: f64 = 0.005;
const MAX_MEAN_ABS_DIFF: f64 = 1.5;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn write_input(name: &str, bytes: &[u8]) -> PathBuf {
    let dir = root().join("target/golden/input");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

/// The `loupe render` arguments a test passes, as the command would parse them.
fn spec(model: &Path, args: &[&str]) -> RenderSpec {
    let mut argv = vec![
        model.display().to_string(),
        "--out".to_string(),
        "unused.png".to_string(),
    ];
    argv.extend(args.iter().map(|s| s.to_string()));
    RenderSpec::from_args(&argv).expect("valid arguments")
}

fn render(model: &Path, args: &[&str]) -> Rgba8 {
    render_image(&spec(model, args), &mut Vec::new())
        .unwrap_or_else(|e| panic!("render failed (is mesa-vulkan-drivers installed?): {e}"))
}

fn save(path: &Path, img: &Rgba8) {
    // Catalogue goldens sit in a subfolder, and so do their failure pictures.
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    loupe::cli::render::save_png(path, img).unwrap();
}

fn compare_with_golden(name: &str, actual: &Rgba8) {
    let golden = root().join("tests/golden").join(format!("{name}.png"));
    if std::env::var_os("LOUPE_UPDATE_GOLDEN").is_some() {
        save(&golden, actual);
        return;
    }
    let expected = image::open(&golden)
        .unwrap_or_else(|e| {
            panic!(
                "{}: {e}; render it with LOUPE_UPDATE_GOLDEN=1 and look at it",
                golden.display()
            )
        })
        .to_rgba8();
    assert_eq!(
        (expected.width(), expected.height()),
        (actual.width, actual.height),
        "{name}: size"
    );
    let mut diff = vec![0u8; actual.pixels.len()];
    let mut different = 0usize;
    let mut abs_sum = 0u64;
    for (i, (a, e)) in actual
        .pixels
        .chunks_exact(4)
        .zip(expected.as_raw().chunks_exact(4))
        .enumerate()
    {
        let d = (0..4).map(|c| a[c].abs_diff(e[c])).max().unwrap();
        abs_sum += (0..4).map(|c| a[c].abs_diff(e[c]) as u64).sum::<u64>();
        if d > CHANNEL_TOLERANCE {
            different += 1;
        }
        let v = (d as u32 * 8).min(255) as u8;
        diff[i * 4..i * 4 + 4].copy_from_slice(&[v, v, v, 255]);
    }
    let pixels = (actual.width * actual.height) as f64;
    let fraction = different as f64 / pixels;
    let mean = abs_sum as f64 / (pixels * 4.0);
    if fraction > MAX_DIFFERENT_FRACTION || mean > MAX_MEAN_ABS_DIFF {
        let out = root().join("target/golden");
        std::fs::create_dir_all(&out).unwrap();
        save(&out.join(format!("{name}.actual.png")), actual);
        save(
            &out.join(format!("{name}.diff.png")),
            &Rgba8 {
                width: actual.width,
                height: actual.height,
                pixels: diff,
            },
        );
        panic!(
            "{name}: {:.3}% of pixels differ (limit {:.1}%), mean |Δ| {mean:.2} (limit {MAX_MEAN_ABS_DIFF}); see target/golden/{name}.actual.png and .diff.png",
            fraction * 100.0,
            MAX_DIFFERENT_FRACTION * 100.0
        );
    }
}

fn px(img: &Rgba8, x: f32, y: f32) -> [u8; 4] {
    let xi = ((x * img.width as f32) as u32).min(img.width - 1);
    let yi = ((y * img.height as f32) as u32).min(img.height - 1);
    let i = ((yi * img.width + xi) * 4) as usize;
    img.pixels[i..i + 4].try_into().unwrap()
}

#[test]
fn sample_ring() {
    let img = render(
        &root().join("models/sample-ring.glb"),
        &["--size", "320x320"],
    );
    assert_framed(&img, "sample ring", 0.05..0.8);
    compare_with_golden("sample-ring", &img);
}

/// A transparent background keeps alpha: the corners are empty and the jewel, opaque, covers a
/// share of the frame within `coverage`.
fn assert_framed(img: &Rgba8, what: &str, coverage: std::ops::Range<f64>) {
    for (x, y) in [(0.0, 0.0), (0.99, 0.0), (0.0, 0.99), (0.99, 0.99)] {
        assert_eq!(
            px(img, x, y)[3],
            0,
            "{what}: corner ({x},{y}) should be transparent"
        );
    }
    let opaque = img.pixels.chunks_exact(4).filter(|p| p[3] == 255).count();
    let fraction = opaque as f64 / (img.width * img.height) as f64;
    assert!(
        coverage.contains(&fraction),
        "{what}: covers {fraction:.3} of the frame, outside {coverage:?}"
    );
}

/// One golden image per catalogue piece, default variant, from the same three-quarter view.
#[test]
fn catalogue_pieces() {
    let mut pieces: Vec<PathBuf> = std::fs::read_dir(root().join("models"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "glb"))
        .filter(|p| !p.ends_with("sample-ring.glb"))
        .collect();
    pieces.sort();
    assert!(pieces.len() >= 10, "catalogue: {pieces:?}");
    for model in &pieces {
        let name = model.file_stem().unwrap().to_str().unwrap();
        // The pendant hangs on a 457 mm chain: look at the pendant, not the whole chain.
        let view: &[&str] = if name.starts_with("pendant") {
            &[
                "--camera-orbit",
                "20deg 75deg 0.045m",
                "--camera-target",
                "0 -0.006 0",
            ]
        } else {
            &["--camera-orbit", "30deg 65deg auto"]
        };
        let mut args = vec!["--size", "256x256"];
        args.extend_from_slice(view);
        let img = render(model, &args);
        assert_framed(&img, name, 0.01..0.6);
        compare_with_golden(&format!("catalogue/{name}"), &img);
    }
    // One brushed variant (KHR_materials_anisotropy across the lathe strokes).
    let band = root().join("models/band-flat-us7.glb");
    let brushed = render(
        &band,
        &[
            "--size",
            "256x256",
            "--camera-orbit",
            "30deg 65deg auto",
            "--variant",
            "platinum-brushed",
        ],
    );
    assert_framed(&brushed, "brushed band", 0.01..0.6);
    compare_with_golden("catalogue/band-flat-us7-platinum-brushed", &brushed);
}

/// The sparkle bloom only adds light, only around stones, and only a little.
#[test]
fn sparkle_bloom_glows_around_stones_only() {
    let solitaire = root().join("models/solitaire-us7-1ct.glb");
    let args = |sparkle: &'static str| {
        vec![
            "--size",
            "256x256",
            "--camera-orbit",
            "30deg 65deg auto",
            "--background",
            "skybox",
            "--sparkle",
            sparkle,
        ]
    };
    let (plain, glowing) = (
        render(&solitaire, &args("0")),
        render(&solitaire, &args("0.6")),
    );
    // The stone's box on screen, from its mesh (the one draw with facet planes).
    let scene = loupe::cli::render::load_scene(&solitaire).unwrap();
    let stone = scene
        .draws
        .iter()
        .find(|d| scene.meshes[d.mesh].facets.is_some())
        .expect("the solitaire has a traced stone");
    let clip_from_world = clip_from_world(&solitaire, &args("0"));
    let (mut x0, mut y0, mut x1, mut y1) = (f32::MAX, f32::MAX, f32::MIN, f32::MIN);
    for v in &scene.meshes[stone.mesh].vertices {
        let world = stone
            .world_from_mesh
            .transform_point3(glam::Vec3::from(v.position_m));
        let (x, y) = project(&clip_from_world, world);
        let (x, y) = (x * plain.width as f32, y * plain.height as f32);
        (x0, y0, x1, y1) = (x0.min(x), y0.min(y), x1.max(x), y1.max(y));
    }
    let (mut brighter, mut darker, mut far, mut max_gain, mut sum_gain) = (0, 0, 0, 0u8, 0u64);
    // Glow reaches about 4 blur taps of 2 px beyond a glint: allow 12 px.
    let reach = 12.0;
    for (i, (a, b)) in plain
        .pixels
        .chunks_exact(4)
        .zip(glowing.pixels.chunks_exact(4))
        .enumerate()
    {
        let (x, y) = (
            (i as u32 % plain.width) as f32,
            (i as u32 / plain.width) as f32,
        );
        let gain = (0..3).map(|c| b[c].saturating_sub(a[c])).max().unwrap();
        if (0..4).any(|c| b[c] < a[c]) {
            darker += 1;
        }
        if gain > 0 {
            brighter += 1;
            max_gain = max_gain.max(gain);
            sum_gain += gain as u64;
            if x < x0 - reach || x > x1 + reach || y < y0 - reach || y > y1 + reach {
                far += 1;
            }
        }
    }
    let stone_px = ((x1 - x0) * (y1 - y0)) as f64;
    let report = format!(
        "stone box {x0:.0}..{x1:.0} × {y0:.0}..{y1:.0}; {brighter} px brighter (max +{max_gain}, \
         {far} beyond reach), {darker} darker, mean gain over the box {:.1}",
        sum_gain as f64 / stone_px
    );
    eprintln!("{report}");
    assert_eq!(darker, 0, "the bloom only adds light: {report}");
    assert_eq!(far, 0, "only stones glow: {report}");
    assert!(
        brighter as f64 > 0.2 * stone_px && max_gain >= 10,
        "the brightest glints should glow: {report}"
    );
    assert!(
        (sum_gain as f64 / stone_px) < 12.0,
        "a restrained glow, not a haze: {report}"
    );

    // Bright polished metal alone never glows.
    let band = root().join("models/band-flat-us7.glb");
    assert!(
        render(&band, &args("0")).pixels == render(&band, &args("1")).pixels,
        "metal highlights must not bloom"
    );
}

/// The README's side-by-side: the catalogue solitaire's stone with the single refraction glTF
/// viewers use (left) and traced by the gem pass (right), same view and light.
#[test]
fn gem_comparison_single_refraction_vs_traced() {
    let model = root().join("models/solitaire-us7-1ct.glb");
    let view = [
        "--size",
        "200x200",
        "--camera-orbit",
        "10deg 35deg 0.016m",
        "--camera-target",
        "0 0.012 0",
        "--background",
        "#202020",
    ];
    let half = |gems: &str| {
        let mut args = view.to_vec();
        // The trace alone: the sparkle bloom has its own test.
        args.extend(["--gems", gems, "--sparkle", "0"]);
        render(&model, &args)
    };
    let (single, traced) = (half("single"), half("traced"));
    // The stone fills the middle of the view: compare its mean brightness.
    let stone_luma = |img: &Rgba8| {
        let mut sum = 0.0;
        let mut n = 0.0;
        for y in 80..120 {
            for x in 80..120 {
                let p = px(img, x as f32 / 200.0, y as f32 / 200.0);
                sum += (p[0] as f64 + p[1] as f64 + p[2] as f64) / 3.0;
                n += 1.0;
            }
        }
        sum / n
    };
    let (dark, bright) = (stone_luma(&single), stone_luma(&traced));
    assert!(
        bright > 1.5 * dark && bright > 120.0,
        "a traced diamond returns most light to the eye: {bright:.0} traced vs {dark:.0} single"
    );
    let mut pixels = Vec::with_capacity(400 * 200 * 4);
    for y in 0..200 {
        let row = |img: &Rgba8| img.pixels[y * 800..(y + 1) * 800].to_vec();
        pixels.extend(row(&single));
        pixels.extend(row(&traced));
    }
    let side_by_side = Rgba8 {
        width: 400,
        height: 200,
        pixels,
    };
    compare_with_golden("gem-comparison", &side_by_side);
}

/// The clip-from-world matrix `loupe render` uses for these arguments.
fn clip_from_world(model: &Path, args: &[&str]) -> glam::Mat4 {
    let scene = loupe::cli::render::load_scene(model).unwrap();
    let cam = loupe::cli::render::orbit_camera(&spec(model, args), &scene.bounds_m);
    cam.clip_from_view * cam.view_from_world
}

/// Where a world point lands in the picture, as fractions of width and height.
fn project(clip_from_world: &glam::Mat4, world_m: glam::Vec3) -> (f32, f32) {
    let ndc = clip_from_world.project_point3(world_m);
    (ndc.x * 0.5 + 0.5, 0.5 - ndc.y * 0.5)
}

#[test]
fn metal_spheres_by_roughness() {
    let model = write_input(
        "metal-spheres.glb",
        &loupe::jewelry::samples::metal_spheres_glb(),
    );
    let args = [
        "--size",
        "640x200",
        "--fov",
        "20",
        "--camera-orbit",
        "0deg 90deg 0.13m",
        "--camera-target",
        "0 0 0",
        "--background",
        "skybox",
    ];
    let img = render(&model, &args);
    let clip_from_world = clip_from_world(&model, &args);
    // Five 20 mm spheres, 25 mm apart along X, roughness rising left to right. Measure luminance
    // contrast inside each disc: a mirror reflects the studio's small lights, roughness 1 blurs
    // them away.
    let contrast: Vec<f64> = (0..5)
        .map(|i| {
            let centre = glam::Vec3::new((i as f32 - 2.0) * 0.025, 0.0, 0.0);
            let (cx, cy) = project(&clip_from_world, centre);
            let (ex, _) = project(&clip_from_world, centre + glam::Vec3::new(0.006, 0.0, 0.0));
            let r = ex - cx;
            let aspect = img.width as f32 / img.height as f32;
            let mut lum = Vec::new();
            for dy in -5..=5 {
                for dx in -5..=5 {
                    let p = px(
                        &img,
                        cx + dx as f32 * r / 5.0,
                        cy + dy as f32 * r * aspect / 5.0,
                    );
                    lum.push(0.2126 * p[0] as f64 + 0.7152 * p[1] as f64 + 0.0722 * p[2] as f64);
                }
            }
            let mean = lum.iter().sum::<f64>() / lum.len() as f64;
            (lum.iter().map(|l| (l - mean).powi(2)).sum::<f64>() / lum.len() as f64).sqrt()
        })
        .collect();
    assert!(
        contrast[0] > contrast[4] * 1.5,
        "polished should show more detail than rough: {contrast:?}"
    );
    compare_with_golden("metal-spheres", &img);
}

/// Luminance (display values, Rec. 709 weights) of the pixels inside a projected sphere, with
/// their offsets from its centre in pixels.
fn disc_pixels(
    img: &Rgba8,
    clip_from_world: &glam::Mat4,
    centre: glam::Vec3,
    radius_m: f32,
) -> Vec<(f64, f64, f64)> {
    let (cx, cy) = project(clip_from_world, centre);
    let (ex, _) = project(
        clip_from_world,
        centre + glam::Vec3::new(radius_m, 0.0, 0.0),
    );
    let r_px = ((ex - cx) * img.width as f32) as f64 * 0.9;
    let (cx_px, cy_px) = (
        (cx * img.width as f32) as f64,
        (cy * img.height as f32) as f64,
    );
    let mut out = Vec::new();
    for y in (cy_px - r_px) as i64..=(cy_px + r_px) as i64 {
        for x in (cx_px - r_px) as i64..=(cx_px + r_px) as i64 {
            let (dx, dy) = (x as f64 - cx_px, y as f64 - cy_px);
            if dx * dx + dy * dy > r_px * r_px || x < 0 || y < 0 {
                continue;
            }
            let i = (y as usize * img.width as usize + x as usize) * 4;
            let p = &img.pixels[i..i + 3];
            let lum = 0.2126 * p[0] as f64 + 0.7152 * p[1] as f64 + 0.0722 * p[2] as f64;
            out.push((dx, dy, lum));
        }
    }
    out
}

fn std_dev(values: impl Iterator<Item = f64> + Clone) -> f64 {
    let n = values.clone().count() as f64;
    let mean = values.clone().sum::<f64>() / n;
    (values.map(|v| (v - mean).powi(2)).sum::<f64>() / n).sqrt()
}

/// How much taller than wide the bright part of a disc is: the ratio of the vertical to the
/// horizontal spread of the light above the disc's 80th-percentile luminance.
fn highlight_elongation(disc: &[(f64, f64, f64)]) -> f64 {
    let mut lums: Vec<f64> = disc.iter().map(|p| p.2).collect();
    lums.sort_by(f64::total_cmp);
    let floor = lums[lums.len() * 8 / 10];
    let weighted: Vec<(f64, f64, f64)> = disc
        .iter()
        .map(|&(x, y, l)| (x, y, (l - floor).max(0.0)))
        .collect();
    let total: f64 = weighted.iter().map(|p| p.2).sum();
    let (mx, my) = weighted.iter().fold((0.0, 0.0), |(ax, ay), p| {
        (ax + p.0 * p.2 / total, ay + p.1 * p.2 / total)
    });
    let (vx, vy) = weighted.iter().fold((0.0, 0.0), |(ax, ay), p| {
        (
            ax + (p.0 - mx).powi(2) * p.2 / total,
            ay + (p.1 - my).powi(2) * p.2 / total,
        )
    });
    (vy / vx).sqrt()
}

/// KHR_materials_anisotropy, _clearcoat and _specular, each beside the same sphere without it.
#[test]
fn material_layers() {
    use loupe::jewelry::samples::{material_layers_glb, LAYER_SPHERE_SPACING_MM};
    let model = write_input("material-layers.glb", &material_layers_glb());
    let args = [
        "--size",
        "1000x260",
        "--fov",
        "10",
        "--camera-orbit",
        "0deg 90deg 0.24m",
        "--camera-target",
        "0 0 0",
        "--background",
        "skybox",
    ];
    let img = render(&model, &args);
    let clip_from_world = clip_from_world(&model, &args);
    let discs: Vec<Vec<(f64, f64, f64)>> = (0..6)
        .map(|i| {
            let x_m = LAYER_SPHERE_SPACING_MM * (i as f32 - 2.5) / 1000.0;
            disc_pixels(
                &img,
                &clip_from_world,
                glam::Vec3::new(x_m, 0.0, 0.0),
                0.010,
            )
        })
        .collect();
    let contrast: Vec<f64> = discs
        .iter()
        .map(|d| std_dev(d.iter().map(|p| p.2)))
        .collect();
    let mean: Vec<f64> = discs
        .iter()
        .map(|d| d.iter().map(|p| p.2).sum::<f64>() / d.len() as f64)
        .collect();
    let elongation: Vec<f64> = discs.iter().map(|d| highlight_elongation(d)).collect();
    let brightest: Vec<f64> = discs
        .iter()
        .map(|d| {
            let mut l: Vec<f64> = d.iter().map(|p| p.2).collect();
            l.sort_by(f64::total_cmp);
            l[l.len() * 99 / 100]
        })
        .collect();
    let report = format!(
        "contrast {contrast:.1?}, mean {mean:.1?}, elongation {elongation:.2?}, 99th percentile {brightest:.1?}"
    );
    // Brushed: the studio's lights are drawn out along the meridians, across the strokes
    // (measured 3.0 against 0.75 polished).
    assert!(
        elongation[1] > 2.0 && elongation[1] > 2.5 * elongation[0],
        "brushed highlight should be tall and thin: {report}"
    );
    // Clear coat: sharp reflections over the satin base (brightest 210 against 169).
    assert!(
        brightest[3] > brightest[2] + 25.0 && contrast[3] > 1.15 * contrast[2],
        "lacquer should add sharp reflections: {report}"
    );
    // Specular factor 0: no reflection left, only the diffuse red (brightest 146 against 200).
    assert!(
        brightest[5] < brightest[4] - 30.0 && contrast[5] < 0.8 * contrast[4],
        "specular 0 should remove the reflections: {report}"
    );
    compare_with_golden("material-layers", &img);
}

#[test]
fn orientation_axes() {
    let model = write_input(
        "orientation.glb",
        &loupe::jewelry::samples::orientation_glb(),
    );
    // Looking from +Z at the origin (model-viewer's θ=0, φ=90°): +X right, +Y up, +Z towards us.
    let img = render(
        &model,
        &[
            "--size",
            "256x256",
            "--camera-orbit",
            "0deg 90deg 0.12m",
            "--camera-target",
            "0 0 0",
            "--background",
            "#000000",
        ],
    );
    let dominant = |p: [u8; 4]| -> usize { (0..3).max_by_key(|&c| p[c]).unwrap() };
    let lit = |p: [u8; 4]| p[0] as u32 + p[1] as u32 + p[2] as u32 > 60;
    let right = px(&img, 0.70, 0.5);
    let up = px(&img, 0.5, 0.30);
    let centre = px(&img, 0.5, 0.5);
    assert!(
        lit(right) && dominant(right) == 0,
        "+X (red) should be right of centre: {right:?}"
    );
    assert!(
        lit(up) && dominant(up) == 1,
        "+Y (green) should be above centre: {up:?}"
    );
    assert!(
        lit(centre) && dominant(centre) == 2,
        "+Z (blue) should point at the viewer: {centre:?}"
    );
    assert!(
        !lit(px(&img, 0.30, 0.5)),
        "nothing should be left of centre"
    );
    assert!(!lit(px(&img, 0.5, 0.70)), "nothing should be below centre");
    compare_with_golden("orientation", &img);
}

#[test]
fn bad_models_give_errors_not_panics() {
    let truncated = write_input(
        "truncated.glb",
        &loupe::jewelry::samples::sample_ring_glb()[..200],
    );
    let garbage = write_input("garbage.glb", b"this is not a model");
    for model in [
        truncated,
        garbage,
        root().join("target/golden/input/does-not-exist.glb"),
    ] {
        let spec = spec(&model, &[]);
        let err = render_image(&spec, &mut Vec::new()).expect_err("bad model must fail");
        assert!(
            err.to_string()
                .contains(model.file_name().unwrap().to_str().unwrap()),
            "{err}"
        );
    }
}
