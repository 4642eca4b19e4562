//! Running a fine-tuned text model from its Hugging Face directory: the
//! `config.json`, weights and tokenizer the builder wrote, read back by the
//! same code that trained them.

use crate::error::{BuildError, Result};
use crate::spec::JobSpec;
use candle_core::{DType, Device, Tensor};
use slsa_aibom_trainer::transformer::classifier::{Mode, TextClassifier};
use slsa_aibom_trainer::transformer::weights;
use std::path::Path;

fn read(dir: &Path, name: &str) -> Result<Vec<u8>> {
    let path = dir.join(name);
    crate::data::read_regular(&path)
}

/// The model in `model_dir`, trained by `spec`, on the CPU.
pub fn load(model_dir: &Path, spec: &JobSpec) -> Result<TextClassifier> {
    let config = super::encoder_config(&read(model_dir, "config.json")?, "config.json")?;
    let device = Device::Cpu;
    let file = weights::parse(&read(model_dir, "model.safetensors")?, &device)?;
    let mut tensors = weights::encoder(&file, &config)?;
    let outputs = super::outputs(spec);
    for (name, shape) in [
        ("classifier.weight", vec![outputs, config.bert.hidden_size]),
        ("classifier.bias", vec![outputs]),
    ] {
        let t = file
            .get(name)
            .filter(|t| t.dims() == shape.as_slice() && t.dtype() == DType::F32)
            .ok_or_else(|| {
                BuildError::Data(format!(
                    "model.safetensors: no f32 {name} of shape {shape:?}"
                ))
            })?;
        tensors.insert(name.into(), t.clone());
    }
    if !tensors.contains_key("pooler.dense.weight") {
        return Err(BuildError::Data("model.safetensors: no pooler".into()));
    }
    Ok(TextClassifier::new(
        config,
        tensors,
        spec.model.pooling,
        Mode::HeadOnly,
        outputs,
        0,
    )?)
}

/// The logits of `texts` (keys name them in errors), tokenised as the
/// recorded job says, in batches of 64.
pub fn logits(
    model_dir: &Path,
    spec: &JobSpec,
    texts: &[String],
    keys: &[String],
) -> Result<Vec<Vec<f32>>> {
    let text = spec
        .dataset
        .definition
        .text
        .as_ref()
        .ok_or_else(|| BuildError::Spec("the recorded job is not a text job".into()))?;
    let model = load(model_dir, spec)?;
    let pad_id = model.config().bert.pad_token_id as u32;
    let encoded = super::encode(
        &read(model_dir, "tokenizer.json")?,
        texts,
        text,
        keys,
        pad_id,
    )?;
    let rows: Vec<usize> = (0..texts.len()).collect();
    let mut out = Vec::with_capacity(texts.len());
    for chunk in rows.chunks(64) {
        let (ids, mask): (Tensor, Tensor) = encoded.batch(chunk, &Device::Cpu)?;
        out.extend(model.forward(&ids, &mask, None)?.to_vec2::<f32>()?);
    }
    Ok(out)
}
