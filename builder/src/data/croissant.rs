//! Croissant metadata: every data file the job reads must be declared as a
//! `FileObject`, and its declared sha256 and size must equal the bytes.

use super::DataFile;
use crate::error::{BuildError, Result};
use serde_json::Value;
use std::path::Path;

/// Parse "117743 B", "117743" or a number into bytes.
fn parse_size(v: &Value) -> Option<u64> {
    match v {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => {
            let s = s.trim();
            let (num, unit) = s.split_at(s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len()));
            let n: u64 = num.parse().ok()?;
            let mult = match unit.trim().to_ascii_uppercase().as_str() {
                "" | "B" => 1,
                "KB" => 1_000,
                "MB" => 1_000_000,
                "GB" => 1_000_000_000,
                _ => return None,
            };
            Some(n * mult)
        }
        _ => None,
    }
}

/// Check `files` against the Croissant document at `path`, named `name` in
/// the job; returns the metadata file's own description.
pub fn check(path: &Path, name: &str, files: &[DataFile]) -> Result<DataFile> {
    let text = slsa_aibom_verify::bounded_read::read_text(
        path,
        slsa_aibom_verify::bounded_read::SMALL_LIMIT,
        "Croissant metadata",
    )
    .map_err(|e| BuildError::Data(e.detail().into_owned()))?;
    let doc: Value = slsa_aibom_verify::json::from_str(&text)
        .map_err(|e| BuildError::Data(format!("{}: not JSON: {e}", path.display())))?;
    let objects: Vec<&Value> = doc
        .get("distribution")
        .and_then(Value::as_array)
        .map(|d| {
            d.iter()
                .filter(|o| {
                    o.get("@type")
                        .and_then(Value::as_str)
                        .is_some_and(|t| t.ends_with("FileObject"))
                })
                .collect()
        })
        .unwrap_or_default();
    for file in files {
        let base = file.name.rsplit('/').next().unwrap_or(&file.name);
        let declared = objects.iter().find(|o| {
            o.get("contentUrl")
                .and_then(Value::as_str)
                .is_some_and(|u| u == file.name || u.rsplit('/').next() == Some(base))
        });
        let Some(obj) = declared else {
            return Err(BuildError::Data(format!(
                "{}: {} is not declared as a FileObject",
                path.display(),
                file.name
            )));
        };
        let Some(sha) = obj.get("sha256").and_then(Value::as_str) else {
            return Err(BuildError::Data(format!(
                "{}: {} declares no sha256",
                path.display(),
                file.name
            )));
        };
        if !sha.eq_ignore_ascii_case(&file.sha256) {
            return Err(BuildError::Data(format!(
                "{}: {} declares sha256 {sha}, the file has {}",
                path.display(),
                file.name,
                file.sha256
            )));
        }
        match obj.get("contentSize") {
            None => {}
            Some(v) => match parse_size(v) {
                Some(size) if size == file.size => {}
                Some(size) => {
                    return Err(BuildError::Data(format!(
                        "{}: {} declares contentSize {size} bytes, the file has {}",
                        path.display(),
                        file.name,
                        file.size
                    )))
                }
                None => {
                    return Err(BuildError::Data(format!(
                        "{}: {} has an unreadable contentSize {v}",
                        path.display(),
                        file.name
                    )))
                }
            },
        }
    }
    Ok(DataFile::of_bytes(name, text.as_bytes()))
}
