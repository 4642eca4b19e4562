//! A Hugging Face `config.json` for a BERT-family encoder, parsed with
//! candle-transformers' `bert::Config`; model types it cannot run are
//! refused by name.

use crate::error::{Result, TrainError};
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
    /// Check a parsed `config.json` object; `name` names the file in
    /// errors, which quote its text escaped (`{:?}`).
    pub fn from_object(
        raw: serde_json::Map<String, serde_json::Value>,
        name: &str,
    ) -> Result<Self> {
        let bad = |what: String| TrainError::Data(format!("{name}: {what}"));
        let model_type = raw.get("model_type").and_then(|v| v.as_str()).unwrap_or("");
        if !SUPPORTED.contains(&model_type) {
            return Err(bad(format!(
                "model_type {model_type:?} is not supported (this trainer runs: {})",
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

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// `text` parsed as a `config.json` (tests only: the builder parses
    /// files with its strict JSON parser).
    pub(crate) fn parse(text: &[u8]) -> EncoderConfig {
        EncoderConfig::from_object(serde_json::from_slice(text).unwrap(), "config.json").unwrap()
    }

    #[test]
    fn an_unknown_model_type_is_refused_escaped() {
        let raw = serde_json::from_str(r#"{"model_type": "rob\u202eerta"}"#).unwrap();
        let e = EncoderConfig::from_object(raw, "config.json").unwrap_err();
        assert!(
            e.to_string()
                .contains(r#"model_type "rob\u{202e}erta" is not supported"#),
            "{e}"
        );
    }
}
