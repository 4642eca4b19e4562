//! A private copy of a model directory, so that what is verified is what is
//! used. Verifying `model/config.json` and then opening it again leaves a
//! window in which another process can swap the file: `predict` once used
//! an unsigned config after verification passed, about one run in six. The
//! copy is made once, each file read once through the bounded reader into a
//! fresh folder only this user can enter; the release is verified against
//! the copy, and the model is loaded from it.

use crate::error::{BuildError, Result};
use std::path::{Path, PathBuf};

/// A model directory's files, copied into a private temporary folder that
/// is removed when this is dropped.
pub struct Snapshot {
    dir: tempfile::TempDir,
    model: PathBuf,
}

impl Snapshot {
    /// Copy every regular file under `model_dir`. A symbolic link, a FIFO,
    /// a socket or a device is refused by name, as the model signature's
    /// walk refuses it; so is a tree deeper than the verifier's limit.
    pub fn of(model_dir: &Path) -> Result<Self> {
        let dir = tempfile::Builder::new()
            .prefix("slsa-aibom-model-")
            .tempdir()
            .map_err(|e| BuildError::Io(format!("cannot make a private folder: {e}")))?;
        let name = model_dir.file_name().unwrap_or("model".as_ref());
        let model = dir.path().join(name);
        copy_tree(model_dir, &model)?;
        Ok(Snapshot { dir, model })
    }

    /// The copied model directory (named as the original).
    pub fn model_dir(&self) -> &Path {
        &self.model
    }

    /// The private folder holding it.
    pub fn root(&self) -> &Path {
        self.dir.path()
    }
}

fn copy_tree(from: &Path, to: &Path) -> Result<()> {
    let max_depth = slsa_aibom_verify::documents::MAX_MODEL_DIR_DEPTH;
    let mut stack = vec![(from.to_path_buf(), to.to_path_buf(), 0usize)];
    while let Some((src, dst, depth)) = stack.pop() {
        if depth >= max_depth {
            return Err(BuildError::Verify(format!(
                "{} nests deeper than {max_depth} folders, the most a model directory may",
                src.display()
            )));
        }
        std::fs::create_dir(&dst).map_err(|e| BuildError::io(&dst, e))?;
        let entries = std::fs::read_dir(&src).map_err(|e| BuildError::io(&src, e))?;
        for entry in entries {
            let entry = entry.map_err(|e| BuildError::io(&src, e))?;
            let (path, target) = (entry.path(), dst.join(entry.file_name()));
            let kind = std::fs::symlink_metadata(&path).map_err(|e| BuildError::io(&path, e))?;
            if kind.is_dir() {
                stack.push((path, target, depth + 1));
            } else if kind.is_file() {
                copy_file(&path, &target)?;
            } else {
                return Err(BuildError::Verify(format!(
                    "{} is not a regular file or folder (a link, FIFO, socket or device); a model directory holds files only",
                    path.display()
                )));
            }
        }
    }
    Ok(())
}

/// Copy one regular file, opened without blocking and refused if it is not
/// one when opened; the copy is created new, never through a link.
fn copy_file(from: &Path, to: &Path) -> Result<()> {
    let mut src = slsa_aibom_verify::bounded_read::open_regular(from, "model file")
        .map_err(|e| BuildError::Verify(e.detail().into_owned()))?;
    let mut dst = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(to)
        .map_err(|e| BuildError::io(to, e))?;
    std::io::copy(&mut src, &mut dst).map_err(|e| BuildError::io(from, e))?;
    Ok(())
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn the_copy_holds_the_same_files_and_special_files_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let model = dir.path().join("model");
        std::fs::create_dir_all(model.join("sub")).unwrap();
        std::fs::write(model.join("config.json"), b"{}").unwrap();
        std::fs::write(model.join("sub/w.bin"), b"weights").unwrap();
        let snap = Snapshot::of(&model).unwrap();
        assert_eq!(snap.model_dir().file_name().unwrap(), "model");
        assert_eq!(
            std::fs::read(snap.model_dir().join("sub/w.bin")).unwrap(),
            b"weights"
        );
        // The copy is independent of later changes to the original.
        std::fs::write(model.join("config.json"), b"{\"changed\":1}").unwrap();
        assert_eq!(
            std::fs::read(snap.model_dir().join("config.json")).unwrap(),
            b"{}"
        );
        let root = snap.root().to_path_buf();
        drop(snap);
        assert!(!root.exists(), "the private copy is removed");

        std::os::unix::fs::symlink(model.join("config.json"), model.join("link.json")).unwrap();
        let e = Snapshot::of(&model).err().unwrap().to_string();
        assert!(
            e.contains("link.json") && e.contains("not a regular file"),
            "{e}"
        );
        std::fs::remove_file(model.join("link.json")).unwrap();
        let fifo = model.join("pipe");
        if std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .is_ok_and(|s| s.success())
        {
            let e = Snapshot::of(&model).err().unwrap().to_string();
            assert!(e.contains("pipe"), "{e}");
        }
    }
}
