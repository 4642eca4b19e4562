//! A Hugging Face `config.json` for a BERT-family encoder, parsed with
//! candle-transformers' `bert::Config`; model types it cannot run are
//! refused by name.

use crate::error::{BuildError, Result};
use candle_transformers::models::bert::{Config, HiddenAct};

/// `model_type` values this trainer runs.
pub const SUPPORTED: [&str; 1] = ["bert"];

/// The encoder's configuration and the raw JSON (the output `config.json`
/// is built from it).
#[derive(Debug, Clone)]
pub struct EncoderConfig {
    /// The typed configuration.
    pub bert: Config,
    /// The file's JSON object.
    pub raw: serde_json::Map<String, serde_json::Value>,
}

impl EncoderConfig {
    /// Parse `config.json` bytes; `name` names the file in errors.
    pub fn parse(bytes: &[u8], name: &str) -> Result<Self> {
        let bad = |what: String| BuildError::Data(format!("{name}: {what}"));
        let raw: serde_json::Map<String, serde_json::Value> =
            slsa_aibom_verify::json::from_slice(bytes)
                .map_err(|e| bad(format!("not a JSON object: {e}")))?;
        let model_type = raw.get("model_type").and_then(|v| v.as_str()).unwrap_or("");
        if !SUPPORTED.contains(&model_type) {
            return Err(bad(format!(
                "model_type \"{}\" is not supported (this trainer runs: {})",
                slsa_aibom_verify::display::one_line(model_type),
                SUPPORTED.join(", ")
            )));
        }
        let bert: Config = serde_json::from_value(serde_json::Value::Object(raw.clone()))
            .map_err(|e| bad(format!("not a BERT configuration: {e}")))?;
        if bert.hidden_act != HiddenAct::Gelu {
            return Err(bad(format!(
                "hidden_act {:?} is not supported (gelu only)",
                bert.hidden_act
            )));
        }
        let heads = bert.num_attention_heads;
        if heads == 0 || bert.hidden_size % heads != 0 || bert.num_hidden_layers == 0 {
            return Err(bad(format!(
                "hidden_size {} does not split into {heads} attention heads",
                bert.hidden_size
            )));
        }
        let sizes = [
            bert.vocab_size,
            bert.hidden_size,
            bert.intermediate_size,
            bert.max_position_embeddings,
            bert.type_vocab_size,
        ];
        if sizes.iter().any(|&s| s == 0 || s > 1 << 20) || bert.num_hidden_layers > 64 {
            return Err(bad("a size is zero or implausibly large".into()));
        }
        if !(bert.layer_norm_eps.is_finite() && bert.layer_norm_eps > 0.0) {
            return Err(bad("layer_norm_eps must be a positive number".into()));
        }
        Ok(EncoderConfig { bert, raw })
    }
}
