//! The One Euro filter (Casiez, Roussel & Vogel, CHI 2012): a low-pass filter whose cutoff rises
//! with speed, so a still hand does not jitter and a moving one does not lag. One per landmark
//! coordinate; time comes from the camera frame, not the clock.

use std::f32::consts::TAU;

/// Tuning: `min_cutoff_hz` sets the smoothing at rest, `beta` how fast the cutoff rises with
/// speed (per unit of the signal per second), `derivative_cutoff_hz` smooths the speed itself.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct OneEuroParams {
    pub min_cutoff_hz: f32,
    pub beta: f32,
    pub derivative_cutoff_hz: f32,
}

impl OneEuroParams {
    /// For hand landmarks in pixels at 30 fps: firm at rest, following a hand that moves.
    pub const LANDMARKS_PX: OneEuroParams = OneEuroParams {
        min_cutoff_hz: 1.0,
        beta: 0.05,
        derivative_cutoff_hz: 1.0,
    };
}

/// One filtered scalar.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct OneEuro {
    params: OneEuroParams,
    state: Option<State>,
}

#[derive(Clone, Copy, Debug, PartialEq)]
struct State {
    value: f32,
    derivative: f32,
    time_s: f64,
}

pub(crate) fn smoothing(cutoff_hz: f32, dt_s: f32) -> f32 {
    let tau = 1.0 / (TAU * cutoff_hz.max(1e-6));
    1.0 / (1.0 + tau / dt_s)
}

impl OneEuro {
    pub fn new(params: OneEuroParams) -> Self {
        Self {
            params,
            state: None,
        }
    }

    /// Filters `value` sampled at `time_s`. The first sample, a sample not later than the last,
    /// or one after a gap over a second (tracking was lost) restarts the filter.
    pub fn filter(&mut self, value: f32, time_s: f64) -> f32 {
        let Some(s) = self.state else {
            return self.restart(value, time_s);
        };
        let dt = (time_s - s.time_s) as f32;
        if !(dt > 0.0 && dt <= 1.0 && value.is_finite()) {
            return self.restart(value, time_s);
        }
        let raw_derivative = (value - s.value) / dt;
        let a_d = smoothing(self.params.derivative_cutoff_hz, dt);
        let derivative = s.derivative + a_d * (raw_derivative - s.derivative);
        let cutoff = self.params.min_cutoff_hz + self.params.beta * derivative.abs();
        let a = smoothing(cutoff, dt);
        let filtered = s.value + a * (value - s.value);
        self.state = Some(State {
            value: filtered,
            derivative,
            time_s,
        });
        filtered
    }

    fn restart(&mut self, value: f32, time_s: f64) -> f32 {
        self.state = value.is_finite().then_some(State {
            value,
            derivative: 0.0,
            time_s,
        });
        value
    }

    pub fn reset(&mut self) {
        self.state = None;
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A deterministic jitter in ±1, one sequence per `salt`.
    pub(crate) fn noise(i: usize, salt: u32) -> f32 {
        let h = (i as u32 ^ salt).wrapping_mul(0x9e37_79b9).rotate_left(13) ^ 0x5bd1_e995;
        (h % 2001) as f32 / 1000.0 - 1.0
    }

    #[test]
    fn a_still_point_jitters_far_less() {
        let mut f = OneEuro::new(OneEuroParams::LANDMARKS_PX);
        let (mut raw, mut out) = (0.0, 0.0);
        for i in 0..300 {
            let v = 100.0 + noise(i, 0);
            let y = f.filter(v, i as f64 / 30.0);
            if i >= 60 {
                raw += (v - 100.0) * (v - 100.0);
                out += (y - 100.0) * (y - 100.0);
            }
        }
        let (raw, out) = ((raw / 240.0f32).sqrt(), (out / 240.0f32).sqrt());
        // ±1 px of jitter (0.56 px RMS) comes out at about a third.
        assert!(out < 0.4 * raw, "rms jitter {raw} → {out}");
    }

    #[test]
    fn a_moving_point_is_followed_closely() {
        // 300 px/s, a quick hand: the filter opens up and lags by only a few pixels.
        let mut f = OneEuro::new(OneEuroParams::LANDMARKS_PX);
        let mut lag: f32 = 0.0;
        for i in 0..60 {
            let t = i as f64 / 30.0;
            let v = 300.0 * t as f32;
            let y = f.filter(v, t);
            if i > 15 {
                lag = lag.max(v - y);
            }
        }
        assert!(lag < 12.0, "lag {lag} px");
    }

    #[test]
    fn restarts_after_a_gap_or_time_going_back() {
        let mut f = OneEuro::new(OneEuroParams::LANDMARKS_PX);
        f.filter(0.0, 0.0);
        f.filter(0.0, 0.033);
        assert_eq!(
            f.filter(500.0, 2.0),
            500.0,
            "after a 2 s gap the new position is taken"
        );
        assert_eq!(f.filter(10.0, 1.0), 10.0, "time going back restarts");
        assert!(f.filter(f32::NAN, 1.1).is_nan());
        assert_eq!(
            f.filter(7.0, 1.13),
            7.0,
            "a NaN sample leaves nothing behind"
        );
    }
}
