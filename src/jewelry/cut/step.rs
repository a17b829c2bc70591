//! Step cuts on a polygonal outline: the emerald cut (a rectangle with cut corners) and the
//! princess (a square with sharp corners), built as intersections of half-spaces.
//!
//! Every facet of a step cut runs parallel to one outline edge. Tier `k` of the crown spans the
//! band between insets `kΔ` and `(k+1)Δ` from the girdle, rising more gently towards the table
//! like a real step cut; the pavilion tiers fall more steeply near the girdle and flatten towards
//! the keel. Intersecting the planes (rather than placing vertices) keeps the solid convex and
//! closed for any proportions in range.

use glam::{DVec2, DVec3};

use super::polyhedron::{ConvexPolyhedron, HalfSpace};
use super::{check_range, Cut, CutError};

/// Relative rise of each crown tier, girdle side first (steep to gentle, a step cut's look).
const CROWN_TIER_RISE: [f64; 3] = [0.5, 0.3, 0.2];
/// Relative drop of each pavilion tier, girdle side first; the last reaches the keel.
const PAVILION_TIER_DROP: [f64; 3] = [0.45, 0.35, 0.2];

/// Shared step-cut proportions on a convex outline given by its corners (XZ, mm, CCW from +Y).
struct StepLayout<'a> {
    outline_mm: &'a [DVec2],
    /// Table inset from the girdle, mm (the same on every side).
    crown_inset_mm: f64,
    crown_height_mm: f64,
    girdle_mm: f64,
    pavilion_depth_mm: f64,
    /// Inset at which the pavilion meets the keel or culet: half the width.
    keel_inset_mm: f64,
}

impl StepLayout<'_> {
    fn polyhedron(&self) -> ConvexPolyhedron {
        let half_g = self.girdle_mm / 2.0;
        let n = self.outline_mm.len();
        let mut planes = Vec::new();
        // Table.
        planes.push(HalfSpace {
            normal: DVec3::Y,
            offset_mm: half_g + self.crown_height_mm,
        });
        for i in 0..n {
            let a = self.outline_mm[i];
            let b = self.outline_mm[(i + 1) % n];
            let edge = (b - a).normalize();
            // Counter-clockwise seen from +Y in XZ means outward is (edge.y, −edge.x) … checked
            // below against the centre, so either winding of the outline works.
            let mut out = DVec2::new(edge.y, -edge.x);
            if out.dot(a) < 0.0 {
                out = -out;
            }
            let along = |inset_mm: f64, y_mm: f64| {
                let p = a - out * inset_mm;
                DVec3::new(p.x, y_mm, p.y)
            };
            let horizontal = DVec3::new(out.x, 0.0, out.y);
            planes.push(HalfSpace::through(along(0.0, 0.0), horizontal)); // girdle
            let mut tier = |from: (f64, f64), to: (f64, f64)| {
                // A plane through two lines parallel to the edge: (inset, height) pairs.
                let (d_in, d_y) = (to.0 - from.0, to.1 - from.1);
                let normal = horizontal * d_y.abs() + DVec3::Y * d_in * d_y.signum();
                planes.push(HalfSpace::through(along(from.0, from.1), normal));
            };
            let (mut inset, mut y) = (0.0, half_g);
            let step_in = self.crown_inset_mm / CROWN_TIER_RISE.len() as f64;
            for rise in CROWN_TIER_RISE {
                let next = (inset + step_in, y + rise * self.crown_height_mm);
                tier((inset, y), next);
                (inset, y) = next;
            }
            let (mut inset, mut y) = (0.0, -half_g);
            let step_in = self.keel_inset_mm / PAVILION_TIER_DROP.len() as f64;
            for drop in PAVILION_TIER_DROP {
                let next = (inset + step_in, y - drop * self.pavilion_depth_mm);
                tier((inset, y), next);
                (inset, y) = next;
            }
        }
        let bound = self.outline_mm.iter().map(|p| p.length()).fold(
            self.crown_height_mm + self.pavilion_depth_mm + self.girdle_mm,
            f64::max,
        );
        ConvexPolyhedron::from_half_spaces(&planes, bound * 2.0)
    }
}

/// An emerald cut: a rectangular step cut with 45° cut corners, three crown and three pavilion
/// steps per side (8 sides), after the proportions GIA describes for well-made emerald cuts
/// (table 60–70 % of the width, depth 60–70 %).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Emerald {
    /// Girdle length, mm.
    pub length_mm: f64,
    /// Girdle width, mm.
    pub width_mm: f64,
    /// Table inset share: table width as % of the girdle width.
    pub table_pct: f64,
    /// Crown height, % of the width.
    pub crown_pct: f64,
    /// Girdle thickness, % of the width.
    pub girdle_pct: f64,
    /// Pavilion depth, % of the width.
    pub pavilion_pct: f64,
    /// Corner cut, each leg as % of the width.
    pub corner_pct: f64,
}

impl Default for Emerald {
    /// 7 × 5 mm (length-to-width 1.4, the classic emerald-cut ratio), table 65 %, crown 12 %,
    /// girdle 3 %, pavilion 50 % (total depth 65 %), corners 15 %.
    fn default() -> Self {
        Emerald {
            length_mm: 7.0,
            width_mm: 5.0,
            table_pct: 65.0,
            crown_pct: 12.0,
            girdle_pct: 3.0,
            pavilion_pct: 50.0,
            corner_pct: 15.0,
        }
    }
}

impl Cut for Emerald {
    fn name(&self) -> &'static str {
        "emerald"
    }

    fn polyhedron(&self) -> Result<ConvexPolyhedron, CutError> {
        check_range("width_mm", self.width_mm, 0.5, 50.0)?;
        check_range(
            "length_mm",
            self.length_mm,
            self.width_mm,
            3.0 * self.width_mm,
        )?;
        check_range("table_pct", self.table_pct, 40.0, 85.0)?;
        check_range("crown_pct", self.crown_pct, 5.0, 25.0)?;
        check_range("girdle_pct", self.girdle_pct, 0.5, 10.0)?;
        check_range("pavilion_pct", self.pavilion_pct, 30.0, 70.0)?;
        check_range("corner_pct", self.corner_pct, 5.0, 40.0)?;
        let (hl, hw) = (self.length_mm / 2.0, self.width_mm / 2.0);
        let c = self.corner_pct / 100.0 * self.width_mm;
        let outline = [
            DVec2::new(hl, -hw + c),
            DVec2::new(hl, hw - c),
            DVec2::new(hl - c, hw),
            DVec2::new(-hl + c, hw),
            DVec2::new(-hl, hw - c),
            DVec2::new(-hl, -hw + c),
            DVec2::new(-hl + c, -hw),
            DVec2::new(hl - c, -hw),
        ];
        Ok(StepLayout {
            outline_mm: &outline,
            crown_inset_mm: hw * (1.0 - self.table_pct / 100.0),
            crown_height_mm: self.crown_pct / 100.0 * self.width_mm,
            girdle_mm: self.girdle_pct / 100.0 * self.width_mm,
            pavilion_depth_mm: self.pavilion_pct / 100.0 * self.width_mm,
            keel_inset_mm: hw,
        }
        .polyhedron())
    }

    fn scaled(&self, factor: f64) -> Self {
        Emerald {
            length_mm: self.length_mm * factor,
            width_mm: self.width_mm * factor,
            ..*self
        }
    }
}

/// A princess cut: square (or rectangular) outline with sharp corners, a stepped crown and a
/// tiered pavilion meeting in a point. Real princesses have chevron pavilions with brilliant
/// sparkle; this keeps the outline, proportions and weight exact but simplifies the pavilion to
/// three tiers per side.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Princess {
    /// Girdle length, mm.
    pub length_mm: f64,
    /// Girdle width, mm.
    pub width_mm: f64,
    /// Table width, % of the girdle width.
    pub table_pct: f64,
    /// Crown height, % of the width.
    pub crown_pct: f64,
    /// Girdle thickness, % of the width.
    pub girdle_pct: f64,
    /// Pavilion depth, % of the width.
    pub pavilion_pct: f64,
}

impl Default for Princess {
    /// 5.5 mm square (about 1 ct of diamond), table 70 %, crown 10 %, girdle 3 %, pavilion 58 %
    /// (total depth ~71 %, inside the 68–75 % usually recommended for princesses).
    fn default() -> Self {
        Princess {
            length_mm: 5.5,
            width_mm: 5.5,
            table_pct: 70.0,
            crown_pct: 10.0,
            girdle_pct: 3.0,
            pavilion_pct: 58.0,
        }
    }
}

impl Cut for Princess {
    fn name(&self) -> &'static str {
        "princess"
    }

    fn polyhedron(&self) -> Result<ConvexPolyhedron, CutError> {
        check_range("width_mm", self.width_mm, 0.5, 50.0)?;
        check_range(
            "length_mm",
            self.length_mm,
            self.width_mm,
            2.0 * self.width_mm,
        )?;
        check_range("table_pct", self.table_pct, 40.0, 85.0)?;
        check_range("crown_pct", self.crown_pct, 5.0, 25.0)?;
        check_range("girdle_pct", self.girdle_pct, 0.5, 10.0)?;
        check_range("pavilion_pct", self.pavilion_pct, 30.0, 80.0)?;
        let (hl, hw) = (self.length_mm / 2.0, self.width_mm / 2.0);
        let outline = [
            DVec2::new(hl, -hw),
            DVec2::new(hl, hw),
            DVec2::new(-hl, hw),
            DVec2::new(-hl, -hw),
        ];
        Ok(StepLayout {
            outline_mm: &outline,
            crown_inset_mm: hw * (1.0 - self.table_pct / 100.0),
            crown_height_mm: self.crown_pct / 100.0 * self.width_mm,
            girdle_mm: self.girdle_pct / 100.0 * self.width_mm,
            pavilion_depth_mm: self.pavilion_pct / 100.0 * self.width_mm,
            keel_inset_mm: hw,
        }
        .polyhedron())
    }

    fn scaled(&self, factor: f64) -> Self {
        Princess {
            length_mm: self.length_mm * factor,
            width_mm: self.width_mm * factor,
            ..*self
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::checks::{assert_closed, assert_convex, facet_counts};
    use super::super::Gem;
    use super::*;
    use crate::jewelry::range::OutOfRange;

    #[test]
    fn emerald_and_princess_are_closed_convex_and_sized() {
        let emerald = Emerald::default();
        let princess = Princess::default();
        for (solid, length, width) in [
            (emerald.polyhedron().unwrap(), 7.0, 5.0),
            (princess.polyhedron().unwrap(), 5.5, 5.5),
        ] {
            let mesh = solid.mesh();
            assert_closed(&mesh);
            assert_convex(&mesh, &solid, 1e-9);
            let (lo, hi) = solid.bounds_mm();
            assert!((hi.x - lo.x - length).abs() < 1e-9);
            assert!((hi.z - lo.z - width).abs() < 1e-9);
        }
        let (crown, girdle, pavilion) = facet_counts(&emerald.mesh().unwrap());
        eprintln!("emerald facets: crown {crown}, girdle {girdle}, pavilion {pavilion}");
        assert_eq!((crown, girdle), (1 + 3 * 8, 8));
        let (crown, girdle, pavilion) = facet_counts(&princess.mesh().unwrap());
        eprintln!("princess facets: crown {crown}, girdle {girdle}, pavilion {pavilion}");
        assert_eq!((crown, girdle), (1 + 3 * 4, 4));
    }

    #[test]
    fn sized_by_carat() {
        let diamond = Gem::Diamond.density_g_cm3();
        let p = Princess::default().sized_for_carat(1.0, diamond).unwrap();
        assert!((p.carat(diamond).unwrap() - 1.0).abs() < 1e-9);
        eprintln!("1 ct princess: {:.3} mm", p.width_mm);
        let e = Emerald::default()
            .sized_for_carat(2.0, Gem::Emerald.density_g_cm3())
            .unwrap();
        assert!((e.length_mm / e.width_mm - 1.4).abs() < 1e-12);
        assert!(matches!(
            Emerald {
                length_mm: 4.0,
                ..Emerald::default()
            }
            .mesh(),
            Err(CutError::OutOfRange(OutOfRange {
                parameter: "length_mm",
                ..
            }))
        ));
    }
}
