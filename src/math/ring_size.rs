//! Ring sizes: every national system maps to the ring's inner diameter in millimetres.
//!
//! Systems and where their numbers come from:
//!
//! - **ISO / EU** (ISO 8653): the size *is* the inner circumference in mm. The standard's ring stick
//!   runs from 41 to 76, so those whole sizes are the defined ones. France, Germany, Austria and
//!   Scandinavia use the same numbers, hence EU = ISO.
//! - **CH** (Switzerland; also Italy and Spain): inner circumference − 40 mm, so CH 12 = ISO 52;
//!   whole sizes 1–36 (ISO 41–76).
//! - **US** / Canada: inner diameter = 0.458 in + 0.032 in per size = 11.63 mm + 0.8128 mm × size
//!   (the 0.458 in of size 0 rounds to 11.63 mm; we use 11.63 exactly, so US 7 = 17.3196 mm);
//!   quarter sizes 0–16.
//! - **UK** / Australia / Ireland / NZ (BS 6820:1987, the "wheat sheaf" scale): letters A–Z with
//!   half sizes, C = 40.00 mm circumference and 1.25 mm per letter (so A = 37.50 mm, N½ = 54.375
//!   mm), continuing past Z as Z+1 … Z+6 in whole-letter steps, as UK jewellers write it.
//! - **JP** (Japanese 号 ring gauge): size 1 = 13.0 mm inner diameter and 1/3 mm more per size,
//!   sizes 1–30 (as described e.g. by edgarlowen.com's ring size reference: "one division being one
//!   third of a millimeter, starting with size 1 at 13 mm inside diameter").
//! - **IN** (India): no formula; the circumference table Indian jewellers publish (e.g. the charts
//!   at duhafinejewellery.com and ellistonjewelry.in, which agree), sizes 1–30 — see [`IN_CIRC_MM`].
//!
//! Formula systems (US, ISO, EU, CH) accept any value in their range, e.g. `us:7.3`; the table
//! systems (UK, JP, IN) accept only their defined labels, because interpolating a table invents
//! sizes no jeweller stocks. [`nearest`] always answers with a defined size.

use std::f64::consts::PI;
use std::fmt;
use std::str::FromStr;

/// A national or international ring-size system.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SizeSystem {
    /// US and Canada: numbers with quarter sizes, 0–16.
    Us,
    /// UK, Ireland, Australia, New Zealand: letters with halves, A–Z then Z+1…Z+6.
    Uk,
    /// Continental Europe: the inner circumference in mm (the same numbers as ISO).
    Eu,
    /// ISO 8653: the inner circumference in mm, 41–76.
    Iso,
    /// Japan: 1–30.
    Jp,
    /// Switzerland, Italy, Spain: circumference − 40 mm, 1–36.
    Ch,
    /// India: 1–30.
    In,
}

impl SizeSystem {
    /// Every system, in the order used by [`all_systems`] and [`sizes_json`].
    pub const ALL: [SizeSystem; 7] = [
        SizeSystem::Us,
        SizeSystem::Uk,
        SizeSystem::Eu,
        SizeSystem::Iso,
        SizeSystem::Jp,
        SizeSystem::Ch,
        SizeSystem::In,
    ];

    /// The short lower-case name used in specs such as `us:7`.
    pub fn key(self) -> &'static str {
        match self {
            SizeSystem::Us => "us",
            SizeSystem::Uk => "uk",
            SizeSystem::Eu => "eu",
            SizeSystem::Iso => "iso",
            SizeSystem::Jp => "jp",
            SizeSystem::Ch => "ch",
            SizeSystem::In => "in",
        }
    }

    /// Inner diameter, mm, between one size and the next whole size (for India, the chart's
    /// mean step).
    pub fn diameter_mm_per_size(self) -> f32 {
        let per = match self {
            SizeSystem::Us => US_STEP_MM,
            SizeSystem::Uk => 2.0 * UK_HALF_STEP_CIRC_MM / PI,
            SizeSystem::Eu | SizeSystem::Iso | SizeSystem::Ch => 1.0 / PI,
            SizeSystem::Jp => JP_STEP_MM,
            SizeSystem::In => (IN_CIRC_MM[29] - IN_CIRC_MM[0]) / 29.0 / PI,
        };
        per as f32
    }

    /// The finest step of the system's defined sizes, in sizes.
    pub fn finest_step(self) -> f32 {
        match self {
            SizeSystem::Us => 0.25,
            SizeSystem::Uk => 0.5,
            _ => 1.0,
        }
    }

    /// A measurement's uncertainty in this system's sizes: two standard deviations of the inner
    /// diameter, rounded up to the finest step and at least one step ("US 6½ ± 0.5").
    pub fn uncertainty_sizes(self, sigma_mm: f32) -> f32 {
        let step = self.finest_step();
        let sizes = 2.0 * sigma_mm.max(0.0) / self.diameter_mm_per_size();
        ((sizes / step).ceil() * step).max(step)
    }
}

impl fmt::Display for SizeSystem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

impl FromStr for SizeSystem {
    type Err = SizeError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let key = s.trim().to_ascii_lowercase();
        SizeSystem::ALL
            .into_iter()
            .find(|system| system.key() == key)
            .ok_or_else(|| SizeError::UnknownSystem(s.to_string()))
    }
}

/// Why a ring size or diameter was rejected.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum SizeError {
    /// The system name is not one of `us uk eu iso jp ch in`.
    #[error("unknown ring-size system {0:?}; use one of us, uk, eu, iso, jp, ch, in")]
    UnknownSystem(String),
    /// A spec without the `system:` prefix.
    #[error("ring size {0:?} needs a system prefix, e.g. \"us:7\", \"uk:N½\" or \"eu:54\"")]
    MissingSystem(String),
    /// The label does not read as a size of that system.
    #[error("{label:?} is not a {system} ring size ({expected})")]
    BadLabel {
        /// The system asked for.
        system: SizeSystem,
        /// The offending label.
        label: String,
        /// What that system's labels look like.
        expected: &'static str,
    },
    /// The label reads as a number but lies outside the system's range.
    #[error("{system} size {label:?} is outside the defined range {range}")]
    OutOfRange {
        /// The system asked for.
        system: SizeSystem,
        /// The offending label.
        label: String,
        /// The defined range, in words.
        range: &'static str,
    },
    /// A diameter that is NaN, infinite, zero or negative.
    #[error("inner diameter {0} mm is not a finite positive length")]
    BadDiameter(f32),
}

/// A ring size as written in one system, e.g. US "7.25" or UK "N½".
#[derive(Clone, Debug, PartialEq)]
pub struct RingSize {
    /// The system the label belongs to.
    pub system: SizeSystem,
    /// The canonical label: "7", "7.25", "N½", "Z+1", "54".
    pub label: String,
}

impl RingSize {
    /// The inner diameter of this size in mm.
    pub fn inner_diameter_mm(&self) -> Result<f32, SizeError> {
        inner_diameter_mm(self.system, &self.label)
    }
}

impl fmt::Display for RingSize {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.system, self.label)
    }
}

impl FromStr for RingSize {
    type Err = SizeError;

    /// Parses a spec such as `us:7`, `uk:N1/2` or `eu:54` (see [`parse_spec`]).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (system, label) = parse_spec(s)?;
        Ok(RingSize { system, label })
    }
}

/// The defined size of a system nearest to a measured inner diameter.
#[derive(Clone, Debug, PartialEq)]
pub struct Nearest {
    /// The canonical label of the nearest defined size.
    pub label: String,
    /// That size's inner diameter in mm.
    pub inner_diameter_mm: f32,
    /// Signed: the size's inner diameter minus the measured one, in mm (positive: the ring is
    /// looser than the measurement).
    pub distance_mm: f32,
}

/// US size 0 inner diameter (0.458 in, rounded as usually published).
const US_ZERO_MM: f64 = 11.63;
/// US: one whole size is 0.032 in of diameter.
const US_STEP_MM: f64 = 0.8128;
/// BS 6820: size C is 40.00 mm around, 1.25 mm per letter, so A (two letters below C) is 37.50.
const UK_A_CIRC_MM: f64 = 40.0 - 2.0 * 1.25;
/// BS 6820: circumference added per half size.
const UK_HALF_STEP_CIRC_MM: f64 = 0.625;
/// Half-size steps from A: Z is letter 25, so 50; Z+6 adds six whole letters.
const UK_LAST_HALF_STEP: u32 = 50 + 12;
/// Japanese size 1 inner diameter.
const JP_ONE_MM: f64 = 13.0;
/// Japanese: diameter added per size.
const JP_STEP_MM: f64 = 1.0 / 3.0;
/// ISO 8653 ring stick range.
const ISO_MIN: f64 = 41.0;
const ISO_MAX: f64 = 76.0;
/// Swiss size = ISO − 40.
const CH_OFFSET_MM: f64 = 40.0;

/// India, sizes 1–30: inner circumference in mm, as published in Indian jewellers' size charts
/// (duhafinejewellery.com "Sizing Chart" and ellistonjewelry.in "Ring Size Guide" give the same
/// values). The steps are uneven because the chart was laid on US quarter sizes.
const IN_CIRC_MM: [f64; 30] = [
    41.0, 41.7, 42.9, 44.1, 44.8, 46.1, 47.4, 48.0, 48.7, 50.0, // 1–10
    51.2, 51.9, 53.1, 54.4, 55.1, 56.3, 57.0, 58.3, 58.9, 60.2, // 11–20
    60.8, 62.1, 62.7, 64.0, 64.6, 65.9, 67.2, 67.8, 69.1, 69.7, // 21–30
];

/// Inner diameter in mm of a size label in a system.
///
/// Formula systems (US 0–16, ISO/EU 41–76, CH 1–36) accept any number in range, with `½ ¼ ¾`,
/// `1/2`-style fractions or a decimal comma; UK, JP and IN accept only defined labels.
pub fn inner_diameter_mm(system: SizeSystem, label: &str) -> Result<f32, SizeError> {
    resolve(system, label).map(|(_, d)| d as f32)
}

/// Parses `system:label` (e.g. `us:7`, `uk:N½`, `uk:N1/2`, `eu:54`) and returns the system with the
/// label in canonical form (`uk:n 1/2` → `(Uk, "N½")`). The label is checked, so `us:abc` and
/// `us:99` are errors.
pub fn parse_spec(s: &str) -> Result<(SizeSystem, String), SizeError> {
    let Some((system, label)) = s.split_once(':') else {
        return Err(SizeError::MissingSystem(s.to_string()));
    };
    let system: SizeSystem = system.parse()?;
    let (label, _) = resolve(system, label)?;
    Ok((system, label))
}

/// The nearest defined size of `system` to a measured inner diameter.
///
/// Defined sizes: US quarter sizes 0–16, UK A…Z+6 with halves, ISO/EU 41–76, CH 1–36, JP 1–30,
/// IN 1–30. A diameter beyond a system's range answers with its end size and a large distance.
pub fn nearest(system: SizeSystem, inner_diameter_mm: f32) -> Result<Nearest, SizeError> {
    let measured = check_diameter(inner_diameter_mm)?;
    let mut best: Option<(String, f64)> = None;
    for (label, d) in defined_sizes_f64(system) {
        let closer = match &best {
            Some((_, best_d)) => (d - measured).abs() < (best_d - measured).abs(),
            None => true,
        };
        if closer {
            best = Some((label, d));
        }
    }
    // Every system has at least one defined size, so `best` is always set; stay panic-free anyway.
    let (label, d) = best.ok_or(SizeError::BadDiameter(inner_diameter_mm))?;
    Ok(Nearest {
        label,
        inner_diameter_mm: d as f32,
        distance_mm: (d - measured) as f32,
    })
}

/// The nearest size in every system, in [`SizeSystem::ALL`] order.
pub fn all_systems(inner_diameter_mm: f32) -> Result<Vec<(SizeSystem, Nearest)>, SizeError> {
    SizeSystem::ALL
        .into_iter()
        .map(|system| nearest(system, inner_diameter_mm).map(|n| (system, n)))
        .collect()
}

/// Every defined size of a system with its inner diameter in mm, smallest first.
pub fn defined_sizes(system: SizeSystem) -> Vec<(String, f32)> {
    defined_sizes_f64(system)
        .into_iter()
        .map(|(label, d)| (label, d as f32))
        .collect()
}

/// One JSON object with the diameter, the circumference and the nearest size in every system:
///
/// `{"inner_diameter_mm":17.32,"inner_circumference_mm":54.41,"sizes":{"us":{"size":"7",
/// "distance_mm":0.00},"uk":{…},"eu":{…},"iso":{…},"jp":{…},"ch":{…},"in":{…}}}`
///
/// Keys in that order, numbers with two decimals, `distance_mm` as in [`Nearest`]. A diameter that
/// is not finite and positive gives `{"error":"…"}` instead, so callers always get one object.
pub fn sizes_json(inner_diameter_mm: f32) -> String {
    let sizes = match all_systems(inner_diameter_mm) {
        Ok(sizes) => sizes,
        Err(e) => return format!("{{\"error\":{}}}", json_string(&e.to_string())),
    };
    let d = f64::from(inner_diameter_mm);
    let mut out = format!(
        "{{\"inner_diameter_mm\":{},\"inner_circumference_mm\":{},\"sizes\":{{",
        json_number(d),
        json_number(d * PI)
    );
    for (i, (system, n)) in sizes.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&format!(
            "{}:{{\"size\":{},\"distance_mm\":{}}}",
            json_string(system.key()),
            json_string(&n.label),
            json_number(f64::from(n.distance_mm))
        ));
    }
    out.push_str("}}");
    out
}

/// The nearest sizes as one JSON object of labels, `{"us": "7", "uk": "N½", …}`, in the order
/// given: the `ring_size` of `loupe measure-finger` and the `sizes` of the screen sizer.
pub fn labels_json(sizes: &[(SizeSystem, Nearest)]) -> String {
    let labels: Vec<String> = sizes
        .iter()
        .map(|(system, n)| format!("{}: {}", json_string(system.key()), json_string(&n.label)))
        .collect();
    format!("{{{}}}", labels.join(", "))
}

/// Two decimals, and never `-0.00` (a tiny negative distance rounds to zero, not minus zero).
fn json_number(x: f64) -> String {
    let s = format!("{x:.2}");
    if s == "-0.00" {
        "0.00".to_string()
    } else {
        s
    }
}

/// A JSON string literal with quotes, backslashes and control characters escaped.
pub(crate) fn json_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if u32::from(c) < 0x20 => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn check_diameter(inner_diameter_mm: f32) -> Result<f64, SizeError> {
    if inner_diameter_mm.is_finite() && inner_diameter_mm > 0.0 {
        Ok(f64::from(inner_diameter_mm))
    } else {
        Err(SizeError::BadDiameter(inner_diameter_mm))
    }
}

/// Canonical label and inner diameter (mm, f64) of a label.
fn resolve(system: SizeSystem, label: &str) -> Result<(String, f64), SizeError> {
    let bad = |expected: &'static str| SizeError::BadLabel {
        system,
        label: label.to_string(),
        expected,
    };
    let out_of_range = |range: &'static str| SizeError::OutOfRange {
        system,
        label: label.to_string(),
        range,
    };
    match system {
        SizeSystem::Us => {
            let size = parse_number(label).ok_or_else(|| bad("a number such as 7 or 7.25"))?;
            if !(0.0..=16.0).contains(&size) {
                return Err(out_of_range("0–16"));
            }
            Ok((format_number(size), us_diameter_mm(size)))
        }
        SizeSystem::Eu | SizeSystem::Iso => {
            let circ = parse_number(label).ok_or_else(|| bad("a circumference in mm, e.g. 54"))?;
            if !(ISO_MIN..=ISO_MAX).contains(&circ) {
                return Err(out_of_range("41–76"));
            }
            Ok((format_number(circ), circ / PI))
        }
        SizeSystem::Ch => {
            let size = parse_number(label).ok_or_else(|| bad("a number such as 14"))?;
            if !((ISO_MIN - CH_OFFSET_MM)..=(ISO_MAX - CH_OFFSET_MM)).contains(&size) {
                return Err(out_of_range("1–36"));
            }
            Ok((format_number(size), (size + CH_OFFSET_MM) / PI))
        }
        SizeSystem::Jp => {
            let n = parse_whole(label).ok_or_else(|| bad("a whole number such as 13"))?;
            if !(1..=30).contains(&n) {
                return Err(out_of_range("1–30"));
            }
            Ok((n.to_string(), jp_diameter_mm(n)))
        }
        SizeSystem::In => {
            let n = parse_whole(label).ok_or_else(|| bad("a whole number such as 14"))?;
            let circ = (n as usize)
                .checked_sub(1)
                .and_then(|i| IN_CIRC_MM.get(i))
                .ok_or_else(|| out_of_range("1–30"))?;
            Ok((n.to_string(), circ / PI))
        }
        SizeSystem::Uk => {
            let step = parse_uk(label)
                .ok_or_else(|| bad("a letter A–Z with an optional ½, or Z+1…Z+6"))?;
            if step > UK_LAST_HALF_STEP {
                return Err(out_of_range("A–Z+6"));
            }
            Ok((uk_label(step), uk_diameter_mm(step)))
        }
    }
}

fn defined_sizes_f64(system: SizeSystem) -> Vec<(String, f64)> {
    match system {
        SizeSystem::Us => (0..=64)
            .map(|q| {
                let size = f64::from(q) * 0.25;
                (format_number(size), us_diameter_mm(size))
            })
            .collect(),
        SizeSystem::Eu | SizeSystem::Iso => (41..=76)
            .map(|c| (c.to_string(), f64::from(c) / PI))
            .collect(),
        SizeSystem::Ch => (1..=36)
            .map(|n| (n.to_string(), (f64::from(n) + CH_OFFSET_MM) / PI))
            .collect(),
        SizeSystem::Jp => (1..=30)
            .map(|n| (n.to_string(), jp_diameter_mm(n)))
            .collect(),
        SizeSystem::In => IN_CIRC_MM
            .iter()
            .enumerate()
            .map(|(i, c)| ((i + 1).to_string(), c / PI))
            .collect(),
        SizeSystem::Uk => (0..=UK_LAST_HALF_STEP)
            .map(|step| (uk_label(step), uk_diameter_mm(step)))
            .collect(),
    }
}

fn us_diameter_mm(size: f64) -> f64 {
    US_ZERO_MM + US_STEP_MM * size
}

fn jp_diameter_mm(n: u32) -> f64 {
    JP_ONE_MM + JP_STEP_MM * f64::from(n - 1)
}

/// UK size as half steps above A (A = 0, A½ = 1, …, Z = 50, Z+1 = 52, …, Z+6 = 62).
fn uk_diameter_mm(half_steps: u32) -> f64 {
    (UK_A_CIRC_MM + UK_HALF_STEP_CIRC_MM * f64::from(half_steps)) / PI
}

fn uk_label(half_steps: u32) -> String {
    let whole = half_steps / 2;
    let half = if half_steps % 2 == 1 { "½" } else { "" };
    if whole <= 25 {
        // `whole` ≤ 25, so this is always a letter A–Z.
        let letter = char::from(b'A' + whole as u8);
        format!("{letter}{half}")
    } else {
        format!("Z+{}{half}", whole - 25)
    }
}

/// Reads `N`, `N½`, `N1/2`, `n 1/2`, `N.5`, `Z+1`, `Z+1½`, `Z+1 1/2` into half steps above A.
fn parse_uk(label: &str) -> Option<u32> {
    let mut s = label.trim().to_string();
    let mut half = 0;
    for suffix in ["½", "1/2", ".5"] {
        if let Some(rest) = s.strip_suffix(suffix) {
            s = rest.trim_end().to_string();
            half = 1;
            break;
        }
    }
    let mut chars = s.chars();
    let letter = chars.next()?.to_ascii_uppercase();
    if !letter.is_ascii_uppercase() {
        return None;
    }
    let rest: String = chars.collect::<String>().trim().to_string();
    let whole = u32::from(letter as u8 - b'A');
    if rest.is_empty() {
        return Some(whole * 2 + half);
    }
    // Only Z continues with "+n".
    let plus = rest.strip_prefix('+')?.trim();
    if letter != 'Z' || plus.is_empty() || !plus.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let extra: u32 = plus.parse().ok()?;
    if extra == 0 {
        return None;
    }
    // Large "+n" overflow is out of range, not a parse failure.
    Some(extra.saturating_mul(2).saturating_add(50 + half))
}

/// A whole number label, e.g. JP "13"; rejects fractions since those systems have none.
fn parse_whole(label: &str) -> Option<u32> {
    let s = label.trim();
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    // Very long digit strings overflow: treat as out of range rather than unreadable.
    Some(s.parse().unwrap_or(u32::MAX))
}

/// A plain decimal (`7`, `7.25`, `7,25`) optionally followed by a fraction (`7½`, `7 1/4`, `7¾`).
/// Only digits, one separator and those fractions are accepted, so `NaN`, `inf` and `1e3` are not.
fn parse_number(label: &str) -> Option<f64> {
    let s = label.trim();
    let (whole, fraction) = if let Some(rest) = s.strip_suffix('½') {
        (rest, 0.5)
    } else if let Some(rest) = s.strip_suffix('¼') {
        (rest, 0.25)
    } else if let Some(rest) = s.strip_suffix('¾') {
        (rest, 0.75)
    } else if let Some((whole, frac)) = s.rsplit_once(' ') {
        (whole, parse_simple_fraction(frac.trim())?)
    } else if s.contains('/') {
        ("0", parse_simple_fraction(s)?)
    } else {
        (s, 0.0)
    };
    let whole = whole.trim().replace(',', ".");
    if whole.is_empty() && fraction > 0.0 {
        return Some(fraction);
    }
    let digits_ok = !whole.is_empty()
        && whole.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        && whole.bytes().filter(|&b| b == b'.').count() <= 1
        && whole.bytes().any(|b| b.is_ascii_digit());
    if !digits_ok || (fraction > 0.0 && whole.contains('.')) {
        return None;
    }
    let value: f64 = whole.parse().ok()?;
    let value = value + fraction;
    value.is_finite().then_some(value)
}

fn parse_simple_fraction(s: &str) -> Option<f64> {
    match s {
        "1/4" => Some(0.25),
        "1/2" | "2/4" => Some(0.5),
        "3/4" => Some(0.75),
        _ => None,
    }
}

/// Shortest decimal form: 7 → "7", 7.25 → "7.25". Inputs are rounded to 1/1000 first so that a
/// parsed "7.1" does not print as "7.1000000000000005".
fn format_number(x: f64) -> String {
    let rounded = (x * 1000.0).round() / 1000.0;
    format!("{rounded}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(system: SizeSystem, label: &str) -> f32 {
        inner_diameter_mm(system, label).unwrap()
    }

    #[test]
    fn us_formula_reference_points() {
        // 11.63 mm + 0.8128 mm × 7 = 17.3196 mm; jewellers' charts print 17.32–17.35 for US 7
        // (e.g. Rio Grande's table: 0.683 in = 17.35 mm).
        let us7 = d(SizeSystem::Us, "7");
        assert!((us7 - 17.3196).abs() < 1e-4, "{us7}");
        assert!((17.31..=17.35).contains(&us7));
        assert!((d(SizeSystem::Us, "0") - 11.63).abs() < 1e-5);
        // US 16 = 11.63 + 16 × 0.8128 = 24.6348 mm.
        assert!((d(SizeSystem::Us, "16") - 24.6348).abs() < 1e-4);
        assert!((d(SizeSystem::Us, "7 1/2") - d(SizeSystem::Us, "7.5")).abs() < 1e-6);
        assert!((d(SizeSystem::Us, "7½") - (11.63 + 0.8128 * 7.5)).abs() < 1e-4);
    }

    #[test]
    fn iso_eu_ch_are_circumference() {
        // ISO 8653: size 54 is 54 mm around, 54/π = 17.189 mm across.
        assert!((d(SizeSystem::Iso, "54") - 17.1887).abs() < 1e-3);
        assert_eq!(d(SizeSystem::Eu, "54"), d(SizeSystem::Iso, "54"));
        // Swiss 12 = 52 mm around.
        assert!((d(SizeSystem::Ch, "12") * std::f32::consts::PI - 52.0).abs() < 1e-3);
    }

    #[test]
    fn uk_letters_follow_bs_6820() {
        // C = 40.00 mm circumference (BS 6820), A = 37.50, Z = 68.75, Z+6 = 76.25.
        let circ = |l: &str| d(SizeSystem::Uk, l) * std::f32::consts::PI;
        assert!((circ("C") - 40.0).abs() < 1e-3);
        assert!((circ("A") - 37.5).abs() < 1e-3);
        assert!((circ("N½") - 54.375).abs() < 1e-3);
        assert!((circ("Z") - 68.75).abs() < 1e-3);
        assert!((circ("Z+1") - 70.0).abs() < 1e-3);
        assert!((circ("Z+6") - 76.25).abs() < 1e-3);
        assert_eq!(
            parse_spec("uk:N1/2").unwrap(),
            (SizeSystem::Uk, "N½".to_string())
        );
        assert_eq!(
            parse_spec("uk:n 1/2").unwrap(),
            (SizeSystem::Uk, "N½".to_string())
        );
        assert_eq!(
            parse_spec("UK:z+1 1/2").unwrap(),
            (SizeSystem::Uk, "Z+1½".to_string())
        );
    }

    #[test]
    fn jp_and_in_tables() {
        // JP 1 = 13.0 mm, JP 13 = 13 + 12/3 = 17.0 mm.
        assert!((d(SizeSystem::Jp, "1") - 13.0).abs() < 1e-5);
        assert!((d(SizeSystem::Jp, "13") - 17.0).abs() < 1e-5);
        // IN 14 = 54.4 mm around in the published Indian chart.
        assert!((d(SizeSystem::In, "14") * std::f32::consts::PI - 54.4).abs() < 1e-3);
    }

    #[test]
    fn cross_table_us7() {
        // Published charts put US 7 at UK N½ (e.g. "US 7 corresponds to UK N 1/2, 17.32 mm, 54.4
        // mm"), EU 54–55, JP 13–14 and Indian 14 (54.4 mm). Nearest sizes to US 7's 17.3196 mm:
        let us7 = d(SizeSystem::Us, "7");
        let near = |s| nearest(s, us7).unwrap().label;
        assert_eq!(near(SizeSystem::Uk), "N½");
        assert!(["54", "55"].contains(&near(SizeSystem::Eu).as_str()));
        assert!(["13", "14"].contains(&near(SizeSystem::Jp).as_str()));
        assert_eq!(near(SizeSystem::In), "14");
        assert_eq!(near(SizeSystem::Ch), "14");
        assert_eq!(near(SizeSystem::Us), "7");
        let n = nearest(SizeSystem::Uk, us7).unwrap();
        // N½ is 54.375/π = 17.308 mm: 0.012 mm smaller than US 7.
        assert!((n.distance_mm - (54.375 / std::f32::consts::PI - us7)).abs() < 1e-4);
        assert!(n.distance_mm < 0.0);
    }

    #[test]
    fn round_trip_every_defined_size() {
        for system in SizeSystem::ALL {
            let sizes = defined_sizes(system);
            assert!(!sizes.is_empty());
            for (label, diameter) in &sizes {
                assert_eq!(
                    inner_diameter_mm(system, label).unwrap(),
                    *diameter,
                    "{system}:{label}"
                );
                let n = nearest(system, *diameter).unwrap();
                assert_eq!(&n.label, label, "{system}");
                assert!(n.distance_mm.abs() < 1e-5);
                let spec = format!("{system}:{label}");
                assert_eq!(parse_spec(&spec).unwrap(), (system, label.clone()));
                let ring: RingSize = spec.parse().unwrap();
                assert_eq!(ring.to_string(), spec);
            }
        }
    }

    #[test]
    fn sizes_increase_within_each_system() {
        for system in SizeSystem::ALL {
            let sizes = defined_sizes(system);
            for pair in sizes.windows(2) {
                assert!(
                    pair[1].1 > pair[0].1,
                    "{system}: {} !> {}",
                    pair[1].0,
                    pair[0].0
                );
            }
        }
        assert_eq!(defined_sizes(SizeSystem::Us).len(), 65);
        assert_eq!(defined_sizes(SizeSystem::Uk).len(), 63);
    }

    #[test]
    fn system_names_round_trip() {
        for system in SizeSystem::ALL {
            assert_eq!(system.to_string().parse::<SizeSystem>().unwrap(), system);
        }
        assert_eq!(" US ".parse::<SizeSystem>().unwrap(), SizeSystem::Us);
    }

    #[test]
    fn bad_input_is_an_error() {
        assert!(matches!(
            parse_spec("xx:7"),
            Err(SizeError::UnknownSystem(_))
        ));
        assert!(matches!(parse_spec("7"), Err(SizeError::MissingSystem(_))));
        assert!(matches!(
            parse_spec("us:abc"),
            Err(SizeError::BadLabel { .. })
        ));
        assert!(matches!(
            parse_spec("us:99"),
            Err(SizeError::OutOfRange { .. })
        ));
        assert!(matches!(
            parse_spec("us:-1"),
            Err(SizeError::BadLabel { .. })
        ));
        assert!(matches!(
            parse_spec("us:NaN"),
            Err(SizeError::BadLabel { .. })
        ));
        assert!(matches!(
            parse_spec("us:inf"),
            Err(SizeError::BadLabel { .. })
        ));
        assert!(matches!(parse_spec("us:"), Err(SizeError::BadLabel { .. })));
        assert!(matches!(
            parse_spec("eu:40"),
            Err(SizeError::OutOfRange { .. })
        ));
        assert!(matches!(
            parse_spec("jp:13.5"),
            Err(SizeError::BadLabel { .. })
        ));
        assert!(matches!(
            parse_spec("jp:31"),
            Err(SizeError::OutOfRange { .. })
        ));
        assert!(matches!(
            parse_spec("in:0"),
            Err(SizeError::OutOfRange { .. })
        ));
        assert!(matches!(
            parse_spec("in:99999999999999999999"),
            Err(SizeError::OutOfRange { .. })
        ));
        assert!(matches!(
            parse_spec("uk:Z+7"),
            Err(SizeError::OutOfRange { .. })
        ));
        assert!(matches!(
            parse_spec("uk:Z+99999999999"),
            Err(SizeError::BadLabel { .. })
        ));
        assert!(matches!(
            parse_spec("uk:M+1"),
            Err(SizeError::BadLabel { .. })
        ));
        assert!(matches!(
            parse_spec("uk:7"),
            Err(SizeError::BadLabel { .. })
        ));
        assert!(matches!(
            parse_spec("uk:Ñ"),
            Err(SizeError::BadLabel { .. })
        ));
        for bad in [f32::NAN, f32::INFINITY, -17.0, 0.0] {
            assert!(matches!(
                nearest(SizeSystem::Us, bad),
                Err(SizeError::BadDiameter(_))
            ));
            assert!(all_systems(bad).is_err());
            assert!(sizes_json(bad).starts_with("{\"error\":"));
        }
    }

    #[test]
    fn json_has_every_system_in_order() {
        let json = sizes_json(d(SizeSystem::Us, "7"));
        assert!(
            json.starts_with(
                "{\"inner_diameter_mm\":17.32,\"inner_circumference_mm\":54.41,\
                 \"sizes\":{\"us\":{\"size\":\"7\",\"distance_mm\":0.00},\
                 \"uk\":{\"size\":\"N½\",\"distance_mm\":-0.01},"
            ),
            "{json}"
        );
        let keys: Vec<usize> = [
            "\"us\"", "\"uk\"", "\"eu\"", "\"iso\"", "\"jp\"", "\"ch\"", "\"in\"",
        ]
        .iter()
        .map(|k| json.find(k).unwrap())
        .collect();
        assert!(keys.windows(2).all(|w| w[0] < w[1]));
        assert!(json.ends_with("}}}"));
        assert_eq!(json.matches('{').count(), json.matches('}').count());
        assert_eq!(json_string("a\"b\\c\n"), "\"a\\\"b\\\\c\\n\"");
    }
}
