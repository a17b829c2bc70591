//! Earrings or a pendant following a tracked face over time: which face, filtered poses, the
//! scale the eyes give, each earring hidden as its ear turns away, and the fade when the face is
//! lost or found. The face counterpart of [`super::session::Session`].

use glam::{Mat4, Quat, Vec2, Vec3};

use super::anchor::Anchor;
use super::face::{self, Face, Side, CHIN, DEFAULT_EYE_DISTANCE_MM};
use super::filter::AnchorFilter;
use super::one_euro::{OneEuro, OneEuroParams};
use super::session::{Fade, TrackedPose};
use crate::math::units::MM_PER_M;

/// Head proxy for earrings, in an earring's space (+Y up, +Z where the face looks): a vertical
/// cylinder standing on the lobe's level, this far inwards and backwards of the lobe, mm. A head
/// is about 150 mm broad and 195 mm long with the ear a little in front of its middle; a circle
/// that passes just inside the lobe stands in for it.
const HEAD_AXIS_FROM_LOBE_MM: (f32, f32) = (68.0, -10.0);
const HEAD_RADIUS_MM: f32 = 64.0;
/// The head proxy's height: from just below the lobe to above the head.
const HEAD_SPAN_MM: (f32, f32) = (-4.0, 160.0);
/// Neck proxy for a pendant, in its space: the chain's loop is 124 mm across and 116 mm deep
/// (`catalogue::pendant`), around a neck whose axis lies this far behind the bail.
const NECK_AXIS_BEHIND_MM: f32 = 58.0;
const NECK_RADIUS_MM: f32 = 50.0;
const NECK_SPAN_MM: (f32, f32) = (-10.0, 200.0);

/// What is worn on the face (the element's `kind`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FaceTarget {
    /// A pair: one on each lobe, the viewer's left one first.
    Earrings,
    Pendant,
}

/// A depth-only proxy in a jewel's model space: a cylinder of `radius_m` along the Z axis of
/// `model_from_axis`, from `z_from_m` to `z_to_m`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Proxy {
    pub model_from_axis: Mat4,
    pub radius_m: f32,
    pub z_from_m: f32,
    pub z_to_m: f32,
}

#[derive(Clone, Debug)]
struct Last {
    face: Face,
    anchors: Vec<Anchor>,
    visibility: Vec<f32>,
    px_per_mm: f32,
}

/// Jewels following a face.
#[derive(Clone, Debug)]
pub struct FaceSession {
    target: FaceTarget,
    anchors: Vec<AnchorFilter>,
    visibility: Vec<OneEuro>,
    eyes: OneEuro,
    eye_distance_mm: f32,
    last: Option<Last>,
    fade: Fade,
}

impl FaceSession {
    pub fn new(target: FaceTarget) -> Self {
        let params = OneEuroParams::LANDMARKS_PX;
        let n = match target {
            FaceTarget::Earrings => 2,
            FaceTarget::Pendant => 1,
        };
        Self {
            target,
            anchors: vec![AnchorFilter::new(params); n],
            visibility: vec![OneEuro::new(params); n],
            eyes: OneEuro::new(params),
            eye_distance_mm: DEFAULT_EYE_DISTANCE_MM,
            last: None,
            fade: Fade::HIDDEN,
        }
    }

    pub fn target(&self) -> FaceTarget {
        self.target
    }

    /// A new target starts afresh, keeping a measured eye distance.
    pub fn retarget(&mut self, target: FaceTarget) {
        if target != self.target {
            let mm = self.eye_distance_mm;
            *self = FaceSession::new(target);
            self.eye_distance_mm = mm;
        }
    }

    /// The shopper's eye distance in mm that sets the scale.
    pub fn eye_distance_mm(&self) -> f32 {
        self.eye_distance_mm
    }

    /// Uses a calibrated scale (picture px per mm in the face's plane) to measure the followed
    /// face's eye distance. `None` without a face or when implausible (outside 45–80 mm: the
    /// card was not beside the face).
    pub fn measure_face(&mut self, picture_px_per_mm: f32) -> Option<f32> {
        let last = self.last.as_ref()?;
        if !(picture_px_per_mm.is_finite() && picture_px_per_mm > 0.0) {
            return None;
        }
        let mm = last.face.eye_distance_px() / picture_px_per_mm;
        (45.0..=80.0).contains(&mm).then(|| {
            self.eye_distance_mm = mm;
            mm
        })
    }

    /// One tracker result: the faces seen in a camera frame taken at `time_s`.
    pub fn update(&mut self, faces: &[Face], time_s: f64) {
        let last_chin = self
            .last
            .as_ref()
            .filter(|_| self.fade.shown())
            .map(|l| l.face.screen(CHIN));
        let chosen = match last_chin {
            Some(chin) => faces.iter().min_by(|a, b| {
                let da = a.screen(CHIN).distance_squared(chin);
                let db = b.screen(CHIN).distance_squared(chin);
                da.total_cmp(&db)
            }),
            None => faces
                .iter()
                .max_by(|a, b| a.eye_distance_px().total_cmp(&b.eye_distance_px())),
        };
        let Some(face) = chosen else {
            self.lose(time_s);
            return;
        };
        if !self.fade.shown() {
            self.forget_motion();
        }
        let eyes_px = self.eyes.filter(face.eye_distance_px(), time_s);
        let px_per_mm = eyes_px / self.eye_distance_mm;
        let raw: Vec<(Anchor, f32)> = match self.target {
            FaceTarget::Earrings => Side::BOTH
                .iter()
                .map(|&side| (face::earring(face, side), face::ear_visibility(face, side)))
                .collect(),
            FaceTarget::Pendant => vec![(face::pendant(face, px_per_mm), 1.0)],
        };
        let anchors = raw
            .iter()
            .zip(&mut self.anchors)
            .map(|((a, _), f)| f.filter(a, time_s))
            .collect();
        let visibility = raw
            .iter()
            .zip(&mut self.visibility)
            .map(|((_, v), f)| f.filter(*v, time_s).clamp(0.0, 1.0))
            .collect();
        self.fade.set(true, time_s);
        self.last = Some(Last {
            face: face.clone(),
            anchors,
            visibility,
            px_per_mm,
        });
    }

    /// The next result is from an unrelated picture (a new photo): filter nothing across it,
    /// keep the measured eye distance and the jewels shown.
    pub fn forget_motion(&mut self) {
        self.anchors.iter_mut().for_each(AnchorFilter::reset);
        self.visibility.iter_mut().for_each(OneEuro::reset);
        self.eyes.reset();
    }

    /// No face in this frame.
    pub fn lose(&mut self, time_s: f64) {
        self.fade.set(false, time_s);
    }

    /// Whether a face is followed now.
    pub fn tracking(&self) -> bool {
        self.fade.shown()
    }

    /// The followed face (unfiltered, as last seen).
    pub fn face(&self) -> Option<&Face> {
        self.last.as_ref().map(|l| &l.face)
    }

    /// The jewels to draw at `time_s` (earrings: the viewer's left one, then the right one),
    /// faded in or out and each hidden as its ear turns away; empty once fully faded out.
    pub fn poses(&self, time_s: f64) -> Vec<TrackedPose> {
        let Some(last) = &self.last else {
            return Vec::new();
        };
        let fade = self.fade.opacity(time_s);
        if fade <= 0.0 {
            return Vec::new();
        }
        last.anchors
            .iter()
            .zip(&last.visibility)
            .map(|(anchor, v)| TrackedPose {
                anchor: *anchor,
                px_per_mm: last.px_per_mm,
                opacity: fade * v,
            })
            .collect()
    }

    /// The body proxy that hides what lies behind the head (earring `i`, 0 the viewer's left)
    /// or the neck (a pendant's chain), in that jewel's model space.
    pub fn proxy(&self, i: usize) -> Proxy {
        let upright = Quat::from_rotation_x(-std::f32::consts::FRAC_PI_2);
        let m = |mm: f32| mm / MM_PER_M;
        match self.target {
            FaceTarget::Earrings => {
                // The head is to the viewer's right of the left earring (+X), and to the left
                // of the right one.
                let inwards = if i == 0 { 1.0 } else { -1.0 };
                let (across, back) = HEAD_AXIS_FROM_LOBE_MM;
                Proxy {
                    model_from_axis: Mat4::from_rotation_translation(
                        upright,
                        Vec3::new(inwards * m(across), 0.0, m(back)),
                    ),
                    radius_m: m(HEAD_RADIUS_MM),
                    z_from_m: m(HEAD_SPAN_MM.0),
                    z_to_m: m(HEAD_SPAN_MM.1),
                }
            }
            FaceTarget::Pendant => Proxy {
                model_from_axis: Mat4::from_rotation_translation(
                    upright,
                    Vec3::new(0.0, 0.0, -m(NECK_AXIS_BEHIND_MM)),
                ),
                radius_m: m(NECK_RADIUS_MM),
                z_from_m: m(NECK_SPAN_MM.0),
                z_to_m: m(NECK_SPAN_MM.1),
            },
        }
    }

    /// Where the chin was last seen, px of the picture as shown.
    pub fn chin_px(&self) -> Option<Vec2> {
        self.face().map(|f| f.screen(CHIN))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::track::face::tests::{face_from_view, frontal_face_view};
    use crate::track::session::FADE_S;

    fn face_at(at: Vec2, scale: f32) -> Face {
        let pts: Vec<Vec3> = frontal_face_view().iter().map(|p| *p * scale).collect();
        face_from_view(&pts, at)
    }

    #[test]
    fn earrings_follow_the_face_and_fade() {
        let mut s = FaceSession::new(FaceTarget::Earrings);
        assert!(s.poses(0.0).is_empty());
        let face = face_at(Vec2::new(320.0, 240.0), 1.5);
        s.update(std::slice::from_ref(&face), 1.0);
        let poses = s.poses(1.0 + FADE_S);
        assert_eq!(poses.len(), 2);
        assert!(poses[0].anchor.position_px.x < 320.0 && poses[1].anchor.position_px.x > 320.0);
        // 63 mm between the eyes at 1.5 px per mm.
        assert!(
            (poses[0].px_per_mm - 1.5).abs() < 1e-4,
            "{}",
            poses[0].px_per_mm
        );
        assert!(poses.iter().all(|p| p.opacity == 1.0));
        s.update(&[], 2.0);
        let fading = s.poses(2.0 + FADE_S / 2.0);
        assert!((fading[0].opacity - 0.5).abs() < 1e-4);
        assert!(s.poses(2.0 + FADE_S).is_empty(), "never left stranded");
    }

    #[test]
    fn a_new_photo_puts_the_earrings_on_its_face_at_once() {
        let mut s = FaceSession::new(FaceTarget::Earrings);
        s.update(&[face_at(Vec2::new(200.0, 240.0), 1.0)], 0.0);
        s.forget_motion();
        s.update(&[face_at(Vec2::new(420.0, 240.0), 1.0)], 0.05);
        let poses = s.poses(1.0);
        let expected = face::earring(&face_at(Vec2::new(420.0, 240.0), 1.0), Side::ViewerLeft);
        assert!(poses[0].anchor.position_px.distance(expected.position_px) < 1e-3);
        assert_eq!(poses[0].opacity, 1.0);
    }

    #[test]
    fn a_turned_head_hides_the_far_earring_only() {
        let mut s = FaceSession::new(FaceTarget::Earrings);
        let q = Quat::from_rotation_y(60f32.to_radians());
        let pts: Vec<Vec3> = frontal_face_view().iter().map(|p| q * *p).collect();
        let face = face_from_view(&pts, Vec2::new(320.0, 240.0));
        for k in 0..10 {
            s.update(std::slice::from_ref(&face), k as f64 / 30.0);
        }
        let poses = s.poses(1.0);
        assert_eq!(poses[0].opacity, 1.0);
        assert_eq!(
            poses[1].opacity, 0.0,
            "the viewer's right ear is behind the head"
        );
    }

    #[test]
    fn a_measured_face_sets_the_scale_and_follows_the_nearest_face() {
        let mut s = FaceSession::new(FaceTarget::Pendant);
        let near = face_at(Vec2::new(200.0, 200.0), 2.0);
        let far = face_at(Vec2::new(500.0, 200.0), 1.0);
        s.update(&[far.clone(), near.clone()], 0.0);
        let chin = s.chin_px().unwrap();
        assert!((chin.x - 200.0).abs() < 1e-3, "the biggest face first");
        // A card says 2.1 px per mm beside this face: the eyes are 60 mm apart.
        assert_eq!(s.measure_face(2.1), Some(126.0 / 2.1));
        assert_eq!(
            s.measure_face(0.5),
            None,
            "a 252 mm eye distance is no face"
        );
        s.update(&[far, near], 0.1);
        let p = s.poses(1.0)[0];
        assert!((p.px_per_mm - 2.1).abs() < 1e-3);
        assert!(p.anchor.position_px.y > chin.y + 2.0 * 100.0);
        s.retarget(FaceTarget::Earrings);
        assert_eq!(s.eye_distance_mm(), 126.0 / 2.1);
        assert!(s.poses(1.0).is_empty());
    }

    #[test]
    fn proxies_sit_behind_the_jewel() {
        let s = FaceSession::new(FaceTarget::Earrings);
        for (i, inwards) in [(0, 1.0), (1, -1.0)] {
            let p = s.proxy(i);
            let axis_at_lobe = p.model_from_axis.transform_point3(Vec3::ZERO);
            let up = p.model_from_axis.transform_vector3(Vec3::Z);
            assert!(up.distance(Vec3::Y) < 1e-6);
            assert!(axis_at_lobe.x * inwards > 0.0 && axis_at_lobe.z < 0.0);
            // The lobe itself is just outside the head.
            let r = Vec2::new(axis_at_lobe.x, axis_at_lobe.z).length();
            assert!(r > p.radius_m, "{r} vs {}", p.radius_m);
        }
        let neck = FaceSession::new(FaceTarget::Pendant).proxy(0);
        let centre = neck.model_from_axis.transform_point3(Vec3::ZERO);
        assert!(
            centre.z < -neck.radius_m,
            "the bail hangs in front of the neck"
        );
    }
}
