//! Plain ring bands for a ring size: flat, D-shape, comfort-fit and knife-edge profiles.
//!
//! A band is a cross-section (the profile) swept around the finger axis +Z; the stone side is +Y
//! and units are metres, as everywhere in `jewelry`. The sweep is a regular polygon of
//! `segments` sides whose vertices sit on circles of radius `r / cos(π / segments)`, so every
//! flat face is tangent to the nominal circle: the inscribed inner diameter is exactly the ring
//! size's inner diameter, whatever the segment count, and the ring never fits tighter than sized.

use crate::jewelry::range::{check_range, OutOfRange};
use std::f64::consts::PI;

use glam::{DVec2, DVec3, Vec3};

use super::mesh::MeshData;
use crate::math::ring_size::{self, SizeError, SizeSystem};

/// Cross-section of a band.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Profile {
    /// Rectangular: flat inside and outside ("flat court" without the curve).
    Flat,
    /// Flat inside, domed outside (half-round / D).
    DShape,
    /// Domed outside and gently domed inside, so the band rolls over the knuckle.
    ComfortFit,
    /// Flat inside, outside rising to a sharp ridge around the middle.
    KnifeEdge,
}

impl Profile {
    /// Every profile.
    pub const ALL: [Profile; 4] = [
        Profile::Flat,
        Profile::DShape,
        Profile::ComfortFit,
        Profile::KnifeEdge,
    ];

    /// Height of the flat side walls as a share of the thickness: what is left at the band's
    /// edges once the outside is domed or ridged (1 for flat).
    pub fn wall_share(self) -> f64 {
        match self {
            Profile::Flat => 1.0,
            Profile::DShape | Profile::ComfortFit => 0.5,
            Profile::KnifeEdge => 0.35,
        }
    }

    /// How far the inside recedes from the finger at the band's edges, as a share of the
    /// thickness (comfort fit only): enough to feel, little enough to keep the band strong.
    pub fn inner_relief_share(self) -> f64 {
        match self {
            Profile::ComfortFit => 0.15,
            _ => 0.0,
        }
    }
}

/// Why a band could not be built.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum BandError {
    /// A dimension outside the range a wearable band can have.
    #[error(transparent)]
    OutOfRange(#[from] OutOfRange),
    /// The ring size itself was rejected (its message names the system's range).
    #[error(transparent)]
    Size(#[from] SizeError),
}

/// A plain band, dimensions in mm.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Band {
    /// Inner (finger) diameter, mm.
    pub inner_diameter_mm: f64,
    /// Width along the finger, mm.
    pub width_mm: f64,
    /// Radial thickness at the thickest point, mm.
    pub thickness_mm: f64,
    /// Cross-section.
    pub profile: Profile,
    /// Chamfer on the two edges where the side walls meet the outside, mm (0: sharp).
    pub bevel_mm: f64,
}

/// Valid ranges. Inner diameters cover every size of every system (US 0 = 11.63 mm to
/// US 16 = 24.63 mm) with margin; widths from a 1 mm stacking band to a 20 mm cigar band;
/// thickness from 0.8 mm (the thinnest that holds its shape in gold) to 6 mm.
const INNER_DIAMETER_MM: (f64, f64) = (10.0, 30.0);
const WIDTH_MM: (f64, f64) = (1.0, 20.0);
const THICKNESS_MM: (f64, f64) = (0.8, 6.0);
const SEGMENTS: (u32, u32) = (16, 4096);
/// Samples along each curved part of a profile; even, so one lands on the middle (z = 0).
const CURVE_SAMPLES: usize = 16;

/// [`check_range`] with the range as one of the pairs above.
fn check(parameter: &'static str, value: f64, (min, max): (f64, f64)) -> Result<(), OutOfRange> {
    check_range(parameter, value, min, max)
}

/// A profile corner: position (r from the inner radius outwards, z along the finger), mm, and
/// whether the surface creases there (a hard edge) or runs on smoothly.
#[derive(Clone, Copy, Debug)]
struct Corner {
    rz_mm: DVec2,
    sharp: bool,
}

impl Band {
    /// A band for a ring size such as `(SizeSystem::Us, "7")` (see [`ring_size`]).
    pub fn for_size(
        system: SizeSystem,
        label: &str,
        width_mm: f64,
        thickness_mm: f64,
        profile: Profile,
    ) -> Result<Band, BandError> {
        let band = Band {
            inner_diameter_mm: ring_size::inner_diameter_mm(system, label)? as f64,
            width_mm,
            thickness_mm,
            profile,
            bevel_mm: 0.0,
        };
        band.validate()?;
        Ok(band)
    }

    /// Largest valid bevel: a quarter of the smaller of the side wall and the width.
    pub fn max_bevel_mm(&self) -> f64 {
        0.25 * (self.thickness_mm * self.profile.wall_share()).min(self.width_mm)
    }

    /// Checks every dimension; the error names the first one out of range.
    pub fn validate(&self) -> Result<(), BandError> {
        check(
            "inner_diameter_mm",
            self.inner_diameter_mm,
            INNER_DIAMETER_MM,
        )?;
        check("width_mm", self.width_mm, WIDTH_MM)?;
        check("thickness_mm", self.thickness_mm, THICKNESS_MM)?;
        Ok(check(
            "bevel_mm",
            self.bevel_mm,
            (0.0, self.max_bevel_mm()),
        )?)
    }

    /// The closed loop of the cross-section, counter-clockwise in (r, z): inner surface (z
    /// falling), side wall at −z, outer surface (z rising), side wall at +z.
    fn profile_loop(&self) -> Vec<Corner> {
        let (t, hw, b) = (self.thickness_mm, self.width_mm / 2.0, self.bevel_mm);
        let wall = t * self.profile.wall_share();
        let relief = t * self.profile.inner_relief_share();
        let corner = |r: f64, z: f64, sharp: bool| Corner {
            rz_mm: DVec2::new(r, z),
            sharp,
        };
        // Outer surface r(z) for |z| <= hw.
        let outer = |z: f64| -> f64 {
            let u = (z / hw).clamp(-1.0, 1.0);
            match self.profile {
                Profile::Flat => t,
                Profile::DShape | Profile::ComfortFit => wall + (t - wall) * (1.0 - u * u).sqrt(),
                Profile::KnifeEdge => wall + (t - wall) * (1.0 - u.abs()),
            }
        };
        let mut pts = Vec::new();
        // Inner surface, +z to −z.
        if relief > 0.0 {
            for i in 0..=CURVE_SAMPLES {
                let z = hw - 2.0 * hw * i as f64 / CURVE_SAMPLES as f64;
                let u = z / hw;
                pts.push(corner(relief * u * u, z, i == 0 || i == CURVE_SAMPLES));
            }
        } else {
            pts.push(corner(0.0, hw, true));
            pts.push(corner(0.0, -hw, true));
        }
        // Outer surface, −z to +z, with the bevel cutting the corners at the walls.
        let z_lo = -hw + b;
        if b > 0.0 {
            pts.push(corner(outer(-hw) - b, -hw, true));
        }
        match self.profile {
            Profile::Flat => {
                pts.push(corner(t, z_lo, true));
                pts.push(corner(t, -z_lo, true));
            }
            Profile::KnifeEdge => {
                pts.push(corner(outer(z_lo), z_lo, true));
                pts.push(corner(t, 0.0, true));
                pts.push(corner(outer(-z_lo), -z_lo, true));
            }
            Profile::DShape | Profile::ComfortFit => {
                for i in 0..=CURVE_SAMPLES {
                    // Even spacing in the ellipse's angle puts samples where the dome turns.
                    let angle = PI * (1.0 - i as f64 / CURVE_SAMPLES as f64);
                    let z = if i == 0 {
                        z_lo
                    } else if i == CURVE_SAMPLES {
                        -z_lo
                    } else {
                        (hw * angle.cos()).clamp(z_lo, -z_lo)
                    };
                    // The dome meets the walls (or bevels) in a crease; it is smooth between.
                    pts.push(corner(outer(z), z, i == 0 || i == CURVE_SAMPLES));
                }
            }
        }
        if b > 0.0 {
            pts.push(corner(outer(hw) - b, hw, true));
        }
        // Drop repeated points (e.g. a zero-width sample), keeping the loop simple.
        pts.dedup_by(|a, b| a.rz_mm.distance(b.rz_mm) < 1e-12);
        pts
    }

    /// The band mesh: `segments` sides around the finger (16–4096; 128 looks round at arm's
    /// length), smooth-shaded along curves and creased at the profile's corners, closed.
    pub fn mesh(&self, segments: u32) -> Result<MeshData, BandError> {
        self.validate()?;
        check(
            "segments",
            segments as f64,
            (SEGMENTS.0 as f64, SEGMENTS.1 as f64),
        )?;
        let n = segments as usize;
        let loop_pts = self.profile_loop();
        let m = loop_pts.len();
        let r_in = self.inner_diameter_mm / 2.0;
        // Vertices on r / cos(π/n) so the faces, not the vertices, touch the nominal circles.
        let circumscribe = 1.0 / (PI / n as f64).cos();
        let angle = |i: usize| PI / 2.0 + 2.0 * PI * (i % n) as f64 / n as f64;
        let position_m = |rz: DVec2, i: usize| -> Vec3 {
            let rho = (r_in + rz.x) * circumscribe;
            (DVec3::new(rho * angle(i).cos(), rho * angle(i).sin(), rz.y) * 1e-3).as_vec3()
        };
        // Outward normal of profile edge j (corner j → j+1), in (r, z).
        let edge_normal = |j: usize| {
            let d = loop_pts[(j + 1) % m].rz_mm - loop_pts[j].rz_mm;
            DVec2::new(d.y, -d.x).normalize()
        };
        let mut mesh = MeshData::default();
        for j in 0..m {
            let (a, b) = (loop_pts[j], loop_pts[(j + 1) % m]);
            let own = edge_normal(j);
            // At a smooth corner both edges share the averaged normal; at a crease each keeps its own.
            let na = if a.sharp {
                own
            } else {
                (own + edge_normal((j + m - 1) % m)).normalize()
            };
            let nb = if b.sharp {
                own
            } else {
                (own + edge_normal((j + 1) % m)).normalize()
            };
            let normal = |n_rz: DVec2, i: usize| {
                Vec3::new(
                    (n_rz.x * angle(i).cos()) as f32,
                    (n_rz.x * angle(i).sin()) as f32,
                    n_rz.y as f32,
                )
            };
            let base = mesh.positions_m.len() as u32;
            for i in 0..=n {
                mesh.push_vertex(position_m(a.rz_mm, i), normal(na, i));
                mesh.push_vertex(position_m(b.rz_mm, i), normal(nb, i));
            }
            for i in 0..n as u32 {
                let (a0, b0, a1, b1) = (
                    base + 2 * i,
                    base + 2 * i + 1,
                    base + 2 * i + 2,
                    base + 2 * i + 3,
                );
                mesh.push_smooth_triangle(a0, b0, b1);
                mesh.push_smooth_triangle(a0, b1, a1);
            }
        }
        Ok(mesh)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn us7(profile: Profile) -> Band {
        Band::for_size(SizeSystem::Us, "7", 4.0, 1.8, profile).unwrap()
    }

    /// Every edge between bit-identical positions is used once in each direction.
    fn assert_closed(mesh: &MeshData) {
        let key = |i: u32| mesh.positions_m[i as usize].map(f32::to_bits);
        let mut directed: HashMap<([u32; 3], [u32; 3]), u32> = HashMap::new();
        for t in mesh.indices.chunks_exact(3) {
            for i in 0..3 {
                *directed
                    .entry((key(t[i]), key(t[(i + 1) % 3])))
                    .or_default() += 1;
            }
        }
        for (&(a, b), &count) in &directed {
            assert_eq!(count, 1);
            assert_eq!(directed.get(&(b, a)), Some(&1), "open edge");
        }
    }

    /// The cross-section at the first sweep angle (+Y), as (r from the inner radius, z), mm.
    fn section(band: &Band, mesh: &MeshData, segments: u32) -> Vec<(f64, f64)> {
        let cos = (PI / segments as f64).cos();
        mesh.positions_m
            .iter()
            .filter(|p| p[0].abs() < 1e-7 && p[1] > 0.0)
            .map(|p| {
                (
                    p[1] as f64 * 1e3 * cos - band.inner_diameter_mm / 2.0,
                    p[2] as f64 * 1e3,
                )
            })
            .collect()
    }

    #[test]
    fn us7_inner_diameter_is_17_32_mm() {
        for profile in Profile::ALL {
            let band = us7(profile);
            assert!((band.inner_diameter_mm - 17.32).abs() < 0.01);
            for segments in [16, 96, 128] {
                let mesh = band.mesh(segments).unwrap();
                // Inscribed radius: the innermost vertex circle times cos(π/n).
                let inner_mm = mesh
                    .positions_m
                    .iter()
                    .map(|p| (p[0] as f64).hypot(p[1] as f64) * 1e3)
                    .fold(f64::INFINITY, f64::min)
                    * (PI / segments as f64).cos();
                assert!(
                    (2.0 * inner_mm - 17.3196).abs() < 0.005,
                    "{profile:?}: {inner_mm}"
                );
            }
        }
    }

    #[test]
    fn every_profile_is_closed_and_outward() {
        for profile in Profile::ALL {
            for bevel_mm in [0.0, 0.15] {
                let band = Band {
                    bevel_mm,
                    ..us7(profile)
                };
                let mesh = band.mesh(64).unwrap();
                mesh.validate("band").unwrap();
                assert_closed(&mesh);
                let volume_mm3 =
                    crate::jewelry::gem::mesh_volume_mm3(&mesh.positions_m, &mesh.indices);
                // Between the inner ring's circumference × width × thickness and half of it.
                let full = PI * (17.3196 + 1.8) * 4.0 * 1.8;
                assert!(
                    volume_mm3 > 0.45 * full && volume_mm3 < 1.01 * full,
                    "{profile:?} {volume_mm3}"
                );
            }
        }
    }

    #[test]
    fn cross_sections_have_their_shape() {
        for profile in Profile::ALL {
            let band = us7(profile);
            let mesh = band.mesh(32).unwrap();
            let s = section(&band, &mesh, 32);
            let r_at = |z: f64| {
                s.iter()
                    .filter(|(_, pz)| (pz - z).abs() < 1e-4)
                    .map(|(r, _)| *r)
                    .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), r| {
                        (lo.min(r), hi.max(r))
                    })
            };
            let (z_min, z_max) = s
                .iter()
                .fold((0.0f64, 0.0f64), |(lo, hi), p| (lo.min(p.1), hi.max(p.1)));
            assert!((z_max - z_min - 4.0).abs() < 1e-4, "{profile:?} width");
            let innermost = s.iter().map(|p| p.0).fold(f64::INFINITY, f64::min);
            let outermost = s.iter().map(|p| p.0).fold(f64::NEG_INFINITY, f64::max);
            assert!(innermost.abs() < 1e-4, "{profile:?} touches the finger");
            assert!((outermost - 1.8).abs() < 1e-4, "{profile:?} thickness");
            let (edge_in, edge_out) = r_at(2.0);
            match profile {
                Profile::Flat => assert!((edge_out - 1.8).abs() < 1e-4 && edge_in.abs() < 1e-4),
                Profile::DShape => {
                    assert!((edge_out - 0.9).abs() < 1e-4 && edge_in.abs() < 1e-4);
                    assert!((r_at(0.0).1 - 1.8).abs() < 1e-4, "dome peaks in the middle");
                }
                Profile::ComfortFit => {
                    assert!((edge_out - 0.9).abs() < 1e-4);
                    assert!(r_at(0.0).0.abs() < 1e-4, "inside touches in the middle");
                    assert!((edge_in - 0.27).abs() < 1e-4, "inner relief at the edge");
                }
                Profile::KnifeEdge => {
                    assert!((edge_out - 0.63).abs() < 1e-4);
                    assert!((r_at(0.0).1 - 1.8).abs() < 1e-4, "ridge in the middle");
                    // Straight flanks: only the edges and the ridge are corners.
                    let mut zs: Vec<i64> = s.iter().map(|p| (p.1 * 1e4).round() as i64).collect();
                    zs.sort();
                    zs.dedup();
                    assert_eq!(zs.len(), 3);
                }
            }
        }
    }

    #[test]
    fn bad_dimensions_name_the_parameter_and_range() {
        let err = Band::for_size(SizeSystem::Us, "7", -2.0, 1.8, Profile::Flat).unwrap_err();
        assert_eq!(
            err.to_string(),
            "width_mm = -2 is outside the valid range 1..=20"
        );
        assert!(matches!(
            Band::for_size(SizeSystem::Us, "7", 4.0, 40.0, Profile::Flat),
            Err(BandError::OutOfRange(OutOfRange {
                parameter: "thickness_mm",
                ..
            }))
        ));
        assert!(matches!(
            Band::for_size(SizeSystem::Eu, "0", 4.0, 1.8, Profile::Flat),
            Err(BandError::Size(_))
        ));
        assert!(matches!(
            Band::for_size(SizeSystem::Us, "-1", 4.0, 1.8, Profile::Flat),
            Err(BandError::Size(_))
        ));
        let huge_bevel = Band {
            bevel_mm: 3.0,
            ..us7(Profile::Flat)
        };
        assert!(matches!(
            huge_bevel.mesh(64),
            Err(BandError::OutOfRange(OutOfRange {
                parameter: "bevel_mm",
                ..
            }))
        ));
        assert!(matches!(
            us7(Profile::Flat).mesh(3),
            Err(BandError::OutOfRange(OutOfRange {
                parameter: "segments",
                ..
            }))
        ));
    }
}
