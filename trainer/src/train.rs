//! The training loop: seeded shuffling, minibatches, the optimizer and its
//! schedule, per-epoch validation, early stopping and the final evaluations.

use crate::early_stopping::{EarlyStopping, Watch};
use crate::error::{Result, TrainError};
use crate::loss::{predictions, Loss};
use crate::metrics::{EpochMetrics, Evaluation, Metrics, SplitRows, Tally, Timing};
use crate::optim::{rule::Rule, schedule, schedule::LearningRate, Optimizer};
use crate::rng::{streams, SeededRng};
use crate::split::Split;
use crate::task::Task;
use crate::trainee::{Noise, Trainee};
use candle_core::Tensor;
use std::time::Instant;

/// How a run trains: the loop's settings in the trainer's own terms.
#[derive(Debug, Clone, PartialEq)]
pub struct TrainConfig {
    /// What the model predicts.
    pub task: Task,
    /// The model's outputs (classes, or 1 for binary and regression).
    pub outputs: usize,
    /// The epoch after the last (the last epoch index is `epochs - 1`).
    pub epochs: usize,
    /// The epoch to start at: epochs before it are skipped.
    pub initial_epoch: usize,
    /// Rows per minibatch.
    pub batch_size: usize,
    /// Batches per epoch; all when absent.
    pub steps_per_epoch: Option<usize>,
    /// Validation batches per evaluation; all when absent.
    pub validation_steps: Option<usize>,
    /// Validate every this many epochs.
    pub validation_freq: usize,
    /// The optimizer's update rule.
    pub rule: Rule,
    /// Clip the global gradient norm to this value each step.
    pub clip_grad_norm: Option<f64>,
    /// The learning rate over the run.
    pub rate: LearningRate,
    /// The loss training minimises (evaluations report the plain one).
    pub loss: Loss,
    /// Stop when a validation figure stops improving.
    pub early_stopping: Option<EarlyStopping>,
    /// The seed of the shuffling stream.
    pub seed: u64,
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
    config: &'a TrainConfig,
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
        let task = self.config.task;
        let mut figures = Tally::new(task, self.config.outputs);
        for chunk in rows.chunks(batch).take(max_batches.unwrap_or(usize::MAX)) {
            let (logits, target) = trainee.forward_rows(chunk, None)?;
            let l = f64::from(self.loss.compute(&logits, &target)?.to_scalar::<f32>()?);
            tally(trainee, &mut figures, task, l, &logits, target)?;
        }
        Ok(figures.finish())
    }
}

/// Per-epoch progress callback: `(epoch, step, steps)`.
pub type Progress<'a> = &'a dyn Fn(usize, usize, usize);

fn epoch_line(
    epoch: usize,
    t: &TrainConfig,
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
    config: &'a TrainConfig,
    opt: Optimizer,
    noise: Noise,
    /// Steps per epoch.
    steps: usize,
    rows_seen: usize,
}

impl<'a> Steps<'a> {
    fn new(
        trainee: &'a dyn Trainee,
        t: &'a TrainConfig,
        noise: Noise,
        rows: usize,
    ) -> Result<Self> {
        Ok(Steps {
            trainee,
            config: t,
            opt: Optimizer::new(trainee.trainable(), t.rule, t.clip_grad_norm)?,
            noise,
            steps: rows
                .div_ceil(t.batch_size)
                .min(t.steps_per_epoch.unwrap_or(usize::MAX)),
            rows_seen: 0,
        })
    }

    /// One epoch over `order`; the training figures.
    fn epoch(&mut self, epoch: usize, order: &[usize], progress: Progress) -> Result<Evaluation> {
        let (t, task) = (self.config, self.config.task);
        let mut figures = Tally::new(task, t.outputs);
        for (step, chunk) in order.chunks(t.batch_size).take(self.steps).enumerate() {
            let (logits, target) = self.trainee.forward_rows(chunk, Some(&mut self.noise))?;
            let l = t.loss.compute(&logits, &target)?;
            let lr = schedule::learning_rate(&t.rate, epoch, step, self.steps);
            self.opt.backward_step(&l, lr)?;
            let value = f64::from(l.to_scalar::<f32>()?);
            if !value.is_finite() {
                return Err(TrainError::Train(format!(
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

/// Train `trainee` on `split.train` with `noise` on its training steps,
/// and evaluate on the other splits.
pub fn train(
    trainee: &dyn Trainee,
    split: &Split,
    t: &TrainConfig,
    noise: Noise,
    progress: Progress,
    log: &mut Vec<String>,
) -> Result<Metrics> {
    let judge = Judge {
        config: t,
        loss: Loss::plain(t.task, t.outputs),
    };
    let mut run = Steps::new(trainee, t, noise, split.train.len())?;
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
        task: t.task,
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
