//! Tokenisation with the base model's `tokenizer.json` (the `tokenizers`
//! crate), and batches of token ids with their attention masks.

use crate::error::{Result, TrainError};
use candle_core::{Device, Tensor};
use serde::{Deserialize, Serialize};
use tokenizers::{Tokenizer, TruncationParams};

/// How sequences are padded.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Padding {
    /// To the longest sequence of each batch.
    #[default]
    Longest,
    /// Every sequence to `max_length`.
    MaxLength,
}

/// How texts become sequences: their length, and what happens to longer ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tokenization {
    /// Tokens per sequence, special tokens included.
    pub max_length: usize,
    /// Cut longer sequences (otherwise they are an error naming the record).
    pub truncation: bool,
    /// How batches are padded.
    pub padding: Padding,
}

/// Every record's token ids (special tokens added, truncated, unpadded).
pub struct Encoded {
    /// Ids per record.
    pub ids: Vec<Vec<u32>>,
    /// The padding token's id.
    pub pad_id: u32,
    /// How batches are padded.
    pub padding: Padding,
    /// Tokens per sequence at most.
    pub max_length: usize,
    /// Records that were cut to `max_length`.
    pub truncated: usize,
}

/// Tokenise `texts` with `tokenizer_json`, as `text` says. A sequence over
/// `max_length` is cut (`truncation = true`) or refused, naming its record.
pub fn encode(
    tokenizer_json: &[u8],
    texts: &[String],
    text: &Tokenization,
    keys: &[String],
    pad_id: u32,
) -> Result<Encoded> {
    let bad = |what: String| TrainError::Data(format!("base tokenizer.json: {what}"));
    let mut tokenizer =
        Tokenizer::from_bytes(tokenizer_json).map_err(|e| bad(format!("cannot load it: {e}")))?;
    tokenizer.with_padding(None);
    tokenizer
        .with_truncation(None)
        .map_err(|e| bad(e.to_string()))?;
    let mut truncating = tokenizer.clone();
    let params = TruncationParams {
        max_length: text.max_length,
        ..TruncationParams::default()
    };
    truncating
        .with_truncation(Some(params))
        .map_err(|e| bad(e.to_string()))?;
    let mut ids = Vec::with_capacity(texts.len());
    let mut truncated = 0;
    for (i, t) in texts.iter().enumerate() {
        let full = tokenizer
            .encode(t.as_str(), true)
            .map_err(|e| bad(format!("record {:?}: {e}", keys[i])))?;
        if full.get_ids().len() <= text.max_length {
            ids.push(full.get_ids().to_vec());
            continue;
        }
        if !text.truncation {
            return Err(TrainError::Data(format!(
                "record {:?}: its text is {} tokens, over the maximum of {} (and truncation is off)",
                keys[i],
                full.get_ids().len(),
                text.max_length
            )));
        }
        truncated += 1;
        let cut = truncating
            .encode(t.as_str(), true)
            .map_err(|e| bad(format!("record {:?}: {e}", keys[i])))?;
        ids.push(cut.get_ids().to_vec());
    }
    Ok(Encoded {
        ids,
        pad_id,
        padding: text.padding,
        max_length: text.max_length,
        truncated,
    })
}

impl Encoded {
    /// The ids `(rows, len)` and attention mask `(rows, len)` of `rows`,
    /// padded to the longest of them or to `max_length`.
    pub fn batch(&self, rows: &[usize], device: &Device) -> Result<(Tensor, Tensor)> {
        let len = match self.padding {
            Padding::MaxLength => self.max_length,
            Padding::Longest => rows.iter().map(|&r| self.ids[r].len()).max().unwrap_or(1),
        };
        let mut ids = Vec::with_capacity(rows.len() * len);
        let mut mask = Vec::with_capacity(rows.len() * len);
        for &r in rows {
            let seq = &self.ids[r];
            ids.extend_from_slice(seq);
            ids.extend(std::iter::repeat_n(self.pad_id, len - seq.len()));
            mask.extend(std::iter::repeat_n(1f32, seq.len()));
            mask.extend(std::iter::repeat_n(0f32, len - seq.len()));
        }
        Ok((
            Tensor::from_vec(ids, (rows.len(), len), device)?,
            Tensor::from_vec(mask, (rows.len(), len), device)?,
        ))
    }
}
