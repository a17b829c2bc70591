//! Settings that hold stones: prong heads (any number of prongs, any convex cut), shared-bead
//! prongs between neighbouring stones, bezels and gallery rails.
//!
//! Everything is built in the stone's own space (table up +Y, girdle centred on the origin, mm)
//! against the stone's exact [`ConvexPolyhedron`], and placed afterwards. Contact is measured,
//! not assumed: a prong's inner surface sits [`PRONG_SEAT_MM`] inside the stone (the seat a
//! setter cuts), and tests check every prong against [`CONTACT_TOLERANCE_MM`].

use crate::jewelry::range::OutOfRange;
use glam::{DVec2, DVec3};

use super::cut::ConvexPolyhedron;
use super::mesh::MeshData;
use super::search::outwards;
use super::sweep::{lathe_mm, tube_mm};

/// How far a prong's or bezel's inner surface reaches into the stone's outline, mm: the seat
/// cut into the metal that the girdle rests in. Stated overlap, within the tolerance below.
pub const PRONG_SEAT_MM: f64 = 0.02;
/// The largest gap or overlap allowed between a prong and its stone, mm (the catalogue's
/// acceptance check: touching, neither floating nor cutting into the stone).
pub const CONTACT_TOLERANCE_MM: f64 = 0.05;
/// Clearance between a prong and the pavilion below the girdle, mm.
const PAVILION_CLEARANCE_MM: f64 = 0.08;
/// Step along a prong's height when following the stone, mm.
const PRONG_STEP_MM: f64 = 0.1;
/// Sides of a wire's cross-section.
pub const WIRE_SIDES: u32 = 12;

/// Why a setting cannot hold the stone asked for.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum SettingError {
    /// A parameter outside its valid range.
    #[error(transparent)]
    OutOfRange(#[from] OutOfRange),
    /// The head is smaller than the stone it should hold.
    #[error("the head is {head_mm:.2} mm across but the stone is {stone_mm:.2} mm; use a head of at least {stone_mm:.2} mm or a smaller stone")]
    HeadTooSmall {
        /// Head size, mm.
        head_mm: f64,
        /// Stone size across the girdle, mm.
        stone_mm: f64,
    },
}

/// A round wire (prong, rail, post) kept as its axis and radius, so contact can be measured.
#[derive(Clone, Debug, PartialEq)]
pub struct Wire {
    /// Axis, mm.
    pub path_mm: Vec<DVec3>,
    /// Wire radius, mm.
    pub radius_mm: f64,
    /// Whether the path is a closed loop.
    pub closed: bool,
}

impl Wire {
    /// The wire's mesh in metres (open wires end in hemispherical beads).
    pub fn mesh(&self) -> MeshData {
        tube_mm(&self.path_mm, self.radius_mm, WIRE_SIDES, self.closed)
    }

    /// Smallest gap between the wire's surface and `solid`, mm (negative: overlap), measured along
    /// the axis at steps of at most 0.01 mm.
    pub fn gap_to_mm(&self, solid: &ConvexPolyhedron) -> f64 {
        let n = self.path_mm.len();
        let segments = if self.closed { n } else { n.saturating_sub(1) };
        let mut best = f64::INFINITY;
        for i in 0..segments.max(1) {
            let a = self.path_mm[i];
            let b = self.path_mm[(i + 1) % n];
            let steps = ((a.distance(b) / 0.01).ceil() as usize).max(1);
            for s in 0..=steps {
                let p = a.lerp(b, s as f64 / steps as f64);
                best = best.min(solid.signed_distance_mm(p) - self.radius_mm);
            }
        }
        best
    }

    /// This wire with every axis point mapped by the rigid motion `f`.
    pub fn mapped(&self, f: impl Fn(DVec3) -> DVec3) -> Wire {
        Wire {
            path_mm: self.path_mm.iter().map(|p| f(*p)).collect(),
            ..self.clone()
        }
    }
}

/// Horizontal distance from the Y axis, along `azimuth` (unit, horizontal), at height `y_mm`,
/// where the distance to `stone` first reaches `offset_mm` coming from outside: the point on
/// the stone's offset surface. 0 when the axis point itself is already that far away.
fn offset_point(stone: &ConvexPolyhedron, azimuth: DVec3, y_mm: f64, offset_mm: f64) -> DVec3 {
    let at = |rho: f64| azimuth * rho + DVec3::Y * y_mm;
    if stone.signed_distance_mm(at(0.0)) >= offset_mm {
        return at(0.0);
    }
    let (_, rho) = outwards(f64::INFINITY, |rho| {
        stone.signed_distance_mm(at(rho)) < offset_mm
    });
    at(rho)
}

/// Height of the girdle's top and bottom edges where the horizontal ray along `azimuth` leaves
/// the stone, mm.
fn girdle_span_mm(stone: &ConvexPolyhedron, azimuth: DVec3) -> (f64, f64) {
    let Some((exit, normal)) = stone.ray_exit_mm(DVec3::ZERO, azimuth) else {
        return (0.0, 0.0);
    };
    // The girdle facet is the vertical one the ray leaves through (or, at a corner, touches).
    let inside = |y: f64| stone.signed_distance_mm(exit - normal * 1e-6 + DVec3::Y * y) <= 1e-9;
    let walk = |dir: f64| dir * outwards(100.0, |t| inside(dir * t)).0;
    (walk(-1.0), walk(1.0))
}

/// Lowest point of the stone (the culet), mm.
pub fn culet_y_mm(stone: &ConvexPolyhedron) -> f64 {
    stone.bounds_mm().0.y
}

/// One prong per azimuth (radians, from +X towards −Z, seen from above): a wire that rises from
/// `base_y_mm` (below the culet, where it joins the head or the band) following the pavilion at
/// a small clearance, seats [`PRONG_SEAT_MM`] into the girdle, and ends in a claw resting on
/// the crown `claw_mm` above the girdle top.
pub fn prongs(
    stone: &ConvexPolyhedron,
    azimuths_rad: &[f64],
    radius_mm: f64,
    base_y_mm: f64,
    claw_mm: f64,
) -> Vec<Wire> {
    azimuths_rad
        .iter()
        .map(|&a| {
            let azimuth = DVec3::new(a.cos(), 0.0, -a.sin());
            let (girdle_bottom, girdle_top) = girdle_span_mm(stone, azimuth);
            let seated = radius_mm - PRONG_SEAT_MM;
            let clear = radius_mm + PAVILION_CLEARANCE_MM;
            let top = girdle_top + claw_mm;
            let mut path = Vec::new();
            let mut y = top;
            while y > base_y_mm {
                // Seated from the claw down to just under the girdle, then easing off the pavilion.
                let below = (girdle_bottom - y).max(0.0);
                let offset = seated + (clear - seated) * (below / 0.3).min(1.0);
                path.push(offset_point(stone, azimuth, y, offset));
                y -= PRONG_STEP_MM;
            }
            let last = *path.last().unwrap_or(&DVec3::ZERO);
            path.push(DVec3::new(last.x, base_y_mm, last.z));
            Wire {
                path_mm: path,
                radius_mm,
                closed: false,
            }
        })
        .collect()
}

/// `count` azimuths evenly spaced, the first at `first_rad`.
pub fn even_azimuths(count: usize, first_rad: f64) -> Vec<f64> {
    (0..count)
        .map(|i| first_rad + std::f64::consts::TAU * i as f64 / count as f64)
        .collect()
}

/// Azimuths of the four corners of the stone's girdle outline (rectangular and fancy cuts).
pub fn corner_azimuths(stone: &ConvexPolyhedron) -> Vec<f64> {
    let (lo, hi) = stone.bounds_mm();
    let (hx, hz) = (0.5 * (hi.x - lo.x), 0.5 * (hi.z - lo.z));
    [(hx, -hz), (-hx, -hz), (-hx, hz), (hx, hz)]
        .iter()
        .map(|&(x, z)| (-z).atan2(x))
        .collect()
}

/// A closed rail around the stone at height `y_mm`, `clearance_mm` off its surface: the gallery
/// wire that ties prongs together below the girdle.
pub fn gallery_rail(
    stone: &ConvexPolyhedron,
    y_mm: f64,
    radius_mm: f64,
    clearance_mm: f64,
) -> Wire {
    let path_mm = even_azimuths(96, 0.0)
        .into_iter()
        .map(|a| {
            offset_point(
                stone,
                DVec3::new(a.cos(), 0.0, -a.sin()),
                y_mm,
                radius_mm + clearance_mm,
            )
        })
        .collect();
    Wire {
        path_mm,
        radius_mm,
        closed: true,
    }
}

/// The girdle's widest extent, mm: the diameter of the smallest centred circle holding it.
pub fn girdle_diameter_mm(stone: &ConvexPolyhedron) -> f64 {
    2.0 * stone
        .faces_mm
        .iter()
        .flatten()
        .map(|p| DVec2::new(p.x, p.z).length())
        .fold(0.0, f64::max)
}

/// Checks that a head `head_mm` across can hold a stone: no smaller than the girdle, and not so
/// large that the prongs would have to lean in more than a third of the head.
pub fn check_head(stone: &ConvexPolyhedron, head_mm: f64) -> Result<(), SettingError> {
    let stone_mm = girdle_diameter_mm(stone);
    if !head_mm.is_finite() || head_mm <= 0.0 || head_mm > 60.0 {
        return Err(SettingError::OutOfRange(OutOfRange {
            parameter: "head_mm",
            value: head_mm,
            min: stone_mm,
            max: (stone_mm * 1.5).min(60.0),
        }));
    }
    if head_mm + 1e-9 < stone_mm {
        return Err(SettingError::HeadTooSmall { head_mm, stone_mm });
    }
    if head_mm > stone_mm * 1.5 {
        return Err(SettingError::OutOfRange(OutOfRange {
            parameter: "head_mm",
            value: head_mm,
            min: stone_mm,
            max: stone_mm * 1.5,
        }));
    }
    Ok(())
}

/// A bezel for a round stone: a metal collar whose inner wall meets the girdle (seated
/// [`PRONG_SEAT_MM`]), from `depth_mm` below the girdle to `lip_mm` above its top, `wall_mm` thick.
/// Returns the mesh and the inner radius, mm.
pub fn round_bezel(
    stone: &ConvexPolyhedron,
    wall_mm: f64,
    depth_mm: f64,
    lip_mm: f64,
    segments: u32,
) -> (MeshData, f64) {
    let inner = 0.5 * girdle_diameter_mm(stone) - PRONG_SEAT_MM;
    let (bottom, top) = girdle_span_mm(stone, DVec3::X);
    let (y0, y1) = (bottom - depth_mm, top + lip_mm);
    // The lathe's polygon lies inside the circle through its vertices; push it out so the flat
    // between two vertices, not the vertex, sits at `inner`.
    let polygon = 1.0 / (std::f64::consts::PI / segments.max(8) as f64).cos();
    let profile = [
        DVec2::new(inner * polygon, y0),
        DVec2::new((inner + wall_mm) * polygon, y0),
        DVec2::new((inner + wall_mm) * polygon, y1),
        DVec2::new(inner * polygon, y1),
    ];
    (lathe_mm(&profile, segments), inner)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jewelry::cut::{Cut, Emerald, RoundBrilliant};

    fn assert_touches(w: &Wire, stone: &ConvexPolyhedron) {
        let gap = w.gap_to_mm(stone);
        assert!(
            gap.abs() <= CONTACT_TOLERANCE_MM,
            "prong gap {gap:.4} mm is outside ±{CONTACT_TOLERANCE_MM}"
        );
    }

    #[test]
    fn four_and_six_prongs_touch_a_round_brilliant() {
        let stone = RoundBrilliant::default().polyhedron().unwrap();
        let base = culet_y_mm(&stone) - 0.5;
        for count in [4, 6] {
            let wires = prongs(&stone, &even_azimuths(count, 0.3), 0.42, base, 0.45);
            assert_eq!(wires.len(), count);
            for w in &wires {
                assert_touches(w, &stone);
                // The prong reaches above the girdle and down to its base.
                let top = w.path_mm.iter().map(|p| p.y).fold(f64::MIN, f64::max);
                assert!(top > 0.3, "{top}");
                assert!((w.path_mm.last().unwrap().y - base).abs() < 1e-9);
            }
        }
    }

    #[test]
    fn corner_prongs_touch_an_emerald_cut() {
        let stone = Emerald::default().polyhedron().unwrap();
        let wires = prongs(
            &stone,
            &corner_azimuths(&stone),
            0.4,
            culet_y_mm(&stone) - 0.4,
            0.4,
        );
        for w in &wires {
            assert_touches(w, &stone);
        }
        // A prong far from the stone is caught.
        let away = wires[0].mapped(|p| p + DVec3::X * 0.3);
        assert!(away.gap_to_mm(&stone) > CONTACT_TOLERANCE_MM);
    }

    #[test]
    fn bezel_meets_the_girdle() {
        let stone = RoundBrilliant::default().polyhedron().unwrap();
        let (mesh, inner) = round_bezel(&stone, 0.6, 0.8, 0.35, 96);
        assert!(!mesh.is_empty());
        // Sample the inner wall as a wire of radius 0 at girdle height.
        let ring = Wire {
            path_mm: even_azimuths(360, 0.0)
                .iter()
                .map(|a| DVec3::new(a.cos() * inner, 0.0, -a.sin() * inner))
                .collect(),
            radius_mm: 0.0,
            closed: true,
        };
        assert_touches(&ring, &stone);
    }

    #[test]
    fn head_size_is_checked() {
        let stone = RoundBrilliant::default().polyhedron().unwrap();
        assert!(check_head(&stone, 6.5).is_ok());
        let err = check_head(&stone, 5.0).unwrap_err();
        assert!(err.to_string().contains("at least 6.50 mm"), "{err}");
        assert!(matches!(
            check_head(&stone, 20.0),
            Err(SettingError::OutOfRange(OutOfRange {
                parameter: "head_mm",
                ..
            }))
        ));
    }
}
