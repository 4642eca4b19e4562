//! Upper bounds on every size, count and rate a job spec sets, and the
//! memory its model needs, computed with checked arithmetic. A shape whose
//! product wraps around 64 bits (`input_shape = [6148914691236517206, 3]`),
//! a layer of four billion units or `epochs = 2^63 - 1` is refused here, by
//! name, before any data is read or anything is allocated.

use super::*;

/// The widest a dimension of `input_shape` may be.
pub const MAX_DIMENSION: usize = 1 << 16;
/// The most features (the product of `input_shape`) an input may have.
pub const MAX_FEATURES: usize = 1 << 24;
/// The widest a dense layer, or the most channels a convolution, may have.
pub const MAX_WIDTH: usize = 1 << 16;
/// The most dense or convolution layers a model may have.
pub const MAX_LAYERS: usize = 64;
/// The most outputs (classes) a model may have.
pub const MAX_OUTPUTS: usize = 1 << 17;
/// The most epochs a job may run.
pub const MAX_EPOCHS: usize = 100_000;
/// The largest batch.
pub const MAX_BATCH: usize = 1 << 16;
/// The most steps an epoch (or a validation pass) may be limited to.
pub const MAX_STEPS: usize = 1 << 30;
/// The largest learning rate.
pub const MAX_LEARNING_RATE: f64 = 10.0;
/// The longest token sequence of a text job.
pub const MAX_SEQUENCE: usize = 1 << 16;
/// The most bytes one text record may hold.
pub const MAX_TEXT_BYTES: usize = 1 << 24;
/// The highest LoRA rank.
pub const MAX_LORA_RANK: usize = 1 << 12;
/// The most parameter and activation memory (bytes) a tabular or image
/// model may need, whatever the machine: 1 TiB.
pub const MAX_MODEL_BYTES: u64 = 1 << 40;

/// The first problem found, if any.
type Check = std::result::Result<(), String>;

fn at_most(key: &str, value: usize, max: usize) -> Check {
    if value > max {
        Err(format!("{key} = {value} is over the limit of {max}"))
    } else {
        Ok(())
    }
}

/// Every size, count and rate against its bound.
pub(super) fn check(spec: &JobSpec) -> Check {
    let (d, m, t) = (&spec.dataset.definition, &spec.model, &spec.training);
    for &n in &d.input_shape {
        at_most(
            "dataset.definition.input_shape's dimension",
            n,
            MAX_DIMENSION,
        )?;
    }
    features(&d.input_shape)?;
    for &n in &d.output_shape {
        at_most("dataset.definition.output_shape", n, MAX_OUTPUTS)?;
    }
    at_most(
        "the number of model.hidden layers",
        m.hidden.len(),
        MAX_LAYERS,
    )?;
    at_most("the number of model.conv layers", m.conv.len(), MAX_LAYERS)?;
    for &w in m.hidden.iter().chain(&m.conv) {
        at_most("a model.hidden or model.conv width", w, MAX_WIDTH)?;
    }
    at_most("training.epochs", t.epochs, MAX_EPOCHS)?;
    at_most("training.batch_size", t.batch_size, MAX_BATCH)?;
    for (key, v) in [
        ("training.steps_per_epoch", t.steps_per_epoch),
        ("training.validation_steps", t.validation_steps),
    ] {
        at_most(key, v.unwrap_or(0), MAX_STEPS)?;
    }
    if t.learning_rate > MAX_LEARNING_RATE {
        return Err(format!(
            "training.learning_rate = {} is over the limit of {MAX_LEARNING_RATE}",
            t.learning_rate
        ));
    }
    if let Some(text) = &d.text {
        at_most(
            "dataset.definition.text.max_length",
            text.max_length,
            MAX_SEQUENCE,
        )?;
        at_most(
            "dataset.definition.text.max_text_bytes",
            text.max_text_bytes,
            MAX_TEXT_BYTES,
        )?;
    }
    if let Some(l) = &m.lora {
        at_most("model.lora.rank", l.rank, MAX_LORA_RANK)?;
    }
    if m.architecture != Architecture::Bert {
        let bytes = model_bytes(spec)?;
        if bytes > MAX_MODEL_BYTES {
            return Err(format!(
                "the model needs an estimated {} of memory for its parameters and one batch, over the limit of {}",
                human_bytes(bytes),
                human_bytes(MAX_MODEL_BYTES)
            ));
        }
    }
    Ok(())
}

/// The product of `input_shape`, checked against [`MAX_FEATURES`].
pub fn features(shape: &[usize]) -> std::result::Result<usize, String> {
    let product = shape
        .iter()
        .try_fold(1usize, |p, &n| p.checked_mul(n))
        .filter(|&p| p <= MAX_FEATURES);
    product.ok_or_else(|| {
        format!(
            "dataset.definition.input_shape = {shape:?} has more than {MAX_FEATURES} features (its product overflows or is over the limit)"
        )
    })
}

/// An estimate of the memory a tabular or image model needs to train, in
/// bytes: every parameter four times (the weights, their gradients and the
/// optimizer's two moments), and one batch of activations three times
/// (forward values, their gradients, and the convolution's unfolded
/// patches), all `f32`. Checked arithmetic: an overflow is an error.
pub fn model_bytes(spec: &JobSpec) -> std::result::Result<u64, String> {
    let (d, m) = (&spec.dataset.definition, &spec.model);
    let overflow = || "the model's size overflows 64-bit arithmetic".to_string();
    let mul = |a: u64, b: u64| a.checked_mul(b).ok_or_else(overflow);
    let product = |factors: &[u64]| {
        factors
            .iter()
            .try_fold(1u64, |p, &f| p.checked_mul(f))
            .ok_or_else(overflow)
    };
    let add = |a: u64, b: u64| a.checked_add(b).ok_or_else(overflow);
    let (mut params, mut activations) = (0u64, features(&d.input_shape)? as u64);
    let mut width = activations;
    if m.architecture == Architecture::Cnn && d.input_shape.len() == 3 {
        let (mut h, mut w, mut c) = (
            d.input_shape[0] as u64,
            d.input_shape[1] as u64,
            d.input_shape[2] as u64,
        );
        let k = m.kernel_size as u64;
        let side = |n: u64| {
            let conv = n.saturating_sub(1) / (m.stride.max(1) as u64) + 1;
            if m.pool == Pool::None {
                conv
            } else {
                conv / 2
            }
        };
        for &co in &m.conv {
            let co = co as u64;
            params = add(params, add(product(&[co, c, k, k])?, 5 * co)?)?;
            let patches = product(&[h, w, k, k, c])?;
            activations = add(activations, add(patches, product(&[h, w, co])?)?)?;
            (h, w, c) = (side(h), side(w), co);
        }
        width = product(&[h, w, c])?;
    }
    for &o in m.hidden.iter().chain(&d.output_shape) {
        let o = o as u64;
        params = add(params, add(mul(o, width)?, 5 * o)?)?;
        activations = add(activations, o)?;
        width = o;
    }
    let batch = spec.training.batch_size as u64;
    add(mul(params, 16)?, product(&[activations, batch, 12])?)
}

/// `bytes` in binary units, for messages.
pub fn human_bytes(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS[unit])
}
