//! Smooth dielectric interfaces: exact unpolarised Fresnel reflectance, Snell refraction and the
//! critical angle. Shared by the CPU reference tracer and mirrored line for line in `gem.wgsl`.

use glam::DVec3;

/// Unpolarised Fresnel reflectance (the mean of the s and p powers) for light arriving at
/// `cos_incident` (0..1, against the surface normal) with `eta = n_incident / n_transmitted`.
/// Returns 1 beyond the critical angle (total internal reflection).
pub fn reflectance(cos_incident: f64, eta: f64) -> f64 {
    let cos_i = cos_incident.clamp(0.0, 1.0);
    let sin2_t = eta * eta * (1.0 - cos_i * cos_i);
    if sin2_t >= 1.0 {
        return 1.0;
    }
    let cos_t = (1.0 - sin2_t).sqrt();
    let rs = (eta * cos_i - cos_t) / (eta * cos_i + cos_t);
    let rp = (cos_i - eta * cos_t) / (cos_i + eta * cos_t);
    0.5 * (rs * rs + rp * rp)
}

/// The share of diffuse light inside a medium of index `ior` (isotropic radiance, so arriving
/// at a facet cosine-weighted) that leaves through the facet it meets rather than reflecting:
/// `∫ (1 − R(θ)) 2 sin θ cos θ dθ` over the hemisphere, which is `(1 − R̄) / ior²` with `R̄`
/// the outside's hemispherical reflectance. Diamond lets 13.5 % out per hit.
pub fn diffuse_escape_probability(ior: f64) -> f64 {
    // With u = sin²θ the cosine-weighted hemisphere is uniform in u.
    const STEPS: usize = 1024;
    let ior = ior.max(1.0);
    (0..STEPS)
        .map(|i| {
            let u = (i as f64 + 0.5) / STEPS as f64;
            1.0 - reflectance((1.0 - u).sqrt(), ior)
        })
        .sum::<f64>()
        / STEPS as f64
}

/// The refracted direction of unit `d` through a surface with unit normal `n` facing against
/// `d` (`n · d < 0`), `eta = n_incident / n_transmitted`; `None` under total internal reflection.
pub fn refract(d: DVec3, n: DVec3, eta: f64) -> Option<DVec3> {
    let cos_i = -n.dot(d);
    let sin2_t = eta * eta * (1.0 - cos_i * cos_i);
    if sin2_t >= 1.0 {
        return None;
    }
    let cos_t = (1.0 - sin2_t).sqrt();
    Some((d * eta + n * (eta * cos_i - cos_t)).normalize())
}

/// Mirror direction of `d` about the plane with unit normal `n` (either orientation).
pub fn reflect(d: DVec3, n: DVec3) -> DVec3 {
    d - n * (2.0 * d.dot(n))
}

/// Angle of incidence, inside a medium of index `ior` facing air, beyond which all light is
/// reflected: asin(1 / ior).
pub fn critical_angle_rad(ior: f64) -> f64 {
    (1.0 / ior).clamp(-1.0, 1.0).asin()
}

#[cfg(test)]
mod tests {
    use super::*;

    const DIAMOND: f64 = 2.4175;

    #[test]
    fn diffuse_light_escapes_as_reciprocity_says() {
        // From outside, cosine-weighted over θ: what enters is 1 − R̄. Reciprocity: what leaves
        // from inside is that over ior², the rest being held by total internal reflection.
        let entering = |ior: f64| {
            let steps = 4000;
            let step = std::f64::consts::FRAC_PI_2 / steps as f64;
            (0..steps)
                .map(|i| {
                    let theta = (i as f64 + 0.5) * step;
                    (1.0 - reflectance(theta.cos(), 1.0 / ior)) * 2.0 * theta.sin() * theta.cos()
                })
                .sum::<f64>()
                * step
        };
        for ior in [1.0, 1.5, 1.768, DIAMOND] {
            let escape = diffuse_escape_probability(ior);
            let expected = entering(ior) / (ior * ior);
            assert!(
                (escape - expected).abs() < 1e-4,
                "{ior}: {escape} vs {expected}"
            );
        }
        assert!((diffuse_escape_probability(1.0) - 1.0).abs() < 1e-12);
        let diamond = diffuse_escape_probability(DIAMOND);
        assert!((0.13..0.14).contains(&diamond), "{diamond}");
    }

    #[test]
    fn diamond_reflects_17_2_percent_at_normal_incidence() {
        let r = reflectance(1.0, 1.0 / DIAMOND);
        assert!((r - 0.172).abs() < 0.0005, "{r}");
        // Normal incidence is symmetric: the same from inside.
        assert!((reflectance(1.0, DIAMOND) - r).abs() < 1e-12);
    }

    #[test]
    fn diamond_critical_angle_is_24_4_degrees() {
        let critical = critical_angle_rad(DIAMOND).to_degrees();
        assert!((critical - 24.4).abs() < 0.05, "{critical}");
        let just_below = (critical - 0.1).to_radians().cos();
        let just_above = (critical + 0.1).to_radians().cos();
        assert!(reflectance(just_below, DIAMOND) < 1.0);
        assert_eq!(reflectance(just_above, DIAMOND), 1.0);
        let d = DVec3::new(
            (critical + 0.1).to_radians().sin(),
            0.0,
            -(critical + 0.1).to_radians().cos(),
        );
        assert!(refract(d, DVec3::Z, DIAMOND).is_none());
    }

    #[test]
    fn reflectance_rises_to_one_at_grazing_incidence_from_air() {
        let mut last = reflectance(1.0, 1.0 / 1.5);
        for deg in (5..90).step_by(5) {
            let r = reflectance((deg as f64).to_radians().cos(), 1.0 / 1.5);
            // p-polarised light dips towards Brewster's angle, so the mean may dip slightly.
            assert!(r > last - 0.01, "{deg}°: {r} after {last}");
            last = r;
        }
        assert!((reflectance(0.0, 1.0 / 1.5) - 1.0).abs() < 1e-9);
    }

    #[test]
    fn refraction_obeys_snell() {
        let theta_i = 40f64.to_radians();
        let d = DVec3::new(theta_i.sin(), 0.0, -theta_i.cos());
        let t = refract(d, DVec3::Z, 1.0 / DIAMOND).unwrap();
        let sin_t = t.x;
        assert!((theta_i.sin() - DIAMOND * sin_t).abs() < 1e-12);
        assert!((t.length() - 1.0).abs() < 1e-12);
        assert!(t.z < 0.0);
    }

    #[test]
    fn reflection_keeps_the_tangent_and_flips_the_normal_part() {
        let d = DVec3::new(0.6, 0.0, -0.8);
        assert!((reflect(d, DVec3::Z) - DVec3::new(0.6, 0.0, 0.8)).length() < 1e-12);
        assert!((reflect(d, -DVec3::Z) - DVec3::new(0.6, 0.0, 0.8)).length() < 1e-12);
    }
}
