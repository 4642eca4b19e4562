//! The seam between a build and a way of training.
//!
//! The pipeline verifies the inputs (job, data, base models), opens the
//! device and writes the byproducts and the record; a [`Training`] turns
//! the verified inputs into a model directory, and later runs that model
//! for `predict`. [`for_spec`] is the one place that picks the
//! implementation: [`tabular::Tabular`] (MLP and CNN trained from scratch
//! or from base weights) or [`fine_tune::FineTune`] (a pretrained BERT
//! encoder with a classification head), both of the reproducible Rust tier.

#[cfg(target_os = "linux")]
pub mod command;
pub mod fine_tune;
pub mod input_table;
pub mod outcome;
pub mod tabular;
pub mod tabular_inference;

use crate::data::Dataset;
use crate::error::Result;
use crate::layout::Layout;
use crate::lineage::VerifiedDir;
use crate::spec::{Architecture, Job, JobSpec};
use candle_core::Device;
pub use outcome::{Inferred, TrainingOutcome};
use slsa_aibom_trainer::split::Split;
use slsa_aibom_trainer::train::Progress;
use std::path::Path;

/// The inputs a training reads, all checked before it starts.
pub struct VerifiedInputs<'a> {
    /// The job, with its base directory.
    pub job: &'a Job,
    /// The loaded and validated dataset (a training may take its features).
    pub data: &'a mut Dataset,
    /// Each record's key, in row order (errors name records by them).
    pub keys: &'a [String],
    /// The rows of each split.
    pub split: &'a Split,
    /// The pretrained model directory, verified against its signature.
    pub pretrained: Option<&'a VerifiedDir>,
}

/// Where and how a training runs.
pub struct Session<'a> {
    /// The device batches go to.
    pub device: &'a Device,
    /// Called as epochs progress.
    pub progress: Progress<'a>,
    /// The training log, one line per entry.
    pub log: &'a mut Vec<String>,
    /// The staging directory the model directory is written into.
    pub out: &'a Layout,
}

/// A way of training a model, and of running what it trained.
pub trait Training: Sync {
    /// Refuse, before any data is read, a job this machine cannot train.
    fn check_resources(&self, spec: &JobSpec) -> Result<()>;

    /// Train on `inputs` and write the model directory into `session.out`.
    fn run(&self, inputs: VerifiedInputs<'_>, session: Session<'_>) -> Result<TrainingOutcome>;

    /// Run the model in `model_dir` (already verified, or loaded with
    /// verification skipped by the caller) on the CSV rows of `input`.
    fn infer(&self, model_dir: &Path, input: &Path, spec: &JobSpec) -> Result<Inferred>;
}

/// The training a job spec asks for.
pub fn for_spec(spec: &JobSpec) -> &'static dyn Training {
    match spec.model.architecture {
        Architecture::Mlp | Architecture::Cnn => &tabular::Tabular,
        Architecture::Bert => &fine_tune::FineTune,
    }
}
