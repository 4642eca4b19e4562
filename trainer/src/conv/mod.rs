//! One CNN block — k×k "same" convolution with a stride, bias, activation,
//! and 2×2 max or average pooling (or none) — on channels-last (NHWC)
//! tensors.
//!
//! On the CPU the convolution is a gather ([`im2col`]) followed by a single
//! GEMM ([`crate::dense`], the bias written into its destination, and no
//! gradient for the first block's gathered data), and max pooling is a
//! direct kernel ([`max_pool`]); both carry their own backward passes.
//! candle's CPU `conv2d`, `conv_transpose2d` and `max_pool2d` are direct
//! loops that made CNN training about 3× slower than Keras, and
//! `max_pool2d`'s gradient is wrong (scaled by 1/4). A monotone activation
//! comes after max pooling (the same result for a quarter of the work; ReLU
//! inside the pooling kernel). Other devices use candle's stock convolution
//! and reshape-and-reduce pooling, whose GPU kernels are fast.

pub mod fused;
pub mod im2col;
pub mod max_pool;

use crate::activation;
use crate::activation::Activation;
use crate::batch_norm::BatchNorm;
use candle_core::{Result, Tensor};
use im2col::Im2col;
use max_pool::MaxPool2x2;
use serde::{Deserialize, Serialize};

/// Pooling after each convolution.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Pool {
    /// 2×2 max pooling, stride 2.
    #[default]
    Max,
    /// 2×2 average pooling, stride 2.
    Avg,
    /// No pooling.
    None,
}

impl Pool {
    /// Max pooling, the default (kept out of serialised specs).
    pub fn is_max(&self) -> bool {
        *self == Pool::Max
    }
}

/// The shape settings every block of a model shares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Geometry {
    /// Kernel side (odd).
    pub kernel: usize,
    /// Convolution stride.
    pub stride: usize,
    /// Pooling after the convolution.
    pub pool: Pool,
}

impl Geometry {
    /// A block's output side for an input side `n`: the strided
    /// convolution, then halved by pooling (an odd row or column dropped).
    pub fn out(&self, n: usize) -> usize {
        if n == 0 {
            return 0;
        }
        let conv = (n - 1) / self.stride + 1;
        if self.pool == Pool::None {
            conv
        } else {
            conv / 2
        }
    }
}

/// A convolution block over `h × w × c` inputs.
pub struct ConvBlock {
    im2col: Im2col,
    pool: Pool,
    input_grad: bool,
    scratch: std::sync::Arc<fused::Scratch>,
}

impl ConvBlock {
    /// A block for `h × w × c` inputs that passes a gradient to its input.
    pub fn new(h: usize, w: usize, c: usize, g: Geometry) -> Self {
        ConvBlock {
            im2col: Im2col {
                h,
                w,
                c,
                k: g.kernel,
                stride: g.stride,
            },
            pool: g.pool,
            input_grad: true,
            scratch: Default::default(),
        }
    }

    /// The same block reading the data itself: no input gradient.
    pub fn reading_data(self) -> Self {
        ConvBlock {
            input_grad: false,
            ..self
        }
    }

    /// `x` is `(batch, h, w, c)`; `weight` is `(out, c, k, k)` and `bias`
    /// `(out)`. Returns `(batch, h', w', out)`: convolution, batch
    /// normalisation when given, activation, pooling (the last two in the
    /// order that gives that result fastest).
    pub fn forward(
        &self,
        x: &Tensor,
        weight: &Tensor,
        bias: &Tensor,
        norm: Option<&BatchNorm>,
        activation: Activation,
    ) -> Result<Tensor> {
        let cpu = x.device().is_cpu();
        if cpu && norm.is_none() && activation == Activation::Relu && self.pool == Pool::Max {
            return self.conv_relu_pool(x, weight, bias);
        }
        let mut y = if cpu {
            self.conv_im2col(x, weight, bias)?
        } else {
            let out = weight.dim(0)?;
            self.conv_stock(x, weight)?
                .broadcast_add(&bias.reshape((1, 1, 1, out))?)?
        };
        if let Some(norm) = norm {
            y = norm.apply(&y)?;
        }
        let act = |t: &Tensor| activation::apply(activation, t);
        match self.pool {
            Pool::None => act(&y),
            Pool::Avg => avg_pool_reduce(&act(&y)?),
            Pool::Max if cpu && activation == Activation::Relu => {
                y.apply_op1(MaxPool2x2 { relu: true })
            }
            Pool::Max => {
                let pool = |t: &Tensor| {
                    if cpu {
                        t.apply_op1(MaxPool2x2 { relu: false })
                    } else {
                        max_pool_reduce(t)
                    }
                };
                if activation::is_monotone(activation) {
                    act(&pool(&y)?)
                } else {
                    pool(&act(&y)?)
                }
            }
        }
    }

    /// Convolution and bias as gather + one GEMM: rows are output pixels,
    /// columns are `(ky, kx, c)` taps.
    fn conv_im2col(&self, x: &Tensor, weight: &Tensor, bias: &Tensor) -> Result<Tensor> {
        let (batch, out) = (x.dim(0)?, weight.dim(0)?);
        let (oh, ow) = self.im2col.out();
        let cols = x.contiguous()?.apply_op1(self.im2col)?;
        let taps = weight
            .permute((0, 2, 3, 1))?
            .reshape((out, self.im2col.row_len()))?;
        crate::dense::dense(&cols, &taps, bias, self.input_grad)?.reshape((batch, oh, ow, out))
    }

    /// Convolution, ReLU and max pooling as one op ([`fused`]).
    fn conv_relu_pool(&self, x: &Tensor, weight: &Tensor, bias: &Tensor) -> Result<Tensor> {
        let out = weight.dim(0)?;
        let taps = weight
            .permute((0, 2, 3, 1))?
            .reshape((out, self.im2col.row_len()))?;
        let op = fused::ConvReluPool::new(self.im2col, self.input_grad, self.scratch.clone());
        x.contiguous()?.apply_op3(&taps, &bias.contiguous()?, op)
    }

    /// candle's convolution, for devices other than the CPU.
    fn conv_stock(&self, x: &Tensor, weight: &Tensor) -> Result<Tensor> {
        let Im2col { k, stride, .. } = self.im2col;
        x.permute((0, 3, 1, 2))?
            .contiguous()?
            .conv2d(weight, k / 2, stride, 1, 1)?
            .permute((0, 2, 3, 1))
    }
}

/// 2×2 average pooling from tensor ops (every device): each output is the
/// mean of its window, and each input of a window gets a quarter of its
/// gradient.
fn avg_pool_reduce(x: &Tensor) -> Result<Tensor> {
    let (b, h, w, c) = x.dims4()?;
    let (h2, w2) = (h / 2, w / 2);
    x.narrow(1, 0, h2 * 2)?
        .narrow(2, 0, w2 * 2)?
        .contiguous()?
        .reshape((b, h2, 2, w2, 2, c))?
        .sum(4)?
        .sum(2)?
        / 4.0
}

/// 2×2 max pooling from tensor ops, for devices other than the CPU (same
/// result as [`MaxPool2x2`] except for how ties share the gradient).
fn max_pool_reduce(x: &Tensor) -> Result<Tensor> {
    let (b, h, w, c) = x.dims4()?;
    let (h2, w2) = (h / 2, w / 2);
    x.narrow(1, 0, h2 * 2)?
        .narrow(2, 0, w2 * 2)?
        .contiguous()?
        .reshape((b, h2, 2, w2, 2, c))?
        .max(4)?
        .max(2)
}

#[cfg(test)]
mod tests {
    use super::*;
    use candle_core::{Device, Var};

    fn var(shape: &[usize], std: f32) -> Var {
        Var::from_tensor(&Tensor::randn(0f32, std, shape, &Device::Cpu).unwrap()).unwrap()
    }

    fn max_abs_diff(a: &Tensor, b: &Tensor) -> f32 {
        let d = (a - b).unwrap().abs().unwrap().flatten_all().unwrap();
        d.max(0).unwrap().to_scalar().unwrap()
    }

    /// Gradients of `sum(y · k)` for a fixed random `k`, for each var.
    fn grads(y: &Tensor, k: &Tensor, vars: &[&Var]) -> Vec<Tensor> {
        let g = (y * k).unwrap().sum_all().unwrap().backward().unwrap();
        vars.iter().map(|v| g.get(v).unwrap().clone()).collect()
    }

    fn geometry(kernel: usize, stride: usize, pool: Pool) -> Geometry {
        Geometry {
            kernel,
            stride,
            pool,
        }
    }

    /// The gather + GEMM convolution equals candle's conv2d plus bias in
    /// value and in its input, weight and bias gradients, for even and odd
    /// sizes, kernels of 1, 3 and 5, strides of 1 and 2, and two batch sizes.
    #[test]
    fn im2col_matches_candle_conv2d() {
        for (h, w, c, out) in [(6, 6, 1, 4), (7, 5, 3, 2)] {
            for (k, stride) in [(3, 1), (1, 1), (5, 1), (3, 2), (5, 2)] {
                let block = ConvBlock::new(h, w, c, geometry(k, stride, Pool::Max));
                for batch in [3, 2] {
                    let (x, wt, b) = (
                        var(&[batch, h, w, c], 1.0),
                        var(&[out, c, k, k], 0.5),
                        var(&[out], 0.3),
                    );
                    let ours = block.conv_im2col(&x, &wt, &b).unwrap();
                    let theirs = block
                        .conv_stock(&x, &wt)
                        .unwrap()
                        .broadcast_add(&b.reshape((1, 1, 1, out)).unwrap())
                        .unwrap();
                    let (oh, ow) = ((h - 1) / stride + 1, (w - 1) / stride + 1);
                    assert_eq!(ours.dims(), &[batch, oh, ow, out], "k {k} stride {stride}");
                    assert!(max_abs_diff(&ours, &theirs) < 1e-5, "k {k} stride {stride}");
                    let g = Tensor::randn(0f32, 1.0, ours.dims(), &Device::Cpu).unwrap();
                    let g1 = grads(&ours, &g, &[&x, &wt, &b]);
                    let g2 = grads(&theirs, &g, &[&x, &wt, &b]);
                    for (a, b) in g1.iter().zip(&g2) {
                        assert!(max_abs_diff(a, b) < 1e-4, "k {k} stride {stride}");
                    }
                }
            }
        }
    }

    /// The whole block's value equals candle's conv2d, bias, activation and
    /// pooling in NCHW, for each activation with max pooling, and for
    /// average pooling and none.
    #[test]
    fn block_matches_candle_layers() {
        let (x, wt, b) = (
            var(&[2, 7, 6, 3], 1.0),
            var(&[4, 3, 3, 3], 0.5),
            var(&[4], 0.3),
        );
        let cases = [
            (Activation::Relu, Pool::Max),
            (Activation::Gelu, Pool::Max),
            (Activation::Tanh, Pool::Max),
            (Activation::Sigmoid, Pool::Avg),
            (Activation::Relu, Pool::None),
        ];
        for (act, pool) in cases {
            let block = ConvBlock::new(7, 6, 3, geometry(3, 1, pool));
            let ours = block.forward(&x, &wt, &b, None, act).unwrap();
            let pre = block
                .conv_stock(&x, &wt)
                .unwrap()
                .permute((0, 3, 1, 2))
                .unwrap()
                .broadcast_add(&b.reshape((1, 4, 1, 1)).unwrap())
                .unwrap();
            let activated = crate::activation::apply(act, &pre).unwrap();
            let pooled = match pool {
                Pool::Max => activated.max_pool2d(2).unwrap(),
                Pool::Avg => activated.avg_pool2d(2).unwrap(),
                Pool::None => activated,
            };
            let theirs = pooled.permute((0, 2, 3, 1)).unwrap();
            assert_eq!(ours.dims(), theirs.dims(), "{act:?} {pool:?}");
            assert!(max_abs_diff(&ours, &theirs) < 1e-5, "{act:?} {pool:?}");
        }
    }

    /// Pooling passes each output's gradient, whole, to the one input that
    /// held the maximum, and nothing to the others.
    #[test]
    fn pool_gradient_goes_to_the_maximum() {
        let x = var(&[2, 5, 4, 3], 1.0);
        let y = x.apply_op1(MaxPool2x2 { relu: false }).unwrap();
        let k = Tensor::randn(0f32, 1.0, y.dims(), &Device::Cpu).unwrap();
        let g = grads(&y, &k, &[&x]).remove(0);
        let (xs, gs) = (
            x.flatten_all().unwrap().to_vec1::<f32>().unwrap(),
            g.flatten_all().unwrap().to_vec1::<f32>().unwrap(),
        );
        let (ys, ks) = (
            y.flatten_all().unwrap().to_vec1::<f32>().unwrap(),
            k.flatten_all().unwrap().to_vec1::<f32>().unwrap(),
        );
        let at = |b: usize, i: usize, j: usize, c: usize| ((b * 5 + i) * 4 + j) * 3 + c;
        let mut expected = vec![0f32; xs.len()];
        for b in 0..2 {
            for (oi, oj, c) in
                (0..2).flat_map(|i| (0..2).flat_map(move |j| (0..3).map(move |c| (i, j, c))))
            {
                let o = ((b * 2 + oi) * 2 + oj) * 3 + c;
                let window = [(0, 0), (0, 1), (1, 0), (1, 1)]
                    .map(|(di, dj)| at(b, 2 * oi + di, 2 * oj + dj, c));
                let arg = *window.iter().find(|&&p| xs[p] == ys[o]).unwrap();
                expected[arg] += ks[o];
            }
        }
        assert_eq!(gs, expected);
    }

    /// The fused convolution-ReLU-pooling op equals the composable ops in
    /// value and in every gradient, with and without an input gradient.
    #[test]
    fn fused_block_matches_the_composable_ops() {
        for (k, stride) in [(3, 1), (5, 2)] {
            let g = geometry(k, stride, Pool::Max);
            let (x, wt, b) = (
                var(&[3, 9, 8, 2], 1.0),
                var(&[5, 2, k, k], 0.5),
                var(&[5], 0.3),
            );
            let block = ConvBlock::new(9, 8, 2, g);
            let fused = block.forward(&x, &wt, &b, None, Activation::Relu).unwrap();
            let apart = block
                .conv_im2col(&x, &wt, &b)
                .unwrap()
                .apply_op1(MaxPool2x2 { relu: true })
                .unwrap();
            assert_eq!(fused.dims(), apart.dims());
            assert!(max_abs_diff(&fused, &apart) < 1e-5);
            let kk = Tensor::randn(0f32, 1.0, fused.dims(), &Device::Cpu).unwrap();
            let (g1, g2) = (
                grads(&fused, &kk, &[&x, &wt, &b]),
                grads(&apart, &kk, &[&x, &wt, &b]),
            );
            for (a, b) in g1.iter().zip(&g2) {
                assert!(max_abs_diff(a, b) < 1e-4, "k {k} stride {stride}");
            }
            let first = ConvBlock::new(9, 8, 2, g).reading_data();
            let y = first.forward(&x, &wt, &b, None, Activation::Relu).unwrap();
            let gs = (&y * &kk).unwrap().sum_all().unwrap().backward().unwrap();
            assert!(gs.get(&x).is_none(), "no gradient for the data");
            assert!(max_abs_diff(gs.get(&wt).unwrap(), &g1[1]) < 1e-4);
        }
    }

    /// Pooling with ReLU fused equals pooling then ReLU, in value and gradient.
    #[test]
    fn fused_relu_matches_pool_then_relu() {
        let x = var(&[2, 6, 4, 3], 1.0);
        let fused = x.apply_op1(MaxPool2x2 { relu: true }).unwrap();
        let apart = x
            .apply_op1(MaxPool2x2 { relu: false })
            .unwrap()
            .relu()
            .unwrap();
        assert_eq!(max_abs_diff(&fused, &apart), 0.0);
        let k = Tensor::randn(0f32, 1.0, fused.dims(), &Device::Cpu).unwrap();
        let (a, b) = (grads(&fused, &k, &[&x]), grads(&apart, &k, &[&x]));
        assert_eq!(max_abs_diff(&a[0], &b[0]), 0.0);
    }

    /// The kernel and the tensor-op pooling used on other devices agree in
    /// value and (without ties) in gradient.
    #[test]
    fn pool_kernel_matches_reduce() {
        let x = var(&[3, 7, 6, 2], 1.0);
        let (a, b) = (
            x.apply_op1(MaxPool2x2 { relu: false }).unwrap(),
            max_pool_reduce(&x).unwrap(),
        );
        assert_eq!(a.dims(), &[3, 3, 3, 2]);
        assert_eq!(max_abs_diff(&a, &b), 0.0);
        let k = Tensor::randn(0f32, 1.0, a.dims(), &Device::Cpu).unwrap();
        let (ga, gb) = (grads(&a, &k, &[&x]), grads(&b, &k, &[&x]));
        assert_eq!(max_abs_diff(&ga[0], &gb[0]), 0.0);
    }

    /// Why candle's max_pool2d is not used for training: its backward
    /// scales a unique maximum's gradient by 1/4 (candle 0.11.1). If an
    /// upgrade fixes this, this test says so.
    #[test]
    fn candle_max_pool2d_gradient_is_scaled_by_a_quarter() {
        let x = var(&[1, 1, 2, 2], 1.0);
        let g = x
            .max_pool2d(2)
            .unwrap()
            .sum_all()
            .unwrap()
            .backward()
            .unwrap();
        let total: f32 = g.get(&x).unwrap().sum_all().unwrap().to_scalar().unwrap();
        assert_eq!(total, 0.25);
    }
}
