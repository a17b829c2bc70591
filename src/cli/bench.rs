//! `loupe bench`: native offscreen render timings, written as JSON for run-to-run comparison.

use super::args::Args;
use super::render::{load_environment, prepare, Prepared, RenderSpec};
use super::CliError;
use crate::calibrate::{detect_card, GrayImage};
use glam::{Mat4, Vec2};
use std::path::PathBuf;
use std::time::Instant;

pub fn run(argv: &[String]) -> Result<String, CliError> {
    let a = Args::parse(argv, &["out", "model", "size", "runs"])?;
    let out = PathBuf::from(
        a.get("out")
            .ok_or_else(|| CliError::Usage("bench needs --out FILE.json".into()))?,
    );
    let model = PathBuf::from(a.get("model").unwrap_or("models/sample-ring.glb"));
    let (w, h) = a.size("size", (768, 768))?;
    let runs = a.number("runs", 5.0)?.clamp(1.0, 1000.0) as usize;

    let cold = Instant::now();
    let spec = RenderSpec::from_args(&[
        model.display().to_string(),
        "--out".into(),
        "unused.png".into(),
        "--size".into(),
        format!("{w}x{h}"),
    ])?;
    let env_start = Instant::now();
    let env = load_environment(None)?;
    let env_ms = env_start.elapsed().as_secs_f64() * 1e3;
    let Prepared {
        offscreen: mut off,
        camera,
    } = prepare(&spec, &env, &mut Vec::new())?;
    off.render_rgba(w, h, &camera, Mat4::IDENTITY)?;
    let cold_ms = cold.elapsed().as_secs_f64() * 1e3;

    let mut frame_ms = Vec::with_capacity(runs);
    for _ in 0..runs {
        let t = Instant::now();
        off.render_rgba(w, h, &camera, Mat4::IDENTITY)?;
        frame_ms.push(t.elapsed().as_secs_f64() * 1e3);
    }
    frame_ms.sort_by(f64::total_cmp);
    let median = frame_ms[frame_ms.len() / 2];
    let detection: Vec<String> = [(640u32, 480u32), (1280, 720)]
        .iter()
        .map(|&(w, h)| {
            let (ms, found) = time_detection(&card_frame(w, h));
            format!("    \"{w}x{h}\": {{ \"ms_median\": {ms:.2}, \"found\": {found} }}")
        })
        .collect();
    let json = format!(
        "{{\n  \"native_card_detection\": {{\n{}\n  }},\n  \"native_render\": {{\n    \"adapter\": {:?},\n    \"backend\": {:?},\n    \"model\": {:?},\n    \"size\": \"{w}x{h}\",\n    \"cold_ms\": {cold_ms:.1},\n    \"environment_prefilter_ms\": {env_ms:.1},\n    \"frame_ms_median\": {median:.2},\n    \"frame_ms_min\": {:.2},\n    \"runs\": {runs}\n  }}\n}}\n",
        detection.join(",\n"),
        off.adapter.name,
        format!("{:?}", off.adapter.backend),
        model.display().to_string(),
        frame_ms[0],
    );
    std::fs::write(&out, &json).map_err(|e| CliError::Write {
        path: out.clone(),
        reason: e.to_string(),
    })?;
    Ok(json)
}

/// A light ID-1 card, 45 % of the frame wide and turned 0.2 rad, on a dark textured floor: the
/// same scene the web benchmark draws.
fn card_frame(w: u32, h: u32) -> GrayImage {
    let centre = Vec2::new(w as f32, h as f32) * 0.5;
    let half = Vec2::new(0.45 * w as f32, 0.45 * w as f32 * 53.98 / 85.6) * 0.5;
    let radius = 2.0 * half.x * 3.18 / 85.6;
    let (sin, cos) = 0.2f32.sin_cos();
    let pixels = (0..h)
        .flat_map(|y| (0..w).map(move |x| (x, y)))
        .map(|(x, y)| {
            let p = Vec2::new(x as f32 + 0.5, y as f32 + 0.5) - centre;
            // Into the card's frame (rotated by −0.2 rad), then a rounded-rectangle test.
            let q = Vec2::new(cos * p.x + sin * p.y, -sin * p.x + cos * p.y).abs();
            let corner = (q - (half - Vec2::splat(radius))).max(Vec2::ZERO);
            let inside = q.x <= half.x && q.y <= half.y && corner.length() <= radius;
            if inside {
                226
            } else {
                40 + ((x * 7 + y * 13) % 9) as u8
            }
        })
        .collect();
    GrayImage {
        width: w,
        height: h,
        pixels,
    }
}

/// Median of 15 detections after 2 warm-ups, ms, and whether the card was found.
fn time_detection(frame: &GrayImage) -> (f64, bool) {
    let mut found = false;
    for _ in 0..2 {
        let _ = detect_card(frame);
    }
    let mut ms: Vec<f64> = (0..15)
        .map(|_| {
            let t = Instant::now();
            found = matches!(detect_card(frame), Ok(Some(_)));
            t.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    ms.sort_by(f64::total_cmp);
    (ms[ms.len() / 2], found)
}
