//! A BERT encoder with a classification or regression head: the forward
//! pass of Hugging Face's `BertModel` (post-norm layers, exact-erf GELU)
//! written with differentiable candle operations, so that gradients reach
//! every layer. candle-transformers' `BertModel` runs the same arithmetic
//! for inference, but its fused layer norm has no backward pass and its
//! dropout is a no-op, so it cannot be fine-tuned; a test holds the two
//! forward passes to the same output.

use super::config::EncoderConfig;
use super::weights::{is_pooler, Params};
use crate::dense::dense;
use crate::dropout::Dropout;
use crate::error::Result;
use crate::rng::{streams, SeededRng};
use candle_core::{Tensor, Var, D};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// How a BERT head reads the encoder's output.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Pooling {
    /// The first token through the model's pooler (dense + tanh), as
    /// Hugging Face's `BertForSequenceClassification` does.
    #[default]
    Cls,
    /// The mean of the last hidden states over the real (unpadded) tokens.
    Mean,
}

impl Pooling {
    /// `cls`, the default (kept out of serialised specs).
    pub fn is_cls(&self) -> bool {
        *self == Pooling::Cls
    }
}

/// `[model.lora]`: low-rank adapters `W + (alpha / rank)·B·A`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lora {
    /// The adapters' rank.
    pub rank: usize,
    /// The scale numerator (PEFT's `lora_alpha`).
    pub alpha: f64,
    /// Which attention projections get adapters: `query`, `key`, `value`.
    #[serde(default = "default_lora_targets")]
    pub target_modules: Vec<String>,
}

/// The attention projections LoRA may adapt.
pub const LORA_TARGETS: [&str; 3] = ["query", "key", "value"];

fn default_lora_targets() -> Vec<String> {
    vec!["query".into(), "value".into()]
}

/// How the encoder is trained.
#[derive(Debug, Clone, PartialEq)]
pub enum Mode {
    /// Every tensor.
    Full,
    /// The head only (`freeze_encoder`).
    HeadOnly,
    /// Low-rank adapters and the head.
    Lora(Lora),
}

/// The encoder, its head, and which tensors train.
pub struct TextClassifier {
    params: Params,
    config: EncoderConfig,
    pooling: Pooling,
    mode: Mode,
    /// Outputs of the head.
    pub outputs: usize,
}

/// Normal draws (Box–Muller) from the seeded generator.
fn normal(rng: &mut SeededRng, n: usize, std: f32) -> Vec<f32> {
    (0..n)
        .map(|_| {
            let u = 1.0 - rng.unit_f32();
            let v = rng.unit_f32();
            std * (-2.0 * u.ln()).sqrt() * (std::f32::consts::TAU * v).cos()
        })
        .collect()
}

impl TextClassifier {
    /// Build the classifier over loaded encoder `tensors`: the head (unless
    /// `tensors` has one), a missing pooler and LoRA's `A` drawn from `seed`
    /// as Hugging Face and PEFT initialise them; LoRA's `B` starts at zero.
    pub fn new(
        config: EncoderConfig,
        mut tensors: BTreeMap<String, Tensor>,
        pooling: Pooling,
        mode: Mode,
        outputs: usize,
        seed: u64,
    ) -> Result<Self> {
        let device = tensors
            .values()
            .next()
            .map(|t| t.device().clone())
            .unwrap_or(candle_core::Device::Cpu);
        let h = config.bert.hidden_size;
        let std = config.bert.initializer_range as f32;
        let mut rng = SeededRng::new(seed, streams::INIT);
        let mut draw = |rows: usize, cols: usize| {
            Tensor::from_vec(normal(&mut rng, rows * cols, std), (rows, cols), &device)
        };
        let pooler_loaded = tensors.contains_key("pooler.dense.weight");
        if !pooler_loaded {
            tensors.insert("pooler.dense.weight".into(), draw(h, h)?);
            tensors.insert(
                "pooler.dense.bias".into(),
                Tensor::zeros(h, candle_core::DType::F32, &device)?,
            );
        }
        // A trained model's own head is kept (inference); a base model's
        // loaded tensors never include one.
        if !tensors.contains_key("classifier.weight") {
            tensors.insert("classifier.weight".into(), draw(outputs, h)?);
            tensors.insert(
                "classifier.bias".into(),
                Tensor::zeros(outputs, candle_core::DType::F32, &device)?,
            );
        }
        let trains = |name: &str| {
            name.starts_with("classifier.")
                || match &mode {
                    Mode::Full => true,
                    // A pooler the checkpoint lacks is new: it trains with the head.
                    Mode::HeadOnly | Mode::Lora(_) => is_pooler(name) && !pooler_loaded,
                }
        };
        let mut params = Params::new(tensors, trains)?;
        if let Mode::Lora(l) = &mode {
            let bound = 1.0 / (h as f32).sqrt();
            for layer in 0..config.bert.num_hidden_layers {
                for target in &l.target_modules {
                    let p = format!("encoder.layer.{layer}.attention.self.{target}");
                    let a: Vec<f32> = (0..l.rank * h).map(|_| rng.symmetric(bound)).collect();
                    let a = Tensor::from_vec(a, (l.rank, h), &device)?;
                    params.insert(format!("{p}.lora_A.weight"), a, true)?;
                    let b = Tensor::zeros((h, l.rank), candle_core::DType::F32, &device)?;
                    params.insert(format!("{p}.lora_B.weight"), b, true)?;
                }
            }
        }
        Ok(TextClassifier {
            params,
            config,
            pooling,
            mode,
            outputs,
        })
    }

    /// The encoder's configuration.
    pub fn config(&self) -> &EncoderConfig {
        &self.config
    }

    /// How it trains.
    pub fn mode(&self) -> &Mode {
        &self.mode
    }

    /// How the head reads the sequence.
    pub fn pooling(&self) -> Pooling {
        self.pooling
    }

    /// The tensors the optimizer updates.
    pub fn trainable(&self) -> Vec<Var> {
        self.params.trainable()
    }

    /// Scalars in the whole model, and in what trains.
    pub fn counts(&self) -> (usize, usize) {
        self.params.counts()
    }

    /// A weight, with its LoRA update `(alpha / rank)·B·A` added when it has one.
    pub fn weight(&self, name: &str) -> Result<Tensor> {
        let w = self.params.get(name)?;
        let Mode::Lora(l) = &self.mode else {
            return Ok(w);
        };
        let Some(base) = name.strip_suffix(".weight") else {
            return Ok(w);
        };
        let a_name = format!("{base}.lora_A.weight");
        if !self.params.has(&a_name) {
            return Ok(w);
        }
        let (a, b) = (
            self.params.get(&a_name)?,
            self.params.get(&format!("{base}.lora_B.weight"))?,
        );
        let scale = l.alpha / l.rank as f64;
        Ok((w + (b.matmul(&a)? * scale)?)?)
    }

    /// Every tensor of the Hugging Face model (LoRA merged in), under its
    /// standard name: `bert.` before the encoder's.
    pub fn merged(&self) -> Result<Vec<(String, Tensor)>> {
        self.params
            .names()
            .into_iter()
            .filter(|n| !n.contains(".lora_"))
            .map(|n| {
                let t = self.weight(&n)?;
                let name = if n.starts_with("classifier.") {
                    n
                } else {
                    format!("bert.{n}")
                };
                Ok((name, t))
            })
            .collect()
    }

    /// The LoRA adapter and the head under PEFT's names.
    pub fn adapter(&self) -> Result<Vec<(String, Tensor)>> {
        self.params
            .names()
            .into_iter()
            .filter(|n| n.contains(".lora_") || n.starts_with("classifier."))
            .map(|n| {
                let peft = if n.starts_with("classifier.") {
                    format!("base_model.model.{n}")
                } else {
                    format!("base_model.model.bert.{n}")
                };
                Ok((peft, self.params.get(&n)?))
            })
            .collect()
    }

    fn linear(&self, x: &Tensor, name: &str) -> Result<Tensor> {
        let w = self.weight(&format!("{name}.weight"))?;
        let b = self.params.get(&format!("{name}.bias"))?;
        Ok(dense(x, &w, &b, true)?)
    }

    fn norm(&self, x: &Tensor, name: &str) -> Result<Tensor> {
        let w = self.params.get(&format!("{name}.weight"))?;
        let b = self.params.get(&format!("{name}.bias"))?;
        let centred = x.broadcast_sub(&x.mean_keepdim(D::Minus1)?)?;
        let var = centred.sqr()?.mean_keepdim(D::Minus1)?;
        let normed = centred.broadcast_div(&(var + self.config.bert.layer_norm_eps)?.sqrt()?)?;
        Ok(normed.broadcast_mul(&w)?.broadcast_add(&b)?)
    }

    /// One encoder layer over `x` `(batch·len, hidden)`.
    fn layer(&self, x: &Tensor, l: usize, batch: usize, mask: &Tensor) -> Result<Tensor> {
        let c = &self.config.bert;
        let (heads, h) = (c.num_attention_heads, c.hidden_size);
        let (d, len) = (h / heads, x.dim(0)? / batch);
        let p = format!("encoder.layer.{l}");
        let split = |t: Tensor| -> Result<Tensor> {
            Ok(t.reshape((batch, len, heads, d))?
                .transpose(1, 2)?
                .contiguous()?)
        };
        let q = split(self.linear(x, &format!("{p}.attention.self.query"))?)?;
        let k = split(self.linear(x, &format!("{p}.attention.self.key"))?)?;
        let v = split(self.linear(x, &format!("{p}.attention.self.value"))?)?;
        let scores = (q.matmul(&k.t()?.contiguous()?)? / (d as f64).sqrt())?.broadcast_add(mask)?;
        let probs = candle_nn::ops::softmax(&scores, D::Minus1)?;
        let context = probs
            .matmul(&v)?
            .transpose(1, 2)?
            .contiguous()?
            .reshape((batch * len, h))?;
        let attended = self.linear(&context, &format!("{p}.attention.output.dense"))?;
        let x = self.norm(&(attended + x)?, &format!("{p}.attention.output.LayerNorm"))?;
        let inner = self
            .linear(&x, &format!("{p}.intermediate.dense"))?
            .gelu_erf()?;
        let out = self.linear(&inner, &format!("{p}.output.dense"))?;
        self.norm(&(out + x)?, &format!("{p}.output.LayerNorm"))
    }

    /// The last hidden states `(batch, len, hidden)` for token `ids`
    /// `(batch, len)` (u32) and `mask` `(batch, len)` (f32, 1 for tokens).
    pub fn encode(&self, ids: &Tensor, mask: &Tensor) -> Result<Tensor> {
        let (batch, len) = ids.dims2()?;
        let h = self.config.bert.hidden_size;
        let words = self
            .params
            .get("embeddings.word_embeddings.weight")?
            .index_select(&ids.flatten_all()?, 0)?
            .reshape((batch, len, h))?;
        let positions = self
            .params
            .get("embeddings.position_embeddings.weight")?
            .narrow(0, 0, len)?;
        let types = self
            .params
            .get("embeddings.token_type_embeddings.weight")?
            .narrow(0, 0, 1)?;
        let x = words.broadcast_add(&(positions.broadcast_add(&types)?))?;
        let mut x = self.norm(&x.reshape((batch * len, h))?, "embeddings.LayerNorm")?;
        // Hugging Face's extended mask: 0 for tokens, the lowest f32 for padding.
        let additive =
            ((mask.ones_like()? - mask)? * f64::from(f32::MIN))?.reshape((batch, 1, 1, len))?;
        for l in 0..self.config.bert.num_hidden_layers {
            x = self.layer(&x, l, batch, &additive)?;
        }
        Ok(x.reshape((batch, len, h))?)
    }

    /// Logits `(batch, outputs)`; `dropout` (training steps) masks the
    /// pooled vector before the head, as Hugging Face's classifier does.
    pub fn forward(
        &self,
        ids: &Tensor,
        mask: &Tensor,
        dropout: Option<&mut Dropout>,
    ) -> Result<Tensor> {
        let hidden = self.encode(ids, mask)?;
        let pooled = match self.pooling {
            Pooling::Cls => {
                let first = hidden.narrow(1, 0, 1)?.squeeze(1)?.contiguous()?;
                self.linear(&first, "pooler.dense")?.tanh()?
            }
            Pooling::Mean => {
                let m = mask.unsqueeze(2)?;
                let summed = hidden.broadcast_mul(&m)?.sum(1)?;
                summed.broadcast_div(&m.sum(1)?)?
            }
        };
        let pooled = match dropout {
            Some(d) => d.apply(&pooled)?,
            None => pooled,
        };
        self.linear(&pooled, "classifier")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::SeededRng;
    use candle_core::{DType, Device};
    use candle_transformers::models::bert::BertModel;

    /// A small random encoder: its config and tensors.
    fn encoder() -> (EncoderConfig, BTreeMap<String, Tensor>) {
        let config = crate::transformer::config::tests::parse(
            br#"{"model_type": "bert", "vocab_size": 20, "hidden_size": 8, "num_hidden_layers": 2,
                 "num_attention_heads": 2, "intermediate_size": 12, "hidden_act": "gelu",
                 "hidden_dropout_prob": 0.1, "max_position_embeddings": 16, "type_vocab_size": 2,
                 "initializer_range": 0.02, "layer_norm_eps": 1e-12, "pad_token_id": 0}"#,
        );
        let mut rng = SeededRng::new(3, 0);
        let tensors = super::super::weights::encoder_shapes(&config)
            .into_iter()
            .map(|(name, shape)| {
                let n = shape.iter().product();
                let v: Vec<f32> = (0..n).map(|_| rng.symmetric(0.5)).collect();
                (name, Tensor::from_vec(v, shape, &Device::Cpu).unwrap())
            })
            .collect();
        (config, tensors)
    }

    /// Our differentiable forward pass computes what candle-transformers'
    /// inference-only `BertModel` computes, padding included.
    #[test]
    fn the_encoder_matches_candle_transformers_bert() {
        let (config, tensors) = encoder();
        let vb = candle_nn::VarBuilder::from_tensors(
            tensors.clone().into_iter().collect(),
            DType::F32,
            &Device::Cpu,
        );
        let reference = BertModel::load(vb, &config.bert).unwrap();
        let ours = TextClassifier::new(config, tensors, Pooling::Cls, Mode::Full, 2, 1).unwrap();
        let ids = Tensor::new(&[[2u32, 5, 7, 9, 3], [2, 11, 3, 0, 0]], &Device::Cpu).unwrap();
        let mask = Tensor::new(
            &[[1f32, 1., 1., 1., 1.], [1., 1., 1., 0., 0.]],
            &Device::Cpu,
        )
        .unwrap();
        let types = ids.zeros_like().unwrap();
        let want = reference.forward(&ids, &types, Some(&mask)).unwrap();
        let got = ours.encode(&ids, &mask).unwrap();
        let diff = (want - got).unwrap().abs().unwrap().max_all().unwrap();
        let diff = diff.to_scalar::<f32>().unwrap();
        assert!(diff < 1e-5, "largest difference {diff}");
    }

    /// Gradients reach the embeddings through every layer (candle's fused
    /// layer norm would have stopped them at the last one).
    #[test]
    fn gradients_reach_the_embeddings() {
        let (config, tensors) = encoder();
        let model = TextClassifier::new(config, tensors, Pooling::Mean, Mode::Full, 1, 1).unwrap();
        let ids = Tensor::new(&[[2u32, 5, 7, 3]], &Device::Cpu).unwrap();
        let mask = Tensor::ones((1, 4), DType::F32, &Device::Cpu).unwrap();
        let loss = model.forward(&ids, &mask, None).unwrap().sum_all().unwrap();
        let grads = loss.backward().unwrap();
        let embeddings = model
            .params
            .trainable()
            .into_iter()
            .find(|v| v.dims() == [20, 8])
            .unwrap();
        let g = grads
            .get(&embeddings)
            .expect("no gradient for the word embeddings");
        let norm = g
            .sqr()
            .unwrap()
            .sum_all()
            .unwrap()
            .to_scalar::<f32>()
            .unwrap();
        assert!(norm > 0.0);
    }
}
