//! The training loop: seeded shuffling, minibatches, the optimizer and its
//! schedule, per-epoch validation, early stopping and the final evaluations.

use crate::data::{Split, Standardizer};
use crate::error::{BuildError, Result};
use crate::model::Model;
use crate::spec::{self, JobSpec, Task, TrainingSpec};
use crate::trainer_config;
use candle_core::{Device, Tensor, Var};
use slsa_aibom_trainer::augment::Augmenter;
use slsa_aibom_trainer::dropout::Dropout;
use slsa_aibom_trainer::loss::{predictions, Loss};
use slsa_aibom_trainer::metrics::{
    EpochMetrics, Evaluation, Metrics, SplitRows, Stopping, Tally, Timing,
};
use slsa_aibom_trainer::optim::{rule::Rule, schedule, schedule::LearningRate, Optimizer};
use slsa_aibom_trainer::rng::{streams, SeededRng};
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
}

/// The randomness of training steps, each drawn from the job's seed.
pub struct Noise {
    /// Dropout masks.
    pub dropout: Dropout,
    /// Image augmentation (CNN jobs that ask for it).
    pub augmenter: Option<Augmenter>,
}

impl Noise {
    /// The job's dropout and augmentation, seeded.
    pub fn for_job(spec: &JobSpec) -> Self {
        let t = &spec.training;
        let shape = &spec.dataset.definition.input_shape;
        Noise {
            dropout: Dropout::new(spec.model.dropout, t.seed),
            augmenter: t
                .augmentation
                .filter(|_| shape.len() == 3)
                .map(|a| Augmenter::new(a, [shape[0], shape[1], shape[2]], t.seed)),
        }
    }
}

/// What the training loop trains: a network bound to its data.
pub trait Trainee {
    /// The logits of `rows` and their targets. `noise` is given on training
    /// steps (dropout, augmentation) and absent when evaluating.
    fn forward_rows(&self, rows: &[usize], noise: Option<&mut Noise>)
        -> Result<(Tensor, Vec<f32>)>;
    /// The variables the optimizer updates.
    fn trainable(&self) -> Vec<Var>;
    /// Every variable, trained or not (early stopping keeps and restores them).
    fn state(&self) -> Vec<Var>;
    /// Put regression values back on the targets' own scale.
    fn unscale(&self, _values: &mut [f32]) {}
}

/// An MLP or CNN bound to its preprocessed table.
pub struct Tabular<'a> {
    /// The network.
    pub model: &'a Model,
    /// Its data.
    pub table: Table<'a>,
    /// Where batches go.
    pub device: &'a Device,
}

impl Trainee for Tabular<'_> {
    fn forward_rows(
        &self,
        rows: &[usize],
        noise: Option<&mut Noise>,
    ) -> Result<(Tensor, Vec<f32>)> {
        match noise {
            Some(n) => {
                let (x, y) = self.table.batch(rows, self.device, n.augmenter.as_mut())?;
                Ok((self.model.forward_train(&x, &mut n.dropout)?, y))
            }
            None => {
                let (x, y) = self.table.batch(rows, self.device, None)?;
                Ok((self.model.forward(&x)?, y))
            }
        }
    }

    fn trainable(&self) -> Vec<Var> {
        self.model.vars()
    }

    fn state(&self) -> Vec<Var> {
        self.model.all_vars()
    }

    fn unscale(&self, values: &mut [f32]) {
        self.table.preprocessing.unscale_targets(values);
    }
}

/// Add a batch's figures to `tally`, regression values back on the
/// targets' own scale.
fn tally(
    trainee: &dyn Trainee,
    tally: &mut Tally,
    task: Task,
    loss: f64,
    logits: &Tensor,
    mut target: Vec<f32>,
) -> Result<()> {
    let mut predicted = predictions(task, logits)?;
    if task == Task::Regression {
        trainee.unscale(&mut predicted);
        trainee.unscale(&mut target);
    }
    tally.add(loss, &predicted, &target, &scores(task, logits)?);
    Ok(())
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
}

impl Judge<'_> {
    /// Evaluate on `rows`, in batches, at most `max_batches` of them.
    fn evaluate(
        &self,
        trainee: &dyn Trainee,
        rows: &[usize],
        batch: usize,
        max_batches: Option<usize>,
    ) -> Result<Evaluation> {
        let task = self.spec.model.task;
        let mut figures = Tally::new(task, self.spec.dataset.definition.output_shape[0]);
        for chunk in rows.chunks(batch).take(max_batches.unwrap_or(usize::MAX)) {
            let (logits, target) = trainee.forward_rows(chunk, None)?;
            let l = f64::from(self.loss.compute(&logits, &target)?.to_scalar::<f32>()?);
            tally(trainee, &mut figures, task, l, &logits, target)?;
        }
        Ok(figures.finish())
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
    fn observe(&mut self, epoch: usize, v: &Evaluation, trainee: &dyn Trainee) -> Result<bool> {
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
    fn finish(
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

/// Per-epoch progress callback: `(epoch, step, steps)`.
pub type Progress<'a> = &'a dyn Fn(usize, usize, usize);

fn optimizer(trainee: &dyn Trainee, t: &TrainingSpec) -> Result<Optimizer> {
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
    Ok(Optimizer::new(trainee.trainable(), rule, t.clip_grad_norm)?)
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
    trainee: &'a dyn Trainee,
    spec: &'a JobSpec,
    opt: Optimizer,
    loss: Loss,
    rate: LearningRate,
    noise: Noise,
    /// Steps per epoch.
    steps: usize,
    rows_seen: usize,
}

impl<'a> Steps<'a> {
    fn new(trainee: &'a dyn Trainee, spec: &'a JobSpec, rows: usize) -> Result<Self> {
        let t = &spec.training;
        Ok(Steps {
            trainee,
            spec,
            opt: optimizer(trainee, t)?,
            loss: trainer_config::training_loss(spec),
            rate: trainer_config::learning_rate(t),
            noise: Noise::for_job(spec),
            steps: rows
                .div_ceil(t.batch_size)
                .min(t.steps_per_epoch.unwrap_or(usize::MAX)),
            rows_seen: 0,
        })
    }

    /// One epoch over `order`; the training figures.
    fn epoch(&mut self, epoch: usize, order: &[usize], progress: Progress) -> Result<Evaluation> {
        let (t, task) = (&self.spec.training, self.spec.model.task);
        let mut figures = Tally::new(task, self.spec.dataset.definition.output_shape[0]);
        for (step, chunk) in order.chunks(t.batch_size).take(self.steps).enumerate() {
            let (logits, target) = self.trainee.forward_rows(chunk, Some(&mut self.noise))?;
            let l = self.loss.compute(&logits, &target)?;
            let lr = schedule::learning_rate(&self.rate, epoch, step, self.steps);
            self.opt.backward_step(&l, lr)?;
            let value = f64::from(l.to_scalar::<f32>()?);
            if !value.is_finite() {
                return Err(BuildError::Train(format!(
                    "loss became {value} at epoch {epoch}, step {step}: lower training.learning_rate or enable preprocessing.normalize"
                )));
            }
            tally(
                self.trainee,
                &mut figures,
                task,
                value,
                &logits.detach(),
                target,
            )?;
            self.rows_seen += chunk.len();
            progress(epoch, step + 1, self.steps);
        }
        Ok(figures.finish())
    }
}

/// Train `trainee` on `split.train` and evaluate on the other splits.
pub fn train(
    trainee: &dyn Trainee,
    split: &Split,
    spec: &JobSpec,
    progress: Progress,
    log: &mut Vec<String>,
) -> Result<Metrics> {
    let t = &spec.training;
    let judge = Judge {
        spec,
        loss: trainer_config::evaluation_loss(spec),
    };
    let mut run = Steps::new(trainee, spec, split.train.len())?;
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
            Some(judge.evaluate(trainee, rows, t.batch_size, t.validation_steps)?)
        } else {
            None
        };
        log.push(epoch_line(epoch, t, &train_eval, validation.as_ref()));
        let stop = match (&mut watch, &validation) {
            (Some(w), Some(v)) => w.observe(epoch, v, trainee)?,
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
        Some(w) => w.finish(trainee, stopped)?,
        None => None,
    };
    let final_eval = |rows: &[usize]| -> Result<Option<Evaluation>> {
        if rows.is_empty() {
            return Ok(None);
        }
        judge
            .evaluate(trainee, rows, t.batch_size.max(256), None)
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
