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

#[cfg(test)]
mod tests {
    use super::*;
    use candle_core::Device;

    #[test]
    fn scales_only_a_norm_above_the_limit() {
        // Global norm sqrt(9 + 16) = 5 over two tensors.
        let a = Tensor::new(&[3f32], &Device::Cpu).unwrap();
        let b = Tensor::new(&[[0f32, 4.0]], &Device::Cpu).unwrap();
        let s = scale([&a, &b].into_iter(), 1.0).unwrap();
        assert!((s - 0.2).abs() < 1e-6, "{s}");
        assert_eq!(scale([&a, &b].into_iter(), 10.0).unwrap(), 1.0);
    }
}
