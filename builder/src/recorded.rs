//! What a verified provenance records, read back for `rebuild` (either
//! tier): the digests it names, the signed metrics beside it, and how
//! rebuilt metrics compare with them.

use crate::error::{BuildError, Result};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;

/// `name → sha256` of a list of resource descriptors or subjects.
pub(crate) fn digests(list: &Value) -> BTreeMap<String, String> {
    list.as_array()
        .into_iter()
        .flatten()
        .filter_map(|d| {
            Some((
                d["name"].as_str()?.to_string(),
                d.pointer("/digest/sha256")?.as_str()?.to_string(),
            ))
        })
        .collect()
}

/// Each file whose digest differs between the provenance's subjects and
/// the rebuild's, with both digests (`absent` where one lacks the file).
pub(crate) fn differences(
    original: &BTreeMap<String, String>,
    rebuilt: &BTreeMap<String, String>,
) -> Vec<String> {
    let names: std::collections::BTreeSet<&String> =
        original.keys().chain(rebuilt.keys()).collect();
    let shown = |m: &BTreeMap<String, String>, k: &String| {
        m.get(k).map_or("absent".to_string(), String::clone)
    };
    names
        .into_iter()
        .filter(|k| original.get(*k) != rebuilt.get(*k))
        .map(|k| {
            format!(
                "{k}: recorded {}, rebuilt {}",
                shown(original, k),
                shown(rebuilt, k)
            )
        })
        .collect()
}

/// The report line of a rebuild whose files equal the subjects.
pub(crate) fn matches(rebuilt: &BTreeMap<String, String>) -> String {
    format!(
        "rebuild matches: {} file(s) identical to the provenance subjects ({})",
        rebuilt.len(),
        rebuilt
            .iter()
            .map(|(k, v)| format!("{k} sha256:{v}"))
            .collect::<Vec<_>>()
            .join(", ")
    )
}

/// Largest absolute difference of a final test metric accepted across device
/// classes, on top of [`RELATIVE_TOLERANCE`].
pub const ABSOLUTE_TOLERANCE: f64 = 0.02;
/// Largest difference relative to the recorded value.
pub const RELATIVE_TOLERANCE: f64 = 0.02;

/// The release's `metrics.json` (beside the provenance's `attestations/`
/// folder), held to the digest the verified provenance records for it.
pub(crate) fn signed_metrics(provenance: &Path, statement: &Value) -> Result<Value> {
    let release = provenance
        .parent()
        .and_then(Path::parent)
        .ok_or_else(|| BuildError::Verify("the provenance has no release folder".into()))?;
    let file = release.join(crate::layout::METRICS);
    let bytes = crate::error::read_file(&file, slsa_aibom_verify::bounded_read::EVIDENCE_LIMIT)?;
    let byproducts = digests(&statement["predicate"]["runDetails"]["byproducts"]);
    let sha = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&bytes));
    if byproducts.get(crate::layout::METRICS) != Some(&sha) {
        return Err(BuildError::Mismatch(format!(
            "{}: sha256 {sha} is not the provenance's byproduct",
            file.display()
        )));
    }
    slsa_aibom_verify::json::from_slice(&bytes)
        .map_err(|e| BuildError::Verify(format!("{}: {e}", file.display())))
}

/// Every number of the recorded final test evaluation against the rebuild's.
pub(crate) fn compare_test_metrics(recorded: &Value, rebuilt: &Value) -> Result<String> {
    let fields = recorded
        .as_object()
        .ok_or_else(|| BuildError::Verify("metrics.json has no test evaluation".into()))?;
    let mut seen = Vec::new();
    for (name, value) in fields {
        let Some(a) = value.as_f64() else { continue };
        let b = rebuilt[name].as_f64().ok_or_else(|| {
            BuildError::Mismatch(format!("the rebuild has no test metric {name}"))
        })?;
        let ok = if name == "rows" {
            a == b
        } else {
            (a - b).abs() <= ABSOLUTE_TOLERANCE + RELATIVE_TOLERANCE * a.abs()
        };
        if !ok {
            return Err(BuildError::Mismatch(format!(
                "test {name}: recorded {a}, rebuilt {b}, beyond the tolerance"
            )));
        }
        seen.push(format!("{name} {a:.4} vs {b:.4}"));
    }
    Ok(seen.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn test_metrics_compare_within_the_stated_tolerance_and_rows_exactly() {
        let recorded = json!({"rows": 900, "loss": 0.3353, "accuracy": 0.86});
        let close = json!({"rows": 900, "loss": 0.34, "accuracy": 0.85});
        assert!(compare_test_metrics(&recorded, &close).is_ok());
        let far = json!({"rows": 900, "loss": 0.3353, "accuracy": 0.80});
        let e = compare_test_metrics(&recorded, &far)
            .unwrap_err()
            .to_string();
        assert!(e.contains("accuracy"), "{e}");
        let rows = json!({"rows": 899, "loss": 0.3353, "accuracy": 0.86});
        assert!(compare_test_metrics(&recorded, &rows).is_err());
        let missing = json!({"rows": 900, "loss": 0.3353});
        assert!(compare_test_metrics(&recorded, &missing).is_err());
    }
}
