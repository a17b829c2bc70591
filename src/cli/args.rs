//! A small flag parser: `--name value` pairs and positional arguments, with clear errors.

use super::CliError;
use std::collections::BTreeMap;

pub struct Args {
    pub positional: Vec<String>,
    flags: BTreeMap<String, String>,
}

impl Args {
    /// `known` lists the accepted `--flags` (each takes one value).
    pub fn parse(argv: &[String], known: &[&str]) -> Result<Self, CliError> {
        let mut positional = Vec::new();
        let mut flags = BTreeMap::new();
        let mut it = argv.iter();
        while let Some(a) = it.next() {
            if let Some(name) = a.strip_prefix("--") {
                let (name, inline) = match name.split_once('=') {
                    Some((n, v)) => (n, Some(v.to_string())),
                    None => (name, None),
                };
                if !known.contains(&name) {
                    return Err(CliError::Usage(format!("unknown option --{name}")));
                }
                let value = match inline {
                    Some(v) => v,
                    None => it
                        .next()
                        .cloned()
                        .ok_or_else(|| CliError::Usage(format!("--{name} needs a value")))?,
                };
                if flags.insert(name.to_string(), value).is_some() {
                    return Err(CliError::Usage(format!("--{name} is given twice")));
                }
            } else {
                positional.push(a.clone());
            }
        }
        Ok(Self { positional, flags })
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.flags.get(name).map(String::as_str)
    }

    pub fn number(&self, name: &str, default: f32) -> Result<f32, CliError> {
        match self.get(name) {
            None => Ok(default),
            Some(s) => s
                .trim()
                .parse::<f32>()
                .ok()
                .filter(|v| v.is_finite())
                .ok_or_else(|| CliError::Usage(format!("--{name} must be a number, got {s:?}"))),
        }
    }

    /// Like [`Args::number`], parsed as f64 so that `--width 0.2` is 0.2, not 0.2000000029.
    pub fn float(&self, name: &str, default: f64) -> Result<f64, CliError> {
        match self.get(name) {
            None => Ok(default),
            Some(s) => s
                .trim()
                .parse::<f64>()
                .ok()
                .filter(|v| v.is_finite())
                .ok_or_else(|| CliError::Usage(format!("--{name} must be a number, got {s:?}"))),
        }
    }

    pub fn size(&self, name: &str, default: (u32, u32)) -> Result<(u32, u32), CliError> {
        let Some(s) = self.get(name) else {
            return Ok(default);
        };
        let bad = || {
            CliError::Usage(format!(
                "--{name} must look like 768x768 (1 to 8192 each), got {s:?}"
            ))
        };
        let (w, h) = s.split_once(['x', 'X']).ok_or_else(bad)?;
        let w: u32 = w.trim().parse().map_err(|_| bad())?;
        let h: u32 = h.trim().parse().map_err(|_| bad())?;
        if !(1..=8192).contains(&w) || !(1..=8192).contains(&h) {
            return Err(bad());
        }
        Ok((w, h))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argv(s: &[&str]) -> Vec<String> {
        s.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn flags_and_positionals() {
        let a = Args::parse(
            &argv(&["m.glb", "--out", "o.png", "--size=64x32"]),
            &["out", "size"],
        )
        .unwrap();
        assert_eq!(a.positional, vec!["m.glb"]);
        assert_eq!(a.get("out"), Some("o.png"));
        assert_eq!(a.size("size", (1, 1)).unwrap(), (64, 32));
    }

    #[test]
    fn bad_input_is_an_error_not_a_panic() {
        assert!(Args::parse(&argv(&["--nope", "1"]), &["out"]).is_err());
        assert!(Args::parse(&argv(&["--out"]), &["out"]).is_err());
        let a = Args::parse(
            &argv(&["--size", "0x5", "--exposure", "abc"]),
            &["size", "exposure"],
        )
        .unwrap();
        assert!(a.size("size", (1, 1)).is_err());
        assert!(a.number("exposure", 1.0).is_err());
    }
}
