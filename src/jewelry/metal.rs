//! Jewellery metals: one cited F0 table, polished and brushed finishes.

use std::fmt;
use std::str::FromStr;

use super::glb::{Anisotropy, PartMaterial};

/// A jewellery metal, by its preset name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Metal {
    /// 18k yellow gold (gold's F0).
    YellowGold,
    /// 18k rose gold.
    RoseGold,
    /// Rhodium-plated white gold.
    WhiteGold,
    /// Platinum (950).
    Platinum,
    /// Sterling silver.
    Silver,
    /// Palladium (950).
    Palladium,
    /// Titanium.
    Titanium,
}

/// Surface finish.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Finish {
    /// Mirror polish.
    Polished,
    /// Brushed around the ring (finger) axis, +Z: KHR_materials_anisotropy.
    Brushed,
}

/// Perceptual roughness of a mirror-polished jewel: not 0, because polishing leaves micro-scratches
/// that blur reflections slightly.
pub const POLISHED_ROUGHNESS: f32 = 0.1;
/// Roughness across the brush strokes of a satin finish.
pub const BRUSHED_ROUGHNESS: f32 = 0.3;
/// How much sharper reflections are along the strokes than across them.
pub const BRUSHED_ANISOTROPY: f32 = 0.75;

impl Metal {
    /// Every preset, in the order of [`Metal::key`]s listed by front ends.
    pub const ALL: [Metal; 7] = [
        Metal::YellowGold,
        Metal::RoseGold,
        Metal::WhiteGold,
        Metal::Platinum,
        Metal::Silver,
        Metal::Palladium,
        Metal::Titanium,
    ];

    /// Preset name, e.g. `yellow-gold`.
    pub fn key(self) -> &'static str {
        match self {
            Metal::YellowGold => "yellow-gold",
            Metal::RoseGold => "rose-gold",
            Metal::WhiteGold => "white-gold",
            Metal::Platinum => "platinum",
            Metal::Silver => "silver",
            Metal::Palladium => "palladium",
            Metal::Titanium => "titanium",
        }
    }

    /// Reflectance at normal incidence (F0), linear sRGB, the glTF base colour of a metal.
    ///
    /// One table: Real-Time Rendering 4th ed., Table 9.2 (from Johnson & Christy's and Palik's
    /// optical constants), as quoted in `DESIGN.md`: gold 1.000 .782 .344, silver .972 .960 .915,
    /// platinum .673 .637 .585, titanium .542 .497 .449, and palladium .733 .697 .652,
    /// rhodium (plating of white gold) .797 .765 .742. Rose gold is not in the table: 18k rose is
    /// 75 % gold with copper, so we take the mean of gold and copper (.955 .638 .538), an
    /// approximation, marked as such. 18k yellow gold uses gold's value (alloying pales it a
    /// little, which the table does not give).
    pub fn f0_linear(self) -> [f32; 3] {
        match self {
            Metal::YellowGold => [1.0, 0.782, 0.344],
            Metal::RoseGold => [0.978, 0.710, 0.441],
            Metal::WhiteGold => [0.797, 0.765, 0.742],
            Metal::Platinum => [0.673, 0.637, 0.585],
            Metal::Silver => [0.972, 0.960, 0.915],
            Metal::Palladium => [0.733, 0.697, 0.652],
            Metal::Titanium => [0.542, 0.497, 0.449],
        }
    }

    /// The glTF material for this metal with `finish`, named `yellow-gold` or
    /// `yellow-gold-brushed`.
    pub fn material(self, finish: Finish) -> PartMaterial {
        let [r, g, b] = self.f0_linear();
        let (name, roughness, anisotropy) = match finish {
            Finish::Polished => (self.key().to_owned(), POLISHED_ROUGHNESS, None),
            Finish::Brushed => (
                format!("{}-brushed", self.key()),
                BRUSHED_ROUGHNESS,
                Some(Anisotropy {
                    strength: BRUSHED_ANISOTROPY,
                    // KHR's anisotropy direction is where roughness stretches the highlight:
                    // across the strokes, a quarter turn from the tangent that runs along them.
                    rotation_rad: std::f32::consts::FRAC_PI_2,
                    brush_axis: [0.0, 0.0, 1.0],
                }),
            ),
        };
        PartMaterial {
            name,
            base_color_linear: [r, g, b, 1.0],
            metallic: 1.0,
            roughness,
            anisotropy,
            ..Default::default()
        }
    }
}

impl fmt::Display for Metal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

/// A metal name that is not a preset.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown metal {0:?}; use one of yellow-gold, rose-gold, white-gold, platinum, silver, palladium, titanium")]
pub struct UnknownMetal(pub String);

impl FromStr for Metal {
    type Err = UnknownMetal;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let key = s.trim().to_ascii_lowercase();
        Metal::ALL
            .into_iter()
            .find(|m| m.key() == key)
            .ok_or_else(|| UnknownMetal(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn f0_table_is_frozen() {
        // The values DESIGN.md cites; a change here must be a deliberate change of source.
        assert_eq!(Metal::Platinum.f0_linear(), [0.673, 0.637, 0.585]);
        assert_eq!(Metal::Silver.f0_linear(), [0.972, 0.960, 0.915]);
        assert_eq!(Metal::Palladium.f0_linear(), [0.733, 0.697, 0.652]);
        assert_eq!(Metal::YellowGold.f0_linear(), [1.0, 0.782, 0.344]);
        assert_eq!(Metal::WhiteGold.f0_linear(), [0.797, 0.765, 0.742]);
        assert_eq!(Metal::Titanium.f0_linear(), [0.542, 0.497, 0.449]);
        // Rose gold lies between gold and copper in every channel.
        let copper = [0.955, 0.638, 0.538];
        let (gold, rose) = (Metal::YellowGold.f0_linear(), Metal::RoseGold.f0_linear());
        for ((a, b), rose) in gold.into_iter().zip(copper).zip(rose) {
            assert!(rose >= a.min(b) && rose <= a.max(b));
        }
    }

    #[test]
    fn names_round_trip_and_brushed_is_anisotropic() {
        for m in Metal::ALL {
            assert_eq!(m.key().parse::<Metal>().unwrap(), m);
            let polished = m.material(Finish::Polished);
            assert_eq!(polished.metallic, 1.0);
            assert!(polished.anisotropy.is_none());
            let brushed = m.material(Finish::Brushed);
            assert!(brushed.roughness > polished.roughness);
            assert_eq!(brushed.anisotropy.unwrap().brush_axis, [0.0, 0.0, 1.0]);
        }
        assert!("brass"
            .parse::<Metal>()
            .unwrap_err()
            .to_string()
            .contains("titanium"));
    }
}
