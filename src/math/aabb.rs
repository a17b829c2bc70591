//! Axis-aligned bounding boxes, used to frame models and to choose clip planes.

use glam::{Mat4, Vec3};

/// An axis-aligned box. A box with any `min > max` component is empty.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Aabb {
    /// Smallest corner.
    pub min: Vec3,
    /// Largest corner.
    pub max: Vec3,
}

impl Aabb {
    /// The empty box: the identity of [`Aabb::union`].
    pub const EMPTY: Aabb = Aabb {
        min: Vec3::splat(f32::INFINITY),
        max: Vec3::splat(f32::NEG_INFINITY),
    };

    /// The smallest box containing every point; [`Aabb::EMPTY`] for no points.
    /// Non-finite points are skipped so one bad vertex cannot poison framing.
    pub fn from_points(points: impl IntoIterator<Item = Vec3>) -> Aabb {
        points
            .into_iter()
            .filter(|p| p.is_finite())
            .fold(Aabb::EMPTY, |b, p| Aabb {
                min: b.min.min(p),
                max: b.max.max(p),
            })
    }

    /// True when the box contains no point.
    pub fn is_empty(&self) -> bool {
        self.min.cmpgt(self.max).any() || self.min.is_nan() || self.max.is_nan()
    }

    /// Centre of the box; the origin for an empty box (never NaN).
    pub fn center(&self) -> Vec3 {
        if self.is_empty() {
            Vec3::ZERO
        } else {
            (self.min + self.max) * 0.5
        }
    }

    /// Edge lengths; zero for an empty box.
    pub fn size(&self) -> Vec3 {
        if self.is_empty() {
            Vec3::ZERO
        } else {
            self.max - self.min
        }
    }

    /// The smallest box containing both boxes.
    pub fn union(&self, other: &Aabb) -> Aabb {
        if self.is_empty() {
            return *other;
        }
        if other.is_empty() {
            return *self;
        }
        Aabb {
            min: self.min.min(other.min),
            max: self.max.max(other.max),
        }
    }

    /// The box around all 8 transformed corners (exact for affine `m`, conservative bound of
    /// the transformed box). Empty stays empty.
    pub fn transformed(&self, m: &Mat4) -> Aabb {
        if self.is_empty() {
            return Aabb::EMPTY;
        }
        let corners = (0..8).map(|i| {
            let pick = |bit: u32, lo: f32, hi: f32| if i & bit == 0 { lo } else { hi };
            let c = Vec3::new(
                pick(1, self.min.x, self.max.x),
                pick(2, self.min.y, self.max.y),
                pick(4, self.min.z, self.max.z),
            );
            m.project_point3(c)
        });
        Aabb::from_points(corners)
    }

    /// Radius of the sphere around [`Aabb::center`] that contains the box: half the diagonal.
    pub fn bounding_radius(&self) -> f32 {
        self.size().length() * 0.5
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use glam::Quat;

    #[test]
    fn from_points_and_queries() {
        let b = Aabb::from_points([Vec3::new(1.0, 2.0, 3.0), Vec3::new(-1.0, 0.0, 5.0)]);
        assert_eq!(b.min, Vec3::new(-1.0, 0.0, 3.0));
        assert_eq!(b.max, Vec3::new(1.0, 2.0, 5.0));
        assert_eq!(b.center(), Vec3::new(0.0, 1.0, 4.0));
        assert_eq!(b.size(), Vec3::new(2.0, 2.0, 2.0));
        assert!((b.bounding_radius() - 3.0f32.sqrt()).abs() < 1e-6);
        assert!(!b.is_empty());
    }

    #[test]
    fn empty_is_identity_of_union_and_never_nan() {
        let e = Aabb::from_points(std::iter::empty());
        assert!(e.is_empty());
        assert_eq!(e.center(), Vec3::ZERO);
        assert_eq!(e.bounding_radius(), 0.0);
        let b = Aabb::from_points([Vec3::ONE, Vec3::NAN, Vec3::splat(2.0)]);
        assert_eq!(b.min, Vec3::ONE);
        assert_eq!(e.union(&b), b);
        assert_eq!(b.union(&e), b);
        assert!(e.transformed(&Mat4::IDENTITY).is_empty());
    }

    #[test]
    fn transformed_uses_all_corners() {
        let b = Aabb::from_points([Vec3::splat(-1.0), Vec3::splat(1.0)]);
        let m = Mat4::from_translation(Vec3::new(10.0, 0.0, 0.0))
            * Mat4::from_quat(Quat::from_rotation_z(std::f32::consts::FRAC_PI_4));
        let t = b.transformed(&m);
        let s = 2.0f32.sqrt();
        assert!((t.max.x - (10.0 + s)).abs() < 1e-5);
        assert!((t.min.y + s).abs() < 1e-5);
        assert!((t.max.z - 1.0).abs() < 1e-6);
    }
}
