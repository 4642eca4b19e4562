//! Training metrics: per-epoch loss and accuracy, and the final validation
//! and test evaluations (`metrics.json`).

use crate::spec::Task;
use serde::{Deserialize, Serialize};

/// One epoch's figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EpochMetrics {
    /// Zero-based epoch index.
    pub epoch: usize,
    /// Mean training loss over the epoch's batches.
    pub loss: f64,
    /// Training accuracy (classification).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub accuracy: Option<f64>,
    /// Validation figures, on epochs where validation ran.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub validation: Option<Evaluation>,
}

/// Figures on one split.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evaluation {
    /// Rows evaluated.
    pub rows: usize,
    /// Mean loss.
    pub loss: f64,
    /// Fraction of correct predictions (classification).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub accuracy: Option<f64>,
    /// Precision of the positive class (binary).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub precision: Option<f64>,
    /// Recall of the positive class (binary).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recall: Option<f64>,
    /// F1 of the positive class (binary).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub f1: Option<f64>,
    /// Mean absolute error (regression).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mae: Option<f64>,
}

/// Running totals for an [`Evaluation`].
#[derive(Debug, Default)]
pub struct Tally {
    rows: usize,
    loss_sum: f64,
    correct: usize,
    tp: usize,
    fp: usize,
    fn_: usize,
    abs_err: f64,
}

impl Tally {
    /// Add a batch: its mean loss, predictions and targets (class indices
    /// for classification, with binary predictions already thresholded).
    pub fn add(&mut self, mean_loss: f64, predicted: &[f32], target: &[f32]) {
        self.rows += target.len();
        self.loss_sum += mean_loss * target.len() as f64;
        for (&p, &t) in predicted.iter().zip(target) {
            self.correct += usize::from(p == t);
            self.tp += usize::from(p == 1.0 && t == 1.0);
            self.fp += usize::from(p == 1.0 && t != 1.0);
            self.fn_ += usize::from(p != 1.0 && t == 1.0);
            self.abs_err += f64::from((p - t).abs());
        }
    }

    /// The evaluation for `task`.
    pub fn finish(&self, task: Task) -> Evaluation {
        let n = self.rows.max(1) as f64;
        let ratio = |a: usize, b: usize| if b == 0 { 0.0 } else { a as f64 / b as f64 };
        let (precision, recall) = (
            ratio(self.tp, self.tp + self.fp),
            ratio(self.tp, self.tp + self.fn_),
        );
        let binary = task == Task::Binary;
        Evaluation {
            rows: self.rows,
            loss: self.loss_sum / n,
            accuracy: (task != Task::Regression).then(|| self.correct as f64 / n),
            precision: binary.then_some(precision),
            recall: binary.then_some(recall),
            f1: binary.then(|| {
                if precision + recall == 0.0 {
                    0.0
                } else {
                    2.0 * precision * recall / (precision + recall)
                }
            }),
            mae: (task == Task::Regression).then(|| self.abs_err / n),
        }
    }
}

/// Everything `metrics.json` holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Metrics {
    /// The task the figures are for.
    pub task: Task,
    /// Per-epoch figures.
    pub epochs: Vec<EpochMetrics>,
    /// Final evaluation on the validation split.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub validation: Option<Evaluation>,
    /// Final evaluation on the held-out test split.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub test: Option<Evaluation>,
    /// Rows in each split.
    pub split_rows: SplitRows,
    /// Wall-clock training time and throughput (not reproducible).
    pub timing: Timing,
}

impl Metrics {
    /// Refuse final figures that are not all finite (a diverged run): the
    /// last epoch's loss and every figure of the final evaluations.
    pub fn check_finite(&self) -> Result<(), String> {
        let mut figures: Vec<(String, f64)> = Vec::new();
        if let Some(last) = self.epochs.last() {
            figures.push((format!("epoch {} loss", last.epoch), last.loss));
        }
        for (split, eval) in [("validation", &self.validation), ("test", &self.test)] {
            if let Some(e) = eval {
                figures.extend(e.figures().map(|(k, v)| (format!("{split} {k}"), v)));
            }
        }
        match figures.into_iter().find(|(_, v)| !v.is_finite()) {
            Some((what, v)) => Err(format!(
                "training diverged: the {what} is {v}; nothing is signed (lower the learning rate or check the data)"
            )),
            None => Ok(()),
        }
    }
}

impl Evaluation {
    /// Each figure that is present, by name.
    pub fn figures(&self) -> impl Iterator<Item = (&'static str, f64)> + '_ {
        [
            ("loss", Some(self.loss)),
            ("accuracy", self.accuracy),
            ("precision", self.precision),
            ("recall", self.recall),
            ("f1", self.f1),
            ("mae", self.mae),
        ]
        .into_iter()
        .filter_map(|(k, v)| v.map(|v| (k, v)))
    }
}

/// Rows per split.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SplitRows {
    /// Training rows.
    pub train: usize,
    /// Validation rows.
    pub validation: usize,
    /// Test rows.
    pub test: usize,
}

/// Wall-clock figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Timing {
    /// Seconds spent in the training loop.
    pub training_seconds: f64,
    /// Training rows processed per second.
    pub rows_per_second: f64,
}
