//! A tiny BERT in Hugging Face's layout (config.json, model.safetensors
//! with seeded weights, a WordPiece tokenizer.json) and a small labelled
//! text dataset, made fresh for each test: fine-tuning tests run in
//! seconds, with nothing downloaded.

use candle_core::{Device, Tensor};
use std::collections::HashMap;
use std::path::Path;

const POSITIVE: [&str; 8] = [
    "good", "great", "happy", "love", "nice", "fine", "superb", "fun",
];
const NEGATIVE: [&str; 8] = [
    "bad", "awful", "sad", "hate", "poor", "dull", "grim", "ugly",
];
const NOUNS: [&str; 6] = ["movie", "day", "food", "service", "book", "song"];
const FILLER: [&str; 6] = ["the", "was", "very", "a", "really", "so"];
const SPECIAL: [&str; 4] = ["[PAD]", "[UNK]", "[CLS]", "[SEP]"];

/// The vocabulary, in id order.
fn vocab() -> Vec<&'static str> {
    SPECIAL
        .iter()
        .chain(&POSITIVE)
        .chain(&NEGATIVE)
        .chain(&NOUNS)
        .chain(&FILLER)
        .copied()
        .collect()
}

fn tokenizer_json() -> serde_json::Value {
    let vocab: serde_json::Map<String, serde_json::Value> = vocab()
        .iter()
        .enumerate()
        .map(|(i, w)| (w.to_string(), serde_json::json!(i)))
        .collect();
    let special = |id: usize| {
        serde_json::json!({"id": id, "content": SPECIAL[id], "single_word": false, "lstrip": false,
            "rstrip": false, "normalized": false, "special": true})
    };
    let piece = |s: serde_json::Value| serde_json::json!({"SpecialToken": {"id": s, "type_id": 0}});
    serde_json::json!({
        "version": "1.0",
        "truncation": null,
        "padding": null,
        "added_tokens": [special(0), special(1), special(2), special(3)],
        "normalizer": {"type": "BertNormalizer", "clean_text": true, "handle_chinese_chars": true,
            "strip_accents": null, "lowercase": true},
        "pre_tokenizer": {"type": "BertPreTokenizer"},
        "post_processor": {
            "type": "TemplateProcessing",
            "single": [piece("[CLS]".into()), {"Sequence": {"id": "A", "type_id": 0}}, piece("[SEP]".into())],
            "pair": [piece("[CLS]".into()), {"Sequence": {"id": "A", "type_id": 0}}, piece("[SEP]".into()),
                {"Sequence": {"id": "B", "type_id": 1}}, {"SpecialToken": {"id": "[SEP]", "type_id": 1}}],
            "special_tokens": {
                "[CLS]": {"id": "[CLS]", "ids": [2], "tokens": ["[CLS]"]},
                "[SEP]": {"id": "[SEP]", "ids": [3], "tokens": ["[SEP]"]}
            }
        },
        "decoder": {"type": "WordPiece", "prefix": "##", "cleanup": true},
        "model": {"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##",
            "max_input_chars_per_word": 100, "vocab": vocab}
    })
}

/// Hidden width, layers, heads and feed-forward width of the tiny model.
pub const HIDDEN: usize = 16;
const LAYERS: usize = 2;
const HEADS: usize = 2;
const INNER: usize = 32;
const POSITIONS: usize = 32;

fn config_json() -> serde_json::Value {
    serde_json::json!({
        "architectures": ["BertModel"],
        "model_type": "bert",
        "vocab_size": vocab().len(),
        "hidden_size": HIDDEN,
        "num_hidden_layers": LAYERS,
        "num_attention_heads": HEADS,
        "intermediate_size": INNER,
        "hidden_act": "gelu",
        "hidden_dropout_prob": 0.1,
        "attention_probs_dropout_prob": 0.1,
        "max_position_embeddings": POSITIONS,
        "type_vocab_size": 2,
        "initializer_range": 0.02,
        "layer_norm_eps": 1e-12,
        "pad_token_id": 0,
        "position_embedding_type": "absolute"
    })
}

/// Deterministic values in [-scale, scale) (a 64-bit LCG).
fn values(seed: &mut u64, n: usize, scale: f32) -> Vec<f32> {
    (0..n)
        .map(|_| {
            *seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((*seed >> 40) as f32 / (1u64 << 24) as f32 * 2.0 - 1.0) * scale
        })
        .collect()
}

fn weights(prefixed: bool) -> HashMap<String, Tensor> {
    let mut seed = 42u64;
    let mut map = HashMap::new();
    let name = |n: &str| {
        if prefixed {
            format!("bert.{n}")
        } else {
            n.to_string()
        }
    };
    let mut put = |n: &str, shape: &[usize], kind: char| {
        let count = shape.iter().product();
        let v = match kind {
            'w' => values(&mut seed, count, 0.3),
            'o' => vec![1.0; count],
            _ => vec![0.0; count],
        };
        map.insert(name(n), Tensor::from_vec(v, shape, &Device::Cpu).unwrap());
    };
    let v = vocab().len();
    put("embeddings.word_embeddings.weight", &[v, HIDDEN], 'w');
    put(
        "embeddings.position_embeddings.weight",
        &[POSITIONS, HIDDEN],
        'w',
    );
    put("embeddings.token_type_embeddings.weight", &[2, HIDDEN], 'w');
    put("embeddings.LayerNorm.weight", &[HIDDEN], 'o');
    put("embeddings.LayerNorm.bias", &[HIDDEN], 'z');
    for l in 0..LAYERS {
        for (n, out, inp) in [
            ("attention.self.query", HIDDEN, HIDDEN),
            ("attention.self.key", HIDDEN, HIDDEN),
            ("attention.self.value", HIDDEN, HIDDEN),
            ("attention.output.dense", HIDDEN, HIDDEN),
            ("intermediate.dense", INNER, HIDDEN),
            ("output.dense", HIDDEN, INNER),
        ] {
            put(&format!("encoder.layer.{l}.{n}.weight"), &[out, inp], 'w');
            put(&format!("encoder.layer.{l}.{n}.bias"), &[out], 'w');
        }
        for n in ["attention.output.LayerNorm", "output.LayerNorm"] {
            put(&format!("encoder.layer.{l}.{n}.weight"), &[HIDDEN], 'o');
            put(&format!("encoder.layer.{l}.{n}.bias"), &[HIDDEN], 'z');
        }
    }
    put("pooler.dense.weight", &[HIDDEN, HIDDEN], 'w');
    put("pooler.dense.bias", &[HIDDEN], 'z');
    map
}

/// Write the tiny base model into `dir` (tensor names with the `bert.`
/// prefix when `prefixed`, as BertForPreTraining checkpoints have them).
pub fn write_base(dir: &Path, prefixed: bool) {
    std::fs::create_dir_all(dir).unwrap();
    let pretty = |v: &serde_json::Value| serde_json::to_vec_pretty(v).unwrap();
    std::fs::write(dir.join("config.json"), pretty(&config_json())).unwrap();
    std::fs::write(dir.join("tokenizer.json"), pretty(&tokenizer_json())).unwrap();
    std::fs::write(dir.join("vocab.txt"), vocab().join("\n") + "\n").unwrap();
    candle_core::safetensors::save(&weights(prefixed), dir.join("model.safetensors")).unwrap();
}

/// `rows` labelled sentences ("the movie was very good" → positive), as CSV.
pub fn sentences(rows: usize) -> String {
    let mut csv = String::from("id,text,label\n");
    for i in 0..rows {
        let positive = i % 2 == 0;
        let adjective = if positive {
            POSITIVE[i / 2 % 8]
        } else {
            NEGATIVE[i / 2 % 8]
        };
        let noun = NOUNS[i / 3 % 6];
        let filler = FILLER[i / 5 % 3 + 3];
        let text = format!("The {noun} was {filler} {adjective}");
        let label = if positive { "positive" } else { "negative" };
        csv += &format!("s{i:04},{text},{label}\n");
    }
    csv
}

/// A fine-tuning job over `base/` and `data.csv` in `dir`, with `model`
/// lines added to `[model]` and `pretrained` to `[model.pretrained]`.
pub fn job(dir: &Path, model: &str, pretrained: &str) -> std::path::PathBuf {
    let text = format!(
        r#"[metadata]
name = "tiny-sentiment"
version = "0.1.0"
license = "Apache-2.0"
base_model = "tiny-bert"

[dataset]
name = "templated-sentences"
format = "csv"
path = "data.csv"
license = "CC0-1.0"

[dataset.definition]
label = "label"
key = "id"
output_shape = [1]
classes = ["negative", "positive"]

[dataset.definition.text]
column = "text"
max_length = 12

[model]
architecture = "bert"
task = "binary"
{model}

[model.pretrained]
path = "base"
{pretrained}

[training]
epochs = 3
batch_size = 8
learning_rate = 3e-3
validation_split = 0.25
seed = 11
"#
    );
    let path = dir.join("job.toml");
    std::fs::write(&path, text).unwrap();
    path
}

/// A directory with the tiny base model, 96 sentences and a job whose base
/// model is pinned by its manifest digest; `model` lines go into `[model]`.
pub fn inputs(model: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write_base(&dir.path().join("base"), false);
    std::fs::write(dir.path().join("data.csv"), sentences(96)).unwrap();
    let pin = manifest_sha256(&dir.path().join("base"));
    job(dir.path(), model, &format!("manifest_sha256 = \"{pin}\""));
    dir
}

/// The model-signing manifest digest of a directory.
pub fn manifest_sha256(dir: &Path) -> String {
    slsa_aibom_verify::documents::model_signing::dir_manifest(dir, &[])
        .unwrap()
        .0
        .value
}
