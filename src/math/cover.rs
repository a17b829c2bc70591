//! Fitting the camera video behind the jewel, like CSS `object-fit: cover` / `contain`.
//!
//! Both screen and source uv run 0..1 with the origin at the top left. The user-facing camera is
//! shown mirrored, as a mirror would show it, so people move their hand the way they expect.

use glam::Vec2;

/// An axis-aligned uv mapping: `source_uv = screen_uv * scale + offset`, per axis.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, bytemuck::Pod, bytemuck::Zeroable)]
pub struct UvTransform {
    /// Per-axis scale from screen uv to source uv (negative x mirrors).
    pub scale: [f32; 2],
    /// Per-axis offset added after scaling.
    pub offset: [f32; 2],
}

impl UvTransform {
    /// The mapping that shows the source unchanged.
    pub const IDENTITY: UvTransform = UvTransform {
        scale: [1.0, 1.0],
        offset: [0.0, 0.0],
    };

    /// Maps a screen uv to the source uv it shows.
    pub fn apply(&self, screen_uv: Vec2) -> Vec2 {
        screen_uv * Vec2::from(self.scale) + Vec2::from(self.offset)
    }

    /// Mirrors the mapping left-right: screen u shows what `1 − u` showed before.
    fn mirrored_x(mut self) -> UvTransform {
        // s(1 − u) + o = −s·u + (s + o)
        self.offset[0] += self.scale[0];
        self.scale[0] = -self.scale[0];
        self
    }
}

/// Aspect ratios, or `None` when any size is zero, negative or not finite.
fn aspects(src_w: f32, src_h: f32, dst_w: f32, dst_h: f32) -> Option<(f32, f32)> {
    let ok = |v: f32| v.is_finite() && v > 0.0;
    (ok(src_w) && ok(src_h) && ok(dst_w) && ok(dst_h)).then(|| (src_w / src_h, dst_w / dst_h))
}

/// The uv transform that fills the destination with the source, cropping the source
/// symmetrically (no bars). With `mirror_x` the left of the screen shows the right of the
/// source. Degenerate sizes give the identity (mirrored if asked).
pub fn cover_uv(src_w: f32, src_h: f32, dst_w: f32, dst_h: f32, mirror_x: bool) -> UvTransform {
    let mut t = UvTransform::IDENTITY;
    if let Some((src_aspect, dst_aspect)) = aspects(src_w, src_h, dst_w, dst_h) {
        if src_aspect > dst_aspect {
            // Source is wider: show only the middle part of its width.
            let sx = dst_aspect / src_aspect;
            t.scale[0] = sx;
            t.offset[0] = 0.5 * (1.0 - sx);
        } else {
            let sy = src_aspect / dst_aspect;
            t.scale[1] = sy;
            t.offset[1] = 0.5 * (1.0 - sy);
        }
    }
    if mirror_x {
        t.mirrored_x()
    } else {
        t
    }
}

/// The uv transform that shows the whole source inside the destination, centred, with bars where
/// the aspects differ: there the source uv falls outside 0..1 and the shader draws the bar colour.
/// Same mirroring and degenerate-size rules as [`cover_uv`].
pub fn contain_uv(src_w: f32, src_h: f32, dst_w: f32, dst_h: f32, mirror_x: bool) -> UvTransform {
    let mut t = UvTransform::IDENTITY;
    if let Some((src_aspect, dst_aspect)) = aspects(src_w, src_h, dst_w, dst_h) {
        if src_aspect > dst_aspect {
            // Source is wider: it spans the full width and a fraction `h` of the height.
            let h = dst_aspect / src_aspect;
            t.scale[1] = 1.0 / h;
            t.offset[1] = -0.5 * (1.0 - h) / h;
        } else {
            let w = src_aspect / dst_aspect;
            t.scale[0] = 1.0 / w;
            t.offset[0] = -0.5 * (1.0 - w) / w;
        }
    }
    if mirror_x {
        t.mirrored_x()
    } else {
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn near(a: Vec2, b: Vec2) -> bool {
        (a - b).length() < 1e-6
    }

    #[test]
    fn equal_aspect_is_identity() {
        assert_eq!(
            cover_uv(1280.0, 720.0, 640.0, 360.0, false),
            UvTransform::IDENTITY
        );
        assert_eq!(
            contain_uv(1280.0, 720.0, 640.0, 360.0, false),
            UvTransform::IDENTITY
        );
    }

    #[test]
    fn wider_source_is_cropped_symmetrically() {
        // 16:9 camera on a 1:1 element: the middle 9/16 of the width is shown.
        let t = cover_uv(1920.0, 1080.0, 500.0, 500.0, false);
        let left = t.apply(Vec2::new(0.0, 0.0));
        let right = t.apply(Vec2::new(1.0, 1.0));
        assert!((right.x - left.x - 9.0 / 16.0).abs() < 1e-6);
        assert!((left.x - (1.0 - right.x)).abs() < 1e-6);
        assert_eq!((left.y, right.y), (0.0, 1.0));
    }

    #[test]
    fn taller_source_is_cropped_vertically() {
        // Portrait phone camera (9:16) on a landscape element (16:9).
        let t = cover_uv(1080.0, 1920.0, 1600.0, 900.0, false);
        assert_eq!(t.scale[0], 1.0);
        let top = t.apply(Vec2::ZERO).y;
        let bottom = t.apply(Vec2::ONE).y;
        assert!((top - (1.0 - bottom)).abs() < 1e-6);
        // Shown source region keeps the destination's aspect in source pixels.
        let shown_px = Vec2::new(1080.0, (bottom - top) * 1920.0);
        assert!((shown_px.x / shown_px.y - 16.0 / 9.0).abs() < 1e-4);
    }

    #[test]
    fn mirror_flips_left_and_right() {
        let plain = cover_uv(1920.0, 1080.0, 500.0, 500.0, false);
        let mirrored = cover_uv(1920.0, 1080.0, 500.0, 500.0, true);
        for u in [0.0, 0.2, 0.5, 1.0] {
            let a = plain.apply(Vec2::new(u, 0.3));
            let b = mirrored.apply(Vec2::new(1.0 - u, 0.3));
            assert!(near(a, b), "{a} {b}");
        }
        // Left of the screen shows the right of the source.
        assert!(mirrored.apply(Vec2::ZERO).x > 0.5);
    }

    #[test]
    fn corners_round_trip_for_contain() {
        let t = contain_uv(1920.0, 1080.0, 500.0, 500.0, false);
        // Source corners land inside the screen, centred vertically, full width.
        let inv = |s: Vec2| (s - Vec2::from(t.offset)) / Vec2::from(t.scale);
        let top_left = inv(Vec2::ZERO);
        let bottom_right = inv(Vec2::ONE);
        assert!(near(top_left, Vec2::new(0.0, 0.5 - 9.0 / 32.0)));
        assert!(near(bottom_right, Vec2::new(1.0, 0.5 + 9.0 / 32.0)));
        assert!(near(t.apply(top_left), Vec2::ZERO));
        // Screen corners are in the bars.
        assert!(t.apply(Vec2::ZERO).y < 0.0 && t.apply(Vec2::ONE).y > 1.0);
    }

    #[test]
    fn degenerate_sizes_give_identity() {
        for t in [
            cover_uv(0.0, 720.0, 100.0, 100.0, false),
            cover_uv(1280.0, 720.0, -1.0, 100.0, false),
            contain_uv(f32::NAN, 1.0, 1.0, 1.0, false),
            contain_uv(1.0, 1.0, 1.0, 0.0, false),
        ] {
            assert_eq!(t, UvTransform::IDENTITY);
        }
        let m = cover_uv(0.0, 0.0, 0.0, 0.0, true);
        assert!(near(m.apply(Vec2::ZERO), Vec2::new(1.0, 0.0)));
    }

    #[test]
    fn is_pod_for_uniform_upload() {
        let t = cover_uv(1920.0, 1080.0, 500.0, 500.0, false);
        assert_eq!(bytemuck::bytes_of(&t).len(), 16);
    }
}
