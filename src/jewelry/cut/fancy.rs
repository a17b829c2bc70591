//! Fancy brilliants derived from the round brilliant: oval, cushion and pear.
//!
//! An oval is the round brilliant stretched along its length: an affine map keeps every facet
//! planar and the solid convex, and the crown and pavilion angles then vary around the outline
//! (shallower at the ends) just as on a real oval. Cushion and pear cut that oval with further
//! half-spaces along straight stretches of girdle: a vertical girdle plane plus a crown plane at
//! the crown angle and a pavilion plane at the pavilion angle through the girdle's top and bottom
//! edges, so the new facets continue the brilliant's angles and the result stays convex.

use glam::{DVec2, DVec3};

use super::polyhedron::{ConvexPolyhedron, HalfSpace};
use super::round_brilliant::RoundBrilliant;
use super::{check_range, Cut, CutError};

/// The round brilliant proportions used by fancy shapes, at width `width_mm` and stretched to
/// `length_mm` along +X.
fn stretched(
    proportions: &RoundBrilliant,
    width_mm: f64,
    length_mm: f64,
) -> Result<ConvexPolyhedron, CutError> {
    let round = RoundBrilliant {
        diameter_mm: width_mm,
        ..*proportions
    }
    .polyhedron()?;
    let k = length_mm / width_mm;
    Ok(round.mapped(|p| DVec3::new(p.x * k, p.y, p.z), false))
}

/// Cuts `solid` along a straight girdle line through `point_mm` (XZ) with outward horizontal
/// normal `out`: a vertical girdle facet and crown/pavilion facets at the given angles.
fn cut_side(
    solid: ConvexPolyhedron,
    proportions: &RoundBrilliant,
    girdle_mm: f64,
    point_mm: DVec2,
    out: DVec2,
) -> ConvexPolyhedron {
    let out = out.normalize();
    let horizontal = DVec3::new(out.x, 0.0, out.y);
    let at = |y: f64| DVec3::new(point_mm.x, y, point_mm.y);
    let (crown, pavilion) = (
        proportions.crown_angle_deg.to_radians(),
        proportions.pavilion_angle_deg.to_radians(),
    );
    let planes = [
        HalfSpace::through(at(0.0), horizontal),
        HalfSpace::through(
            at(girdle_mm / 2.0),
            horizontal * crown.sin() + DVec3::Y * crown.cos(),
        ),
        HalfSpace::through(
            at(-girdle_mm / 2.0),
            horizontal * pavilion.sin() - DVec3::Y * pavilion.cos(),
        ),
    ];
    planes.iter().fold(solid, |s, h| s.clipped(h))
}

/// Checks the brilliant proportions shared by fancy shapes (their size is checked separately).
fn check_proportions(p: &RoundBrilliant) -> Result<(), CutError> {
    RoundBrilliant {
        diameter_mm: 6.5,
        ..*p
    }
    .validate()
}

/// An oval brilliant: the round brilliant stretched to `length_mm × width_mm`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Oval {
    /// Girdle length, mm.
    pub length_mm: f64,
    /// Girdle width, mm.
    pub width_mm: f64,
    /// Brilliant proportions (its `diameter_mm` is ignored).
    pub proportions: RoundBrilliant,
}

impl Default for Oval {
    /// 8 × 6 mm (ratio 1.33, within the 1.3–1.5 most ovals are cut to), Tolkowsky proportions.
    fn default() -> Self {
        Oval {
            length_mm: 8.0,
            width_mm: 6.0,
            proportions: RoundBrilliant::default(),
        }
    }
}

impl Cut for Oval {
    fn name(&self) -> &'static str {
        "oval"
    }

    fn polyhedron(&self) -> Result<ConvexPolyhedron, CutError> {
        check_range("width_mm", self.width_mm, 0.5, 50.0)?;
        check_range(
            "length_mm",
            self.length_mm,
            self.width_mm,
            2.5 * self.width_mm,
        )?;
        check_proportions(&self.proportions)?;
        stretched(&self.proportions, self.width_mm, self.length_mm)
    }

    fn scaled(&self, factor: f64) -> Self {
        Oval {
            length_mm: self.length_mm * factor,
            width_mm: self.width_mm * factor,
            ..*self
        }
    }
}

/// A cushion brilliant: a rounded rectangle. It is the oval brilliant of `outline_pct` times the
/// size, cut square by four straight sides; `outline_pct` near 100 gives round corners, near
/// 141 (√2 · 100) almost sharp ones.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Cushion {
    /// Girdle length across the flat sides, mm.
    pub length_mm: f64,
    /// Girdle width across the flat sides, mm.
    pub width_mm: f64,
    /// Size of the underlying oval as % of the cushion's, 105–140: sets corner rounding.
    pub outline_pct: f64,
    /// Brilliant proportions (its `diameter_mm` is ignored).
    pub proportions: RoundBrilliant,
}

impl Default for Cushion {
    /// 6 × 6 mm, corners from a 120 % outline, Tolkowsky angles.
    fn default() -> Self {
        Cushion {
            length_mm: 6.0,
            width_mm: 6.0,
            outline_pct: 120.0,
            proportions: RoundBrilliant::default(),
        }
    }
}

impl Cut for Cushion {
    fn name(&self) -> &'static str {
        "cushion"
    }

    fn polyhedron(&self) -> Result<ConvexPolyhedron, CutError> {
        check_range("width_mm", self.width_mm, 0.5, 50.0)?;
        check_range(
            "length_mm",
            self.length_mm,
            self.width_mm,
            2.0 * self.width_mm,
        )?;
        check_range("outline_pct", self.outline_pct, 105.0, 140.0)?;
        check_proportions(&self.proportions)?;
        let k = self.outline_pct / 100.0;
        let mut solid = stretched(&self.proportions, self.width_mm * k, self.length_mm * k)?;
        // The girdle keeps the oval's thickness so the new sides meet the rounded corners flush.
        let girdle_mm = self.proportions.girdle_pct / 100.0 * self.width_mm * k;
        let (hl, hw) = (self.length_mm / 2.0, self.width_mm / 2.0);
        for (point, out) in [
            (DVec2::new(hl, 0.0), DVec2::X),
            (DVec2::new(-hl, 0.0), -DVec2::X),
            (DVec2::new(0.0, hw), DVec2::Y),
            (DVec2::new(0.0, -hw), -DVec2::Y),
        ] {
            solid = cut_side(solid, &self.proportions, girdle_mm, point, out);
        }
        Ok(solid.welded())
    }

    fn scaled(&self, factor: f64) -> Self {
        Cushion {
            length_mm: self.length_mm * factor,
            width_mm: self.width_mm * factor,
            ..*self
        }
    }
}

/// A pear (teardrop) brilliant: an oval whose +X end is cut to a point by two straight girdle
/// sides running from the tip to the widest point.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Pear {
    /// Tip-to-round-end length, mm.
    pub length_mm: f64,
    /// Greatest width, mm.
    pub width_mm: f64,
    /// Brilliant proportions (its `diameter_mm` is ignored).
    pub proportions: RoundBrilliant,
}

impl Default for Pear {
    /// 9 × 6 mm (ratio 1.5, within the 1.45–1.75 usually preferred), Tolkowsky angles.
    fn default() -> Self {
        Pear {
            length_mm: 9.0,
            width_mm: 6.0,
            proportions: RoundBrilliant::default(),
        }
    }
}

impl Cut for Pear {
    fn name(&self) -> &'static str {
        "pear"
    }

    fn polyhedron(&self) -> Result<ConvexPolyhedron, CutError> {
        check_range("width_mm", self.width_mm, 0.5, 50.0)?;
        check_range(
            "length_mm",
            self.length_mm,
            1.2 * self.width_mm,
            2.5 * self.width_mm,
        )?;
        check_proportions(&self.proportions)?;
        let solid = stretched(&self.proportions, self.width_mm, self.length_mm)?;
        let girdle_mm = self.proportions.girdle_pct / 100.0 * self.width_mm;
        let (hl, hw) = (self.length_mm / 2.0, self.width_mm / 2.0);
        // Straight sides from the tip (hl, 0) to the widest points (0, ±hw).
        let tip = DVec2::new(hl, 0.0);
        let solid = cut_side(solid, &self.proportions, girdle_mm, tip, DVec2::new(hw, hl));
        Ok(cut_side(
            solid,
            &self.proportions,
            girdle_mm,
            tip,
            DVec2::new(hw, -hl),
        )
        .welded())
    }

    fn scaled(&self, factor: f64) -> Self {
        Pear {
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

    #[test]
    fn fancy_shapes_are_closed_convex_and_sized() {
        let shapes: [(&str, ConvexPolyhedron, f64, f64); 3] = [
            ("oval", Oval::default().polyhedron().unwrap(), 8.0, 6.0),
            (
                "cushion",
                Cushion::default().polyhedron().unwrap(),
                6.0,
                6.0,
            ),
            ("pear", Pear::default().polyhedron().unwrap(), 9.0, 6.0),
        ];
        for (name, solid, length, width) in shapes {
            let mesh = solid.mesh();
            assert_closed(&mesh);
            assert_convex(&mesh, &solid, 1e-9);
            let (lo, hi) = solid.bounds_mm();
            eprintln!(
                "{name}: {:.3} × {:.3} mm, facets {:?}",
                hi.x - lo.x,
                hi.z - lo.z,
                facet_counts(&mesh)
            );
            assert!((hi.x - lo.x - length).abs() < 1e-9, "{name} length");
            assert!((hi.z - lo.z - width).abs() < 1e-9, "{name} width");
        }
        assert_eq!(facet_counts(&Oval::default().mesh().unwrap()), (33, 16, 24));
    }

    #[test]
    fn sized_by_carat() {
        let ruby = Gem::Ruby.density_g_cm3();
        for carat in [0.5, 1.5] {
            let pear = Pear::default().sized_for_carat(carat, ruby).unwrap();
            assert!((pear.carat(ruby).unwrap() - carat).abs() < 1e-9);
            let cushion = Cushion::default().sized_for_carat(carat, ruby).unwrap();
            assert!((cushion.carat(ruby).unwrap() - carat).abs() < 1e-9);
        }
    }
}
