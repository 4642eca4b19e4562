//! Training losses: cross-entropy (multi-class), binary cross-entropy on
//! logits and mean squared error, with optional class weights (a weighted
//! mean, as PyTorch's `weight=`) and label smoothing.

use crate::task::Task;
use candle_core::{DType, Result, Tensor, D};

/// A loss over a batch of logits and host-side targets.
#[derive(Debug, Clone, PartialEq)]
pub struct Loss {
    task: Task,
    classes: usize,
    smoothing: f32,
    weights: Option<Vec<f32>>,
}

impl Loss {
    /// The training loss for `task` over `classes` outputs, with label
    /// smoothing ε (classification; 0 for none) and one weight per class
    /// (classification; a weighted mean, as PyTorch's `weight=`).
    pub fn training(task: Task, classes: usize, smoothing: f64, weights: Option<&[f64]>) -> Self {
        Loss {
            smoothing: smoothing as f32,
            weights: weights.map(|w| w.iter().map(|&v| v as f32).collect()),
            ..Loss::plain(task, classes)
        }
    }

    /// The unweighted, unsmoothed loss, reported for evaluations.
    pub fn plain(task: Task, classes: usize) -> Self {
        Loss {
            task,
            classes,
            smoothing: 0.0,
            weights: None,
        }
    }

    /// The mean (or class-weighted mean) loss of `logits` against `targets`
    /// (class indices, 0/1, or values).
    pub fn compute(&self, logits: &Tensor, targets: &[f32]) -> Result<Tensor> {
        let (device, n) = (logits.device(), targets.len());
        let per_row = match self.task {
            Task::Regression => {
                let y = Tensor::from_slice(targets, (n, 1), device)?;
                return candle_nn::loss::mse(logits, &y);
            }
            Task::Multiclass if self.smoothing == 0.0 && self.weights.is_none() => {
                let y: Vec<u32> = targets.iter().map(|&v| v as u32).collect();
                return candle_nn::loss::cross_entropy(logits, &Tensor::from_vec(y, n, device)?);
            }
            Task::Multiclass => {
                let k = self.classes;
                let (off, on) = (self.smoothing / k as f32, 1.0 - self.smoothing);
                let mut q = vec![off; n * k];
                for (row, &t) in targets.iter().enumerate() {
                    q[row * k + t as usize] += on;
                }
                let q = Tensor::from_vec(q, (n, k), device)?;
                let log_p = candle_nn::ops::log_softmax(logits, D::Minus1)?;
                (q * log_p)?.sum(D::Minus1)?.neg()?
            }
            Task::Binary => {
                let eps = self.smoothing;
                let y: Vec<f32> = targets
                    .iter()
                    .map(|&t| t * (1.0 - eps) + eps / 2.0)
                    .collect();
                bce_with_logits(logits, &Tensor::from_vec(y, (n, 1), device)?)?.flatten_all()?
            }
        };
        match &self.weights {
            None => per_row.mean_all(),
            Some(w) => {
                let w: Vec<f32> = targets.iter().map(|&t| w[t as usize]).collect();
                let total: f32 = w.iter().sum();
                let w = Tensor::from_vec(w, n, device)?;
                (per_row * w)?.sum_all()? / f64::from(total)
            }
        }
    }
}

/// Binary cross-entropy on logits per element, in the stable form
/// `max(x, 0) - x·y + ln(1 + e^-|x|)`. (candle's version takes the log of a
/// sigmoid, which reaches ln 0 = -inf, and so NaN, once logits grow large.)
pub fn bce_with_logits(x: &Tensor, y: &Tensor) -> Result<Tensor> {
    let softplus = x.abs()?.neg()?.exp()?.affine(1.0, 1.0)?.log()?;
    (x.relu()? - (x * y)?)?.add(&softplus)
}

/// Predictions as class indices (classification) or values (regression).
pub fn predictions(task: Task, logits: &Tensor) -> Result<Vec<f32>> {
    match task {
        Task::Multiclass => logits.argmax(D::Minus1)?.to_dtype(DType::F32)?.to_vec1(),
        Task::Binary => logits
            .ge(0.0)?
            .to_dtype(DType::F32)?
            .flatten_all()?
            .to_vec1(),
        Task::Regression => logits.flatten_all()?.to_vec1(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use candle_core::Device;

    fn loss(task: Task, classes: usize, smoothing: f32, weights: Option<Vec<f32>>) -> Loss {
        Loss {
            task,
            classes,
            smoothing,
            weights,
        }
    }

    fn value(l: &Loss, logits: &[f32], shape: (usize, usize), targets: &[f32]) -> f64 {
        let x = Tensor::from_slice(logits, shape, &Device::Cpu).unwrap();
        f64::from(l.compute(&x, targets).unwrap().to_scalar::<f32>().unwrap())
    }

    #[test]
    fn binary_loss_stays_finite_for_large_logits_and_matches_the_definition() {
        let xs = [-200f64, -1.0, 0.0, 2.0, 300.0];
        let ys = [1f64, 0.0, 1.0, 1.0, 0.0];
        let logits: Vec<f32> = xs.iter().map(|&v| v as f32).collect();
        let targets: Vec<f32> = ys.iter().map(|&v| v as f32).collect();
        let got = value(&loss(Task::Binary, 1, 0.0, None), &logits, (5, 1), &targets);
        let want: f64 = xs
            .iter()
            .zip(ys)
            .map(|(&x, y)| x.max(0.0) - x * y + (1.0 + (-x.abs()).exp()).ln())
            .sum::<f64>()
            / 5.0;
        assert!(got.is_finite());
        assert!((got - want).abs() < 1e-3, "{got} vs {want}");
    }

    /// Smoothing and weights against PyTorch's definitions, computed by hand:
    /// `-Σ_c q_c ln p_c` with `q = (1-ε)·onehot + ε/K`, and `Σ w_y l / Σ w_y`.
    #[test]
    fn smoothed_and_weighted_cross_entropy_follow_pytorch() {
        let logits = [2.0f32, 0.5, -1.0, 0.1, 0.2, 0.3];
        let targets = [0f32, 2.0];
        let ln_softmax = |row: &[f32]| -> Vec<f64> {
            let z: f64 = row.iter().map(|&v| f64::from(v).exp()).sum();
            row.iter().map(|&v| f64::from(v) - z.ln()).collect()
        };
        let rows = [ln_softmax(&logits[..3]), ln_softmax(&logits[3..])];
        let eps = 0.1;
        let smoothed = |r: &[f64], t: usize| -> f64 {
            -(0..3)
                .map(|c| (if c == t { 1.0 - eps } else { 0.0 } + eps / 3.0) * r[c])
                .sum::<f64>()
        };
        let (l0, l1) = (smoothed(&rows[0], 0), smoothed(&rows[1], 2));
        let got = value(
            &loss(Task::Multiclass, 3, 0.1, None),
            &logits,
            (2, 3),
            &targets,
        );
        assert!((got - (l0 + l1) / 2.0).abs() < 1e-5, "{got}");
        let weights = Some(vec![1.0, 5.0, 3.0]);
        let got = value(
            &loss(Task::Multiclass, 3, 0.1, weights),
            &logits,
            (2, 3),
            &targets,
        );
        assert!((got - (l0 + 3.0 * l1) / 4.0).abs() < 1e-5, "{got}");
        // Without either, the fast path is plain cross-entropy.
        let plain = value(
            &loss(Task::Multiclass, 3, 0.0, None),
            &logits,
            (2, 3),
            &targets,
        );
        assert!(
            (plain - (-rows[0][0] - rows[1][2]) / 2.0).abs() < 1e-5,
            "{plain}"
        );
    }
}
