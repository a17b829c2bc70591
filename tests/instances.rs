//! Several copies of one model in a frame (a pair of earrings), each with its own opacity, on
//! Mesa's software Vulkan: every copy is drawn, and fading one leaves the others as they were.
#![cfg(not(target_arch = "wasm32"))]

use glam::{Mat4, Vec3};
use loupe::cli::render::{load_environment, prepare, Prepared, RenderSpec};
use loupe::render::Instance;
use std::path::PathBuf;

const SIZE: (u32, u32) = (160, 64);

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Where the pictures go to be looked at (each test may run first).
fn out_dir() -> PathBuf {
    let dir = root().join("target/instances");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The sample ring ready to draw at `size` over the skybox, as `loupe render` would with `extra`
/// arguments.
fn sample_ring(size: (u32, u32), extra: &[&str]) -> Prepared {
    let model = root().join("models/sample-ring.glb");
    let mut argv: Vec<String> = [
        model.to_str().unwrap(),
        "--out",
        "unused.png",
        "--size",
        &format!("{}x{}", size.0, size.1),
        "--background",
        "skybox",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    argv.extend(extra.iter().map(|s| s.to_string()));
    let spec = RenderSpec::from_args(&argv).unwrap();
    let env = load_environment(None).unwrap();
    prepare(&spec, &env, &mut Vec::new())
        .unwrap_or_else(|e| panic!("render failed (is mesa-vulkan-drivers installed?): {e}"))
}

/// Mean absolute channel difference per pixel over columns `x0..x1`.
fn mean_diff(a: &[u8], b: &[u8], x0: u32, x1: u32) -> f64 {
    let (w, h) = SIZE;
    let mut sum = 0u64;
    for y in 0..h {
        for x in x0..x1 {
            let i = ((y * w + x) * 4) as usize;
            sum += (0..3)
                .map(|c| a[i + c].abs_diff(b[i + c]) as u64)
                .sum::<u64>();
        }
    }
    sum as f64 / ((x1 - x0) * h) as f64
}

#[test]
fn each_copy_is_drawn_and_fades_on_its_own() {
    let mut prepared = sample_ring(SIZE, &[]);
    let camera = prepared.camera;
    // Two copies side by side, a ring's width apart either way of the centre.
    let left = Mat4::from_translation(Vec3::new(-0.016, 0.0, 0.0));
    let right = Mat4::from_translation(Vec3::new(0.016, 0.0, 0.0));
    let mut draw = |instances: &[Instance]| {
        prepared
            .offscreen
            .render_instances_rgba(SIZE.0, SIZE.1, &camera, instances)
            .unwrap()
    };
    let background = draw(&[]);
    let only_left = draw(&[Instance::opaque(left)]);
    let only_right = draw(&[Instance::opaque(right)]);
    let both = draw(&[Instance::opaque(left), Instance::opaque(right)]);
    let half_right = draw(&[
        Instance::opaque(left),
        Instance {
            opacity: 0.5,
            ..Instance::opaque(right)
        },
    ]);
    let out = out_dir();
    for (name, img) in [("both", &both), ("half-right", &half_right)] {
        image::save_buffer(
            out.join(format!("{name}.png")),
            img,
            SIZE.0,
            SIZE.1,
            image::ColorType::Rgba8,
        )
        .unwrap();
    }
    let mid = SIZE.0 / 2;
    let (w, _) = SIZE;
    let left_drawn = mean_diff(&only_left, &background, 0, mid);
    let right_drawn = mean_diff(&only_right, &background, mid, w);
    eprintln!("copy against background: left {left_drawn:.2}, right {right_drawn:.2}");
    assert!(left_drawn > 5.0 && right_drawn > 5.0, "both copies show");
    assert!(
        mean_diff(&only_left, &background, mid, w) < 0.5,
        "the left copy stays in its half"
    );
    // Both copies: each half as when drawn alone.
    assert!(mean_diff(&both, &only_left, 0, mid) < 0.5);
    assert!(mean_diff(&both, &only_right, mid, w) < 0.5);
    // Fading the second copy leaves the first as it was, and shows about half of the second.
    let left_after_fade = mean_diff(&half_right, &only_left, 0, mid);
    assert!(
        left_after_fade < 0.5,
        "fading the right copy changed the left one by {left_after_fade:.2}"
    );
    let right_faded = mean_diff(&half_right, &background, mid, w);
    eprintln!("right copy at opacity 0.5: {right_faded:.2} of {right_drawn:.2}");
    assert!(
        (0.3..0.7).contains(&(right_faded / right_drawn)),
        "{right_faded} vs {right_drawn}"
    );
}

#[test]
fn a_ring_darkens_the_finger_next_to_it_and_nowhere_else() {
    use loupe::render::{model_from_cylinder, ContactShadow};
    let size = 96;
    let mut prepared = sample_ring((size, size), &["--camera-orbit", "70deg 70deg auto"]);
    let camera = prepared.camera;
    // A finger along the ring's axis, 20 mm either way; the band touches it over ±1 mm.
    let finger = model_from_cylinder(0.0084, -0.02, 0.02);
    let shadow = |strength: f32| ContactShadow {
        touch_unit_z: (-0.05, 0.05),
        falloff_unit_z: 0.075,
        strength,
    };
    let mut draw = |contact_shadow: Option<ContactShadow>| {
        prepared
            .offscreen
            .render_instances_rgba(
                size,
                size,
                &camera,
                &[Instance {
                    occluder: Some(finger),
                    contact_shadow,
                    ..Instance::opaque(Mat4::IDENTITY)
                }],
            )
            .unwrap()
    };
    let plain = draw(None);
    let none = draw(Some(shadow(0.0)));
    let shaded = draw(Some(shadow(0.45)));
    image::save_buffer(
        out_dir().join("contact-shadow.png"),
        &shaded,
        size,
        size,
        image::ColorType::Rgba8,
    )
    .unwrap();
    assert_eq!(plain, none, "a shadow of strength 0 changes nothing");
    let (mut darker, mut brighter, mut min_ratio) = (0, 0, 1.0f32);
    for (a, b) in plain.chunks_exact(4).zip(shaded.chunks_exact(4)) {
        let (la, lb) = (
            a[..3].iter().map(|&v| v as f32).sum::<f32>(),
            b[..3].iter().map(|&v| v as f32).sum::<f32>(),
        );
        if lb > la + 6.0 {
            brighter += 1;
        }
        if lb < la - 24.0 {
            darker += 1;
            min_ratio = min_ratio.min(lb / la);
        }
    }
    eprintln!("contact shadow: {darker} px darker, darkest at {min_ratio:.2} of the picture");
    assert_eq!(brighter, 0, "a shadow only darkens");
    assert!(darker >= 20, "only {darker} px darkened next to the band");
    // Multiplied in display space, so never darker than (1 − strength) of the picture, and the
    // finger far from the band (most of its 40 mm) is untouched.
    assert!(min_ratio > 0.5, "{min_ratio}");
    assert!(
        darker < 1500,
        "{darker} px darkened: more than the band's surroundings"
    );
}
