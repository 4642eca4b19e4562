//! Verified inference (`predict`): a model runs only if its release
//! verifies. The release (provenance, ML-BOM and model signature, with the
//! files they reference) is verified as one unit under the caller's policy
//! first; then the job spec recorded in the verified provenance says which
//! input columns are features, the model's `config.json` holds the fitted
//! preprocessing, and the weights are loaded by their recorded names.
//!
//! Tabular (CSV) models and fine-tuned text models (a CSV with the job's
//! text column); image models are refused by name.

use crate::data::Standardizer;
use crate::error::{BuildError, Result};
use crate::model::{Layout, Model};
use crate::spec::{Architecture, DataFormat, JobSpec, Task};
use candle_core::{Device, Tensor};
use serde::{Deserialize, Serialize};
use slsa_aibom_verify::release::rules::ReleasePolicy;
use slsa_aibom_verify::release::{verify_release, Release};
use slsa_aibom_verify::Policy;
use std::path::Path;

/// How the release is checked before anything is loaded.
pub enum Verification {
    /// Verify the release as one unit under `policy` and `rules`.
    Release {
        /// Signer and trust anchor.
        policy: Box<Policy>,
        /// The release policy file's rules.
        rules: Box<ReleasePolicy>,
    },
    /// Load without verifying (`--no-verify`): the caller was warned.
    Skip,
}

/// The model's `config.json`, as the builder writes it.
#[derive(Debug, Deserialize)]
struct ModelConfig {
    format: String,
    architecture: Architecture,
    task: Task,
    input_shape: Vec<usize>,
    output_shape: Vec<usize>,
    conv: Vec<usize>,
    conv_kernel: usize,
    hidden: Vec<usize>,
    classes: Option<Vec<String>>,
    preprocessing: Standardizer,
}

/// One input row's prediction.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Prediction {
    /// The row's key (the job's key column), or its 1-based row number.
    pub row: String,
    /// The predicted class name (class index as text without class names),
    /// or the predicted value for regression.
    pub prediction: String,
    /// The raw outputs (logits; the value for regression).
    pub outputs: Vec<f32>,
    /// Class probabilities (sigmoid for binary: of the positive class;
    /// softmax for multi-class); empty for regression.
    pub probabilities: Vec<f32>,
}

/// Verify (unless skipped), load and run the model in `model_dir` on the
/// CSV `input`.
pub fn predict(
    model_dir: &Path,
    input: &Path,
    verification: &Verification,
) -> Result<Vec<Prediction>> {
    // What is verified is what is loaded: the model's files are copied once
    // into a private folder, the copy is verified, and the model is read
    // from it (never the original again, which could be swapped meanwhile).
    let snapshot = crate::snapshot::Snapshot::of(model_dir)?;
    let spec = job_spec(model_dir, snapshot.model_dir(), verification)?;
    let model_dir = snapshot.model_dir();
    if spec.model.architecture == Architecture::Bert {
        let (keys, texts) = read_texts(input, &spec)?;
        let outputs = crate::transformer::inference::logits(model_dir, &spec, &texts, &keys)?;
        let classes = spec.dataset.definition.classes.as_deref();
        return Ok(keys
            .into_iter()
            .zip(outputs)
            .map(|(row, outputs)| describe(row, outputs, spec.model.task, classes))
            .collect());
    }
    if spec.dataset.format != DataFormat::Csv {
        return Err(BuildError::Spec(format!(
            "predict reads CSV rows; this model was trained on {:?} data, which predict does not support yet",
            spec.dataset.format
        )));
    }
    let config: ModelConfig = {
        let path = model_dir.join(crate::layout::CONFIG);
        let bytes = crate::error::read_file(
            &path,
            slsa_aibom_verify::evidence::bounded_read::SMALL_LIMIT,
        )?;
        slsa_aibom_verify::json::from_slice(&bytes)
            .map_err(|e| BuildError::Spec(format!("{}: {e}", path.display())))?
    };
    // Even a verified config is held to the job spec's bounds before any
    // shape is multiplied or allocated (and `--no-verify` loads anything).
    crate::spec::limits::features(&config.input_shape).map_err(BuildError::Spec)?;
    let widths = config
        .hidden
        .iter()
        .chain(&config.conv)
        .chain(&config.output_shape);
    if widths.clone().any(|&w| {
        w == 0 || w > crate::spec::limits::MAX_WIDTH.max(crate::spec::limits::MAX_OUTPUTS)
    }) || config.hidden.len() + config.conv.len() > 2 * crate::spec::limits::MAX_LAYERS
    {
        return Err(BuildError::Spec(format!(
            "{}: its layer widths are outside the trainer's bounds",
            crate::layout::CONFIG
        )));
    }
    if config.format != "slsa-aibom/model/v1" || config.conv_kernel != spec.model.kernel_size {
        return Err(BuildError::Spec(format!(
            "{}: format {:?} with kernel {} is not one this trainer reads",
            crate::layout::CONFIG,
            config.format,
            config.conv_kernel
        )));
    }
    let device = Device::Cpu;
    let mut dense = config.hidden.clone();
    dense.extend(config.output_shape.first());
    let layout = Layout {
        architecture: config.architecture,
        input_shape: config.input_shape.clone(),
        conv: config.conv.clone(),
        dense,
        activation: spec.model.activation,
        geometry: crate::conv::Geometry::of(&spec.model),
        batch_norm: spec.model.batch_norm,
    };
    let mut model = Model::init(layout, 0, &device)?;
    model.load_base(&model_dir.join(crate::layout::WEIGHTS), &device)?;
    let (keys, mut features, width) = read_rows(input, &spec)?;
    if width != config.input_shape.iter().product::<usize>() {
        return Err(BuildError::Spec(format!(
            "the recorded job has {width} feature columns, the model takes {:?}",
            config.input_shape
        )));
    }
    config.preprocessing.apply(&mut features, width);
    let rows = keys.len();
    let x = Tensor::from_vec(features, (rows, width), &device)?;
    let mut outputs = model.forward(&x)?.to_vec2::<f32>()?;
    if config.task == Task::Regression {
        for row in &mut outputs {
            config.preprocessing.unscale_targets(row);
        }
    }
    Ok(keys
        .into_iter()
        .zip(outputs)
        .map(|(row, outputs)| describe(row, outputs, config.task, config.classes.as_deref()))
        .collect())
}

/// The job spec the model was trained with: from the verified provenance,
/// or (unverified) read straight from the bundle. The release's evidence is
/// beside `model_dir`; the files verified are those of `copy`.
fn job_spec(model_dir: &Path, copy: &Path, verification: &Verification) -> Result<JobSpec> {
    let root = model_dir.parent().unwrap_or(Path::new("."));
    let attestations = root.join(crate::layout::ATTESTATIONS_DIR);
    let statement = match verification {
        Verification::Release { policy, rules } => {
            let release =
                Release::from_layout(copy, &attestations, &root.join(crate::layout::MODEL_SIG));
            let report = verify_release(policy, rules, None, &release);
            if let Some(f) = &report.failure() {
                return Err(BuildError::Verify(format!(
                    "the release did not verify, so the model was not loaded: {}",
                    f.message
                )));
            }
            report
                .parts()
                .iter()
                .find(|p| p.document() == "provenance")
                .and_then(|p| p.verdict().statement().cloned())
                .map(|s| s.predicate)
                .ok_or_else(|| {
                    BuildError::Verify("the verified release holds no provenance".into())
                })?
        }
        Verification::Skip => {
            crate::output_check::bundle_statement(&attestations.join(crate::layout::PROVENANCE))?
                ["predicate"]
                .clone()
        }
    };
    serde_json::from_value(statement["buildDefinition"]["externalParameters"]["spec"].clone())
        .map_err(|e| BuildError::Spec(format!("the provenance records no readable job spec: {e}")))
}

/// The input rows: their keys, the features (row-major) and the width. The
/// header must name every feature column of the recorded job; other
/// columns (the label, say) are ignored.
fn read_rows(input: &Path, spec: &JobSpec) -> Result<(Vec<String>, Vec<f32>, usize)> {
    let def = &spec.dataset.definition;
    let name = input.display().to_string();
    let bytes = crate::data::read_regular(input)?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(bytes.as_slice());
    let header = crate::data::csv_header(&mut reader, &name)?;
    let position = |column: &str| header.iter().position(|h| h == column);
    let features: Vec<(&str, usize)> = def
        .feature_columns()
        .into_iter()
        .map(|i| &def.columns[i])
        .map(|c| {
            position(&c.name)
                .map(|i| (c.name.as_str(), i))
                .ok_or_else(|| {
                    BuildError::Data(format!(
                        "{name}: the header has no column {:?}, a feature of the recorded job",
                        c.name
                    ))
                })
        })
        .collect::<Result<_>>()?;
    let key = def.key.as_deref().and_then(position);
    let (mut keys, mut values) = (Vec::new(), Vec::new());
    for (n, record) in reader.records().enumerate() {
        let row = n + 1;
        let record = record.map_err(|e| BuildError::Data(format!("{name} row {row}: {e}")))?;
        for (column, i) in &features {
            let cell = record.get(*i).unwrap_or_default().trim();
            let v: f32 = cell
                .parse()
                .ok()
                .filter(|v: &f32| v.is_finite())
                .ok_or_else(|| {
                    BuildError::Data(format!(
                        "{name} row {row} column {column}: {cell:?} is not a finite number"
                    ))
                })?;
            values.push(v);
        }
        keys.push(match key {
            Some(k) => record.get(k).unwrap_or_default().to_string(),
            None => row.to_string(),
        });
    }
    if keys.is_empty() {
        return Err(BuildError::Data(format!("{name}: no rows to predict")));
    }
    Ok((keys, values, features.len()))
}

/// A text model's input rows: their keys and texts. The header must name
/// the recorded job's text column; the key column is used when present.
fn read_texts(input: &Path, spec: &JobSpec) -> Result<(Vec<String>, Vec<String>)> {
    let def = &spec.dataset.definition;
    let column = def
        .text
        .as_ref()
        .map(|t| t.column.as_str())
        .unwrap_or("text");
    let name = input.display().to_string();
    let bytes = crate::data::read_regular(input)?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(bytes.as_slice());
    let header = crate::data::csv_header(&mut reader, &name)?;
    let position = |c: &str| header.iter().position(|h| h == c);
    let text = position(column).ok_or_else(|| {
        BuildError::Data(format!(
            "{name}: the header has no column {column:?}, the recorded job's text"
        ))
    })?;
    let key = def.key.as_deref().and_then(position);
    let (mut keys, mut texts) = (Vec::new(), Vec::new());
    for (n, record) in reader.records().enumerate() {
        let row = n + 1;
        let record = record.map_err(|e| BuildError::Data(format!("{name} row {row}: {e}")))?;
        let value = record.get(text).unwrap_or_default();
        if value.trim().is_empty() {
            return Err(BuildError::Data(format!(
                "{name} row {row} column {column:?}: the text is empty"
            )));
        }
        texts.push(value.to_string());
        keys.push(match key {
            Some(k) => record.get(k).unwrap_or_default().to_string(),
            None => row.to_string(),
        });
    }
    if keys.is_empty() {
        return Err(BuildError::Data(format!("{name}: no rows to predict")));
    }
    Ok((keys, texts))
}

fn describe(row: String, outputs: Vec<f32>, task: Task, classes: Option<&[String]>) -> Prediction {
    let name = |i: usize| {
        classes
            .and_then(|c| c.get(i).cloned())
            .unwrap_or_else(|| i.to_string())
    };
    let (prediction, probabilities) = match task {
        Task::Regression => (outputs[0].to_string(), Vec::new()),
        // Positive when the logit is at least 0, as in training.
        Task::Binary => (
            name(usize::from(outputs[0] >= 0.0)),
            vec![1.0 / (1.0 + (-outputs[0]).exp())],
        ),
        Task::Multiclass => {
            let max = outputs.iter().cloned().fold(f32::NEG_INFINITY, f32::max);
            let exp: Vec<f32> = outputs.iter().map(|v| (v - max).exp()).collect();
            let sum: f32 = exp.iter().sum();
            let best = outputs
                .iter()
                .enumerate()
                .fold(0, |b, (i, v)| if *v > outputs[b] { i } else { b });
            (name(best), exp.iter().map(|e| e / sum).collect())
        }
    };
    Prediction {
        row,
        prediction,
        outputs,
        probabilities,
    }
}
