//! A release's file names (documented in `docs/outputs.md`; the workflow,
//! the action and downstream tools rely on them).

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
/// The in-toto layout and links.
pub const INTOTO_DIR: &str = "intoto";
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
