//! One-dimensional searches the builders share: where a monotone condition stops holding.

/// Bisects `lo..hi`, where `holds(lo)` is true and `holds(hi)` false, `iterations` times, and
/// returns the final bracket `(lo, hi)`.
pub(crate) fn bisect(
    mut lo: f64,
    mut hi: f64,
    iterations: u32,
    holds: impl Fn(f64) -> bool,
) -> (f64, f64) {
    for _ in 0..iterations {
        let mid = 0.5 * (lo + hi);
        if holds(mid) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    (lo, hi)
}

/// From 0 outwards: doubles an upper bound from 1 while `holds` (stopping once it passes
/// `limit`), then bisects 48 times. Returns the bracket `(lo, hi)` around where `holds` stops.
pub(crate) fn outwards(limit: f64, holds: impl Fn(f64) -> bool) -> (f64, f64) {
    let mut hi = 1.0;
    while holds(hi) && hi < limit {
        hi *= 2.0;
    }
    bisect(0.0, hi, 48, holds)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_where_a_condition_stops() {
        let (lo, hi) = outwards(f64::INFINITY, |x| x * x < 10.0);
        assert!(lo * lo < 10.0 && hi * hi >= 10.0 && hi - lo < 1e-12);
        let (_, hi) = bisect(0.0, 1.0, 60, |x| x < 0.25);
        assert!((hi - 0.25).abs() < 1e-15);
        // The limit stops the expansion even when the condition never fails.
        let (_, hi) = outwards(100.0, |_| true);
        assert_eq!(hi, 128.0);
    }
}
