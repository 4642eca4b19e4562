//! Batch normalisation over the last (channel or feature) dimension, with
//! PyTorch's semantics: in training, each batch is normalised by its own
//! mean and biased variance and the running statistics move by momentum
//! 0.1 toward the batch's mean and unbiased variance; in evaluation, the
//! running statistics are used. ε = 1e-5.

use candle_core::{Result, Tensor, Var};

const MOMENTUM: f64 = 0.1;
const EPS: f64 = 1e-5;

/// One normalisation's tensors.
pub struct BatchNorm<'a> {
    /// Learned scale (γ).
    pub scale: &'a Tensor,
    /// Learned shift (β).
    pub shift: &'a Tensor,
    /// Running mean, updated in training.
    pub running_mean: &'a Var,
    /// Running variance, updated in training.
    pub running_var: &'a Var,
    /// Batch statistics (and updates) when true, running ones when false.
    pub training: bool,
}

/// Column sums of a `(rows, c)` matrix as a `(1, c)` product with a row of
/// ones: candle's `sum(0)` is a strided reduction many times slower.
fn column_sums(x: &Tensor) -> Result<Tensor> {
    let ones = Tensor::ones((1, x.dim(0)?), x.dtype(), x.device())?;
    ones.matmul(x)
}

impl BatchNorm<'_> {
    /// Normalise `x`, whose last dimension is the channels.
    pub fn apply(&self, x: &Tensor) -> Result<Tensor> {
        let shape = x.shape().clone();
        let c = *shape.dims().last().unwrap_or(&1);
        let flat = x.reshape(((), c))?;
        let (mean, var) = if self.training {
            let n = flat.dim(0)? as f64;
            let mean = (column_sums(&flat)? / n)?;
            let centred = flat.broadcast_sub(&mean)?;
            let var = (column_sums(&centred.sqr()?)? / n)?;
            let unbiased = (var.detach() * (n / (n - 1.0).max(1.0)))?;
            let update = |stat: &Var, batch: &Tensor| -> Result<()> {
                let next =
                    ((stat.as_tensor() * (1.0 - MOMENTUM))? + (batch.squeeze(0)? * MOMENTUM)?)?;
                stat.set(&next)
            };
            update(self.running_mean, &mean.detach())?;
            update(self.running_var, &unbiased)?;
            (mean, var)
        } else {
            (
                self.running_mean.as_tensor().unsqueeze(0)?,
                self.running_var.as_tensor().unsqueeze(0)?,
            )
        };
        let inv = (var + EPS)?.sqrt()?.recip()?;
        let scale = inv.broadcast_mul(&self.scale.unsqueeze(0)?)?;
        let shift = self.shift.unsqueeze(0)?.sub(&mean.broadcast_mul(&scale)?)?;
        flat.broadcast_mul(&scale)?
            .broadcast_add(&shift)?
            .reshape(shape)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use candle_core::Device;

    fn vars(c: usize) -> [Var; 4] {
        let d = &Device::Cpu;
        [
            Var::from_tensor(&Tensor::new(&[2f32, 0.5][..c], d).unwrap()).unwrap(),
            Var::from_tensor(&Tensor::new(&[0.1f32, -1.0][..c], d).unwrap()).unwrap(),
            Var::zeros(c, candle_core::DType::F32, d).unwrap(),
            Var::ones(c, candle_core::DType::F32, d).unwrap(),
        ]
    }

    /// Training normalises by the batch and moves the running statistics as
    /// PyTorch does; evaluation uses the running statistics.
    #[test]
    fn matches_pytorch_batch_norm_by_hand() {
        let [g, b, rm, rv] = vars(2);
        let x = Tensor::new(&[[1f32, 10.0], [3.0, 10.0], [5.0, 13.0]], &Device::Cpu).unwrap();
        let bn = |training| BatchNorm {
            scale: g.as_tensor(),
            shift: b.as_tensor(),
            running_mean: &rm,
            running_var: &rv,
            training,
        };
        let y = bn(true).apply(&x).unwrap().to_vec2::<f32>().unwrap();
        // Column 0: mean 3, biased var 8/3; column 1: mean 11, var 2.
        let want0 = |v: f32| 2.0 * (v - 3.0) / (8f32 / 3.0 + 1e-5).sqrt() + 0.1;
        let want1 = |v: f32| 0.5 * (v - 11.0) / (2f32 + 1e-5).sqrt() - 1.0;
        for (row, v) in y.iter().zip([[1f32, 10.0], [3.0, 10.0], [5.0, 13.0]]) {
            assert!((row[0] - want0(v[0])).abs() < 1e-5 && (row[1] - want1(v[1])).abs() < 1e-5);
        }
        // Running: 0.9·0 + 0.1·mean; 0.9·1 + 0.1·unbiased (4 and 3).
        let rm_now = rm.as_tensor().to_vec1::<f32>().unwrap();
        let rv_now = rv.as_tensor().to_vec1::<f32>().unwrap();
        assert!((rm_now[0] - 0.3).abs() < 1e-6 && (rm_now[1] - 1.1).abs() < 1e-5);
        assert!((rv_now[0] - 1.3).abs() < 1e-6 && (rv_now[1] - 1.2).abs() < 1e-6);
        let e = bn(false).apply(&x).unwrap().to_vec2::<f32>().unwrap();
        assert!((e[0][0] - (2.0 * (1.0 - 0.3) / (1.3f32 + 1e-5).sqrt() + 0.1)).abs() < 1e-5);
    }
}
