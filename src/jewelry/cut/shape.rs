//! Choosing a cut by name, as front ends (`loupe model --cut …`) do.

use std::fmt;
use std::str::FromStr;

use super::polyhedron::ConvexPolyhedron;
use super::{Cushion, Cut, CutError, Emerald, Oval, Pear, Princess, RoundBrilliant};

/// One of the cuts, with its default proportions.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Shape {
    /// [`RoundBrilliant`].
    RoundBrilliant,
    /// [`Princess`].
    Princess,
    /// [`Emerald`].
    Emerald,
    /// [`Oval`].
    Oval,
    /// [`Pear`].
    Pear,
    /// [`Cushion`].
    Cushion,
}

impl Shape {
    /// Every cut, in the order of [`super::CUT_NAMES`].
    pub const ALL: [Shape; 6] = [
        Shape::RoundBrilliant,
        Shape::Princess,
        Shape::Emerald,
        Shape::Oval,
        Shape::Pear,
        Shape::Cushion,
    ];

    /// The cut's name, e.g. `round-brilliant`.
    pub fn key(self) -> &'static str {
        super::CUT_NAMES[self as usize]
    }

    /// The default proportions of this cut scaled to weigh `carat` at `density_g_cm3`.
    pub fn polyhedron_for_carat(
        self,
        carat: f64,
        density_g_cm3: f64,
    ) -> Result<ConvexPolyhedron, CutError> {
        fn sized<C: Cut>(c: C, carat: f64, density: f64) -> Result<ConvexPolyhedron, CutError> {
            c.sized_for_carat(carat, density)?.polyhedron()
        }
        match self {
            Shape::RoundBrilliant => sized(RoundBrilliant::default(), carat, density_g_cm3),
            Shape::Princess => sized(Princess::default(), carat, density_g_cm3),
            Shape::Emerald => sized(Emerald::default(), carat, density_g_cm3),
            Shape::Oval => sized(Oval::default(), carat, density_g_cm3),
            Shape::Pear => sized(Pear::default(), carat, density_g_cm3),
            Shape::Cushion => sized(Cushion::default(), carat, density_g_cm3),
        }
    }
}

impl fmt::Display for Shape {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

impl FromStr for Shape {
    type Err = CutError;

    /// Accepts the names of [`super::CUT_NAMES`] in any case, and `round` for the brilliant.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let key = s.trim().to_ascii_lowercase();
        if key == "round" {
            return Ok(Shape::RoundBrilliant);
        }
        Shape::ALL
            .into_iter()
            .find(|shape| shape.key() == key)
            .ok_or_else(|| CutError::UnknownCut(s.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::super::Gem;
    use super::*;
    use crate::jewelry::range::OutOfRange;

    #[test]
    fn names_round_trip_and_every_cut_weighs_what_was_asked() {
        let density = Gem::Diamond.density_g_cm3();
        for shape in Shape::ALL {
            assert_eq!(shape.key().parse::<Shape>().unwrap(), shape);
            let solid = shape.polyhedron_for_carat(0.75, density).unwrap();
            let carat = super::super::carat_from_volume(solid.volume_mm3(), density);
            assert!((carat - 0.75).abs() < 1e-9, "{shape}: {carat}");
        }
        assert_eq!(
            "heart".parse::<Shape>().unwrap_err().to_string(),
            "unknown cut \"heart\"; use one of round-brilliant, princess, emerald, oval, pear, \
             cushion"
        );
        assert!(matches!(
            Shape::Oval.polyhedron_for_carat(-0.5, density),
            Err(CutError::OutOfRange(OutOfRange {
                parameter: "carat",
                ..
            }))
        ));
    }
}
