//! The training loop: seeded shuffling, minibatches, the optimizer and its
//! schedule, per-epoch validation, early stopping and the final evaluations.

use crate::augment::Augmenter;
use crate::data::{Split, Standardizer};
use crate::dropout::Dropout;
use crate::error::{BuildError, Result};
use crate::loss::{predictions, Loss};
use crate::metrics::{EpochMetrics, Evaluation, Metrics, SplitRows, Stopping, Tally, Timing};
use crate::model::Model;
use crate::optim::{rule::Rule, schedule, Optimizer};
use crate::rng::{streams, SeededRng};
use crate::spec::{self, JobSpec, Task, TrainingSpec};
use candle_core::{Device, Tensor};
use std::time::Instant;

/// Preprocessed features and targets, row-major.
pub struct Table<'a> {
    /// Features, `width` per row.
    pub x: &'a [f32],
    /// Targets, one per row.
    pub y: &'a [f32],
    /// Values per row.
    pub width: usize,
    /// The fitted preprocessing (to put scaled targets back for metrics).
    pub preprocessing: &'a Standardizer,
}

impl Table<'_> {
    /// The rows as an input tensor, and their targets.
    /// Training batches pass an augmenter, which transforms each image.
    fn batch(
        &self,
        rows: &[usize],
        device: &Device,
        mut augment: Option<&mut Augmenter>,
    ) -> Result<(Tensor, Vec<f32>)> {
        let mut xs = Vec::with_capacity(rows.len() * self.width);
        let mut ys = Vec::with_capacity(rows.len());
        for &r in rows {
            xs.extend_from_slice(&self.x[r * self.width..(r + 1) * self.width]);
            if let Some(a) = augment.as_deref_mut() {
                let at = xs.len() - self.width;
                a.apply(&mut xs[at..]);
            }
            ys.push(self.y[r]);
        }
        Ok((Tensor::from_vec(xs, (rows.len(), self.width), device)?, ys))
    }

    /// Add a batch's figures to `tally`, regression values back on the
    /// targets' own scale.
    fn tally(
        &self,
        tally: &mut Tally,
        task: Task,
        loss: f64,
        logits: &Tensor,
        mut target: Vec<f32>,
    ) -> Result<()> {
        let mut predicted = predictions(task, logits)?;
        if task == Task::Regression {
            self.preprocessing.unscale_targets(&mut predicted);
            self.preprocessing.unscale_targets(&mut target);
        }
        tally.add(loss, &predicted, &target, &scores(task, logits)?);
        Ok(())
    }
}

/// The logits that binary metrics rank by (empty for other tasks).
fn scores(task: Task, logits: &Tensor) -> Result<Vec<f32>> {
    Ok(if task == Task::Binary {
        logits.flatten_all()?.to_vec1()?
    } else {
        Vec::new()
    })
}

/// Evaluation settings shared by every evaluation of a run.
struct Judge<'a> {
    spec: &'a JobSpec,
    loss: Loss,
    device: &'a Device,
}

impl Judge<'_> {
    /// Evaluate on `rows`, in batches, at most `max_batches` of them.
    fn evaluate(
        &self,
        model: &Model,
        table: &Table,
        rows: &[usize],
        batch: usize,
        max_batches: Option<usize>,
    ) -> Result<Evaluation> {
        let task = self.spec.model.task;
        let mut tally = Tally::new(task, self.spec.dataset.definition.output_shape[0]);
        for chunk in rows.chunks(batch).take(max_batches.unwrap_or(usize::MAX)) {
            let (x, target) = table.batch(chunk, self.device, None)?;
            let logits = model.forward(&x)?;
            let l = f64::from(self.loss.compute(&logits, &target)?.to_scalar::<f32>()?);
            table.tally(&mut tally, task, l, &logits, target)?;
        }
        Ok(tally.finish())
    }
}

/// Early stopping's bookkeeping: the best figure so far, its epoch and
/// weights, and the validations since it.
struct Watch<'a> {
    rule: &'a spec::EarlyStopping,
    lower_is_better: bool,
    best: Option<(f64, usize, Vec<Tensor>)>,
    waited: usize,
}

impl<'a> Watch<'a> {
    fn new(rule: &'a spec::EarlyStopping) -> Self {
        let lower_is_better = spec::MONITORS
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
    fn observe(&mut self, epoch: usize, v: &Evaluation, model: &Model) -> Result<bool> {
        let value = v
            .figures()
            .find(|(name, _)| *name == self.rule.monitor)
            .map(|(_, value)| value)
            .ok_or_else(|| {
                BuildError::Train(format!(
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
            let weights = model
                .all_vars()
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
    fn finish(self, model: &Model, stopped_epoch: Option<usize>) -> Result<Option<Stopping>> {
        let Some((value, epoch, weights)) = self.best else {
            return Ok(None);
        };
        if self.rule.restore_best {
            for (var, w) in model.all_vars().iter().zip(&weights) {
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

/// Per-epoch progress callback: `(epoch, step, steps)`.
pub type Progress<'a> = &'a dyn Fn(usize, usize, usize);

fn optimizer(model: &Model, t: &TrainingSpec) -> Result<Optimizer> {
    let rule = match t.optimizer {
        spec::Optimizer::Sgd => Rule::Sgd {
            momentum: t.momentum,
            nesterov: t.nesterov,
            weight_decay: t.weight_decay,
        },
        spec::Optimizer::Adam => Rule::Adam {
            weight_decay: t.weight_decay,
        },
    };
    Optimizer::new(model.vars(), rule, t.clip_grad_norm)
}

fn epoch_line(
    epoch: usize,
    t: &TrainingSpec,
    train: &Evaluation,
    validation: Option<&Evaluation>,
) -> String {
    let mut line = format!(
        "epoch {:>3}/{}: loss {:.6}",
        epoch + 1,
        t.epochs,
        train.loss
    );
    if let Some(a) = train.accuracy {
        line += &format!(" accuracy {a:.4}");
    }
    if let Some(v) = validation {
        line += &format!(" val_loss {:.6}", v.loss);
        if let Some(a) = v.accuracy {
            line += &format!(" val_accuracy {a:.4}");
        }
    }
    line
}

/// The state of one run's training steps.
struct Steps<'a> {
    model: &'a Model,
    table: &'a Table<'a>,
    spec: &'a JobSpec,
    device: &'a Device,
    opt: Optimizer,
    loss: Loss,
    dropout: Dropout,
    augmenter: Option<Augmenter>,
    /// Steps per epoch.
    steps: usize,
    rows_seen: usize,
}

impl<'a> Steps<'a> {
    fn new(
        model: &'a Model,
        table: &'a Table<'a>,
        spec: &'a JobSpec,
        device: &'a Device,
        rows: usize,
    ) -> Result<Self> {
        let t = &spec.training;
        let shape = &spec.dataset.definition.input_shape;
        Ok(Steps {
            model,
            table,
            spec,
            device,
            opt: optimizer(model, t)?,
            loss: Loss::training(spec),
            dropout: Dropout::new(spec.model.dropout, t.seed),
            augmenter: t
                .augmentation
                .filter(|_| shape.len() == 3)
                .map(|a| Augmenter::new(a, [shape[0], shape[1], shape[2]], t.seed)),
            steps: rows
                .div_ceil(t.batch_size)
                .min(t.steps_per_epoch.unwrap_or(usize::MAX)),
            rows_seen: 0,
        })
    }

    /// One epoch over `order`; the training figures.
    fn epoch(&mut self, epoch: usize, order: &[usize], progress: Progress) -> Result<Evaluation> {
        let (t, task) = (&self.spec.training, self.spec.model.task);
        let mut tally = Tally::new(task, self.spec.dataset.definition.output_shape[0]);
        for (step, chunk) in order.chunks(t.batch_size).take(self.steps).enumerate() {
            let (x, target) = self
                .table
                .batch(chunk, self.device, self.augmenter.as_mut())?;
            let logits = self.model.forward_train(&x, &mut self.dropout)?;
            let l = self.loss.compute(&logits, &target)?;
            let lr = schedule::learning_rate(t, epoch, step, self.steps);
            self.opt.backward_step(&l, lr)?;
            let value = f64::from(l.to_scalar::<f32>()?);
            if !value.is_finite() {
                return Err(BuildError::Train(format!(
                    "loss became {value} at epoch {epoch}, step {step}: lower training.learning_rate or enable preprocessing.normalize"
                )));
            }
            self.table
                .tally(&mut tally, task, value, &logits.detach(), target)?;
            self.rows_seen += chunk.len();
            progress(epoch, step + 1, self.steps);
        }
        Ok(tally.finish())
    }
}

/// Train `model` on `split.train` and evaluate on the other splits.
pub fn train(
    model: &Model,
    table: &Table,
    split: &Split,
    spec: &JobSpec,
    device: &Device,
    progress: Progress,
    log: &mut Vec<String>,
) -> Result<Metrics> {
    let t = &spec.training;
    let judge = Judge {
        spec,
        loss: Loss::plain(spec),
        device,
    };
    let mut run = Steps::new(model, table, spec, device, split.train.len())?;
    let mut watch = t.early_stopping.as_ref().map(Watch::new);
    let mut shuffler = SeededRng::new(t.seed, streams::SHUFFLE);
    let mut order = split.train.clone();
    let (mut epochs, mut stopped) = (Vec::new(), None);
    let started = Instant::now();
    for epoch in t.initial_epoch..t.epochs {
        shuffler.shuffle(&mut order);
        let train_eval = run.epoch(epoch, &order, progress)?;
        let validate = !split.validation.is_empty() && (epoch + 1) % t.validation_freq == 0;
        let validation = if validate {
            let rows = &split.validation;
            Some(judge.evaluate(model, table, rows, t.batch_size, t.validation_steps)?)
        } else {
            None
        };
        log.push(epoch_line(epoch, t, &train_eval, validation.as_ref()));
        let stop = match (&mut watch, &validation) {
            (Some(w), Some(v)) => w.observe(epoch, v, model)?,
            _ => false,
        };
        epochs.push(EpochMetrics {
            epoch,
            loss: train_eval.loss,
            accuracy: train_eval.accuracy,
            validation,
        });
        if stop {
            log.push(format!("early stopping after epoch {}", epoch + 1));
            stopped = Some(epoch);
            break;
        }
    }
    let seconds = started.elapsed().as_secs_f64();
    let early_stopping = match watch {
        Some(w) => w.finish(model, stopped)?,
        None => None,
    };
    let final_eval = |rows: &[usize]| -> Result<Option<Evaluation>> {
        if rows.is_empty() {
            return Ok(None);
        }
        judge
            .evaluate(model, table, rows, t.batch_size.max(256), None)
            .map(Some)
    };
    Ok(Metrics {
        task: spec.model.task,
        epochs,
        early_stopping,
        validation: final_eval(&split.validation)?,
        test: final_eval(&split.test)?,
        split_rows: SplitRows {
            train: split.train.len(),
            validation: split.validation.len(),
            test: split.test.len(),
        },
        timing: Timing {
            training_seconds: seconds,
            rows_per_second: run.rows_seen as f64 / seconds.max(1e-9),
        },
    })
}
