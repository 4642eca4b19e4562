//! Fine-tuning a pretrained BERT-family encoder from a Hugging Face model
//! directory on a text dataset: tokenised with the base model's tokenizer,
//! trained in full, head-only or with LoRA adapters by the same training
//! loop as every other job, and written back as a Hugging Face directory.

pub mod classifier;
pub mod config;
pub mod export;
pub mod inference;
pub mod tokens;
pub mod weights;

use crate::attest::record::TokenizationRecord;
use crate::data::Split;
use crate::error::{BuildError, Result};
use crate::lineage::VerifiedDir;
use crate::spec::JobSpec;
use crate::train::{train, Noise, Progress, Trainee};
use crate::training::TrainingOutcome;
use candle_core::{Device, Tensor, Var};
use classifier::{Mode, TextClassifier};
use sha2::{Digest as _, Sha256};

/// A classifier bound to its tokenised records.
pub struct TextTrainee<'a> {
    /// The network.
    pub model: &'a TextClassifier,
    /// The records' token ids.
    pub tokens: &'a tokens::Encoded,
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

/// What fine-tuning reads of a text dataset, one entry per record.
pub struct TextRecords<'a> {
    /// The texts.
    pub texts: &'a [String],
    /// The record keys (errors name records by them).
    pub keys: &'a [String],
    /// The targets.
    pub targets: &'a [f32],
    /// Class names in output order (classification).
    pub classes: Option<&'a [String]>,
}

/// The training mode a job asks for.
pub fn mode(spec: &JobSpec) -> Mode {
    match (&spec.model.lora, spec.model.freeze_encoder) {
        (Some(l), _) => Mode::Lora(l.clone()),
        (None, true) => Mode::HeadOnly,
        (None, false) => Mode::Full,
    }
}

/// The head's width: one output for binary, else `output_shape[0]`.
pub fn outputs(spec: &JobSpec) -> usize {
    match spec.model.task {
        crate::spec::Task::Binary => 1,
        _ => spec.dataset.definition.output_shape[0],
    }
}

/// Load the verified base model, tokenise, train, and write the model
/// directory into `model_dir`.
#[allow(clippy::too_many_arguments)]
pub fn fine_tune(
    spec: &JobSpec,
    base: &VerifiedDir,
    data: &TextRecords,
    split: &Split,
    device: &Device,
    progress: Progress,
    log: &mut Vec<String>,
    model_dir: &std::path::Path,
) -> Result<TrainingOutcome> {
    let text = spec
        .dataset
        .definition
        .text
        .as_ref()
        .ok_or_else(|| BuildError::Spec("a BERT job needs dataset.definition.text".into()))?;
    let config = config::EncoderConfig::parse(&base.read("config.json")?, "base config.json")?;
    if text.max_length > config.bert.max_position_embeddings {
        return Err(BuildError::Spec(format!(
            "dataset.definition.text.max_length = {} is over the base model's max_position_embeddings = {}",
            text.max_length, config.bert.max_position_embeddings
        )));
    }
    let tokenizer = base.read("tokenizer.json")?;
    let pad_id = config.bert.pad_token_id as u32;
    let encoded = tokens::encode(&tokenizer, data.texts, text, data.keys, pad_id)?;
    if let Some(too_big) = encoded
        .ids
        .iter()
        .flatten()
        .find(|&&id| id as usize >= config.bert.vocab_size)
    {
        return Err(BuildError::Data(format!(
            "the tokenizer gave id {too_big}, outside the model's vocab_size = {}",
            config.bert.vocab_size
        )));
    }
    let tensors = weights::encoder(
        &weights::parse(&base.read("model.safetensors")?, device)?,
        &config,
    )?;
    let mode = mode(spec);
    let model = TextClassifier::new(
        config,
        tensors,
        spec.model.pooling,
        mode,
        outputs(spec),
        spec.training.seed,
    )?;
    let (total, trained) = model.counts();
    log.push(format!(
        "base model {} (manifest sha256 {}, {}): {total} parameters, {trained} trained; {} records tokenised, {} truncated to {} tokens",
        base.record.path, base.record.manifest_sha256, base.record.verified_by, encoded.ids.len(), encoded.truncated, text.max_length
    ));
    let trainee = TextTrainee {
        model: &model,
        tokens: &encoded,
        targets: data.targets,
        device,
    };
    let metrics = train(&trainee, split, spec, progress, log)?;
    metrics.check_finite().map_err(BuildError::Train)?;
    let model_files = export::write(model_dir, spec, &model, data.classes, base)?;
    Ok(TrainingOutcome {
        metrics,
        model_files,
        parameter_count: total,
        tokenization: Some(TokenizationRecord {
            tokenizer_sha256: hex::encode(Sha256::digest(&tokenizer)),
            max_length: text.max_length,
            truncation: text.truncation,
            padding: text.padding,
            truncated_records: encoded.truncated,
            trained_parameters: trained,
        }),
    })
}
