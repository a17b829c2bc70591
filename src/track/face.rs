//! Face landmarks (MediaPipe's 468-point face mesh) in the picture as shown, and where earrings and
//! a pendant are worn on them: pure math, no tracker.
//!
//! Model convention (see `models/README.md`): an earring's origin is where it passes through the
//! lobe, its front faces +Z and it hangs along −Y; a pendant's origin is where the chain passes
//! through the bail, its front faces +Z, the chain rising behind it along −Z. Both hang under
//! gravity, taken as the camera's up (+Y), and face the way the face does, turned about the
//! vertical only.

use glam::{Quat, Vec2, Vec3};

use super::anchor::{frame, Anchor};

/// MediaPipe face mesh indices (its canonical face model's numbering).
pub const NOSE_TIP: usize = 1;
pub const FOREHEAD: usize = 10;
pub const CHIN: usize = 152;
/// The face's outline where it meets each ear, at the tragus: on the subject's right
/// (the viewer's left in an unmirrored picture) and left.
pub const TRAGUS: [usize; 2] = [234, 454];
/// The outline just below the ear, behind the jaw: the lobe hangs here.
pub const BELOW_EAR: [usize; 2] = [132, 361];
/// Eye corners (outer, inner) of the subject's right eye and left eye.
pub const EYE_CORNERS: [(usize, usize); 2] = [(33, 133), (263, 362)];
/// The face mesh without the iris points a refined mesh adds (478).
pub const LANDMARK_COUNT: usize = 468;

/// Mean adult interpupillary distance (Dodgson 2004, 63.4 mm over 3976 adults): the face's scale
/// until a calibration measures the shopper's own.
pub const DEFAULT_EYE_DISTANCE_MM: f32 = 63.0;
/// A lobe hangs a little outside the outline below the ear: this share of the tragus-to-tragus
/// width, outwards.
const LOBE_OUTWARD_SHARE: f32 = 0.03;
/// The neckline (the suprasternal notch, where a pendant on an 18-inch chain rests) lies about
/// this far below the chin on an upright adult (ANSUR II: menton to suprasternale height).
pub const NECKLINE_BELOW_CHIN_MM: f32 = 105.0;
/// An ear turned this far away (face yaw) starts to fade its earring; at the second angle it is
/// hidden behind the head.
pub const EAR_HIDDEN_YAW_DEG: (f32, f32) = (25.0, 45.0);

/// One tracked face in the picture as shown.
#[derive(Clone, Debug, PartialEq)]
pub struct Face {
    /// x right and y down in px of the shown picture; z is MediaPipe's relative depth on the x
    /// scale (smaller is nearer the camera).
    pub points_px: Vec<Vec3>,
}

/// Which earring: the one on the viewer's left or right in the picture as shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    ViewerLeft,
    ViewerRight,
}

impl Side {
    pub const BOTH: [Side; 2] = [Side::ViewerLeft, Side::ViewerRight];

    fn sign(self) -> f32 {
        match self {
            Side::ViewerLeft => -1.0,
            Side::ViewerRight => 1.0,
        }
    }
}

impl Face {
    /// From MediaPipe's output: `normalized` landmarks (x, y in 0..1 of the `width`×`height`
    /// input, z on the scale of x); `flip_x` says the picture is shown mirrored. `None` for
    /// fewer than 468 points or non-finite ones.
    pub fn from_mediapipe(
        normalized: &[[f32; 3]],
        width: f32,
        height: f32,
        flip_x: bool,
    ) -> Option<Face> {
        if normalized.len() < LANDMARK_COUNT || !(width > 0.0 && height > 0.0) {
            return None;
        }
        let points_px = normalized
            .iter()
            .map(|n| {
                n.iter().all(|v| v.is_finite()).then(|| {
                    let x = if flip_x { 1.0 - n[0] } else { n[0] };
                    Vec3::new(x * width, n[1] * height, n[2] * width)
                })
            })
            .collect::<Option<Vec<_>>>()?;
        Some(Face { points_px })
    }

    pub fn screen(&self, i: usize) -> Vec2 {
        self.points_px[i].truncate()
    }

    /// Landmark `i` in view space: x right, y up, z towards the viewer (px units).
    pub fn view(&self, i: usize) -> Vec3 {
        let p = self.points_px[i];
        Vec3::new(p.x, -p.y, -p.z)
    }

    fn eye_centre(&self, eye: usize) -> Vec3 {
        let (outer, inner) = EYE_CORNERS[eye];
        self.view(outer).lerp(self.view(inner), 0.5)
    }

    /// Distance between the eyes' centres in px, in 3D so a turned head does not shrink it.
    pub fn eye_distance_px(&self) -> f32 {
        self.eye_centre(0).distance(self.eye_centre(1))
    }

    /// Unit vector out of the face (where the nose points), view space.
    pub fn forward(&self) -> Vec3 {
        let across = self.view(TRAGUS[1]) - self.view(TRAGUS[0]);
        let up = self.view(FOREHEAD) - self.view(CHIN);
        let n = across.cross(up).normalize_or(Vec3::Z);
        // The cross product's sign depends on mirroring; the nose stands out of the face.
        let centre = self.view(TRAGUS[0]).lerp(self.view(TRAGUS[1]), 0.5);
        if n.dot(self.view(NOSE_TIP) - centre) < 0.0 {
            -n
        } else {
            n
        }
    }

    /// How far the face is turned about the vertical, radians: positive towards the viewer's
    /// right (which takes the ear on that side away from the camera).
    pub fn yaw_rad(&self) -> f32 {
        let f = self.forward();
        f.x.atan2(f.z)
    }

    /// The lobe on `side`: the outline below that ear, pushed a little outwards.
    fn lobe_px(&self) -> [Vec2; 2] {
        let a = [self.screen(BELOW_EAR[0]), self.screen(BELOW_EAR[1])];
        let width = self.screen(TRAGUS[0]).distance(self.screen(TRAGUS[1]));
        let out = (a[1] - a[0]).normalize_or(Vec2::X) * (LOBE_OUTWARD_SHARE * width);
        [a[0] - out, a[1] + out]
    }

    fn lobe_depth_px(&self) -> [f32; 2] {
        [self.view(BELOW_EAR[0]).z, self.view(BELOW_EAR[1]).z]
    }
}

/// Hangs under gravity (+Y up), facing where the face does, turned about the vertical only.
fn hanging(face: &Face) -> Quat {
    let f = face.forward();
    let level = Vec3::new(f.x, 0.0, f.z);
    frame(level.normalize_or(Vec3::Z), Vec3::Y)
}

/// 1 where the ear on `side` faces the camera, falling to 0 as the face turns it away.
pub fn ear_visibility(face: &Face, side: Side) -> f32 {
    let away_deg = side.sign() * face.yaw_rad().to_degrees();
    let (start, end) = EAR_HIDDEN_YAW_DEG;
    (1.0 - (away_deg - start) / (end - start)).clamp(0.0, 1.0)
}

/// The earring on `side`: at the lobe, hanging under gravity, facing as the face does.
/// `bone_px` carries the eye distance (the face's scale cue).
pub fn earring(face: &Face, side: Side) -> Anchor {
    // The lobes in left-to-right order of the picture as shown.
    let lobes = face.lobe_px();
    let depths = face.lobe_depth_px();
    let (left, right) = if lobes[0].x <= lobes[1].x {
        (0, 1)
    } else {
        (1, 0)
    };
    let i = match side {
        Side::ViewerLeft => left,
        Side::ViewerRight => right,
    };
    Anchor {
        position_px: lobes[i],
        depth_px: depths[i],
        rotation: hanging(face),
        bone_px: face.eye_distance_px(),
    }
}

/// A pendant: at the neckline, [`NECKLINE_BELOW_CHIN_MM`] straight down from the chin at the
/// face's scale (`px_per_mm`), hanging under gravity and facing as the face does.
pub fn pendant(face: &Face, px_per_mm: f32) -> Anchor {
    let drop_px = NECKLINE_BELOW_CHIN_MM * px_per_mm.max(0.0);
    Anchor {
        position_px: face.screen(CHIN) + Vec2::new(0.0, drop_px),
        depth_px: face.view(CHIN).z,
        rotation: hanging(face),
        bone_px: face.eye_distance_px(),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A synthetic face in view space (x right, y up, z to the viewer, px; 1 px per mm) as
    /// MediaPipe numbers it, only the points the anchors use, looking at the camera; the
    /// subject's right (MediaPipe's first of each pair) on the viewer's left, as in an
    /// unmirrored picture.
    pub(crate) fn frontal_face_view() -> Vec<Vec3> {
        let mut p = vec![Vec3::new(0.0, 0.0, -60.0); LANDMARK_COUNT];
        p[NOSE_TIP] = Vec3::new(0.0, 0.0, 25.0);
        p[FOREHEAD] = Vec3::new(0.0, 95.0, 0.0);
        p[CHIN] = Vec3::new(0.0, -95.0, 0.0);
        p[TRAGUS[0]] = Vec3::new(-70.0, 10.0, -60.0);
        p[TRAGUS[1]] = Vec3::new(70.0, 10.0, -60.0);
        p[BELOW_EAR[0]] = Vec3::new(-65.0, -25.0, -55.0);
        p[BELOW_EAR[1]] = Vec3::new(65.0, -25.0, -55.0);
        // Eye centres 63 mm apart.
        p[EYE_CORNERS[0].0] = Vec3::new(-46.5, 35.0, 0.0);
        p[EYE_CORNERS[0].1] = Vec3::new(-16.5, 35.0, 0.0);
        p[EYE_CORNERS[1].0] = Vec3::new(46.5, 35.0, 0.0);
        p[EYE_CORNERS[1].1] = Vec3::new(16.5, 35.0, 0.0);
        p
    }

    /// View-space points → a shown picture (x right, y down) around `origin_px`.
    pub(crate) fn face_from_view(points: &[Vec3], origin_px: Vec2) -> Face {
        Face {
            points_px: points
                .iter()
                .map(|p| Vec3::new(origin_px.x + p.x, origin_px.y - p.y, -p.z))
                .collect(),
        }
    }

    fn turned(q: Quat) -> Vec<Vec3> {
        frontal_face_view().into_iter().map(|p| q * p).collect()
    }

    #[test]
    fn earrings_hang_at_the_lobes_of_a_frontal_face() {
        let face = face_from_view(&frontal_face_view(), Vec2::new(320.0, 240.0));
        let l = earring(&face, Side::ViewerLeft);
        let r = earring(&face, Side::ViewerRight);
        // Below the tragus, a little outside the outline below the ear (0.03 × 140 px).
        assert!((l.position_px - Vec2::new(320.0 - 65.0 - 4.2, 265.0)).length() < 1e-3);
        assert!((r.position_px - Vec2::new(320.0 + 65.0 + 4.2, 265.0)).length() < 1e-3);
        // Hanging: model +Y is the camera's up, its front (+Z) towards the viewer.
        assert!(l.up().distance(Vec3::Y) < 1e-5 && l.axis().distance(Vec3::Z) < 1e-5);
        assert!((face.eye_distance_px() - 63.0).abs() < 1e-4);
        assert!(face.yaw_rad().abs() < 1e-5);
        for side in Side::BOTH {
            assert_eq!(ear_visibility(&face, side), 1.0);
        }
    }

    #[test]
    fn mirroring_swaps_the_lobes_and_keeps_them_in_place() {
        let view = frontal_face_view();
        let (w, h) = (640.0, 480.0);
        let normalized: Vec<[f32; 3]> = view
            .iter()
            .map(|p| [(300.0 + p.x) / w, (240.0 - p.y) / h, -p.z / w])
            .collect();
        let raw = Face::from_mediapipe(&normalized, w, h, false).unwrap();
        let shown = Face::from_mediapipe(&normalized, w, h, true).unwrap();
        let raw_left = earring(&raw, Side::ViewerLeft).position_px;
        let shown_right = earring(&shown, Side::ViewerRight).position_px;
        assert!((shown_right.x - (w - raw_left.x)).abs() < 1e-3);
        assert!((shown_right.y - raw_left.y).abs() < 1e-3);
        assert!(
            shown.forward().z > 0.99,
            "the nose still points at the viewer"
        );
        assert!(Face::from_mediapipe(&normalized[..400], w, h, false).is_none());
        let mut bad = normalized.clone();
        bad[7][0] = f32::NAN;
        assert!(Face::from_mediapipe(&bad, w, h, false).is_none());
    }

    #[test]
    fn turning_the_head_hides_the_far_earring_and_turns_both() {
        // Nose towards the viewer's right by 40°: the right ear goes behind the head.
        let q = Quat::from_rotation_y(40f32.to_radians());
        let face = face_from_view(&turned(q), Vec2::new(320.0, 240.0));
        assert!((face.yaw_rad().to_degrees() - 40.0).abs() < 0.5);
        let right = ear_visibility(&face, Side::ViewerRight);
        assert!((right - 0.25).abs() < 0.03, "{right}");
        assert_eq!(ear_visibility(&face, Side::ViewerLeft), 1.0);
        let a = earring(&face, Side::ViewerLeft);
        assert!((a.axis().x - 40f32.to_radians().sin()).abs() < 0.01);
        assert!(a.up().distance(Vec3::Y) < 1e-4, "still hangs under gravity");
        // Further round, the far one is gone; the other way the near one is.
        let face = face_from_view(&turned(q * q), Vec2::new(320.0, 240.0));
        assert_eq!(ear_visibility(&face, Side::ViewerRight), 0.0);
        let face = face_from_view(&turned(q.inverse() * q.inverse()), Vec2::ZERO);
        assert_eq!(ear_visibility(&face, Side::ViewerLeft), 0.0);
        assert_eq!(ear_visibility(&face, Side::ViewerRight), 1.0);
    }

    #[test]
    fn a_tilted_head_keeps_earrings_hanging_and_moves_the_lobes() {
        // Head rolled 20° (ear towards shoulder): the lobes move with it, the jewel still hangs.
        let q = Quat::from_rotation_z(20f32.to_radians());
        let face = face_from_view(&turned(q), Vec2::new(320.0, 240.0));
        let l = earring(&face, Side::ViewerLeft);
        let r = earring(&face, Side::ViewerRight);
        assert!(r.position_px.y < l.position_px.y - 40.0, "{l:?} {r:?}");
        assert!(l.up().distance(Vec3::Y) < 1e-4);
    }

    #[test]
    fn pendant_hangs_below_the_chin_at_the_faces_scale() {
        let face = face_from_view(&frontal_face_view(), Vec2::new(320.0, 240.0));
        let a = pendant(&face, 2.0);
        let chin = face.screen(CHIN);
        assert!(
            (a.position_px - (chin + Vec2::new(0.0, 2.0 * NECKLINE_BELOW_CHIN_MM))).length() < 1e-3
        );
        assert!(a.axis().z > 0.99 && a.up().distance(Vec3::Y) < 1e-5);
        // Translation moves it by the same amount.
        let moved = face_from_view(&frontal_face_view(), Vec2::new(350.0, 200.0));
        let b = pendant(&moved, 2.0);
        assert!((b.position_px - a.position_px - Vec2::new(30.0, -40.0)).length() < 1e-3);
    }
}
