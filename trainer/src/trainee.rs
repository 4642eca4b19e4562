//! What the training loop trains ([`Trainee`]): a network bound to its
//! data, and the seeded randomness of its training steps ([`Noise`]).

use crate::augment::{Augmentation, Augmenter};
use crate::dropout::Dropout;
use crate::error::Result;
use crate::model::Model;
use crate::preprocess::Standardizer;
use candle_core::{Device, Tensor, Var};

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
    pub(crate) fn batch(
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
    /// Dropout at `rate` and, for images (`shape` = `[h, w, c]`), the
    /// augmentation asked for, both drawn from `seed`.
    pub fn new(rate: f64, augmentation: Option<Augmentation>, shape: &[usize], seed: u64) -> Self {
        Noise {
            dropout: Dropout::new(rate, seed),
            augmenter: augmentation
                .filter(|_| shape.len() == 3)
                .map(|a| Augmenter::new(a, [shape[0], shape[1], shape[2]], seed)),
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
