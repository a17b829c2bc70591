//! Where a jewel goes on the tracked body, and how it is turned: pure math on landmarks.
//!
//! Model convention (overridable per model by `extras.loupe.axis`, see the README): a ring's or a
//! bracelet's axis is the model's +Z, pointing along the finger towards its tip (along the
//! forearm towards the hand), and the model's +Y points out of the back of the hand (where a
//! ring's stone sits).

use glam::{Mat3, Quat, Vec2, Vec3};

use super::hand::{Finger, Hand, MIDDLE_MCP, WRIST};

/// A ring sits this far from the knuckle towards the middle joint.
pub const RING_FRACTION_ALONG_PHALANX: f32 = 0.4;
/// A bracelet sits this far down the forearm from the wrist landmark, as a share of the
/// wrist-to-middle-knuckle length.
pub const BRACELET_OFFSET_FRACTION: f32 = 0.15;

/// A jewel's place and turn in the picture.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Anchor {
    /// Where the model's origin goes, px of the picture as shown (x right, y down).
    pub position_px: Vec2,
    /// Depth relative to the wrist, px, positive towards the viewer.
    pub depth_px: f32,
    /// View-space rotation of the model (x right, y up, z towards the viewer).
    pub rotation: Quat,
    /// Length in px of the bone the jewel sits on: a scale cue when px-per-mm is unknown.
    pub bone_px: f32,
}

impl Anchor {
    /// The model's +Y (where a ring's stone points) in view space.
    pub fn up(&self) -> Vec3 {
        self.rotation * Vec3::Y
    }

    /// The model's +Z (the jewel's axis) in view space.
    pub fn axis(&self) -> Vec3 {
        self.rotation * Vec3::Z
    }
}

/// A frame with +Z along `axis` and +Y as close to `up` as possible.
pub(crate) fn frame(axis: Vec3, up: Vec3) -> Quat {
    let z = axis.normalize_or(Vec3::Z);
    let mut y = up - z * up.dot(z);
    if y.length_squared() < 1e-8 {
        // The back of the hand faces along the finger (a fist seen end-on): any perpendicular.
        y = z.any_orthonormal_vector();
    }
    let y = y.normalize();
    let x = y.cross(z);
    Quat::from_mat3(&Mat3::from_cols(x, y, z)).normalize()
}

/// The ring on `finger`: on the proximal phalanx, axis towards the fingertip, stone out of the
/// back of the hand. Works with the palm or the back towards the camera.
pub fn ring(hand: &Hand, finger: Finger) -> Anchor {
    let (base, next) = finger.proximal_phalanx();
    let (a, b) = (hand.view(base), hand.view(next));
    let p = a.lerp(b, RING_FRACTION_ALONG_PHALANX);
    let screen = hand
        .screen(base)
        .lerp(hand.screen(next), RING_FRACTION_ALONG_PHALANX);
    Anchor {
        position_px: screen,
        depth_px: p.z,
        rotation: frame(b - a, hand.back_normal()),
        bone_px: (b - a).length(),
    }
}

/// A bracelet or watch: around the wrist, axis along the forearm towards the hand, face on the
/// back of the wrist.
pub fn bracelet(hand: &Hand) -> Anchor {
    let (wrist, knuckle) = (hand.view(WRIST), hand.view(MIDDLE_MCP));
    let toward_hand = knuckle - wrist;
    let p = wrist - toward_hand * BRACELET_OFFSET_FRACTION;
    let screen = hand.screen(WRIST)
        - (hand.screen(MIDDLE_MCP) - hand.screen(WRIST)) * BRACELET_OFFSET_FRACTION;
    Anchor {
        position_px: screen,
        depth_px: p.z,
        rotation: frame(toward_hand, hand.back_normal()),
        bone_px: toward_hand.length(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::track::hand::{Handedness, LANDMARK_COUNT};

    /// A right hand, fingers up, back towards the camera, in view space (x right, y up, z to the
    /// viewer), wrist at the origin, px. Seen from behind, a right hand has its thumb on the
    /// viewer's left.
    fn right_hand_back_view() -> [Vec3; LANDMARK_COUNT] {
        let mut p = [Vec3::ZERO; LANDMARK_COUNT];
        // Thumb on the left (−x), little finger on the right (+x).
        let fingers = [(-60.0, 1), (-30.0, 5), (0.0, 9), (25.0, 13), (50.0, 17)];
        for (x, first) in fingers {
            let base_y = if first == 1 { 30.0 } else { 100.0 };
            for j in 0..4 {
                // Knuckles stand slightly proud of the back (towards the viewer).
                let bump = if j == 0 { 8.0 } else { 4.0 };
                p[first + j] =
                    Vec3::new(x * (1.0 + 0.1 * j as f32), base_y + 30.0 * j as f32, bump);
            }
        }
        p
    }

    /// Turns view-space points into a shown picture's px (x right, y down) around `origin_px`.
    fn hand_from_view(
        points: &[Vec3; LANDMARK_COUNT],
        apparent: Handedness,
        origin_px: Vec2,
    ) -> Hand {
        let mut points_px = [Vec3::ZERO; LANDMARK_COUNT];
        for (o, p) in points_px.iter_mut().zip(points) {
            *o = Vec3::new(origin_px.x + p.x, origin_px.y - p.y, -p.z);
        }
        Hand {
            points_px,
            apparent,
        }
    }

    fn rotate(points: &[Vec3; LANDMARK_COUNT], q: Quat) -> [Vec3; LANDMARK_COUNT] {
        points.map(|p| q * p)
    }

    fn mirror_x(points: &[Vec3; LANDMARK_COUNT]) -> [Vec3; LANDMARK_COUNT] {
        points.map(|p| Vec3::new(-p.x, p.y, p.z))
    }

    #[test]
    fn ring_sits_on_the_ring_finger_between_knuckle_and_middle_joint() {
        let hand = hand_from_view(
            &right_hand_back_view(),
            Handedness::Right,
            Vec2::new(320.0, 400.0),
        );
        let a = ring(&hand, Finger::Ring);
        let (k, m) = (hand.screen(13), hand.screen(14));
        let t = (a.position_px - k).dot(m - k) / (m - k).length_squared();
        let off_line = (a.position_px - k).perp_dot((m - k).normalize()).abs();
        assert!(
            (0.2..0.7).contains(&t) && off_line < 1e-3,
            "t {t}, off {off_line}"
        );
        // Axis up the finger (view +y), stone towards the viewer: the back faces the camera.
        assert!(a.axis().y > 0.95, "axis {}", a.axis());
        assert!(a.up().z > 0.9, "stone direction {}", a.up());
        assert!((a.bone_px - 30.0).abs() < 3.0);
    }

    #[test]
    fn palm_towards_the_camera_puts_the_stone_behind_the_finger() {
        // The same right hand turned half round about the vertical: palm to the camera.
        let turned = rotate(
            &right_hand_back_view(),
            Quat::from_rotation_y(std::f32::consts::PI),
        );
        let hand = hand_from_view(&turned, Handedness::Right, Vec2::new(320.0, 400.0));
        let a = ring(&hand, Finger::Ring);
        assert!(a.up().z < -0.9, "stone direction {}", a.up());
        assert!(a.axis().y > 0.95);
    }

    #[test]
    fn translation_moves_the_anchor_and_keeps_its_turn() {
        let pts = right_hand_back_view();
        let a = ring(
            &hand_from_view(&pts, Handedness::Right, Vec2::new(100.0, 300.0)),
            Finger::Index,
        );
        let b = ring(
            &hand_from_view(&pts, Handedness::Right, Vec2::new(140.0, 250.0)),
            Finger::Index,
        );
        assert!((b.position_px - a.position_px - Vec2::new(40.0, -50.0)).length() < 1e-3);
        assert!(a.rotation.angle_between(b.rotation) < 1e-4);
    }

    #[test]
    fn rolling_the_hand_in_the_picture_rolls_the_ring() {
        let roll = Quat::from_rotation_z(std::f32::consts::FRAC_PI_2);
        let pts = rotate(&right_hand_back_view(), roll);
        let a = ring(
            &hand_from_view(&pts, Handedness::Right, Vec2::new(320.0, 240.0)),
            Finger::Middle,
        );
        // Fingers now point left (view −x); the back still faces the camera.
        assert!(a.axis().x < -0.95, "axis {}", a.axis());
        assert!(a.up().z > 0.9);
    }

    #[test]
    fn a_left_hand_and_a_mirrored_picture_keep_the_stone_on_the_back() {
        // A left hand is a right hand's mirror image: back to the camera, stone to the viewer.
        let left = mirror_x(&right_hand_back_view());
        let hand = hand_from_view(&left, Handedness::Left, Vec2::new(320.0, 400.0));
        assert!(ring(&hand, Finger::Ring).up().z > 0.9);
        // The same left hand but labelled as a right hand: the palm/back call flips, which is
        // why the label matters.
        let wrong = hand_from_view(&left, Handedness::Right, Vec2::new(320.0, 400.0));
        assert!(ring(&wrong, Finger::Ring).up().z < -0.9);
    }

    #[test]
    fn mediapipe_labels_and_mirroring() {
        // A right hand in a raw (unmirrored) front-camera frame: MediaPipe, assuming a mirrored
        // selfie, calls it Left. Shown mirrored, it must still get its stone on the back.
        let view = right_hand_back_view();
        let (w, h) = (640.0, 480.0);
        let normalized: Vec<[f32; 3]> = view
            .iter()
            .map(|p| [(320.0 + p.x) / w, (400.0 - p.y) / h, -p.z / w])
            .collect();
        for flip_x in [false, true] {
            let hand = Hand::from_mediapipe(&normalized, Handedness::Left, w, h, flip_x).unwrap();
            let a = ring(&hand, Finger::Ring);
            assert!(a.up().z > 0.9, "flip {flip_x}: {}", a.up());
            let expected_x = if flip_x {
                w - (320.0 + 25.0)
            } else {
                320.0 + 25.0
            };
            assert!(
                (a.position_px.x - expected_x).abs() < 5.0,
                "flip {flip_x}: {}",
                a.position_px
            );
        }
        assert_eq!(
            crate::track::hand::real_handedness(Handedness::Left, false),
            Handedness::Right
        );
        assert_eq!(
            crate::track::hand::real_handedness(Handedness::Left, true),
            Handedness::Left
        );
        assert!(Hand::from_mediapipe(&normalized[..20], Handedness::Left, w, h, false).is_none());
    }

    #[test]
    fn bracelet_sits_below_the_wrist_along_the_forearm() {
        let hand = hand_from_view(
            &right_hand_back_view(),
            Handedness::Right,
            Vec2::new(320.0, 400.0),
        );
        let a = bracelet(&hand);
        // Below the wrist in the picture (y down), axis up the arm towards the hand.
        assert!(a.position_px.y > hand.screen(WRIST).y);
        assert!(a.axis().y > 0.95 && a.up().z > 0.9);
    }
}
