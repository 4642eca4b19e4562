//! BERT-family encoders for fine-tuning: the configuration
//! (`config.json`), the weights, tokenisation, and the classifier with
//! full, head-only and LoRA training; [`TextTrainee`] binds one to its
//! tokenised records for the training loop.

pub mod classifier;
pub mod config;
pub mod tokens;
pub mod weights;

use crate::error::Result;
use crate::trainee::{Noise, Trainee};
use candle_core::{Device, Tensor, Var};
use classifier::TextClassifier;
use tokens::Encoded;

/// A classifier bound to its tokenised records.
pub struct TextTrainee<'a> {
    /// The network.
    pub model: &'a TextClassifier,
    /// The records' token ids.
    pub tokens: &'a Encoded,
    /// One target per record.
    pub targets: &'a [f32],
    /// Where batches go.
    pub device: &'a Device,
}

impl Trainee for TextTrainee<'_> {
    fn forward_rows(
        &self,
        rows: &[usize],
        noise: Option<&mut Noise>,
    ) -> Result<(Tensor, Vec<f32>)> {
        let (ids, mask) = self.tokens.batch(rows, self.device)?;
        let logits = self
            .model
            .forward(&ids, &mask, noise.map(|n| &mut n.dropout))?;
        Ok((logits, rows.iter().map(|&r| self.targets[r]).collect()))
    }

    fn trainable(&self) -> Vec<Var> {
        self.model.trainable()
    }

    fn state(&self) -> Vec<Var> {
        // Nothing else changes during training.
        self.model.trainable()
    }
}
