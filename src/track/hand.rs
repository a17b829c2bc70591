//! Hand landmarks as the tracker gives them (MediaPipe's 21-point hand model), in the picture as
//! shown, with the chirality needed to tell the back of the hand from the palm.

use glam::{Vec2, Vec3};

/// MediaPipe hand landmark indices.
pub const WRIST: usize = 0;
pub const INDEX_MCP: usize = 5;
pub const MIDDLE_MCP: usize = 9;
pub const PINKY_MCP: usize = 17;
pub const LANDMARK_COUNT: usize = 21;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Handedness {
    Left,
    Right,
}

impl Handedness {
    pub fn other(self) -> Handedness {
        match self {
            Handedness::Left => Handedness::Right,
            Handedness::Right => Handedness::Left,
        }
    }

    /// "Left" / "Right" (any case), as MediaPipe labels hands.
    pub fn parse(label: &str) -> Option<Handedness> {
        match label.to_ascii_lowercase().as_str() {
            "left" => Some(Handedness::Left),
            "right" => Some(Handedness::Right),
            _ => None,
        }
    }
}

/// The finger a ring is worn on (the element's `finger` attribute).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Finger {
    Thumb,
    Index,
    Middle,
    Ring,
    Little,
}

impl Finger {
    pub fn parse(name: &str) -> Option<Finger> {
        match name {
            "thumb" => Some(Finger::Thumb),
            "index" => Some(Finger::Index),
            "middle" => Some(Finger::Middle),
            "ring" => Some(Finger::Ring),
            "little" => Some(Finger::Little),
            _ => None,
        }
    }

    /// The landmarks at the base joint (knuckle) and the next joint along the finger: the
    /// proximal phalanx a ring sits on.
    pub fn proximal_phalanx(self) -> (usize, usize) {
        match self {
            Finger::Thumb => (2, 3),
            Finger::Index => (5, 6),
            Finger::Middle => (9, 10),
            Finger::Ring => (13, 14),
            Finger::Little => (17, 18),
        }
    }
}

/// One tracked hand in the picture as shown.
#[derive(Clone, Debug, PartialEq)]
pub struct Hand {
    /// x right and y down in px of the shown picture; z is MediaPipe's relative depth in px
    /// (smaller is nearer the camera), origin at the wrist.
    pub points_px: [Vec3; LANDMARK_COUNT],
    /// How the hand looks in these coordinates: a right hand seen in a mirror looks left.
    pub apparent: Handedness,
}

impl Hand {
    /// From MediaPipe's output: `normalized` landmarks (x, y in 0..1 of the `width`×`height`
    /// input, z on the scale of x) and its handedness `label`. MediaPipe labels a hand as if the
    /// input were a mirrored selfie, which makes the label the opposite of how the hand looks in
    /// the input; `flip_x` says the picture is shown mirrored relative to the tracker's input.
    pub fn from_mediapipe(
        normalized: &[[f32; 3]],
        label: Handedness,
        width: f32,
        height: f32,
        flip_x: bool,
    ) -> Option<Hand> {
        if normalized.len() != LANDMARK_COUNT || width <= 0.0 || height <= 0.0 {
            return None;
        }
        let mut points_px = [Vec3::ZERO; LANDMARK_COUNT];
        for (p, n) in points_px.iter_mut().zip(normalized) {
            if !n.iter().all(|v| v.is_finite()) {
                return None;
            }
            let x = if flip_x { 1.0 - n[0] } else { n[0] };
            *p = Vec3::new(x * width, n[1] * height, n[2] * width);
        }
        let apparent = if flip_x { label } else { label.other() };
        Some(Hand {
            points_px,
            apparent,
        })
    }

    /// Landmark `i` in view space: x right, y up, z towards the viewer (px units).
    pub fn view(&self, i: usize) -> Vec3 {
        let p = self.points_px[i];
        Vec3::new(p.x, -p.y, -p.z)
    }

    pub fn screen(&self, i: usize) -> Vec2 {
        self.points_px[i].truncate()
    }

    /// Unit normal out of the back of the hand, view space.
    pub fn back_normal(&self) -> Vec3 {
        let wrist = self.view(WRIST);
        let across = (self.view(INDEX_MCP) - wrist).cross(self.view(PINKY_MCP) - wrist);
        // For a hand that looks right-handed this cross product leaves the palm.
        let back = match self.apparent {
            Handedness::Right => -across,
            Handedness::Left => across,
        };
        back.normalize_or(Vec3::Z)
    }
}

/// The hand the shopper really raised, from MediaPipe's label and whether its input was a
/// mirrored picture (the label is right for mirrored input, swapped otherwise).
pub fn real_handedness(label: Handedness, input_mirrored: bool) -> Handedness {
    if input_mirrored {
        label
    } else {
        label.other()
    }
}
