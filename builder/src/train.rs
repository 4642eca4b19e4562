//! The training loop: seeded shuffling, minibatches, the optimizer, per-epoch
//! validation and the final evaluations.

use crate::data::Split;
use crate::error::Result;
use crate::metrics::{EpochMetrics, Evaluation, Metrics, SplitRows, Tally, Timing};
use crate::model::Model;
use crate::optim::{rule::Rule, schedule, Optimizer as Stepper};
use crate::rng::{streams, SeededRng};
use crate::spec::{Optimizer, Task, TrainingSpec};
use candle_core::{DType, Device, Tensor, D};
use std::time::Instant;

/// Preprocessed features and targets, row-major.
pub struct Table<'a> {
    /// Features, `width` per row.
    pub x: &'a [f32],
    /// Targets, one per row.
    pub y: &'a [f32],
    /// Values per row.
    pub width: usize,
}

impl Table<'_> {
    /// The rows as an input tensor, a target tensor, and the targets as
    /// host values (for the metrics).
    fn batch(
        &self,
        rows: &[usize],
        task: Task,
        device: &Device,
    ) -> Result<(Tensor, Tensor, Vec<f32>)> {
        let mut xs = Vec::with_capacity(rows.len() * self.width);
        let mut ys = Vec::with_capacity(rows.len());
        for &r in rows {
            xs.extend_from_slice(&self.x[r * self.width..(r + 1) * self.width]);
            ys.push(self.y[r]);
        }
        let x = Tensor::from_vec(xs, (rows.len(), self.width), device)?;
        let y = match task {
            Task::Multiclass => Tensor::from_vec(
                ys.iter().map(|&v| v as u32).collect::<Vec<_>>(),
                rows.len(),
                device,
            )?,
            _ => Tensor::from_slice(&ys, (rows.len(), 1), device)?,
        };
        Ok((x, y, ys))
    }
}

fn loss(task: Task, logits: &Tensor, y: &Tensor) -> Result<Tensor> {
    Ok(match task {
        Task::Multiclass => candle_nn::loss::cross_entropy(logits, y)?,
        Task::Binary => stable_bce_with_logits(logits, y)?,
        Task::Regression => candle_nn::loss::mse(logits, y)?,
    })
}

/// Binary cross-entropy on logits in the stable form
/// `max(x, 0) - x·y + ln(1 + e^-|x|)`. (candle's version takes the log of a
/// sigmoid, which reaches ln 0 = -inf, and so NaN, once logits grow large.)
fn stable_bce_with_logits(x: &Tensor, y: &Tensor) -> candle_core::Result<Tensor> {
    let softplus = x.abs()?.neg()?.exp()?.affine(1.0, 1.0)?.log()?;
    (x.relu()? - (x * y)?)?.add(&softplus)?.mean_all()
}

/// Predictions as class indices (classification) or values (regression).
fn predictions(task: Task, logits: &Tensor) -> Result<Vec<f32>> {
    Ok(match task {
        Task::Multiclass => logits.argmax(D::Minus1)?.to_dtype(DType::F32)?.to_vec1()?,
        Task::Binary => logits
            .ge(0.0)?
            .to_dtype(DType::F32)?
            .flatten_all()?
            .to_vec1()?,
        Task::Regression => logits.flatten_all()?.to_vec1()?,
    })
}

/// Evaluate on `rows`, in batches, at most `max_batches` of them.
fn evaluate(
    model: &Model,
    table: &Table,
    rows: &[usize],
    task: Task,
    batch: usize,
    max_batches: Option<usize>,
    device: &Device,
) -> Result<Evaluation> {
    let mut tally = Tally::default();
    for chunk in rows.chunks(batch).take(max_batches.unwrap_or(usize::MAX)) {
        let (x, y, target) = table.batch(chunk, task, device)?;
        let logits = model.forward(&x)?;
        let l = f64::from(loss(task, &logits, &y)?.to_scalar::<f32>()?);
        tally.add(l, &predictions(task, &logits)?, &target);
    }
    Ok(tally.finish(task))
}

/// Per-epoch progress callback: `(epoch, step, steps)`.
pub type Progress<'a> = &'a dyn Fn(usize, usize, usize);

/// Train `model` on `split.train` and evaluate on the other splits.
#[allow(clippy::too_many_arguments)]
pub fn train(
    model: &Model,
    table: &Table,
    split: &Split,
    task: Task,
    t: &TrainingSpec,
    device: &Device,
    progress: Progress,
    log: &mut Vec<String>,
) -> Result<Metrics> {
    let rule = match t.optimizer {
        Optimizer::Sgd => Rule::Sgd {
            momentum: t.momentum,
            nesterov: t.nesterov,
            weight_decay: t.weight_decay,
        },
        Optimizer::Adam => Rule::Adam {
            weight_decay: t.weight_decay,
        },
    };
    let mut opt = Stepper::new(model.vars(), rule, t.clip_grad_norm)?;
    let mut shuffler = SeededRng::new(t.seed, streams::SHUFFLE);
    let mut order = split.train.clone();
    let steps = order
        .len()
        .div_ceil(t.batch_size)
        .min(t.steps_per_epoch.unwrap_or(usize::MAX));
    let mut epochs = Vec::new();
    let mut rows_seen = 0usize;
    let started = Instant::now();
    for epoch in t.initial_epoch..t.epochs {
        shuffler.shuffle(&mut order);
        let mut tally = Tally::default();
        for (step, chunk) in order.chunks(t.batch_size).take(steps).enumerate() {
            let (x, y, target) = table.batch(chunk, task, device)?;
            let logits = model.forward(&x)?;
            let l = loss(task, &logits, &y)?;
            opt.backward_step(&l, schedule::learning_rate(t, epoch, step, steps))?;
            let value = f64::from(l.to_scalar::<f32>()?);
            if !value.is_finite() {
                return Err(crate::error::BuildError::Train(format!(
                    "loss became {value} at epoch {epoch}, step {step}: lower training.learning_rate or enable preprocessing.normalize"
                )));
            }
            tally.add(value, &predictions(task, &logits.detach())?, &target);
            rows_seen += chunk.len();
            progress(epoch, step + 1, steps);
        }
        let train_eval = tally.finish(task);
        let validate = !split.validation.is_empty() && (epoch + 1) % t.validation_freq == 0;
        let validation = if validate {
            Some(evaluate(
                model,
                table,
                &split.validation,
                task,
                t.batch_size,
                t.validation_steps,
                device,
            )?)
        } else {
            None
        };
        let mut line = format!(
            "epoch {:>3}/{}: loss {:.6}",
            epoch + 1,
            t.epochs,
            train_eval.loss
        );
        if let Some(a) = train_eval.accuracy {
            line += &format!(" accuracy {a:.4}");
        }
        if let Some(v) = &validation {
            line += &format!(" val_loss {:.6}", v.loss);
            if let Some(a) = v.accuracy {
                line += &format!(" val_accuracy {a:.4}");
            }
        }
        log.push(line);
        epochs.push(EpochMetrics {
            epoch,
            loss: train_eval.loss,
            accuracy: train_eval.accuracy,
            validation,
        });
    }
    let seconds = started.elapsed().as_secs_f64();
    let final_eval = |rows: &[usize]| -> Result<Option<Evaluation>> {
        if rows.is_empty() {
            return Ok(None);
        }
        evaluate(
            model,
            table,
            rows,
            task,
            t.batch_size.max(256),
            None,
            device,
        )
        .map(Some)
    };
    Ok(Metrics {
        task,
        epochs,
        validation: final_eval(&split.validation)?,
        test: final_eval(&split.test)?,
        split_rows: SplitRows {
            train: split.train.len(),
            validation: split.validation.len(),
            test: split.test.len(),
        },
        timing: Timing {
            training_seconds: seconds,
            rows_per_second: rows_seen as f64 / seconds.max(1e-9),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binary_loss_stays_finite_for_large_logits_and_matches_the_definition() {
        let x = Tensor::new(&[[-200f32], [-1.0], [0.0], [2.0], [300.0]], &Device::Cpu).unwrap();
        let y = Tensor::new(&[[1f32], [0.0], [1.0], [1.0], [0.0]], &Device::Cpu).unwrap();
        let got = stable_bce_with_logits(&x, &y)
            .unwrap()
            .to_scalar::<f32>()
            .unwrap();
        // -[y ln σ(x) + (1-y) ln(1-σ(x))], computed in f64 by hand.
        let want: f64 = [
            (-200.0f64, 1.0f64),
            (-1.0, 0.0),
            (0.0, 1.0),
            (2.0, 1.0),
            (300.0, 0.0),
        ]
        .iter()
        .map(|&(x, y)| x.max(0.0) - x * y + (1.0 + (-x.abs()).exp()).ln())
        .sum::<f64>()
            / 5.0;
        assert!(got.is_finite());
        assert!((f64::from(got) - want).abs() < 1e-3, "{got} vs {want}");
    }
}
