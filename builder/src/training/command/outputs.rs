//! What a command left in its model directory: regular files and folders
//! only. A link (which could point anywhere), a FIFO, a socket or a device
//! stops the build by name; an empty directory is no model.

use crate::attest::record::OutputFile;
use crate::error::{BuildError, Result};
use std::path::Path;

/// Every file of `dir`, hashed, sorted by path.
pub fn model_files(dir: &Path) -> Result<Vec<OutputFile>> {
    let refuse = |e: slsa_aibom_verify::error::Error| {
        BuildError::Train(format!(
            "the command's model directory: {}; nothing was signed",
            e.detail()
        ))
    };
    let files = slsa_aibom_verify::documents::regular_files(dir).map_err(refuse)?;
    if files.is_empty() {
        return Err(BuildError::Train(format!(
            "the command wrote no files into its model directory ({}); nothing was signed",
            dir.display()
        )));
    }
    files
        .into_iter()
        .map(|(parts, path)| {
            let size = std::fs::metadata(&path)
                .map_err(|e| BuildError::io(&path, e))?
                .len();
            Ok(OutputFile {
                path: parts.join("/"),
                sha256: crate::error::sha256_hex(&path)?,
                size,
            })
        })
        .collect()
}
