//! Hidden-layer activations (`model.activation`).

use crate::spec::Activation;
use candle_core::{Result, Tensor};

/// Apply `a` elementwise.
pub fn apply(a: Activation, x: &Tensor) -> Result<Tensor> {
    match a {
        Activation::Relu => x.relu(),
        Activation::Gelu => x.gelu_erf(),
        Activation::Tanh => x.tanh(),
        Activation::Sigmoid => candle_nn::ops::sigmoid(x),
    }
}

/// Whether `a` never decreases, so that max-pooling before it gives the
/// same values as after it (pooling first does a quarter of the work).
pub fn is_monotone(a: Activation) -> bool {
    a != Activation::Gelu
}
