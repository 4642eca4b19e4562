//! Verified inference (`predict`): a model runs only if its release
//! verifies. The release (provenance, ML-BOM and model signature, with the
//! files they reference) is verified as one unit under the caller's policy
//! first; then the job spec recorded in the verified provenance picks the
//! training that made the model (`training::for_spec`), which runs it: the
//! spec says which input columns are features, the model's `config.json`
//! holds the fitted preprocessing, and the weights are loaded by their
//! recorded names.
//!
//! Tabular (CSV) models and fine-tuned text models (a CSV with the job's
//! text column); image models are refused by name.

use crate::error::{BuildError, Result};
use crate::spec::{JobSpec, Task};
use serde::Serialize;
use slsa_aibom_verify::release::rules::ValidReleasePolicy;
use slsa_aibom_verify::release::{verify_release, Release};
use slsa_aibom_verify::Policy;
use std::path::Path;

/// How the release is checked before anything is loaded.
pub enum Verification {
    /// Verify the release as one unit under `policy` and `rules`.
    Release {
        /// Signer and trust anchor.
        policy: Box<Policy>,
        /// The release policy file's rules.
        rules: Box<ValidReleasePolicy>,
    },
    /// Load without verifying (`--no-verify`): the caller was warned.
    Skip,
}

/// One input row's prediction.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Prediction {
    /// The row's key (the job's key column), or its 1-based row number.
    pub row: String,
    /// The predicted class name (class index as text without class names),
    /// or the predicted value for regression.
    pub prediction: String,
    /// The raw outputs (logits; the value for regression).
    pub outputs: Vec<f32>,
    /// Class probabilities (sigmoid for binary: of the positive class;
    /// softmax for multi-class); empty for regression.
    pub probabilities: Vec<f32>,
}

/// Verify (unless skipped), load and run the model in `model_dir` on the
/// CSV `input`.
pub fn predict(
    model_dir: &Path,
    input: &Path,
    verification: &Verification,
) -> Result<Vec<Prediction>> {
    // What is verified is what is loaded: the model's files are copied once
    // into a private folder, the copy is verified, and the model is read
    // from it (never the original again, which could be swapped meanwhile).
    let snapshot = crate::snapshot::Snapshot::of(model_dir)?;
    let spec = job_spec(model_dir, snapshot.model_dir(), verification)?;
    let model_dir = snapshot.model_dir();
    let inferred = crate::training::for_spec(&spec).infer(model_dir, input, &spec)?;
    let classes = inferred.classes.as_deref();
    Ok(inferred
        .keys
        .into_iter()
        .zip(inferred.outputs)
        .map(|(row, outputs)| describe(row, outputs, inferred.task, classes))
        .collect())
}

/// The job spec the model was trained with: from the verified provenance,
/// or (unverified) read straight from the bundle. The release's evidence is
/// beside `model_dir`; the files verified are those of `copy`.
fn job_spec(model_dir: &Path, copy: &Path, verification: &Verification) -> Result<JobSpec> {
    let root = model_dir.parent().unwrap_or(Path::new("."));
    let attestations = root.join(crate::layout::ATTESTATIONS_DIR);
    let statement = match verification {
        Verification::Release { policy, rules } => {
            let release =
                Release::from_layout(copy, &attestations, &root.join(crate::layout::MODEL_SIG));
            let report = verify_release(policy, rules, None, &release);
            if let Some(f) = &report.failure() {
                return Err(BuildError::Verify(format!(
                    "the release did not verify, so the model was not loaded: {}",
                    f.message()
                )));
            }
            report
                .parts()
                .iter()
                .find(|p| p.document() == "provenance")
                .and_then(|p| p.verdict().statement().cloned())
                .map(|s| s.predicate)
                .ok_or_else(|| {
                    BuildError::Verify("the verified release holds no provenance".into())
                })?
        }
        Verification::Skip => {
            crate::output_check::bundle_statement(&attestations.join(crate::layout::PROVENANCE))?
                ["predicate"]
                .clone()
        }
    };
    serde_json::from_value(statement["buildDefinition"]["externalParameters"]["spec"].clone())
        .map_err(|e| BuildError::Spec(format!("the provenance records no readable job spec: {e}")))
}

/// A row's outputs read as the task reads them.
fn describe(row: String, outputs: Vec<f32>, task: Task, classes: Option<&[String]>) -> Prediction {
    let name = |i: usize| {
        classes
            .and_then(|c| c.get(i).cloned())
            .unwrap_or_else(|| i.to_string())
    };
    let (prediction, probabilities) = match task {
        Task::Regression => (outputs[0].to_string(), Vec::new()),
        // Positive when the logit is at least 0, as in training.
        Task::Binary => (
            name(usize::from(outputs[0] >= 0.0)),
            vec![1.0 / (1.0 + (-outputs[0]).exp())],
        ),
        Task::Multiclass => {
            let max = outputs.iter().cloned().fold(f32::NEG_INFINITY, f32::max);
            let exp: Vec<f32> = outputs.iter().map(|v| (v - max).exp()).collect();
            let sum: f32 = exp.iter().sum();
            let best = outputs
                .iter()
                .enumerate()
                .fold(0, |b, (i, v)| if *v > outputs[b] { i } else { b });
            (name(best), exp.iter().map(|e| e / sum).collect())
        }
    };
    Prediction {
        row,
        prediction,
        outputs,
        probabilities,
    }
}
