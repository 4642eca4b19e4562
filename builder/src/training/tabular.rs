//! MLPs and CNNs on a table of numbers (CSV columns, image pixels), trained
//! from the job's seed or from verified base weights.

use super::{Inferred, Session, Training, TrainingOutcome, VerifiedInputs};
use crate::error::{BuildError, Result};
use crate::layout;
use crate::spec::limits::{human_bytes, model_bytes};
use crate::spec::{Job, JobSpec};
use crate::trainer_config;
use crate::written::{output_file, pretty, write};
use candle_core::Device;
use serde_json::json;
use slsa_aibom_trainer::model::Model;
use slsa_aibom_trainer::preprocess::Standardizer;
use slsa_aibom_trainer::train::train;
use slsa_aibom_trainer::trainee::{Table, Tabular as Trainee};
use std::path::Path;

/// The tabular and image trainer of the reproducible tier.
pub struct Tabular;

impl Training for Tabular {
    /// Refuse a model whose estimated memory (`spec::limits::model_bytes`)
    /// exceeds this machine's.
    fn check_resources(&self, spec: &JobSpec) -> Result<()> {
        let needed = model_bytes(spec).map_err(BuildError::Spec)?;
        match crate::environment::host::memory_bytes() {
            Some(total) if needed > total => Err(BuildError::Spec(format!(
                "the model needs an estimated {} of memory for its parameters and one batch; this machine has {}: make it smaller, or the batch",
                human_bytes(needed),
                human_bytes(total)
            ))),
            _ => Ok(()),
        }
    }

    /// Fit the preprocessing on the training rows, train, and write the
    /// weights and `config.json`.
    fn run(&self, inputs: VerifiedInputs<'_>, session: Session<'_>) -> Result<TrainingOutcome> {
        let (job, data, split) = (inputs.job, inputs.data, inputs.split);
        let spec = &job.spec;
        let model = initial_model(job, session.device)?;
        let pre = Standardizer::fit(
            &spec.dataset.definition.preprocessing,
            &data.features,
            &data.targets,
            data.width,
            &split.train,
        );
        let targets = pre.scale_targets(&data.targets);
        let mut features = std::mem::take(&mut data.features);
        pre.apply(&mut features, data.width);
        let trainee = Trainee {
            model: &model,
            table: Table {
                x: &features,
                y: &targets,
                width: data.width,
                preprocessing: &pre,
            },
            device: session.device,
        };
        let metrics = train(
            &trainee,
            split,
            &trainer_config::train_config(spec),
            trainer_config::noise(spec),
            session.progress,
            session.log,
        )?;
        metrics.check_finite().map_err(BuildError::Train)?;
        model.check_finite()?;
        let dir = session.out;
        model.save(&dir.weights())?;
        let weights = crate::error::read_file(&dir.weights(), crate::error::FILE_LIMIT)?;
        let weights_file = output_file(layout::WEIGHTS, &weights);
        let config = model_config(spec, &model, data.classes.as_deref(), &pre);
        let config_file = write(&dir.config(), &pretty(&config)?)?;
        Ok(TrainingOutcome {
            metrics,
            model_files: vec![config_file, weights_file],
            parameter_count: model.parameter_count(),
            tokenization: None,
        })
    }

    fn infer(&self, model_dir: &Path, input: &Path, spec: &JobSpec) -> Result<Inferred> {
        super::tabular_inference::infer(model_dir, input, spec)
    }
}

/// The model as training starts: initialised from the seed, or the
/// (already verified) base weights.
fn initial_model(job: &Job, dev: &Device) -> Result<Model> {
    let spec = &job.spec;
    let mut model = Model::init(trainer_config::layout(spec), spec.training.seed, dev)?;
    if let Some(base) = &spec.model.base {
        model.load_base(&job.resolve(&base.weights), dev)?;
    }
    Ok(model)
}

/// `model/config.json`: what inference needs besides the weights.
fn model_config(
    spec: &JobSpec,
    model: &Model,
    classes: Option<&[String]>,
    pre: &Standardizer,
) -> serde_json::Value {
    let parameters: Vec<_> = model
        .layout
        .params()
        .iter()
        .map(|p| json!({"name": p.name, "shape": p.shape}))
        .collect();
    json!({
        "format": "slsa-aibom/model/v1",
        "architecture": spec.model.architecture,
        "task": spec.model.task,
        "input_shape": spec.dataset.definition.input_shape,
        "output_shape": spec.dataset.definition.output_shape,
        "conv": spec.model.conv,
        "conv_kernel": spec.model.kernel_size,
        "conv_stride": spec.model.stride,
        "pool": spec.model.pool,
        "hidden": spec.model.hidden,
        "activation": spec.model.activation,
        "classes": classes,
        "preprocessing": pre,
        "parameters": parameters,
    })
}
