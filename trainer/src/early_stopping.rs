//! Early stopping: the rule a job sets (`[training.early_stopping]`) and
//! the loop's bookkeeping of the best validation so far.

use crate::error::{Result, TrainError};
use crate::metrics::{Evaluation, Stopping};
use crate::trainee::Trainee;
use candle_core::Tensor;
use serde::{Deserialize, Serialize};

/// `[training.early_stopping]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EarlyStopping {
    /// The validation figure watched: `loss`, `mean-absolute-error` and
    /// `root-mean-squared-error` must fall; any other figure (`accuracy`,
    /// `f1`, `roc-auc`, `pr-auc`, `macro-f1`, `r2`) must rise.
    #[serde(default = "default_monitor")]
    pub monitor: String,
    /// Validations without improvement before training stops.
    pub patience: usize,
    /// The least change that counts as an improvement.
    #[serde(default)]
    pub min_delta: f64,
    /// Put back the weights of the best validation at the end.
    #[serde(default = "yes")]
    pub restore_best: bool,
}

/// Figures early stopping may watch, and whether lower is better.
pub const MONITORS: &[(&str, bool)] = &[
    ("loss", true),
    ("mean-absolute-error", true),
    ("root-mean-squared-error", true),
    ("accuracy", false),
    ("f1", false),
    ("roc-auc", false),
    ("pr-auc", false),
    ("macro-f1", false),
    ("r2", false),
];

fn default_monitor() -> String {
    "loss".into()
}
fn yes() -> bool {
    true
}

/// Early stopping's bookkeeping: the best figure so far, its epoch and
/// weights, and the validations since it.
pub(crate) struct Watch<'a> {
    rule: &'a EarlyStopping,
    lower_is_better: bool,
    best: Option<(f64, usize, Vec<Tensor>)>,
    waited: usize,
}

impl<'a> Watch<'a> {
    pub(crate) fn new(rule: &'a EarlyStopping) -> Self {
        let lower_is_better = MONITORS
            .iter()
            .find(|(name, _)| *name == rule.monitor)
            .is_some_and(|(_, lower)| *lower);
        Watch {
            rule,
            lower_is_better,
            best: None,
            waited: 0,
        }
    }

    /// Record epoch `epoch`'s validation; true when training should stop.
    pub(crate) fn observe(
        &mut self,
        epoch: usize,
        v: &Evaluation,
        trainee: &dyn Trainee,
    ) -> Result<bool> {
        let value = v
            .figures()
            .find(|(name, _)| *name == self.rule.monitor)
            .map(|(_, value)| value)
            .ok_or_else(|| {
                TrainError::Train(format!(
                    "training.early_stopping.monitor = {:?}: the validation has no such figure for this task",
                    self.rule.monitor
                ))
            })?;
        let better = match &self.best {
            None => true,
            Some((best, _, _)) if self.lower_is_better => value < best - self.rule.min_delta,
            Some((best, _, _)) => value > best + self.rule.min_delta,
        };
        if better {
            let weights = trainee
                .state()
                .iter()
                .map(|v| v.as_tensor().copy())
                .collect::<candle_core::Result<_>>()?;
            self.best = Some((value, epoch, weights));
            self.waited = 0;
        } else {
            self.waited += 1;
        }
        Ok(self.waited >= self.rule.patience)
    }

    /// Put the best weights back when asked; the outcome for metrics.json.
    pub(crate) fn finish(
        self,
        trainee: &dyn Trainee,
        stopped_epoch: Option<usize>,
    ) -> Result<Option<Stopping>> {
        let Some((value, epoch, weights)) = self.best else {
            return Ok(None);
        };
        if self.rule.restore_best {
            for (var, w) in trainee.state().iter().zip(&weights) {
                var.set(w)?;
            }
        }
        Ok(Some(Stopping {
            monitor: self.rule.monitor.clone(),
            best_epoch: epoch,
            best_value: value,
            stopped_epoch,
            restored_best: self.rule.restore_best,
        }))
    }
}
