//! The gather behind the CPU convolution: each output pixel's k×k
//! neighbourhood, zero-padded ("same" padding, k/2 on each side), as one
//! row (im2col), and its adjoint, which sums each row back onto the pixels
//! it came from (col2im).

use candle_core::{bail, CpuStorage, CustomOp1, Layout, Result, Shape, Tensor};
use rayon::prelude::*;

/// `(batch, h, w, c)` → `(batch·oh·ow, k·k·c)`: columns ordered `(ky, kx, c)`,
/// with `oh = (h - 1) / stride + 1` (and `ow` likewise).
/// Samples are filled in parallel; each writes only its own rows, so the
/// result does not depend on the thread count.
#[derive(Debug, Clone, Copy)]
pub struct Im2col {
    /// Image height.
    pub h: usize,
    /// Image width.
    pub w: usize,
    /// Channels.
    pub c: usize,
    /// Kernel side (odd).
    pub k: usize,
    /// Stride.
    pub stride: usize,
}

impl Im2col {
    /// Values per output row: the taps.
    pub fn row_len(&self) -> usize {
        self.k * self.k * self.c
    }

    /// Output height and width.
    pub fn out(&self) -> (usize, usize) {
        (
            (self.h - 1) / self.stride + 1,
            (self.w - 1) / self.stride + 1,
        )
    }

    fn batch(&self, layout: &Layout, rows_per_sample: usize, op: &str) -> Result<usize> {
        let len = layout.shape().elem_count();
        if layout.contiguous_offsets().is_none() || len % rows_per_sample != 0 {
            bail!(
                "{op}: expected a contiguous tensor of {rows_per_sample}-value samples, got {:?}",
                layout.dims()
            );
        }
        Ok(len / rows_per_sample)
    }

    /// Calls `f(col, pixel, len)` for every run of taps that lands inside
    /// the image, output pixel by output pixel (so the columns are written
    /// in order): one kernel row's in-image taps read `len` consecutive
    /// values of the image from `pixel` and fill `len` consecutive columns
    /// from `col`. Taps in the padding are skipped by the run's bounds.
    fn for_each_span(&self, mut f: impl FnMut(usize, usize, usize)) {
        let (h, w, c, k, s, row) = (self.h, self.w, self.c, self.k, self.stride, self.row_len());
        let (oh, ow) = self.out();
        let half = k / 2;
        for oy in 0..oh {
            for ox in 0..ow {
                let out = (oy * ow + ox) * row;
                // kx with 0 ≤ ox·s + kx - half < w.
                let first = half.saturating_sub(ox * s);
                let last = (w + half).saturating_sub(ox * s).min(k);
                if first >= last {
                    continue;
                }
                for ky in 0..k {
                    let Some(iy) = (oy * s + ky).checked_sub(half).filter(|&iy| iy < h) else {
                        continue;
                    };
                    let ix = ox * s + first - half;
                    f(
                        out + (ky * k + first) * c,
                        (iy * w + ix) * c,
                        (last - first) * c,
                    );
                }
            }
        }
    }
}

impl Im2col {
    /// The columns of whole images `src` (a multiple of `h·w·c` values).
    pub fn gather(&self, src: &[f32]) -> Vec<f32> {
        let (oh, ow) = self.out();
        let batch = src.len() / (self.h * self.w * self.c);
        let mut dst = vec![0f32; batch * oh * ow * self.row_len()];
        self.gather_into(src, &mut dst);
        dst
    }

    /// Write the columns of `src` into `dst`, which must hold exactly the
    /// columns of as many images. Only in-image taps are written: the
    /// padding entries of `dst` must already be 0 (a fresh zeroed buffer,
    /// or one that only ever held this gather's columns).
    pub fn gather_into(&self, src: &[f32], dst: &mut [f32]) {
        let (h, w, c) = (self.h, self.w, self.c);
        let (row, (oh, ow)) = (self.row_len(), self.out());
        dst.par_chunks_mut(oh * ow * row)
            .zip(src.par_chunks(h * w * c))
            .for_each(|(cols, image)| {
                self.for_each_span(|col, pixel, len| {
                    cols[col..col + len].copy_from_slice(&image[pixel..pixel + len]);
                });
            });
    }

    /// The adjoint of [`Im2col::gather`]: column gradients back onto the
    /// images' pixels, each the sum of its entries in a fixed order.
    pub fn scatter(&self, cols: &[f32]) -> Vec<f32> {
        let (h, w, c) = (self.h, self.w, self.c);
        let (row, (oh, ow)) = (self.row_len(), self.out());
        let batch = cols.len() / (oh * ow * row);
        let mut dst = vec![0f32; batch * h * w * c];
        dst.par_chunks_mut(h * w * c)
            .zip(cols.par_chunks(oh * ow * row))
            .for_each(|(image, cols)| {
                self.for_each_span(|col, pixel, len| {
                    let to = &mut image[pixel..pixel + len];
                    for (d, s) in to.iter_mut().zip(&cols[col..col + len]) {
                        *d += s;
                    }
                });
            });
        dst
    }
}

impl CustomOp1 for Im2col {
    fn name(&self) -> &'static str {
        "im2col"
    }

    fn cpu_fwd(&self, storage: &CpuStorage, layout: &Layout) -> Result<(CpuStorage, Shape)> {
        let (h, w, c) = (self.h, self.w, self.c);
        let batch = self.batch(layout, h * w * c, "im2col")?;
        let (start, end) = layout.contiguous_offsets().expect("checked by batch()");
        let src = &storage.as_slice::<f32>()?[start..end];
        let (oh, ow) = self.out();
        let dst = self.gather(src);
        Ok((
            CpuStorage::F32(dst),
            Shape::from((batch * oh * ow, self.row_len())),
        ))
    }

    fn bwd(&self, arg: &Tensor, _res: &Tensor, grad_res: &Tensor) -> Result<Option<Tensor>> {
        let grad = grad_res.contiguous()?.apply_op1_no_bwd(&Col2im(*self))?;
        Ok(Some(grad.reshape(arg.shape())?))
    }
}

/// The adjoint of [`Im2col`]: `(batch·oh·ow, k·k·c)` → `(batch·h·w·c)`,
/// each pixel the sum of the entries gathered from it (in a fixed order).
struct Col2im(Im2col);

impl CustomOp1 for Col2im {
    fn name(&self) -> &'static str {
        "col2im"
    }

    fn cpu_fwd(&self, storage: &CpuStorage, layout: &Layout) -> Result<(CpuStorage, Shape)> {
        let Im2col { h, w, c, .. } = self.0;
        let (row, (oh, ow)) = (self.0.row_len(), self.0.out());
        let batch = self.0.batch(layout, oh * ow * row, "col2im")?;
        let (start, end) = layout.contiguous_offsets().expect("checked by batch()");
        let dst = self.0.scatter(&storage.as_slice::<f32>()?[start..end]);
        Ok((CpuStorage::F32(dst), Shape::from(batch * h * w * c)))
    }
}
