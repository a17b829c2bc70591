//! Cut stones from published proportions: exact convex polyhedra, sized by carat or millimetres.
//!
//! Stones sit with their table up (+Y) and their girdle centred on the origin, in metres once
//! meshed. Each cut is built in f64 millimetres as a [`ConvexPolyhedron`] (exact facet planes and
//! volume) and converted to a flat-shaded [`MeshData`] at the end.

pub mod fancy;
pub mod material;
pub mod polyhedron;
pub mod round_brilliant;
pub mod shape;
pub mod step;

#[cfg(test)]
pub(crate) mod checks;

pub use fancy::{Cushion, Oval, Pear};
pub use material::Gem;
pub use polyhedron::{ConvexPolyhedron, HalfSpace, Triangulation};
pub use round_brilliant::RoundBrilliant;
pub use shape::Shape;
pub use step::{Emerald, Princess};

use crate::jewelry::mesh::MeshData;

/// Grams per carat (the metric carat is defined as exactly 200 mg).
pub const GRAMS_PER_CARAT: f64 = 0.2;

/// Why a stone could not be built.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum CutError {
    /// A parameter outside the range where the cut's facet layout is valid.
    #[error(transparent)]
    OutOfRange(#[from] OutOfRange),
    /// A cut name that is not one of [`CUT_NAMES`].
    #[error(
        "unknown cut {0:?}; use one of round-brilliant, princess, emerald, oval, pear, cushion"
    )]
    UnknownCut(String),
}

/// The cut names, as front ends such as `loupe model` spell them, in [`Shape::ALL`] order.
pub const CUT_NAMES: [&str; 6] = [
    "round-brilliant",
    "princess",
    "emerald",
    "oval",
    "pear",
    "cushion",
];

pub(crate) use crate::jewelry::range::check_range;
use crate::jewelry::range::OutOfRange;

/// Mass in carats of `volume_mm3` of a material of `density_g_cm3` (1 cm³ = 1000 mm³).
pub fn carat_from_volume(volume_mm3: f64, density_g_cm3: f64) -> f64 {
    volume_mm3 * density_g_cm3 / 1000.0 / GRAMS_PER_CARAT
}

/// Behaviour shared by every cut: build, measure and resize.
pub trait Cut {
    /// The cut's name, one of [`CUT_NAMES`].
    fn name(&self) -> &'static str;

    /// The exact solid, mm; errors name any parameter out of range.
    fn polyhedron(&self) -> Result<ConvexPolyhedron, CutError>;

    /// The same proportions with every length multiplied by `factor`.
    fn scaled(&self, factor: f64) -> Self
    where
        Self: Sized;

    /// Flat-shaded, closed, convex mesh in metres.
    fn mesh(&self) -> Result<MeshData, CutError> {
        Ok(self.polyhedron()?.mesh())
    }

    /// Exact volume, mm³.
    fn volume_mm3(&self) -> Result<f64, CutError> {
        Ok(self.polyhedron()?.volume_mm3())
    }

    /// Mass in carats in a material of `density_g_cm3`.
    fn carat(&self, density_g_cm3: f64) -> Result<f64, CutError> {
        check_range("density_g_cm3", density_g_cm3, 0.5, 25.0)?;
        Ok(carat_from_volume(self.volume_mm3()?, density_g_cm3))
    }

    /// The same proportions scaled to weigh `carat` (volume ∝ size³, so one cube root).
    fn sized_for_carat(&self, carat: f64, density_g_cm3: f64) -> Result<Self, CutError>
    where
        Self: Sized,
    {
        check_range("carat", carat, 0.001, 1000.0)?;
        let now = self.carat(density_g_cm3)?;
        let sized = self.scaled((carat / now).cbrt());
        // The result may leave the size range even though the request was in range.
        sized.polyhedron()?;
        Ok(sized)
    }
}
