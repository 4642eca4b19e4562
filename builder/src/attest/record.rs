//! The build record: everything the attestation step needs, as digests and
//! small documents. The training step writes it; the attestation step (in
//! process here, a separate GitHub job in the workflow) never needs the model
//! bytes.

use crate::data::DataFile;
use crate::environment::Environment;
use crate::spec::JobSpec;
use serde::{Deserialize, Serialize};
use slsa_aibom_trainer::metrics::Metrics;
use slsa_aibom_trainer::split::SplitName;
use slsa_aibom_types::provenance::BaseModelVerification;
use std::collections::BTreeMap;

/// A file in the output directory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutputFile {
    /// Path relative to the output directory, `/`-separated.
    pub path: String,
    /// Lower-case hex sha256.
    pub sha256: String,
    /// Size in bytes.
    pub size: u64,
}

/// One split's commitment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SplitCommitment {
    /// Number of records.
    pub records: usize,
    /// RFC 6962 root, hex.
    pub root: String,
}

/// The job as submitted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JobRecord {
    /// The job file's path as given to the builder.
    pub path: String,
    /// sha256 of the job file's bytes.
    pub sha256: String,
    /// The parsed job.
    pub spec: JobSpec,
}

/// A verified base model.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BaseModelRecord {
    /// The weights file as named in the job.
    pub path: String,
    /// sha256 of the weights.
    pub sha256: String,
    /// sha256 of the attestation that vouched for them.
    pub attestation_sha256: String,
}

/// A pretrained base model directory (BERT jobs), verified before training.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PretrainedRecord {
    /// The directory as named in the job.
    pub path: String,
    /// sha256 of its file manifest, as model-signing computes it.
    pub manifest_sha256: String,
    /// Every file, with its sha256 and size.
    pub files: Vec<OutputFile>,
    /// How it was verified, as the provenance's annotations carry it.
    pub verification: BaseModelVerification,
}

/// How a text job's records were tokenised (from the base model's tokenizer).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TokenizationRecord {
    /// sha256 of the `tokenizer.json` used.
    pub tokenizer_sha256: String,
    /// Tokens per sequence at most.
    pub max_length: usize,
    /// Whether longer sequences were cut.
    pub truncation: bool,
    /// How batches were padded.
    pub padding: crate::spec::Padding,
    /// Records cut to `max_length`.
    pub truncated_records: usize,
    /// Scalars the optimizer updated (the rest stayed as loaded).
    pub trained_parameters: usize,
}

/// Everything the attestation step consumes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BuildRecord {
    /// The job.
    pub job: JobRecord,
    /// Data files read, with their digests.
    pub data_files: Vec<DataFile>,
    /// The Croissant metadata file, when the job names one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub croissant: Option<DataFile>,
    /// Commitment roots per split.
    pub splits: BTreeMap<SplitName, SplitCommitment>,
    /// The base model, when fine-tuning.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub base_model: Option<BaseModelRecord>,
    /// The pretrained model directory a BERT job fine-tuned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pretrained: Option<PretrainedRecord>,
    /// How a text job's records were tokenised.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tokenization: Option<TokenizationRecord>,
    /// Files under `model/`, sorted by path.
    pub model_files: Vec<OutputFile>,
    /// The other outputs (metrics, log, environment, commitment), sorted.
    pub byproducts: Vec<OutputFile>,
    /// Number of trainable parameters.
    pub parameter_count: usize,
    /// Training metrics.
    pub metrics: Metrics,
    /// The training environment.
    pub environment: Environment,
    /// When the build started and finished (RFC 3339).
    pub started_on: String,
    /// When training finished.
    pub finished_on: String,
    /// A unique ID for this run.
    pub invocation_id: String,
}

impl BuildRecord {
    /// The model weights file.
    pub fn weights(&self) -> Option<&OutputFile> {
        self.model_files
            .iter()
            .find(|f| f.path == crate::layout::WEIGHTS)
            .or_else(|| {
                self.model_files
                    .iter()
                    .find(|f| f.path.ends_with(".safetensors"))
            })
    }
}
