//! Simple procedural shapes for placeholder jewellery. Sizes carry their units in their names;
//! output meshes are in metres. Bad sizes (zero, negative, NaN) give an empty mesh.

use std::f32::consts::{PI, TAU};

use glam::{Mat4, Quat, Vec2, Vec3};

use super::mesh::MeshData;
use crate::math::mm_to_m;

fn valid(v: f32) -> bool {
    v.is_finite() && v > 0.0
}

/// A point of a lathe profile: `pos = (radius, height)` and the outward `normal` in that plane.
#[derive(Clone, Copy)]
struct ProfilePoint {
    pos: Vec2,
    normal: Vec2,
}

/// Sweeps profile pieces around +Y (φ = 0 at +Z, towards +X). Each piece is a smooth strip;
/// pieces do not share vertices, so the creases between them stay sharp. `radius_scale` grows
/// radii so the polygon's inscribed circle, not its vertices, has the profile's radius.
fn lathe(pieces: &[Vec<ProfilePoint>], segments: u32, radius_scale: f32) -> MeshData {
    let mut mesh = MeshData::default();
    for piece in pieces {
        let base = mesh.vertex_count() as u32;
        for p in piece {
            for j in 0..segments {
                let phi = TAU * j as f32 / segments as f32;
                let (s, c) = phi.sin_cos();
                let r = p.pos.x * radius_scale;
                mesh.push_vertex(
                    Vec3::new(r * s, p.pos.y, r * c),
                    Vec3::new(p.normal.x * s, p.normal.y, p.normal.x * c),
                );
            }
        }
        let at = |k: usize, j: u32| base + k as u32 * segments + j % segments;
        for k in 0..piece.len().saturating_sub(1) {
            for j in 0..segments {
                let (a, b, c, d) = (at(k, j), at(k + 1, j), at(k + 1, j + 1), at(k, j + 1));
                mesh.push_smooth_triangle(a, b, c);
                mesh.push_smooth_triangle(a, c, d);
            }
        }
    }
    mesh
}

/// A UV sphere centred on the origin with smooth normals. `segments` (around, ≥ 3) and `rings`
/// (pole to pole, ≥ 2) are clamped to sane ranges.
pub fn uv_sphere(radius_m: f32, segments: u32, rings: u32) -> MeshData {
    if !valid(radius_m) {
        return MeshData::default();
    }
    let segments = segments.clamp(3, 1024);
    let rings = rings.clamp(2, 1024);
    let mut mesh = MeshData::default();
    for i in 0..=rings {
        let theta = PI * i as f32 / rings as f32;
        for j in 0..=segments {
            let phi = TAU * j as f32 / segments as f32;
            let n = Vec3::new(
                theta.sin() * phi.sin(),
                theta.cos(),
                theta.sin() * phi.cos(),
            );
            mesh.push_vertex(n * radius_m, n);
        }
    }
    let at = |i: u32, j: u32| i * (segments + 1) + j;
    for i in 0..rings {
        for j in 0..segments {
            let (a, b, c, d) = (at(i, j), at(i + 1, j), at(i + 1, j + 1), at(i, j + 1));
            // Seen from outside, i runs down and j runs right: a b c and a c d are
            // counter-clockwise. The pole rows have one degenerate triangle each, skipped.
            if i + 1 < rings {
                mesh.indices.extend([a, b, c]);
            }
            if i > 0 {
                mesh.indices.extend([a, c, d]);
            }
        }
    }
    mesh
}

/// An axis-aligned box centred on the origin: 6 flat faces, 24 vertices, 12 triangles.
pub fn box_mesh(half_extents_m: [f32; 3]) -> MeshData {
    let h = Vec3::from(half_extents_m);
    if !h.is_finite() || h.min_element() <= 0.0 {
        return MeshData::default();
    }
    let mut mesh = MeshData::default();
    for axis in 0..3 {
        for sign in [1.0f32, -1.0] {
            let mut n = Vec3::ZERO;
            n[axis] = sign;
            let mut u = Vec3::ZERO;
            u[(axis + 1) % 3] = h[(axis + 1) % 3];
            let mut v = Vec3::ZERO;
            v[(axis + 2) % 3] = h[(axis + 2) % 3];
            let centre = n * h[axis];
            let corners = [
                centre - u - v,
                centre + u - v,
                centre + u + v,
                centre - u + v,
            ];
            let ids = corners.map(|p| mesh.push_vertex(p, n));
            mesh.push_smooth_triangle(ids[0], ids[1], ids[2]);
            mesh.push_smooth_triangle(ids[0], ids[2], ids[3]);
        }
    }
    mesh
}

/// Comfort-fit bulge of the inner surface, as a share of the band thickness.
const COMFORT_BULGE: f32 = 0.1;
/// Dome of the outer surface (D profile), as a share of the band thickness.
const DOME: f32 = 0.45;

/// A comfort-fit D-profile ring band centred on the origin. The finger axis is +Z, so the band
/// lies in the XY plane and its top is at +Y.
///
/// The inner surface bulges slightly towards the finger (comfort fit) and its narrowest
/// diameter is exactly `inner_diameter_mm` for the polygon (the inscribed circle, not the
/// vertices); the outer surface is domed; the edges are flat walls `0.45 · thickness` thick.
pub fn ring_band(
    inner_diameter_mm: f32,
    width_mm: f32,
    thickness_mm: f32,
    segments: u32,
) -> MeshData {
    if !(valid(inner_diameter_mm) && valid(width_mm) && valid(thickness_mm)) {
        return MeshData::default();
    }
    let segments = segments.clamp(8, 1024);
    let r_in = mm_to_m(inner_diameter_mm) * 0.5;
    let half_w = mm_to_m(width_mm) * 0.5;
    let t = mm_to_m(thickness_mm);
    let (k_in, k_out) = (COMFORT_BULGE * t, DOME * t);
    // Profile in (r, z) with z along the finger; swept around Y, then turned so Y becomes Z.
    const STEPS: usize = 12; // even: a sample lands on z = 0, the narrowest point
    let curve = |r_at: &dyn Fn(f32) -> f32, dr_dz: &dyn Fn(f32) -> f32, outward: f32| {
        (0..=STEPS)
            .map(|s| {
                let z = -half_w + 2.0 * half_w * s as f32 / STEPS as f32;
                ProfilePoint {
                    pos: Vec2::new(r_at(z), z),
                    // Perpendicular to the tangent (dr/dz, 1), pointing to ±r.
                    normal: (Vec2::new(1.0, -dr_dz(z)) * outward).normalize(),
                }
            })
            .collect::<Vec<_>>()
    };
    let u = |z: f32| z / half_w;
    let inner = curve(
        &|z| r_in + k_in * u(z) * u(z),
        &|z| 2.0 * k_in * u(z) / half_w,
        -1.0,
    );
    let outer = curve(
        &|z| r_in + t - k_out * u(z) * u(z),
        &|z| -2.0 * k_out * u(z) / half_w,
        1.0,
    );
    let wall = |z: f32, nz: f32| {
        let (a, b) = (r_in + k_in, r_in + t - k_out);
        vec![
            ProfilePoint {
                pos: Vec2::new(a, z),
                normal: Vec2::new(0.0, nz),
            },
            ProfilePoint {
                pos: Vec2::new(b, z),
                normal: Vec2::new(0.0, nz),
            },
        ]
    };
    let pieces = [inner, outer, wall(half_w, 1.0), wall(-half_w, -1.0)];
    let scale = 1.0 / (PI / segments as f32).cos();
    // Rotate +90° about X: +Y (lathe axis) → +Z (finger axis).
    lathe(&pieces, segments, scale).transformed(&Mat4::from_quat(Quat::from_rotation_x(PI / 2.0)))
}

/// Round brilliant proportions as shares of the diameter (GIA "excellent" ranges).
const TABLE_SHARE: f32 = 0.56;
const CROWN_HEIGHT_SHARE: f32 = 0.162;
const GIRDLE_SHARE: f32 = 0.02;
const PAVILION_DEPTH_SHARE: f32 = 0.431;

/// Heights of a round stone's landmarks above its girdle centre, mm (culet negative).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StoneProfileMm {
    /// Top of the table.
    pub table_mm: f32,
    /// Top edge of the girdle.
    pub girdle_top_mm: f32,
    /// Bottom edge of the girdle.
    pub girdle_bottom_mm: f32,
    /// The culet point (negative).
    pub culet_mm: f32,
}

/// Landmark heights of [`round_stone`] for a diameter.
pub fn stone_profile_mm(diameter_mm: f32) -> StoneProfileMm {
    let half_girdle = 0.5 * GIRDLE_SHARE * diameter_mm;
    StoneProfileMm {
        table_mm: half_girdle + CROWN_HEIGHT_SHARE * diameter_mm,
        girdle_top_mm: half_girdle,
        girdle_bottom_mm: -half_girdle,
        culet_mm: -half_girdle - PAVILION_DEPTH_SHARE * diameter_mm,
    }
}

/// A faceted round-brilliant-like stone, table up (+Y), girdle centred on the origin.
///
/// Table (flat), crown (2·`segments` triangular facets between the girdle and a table polygon
/// turned by half a step), a thin vertical girdle, and a pavilion of `segments` facets meeting at
/// a culet point. Flat-shaded (each facet has its own vertices), closed and convex, so a gem
/// tracer can use its facet planes directly.
pub fn round_stone(diameter_mm: f32, segments: u32) -> MeshData {
    if !valid(diameter_mm) {
        return MeshData::default();
    }
    let n = segments.clamp(3, 256);
    let profile = stone_profile_mm(diameter_mm);
    let r_girdle = mm_to_m(diameter_mm) * 0.5;
    let r_table = r_girdle * TABLE_SHARE;
    let ring = |radius: f32, y_mm: f32, turn: f32| -> Vec<Vec3> {
        (0..n)
            .map(|i| {
                let phi = TAU * (i as f32 + turn) / n as f32;
                Vec3::new(radius * phi.sin(), mm_to_m(y_mm), radius * phi.cos())
            })
            .collect()
    };
    let table = ring(r_table, profile.table_mm, 0.5);
    let girdle_top = ring(r_girdle, profile.girdle_top_mm, 0.0);
    let girdle_bottom = ring(r_girdle, profile.girdle_bottom_mm, 0.0);
    let table_centre = Vec3::new(0.0, mm_to_m(profile.table_mm), 0.0);
    let culet = Vec3::new(0.0, mm_to_m(profile.culet_mm), 0.0);

    // The girdle centre is inside the convex stone, so "away from it" is outward for every facet.
    let mut mesh = MeshData::default();
    let mut facet = |a: Vec3, b: Vec3, c: Vec3| mesh.push_flat_triangle(a, b, c, (a + b + c) / 3.0);
    let n = n as usize;
    for i in 0..n {
        let next = (i + 1) % n;
        let prev = (i + n - 1) % n;
        facet(table_centre, table[i], table[next]);
        // Table vertex i sits between girdle vertices i and i + 1.
        facet(girdle_top[i], girdle_top[next], table[i]);
        facet(table[prev], table[i], girdle_top[i]);
        facet(girdle_top[i], girdle_bottom[i], girdle_bottom[next]);
        facet(girdle_top[i], girdle_bottom[next], girdle_top[next]);
        facet(girdle_bottom[i], culet, girdle_bottom[next]);
    }
    mesh
}

/// A prong (claw): a round wire along +Y from y = 0 to `length_mm`, flat at the bottom and
/// rounded at the top (hemispherical cap of the wire's radius).
pub fn prong(radius_mm: f32, length_mm: f32, segments: u32) -> MeshData {
    if !(valid(radius_mm) && valid(length_mm)) {
        return MeshData::default();
    }
    let segments = segments.clamp(3, 256);
    let r = mm_to_m(radius_mm);
    let len = mm_to_m(length_mm).max(r);
    let shaft_top = len - r;
    let point = |x: f32, y: f32, nx: f32, ny: f32| ProfilePoint {
        pos: Vec2::new(x, y),
        normal: Vec2::new(nx, ny),
    };
    let bottom = vec![point(0.0, 0.0, 0.0, -1.0), point(r, 0.0, 0.0, -1.0)];
    let mut shaft = vec![point(r, 0.0, 1.0, 0.0)];
    const CAP_STEPS: usize = 6;
    for s in 0..=CAP_STEPS {
        let a = 0.5 * PI * s as f32 / CAP_STEPS as f32;
        let (sin_a, cos_a) = a.sin_cos();
        // Exactly on the axis at the top, so the cap closes in a point.
        let ring_r = if s == CAP_STEPS { 0.0 } else { r * cos_a };
        shaft.push(point(ring_r, shaft_top + r * sin_a, cos_a, sin_a));
    }
    lathe(&[bottom, shaft], segments, 1.0)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::collections::HashMap;

    /// Welds vertices by position (0.1 µm grid) and counts how many triangles use each edge.
    pub(crate) fn edge_use_counts(m: &MeshData) -> HashMap<([i64; 3], [i64; 3]), usize> {
        let key = |i: u32| {
            Vec3::from(m.positions_m[i as usize])
                .to_array()
                .map(|v| (v * 1e7).round() as i64)
        };
        let mut counts = HashMap::new();
        for tri in m.indices.chunks_exact(3) {
            for (a, b) in [(tri[0], tri[1]), (tri[1], tri[2]), (tri[2], tri[0])] {
                let (ka, kb) = (key(a), key(b));
                let edge = if ka < kb { (ka, kb) } else { (kb, ka) };
                *counts.entry(edge).or_insert(0) += 1;
            }
        }
        counts
    }

    pub(crate) fn is_closed(m: &MeshData) -> bool {
        !m.indices.is_empty() && edge_use_counts(m).values().all(|&c| c == 2)
    }

    fn tri(m: &MeshData, t: &[u32]) -> [Vec3; 3] {
        [0, 1, 2].map(|k| Vec3::from(m.positions_m[t[k] as usize]))
    }

    /// Largest distance of any vertex in front of any face plane (≤ 0 for a convex mesh).
    pub(crate) fn max_outside_m(m: &MeshData) -> f32 {
        let mut worst = f32::NEG_INFINITY;
        for t in m.indices.chunks_exact(3) {
            let [a, b, c] = tri(m, t);
            let n = (b - a).cross(c - a).normalize();
            for p in &m.positions_m {
                worst = worst.max(n.dot(Vec3::from(*p) - a));
            }
        }
        worst
    }

    /// Every triangle's geometric normal points away from `centre`.
    pub(crate) fn winds_outward(m: &MeshData, centre: Vec3) -> bool {
        m.indices.chunks_exact(3).all(|t| {
            let [a, b, c] = tri(m, t);
            (b - a).cross(c - a).dot((a + b + c) / 3.0 - centre) > 0.0
        })
    }

    pub(crate) fn normals_are_unit(m: &MeshData) -> bool {
        m.normals.len() == m.positions_m.len()
            && m.normals
                .iter()
                .all(|n| (Vec3::from(*n).length() - 1.0).abs() < 1e-5)
    }

    /// Smooth meshes: geometric normals agree with the vertex normals.
    fn agrees_with_vertex_normals(m: &MeshData) -> bool {
        m.indices.chunks_exact(3).all(|t| {
            let [a, b, c] = tri(m, t);
            let vn: Vec3 = t.iter().map(|&i| Vec3::from(m.normals[i as usize])).sum();
            (b - a).cross(c - a).dot(vn) > 0.0
        })
    }

    #[test]
    fn sphere_is_closed_round_and_outward() {
        let s = uv_sphere(0.01, 32, 16);
        assert!(is_closed(&s));
        assert!(normals_are_unit(&s));
        assert!(winds_outward(&s, Vec3::ZERO));
        let b = s.bounds();
        assert!((b.size() - Vec3::splat(0.02)).abs().max_element() < 1e-6);
        assert_eq!(s.triangle_count(), 32 * 16 * 2 - 2 * 32);
        assert!(uv_sphere(-1.0, 8, 8).is_empty());
    }

    #[test]
    fn box_has_24_vertices_and_flat_faces() {
        let b = box_mesh([0.01, 0.02, 0.03]);
        assert_eq!(b.vertex_count(), 24);
        assert_eq!(b.triangle_count(), 12);
        assert!(is_closed(&b));
        assert!(winds_outward(&b, Vec3::ZERO));
        assert!(max_outside_m(&b) < 1e-7);
        assert_eq!(b.bounds().max, Vec3::new(0.01, 0.02, 0.03));
        assert!(box_mesh([0.0, 1.0, 1.0]).is_empty());
    }

    #[test]
    fn band_has_true_inner_diameter_and_lies_in_xy() {
        let band = ring_band(17.35, 2.0, 1.6, 96);
        assert!(is_closed(&band));
        assert!(normals_are_unit(&band));
        assert!(agrees_with_vertex_normals(&band));
        let b = band.bounds();
        assert!(
            (b.size().z - 0.002).abs() < 1e-6,
            "width along the finger axis"
        );
        assert!((b.max.y - b.max.x).abs() < 1e-4, "round in XY");
        // Narrowest distance to the axis: edge midpoints of the inner polygon at z = 0.
        let mut min_r = f32::INFINITY;
        for t in band.indices.chunks_exact(3) {
            for (i, j) in [(t[0], t[1]), (t[1], t[2]), (t[2], t[0])] {
                let mid = (Vec3::from(band.positions_m[i as usize])
                    + Vec3::from(band.positions_m[j as usize]))
                    * 0.5;
                min_r = min_r.min(mid.truncate().length());
            }
        }
        assert!(
            (2.0 * min_r * 1000.0 - 17.35).abs() < 0.05,
            "{}",
            2000.0 * min_r
        );
        let outer_d_mm = b.size().x * 1000.0;
        assert!((outer_d_mm - (17.35 + 3.2)).abs() < 0.1, "{outer_d_mm}");
    }

    #[test]
    fn stone_is_closed_convex_and_outward() {
        let s = round_stone(6.5, 16);
        assert!(is_closed(&s));
        assert!(max_outside_m(&s) < 1e-6, "{}", max_outside_m(&s));
        assert!(normals_are_unit(&s));
        assert!(winds_outward(&s, Vec3::ZERO));
        let b = s.bounds();
        assert!((b.size().x * 1000.0 - 6.5).abs() < 0.01);
        let p = stone_profile_mm(6.5);
        assert!((b.max.y * 1000.0 - p.table_mm).abs() < 1e-3);
        assert!((b.min.y * 1000.0 - p.culet_mm).abs() < 1e-3);
        assert!(p.table_mm > 0.9 && p.culet_mm < -2.7, "{p:?}");
    }

    #[test]
    fn prong_is_closed_with_rounded_top() {
        let p = prong(0.45, 5.0, 12);
        assert!(is_closed(&p));
        assert!(normals_are_unit(&p));
        assert!(agrees_with_vertex_normals(&p));
        let b = p.bounds();
        assert!((b.max.y - 0.005).abs() < 1e-7 && b.min.y.abs() < 1e-9);
        assert!((b.size().x - 0.0009).abs() < 1e-6);
    }
}
