//! Tangent frames for normal mapping when a file has none, and flat normals when it has no normals.
//! Per-triangle UV-derivative tangents accumulated per vertex (Lengyel's method): close to
//! MikkTSpace on smooth, well-unwrapped meshes, which is what jewelry models are.

use super::Vertex;
use glam::{Vec2, Vec3};

pub fn flat_shaded(vertices: &[Vertex], indices: &[u32]) -> (Vec<Vertex>, Vec<u32>) {
    let mut out = Vec::with_capacity(indices.len());
    for tri in indices.chunks_exact(3) {
        let [a, b, c] = [tri[0], tri[1], tri[2]].map(|i| vertices[i as usize]);
        let pa = Vec3::from(a.position_m);
        let n = (Vec3::from(b.position_m) - pa)
            .cross(Vec3::from(c.position_m) - pa)
            .normalize_or_zero();
        for mut v in [a, b, c] {
            v.normal = n.into();
            out.push(v);
        }
    }
    let count = out.len() as u32;
    (out, (0..count).collect())
}

pub fn generate(vertices: &mut [Vertex], indices: &[u32]) {
    let mut tan = vec![Vec3::ZERO; vertices.len()];
    let mut bitan = vec![Vec3::ZERO; vertices.len()];
    for tri in indices.chunks_exact(3) {
        let [i0, i1, i2] = [tri[0], tri[1], tri[2]].map(|i| i as usize);
        let p = [i0, i1, i2].map(|i| Vec3::from(vertices[i].position_m));
        let t = [i0, i1, i2].map(|i| Vec2::from(vertices[i].uv0));
        let (e1, e2) = (p[1] - p[0], p[2] - p[0]);
        let (d1, d2) = (t[1] - t[0], t[2] - t[0]);
        let det = d1.x * d2.y - d2.x * d1.y;
        if det.abs() < 1e-12 {
            continue;
        }
        let r = 1.0 / det;
        let sdir = (e1 * d2.y - e2 * d1.y) * r;
        let tdir = (e2 * d1.x - e1 * d2.x) * r;
        for i in [i0, i1, i2] {
            tan[i] += sdir;
            bitan[i] += tdir;
        }
    }
    for (i, v) in vertices.iter_mut().enumerate() {
        let n = Vec3::from(v.normal).normalize_or(Vec3::Z);
        // Gram–Schmidt; where UVs are degenerate pick any vector perpendicular to the normal.
        let mut t = (tan[i] - n * n.dot(tan[i])).normalize_or_zero();
        if t == Vec3::ZERO {
            t = n.any_orthonormal_vector();
        }
        let w = if n.cross(t).dot(bitan[i]) < 0.0 {
            -1.0
        } else {
            1.0
        };
        v.tangent = [t.x, t.y, t.z, w];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn quad() -> (Vec<Vertex>, Vec<u32>) {
        let v = |p: [f32; 3], uv: [f32; 2]| Vertex {
            position_m: p,
            normal: [0.0, 0.0, 1.0],
            uv0: uv,
            ..Default::default()
        };
        (
            vec![
                v([0., 0., 0.], [0., 1.]),
                v([1., 0., 0.], [1., 1.]),
                v([1., 1., 0.], [1., 0.]),
                v([0., 1., 0.], [0., 0.]),
            ],
            vec![0, 1, 2, 0, 2, 3],
        )
    }

    #[test]
    fn tangent_follows_u_and_handedness_follows_v() {
        let (mut v, i) = quad();
        generate(&mut v, &i);
        for vert in &v {
            assert!(
                (Vec3::from_slice(&vert.tangent[..3]) - Vec3::X).length() < 1e-5,
                "{:?}",
                vert.tangent
            );
            // glTF's v runs downwards, so the bitangent (+v) points along −Y = −(N × T): handedness −1.
            assert_eq!(vert.tangent[3], -1.0);
        }
    }

    #[test]
    fn flat_normals_face_out_of_counter_clockwise_triangles() {
        let (v, i) = quad();
        let (fv, fi) = flat_shaded(&v, &i);
        assert_eq!(fv.len(), 6);
        assert_eq!(fi, (0..6).collect::<Vec<_>>());
        assert!(fv.iter().all(|v| v.normal == [0.0, 0.0, 1.0]));
    }
}
