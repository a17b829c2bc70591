//! `loupe render`: one still of a model, offscreen, through the same renderer as the element.

use super::args::Args;
use super::images::{decode, upload_scene_images, Rgba8};
use super::CliError;
use crate::env::PrefilteredEnv;
use crate::math::cover::cover_uv;
use crate::math::orbit::{self, Orbit};
use crate::render::offscreen::Offscreen;
use crate::render::{Background, CameraMatrices, GemQuality};
use glam::{Mat4, Vec3};
use std::path::{Path, PathBuf};

#[derive(Clone, Debug, PartialEq)]
pub enum BackgroundSpec {
    Transparent,
    Skybox,
    Color([u8; 3]),
    Photo(PathBuf),
}

/// How `loupe render` draws stones (`--gems`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum GemMode {
    /// The real-time gem pass with this effort (the default: what the element shows on WebGPU).
    Traced(GemQuality),
    /// The single-refraction approximation glTF viewers use, for comparison.
    Single,
    /// The CPU spectral reference, stones only (other parts are left out).
    Reference,
}

#[derive(Clone, Debug, PartialEq)]
pub struct RenderSpec {
    pub model: PathBuf,
    pub out: PathBuf,
    pub size: (u32, u32),
    pub env: Option<PathBuf>,
    pub exposure: f32,
    pub orbit: Orbit,
    pub target_m: Option<Vec3>,
    pub vfov_deg: f32,
    pub background: BackgroundSpec,
    pub gems: GemMode,
    /// KHR_materials_variants name to show instead of the default look (`--variant`).
    pub variant: Option<String>,
}

impl RenderSpec {
    pub fn from_args(argv: &[String]) -> Result<Self, CliError> {
        let a = Args::parse(
            argv,
            &[
                "out",
                "size",
                "env",
                "exposure",
                "camera-orbit",
                "camera-target",
                "fov",
                "background",
                "gems",
                "gem-bounces",
                "gem-rays",
                "variant",
                "sparkle",
            ],
        )?;
        let model = match a.positional.as_slice() {
            [m] => PathBuf::from(m),
            [] => {
                return Err(CliError::Usage(
                    "render needs a MODEL.glb or MODEL.gltf".into(),
                ))
            }
            more => {
                return Err(CliError::Usage(format!(
                    "render takes one model, got {}",
                    more.len()
                )))
            }
        };
        let out = PathBuf::from(
            a.get("out")
                .ok_or_else(|| CliError::Usage("render needs --out OUT.png".into()))?,
        );
        let orbit = match a.get("camera-orbit") {
            Some(s) => s
                .parse::<Orbit>()
                .map_err(|e| CliError::Usage(format!("--camera-orbit: {e}")))?,
            None => Orbit::DEFAULT,
        };
        let target_m = a
            .get("camera-target")
            .map(|s| {
                orbit::parse_target(s).map_err(|e| CliError::Usage(format!("--camera-target: {e}")))
            })
            .transpose()?;
        let vfov_deg = a.number("fov", 45.0)?;
        if !(1.0..=170.0).contains(&vfov_deg) {
            return Err(CliError::Usage(format!(
                "--fov must be between 1 and 170 degrees, got {vfov_deg}"
            )));
        }
        let exposure = a.number("exposure", 1.0)?;
        if exposure < 0.0 {
            return Err(CliError::Usage("--exposure must not be negative".into()));
        }
        let gems = parse_gem_mode(&a)?;
        Ok(Self {
            model,
            out,
            gems,
            size: a.size("size", (768, 768))?,
            env: a.get("env").map(PathBuf::from),
            exposure,
            orbit,
            target_m,
            vfov_deg,
            background: parse_background(a.get("background").unwrap_or("transparent"))?,
            variant: a.get("variant").map(str::to_string),
        })
    }
}

fn parse_gem_mode(a: &Args) -> Result<GemMode, CliError> {
    let count = |name: &str, default: u32, max: u32| -> Result<u32, CliError> {
        let v = a.number(name, default as f32)?;
        if v.fract() != 0.0 || !(0.0..=max as f32).contains(&v) {
            return Err(CliError::Usage(format!(
                "--{name} must be a whole number from 0 to {max}, got {v}"
            )));
        }
        Ok(v as u32)
    };
    let max_bounces = count("gem-bounces", GemQuality::HIGH.max_bounces, 16)?;
    let rays_per_pixel = count("gem-rays", GemQuality::HIGH.rays_per_pixel, 4)?.max(1);
    let sparkle = a.number("sparkle", GemQuality::HIGH.sparkle)?;
    if !(0.0..=1.0).contains(&sparkle) {
        return Err(CliError::Usage(format!(
            "--sparkle must be between 0 and 1, got {sparkle}"
        )));
    }
    match a.get("gems").unwrap_or("traced") {
        "traced" => Ok(GemMode::Traced(GemQuality {
            max_bounces,
            rays_per_pixel,
            sparkle,
            ..GemQuality::HIGH
        })),
        "single" => Ok(GemMode::Single),
        "reference" => Ok(GemMode::Reference),
        other => Err(CliError::Usage(format!(
            "--gems must be traced, single or reference, got {other:?}"
        ))),
    }
}

pub fn parse_background(s: &str) -> Result<BackgroundSpec, CliError> {
    match s {
        "transparent" => Ok(BackgroundSpec::Transparent),
        "skybox" => Ok(BackgroundSpec::Skybox),
        hex if hex.starts_with('#') => {
            let digits = &hex[1..];
            let ok = digits.len() == 6 && digits.chars().all(|c| c.is_ascii_hexdigit());
            if !ok {
                return Err(CliError::Usage(format!(
                    "--background colour must be #rrggbb, got {hex:?}"
                )));
            }
            let byte = |i: usize| u8::from_str_radix(&digits[i..i + 2], 16).expect("checked hex");
            Ok(BackgroundSpec::Color([byte(0), byte(2), byte(4)]))
        }
        path => Ok(BackgroundSpec::Photo(PathBuf::from(path))),
    }
}

fn read(path: &Path) -> Result<Vec<u8>, CliError> {
    std::fs::read(path).map_err(|source| CliError::Read {
        path: path.to_path_buf(),
        source,
    })
}

pub fn load_environment(path: Option<&Path>) -> Result<PrefilteredEnv, CliError> {
    match path {
        None => Ok(crate::render::default_environment(512)),
        Some(p) => {
            let hdr =
                crate::env::decode_hdr(&read(p)?).map_err(|source| CliError::Environment {
                    path: p.to_path_buf(),
                    source,
                })?;
            Ok(crate::env::prefilter(&hdr, 512, 6))
        }
    }
}

/// Loads a GLB, or a `.gltf` with its external buffers and images resolved next to it.
pub fn load_scene(path: &Path) -> Result<crate::asset::Scene, CliError> {
    let bytes = read(path)?;
    let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let resolve = |uri: &str| -> Result<Vec<u8>, String> {
        if uri.contains("://") {
            return Err(format!("{uri:?} is not a local file"));
        }
        let decoded = percent_decode(uri);
        std::fs::read(dir.join(&decoded))
            .map_err(|e| format!("{}: {e}", dir.join(decoded).display()))
    };
    crate::asset::parse(&bytes, &resolve).map_err(|source| CliError::Model {
        path: path.to_path_buf(),
        source,
    })
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let escaped = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], escaped) {
            (b'%', Some(v)) => {
                out.push(v);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The orbit camera as model-viewer defines it; target defaults to the bounds centre and the
/// radius to one that frames the model.
pub fn orbit_camera(spec: &RenderSpec, bounds: &crate::math::Aabb) -> CameraMatrices {
    let (w, h) = spec.size;
    let aspect = w as f32 / h as f32;
    let vfov = spec.vfov_deg.to_radians();
    let target = spec.target_m.unwrap_or_else(|| bounds.center());
    let radius = spec
        .orbit
        .radius_m
        .unwrap_or_else(|| orbit::framing_radius_m(bounds, vfov, aspect));
    let eye = orbit::eye(spec.orbit.theta_rad, spec.orbit.phi_rad, radius, target);
    let reach = bounds.bounding_radius().max(1e-4) + (bounds.center() - target).length();
    let distance = (eye - target).length();
    let near = (distance - reach * 1.5).max(distance * 1e-3).max(1e-5);
    let far = distance + reach * 1.5;
    CameraMatrices {
        clip_from_view: crate::math::perspective_rh_zo(vfov, aspect, near, far),
        view_from_world: orbit::view_from_world(eye, target),
        eye_world: eye,
    }
}

/// A renderer with the spec's model, lighting and background loaded, and its camera.
pub struct Prepared {
    pub offscreen: Offscreen,
    pub camera: CameraMatrices,
}

/// Everything `loupe render` does before drawing. Notes (downscaled textures, skipped parts) are
/// appended to `notes`; `env` is taken as an argument so callers can time or reuse it.
pub fn prepare(
    spec: &RenderSpec,
    env: &PrefilteredEnv,
    notes: &mut Vec<String>,
) -> Result<Prepared, CliError> {
    let scene = load_scene(&spec.model)?;
    notes.extend(scene.warnings.iter().cloned());
    let (w, h) = spec.size;
    let mut off = Offscreen::new(env)?;
    let images = upload_scene_images(&off.renderer, &scene, notes);
    off.renderer.load(&scene, images);
    if let Some(name) = &spec.variant {
        let index = scene
            .variants
            .iter()
            .position(|v| v == name)
            .ok_or_else(|| {
                CliError::Usage(if scene.variants.is_empty() {
                    format!("--variant {name:?}: the model has no material variants")
                } else {
                    format!(
                        "--variant {name:?}: the model's variants are {}",
                        scene.variants.join(", ")
                    )
                })
            })?;
        off.renderer.set_variant(Some(index));
    }
    off.renderer.lighting.exposure = spec.exposure;
    off.renderer.gem_quality = match spec.gems {
        GemMode::Traced(quality) => quality,
        GemMode::Single | GemMode::Reference => GemQuality {
            traced: false,
            ..GemQuality::HIGH
        },
    };
    off.renderer.background = match &spec.background {
        BackgroundSpec::Transparent => Background::Clear([0.0; 4]),
        BackgroundSpec::Skybox => Background::Skybox,
        BackgroundSpec::Color([r, g, b]) => {
            Background::Clear([*r as f32 / 255.0, *g as f32 / 255.0, *b as f32 / 255.0, 1.0])
        }
        BackgroundSpec::Photo(p) => {
            let max = off.renderer.max_texture_side();
            let photo = decode(&read(p)?, max, notes, "background photo").map_err(|reason| {
                CliError::Image {
                    path: p.clone(),
                    reason,
                }
            })?;
            off.renderer
                .set_background_rgba8(photo.width, photo.height, &photo.pixels);
            Background::Texture(cover_uv(
                photo.width as f32,
                photo.height as f32,
                w as f32,
                h as f32,
                false,
            ))
        }
    };
    let camera = orbit_camera(spec, &scene.bounds_m);
    Ok(Prepared {
        offscreen: off,
        camera,
    })
}

/// Renders the spec to straight-alpha RGBA8. Notes are appended to `notes`.
pub fn render_image(spec: &RenderSpec, notes: &mut Vec<String>) -> Result<Rgba8, CliError> {
    let env = load_environment(spec.env.as_deref())?;
    if spec.gems == GemMode::Reference {
        return render_reference(spec, &env, notes);
    }
    let Prepared {
        mut offscreen,
        camera,
    } = prepare(spec, &env, notes)?;
    let (width, height) = spec.size;
    let mut pixels = offscreen.render_rgba(width, height, &camera, Mat4::IDENTITY)?;
    unpremultiply(&mut pixels);
    Ok(Rgba8 {
        width,
        height,
        pixels,
    })
}

/// The stones of the model traced on the CPU (`--gems reference`): 16 wavelengths, 32 bounces,
/// 16 rays per pixel. Metal and other parts are not drawn.
fn render_reference(
    spec: &RenderSpec,
    env: &PrefilteredEnv,
    notes: &mut Vec<String>,
) -> Result<Rgba8, CliError> {
    use crate::optics::reference::{self, EnvironmentLookup, ReferenceSettings};
    let scene = load_scene(&spec.model)?;
    let stones = crate::optics::stone::Stone::all_in(&scene);
    if stones.is_empty() {
        notes.push("the model has no stone the gem pass traces; the picture shows none".into());
    }
    let background = match &spec.background {
        BackgroundSpec::Skybox => None,
        BackgroundSpec::Transparent => Some([0.0; 4]),
        BackgroundSpec::Color(c) => Some([
            c[0] as f64 / 255.0,
            c[1] as f64 / 255.0,
            c[2] as f64 / 255.0,
            1.0,
        ]),
        BackgroundSpec::Photo(p) => {
            return Err(CliError::Usage(format!(
                "--gems reference draws over skybox, transparent or a colour, not a photo ({})",
                p.display()
            )))
        }
    };
    let camera = orbit_camera(spec, &scene.bounds_m);
    let lookup = EnvironmentLookup {
        image: &env.levels[0],
        intensity: 1.0,
        yaw_rad: 0.0,
    };
    let (width, height) = spec.size;
    let image = reference::render(
        &stones,
        camera.clip_from_view * camera.view_from_world,
        camera.eye_world.as_dvec3(),
        width,
        height,
        &lookup,
        ReferenceSettings::default(),
        background.is_none(),
    );
    let exposure = spec.exposure as f64;
    let mut pixels = match background {
        None => image.to_rgba8(exposure),
        Some(bg) => image.to_rgba8_over(exposure, bg),
    };
    unpremultiply(&mut pixels);
    Ok(Rgba8 {
        width,
        height,
        pixels,
    })
}

/// The renderer writes premultiplied alpha; PNG stores straight alpha.
pub fn unpremultiply(rgba: &mut [u8]) {
    for px in rgba.chunks_exact_mut(4) {
        let a = px[3] as u32;
        if a != 0 && a != 255 {
            for c in &mut px[..3] {
                *c = ((*c as u32 * 255 + a / 2) / a).min(255) as u8;
            }
        }
    }
}

pub fn save_png(path: &Path, img: &Rgba8) -> Result<(), CliError> {
    image::save_buffer(
        path,
        &img.pixels,
        img.width,
        img.height,
        image::ExtendedColorType::Rgba8,
    )
    .map_err(|e| CliError::Write {
        path: path.to_path_buf(),
        reason: e.to_string(),
    })
}

pub fn run(argv: &[String]) -> Result<String, CliError> {
    let spec = RenderSpec::from_args(argv)?;
    let mut notes = Vec::new();
    let img = render_image(&spec, &mut notes)?;
    save_png(&spec.out, &img)?;
    let mut msg = format!(
        "wrote {} ({}×{})",
        spec.out.display(),
        img.width,
        img.height
    );
    for n in notes {
        msg.push_str(&format!("\nnote: {n}"));
    }
    Ok(msg)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argv(s: &[&str]) -> Vec<String> {
        s.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn parses_a_full_command_line() {
        let s = RenderSpec::from_args(&argv(&[
            "ring.glb",
            "--out",
            "o.png",
            "--size",
            "320x200",
            "--camera-orbit",
            "30deg 60deg 0.1m",
            "--camera-target",
            "0 0.01 0",
            "--fov",
            "30",
            "--background",
            "#ff8000",
            "--exposure",
            "1.5",
        ]))
        .unwrap();
        assert_eq!(s.size, (320, 200));
        assert!((s.orbit.theta_rad - 30f32.to_radians()).abs() < 1e-6);
        assert_eq!(s.orbit.radius_m, Some(0.1));
        assert_eq!(s.target_m, Some(Vec3::new(0.0, 0.01, 0.0)));
        assert_eq!(s.background, BackgroundSpec::Color([255, 128, 0]));
        assert_eq!(s.exposure, 1.5);
    }

    #[test]
    fn rejects_bad_arguments_with_messages() {
        for bad in [
            vec!["--out", "o.png"],
            vec!["m.glb"],
            vec!["m.glb", "--out", "o.png", "--background", "#12345"],
            vec!["m.glb", "--out", "o.png", "--fov", "0"],
            vec!["m.glb", "--out", "o.png", "--camera-orbit", "sideways"],
            vec!["m.glb", "--out", "o.png", "--gems", "fancy"],
            vec!["m.glb", "--out", "o.png", "--gem-bounces", "17"],
            vec!["m.glb", "--out", "o.png", "--gem-rays", "1.5"],
            vec!["m.glb", "--out", "o.png", "--sparkle", "2"],
        ] {
            let err = RenderSpec::from_args(&argv(&bad)).unwrap_err();
            assert!(!err.to_string().is_empty());
        }
    }

    #[test]
    fn gem_options_choose_the_mode_and_effort() {
        let spec = |extra: &[&str]| {
            let mut a = vec!["m.glb", "--out", "o.png"];
            a.extend_from_slice(extra);
            RenderSpec::from_args(&argv(&a)).unwrap().gems
        };
        assert_eq!(spec(&[]), GemMode::Traced(GemQuality::HIGH));
        assert_eq!(
            spec(&["--gem-bounces", "2", "--gem-rays", "1"]),
            GemMode::Traced(GemQuality {
                max_bounces: 2,
                rays_per_pixel: 1,
                ..GemQuality::HIGH
            })
        );
        assert_eq!(spec(&["--gems", "single"]), GemMode::Single);
        assert_eq!(spec(&["--gems", "reference"]), GemMode::Reference);
    }

    #[test]
    fn percent_escapes_in_uris_decode() {
        assert_eq!(percent_decode("my%20ring.bin"), "my ring.bin");
        assert_eq!(percent_decode("100%"), "100%");
    }

    #[test]
    fn unpremultiply_restores_straight_colour() {
        let mut px = [64, 32, 0, 128, 10, 20, 30, 255, 0, 0, 0, 0];
        unpremultiply(&mut px);
        assert_eq!(px, [128, 64, 0, 128, 10, 20, 30, 255, 0, 0, 0, 0]);
    }
}
