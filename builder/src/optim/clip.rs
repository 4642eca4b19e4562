//! Gradient clipping by global norm (PyTorch's `clip_grad_norm_`).

use candle_core::{Result, Tensor};

/// The factor that brings the global L2 norm of `grads` down to `max_norm`
/// (1 when it is already within): `min(1, max_norm / (norm + 1e-6))`.
/// Tensors are summed in order, so the result does not depend on threads.
pub fn scale<'a>(grads: impl Iterator<Item = &'a Tensor>, max_norm: f64) -> Result<f64> {
    let mut sum = 0f64;
    for g in grads {
        sum += f64::from(g.sqr()?.sum_all()?.to_scalar::<f32>()?);
    }
    let norm = sum.sqrt();
    Ok((max_norm / (norm + 1e-6)).min(1.0))
}
