//! The declarative training job (TOML). A job is data, never code: every key
//! is typed, unknown keys are rejected with their dotted path and line, and
//! values are range-checked before any data is read. The schema is
//! documented in `docs/job-spec.md`.

use crate::error::{BuildError, Result};

pub mod limits;
mod validate;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

// The trainer's configuration types that the job file names directly.
pub use slsa_aibom_trainer::activation::Activation;
pub use slsa_aibom_trainer::augment::Augmentation;
pub use slsa_aibom_trainer::conv::Pool;
pub use slsa_aibom_trainer::early_stopping::{EarlyStopping, MONITORS};
pub use slsa_aibom_trainer::model::Architecture;
pub use slsa_aibom_trainer::optim::schedule::{Schedule, ScheduleKind};
pub use slsa_aibom_trainer::preprocess::Preprocessing;
pub use slsa_aibom_trainer::task::Task;
pub use slsa_aibom_trainer::transformer::classifier::{Lora, Pooling, LORA_TARGETS};
pub use slsa_aibom_trainer::transformer::tokens::Padding;

/// A whole training job.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JobSpec {
    /// Descriptive metadata that goes into the model card.
    pub metadata: Metadata,
    /// The training dataset and its definition.
    pub dataset: DatasetSpec,
    /// The model architecture.
    pub model: ModelSpec,
    /// Training parameters.
    pub training: TrainingSpec,
}

/// Model-card metadata (AIBoMGen parity).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Metadata {
    /// Model name.
    pub name: String,
    /// Model version.
    pub version: String,
    /// What the model does.
    #[serde(default)]
    pub description: String,
    /// Who is responsible for it.
    #[serde(default)]
    pub author: String,
    /// Free-form model type (for example "tabular classifier").
    #[serde(default)]
    pub model_type: String,
    /// Name of the base model, if fine-tuned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_model: Option<String>,
    /// Where the base model came from (URL).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_model_source: Option<String>,
    /// Intended uses.
    #[serde(default)]
    pub intended_use: String,
    /// Uses that are out of scope.
    #[serde(default)]
    pub out_of_scope: String,
    /// Known misuse and its mitigation.
    #[serde(default)]
    pub misuse: String,
    /// SPDX licence identifier of the model.
    pub license: String,
}

/// Where the data lives.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DataFormat {
    /// A CSV file with a header row.
    Csv,
    /// IDX image and label files (the MNIST format).
    Idx,
    /// A folder with one sub-folder of PNG images per label.
    ImageFolder,
    /// JSON Lines: one object per line (text jobs).
    Jsonl,
}

/// The dataset, with its AIBoMGen-compatible definition.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatasetSpec {
    /// Dataset name.
    pub name: String,
    /// File format.
    pub format: DataFormat,
    /// The CSV file, the IDX image file, or the image folder, relative to the job file.
    pub path: PathBuf,
    /// The IDX label file (IDX only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub labels: Option<PathBuf>,
    /// Optional Croissant metadata; its sha256 values and sizes are checked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub croissant: Option<PathBuf>,
    /// SPDX licence of the data.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub license: Option<String>,
    /// Where the data came from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Columns, label, shapes and preprocessing.
    pub definition: DatasetDefinition,
}

impl DatasetDefinition {
    /// Indexes (in `columns`) of the feature columns: every `float` or
    /// `int` column but the label and the key, in file order.
    pub fn feature_columns(&self) -> Vec<usize> {
        self.columns
            .iter()
            .enumerate()
            .filter(|(_, c)| {
                Some(&c.name) != self.label.as_ref()
                    && Some(&c.name) != self.key.as_ref()
                    && matches!(c.kind, ColumnType::Float | ColumnType::Int)
            })
            .map(|(i, _)| i)
            .collect()
    }
}

/// AIBoMGen's `dataset_definition.yaml`, plus a record key.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatasetDefinition {
    /// CSV columns in file order (CSV only).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub columns: Vec<Column>,
    /// The label column (CSV) — for images the labels come from the files.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// A column whose values are unique record keys for the dataset
    /// commitment; the data row number when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// Shape of one input: `[features]` or `[height, width, channels]`
    /// (none for text jobs, whose length is `text.max_length`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub input_shape: Vec<usize>,
    /// Shape of one output: `[classes]`, or `[1]` for binary and
    /// regression. When absent it is `[1]` for binary and regression and
    /// the number of `classes` for multiclass.
    #[serde(default)]
    pub output_shape: Vec<usize>,
    /// A column whose value (`train`, `validation` or `test`) puts each row
    /// in a predefined split (CSV; declared with type `ignore`). The
    /// random split keys `training.validation_split`, `test_split` and
    /// `stratify` are then refused.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub split_column: Option<String>,
    /// Class names in output order (classification). Labels outside this
    /// list are an error. Integer labels `0..n` are used when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub classes: Option<Vec<String>>,
    /// Feature preprocessing.
    #[serde(default)]
    pub preprocessing: Preprocessing,
    /// Text jobs (`architecture = "bert"`): the text field and how it is
    /// tokenised.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<TextSpec>,
}

/// `[dataset.definition.text]`: the text field and its tokenisation with
/// the base model's `tokenizer.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TextSpec {
    /// The CSV column or JSON field holding the text.
    pub column: String,
    /// Tokens per sequence, special tokens included.
    #[serde(default = "default_max_length")]
    pub max_length: usize,
    /// Cut sequences longer than `max_length` (otherwise they are an error
    /// that names the record).
    #[serde(default = "yes")]
    pub truncation: bool,
    /// Pad each batch to its longest sequence, or every sequence to `max_length`.
    #[serde(default)]
    pub padding: Padding,
    /// Records whose text is longer than this many bytes are refused.
    #[serde(default = "default_max_text_bytes")]
    pub max_text_bytes: usize,
}

fn default_max_length() -> usize {
    128
}
fn default_max_text_bytes() -> usize {
    16_384
}

/// Column value types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ColumnType {
    /// A finite number.
    Float,
    /// A whole number.
    Int,
    /// A string from a fixed set (the label column).
    Category,
    /// Carried in the record (and its commitment) but not a feature.
    Ignore,
}

/// One CSV column.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Column {
    /// Header name, which must match the CSV header.
    pub name: String,
    /// Value type.
    #[serde(rename = "type")]
    pub kind: ColumnType,
}

/// The model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelSpec {
    /// Architecture family.
    pub architecture: Architecture,
    /// Prediction task.
    pub task: Task,
    /// Hidden fully connected layer widths.
    #[serde(default)]
    pub hidden: Vec<usize>,
    /// CNN only: output channels of each convolution (each followed by the
    /// activation and the pooling).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conv: Vec<usize>,
    /// CNN only: side of the square convolution kernels (odd), with "same"
    /// zero padding.
    #[serde(default = "three", skip_serializing_if = "is_three")]
    pub kernel_size: usize,
    /// CNN only: convolution stride.
    #[serde(default = "one", skip_serializing_if = "is_one")]
    pub stride: usize,
    /// CNN only: 2×2 pooling after each convolution.
    #[serde(default, skip_serializing_if = "Pool::is_max")]
    pub pool: Pool,
    /// Batch normalisation after each convolution and each hidden dense
    /// layer, before the activation (PyTorch's `BatchNorm`: momentum 0.1,
    /// ε = 1e-5, running statistics saved with the weights).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub batch_norm: bool,
    /// Activation of every hidden layer and convolution block.
    #[serde(default, skip_serializing_if = "Activation::is_relu")]
    pub activation: Activation,
    /// Dropout rate after each hidden fully connected layer, in [0, 1),
    /// training only, with masks drawn from the seed.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub dropout: f64,
    /// Optional base weights to fine-tune from (safetensors only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base: Option<BaseModel>,
    /// BERT only: the pretrained model directory and what vouches for it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pretrained: Option<Pretrained>,
    /// BERT only: how the head reads the sequence.
    #[serde(default, skip_serializing_if = "Pooling::is_cls")]
    pub pooling: Pooling,
    /// BERT only: train the head alone, the encoder stays as loaded.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub freeze_encoder: bool,
    /// BERT only: train low-rank adapters on the attention projections
    /// (and the head); the encoder's own weights stay as loaded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lora: Option<Lora>,
}

/// `[model.pretrained]`: a Hugging Face model directory (`config.json`,
/// `model.safetensors`, `tokenizer.json`) and what vouches for it. At least
/// one of a signature or pinned digests is required.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pretrained {
    /// The directory, relative to the job file.
    pub path: PathBuf,
    /// Its OpenSSF model signature (a Sigstore bundle over the directory).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<PathBuf>,
    /// Keyed signatures: the signer's public key (PEM).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<PathBuf>,
    /// Keyless signatures: the certificate's expected identity (SAN).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity: Option<String>,
    /// Keyless signatures: the expected OIDC issuer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuer: Option<String>,
    /// Keyless signatures: a Sigstore trusted root (JSON) other than the
    /// embedded public-good one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trusted_root: Option<PathBuf>,
    /// Pinned sha256 of the directory's manifest, as model-signing computes it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manifest_sha256: Option<String>,
    /// Pinned sha256 of single files, by path inside the directory.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub files: std::collections::BTreeMap<String, String>,
}

fn three() -> usize {
    3
}
fn is_three(v: &usize) -> bool {
    *v == 3
}
fn is_one(v: &usize) -> bool {
    *v == 1
}

fn is_zero(v: &f64) -> bool {
    *v == 0.0
}

/// Base weights and the attestation that vouches for them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BaseModel {
    /// The safetensors file.
    pub weights: PathBuf,
    /// Its signed provenance (a Sigstore bundle whose subject is the file).
    pub attestation: PathBuf,
    /// The public key that signed the attestation (PEM).
    pub key: PathBuf,
}

/// Optimizers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Optimizer {
    /// Plain stochastic gradient descent.
    Sgd,
    /// AdamW (Adam with decoupled weight decay; 0 decay by default).
    Adam,
}

/// Training parameters (AIBoMGen/Keras parity plus optimizer, rate, seed, test split).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrainingSpec {
    /// Number of epochs (the last epoch index is `epochs - 1`).
    pub epochs: usize,
    /// Minibatch size.
    pub batch_size: usize,
    /// Fraction of records held out for validation.
    #[serde(default)]
    pub validation_split: f64,
    /// Fraction of records held out for the final test.
    #[serde(default)]
    pub test_split: f64,
    /// Epoch to start at (Keras `initial_epoch`): epochs before it are skipped.
    #[serde(default)]
    pub initial_epoch: usize,
    /// Batches per epoch; all batches when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub steps_per_epoch: Option<usize>,
    /// Validation batches per evaluation; all when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub validation_steps: Option<usize>,
    /// Validate every this many epochs.
    #[serde(default = "one")]
    pub validation_freq: usize,
    /// Optimizer.
    #[serde(default = "adam")]
    pub optimizer: Optimizer,
    /// Learning rate.
    #[serde(default = "default_lr")]
    pub learning_rate: f64,
    /// Weight decay — 0 by default. Decoupled for Adam (AdamW), an L2 term
    /// added to the gradient for SGD (PyTorch's semantics for both).
    #[serde(default)]
    pub weight_decay: f64,
    /// SGD momentum in [0, 1) (0: plain SGD).
    #[serde(default)]
    pub momentum: f64,
    /// Nesterov momentum (SGD with `momentum` > 0).
    #[serde(default)]
    pub nesterov: bool,
    /// Clip the global L2 norm of the gradients to this value each step.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clip_grad_norm: Option<f64>,
    /// Learning-rate schedule (constant when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule: Option<Schedule>,
    /// Stop when a validation figure stops improving.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub early_stopping: Option<EarlyStopping>,
    /// Classification: one loss weight per class, in output order (the
    /// loss is the weighted mean, as in PyTorch).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub class_weights: Option<Vec<f64>>,
    /// Classification: label smoothing ε in [0, 1): targets become
    /// `(1 - ε)·onehot + ε / classes`.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub label_smoothing: f64,
    /// Classification: draw the validation and test splits per class, so
    /// each split keeps the class proportions.
    #[serde(default)]
    pub stratify: bool,
    /// The compute device: `cpu`, `cuda` or `cuda:N` (`--device` overrides
    /// it; the CPU when neither says).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device: Option<String>,
    /// Seeded augmentation of training images (CNN only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub augmentation: Option<Augmentation>,
    /// Seed for initialisation, splitting, shuffling and dropout.
    pub seed: u64,
}

/// A compute device, parsed from `cpu`, `cuda` or `cuda:N`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeviceName {
    /// The CPU.
    Cpu,
    /// CUDA device N (`cuda` is device 0).
    Cuda(usize),
}

impl DeviceName {
    /// Parse a device name; the error names the accepted forms.
    pub fn parse(name: &str) -> std::result::Result<Self, String> {
        match name {
            "cpu" => Ok(DeviceName::Cpu),
            "cuda" => Ok(DeviceName::Cuda(0)),
            _ => name
                .strip_prefix("cuda:")
                .and_then(|n| n.parse().ok())
                .map(DeviceName::Cuda)
                .ok_or_else(|| format!("device {name:?} is not cpu, cuda or cuda:N")),
        }
    }
}

fn yes() -> bool {
    true
}

fn one() -> usize {
    1
}
fn adam() -> Optimizer {
    Optimizer::Adam
}
fn default_lr() -> f64 {
    1e-3
}

/// A loaded job: the spec, its own bytes, and the directory relative paths start from.
#[derive(Debug, Clone)]
pub struct Job {
    /// The parsed spec.
    pub spec: JobSpec,
    /// The spec file's bytes, as signed into the provenance.
    pub bytes: Vec<u8>,
    /// The spec file's path.
    pub path: PathBuf,
    /// Directory relative paths are resolved from.
    pub base_dir: PathBuf,
}

impl Job {
    /// Read and validate a job file.
    pub fn load(path: &Path) -> Result<Self> {
        let bytes = crate::error::read_file(path, slsa_aibom_verify::bounded_read::SMALL_LIMIT)?;
        let spec = JobSpec::parse(&bytes)
            .map_err(|e| BuildError::Spec(format!("{}: {e}", path.display())))?;
        let base_dir = path
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from("."));
        Ok(Job {
            spec,
            bytes,
            path: path.to_path_buf(),
            base_dir,
        })
    }

    /// Resolve a path named in the spec.
    pub fn resolve(&self, p: &Path) -> PathBuf {
        self.base_dir.join(p)
    }
}

/// Refuse control characters and bidirectional overrides in every key and
/// string of the spec: they end up in signed documents and on verifiers'
/// terminals, where they could forge lines of a report.
pub(crate) fn reject_unsafe_text(
    value: &toml::Value,
    path: &str,
) -> std::result::Result<(), String> {
    let check = |text: &str, at: &str| {
        match text.chars().find(|&c| slsa_aibom_verify::display::is_unsafe(c)) {
        Some(c) => Err(format!(
            "at `{at}`: control character {} is not allowed in text; write it on one line without escapes",
            c.escape_default()
        )),
        None => Ok(()),
    }
    };
    match value {
        toml::Value::String(s) => check(s, path),
        toml::Value::Array(items) => items
            .iter()
            .enumerate()
            .try_for_each(|(i, v)| reject_unsafe_text(v, &format!("{path}[{i}]"))),
        toml::Value::Table(table) => table.iter().try_for_each(|(k, v)| {
            let at = if path.is_empty() {
                k.clone()
            } else {
                format!("{path}.{k}")
            };
            check(k, &at)?;
            reject_unsafe_text(v, &at)
        }),
        _ => Ok(()),
    }
}

impl JobSpec {
    /// Parse TOML and check every value. Errors name the key path and, for
    /// syntax and unknown keys, the line.
    pub fn parse(bytes: &[u8]) -> std::result::Result<Self, String> {
        let text = std::str::from_utf8(bytes).map_err(|e| format!("not UTF-8: {e}"))?;
        let tree: toml::Table = toml::from_str(text).map_err(|e| e.to_string())?;
        if tree.contains_key("trainer") {
            return Err("this is a command-tier job (`trainer`): `slsa-aibom-build train` and `build` run it; the workflow's stages (`detect`, `attest`), `rebuild`, `predict` and `prove` do not take command jobs yet (README, \"What is missing\")".into());
        }
        reject_unsafe_text(&toml::Value::Table(tree), "")?;
        let de = toml::Deserializer::parse(text).map_err(|e| e.to_string())?;
        let spec: JobSpec = serde_path_to_error::deserialize(de).map_err(|e| {
            let path = e.path().to_string();
            let inner = e.into_inner().to_string();
            format!("at `{path}`: {}", inner.trim_end())
        })?;
        let mut spec = spec;
        spec.infer_shapes();
        spec.validate()?;
        Ok(spec)
    }

    /// Shapes the job leaves out but its other keys decide: a CSV MLP's
    /// `input_shape` is `[feature columns]`; `output_shape` is `[1]` for
    /// binary and regression and `[classes]` for multiclass with class
    /// names. What is inferred is what the job records and trains with.
    fn infer_shapes(&mut self) {
        let (d, m) = (&mut self.dataset.definition, &self.model);
        if d.input_shape.is_empty()
            && m.architecture == Architecture::Mlp
            && self.dataset.format == DataFormat::Csv
        {
            let features = d.feature_columns().len();
            if features > 0 {
                d.input_shape = vec![features];
            }
        }
        if d.output_shape.is_empty() {
            match (m.task, &d.classes) {
                (Task::Binary | Task::Regression, _) => d.output_shape = vec![1],
                (Task::Multiclass, Some(classes)) => d.output_shape = vec![classes.len()],
                (Task::Multiclass, None) => {}
            }
        }
    }
}
