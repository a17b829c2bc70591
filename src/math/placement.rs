//! Where and how large the jewel sits in the element's view.
//!
//! The camera is at the world origin looking down −Z with +Y up (so `view_from_world` is the
//! identity) and a vertical field of view `vfov_rad`. The model is pushed to the depth at which one
//! millimetre spans the wanted number of CSS pixels, so "true size" is a choice of depth, not a
//! scale on the model: lighting, reflections and gem refraction stay in real units.
//!
//! Rotation directions, as the viewer sees them (the model's +Z faces the camera at identity):
//! - positive yaw ([`Placement::turn`]) turns the model's front towards the viewer's right;
//! - positive pitch tips the model's top towards the viewer (its front turns down);
//! - positive roll ([`Placement::twist`]) turns the model counter-clockwise on screen.

use glam::{Mat4, Quat, Vec2, Vec3, Vec4};

use super::aabb::Aabb;
use super::orbit::perspective_rh_zo;
use super::units::MM_PER_M;

/// Smallest and largest zoom factor for [`Placement::zoom_by`].
pub const ZOOM_RANGE: (f32, f32) = (0.1, 10.0);

/// Share of min(viewport width, height) that the model's largest bounds dimension spans at zoom 1
/// when no physical scale is known.
pub const DEFAULT_FILL: f32 = 0.4;

/// The user's placement of the jewel in the view.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Placement {
    /// Jewel centre relative to the element centre, CSS px, +x right, +y down.
    pub offset_css: Vec2,
    /// Model rotation (applied about the bounds centre, in view space).
    pub rotation: Quat,
    /// Extra magnification when the physical scale is unknown; ignored at true size.
    pub zoom: f32,
}

impl Default for Placement {
    fn default() -> Self {
        Placement {
            offset_css: Vec2::ZERO,
            rotation: Quat::IDENTITY,
            zoom: 1.0,
        }
    }
}

impl Placement {
    /// Moves the jewel by a drag of `(dx, dy)` CSS px (+y down). Non-finite input is ignored.
    pub fn move_by_css(&mut self, dx: f32, dy: f32) {
        let d = Vec2::new(dx, dy);
        if d.is_finite() {
            self.offset_css += d;
        }
    }

    /// Turns the model about the screen's vertical axis (`yaw_rad`) and horizontal axis
    /// (`pitch_rad`), in view space, so a drag always turns the way it looks. See the module
    /// docs for the signs.
    pub fn turn(&mut self, yaw_rad: f32, pitch_rad: f32) {
        if yaw_rad.is_finite() && pitch_rad.is_finite() {
            let q = Quat::from_rotation_y(yaw_rad) * Quat::from_rotation_x(pitch_rad);
            self.rotation = (q * self.rotation).normalize();
        }
    }

    /// Turns the model about the view axis; positive is counter-clockwise on screen.
    pub fn twist(&mut self, roll_rad: f32) {
        if roll_rad.is_finite() {
            self.rotation = (Quat::from_rotation_z(roll_rad) * self.rotation).normalize();
        }
    }

    /// Multiplies the zoom, clamped to [`ZOOM_RANGE`]. Non-positive or non-finite factors are
    /// ignored.
    pub fn zoom_by(&mut self, factor: f32) {
        if factor.is_finite() && factor > 0.0 {
            self.zoom = (self.zoom * factor).clamp(ZOOM_RANGE.0, ZOOM_RANGE.1);
        }
    }

    /// Back to the default placement.
    pub fn reset(&mut self) {
        *self = Placement::default();
    }
}

/// Everything the renderer needs to draw one frame of the jewel.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FrameView {
    /// Projection, right-handed, depth 0..1 (wgpu).
    pub clip_from_view: Mat4,
    /// The camera: identity, since the camera sits at the world origin.
    pub view_from_world: Mat4,
    /// Places, turns and centres the model.
    pub world_from_model: Mat4,
    /// Camera position in world space (the origin).
    pub eye_world: Vec3,
    /// CSS px per mm in the plane through the model's bounds centre, facing the camera.
    pub px_per_mm: f32,
}

impl FrameView {
    /// Projects a model-space point (metres) to CSS px from the element's top-left corner, or
    /// `None` if it is behind the camera.
    pub fn project_to_css(&self, p_model: Vec3, viewport_css: Vec2) -> Option<Vec2> {
        let viewport_css = sanitize_viewport(viewport_css);
        let clip = self.clip_from_view
            * self.view_from_world
            * self.world_from_model
            * Vec4::from((p_model, 1.0));
        if clip.w <= 0.0 {
            return None;
        }
        let ndc = clip.truncate() / clip.w;
        Some(Vec2::new(
            (ndc.x + 1.0) * 0.5 * viewport_css.x,
            (1.0 - ndc.y) * 0.5 * viewport_css.y,
        ))
    }
}

fn sanitize_viewport(viewport_css: Vec2) -> Vec2 {
    if viewport_css.is_finite() && viewport_css.x > 0.0 && viewport_css.y > 0.0 {
        viewport_css
    } else {
        Vec2::ONE
    }
}

/// Empty, non-finite or point-like bounds become a 1 m cube around their centre ("unit bounds").
fn sanitize_bounds(bounds: &Aabb) -> Aabb {
    let centre = bounds.center();
    let usable = !bounds.is_empty()
        && bounds.min.is_finite()
        && bounds.max.is_finite()
        && bounds.size().max_element() > 1e-9;
    if usable {
        *bounds
    } else {
        Aabb {
            min: centre - Vec3::splat(0.5),
            max: centre + Vec3::splat(0.5),
        }
    }
}

/// Builds the matrices for one frame.
///
/// With `Some(px_per_mm)` the model is drawn at true size: L mm in the plane through its bounds
/// centre span L·px_per_mm CSS px, whatever the zoom. With `None` the largest bounds dimension
/// spans [`DEFAULT_FILL`] of min(viewport width, height) times the zoom. A zero or non-finite
/// viewport counts as 1×1 px, unusable bounds as a 1 m cube, a bad `vfov_rad` as 45°.
pub fn frame_view(
    placement: &Placement,
    viewport_css: Vec2,
    px_per_mm: Option<f32>,
    model_bounds_m: &Aabb,
    vfov_rad: f32,
) -> FrameView {
    let viewport_css = sanitize_viewport(viewport_css);
    let bounds = sanitize_bounds(model_bounds_m);
    let vfov_rad = if vfov_rad.is_finite() && vfov_rad > 1e-3 && vfov_rad < 3.1 {
        vfov_rad
    } else {
        45f32.to_radians()
    };
    let zoom = if placement.zoom.is_finite() && placement.zoom > 0.0 {
        placement.zoom
    } else {
        1.0
    };

    let px_per_mm = match px_per_mm {
        Some(p) if p.is_finite() && p > 0.0 => p,
        _ => {
            let largest_mm = bounds.size().max_element() * MM_PER_M;
            DEFAULT_FILL * viewport_css.min_element() * zoom / largest_mm
        }
    };

    // At depth d the view is 2·d·tan(vfov/2) m tall; make that equal viewport height in mm.
    let tan_half = (0.5 * vfov_rad).tan();
    let depth_m = (viewport_css.y / px_per_mm / MM_PER_M) / (2.0 * tan_half);
    let m_per_css_px = 1.0 / (px_per_mm * MM_PER_M);
    let offset = placement.offset_css;
    let offset = if offset.is_finite() {
        offset
    } else {
        Vec2::ZERO
    };
    let position = Vec3::new(offset.x * m_per_css_px, -offset.y * m_per_css_px, -depth_m);
    let rotation = if placement.rotation.is_finite() && placement.rotation.length() > 1e-6 {
        placement.rotation.normalize()
    } else {
        Quat::IDENTITY
    };
    let world_from_model = Mat4::from_translation(position)
        * Mat4::from_quat(rotation)
        * Mat4::from_translation(-bounds.center());

    // The rotated model stays inside its bounding sphere around `position`; a 10 % pad keeps the
    // planes off the silhouette, and near never reaches zero (depth precision).
    let radius_m = bounds.bounding_radius() * 1.1;
    let near_m = (depth_m - radius_m).max(depth_m * 1e-3);
    let far_m = (depth_m + radius_m).max(near_m * 1.001);
    let aspect = viewport_css.x / viewport_css.y;

    FrameView {
        clip_from_view: perspective_rh_zo(vfov_rad, aspect, near_m, far_m),
        view_from_world: Mat4::IDENTITY,
        world_from_model,
        eye_world: Vec3::ZERO,
        px_per_mm,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const VFOV: f32 = 0.8;

    fn ring_bounds() -> Aabb {
        // Roughly a solitaire: 20.5 mm wide, 25 mm tall, 6.5 mm deep, centre off the origin.
        Aabb::from_points([
            Vec3::new(-0.01025, -0.01025, -0.00325),
            Vec3::new(0.01025, 0.0147, 0.00325),
        ])
    }

    fn project(v: &FrameView, p: Vec3, vp: Vec2) -> Vec2 {
        v.project_to_css(p, vp).expect("in front of the camera")
    }

    #[test]
    fn true_scale_segment_spans_px_per_mm() {
        let b = ring_bounds();
        let vp = Vec2::new(390.0, 844.0);
        for zoom in [1.0, 3.0] {
            let placement = Placement {
                zoom,
                offset_css: Vec2::new(40.0, -120.0),
                ..Placement::default()
            };
            let v = frame_view(&placement, vp, Some(6.3), &b, VFOV);
            assert_eq!(v.px_per_mm, 6.3);
            let c = b.center();
            let a = project(&v, c - Vec3::X * 0.005, vp);
            let z = project(&v, c + Vec3::X * 0.005, vp);
            let span = (z - a).length();
            assert!((span / 63.0 - 1.0).abs() < 1e-3, "span {span}");
            let a = project(&v, c - Vec3::Y * 0.005, vp);
            let z = project(&v, c + Vec3::Y * 0.005, vp);
            assert!(((z - a).length() / 63.0 - 1.0).abs() < 1e-3);
        }
    }

    #[test]
    fn default_rule_fills_forty_percent() {
        let b = ring_bounds();
        let vp = Vec2::new(800.0, 500.0);
        let mut placement = Placement::default();
        let v = frame_view(&placement, vp, None, &b, VFOV);
        let c = b.center();
        let half_tall = Vec3::Y * (b.size().y * 0.5);
        let span = project(&v, c + half_tall, vp).y - project(&v, c - half_tall, vp).y;
        assert!((span.abs() / (0.4 * 500.0) - 1.0).abs() < 1e-3, "{span}");

        placement.zoom_by(2.0);
        let v2 = frame_view(&placement, vp, None, &b, VFOV);
        assert!((v2.px_per_mm / v.px_per_mm - 2.0).abs() < 1e-5);
    }

    #[test]
    fn offset_lands_where_asked() {
        let b = ring_bounds();
        let vp = Vec2::new(600.0, 400.0);
        let mut placement = Placement::default();
        placement.move_by_css(-150.0, 80.0);
        for ppm in [None, Some(4.0)] {
            let v = frame_view(&placement, vp, ppm, &b, VFOV);
            let p = project(&v, b.center(), vp);
            assert!((p - Vec2::new(150.0, 280.0)).length() < 1e-2, "{p}");
        }
    }

    #[test]
    fn model_is_between_near_and_far() {
        let b = ring_bounds();
        let vp = Vec2::new(390.0, 844.0);
        let mut placement = Placement::default();
        placement.turn(0.9, -0.4);
        let v = frame_view(&placement, vp, Some(8.0), &b, VFOV);
        let clip_from_model = v.clip_from_view * v.view_from_world * v.world_from_model;
        for i in 0..8 {
            let corner = Vec3::new(
                if i & 1 == 0 { b.min.x } else { b.max.x },
                if i & 2 == 0 { b.min.y } else { b.max.y },
                if i & 4 == 0 { b.min.z } else { b.max.z },
            );
            let depth = clip_from_model.project_point3(corner).z;
            assert!(depth > 0.0 && depth < 1.0, "corner {i} depth {depth}");
        }
    }

    #[test]
    fn turn_and_twist_directions() {
        let b = Aabb::from_points([Vec3::splat(-0.01), Vec3::splat(0.01)]);
        let vp = Vec2::new(500.0, 500.0);
        let centre_css = Vec2::new(250.0, 250.0);
        let front = Vec3::Z * 0.01; // the model's front faces the viewer at identity

        let mut p = Placement::default();
        p.turn(0.5, 0.0);
        let v = frame_view(&p, vp, Some(5.0), &b, VFOV);
        assert!(
            project(&v, front, vp).x > centre_css.x + 10.0,
            "yaw: front goes right"
        );

        let mut p = Placement::default();
        p.turn(0.0, 0.5);
        let v = frame_view(&p, vp, Some(5.0), &b, VFOV);
        assert!(
            project(&v, front, vp).y > centre_css.y + 10.0,
            "pitch: front goes down"
        );
        let top = Vec3::Y * 0.01;
        let world_top = v.world_from_model.transform_point3(top);
        let world_centre = v.world_from_model.transform_point3(Vec3::ZERO);
        assert!(
            world_top.z > world_centre.z,
            "pitch: top tips towards viewer"
        );

        let mut p = Placement::default();
        p.twist(0.5);
        let v = frame_view(&p, vp, Some(5.0), &b, VFOV);
        let right = project(&v, Vec3::X * 0.01, vp);
        assert!(
            right.y < centre_css.y - 10.0,
            "roll: +X rises (counter-clockwise)"
        );

        p.reset();
        assert_eq!(p, Placement::default());
    }

    #[test]
    fn zoom_is_clamped_and_ignores_bad_factors() {
        let mut p = Placement::default();
        p.zoom_by(1000.0);
        assert_eq!(p.zoom, 10.0);
        p.zoom_by(1e-6);
        assert_eq!(p.zoom, 0.1);
        p.zoom_by(-2.0);
        p.zoom_by(f32::NAN);
        assert_eq!(p.zoom, 0.1);
    }

    #[test]
    fn degenerate_input_gives_finite_matrices() {
        let cases = [
            (Vec2::ZERO, None, Aabb::EMPTY, VFOV),
            (Vec2::new(f32::NAN, 3.0), Some(0.0), ring_bounds(), f32::NAN),
            (
                Vec2::new(300.0, 300.0),
                Some(-1.0),
                Aabb::from_points([Vec3::ONE]),
                0.0,
            ),
        ];
        for (vp, ppm, b, fov) in cases {
            let p = Placement {
                rotation: Quat::from_xyzw(0.0, 0.0, 0.0, 0.0),
                zoom: f32::NAN,
                ..Placement::default()
            };
            let v = frame_view(&p, vp, ppm, &b, fov);
            assert!(v.clip_from_view.is_finite());
            assert!(v.world_from_model.is_finite());
            assert!(v.px_per_mm.is_finite() && v.px_per_mm > 0.0);
        }
    }
}
