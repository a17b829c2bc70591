//! A tracked jewel over time: which hand, filtered landmarks and pose, the scale the hand gives,
//! and the fade when the hand is lost or found. Pure state; the browser feeds it one tracker
//! result per camera frame and asks for the pose of the frame it draws.

use glam::{Mat4, Quat, Vec2, Vec3};

use super::anchor::{self, Anchor};
use super::filter::{AnchorFilter, LandmarkFilter};
use super::hand::{Finger, Hand, Handedness, INDEX_MCP, PINKY_MCP};
use super::one_euro::{OneEuro, OneEuroParams};
use crate::math::orbit::perspective_rh_zo;
use crate::math::placement::FrameView;
use crate::math::units::MM_PER_M;

/// Distance between the index and little fingers' knuckle landmarks (joint centres) of an
/// average adult hand: a hand breadth of about 80 mm (ISO 7250 / ANSUR II means, women 76,
/// men 86) less half a finger's width at each side. Used for scale until a calibration measures
/// the shopper's own hand ([`Session::measure_hand`]).
pub const DEFAULT_KNUCKLE_SPAN_MM: f32 = 64.0;
/// A found or lost hand fades the jewel in or out over this long.
pub const FADE_S: f64 = 0.25;
/// A ring's finger, when the model does not say: the inner diameter of a US 7 ring.
pub const DEFAULT_FINGER_DIAMETER_MM: f32 = 17.3;
/// The finger proxy reaches this far from the ring towards the knuckle and the fingertip.
const FINGER_PROXY_MM: (f32, f32) = (-20.0, 30.0);
/// The wrist proxy's half length along the forearm.
const WRIST_PROXY_HALF_MM: f32 = 40.0;
/// Share of the inner radius the proxy fills: a band sits snugly, and a proxy exactly at the
/// inner surface would fight the band's depth where they touch.
const PROXY_RADIUS_SHARE: f32 = 0.97;

/// The contact shadow a ring casts on its finger: how dark where it touches (0 none, 1 black)
/// and over how many mm it fades beyond the band's edge.
pub const CONTACT_SHADOW_STRENGTH: f32 = 0.45;
pub const CONTACT_SHADOW_FALLOFF_MM: f32 = 1.5;

/// Where the jewel is worn (the element's `kind` and `finger` attributes).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    Ring(Finger),
    Bracelet,
}

/// Which hand to follow when more than one is in view (the element's `hand` attribute).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HandChoice {
    Left,
    Right,
    Any,
}

impl HandChoice {
    pub fn parse(name: &str) -> Option<HandChoice> {
        match name {
            "left" => Some(HandChoice::Left),
            "right" => Some(HandChoice::Right),
            "any" => Some(HandChoice::Any),
            _ => None,
        }
    }

    fn accepts(self, real: Handedness) -> bool {
        match self {
            HandChoice::Any => true,
            HandChoice::Left => real == Handedness::Left,
            HandChoice::Right => real == Handedness::Right,
        }
    }
}

/// One hand as the tracker saw it, with the hand the shopper really raised.
#[derive(Clone, Debug)]
pub struct Seen {
    pub hand: Hand,
    pub real: Handedness,
    pub score: f32,
}

/// The hand to follow: one of the wanted side, the one nearest the jewel's last place when the
/// jewel is already on a hand (so it does not jump between two hands), else the most confident.
pub fn choose(seen: &[Seen], choice: HandChoice, last_px: Option<Vec2>) -> Option<usize> {
    let wanted = seen
        .iter()
        .enumerate()
        .filter(|(_, s)| choice.accepts(s.real));
    match last_px {
        Some(last) => wanted
            .min_by(|(_, a), (_, b)| {
                let da = a.hand.screen(0).distance_squared(last);
                let db = b.hand.screen(0).distance_squared(last);
                da.total_cmp(&db)
            })
            .map(|(i, _)| i),
        None => wanted
            .max_by(|(_, a), (_, b)| a.score.total_cmp(&b.score))
            .map(|(i, _)| i),
    }
}

/// The knuckle span of a hand in px, in 3D (MediaPipe's depth is on the x scale), so turning the
/// hand does not shrink it the way its 2D length would.
pub fn knuckle_span_px(hand: &Hand) -> f32 {
    hand.view(INDEX_MCP).distance(hand.view(PINKY_MCP))
}

/// The filtered pose of the jewel for one frame.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TrackedPose {
    /// Place and turn in the picture as shown (px; see [`Anchor`]).
    pub anchor: Anchor,
    /// Picture px per mm at the jewel.
    pub px_per_mm: f32,
    /// 0 hidden … 1 fully drawn.
    pub opacity: f32,
}

/// Fading in when found, out when lost, from wherever the last fade had got to.
#[derive(Clone, Copy, Debug)]
pub(super) struct Fade {
    shown: bool,
    since_s: f64,
    opacity_then: f32,
}

impl Fade {
    pub(super) const HIDDEN: Fade = Fade {
        shown: false,
        since_s: f64::NEG_INFINITY,
        opacity_then: 0.0,
    };

    pub(super) fn shown(&self) -> bool {
        self.shown
    }

    pub(super) fn opacity(&self, time_s: f64) -> f32 {
        let t = ((time_s - self.since_s).max(0.0) / FADE_S) as f32;
        if self.shown {
            (self.opacity_then + t).min(1.0)
        } else {
            (self.opacity_then - t).max(0.0)
        }
    }

    pub(super) fn set(&mut self, shown: bool, time_s: f64) {
        if shown != self.shown {
            self.opacity_then = self.opacity(time_s);
            self.shown = shown;
            self.since_s = time_s;
        }
    }
}

/// A jewel following a hand.
#[derive(Clone, Debug)]
pub struct Session {
    target: Target,
    choice: HandChoice,
    landmarks: LandmarkFilter,
    anchor: AnchorFilter,
    span: OneEuro,
    knuckle_span_mm: f32,
    /// The shopper's finger width where the ring sits, when measured.
    finger_diameter_mm: Option<f32>,
    /// The last hand followed (filtered) and its filtered pose, with the frame time.
    last: Option<(Hand, TrackedPose, f64)>,
    fade: Fade,
}

impl Session {
    pub fn new(target: Target, choice: HandChoice) -> Self {
        let params = OneEuroParams::LANDMARKS_PX;
        Self {
            target,
            choice,
            landmarks: LandmarkFilter::new(params),
            anchor: AnchorFilter::new(params),
            span: OneEuro::new(params),
            knuckle_span_mm: DEFAULT_KNUCKLE_SPAN_MM,
            finger_diameter_mm: None,
            last: None,
            fade: Fade::HIDDEN,
        }
    }

    pub fn target(&self) -> Target {
        self.target
    }

    /// A new target or hand choice starts afresh (the filters must not blend two places).
    pub fn retarget(&mut self, target: Target, choice: HandChoice) {
        if target != self.target || choice != self.choice {
            let (span, finger) = (self.knuckle_span_mm, self.finger_diameter_mm);
            *self = Session::new(target, choice);
            self.knuckle_span_mm = span;
            self.finger_diameter_mm = finger;
        }
    }

    /// The shopper's knuckle span in mm that sets the scale.
    pub fn knuckle_span_mm(&self) -> f32 {
        self.knuckle_span_mm
    }

    /// The finger's measured width where the ring sits (mm; `None` forgets it): the finger proxy
    /// takes it, so a loose ring shows the finger inside it. Implausible widths (outside 8–30
    /// mm) are ignored; returns whether it was taken.
    pub fn set_finger_diameter_mm(&mut self, mm: Option<f32>) -> bool {
        match mm {
            Some(d) if (8.0..=30.0).contains(&d) => {
                self.finger_diameter_mm = Some(d);
                true
            }
            Some(_) => false,
            None => {
                self.finger_diameter_mm = None;
                true
            }
        }
    }

    pub fn finger_diameter_mm(&self) -> Option<f32> {
        self.finger_diameter_mm
    }

    /// Uses a calibrated scale (picture px per mm in the hand's plane) to measure the followed
    /// hand, so the scale then follows the hand nearer and farther. Returns the span in mm, or
    /// `None` when no hand is followed or the measurement is implausible (under 40 or over
    /// 110 mm: the card was not in the hand's plane).
    pub fn measure_hand(&mut self, picture_px_per_mm: f32) -> Option<f32> {
        let (hand, _, _) = self.last.as_ref()?;
        if !(picture_px_per_mm.is_finite() && picture_px_per_mm > 0.0) {
            return None;
        }
        let mm = knuckle_span_px(hand) / picture_px_per_mm;
        (40.0..=110.0).contains(&mm).then(|| {
            self.knuckle_span_mm = mm;
            mm
        })
    }

    /// One tracker result (all hands seen in a camera frame taken at `time_s`).
    pub fn update(&mut self, seen: &[Seen], time_s: f64) {
        let last_px = self
            .last
            .as_ref()
            .filter(|_| self.fade.shown)
            .map(|(h, _, _)| h.screen(0));
        let Some(i) = choose(seen, self.choice, last_px) else {
            self.lose(time_s);
            return;
        };
        if !self.fade.shown {
            // Found again: the old place says nothing about the new one.
            self.landmarks.reset();
            self.anchor.reset();
            self.span.reset();
        }
        let hand = self.landmarks.filter(&seen[i].hand, time_s);
        let raw = match self.target {
            Target::Ring(finger) => anchor::ring(&hand, finger),
            Target::Bracelet => anchor::bracelet(&hand),
        };
        let anchor = self.anchor.filter(&raw, time_s);
        let span_px = self.span.filter(knuckle_span_px(&hand), time_s);
        let pose = TrackedPose {
            anchor,
            px_per_mm: span_px / self.knuckle_span_mm,
            opacity: 1.0,
        };
        self.fade.set(true, time_s);
        self.last = Some((hand, pose, time_s));
    }

    /// The next result is from an unrelated picture (a new photo): filter nothing across it,
    /// keep what was measured (knuckle span, finger width) and the jewel shown.
    pub fn forget_motion(&mut self) {
        self.landmarks.reset();
        self.anchor.reset();
        self.span.reset();
    }

    /// No hand in this frame.
    pub fn lose(&mut self, time_s: f64) {
        self.fade.set(false, time_s);
    }

    /// Whether a hand is followed now.
    pub fn tracking(&self) -> bool {
        self.fade.shown
    }

    /// The pose to draw at `time_s`: the last one, faded in or out; `None` once fully faded out
    /// (or before any hand).
    pub fn pose(&self, time_s: f64) -> Option<TrackedPose> {
        let (_, pose, _) = self.last.as_ref()?;
        let opacity = self.fade.opacity(time_s);
        (opacity > 0.0).then_some(TrackedPose { opacity, ..*pose })
    }

    /// The followed hand, filtered, in the picture as shown.
    pub fn hand(&self) -> Option<&Hand> {
        self.last.as_ref().map(|(h, _, _)| h)
    }

    /// The body-part proxy in model space (see `render::model_from_cylinder`'s inputs):
    /// (radius m, z from m, z to m).
    pub fn proxy_cylinder_m(&self, inner_diameter_mm: Option<f32>) -> (f32, f32, f32) {
        match self.target {
            Target::Ring(_) => {
                // The measured finger, but never wider than the band's inside (a ring too small
                // would otherwise have its front hidden by the finger).
                let ring = inner_diameter_mm.unwrap_or(DEFAULT_FINGER_DIAMETER_MM);
                let d = self.finger_diameter_mm.map_or(ring, |f| f.min(ring));
                (
                    0.5 * d * PROXY_RADIUS_SHARE / MM_PER_M,
                    FINGER_PROXY_MM.0 / MM_PER_M,
                    FINGER_PROXY_MM.1 / MM_PER_M,
                )
            }
            Target::Bracelet => {
                // A bangle hangs loose: the wrist is narrower than its opening.
                let d = inner_diameter_mm.unwrap_or(60.0) * 0.85;
                (
                    0.5 * d / MM_PER_M,
                    -WRIST_PROXY_HALF_MM / MM_PER_M,
                    WRIST_PROXY_HALF_MM / MM_PER_M,
                )
            }
        }
    }
}

impl Session {
    /// A ring's contact shadow on the finger proxy, in the proxy cylinder's unit z (see
    /// `render::ContactShadow`): (touch from, touch to, falloff, strength), for a band touching
    /// the finger from `span_m.0` to `span_m.1` along its axis (m). `None` for a bracelet, which
    /// hangs loose.
    pub fn contact_shadow_unit(&self, span_m: (f32, f32)) -> Option<(f32, f32, f32, f32)> {
        let Target::Ring(_) = self.target else {
            return None;
        };
        let (z0, z1) = (FINGER_PROXY_MM.0 / MM_PER_M, FINGER_PROXY_MM.1 / MM_PER_M);
        let (mid, half) = (0.5 * (z0 + z1), 0.5 * (z1 - z0));
        let unit = |z: f32| (z - mid) / half;
        Some((
            unit(span_m.0.min(span_m.1)),
            unit(span_m.0.max(span_m.1)),
            CONTACT_SHADOW_FALLOFF_MM / MM_PER_M / half,
            CONTACT_SHADOW_STRENGTH,
        ))
    }
}

/// How a picture of `picture_px` fills a viewport like CSS `object-fit: cover`: CSS px =
/// offset + scale × picture px.
pub fn cover_fit(picture_px: Vec2, viewport_css: Vec2) -> (f32, Vec2) {
    if !(picture_px.min_element() > 0.0 && viewport_css.min_element() > 0.0) {
        return (1.0, Vec2::ZERO);
    }
    let scale = (viewport_css / picture_px).max_element();
    (scale, 0.5 * (viewport_css - picture_px * scale))
}

/// The frame's matrices for a jewel at a tracked pose over a picture of `picture_px` shown with
/// cover fit in `viewport_css`: its origin lands on the anchor's pixel, at the depth where one
/// mm spans the pose's px per mm (so the jewel is the hand's size), turned as the hand is.
/// `reach_m` is how far from its origin anything drawn reaches (the jewel and the body proxy).
pub fn tracked_view(
    pose: &TrackedPose,
    picture_px: Vec2,
    viewport_css: Vec2,
    vfov_rad: f32,
    reach_m: f32,
) -> FrameView {
    let viewport = if viewport_css.min_element() > 0.0 && viewport_css.is_finite() {
        viewport_css
    } else {
        Vec2::ONE
    };
    let (scale, offset) = cover_fit(picture_px, viewport);
    let at_css = offset + pose.anchor.position_px * scale;
    let css_px_per_mm = (pose.px_per_mm * scale).max(1e-3);
    let focal_css = 0.5 * viewport.y / (0.5 * vfov_rad).tan();
    let depth_m = focal_css / (css_px_per_mm * MM_PER_M);
    let position = Vec3::new(
        (at_css.x - 0.5 * viewport.x) / focal_css * depth_m,
        -(at_css.y - 0.5 * viewport.y) / focal_css * depth_m,
        -depth_m,
    );
    let rotation = if pose.anchor.rotation.is_finite() {
        pose.anchor.rotation.normalize()
    } else {
        Quat::IDENTITY
    };
    let reach = reach_m.max(1e-3);
    let near_m = (depth_m - reach).max(depth_m * 1e-3);
    let far_m = (depth_m + reach).max(near_m * 1.001);
    FrameView {
        clip_from_view: perspective_rh_zo(vfov_rad, viewport.x / viewport.y, near_m, far_m),
        view_from_world: Mat4::IDENTITY,
        world_from_model: Mat4::from_rotation_translation(rotation, position),
        eye_world: Vec3::ZERO,
        px_per_mm: css_px_per_mm,
    }
}

/// A worn model's placement: `world_from_loupe` (a tracked view's, in Loupe's axes) after the
/// model's own turn onto those axes (`PieceInfo::loupe_from_model`), and the body proxy, given in
/// Loupe's axes, in the model's space. Returns (world from model, model from proxy).
pub fn worn(
    world_from_loupe: Mat4,
    loupe_from_model: Option<Quat>,
    loupe_from_proxy: Mat4,
) -> (Mat4, Mat4) {
    match loupe_from_model {
        Some(q) => (
            world_from_loupe * Mat4::from_quat(q),
            Mat4::from_quat(q.inverse()) * loupe_from_proxy,
        ),
        None => (world_from_loupe, loupe_from_proxy),
    }
}

/// How far `filtered` trails `raw` (both sampled every `dt_s`): the delay, searched in steps of a
/// tenth of a sample up to `max_s`, that best lines the raw path up with the filtered one
/// (least mean squared distance, the raw path linearly interpolated). The filter's lag on a
/// moving hand.
pub fn lag_s(raw: &[Vec2], filtered: &[Vec2], dt_s: f64, max_s: f64) -> f64 {
    let n = raw.len().min(filtered.len());
    if n < 3 || !dt_s.is_finite() || dt_s <= 0.0 {
        return 0.0;
    }
    let raw_at = |t: f64| {
        let t = t.clamp(0.0, (n - 1) as f64);
        let i = (t.floor() as usize).min(n - 2);
        raw[i].lerp(raw[i + 1], (t - i as f64) as f32)
    };
    let steps = ((max_s / dt_s) * 10.0).ceil().max(1.0) as usize;
    let skip = ((max_s / dt_s).ceil() as usize).min(n - 1);
    let cost = |delay: f64| -> f64 {
        (skip..n)
            .map(|i| f64::from(filtered[i].distance_squared(raw_at(i as f64 - delay))))
            .sum::<f64>()
    };
    let best = (0..=steps)
        .map(|k| k as f64 / 10.0)
        .min_by(|a, b| cost(*a).total_cmp(&cost(*b)))
        .unwrap_or(0.0);
    best * dt_s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::track::hand::LANDMARK_COUNT;

    #[test]
    fn lag_finds_a_known_delay() {
        let dt = 0.04;
        let path: Vec<Vec2> = (0..200)
            .map(|i| {
                let t = i as f32 * dt as f32;
                Vec2::new(100.0 * (t * 1.3).sin(), 60.0 * (t * 0.7).cos())
            })
            .collect();
        let delayed: Vec<Vec2> = (0..200).map(|i| path[i.max(3) - 3]).collect();
        let lag = lag_s(&path, &delayed, dt, 0.5);
        assert!((lag - 3.0 * dt).abs() < 1e-9, "{lag}");
        assert_eq!(lag_s(&path, &path, dt, 0.5), 0.0);
    }

    /// A flat right hand, back to the camera, fingers up, knuckles 64 px apart (1 px per mm at
    /// the default span), wrist at `at`.
    fn hand_at(at: Vec2, real: Handedness) -> Seen {
        let mut points = [Vec3::ZERO; LANDMARK_COUNT];
        let xs = [-50.0, -32.0, -10.0, 12.0, 32.0];
        for (f, x) in xs.iter().enumerate() {
            for j in 0..4 {
                let base_y = if f == 0 { -20.0 } else { -80.0 };
                points[1 + f * 4 + j] = Vec3::new(at.x + x, at.y + base_y - 25.0 * j as f32, 0.0);
            }
        }
        points[0] = Vec3::new(at.x, at.y, 0.0);
        Seen {
            hand: Hand {
                points_px: points,
                apparent: Handedness::Right,
            },
            real,
            score: 0.9,
        }
    }

    #[test]
    fn chooses_the_wanted_hand_and_sticks_to_it() {
        let left = hand_at(Vec2::new(100.0, 300.0), Handedness::Left);
        let right = hand_at(Vec2::new(500.0, 300.0), Handedness::Right);
        let both = [left.clone(), right.clone()];
        assert_eq!(choose(&both, HandChoice::Right, None), Some(1));
        assert_eq!(choose(&both, HandChoice::Left, None), Some(0));
        assert_eq!(
            choose(std::slice::from_ref(&left), HandChoice::Right, None),
            None,
            "a left hand is not a right one"
        );
        // Any: the one nearest the jewel's last place, whatever the scores.
        let mut confident_left = left;
        confident_left.score = 0.99;
        let both = [confident_left, right];
        assert_eq!(
            choose(&both, HandChoice::Any, Some(Vec2::new(480.0, 310.0))),
            Some(1)
        );
        assert_eq!(choose(&both, HandChoice::Any, None), Some(0));
    }

    #[test]
    fn fades_in_when_found_and_out_when_lost_keeping_the_last_place() {
        let mut s = Session::new(Target::Ring(Finger::Ring), HandChoice::Any);
        assert!(s.pose(0.0).is_none(), "nothing before a hand");
        let hand = hand_at(Vec2::new(300.0, 300.0), Handedness::Right);
        s.update(std::slice::from_ref(&hand), 1.0);
        assert!(s.tracking());
        assert!(s.pose(1.0).is_none(), "fades in from nothing");
        assert!((s.pose(1.0 + FADE_S / 2.0).unwrap().opacity - 0.5).abs() < 1e-4);
        assert_eq!(s.pose(1.0 + FADE_S).unwrap().opacity, 1.0);
        let place = s.pose(2.0).unwrap().anchor.position_px;
        s.update(&[], 2.0);
        assert!(!s.tracking());
        let fading = s.pose(2.0 + FADE_S / 4.0).unwrap();
        assert!((fading.opacity - 0.75).abs() < 1e-4);
        assert_eq!(
            fading.anchor.position_px, place,
            "a lost jewel fades where it was"
        );
        assert!(s.pose(2.0 + FADE_S).is_none(), "never left stranded");
        // Found again halfway through a fade-out: it fades back in from where the fade was.
        s.update(std::slice::from_ref(&hand), 3.0);
        s.update(&[], 3.0 + FADE_S);
        let t = 3.0 + FADE_S * 1.25;
        s.update(std::slice::from_ref(&hand), t);
        assert!((s.pose(t).unwrap().opacity - 0.75).abs() < 1e-4);
        assert_eq!(s.pose(t + FADE_S / 4.0).unwrap().opacity, 1.0);
    }

    #[test]
    fn a_new_photo_is_not_blended_with_the_last() {
        let mut s = Session::new(Target::Ring(Finger::Ring), HandChoice::Any);
        s.update(&[hand_at(Vec2::new(100.0, 300.0), Handedness::Right)], 0.0);
        let first = s.pose(1.0).unwrap().anchor.position_px;
        let moved = hand_at(Vec2::new(400.0, 300.0), Handedness::Right);
        let mut blended = s.clone();
        blended.update(std::slice::from_ref(&moved), 0.05);
        let lagging = blended.pose(1.0).unwrap().anchor.position_px;
        assert!(
            lagging.x < first.x + 290.0,
            "the filter holds a moving hand back"
        );
        s.forget_motion();
        s.update(std::slice::from_ref(&moved), 0.05);
        let jumped = s.pose(1.0).unwrap();
        assert!((jumped.anchor.position_px.x - first.x - 300.0).abs() < 1e-3);
        assert_eq!(jumped.opacity, 1.0, "still shown: no fade between photos");
    }

    #[test]
    fn scale_comes_from_the_knuckle_span_and_a_measured_hand() {
        let mut s = Session::new(Target::Ring(Finger::Ring), HandChoice::Any);
        let hand = hand_at(Vec2::new(300.0, 300.0), Handedness::Right);
        s.update(std::slice::from_ref(&hand), 0.0);
        let span_px = knuckle_span_px(&hand.hand);
        assert!((span_px - 64.0).abs() < 1e-4);
        let ppmm = s.pose(1.0).unwrap().px_per_mm;
        assert!(
            (ppmm - span_px / DEFAULT_KNUCKLE_SPAN_MM).abs() < 1e-4,
            "{ppmm}"
        );
        // A card says this picture has 0.8 px per mm at the hand: the hand is 80 mm across.
        assert_eq!(s.measure_hand(0.8), Some(80.0));
        s.update(std::slice::from_ref(&hand), 0.1);
        assert!((s.pose(0.1).unwrap().px_per_mm - 0.8).abs() < 1e-3);
        assert_eq!(
            s.measure_hand(0.2),
            None,
            "a 320 mm hand is a bad calibration"
        );
        assert_eq!(s.knuckle_span_mm(), 80.0);
        // Retargeting keeps the measured hand.
        s.retarget(Target::Bracelet, HandChoice::Any);
        assert_eq!(s.knuckle_span_mm(), 80.0);
        assert!(s.pose(0.2).is_none());
    }

    #[test]
    fn tracked_view_puts_the_origin_on_the_anchor_at_the_hands_scale() {
        let mut s = Session::new(Target::Ring(Finger::Ring), HandChoice::Any);
        s.update(&[hand_at(Vec2::new(320.0, 400.0), Handedness::Right)], 0.0);
        let pose = s.pose(1.0).unwrap();
        let picture = Vec2::new(640.0, 480.0);
        let viewport = Vec2::new(800.0, 450.0);
        let view = tracked_view(&pose, picture, viewport, 0.9, 0.05);
        let (scale, offset) = cover_fit(picture, viewport);
        assert_eq!(scale, 1.25);
        assert_eq!(offset, Vec2::new(0.0, -75.0));
        let expected = offset + pose.anchor.position_px * scale;
        let got = view.project_to_css(Vec3::ZERO, viewport).unwrap();
        assert!(got.distance(expected) < 1e-2, "{got} vs {expected}");
        // 1 mm across the jewel's axis spans px_per_mm × scale CSS px.
        let side = pose.anchor.rotation.inverse() * Vec3::X * 0.001;
        let one_mm = view.project_to_css(side, viewport).unwrap().distance(got);
        assert!(
            (one_mm - pose.px_per_mm * scale).abs() < 0.01 * one_mm,
            "{one_mm} vs {}",
            pose.px_per_mm * scale
        );
    }

    #[test]
    fn a_model_with_its_own_axes_is_worn_like_one_with_loupes() {
        // A ring modelled with its finger axis along +Y and its stone towards -Z.
        let loupe_from_model = Quat::from_rotation_arc(Vec3::Y, Vec3::Z);
        assert!((loupe_from_model * -Vec3::Z).distance(Vec3::Y) < 1e-5);
        let world_from_loupe = Mat4::from_rotation_translation(
            Quat::from_rotation_z(0.7) * Quat::from_rotation_x(0.3),
            Vec3::new(0.01, -0.02, -0.5),
        );
        let proxy = Mat4::from_scale_rotation_translation(
            Vec3::new(0.008, 0.008, 0.025),
            Quat::IDENTITY,
            Vec3::new(0.0, 0.0, 0.005),
        );
        let (world_from_model, model_from_proxy) =
            worn(world_from_loupe, Some(loupe_from_model), proxy);
        // The model's finger axis and stone land where Loupe's +Z and +Y would.
        let along = world_from_model.transform_vector3(Vec3::Y);
        assert!(along.distance(world_from_loupe.transform_vector3(Vec3::Z)) < 1e-5);
        let stone = world_from_model.transform_vector3(-Vec3::Z);
        assert!(stone.distance(world_from_loupe.transform_vector3(Vec3::Y)) < 1e-5);
        // The proxy stays where Loupe's axes put it.
        let a = world_from_model * model_from_proxy;
        let b = world_from_loupe * proxy;
        assert!(a.abs_diff_eq(b, 1e-5), "{a} vs {b}");
        assert_eq!(
            worn(world_from_loupe, None, proxy),
            (world_from_loupe, proxy)
        );
    }

    #[test]
    fn a_rings_contact_shadow_sits_on_the_band_in_the_proxys_own_z() {
        let s = Session::new(Target::Ring(Finger::Ring), HandChoice::Any);
        let (r, z0, z1) = s.proxy_cylinder_m(Some(17.3));
        let cylinder = crate::render::model_from_cylinder(r, z0, z1);
        let (a, b, falloff, strength) = s.contact_shadow_unit((0.001, -0.001)).unwrap();
        // Back in model space: the band's 2 mm, and a 1.5 mm falloff.
        let z = |u: f32| cylinder.transform_point3(Vec3::new(0.0, 0.0, u)).z;
        assert!((z(a) + 0.001).abs() < 1e-6 && (z(b) - 0.001).abs() < 1e-6);
        assert!(((z(a + falloff) - z(a)) - 0.0015).abs() < 1e-6);
        assert_eq!(strength, CONTACT_SHADOW_STRENGTH);
        let bracelet = Session::new(Target::Bracelet, HandChoice::Any);
        assert_eq!(bracelet.contact_shadow_unit((0.0, 0.01)), None);
    }

    #[test]
    fn proxies_follow_the_ring_size() {
        let s = Session::new(Target::Ring(Finger::Ring), HandChoice::Any);
        let (r, z0, z1) = s.proxy_cylinder_m(Some(18.0));
        assert!((r - 0.009 * PROXY_RADIUS_SHARE).abs() < 1e-6);
        assert!(z0 < 0.0 && z1 > 0.0);
        let (r, _, _) = s.proxy_cylinder_m(None);
        assert!((r - 0.5 * DEFAULT_FINGER_DIAMETER_MM * PROXY_RADIUS_SHARE / 1000.0).abs() < 1e-6);
        // A measured finger narrower than the ring: the proxy is the finger.
        let mut s = s;
        assert!(s.set_finger_diameter_mm(Some(16.0)));
        let (r, _, _) = s.proxy_cylinder_m(Some(18.0));
        assert!((r - 0.008 * PROXY_RADIUS_SHARE).abs() < 1e-6);
        // Wider than the ring: the ring's inside bounds it.
        assert!(s.set_finger_diameter_mm(Some(19.0)));
        let (r, _, _) = s.proxy_cylinder_m(Some(18.0));
        assert!((r - 0.009 * PROXY_RADIUS_SHARE).abs() < 1e-6);
        assert!(
            !s.set_finger_diameter_mm(Some(3.0)),
            "no finger is 3 mm wide"
        );
        assert_eq!(s.finger_diameter_mm(), Some(19.0));
        s.retarget(Target::Ring(Finger::Index), HandChoice::Any);
        assert_eq!(s.finger_diameter_mm(), Some(19.0), "kept across targets");
        assert!(s.set_finger_diameter_mm(None));
        assert_eq!(s.finger_diameter_mm(), None);
    }
}
