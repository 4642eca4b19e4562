//! What a training produced, whatever the way it trained.

use crate::attest::record::{OutputFile, TokenizationRecord};
use slsa_aibom_trainer::metrics::Metrics;

/// A finished training: its figures and the model directory's files,
/// already written.
pub struct TrainingOutcome {
    /// Training and evaluation figures.
    pub metrics: Metrics,
    /// The model directory's files.
    pub model_files: Vec<OutputFile>,
    /// Scalars in the whole model.
    pub parameter_count: usize,
    /// How a text job's records were tokenised.
    pub tokenization: Option<TokenizationRecord>,
}

/// A model's raw outputs on input rows, with what reading them needs.
pub struct Inferred {
    /// Each row's key (the job's key column), or its 1-based row number.
    pub keys: Vec<String>,
    /// Each row's raw outputs (logits; the value for regression, in the
    /// target's own units).
    pub outputs: Vec<Vec<f32>>,
    /// The task the outputs answer.
    pub task: crate::spec::Task,
    /// Class names in output order, when the model has them.
    pub classes: Option<Vec<String>>,
}
