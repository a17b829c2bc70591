//! `loupe bench`: native offscreen render timings, written as JSON for run-to-run comparison.

use super::args::Args;
use super::render::{load_environment, prepare, Prepared, RenderSpec};
use super::CliError;
use crate::calibrate::{detect_card_rgba8, detect_live_card_rgba8, Detail, GrayImage};
use glam::{Mat4, Vec2};
use std::path::PathBuf;
use std::time::Instant;

pub fn run(argv: &[String]) -> Result<String, CliError> {
    let a = Args::parse(
        argv,
        &["out", "model", "size", "runs", "hand-landmarks", "frames"],
    )?;
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
    let frames = PathBuf::from(a.get("frames").unwrap_or("target/bench/frames"));
    let scenes = match std::fs::read(frames.join("frames.json")) {
        Ok(listing) => scene_detection_json(&frames, &listing)
            .map_err(|reason| CliError::Usage(format!("{}: {reason}", frames.display())))?,
        Err(e) => format!(
            "{{ \"skipped\": {:?} }}",
            format!("{}: {e}", frames.display())
        ),
    };
    let landmarks = PathBuf::from(
        a.get("hand-landmarks")
            .unwrap_or("../shared/data/hands/asl_hand_landmarks_2d.json"),
    );
    let tracking = match std::fs::read(&landmarks) {
        Ok(bytes) => tracking_filter_json(&bytes)
            .map_err(|reason| CliError::Usage(format!("{}: {reason}", landmarks.display())))?,
        // The shared test data is not everywhere: say so in the JSON instead of failing.
        Err(e) => format!(
            "{{ \"skipped\": {:?} }}",
            format!("{}: {e}", landmarks.display())
        ),
    };
    let json = format!(
        "{{\n  \"native_tracking_filter\": {tracking},\n  \"native_card_detection\": {{\n{}\n  }},\n  \"native_card_detection_scenes\": {scenes},\n  \"native_render\": {{\n    \"adapter\": {:?},\n    \"backend\": {:?},\n    \"model\": {:?},\n    \"size\": \"{w}x{h}\",\n    \"cold_ms\": {cold_ms:.1},\n    \"environment_prefilter_ms\": {env_ms:.1},\n    \"frame_ms_median\": {median:.2},\n    \"frame_ms_min\": {:.2},\n    \"runs\": {runs}\n  }}\n}}\n",
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

/// The ring's path through recorded landmarks (MediaPipe's 21 points in px per frame, 25 fps, as
/// `asl_hand_landmarks_2d.json`), raw and through the tracking session's filters: the filters'
/// lag, and how much frame-to-frame shake (RMS second difference) they remove.
fn tracking_filter_json(bytes: &[u8]) -> Result<String, String> {
    use crate::track::hand::{Finger, Hand, Handedness};
    use crate::track::session::{lag_s, HandChoice, Seen, Session, Target};
    const FPS: f64 = 25.0;
    const WIDTH: f32 = 620.0;
    const HEIGHT: f32 = 1080.0;
    let frames: Vec<Vec<[f32; 3]>> =
        serde_json::from_slice(bytes).map_err(|e| format!("not hand landmarks JSON: {e}"))?;
    let mut session = Session::new(Target::Ring(Finger::Ring), HandChoice::Any);
    let (mut raw, mut filtered) = (Vec::new(), Vec::new());
    for (i, frame) in frames.iter().enumerate() {
        let t = i as f64 / FPS;
        let normalized: Vec<[f32; 3]> = frame
            .iter()
            .map(|p| [p[0] / WIDTH, p[1] / HEIGHT, p[2] / WIDTH])
            .collect();
        let hand = Hand::from_mediapipe(&normalized, Handedness::Right, WIDTH, HEIGHT, false);
        let seen: Vec<Seen> = hand
            .into_iter()
            .map(|hand| Seen {
                hand,
                real: Handedness::Left,
                score: 1.0,
            })
            .collect();
        session.update(&seen, t);
        // Positions only: a second later the fade-in is over, the place is the same.
        if let (Some(s), Some(pose)) = (seen.first(), session.pose(t + 1.0)) {
            raw.push(crate::track::anchor::ring(&s.hand, Finger::Ring).position_px);
            filtered.push(pose.anchor.position_px);
        }
    }
    let shake = |p: &[glam::Vec2]| {
        let n = p.len().saturating_sub(2).max(1) as f32;
        (p.windows(3)
            .map(|w| (w[2] - 2.0 * w[1] + w[0]).length_squared())
            .sum::<f32>()
            / n)
            .sqrt()
    };
    let lag_ms = lag_s(&raw, &filtered, 1.0 / FPS, 0.5) * 1e3;
    Ok(format!(
        "{{ \"frames\": {}, \"lag_ms\": {lag_ms:.1}, \"shake_rms_px_raw\": {:.3}, \"shake_rms_px_filtered\": {:.3} }}",
        raw.len(),
        shake(&raw),
        shake(&filtered),
    ))
}

/// A light ID-1 card, 45 % of the frame wide and turned 0.2 rad, on a dark textured floor: the
/// same scene the web benchmark draws.
pub fn card_frame(w: u32, h: u32) -> GrayImage {
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

/// Median of 15 detections after 2 warm-ups, ms, and whether the card was found. The frame is
/// handed over as RGBA and searched at the live view's detail, as the element hands its camera
/// frames to `detectCard`.
fn time_detection(frame: &GrayImage) -> (f64, bool) {
    time_rgba_detection(
        frame.width,
        frame.height,
        &grey_as_rgba(frame),
        Detail::Live,
    )
}

/// A grey frame as opaque RGBA, as a camera frame of it would reach `detectCard`.
pub fn grey_as_rgba(frame: &GrayImage) -> Vec<u8> {
    frame.pixels.iter().flat_map(|&v| [v, v, v, 255]).collect()
}

/// Median of 15 detections of an RGBA frame after 2 warm-ups, ms, and whether a card was found:
/// searched as the element searches its camera frames (`Detail::Live`) or as `loupe detect-card`
/// searches a still.
fn time_rgba_detection(width: u32, height: u32, rgba: &[u8], detail: Detail) -> (f64, bool) {
    let detect = || match detail {
        Detail::Live => detect_live_card_rgba8(width, height, rgba),
        Detail::Still => detect_card_rgba8(width, height, rgba),
    };
    let mut found = false;
    for _ in 0..2 {
        let _ = detect();
    }
    let mut ms: Vec<f64> = (0..15)
        .map(|_| {
            let t = Instant::now();
            found = matches!(detect(), Ok(Some(_)));
            t.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    ms.sort_by(f64::total_cmp);
    (ms[ms.len() / 2], found)
}

/// One listed frame of `frames.json` (see `write_bench_frames` in the synthetic test set).
#[derive(Debug)]
pub struct ListedFrame {
    /// The PNG's name in the folder.
    pub file: String,
    /// `WxH`.
    pub size: String,
    /// Whether a card was drawn in it.
    pub card: bool,
}

/// The frames `frames.json` lists, or what is wrong with it.
pub fn listed_frames(listing: &[u8]) -> Result<Vec<ListedFrame>, String> {
    let value: serde_json::Value =
        serde_json::from_slice(listing).map_err(|e| format!("frames.json: {e}"))?;
    let entries = value.as_array().ok_or("frames.json: not a list")?;
    entries
        .iter()
        .map(|e| {
            let text = |key: &str| e.get(key).and_then(|v| v.as_str()).map(str::to_string);
            Some(ListedFrame {
                file: text("file")?,
                size: text("size")?,
                card: e.get("card")?.as_bool()?,
            })
        })
        .collect::<Option<Vec<_>>>()
        .ok_or_else(|| "frames.json: an entry lacks file, size or card".to_string())
}

/// A listed frame of the folder `dir`, as RGBA, or why it cannot be read.
pub fn open_listed_frame(
    dir: &std::path::Path,
    f: &ListedFrame,
) -> Result<image::RgbaImage, String> {
    let path = dir.join(&f.file);
    Ok(image::open(&path)
        .map_err(|e| format!("{}: {e}", path.display()))?
        .into_rgba8())
}

/// Detection time on the synthetic camera frames that `./x bench` writes (photo backgrounds,
/// varied cards, blur, noise, JPEG; a card in half of them), per frame size: the median and the
/// mean over the frames of each frame's median time, with a card and without, and how many cards
/// were claimed in each. The mean is the CPU a run of detections costs: a textured frame can
/// take several times a plain one. A frame without a sure card also pays for the half-size
/// search.
fn scene_detection_json(dir: &std::path::Path, listing: &[u8]) -> Result<String, String> {
    let listed = listed_frames(listing)?;
    // In the listing's order, once each.
    let mut sizes: Vec<&str> = Vec::new();
    for f in &listed {
        if !sizes.contains(&f.size.as_str()) {
            sizes.push(&f.size);
        }
    }
    let mut entries = Vec::new();
    for size in sizes {
        let mut line = Vec::new();
        for with_card in [true, false] {
            // Each frame is read once and timed both ways.
            let frames = listed
                .iter()
                .filter(|f| f.size == size && f.card == with_card)
                .map(|f| open_listed_frame(dir, f))
                .collect::<Result<Vec<_>, _>>()?;
            if frames.is_empty() {
                continue;
            }
            for detail in [Detail::Live, Detail::Still] {
                let mut ms = Vec::new();
                let mut claimed = 0;
                for rgba in &frames {
                    let (frame_ms, found) =
                        time_rgba_detection(rgba.width(), rgba.height(), rgba, detail);
                    ms.push(frame_ms);
                    claimed += usize::from(found);
                }
                ms.sort_by(f64::total_cmp);
                // The element's figures keep their names; a still's are marked.
                let kind = match (detail, with_card) {
                    (Detail::Live, true) => "with_card",
                    (Detail::Live, false) => "without_card",
                    (Detail::Still, true) => "still_with_card",
                    (Detail::Still, false) => "still_without_card",
                };
                line.push(format!(
                    "\"{kind}_ms_median\": {:.2}, \"{kind}_ms_mean\": {:.2}, \"{kind}_frames\": {}, \"{kind}_claimed\": {claimed}",
                    ms[ms.len() / 2],
                    ms.iter().sum::<f64>() / ms.len() as f64,
                    ms.len()
                ));
            }
        }
        entries.push(format!("    \"{size}\": {{ {} }}", line.join(", ")));
    }
    Ok(format!("{{\n{}\n  }}", entries.join(",\n")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_listing_needs_file_size_and_card() {
        let good = br#"[{ "file": "a.png", "size": "640x480", "card": true }]"#;
        let listed = listed_frames(good).unwrap();
        assert_eq!(
            (listed[0].file.as_str(), listed[0].size.as_str()),
            ("a.png", "640x480")
        );
        assert!(listed[0].card);
        let missing = br#"[{ "file": "a.png", "card": true }]"#;
        assert!(listed_frames(missing).unwrap_err().contains("lacks"));
        assert!(listed_frames(b"{}").unwrap_err().contains("not a list"));
        assert!(listed_frames(b"[").unwrap_err().starts_with("frames.json"));
    }

    #[test]
    fn scene_timings_count_the_cards_claimed_per_kind_of_frame() {
        let dir = std::env::temp_dir().join(format!("loupe-bench-frames-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let card = card_frame(320, 240);
        let blank = GrayImage {
            width: 320,
            height: 240,
            pixels: vec![90; 320 * 240],
        };
        for (name, frame) in [("card.png", &card), ("blank.png", &blank)] {
            image::GrayImage::from_raw(frame.width, frame.height, frame.pixels.clone())
                .unwrap()
                .save(dir.join(name))
                .unwrap();
        }
        let listing = br#"[
            { "file": "card.png", "size": "320x240", "card": true },
            { "file": "blank.png", "size": "320x240", "card": false }
        ]"#;
        let json: serde_json::Value =
            serde_json::from_str(&scene_detection_json(&dir, listing).unwrap()).unwrap();
        let size = &json["320x240"];
        assert_eq!(size["with_card_claimed"], 1, "{json}");
        assert_eq!(size["without_card_claimed"], 0, "{json}");
        assert_eq!(size["with_card_frames"], 1, "{json}");
        assert!(size["without_card_ms_median"].as_f64().unwrap() > 0.0);
        // A frame under 960 px is searched at full detail either way: the same cards.
        assert_eq!(size["still_with_card_claimed"], 1, "{json}");
        assert_eq!(size["still_without_card_claimed"], 0, "{json}");
        // One frame of each kind: its time is both the median and the mean.
        assert_eq!(
            size["with_card_ms_mean"], size["with_card_ms_median"],
            "{json}"
        );
        let unreadable = br#"[{ "file": "absent.png", "size": "320x240", "card": true }]"#;
        assert!(scene_detection_json(&dir, unreadable)
            .unwrap_err()
            .contains("absent.png"));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
