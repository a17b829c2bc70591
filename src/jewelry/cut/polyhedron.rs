//! Convex polyhedra as lists of planar polygons, in millimetres and f64.
//!
//! Every cut is built here first, in double precision, and only converted to the f32 metres of
//! [`MeshData`] at the end, so facet planes, angles and volumes are exact up to that one rounding.

use glam::{DVec3, Vec3};

use crate::jewelry::mesh::MeshData;

/// A plane `normal · x = offset_mm`; the solid lies on the side where `normal · x <= offset_mm`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct HalfSpace {
    /// Outward unit normal.
    pub normal: DVec3,
    /// Signed distance of the plane from the origin, mm.
    pub offset_mm: f64,
}

impl HalfSpace {
    /// The plane through `point_mm` with outward normal `normal` (normalised here).
    pub fn through(point_mm: DVec3, normal: DVec3) -> HalfSpace {
        let normal = normal.normalize();
        HalfSpace {
            normal,
            offset_mm: normal.dot(point_mm),
        }
    }

    /// Signed distance of `p_mm` in front of the plane (positive outside the solid).
    pub fn distance_mm(&self, p_mm: DVec3) -> f64 {
        self.normal.dot(p_mm) - self.offset_mm
    }
}

/// How each planar facet polygon is split into triangles.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Triangulation {
    /// A fan from the polygon's first vertex (fewest vertices; the default).
    #[default]
    FirstVertexFan,
    /// A fan from an added centre vertex; the same surface split differently, used to check
    /// that plane recovery does not depend on the triangulation.
    CentroidFan,
}

/// A closed convex polyhedron: planar facets wound counter-clockwise seen from outside.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ConvexPolyhedron {
    /// Facet polygons, mm, each convex and counter-clockwise about its outward normal.
    pub faces_mm: Vec<Vec<DVec3>>,
}

/// Below this (mm) two points count as one and a point counts as on a plane; far below any facet
/// edge of a real stone (≥ 0.01 mm) and far above f64 rounding at stone sizes (~1e-15 mm).
const EPS_MM: f64 = 1e-9;

impl ConvexPolyhedron {
    /// A box from `min_mm` to `max_mm`, the start for half-space clipping.
    pub fn cuboid(min_mm: DVec3, max_mm: DVec3) -> ConvexPolyhedron {
        let c = |x: bool, y: bool, z: bool| {
            DVec3::new(
                if x { max_mm.x } else { min_mm.x },
                if y { max_mm.y } else { min_mm.y },
                if z { max_mm.z } else { min_mm.z },
            )
        };
        let (f, t) = (false, true);
        let faces_mm = vec![
            vec![c(t, f, f), c(t, t, f), c(t, t, t), c(t, f, t)], // +x
            vec![c(f, f, f), c(f, f, t), c(f, t, t), c(f, t, f)], // -x
            vec![c(f, t, f), c(f, t, t), c(t, t, t), c(t, t, f)], // +y
            vec![c(f, f, f), c(t, f, f), c(t, f, t), c(f, f, t)], // -y
            vec![c(f, f, t), c(t, f, t), c(t, t, t), c(f, t, t)], // +z
            vec![c(f, f, f), c(f, t, f), c(t, t, f), c(t, f, f)], // -z
        ];
        ConvexPolyhedron { faces_mm }
    }

    /// The intersection of `half_spaces` with the box `bound_mm` (a half-size around the
    /// origin large enough to contain the result). Planes that cut nothing add no facet.
    pub fn from_half_spaces(half_spaces: &[HalfSpace], bound_mm: f64) -> ConvexPolyhedron {
        let b = DVec3::splat(bound_mm);
        let mut solid = ConvexPolyhedron::cuboid(-b, b);
        for h in half_spaces {
            solid = solid.clipped(h);
        }
        solid.welded()
    }

    /// The same solid with points closer than `EPS_MM` made identical, so that facets sharing
    /// an edge share bit-identical vertices (clipping computes each from its own facet).
    pub fn welded(&self) -> ConvexPolyhedron {
        let mut unique: Vec<DVec3> = Vec::new();
        let faces_mm = self
            .faces_mm
            .iter()
            .map(|face| {
                let snapped = face
                    .iter()
                    .map(|p| match unique.iter().find(|q| q.distance(*p) <= EPS_MM) {
                        Some(q) => *q,
                        None => {
                            unique.push(*p);
                            *p
                        }
                    })
                    .collect();
                dedup_ring(snapped)
            })
            .filter(|f: &Vec<DVec3>| f.len() >= 3)
            .collect();
        ConvexPolyhedron { faces_mm }
    }

    /// This solid cut by a half-space: faces are clipped and the cut adds one cap facet.
    pub fn clipped(&self, h: &HalfSpace) -> ConvexPolyhedron {
        let mut faces_mm = Vec::with_capacity(self.faces_mm.len() + 1);
        let mut cap: Vec<DVec3> = Vec::new();
        for face in &self.faces_mm {
            let clipped = clip_polygon(face, h);
            for p in &clipped {
                if h.distance_mm(*p).abs() <= EPS_MM
                    && !cap.iter().any(|q| q.distance(*p) <= EPS_MM)
                {
                    cap.push(*p);
                }
            }
            if clipped.len() >= 3 && polygon_area_mm2(&clipped) > EPS_MM * EPS_MM {
                faces_mm.push(clipped);
            }
        }
        if cap.len() >= 3 {
            let cap = sort_ccw(cap, h.normal);
            if polygon_area_mm2(&cap) > EPS_MM * EPS_MM {
                // A cap that coincides with an existing facet (a repeated plane) is not new.
                let duplicate = faces_mm.iter().any(|f| {
                    polygon_normal(f).dot(h.normal) > 1.0 - 1e-12
                        && h.distance_mm(f[0]).abs() <= EPS_MM
                });
                if !duplicate {
                    faces_mm.push(cap);
                }
            }
        }
        ConvexPolyhedron { faces_mm }
    }

    /// This solid with every point mapped by `f`, which must be affine (planes stay planes);
    /// `mirrors` tells whether it reverses orientation, so the winding is flipped back.
    pub fn mapped(&self, f: impl Fn(DVec3) -> DVec3, mirrors: bool) -> ConvexPolyhedron {
        ConvexPolyhedron {
            faces_mm: self
                .faces_mm
                .iter()
                .map(|face| {
                    let mut out: Vec<DVec3> = face.iter().map(|p| f(*p)).collect();
                    if mirrors {
                        out.reverse();
                    }
                    out
                })
                .collect(),
        }
    }

    /// Exact enclosed volume by the divergence theorem (sum of signed tetrahedra), mm³.
    pub fn volume_mm3(&self) -> f64 {
        let mut six_v = 0.0;
        for face in &self.faces_mm {
            for i in 1..face.len().saturating_sub(1) {
                six_v += face[0].dot(face[i].cross(face[i + 1]));
            }
        }
        six_v / 6.0
    }

    /// The outward facet planes, one per facet, in facet order.
    pub fn planes(&self) -> Vec<HalfSpace> {
        self.faces_mm
            .iter()
            .map(|f| HalfSpace::through(polygon_centroid(f), polygon_normal(f)))
            .collect()
    }

    /// Signed distance from `p_mm` to the solid's surface, mm: negative inside (the depth below
    /// the nearest facet plane), positive outside (the distance to the nearest facet polygon).
    pub fn signed_distance_mm(&self, p_mm: DVec3) -> f64 {
        let planes = self.planes();
        let inside_depth = planes
            .iter()
            .map(|h| h.distance_mm(p_mm))
            .fold(f64::NEG_INFINITY, f64::max);
        if inside_depth <= 0.0 {
            return inside_depth;
        }
        self.faces_mm
            .iter()
            .zip(&planes)
            .map(|(face, h)| distance_to_polygon_mm(face, h.normal, p_mm))
            .fold(f64::INFINITY, f64::min)
    }

    /// Where the ray from `origin_mm` (inside the solid) along `direction` leaves it: the exit
    /// point and the outward normal of the facet it leaves through. `None` when the origin is
    /// outside or the direction is zero.
    pub fn ray_exit_mm(&self, origin_mm: DVec3, direction: DVec3) -> Option<(DVec3, DVec3)> {
        let d = direction.try_normalize()?;
        let mut best: Option<(f64, DVec3)> = None;
        for h in self.planes() {
            let along = h.normal.dot(d);
            let gap = -h.distance_mm(origin_mm);
            if gap < -EPS_MM {
                return None;
            }
            if along > 1e-12 {
                let t = gap / along;
                if best.is_none_or(|(bt, _)| t < bt) {
                    best = Some((t, h.normal));
                }
            }
        }
        best.map(|(t, n)| (origin_mm + d * t, n))
    }

    /// Lowest and highest corner, mm.
    pub fn bounds_mm(&self) -> (DVec3, DVec3) {
        let mut lo = DVec3::splat(f64::INFINITY);
        let mut hi = DVec3::splat(f64::NEG_INFINITY);
        for p in self.faces_mm.iter().flatten() {
            lo = lo.min(*p);
            hi = hi.max(*p);
        }
        (lo, hi)
    }

    /// A flat-shaded triangle mesh in metres (fan from each facet's first vertex).
    pub fn mesh(&self) -> MeshData {
        self.mesh_with(Triangulation::FirstVertexFan)
    }

    /// A flat-shaded triangle mesh in metres: every facet gets its own vertices and its exact
    /// plane normal, so facets stay crisp, and triangles wind counter-clockwise from outside.
    pub fn mesh_with(&self, triangulation: Triangulation) -> MeshData {
        let mut mesh = MeshData::default();
        for face in &self.faces_mm {
            let n = polygon_normal(face).as_vec3();
            let to_m = |p: DVec3| (p * 1e-3).as_vec3();
            let mut tri = |a: DVec3, b: DVec3, c: DVec3| {
                let base = mesh.positions_m.len() as u32;
                for p in [a, b, c] {
                    mesh.positions_m.push(to_m(p).to_array());
                    mesh.normals.push(n.to_array());
                }
                mesh.indices.extend([base, base + 1, base + 2]);
            };
            match triangulation {
                Triangulation::FirstVertexFan => {
                    for i in 1..face.len() - 1 {
                        tri(face[0], face[i], face[i + 1]);
                    }
                }
                Triangulation::CentroidFan => {
                    let c = polygon_centroid(face);
                    for i in 0..face.len() {
                        tri(c, face[i], face[(i + 1) % face.len()]);
                    }
                }
            }
        }
        // Keep the unit normal exact for consumers that do not renormalise.
        for n in &mut mesh.normals {
            *n = Vec3::from(*n).normalize_or_zero().to_array();
        }
        mesh
    }
}

/// Sutherland–Hodgman: the part of convex polygon `poly` inside `h`.
fn clip_polygon(poly: &[DVec3], h: &HalfSpace) -> Vec<DVec3> {
    let mut out = Vec::with_capacity(poly.len() + 1);
    for i in 0..poly.len() {
        let a = poly[i];
        let b = poly[(i + 1) % poly.len()];
        let (da, db) = (h.distance_mm(a), h.distance_mm(b));
        let a_in = da <= EPS_MM;
        if a_in {
            out.push(a);
        }
        // Only a strict crossing makes a new point; points on the plane were kept as they are.
        if (da < -EPS_MM && db > EPS_MM) || (da > EPS_MM && db < -EPS_MM) {
            out.push(a + (b - a) * (da / (da - db)));
        }
    }
    dedup_ring(out)
}

/// Drops consecutive (and wrap-around) duplicate points.
fn dedup_ring(mut pts: Vec<DVec3>) -> Vec<DVec3> {
    pts.dedup_by(|a, b| a.distance(*b) <= EPS_MM);
    while pts.len() > 1 && pts[0].distance(pts[pts.len() - 1]) <= EPS_MM {
        pts.pop();
    }
    pts
}

/// Points of one plane sorted counter-clockwise about `normal`.
fn sort_ccw(pts: Vec<DVec3>, normal: DVec3) -> Vec<DVec3> {
    let c = pts.iter().copied().sum::<DVec3>() / pts.len() as f64;
    let u = normal.any_orthonormal_vector();
    let v = normal.cross(u);
    let mut keyed: Vec<(f64, DVec3)> = pts
        .into_iter()
        .map(|p| ((p - c).dot(v).atan2((p - c).dot(u)), p))
        .collect();
    keyed.sort_by(|a, b| a.0.total_cmp(&b.0));
    keyed.into_iter().map(|(_, p)| p).collect()
}

/// Distance from `p` to the convex polygon `poly` (in a plane with unit `normal`), mm.
fn distance_to_polygon_mm(poly: &[DVec3], normal: DVec3, p: DVec3) -> f64 {
    let n = poly.len();
    let inside = (0..n).all(|i| {
        let (a, b) = (poly[i], poly[(i + 1) % n]);
        (b - a).cross(p - a).dot(normal) >= 0.0
    });
    if inside {
        return (p - poly[0]).dot(normal).abs();
    }
    (0..n)
        .map(|i| {
            let (a, b) = (poly[i], poly[(i + 1) % n]);
            let ab = b - a;
            let t = ((p - a).dot(ab) / ab.length_squared().max(1e-30)).clamp(0.0, 1.0);
            p.distance(a + ab * t)
        })
        .fold(f64::INFINITY, f64::min)
}

/// Area-weighted normal (Newell's method), unit length.
pub fn polygon_normal(poly: &[DVec3]) -> DVec3 {
    let mut n = DVec3::ZERO;
    for i in 0..poly.len() {
        let (a, b) = (poly[i], poly[(i + 1) % poly.len()]);
        n += a.cross(b);
    }
    n.normalize_or_zero()
}

/// Polygon area, mm².
pub fn polygon_area_mm2(poly: &[DVec3]) -> f64 {
    let mut n = DVec3::ZERO;
    for i in 0..poly.len() {
        n += poly[i].cross(poly[(i + 1) % poly.len()]);
    }
    n.length() / 2.0
}

/// Mean of the polygon's vertices (inside it, as it is convex).
pub fn polygon_centroid(poly: &[DVec3]) -> DVec3 {
    poly.iter().copied().sum::<DVec3>() / poly.len().max(1) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clipping_a_cube_corner_adds_one_facet() {
        let cube = ConvexPolyhedron::cuboid(DVec3::splat(-1.0), DVec3::splat(1.0));
        assert!((cube.volume_mm3() - 8.0).abs() < 1e-12);
        let cut = cube.clipped(&HalfSpace::through(DVec3::splat(0.5), DVec3::ONE));
        assert_eq!(cut.faces_mm.len(), 7);
        // The cut removes a corner tetrahedron with legs 1.5: 1.5³ / 6.
        assert!((cut.volume_mm3() - (8.0 - 1.5f64.powi(3) / 6.0)).abs() < 1e-12);
        // A plane that misses adds nothing.
        let same = cut.clipped(&HalfSpace::through(DVec3::splat(5.0), DVec3::X));
        assert_eq!(same.faces_mm.len(), 7);
    }

    #[test]
    fn signed_distance_and_ray_exit_of_a_cube() {
        let cube = ConvexPolyhedron::cuboid(DVec3::splat(-1.0), DVec3::splat(1.0));
        assert!((cube.signed_distance_mm(DVec3::ZERO) + 1.0).abs() < 1e-12);
        assert!((cube.signed_distance_mm(DVec3::new(3.0, 0.0, 0.0)) - 2.0).abs() < 1e-12);
        // Off a corner the nearest point is the corner itself.
        let d = cube.signed_distance_mm(DVec3::splat(2.0));
        assert!((d - 3f64.sqrt()).abs() < 1e-12, "{d}");
        let (exit, normal) = cube
            .ray_exit_mm(DVec3::ZERO, DVec3::new(1.0, 0.5, 0.0))
            .unwrap();
        assert!((exit - DVec3::new(1.0, 0.5, 0.0)).length() < 1e-12);
        assert_eq!(normal, DVec3::X);
        assert!(cube.ray_exit_mm(DVec3::splat(5.0), DVec3::X).is_none());
    }
}
