//! Filters for a tracked hand: One Euro on every landmark coordinate, then on the jewel's final
//! place and turn (the turn with the same speed-dependent cutoff, by slerp), so a still hand
//! gives a still jewel and a moving one is followed. Times are the camera frame's.

use glam::{Quat, Vec2, Vec3};

use super::anchor::Anchor;
use super::hand::{Hand, LANDMARK_COUNT};
use super::one_euro::{smoothing, OneEuro, OneEuroParams};

/// One Euro on each coordinate of each of a hand's landmarks.
#[derive(Clone, Debug)]
pub struct LandmarkFilter {
    coords: Vec<OneEuro>,
}

impl LandmarkFilter {
    pub fn new(params: OneEuroParams) -> Self {
        Self {
            coords: vec![OneEuro::new(params); LANDMARK_COUNT * 3],
        }
    }

    pub fn filter(&mut self, hand: &Hand, time_s: f64) -> Hand {
        let mut out = hand.clone();
        for (i, p) in out.points_px.iter_mut().enumerate() {
            *p = Vec3::new(
                self.coords[i * 3].filter(p.x, time_s),
                self.coords[i * 3 + 1].filter(p.y, time_s),
                self.coords[i * 3 + 2].filter(p.z, time_s),
            );
        }
        out
    }

    /// Forget the past (tracking lost).
    pub fn reset(&mut self) {
        self.coords.iter_mut().for_each(OneEuro::reset);
    }
}

/// Turn tuning for [`AnchorFilter`]: cutoff at rest and its rise per radian per second.
const ROTATION_MIN_CUTOFF_HZ: f32 = 1.0;
const ROTATION_BETA: f32 = 2.0;

/// The final pose filter.
#[derive(Clone, Debug)]
pub struct AnchorFilter {
    x: OneEuro,
    y: OneEuro,
    depth: OneEuro,
    bone: OneEuro,
    rotation: Option<(Quat, f64)>,
}

impl AnchorFilter {
    pub fn new(params: OneEuroParams) -> Self {
        Self {
            x: OneEuro::new(params),
            y: OneEuro::new(params),
            depth: OneEuro::new(params),
            bone: OneEuro::new(params),
            rotation: None,
        }
    }

    pub fn filter(&mut self, a: &Anchor, time_s: f64) -> Anchor {
        let rotation = match self.rotation {
            Some((previous, at)) if time_s > at && time_s - at <= 1.0 => {
                let dt = (time_s - at) as f32;
                let speed = previous.angle_between(a.rotation) / dt;
                let k = smoothing(ROTATION_MIN_CUTOFF_HZ + ROTATION_BETA * speed, dt);
                previous.slerp(a.rotation, k).normalize()
            }
            _ => a.rotation,
        };
        self.rotation = Some((rotation, time_s));
        Anchor {
            position_px: Vec2::new(
                self.x.filter(a.position_px.x, time_s),
                self.y.filter(a.position_px.y, time_s),
            ),
            depth_px: self.depth.filter(a.depth_px, time_s),
            rotation,
            bone_px: self.bone.filter(a.bone_px, time_s),
        }
    }

    pub fn reset(&mut self) {
        for f in [&mut self.x, &mut self.y, &mut self.depth, &mut self.bone] {
            f.reset();
        }
        self.rotation = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::track::one_euro::tests::noise;

    fn anchor(x: f32, angle: f32) -> Anchor {
        Anchor {
            position_px: Vec2::new(x, 200.0),
            depth_px: 0.0,
            rotation: Quat::from_rotation_z(angle),
            bone_px: 30.0,
        }
    }

    #[test]
    fn a_still_anchor_with_jitter_holds_still() {
        let mut f = AnchorFilter::new(OneEuroParams::LANDMARKS_PX);
        let (mut raw_angle, mut out_angle, mut out_px) = (0.0f32, 0.0f32, 0.0f32);
        for i in 0..120 {
            let jitter = anchor(100.0 + noise(i, 1), 0.02 * noise(i, 2));
            let a = f.filter(&jitter, i as f64 / 30.0);
            if i >= 30 {
                raw_angle += (0.02 * noise(i, 2)).powi(2);
                out_angle += a.rotation.angle_between(Quat::IDENTITY).powi(2);
                out_px += (a.position_px.x - 100.0).powi(2);
            }
        }
        let n = 90.0;
        let (raw_angle, out_angle, out_px) = (
            (raw_angle / n).sqrt(),
            (out_angle / n).sqrt(),
            (out_px / n).sqrt(),
        );
        assert!(
            out_angle < 0.5 * raw_angle,
            "turn jitter {raw_angle} → {out_angle} rad"
        );
        assert!(out_px < 0.25, "position jitter {out_px} px RMS");
    }

    #[test]
    fn a_turning_hand_is_followed() {
        // 90°/s, a brisk turn of the wrist.
        let mut f = AnchorFilter::new(OneEuroParams::LANDMARKS_PX);
        let mut lag: f32 = 0.0;
        for i in 0..45 {
            let t = i as f64 / 30.0;
            let truth = anchor(100.0, std::f32::consts::FRAC_PI_2 * t as f32);
            let a = f.filter(&truth, t);
            if i > 10 {
                lag = lag.max(a.rotation.angle_between(truth.rotation));
            }
        }
        assert!(lag < 0.15, "lags by {lag} rad");
    }

    #[test]
    fn landmarks_are_filtered_per_coordinate_and_reset() {
        let hand = Hand {
            points_px: [Vec3::new(10.0, 20.0, 0.0); LANDMARK_COUNT],
            apparent: crate::track::hand::Handedness::Right,
        };
        let mut f = LandmarkFilter::new(OneEuroParams::LANDMARKS_PX);
        f.filter(&hand, 0.0);
        let mut moved = hand.clone();
        moved.points_px[3].x = 30.0;
        let out = f.filter(&moved, 1.0 / 30.0);
        assert!(out.points_px[3].x > 10.0 && out.points_px[3].x < 30.0);
        assert_eq!(out.points_px[4], hand.points_px[4]);
        f.reset();
        assert_eq!(f.filter(&moved, 2.0).points_px[3].x, 30.0);
    }
}
