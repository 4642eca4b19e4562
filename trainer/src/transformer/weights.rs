//! The encoder's tensors: loaded from `model.safetensors` under the
//! standard Hugging Face names (with or without the `bert.` prefix), each
//! checked for its shape and for finite values, then split into what the
//! optimizer trains and what stays as loaded.

use super::config::EncoderConfig;
use crate::error::{Result, TrainError};
use candle_core::{DType, Device, Tensor, Var};
use std::collections::{BTreeMap, HashMap};

/// Every encoder tensor and its shape, by name without the `bert.` prefix.
/// The pooler is listed last and may be absent from a checkpoint.
pub fn encoder_shapes(c: &EncoderConfig) -> Vec<(String, Vec<usize>)> {
    let c = &c.bert;
    let (h, i) = (c.hidden_size, c.intermediate_size);
    let mut out = vec![
        (
            "embeddings.word_embeddings.weight".to_string(),
            vec![c.vocab_size, h],
        ),
        (
            "embeddings.position_embeddings.weight".into(),
            vec![c.max_position_embeddings, h],
        ),
        (
            "embeddings.token_type_embeddings.weight".into(),
            vec![c.type_vocab_size, h],
        ),
        ("embeddings.LayerNorm.weight".into(), vec![h]),
        ("embeddings.LayerNorm.bias".into(), vec![h]),
    ];
    for l in 0..c.num_hidden_layers {
        let p = format!("encoder.layer.{l}");
        for (name, shape) in [
            ("attention.self.query", vec![h, h]),
            ("attention.self.key", vec![h, h]),
            ("attention.self.value", vec![h, h]),
            ("attention.output.dense", vec![h, h]),
            ("intermediate.dense", vec![i, h]),
            ("output.dense", vec![h, i]),
        ] {
            out.push((format!("{p}.{name}.weight"), shape.clone()));
            out.push((format!("{p}.{name}.bias"), vec![shape[0]]));
        }
        for norm in ["attention.output.LayerNorm", "output.LayerNorm"] {
            out.push((format!("{p}.{norm}.weight"), vec![h]));
            out.push((format!("{p}.{norm}.bias"), vec![h]));
        }
    }
    out.push(("pooler.dense.weight".into(), vec![h, h]));
    out.push(("pooler.dense.bias".into(), vec![h]));
    out
}

/// Whether `name` is one of the pooler's tensors.
pub fn is_pooler(name: &str) -> bool {
    name.starts_with("pooler.")
}

/// Read safetensors bytes (the checks of [`encoder`] come after).
pub fn parse(bytes: &[u8], device: &Device) -> Result<HashMap<String, Tensor>> {
    candle_core::safetensors::load_buffer(bytes, device)
        .map_err(|e| TrainError::Data(format!("base model.safetensors: cannot read it: {e}")))
}

/// The encoder's tensors of a safetensors `file`: every tensor of
/// [`encoder_shapes`] must be there (the pooler may be missing), as f32 of
/// that shape, with finite values. Other tensors (buffers such as
/// `position_ids`, a pretraining or classification head) are left out.
pub fn encoder(
    file: &HashMap<String, Tensor>,
    c: &EncoderConfig,
) -> Result<BTreeMap<String, Tensor>> {
    let bad = |what: String| TrainError::Data(format!("base model.safetensors: {what}"));
    let prefixed = file.keys().any(|k| k.starts_with("bert.embeddings."));
    let mut out = BTreeMap::new();
    for (name, shape) in encoder_shapes(c) {
        let stored = if prefixed {
            format!("bert.{name}")
        } else {
            name.clone()
        };
        let Some(t) = file.get(&stored) else {
            if is_pooler(&name) {
                continue;
            }
            return Err(bad(format!("no tensor {stored}")));
        };
        if t.dtype() != DType::F32 {
            return Err(bad(format!(
                "{stored} is {:?}; this trainer reads f32",
                t.dtype()
            )));
        }
        if t.dims() != shape.as_slice() {
            return Err(bad(format!(
                "{stored} has shape {:?}; config.json implies {shape:?}",
                t.dims()
            )));
        }
        let values = t.flatten_all()?.to_vec1::<f32>()?;
        if values.iter().any(|v| !v.is_finite()) {
            return Err(bad(format!("{stored} has NaN or infinite values")));
        }
        out.insert(name, t.clone());
    }
    Ok(out)
}

/// The model's tensors, each either trained (a `Var`) or kept as loaded.
pub struct Params {
    kept: BTreeMap<String, Tensor>,
    trained: BTreeMap<String, Var>,
}

impl Params {
    /// Split `tensors` by `trains(name)`.
    pub fn new(tensors: BTreeMap<String, Tensor>, trains: impl Fn(&str) -> bool) -> Result<Self> {
        let mut params = Params {
            kept: BTreeMap::new(),
            trained: BTreeMap::new(),
        };
        for (name, t) in tensors {
            params.insert(name.clone(), t, trains(&name))?;
        }
        Ok(params)
    }

    /// Add one tensor.
    pub fn insert(&mut self, name: String, t: Tensor, trained: bool) -> Result<()> {
        if trained {
            self.trained.insert(name, Var::from_tensor(&t)?);
        } else {
            self.kept.insert(name, t.detach());
        }
        Ok(())
    }

    /// The tensor `name` (a missing name is an internal error, not a panic).
    pub fn get(&self, name: &str) -> Result<Tensor> {
        if let Some(v) = self.trained.get(name) {
            return Ok(v.as_tensor().clone());
        }
        self.kept
            .get(name)
            .cloned()
            .ok_or_else(|| TrainError::Train(format!("the model has no tensor {name}")))
    }

    /// Whether `name` exists.
    pub fn has(&self, name: &str) -> bool {
        self.trained.contains_key(name) || self.kept.contains_key(name)
    }

    /// The trained tensors, in name order.
    pub fn trainable(&self) -> Vec<Var> {
        self.trained.values().cloned().collect()
    }

    /// Every tensor's name, in order.
    pub fn names(&self) -> Vec<String> {
        let mut names: Vec<String> = self
            .kept
            .keys()
            .chain(self.trained.keys())
            .cloned()
            .collect();
        names.sort();
        names
    }

    /// Scalars in every tensor, and in the trained ones.
    pub fn counts(&self) -> (usize, usize) {
        let trained: usize = self.trained.values().map(|v| v.elem_count()).sum();
        let kept: usize = self.kept.values().map(Tensor::elem_count).sum();
        (kept + trained, trained)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> EncoderConfig {
        crate::transformer::config::tests::parse(
            br#"{"model_type": "bert", "vocab_size": 6, "hidden_size": 4, "num_hidden_layers": 1,
                 "num_attention_heads": 2, "intermediate_size": 8, "hidden_act": "gelu",
                 "hidden_dropout_prob": 0.1, "max_position_embeddings": 8, "type_vocab_size": 2,
                 "initializer_range": 0.02, "layer_norm_eps": 1e-12, "pad_token_id": 0}"#,
        )
    }

    /// Every encoder tensor (prefixed `bert.`, pooler left out), zeros.
    fn file(c: &EncoderConfig) -> HashMap<String, Tensor> {
        encoder_shapes(c)
            .into_iter()
            .filter(|(n, _)| !is_pooler(n))
            .map(|(n, shape)| {
                let t = Tensor::zeros(shape, DType::F32, &Device::Cpu).unwrap();
                (format!("bert.{n}"), t)
            })
            .collect()
    }

    fn refusal(file: &HashMap<String, Tensor>) -> String {
        encoder(file, &config()).unwrap_err().to_string()
    }

    #[test]
    fn a_crafted_checkpoint_is_refused_naming_the_tensor() {
        let c = config();
        let good = file(&c);
        let loaded = encoder(&good, &c).unwrap();
        assert_eq!(
            loaded.len(),
            encoder_shapes(&c).len() - 2,
            "the pooler may be absent"
        );
        assert!(loaded.contains_key("embeddings.word_embeddings.weight"));

        let name = "bert.encoder.layer.0.attention.self.query.weight";
        let mut nan = good.clone();
        let values = [
            0f32,
            f32::NAN,
            0.,
            0.,
            0.,
            0.,
            0.,
            0.,
            0.,
            0.,
            0.,
            0.,
            0.,
            0.,
            0.,
            0.,
        ];
        nan.insert(
            name.into(),
            Tensor::new(&values, &Device::Cpu)
                .unwrap()
                .reshape((4, 4))
                .unwrap(),
        );
        assert!(refusal(&nan).contains(&format!("{name} has NaN or infinite values")));

        let mut shape = good.clone();
        shape.insert(
            name.into(),
            Tensor::zeros((4, 5), DType::F32, &Device::Cpu).unwrap(),
        );
        assert!(refusal(&shape).contains("has shape [4, 5]; config.json implies [4, 4]"));

        let mut dtype = good.clone();
        dtype.insert(
            name.into(),
            Tensor::zeros((4, 4), DType::F64, &Device::Cpu).unwrap(),
        );
        assert!(refusal(&dtype).contains("this trainer reads f32"));

        let mut missing = good;
        missing.remove(name);
        assert!(refusal(&missing).contains(&format!("no tensor {name}")));
    }
}
