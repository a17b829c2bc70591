//! Facet planes of any convex faceted stone, recovered from its triangles.
//!
//! The renderer traces a gem exactly as the intersection of its facet half-spaces (see
//! `DESIGN.md`), so it needs the planes, not the triangles. Our own stones carry them, but a
//! retailer's GLB does not: this recovers them from any closed, convex triangle mesh by grouping
//! coplanar triangles, however the facets were split into triangles.

use std::collections::HashMap;

use glam::DVec3;

/// One facet: the plane `normal · x = offset_m`, with the stone on the side `normal · x <= offset_m`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FacetPlane {
    /// Outward unit normal.
    pub normal: [f32; 3],
    /// Distance of the plane from the origin along `normal`, metres.
    pub offset_m: f32,
}

/// Two triangles belong to one facet when their normals differ by less than this. Real cuts'
/// neighbouring facets differ by several degrees (a 64-facet girdle: 5.6°); f32 mesh noise on a
/// 0.1 mm triangle is ~1e-4°.
pub const COPLANAR_ANGLE_DEG: f64 = 0.25;

/// Distance tolerances as a share of the mesh's bounding-box diagonal: welding vertices, a
/// triangle's distance from its facet's plane, and how far a vertex may stand in front of a
/// facet before the mesh counts as not convex. f32 positions carry ~1e-7 relative error.
const WELD_REL: f64 = 1e-6;
const COPLANAR_REL: f64 = 2e-5;
const CONVEX_REL: f64 = 2e-5;

/// The distinct facet planes of a closed convex mesh, largest facets first.
///
/// `positions_m` and `indices` are a triangle list (as in glTF). Vertices closer than a millionth
/// of the mesh's size are welded, so flat-shaded meshes with split vertices work. Returns `None`
/// when the data is malformed (indices out of range, not whole triangles, non-finite), when the
/// welded mesh is not closed with consistent winding (every edge used once in each direction;
/// T-junctions count as open), when it is inside out, or when any vertex stands in front of any
/// facet plane (not convex).
pub fn facet_planes(positions_m: &[[f32; 3]], indices: &[u32]) -> Option<Vec<FacetPlane>> {
    if indices.is_empty() || !indices.len().is_multiple_of(3) {
        return None;
    }
    let points: Vec<DVec3> = positions_m
        .iter()
        .map(|p| DVec3::new(p[0] as f64, p[1] as f64, p[2] as f64))
        .collect();
    if points.iter().any(|p| !p.is_finite()) || indices.iter().any(|&i| i as usize >= points.len())
    {
        return None;
    }
    let (lo, hi) = points
        .iter()
        .fold((DVec3::INFINITY, DVec3::NEG_INFINITY), |(lo, hi), p| {
            (lo.min(*p), hi.max(*p))
        });
    let size = (hi - lo).length();
    if size <= 0.0 {
        return None;
    }
    let (welded, ids) = weld(&points, WELD_REL * size);
    let triangles: Vec<[usize; 3]> = indices
        .chunks_exact(3)
        .map(|t| [ids[t[0] as usize], ids[t[1] as usize], ids[t[2] as usize]])
        // A triangle collapsed by welding covers nothing and has no edges worth pairing.
        .filter(|t| t[0] != t[1] && t[1] != t[2] && t[2] != t[0])
        .collect();
    if !is_closed_and_oriented(&triangles) {
        return None;
    }
    let planes = group_coplanar(&welded, &triangles, COPLANAR_REL * size)?;
    let convex_tol = CONVEX_REL * size;
    let convex = planes
        .iter()
        .all(|(n, d)| welded.iter().all(|p| n.dot(*p) - d <= convex_tol));
    // A closed, convex-looking mesh with inward normals has negative volume.
    if !convex || signed_volume(&welded, &triangles) <= 0.0 {
        return None;
    }
    Some(
        planes
            .into_iter()
            .map(|(n, d)| FacetPlane {
                normal: n.as_vec3().to_array(),
                offset_m: d as f32,
            })
            .collect(),
    )
}

/// Merges points closer than `tol`; returns the distinct points and each input's new index.
/// Uses a grid of `tol`-sized cells and searches the 27 neighbouring cells, so it is linear.
fn weld(points: &[DVec3], tol: f64) -> (Vec<DVec3>, Vec<usize>) {
    let mut cells: HashMap<[i64; 3], Vec<usize>> = HashMap::new();
    let mut unique: Vec<DVec3> = Vec::new();
    let mut ids = Vec::with_capacity(points.len());
    let cell = |p: DVec3| (p / tol).floor().as_i64vec3().to_array();
    for p in points {
        let c = cell(*p);
        let mut found = None;
        'search: for dx in -1..=1 {
            for dy in -1..=1 {
                for dz in -1..=1 {
                    if let Some(list) = cells.get(&[c[0] + dx, c[1] + dy, c[2] + dz]) {
                        if let Some(&u) = list.iter().find(|&&u| unique[u].distance(*p) <= tol) {
                            found = Some(u);
                            break 'search;
                        }
                    }
                }
            }
        }
        let id = found.unwrap_or_else(|| {
            unique.push(*p);
            cells.entry(c).or_default().push(unique.len() - 1);
            unique.len() - 1
        });
        ids.push(id);
    }
    (unique, ids)
}

/// Every directed edge appears exactly once and its reverse exactly once: closed, manifold along
/// edges and consistently wound.
fn is_closed_and_oriented(triangles: &[[usize; 3]]) -> bool {
    let mut directed: HashMap<(usize, usize), u32> = HashMap::new();
    for t in triangles {
        for i in 0..3 {
            *directed.entry((t[i], t[(i + 1) % 3])).or_default() += 1;
        }
    }
    directed
        .iter()
        .all(|(&(a, b), &count)| count == 1 && directed.get(&(b, a)) == Some(&1))
}

/// Groups triangles into planes, seeding with the largest triangles (the most exact normals).
/// Returns each plane as (unit outward normal, offset), largest facet first; `None` when fewer
/// than 4 planes remain (no closed solid). Zero-area triangles join no group: their vertices are
/// still checked against every plane.
fn group_coplanar(
    points: &[DVec3],
    triangles: &[[usize; 3]],
    dist_tol: f64,
) -> Option<Vec<(DVec3, f64)>> {
    struct Group {
        normal: DVec3,
        offset: f64,
        weighted_normal: DVec3,
        weighted_centroid: DVec3,
        area: f64,
    }
    let cos_tol = COPLANAR_ANGLE_DEG.to_radians().cos();
    let mut order: Vec<(f64, usize)> = triangles
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let (a, b, c) = (points[t[0]], points[t[1]], points[t[2]]);
            ((b - a).cross(c - a).length(), i)
        })
        .collect();
    // Largest first; ties keep input order, so the result is deterministic.
    order.sort_by(|x, y| y.0.total_cmp(&x.0).then(x.1.cmp(&y.1)));
    let mut groups: Vec<Group> = Vec::new();
    for (twice_area, i) in order {
        let t = triangles[i];
        let (a, b, c) = (points[t[0]], points[t[1]], points[t[2]]);
        let Some(n) = (b - a).cross(c - a).try_normalize() else {
            continue; // zero area: no plane of its own, and its vertices are checked anyway
        };
        if twice_area <= dist_tol * dist_tol {
            continue;
        }
        let centroid = (a + b + c) / 3.0;
        let fits = |g: &Group| {
            g.normal.dot(n) >= cos_tol
                && [a, b, c]
                    .iter()
                    .all(|p| (g.normal.dot(*p) - g.offset).abs() <= dist_tol)
        };
        let area = twice_area / 2.0;
        match groups.iter_mut().find(|g| fits(g)) {
            Some(g) => {
                g.weighted_normal += n * area;
                g.weighted_centroid += centroid * area;
                g.area += area;
                g.normal = g.weighted_normal.normalize();
                g.offset = g.normal.dot(g.weighted_centroid / g.area);
            }
            None => groups.push(Group {
                normal: n,
                offset: n.dot(centroid),
                weighted_normal: n * area,
                weighted_centroid: centroid * area,
                area,
            }),
        }
    }
    if groups.len() < 4 {
        return None; // no closed solid has fewer than 4 facets
    }
    Some(groups.into_iter().map(|g| (g.normal, g.offset)).collect())
}

/// Enclosed volume by the divergence theorem, in the cube of the positions' unit.
fn signed_volume(points: &[DVec3], triangles: &[[usize; 3]]) -> f64 {
    triangles
        .iter()
        .map(|t| points[t[0]].dot(points[t[1]].cross(points[t[2]])))
        .sum::<f64>()
        / 6.0
}

/// Enclosed volume of a closed, outward-wound triangle mesh in metres, as mm³ (the divergence
/// theorem, summed in f64). Meaningless for open meshes.
pub fn mesh_volume_mm3(positions_m: &[[f32; 3]], indices: &[u32]) -> f64 {
    let p = |i: u32| {
        let v = positions_m[i as usize];
        DVec3::new(v[0] as f64, v[1] as f64, v[2] as f64) * 1000.0
    };
    indices
        .chunks_exact(3)
        .filter(|t| t.iter().all(|&i| (i as usize) < positions_m.len()))
        .map(|t| p(t[0]).dot(p(t[1]).cross(p(t[2]))))
        .sum::<f64>()
        / 6.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jewelry::cut::{Cut, Emerald, RoundBrilliant, Triangulation};
    use crate::jewelry::shapes::{box_mesh, ring_band};
    use crate::jewelry::MeshData;

    fn planes(mesh: &MeshData) -> Option<Vec<FacetPlane>> {
        facet_planes(&mesh.positions_m, &mesh.indices)
    }

    #[test]
    fn brilliant_gives_57_facets_and_16_girdle_facets() {
        let stone = RoundBrilliant::default();
        assert_eq!(planes(&stone.mesh().unwrap()).unwrap().len(), 57 + 16);
        let with_culet = RoundBrilliant {
            culet: true,
            ..stone
        };
        assert_eq!(planes(&with_culet.mesh().unwrap()).unwrap().len(), 58 + 16);
    }

    #[test]
    fn cube_gives_six() {
        assert_eq!(planes(&box_mesh([0.01, 0.02, 0.03])).unwrap().len(), 6);
    }

    #[test]
    fn non_convex_or_open_meshes_give_none() {
        assert!(planes(&ring_band(17.3, 4.0, 1.8, 64)).is_none());
        // An L: two boxes sharing a face, welded into one closed but concave solid.
        let l_shape = l_shape();
        assert!(planes(&l_shape).is_none());
        let mut open = box_mesh([0.01; 3]);
        open.indices.truncate(open.indices.len() - 3);
        assert!(planes(&open).is_none());
        let mut inside_out = box_mesh([0.01; 3]);
        for t in inside_out.indices.chunks_exact_mut(3) {
            t.swap(1, 2);
        }
        assert!(planes(&inside_out).is_none());
        assert!(facet_planes(&[[0.0; 3]], &[0, 0, 5]).is_none());
    }

    /// A closed L-shaped prism: an L outline (6 corners) extruded along Z.
    fn l_shape() -> MeshData {
        use glam::Vec3;
        let outline = [
            [0.0, 0.0],
            [2.0, 0.0],
            [2.0, 1.0],
            [1.0, 1.0],
            [1.0, 2.0],
            [0.0, 2.0],
        ];
        let mut m = MeshData::default();
        let p = |i: usize, z: f32| Vec3::new(outline[i % 6][0] * 0.01, outline[i % 6][1] * 0.01, z);
        // Caps: the L split into two convex quads (CCW from +Z).
        for (quad, z, out) in [
            ([0, 1, 2, 3], 0.01, Vec3::Z),
            ([0, 3, 4, 5], 0.01, Vec3::Z),
            ([0, 1, 2, 3], 0.0, Vec3::NEG_Z),
            ([0, 3, 4, 5], 0.0, Vec3::NEG_Z),
        ] {
            m.push_flat_triangle(p(quad[0], z), p(quad[1], z), p(quad[2], z), out);
            m.push_flat_triangle(p(quad[0], z), p(quad[2], z), p(quad[3], z), out);
        }
        for i in 0..6 {
            let (a, b) = (p(i, 0.0), p(i + 1, 0.0));
            let (c, d) = (p(i + 1, 0.01), p(i, 0.01));
            let edge = b - a;
            let out = Vec3::new(edge.y, -edge.x, 0.0);
            m.push_flat_triangle(a, b, c, out);
            m.push_flat_triangle(a, c, d, out);
        }
        m
    }

    #[test]
    fn another_triangulation_gives_the_same_planes() {
        for solid in [
            RoundBrilliant::default().polyhedron().unwrap(),
            Emerald::default().polyhedron().unwrap(),
        ] {
            let a = planes(&solid.mesh_with(Triangulation::FirstVertexFan)).unwrap();
            let b = planes(&solid.mesh_with(Triangulation::CentroidFan)).unwrap();
            assert_eq!(a.len(), b.len());
            for pa in &a {
                let na = DVec3::from(pa.normal.map(f64::from));
                let matched = b.iter().any(|pb| {
                    // Within 1e-5 rad and 10 nm: far finer than any facet spacing.
                    (DVec3::from(pb.normal.map(f64::from)) - na).length() < 1e-5
                        && (pa.offset_m - pb.offset_m).abs() < 1e-8
                });
                if !matched {
                    let best = b
                        .iter()
                        .max_by(|x, y| {
                            let dx = DVec3::from(x.normal.map(f64::from)).dot(na);
                            let dy = DVec3::from(y.normal.map(f64::from)).dot(na);
                            dx.total_cmp(&dy)
                        })
                        .unwrap();
                    panic!("plane {pa:?} not recovered from the other split; nearest {best:?}");
                }
            }
        }
    }

    #[test]
    fn mesh_volume_matches_the_exact_solid() {
        let stone = RoundBrilliant::default();
        let m = stone.mesh().unwrap();
        let exact = stone.volume_mm3().unwrap();
        assert!((mesh_volume_mm3(&m.positions_m, &m.indices) / exact - 1.0).abs() < 1e-5);
    }
}
