//! The `loupe` binary as a user runs it: bad input gives one line on stderr and exit code 2.
#![cfg(not(target_arch = "wasm32"))]

use std::process::Command;

fn loupe(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_loupe"))
        .args(args)
        .env("XDG_RUNTIME_DIR", std::env::temp_dir())
        .output()
        .unwrap()
}

#[test]
fn bad_arguments_exit_2_with_one_line() {
    let bad_model = std::env::temp_dir().join("loupe-cli-not-a-model.glb");
    std::fs::write(&bad_model, b"nope").unwrap();
    let bad_model = bad_model.to_str().unwrap();
    for args in [
        vec![],
        vec!["frobnicate"],
        vec!["render"],
        vec!["render", "m.glb"],
        vec!["render", "m.glb", "--out", "o.png", "--size", "big"],
        vec!["render", "missing.glb", "--out", "o.png"],
        vec!["render", bad_model, "--out", "o.png"],
        vec!["render", BAND, "--out", "o.png", "--variant", "nope"],
    ] {
        let out = loupe(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(stderr.trim_end().lines().count(), 1, "{args:?}: {stderr}");
        assert!(stderr.starts_with("loupe: "), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    }
}

const BAND: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/models/band-flat-us7.glb");

#[test]
fn an_unknown_variant_names_the_models_variants() {
    let out = loupe(&["render", BAND, "--out", "o.png", "--variant", "gold"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("platinum, platinum-brushed"), "{stderr}");
}

#[test]
fn render_writes_a_png_of_the_requested_size() {
    let out_png = std::env::temp_dir().join("loupe-cli-render.png");
    let model = concat!(env!("CARGO_MANIFEST_DIR"), "/models/sample-ring.glb");
    let out = loupe(&[
        "render",
        model,
        "--out",
        out_png.to_str().unwrap(),
        "--size",
        "96x64",
        "--background",
        "#102030",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let img = image::open(&out_png).unwrap().to_rgba8();
    assert_eq!(img.dimensions(), (96, 64));
    assert_eq!(
        img.get_pixel(0, 0).0,
        [0x10, 0x20, 0x30, 255],
        "the background colour fills the corner"
    );
}

#[test]
fn ring_size_json_lists_every_system() {
    let out = loupe(&["ring-size", "us:7", "--json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json = String::from_utf8(out.stdout).unwrap();
    assert!(
        json.trim_start().starts_with('{') && json.trim_end().ends_with('}'),
        "{json}"
    );
    // US 7 = 11.63 + 0.8128 × 7 mm inner diameter.
    assert!(json.contains("\"inner_diameter_mm\":17.32"), "{json}");
    for key in [
        "\"us\"", "\"uk\"", "\"eu\"", "\"iso\"", "\"jp\"", "\"ch\"", "\"in\"",
    ] {
        assert!(json.contains(key), "{key} missing: {json}");
    }
    let bad = loupe(&["ring-size", "us:abc"]);
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn model_writes_dimensioned_stones_and_bands_and_rejects_impossible_requests() {
    let dir = std::env::temp_dir();
    let stone = dir.join("loupe-cli-stone.glb");
    let out = loupe(&[
        "model",
        "stone",
        "--cut",
        "round-brilliant",
        "--carat",
        "1",
        "--out",
        stone.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let scene = loupe::asset::parse_glb(&std::fs::read(&stone).unwrap()).unwrap();
    let size_mm = scene.bounds_m.size() * 1000.0;
    assert!(
        (6.4..6.5).contains(&size_mm.x),
        "1 ct round brilliant diameter: {size_mm}"
    );

    let band = dir.join("loupe-cli-band.glb");
    let out = loupe(&[
        "model",
        "band",
        "--size",
        "us:7",
        "--out",
        band.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("17.32"));

    // A whole piece with metal variants: the solitaire's stone is read back as a gem.
    let ring = dir.join("loupe-cli-solitaire.glb");
    let out = loupe(&[
        "model",
        "solitaire",
        "--size",
        "uk:N",
        "--prongs",
        "4",
        "--metal",
        "rose-gold,platinum",
        "--out",
        ring.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let bytes = std::fs::read(&ring).unwrap();
    let doc: serde_json::Value =
        serde_json::from_slice(&gltf::Glb::from_slice(&bytes).unwrap().json).unwrap();
    let variants = &doc["extensions"]["KHR_materials_variants"]["variants"];
    assert_eq!(variants[0]["name"], "rose-gold");
    assert_eq!(variants[1]["name"], "platinum");
    let scene = loupe::asset::parse_glb(&bytes).unwrap();
    assert_eq!(scene.gems().count(), 1, "the stone is recognised as a gem");

    for (args, names) in [
        (
            vec!["model", "stone", "--carat", "-1", "--out", "x.glb"],
            "carat",
        ),
        (
            vec!["model", "stone", "--cut", "heart", "--out", "x.glb"],
            "heart",
        ),
        (
            vec![
                "model", "band", "--size", "us:0.25", "--width", "50", "--out", "x.glb",
            ],
            "width",
        ),
        (
            vec!["model", "band", "--size", "us:0", "--out", "x.glb"],
            "ring size",
        ),
        (
            vec!["model", "solitaire", "--head", "5", "--out", "x.glb"],
            "--head",
        ),
        (
            vec!["model", "solitaire", "--prongs", "12", "--out", "x.glb"],
            "prongs",
        ),
        (
            vec!["model", "hoop", "--diameter", "-3", "--out", "x.glb"],
            "inner_diameter_mm",
        ),
        (vec!["model", "ring", "--out", "x.glb"], "unknown"),
        (
            vec!["model", "stud", "--metal", "brass", "--out", "x.glb"],
            "brass",
        ),
    ] {
        let out = loupe(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains(names),
            "{args:?}: the message should name {names}: {stderr}"
        );
    }
}

#[test]
fn detect_card_finds_a_drawn_card_and_reports_none_on_photos_without_one() {
    // A light card 300 px wide (85.60 × 53.98 mm → 189.2 px high) on a dark, slightly noisy floor.
    let (w, h) = (640u32, 480u32);
    let (x0, y0, cw, ch) = (170.0f32, 140.0f32, 300.0f32, 300.0 * 53.98 / 85.60);
    let img = image::RgbaImage::from_fn(w, h, |x, y| {
        let (fx, fy) = (x as f32 + 0.5, y as f32 + 0.5);
        let inside = fx > x0 && fx < x0 + cw && fy > y0 && fy < y0 + ch;
        let v = if inside {
            225
        } else {
            40 + ((x * 7 + y * 13) % 9) as u8
        };
        image::Rgba([v, v, v, 255])
    });
    let card = std::env::temp_dir().join("loupe-cli-card.png");
    img.save(&card).unwrap();
    let out = loupe(&["detect-card", card.to_str().unwrap()]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    let px_per_mm: f32 = stdout
        .split("\"px_per_mm\": ")
        .nth(1)
        .unwrap()
        .split(',')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let expected = cw / 85.60;
    assert!(
        (px_per_mm / expected - 1.0).abs() < 0.01,
        "px_per_mm {px_per_mm}, expected {expected}"
    );

    for photo in [
        "hands_back_fingers_spread.jpg",
        "pointing_up_palm.jpg",
        "thumb_up_single.jpg",
        "two_thumbs_up.jpg",
    ] {
        let path = format!(
            "{}/../shared/data/hands/{photo}",
            env!("CARGO_MANIFEST_DIR")
        );
        let out = loupe(&["detect-card", &path]);
        assert_eq!(
            out.status.code(),
            Some(1),
            "{photo}: no card is in this photo"
        );
        assert_eq!(
            String::from_utf8_lossy(&out.stdout).trim(),
            "{\"found\": false}"
        );
    }
    let junk = std::env::temp_dir().join("loupe-cli-junk.jpg");
    std::fs::write(&junk, b"not a jpeg").unwrap();
    let out = loupe(&["detect-card", junk.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr)
            .trim_end()
            .lines()
            .count(),
        1
    );
}

#[test]
fn measure_finger_reports_width_and_ring_size() {
    // A finger 17.32 mm wide (US 7) at 8 px/mm: a darker band with soft edges on a lighter ground.
    let (w, h) = (320u32, 200u32);
    let (left, right) = (160.0 - 69.28f32, 160.0 + 69.28f32);
    let img = image::RgbaImage::from_fn(w, h, |x, _| {
        let xc = x as f32 + 0.5;
        // Coverage of the pixel by the finger, with a 1 px ramp at each silhouette.
        let cover = ((xc - left + 0.5).clamp(0.0, 1.0)) * ((right - xc + 0.5).clamp(0.0, 1.0));
        let v = (200.0 - 110.0 * cover).round() as u8;
        image::Rgba([v, (v as f32 * 0.8) as u8, (v as f32 * 0.7) as u8, 255])
    });
    let path = std::env::temp_dir().join("loupe-cli-finger.png");
    img.save(&path).unwrap();
    let path = path.to_str().unwrap();
    let out = loupe(&[
        "measure-finger",
        path,
        "--across",
        "40,100 280,100",
        "--px-per-mm",
        "8",
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout} {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let width = v["width_mm"].as_f64().unwrap();
    assert!((width - 17.32).abs() < 0.1, "{width}");
    assert_eq!(v["ring_size"]["us"], "7");
    assert!(v["uncertainty_us"].as_f64().unwrap() >= 0.25);

    // The segment misses the finger: not found, exit 1.
    let out = loupe(&[
        "measure-finger",
        path,
        "--across",
        "5,100 60,100",
        "--px-per-mm",
        "8",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("\"found\": false"));
    // Bad arguments: exit 2 with a message.
    for args in [
        vec![
            "measure-finger",
            path,
            "--across",
            "1,2",
            "--px-per-mm",
            "8",
        ],
        vec!["measure-finger", path, "--across", "40,100 280,100"],
        vec![
            "measure-finger",
            path,
            "--across",
            "40,100 280,100",
            "--px-per-mm",
            "-1",
        ],
        vec![
            "measure-finger",
            "/nonexistent.png",
            "--across",
            "40,100 280,100",
            "--px-per-mm",
            "8",
        ],
    ] {
        let out = loupe(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(!out.stderr.is_empty());
    }
}
