//! The fresh working directory a command runs in: the declared files
//! copied in and hashed, the declared inputs hashed (and checked against
//! their pinned digests) and linked in, an empty model directory, and a
//! private home and temporary directory. Nothing else of the checkout is
//! there.

use super::spec::{InputKind, RunSpec};
use crate::error::{sha256_hex, BuildError, Result};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// A declared file or input as it went in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HashedFile {
    /// The path relative to the job file's directory (and to the working
    /// directory, where the command sees it).
    pub path: String,
    /// Its sha256, taken by our binary before the command ran.
    pub sha256: String,
    /// Its size in bytes.
    pub size: u64,
}

/// A declared input as it went in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HashedInput {
    /// The file and its digest.
    #[serde(flatten)]
    pub file: HashedFile,
    /// What it is.
    pub kind: InputKind,
    /// Its licence, as the job declared it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub license: Option<String>,
}

/// The prepared working directory.
pub struct WorkDir {
    /// The directory the command runs in (read-write).
    pub root: PathBuf,
    /// The declared files, as copied in.
    pub files: Vec<HashedFile>,
    /// The declared inputs.
    pub inputs: Vec<HashedInput>,
    /// The inputs' real paths, which the command may read.
    pub input_paths: Vec<PathBuf>,
}

impl WorkDir {
    /// The model directory the command writes.
    pub fn model_dir(&self, run: &RunSpec) -> PathBuf {
        self.root.join(&run.outputs.model)
    }
    /// The metrics file the command writes.
    pub fn metrics_file(&self, run: &RunSpec) -> PathBuf {
        self.root.join(&run.outputs.metrics)
    }
    /// The command's `HOME`.
    pub fn home(&self) -> PathBuf {
        self.root.join(".home")
    }
    /// The command's `TMPDIR`.
    pub fn tmp(&self) -> PathBuf {
        self.root.join(".tmp")
    }
}

/// Prepare `root` (which must not exist) for `run`, reading declared paths
/// from `base` (the job file's directory). A declared file or input that is
/// missing, not a regular file, or (for an input with a pinned digest)
/// different stops the build here, before the command runs.
pub fn prepare(root: &Path, base: &Path, run: &RunSpec) -> Result<WorkDir> {
    std::fs::create_dir(root).map_err(|e| BuildError::io(root, e))?;
    let mut files = Vec::new();
    for rel in &run.files {
        let from = base.join(rel);
        regular(&from, "run.files")?;
        let to = root.join(rel);
        make_parent(&to)?;
        std::fs::copy(&from, &to).map_err(|e| BuildError::io(&from, e))?;
        files.push(hashed(&to, rel)?);
    }
    let mut inputs = Vec::new();
    let mut input_paths = Vec::new();
    for input in &run.inputs {
        let from = base.join(&input.path);
        regular(&from, "run.inputs")?;
        let real = from.canonicalize().map_err(|e| BuildError::io(&from, e))?;
        let file = hashed(&real, &input.path)?;
        if let Some(want) = &input.sha256 {
            if *want != file.sha256 {
                return Err(BuildError::Data(format!(
                    "input {} has sha256 {}, but the job pins {want}; nothing was run or signed",
                    file.path, file.sha256
                )));
            }
        }
        let link = root.join(&input.path);
        make_parent(&link)?;
        std::os::unix::fs::symlink(&real, &link).map_err(|e| BuildError::io(&link, e))?;
        inputs.push(HashedInput {
            file,
            kind: input.kind,
            license: input.license.clone(),
        });
        input_paths.push(real);
    }
    let dir = WorkDir {
        root: root.to_path_buf(),
        files,
        inputs,
        input_paths,
    };
    for d in [dir.model_dir(run), dir.home(), dir.tmp()] {
        std::fs::create_dir_all(&d).map_err(|e| BuildError::io(&d, e))?;
    }
    make_parent(&dir.metrics_file(run))?;
    Ok(dir)
}

/// Refuse a declared path that is missing or not a regular file (a FIFO
/// would hang the hash; a link could point anywhere).
fn regular(path: &Path, key: &str) -> Result<()> {
    let meta = std::fs::symlink_metadata(path).map_err(|e| {
        BuildError::Data(format!(
            "{key}: {} cannot be read ({e}); nothing was run or signed",
            path.display()
        ))
    })?;
    if meta.is_file() {
        Ok(())
    } else {
        Err(BuildError::Data(format!(
            "{key}: {} is not a regular file; declare files, not links, folders or FIFOs",
            path.display()
        )))
    }
}

fn hashed(path: &Path, rel: &Path) -> Result<HashedFile> {
    let size = std::fs::metadata(path)
        .map_err(|e| BuildError::io(path, e))?
        .len();
    Ok(HashedFile {
        path: rel.display().to_string(),
        sha256: sha256_hex(path)?,
        size,
    })
}

fn make_parent(path: &Path) -> Result<()> {
    match path.parent() {
        Some(p) => std::fs::create_dir_all(p).map_err(|e| BuildError::io(p, e)),
        None => Ok(()),
    }
}
