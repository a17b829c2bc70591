//! The native `loupe` command's logic, kept in the library so tests run the same code path.

pub mod args;
pub mod assets;
pub mod bench;
pub mod detect_card;
pub mod images;
pub mod measure_finger;
pub mod model;
pub mod render;
pub mod ring_size;

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error("{0}")]
    Usage(String),
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot write {path}: {reason}")]
    Write { path: PathBuf, reason: String },
    #[error("{path}: {source}")]
    Model {
        path: PathBuf,
        source: crate::asset::AssetError,
    },
    #[error("{path}: {reason}")]
    Image { path: PathBuf, reason: String },
    #[error("{path}: {source}")]
    Environment {
        path: PathBuf,
        source: crate::env::EnvError,
    },
    #[error(transparent)]
    Render(#[from] crate::render::RenderError),
}

pub const USAGE: &str = "\
usage:
  loupe render MODEL.glb|MODEL.gltf --out OUT.png [--size 768x768] [--env ENV.hdr] [--exposure 1.0]
               [--camera-orbit \"THETAdeg PHIdeg RADIUSm\"] [--camera-target \"X Y Z\"] [--fov 45]
               [--background transparent|skybox|#rrggbb|PHOTO.jpg]
               [--gems traced|single|reference] [--gem-bounces 8] [--gem-rays 4] [--sparkle 0.6] [--variant NAME]
  loupe model stone|band|solitaire|halo|eternity|three-stone|stud|hoop|pendant|bangle [options]
              --out FILE.glb     (see `loupe model` for each kind's options)
  loupe detect-card IMAGE        JSON: corners_px, px_per_mm, focal_px, confidence (exit 1: none)
  loupe measure-finger IMAGE --across \"X1,Y1 X2,Y2\" (--px-per-mm F | --card yes)
                                 JSON: width_mm, ring_size per system, uncertainty_us (exit 1: none)
  loupe ring-size SYSTEM:SIZE [--json]   e.g. us:7, uk:N½, eu:54, jp:13, ch:14, in:14, iso:54
  loupe assets --out-dir DIR        regenerate models/: the catalogue, sample ring, studio, README
  loupe bench --out FILE.json [--model MODEL.glb] [--size 768x768] [--runs 5]
              [--hand-landmarks ../shared/data/hands/asl_hand_landmarks_2d.json]
              [--frames target/bench/frames]   (the camera-like frames ./x bench writes)
  loupe help";

/// What a command prints on stdout and the exit code it ends with (0, or 1 for "not found").
#[derive(Debug, PartialEq)]
pub struct Outcome {
    pub stdout: String,
    pub exit_code: i32,
}

impl From<String> for Outcome {
    fn from(stdout: String) -> Self {
        Self {
            stdout,
            exit_code: 0,
        }
    }
}

/// Runs the command line; `Err` is printed as one line and the process exits with code 2.
pub fn run(argv: &[String]) -> Result<Outcome, CliError> {
    match argv.first().map(String::as_str) {
        Some("detect-card") => return detect_card::run(&argv[1..]),
        Some("measure-finger") => return measure_finger::run(&argv[1..]),
        _ => {}
    }
    run_printing(argv).map(Outcome::from)
}

fn run_printing(argv: &[String]) -> Result<String, CliError> {
    match argv.first().map(String::as_str) {
        Some("render") => render::run(&argv[1..]),
        Some("assets") => assets::run(&argv[1..]),
        Some("ring-size") => ring_size::run(&argv[1..]),
        Some("model") => model::run(&argv[1..]),
        Some("bench") => bench::run(&argv[1..]),
        Some("help" | "--help" | "-h") => Ok(USAGE.to_string()),
        Some(other) => Err(CliError::Usage(format!(
            "unknown command {other:?}; try `loupe help`"
        ))),
        None => Err(CliError::Usage("no command given; try `loupe help`".into())),
    }
}
