//! Optimizers that update every parameter in one fused, in-place pass.
//!
//! candle-nn's AdamW spends about a dozen whole-tensor operations per
//! parameter and step, each allocating a fresh buffer; on a 784→512→512→10
//! MLP that cost as much as the matrix products. Here each parameter is
//! updated by one loop over its values ([`rule::Rule::apply`]) that reads the
//! gradient and writes the weights and the optimizer state in place (on the
//! CPU, a candle in-place op; elsewhere, the same arithmetic as tensor
//! operations). Elementwise updates do not depend on how the work is split
//! across threads, so results stay bit-for-bit identical at any thread count.

mod clip;
mod fused;
pub mod rule;
pub mod schedule;

use candle_core::{Result, Tensor, Var};
use rule::Rule;

/// One parameter's optimizer state.
pub(crate) enum State {
    /// Host-side state for the fused CPU update: one buffer per slot of the rule.
    Host(Vec<Vec<f32>>),
    /// Device tensors for the tensor-op update on other devices.
    Device(Vec<Tensor>),
}

/// An optimizer over a model's variables.
pub struct Optimizer {
    vars: Vec<Var>,
    states: Vec<State>,
    rule: Rule,
    clip_norm: Option<f64>,
    step: u64,
}

impl Optimizer {
    /// An optimizer for `vars` with `rule`, clipping the global gradient
    /// norm to `clip_norm` when given.
    pub fn new(vars: Vec<Var>, rule: Rule, clip_norm: Option<f64>) -> Result<Self> {
        let states = vars
            .iter()
            .map(|v| -> Result<State> {
                let slots = rule.slots();
                Ok(if v.device().is_cpu() {
                    State::Host(vec![vec![0.0; v.elem_count()]; slots])
                } else {
                    State::Device(
                        (0..slots)
                            .map(|_| v.as_tensor().zeros_like())
                            .collect::<candle_core::Result<_>>()?,
                    )
                })
            })
            .collect::<Result<_>>()?;
        Ok(Optimizer {
            vars,
            states,
            rule,
            clip_norm,
            step: 0,
        })
    }

    /// Back-propagate `loss` and update every variable with learning rate `lr`.
    pub fn backward_step(&mut self, loss: &Tensor, lr: f64) -> Result<()> {
        let grads = loss.backward()?;
        let grads: Vec<Option<Tensor>> = self
            .vars
            .iter()
            .map(|v| grads.get(v).map(|g| g.contiguous()).transpose())
            .collect::<candle_core::Result<_>>()?;
        let scale = match self.clip_norm {
            Some(max) => clip::scale(grads.iter().flatten(), max)?,
            None => 1.0,
        };
        self.step += 1;
        let hyper = rule::Hyper {
            lr,
            step: self.step,
            grad_scale: scale,
        };
        for ((var, state), grad) in self.vars.iter().zip(&mut self.states).zip(&grads) {
            let Some(grad) = grad else { continue };
            match state {
                State::Host(slots) => fused::apply(var, grad, &self.rule, &hyper, slots)?,
                State::Device(slots) => {
                    self.rule.apply_tensors(var, grad, &hyper, slots)?;
                }
            }
        }
        Ok(())
    }
}
