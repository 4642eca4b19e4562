//! Training metrics: per-epoch loss and accuracy, and the final validation
//! and test evaluations (`metrics.json`).

mod curves;

use crate::task::Task;
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
    /// Area under the ROC curve (binary; absent when one class is missing).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub roc_auc: Option<f64>,
    /// Area under the precision-recall curve, as average precision
    /// (binary; absent without positives).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pr_auc: Option<f64>,
    /// Unweighted mean of the per-class F1 scores (multi-class).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub macro_f1: Option<f64>,
    /// Counts by true class (rows) and predicted class (columns).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confusion: Option<Vec<Vec<usize>>>,
    /// Precision, recall, F1 and support of each class.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub per_class: Option<Vec<ClassScores>>,
    /// Mean absolute error (regression).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mae: Option<f64>,
    /// Root mean squared error (regression).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rmse: Option<f64>,
    /// Coefficient of determination (regression; absent when the targets
    /// do not vary).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub r2: Option<f64>,
}

/// One class's scores.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ClassScores {
    /// Of the rows predicted as this class, the fraction that are.
    pub precision: f64,
    /// Of the rows of this class, the fraction predicted as it.
    pub recall: f64,
    /// Harmonic mean of the two (0 when both are 0).
    pub f1: f64,
    /// Rows of this class.
    pub support: usize,
}

/// Running totals for an [`Evaluation`].
#[derive(Debug)]
pub struct Tally {
    task: Task,
    rows: usize,
    loss_sum: f64,
    /// `confusion[true][predicted]` (classification).
    confusion: Vec<Vec<usize>>,
    /// Binary: (score, is positive) per row, for the curves.
    scored: Vec<(f32, bool)>,
    abs_err: f64,
    sq_err: f64,
    target_sum: f64,
    target_sq: f64,
}

fn ratio(a: f64, b: f64) -> f64 {
    if b == 0.0 {
        0.0
    } else {
        a / b
    }
}

fn f1(precision: f64, recall: f64) -> f64 {
    ratio(2.0 * precision * recall, precision + recall)
}

impl Tally {
    /// Empty totals for `task` with `classes` outputs (2 for binary).
    pub fn new(task: Task, classes: usize) -> Self {
        let k = if task == Task::Regression {
            0
        } else {
            classes.max(2)
        };
        Tally {
            task,
            rows: 0,
            loss_sum: 0.0,
            confusion: vec![vec![0; k]; k],
            scored: Vec::new(),
            abs_err: 0.0,
            sq_err: 0.0,
            target_sum: 0.0,
            target_sq: 0.0,
        }
    }

    /// Add a batch: its mean loss, predictions and targets (class indices
    /// for classification, with binary predictions already thresholded),
    /// and for binary tasks the logits that were thresholded.
    pub fn add(&mut self, mean_loss: f64, predicted: &[f32], target: &[f32], scores: &[f32]) {
        self.rows += target.len();
        self.loss_sum += mean_loss * target.len() as f64;
        if self.task == Task::Regression {
            for (&p, &t) in predicted.iter().zip(target) {
                let (p, t) = (f64::from(p), f64::from(t));
                self.abs_err += (p - t).abs();
                self.sq_err += (p - t) * (p - t);
                self.target_sum += t;
                self.target_sq += t * t;
            }
            return;
        }
        let k = self.confusion.len();
        for (&p, &t) in predicted.iter().zip(target) {
            self.confusion[(t as usize).min(k - 1)][(p as usize).min(k - 1)] += 1;
        }
        if self.task == Task::Binary {
            self.scored
                .extend(scores.iter().zip(target).map(|(&s, &t)| (s, t == 1.0)));
        }
    }

    fn class_scores(&self) -> Vec<ClassScores> {
        let k = self.confusion.len();
        (0..k)
            .map(|c| {
                let tp = self.confusion[c][c] as f64;
                let predicted: usize = (0..k).map(|t| self.confusion[t][c]).sum();
                let support: usize = self.confusion[c].iter().sum();
                let (precision, recall) = (ratio(tp, predicted as f64), ratio(tp, support as f64));
                ClassScores {
                    precision,
                    recall,
                    f1: f1(precision, recall),
                    support,
                }
            })
            .collect()
    }

    /// The evaluation of everything added.
    pub fn finish(&self) -> Evaluation {
        let n = self.rows.max(1) as f64;
        let mut e = Evaluation {
            rows: self.rows,
            loss: self.loss_sum / n,
            accuracy: None,
            precision: None,
            recall: None,
            f1: None,
            roc_auc: None,
            pr_auc: None,
            macro_f1: None,
            confusion: None,
            per_class: None,
            mae: None,
            rmse: None,
            r2: None,
        };
        if self.task == Task::Regression {
            e.mae = Some(self.abs_err / n);
            e.rmse = Some((self.sq_err / n).sqrt());
            let variance = self.target_sq - self.target_sum * self.target_sum / n;
            e.r2 = (variance > 0.0).then(|| 1.0 - self.sq_err / variance);
            return e;
        }
        let classes = self.class_scores();
        let correct: usize = (0..classes.len()).map(|c| self.confusion[c][c]).sum();
        e.accuracy = Some(correct as f64 / n);
        if self.task == Task::Binary {
            let positive = classes[1];
            (e.precision, e.recall, e.f1) = (
                Some(positive.precision),
                Some(positive.recall),
                Some(positive.f1),
            );
            e.roc_auc = curves::roc_auc(&self.scored);
            e.pr_auc = curves::average_precision(&self.scored);
        } else {
            e.macro_f1 = Some(classes.iter().map(|c| c.f1).sum::<f64>() / classes.len() as f64);
        }
        e.confusion = Some(self.confusion.clone());
        e.per_class = Some(classes);
        e
    }
}

/// Everything `metrics.json` holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Metrics {
    /// The task the figures are for.
    pub task: Task,
    /// Per-epoch figures.
    pub epochs: Vec<EpochMetrics>,
    /// What early stopping chose, when the job asked for it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub early_stopping: Option<Stopping>,
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
    /// Each scalar figure that is present, by its name in the ML-BOM's
    /// `performanceMetrics` (and in policies' metric bounds).
    pub fn figures(&self) -> impl Iterator<Item = (&'static str, f64)> + '_ {
        [
            ("loss", Some(self.loss)),
            ("accuracy", self.accuracy),
            ("precision", self.precision),
            ("recall", self.recall),
            ("f1", self.f1),
            ("roc-auc", self.roc_auc),
            ("pr-auc", self.pr_auc),
            ("macro-f1", self.macro_f1),
            ("mean-absolute-error", self.mae),
            ("root-mean-squared-error", self.rmse),
            ("r2", self.r2),
        ]
        .into_iter()
        .filter_map(|(k, v)| v.map(|v| (k, v)))
    }
}

/// Early stopping's outcome.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Stopping {
    /// The validation figure watched.
    pub monitor: String,
    /// The epoch (0-based) with the best figure.
    pub best_epoch: usize,
    /// That figure.
    pub best_value: f64,
    /// The epoch after which training stopped; absent when it ran to the end.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stopped_epoch: Option<usize>,
    /// Whether the model holds the best epoch's weights (else the last epoch's).
    pub restored_best: bool,
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
