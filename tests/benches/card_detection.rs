//! Card detection time per frame under criterion: `cargo bench --profile native --bench
//! card_detection` (`./x bench` runs it after writing the frames), searched as the element
//! searches camera frames (`detect_live_card_rgba8`). Two kinds of frame at 640×480 and
//! 1280×720:
//!
//! - the drawn frame (a light card on a dark floor, as `loupe bench` and the web benchmark draw
//!   it), found by the first search: the least a frame costs;
//! - the camera-like frames that `./x bench` writes to `target/bench/frames` (or the folder
//!   `LOUPE_BENCH_FRAMES` names) from the card test set's generator, with a card and without:
//!   the typical cost. One iteration detects in each frame of a kind once, and reports the mean
//!   per frame. Without those frames only the drawn ones are timed, and it says so.
//!
//! In bench mode it also writes the point estimates and 95 % intervals, ms per frame, as JSON to
//! `target/bench/criterion.json` (or `LOUPE_BENCH_OUT`), which `./x bench` merges into
//! `bench.json`.

#[cfg(not(target_arch = "wasm32"))]
mod native {
    use criterion::{BenchmarkId, Criterion, SamplingMode};
    use loupe::calibrate::detect_live_card_rgba8;
    use loupe::cli::bench::{card_frame, grey_as_rgba, listed_frames, open_listed_frame};
    use std::hint::black_box;
    use std::path::{Path, PathBuf};
    use std::time::{Duration, Instant};

    /// One frame as the element hands it over: RGBA.
    struct Frame {
        width: u32,
        height: u32,
        rgba: Vec<u8>,
    }

    const GROUP: &str = "card_detection";

    pub fn main() {
        let mut c = Criterion::default()
            .sample_size(10)
            .warm_up_time(Duration::from_secs(1))
            .measurement_time(Duration::from_secs(10))
            .configure_from_args();
        let mut ids = Vec::new();
        let mut group = c.benchmark_group(GROUP);
        for (w, h) in [(640u32, 480u32), (1280, 720)] {
            let frame = Frame {
                width: w,
                height: h,
                rgba: grey_as_rgba(&card_frame(w, h)),
            };
            let id = format!("drawn_{w}x{h}");
            group.bench_function(BenchmarkId::from_parameter(&id), |b| {
                b.iter(|| detect(&frame))
            });
            ids.push(id);
        }
        let dir = std::env::var_os("LOUPE_BENCH_FRAMES")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from("target/bench/frames"));
        match camera_like_frames(&dir) {
            Ok(kinds) => {
                // Each iteration takes a tenth of a second or more: criterion's mode for long ones.
                group.sampling_mode(SamplingMode::Flat);
                for (id, frames) in kinds {
                    group.bench_function(BenchmarkId::from_parameter(&id), |b| {
                        b.iter_custom(|iters| mean_per_frame(&frames, iters))
                    });
                    ids.push(id);
                }
            }
            Err(why) => {
                eprintln!("card_detection: no camera-like frames ({why}); `./x bench` writes them")
            }
        }
        group.finish();
        c.final_summary();
        // Criterion's test mode (`cargo test --all-targets`) runs each benchmark once and keeps
        // no estimates.
        if std::env::args().any(|a| a == "--bench") {
            write_summary(&ids);
        }
    }

    fn detect(frame: &Frame) -> bool {
        matches!(
            detect_live_card_rgba8(frame.width, frame.height, black_box(&frame.rgba)),
            Ok(Some(_))
        )
    }

    /// `iters` rounds over `frames`, timed, divided by their count: the mean time per frame.
    fn mean_per_frame(frames: &[Frame], iters: u64) -> Duration {
        let start = Instant::now();
        for _ in 0..iters {
            for frame in frames {
                black_box(detect(frame));
            }
        }
        start.elapsed() / frames.len() as u32
    }

    /// The listed frames by kind, as (`WxH_card` or `WxH_none`, frames), in the listing's order.
    fn camera_like_frames(dir: &Path) -> Result<Vec<(String, Vec<Frame>)>, String> {
        let listing_path = dir.join("frames.json");
        let listing =
            std::fs::read(&listing_path).map_err(|e| format!("{}: {e}", listing_path.display()))?;
        let mut kinds: Vec<(String, Vec<Frame>)> = Vec::new();
        for f in listed_frames(&listing)? {
            let rgba = open_listed_frame(dir, &f)?;
            let id = format!("{}_{}", f.size, if f.card { "card" } else { "none" });
            let frame = Frame {
                width: rgba.width(),
                height: rgba.height(),
                rgba: rgba.into_raw(),
            };
            match kinds.iter_mut().find(|(k, _)| *k == id) {
                Some((_, frames)) => frames.push(frame),
                None => kinds.push((id, vec![frame])),
            }
        }
        Ok(kinds)
    }

    /// Each benchmark's mean and median per frame, ms, with the mean's 95 % interval, read from
    /// criterion's estimates, as one JSON object.
    fn write_summary(ids: &[String]) {
        let root = std::env::var_os("CARGO_TARGET_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from("target"));
        let mut entries = Vec::new();
        for id in ids {
            let path = root
                .join("criterion")
                .join(GROUP)
                .join(id)
                .join("new/estimates.json");
            let estimates: serde_json::Value = match std::fs::read(&path)
                .ok()
                .and_then(|b| serde_json::from_slice(&b).ok())
            {
                Some(v) => v,
                None => {
                    eprintln!("card_detection: no estimates at {}", path.display());
                    continue;
                }
            };
            let ms = |stat: &str, key: &[&str]| {
                key.iter()
                    .try_fold(&estimates[stat], |v, k| v.get(k))
                    .and_then(|v| v.as_f64())
                    .map_or(f64::NAN, |ns| ns / 1e6)
            };
            entries.push(format!(
                "    \"{id}\": {{ \"ms_mean\": {:.2}, \"ms_mean_ci95\": [{:.2}, {:.2}], \"ms_median\": {:.2} }}",
                ms("mean", &["point_estimate"]),
                ms("mean", &["confidence_interval", "lower_bound"]),
                ms("mean", &["confidence_interval", "upper_bound"]),
                ms("median", &["point_estimate"]),
            ));
        }
        let json = format!(
            "{{\n  \"native_card_detection_criterion\": {{\n{}\n  }}\n}}\n",
            entries.join(",\n")
        );
        let out = std::env::var_os("LOUPE_BENCH_OUT")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from("target/bench/criterion.json"));
        if let Some(parent) = out.parent() {
            let _ = std::fs::create_dir_all(parent);
        }
        match std::fs::write(&out, &json) {
            Ok(()) => print!("{json}"),
            Err(e) => eprintln!("card_detection: {}: {e}", out.display()),
        }
    }
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    native::main();
}

#[cfg(target_arch = "wasm32")]
fn main() {}
