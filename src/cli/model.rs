//! `loupe model KIND …`: writes one dimensioned GLB: a loose stone, a band, or any piece of the
//! catalogue with its parameters changed.

use super::args::Args;
use super::CliError;
use crate::jewelry::band::{Band, Profile};
use crate::jewelry::catalogue::{self, RingSpec};
use crate::jewelry::cut::{Gem, Shape};
use crate::jewelry::glb::{write_glb, write_model, GlbPart};
use crate::jewelry::metal::{Finish, Metal};
use crate::jewelry::piece::{Piece, Variant};
use crate::jewelry::setting::check_head;
use crate::math::ring_size::parse_spec;
use std::path::PathBuf;

pub const USAGE: &str = "\
  loupe model stone --cut round-brilliant|princess|emerald|oval|pear|cushion --carat 1.0
                    [--gem diamond|sapphire|ruby|emerald|cubic-zirconia|moissanite] --out FILE.glb
  loupe model band --size us:7 [--width 2.0] [--thickness 1.6]
                   [--profile flat|d-shape|comfort-fit|knife-edge] 
  loupe model solitaire --size us:7 [--cut C] [--gem G] [--carat 1.0] [--prongs 4|6] [--head MM]
  loupe model halo --size us:7 [--carat 0.75] [--melee 1.3]
  loupe model eternity --size us:7 [--stone-diameter 2.2]
  loupe model three-stone --size us:7 [--carat 1.0]
  loupe model stud [--carat 0.5]
  loupe model hoop [--diameter 20] [--wire 2]
  loupe model pendant [--carat 0.5] [--chain 457.2]
  loupe model bangle [--wrist 160] [--wire 3.5]
  every kind but stone takes --out FILE.glb, --finish polished|brushed and --metal M[,M…] (the first
  is the default look, more become KHR_materials_variants): yellow-gold, rose-gold, white-gold,
  platinum, silver, palladium, titanium";

fn parse_gem(s: &str) -> Result<Gem, CliError> {
    Gem::ALL
        .into_iter()
        .find(|g| g.key() == s)
        .ok_or_else(|| CliError::Usage(format!("--gem {s:?} is unknown; use diamond, sapphire, ruby, emerald, cubic-zirconia or moissanite")))
}

/// `--cut`, round brilliant by default.
fn parse_cut(a: &Args) -> Result<Shape, CliError> {
    a.get("cut")
        .unwrap_or("round-brilliant")
        .parse()
        .map_err(|e| usage(format!("--cut: {e}")))
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

fn usage(e: impl std::fmt::Display) -> CliError {
    CliError::Usage(e.to_string())
}

/// `--metal a,b,c` as variants (polished, or brushed with `--brushed`).
fn variants(a: &Args, default: Metal) -> Result<Vec<Variant>, CliError> {
    let finish = match a.get("finish").unwrap_or("polished") {
        "polished" => Finish::Polished,
        "brushed" => Finish::Brushed,
        other => {
            return Err(usage(format!(
                "--finish {other:?} is unknown; use polished or brushed"
            )))
        }
    };
    let list = a.get("metal").map_or_else(
        || Ok(vec![default]),
        |s| {
            s.split(',')
                .map(|m| {
                    m.parse::<Metal>()
                        .map_err(|e| usage(format!("--metal: {e}")))
                })
                .collect::<Result<Vec<_>, _>>()
        },
    )?;
    Ok(list
        .into_iter()
        .map(|m| Variant {
            name: match finish {
                Finish::Polished => m.key().to_owned(),
                Finish::Brushed => format!("{}-brushed", m.key()),
            },
            finish,
            ..Variant::metal(m)
        })
        .collect())
}

fn ring_spec(a: &Args, width: f64, thickness: f64, profile: &str) -> Result<RingSpec, CliError> {
    let (system, size) =
        parse_spec(a.get("size").unwrap_or("us:7")).map_err(|e| usage(format!("--size: {e}")))?;
    Ok(RingSpec {
        system,
        size,
        width_mm: a.float("width", width)?,
        thickness_mm: a.float("thickness", thickness)?,
        profile: parse_profile(a.get("profile").unwrap_or(profile))?,
    })
}

fn stone(a: &Args) -> Result<(Vec<u8>, String), CliError> {
    let cut = parse_cut(a)?;
    let gem = parse_gem(a.get("gem").unwrap_or("diamond"))?;
    let carat = a.float("carat", 1.0)?;
    let stone = cut
        .polyhedron_for_carat(carat, gem.density_g_cm3())
        .map_err(usage)?;
    let (min, max) = stone.bounds_mm();
    let size = max - min;
    let summary = format!(
        "{carat} ct {} {cut}, {:.2} × {:.2} × {:.2} mm",
        gem.key(),
        size.x,
        size.z,
        size.y
    );
    let placed = crate::jewelry::piece::PlacedStone::place("stone", &stone, gem, cut.key(), |p| p);
    let part = GlbPart {
        extras: Some(placed.extras()),
        ..GlbPart::new(
            &format!("{cut} {}", gem.key()),
            stone.mesh(),
            gem.part_material(size.y),
        )
    };
    Ok((write_glb(&[part]), summary))
}

fn piece(kind: &str, a: &Args) -> Result<Piece, CliError> {
    let number = |name: &str, default: f64| a.float(name, default);
    let p = match kind {
        "band" => {
            let ring = ring_spec(a, 2.0, 1.6, "comfort-fit")?;
            // The band alone checks its own ranges with the names of these flags.
            Band::for_size(ring.system, &ring.size, ring.width_mm, ring.thickness_mm, ring.profile)
                .map_err(|e| usage(format!("--size/--width/--thickness: {e}")))?;
            catalogue::plain_band(&ring, variants(a, Metal::Platinum)?)
        }
        "solitaire" => {
            let ring = ring_spec(a, 2.0, 1.7, "comfort-fit")?;
            let cut = parse_cut(a)?;
            let gem = parse_gem(a.get("gem").unwrap_or("diamond"))?;
            let carat = number("carat", 1.0)?;
            if let Some(head) = a.get("head") {
                let head_mm: f64 = head
                    .parse()
                    .map_err(|_| usage(format!("--head {head:?} is not a number of mm")))?;
                let solid = cut
                    .polyhedron_for_carat(carat, gem.density_g_cm3())
                    .map_err(usage)?;
                check_head(&solid, head_mm).map_err(|e| usage(format!("--head: {e}")))?;
            }
            let prongs = number("prongs", 6.0)?;
            if prongs != prongs.round() {
                return Err(usage(format!("--prongs {prongs} must be a whole number, 3..=8")));
            }
            catalogue::solitaire(
                &ring,
                cut,
                gem,
                carat,
                prongs.max(0.0) as usize,
                variants(a, Metal::Platinum)?,
            )
        }
        "halo" => catalogue::halo(
            &ring_spec(a, 2.0, 1.7, "comfort-fit")?,
            number("carat", 0.75)?,
            number("melee", 1.3)?,
            variants(a, Metal::WhiteGold)?,
        ),
        "eternity" => catalogue::eternity(
            &ring_spec(a, 2.0, 1.4, "comfort-fit")?,
            number("stone-diameter", 2.2)?,
            variants(a, Metal::Platinum)?,
        ),
        "three-stone" => catalogue::three_stone(
            &ring_spec(a, 2.2, 1.8, "comfort-fit")?,
            number("carat", 1.0)?,
            variants(a, Metal::Platinum)?,
        ),
        "stud" => catalogue::stud(number("carat", 0.5)?, variants(a, Metal::WhiteGold)?),
        "hoop" => catalogue::hoop(
            number("diameter", 20.0)?,
            number("wire", 2.0)?,
            variants(a, Metal::YellowGold)?,
        ),
        "pendant" => catalogue::pendant(
            number("carat", 0.5)?,
            number("chain", 457.2)?,
            variants(a, Metal::Silver)?,
        ),
        "bangle" => catalogue::bangle(
            number("wrist", 160.0)?,
            number("wire", 3.5)?,
            variants(a, Metal::Silver)?,
        ),
        other => {
            return Err(usage(format!(
                "model kind {other:?} is unknown; use stone, band, solitaire, halo, eternity, three-stone, stud, hoop, pendant or bangle:\n{USAGE}"
            )))
        }
    };
    p.map_err(|e| match (kind, &e) {
        // Name the flag for the band's own parameters.
        (_, catalogue::PieceError::Band(b)) => usage(format!("--size/--width/--thickness: {b}")),
        _ => usage(e),
    })
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
            "metal",
            "finish",
            "prongs",
            "head",
            "melee",
            "stone-diameter",
            "diameter",
            "wire",
            "wrist",
            "chain",
            "out",
        ],
    )?;
    let kind = match a.positional.as_slice() {
        [kind] => kind.as_str(),
        _ => return Err(usage(format!("model needs one kind:\n{USAGE}"))),
    };
    let out = PathBuf::from(
        a.get("out")
            .ok_or_else(|| usage("model needs --out FILE.glb"))?,
    );
    let (bytes, summary) = if kind == "stone" {
        stone(&a)?
    } else {
        let p = piece(kind, &a)?;
        let summary = format!("{}: {}", p.description, p.dimensions);
        (write_model(&p.model()), summary)
    };
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
