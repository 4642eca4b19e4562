//! The data files a job read, with their sizes and digests.

use crate::error::{BuildError, Result};
use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};
use std::path::Path;

/// One input file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DataFile {
    /// Path as written in the job spec (relative to the job file).
    pub name: String,
    /// Size in bytes.
    pub size: u64,
    /// Lower-case hex sha256.
    pub sha256: String,
}

impl DataFile {
    /// Describe bytes that were read from `name`.
    pub fn of_bytes(name: &str, bytes: &[u8]) -> Self {
        DataFile {
            name: name.to_string(),
            size: bytes.len() as u64,
            sha256: hex::encode(Sha256::digest(bytes)),
        }
    }
}

/// Read a whole regular file (never a FIFO, socket or device, which could
/// block or never end).
pub fn read_regular(path: &Path) -> Result<Vec<u8>> {
    slsa_aibom_verify::bounded_read::read(path, crate::error::FILE_LIMIT, "input")
        .map_err(|e| BuildError::Data(e.detail().into_owned()))
}

/// Read a whole data file, describing it.
pub fn read(path: &Path, name: &str) -> Result<(Vec<u8>, DataFile)> {
    let bytes = read_regular(path)?;
    let file = DataFile::of_bytes(name, &bytes);
    Ok((bytes, file))
}
