//! Assembling a piece: metal and stone parts in one model space, material variants, and the
//! metadata a renderer or tracker needs (`extras`), kept with the exact solids for checking.

use glam::DVec3;
use serde_json::{json, Value};

use super::cut::{ConvexPolyhedron, Gem};
use super::glb::{GlbModel, GlbPart};
use super::mesh::MeshData;
use super::metal::{Finish, Metal};
use super::setting::Wire;

/// One look of a piece: which metal, finish and (optionally) which stone.
#[derive(Clone, Debug, PartialEq)]
pub struct Variant {
    /// KHR_materials_variants name.
    pub name: String,
    /// Metal of every metal part.
    pub metal: Metal,
    /// Finish of every metal part.
    pub finish: Finish,
    /// Gem of every stone; `None` keeps each stone's own gem.
    pub gem: Option<Gem>,
}

impl Variant {
    /// A polished variant in `metal`, named after it, stones unchanged.
    pub fn metal(metal: Metal) -> Variant {
        Variant {
            name: metal.key().to_owned(),
            metal,
            finish: Finish::Polished,
            gem: None,
        }
    }
}

/// A stone placed in the piece: its exact solid in piece space (mm) and what it is.
#[derive(Clone, Debug, PartialEq)]
pub struct PlacedStone {
    /// Part name.
    pub name: String,
    /// The solid, mm, in piece space.
    pub solid_mm: ConvexPolyhedron,
    /// Default gem.
    pub gem: Gem,
    /// Cut name (one of `CUT_NAMES`).
    pub cut: &'static str,
    /// Mass in the default gem, carats.
    pub carat: f64,
    /// Girdle length and width, mm.
    pub girdle_mm: [f64; 2],
    /// Table to culet, mm.
    pub depth_mm: f64,
    /// Indices into [`Piece::wires`] of the wires that hold this stone (prongs, beads), and
    /// whether a bezel holds it.
    pub held_by: Vec<usize>,
}

/// A metal part: a mesh in piece space, metres.
#[derive(Clone, Debug, PartialEq)]
pub struct MetalPart {
    /// Part name.
    pub name: String,
    /// Geometry, metres, piece space.
    pub mesh: MeshData,
}

/// A finished piece, before it is written.
#[derive(Clone, Debug, PartialEq)]
pub struct Piece {
    /// What it is (`ring`, `earrings`, `pendant`, `bracelet`), for `extras.loupe.kind`.
    pub kind: &'static str,
    /// One-line description.
    pub description: String,
    /// Key dimensions, human readable (inner diameter, stone sizes, carats).
    pub dimensions: String,
    /// Metal parts (band, heads, wires merged by role).
    pub metal: Vec<MetalPart>,
    /// Every wire (prongs, rails, posts), mm, piece space; their meshes are in `metal`.
    pub wires: Vec<Wire>,
    /// Stones.
    pub stones: Vec<PlacedStone>,
    /// Variants; the first is the default look.
    pub variants: Vec<Variant>,
    /// Extra facts for `extras.loupe` (ring size, inner diameter, chain length…).
    pub facts: Value,
}

/// Facet planes in piece space as `[nx, ny, nz, d]` with `n · x ≤ d` inside, metres.
pub fn facet_planes_m(solid_mm: &ConvexPolyhedron) -> Vec<[f32; 4]> {
    solid_mm
        .planes()
        .iter()
        .map(|h| {
            let n = h.normal.as_vec3();
            [n.x, n.y, n.z, (h.offset_mm * 1e-3) as f32]
        })
        .collect()
}

fn round3(v: f64) -> f64 {
    (v * 1000.0).round() / 1000.0
}

impl PlacedStone {
    /// A stone from its solid (stone space: table up, girdle at the origin) placed by `f`, a
    /// rigid motion in mm.
    pub fn place(
        name: &str,
        stone_mm: &ConvexPolyhedron,
        gem: Gem,
        cut: &'static str,
        f: impl Fn(DVec3) -> DVec3,
    ) -> PlacedStone {
        let (lo, hi) = stone_mm.bounds_mm();
        let size = hi - lo;
        PlacedStone {
            name: name.to_owned(),
            solid_mm: stone_mm.mapped(f, false),
            gem,
            cut,
            carat: super::cut::carat_from_volume(stone_mm.volume_mm3(), gem.density_g_cm3()),
            girdle_mm: [size.x.max(size.z), size.x.min(size.z)],
            depth_mm: size.y,
            held_by: Vec::new(),
        }
    }

    /// `extras` for the stone's mesh: what a renderer needs to trace it exactly.
    pub fn extras(&self) -> Value {
        json!({
            "loupe": {
                "gem": self.gem.key(),
                "cut": self.cut,
                "carat": round3(self.carat),
                "girdle_mm": self.girdle_mm.map(round3),
                "depth_mm": round3(self.depth_mm),
                "facet_planes_m": facet_planes_m(&self.solid_mm),
            }
        })
    }
}

impl Piece {
    /// The model to write: metal parts, then stones, with every variant mapped.
    pub fn model(&self) -> GlbModel {
        let default = &self.variants[0];
        let many = self.variants.len() > 1;
        let mut parts: Vec<GlbPart> = self
            .metal
            .iter()
            .map(|m| GlbPart {
                variant_materials: if many {
                    self.variants
                        .iter()
                        .map(|v| v.metal.material(v.finish))
                        .collect()
                } else {
                    Vec::new()
                },
                ..GlbPart::new(
                    &m.name,
                    m.mesh.clone(),
                    default.metal.material(default.finish),
                )
            })
            .collect();
        for s in &self.stones {
            let material = |v: &Variant| v.gem.unwrap_or(s.gem).part_material(s.depth_mm);
            parts.push(GlbPart {
                variant_materials: if many {
                    self.variants.iter().map(material).collect()
                } else {
                    Vec::new()
                },
                extras: Some(s.extras()),
                ..GlbPart::new(&s.name, s.solid_mm.mesh(), material(default))
            });
        }
        let mut loupe = json!({
            "kind": self.kind,
            "description": self.description,
            "units": "metres; see the README for each kind's axes",
            "stones": self.stones.len(),
            "carat_total": round3(self.stones.iter().map(|s| s.carat).sum::<f64>()),
        });
        if let (Some(extra), Some(obj)) = (self.facts.as_object(), loupe.as_object_mut()) {
            for (k, v) in extra {
                obj.insert(k.clone(), v.clone());
            }
        }
        GlbModel {
            parts,
            variants: if many {
                self.variants.iter().map(|v| v.name.clone()).collect()
            } else {
                Vec::new()
            },
            extras: Some(json!({ "loupe": loupe })),
        }
    }
}
