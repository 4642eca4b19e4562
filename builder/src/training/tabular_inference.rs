//! Running a trained MLP or CNN on CSV rows: its `config.json` is held to
//! the trainer's bounds and the recorded job before any shape is used.

use super::input_table::InputTable;
use super::Inferred;
use crate::error::{BuildError, Result};
use crate::spec::{Architecture, DataFormat, JobSpec, Task};
use candle_core::{Device, Tensor};
use serde::Deserialize;
use slsa_aibom_trainer::model::{Layout, Model};
use slsa_aibom_trainer::preprocess::Standardizer;
use std::path::Path;

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

/// Load the model in `model_dir` and run it on the rows of `input`.
pub fn infer(model_dir: &Path, input: &Path, spec: &JobSpec) -> Result<Inferred> {
    if spec.dataset.format != DataFormat::Csv {
        return Err(BuildError::Spec(format!(
            "predict reads CSV rows; this model was trained on {:?} data, which predict does not support yet",
            spec.dataset.format
        )));
    }
    let config: ModelConfig = {
        let path = model_dir.join(crate::layout::CONFIG);
        let bytes = crate::error::read_file(&path, slsa_aibom_verify::bounded_read::SMALL_LIMIT)?;
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
        geometry: crate::trainer_config::geometry(&spec.model),
        batch_norm: spec.model.batch_norm,
    };
    let mut model = Model::init(layout, 0, &device)?;
    model.load_base(&model_dir.join(crate::layout::WEIGHTS), &device)?;
    let (keys, mut features, width) = read_rows(input, spec)?;
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
    Ok(Inferred {
        keys,
        outputs,
        task: config.task,
        classes: config.classes,
    })
}

/// The input rows: their keys, the features (row-major) and the width. The
/// header must name every feature column of the recorded job; other
/// columns (the label, say) are ignored.
fn read_rows(input: &Path, spec: &JobSpec) -> Result<(Vec<String>, Vec<f32>, usize)> {
    let def = &spec.dataset.definition;
    let table = InputTable::read(input)?;
    let features: Vec<(&str, usize)> = def
        .feature_columns()
        .into_iter()
        .map(|i| def.columns[i].name.as_str())
        .map(|c| Ok((c, table.column(c, "a feature of the recorded job")?)))
        .collect::<Result<_>>()?;
    let (mut keys, mut values) = (Vec::new(), Vec::new());
    for (row, key, record) in table.rows(spec) {
        for (column, i) in &features {
            let cell = record.get(*i).unwrap_or_default().trim();
            let v: f32 = cell
                .parse()
                .ok()
                .filter(|v: &f32| v.is_finite())
                .ok_or_else(|| {
                    BuildError::Data(format!(
                        "{} row {row} column {column}: {cell:?} is not a finite number",
                        table.name
                    ))
                })?;
            values.push(v);
        }
        keys.push(key);
    }
    Ok((keys, values, features.len()))
}
