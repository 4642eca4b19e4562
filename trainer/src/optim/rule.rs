//! The update rules: AdamW, and SGD with optional momentum (plain or
//! Nesterov) and L2 weight decay, with PyTorch's semantics.

use candle_core::{Result, Tensor, Var};

/// Per-step values shared by every parameter.
#[derive(Debug, Clone, Copy)]
pub struct Hyper {
    /// This step's learning rate (after the schedule).
    pub lr: f64,
    /// 1-based step count (Adam's bias correction).
    pub step: u64,
    /// Factor applied to every gradient (global-norm clipping; 1 without).
    pub grad_scale: f64,
}

/// An update rule.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Rule {
    /// AdamW: Adam with decoupled weight decay (candle-nn's and PyTorch's
    /// `AdamW` arithmetic, β = (0.9, 0.999), ε = 1e-8).
    Adam {
        /// Decoupled weight decay.
        weight_decay: f64,
    },
    /// SGD: `g += wd·θ; b = μ·b + g; θ -= lr·(g + μ·b if nesterov else b)`.
    Sgd {
        /// Momentum μ (0: plain SGD).
        momentum: f64,
        /// Nesterov momentum.
        nesterov: bool,
        /// L2 weight decay added to the gradient.
        weight_decay: f64,
    },
}

const BETA1: f64 = 0.9;
const BETA2: f64 = 0.999;
const EPS: f64 = 1e-8;

/// Adam's per-step constants, in f32 as the loop uses them.
struct AdamStep {
    decay: f32,
    scale_m: f32,
    scale_v: f32,
    lr: f32,
}

impl AdamStep {
    fn new(weight_decay: f64, h: &Hyper) -> Self {
        let t = i32::try_from(h.step).unwrap_or(i32::MAX);
        AdamStep {
            decay: (1.0 - h.lr * weight_decay) as f32,
            scale_m: (1.0 / (1.0 - BETA1.powi(t))) as f32,
            scale_v: (1.0 / (1.0 - BETA2.powi(t))) as f32,
            lr: h.lr as f32,
        }
    }
}

impl Rule {
    /// State buffers per parameter: Adam's two moments, SGD's momentum
    /// buffer (none for plain SGD).
    pub fn slots(&self) -> usize {
        match self {
            Rule::Adam { .. } => 2,
            Rule::Sgd { momentum, .. } if *momentum > 0.0 => 1,
            Rule::Sgd { .. } => 0,
        }
    }

    /// Update `theta` from `grad` in place, element by element.
    pub fn apply(&self, h: &Hyper, theta: &mut [f32], grad: &[f32], state: &mut [&mut [f32]]) {
        let gs = h.grad_scale as f32;
        match *self {
            Rule::Adam { weight_decay } => {
                let c = AdamStep::new(weight_decay, h);
                let (b1, b2, eps) = (BETA1 as f32, BETA2 as f32, EPS as f32);
                let [m, v] = state else {
                    unreachable!("Adam has two state slots")
                };
                for i in 0..theta.len() {
                    let g = grad[i] * gs;
                    m[i] = m[i] * b1 + g * (1.0 - b1);
                    v[i] = v[i] * b2 + g * g * (1.0 - b2);
                    let step = (m[i] * c.scale_m) / ((v[i] * c.scale_v).sqrt() + eps);
                    theta[i] = theta[i] * c.decay - step * c.lr;
                }
            }
            Rule::Sgd {
                momentum,
                nesterov,
                weight_decay,
            } => {
                let (mu, wd, lr) = (momentum as f32, weight_decay as f32, h.lr as f32);
                match state {
                    [] => {
                        for i in 0..theta.len() {
                            let g = grad[i] * gs + wd * theta[i];
                            theta[i] -= lr * g;
                        }
                    }
                    [b] => {
                        for i in 0..theta.len() {
                            let g = grad[i] * gs + wd * theta[i];
                            b[i] = mu * b[i] + g;
                            let d = if nesterov { g + mu * b[i] } else { b[i] };
                            theta[i] -= lr * d;
                        }
                    }
                    _ => unreachable!("SGD has at most one state slot"),
                }
            }
        }
    }

    /// The same update as tensor operations, for devices other than the CPU.
    pub fn apply_tensors(
        &self,
        var: &Var,
        grad: &Tensor,
        h: &Hyper,
        state: &mut [Tensor],
    ) -> Result<()> {
        let g = (grad * h.grad_scale)?;
        let theta = var.as_tensor();
        let next = match (*self, state) {
            (Rule::Adam { weight_decay }, [m, v]) => {
                let c = AdamStep::new(weight_decay, h);
                *m = ((&*m * BETA1)? + (&g * (1.0 - BETA1))?)?;
                *v = ((&*v * BETA2)? + (g.sqr()? * (1.0 - BETA2))?)?;
                let step = ((&*m * f64::from(c.scale_m))?
                    / ((&*v * f64::from(c.scale_v))?.sqrt()? + EPS)?)?;
                ((theta * f64::from(c.decay))? - (step * h.lr)?)?
            }
            (
                Rule::Sgd {
                    momentum,
                    nesterov,
                    weight_decay,
                },
                state,
            ) => {
                let g = (g + (theta * weight_decay)?)?;
                let d = match state {
                    [b] => {
                        *b = ((&*b * momentum)? + &g)?;
                        if nesterov {
                            (&g + (&*b * momentum)?)?
                        } else {
                            b.clone()
                        }
                    }
                    _ => g,
                };
                (theta - (d * h.lr)?)?
            }
            (Rule::Adam { .. }, _) => unreachable!("Adam has two state slots"),
        };
        var.set(&next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use candle_core::{Device, Tensor, Var};
    use candle_nn::Optimizer as _;

    fn values(t: &Tensor) -> Vec<f32> {
        t.flatten_all().unwrap().to_vec1().unwrap()
    }

    /// Three steps of `rule` on the same start and gradients, three ways:
    /// the element loop, the tensor-op path other devices take, and (for
    /// Adam) candle-nn's AdamW. All agree.
    fn agree(rule: Rule, candle: Option<candle_nn::ParamsAdamW>) {
        let d = &Device::Cpu;
        let start = Tensor::randn(0f32, 1.0, 64, d).unwrap();
        let grads: Vec<Tensor> = (0..3)
            .map(|_| Tensor::randn(0f32, 1.0, 64, d).unwrap())
            .collect();
        let mut theta = values(&start);
        let mut state = vec![vec![0f32; 64]; rule.slots()];
        let var = Var::from_tensor(&start).unwrap();
        let mut device_state: Vec<Tensor> = (0..rule.slots())
            .map(|_| start.zeros_like().unwrap())
            .collect();
        for (i, g) in grads.iter().enumerate() {
            let h = Hyper {
                lr: 0.01,
                step: i as u64 + 1,
                grad_scale: 0.5,
            };
            let mut slots: Vec<&mut [f32]> = state.iter_mut().map(|s| s.as_mut_slice()).collect();
            rule.apply(&h, &mut theta, &values(g), &mut slots);
            rule.apply_tensors(&var, g, &h, &mut device_state).unwrap();
        }
        let tensors = values(var.as_tensor());
        for (a, b) in theta.iter().zip(&tensors) {
            assert!((a - b).abs() < 1e-6, "{rule:?}: loop {a}, tensors {b}");
        }
        if let Some(params) = candle {
            let theirs = Var::from_tensor(&start).unwrap();
            let mut adam = candle_nn::AdamW::new(vec![theirs.clone()], params).unwrap();
            for g in &grads {
                // candle-nn has no gradient scaling: give it the scaled gradient.
                let loss = (theirs.as_tensor() * (g * 0.5).unwrap())
                    .unwrap()
                    .sum_all()
                    .unwrap();
                adam.backward_step(&loss).unwrap();
            }
            for (a, b) in theta.iter().zip(values(theirs.as_tensor())) {
                assert!((a - b).abs() < 1e-6, "loop {a}, candle-nn AdamW {b}");
            }
        }
    }

    #[test]
    fn the_element_loop_the_tensor_ops_and_candle_nn_agree() {
        let adamw = candle_nn::ParamsAdamW {
            lr: 0.01,
            weight_decay: 0.1,
            ..Default::default()
        };
        agree(Rule::Adam { weight_decay: 0.1 }, Some(adamw));
        agree(
            Rule::Sgd {
                momentum: 0.9,
                nesterov: true,
                weight_decay: 0.01,
            },
            None,
        );
        agree(
            Rule::Sgd {
                momentum: 0.9,
                nesterov: false,
                weight_decay: 0.0,
            },
            None,
        );
        agree(
            Rule::Sgd {
                momentum: 0.0,
                nesterov: false,
                weight_decay: 0.01,
            },
            None,
        );
    }
}
