//! `loupe bench`: native offscreen render timings, written as JSON for run-to-run comparison.

use super::args::Args;
use super::render::{load_environment, prepare, Prepared, RenderSpec};
use super::CliError;
use glam::Mat4;
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
    let json = format!(
        "{{\n  \"native_render\": {{\n    \"adapter\": {:?},\n    \"backend\": {:?},\n    \"model\": {:?},\n    \"size\": \"{w}x{h}\",\n    \"cold_ms\": {cold_ms:.1},\n    \"environment_prefilter_ms\": {env_ms:.1},\n    \"frame_ms_median\": {median:.2},\n    \"frame_ms_min\": {:.2},\n    \"runs\": {runs}\n  }}\n}}\n",
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
