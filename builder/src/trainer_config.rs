//! The one place a job spec becomes the trainer's configuration: each
//! function maps keys of the job onto a `slsa_aibom_trainer` type, so the
//! trainer never sees the job file.

use crate::spec::{JobSpec, ModelSpec, Optimizer, TrainingSpec};
use slsa_aibom_trainer::conv::Geometry;
use slsa_aibom_trainer::loss::Loss;
use slsa_aibom_trainer::model::Layout;
use slsa_aibom_trainer::optim::rule::Rule;
use slsa_aibom_trainer::optim::schedule::LearningRate;
use slsa_aibom_trainer::split::SplitConfig;
use slsa_aibom_trainer::train::TrainConfig;
use slsa_aibom_trainer::trainee::Noise;

/// The convolution blocks' shared shape (`kernel_size`, `stride`, `pool`).
pub fn geometry(m: &ModelSpec) -> Geometry {
    Geometry {
        kernel: m.kernel_size,
        stride: m.stride,
        pool: m.pool,
    }
}

/// The layers of an MLP or CNN job: its hidden widths and the output
/// layer, its convolutions, activation and batch normalisation.
pub fn layout(spec: &JobSpec) -> Layout {
    let mut dense = spec.model.hidden.clone();
    dense.push(outputs(spec));
    Layout {
        architecture: spec.model.architecture,
        input_shape: spec.dataset.definition.input_shape.clone(),
        conv: spec.model.conv.clone(),
        dense,
        activation: spec.model.activation,
        geometry: geometry(&spec.model),
        batch_norm: spec.model.batch_norm,
    }
}

/// The training loop's settings: `[training]` with the task and outputs.
pub fn train_config(spec: &JobSpec) -> TrainConfig {
    let t = &spec.training;
    TrainConfig {
        task: spec.model.task,
        outputs: outputs(spec),
        epochs: t.epochs,
        initial_epoch: t.initial_epoch,
        batch_size: t.batch_size,
        steps_per_epoch: t.steps_per_epoch,
        validation_steps: t.validation_steps,
        validation_freq: t.validation_freq,
        rule: rule(t),
        clip_grad_norm: t.clip_grad_norm,
        rate: LearningRate {
            base: t.learning_rate,
            schedule: t.schedule.clone(),
            epochs: t.epochs,
        },
        loss: Loss::training(
            spec.model.task,
            outputs(spec),
            t.label_smoothing,
            t.class_weights.as_deref(),
        ),
        early_stopping: t.early_stopping.clone(),
        seed: t.seed,
    }
}

/// The optimizer's update rule (`optimizer`, `momentum`, `nesterov`,
/// `weight_decay`).
fn rule(t: &TrainingSpec) -> Rule {
    match t.optimizer {
        Optimizer::Sgd => Rule::Sgd {
            momentum: t.momentum,
            nesterov: t.nesterov,
            weight_decay: t.weight_decay,
        },
        Optimizer::Adam => Rule::Adam {
            weight_decay: t.weight_decay,
        },
    }
}

/// The seeded randomness of training steps: `model.dropout` and
/// `training.augmentation`.
pub fn noise(spec: &JobSpec) -> Noise {
    Noise::new(
        spec.model.dropout,
        spec.training.augmentation,
        &spec.dataset.definition.input_shape,
        spec.training.seed,
    )
}

/// How rows are split when the data does not assign them.
pub fn split_config(t: &TrainingSpec) -> SplitConfig {
    SplitConfig {
        validation: t.validation_split,
        test: t.test_split,
        stratify: t.stratify,
        seed: t.seed,
    }
}

/// The model's outputs (classes, or 1 for binary and regression).
fn outputs(spec: &JobSpec) -> usize {
    spec.dataset.definition.output_shape[0]
}
