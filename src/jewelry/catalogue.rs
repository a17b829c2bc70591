//! The shipped catalogue and the piece builders behind `loupe model`: solitaire, halo, eternity
//! and three-stone rings, plain bands, stud and hoop earrings, pendant, bangle.
//!
//! Axes (glTF: metres, +Y up): a ring's or bangle's axis (finger, forearm) is +Z with the top
//! (the stone) at +Y and the origin on the axis; an earring's origin is where it passes through
//! the lobe, its front faces +Z and it hangs along −Y; a pendant's origin is where the chain
//! passes through the bail, its front faces +Z.

use crate::jewelry::range::{check_range, OutOfRange};
use std::f64::consts::{FRAC_PI_2, PI, TAU};

use glam::{DQuat, DVec2, DVec3, Mat4};
use serde_json::json;

use super::band::{Band, BandError, Profile};
use super::cut::{ConvexPolyhedron, Cut, CutError, Emerald, Gem, RoundBrilliant, Shape};
use super::mesh::MeshData;
use super::metal::{Finish, Metal};
use super::piece::{MetalPart, Piece, PlacedStone, Variant};
use super::search::{bisect, outwards};
use super::setting::{
    corner_azimuths, culet_y_mm, even_azimuths, gallery_rail, prongs, round_bezel, SettingError,
    Wire, PRONG_SEAT_MM,
};
use super::sweep::{circle_mm, lathe_mm};
use crate::math::ring_size::SizeSystem;

/// Why a piece could not be built; every message names the parameter and its valid range.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum PieceError {
    /// A stone parameter.
    #[error(transparent)]
    Cut(#[from] CutError),
    /// A band parameter or ring size.
    #[error(transparent)]
    Band(#[from] BandError),
    /// A setting that cannot hold its stone.
    #[error(transparent)]
    Setting(#[from] SettingError),
    /// A piece parameter outside its range.
    #[error(transparent)]
    OutOfRange(#[from] OutOfRange),
}

/// Smallest ring the builders make: US ½ (12.04 mm); size 0 is refused.
pub const MIN_RING_INNER_DIAMETER_MM: f64 = 12.0;
/// Sides around a ring band.
const BAND_SEGMENTS: u32 = 128;
/// Gap between a culet and the band below it, mm.
const CULET_CLEARANCE_MM: f64 = 0.3;
/// How far prong feet sink into the band, mm.
const PRONG_FOOT_MM: f64 = 0.3;

/// The band a ring is built on.
#[derive(Clone, Debug, PartialEq)]
pub struct RingSpec {
    /// Size system of `size`.
    pub system: SizeSystem,
    /// Size label, e.g. `7` or `N½`.
    pub size: String,
    /// Band width, mm.
    pub width_mm: f64,
    /// Band thickness, mm.
    pub thickness_mm: f64,
    /// Band profile.
    pub profile: Profile,
}

impl RingSpec {
    /// US 7, 2.0 × 1.7 mm comfort fit: the catalogue's ring.
    pub fn us7() -> RingSpec {
        RingSpec {
            system: SizeSystem::Us,
            size: "7".into(),
            width_mm: 2.0,
            thickness_mm: 1.7,
            profile: Profile::ComfortFit,
        }
    }

    fn band(&self) -> Result<Band, PieceError> {
        let inner = crate::math::ring_size::inner_diameter_mm(self.system, &self.size)
            .map_err(BandError::from)? as f64;
        let inner = (inner * 1e4).round() / 1e4;
        // US 0 (11.63 mm) is the bottom of the US table, not a ring anyone can wear.
        check_range(
            "inner_diameter_mm (ring size)",
            inner,
            MIN_RING_INNER_DIAMETER_MM,
            30.0,
        )?;
        Ok(Band::for_size(
            self.system,
            &self.size,
            self.width_mm,
            self.thickness_mm,
            self.profile,
        )?)
    }
}

fn ring_facts(spec: &RingSpec, band: &Band) -> serde_json::Value {
    json!({
        "ring_size": format!("{} {}", spec.system.key(), spec.size),
        "inner_diameter_mm": (band.inner_diameter_mm * 1000.0).round() / 1000.0,
        "axis": "+Z along the finger, +Y to the top of the ring",
    })
}

/// Radius of the band's top (outer surface at the crown), mm.
fn band_top_mm(band: &Band) -> f64 {
    0.5 * band.inner_diameter_mm + band.thickness_mm
}

/// Rigid motion taking a stone-space head (girdle at the origin, table +Y) to ring space, its
/// girdle at `radius_mm` from the finger axis and turned `angle_rad` about +Z from the top.
fn on_ring(radius_mm: f64, angle_rad: f64) -> impl Fn(DVec3) -> DVec3 + Copy {
    let q = DQuat::from_rotation_z(angle_rad);
    move |p| q * (p + DVec3::Y * radius_mm)
}

/// The matrix of a rigid motion given in mm, acting on metres.
fn to_mat4(f: impl Fn(DVec3) -> DVec3) -> Mat4 {
    // Recover the rotation from the images of the basis; the translation is rescaled to metres.
    let o = f(DVec3::ZERO);
    let col = |v: DVec3| (f(v) - o).as_vec3().extend(0.0);
    Mat4::from_cols(
        col(DVec3::X),
        col(DVec3::Y),
        col(DVec3::Z),
        (o * 1e-3).as_vec3().extend(1.0),
    )
}

/// A mesh built in stone space, mm, placed by a rigid motion in mm.
fn placed(mesh: &MeshData, f: impl Fn(DVec3) -> DVec3) -> MeshData {
    mesh.transformed(&to_mat4(f))
}

fn merged(meshes: impl IntoIterator<Item = MeshData>) -> MeshData {
    let mut all = MeshData::default();
    for m in meshes {
        all.append(&m);
    }
    all
}

/// A prong head for one stone, in stone space: prongs from below the culet to claws on the crown,
/// and a gallery rail around the pavilion.
struct Head {
    prongs: Vec<Wire>,
    rail: Wire,
}

fn head(stone: &ConvexPolyhedron, azimuths: &[f64], prong_radius_mm: f64) -> Head {
    let culet = culet_y_mm(stone);
    let base = culet - CULET_CLEARANCE_MM - PRONG_FOOT_MM;
    Head {
        prongs: prongs(
            stone,
            azimuths,
            prong_radius_mm,
            base,
            0.9 * prong_radius_mm,
        ),
        rail: gallery_rail(stone, 0.45 * culet, 0.7 * prong_radius_mm, 0.08),
    }
}

/// Prong radius for a stone of girdle `diameter_mm`: about 7 % of it, 0.3–0.6 mm.
fn prong_radius_for(diameter_mm: f64) -> f64 {
    (0.07 * diameter_mm).clamp(0.3, 0.6)
}

/// Collects wires and stones while a piece is assembled.
#[derive(Default)]
struct Assembly {
    wires: Vec<Wire>,
    stones: Vec<PlacedStone>,
}

impl Assembly {
    /// Adds a stone held by `holders` (wires in stone space), all placed by `f`.
    fn stone_with(
        &mut self,
        mut stone: PlacedStone,
        holders: Vec<Wire>,
        others: Vec<Wire>,
        f: impl Fn(DVec3) -> DVec3 + Copy,
    ) {
        for w in holders {
            stone.held_by.push(self.wires.len());
            self.wires.push(w.mapped(f));
        }
        for w in others {
            self.wires.push(w.mapped(f));
        }
        self.stones.push(stone);
    }

    fn wire_mesh(&self) -> MeshData {
        merged(self.wires.iter().map(Wire::mesh))
    }
}

/// A solitaire: one stone of `carat` in a `prong_count`-prong head on a band.
pub fn solitaire(
    ring: &RingSpec,
    cut: Shape,
    gem: Gem,
    carat: f64,
    prong_count: usize,
    variants: Vec<Variant>,
) -> Result<Piece, PieceError> {
    check_range("prongs", prong_count as f64, 3.0, 8.0)?;
    let band = ring.band()?;
    let stone = cut.polyhedron_for_carat(carat, gem.density_g_cm3())?;
    let diameter = super::setting::girdle_diameter_mm(&stone);
    let azimuths = if cut == Shape::RoundBrilliant || prong_count != 4 {
        even_azimuths(prong_count, PI / prong_count as f64)
    } else {
        corner_azimuths(&stone)
    };
    let h = head(&stone, &azimuths, prong_radius_for(diameter));
    let at = on_ring(
        band_top_mm(&band) + CULET_CLEARANCE_MM - culet_y_mm(&stone),
        0.0,
    );
    let mut asm = Assembly::default();
    let placed_stone = PlacedStone::place("stone", &stone, gem, cut.key(), at);
    let summary = format!(
        "{:.2} ct {} {}, {:.2} × {:.2} mm",
        placed_stone.carat,
        gem.key(),
        cut.key(),
        placed_stone.girdle_mm[0],
        placed_stone.girdle_mm[1]
    );
    asm.stone_with(placed_stone, h.prongs, vec![h.rail], at);
    let details = format!(
        "{summary}; band {:.1} × {:.1} mm",
        ring.width_mm, ring.thickness_mm
    );
    let head = asm.wire_mesh();
    ring_piece(
        ring,
        ("band", &band),
        format!("{prong_count}-prong solitaire ring"),
        details,
        Some(("head", head)),
        asm,
        variants,
    )
}

/// A plain band.
pub fn plain_band(ring: &RingSpec, variants: Vec<Variant>) -> Result<Piece, PieceError> {
    let band = ring.band()?;
    ring_piece(
        ring,
        ("band", &band),
        format!("plain band, {} profile", profile_name(ring.profile)),
        format!(
            "{:.1} mm wide, {:.1} mm thick",
            ring.width_mm, ring.thickness_mm
        ),
        None,
        Assembly::default(),
        variants,
    )
}

/// A ring piece: `band` (named as given) with `head` on it, the stones and wires of `asm`, and
/// dimensions that start with the inner diameter and size, then `details`.
fn ring_piece(
    ring: &RingSpec,
    (band_name, band): (&str, &Band),
    description: String,
    details: String,
    head: Option<(&str, MeshData)>,
    asm: Assembly,
    variants: Vec<Variant>,
) -> Result<Piece, PieceError> {
    let mut metal = vec![MetalPart {
        name: band_name.into(),
        mesh: band.mesh(BAND_SEGMENTS)?,
    }];
    if let Some((name, mesh)) = head {
        metal.push(MetalPart {
            name: name.into(),
            mesh,
        });
    }
    Ok(Piece {
        kind: "ring",
        description,
        dimensions: format!(
            "inner diameter {:.2} mm ({} {}); {details}",
            band.inner_diameter_mm,
            ring.system.key(),
            ring.size
        ),
        metal,
        wires: asm.wires,
        stones: asm.stones,
        variants,
        facts: ring_facts(ring, band),
    })
}

/// The profile's name as `loupe model` spells it.
pub fn profile_name(p: Profile) -> &'static str {
    match p {
        Profile::Flat => "flat",
        Profile::DShape => "d-shape",
        Profile::ComfortFit => "comfort-fit",
        Profile::KnifeEdge => "knife-edge",
    }
}

/// Finds the bead centre on the ray `from + t·dir`, t ≥ 0, where the nearest of `stones` is
/// `radius − seat` away: a bead that touches its neighbours.
fn bead_centre(stones: &[&ConvexPolyhedron], from: DVec3, dir: DVec3, radius_mm: f64) -> DVec3 {
    let target = radius_mm - PRONG_SEAT_MM;
    let d = |t: f64| {
        stones
            .iter()
            .map(|s| s.signed_distance_mm(from + dir * t))
            .fold(f64::INFINITY, f64::min)
    };
    from + dir * outwards(100.0, |t| d(t) < target).1
}

/// A halo ring: a centre round brilliant in four prongs, ringed by melee held by shared beads on
/// a halo frame.
pub fn halo(
    ring: &RingSpec,
    centre_carat: f64,
    melee_diameter_mm: f64,
    variants: Vec<Variant>,
) -> Result<Piece, PieceError> {
    check_range("melee_diameter_mm", melee_diameter_mm, 0.8, 3.0)?;
    let band = ring.band()?;
    let gem = Gem::Diamond;
    let centre = Shape::RoundBrilliant.polyhedron_for_carat(centre_carat, gem.density_g_cm3())?;
    let r_centre = 0.5 * super::setting::girdle_diameter_mm(&centre);
    let prong_r = prong_radius_for(2.0 * r_centre);
    let h = head(&centre, &even_azimuths(4, PI / 4.0), prong_r);

    let melee = RoundBrilliant {
        diameter_mm: melee_diameter_mm,
        ..Default::default()
    }
    .polyhedron()?;
    let r_melee = 0.5 * melee_diameter_mm;
    let halo_y = -0.5;
    let halo_radius = r_centre + 2.0 * prong_r + 0.15 + r_melee;
    let count = (TAU * halo_radius / (2.0 * r_melee + 0.15)).floor() as usize;
    let step = TAU / count as f64;
    let melee_at = |k: usize| {
        let a = step * k as f64;
        let c = DVec3::new(a.cos() * halo_radius, halo_y, -a.sin() * halo_radius);
        move |p: DVec3| p + c
    };
    let melee_solids: Vec<ConvexPolyhedron> = (0..count)
        .map(|k| melee.mapped(melee_at(k), false))
        .collect();
    let bead_r = 0.38 * r_melee;
    let frame_top = halo_y + culet_y_mm(&melee) - 0.1;
    let mut beads = Vec::new();
    let mut outer = 0.0_f64;
    for k in 0..count {
        let a = step * (k as f64 + 0.5);
        let dir = DVec3::new(a.cos(), 0.0, -a.sin());
        let pair = [&melee_solids[k], &melee_solids[(k + 1) % count]];
        let c = bead_centre(&pair, dir * halo_radius + DVec3::Y * halo_y, dir, bead_r);
        outer = outer.max(c.length());
        beads.push(Wire {
            path_mm: vec![c, DVec3::new(c.x, frame_top - 0.2, c.z)],
            radius_mm: bead_r,
            closed: false,
        });
    }
    let frame_inner = halo_radius - 0.8 * r_melee;
    let frame_outer = outer.hypot(0.0) + bead_r;
    let frame_profile = [
        DVec2::new(frame_inner, frame_top - 0.6),
        DVec2::new(frame_outer, frame_top - 0.6),
        DVec2::new(frame_outer, frame_top),
        DVec2::new(frame_inner, frame_top),
    ];
    let at = on_ring(
        band_top_mm(&band) + CULET_CLEARANCE_MM - culet_y_mm(&centre),
        0.0,
    );
    // Two struts carry the frame down to the band, along the band (±X).
    let strut_r = 0.35;
    let band_top = band_top_mm(&band);
    let girdle_radius = band_top + CULET_CLEARANCE_MM - culet_y_mm(&centre);
    let struts: Vec<Wire> = [-1.0, 1.0]
        .iter()
        .map(|&s| {
            let x = s * (frame_inner + 0.3);
            // Band surface under x, in stone space, then a little into it.
            let foot_y = (band_top * band_top - x * x).sqrt() - girdle_radius - PRONG_FOOT_MM;
            Wire {
                path_mm: vec![
                    DVec3::new(x, frame_top - 0.3, 0.0),
                    DVec3::new(x, foot_y, 0.0),
                ],
                radius_mm: strut_r,
                closed: false,
            }
        })
        .collect();

    let mut asm = Assembly::default();
    let centre_stone = PlacedStone::place("centre-stone", &centre, gem, "round-brilliant", at);
    let centre_ct = centre_stone.carat;
    asm.stone_with(centre_stone, h.prongs, vec![h.rail], at);
    let first_bead = asm.wires.len();
    for w in &beads {
        asm.wires.push(w.mapped(at));
    }
    for s in struts {
        asm.wires.push(s.mapped(at));
    }
    let mut melee_ct = 0.0;
    for k in 0..count {
        let mut s = PlacedStone::place(
            &format!("halo-stone-{k:02}"),
            &melee,
            gem,
            "round-brilliant",
            |p| at(melee_at(k)(p)),
        );
        // Bead k sits between stone k and k + 1.
        s.held_by = vec![first_bead + k, first_bead + (k + count - 1) % count];
        melee_ct += s.carat;
        asm.stones.push(s);
    }
    let frame = placed(&lathe_mm(&frame_profile, 128), at);
    let details = format!(
        "centre {:.2} ct, {:.2} mm; halo {count} × {:.2} mm ({:.2} ct total)",
        centre_ct,
        2.0 * r_centre,
        melee_diameter_mm,
        melee_ct
    );
    let head = merged([asm.wire_mesh(), frame]);
    ring_piece(
        ring,
        ("band", &band),
        "halo ring: round brilliant in four prongs within a halo of melee".into(),
        details,
        Some(("head", head)),
        asm,
        variants,
    )
}

/// A full eternity band: round brilliants all the way round, held by shared beads on posts.
pub fn eternity(
    ring: &RingSpec,
    stone_diameter_mm: f64,
    variants: Vec<Variant>,
) -> Result<Piece, PieceError> {
    check_range("stone_diameter_mm", stone_diameter_mm, 1.0, 4.0)?;
    let gem = Gem::Diamond;
    let stone = RoundBrilliant {
        diameter_mm: stone_diameter_mm,
        ..Default::default()
    }
    .polyhedron()?;
    let shank = ring.band()?;
    let r_out = band_top_mm(&shank);
    let girdle_radius = r_out + 0.15 - culet_y_mm(&stone);
    let count = (TAU * girdle_radius / (stone_diameter_mm + 0.25)).floor() as usize;
    let step = TAU / count as f64;
    let solids: Vec<ConvexPolyhedron> = (0..count)
        .map(|k| stone.mapped(on_ring(girdle_radius, step * k as f64), false))
        .collect();
    let bead_r = 0.15 * stone_diameter_mm;
    let mut asm = Assembly::default();
    let mut posts = Vec::new();
    let mut widest = 0.0_f64;
    for k in 0..count {
        let pair = [&solids[k], &solids[(k + 1) % count]];
        let gap_dir = on_ring(girdle_radius, step * (k as f64 + 0.5))(DVec3::ZERO);
        for side in [-1.0, 1.0] {
            let c = bead_centre(&pair, gap_dir, DVec3::Z * side, bead_r);
            widest = widest.max(c.z.abs());
            let foot = c.truncate().normalize() * (r_out - PRONG_FOOT_MM);
            posts.push(Wire {
                path_mm: vec![c, DVec3::new(foot.x, foot.y, c.z)],
                radius_mm: bead_r,
                closed: false,
            });
        }
    }
    asm.wires = posts;
    let mut total_ct = 0.0;
    for (k, _) in solids.iter().enumerate() {
        let mut s = PlacedStone::place(
            &format!("stone-{k:02}"),
            &stone,
            gem,
            "round-brilliant",
            on_ring(girdle_radius, step * k as f64),
        );
        let prev = (k + count - 1) % count;
        s.held_by = vec![2 * k, 2 * k + 1, 2 * prev, 2 * prev + 1];
        total_ct += s.carat;
        asm.stones.push(s);
    }
    // The shank is as wide as the bead posts need.
    let shank = Band {
        width_mm: 2.0 * (widest + bead_r),
        ..shank
    };
    shank.validate()?;
    let details = format!(
        "{count} × {stone_diameter_mm:.2} mm ({:.3} ct each, {:.2} ct total); shank {:.2} × {:.1} mm",
        total_ct / count as f64,
        total_ct,
        shank.width_mm,
        shank.thickness_mm
    );
    let beads = asm.wire_mesh();
    ring_piece(
        ring,
        ("shank", &shank),
        "eternity band: round brilliants all round in shared bead prongs".into(),
        details,
        Some(("beads", beads)),
        asm,
        variants,
    )
}

/// Three emerald cuts in corner-prong heads: the centre of `centre_carat`, each side stone half.
pub fn three_stone(
    ring: &RingSpec,
    centre_carat: f64,
    variants: Vec<Variant>,
) -> Result<Piece, PieceError> {
    let band = ring.band()?;
    let gem = Gem::Diamond;
    // Long axis along the finger (+Z), as three-stone rings are worn.
    let turn = |s: ConvexPolyhedron| s.mapped(|p| DVec3::new(p.z, p.y, -p.x), false);
    let sized = |carat: f64| -> Result<ConvexPolyhedron, PieceError> {
        Ok(turn(
            Emerald::default()
                .sized_for_carat(carat, gem.density_g_cm3())?
                .polyhedron()?,
        ))
    };
    let centre = sized(centre_carat)?;
    let side = sized(0.5 * centre_carat)?;
    let band_top = band_top_mm(&band);
    let radius_of = |s: &ConvexPolyhedron| band_top + CULET_CLEARANCE_MM - culet_y_mm(s);
    let half_x = |s: &ConvexPolyhedron| 0.5 * (s.bounds_mm().1.x - s.bounds_mm().0.x);
    let prong_r = prong_radius_for(2.0 * half_x(&side));
    // Turn the side stones about the finger until the girdles are two prongs and a margin apart.
    let wanted_gap = 4.0 * prong_r + 0.1;
    let gap = |angle: f64| {
        let r = radius_of(&side);
        r * angle.sin() - half_x(&side) * angle.cos() - half_x(&centre)
    };
    let (_, side_angle) = bisect(0.0, FRAC_PI_2, 60, |angle| gap(angle) < wanted_gap);
    let mut asm = Assembly::default();
    let mut total = 0.0;
    for (name, solid, angle) in [
        ("centre-stone", &centre, 0.0),
        ("side-stone-left", &side, side_angle),
        ("side-stone-right", &side, -side_angle),
    ] {
        let at = on_ring(radius_of(solid), angle);
        let h = head(solid, &corner_azimuths(solid), prong_r);
        let s = PlacedStone::place(name, solid, gem, "emerald", at);
        total += s.carat;
        asm.stone_with(s, h.prongs, vec![h.rail], at);
    }
    let c = &asm.stones[0];
    let details = format!(
        "centre {:.2} ct {:.2} × {:.2} mm, sides {:.2} ct {:.2} × {:.2} mm; {:.2} ct total",
        c.carat,
        c.girdle_mm[0],
        c.girdle_mm[1],
        asm.stones[1].carat,
        asm.stones[1].girdle_mm[0],
        asm.stones[1].girdle_mm[1],
        total
    );
    let heads = asm.wire_mesh();
    ring_piece(
        ring,
        ("band", &band),
        "three-stone ring: emerald cuts in corner prongs".into(),
        details,
        Some(("heads", heads)),
        asm,
        variants,
    )
}

/// Rigid motion from stone space (table +Y) to an earring or pendant facing +Z, then moved by
/// `offset_mm`.
fn facing_front(offset_mm: DVec3) -> impl Fn(DVec3) -> DVec3 + Copy {
    let q = DQuat::from_rotation_x(FRAC_PI_2);
    move |p| q * p + offset_mm
}

/// A stud earring: a round brilliant in four prongs with a post and a friction back.
pub fn stud(carat: f64, variants: Vec<Variant>) -> Result<Piece, PieceError> {
    let gem = Gem::Diamond;
    let stone = Shape::RoundBrilliant.polyhedron_for_carat(carat, gem.density_g_cm3())?;
    let diameter = super::setting::girdle_diameter_mm(&stone);
    let prong_r = prong_radius_for(diameter);
    let h = head(&stone, &even_azimuths(4, PI / 4.0), prong_r);
    let base = culet_y_mm(&stone) - CULET_CLEARANCE_MM - PRONG_FOOT_MM;
    let post_r = 0.4;
    let post = Wire {
        path_mm: vec![
            DVec3::new(0.0, base + 0.2, 0.0),
            DVec3::new(0.0, base - 10.0, 0.0),
        ],
        radius_mm: post_r,
        closed: false,
    };
    // The lobe sits 1.5 mm behind the head; the back pushes up to 6 mm behind it.
    let lobe_y = base - 1.5;
    let back_y = base - 7.0;
    let back_profile = [
        DVec2::new(post_r, back_y - 0.5),
        DVec2::new(2.8, back_y - 0.5),
        DVec2::new(2.8, back_y),
        DVec2::new(post_r, back_y),
    ];
    let at = facing_front(DVec3::new(0.0, 0.0, -lobe_y));
    let mut asm = Assembly::default();
    let s = PlacedStone::place("stone", &stone, gem, "round-brilliant", at);
    let summary = format!("{:.2} ct, {:.2} mm", s.carat, s.girdle_mm[0]);
    asm.stone_with(s, h.prongs, vec![h.rail, post], at);
    Ok(Piece {
        kind: "earrings",
        description:
            "stud earring (one of a pair): round brilliant in four prongs, post and friction back"
                .into(),
        dimensions: format!("{summary}; post 0.8 × 10 mm; back 5.6 mm"),
        metal: vec![
            MetalPart {
                name: "head".into(),
                mesh: asm.wire_mesh(),
            },
            MetalPart {
                name: "back".into(),
                mesh: placed(&lathe_mm(&back_profile, 64), at),
            },
        ],
        wires: asm.wires,
        stones: asm.stones,
        variants,
        facts: json!({ "pair": true, "axis": "front +Z, hangs along -Y, origin at the piercing" }),
    })
}

/// A hoop earring of `inner_diameter_mm` in `wire_mm` round wire, with a fine post across the
/// opening at the top.
pub fn hoop(
    inner_diameter_mm: f64,
    wire_mm: f64,
    variants: Vec<Variant>,
) -> Result<Piece, PieceError> {
    check_range("inner_diameter_mm", inner_diameter_mm, 8.0, 80.0)?;
    check_range("wire_mm", wire_mm, 1.0, 6.0)?;
    let r = 0.5 * inner_diameter_mm + 0.5 * wire_mm;
    // Centred below the piercing at the top of the hoop.
    let centre = DVec3::new(0.0, -r, 0.0);
    let arc = |from_deg: f64, to_deg: f64, n: usize| -> Vec<DVec3> {
        (0..=n)
            .map(|i| {
                let a = (from_deg + (to_deg - from_deg) * i as f64 / n as f64).to_radians();
                centre + DVec3::new(a.cos(), a.sin(), 0.0) * r
            })
            .collect()
    };
    let body = Wire {
        path_mm: arc(100.0, 440.0, 340),
        radius_mm: 0.5 * wire_mm,
        closed: false,
    };
    let post = Wire {
        path_mm: arc(75.0, 105.0, 30),
        radius_mm: 0.35,
        closed: false,
    };
    let mesh = merged([body.mesh(), post.mesh()]);
    Ok(Piece {
        kind: "earrings",
        description: "hoop earring (one of a pair) with a post across the opening".into(),
        dimensions: format!("inner diameter {inner_diameter_mm:.1} mm; wire {wire_mm:.1} mm"),
        metal: vec![MetalPart {
            name: "hoop".into(),
            mesh,
        }],
        wires: vec![body, post],
        stones: Vec::new(),
        variants,
        facts: json!({ "pair": true, "inner_diameter_mm": inner_diameter_mm, "axis": "front +Z, hangs along -Y, origin at the piercing" }),
    })
}

/// Chain path: from the bail at the origin, up and round the neck and back, `length_mm` long.
/// Shape: `x = A sin φ`, `z = −B (1 − cos φ)`, `y = H (1 − cos φ) / 2`, with the rise `H`
/// solved so the curve has the requested length.
fn chain_path(length_mm: f64) -> Vec<DVec3> {
    let (a, b) = (62.0, 58.0);
    let curve = |h: f64, n: usize| -> Vec<DVec3> {
        (0..n)
            .map(|i| {
                let phi = TAU * i as f64 / n as f64;
                DVec3::new(
                    a * phi.sin(),
                    h * 0.5 * (1.0 - phi.cos()),
                    -b * (1.0 - phi.cos()),
                )
            })
            .collect()
    };
    let length = |h: f64| {
        let p = curve(h, 720);
        (0..p.len())
            .map(|i| p[i].distance(p[(i + 1) % p.len()]))
            .sum::<f64>()
    };
    let (_, rise) = bisect(0.0, 1000.0, 60, |h| length(h) < length_mm);
    curve(rise, 720)
}

/// A pendant: a round brilliant in a bezel with a bail, on a cable chain of `chain_mm`.
pub fn pendant(carat: f64, chain_mm: f64, variants: Vec<Variant>) -> Result<Piece, PieceError> {
    check_range("chain_mm", chain_mm, 380.0, 1000.0)?;
    let gem = Gem::Diamond;
    let stone = Shape::RoundBrilliant.polyhedron_for_carat(carat, gem.density_g_cm3())?;
    let wall = 0.6;
    let (bezel, inner) = round_bezel(&stone, wall, 0.9, 0.35, 128);
    let outer = inner + wall;
    // Stone space: the bezel's axis is +Y; after `facing_front` it is +Z and stone-space −Z is +Y
    // (up), so the bail sits at stone-space −Z.
    let bail_r = 1.6;
    let bail_wire = 0.45;
    let chain_r = 0.5;
    // Its lowest point sinks into the bezel wall and stays 0.05 mm outside the girdle.
    let bail_centre_up = outer + bail_r - 0.1;
    // The chain passes through the top of the bail: its axis touches the bail's inner edge.
    let chain_y = bail_centre_up + bail_r - bail_wire - chain_r;
    let at = facing_front(DVec3::new(0.0, -chain_y, 0.0));
    let bail = Wire {
        // A loop in the plane across the chain: stone-space Y (front) and −Z (up).
        path_mm: circle_mm(
            DVec3::new(0.0, 0.0, -bail_centre_up),
            DVec3::Y,
            DVec3::Z,
            bail_r,
            48,
        ),
        radius_mm: bail_wire,
        closed: true,
    };
    let chain = Wire {
        path_mm: chain_path(chain_mm),
        radius_mm: chain_r,
        closed: true,
    };
    let mut asm = Assembly::default();
    let s = PlacedStone::place("stone", &stone, gem, "round-brilliant", at);
    let summary = format!("{:.2} ct, {:.2} mm", s.carat, s.girdle_mm[0]);
    asm.stone_with(s, Vec::new(), vec![bail], at);
    let chain_index = asm.wires.len();
    asm.wires.push(chain);
    let bezel_mesh = placed(&bezel, at);
    Ok(Piece {
        kind: "pendant",
        description: "pendant: round brilliant in a bezel with a bail, on a cable chain".into(),
        dimensions: format!(
            "{summary}; bezel {:.2} mm outside; chain {chain_mm:.0} mm, {:.1} mm thick",
            2.0 * outer,
            2.0 * chain_r
        ),
        metal: vec![
            MetalPart {
                name: "bezel".into(),
                mesh: merged([bezel_mesh, asm.wires[0].mesh()]),
            },
            MetalPart {
                name: "chain".into(),
                mesh: asm.wires[chain_index].mesh(),
            },
        ],
        wires: asm.wires,
        stones: asm.stones,
        variants,
        facts: json!({
            "chain_mm": chain_mm,
            "bezel_inner_diameter_mm": (2000.0 * inner).round() / 1000.0,
            "axis": "front +Z, up +Y, origin where the chain passes through the bail",
        }),
    })
}

/// Inner diameter of a round bangle for a wrist of `wrist_mm` circumference: the wrist's
/// diameter plus 12 mm to slip over the hand (a common jeweller's rule of thumb).
pub fn bangle_inner_diameter_mm(wrist_mm: f64) -> f64 {
    wrist_mm / PI + 12.0
}

/// A round wire bangle sized for a wrist of `wrist_mm` circumference.
pub fn bangle(wrist_mm: f64, wire_mm: f64, variants: Vec<Variant>) -> Result<Piece, PieceError> {
    check_range("wrist_mm", wrist_mm, 120.0, 250.0)?;
    check_range("wire_mm", wire_mm, 1.5, 10.0)?;
    let inner = bangle_inner_diameter_mm(wrist_mm);
    let r = 0.5 * inner + 0.5 * wire_mm;
    let wire = Wire {
        path_mm: circle_mm(DVec3::ZERO, DVec3::X, DVec3::Y, r, 256),
        radius_mm: 0.5 * wire_mm,
        closed: true,
    };
    Ok(Piece {
        kind: "bracelet",
        description: "round wire bangle".into(),
        dimensions: format!(
            "for a {wrist_mm:.0} mm wrist: inner diameter {inner:.1} mm; wire {wire_mm:.1} mm"
        ),
        metal: vec![MetalPart {
            name: "bangle".into(),
            mesh: wire.mesh(),
        }],
        wires: vec![wire],
        stones: Vec::new(),
        variants,
        facts: json!({
            "wrist_mm": wrist_mm,
            "inner_diameter_mm": (inner * 1000.0).round() / 1000.0,
            "axis": "+Z along the forearm",
        }),
    })
}

/// One catalogue file.
pub struct Entry {
    /// File name in `models/`.
    pub file: &'static str,
    /// The piece.
    pub piece: Piece,
}

fn metals(list: &[Metal]) -> Vec<Variant> {
    list.iter().map(|&m| Variant::metal(m)).collect()
}

/// The shipped catalogue, in `models/README.md` order.
pub fn catalogue() -> Result<Vec<Entry>, PieceError> {
    let us7 = RingSpec::us7();
    let band = |profile: Profile, width_mm: f64, thickness_mm: f64| RingSpec {
        width_mm,
        thickness_mm,
        profile,
        ..us7.clone()
    };
    let brushed_too = |m: Metal| {
        vec![
            Variant::metal(m),
            Variant {
                name: format!("{}-brushed", m.key()),
                finish: Finish::Brushed,
                ..Variant::metal(m)
            },
        ]
    };
    Ok(vec![
        Entry {
            file: "solitaire-us7-1ct.glb",
            piece: solitaire(
                &us7,
                Shape::RoundBrilliant,
                Gem::Diamond,
                1.0,
                6,
                metals(&[Metal::Platinum, Metal::YellowGold]),
            )?,
        },
        Entry {
            file: "band-flat-us7.glb",
            piece: plain_band(&band(Profile::Flat, 4.0, 1.6), brushed_too(Metal::Platinum))?,
        },
        Entry {
            file: "band-d-shape-us7.glb",
            piece: plain_band(
                &band(Profile::DShape, 3.0, 1.8),
                metals(&[Metal::YellowGold, Metal::RoseGold, Metal::WhiteGold]),
            )?,
        },
        Entry {
            file: "band-comfort-fit-us7.glb",
            piece: plain_band(
                &band(Profile::ComfortFit, 5.0, 2.0),
                brushed_too(Metal::Titanium),
            )?,
        },
        Entry {
            file: "halo-us7.glb",
            piece: halo(
                &us7,
                0.75,
                1.3,
                metals(&[Metal::WhiteGold, Metal::RoseGold]),
            )?,
        },
        Entry {
            file: "eternity-us7.glb",
            piece: eternity(
                &band(Profile::ComfortFit, 2.0, 1.4),
                2.2,
                vec![
                    Variant::metal(Metal::Platinum),
                    Variant {
                        name: "platinum-sapphire".into(),
                        gem: Some(Gem::Sapphire),
                        ..Variant::metal(Metal::Platinum)
                    },
                    Variant {
                        name: "platinum-ruby".into(),
                        gem: Some(Gem::Ruby),
                        ..Variant::metal(Metal::Platinum)
                    },
                ],
            )?,
        },
        Entry {
            file: "three-stone-emerald-us7.glb",
            piece: three_stone(
                &band(Profile::ComfortFit, 2.2, 1.8),
                1.0,
                vec![
                    Variant::metal(Metal::Platinum),
                    Variant::metal(Metal::YellowGold),
                    Variant {
                        name: "platinum-emerald".into(),
                        gem: Some(Gem::Emerald),
                        ..Variant::metal(Metal::Platinum)
                    },
                ],
            )?,
        },
        Entry {
            file: "stud-earring-0.5ct.glb",
            piece: stud(0.5, metals(&[Metal::WhiteGold, Metal::YellowGold]))?,
        },
        Entry {
            file: "hoop-earring-20mm.glb",
            piece: hoop(20.0, 2.0, metals(&[Metal::YellowGold, Metal::Silver]))?,
        },
        Entry {
            file: "pendant-bezel-0.5ct.glb",
            piece: pendant(0.5, 457.2, metals(&[Metal::Silver, Metal::YellowGold]))?,
        },
        Entry {
            file: "bangle-160mm.glb",
            piece: bangle(160.0, 3.5, metals(&[Metal::Silver, Metal::Palladium]))?,
        },
    ])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jewelry::setting::CONTACT_TOLERANCE_MM;

    fn pieces() -> Vec<Entry> {
        catalogue().expect("the catalogue builds")
    }

    #[test]
    fn every_stone_is_held_and_nothing_cuts_into_a_stone() {
        let (mut lo, mut hi, mut contacts) = (f64::INFINITY, f64::NEG_INFINITY, 0);
        for e in pieces() {
            let p = &e.piece;
            for (i, s) in p.stones.iter().enumerate() {
                let bezel = p.description.contains("bezel");
                assert!(
                    bezel || s.held_by.len() >= 3 || (p.kind == "ring" && s.held_by.len() >= 2),
                    "{}: {} is held by {} wires",
                    e.file,
                    s.name,
                    s.held_by.len()
                );
                for &w in &s.held_by {
                    let gap = p.wires[w].gap_to_mm(&s.solid_mm);
                    (lo, hi, contacts) = (lo.min(gap), hi.max(gap), contacts + 1);
                    assert!(
                        gap.abs() <= CONTACT_TOLERANCE_MM,
                        "{}: wire {w} holding {} is {gap:.3} mm off",
                        e.file,
                        s.name
                    );
                }
                for (w, wire) in p.wires.iter().enumerate() {
                    let gap = wire.gap_to_mm(&s.solid_mm);
                    assert!(
                        gap >= -CONTACT_TOLERANCE_MM,
                        "{}: wire {w} cuts {gap:.3} mm into {}",
                        e.file,
                        s.name
                    );
                }
                for other in &p.stones[i + 1..] {
                    let deepest = other
                        .solid_mm
                        .faces_mm
                        .iter()
                        .flatten()
                        .map(|v| s.solid_mm.signed_distance_mm(*v))
                        .fold(f64::INFINITY, f64::min);
                    assert!(
                        deepest > 0.0,
                        "{}: {} overlaps {}",
                        e.file,
                        s.name,
                        other.name
                    );
                }
            }
        }
        eprintln!("{contacts} prong and bead contacts: gap {lo:.4} to {hi:.4} mm");
    }

    #[test]
    fn ring_stones_clear_the_band_and_prong_feet_stand_in_it() {
        for e in pieces().into_iter().filter(|e| e.piece.kind == "ring") {
            let p = &e.piece;
            let inner = p.facts["inner_diameter_mm"].as_f64().unwrap() / 2.0;
            let outer_max = inner + 2.5;
            for s in &p.stones {
                let lowest = s
                    .solid_mm
                    .faces_mm
                    .iter()
                    .flatten()
                    .map(|v| v.truncate().length())
                    .fold(f64::INFINITY, f64::min);
                assert!(
                    lowest > inner + 1.2,
                    "{}: {} dips to r = {lowest:.2}",
                    e.file,
                    s.name
                );
            }
            // Prongs and bead posts stand in the band (a halo's beads stand in its frame).
            let prongs = p
                .stones
                .iter()
                .filter(|s| !s.name.starts_with("halo-"))
                .flat_map(|s| s.held_by.iter().copied());
            for w in prongs {
                let foot = *p.wires[w].path_mm.last().unwrap();
                let r = foot.truncate().length();
                assert!(
                    r > inner && r < outer_max,
                    "{}: wire {w} ends at r = {r:.2}, not in the band",
                    e.file
                );
            }
        }
    }

    #[test]
    fn dimensions_are_what_the_catalogue_says() {
        let all = pieces();
        let find = |f: &str| &all.iter().find(|e| e.file == f).unwrap().piece;
        let solitaire = find("solitaire-us7-1ct.glb");
        assert_eq!(solitaire.stones.len(), 1);
        let s = &solitaire.stones[0];
        assert!((s.carat - 1.0).abs() < 1e-9);
        assert!((6.4..=6.5).contains(&s.girdle_mm[0]), "{:?}", s.girdle_mm);
        assert!((solitaire.facts["inner_diameter_mm"].as_f64().unwrap() - 17.32).abs() < 0.01);
        assert_eq!(solitaire.variants.len(), 2);

        let three = find("three-stone-emerald-us7.glb");
        assert!((three.stones[0].carat - 1.0).abs() < 1e-9);
        assert!((three.stones[1].carat - 0.5).abs() < 1e-9);

        let bangle = find("bangle-160mm.glb");
        let b = bangle.metal[0].mesh.bounds();
        let inner_mm = (b.max.x - b.min.x) as f64 * 1000.0 - 2.0 * 3.5;
        assert!(
            (inner_mm - bangle_inner_diameter_mm(160.0)).abs() < 0.05,
            "{inner_mm}"
        );

        let pendant = find("pendant-bezel-0.5ct.glb");
        let chain = pendant.wires.last().unwrap();
        let n = chain.path_mm.len();
        let length: f64 = (0..n)
            .map(|i| chain.path_mm[i].distance(chain.path_mm[(i + 1) % n]))
            .sum();
        assert!((length - 457.2).abs() < 0.5, "{length}");

        let hoop = find("hoop-earring-20mm.glb");
        let b = hoop.metal[0].mesh.bounds();
        let inner_mm = (b.max.x - b.min.x) as f64 * 1000.0 - 2.0 * 2.0;
        assert!((inner_mm - 20.0).abs() < 0.05, "{inner_mm}");
    }

    #[test]
    fn bad_requests_name_the_parameter() {
        let us7 = RingSpec::us7();
        let err =
            solitaire(&us7, Shape::RoundBrilliant, Gem::Diamond, -1.0, 4, vec![]).unwrap_err();
        assert!(err.to_string().contains("carat"), "{err}");
        let err = hoop(2.0, 2.0, vec![]).unwrap_err();
        assert!(err.to_string().contains("inner_diameter_mm"), "{err}");
        let zero = RingSpec {
            size: "0".into(),
            ..us7.clone()
        };
        let err = plain_band(&zero, vec![]).unwrap_err();
        assert!(err.to_string().contains("ring size"), "{err}");
        let err = bangle(20.0, 3.0, vec![]).unwrap_err();
        assert!(err.to_string().contains("wrist_mm"), "{err}");
        let err =
            solitaire(&us7, Shape::RoundBrilliant, Gem::Diamond, 1.0, 12, vec![]).unwrap_err();
        assert!(err.to_string().contains("prongs"), "{err}");
    }
}
