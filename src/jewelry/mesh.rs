//! Indexed triangle meshes in metres, as written to GLB.

use glam::{Mat3, Mat4, Vec3};

use super::JewelryError;
use crate::math::Aabb;

/// An indexed triangle list. Triangles wind counter-clockwise seen from outside (glTF).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct MeshData {
    /// Vertex positions, metres.
    pub positions_m: Vec<[f32; 3]>,
    /// Unit vertex normals, one per position.
    pub normals: Vec<[f32; 3]>,
    /// Three indices per triangle.
    pub indices: Vec<u32>,
}

impl MeshData {
    /// Number of vertices.
    pub fn vertex_count(&self) -> usize {
        self.positions_m.len()
    }

    /// Number of whole triangles.
    pub fn triangle_count(&self) -> usize {
        self.indices.len() / 3
    }

    /// True when there is nothing to draw.
    pub fn is_empty(&self) -> bool {
        self.positions_m.is_empty() || self.indices.len() < 3
    }

    /// Bounds of the positions.
    pub fn bounds(&self) -> Aabb {
        Aabb::from_points(self.positions_m.iter().map(|p| Vec3::from(*p)))
    }

    /// Checks counts, index ranges and finiteness; `part` names the mesh in the error.
    pub fn validate(&self, part: &str) -> Result<(), JewelryError> {
        let n = self.positions_m.len();
        if !self.normals.is_empty() && self.normals.len() != n {
            return Err(JewelryError::NormalCountMismatch {
                part: part.to_owned(),
                positions: n,
                normals: self.normals.len(),
            });
        }
        if !self.indices.len().is_multiple_of(3) {
            return Err(JewelryError::NotTriangles {
                part: part.to_owned(),
                count: self.indices.len(),
            });
        }
        if let Some(&index) = self.indices.iter().find(|&&i| i as usize >= n) {
            return Err(JewelryError::IndexOutOfRange {
                part: part.to_owned(),
                index,
                vertex_count: n,
            });
        }
        if let Some(vertex) = self
            .positions_m
            .iter()
            .chain(&self.normals)
            .position(|p| !Vec3::from(*p).is_finite())
        {
            return Err(JewelryError::NonFinite {
                part: part.to_owned(),
                vertex: vertex % n.max(1),
            });
        }
        Ok(())
    }

    /// Appends another mesh, re-basing its indices.
    pub fn append(&mut self, other: &MeshData) {
        let base = self.positions_m.len() as u32;
        self.positions_m.extend_from_slice(&other.positions_m);
        self.normals.extend_from_slice(&other.normals);
        self.indices.extend(other.indices.iter().map(|i| i + base));
    }

    /// A copy with every position transformed by `m` and normals by its inverse transpose.
    /// A mirroring `m` (negative determinant) also flips the winding, so faces stay front-facing.
    pub fn transformed(&self, m: &Mat4) -> MeshData {
        let normal_m = Mat3::from_mat4(*m).inverse().transpose();
        let mut out = MeshData {
            positions_m: self
                .positions_m
                .iter()
                .map(|p| m.transform_point3(Vec3::from(*p)).to_array())
                .collect(),
            normals: self
                .normals
                .iter()
                .map(|n| (normal_m * Vec3::from(*n)).normalize_or_zero().to_array())
                .collect(),
            indices: self.indices.clone(),
        };
        if m.determinant() < 0.0 {
            for tri in out.indices.chunks_exact_mut(3) {
                tri.swap(1, 2);
            }
        }
        out
    }

    /// A copy moved by `offset_m`.
    pub fn translated(&self, offset_m: Vec3) -> MeshData {
        self.transformed(&Mat4::from_translation(offset_m))
    }

    /// Adds a flat-shaded triangle (own vertices, face normal) wound so that its normal points
    /// along `outward`. Degenerate triangles are skipped.
    pub fn push_flat_triangle(&mut self, a: Vec3, b: Vec3, c: Vec3, outward: Vec3) {
        let n = (b - a).cross(c - a);
        let Some(n) = n.try_normalize() else {
            return;
        };
        let (b, c, n) = if n.dot(outward) < 0.0 {
            (c, b, -n)
        } else {
            (b, c, n)
        };
        let base = self.positions_m.len() as u32;
        for p in [a, b, c] {
            self.positions_m.push(p.to_array());
            self.normals.push(n.to_array());
        }
        self.indices.extend([base, base + 1, base + 2]);
    }

    /// Adds a vertex and returns its index.
    pub fn push_vertex(&mut self, position_m: Vec3, normal: Vec3) -> u32 {
        self.positions_m.push(position_m.to_array());
        self.normals.push(normal.normalize_or_zero().to_array());
        (self.positions_m.len() - 1) as u32
    }

    /// Adds a triangle of existing vertices, wound so its geometric normal agrees with the
    /// average of their vertex normals. Degenerate triangles are skipped.
    pub fn push_smooth_triangle(&mut self, a: u32, b: u32, c: u32) {
        let p = |i: u32| Vec3::from(self.positions_m[i as usize]);
        let n = |i: u32| Vec3::from(self.normals[i as usize]);
        let face = (p(b) - p(a)).cross(p(c) - p(a));
        if face.length_squared() <= f32::EPSILON * f32::EPSILON * p(a).length_squared().max(1e-12) {
            return;
        }
        if face.dot(n(a) + n(b) + n(c)) < 0.0 {
            self.indices.extend([a, c, b]);
        } else {
            self.indices.extend([a, b, c]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validate_catches_bad_data() {
        let mut m = MeshData::default();
        m.push_flat_triangle(Vec3::ZERO, Vec3::X, Vec3::Y, Vec3::Z);
        assert!(m.validate("t").is_ok());
        let mut bad = m.clone();
        bad.indices.push(7);
        assert!(matches!(
            bad.validate("t"),
            Err(JewelryError::NotTriangles { .. })
        ));
        bad.indices.extend([0, 9]);
        assert!(matches!(
            bad.validate("t"),
            Err(JewelryError::IndexOutOfRange { index: 7, .. })
        ));
        let mut bad = m.clone();
        bad.normals.pop();
        assert!(matches!(
            bad.validate("t"),
            Err(JewelryError::NormalCountMismatch { .. })
        ));
        let mut bad = m.clone();
        bad.positions_m[1][0] = f32::NAN;
        assert!(matches!(
            bad.validate("t"),
            Err(JewelryError::NonFinite { vertex: 1, .. })
        ));
    }

    #[test]
    fn flat_triangle_faces_outward() {
        let mut m = MeshData::default();
        m.push_flat_triangle(Vec3::ZERO, Vec3::X, Vec3::Y, Vec3::NEG_Z);
        assert_eq!(m.normals[0], [0.0, 0.0, -1.0]);
        let p: Vec<Vec3> = m
            .indices
            .iter()
            .map(|&i| m.positions_m[i as usize].into())
            .collect();
        assert!((p[1] - p[0]).cross(p[2] - p[0]).z < 0.0);
        m.push_flat_triangle(Vec3::ZERO, Vec3::X, Vec3::X * 2.0, Vec3::Z);
        assert_eq!(m.triangle_count(), 1, "degenerate skipped");
    }

    #[test]
    fn mirrored_transform_keeps_faces_outward() {
        let mut m = MeshData::default();
        m.push_flat_triangle(Vec3::ZERO, Vec3::X, Vec3::Y, Vec3::Z);
        let t = m.transformed(&Mat4::from_scale(Vec3::new(-1.0, 1.0, 1.0)));
        let p: Vec<Vec3> = t
            .indices
            .iter()
            .map(|&i| t.positions_m[i as usize].into())
            .collect();
        let face = (p[1] - p[0]).cross(p[2] - p[0]);
        assert!(face.dot(Vec3::from(t.normals[0])) > 0.0);
        let mut both = m.clone();
        both.append(&m.translated(Vec3::X));
        assert_eq!(both.indices[3..], [3, 4, 5]);
        assert_eq!(both.bounds().max, Vec3::new(2.0, 1.0, 0.0));
    }
}
