//! The CPU update as one candle in-place op per parameter: the weights are
//! written where they are, the state lives in host buffers beside them.

use super::rule::{Hyper, Rule};
use candle_core::{CpuStorage, InplaceOp2, Layout, Result, Tensor, Var};
use rayon::prelude::*;
use std::cell::RefCell;

/// Values per parallel chunk; below two chunks the loop runs on one thread.
const CHUNK: usize = 1 << 15;

struct Fused<'a> {
    rule: &'a Rule,
    hyper: &'a Hyper,
    state: RefCell<&'a mut [Vec<f32>]>,
}

impl InplaceOp2 for Fused<'_> {
    fn name(&self) -> &'static str {
        "fused-optimizer-step"
    }

    fn cpu_fwd(
        &self,
        s1: &mut CpuStorage,
        l1: &Layout,
        s2: &CpuStorage,
        l2: &Layout,
    ) -> Result<()> {
        let (CpuStorage::F32(theta), CpuStorage::F32(grad)) = (s1, s2) else {
            candle_core::bail!("the fused optimizer step needs f32 weights and gradients");
        };
        let (Some((t0, t1)), Some((g0, g1))) = (l1.contiguous_offsets(), l2.contiguous_offsets())
        else {
            candle_core::bail!("the fused optimizer step needs contiguous tensors");
        };
        let (theta, grad) = (&mut theta[t0..t1], &grad[g0..g1]);
        let mut state = self.state.borrow_mut();
        if state.iter().any(|s| s.len() != theta.len()) || grad.len() != theta.len() {
            candle_core::bail!("optimizer state and gradient sizes do not match the weights");
        }
        let (rule, hyper) = (self.rule, self.hyper);
        let mut slices: Vec<std::slice::ChunksMut<f32>> =
            state.iter_mut().map(|s| s.chunks_mut(CHUNK)).collect();
        let mut chunks = Vec::new();
        for (t, g) in theta.chunks_mut(CHUNK).zip(grad.chunks(CHUNK)) {
            let s: Vec<&mut [f32]> = slices.iter_mut().filter_map(Iterator::next).collect();
            chunks.push((t, g, s));
        }
        chunks
            .into_par_iter()
            .for_each(|(t, g, mut s)| rule.apply(hyper, t, g, &mut s));
        Ok(())
    }
}

/// Update `var` from `grad` in place with `rule`, `state` holding its slots.
pub(super) fn apply(
    var: &Var,
    grad: &Tensor,
    rule: &Rule,
    hyper: &Hyper,
    state: &mut [Vec<f32>],
) -> Result<()> {
    let op = Fused {
        rule,
        hyper,
        state: RefCell::new(state),
    };
    var.as_tensor().inplace_op2(grad, &op)?;
    Ok(())
}
