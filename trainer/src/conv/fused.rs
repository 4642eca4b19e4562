//! The most common CNN block — convolution, bias, ReLU, 2×2 max pooling —
//! as one candle op on the CPU. As separate ops, candle's backward gives
//! every intermediate (the gathered columns, the convolution output, the
//! pooled values) a zero-filled gradient buffer plus an addition, and the
//! column gradient alone is as large as the columns; here the forward
//! keeps the columns and each pooled value's source, and the backward goes
//! straight from the pooled gradient to the weight, bias and input
//! gradients. The arithmetic is the composable path's ([`super::ConvBlock`]
//! with other settings), which a test holds it to.

use super::im2col::Im2col;
use super::max_pool::for_each_argmax;
use crate::dense::gemm_bias_into;
use crate::matmul::{product, View};
use candle_core::{bail, CpuStorage, CustomOp3, Layout, Result, Shape, Storage, Tensor};
use rayon::prelude::*;
use std::sync::{Arc, Mutex, MutexGuard};

/// No source: the pooled value was clamped to 0 by ReLU.
const CLAMPED: u32 = u32::MAX;

/// The large buffers of one block, kept from step to step (a CNN step
/// otherwise allocates and frees them each time, and the kernel zeroes
/// fresh pages for every one).
#[derive(Default)]
pub struct Scratch {
    /// Gathered columns. Only [`Im2col::gather_into`] ever writes here, so
    /// its padding entries stay 0.
    cols: Mutex<Vec<f32>>,
    /// The convolution's output, before pooling.
    conv: Mutex<Vec<f32>>,
    /// The gradient of that output.
    conv_grad: Mutex<Vec<f32>>,
    /// The gradient of the columns.
    cols_grad: Mutex<Vec<f32>>,
}

fn lock(m: &Mutex<Vec<f32>>) -> Result<MutexGuard<'_, Vec<f32>>> {
    m.lock()
        .map_err(|_| candle_core::Error::Msg("a scratch buffer's lock is poisoned".into()))
}

/// What the forward pass leaves for the backward.
struct Saved {
    cols: Vec<f32>,
    /// For each pooled value, the index of its source in the convolution
    /// output, or [`CLAMPED`].
    source: Vec<u32>,
}

/// Convolution (gather + GEMM with the bias), ReLU and 2×2 max pooling.
pub struct ConvReluPool {
    im2col: Im2col,
    input_grad: bool,
    scratch: Arc<Scratch>,
    saved: Mutex<Option<Saved>>,
}

impl ConvReluPool {
    /// The block op; `input_grad` says whether its input needs a gradient.
    pub fn new(im2col: Im2col, input_grad: bool, scratch: Arc<Scratch>) -> Self {
        ConvReluPool {
            im2col,
            input_grad,
            scratch,
            saved: Mutex::new(None),
        }
    }

    fn pooled_dims(&self) -> (usize, usize) {
        let (oh, ow) = self.im2col.out();
        (oh / 2, ow / 2)
    }

    fn take_saved(&self) -> Option<Saved> {
        self.saved.lock().ok().and_then(|mut s| s.take())
    }
}

/// An evaluation forward has no backward: its columns go back for reuse.
impl Drop for ConvReluPool {
    fn drop(&mut self) {
        if let (Some(saved), Ok(mut cols)) = (self.take_saved(), self.scratch.cols.lock()) {
            *cols = saved.cols;
        }
    }
}

/// Run `f` on a contiguous CPU tensor's values, without copying them.
fn with_values<R>(t: &Tensor, f: impl FnOnce(&[f32]) -> R) -> Result<R> {
    let (storage, layout) = t.storage_and_layout();
    match &*storage {
        Storage::Cpu(cpu) => Ok(f(slice(cpu, layout, "a gradient")?)),
        _ => bail!("conv-relu-pool: CPU tensors only"),
    }
}

fn slice<'a>(s: &'a CpuStorage, l: &Layout, what: &str) -> Result<&'a [f32]> {
    let (CpuStorage::F32(v), Some((a, b))) = (s, l.contiguous_offsets()) else {
        bail!("conv-relu-pool: {what} must be a contiguous f32 tensor");
    };
    Ok(&v[a..b])
}

impl CustomOp3 for ConvReluPool {
    fn name(&self) -> &'static str {
        "conv-relu-pool"
    }

    /// `x` `(batch, h, w, c)`, `taps` `(out, k·k·c)`, `bias` `(out)` →
    /// `(batch, oh/2, ow/2, out)`.
    fn cpu_fwd(
        &self,
        s1: &CpuStorage,
        l1: &Layout,
        s2: &CpuStorage,
        l2: &Layout,
        s3: &CpuStorage,
        l3: &Layout,
    ) -> Result<(CpuStorage, Shape)> {
        let Im2col { h, w, c, .. } = self.im2col;
        let (x, taps, bias) = (
            slice(s1, l1, "x")?,
            slice(s2, l2, "taps")?,
            slice(s3, l3, "bias")?,
        );
        let (out, k) = l2.shape().dims2()?;
        if x.len() % (h * w * c) != 0 || k != self.im2col.row_len() || bias.len() != out {
            bail!(
                "conv-relu-pool: shapes {:?}, {:?}, {:?} do not fit",
                l1.dims(),
                l2.dims(),
                l3.dims()
            );
        }
        let batch = x.len() / (h * w * c);
        let (oh, ow) = self.im2col.out();
        let rows = batch * oh * ow;
        if rows * out >= CLAMPED as usize {
            bail!("conv-relu-pool: a batch of {batch} is too large for 32-bit indexes");
        }
        let (ph, pw) = self.pooled_dims();
        let mut cols = std::mem::take(&mut *lock(&self.scratch.cols)?);
        cols.resize(rows * k, 0.0);
        self.im2col.gather_into(x, &mut cols);
        let mut y = lock(&self.scratch.conv)?;
        gemm_bias_into(&mut y, &cols, taps, bias, rows, out, k);
        let per = ph * pw * out;
        let mut pooled = vec![0f32; batch * per];
        let mut source = vec![CLAMPED; batch * per];
        pooled
            .par_chunks_mut(per.max(1))
            .zip(source.par_chunks_mut(per.max(1)))
            .zip(y.par_chunks(oh * ow * out))
            .enumerate()
            .for_each(|(b, ((pooled, source), y))| {
                for_each_argmax(y, oh, ow, out, |o, i| {
                    if y[i] > 0.0 {
                        pooled[o] = y[i];
                        source[o] = (b * oh * ow * out + i) as u32;
                    }
                })
            });
        *self
            .saved
            .lock()
            .map_err(|_| candle_core::Error::Msg("poisoned".into()))? =
            Some(Saved { cols, source });
        Ok((CpuStorage::F32(pooled), Shape::from((batch, ph, pw, out))))
    }

    fn bwd(
        &self,
        x: &Tensor,
        taps: &Tensor,
        _bias: &Tensor,
        _res: &Tensor,
        grad: &Tensor,
    ) -> Result<(Option<Tensor>, Option<Tensor>, Option<Tensor>)> {
        let Some(Saved { cols, source }) = self.take_saved() else {
            bail!("conv-relu-pool: backward without a forward");
        };
        let (out, k) = taps.dims2()?;
        let rows = cols.len() / k;
        // Each convolution output feeds at most one pooled value, so the
        // scatter has no collisions and needs no ordering.
        let mut gy = lock(&self.scratch.conv_grad)?;
        gy.clear();
        gy.resize(rows * out, 0.0);
        with_values(&grad.contiguous()?, |g| {
            for (o, &s) in source.iter().enumerate() {
                if s != CLAMPED {
                    gy[s as usize] = g[o];
                }
            }
        })?;
        let gy_view = View::rows(&gy, rows, out);
        // dW = Gᵀ·X, computed as (Xᵀ·G) written transposed: the faster
        // order for a convolution's many pixel rows.
        let mut dw = vec![0f32; out * k];
        product(
            &mut dw,
            true,
            false,
            View::rows(&cols, rows, k).t(),
            gy_view,
        );
        let mut db = vec![0f32; out];
        for row in gy.chunks_exact(out) {
            for (d, g) in db.iter_mut().zip(row) {
                *d += g;
            }
        }
        let device = grad.device();
        let dx = if self.input_grad {
            let mut dcols = lock(&self.scratch.cols_grad)?;
            dcols.resize(rows * k, 0.0);
            with_values(&taps.contiguous()?, |t| {
                product(&mut dcols, false, false, gy_view, View::rows(t, out, k))
            })?;
            Some(Tensor::from_vec(
                self.im2col.scatter(&dcols),
                x.shape(),
                device,
            )?)
        } else {
            None
        };
        *lock(&self.scratch.cols)? = cols;
        Ok((
            dx,
            Some(Tensor::from_vec(dw, (out, k), device)?),
            Some(Tensor::from_vec(db, out, device)?),
        ))
    }
}
