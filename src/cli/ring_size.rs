//! `loupe ring-size SYSTEM:SIZE [--json]`: one ring size in every system, with inner diameter and
//! circumference. The JSON form is stable for other tools.

use super::CliError;
use crate::math::ring_size::{all_systems, inner_diameter_mm, parse_spec, sizes_json};

pub fn run(argv: &[String]) -> Result<String, CliError> {
    let mut json = false;
    let mut spec = None;
    for a in argv {
        match a.as_str() {
            "--json" => json = true,
            s if s.starts_with("--") => return Err(CliError::Usage(format!("unknown option {s}"))),
            s if spec.is_none() => spec = Some(s.to_string()),
            s => {
                return Err(CliError::Usage(format!(
                    "ring-size takes one size, got another: {s:?}"
                )))
            }
        }
    }
    let spec = spec.ok_or_else(|| {
        CliError::Usage("ring-size needs a size like us:7, uk:N½ or eu:54".into())
    })?;
    let (system, label) = parse_spec(&spec).map_err(|e| CliError::Usage(e.to_string()))?;
    let diameter_mm =
        inner_diameter_mm(system, &label).map_err(|e| CliError::Usage(e.to_string()))?;
    if json {
        return Ok(sizes_json(diameter_mm));
    }
    let mut out = format!(
        "{system}:{label}: inner diameter {diameter_mm:.2} mm, circumference {:.2} mm",
        diameter_mm * std::f32::consts::PI
    );
    for (s, n) in all_systems(diameter_mm).map_err(|e| CliError::Usage(e.to_string()))? {
        out.push_str(&format!(
            "\n  {:<4} {:<6} ({:+.2} mm)",
            s.key(),
            n.label,
            n.distance_mm
        ));
    }
    Ok(out)
}
