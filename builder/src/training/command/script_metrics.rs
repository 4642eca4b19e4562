//! The metrics a training script reports (`run.outputs.metrics`): a small
//! JSON document, recorded as asserted by the script, never as measured by
//! us. Every number must be finite, every name short and plain.
//!
//! ```json
//! { "test": { "accuracy": 0.97 },
//!   "validation": { "accuracy": 0.96 },
//!   "curves": { "loss": [0.9, 0.4, 0.2] } }
//! ```

use crate::error::{BuildError, Result};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

/// The most bytes a metrics file may have.
pub const MAX_BYTES: u64 = 1 << 20;
/// The most names in one section.
pub const MAX_NAMES: usize = 64;
/// The most points in one curve.
pub const MAX_POINTS: usize = 100_000;

/// What the script reported.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScriptMetrics {
    /// Figures on held-out test data.
    pub test: BTreeMap<String, f64>,
    /// Figures on validation data.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub validation: BTreeMap<String, f64>,
    /// Per-epoch curves.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub curves: BTreeMap<String, Vec<f64>>,
}

impl ScriptMetrics {
    /// Read and check the metrics file the script wrote.
    pub fn read(path: &Path) -> Result<Self> {
        let bytes = crate::error::read_file(path, MAX_BYTES).map_err(|e| {
            BuildError::Train(format!(
                "the script's metrics ({}): {e}; nothing was signed",
                path.display()
            ))
        })?;
        Self::parse(&bytes).map_err(|e| {
            BuildError::Train(format!(
                "the script's metrics ({}): {e}; nothing was signed",
                path.display()
            ))
        })
    }

    /// Parse and check metrics JSON.
    pub fn parse(bytes: &[u8]) -> std::result::Result<Self, String> {
        let metrics: ScriptMetrics = slsa_aibom_verify::json::from_slice(bytes).map_err(|e| {
            let text = String::from_utf8_lossy(bytes);
            if text.contains("NaN") || text.contains("Infinity") {
                format!(
                    "holds NaN or Infinity, which are not numbers a model can be judged by ({e})"
                )
            } else {
                format!("not the documented metrics JSON: {e}")
            }
        })?;
        if metrics.test.is_empty() {
            return Err("`test` names no metric; report at least one held-out figure".into());
        }
        let sections = [("test", &metrics.test), ("validation", &metrics.validation)];
        for (section, values) in sections {
            names(section, values.keys())?;
            if let Some((name, v)) = values.iter().find(|(_, v)| !v.is_finite()) {
                return Err(format!("{section}.{name} is {v}, not a finite number"));
            }
        }
        names("curves", metrics.curves.keys())?;
        for (name, points) in &metrics.curves {
            if points.len() > MAX_POINTS {
                return Err(format!("curves.{name} has more than {MAX_POINTS} points"));
            }
            if let Some(i) = points.iter().position(|v| !v.is_finite()) {
                return Err(format!("curves.{name}[{i}] is not a finite number"));
            }
        }
        Ok(metrics)
    }
}

/// Refuse too many names, or a name that is not 1 to 64 of `A-Za-z0-9_.-`.
fn names<'a>(
    section: &str,
    keys: impl ExactSizeIterator<Item = &'a String>,
) -> std::result::Result<(), String> {
    if keys.len() > MAX_NAMES {
        return Err(format!("`{section}` has more than {MAX_NAMES} names"));
    }
    for name in keys {
        let plain = (1..=64).contains(&name.len())
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'));
        if !plain {
            return Err(format!(
                "{section} has the name {}, which is not 1 to 64 of A-Z a-z 0-9 _ . -",
                slsa_aibom_verify::display::one_line(name)
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::ScriptMetrics;

    #[test]
    fn good_metrics_parse() {
        let m = ScriptMetrics::parse(br#"{"test":{"accuracy":0.9},"curves":{"loss":[1.0,0.5]}}"#)
            .unwrap();
        assert_eq!(m.test["accuracy"], 0.9);
        assert_eq!(m.curves["loss"], vec![1.0, 0.5]);
    }

    #[test]
    fn bad_metrics_are_refused_with_the_reason() {
        for (text, want) in [
            (r#"{"test":{"accuracy":NaN}}"#, "NaN or Infinity"),
            (r#"{"test":{"loss":Infinity}}"#, "NaN or Infinity"),
            (r#"{"test":{"accuracy":1e999}}"#, "not the documented"),
            (r#"{"test":{}}"#, "names no metric"),
            (r#"{"test":{"acc":1},"extra":{}}"#, "unknown field"),
            (r#"{"test":{"a\u001b[2J":1}}"#, "which is not"),
            (
                r#"{"test":{"a":1},"curves":{"loss":[1,null]}}"#,
                "not the documented",
            ),
            ("", "not the documented"),
            (r#"["test"]"#, "not the documented"),
        ] {
            let e = ScriptMetrics::parse(text.as_bytes()).unwrap_err();
            assert!(e.contains(want), "{text}: {e}");
            assert!(!e.contains('\u{1b}'), "{e}");
        }
    }
}
