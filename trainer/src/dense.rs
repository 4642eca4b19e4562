//! A fully connected layer, `x·Wᵀ + b`, as one GEMM on the CPU: the bias is
//! written into the destination first and the product added to it, so
//! there is no separate broadcast pass. Its backward gives the weight and
//! bias gradients and, only when something upstream needs it, the input's:
//! candle's `matmul` always computes both sides, which for an MLP's first
//! layer is a wasted product the size of the layer.

use crate::matmul::{product, View};
use candle_core::{CpuStorage, CustomOp3, Layout, Result, Shape, Tensor};

/// Rows above which the weight gradient is computed as `(Xᵀ·G)ᵀ`.
const TALL: usize = 4096;

/// The layer op; `input_grad` says whether the input needs a gradient.
struct Dense {
    input_grad: bool,
}

impl CustomOp3 for Dense {
    fn name(&self) -> &'static str {
        "dense"
    }

    fn cpu_fwd(
        &self,
        s1: &CpuStorage,
        l1: &Layout,
        s2: &CpuStorage,
        l2: &Layout,
        s3: &CpuStorage,
        l3: &Layout,
    ) -> Result<(CpuStorage, Shape)> {
        let (CpuStorage::F32(x), CpuStorage::F32(w), CpuStorage::F32(b)) = (s1, s2, s3) else {
            candle_core::bail!("dense: f32 tensors only");
        };
        let ((m, k), (n, k2)) = (l1.shape().dims2()?, l2.shape().dims2()?);
        let (Some((x0, _)), Some((w0, _)), Some((b0, _))) = (
            l1.contiguous_offsets(),
            l2.contiguous_offsets(),
            l3.contiguous_offsets(),
        ) else {
            candle_core::bail!("dense: contiguous tensors only");
        };
        if k != k2 || l3.shape().elem_count() != n {
            candle_core::bail!(
                "dense: shapes {:?}, {:?}, {:?} do not fit",
                l1.shape(),
                l2.shape(),
                l3.shape()
            );
        }
        let mut dst = Vec::with_capacity(m * n);
        gemm_bias_into(
            &mut dst,
            &x[x0..x0 + m * k],
            &w[w0..w0 + n * k],
            &b[b0..b0 + n],
            m,
            n,
            k,
        );
        Ok((CpuStorage::F32(dst), Shape::from((m, n))))
    }

    fn bwd(
        &self,
        x: &Tensor,
        w: &Tensor,
        _b: &Tensor,
        _res: &Tensor,
        grad: &Tensor,
    ) -> Result<(Option<Tensor>, Option<Tensor>, Option<Tensor>)> {
        let dx = if self.input_grad {
            Some(grad.matmul(w)?)
        } else {
            None
        };
        Ok((dx, Some(weight_grad(x, grad)?), Some(bias_grad(grad)?)))
    }
}

/// `x·Wᵀ + b` on row-major slices (`x` m×k, `w` n×k) into `dst` as an m×n
/// matrix; `dst` is cleared first and its capacity kept.
pub(crate) fn gemm_bias_into(
    dst: &mut Vec<f32>,
    x: &[f32],
    w: &[f32],
    bias: &[f32],
    m: usize,
    n: usize,
    k: usize,
) {
    dst.clear();
    for _ in 0..m {
        dst.extend_from_slice(&bias[..n]);
    }
    product(
        dst,
        false,
        true,
        View::rows(&x[..m * k], m, k),
        View::rows(&w[..n * k], n, k).t(),
    );
}

/// The gradient of `W` in `x·Wᵀ` for the output gradient `grad`: `Gᵀ·X`.
/// Which side of the product goes first changes gemm's speed (either is
/// deterministic): measured, `(Xᵀ·G)ᵀ` is faster for the tall products of a
/// convolution (many pixel rows), `Gᵀ·X` for a minibatch of a few hundred.
pub(crate) fn weight_grad(x: &Tensor, grad: &Tensor) -> Result<Tensor> {
    if grad.dim(0)? > TALL {
        x.t()?.matmul(grad)?.t()
    } else {
        grad.t()?.matmul(x)
    }
}

/// The bias gradient, the column sums of `grad`, as a product with a row
/// of ones: candle's `sum(0)` is a strided reduction many times slower.
pub(crate) fn bias_grad(grad: &Tensor) -> Result<Tensor> {
    let ones = Tensor::ones((1, grad.dim(0)?), grad.dtype(), grad.device())?;
    ones.matmul(grad)?.squeeze(0)
}

/// `x·Wᵀ + b` for `x` `(batch, in)`, `weight` `(out, in)`, `bias` `(out)`.
/// On the CPU one GEMM; `input_grad = false` when `x` needs no gradient
/// (data, not the output of a trained layer). Other devices use candle's
/// matmul.
pub fn dense(x: &Tensor, weight: &Tensor, bias: &Tensor, input_grad: bool) -> Result<Tensor> {
    if x.device().is_cpu() {
        x.contiguous()?
            .apply_op3(weight, bias, Dense { input_grad })
    } else {
        x.matmul(&weight.t()?)?.broadcast_add(bias)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use candle_core::{Device, Var};

    fn var(shape: &[usize]) -> Var {
        Var::from_tensor(&Tensor::randn(0f32, 1.0, shape, &Device::Cpu).unwrap()).unwrap()
    }

    fn bits(t: &Tensor) -> Vec<u32> {
        t.flatten_all()
            .unwrap()
            .to_vec1::<f32>()
            .unwrap()
            .iter()
            .map(|v| v.to_bits())
            .collect()
    }

    /// Value and the three gradients of `sum(dense(x) · k)`, in a rayon
    /// pool of `threads`.
    fn run(
        x: &Var,
        w: &Var,
        b: &Var,
        k: &Tensor,
        input_grad: bool,
        threads: usize,
    ) -> Vec<Option<Tensor>> {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| {
            let y = dense(x, w, b, input_grad).unwrap();
            let g = (&y * k).unwrap().sum_all().unwrap().backward().unwrap();
            vec![
                Some(y),
                g.get(x).cloned(),
                g.get(w).cloned(),
                g.get(b).cloned(),
            ]
        })
    }

    /// Against candle's matmul and broadcast add, for a minibatch-sized and
    /// a convolution-sized (tall) input; bit for bit the same at 1 and 2
    /// threads; and no input gradient when none is asked for.
    #[test]
    fn dense_matches_candle_is_thread_count_independent_and_skips_the_input_gradient() {
        for rows in [37, TALL + 5] {
            let (x, w, b) = (var(&[rows, 19]), var(&[7, 19]), var(&[7]));
            let k = Tensor::randn(0f32, 1.0, (rows, 7), &Device::Cpu).unwrap();
            let one = run(&x, &w, &b, &k, true, 1);
            let two = run(&x, &w, &b, &k, true, 2);
            for (a, b) in one.iter().zip(&two) {
                assert_eq!(
                    bits(a.as_ref().unwrap()),
                    bits(b.as_ref().unwrap()),
                    "rows {rows}"
                );
            }
            let y = x
                .matmul(&w.t().unwrap())
                .unwrap()
                .broadcast_add(&b)
                .unwrap();
            let g = (&y * &k).unwrap().sum_all().unwrap().backward().unwrap();
            let theirs = [
                Some(y.clone()),
                g.get(&x).cloned(),
                g.get(&w).cloned(),
                g.get(&b).cloned(),
            ];
            for (ours, theirs) in one.iter().zip(&theirs) {
                let (a, t) = (ours.as_ref().unwrap(), theirs.as_ref().unwrap());
                let diff: f32 = (a - t)
                    .unwrap()
                    .abs()
                    .unwrap()
                    .flatten_all()
                    .unwrap()
                    .max(0)
                    .unwrap()
                    .to_scalar()
                    .unwrap();
                assert!(diff < 1e-3, "rows {rows}: {diff}");
            }
            let skipped = run(&x, &w, &b, &k, false, 2);
            assert!(skipped[1].is_none(), "no gradient for the data");
            assert_eq!(
                bits(skipped[2].as_ref().unwrap()),
                bits(two[2].as_ref().unwrap())
            );
        }
    }
}
