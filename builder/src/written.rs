//! Files a build writes: each created new (never through a link or over
//! one) and described by its name, sha256 and size for the record.

use crate::attest::record::OutputFile;
use crate::error::{BuildError, Result};
use sha2::{Digest as _, Sha256};
use std::path::Path;

/// Create `path` (and its parents) holding `bytes`, refusing a file or link
/// already there: the directory may hold what a train runner handed over.
/// Returns the file's description under its file name.
pub fn write(path: &Path, bytes: &[u8]) -> Result<OutputFile> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| BuildError::io(parent, e))?;
    }
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(|e| BuildError::io(path, e))?;
    std::io::Write::write_all(&mut file, bytes).map_err(|e| BuildError::io(path, e))?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    Ok(output_file(name, bytes))
}

/// An output's name, sha256 and size.
pub fn output_file(path: impl Into<String>, bytes: &[u8]) -> OutputFile {
    OutputFile {
        path: path.into(),
        sha256: hex::encode(Sha256::digest(bytes)),
        size: bytes.len() as u64,
    }
}

/// `value` as pretty JSON with a final newline.
pub fn pretty(value: &impl serde::Serialize) -> Result<Vec<u8>> {
    let mut v = serde_json::to_vec_pretty(value).map_err(|e| BuildError::Io(e.to_string()))?;
    v.push(b'\n');
    Ok(v)
}
