//! The stable output layout (documented in `docs/outputs.md`; the GitHub
//! workflow and downstream tools rely on these names).

use std::path::{Path, PathBuf};

pub use slsa_aibom_types::layout::*;

/// The command tier's record of a training (`training::command`).
pub const COMMAND_RECORD: &str = "command-record.json";
/// The command tier's captured output of the command.
pub const COMMAND_LOG: &str = "command.log";

/// What the signing stage writes (removed again if it fails).
pub const SIGNED: [&str; 5] = [ATTESTATIONS_DIR, INTOTO_DIR, MODEL_SIG, AIBOM_FILE, KEY_PUB];

/// Paths of one output directory.
#[derive(Debug, Clone)]
pub struct Layout {
    /// The output directory.
    pub root: PathBuf,
}

impl Layout {
    /// The layout rooted at `root`.
    pub fn new(root: &Path) -> Self {
        Layout {
            root: root.to_path_buf(),
        }
    }
    /// `root/rel`.
    pub fn path(&self, rel: &str) -> PathBuf {
        self.root.join(rel)
    }
    /// `root/model`.
    pub fn model_dir(&self) -> PathBuf {
        self.root.join(MODEL_DIR)
    }
    /// `root/model/model.safetensors`.
    pub fn weights(&self) -> PathBuf {
        self.model_dir().join(WEIGHTS)
    }
    /// `root/model/config.json`.
    pub fn config(&self) -> PathBuf {
        self.model_dir().join(CONFIG)
    }
    /// `root/attestations/provenance.sigstore.json`.
    pub fn provenance(&self) -> PathBuf {
        self.root.join(ATTESTATIONS_DIR).join(PROVENANCE)
    }
    /// `root/attestations/aibom.sigstore.json`.
    pub fn aibom_bundle(&self) -> PathBuf {
        self.root.join(ATTESTATIONS_DIR).join(AIBOM_BUNDLE)
    }
}
