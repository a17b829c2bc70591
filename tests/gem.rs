//! The gem pass on Mesa's software Vulkan, judged by physics and by the CPU reference tracer:
//! a white furnace (a clear stone in a uniform environment must vanish into it) and the same
//! stones traced spectrally on the CPU, with the error falling as bounces rise.
#![cfg(not(target_arch = "wasm32"))]

use glam::{DVec3, Mat4};
use loupe::cli::render::{load_environment, prepare, Prepared, RenderSpec};
use loupe::optics::flip;
use loupe::optics::reference::{
    self, EnvironmentLookup, PixelRays, ReferenceImage, ReferenceSettings, Spectrum,
};
use loupe::optics::stone::Stone;
use loupe::render::{CameraMatrices, GemQuality};
use std::path::{Path, PathBuf};
use std::process::Command;

const SIZE: u32 = 96;

fn out_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/gem");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A loose stone from `loupe model stone`, the command a designer uses.
fn stone_glb(cut: &str, gem: &str) -> PathBuf {
    let path = out_dir().join(format!("{cut}-{gem}.glb"));
    let status = Command::new(env!("CARGO_BIN_EXE_loupe"))
        .args([
            "model", "stone", "--cut", cut, "--carat", "1", "--gem", gem, "--out",
        ])
        .arg(&path)
        .output()
        .unwrap();
    assert!(
        status.status.success(),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
    path
}

fn spec(model: &Path, env: Option<&Path>) -> RenderSpec {
    let mut argv: Vec<String> = [
        model.to_str().unwrap(),
        "--out",
        "unused.png",
        "--size",
        &format!("{SIZE}x{SIZE}"),
        "--camera-orbit",
        "20deg 40deg auto",
        "--background",
        "skybox",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    if let Some(env) = env {
        argv.extend(["--env".to_string(), env.display().to_string()]);
    }
    RenderSpec::from_args(&argv).unwrap()
}

struct Gpu {
    rgba: Vec<u8>,
    camera: CameraMatrices,
}

fn render_gpu(spec: &RenderSpec, quality: GemQuality) -> Gpu {
    let env = load_environment(spec.env.as_deref()).unwrap();
    let mut prepared = prepare(spec, &env, &mut Vec::new())
        .unwrap_or_else(|e| panic!("render failed (is mesa-vulkan-drivers installed?): {e}"));
    // The stone alone: the reference has no bloom to compare the glow with.
    prepared.offscreen.renderer.gem_quality = GemQuality {
        sparkle: 0.0,
        ..quality
    };
    let rgba = prepared
        .offscreen
        .render_rgba(SIZE, SIZE, &prepared.camera, Mat4::IDENTITY)
        .unwrap();
    Gpu {
        rgba,
        camera: prepared.camera,
    }
}

fn trace_cpu(
    spec: &RenderSpec,
    camera: &CameraMatrices,
    settings: ReferenceSettings,
) -> ReferenceImage {
    let scene = loupe::cli::render::load_scene(&spec.model).unwrap();
    trace_stones(&Stone::all_in(&scene), spec, camera, settings)
}

/// `stones` traced on the CPU in `spec`'s environment, seen from `camera`, with the environment
/// behind them.
fn trace_stones(
    stones: &[Stone],
    spec: &RenderSpec,
    camera: &CameraMatrices,
    settings: ReferenceSettings,
) -> ReferenceImage {
    let env = load_environment(spec.env.as_deref()).unwrap();
    let lookup = EnvironmentLookup {
        image: &env.levels[0],
        intensity: 1.0,
        yaw_rad: 0.0,
    };
    reference::render(
        stones,
        camera.clip_from_view * camera.view_from_world,
        camera.eye_world.as_dvec3(),
        SIZE,
        SIZE,
        &lookup,
        settings,
        true,
    )
}

fn save(name: &str, rgba: &[u8]) {
    image::save_buffer(
        out_dir().join(format!("{name}.png")),
        rgba,
        SIZE,
        SIZE,
        image::ExtendedColorType::Rgba8,
    )
    .unwrap();
}

/// Pixels wholly inside a stone: every reference ray hit it.
fn inside(reference: &ReferenceImage) -> Vec<usize> {
    (0..reference.coverage.len())
        .filter(|&i| reference.coverage[i] == 1.0)
        .collect()
}

/// Pixels wholly inside a stone of `spec` as `camera` sees it, by a 2 × 2 stratified coverage
/// trace (no bounces: only the hits matter).
fn stone_pixels(spec: &RenderSpec, camera: &CameraMatrices) -> Vec<usize> {
    inside(&trace_cpu(
        spec,
        camera,
        ReferenceSettings {
            rays: PixelRays::Stratified(2),
            spectrum: Spectrum::Channels,
            max_bounces: 0,
        },
    ))
}

/// Mean absolute difference of display values (0..1, averaged over RGB) on `pixels`.
fn mean_abs_error(a: &[u8], b: &[u8], pixels: &[usize]) -> f64 {
    let sum: f64 = pixels
        .iter()
        .map(|&i| {
            (0..3)
                .map(|c| (a[i * 4 + c] as f64 - b[i * 4 + c] as f64).abs() / 255.0)
                .sum::<f64>()
                / 3.0
        })
        .sum();
    sum / pixels.len() as f64
}

/// Mean LDR-FLIP of `test` against `reference` on `pixels`, seen at the reference
/// implementation's default 67 pixels per degree.
fn mean_flip(reference: &[u8], test: &[u8], pixels: &[usize]) -> f64 {
    let image = |rgba8| flip::SrgbImage {
        width: SIZE as usize,
        height: SIZE as usize,
        rgba8,
    };
    let errors = flip::flip(
        &image(reference),
        &image(test),
        flip::DEFAULT_PIXELS_PER_DEGREE,
    );
    flip::mean(&errors, pixels)
}

/// A uniform environment of radiance 0.5 written as a Radiance file (one name per test: tests run
/// in parallel).
fn furnace_env(name: &str) -> PathBuf {
    let path = out_dir().join(name);
    let furnace = loupe::env::HdrImage::filled(64, 32, [0.5; 3]);
    std::fs::write(&path, loupe::env::encode_hdr(&furnace)).unwrap();
    path
}

const SPHERES_SIZE: (u32, u32) = (320, 64);

/// The roughness sweep in a metal of reflectance `f0` (written to `file`), seen side on at
/// [`SPHERES_SIZE`] with `extra` `loupe render` arguments, ready to draw.
fn prepared_spheres(file: &str, f0: [f32; 3], extra: &[&str]) -> Prepared {
    let model = out_dir().join(file);
    std::fs::write(
        &model,
        loupe::jewelry::samples::spheres_by_roughness_glb("white", f0),
    )
    .unwrap();
    let (w, h) = SPHERES_SIZE;
    let size = format!("{w}x{h}");
    let mut argv = vec![
        model.to_str().unwrap(),
        "--out",
        "unused.png",
        "--size",
        &size,
        "--camera-orbit",
        "0deg 90deg 0.16m",
    ];
    argv.extend_from_slice(extra);
    let argv: Vec<String> = argv.iter().map(|s| s.to_string()).collect();
    let spec = RenderSpec::from_args(&argv).unwrap();
    let env = load_environment(spec.env.as_deref()).unwrap();
    prepare(&spec, &env, &mut Vec::new()).unwrap()
}

/// The linear radiance a display value came from (display_encode is monotonic on greys).
fn linear_from_display(value: f64) -> f64 {
    let (mut lo, mut hi) = (0.0, 64.0);
    for _ in 0..60 {
        let mid = 0.5 * (lo + hi);
        if loupe::optics::display::display_encode(DVec3::splat(mid), 1.0).y < value {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}

#[test]
fn a_clear_stone_disappears_in_a_white_furnace() {
    let env_path = furnace_env("furnace.hdr");
    for cut in ["round-brilliant", "emerald"] {
        let model = stone_glb(cut, "diamond");
        let spec = spec(&model, Some(&env_path));
        for bounces in [2, 8] {
            let gpu = render_gpu(
                &spec,
                GemQuality {
                    max_bounces: bounces,
                    ..GemQuality::HIGH
                },
            );
            let pixels = stone_pixels(&spec, &gpu.camera);
            assert!(
                pixels.len() > 1500,
                "{cut}: the stone covers {} px",
                pixels.len()
            );
            let background = linear_from_display(gpu.rgba[1] as f64 / 255.0);
            let mut worst: f64 = 0.0;
            let mut sum = 0.0;
            for &i in &pixels {
                let ratio = linear_from_display(gpu.rgba[i * 4 + 1] as f64 / 255.0) / background;
                worst = worst.max((ratio - 1.0).abs());
                sum += ratio;
            }
            let mean = sum / pixels.len() as f64;
            save(&format!("furnace-{cut}-{bounces}"), &gpu.rgba);
            eprintln!("furnace {cut}, {bounces} bounces: mean {mean:.4}, worst {worst:.4}");
            assert!(
                (mean - 1.0).abs() < 0.02,
                "{cut}, {bounces} bounces: mean energy {mean}"
            );
            // One 8-bit step near this grey is ~1 % of the radiance.
            assert!(
                worst < 0.03,
                "{cut}, {bounces} bounces: a pixel is off by {worst}"
            );
        }
    }
}

#[test]
fn a_white_metal_keeps_its_energy_at_every_roughness() {
    // Split-sum IBL with multiple-scattering compensation: a metal of reflectance 1 under a
    // uniform environment returns it exactly (E_ss + E_ms = 1), rough or polished. Without the
    // compensation the roughest sphere would lose about a third.
    let env_path = furnace_env("furnace-metal.hdr");
    let mut prepared = prepared_spheres(
        "white-spheres.glb",
        [1.0; 3],
        &[
            "--background",
            "skybox",
            "--env",
            env_path.to_str().unwrap(),
        ],
    );
    let (w, h) = SPHERES_SIZE;
    let rgba = prepared
        .offscreen
        .render_rgba(w, h, &prepared.camera, Mat4::IDENTITY)
        .unwrap();
    image::save_buffer(
        out_dir().join("furnace-metal.png"),
        &rgba,
        w,
        h,
        image::ExtendedColorType::Rgba8,
    )
    .unwrap();
    let background = linear_from_display(rgba[1] as f64 / 255.0);
    // The centre of each sphere (spheres are 25 mm apart; the view is 320 px wide).
    let clip_from_world = prepared.camera.clip_from_view * prepared.camera.view_from_world;
    for i in 0..5 {
        let centre =
            clip_from_world.project_point3(glam::Vec3::new(0.025 * (i as f32 - 2.0), 0.0, 0.0));
        let (cx, cy) = (
            ((centre.x * 0.5 + 0.5) * w as f32) as i32,
            ((0.5 - centre.y * 0.5) * h as f32) as i32,
        );
        let mut worst: f64 = 0.0;
        for dy in -4..=4 {
            for dx in -4..=4 {
                let at = (((cy + dy) as u32 * w + (cx + dx) as u32) * 4 + 1) as usize;
                let ratio = linear_from_display(rgba[at] as f64 / 255.0) / background;
                worst = worst.max((ratio - 1.0).abs());
            }
        }
        eprintln!(
            "white metal, roughness {:.2}: worst energy error {worst:.4}",
            i as f32 * 0.25
        );
        assert!(
            worst < 0.03,
            "roughness {}: energy off by {worst}",
            i as f32 * 0.25
        );
    }
}

#[test]
fn gem_pass_approaches_the_spectral_reference_as_bounces_rise() {
    // Shading error: the reference traces 16 wavelengths to 32 bounces through the same four
    // points of each pixel as the gem pass, so what differs is bounces and the three-channel
    // dispersion. Total error adds the gem pass's anti-aliasing against 16 stratified rays per
    // pixel; at 96 px a brilliant's facets are 1–3 px wide, so that term dominates (two
    // references at 16 and 36 rays already differ by a FLIP of about 0.06).
    // Limits (FLIP at 8 bounces) sit just above the figures measured with Mesa 22.3, printed
    // below and listed in the README: they guard against regressions. The design's target,
    // 0.05, is not met: most of what remains is the bounces past 8 (traced on the CPU with 16
    // wavelengths, 8 bounces are 0.08 from 32 on the brilliant, 16 bounces 0.04), and three
    // channel indices against 16 wavelengths add about 0.02; at any bounce count they stay about
    // 0.09 from the reference on the diamonds (`gem_error_budget` prints the breakdown).
    for (cut, gem, shading_limit, total_limit) in [
        ("round-brilliant", "diamond", 0.11, 0.12),
        ("emerald", "diamond", 0.125, 0.125),
        ("oval", "ruby", 0.085, 0.1),
    ] {
        let model = stone_glb(cut, gem);
        let spec = spec(&model, None);
        let high = render_gpu(&spec, GemQuality::HIGH);
        let same_rays = trace_cpu(
            &spec,
            &high.camera,
            ReferenceSettings {
                rays: PixelRays::GemPass(GemQuality::HIGH.rays_per_pixel),
                ..ReferenceSettings::default()
            },
        );
        let stratified = trace_cpu(&spec, &high.camera, ReferenceSettings::default());
        let (same_rays_rgba, stratified_rgba) = (same_rays.to_rgba8(1.0), stratified.to_rgba8(1.0));
        save(&format!("reference-{cut}-{gem}"), &stratified_rgba);
        let pixels = inside(&stratified);
        assert!(
            pixels.len() > 1500,
            "{cut}: the stone covers {} px",
            pixels.len()
        );
        let (mut shading, mut total, mut mae) = (Vec::new(), Vec::new(), Vec::new());
        for bounces in [2, 4, 8, 16] {
            let gpu = render_gpu(
                &spec,
                GemQuality {
                    max_bounces: bounces,
                    ..GemQuality::HIGH
                },
            );
            save(&format!("gpu-{cut}-{gem}-{bounces}"), &gpu.rgba);
            shading.push(mean_flip(&same_rays_rgba, &gpu.rgba, &pixels));
            total.push(mean_flip(&stratified_rgba, &gpu.rgba, &pixels));
            mae.push(mean_abs_error(&gpu.rgba, &stratified_rgba, &pixels));
        }
        eprintln!(
            "{cut} {gem} at 2, 4, 8, 16 bounces: shading FLIP {shading:.4?}, total FLIP \
             {total:.4?}, mean abs display error {mae:.4?}"
        );
        assert!(
            shading.windows(2).all(|w| w[0] > w[1]),
            "{cut} {gem}: error does not fall with bounces: {shading:?}"
        );
        assert!(shading[2] < shading_limit, "{cut} {gem}: {shading:?}");
        assert!(total[2] < total_limit, "{cut} {gem}: {total:?}");
    }
}

#[test]
fn gem_pass_is_the_cpu_tracer_in_f32() {
    // Same algorithm, same three indices, same bounce limit, one ray through each pixel
    // centre: what remains is f32 against f64 and the half-float environment.
    let quality = GemQuality {
        rays_per_pixel: 1,
        ..GemQuality::HIGH
    };
    for (cut, gem) in [("round-brilliant", "diamond"), ("oval", "ruby")] {
        let model = stone_glb(cut, gem);
        let spec = spec(&model, None);
        let gpu = render_gpu(&spec, quality);
        let cpu = trace_cpu(
            &spec,
            &gpu.camera,
            ReferenceSettings {
                rays: PixelRays::Stratified(1),
                spectrum: Spectrum::Channels,
                max_bounces: GemQuality::HIGH.max_bounces,
            },
        );
        let pixels = inside(&cpu);
        let error = mean_abs_error(&gpu.rgba, &cpu.to_rgba8(1.0), &pixels);
        eprintln!("{cut} {gem}: GPU vs the same trace on the CPU: {error:.4}");
        assert!(error < 0.01, "{cut} {gem}: {error}");
    }
}

#[test]
fn room_light_from_a_warm_camera_frame_warms_the_metal() {
    // A white metal in the studio, then lit by a frame of a warm, dim room: the reflections take
    // the room's white balance and brightness.
    use loupe::env::camera_light;
    let mut prepared = prepared_spheres("white-spheres-room.glb", [0.9; 3], &[]);
    let (w, h) = SPHERES_SIZE;
    let mean_rgb = |rgba: &[u8]| {
        let mut sum = [0.0f64; 3];
        let mut n = 0.0;
        for p in rgba.chunks_exact(4).filter(|p| p[3] == 255) {
            for c in 0..3 {
                sum[c] += p[c] as f64;
            }
            n += 1.0;
        }
        sum.map(|s| s / n)
    };
    let studio = mean_rgb(
        &prepared
            .offscreen
            .render_rgba(w, h, &prepared.camera, Mat4::IDENTITY)
            .unwrap(),
    );
    let warm_room: Vec<u8> = (0..32 * 24).flat_map(|_| [150u8, 100, 60, 255]).collect();
    let light = camera_light::estimate(&warm_room, 32, 24, glam::Mat3::IDENTITY, 0.9).unwrap();
    prepared.offscreen.renderer.set_camera_light(Some(&light));
    let room = mean_rgb(
        &prepared
            .offscreen
            .render_rgba(w, h, &prepared.camera, Mat4::IDENTITY)
            .unwrap(),
    );
    eprintln!("white metal: studio {studio:.1?}, warm room {room:.1?}");
    let warmth = |c: [f64; 3]| c[0] - c[2];
    assert!(
        warmth(studio).abs() < 10.0,
        "the studio is neutral: {studio:?}"
    );
    assert!(
        warmth(room) > 25.0,
        "the warm room warms the metal: {room:?}"
    );
}

#[test]
#[ignore = "diagnostic: prints where the gem pass's error against the spectral reference comes from"]
fn gem_error_budget() {
    // The spectral reference (16 wavelengths, 32 bounces) against the CPU tracer with fewer
    // bounces or fewer indices, all through the gem pass's four rays per pixel, so that sampling
    // is not in the figures. `Channels` is the gem pass's algorithm: KHR_materials_dispersion's
    // three channel indices, ior ∓ (ior − 1)·0.025·dispersion, which are the extension's own
    // indices at about 717, 588 and 510 nm, weighted red, green and blue.
    let cases: [(&str, Spectrum, u32); 8] = [
        ("channels, 8 bounces", Spectrum::Channels, 8),
        ("channels, 16 bounces", Spectrum::Channels, 16),
        ("channels, 32 bounces", Spectrum::Channels, 32),
        ("3 wavelengths, 32 bounces", Spectrum::Wavelengths(3), 32),
        ("4 wavelengths, 16 bounces", Spectrum::Wavelengths(4), 16),
        ("16 wavelengths, 8 bounces", Spectrum::Wavelengths(16), 8),
        ("16 wavelengths, 12 bounces", Spectrum::Wavelengths(16), 12),
        ("16 wavelengths, 16 bounces", Spectrum::Wavelengths(16), 16),
    ];
    for (cut, gem) in [
        ("round-brilliant", "diamond"),
        ("emerald", "diamond"),
        ("oval", "ruby"),
    ] {
        let model = stone_glb(cut, gem);
        let spec = spec(&model, None);
        let camera = render_gpu(&spec, GemQuality::HIGH).camera;
        let trace = |spectrum, max_bounces| {
            trace_cpu(
                &spec,
                &camera,
                ReferenceSettings {
                    rays: PixelRays::GemPass(GemQuality::HIGH.rays_per_pixel),
                    spectrum,
                    max_bounces,
                },
            )
        };
        let truth = trace(Spectrum::Wavelengths(16), 32);
        let pixels = inside(&truth);
        let truth_rgba = truth.to_rgba8(1.0);
        for (name, spectrum, bounces) in cases {
            let flip = mean_flip(
                &truth_rgba,
                &trace(spectrum, bounces).to_rgba8(1.0),
                &pixels,
            );
            eprintln!("{cut} {gem}: {name}: FLIP {flip:.4}");
        }
    }
}

/// A clear brilliant of this index and dispersion (`samples::clear_brilliant_glb`), written once.
fn clear_brilliant(ior: f32, dispersion: f32) -> PathBuf {
    let path = out_dir().join(format!("clear-brilliant-{ior}-{dispersion}.glb"));
    std::fs::write(
        &path,
        loupe::jewelry::samples::clear_brilliant_glb(ior, dispersion),
    )
    .unwrap();
    path
}

#[test]
fn a_stone_of_index_one_vanishes_and_a_diamond_does_not() {
    // KHR_materials_ior at 1: no reflection and no bend at any facet, so every ray leaves as it
    // came and the stone shows exactly the environment behind it (the stones of Khronos'
    // IORTestGrid fade out towards index 1 the same way).
    let pictures = [1.0, 2.4175].map(|ior| {
        let spec = spec(&clear_brilliant(ior, 0.0), None);
        let gpu = render_gpu(&spec, GemQuality::HIGH);
        save(&format!("clear-brilliant-ior-{ior}"), &gpu.rgba);
        (spec, gpu)
    });
    let (spec, gpu) = &pictures[0];
    let settings = ReferenceSettings {
        rays: PixelRays::GemPass(GemQuality::HIGH.rays_per_pixel),
        spectrum: Spectrum::Channels,
        max_bounces: 0,
    };
    let covered = trace_cpu(spec, &gpu.camera, settings);
    let behind = trace_stones(&[], spec, &gpu.camera, settings);
    let pixels = inside(&covered);
    assert!(pixels.len() > 1500, "the stone covers {} px", pixels.len());
    let background = behind.to_rgba8(1.0);
    let vanished = mean_abs_error(&gpu.rgba, &background, &pixels);
    let diamond = mean_abs_error(&pictures[1].1.rgba, &background, &pixels);
    eprintln!("mean display difference from the environment behind: index 1 {vanished:.4}, diamond {diamond:.4}");
    assert!(vanished < 0.005, "a stone of index 1 shows: {vanished}");
    assert!(
        diamond > 0.05,
        "a diamond looks like the background: {diamond}"
    );
}

#[test]
fn dispersion_spreads_white_light_into_colour() {
    // KHR_materials_dispersion 0, 0.5, 1 and 2 on one clear brilliant under the neutral studio
    // (Khronos' DispersionTest in one stone): without dispersion the stone stays grey; with more,
    // each channel bends by its own index and the facets split into colour, so the mean chroma
    // of the stone's pixels (largest minus smallest display channel) rises.
    let dispersions = [0.0f32, 0.5, 1.0, 2.0];
    let mut chroma = Vec::new();
    let mut pixels = Vec::new();
    for dispersion in dispersions {
        let spec = spec(&clear_brilliant(2.4175, dispersion), None);
        let gpu = render_gpu(&spec, GemQuality::HIGH);
        save(
            &format!("clear-brilliant-dispersion-{dispersion}"),
            &gpu.rgba,
        );
        if pixels.is_empty() {
            pixels = stone_pixels(&spec, &gpu.camera);
            assert!(pixels.len() > 1500, "the stone covers {} px", pixels.len());
        }
        let sum: f64 = pixels
            .iter()
            .map(|&i| {
                let p = &gpu.rgba[i * 4..i * 4 + 3];
                (*p.iter().max().unwrap() - *p.iter().min().unwrap()) as f64 / 255.0
            })
            .sum();
        chroma.push(sum / pixels.len() as f64);
    }
    eprintln!("mean chroma at dispersion {dispersions:?}: {chroma:.4?}");
    assert!(
        chroma[0] < 0.01,
        "a stone without dispersion is coloured: {chroma:?}"
    );
    assert!(
        chroma.windows(2).all(|w| w[1] > w[0]),
        "chroma does not rise with dispersion: {chroma:?}"
    );
    assert!(chroma[3] > 3.0 * chroma[0].max(0.005), "{chroma:?}");
}
