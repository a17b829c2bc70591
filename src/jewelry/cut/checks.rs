//! Test helpers: closedness, convexity and facet counts of generated meshes.

use std::collections::HashMap;

use glam::DVec3;

use super::polyhedron::ConvexPolyhedron;
use crate::jewelry::gem::facet_planes;
use crate::jewelry::mesh::MeshData;

fn point(mesh: &MeshData, i: u32) -> DVec3 {
    let p = mesh.positions_m[i as usize];
    DVec3::new(p[0] as f64, p[1] as f64, p[2] as f64)
}

/// Every edge (between bit-identical positions) is used by exactly two triangles, once in each
/// direction: closed, manifold along edges and consistently wound.
pub fn assert_closed(mesh: &MeshData) {
    let key = |i: u32| mesh.positions_m[i as usize].map(f32::to_bits);
    let mut directed: HashMap<([u32; 3], [u32; 3]), u32> = HashMap::new();
    for t in mesh.indices.chunks_exact(3) {
        for i in 0..3 {
            let (a, b) = (key(t[i]), key(t[(i + 1) % 3]));
            assert_ne!(a, b, "degenerate edge");
            *directed.entry((a, b)).or_default() += 1;
        }
    }
    for (&(a, b), &n) in &directed {
        assert_eq!(n, 1, "edge used twice in one direction");
        assert_eq!(directed.get(&(b, a)), Some(&1), "open edge");
    }
}

/// Every vertex lies behind (or within `tol_m` of) every exact facet plane of `solid`, and the
/// mesh encloses positive volume (outward winding). The planes are the exact f64 ones, so this
/// measures the f32 rounding of the mesh (~2e-10 m at stone sizes), not the tilt of a thin
/// triangle's own rounded plane.
pub fn assert_convex(mesh: &MeshData, solid: &ConvexPolyhedron, tol_m: f64) {
    for plane in solid.planes() {
        for i in 0..mesh.positions_m.len() {
            let d = plane.distance_mm(point(mesh, i as u32) * 1000.0) / 1000.0;
            assert!(d <= tol_m, "vertex {i} is {d} m in front of a facet");
        }
    }
    let volume: f64 = mesh
        .indices
        .chunks_exact(3)
        .map(|t| point(mesh, t[0]).dot(point(mesh, t[1]).cross(point(mesh, t[2]))))
        .sum();
    assert!(volume > 0.0, "inside out");
    // Every triangle faces the same way as the facet it belongs to.
    for t in mesh.indices.chunks_exact(3) {
        let (a, b, c) = (point(mesh, t[0]), point(mesh, t[1]), point(mesh, t[2]));
        let flat = DVec3::from(mesh.normals[t[0] as usize].map(f64::from));
        assert!(
            (b - a).cross(c - a).dot(flat) >= 0.0,
            "triangle wound against its normal"
        );
    }
}

/// Distinct facet planes split into (crown, girdle, pavilion) by the sign of their Y normal.
pub fn facet_counts(mesh: &MeshData) -> (usize, usize, usize) {
    let planes = facet_planes(&mesh.positions_m, &mesh.indices).expect("convex closed mesh");
    let up = planes.iter().filter(|p| p.normal[1] > 1e-4).count();
    let down = planes.iter().filter(|p| p.normal[1] < -1e-4).count();
    (up, planes.len() - up - down, down)
}
