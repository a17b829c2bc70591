//! Gem materials: density for sizing by carat and optical constants for glTF.

use crate::jewelry::glb::{PartMaterial, Volume};

/// A gem material.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Gem {
    /// Diamond (C).
    Diamond,
    /// Sapphire (corundum, Al₂O₃).
    Sapphire,
    /// Ruby (red corundum, the same constants as sapphire).
    Ruby,
    /// Emerald (beryl).
    Emerald,
    /// Cubic zirconia (ZrO₂, stabilised).
    CubicZirconia,
    /// Moissanite (SiC).
    Moissanite,
}

impl Gem {
    /// Every material.
    pub const ALL: [Gem; 6] = [
        Gem::Diamond,
        Gem::Sapphire,
        Gem::Ruby,
        Gem::Emerald,
        Gem::CubicZirconia,
        Gem::Moissanite,
    ];

    /// Density, g/cm³.
    ///
    /// Sources: GIA Gem Encyclopedia / GIA "Gems & Gemology" reference values: diamond 3.52,
    /// corundum 4.00, beryl (emerald) 2.72, cubic zirconia 5.9 (5.6–6.0 by stabiliser), synthetic
    /// moissanite 3.21 (Nassau, McClure, Elen & Shigley, "Synthetic moissanite: a new diamond
    /// substitute", Gems & Gemology 33(4), 1997). These are the values issue 3 specifies.
    pub fn density_g_cm3(self) -> f64 {
        match self {
            Gem::Diamond => 3.52,
            Gem::Sapphire | Gem::Ruby => 4.0,
            Gem::Emerald => 2.72,
            Gem::CubicZirconia => 5.9,
            Gem::Moissanite => 3.21,
        }
    }

    /// Refractive index at the sodium D line (589 nm), for KHR_materials_ior.
    ///
    /// Sources: diamond 2.4175 (Peter, "Über Brechungsindizes und Absorptionskonstanten des
    /// Diamanten zwischen 644 und 226 mμ", Z. Phys. 15, 1923, via refractiveindex.info);
    /// corundum ordinary ray 1.768 (Malitson & Dodge 1972, J. Opt. Soc. Am. 62, 1405); emerald
    /// 1.577 ordinary ray (GIA Gem Reference Guide, beryl 1.577–1.583); cubic zirconia 2.159
    /// (Wood & Nassau, Appl. Opt. 21, 2978, 1982, Y-stabilised); moissanite 2.653 ordinary ray
    /// (Nassau et al. 1997, above). Birefringent gems use the ordinary index.
    pub fn ior(self) -> f32 {
        match self {
            Gem::Diamond => 2.4175,
            Gem::Sapphire | Gem::Ruby => 1.768,
            Gem::Emerald => 1.577,
            Gem::CubicZirconia => 2.159,
            Gem::Moissanite => 2.653,
        }
    }

    /// KHR_materials_dispersion value: 20 / V_d, the extension's definition, with V_d the Abbe
    /// number (n_d − 1) / (n_F − n_C).
    ///
    /// Diamond V_d = 55.3 (issue 3; from Peter 1923's dispersion data) and corundum V_d = 72.2
    /// (Malitson & Dodge 1972) are measured. Gem references (GIA Gem Reference Guide) list only
    /// the B–G (686.7–430.8 nm) dispersion: beryl 0.014, cubic zirconia 0.060, moissanite 0.104.
    /// For those we convert with F–C ≈ 0.58 × B–G, the ratio diamond's own numbers give
    /// ((2.4175 − 1) / 55.3 = 0.0256 against B–G 0.044): an approximation, marked as such.
    pub fn dispersion(self) -> f32 {
        /// n_F − n_C as a share of the B–G dispersion (diamond's ratio).
        const F_C_PER_B_G: f32 = 0.58;
        let abbe_number: f32 = match self {
            Gem::Diamond => 55.3,
            Gem::Sapphire | Gem::Ruby => 72.2,
            Gem::Emerald => (self.ior() - 1.0) / (F_C_PER_B_G * 0.014),
            Gem::CubicZirconia => (self.ior() - 1.0) / (F_C_PER_B_G * 0.060),
            Gem::Moissanite => (self.ior() - 1.0) / (F_C_PER_B_G * 0.104),
        };
        20.0 / abbe_number
    }

    /// Body colour for KHR_materials_volume: the colour white light takes after
    /// [`Gem::attenuation_distance_mm`] inside the stone (linear), and that distance. `None` for
    /// colourless stones. Chosen to give a medium-toned stone at a typical 1 ct path length of
    /// 5–8 mm; real stones vary far more than this.
    pub fn attenuation(self) -> Option<([f32; 3], f32)> {
        match self {
            Gem::Diamond | Gem::CubicZirconia | Gem::Moissanite => None,
            Gem::Sapphire => Some(([0.15, 0.3, 0.85], 3.0)),
            Gem::Ruby => Some(([0.85, 0.08, 0.15], 3.0)),
            Gem::Emerald => Some(([0.2, 0.75, 0.35], 4.0)),
        }
    }

    /// The stone's glTF material: white base colour, full transmission, IOR, dispersion, and the
    /// body colour as volume attenuation. `thickness_mm` is the stone's depth (table to culet),
    /// KHR_materials_volume's thickness for renderers that do not trace the facets.
    pub fn part_material(self, thickness_mm: f64) -> PartMaterial {
        let attenuation = self.attenuation();
        PartMaterial {
            name: self.key().to_owned(),
            base_color_linear: [1.0; 4],
            metallic: 0.0,
            roughness: 0.0,
            transmission: Some(1.0),
            ior: Some(self.ior()),
            dispersion: Some(self.dispersion()),
            volume: Some(Volume {
                thickness_m: crate::math::mm_to_m(thickness_mm as f32),
                attenuation_distance_m: attenuation.map(|(_, d)| crate::math::mm_to_m(d)),
                attenuation_color: attenuation.map_or([1.0; 3], |(c, _)| c),
            }),
            ..Default::default()
        }
    }

    /// Lower-case name for files and CLI options.
    pub fn key(self) -> &'static str {
        match self {
            Gem::Diamond => "diamond",
            Gem::Sapphire => "sapphire",
            Gem::Ruby => "ruby",
            Gem::Emerald => "emerald",
            Gem::CubicZirconia => "cubic-zirconia",
            Gem::Moissanite => "moissanite",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diamond_dispersion_is_gltf_twenty_over_abbe() {
        assert!((Gem::Diamond.dispersion() - 0.362).abs() < 5e-4);
        assert_eq!(Gem::Diamond.ior(), 2.4175);
        assert_eq!(Gem::Ruby.density_g_cm3(), Gem::Sapphire.density_g_cm3());
    }
}
