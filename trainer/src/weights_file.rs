//! Weights written as a safetensors file with ordinary permissions.
//!
//! candle's `safetensors::save` writes through a temporary file, which the
//! `tempfile` crate creates with mode 0600, and renames it: the weights were
//! readable by their owner alone while every other output followed the
//! umask, so a server reading the model as another user could not. Here the
//! bytes are serialised in memory (the same bytes: tensors sorted by name)
//! and written as any other file is.

use crate::error::{Result, TrainError};
use candle_core::Tensor;
use std::collections::HashMap;
use std::path::Path;

/// Write `tensors` to `path` as safetensors; the file's mode follows the
/// process's umask.
pub fn save(tensors: &HashMap<String, Tensor>, path: &Path) -> Result<()> {
    let bytes = safetensors::tensor::serialize(tensors.iter(), None)
        .map_err(|e| TrainError::io(path, e))?;
    std::fs::write(path, bytes).map_err(|e| TrainError::io(path, e))
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt as _;

    /// Same bytes as candle's writer, and the mode of any new file here.
    #[test]
    fn the_weights_follow_the_umask_and_match_candles_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let t = Tensor::new(&[1f32, 2.0, 3.0], &candle_core::Device::Cpu).unwrap();
        let map = HashMap::from([("b".to_string(), t.clone()), ("a".to_string(), t)]);
        let ours = dir.path().join("ours.safetensors");
        save(&map, &ours).unwrap();
        let theirs = dir.path().join("theirs.safetensors");
        candle_core::safetensors::save(&map, &theirs).unwrap();
        assert_eq!(
            std::fs::read(&ours).unwrap(),
            std::fs::read(&theirs).unwrap()
        );
        let plain = dir.path().join("plain");
        std::fs::write(&plain, b"").unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&ours), mode(&plain));
        assert_ne!(
            mode(&theirs),
            mode(&plain),
            "candle's writer changed: drop this module"
        );
    }
}
