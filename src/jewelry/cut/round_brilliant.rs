//! The round brilliant from its published proportions, with every vertex computed exactly.
//!
//! Layout (stone axis +Y, table up, girdle centred on the origin): 8-fold symmetry with the bezel
//! (kite) and pavilion main facets centred on azimuths `αₖ = k·45°` and the stars centred between
//! them on `βₖ = αₖ + 22.5°`. The girdle is 16 vertical facets whose corners lie on the
//! `diameter_mm` circle at every multiple of 22.5°, so each upper-girdle and each lower-girdle
//! facet meets exactly one girdle facet along one straight edge (real stones have 32–96 girdle
//! facets; 16 keeps every facet planar with the 57 standard ones).
//!
//! Facets: 1 table + 8 stars + 8 bezels + 16 upper girdles = 33 crown; 8 mains + 16 lower girdles
//! = 24 pavilion (+1 culet when asked for); 16 girdle.

use std::f64::consts::PI;

use glam::DVec3;

use super::polyhedron::ConvexPolyhedron;
use super::{check_range, Cut, CutError};
use crate::jewelry::mesh::MeshData;

/// Culet size when [`RoundBrilliant::culet`] is set: across-corners width as a share of the
/// diameter. GIA grades a culet under ~1.5 % "very small", the usual modern choice.
pub const CULET_PCT: f64 = 1.0;

/// A round brilliant cut. Percentages are of the girdle diameter, angles from the girdle plane.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RoundBrilliant {
    /// Girdle diameter across the girdle corners, mm.
    pub diameter_mm: f64,
    /// Table width across its corners, % of the diameter.
    pub table_pct: f64,
    /// Bezel (kite) facet angle to the girdle plane, degrees.
    pub crown_angle_deg: f64,
    /// Pavilion main facet angle to the girdle plane, degrees.
    pub pavilion_angle_deg: f64,
    /// Girdle thickness, % of the diameter.
    pub girdle_pct: f64,
    /// How far the star points reach from the table edge towards the girdle, %.
    pub star_pct: f64,
    /// How far the lower-girdle facets reach from the girdle towards the culet, %.
    pub lower_girdle_pct: f64,
    /// Whether the pavilion ends in a small flat culet facet ([`CULET_PCT`]) instead of a point.
    pub culet: bool,
}

impl Default for RoundBrilliant {
    /// GIA Excellent / Tolkowsky-style proportions: table 57 %, crown 34.5°, pavilion 40.75°,
    /// girdle 3 %, stars 50 %, lower girdles 77 %, no culet; 6.5 mm (about 1 ct of diamond).
    fn default() -> Self {
        RoundBrilliant {
            diameter_mm: 6.5,
            table_pct: 57.0,
            crown_angle_deg: 34.5,
            pavilion_angle_deg: 40.75,
            girdle_pct: 3.0,
            star_pct: 50.0,
            lower_girdle_pct: 77.0,
            culet: false,
        }
    }
}

/// A point at radius `r_mm`, azimuth `azimuth_rad` (from +X towards +Z) and height `y_mm`.
fn polar(r_mm: f64, azimuth_rad: f64, y_mm: f64) -> DVec3 {
    DVec3::new(r_mm * azimuth_rad.cos(), y_mm, r_mm * azimuth_rad.sin())
}

/// `poly` wound counter-clockwise seen from outside (the origin is inside the stone).
fn outward(mut poly: Vec<DVec3>) -> Vec<DVec3> {
    let c = super::polyhedron::polygon_centroid(&poly);
    if super::polyhedron::polygon_normal(&poly).dot(c) < 0.0 {
        poly.reverse();
    }
    poly
}

impl RoundBrilliant {
    /// Checks every proportion against the range in which the facet layout stays valid.
    pub fn validate(&self) -> Result<(), CutError> {
        check_range("diameter_mm", self.diameter_mm, 0.5, 50.0)?;
        check_range("table_pct", self.table_pct, 40.0, 75.0)?;
        check_range("crown_angle_deg", self.crown_angle_deg, 20.0, 45.0)?;
        check_range("pavilion_angle_deg", self.pavilion_angle_deg, 35.0, 48.0)?;
        check_range("girdle_pct", self.girdle_pct, 0.5, 10.0)?;
        check_range("star_pct", self.star_pct, 20.0, 80.0)?;
        check_range("lower_girdle_pct", self.lower_girdle_pct, 50.0, 95.0)?;
        Ok(())
    }

    /// Crown height above the girdle, mm.
    pub fn crown_height_mm(&self) -> f64 {
        let r = self.diameter_mm / 2.0;
        r * (1.0 - self.table_pct / 100.0) * self.crown_angle_deg.to_radians().tan()
    }

    /// Pavilion depth below the girdle down to the (pointed) culet, mm.
    pub fn pavilion_depth_mm(&self) -> f64 {
        self.diameter_mm / 2.0 * self.pavilion_angle_deg.to_radians().tan()
    }

    /// Total depth, % of the diameter (about 61 % for the defaults).
    pub fn total_depth_pct(&self) -> f64 {
        let g = self.girdle_pct / 100.0 * self.diameter_mm;
        (self.crown_height_mm() + g + self.pavilion_depth_mm()) / self.diameter_mm * 100.0
    }

    /// The exact solid, mm.
    pub fn polyhedron(&self) -> Result<ConvexPolyhedron, CutError> {
        self.validate()?;
        let r = self.diameter_mm / 2.0;
        let half_girdle = self.girdle_pct / 100.0 * self.diameter_mm / 2.0;
        let tan_c = self.crown_angle_deg.to_radians().tan();
        let tan_p = self.pavilion_angle_deg.to_radians().tan();
        let half_step = PI / 8.0; // 22.5°: from a main azimuth to the next star azimuth
        let alpha = |k: usize| k as f64 * PI / 4.0;
        let beta = |k: usize| alpha(k) + half_step;

        // Table corners lie on the bezel centre lines, so crown height follows from the angle.
        let table_r = r * self.table_pct / 100.0;
        let table_y = half_girdle + (r - table_r) * tan_c;
        let t = |k: usize| polar(table_r, alpha(k % 8), table_y);
        // Star points: `star_pct` of the way from the table edge to the girdle corner, on the
        // plane of both neighbouring bezels (a bezel plane drops tan_c per mm along its azimuth).
        let table_edge_r = table_r * half_step.cos();
        let star_r = table_edge_r + self.star_pct / 100.0 * (r - table_edge_r);
        let star_y = half_girdle + (r - star_r * half_step.cos()) * tan_c;
        let s = |k: usize| polar(star_r, beta(k % 8), star_y);
        // Girdle corners every 22.5°, top and bottom: even j on mains, odd j between them.
        let g_top = |j: usize| polar(r, (j % 16) as f64 * half_step, half_girdle);
        let g_bot = |j: usize| polar(r, (j % 16) as f64 * half_step, -half_girdle);
        // Lower-girdle points: `lower_girdle_pct` of the way from girdle to axis, on both mains.
        let lower_r = r * (1.0 - self.lower_girdle_pct / 100.0);
        let main_y = |radial_mm: f64| -half_girdle - (r - radial_mm) * tan_p;
        let l = |k: usize| polar(lower_r, beta(k % 8), main_y(lower_r * half_step.cos()));
        let culet_r = r * CULET_PCT / 100.0;
        let c = |k: usize| polar(culet_r, beta(k % 8), main_y(culet_r * half_step.cos()));
        let apex = DVec3::new(0.0, main_y(0.0), 0.0);

        let mut faces = Vec::with_capacity(74);
        faces.push((0..8).map(t).collect());
        for k in 0..8 {
            let prev = k + 7; // k − 1 modulo 8
            faces.push(vec![t(k), t(k + 1), s(k)]); // star
            faces.push(vec![t(k), s(prev), g_top(2 * k), s(k)]); // bezel (kite)
            faces.push(vec![s(k), g_top(2 * k), g_top(2 * k + 1)]); // upper girdle
            faces.push(vec![s(k), g_top(2 * k + 1), g_top(2 * k + 2)]); // upper girdle
        }
        for j in 0..16 {
            faces.push(vec![g_top(j), g_top(j + 1), g_bot(j + 1), g_bot(j)]); // girdle
        }
        for k in 0..8 {
            let prev = k + 7;
            faces.push(vec![g_bot(2 * k), g_bot(2 * k + 1), l(k)]); // lower girdle
            faces.push(vec![g_bot(2 * k + 1), g_bot(2 * k + 2), l(k)]); // lower girdle
            if self.culet {
                faces.push(vec![g_bot(2 * k), l(k), c(k), c(prev), l(prev)]); // main
            } else {
                faces.push(vec![g_bot(2 * k), l(k), apex, l(prev)]); // main
            }
        }
        if self.culet {
            faces.push((0..8).map(c).collect());
        }
        Ok(ConvexPolyhedron {
            faces_mm: faces.into_iter().map(outward).collect(),
        })
    }

    /// Flat-shaded closed convex mesh in metres (see [`ConvexPolyhedron::mesh`]).
    pub fn mesh(&self) -> Result<MeshData, CutError> {
        Ok(self.polyhedron()?.mesh())
    }

    /// Exact volume of the mesh's solid, mm³.
    pub fn volume_mm3(&self) -> Result<f64, CutError> {
        Ok(self.polyhedron()?.volume_mm3())
    }

    /// The diameter at which these proportions weigh `carat` in a material of `density_g_cm3`
    /// (volume grows with the cube of the diameter).
    pub fn diameter_for_carat(&self, carat: f64, density_g_cm3: f64) -> Result<f64, CutError> {
        Ok(self.sized_for_carat(carat, density_g_cm3)?.diameter_mm)
    }
}

impl Cut for RoundBrilliant {
    fn name(&self) -> &'static str {
        "round-brilliant"
    }

    fn polyhedron(&self) -> Result<ConvexPolyhedron, CutError> {
        RoundBrilliant::polyhedron(self)
    }

    fn scaled(&self, factor: f64) -> Self {
        RoundBrilliant {
            diameter_mm: self.diameter_mm * factor,
            ..*self
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::checks::{assert_closed, assert_convex, facet_counts};
    use super::super::Gem;
    use super::*;
    use crate::jewelry::gem::{facet_planes, mesh_volume_mm3};
    use crate::jewelry::glb::{write_glb, GlbPart};
    use crate::jewelry::range::OutOfRange;

    fn one_carat() -> RoundBrilliant {
        let d = RoundBrilliant::default()
            .diameter_for_carat(1.0, Gem::Diamond.density_g_cm3())
            .unwrap();
        RoundBrilliant {
            diameter_mm: d,
            ..RoundBrilliant::default()
        }
    }

    #[test]
    fn one_carat_diamond_is_6_4_to_6_5_mm_and_weighs_0_2_g() {
        let stone = one_carat();
        eprintln!(
            "1 ct diameter {:.4} mm, depth {:.2} %",
            stone.diameter_mm,
            stone.total_depth_pct()
        );
        assert!((6.4..=6.5).contains(&stone.diameter_mm));
        let mesh = stone.mesh().unwrap();
        let grams = mesh_volume_mm3(&mesh.positions_m, &mesh.indices) * 3.52 / 1000.0;
        eprintln!(
            "mesh weight {grams:.6} g, error {:.4} %",
            (grams / 0.2 - 1.0) * 100.0
        );
        assert!((grams / 0.2 - 1.0).abs() < 0.005);
    }

    #[test]
    fn facet_counts_are_33_crown_24_pavilion_16_girdle() {
        let stone = one_carat();
        assert_eq!(facet_counts(&stone.mesh().unwrap()), (33, 16, 24));
        let culet = RoundBrilliant {
            culet: true,
            ..stone
        };
        assert_eq!(facet_counts(&culet.mesh().unwrap()), (33, 16, 25));
    }

    #[test]
    fn crown_and_pavilion_angles_measured_from_the_mesh_match() {
        let stone = RoundBrilliant {
            crown_angle_deg: 33.0,
            pavilion_angle_deg: 41.2,
            ..one_carat()
        };
        for stone in [one_carat(), stone] {
            let mesh = stone.mesh().unwrap();
            let planes = facet_planes(&mesh.positions_m, &mesh.indices).unwrap();
            let (mut crown, mut pavilion) = (Vec::new(), Vec::new());
            for p in planes {
                let [x, y, z] = p.normal.map(f64::from);
                let azimuth_deg = z.atan2(x).to_degrees();
                let on_main_axis = ((azimuth_deg / 45.0).round() * 45.0 - azimuth_deg).abs() < 0.5;
                if on_main_axis && y > 1e-3 && y < 0.999 {
                    crown.push(y.acos().to_degrees());
                } else if on_main_axis && y < -1e-3 {
                    pavilion.push((-y).acos().to_degrees());
                }
            }
            assert_eq!((crown.len(), pavilion.len()), (8, 8));
            for a in crown {
                eprintln!("crown angle error {:.6}°", a - stone.crown_angle_deg);
                assert!((a - stone.crown_angle_deg).abs() < 0.1);
            }
            for a in pavilion {
                eprintln!("pavilion angle error {:.6}°", a - stone.pavilion_angle_deg);
                assert!((a - stone.pavilion_angle_deg).abs() < 0.1);
            }
        }
    }

    #[test]
    fn mesh_is_closed_manifold_and_convex() {
        for culet in [false, true] {
            let solid = RoundBrilliant {
                culet,
                ..one_carat()
            }
            .polyhedron()
            .unwrap();
            let mesh = solid.mesh();
            mesh.validate("stone").unwrap();
            assert_closed(&mesh);
            assert_convex(&mesh, &solid, 1e-9);
        }
    }

    #[test]
    fn glb_bytes_are_deterministic() {
        let glb = || {
            write_glb(&[GlbPart {
                name: "stone".into(),
                mesh: one_carat().mesh().unwrap(),
                material: Gem::Diamond.part_material(4.0),
                translation_m: [0.0; 3],
                ..Default::default()
            }])
        };
        assert_eq!(glb(), glb());
    }

    #[test]
    fn bad_proportions_name_the_parameter_and_range() {
        let err = RoundBrilliant {
            crown_angle_deg: 60.0,
            ..RoundBrilliant::default()
        }
        .mesh()
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "crown_angle_deg = 60 is outside the valid range 20..=45"
        );
        let nan = RoundBrilliant {
            diameter_mm: f64::NAN,
            ..RoundBrilliant::default()
        };
        assert!(matches!(
            nan.mesh(),
            Err(CutError::OutOfRange(OutOfRange {
                parameter: "diameter_mm",
                ..
            }))
        ));
        let d = RoundBrilliant::default().diameter_for_carat(-1.0, 3.52);
        assert!(matches!(
            d,
            Err(CutError::OutOfRange(OutOfRange {
                parameter: "carat",
                ..
            }))
        ));
    }
}
