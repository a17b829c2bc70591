//! Swept solids in millimetres: round wire along a path (prongs, hoops, chains, bails) and
//! solids of revolution from a closed profile (bezels, galleries, ear backs).
//!
//! Both build in f64 mm and emit [`MeshData`] in metres, closed and wound counter-clockwise from
//! outside, with smooth normals around the sweep.

use std::f64::consts::TAU;

use glam::{DVec2, DVec3, Vec3};

use super::mesh::MeshData;

/// One cross-section ring of a tube: vertices at `centre + radius·(cos θ·u + sin θ·v)`, normals
/// pointing away from `normal_origin`.
struct Section {
    centre: DVec3,
    u: DVec3,
    v: DVec3,
    radius: f64,
    normal_origin: DVec3,
}

fn to_m(p: DVec3) -> Vec3 {
    (p * 1e-3).as_vec3()
}

/// Unit tangents of a polyline (central differences; one-sided at the ends of an open path).
fn tangents(path: &[DVec3], closed: bool) -> Vec<DVec3> {
    let n = path.len();
    (0..n)
        .map(|i| {
            let (prev, next) = if closed {
                (path[(i + n - 1) % n], path[(i + 1) % n])
            } else {
                (path[i.saturating_sub(1)], path[(i + 1).min(n - 1)])
            };
            (next - prev).normalize_or_zero()
        })
        .collect()
}

/// A round wire of `radius_mm` along `path_mm`, with rotation-minimising frames. An open path is
/// closed by hemispherical caps at both ends (so a wire end is a bead, as a prong tip is); a
/// closed path joins its last section to its first. Paths with fewer than two distinct points
/// give an empty mesh.
pub fn tube_mm(path_mm: &[DVec3], radius_mm: f64, sides: u32, closed: bool) -> MeshData {
    let mut path: Vec<DVec3> = path_mm.to_vec();
    path.dedup_by(|a, b| a.distance(*b) < 1e-9);
    if closed && path.len() > 1 && path[0].distance(path[path.len() - 1]) < 1e-9 {
        path.pop();
    }
    if path.len() < 2
        || radius_mm.is_nan()
        || radius_mm <= 0.0
        || path.iter().any(|p| !p.is_finite())
    {
        return MeshData::default();
    }
    let sides = sides.clamp(3, 256) as usize;
    let t = tangents(&path, closed);
    // Propagate a normal along the path by projection (rotation-minimising for smooth paths).
    let mut us = Vec::with_capacity(path.len());
    let mut u = t[0].any_orthonormal_vector();
    for ti in &t {
        u = (u - *ti * ti.dot(u)).normalize_or(ti.any_orthonormal_vector());
        us.push(u);
    }
    if closed {
        // Spread the twist the frame picked up around the loop evenly, so the seam matches.
        let end = (us[us.len() - 1] - t[0] * t[0].dot(us[us.len() - 1])).normalize_or(us[0]);
        let twist = t[0].dot(end.cross(us[0])).atan2(end.dot(us[0]));
        let n = path.len() as f64;
        for (i, (u, ti)) in us.iter_mut().zip(&t).enumerate() {
            *u = glam::DQuat::from_axis_angle(*ti, twist * (i as f64 + 1.0) / n) * *u;
        }
    }
    let body = |i: usize| Section {
        centre: path[i],
        u: us[i],
        v: t[i].cross(us[i]),
        radius: radius_mm,
        normal_origin: path[i],
    };
    let mut sections: Vec<Section> = Vec::new();
    const CAP_RINGS: usize = 4;
    let cap = |end: usize, dir: f64, k: usize| {
        // k = 1..CAP_RINGS: rings of the hemisphere beyond the end, towards the pole.
        let phi = (k as f64 / (CAP_RINGS as f64 + 1.0)) * std::f64::consts::FRAC_PI_2;
        let s = body(end);
        Section {
            centre: s.centre + t[end] * (dir * radius_mm * phi.sin()),
            radius: radius_mm * phi.cos(),
            ..s
        }
    };
    if !closed {
        for k in (1..=CAP_RINGS).rev() {
            sections.push(cap(0, -1.0, k));
        }
    }
    sections.extend((0..path.len()).map(body));
    if !closed {
        let last = path.len() - 1;
        for k in 1..=CAP_RINGS {
            sections.push(cap(last, 1.0, k));
        }
    }

    let mut mesh = MeshData::default();
    let ring_start: Vec<u32> = sections
        .iter()
        .map(|s| {
            let start = mesh.positions_m.len() as u32;
            for j in 0..sides {
                let theta = TAU * j as f64 / sides as f64;
                let p = s.centre + (s.u * theta.cos() + s.v * theta.sin()) * s.radius;
                mesh.positions_m.push(to_m(p).to_array());
                mesh.normals.push(
                    (p - s.normal_origin)
                        .normalize_or_zero()
                        .as_vec3()
                        .to_array(),
                );
            }
            start
        })
        .collect();
    let quad = |mesh: &mut MeshData, a: u32, b: u32| {
        for j in 0..sides as u32 {
            let j1 = (j + 1) % sides as u32;
            mesh.indices
                .extend([a + j, a + j1, b + j1, a + j, b + j1, b + j]);
        }
    };
    for w in ring_start.windows(2) {
        quad(&mut mesh, w[0], w[1]);
    }
    if closed {
        quad(&mut mesh, ring_start[ring_start.len() - 1], ring_start[0]);
    } else {
        let pole = |mesh: &mut MeshData, end: usize, dir: f64| {
            let p = path[end] + t[end] * (dir * radius_mm);
            mesh.positions_m.push(to_m(p).to_array());
            mesh.normals.push((t[end] * dir).as_vec3().to_array());
            (mesh.positions_m.len() - 1) as u32
        };
        let start_pole = pole(&mut mesh, 0, -1.0);
        let first = ring_start[0];
        for j in 0..sides as u32 {
            let j1 = (j + 1) % sides as u32;
            mesh.indices.extend([start_pole, first + j1, first + j]);
        }
        let end_pole = pole(&mut mesh, path.len() - 1, 1.0);
        let last = ring_start[ring_start.len() - 1];
        for j in 0..sides as u32 {
            let j1 = (j + 1) % sides as u32;
            mesh.indices.extend([last + j, last + j1, end_pole]);
        }
    }
    mesh
}

/// A circle of `radius_mm` in the plane through `centre_mm` spanned by unit vectors `a` and `b`,
/// as `samples` points, counter-clockwise from `a` towards `b`.
pub fn circle_mm(
    centre_mm: DVec3,
    a: DVec3,
    b: DVec3,
    radius_mm: f64,
    samples: usize,
) -> Vec<DVec3> {
    (0..samples)
        .map(|i| {
            let t = TAU * i as f64 / samples as f64;
            centre_mm + (a * t.cos() + b * t.sin()) * radius_mm
        })
        .collect()
}

/// A solid of revolution about +Y through the origin: `profile_mm` is a closed polygon in
/// (r, y), r ≥ 0, counter-clockwise (r right, y up), swept through `segments` steps. Each profile
/// edge keeps its own normals, so profile corners stay crisp while the sweep is smooth.
pub fn lathe_mm(profile_mm: &[DVec2], segments: u32) -> MeshData {
    let segments = segments.clamp(8, 4096) as usize;
    let mut mesh = MeshData::default();
    let n = profile_mm.len();
    if n < 3 || profile_mm.iter().any(|p| !p.is_finite() || p.x < 0.0) {
        return mesh;
    }
    let around = |rz: DVec2, k: usize| {
        let a = TAU * k as f64 / segments as f64;
        DVec3::new(rz.x * a.cos(), rz.y, -rz.x * a.sin())
    };
    for i in 0..n {
        let (p, q) = (profile_mm[i], profile_mm[(i + 1) % n]);
        let edge = q - p;
        if edge.length() < 1e-9 {
            continue;
        }
        // Counter-clockwise profile: the outward normal is the edge turned clockwise.
        let normal2 = DVec2::new(edge.y, -edge.x).normalize();
        let start = mesh.positions_m.len() as u32;
        for k in 0..segments {
            let a = TAU * k as f64 / segments as f64;
            let normal = DVec3::new(normal2.x * a.cos(), normal2.y, -normal2.x * a.sin());
            for rz in [p, q] {
                mesh.positions_m.push(to_m(around(rz, k)).to_array());
                mesh.normals.push(normal.as_vec3().to_array());
            }
        }
        for k in 0..segments as u32 {
            let k1 = (k + 1) % segments as u32;
            let (p0, q0, p1, q1) = (
                start + 2 * k,
                start + 2 * k + 1,
                start + 2 * k1,
                start + 2 * k1 + 1,
            );
            // Skip the sliver triangles of edges that touch the axis (r = 0).
            if p.x > 1e-9 {
                mesh.indices.extend([p0, p1, q1]);
            }
            if q.x > 1e-9 {
                mesh.indices.extend([p0, q1, q0]);
            }
        }
    }
    mesh
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jewelry::gem::mesh_volume_mm3;

    #[test]
    fn closed_tube_is_a_torus_of_the_right_volume() {
        let (big_r, r) = (10.0, 1.0);
        let path = circle_mm(DVec3::ZERO, DVec3::X, DVec3::Y, big_r, 256);
        let mesh = tube_mm(&path, r, 48, true);
        mesh.validate("torus").unwrap();
        let exact = 2.0 * std::f64::consts::PI.powi(2) * big_r * r * r;
        let v = mesh_volume_mm3(&mesh.positions_m, &mesh.indices);
        assert!((v / exact - 1.0).abs() < 0.01, "{v} vs {exact}");
    }

    #[test]
    fn open_tube_is_a_capsule() {
        let path = [DVec3::ZERO, DVec3::new(0.0, 5.0, 0.0)];
        let mesh = tube_mm(&path, 0.5, 32, false);
        let exact = std::f64::consts::PI * 0.25 * 5.0 + 4.0 / 3.0 * std::f64::consts::PI * 0.125;
        let v = mesh_volume_mm3(&mesh.positions_m, &mesh.indices);
        assert!((v / exact - 1.0).abs() < 0.03, "{v} vs {exact}");
        let b = mesh.bounds();
        assert!((b.max.y - 5.5e-3).abs() < 1e-6 && (b.min.y + 0.5e-3).abs() < 1e-6);
        assert!(tube_mm(&[DVec3::ZERO], 1.0, 8, false).is_empty());
        assert!(tube_mm(&path, -1.0, 8, false).is_empty());
    }

    #[test]
    fn lathe_of_a_rectangle_is_a_washer() {
        let profile = [
            DVec2::new(2.0, 0.0),
            DVec2::new(3.0, 0.0),
            DVec2::new(3.0, 1.0),
            DVec2::new(2.0, 1.0),
        ];
        let mesh = lathe_mm(&profile, 512);
        let exact = std::f64::consts::PI * (9.0 - 4.0);
        let v = mesh_volume_mm3(&mesh.positions_m, &mesh.indices);
        assert!((v / exact - 1.0).abs() < 1e-3, "{v} vs {exact}");
    }
}
