//! The one place a job spec becomes the trainer's configuration: each
//! function maps the keys of `[model]` and `[training]` onto a
//! `slsa_aibom_trainer` type, so the trainer never sees the job file.

use crate::spec::{JobSpec, ModelSpec, TrainingSpec};
use slsa_aibom_trainer::conv::Geometry;
use slsa_aibom_trainer::loss::Loss;
use slsa_aibom_trainer::optim::schedule::LearningRate;

/// The convolution blocks' shared shape (`kernel_size`, `stride`, `pool`).
pub fn geometry(m: &ModelSpec) -> Geometry {
    Geometry {
        kernel: m.kernel_size,
        stride: m.stride,
        pool: m.pool,
    }
}

/// The loss training minimises: the task's, with the job's label smoothing
/// and class weights.
pub fn training_loss(spec: &JobSpec) -> Loss {
    let t = &spec.training;
    Loss::training(
        spec.model.task,
        outputs(spec),
        t.label_smoothing,
        t.class_weights.as_deref(),
    )
}

/// The plain loss evaluations report.
pub fn evaluation_loss(spec: &JobSpec) -> Loss {
    Loss::plain(spec.model.task, outputs(spec))
}

/// The learning rate over the run: base rate, schedule and epochs.
pub fn learning_rate(t: &TrainingSpec) -> LearningRate {
    LearningRate {
        base: t.learning_rate,
        schedule: t.schedule.clone(),
        epochs: t.epochs,
    }
}

/// The model's outputs (classes, or 1 for binary and regression).
fn outputs(spec: &JobSpec) -> usize {
    spec.dataset.definition.output_shape[0]
}
