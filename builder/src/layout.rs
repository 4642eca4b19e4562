//! The stable output layout (documented in `docs/outputs.md`; the GitHub
//! workflow and downstream tools rely on these names).

use std::path::{Path, PathBuf};

/// The model directory.
pub const MODEL_DIR: &str = "model";
/// The weights, inside [`MODEL_DIR`].
pub const WEIGHTS: &str = "model.safetensors";
/// The model config, inside [`MODEL_DIR`].
pub const CONFIG: &str = "config.json";
/// The model-signing bundle over [`MODEL_DIR`].
pub const MODEL_SIG: &str = "model.sig";
/// Attestation bundles.
pub const ATTESTATIONS_DIR: &str = "attestations";
/// SLSA provenance bundle, inside [`ATTESTATIONS_DIR`].
pub const PROVENANCE: &str = "provenance.sigstore.json";
/// ML-BOM bundle, inside [`ATTESTATIONS_DIR`].
pub const AIBOM_BUNDLE: &str = "aibom.sigstore.json";
/// Metrics.
pub const METRICS: &str = "metrics.json";
/// Environment report.
pub const ENVIRONMENT: &str = "environment.json";
/// Training log.
pub const LOG: &str = "training.log";
/// Dataset commitment.
pub const COMMITMENT: &str = "dataset-commitment.json";
/// The unsigned ML-BOM (CycloneDX JSON), a provenance byproduct.
pub const AIBOM_FILE: &str = "aibom.cdx.json";
/// The public key of a keyed run.
pub const KEY_PUB: &str = "key.pub";
/// The training stage's record of the run (digests, metrics, environment),
/// which the signing stage turns into attestations.
pub const RECORD: &str = "build-record.json";
/// What the signing stage writes (removed again if it fails).
pub const SIGNED: [&str; 5] = [
    ATTESTATIONS_DIR,
    slsa_aibom_verify::intoto::release::DIR,
    MODEL_SIG,
    AIBOM_FILE,
    KEY_PUB,
];

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
