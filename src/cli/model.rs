//! `loupe model stone|band …`: writes one dimensioned GLB. The full catalogue (settings, earrings,
//! variants) is still to come; stones and bands are exact today.

use super::args::Args;
use super::CliError;
use crate::jewelry::band::{Band, Profile};
use crate::jewelry::cut::{Gem, Shape};
use crate::jewelry::glb::{write_glb, GlbPart};
use crate::jewelry::samples::{metal, PLATINUM_F0};
use crate::math::ring_size::parse_spec;
use std::path::PathBuf;

pub const USAGE: &str = "\
  loupe model stone --cut round-brilliant|princess|emerald|oval|pear|cushion --carat 1.0
                    [--gem diamond|sapphire|ruby|emerald|cubic-zirconia|moissanite] --out FILE.glb
  loupe model band --size us:7 [--width 2.0] [--thickness 1.6]
                   [--profile flat|d-shape|comfort-fit|knife-edge] --out FILE.glb";

fn parse_gem(s: &str) -> Result<Gem, CliError> {
    Gem::ALL
        .into_iter()
        .find(|g| g.key() == s)
        .ok_or_else(|| CliError::Usage(format!("--gem {s:?} is unknown; use diamond, sapphire, ruby, emerald, cubic-zirconia or moissanite")))
}

fn parse_profile(s: &str) -> Result<Profile, CliError> {
    match s {
        "flat" => Ok(Profile::Flat),
        "d-shape" => Ok(Profile::DShape),
        "comfort-fit" => Ok(Profile::ComfortFit),
        "knife-edge" => Ok(Profile::KnifeEdge),
        _ => Err(CliError::Usage(format!(
            "--profile {s:?} is unknown; use flat, d-shape, comfort-fit or knife-edge"
        ))),
    }
}

pub fn run(argv: &[String]) -> Result<String, CliError> {
    let a = Args::parse(
        argv,
        &[
            "cut",
            "carat",
            "gem",
            "size",
            "width",
            "thickness",
            "profile",
            "out",
        ],
    )?;
    let out = PathBuf::from(
        a.get("out")
            .ok_or_else(|| CliError::Usage("model needs --out FILE.glb".into()))?,
    );
    let (part, summary) = match a.positional.as_slice() {
        [kind] if kind == "stone" => {
            let cut: Shape = a
                .get("cut")
                .unwrap_or("round-brilliant")
                .parse()
                .map_err(|e| CliError::Usage(format!("--cut: {e}")))?;
            let gem = parse_gem(a.get("gem").unwrap_or("diamond"))?;
            let carat = a.number("carat", 1.0)? as f64;
            let stone = cut
                .polyhedron_for_carat(carat, gem.density_g_cm3())
                .map_err(|e| CliError::Usage(e.to_string()))?;
            let (min, max) = stone.bounds_mm();
            let size = max - min;
            let summary = format!(
                "{carat} ct {} {cut}, {:.2} × {:.2} × {:.2} mm",
                gem.key(),
                size.x,
                size.z,
                size.y
            );
            (
                GlbPart {
                    name: format!("{cut} {}", gem.key()),
                    mesh: stone.mesh(),
                    material: gem.part_material(),
                    translation_m: [0.0; 3],
                },
                summary,
            )
        }
        [kind] if kind == "band" => {
            let (system, label) = parse_spec(a.get("size").unwrap_or("us:7"))
                .map_err(|e| CliError::Usage(format!("--size: {e}")))?;
            let width_mm = a.number("width", 2.0)? as f64;
            let thickness_mm = a.number("thickness", 1.6)? as f64;
            let profile = parse_profile(a.get("profile").unwrap_or("comfort-fit"))?;
            let band = Band::for_size(system, &label, width_mm, thickness_mm, profile)
                .map_err(|e| CliError::Usage(e.to_string()))?;
            let mesh = band.mesh(128).map_err(|e| CliError::Usage(e.to_string()))?;
            let material = metal("platinum", PLATINUM_F0, 0.12);
            let summary = format!(
                "{system}:{label} band, inner diameter {:.2} mm, {width_mm:.2} × {thickness_mm:.2} mm",
                band.inner_diameter_mm
            );
            (
                GlbPart {
                    name: "band".into(),
                    mesh,
                    material,
                    translation_m: [0.0; 3],
                },
                summary,
            )
        }
        _ => {
            return Err(CliError::Usage(format!(
                "model needs `stone` or `band`:\n{USAGE}"
            )))
        }
    };
    let bytes = write_glb(&[part]);
    std::fs::write(&out, &bytes).map_err(|e| CliError::Write {
        path: out.clone(),
        reason: e.to_string(),
    })?;
    Ok(format!(
        "wrote {} ({} bytes): {summary}",
        out.display(),
        bytes.len()
    ))
}
