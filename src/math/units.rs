//! Length units. glTF models are in metres; jewellers think in millimetres.

/// Millimetres in one metre.
pub const MM_PER_M: f32 = 1000.0;

/// Metres to millimetres.
pub fn m_to_mm(m: f32) -> f32 {
    m * MM_PER_M
}

/// Millimetres to metres.
pub fn mm_to_m(mm: f32) -> f32 {
    mm / MM_PER_M
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_ring_size() {
        // US 7 inner diameter.
        assert!((m_to_mm(0.01735) - 17.35).abs() < 1e-4);
        assert!((mm_to_m(17.35) - 0.01735).abs() < 1e-8);
        assert!((m_to_mm(mm_to_m(6.5)) - 6.5).abs() < 1e-5);
    }
}
