//! Fine-tuning a pretrained BERT-family encoder from a Hugging Face model
//! directory on a text dataset: tokenised with the base model's tokenizer,
//! trained in full, head-only or with LoRA adapters by the same training
//! loop as every other job, and written back as a Hugging Face directory.

pub mod export;
pub mod inference;

use crate::attest::record::TokenizationRecord;
use crate::error::{BuildError, Result};
use crate::lineage::VerifiedDir;
use crate::spec::{JobSpec, TextSpec};
use crate::training::TrainingOutcome;
use candle_core::Device;
use sha2::{Digest as _, Sha256};
use slsa_aibom_trainer::split::Split;
use slsa_aibom_trainer::train::{train, Progress};
use slsa_aibom_trainer::transformer::classifier::{Mode, TextClassifier};
use slsa_aibom_trainer::transformer::{config, tokens, weights, TextTrainee};
use slsa_aibom_trainer::TrainError;

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

/// Parse a `config.json` with the strict JSON parser (duplicate keys
/// refused) and check it; `name` names the file in errors.
pub fn encoder_config(bytes: &[u8], name: &str) -> Result<config::EncoderConfig> {
    let raw = slsa_aibom_verify::json::from_slice(bytes)
        .map_err(|e| BuildError::Data(format!("{name}: not a JSON object: {e}")))?;
    Ok(config::EncoderConfig::from_object(raw, name)?)
}

/// Tokenise `texts` as `[dataset.definition.text]` says; a refusal names
/// the keys that decide it.
pub fn encode(
    tokenizer: &[u8],
    texts: &[String],
    text: &TextSpec,
    keys: &[String],
    pad_id: u32,
) -> Result<tokens::Encoded> {
    let how = tokens::Tokenization {
        max_length: text.max_length,
        truncation: text.truncation,
        padding: text.padding,
    };
    tokens::encode(tokenizer, texts, &how, keys, pad_id).map_err(|e| match e {
        TrainError::Data(m) => BuildError::Data(format!("{m}; see dataset.definition.text")),
        e => e.into(),
    })
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
    let config = encoder_config(&base.read("config.json")?, "base config.json")?;
    if text.max_length > config.bert.max_position_embeddings {
        return Err(BuildError::Spec(format!(
            "dataset.definition.text.max_length = {} is over the base model's max_position_embeddings = {}",
            text.max_length, config.bert.max_position_embeddings
        )));
    }
    let tokenizer = base.read("tokenizer.json")?;
    let pad_id = config.bert.pad_token_id as u32;
    let encoded = encode(&tokenizer, data.texts, text, data.keys, pad_id)?;
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
        base.record.path, base.record.manifest_sha256, base.record.verification.verified_by, encoded.ids.len(), encoded.truncated, text.max_length
    ));
    let trainee = TextTrainee {
        model: &model,
        tokens: &encoded,
        targets: data.targets,
        device,
    };
    let metrics = train(
        &trainee,
        split,
        &crate::trainer_config::train_config(spec),
        crate::trainer_config::noise(spec),
        progress,
        log,
    )?;
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
