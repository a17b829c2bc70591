//! The `<model-viewer>` style orbit camera: `camera-orbit="θ φ r"` and `camera-target="x y z"`.
//!
//! Conventions (the same as model-viewer): θ (theta) turns about +Y starting from +Z, φ (phi) is
//! the angle down from +Y, so θ = 0, φ = 90° looks at the target from +Z, horizontally.

use std::f32::consts::PI;
use std::str::FromStr;

use glam::{Mat4, Vec3, Vec4};

use super::aabb::Aabb;

/// Why an orbit or target string was rejected.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum OrbitParseError {
    /// Too few or too many space-separated values.
    #[error("expected {expected} space-separated values, found {found} in {input:?}")]
    WrongCount {
        /// The whole input.
        input: String,
        /// How many were expected, in words.
        expected: &'static str,
        /// How many were found.
        found: usize,
    },
    /// The numeric part did not parse or is not finite.
    #[error("{token:?} is not a finite number with a unit")]
    BadNumber {
        /// The offending value.
        token: String,
    },
    /// A unit that does not fit this value (e.g. `m` on an angle).
    #[error("the unit in {token:?} is not valid for {what}; use {allowed}")]
    BadUnit {
        /// The offending value.
        token: String,
        /// Which value it was.
        what: &'static str,
        /// The units that are accepted.
        allowed: &'static str,
    },
    /// model-viewer's percentage radius needs the scene's auto radius, which a parser cannot know.
    #[error("percentage radius {token:?} is not supported; use m, cm, mm or auto")]
    PercentRadius {
        /// The offending value.
        token: String,
    },
    /// A negative orbit radius.
    #[error("orbit radius {token:?} must not be negative")]
    NegativeRadius {
        /// The offending value.
        token: String,
    },
    /// `auto` where a concrete value is required.
    #[error("{what} must be explicit here, \"auto\" is not accepted")]
    AutoNotAllowed {
        /// Which value it was.
        what: &'static str,
    },
}

/// A camera orbit around a target, as in model-viewer's `camera-orbit`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Orbit {
    /// Azimuth about +Y, from +Z towards +X, radians.
    pub theta_rad: f32,
    /// Polar angle down from +Y, radians.
    pub phi_rad: f32,
    /// Distance from the target in metres; `None` means "auto": frame the model
    /// (see [`framing_radius_m`]).
    pub radius_m: Option<f32>,
}

impl Orbit {
    /// model-viewer's default orbit: `0deg 75deg auto`.
    pub const DEFAULT: Orbit = Orbit {
        theta_rad: 0.0,
        phi_rad: 75.0 * PI / 180.0,
        radius_m: None,
    };

    /// Eye position for this orbit around `target`; `auto_radius_m` is used when the radius is
    /// `auto`.
    pub fn eye(&self, target: Vec3, auto_radius_m: f32) -> Vec3 {
        eye(
            self.theta_rad,
            self.phi_rad,
            self.radius_m.unwrap_or(auto_radius_m),
            target,
        )
    }
}

impl Default for Orbit {
    fn default() -> Self {
        Orbit::DEFAULT
    }
}

impl FromStr for Orbit {
    type Err = OrbitParseError;

    /// Parses `"θ φ r"`. Angles take `deg` or `rad` (bare numbers are radians), the radius takes
    /// `m`, `cm` or `mm` (bare numbers are metres); any value may be `auto` (the default orbit's
    /// value). Fewer than three values leave the rest at their defaults, as model-viewer does.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let tokens: Vec<&str> = s.split_whitespace().collect();
        if tokens.is_empty() || tokens.len() > 3 {
            return Err(OrbitParseError::WrongCount {
                input: s.to_owned(),
                expected: "1 to 3",
                found: tokens.len(),
            });
        }
        let mut orbit = Orbit::DEFAULT;
        if let Some(t) = tokens.first() {
            orbit.theta_rad = parse_angle_rad(t, "theta")?.unwrap_or(Orbit::DEFAULT.theta_rad);
        }
        if let Some(t) = tokens.get(1) {
            orbit.phi_rad = parse_angle_rad(t, "phi")?.unwrap_or(Orbit::DEFAULT.phi_rad);
        }
        if let Some(t) = tokens.get(2) {
            orbit.radius_m = parse_radius_m(t)?;
        }
        Ok(orbit)
    }
}

/// Splits `"12.5deg"` into `(12.5, "deg")`. Suffixes are matched from a known list rather than
/// by "first letter", because `1e-3m` has an `e` inside the number.
fn split_unit<'a>(token: &'a str, units: &[&'static str]) -> (&'a str, &'static str) {
    for unit in units {
        if let Some(number) = token.strip_suffix(unit) {
            return (number, unit);
        }
    }
    (token, "")
}

/// True for a number followed by letters we did not strip, like `3` + `m` in `"3m"` for an angle.
/// `"xdeg"` is a bad number, not a bad unit.
fn has_unknown_unit(number: &str) -> bool {
    let head = number.trim_end_matches(|c: char| c.is_ascii_alphabetic() || c == '%');
    head.len() < number.len() && head.parse::<f32>().is_ok()
}

fn parse_number(number: &str, token: &str) -> Result<f32, OrbitParseError> {
    match number.parse::<f32>() {
        Ok(v) if v.is_finite() => Ok(v),
        _ => Err(OrbitParseError::BadNumber {
            token: token.to_owned(),
        }),
    }
}

/// `Ok(None)` for `auto`.
fn parse_angle_rad(token: &str, what: &'static str) -> Result<Option<f32>, OrbitParseError> {
    if token.eq_ignore_ascii_case("auto") {
        return Ok(None);
    }
    let (number, unit) = split_unit(token, &["deg", "rad"]);
    if has_unknown_unit(number) {
        return Err(OrbitParseError::BadUnit {
            token: token.to_owned(),
            what,
            allowed: "deg or rad",
        });
    }
    let v = parse_number(number, token)?;
    Ok(Some(if unit == "deg" { v.to_radians() } else { v }))
}

/// A length in metres from `"2cm"`, `"15mm"`, `"0.1m"` or a bare number (metres).
fn parse_length_m(token: &str, what: &'static str) -> Result<f32, OrbitParseError> {
    let (number, unit) = split_unit(token, &["mm", "cm", "m", "%"]);
    if unit == "%" {
        return Err(OrbitParseError::PercentRadius {
            token: token.to_owned(),
        });
    }
    if has_unknown_unit(number) {
        return Err(OrbitParseError::BadUnit {
            token: token.to_owned(),
            what,
            allowed: "m, cm or mm",
        });
    }
    let v = parse_number(number, token)?;
    Ok(match unit {
        "mm" => v / 1000.0,
        "cm" => v / 100.0,
        _ => v,
    })
}

/// `Ok(None)` for `auto`.
fn parse_radius_m(token: &str) -> Result<Option<f32>, OrbitParseError> {
    if token.eq_ignore_ascii_case("auto") {
        return Ok(None);
    }
    let r = parse_length_m(token, "the radius")?;
    if r < 0.0 {
        return Err(OrbitParseError::NegativeRadius {
            token: token.to_owned(),
        });
    }
    Ok(Some(r))
}

/// Parses a `camera-target` such as `"0 0.01 0"` or `"0mm 12mm 0mm"` into metres.
/// Bare numbers are metres. `auto` is rejected; use [`parse_target_or_auto`] to accept it.
pub fn parse_target(s: &str) -> Result<Vec3, OrbitParseError> {
    parse_target_or_auto(s)?.ok_or(OrbitParseError::AutoNotAllowed { what: "the target" })
}

/// Like [`parse_target`], but `"auto"` (the whole string) gives `Ok(None)`: the caller then
/// uses the centre of the model's bounds, as model-viewer does.
pub fn parse_target_or_auto(s: &str) -> Result<Option<Vec3>, OrbitParseError> {
    let tokens: Vec<&str> = s.split_whitespace().collect();
    if tokens.len() == 1 && tokens[0].eq_ignore_ascii_case("auto") {
        return Ok(None);
    }
    if tokens.len() != 3 {
        return Err(OrbitParseError::WrongCount {
            input: s.to_owned(),
            expected: "3",
            found: tokens.len(),
        });
    }
    let mut v = [0.0f32; 3];
    for (slot, token) in v.iter_mut().zip(&tokens) {
        if token.eq_ignore_ascii_case("auto") {
            return Err(OrbitParseError::AutoNotAllowed {
                what: "a single target coordinate",
            });
        }
        *slot = parse_length_m(token, "a target coordinate")?;
    }
    Ok(Some(Vec3::from_array(v)))
}

/// Eye position: `target + r·(sin φ sin θ, cos φ, sin φ cos θ)`.
pub fn eye(theta_rad: f32, phi_rad: f32, radius_m: f32, target: Vec3) -> Vec3 {
    let (sin_t, cos_t) = theta_rad.sin_cos();
    let (sin_p, cos_p) = phi_rad.sin_cos();
    target + radius_m * Vec3::new(sin_p * sin_t, cos_p, sin_p * cos_t)
}

/// Right-handed look-at view matrix (camera looks down its −Z, +Y up on screen).
///
/// World +Y is the up hint. Looking straight down the up hint becomes −Z and looking straight up
/// it becomes +Z: these are the limits of the orbit at θ = 0 as φ reaches 0 or π, so the view
/// does not snap there. If `eye == target` the camera looks down −Z from `eye`.
pub fn view_from_world(eye: Vec3, target: Vec3) -> Mat4 {
    let forward = (target - eye).normalize_or_zero();
    if forward == Vec3::ZERO || !forward.is_finite() {
        return look_to_rh(eye, Vec3::NEG_Z, Vec3::Y);
    }
    // sin of the angle between forward and +Y; below ~0.06° the cross product is noise.
    let up = if forward.cross(Vec3::Y).length() < 1e-3 {
        if forward.y < 0.0 {
            Vec3::NEG_Z
        } else {
            Vec3::Z
        }
    } else {
        Vec3::Y
    };
    look_to_rh(eye, forward, up)
}

/// `forward` must be unit length and not parallel to `up`.
fn look_to_rh(eye: Vec3, forward: Vec3, up: Vec3) -> Mat4 {
    let s = forward.cross(up).normalize();
    let u = s.cross(forward);
    Mat4::from_cols(
        Vec4::new(s.x, u.x, -forward.x, 0.0),
        Vec4::new(s.y, u.y, -forward.y, 0.0),
        Vec4::new(s.z, u.z, -forward.z, 0.0),
        Vec4::new(-s.dot(eye), -u.dot(eye), forward.dot(eye), 1.0),
    )
}

/// Right-handed perspective projection with depth mapped to 0..1 (WebGPU/wgpu), Y up in NDC.
/// View-space z = −near maps to depth 0 and z = −far to depth 1.
pub fn perspective_rh_zo(vfov_rad: f32, aspect: f32, near_m: f32, far_m: f32) -> Mat4 {
    let f = 1.0 / (0.5 * vfov_rad).tan();
    let r = far_m / (near_m - far_m);
    Mat4::from_cols(
        Vec4::new(f / aspect, 0.0, 0.0, 0.0),
        Vec4::new(0.0, f, 0.0, 0.0),
        Vec4::new(0.0, 0.0, r, -1.0),
        Vec4::new(0.0, 0.0, r * near_m, 0.0),
    )
}

/// Extra room around the bounding sphere when framing: 5 %, so highlights at the silhouette are
/// not cut by the canvas edge.
pub const FRAMING_MARGIN: f32 = 1.05;

/// Distance from the bounds centre at which the bounding sphere fits the narrower of the vertical
/// and horizontal fields of view, times [`FRAMING_MARGIN`].
///
/// Degenerate input never gives NaN: empty bounds count as a 1 mm sphere, the field of view is
/// clamped to 1°..179° and a non-positive aspect counts as 1.
pub fn framing_radius_m(bounds: &Aabb, vfov_rad: f32, aspect: f32) -> f32 {
    let mut radius_m = bounds.bounding_radius();
    if !radius_m.is_finite() || radius_m <= 0.0 {
        radius_m = 0.001;
    }
    let vfov = if vfov_rad.is_finite() {
        vfov_rad.clamp(1f32.to_radians(), 179f32.to_radians())
    } else {
        45f32.to_radians()
    };
    let aspect = if aspect.is_finite() && aspect > 0.0 {
        aspect
    } else {
        1.0
    };
    let half_v = 0.5 * vfov;
    let half_h = ((0.5 * vfov).tan() * aspect).atan();
    // A sphere of radius r seen from distance D subtends asin(r/D), not atan(r/D).
    radius_m * FRAMING_MARGIN / half_v.min(half_h).sin()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f32, b: f32) -> bool {
        (a - b).abs() < 1e-5
    }

    #[test]
    fn parses_model_viewer_orbits() {
        let o: Orbit = "0deg 75deg 0.1m".parse().unwrap();
        assert!(close(o.theta_rad, 0.0));
        assert!(close(o.phi_rad, 75f32.to_radians()));
        assert_eq!(o.radius_m, Some(0.1));

        let o: Orbit = "30deg 60deg auto".parse().unwrap();
        assert!(close(o.theta_rad, 30f32.to_radians()));
        assert_eq!(o.radius_m, None);

        let o: Orbit = " 0.5rad  1  25cm ".parse().unwrap();
        assert!(close(o.theta_rad, 0.5) && close(o.phi_rad, 1.0));
        assert!(close(o.radius_m.unwrap(), 0.25));

        let o: Orbit = "-45deg auto 150mm".parse().unwrap();
        assert!(close(o.theta_rad, -45f32.to_radians()));
        assert!(close(o.phi_rad, Orbit::DEFAULT.phi_rad));
        assert!(close(o.radius_m.unwrap(), 0.15));

        let o: Orbit = "10deg".parse().unwrap();
        assert_eq!(o.radius_m, None);
        let o: Orbit = "0 1 1e-1".parse().unwrap();
        assert!(close(o.radius_m.unwrap(), 0.1));
    }

    #[test]
    fn rejects_bad_orbits_with_reasons() {
        assert!(matches!(
            "".parse::<Orbit>(),
            Err(OrbitParseError::WrongCount { found: 0, .. })
        ));
        assert!(matches!(
            "1 2 3 4".parse::<Orbit>(),
            Err(OrbitParseError::WrongCount { found: 4, .. })
        ));
        assert!(matches!(
            "0m 75deg auto".parse::<Orbit>(),
            Err(OrbitParseError::BadUnit { .. })
        ));
        assert!(matches!(
            "0deg 75deg 3deg".parse::<Orbit>(),
            Err(OrbitParseError::BadUnit { .. })
        ));
        assert!(matches!(
            "0deg 75deg 105%".parse::<Orbit>(),
            Err(OrbitParseError::PercentRadius { .. })
        ));
        assert!(matches!(
            "0deg 75deg -1m".parse::<Orbit>(),
            Err(OrbitParseError::NegativeRadius { .. })
        ));
        assert!(matches!(
            "xdeg 75deg 1m".parse::<Orbit>(),
            Err(OrbitParseError::BadNumber { .. })
        ));
        assert!(matches!(
            "NaNdeg 75deg 1m".parse::<Orbit>(),
            Err(OrbitParseError::BadNumber { .. })
        ));
        let msg = "0deg 75deg 105%".parse::<Orbit>().unwrap_err().to_string();
        assert!(msg.contains("105%") && msg.contains("auto"), "{msg}");
    }

    #[test]
    fn parses_targets() {
        assert_eq!(
            parse_target("0 0.01 -2").unwrap(),
            Vec3::new(0.0, 0.01, -2.0)
        );
        let t = parse_target("10mm 2cm 0.5m").unwrap();
        assert!((t - Vec3::new(0.01, 0.02, 0.5)).length() < 1e-7);
        assert!(parse_target("1 2").is_err());
        assert!(parse_target("1deg 2 3").is_err());
        assert!(parse_target("auto").is_err());
        assert_eq!(parse_target_or_auto("auto").unwrap(), None);
    }

    #[test]
    fn eye_follows_spherical_convention() {
        let t = Vec3::new(1.0, 2.0, 3.0);
        let e = eye(0.0, PI / 2.0, 2.0, t);
        assert!((e - (t + Vec3::new(0.0, 0.0, 2.0))).length() < 1e-5);
        let e = eye(PI / 2.0, PI / 2.0, 1.0, Vec3::ZERO);
        assert!((e - Vec3::X).length() < 1e-5);
        let e = eye(0.3, 0.0, 1.0, Vec3::ZERO);
        assert!((e - Vec3::Y).length() < 1e-6);
    }

    #[test]
    fn view_maps_target_ahead_and_up_up() {
        let target = Vec3::new(0.0, 0.1, 0.0);
        let e = eye(0.7, 1.1, 0.5, target);
        let v = view_from_world(e, target);
        let t_view = v.transform_point3(target);
        assert!(t_view.truncate().length() < 1e-5);
        assert!((t_view.z + 0.5).abs() < 1e-5);
        let above = v.transform_point3(target + Vec3::Y * 0.1);
        assert!(above.y > 0.0);
    }

    #[test]
    fn view_is_finite_looking_straight_down_and_up() {
        for (e, expect_up_world) in [(Vec3::Y, Vec3::NEG_Z), (Vec3::NEG_Y, Vec3::Z)] {
            let v = view_from_world(e, Vec3::ZERO);
            assert!(v.is_finite());
            let t = v.transform_point3(Vec3::ZERO);
            assert!((t - Vec3::new(0.0, 0.0, -1.0)).length() < 1e-6);
            // The up hint shows up on screen as +Y.
            let up = v.transform_vector3(expect_up_world);
            assert!((up - Vec3::Y).length() < 1e-6);
        }
        // Continuity with a near-vertical orbit at θ = 0.
        let near = view_from_world(eye(0.0, 1e-2, 1.0, Vec3::ZERO), Vec3::ZERO);
        let exact = view_from_world(Vec3::Y, Vec3::ZERO);
        assert!(near.abs_diff_eq(exact, 2e-2));
        assert!(view_from_world(Vec3::ONE, Vec3::ONE).is_finite());
    }

    #[test]
    fn perspective_maps_near_and_far_to_zero_and_one() {
        let p = perspective_rh_zo(1.0, 1.5, 0.1, 10.0);
        assert!(p.project_point3(Vec3::new(0.0, 0.0, -0.1)).z.abs() < 1e-6);
        assert!((p.project_point3(Vec3::new(0.0, 0.0, -10.0)).z - 1.0).abs() < 1e-5);
        let top = p.project_point3(Vec3::new(0.0, 0.5f32.tan(), -1.0));
        assert!((top.y - 1.0).abs() < 1e-5);
    }

    #[test]
    fn framing_fits_sphere_in_narrow_fov() {
        let b = Aabb::from_points([Vec3::splat(-0.01), Vec3::splat(0.01)]);
        let r = b.bounding_radius();
        let vfov = 45f32.to_radians();
        let d = framing_radius_m(&b, vfov, 2.0);
        // Landscape: vertical is the narrow one.
        assert!((r / d - (vfov / 2.0).sin() / FRAMING_MARGIN).abs() < 1e-6);
        // Portrait: the horizontal fov is narrower, so the camera must back off.
        let d_portrait = framing_radius_m(&b, vfov, 0.5);
        assert!(d_portrait > d * 1.5);
        let half_h = ((vfov / 2.0).tan() * 0.5).atan();
        assert!((r * FRAMING_MARGIN / d_portrait - half_h.sin()).abs() < 1e-6);
        let degenerate = framing_radius_m(&Aabb::EMPTY, f32::NAN, 0.0);
        assert!(degenerate.is_finite() && degenerate > 0.0);
    }
}
