//! 2×2 max pooling with stride 2 on channels-last tensors, and its gradient,
//! which goes whole to the first maximum of each window. (candle 0.11's
//! `max_pool2d` backward scales a unique maximum's gradient by 1/4.)

use candle_core::{bail, CpuStorage, CustomOp1, CustomOp2, Layout, Result, Shape, Tensor};
use rayon::prelude::*;

/// `(batch, h, w, c)` → `(batch, h/2, w/2, c)`; an odd last row or column
/// is dropped (Keras' `valid` pooling). With `relu`, each output is also
/// clamped at 0 and passes no gradient where it was: ReLU fused into the
/// pooling, which saves the separate pass and its backward.
#[derive(Debug, Clone, Copy)]
pub struct MaxPool2x2 {
    /// Apply ReLU to the pooled values.
    pub relu: bool,
}

/// The dimensions of a contiguous `(batch, h, w, c)` input.
fn dims(layout: &Layout, op: &str) -> Result<(usize, usize, usize, usize)> {
    if layout.contiguous_offsets().is_none() {
        bail!("{op}: the input must be contiguous");
    }
    layout.shape().dims4()
}

/// The input offsets (within one channel-last image) of output pixel
/// `(oy, ox)`'s window, first to last.
fn window(w: usize, c: usize, oy: usize, ox: usize) -> [usize; 4] {
    let at = |y: usize, x: usize| (y * w + x) * c;
    [
        at(2 * oy, 2 * ox),
        at(2 * oy, 2 * ox + 1),
        at(2 * oy + 1, 2 * ox),
        at(2 * oy + 1, 2 * ox + 1),
    ]
}

/// For each output value, the input offset of its window's first maximum,
/// handed to `visit(output index, input offset)`, one image at a time.
pub(super) fn for_each_argmax(
    x: &[f32],
    h: usize,
    w: usize,
    c: usize,
    mut visit: impl FnMut(usize, usize),
) {
    let (h2, w2) = (h / 2, w / 2);
    for oy in 0..h2 {
        for ox in 0..w2 {
            let win = window(w, c, oy, ox);
            for ch in 0..c {
                let mut best = win[0] + ch;
                for &p in &win[1..] {
                    if x[p + ch] > x[best] {
                        best = p + ch;
                    }
                }
                visit((oy * w2 + ox) * c + ch, best);
            }
        }
    }
}

impl CustomOp1 for MaxPool2x2 {
    fn name(&self) -> &'static str {
        "max-pool-2x2"
    }

    fn cpu_fwd(&self, storage: &CpuStorage, layout: &Layout) -> Result<(CpuStorage, Shape)> {
        let (b, h, w, c) = dims(layout, "max-pool")?;
        let (start, end) = layout.contiguous_offsets().expect("checked by dims()");
        let x = &storage.as_slice::<f32>()?[start..end];
        let out = (h / 2) * (w / 2) * c;
        let mut y = vec![0f32; b * out];
        y.par_chunks_mut(out.max(1))
            .zip(x.par_chunks(h * w * c))
            .for_each(|(y, x)| {
                for_each_argmax(x, h, w, c, |o, i| {
                    y[o] = if self.relu { x[i].max(0.0) } else { x[i] }
                })
            });
        Ok((CpuStorage::F32(y), Shape::from((b, h / 2, w / 2, c))))
    }

    fn bwd(&self, arg: &Tensor, _res: &Tensor, grad_res: &Tensor) -> Result<Option<Tensor>> {
        Ok(Some(arg.apply_op2_no_bwd(
            &grad_res.contiguous()?,
            &MaxPoolGrad { relu: self.relu },
        )?))
    }
}

/// `(input, output gradient)` → input gradient.
struct MaxPoolGrad {
    relu: bool,
}

impl CustomOp2 for MaxPoolGrad {
    fn name(&self) -> &'static str {
        "max-pool-2x2-grad"
    }

    fn cpu_fwd(
        &self,
        s1: &CpuStorage,
        l1: &Layout,
        s2: &CpuStorage,
        l2: &Layout,
    ) -> Result<(CpuStorage, Shape)> {
        let (b, h, w, c) = dims(l1, "max-pool-grad")?;
        let (g_b, g_h, g_w, g_c) = dims(l2, "max-pool-grad")?;
        if (g_b, g_h, g_w, g_c) != (b, h / 2, w / 2, c) {
            bail!(
                "max-pool-grad: gradient shape {:?} does not match input {:?}",
                l2.dims(),
                l1.dims()
            );
        }
        let (s, e) = l1.contiguous_offsets().expect("checked by dims()");
        let x = &s1.as_slice::<f32>()?[s..e];
        let (s, e) = l2.contiguous_offsets().expect("checked by dims()");
        let g = &s2.as_slice::<f32>()?[s..e];
        let out = (h / 2) * (w / 2) * c;
        let mut dx = vec![0f32; b * h * w * c];
        dx.par_chunks_mut(h * w * c)
            .zip(x.par_chunks(h * w * c).zip(g.par_chunks(out.max(1))))
            .for_each(|(dx, (x, g))| {
                for_each_argmax(x, h, w, c, |o, i| {
                    if !self.relu || x[i] > 0.0 {
                        dx[i] = g[o];
                    }
                })
            });
        Ok((CpuStorage::F32(dx), l1.shape().clone()))
    }
}
