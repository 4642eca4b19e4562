//! The fine-tuned model as a Hugging Face directory: `config.json` with
//! `architectures`, `id2label` and `label2id`, `model.safetensors` under the
//! standard tensor names, the base model's tokenizer files, and for LoRA
//! the adapter in PEFT's layout, in `adapter/`: beside the merged weights,
//! transformers would apply an `adapter_config.json` a second time.

use crate::attest::record::OutputFile;
use crate::error::{BuildError, Result};
use crate::lineage::VerifiedDir;
use crate::spec::{JobSpec, Pooling, Task};
use candle_core::Tensor;
use serde_json::{json, Map, Value};
use sha2::{Digest as _, Sha256};
use slsa_aibom_trainer::transformer::classifier::{Mode, TextClassifier};
use std::collections::HashMap;
use std::path::Path;

/// Tokenizer files copied from the base model when it has them.
pub const TOKENIZER_FILES: [&str; 4] = [
    "special_tokens_map.json",
    "tokenizer.json",
    "tokenizer_config.json",
    "vocab.txt",
];

/// The format our own `slsa_aibom` block in `config.json` follows.
pub const TEXT_MODEL_FORMAT: &str = "slsa-aibom/text-model/v1";

/// Label names in output order: the classes (for a one-output binary model,
/// the positive class), else `LABEL_i`.
fn labels(spec: &JobSpec, classes: Option<&[String]>, outputs: usize) -> Vec<String> {
    let named = |i: usize| {
        classes
            .and_then(|c| c.get(i))
            .cloned()
            .unwrap_or_else(|| format!("LABEL_{i}"))
    };
    match spec.model.task {
        Task::Binary => vec![named(1)],
        Task::Multiclass => (0..outputs).map(named).collect(),
        Task::Regression => (0..outputs).map(|i| format!("LABEL_{i}")).collect(),
    }
}

/// `config.json`: the base model's, with the head's labels, the
/// architecture transformers should build and our own inference settings.
pub fn config(spec: &JobSpec, model: &TextClassifier, classes: Option<&[String]>) -> Value {
    let mut c: Map<String, Value> = model.config().raw.clone();
    let names = labels(spec, classes, model.outputs);
    let id2label: Map<String, Value> = names
        .iter()
        .enumerate()
        .map(|(i, n)| (i.to_string(), json!(n)))
        .collect();
    let label2id: Map<String, Value> = names
        .iter()
        .enumerate()
        .map(|(i, n)| (n.clone(), json!(i)))
        .collect();
    let architecture = match model.pooling() {
        Pooling::Cls => "BertForSequenceClassification",
        Pooling::Mean => "BertModel",
    };
    let problem = match spec.model.task {
        Task::Binary => "multi_label_classification",
        Task::Multiclass => "single_label_classification",
        Task::Regression => "regression",
    };
    let mode = match model.mode() {
        Mode::Full => "full",
        Mode::HeadOnly => "freeze-encoder",
        Mode::Lora(_) => "lora (merged)",
    };
    let text = spec.dataset.definition.text.as_ref();
    c.remove("_name_or_path");
    c.insert("architectures".into(), json!([architecture]));
    c.insert("id2label".into(), Value::Object(id2label));
    c.insert("label2id".into(), Value::Object(label2id));
    c.insert("problem_type".into(), json!(problem));
    c.insert(
        "slsa_aibom".into(),
        json!({
            "format": TEXT_MODEL_FORMAT,
            "task": spec.model.task,
            "pooling": model.pooling(),
            "mode": mode,
            "classes": classes,
            "max_length": text.map(|t| t.max_length),
            "truncation": text.map(|t| t.truncation),
            "padding": text.map(|t| t.padding),
        }),
    );
    Value::Object(c)
}

/// PEFT's `adapter_config.json` for a LoRA job.
fn adapter_config(spec: &JobSpec) -> Option<Value> {
    let l = spec.model.lora.as_ref()?;
    let alpha = if l.alpha.fract() == 0.0 {
        json!(l.alpha as i64)
    } else {
        json!(l.alpha)
    };
    let base = spec
        .model
        .pretrained
        .as_ref()
        .map(|p| p.path.display().to_string());
    Some(json!({
        "peft_type": "LORA",
        "task_type": "SEQ_CLS",
        "base_model_name_or_path": base,
        "r": l.rank,
        "lora_alpha": alpha,
        "lora_dropout": 0.0,
        "target_modules": l.target_modules,
        "bias": "none",
        "fan_in_fan_out": false,
        "inference_mode": true,
        "init_lora_weights": true,
        "modules_to_save": ["classifier"],
    }))
}

/// The folder of the PEFT adapter, inside the model directory.
pub const ADAPTER_DIR: &str = "adapter";

fn put(dir: &Path, name: &str, bytes: &[u8], out: &mut Vec<OutputFile>) -> Result<()> {
    let path = dir.join(name);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| BuildError::io(parent, e))?;
    }
    std::fs::write(&path, bytes).map_err(|e| BuildError::io(&path, e))?;
    out.push(OutputFile {
        path: name.into(),
        sha256: hex::encode(Sha256::digest(bytes)),
        size: bytes.len() as u64,
    });
    Ok(())
}

fn safetensors(
    tensors: Vec<(String, Tensor)>,
    dir: &Path,
    name: &str,
    out: &mut Vec<OutputFile>,
) -> Result<()> {
    let path = dir.join(name);
    let map: HashMap<String, Tensor> = tensors.into_iter().collect();
    slsa_aibom_trainer::weights_file::save(&map, &path)?;
    let bytes = crate::error::read_file(&path, crate::error::FILE_LIMIT)?;
    out.push(OutputFile {
        path: name.into(),
        sha256: hex::encode(Sha256::digest(&bytes)),
        size: bytes.len() as u64,
    });
    Ok(())
}

fn pretty(v: &Value) -> Result<Vec<u8>> {
    let mut bytes = serde_json::to_vec_pretty(v).map_err(|e| BuildError::Io(e.to_string()))?;
    bytes.push(b'\n');
    Ok(bytes)
}

/// Write the model directory into `dir`; its files, sorted by name.
pub fn write(
    dir: &Path,
    spec: &JobSpec,
    model: &TextClassifier,
    classes: Option<&[String]>,
    base: &VerifiedDir,
) -> Result<Vec<OutputFile>> {
    std::fs::create_dir_all(dir).map_err(|e| BuildError::io(dir, e))?;
    let mut out = Vec::new();
    put(
        dir,
        "config.json",
        &pretty(&config(spec, model, classes))?,
        &mut out,
    )?;
    safetensors(model.merged()?, dir, "model.safetensors", &mut out)?;
    for name in TOKENIZER_FILES {
        if base.has(name) {
            put(dir, name, &base.read(name)?, &mut out)?;
        }
    }
    if let Some(adapter) = adapter_config(spec) {
        let config = format!("{ADAPTER_DIR}/adapter_config.json");
        put(dir, &config, &pretty(&adapter)?, &mut out)?;
        let weights = format!("{ADAPTER_DIR}/adapter_model.safetensors");
        safetensors(model.adapter()?, dir, &weights, &mut out)?;
    }
    out.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(out)
}
