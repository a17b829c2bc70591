//! The card reference: a plane homography from an ID-1 card's four corners, with the scale in the
//! card's plane, the camera's focal length (when the card is tilted) and the card's pose.
//!
//! Card plane: millimetres, origin at the card's top-left corner, +x along the 85.60 mm side, +y
//! down along the 53.98 mm side. Camera: pixels with +x right and +y down; the pose is in camera
//! coordinates with +z looking forward (the OpenCV convention), so a card square to the camera has
//! the identity rotation.
//!
//! Everything is solved in f64 (a homography's entries span many orders of magnitude) and handed
//! back in f32 for glam's usual types.

use glam::{DMat3, DVec2, DVec3, Mat2, Mat3, Vec2, Vec3};

/// ID-1 card width (ISO/IEC 7810), mm.
pub const CARD_WIDTH_MM: f32 = 85.60;
/// ID-1 card height (ISO/IEC 7810), mm.
pub const CARD_HEIGHT_MM: f32 = 53.98;
/// ID-1 card corner radius (ISO/IEC 7810), mm.
pub const CARD_CORNER_RADIUS_MM: f32 = 3.18;

/// The card's corners in the card plane, clockwise from the top-left (as [`card_from_corners`]
/// expects the image corners).
pub const CARD_CORNERS_MM: [Vec2; 4] = [
    Vec2::new(0.0, 0.0),
    Vec2::new(CARD_WIDTH_MM, 0.0),
    Vec2::new(CARD_WIDTH_MM, CARD_HEIGHT_MM),
    Vec2::new(0.0, CARD_HEIGHT_MM),
];

/// Interior angles closer than this to 0° or 180° make a quad degenerate: sin(1°). A manual drag
/// that puts three corners on a line lands here instead of in a wildly unstable homography.
const MIN_CORNER_SIN: f64 = 0.017_452_406;
/// Two corners closer than this fraction of the quad's size count as the same point.
const MIN_SEPARATION: f64 = 1e-4;
/// Focal length is estimated only when a vanishing point of the card's edges lies within
/// 1 / `MIN_VANISHING_STRENGTH` = 10 image diagonals of the principal point. Beyond that the
/// perspective terms are lost in corner noise. With f ≈ the image diagonal (a phone's main camera)
/// this needs a tilt of about atan(0.1) ≈ 6°; for f = 1000 px on 1280×720 about 4°.
const MIN_VANISHING_STRENGTH: f64 = 0.1;
/// Plausible focal lengths, in image diagonals: 0.05 (a 170° field of view) to 50 (about 1°).
/// Outside that the estimate is noise, so it is reported as not estimable.
const FOCAL_RANGE_DIAGONALS: (f64, f64) = (0.05, 50.0);

/// Why a homography or card fit was rejected.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum HomographyError {
    /// A coordinate is NaN or infinite.
    #[error("corner {index} is not a finite point")]
    NonFinite {
        /// Which corner (0–3).
        index: usize,
    },
    /// Two corners coincide.
    #[error("corners {first} and {second} are at the same place; drag them apart")]
    Duplicate {
        /// The first of the pair (0–3).
        first: usize,
        /// The second of the pair (0–3).
        second: usize,
    },
    /// Corner `index` and its two neighbours lie (nearly) on one line.
    #[error(
        "corner {index} lies on the line through its neighbours: the quadrilateral is degenerate"
    )]
    Collinear {
        /// The middle corner of the three (0–3).
        index: usize,
    },
    /// A concave or self-intersecting ("bow-tie") quad, usually corners in the wrong order.
    #[error("the corners do not form a convex quadrilateral; they may be out of order or crossed")]
    NotConvex,
    /// The card's corners go anticlockwise in the image.
    #[error("card corners must go clockwise from the card's top-left as seen in the image")]
    Anticlockwise,
    /// The linear system or the matrix has no usable inverse.
    #[error("the homography is singular")]
    Singular,
    /// A focal length that is not finite and positive.
    #[error("focal length {0} px is not finite and positive")]
    BadFocal(f32),
    /// An image size that is not finite and positive.
    #[error("image size {width}×{height} px is not finite and positive")]
    BadImageSize {
        /// Width in px.
        width: f32,
        /// Height in px.
        height: f32,
    },
}

/// A plane projective map; for a card it maps card-plane mm to image px (`image_from_card`).
///
/// Column-major like all glam matrices: a point (x, y) maps to (u/w, v/w) with (u, v, w) =
/// `self.0 * (x, y, 1)`. Matrices built here are scaled so that the bottom-right entry is 1.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Homography(pub Mat3);

impl Homography {
    /// The homography taking the four `src` points onto the four `dst` points, by the normalised
    /// DLT (Hartley): each point set is moved to its centroid and scaled to a mean distance of √2,
    /// the 8×8 system with h₃₃ = 1 is solved with partial pivoting, and the result is un-normalised.
    /// h₃₃ = 1 is safe after normalisation because the centroid of a convex quad maps to a finite
    /// point.
    ///
    /// Both quads must be convex and non-degenerate: no NaN, no repeated corner, no three corners on
    /// a line (within 1°), no bow-tie.
    pub fn from_four_points(src: [Vec2; 4], dst: [Vec2; 4]) -> Result<Homography, HomographyError> {
        let h = dlt(src.map(|p| p.as_dvec2()), dst.map(|p| p.as_dvec2()))?;
        Ok(Homography(h.as_mat3()))
    }

    /// Maps a point. Points on the line sent to infinity come back non-finite (never a panic).
    pub fn apply(&self, p: Vec2) -> Vec2 {
        apply64(&self.0.as_dmat3(), p.as_dvec2()).as_vec2()
    }

    /// The inverse map (image px → card mm for a card fit).
    pub fn inverse(&self) -> Result<Homography, HomographyError> {
        let m = self.0.as_dmat3();
        let det = m.determinant();
        let scale = m.to_cols_array().iter().fold(0.0f64, |a, x| a.max(x.abs()));
        // Relative test: a homography's scale is arbitrary, so compare with its largest entry.
        if !det.is_finite() || scale == 0.0 || det.abs() <= 1e-12 * scale.powi(3) {
            return Err(HomographyError::Singular);
        }
        Ok(Homography(normalise(m.inverse()).as_mat3()))
    }

    /// The 2×2 Jacobian of the map at `p`: how a small step at `p` stretches (columns: ∂/∂x, ∂/∂y).
    pub fn jacobian(&self, p: Vec2) -> Mat2 {
        jacobian64(&self.0.as_dmat3(), p.as_dvec2()).as_mat2()
    }

    /// Local linear scale at `p`: √|det J|, output units per input unit (px per mm for a card).
    pub fn linear_scale_at(&self, p: Vec2) -> f32 {
        self.jacobian(p).determinant().abs().sqrt()
    }
}

/// A card's pose in camera coordinates (+x right, +y down, +z forward).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CardPose {
    /// Columns: the card's +x (long side), +y (short side) and normal, in camera coordinates.
    pub rotation: Mat3,
    /// The card's top-left corner (its origin) in camera coordinates, mm.
    pub translation_mm: Vec3,
}

impl CardPose {
    /// The card's centre in camera coordinates, mm; its z is the card's distance along the axis.
    pub fn centre_mm(&self) -> Vec3 {
        self.rotation * Vec3::new(CARD_WIDTH_MM / 2.0, CARD_HEIGHT_MM / 2.0, 0.0)
            + self.translation_mm
    }

    /// The angle between the card's normal and the camera's axis, degrees (0–90): how far the
    /// card is tilted from square to the camera, whichever way it faces.
    pub fn tilt_deg(&self) -> f32 {
        self.rotation.z_axis.z.abs().min(1.0).acos().to_degrees()
    }
}

/// What four card corners tell about the camera and the card.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CardFit {
    /// Card-plane mm → image px.
    pub image_from_card: Homography,
    /// Image px per card mm at the card's centre: √|det J| of the homography there.
    pub px_per_mm: f32,
    /// Focal length in px, assuming square pixels, no skew and the principal point at the image
    /// centre; `None` when the card is too square to the camera (see [`card_from_corners`]).
    pub focal_px: Option<f32>,
    /// The card's pose; present when `focal_px` is.
    pub pose: Option<CardPose>,
}

impl CardFit {
    /// The card's tilt from square to the camera, degrees (see [`CardPose::tilt_deg`]); 0 when
    /// it is too square to the camera for a pose.
    pub fn tilt_deg(&self) -> f32 {
        self.pose.map_or(0.0, |p| p.tilt_deg())
    }
}

/// Fits an ID-1 card to its four corners in an image.
///
/// `corners_px` go clockwise on screen from the card's top-left corner as seen in the image (the
/// corner that maps to card (0, 0); the 85.60 mm side runs from corner 0 to corner 1).
/// `image_size_px` is the image's width and height; its centre is taken as the principal point.
///
/// The focal length comes from Zhang's two constraints on the first two columns of K⁻¹H (they are
/// the rotation's first two columns up to one scale: orthogonal and of equal length) with f the
/// single unknown, solved in least squares for f². Using both constraints matters: a card tilted
/// about only one of its axes leaves the orthogonality constraint empty. It is `None` when neither
/// vanishing point of the card's edges lies within 10 image diagonals of the image centre (a tilt
/// of roughly 4–6° for common cameras), when f² comes out non-positive, or when f is outside 0.05–50
/// image diagonals.
pub fn card_from_corners(
    corners_px: [Vec2; 4],
    image_size_px: Vec2,
) -> Result<CardFit, HomographyError> {
    let size = image_size_px.as_dvec2();
    if !(size.is_finite() && size.x > 0.0 && size.y > 0.0) {
        return Err(HomographyError::BadImageSize {
            width: image_size_px.x,
            height: image_size_px.y,
        });
    }
    let h = image_from_card64(corners_px)?;
    let centre = DVec2::new(f64::from(CARD_WIDTH_MM), f64::from(CARD_HEIGHT_MM)) / 2.0;
    let px_per_mm = jacobian64(&h, centre).determinant().abs().sqrt();
    let principal = size / 2.0;
    let focal = estimate_focal(&h, principal, size.length());
    let pose = focal.and_then(|f| pose64(&h, f, principal));
    Ok(CardFit {
        image_from_card: Homography(h.as_mat3()),
        px_per_mm: px_per_mm as f32,
        focal_px: focal.map(|f| f as f32),
        pose,
    })
}

/// The homography of [`card_from_corners`] alone (card mm → image px), for checks that need
/// nothing else: the same corners are held to the same conditions.
pub fn image_from_card(corners_px: [Vec2; 4]) -> Result<Homography, HomographyError> {
    Ok(Homography(image_from_card64(corners_px)?.as_mat3()))
}

fn image_from_card64(corners_px: [Vec2; 4]) -> Result<DMat3, HomographyError> {
    let dst = corners_px.map(|p| p.as_dvec2());
    // Shoelace sum with +y down: positive means clockwise on screen, like the card-plane corners.
    if check_quad(&dst)? < 0.0 {
        return Err(HomographyError::Anticlockwise);
    }
    dlt(CARD_CORNERS_MM.map(|p| p.as_dvec2()), dst)
}

/// The card's pose from its homography and a known focal length (e.g. from a previous tilted view
/// or the camera's metadata). R and t come from K⁻¹H: the columns are scaled by the mean length of
/// the first two, the sign is chosen so the card is in front of the camera, and the rotation is
/// made orthonormal by Gram–Schmidt (r₁ normalised, r₂ made orthogonal to it, r₃ = r₁ × r₂). That
/// keeps the card's long edge exact and is within noise of the SVD's nearest rotation.
pub fn pose_from_homography(
    image_from_card: &Homography,
    focal_px: f32,
    principal_px: Vec2,
) -> Result<CardPose, HomographyError> {
    if !(focal_px.is_finite() && focal_px > 0.0) {
        return Err(HomographyError::BadFocal(focal_px));
    }
    if !principal_px.is_finite() {
        return Err(HomographyError::NonFinite { index: 0 });
    }
    pose64(
        &image_from_card.0.as_dmat3(),
        f64::from(focal_px),
        principal_px.as_dvec2(),
    )
    .ok_or(HomographyError::Singular)
}

fn apply64(h: &DMat3, p: DVec2) -> DVec2 {
    let q = *h * p.extend(1.0);
    DVec2::new(q.x / q.z, q.y / q.z)
}

/// d(u/w, v/w)/d(x, y) by the quotient rule.
fn jacobian64(h: &DMat3, p: DVec2) -> glam::DMat2 {
    let q = *h * p.extend(1.0);
    let (u, v, w) = (q.x, q.y, q.z);
    let col = |c: DVec3| DVec2::new((c.x * w - u * c.z) / (w * w), (c.y * w - v * c.z) / (w * w));
    glam::DMat2::from_cols(col(h.x_axis), col(h.y_axis))
}

/// Checks a quad and returns its shoelace sum (positive: clockwise on a +y-down screen).
fn check_quad(p: &[DVec2; 4]) -> Result<f64, HomographyError> {
    if let Some(index) = p.iter().position(|q| !q.is_finite()) {
        return Err(HomographyError::NonFinite { index });
    }
    let mut extent = 0.0f64;
    for i in 0..4 {
        for j in i + 1..4 {
            extent = extent.max(p[i].distance(p[j]));
        }
    }
    for i in 0..4 {
        for j in i + 1..4 {
            if p[i].distance(p[j]) <= MIN_SEPARATION * extent || extent == 0.0 {
                return Err(HomographyError::Duplicate {
                    first: i,
                    second: j,
                });
            }
        }
    }
    let mut sign = 0.0f64;
    for i in 0..4 {
        let before = p[i] - p[(i + 3) % 4];
        let after = p[(i + 1) % 4] - p[i];
        let cross = before.perp_dot(after);
        if cross.abs() < MIN_CORNER_SIN * before.length() * after.length() {
            return Err(HomographyError::Collinear { index: i });
        }
        if sign == 0.0 {
            sign = cross.signum();
        } else if cross.signum() != sign {
            return Err(HomographyError::NotConvex);
        }
    }
    Ok((0..4).map(|i| p[i].perp_dot(p[(i + 1) % 4])).sum())
}

/// Similarity moving the points' centroid to the origin and their mean distance to √2.
fn normaliser(p: &[DVec2; 4]) -> DMat3 {
    let centroid = p.iter().copied().sum::<DVec2>() / 4.0;
    let mean = p.iter().map(|q| q.distance(centroid)).sum::<f64>() / 4.0;
    let s = std::f64::consts::SQRT_2 / mean;
    DMat3::from_cols(
        DVec3::new(s, 0.0, 0.0),
        DVec3::new(0.0, s, 0.0),
        DVec3::new(-s * centroid.x, -s * centroid.y, 1.0),
    )
}

fn dlt(src: [DVec2; 4], dst: [DVec2; 4]) -> Result<DMat3, HomographyError> {
    check_quad(&src)?;
    check_quad(&dst)?;
    let t_src = normaliser(&src);
    let t_dst = normaliser(&dst);
    // Rows of [A | b] for h = (h11 h12 h13 h21 h22 h23 h31 h32), h33 = 1.
    let mut a = [[0.0f64; 9]; 8];
    for i in 0..4 {
        let s = (t_src * src[i].extend(1.0)).truncate();
        let d = (t_dst * dst[i].extend(1.0)).truncate();
        a[2 * i] = [s.x, s.y, 1.0, 0.0, 0.0, 0.0, -d.x * s.x, -d.x * s.y, d.x];
        a[2 * i + 1] = [0.0, 0.0, 0.0, s.x, s.y, 1.0, -d.y * s.x, -d.y * s.y, d.y];
    }
    let h = solve8(a).ok_or(HomographyError::Singular)?;
    let normalised = DMat3::from_cols(
        DVec3::new(h[0], h[3], h[6]),
        DVec3::new(h[1], h[4], h[7]),
        DVec3::new(h[2], h[5], 1.0),
    );
    let m = t_dst.inverse() * normalised * t_src;
    let m = normalise(m);
    if !m.is_finite() {
        return Err(HomographyError::Singular);
    }
    Ok(m)
}

/// Scales so that h₃₃ = 1 (or, if h₃₃ ≈ 0, to a unit largest entry).
fn normalise(m: DMat3) -> DMat3 {
    let largest = m.to_cols_array().iter().fold(0.0f64, |a, x| a.max(x.abs()));
    if m.z_axis.z.abs() > 1e-12 * largest {
        m * (1.0 / m.z_axis.z)
    } else if largest > 0.0 {
        m * (1.0 / largest)
    } else {
        m
    }
}

/// Gaussian elimination with partial pivoting on an 8×8 augmented system.
fn solve8(mut a: [[f64; 9]; 8]) -> Option<[f64; 8]> {
    for col in 0..8 {
        let pivot = (col..8).max_by(|&i, &j| a[i][col].abs().total_cmp(&a[j][col].abs()))?;
        // Normalised coordinates are O(1), so an absolute threshold is meaningful here.
        if a[pivot][col].abs() < 1e-12 {
            return None;
        }
        a.swap(col, pivot);
        let pivot_row = a[col];
        for row in a.iter_mut().skip(col + 1) {
            let factor = row[col] / pivot_row[col];
            for (x, p) in row.iter_mut().zip(pivot_row).skip(col) {
                *x -= factor * p;
            }
        }
    }
    let mut x = [0.0f64; 8];
    for row in (0..8).rev() {
        let tail: f64 = (row + 1..8).map(|k| a[row][k] * x[k]).sum();
        x[row] = (a[row][8] - tail) / a[row][row];
    }
    x.iter().all(|v| v.is_finite()).then_some(x)
}

/// Focal length from the two Zhang constraints; see [`card_from_corners`].
fn estimate_focal(h: &DMat3, principal: DVec2, diagonal: f64) -> Option<f64> {
    // Move the principal point to the origin so that K = diag(f, f, 1).
    let shift = DMat3::from_cols(DVec3::X, DVec3::Y, (-principal).extend(1.0));
    let g = shift * *h;
    let (g1, g2) = (g.x_axis, g.y_axis);
    // diagonal / |vanishing point − principal point| for each card axis.
    let strength = |c: DVec3| c.z.abs() * diagonal / c.truncate().length();
    if strength(g1).max(strength(g2)) < MIN_VANISHING_STRENGTH {
        return None;
    }
    // r1·r2 = 0:      (g1x g2x + g1y g2y) + g1z g2z f² = 0
    // |r1| = |r2|:    (|g1xy|² − |g2xy|²) + (g1z² − g2z²) f² = 0
    let (a1, b1) = (g1.x * g2.x + g1.y * g2.y, g1.z * g2.z);
    let (a2, b2) = (
        g1.truncate().length_squared() - g2.truncate().length_squared(),
        g1.z * g1.z - g2.z * g2.z,
    );
    let denominator = b1 * b1 + b2 * b2;
    if denominator <= 0.0 {
        return None;
    }
    let f_squared = -(a1 * b1 + a2 * b2) / denominator;
    if !(f_squared.is_finite() && f_squared > 0.0) {
        return None;
    }
    let f = f_squared.sqrt();
    let (low, high) = FOCAL_RANGE_DIAGONALS;
    (low * diagonal..=high * diagonal).contains(&f).then_some(f)
}

fn pose64(h: &DMat3, f: f64, principal: DVec2) -> Option<CardPose> {
    let k_inv = DMat3::from_cols(
        DVec3::new(1.0 / f, 0.0, 0.0),
        DVec3::new(0.0, 1.0 / f, 0.0),
        DVec3::new(-principal.x / f, -principal.y / f, 1.0),
    );
    let m = k_inv * *h;
    let norm = (m.x_axis.length() + m.y_axis.length()) / 2.0;
    if !(norm.is_finite() && norm > 0.0) {
        return None;
    }
    // The homography's overall sign is arbitrary; the card must be in front (t_z > 0).
    let scale = if m.z_axis.z < 0.0 {
        -1.0 / norm
    } else {
        1.0 / norm
    };
    let r1 = (m.x_axis * scale).try_normalize()?;
    let r2 = (m.y_axis * scale - r1 * r1.dot(m.y_axis * scale)).try_normalize()?;
    let r3 = r1.cross(r2);
    Some(CardPose {
        rotation: DMat3::from_cols(r1, r2, r3).as_mat3(),
        translation_mm: (m.z_axis * scale).as_vec3(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const F: f64 = 1000.0;
    const IMAGE: Vec2 = Vec2::new(1280.0, 720.0);

    /// A pinhole camera (f = 1000 px, principal point at the centre of 1280×720) looking at the
    /// card, whose centre sits at `centre_cam` (mm) with rotation `r`.
    struct Scene {
        r: DMat3,
        centre_cam: DVec3,
    }

    impl Scene {
        fn new(tilt_x_deg: f64, tilt_y_deg: f64, roll_deg: f64, centre_cam: DVec3) -> Scene {
            let r = DMat3::from_rotation_z(roll_deg.to_radians())
                * DMat3::from_rotation_y(tilt_y_deg.to_radians())
                * DMat3::from_rotation_x(tilt_x_deg.to_radians());
            Scene { r, centre_cam }
        }

        fn card_to_camera(&self, p_mm: DVec2) -> DVec3 {
            let c = DVec2::new(f64::from(CARD_WIDTH_MM), f64::from(CARD_HEIGHT_MM)) / 2.0;
            self.r * (p_mm - c).extend(0.0) + self.centre_cam
        }

        fn project(&self, p_mm: DVec2) -> DVec2 {
            let x = self.card_to_camera(p_mm);
            DVec2::new(F * x.x / x.z, F * x.y / x.z) + IMAGE.as_dvec2() / 2.0
        }

        fn corners_px(&self) -> [Vec2; 4] {
            CARD_CORNERS_MM.map(|c| self.project(c.as_dvec2()).as_vec2())
        }

        /// √|det| of d(u, v)/d(x, y) at the card centre, from the projection itself.
        fn exact_px_per_mm(&self) -> f64 {
            let t = self.centre_cam;
            let d = |r: DVec3| {
                DVec2::new(F * (r.x * t.z - t.x * r.z), F * (r.y * t.z - t.y * r.z)) / (t.z * t.z)
            };
            d(self.r.x_axis).perp_dot(d(self.r.y_axis)).abs().sqrt()
        }

        fn tilt_deg(&self) -> f64 {
            self.r.z_axis.z.clamp(-1.0, 1.0).acos().to_degrees()
        }
    }

    fn rotation_error_deg(a: Mat3, b: DMat3) -> f64 {
        let m = a.as_dmat3().transpose() * b;
        let cos = ((m.x_axis.x + m.y_axis.y + m.z_axis.z - 1.0) / 2.0).clamp(-1.0, 1.0);
        cos.acos().to_degrees()
    }

    /// Deterministic uniform noise in [-1, 1) (xorshift), so tests need no extra crate.
    struct Noise(u64);

    impl Noise {
        fn next(&mut self) -> f32 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            (self.0 >> 11) as f32 / (1u64 << 53) as f32 * 2.0 - 1.0
        }
    }

    fn scenes() -> Vec<Scene> {
        let mut out = Vec::new();
        for tilt_x in [0.0, 10.0, 20.0, 30.0, 40.0] {
            for tilt_y in [0.0, -25.0, 35.0] {
                for roll in [0.0, 17.0] {
                    for centre in [DVec3::new(0.0, 0.0, 300.0), DVec3::new(-60.0, 40.0, 450.0)] {
                        out.push(Scene::new(tilt_x, tilt_y, roll, centre));
                    }
                }
            }
        }
        out
    }

    #[test]
    fn dlt_reproduces_a_known_homography() {
        let truth = DMat3::from_cols(
            DVec3::new(2.1, 0.3, 0.0011),
            DVec3::new(-0.4, 1.7, -0.0007),
            DVec3::new(310.0, 95.0, 1.0),
        );
        let src = [
            Vec2::new(0.0, 0.0),
            Vec2::new(100.0, 10.0),
            Vec2::new(120.0, 90.0),
            Vec2::new(-10.0, 70.0),
        ];
        let dst = src.map(|p| apply64(&truth, p.as_dvec2()).as_vec2());
        let h = Homography::from_four_points(src, dst).unwrap();
        for (a, b) in
            h.0.as_dmat3()
                .to_cols_array()
                .iter()
                .zip(truth.to_cols_array())
        {
            assert!((a - b).abs() <= 1e-4 * b.abs().max(1e-3), "{a} vs {b}");
        }
        let inside = Vec2::new(50.0, 40.0);
        let expected = apply64(&truth, inside.as_dvec2()).as_vec2();
        assert!(h.apply(inside).distance(expected) < 1e-3);
        let back = h.inverse().unwrap().apply(expected);
        assert!(back.distance(inside) < 1e-3, "{back}");
    }

    #[test]
    fn px_per_mm_matches_the_projection_jacobian() {
        for scene in scenes() {
            let fit = card_from_corners(scene.corners_px(), IMAGE).unwrap();
            let exact = scene.exact_px_per_mm();
            let error = (f64::from(fit.px_per_mm) / exact - 1.0).abs();
            assert!(
                error < 1e-3,
                "tilt {:.0}°: {} vs {exact}",
                scene.tilt_deg(),
                fit.px_per_mm
            );
            // The homography itself puts the corners where they were projected.
            for (c, px) in CARD_CORNERS_MM.iter().zip(scene.corners_px()) {
                assert!(fit.image_from_card.apply(*c).distance(px) < 1e-2);
            }
        }
    }

    #[test]
    fn focal_and_pose_from_a_tilted_card() {
        let mut checked = 0;
        for scene in scenes() {
            if scene.tilt_deg() < 20.0 {
                continue;
            }
            let fit = card_from_corners(scene.corners_px(), IMAGE).unwrap();
            let f = fit.focal_px.expect("tilt ≥ 20° must give a focal length");
            assert!(
                (f64::from(f) / F - 1.0).abs() < 0.01,
                "tilt {:.0}°: f = {f}",
                scene.tilt_deg()
            );
            let pose = fit.pose.unwrap();
            let error = rotation_error_deg(pose.rotation, scene.r);
            assert!(
                error < 0.5,
                "tilt {:.0}°: rotation off by {error}°",
                scene.tilt_deg()
            );
            let centre = pose.centre_mm().as_dvec3();
            assert!(centre.distance(scene.centre_cam) < 0.01 * scene.centre_cam.length());
            checked += 1;
        }
        assert!(checked >= 30, "{checked}");
    }

    #[test]
    fn focal_not_claimed_for_a_card_square_to_the_camera() {
        for tilt in [0.0, 1.0] {
            let scene = Scene::new(tilt, 0.0, 12.0, DVec3::new(30.0, -20.0, 350.0));
            let fit = card_from_corners(scene.corners_px(), IMAGE).unwrap();
            assert_eq!(fit.focal_px, None, "tilt {tilt}°");
            assert_eq!(fit.pose, None);
            // Scale is still known without the focal length.
            assert!((f64::from(fit.px_per_mm) / scene.exact_px_per_mm() - 1.0).abs() < 1e-3);
        }
    }

    #[test]
    fn pose_with_a_known_focal_length() {
        let scene = Scene::new(5.0, -8.0, 30.0, DVec3::new(20.0, 10.0, 400.0));
        let fit = card_from_corners(scene.corners_px(), IMAGE).unwrap();
        let pose = pose_from_homography(&fit.image_from_card, F as f32, IMAGE / 2.0).unwrap();
        assert!(rotation_error_deg(pose.rotation, scene.r) < 0.5);
        assert!((f64::from(pose.centre_mm().z) - 400.0).abs() < 1.0);
        assert!(pose_from_homography(&fit.image_from_card, f32::NAN, IMAGE / 2.0).is_err());
        assert!(pose_from_homography(&fit.image_from_card, -5.0, IMAGE / 2.0).is_err());
    }

    #[test]
    fn noisy_corners_keep_the_scale_within_one_percent() {
        let mut noise = Noise(0x9E37_79B9_7F4A_7C15);
        let mut worst = 0.0f64;
        for scene in scenes() {
            for _ in 0..10 {
                let corners = scene
                    .corners_px()
                    .map(|c| c + Vec2::new(noise.next(), noise.next()) * 0.5);
                let fit = card_from_corners(corners, IMAGE).unwrap();
                worst = worst.max((f64::from(fit.px_per_mm) / scene.exact_px_per_mm() - 1.0).abs());
            }
        }
        assert!(worst < 0.01, "worst px/mm error {worst}");
    }

    #[test]
    fn degenerate_quads_are_rejected() {
        let good = [
            Vec2::new(100.0, 100.0),
            Vec2::new(400.0, 110.0),
            Vec2::new(390.0, 300.0),
            Vec2::new(110.0, 290.0),
        ];
        assert!(card_from_corners(good, IMAGE).is_ok());
        let collinear = [good[0], Vec2::new(250.0, 105.0), good[1], good[3]];
        assert!(matches!(
            card_from_corners(collinear, IMAGE),
            Err(HomographyError::Collinear { .. })
        ));
        let duplicate = [good[0], good[1], good[1], good[3]];
        assert!(matches!(
            card_from_corners(duplicate, IMAGE),
            Err(HomographyError::Duplicate {
                first: 1,
                second: 2
            })
        ));
        let all_same = [good[0]; 4];
        assert!(matches!(
            card_from_corners(all_same, IMAGE),
            Err(HomographyError::Duplicate { .. })
        ));
        let bow_tie = [good[0], good[2], good[1], good[3]];
        assert_eq!(
            card_from_corners(bow_tie, IMAGE),
            Err(HomographyError::NotConvex)
        );
        let concave = [good[0], good[1], Vec2::new(250.0, 150.0), good[3]];
        assert_eq!(
            card_from_corners(concave, IMAGE),
            Err(HomographyError::NotConvex)
        );
        let anticlockwise = [good[0], good[3], good[2], good[1]];
        assert_eq!(
            card_from_corners(anticlockwise, IMAGE),
            Err(HomographyError::Anticlockwise)
        );
        let nan = [good[0], good[1], Vec2::new(f32::NAN, 3.0), good[3]];
        assert_eq!(
            card_from_corners(nan, IMAGE),
            Err(HomographyError::NonFinite { index: 2 })
        );
        assert!(matches!(
            card_from_corners(good, Vec2::new(0.0, 720.0)),
            Err(HomographyError::BadImageSize { .. })
        ));
        assert!(Homography::from_four_points(CARD_CORNERS_MM, bow_tie).is_err());
        assert_eq!(
            Homography(Mat3::ZERO).inverse(),
            Err(HomographyError::Singular)
        );
    }
}
