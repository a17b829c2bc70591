//! The one "parameter out of range" error every builder gives, so each message names the
//! parameter and its valid range the same way.

/// A parameter outside its valid range.
#[derive(Clone, Copy, Debug, PartialEq, thiserror::Error)]
#[error("{parameter} = {value} is outside the valid range {min}..={max}")]
pub struct OutOfRange {
    /// The parameter's name, as in the struct field or CLI option.
    pub parameter: &'static str,
    /// The rejected value.
    pub value: f64,
    /// Smallest valid value.
    pub min: f64,
    /// Largest valid value.
    pub max: f64,
}

/// `Ok` when `value` is finite and within `min..=max`, else an error naming `parameter`.
pub fn check_range(
    parameter: &'static str,
    value: f64,
    min: f64,
    max: f64,
) -> Result<(), OutOfRange> {
    if value.is_finite() && (min..=max).contains(&value) {
        Ok(())
    } else {
        Err(OutOfRange {
            parameter,
            value,
            min,
            max,
        })
    }
}
